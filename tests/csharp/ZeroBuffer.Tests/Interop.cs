using System.Runtime.InteropServices;

namespace ZeroBuffer.Tests;

internal static partial class Interop
{
    [LibraryImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
