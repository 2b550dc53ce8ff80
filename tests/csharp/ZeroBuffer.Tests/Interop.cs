using System.Runtime.InteropServices;

namespace ZeroBuffer.Tests;

/// <summary>The few libc calls the tests make themselves, independent of the library.</summary>
internal static partial class Interop
{
    [LibraryImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

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
