using System;

namespace ZeroBuffer.Internal;

/// <summary>A POSIX named semaphore handle (sem_open / sem_close).</summary>
internal sealed unsafe class NamedSemaphore : IDisposable
{
    private nint _handle;

    private NamedSemaphore(nint handle) => _handle = handle;

    /// <summary>Creates a new semaphore with count 0 and exactly <paramref name="mode"/>.</summary>
    /// <exception cref="ZeroBufferException">It exists already or the OS refused.</exception>
    public static NamedSemaphore Create(string name, uint mode)
    {
        nint handle = LibC.SemOpen(name, LibC.O_CREAT | LibC.O_EXCL, mode, 0);
        if (handle == 0)
        {
            throw new ZeroBufferException($"sem_open(\"{name}\", O_CREAT) failed: {LibC.Describe(LibC.Errno)}");
        }

        var semaphore = new NamedSemaphore(handle);
        // sem_open applies the umask; the mode must hold exactly.
        if (LibC.Chmod(BufferNames.SemaphorePath(name), mode) != 0)
        {
            int errno = LibC.Errno;
            semaphore.Dispose();
            LibC.SemUnlink(name);
            throw new ZeroBufferException($"chmod of semaphore \"{name}\" failed: {LibC.Describe(errno)}");
        }

        return semaphore;
    }

    /// <summary>Opens an existing semaphore, or returns null when it does not exist.</summary>
    /// <exception cref="ZeroBufferException">The OS refused for another reason.</exception>
    public static NamedSemaphore? TryOpen(string name)
    {
        nint handle = LibC.SemOpen(name, 0, 0, 0);
        if (handle == 0)
        {
            int errno = LibC.Errno;
            if (errno == LibC.ENOENT)
            {
                return null;
            }

            throw new ZeroBufferException($"sem_open(\"{name}\") failed: {LibC.Describe(errno)}");
        }

        return new NamedSemaphore(handle);
    }

    public void Post()
    {
        if (LibC.SemPost(_handle) != 0)
        {
            throw new ZeroBufferException($"sem_post failed: {LibC.Describe(LibC.ErrnoAfterUntransitionedCall)}");
        }
    }

    /// <summary>Takes one count without blocking; false when the count is 0.</summary>
    public bool TryWait()
    {
        while (true)
        {
            if (LibC.SemTryWait(_handle) == 0)
            {
                return true;
            }

            int errno = LibC.ErrnoAfterUntransitionedCall;
            if (errno == LibC.EAGAIN)
            {
                return false;
            }

            if (errno != LibC.EINTR)
            {
                throw new ZeroBufferException($"sem_trywait failed: {LibC.Describe(errno)}");
            }
        }
    }

    /// <summary>Takes all pending counts.</summary>
    public void Drain()
    {
        while (TryWait())
        {
        }
    }

    /// <summary>Waits at most <paramref name="timeoutTicks"/> (monotonic clock) for one count.</summary>
    public bool Wait(long timeoutTicks)
    {
        long nanoseconds = (long)(MonotonicClock.FromTicks(timeoutTicks).Ticks * 100);
        LibC.TimeSpec deadline = LibC.MonotonicNow();
        deadline.Seconds += nanoseconds / 1_000_000_000;
        deadline.Nanoseconds += nanoseconds % 1_000_000_000;
        if (deadline.Nanoseconds >= 1_000_000_000)
        {
            deadline.Seconds++;
            deadline.Nanoseconds -= 1_000_000_000;
        }

        while (true)
        {
            if (LibC.SemClockWait(_handle, LibC.CLOCK_MONOTONIC, &deadline) == 0)
            {
                return true;
            }

            int errno = LibC.Errno;
            if (errno == LibC.ETIMEDOUT)
            {
                return false;
            }

            if (errno != LibC.EINTR)
            {
                throw new ZeroBufferException($"sem_clockwait failed: {LibC.Describe(errno)}");
            }
        }
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            LibC.SemClose(_handle);
            _handle = 0;
        }
    }
}
