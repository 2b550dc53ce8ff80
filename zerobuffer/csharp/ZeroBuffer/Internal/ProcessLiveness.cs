namespace ZeroBuffer.Internal;

/// <summary>Whether a PID stored in the OIEB names a running process.</summary>
internal static unsafe class ProcessLiveness
{
    /// <summary>
    /// A PID is alive when <c>kill(pid, 0)</c> succeeds or fails with EPERM (a live process of
    /// another user), unless it is a zombie: a killed process whose parent has not reaped it yet.
    /// 0 and values outside the positive <c>pid_t</c> range are never alive (a corrupt field
    /// must not turn into <c>kill(-1, 0)</c>).
    /// </summary>
    public static bool IsAlive(ulong pid)
    {
        if (pid == 0 || pid > int.MaxValue)
        {
            return false;
        }

        if (LibC.Kill((int)pid, 0) != 0 && LibC.Errno != LibC.EPERM)
        {
            return false;
        }

        return !IsZombie(pid);
    }

    /// <summary>Reads the state letter after the last ')' of /proc/PID/stat: Z (zombie) or X (dead).</summary>
    private static bool IsZombie(ulong pid)
    {
        int fd = LibC.Open("/proc/" + pid + "/stat", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return false;
        }

        const int BufferSize = 512;
        byte* buffer = stackalloc byte[BufferSize];
        long length = LibC.Read(fd, buffer, BufferSize);
        LibC.Close(fd);
        for (long i = length - 1; i >= 0; i--)
        {
            if (buffer[i] == (byte)')')
            {
                return i + 2 < length && buffer[i + 1] == (byte)' ' && (buffer[i + 2] == (byte)'Z' || buffer[i + 2] == (byte)'X');
            }
        }

        return false;
    }
}
