namespace ZeroBuffer.Internal;

/// <summary>Whether a PID stored in the OIEB names a running process.</summary>
internal static class ProcessLiveness
{
    /// <summary>
    /// A PID is alive when <c>kill(pid, 0)</c> succeeds or fails with EPERM (a live process of
    /// another user). 0 and values outside the positive <c>pid_t</c> range are never alive
    /// (a corrupt field must not turn into <c>kill(-1, 0)</c>).
    /// </summary>
    public static bool IsAlive(ulong pid)
    {
        if (pid == 0 || pid > int.MaxValue)
        {
            return false;
        }

        return LibC.Kill((int)pid, 0) == 0 || LibC.Errno == LibC.EPERM;
    }
}
