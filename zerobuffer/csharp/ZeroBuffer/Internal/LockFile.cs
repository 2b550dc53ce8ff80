using System;
using System.IO;
using System.Threading;

namespace ZeroBuffer.Internal;

/// <summary>
/// A lock file held with <c>flock(LOCK_EX | LOCK_NB)</c> for its owner's lifetime and naming the
/// owner's PID: the reader's <c>$ZEROBUFFER_LOCK_DIR/NAME.lock</c>, or the writer's
/// <c>NAME.writer-lock</c> (docs/protocol.md §6.1).
/// </summary>
internal sealed unsafe class LockFile : IDisposable
{
    private const int Attempts = 10;
    private const int PollMilliseconds = 2;
    private static readonly TimeSpan ScanPatience = TimeSpan.FromMilliseconds(100);
    private const uint DirectoryMode = 0x3FF; // 01777: shared by every user, sticky

    private int _fd;

    private LockFile(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    /// <summary>Creates the lock directory if missing (mode 1777) and returns its path.</summary>
    public static string EnsureDirectory()
    {
        string directory = BufferNames.LockDirectory();
        if (!Directory.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
                LibC.Chmod(directory, DirectoryMode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ZeroBufferException($"cannot create lock directory \"{directory}\": {e.Message}", e);
            }
        }

        return directory;
    }

    /// <summary>
    /// Opens (creating it if needed) and locks the lock file at <paramref name="path"/>.
    /// </summary>
    /// <exception cref="ReaderAlreadyConnectedException">Another process holds the lock.</exception>
    /// <exception cref="ZeroBufferException">The file can not be opened (a symlink, permissions, ...).</exception>
    public static LockFile Acquire(string path, uint mode) =>
        TryAcquire(path, mode) ?? throw new ReaderAlreadyConnectedException($"another reader holds the lock file \"{path}\"");

    /// <summary>
    /// Opens (creating it if needed) and locks the lock file at <paramref name="path"/>, and
    /// writes our PID into it (live.lock-pid); null when another process holds the lock.
    /// </summary>
    /// <exception cref="ZeroBufferException">The file can not be opened (a symlink, permissions, ...).</exception>
    public static LockFile? TryAcquire(string path, uint mode)
    {
        long giveUp = MonotonicClock.DeadlineAfter(ScanPatience);
        int disappeared = 0;
        while (disappeared < Attempts)
        {
            int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, mode);
            if (fd < 0)
            {
                throw new ZeroBufferException($"cannot open lock file \"{path}\": {LibC.Describe(LibC.Errno)}");
            }

            if (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
            {
                int errno = LibC.Errno;
                LibC.Close(fd);
                if (errno != LibC.EWOULDBLOCK)
                {
                    throw new ZeroBufferException($"flock of \"{path}\" failed: {LibC.Describe(errno)}");
                }

                // A stale scan of another process holds a lock it found free only briefly before it
                // removes the file: wait that long before calling the lock taken.
                if (MonotonicClock.Now >= giveUp)
                {
                    return null;
                }

                Thread.Sleep(PollMilliseconds);
                continue;
            }

            // A stale scan of another process may have unlinked the file between our open and
            // flock; then we would hold a lock nobody else can see. Retry in that case.
            if (IsFileAt(fd, path))
            {
                // EPERM: another user's file (a writer lock of a dead writer of another user); keep its mode.
                if (LibC.FChmod(fd, mode) != 0 && LibC.Errno != LibC.EPERM)
                {
                    int errno = LibC.Errno;
                    LibC.Unlink(path);
                    LibC.Close(fd);
                    throw new ZeroBufferException($"fchmod of lock file \"{path}\" failed: {LibC.Describe(errno)}");
                }

                if (!WritePid(fd))
                {
                    int errno = LibC.Errno;
                    LibC.Close(fd);
                    throw new ZeroBufferException($"cannot write the PID into lock file \"{path}\": {LibC.Describe(errno)}");
                }

                return new LockFile(path, fd);
            }

            LibC.Close(fd);
            disappeared++;
        }

        throw new ZeroBufferException($"lock file \"{path}\" keeps disappearing; another process is removing it");
    }

    /// <summary>Removes the lock file (only while it is still the one we locked), then releases the lock.</summary>
    public void Dispose()
    {
        if (_fd >= 0)
        {
            if (IsFileAt(_fd, Path))
            {
                LibC.Unlink(Path);
            }

            LibC.Close(_fd);
            _fd = -1;
        }
    }

    // Our PID, for PeerLiveness: a lock speaks for the PID in the OIEB only when it names it.
    private static bool WritePid(int fd)
    {
        byte[] text = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (LibC.FTruncate(fd, 0) != 0)
        {
            return false;
        }

        fixed (byte* p = text)
        {
            return LibC.PWrite(fd, p, (nuint)text.Length, 0) == text.Length;
        }
    }

    /// <summary>True when <paramref name="fd"/> is still the file at <paramref name="path"/> (not unlinked or replaced).</summary>
    public static bool IsFileAt(int fd, string path)
    {
        byte* opened = stackalloc byte[LibC.StatBufferSize];
        byte* named = stackalloc byte[LibC.StatBufferSize];
        if (LibC.FStat(fd, opened) != 0 || LibC.Stat(path, named) != 0)
        {
            return false;
        }

        // st_dev at offset 0, st_ino at offset 8.
        return *(ulong*)opened == *(ulong*)named
            && *(ulong*)(opened + LibC.StatInoOffset) == *(ulong*)(named + LibC.StatInoOffset);
    }
}
