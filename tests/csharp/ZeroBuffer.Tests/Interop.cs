using System.Runtime.InteropServices;

namespace ZeroBuffer.Tests;

/// <summary>The few libc calls the tests make themselves, independent of the library.</summary>
internal static partial class Interop
{
    [LibraryImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    public const int RlimitNofile = 7;

    public const int OReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    public const int EMFILE = 24;

    /// <summary>struct rlimit (rlim_t is 64 bits on every 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc.so.6", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc.so.6", EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, in RLimit limit);

    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "sem_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint SemOpen(string name, int oflag, uint mode, uint value);

    [LibraryImport("libc.so.6", EntryPoint = "sem_getvalue", SetLastError = true)]
    private static partial int SemGetValue(nint semaphore, out int value);

    [LibraryImport("libc.so.6", EntryPoint = "sem_close", SetLastError = true)]
    private static partial int SemClose(nint semaphore);

    /// <summary>The current count of the named semaphore (e.g. "/sem-r-NAME").</summary>
    public static int SemaphoreValue(string name)
    {
        nint semaphore = SemOpen(name, 0, 0, 0);
        Xunit.Assert.NotEqual(0, semaphore);
        try
        {
            Xunit.Assert.Equal(0, SemGetValue(semaphore, out int value));
            return value;
        }
        finally
        {
            SemClose(semaphore);
        }
    }
}
