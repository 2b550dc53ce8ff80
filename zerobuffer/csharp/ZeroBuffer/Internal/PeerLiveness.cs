namespace ZeroBuffer.Internal;

/// <summary>
/// Whether the reader or writer of a buffer lives (docs/protocol.md §6.1, live.lock-beats-pid):
/// its lock file decides when it names the PID in the OIEB, else <see cref="ProcessLiveness"/>.
/// </summary>
internal static unsafe class PeerLiveness
{
    private const int MaxPidText = 24;

    /// <summary>
    /// When <paramref name="lockPath"/> names <paramref name="pid"/>: held means alive, free means
    /// dead. Otherwise (no file, another PID, unreadable) the PID rule decides. The test lock is
    /// taken through our own open file description and released at once, so it never takes the
    /// lock from its owner.
    /// </summary>
    public static bool IsAlive(string lockPath, ulong pid)
    {
        if (pid == 0)
        {
            return false;
        }

        // O_NONBLOCK: a FIFO planted at the path must not block the open.
        int fd = LibC.Open(lockPath, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            try
            {
                if (NamesPid(fd, pid))
                {
                    if (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) == 0)
                    {
                        LibC.Flock(fd, LibC.LOCK_UN);
                        return false;
                    }

                    if (LibC.Errno == LibC.EWOULDBLOCK)
                    {
                        return true;
                    }
                }
            }
            finally
            {
                LibC.Close(fd);
            }
        }

        return ProcessLiveness.IsAlive(pid);
    }

    /// <summary>True when the file's content is exactly <paramref name="pid"/> in decimal (a directory, FIFO or device reads as no PID).</summary>
    public static bool NamesPid(int fd, ulong pid)
    {
        byte* text = stackalloc byte[MaxPidText];
        long length = LibC.PRead(fd, text, MaxPidText, 0);
        if (length <= 0 || length >= MaxPidText)
        {
            return false;
        }

        ulong value = 0;
        for (long i = 0; i < length; i++)
        {
            if (text[i] < (byte)'0' || text[i] > (byte)'9' || value > (ulong.MaxValue - 9) / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(text[i] - (byte)'0');
        }

        return value == pid;
    }

    /// <summary>Removes the lock file at <paramref name="path"/> when nobody holds it and it is still the file there.</summary>
    public static void RemoveFreeLock(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return;
        }

        if (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) == 0 && LockFile.IsFileAt(fd, path))
        {
            LibC.Unlink(path);
        }

        LibC.Close(fd);
    }
}
