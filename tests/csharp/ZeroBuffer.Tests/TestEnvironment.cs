using System;
using System.IO;
using System.Runtime.CompilerServices;
using ZeroBuffer.Internal;

namespace ZeroBuffer.Tests;

/// <summary>
/// Process-wide test setup: every test run gets its own lock directory (inherited by the serve
/// processes the tests start), so tests never touch /tmp/zerobuffer. Buffer names are unique.
/// </summary>
internal static class TestEnvironment
{
    public static string LockDirectory { get; private set; } = "";

    [ModuleInitializer]
    internal static void Initialize()
    {
        LockDirectory = Path.Combine(Path.GetTempPath(), "zb-cs-tests-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(LockDirectory);
        Environment.SetEnvironmentVariable("ZEROBUFFER_LOCK_DIR", LockDirectory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                // Buffers of serves killed by the tests: the library's own stale scan removes them.
                StaleBufferCleaner.Scan(LockDirectory);
                Directory.Delete(LockDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
    }

    public static string UniqueName(string prefix = "cs") => $"{prefix}-{Guid.NewGuid():N}";

    public static string ShmPath(string name) => "/dev/shm/" + name;

    public static string SemWritePath(string name) => "/dev/shm/sem.sem-w-" + name;

    public static string SemReadPath(string name) => "/dev/shm/sem.sem-r-" + name;

    public static string LockPath(string name) => Path.Combine(LockDirectory, name + ".lock");

    /// <summary>Every object of a buffer that may exist on disk.</summary>
    public static string[] AllPaths(string name) => [ShmPath(name), SemWritePath(name), SemReadPath(name), LockPath(name)];

    /// <summary>Paths of the buffer's objects that still exist.</summary>
    public static string[] Leftovers(string name) => Array.FindAll(AllPaths(name), File.Exists);

    /// <summary>The path of the serve executable built next to the tests (or ZEROBUFFER_SERVE_CSHARP).</summary>
    public static string ServePath()
    {
        string? configured = Environment.GetEnvironmentVariable("ZEROBUFFER_SERVE_CSHARP");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        // artifacts/bin/ZeroBuffer.Tests/<config>/ -> artifacts/bin/ZeroBuffer.Serve/<config>/
        string baseDirectory = AppContext.BaseDirectory.TrimEnd('/');
        string configuration = Path.GetFileName(baseDirectory);
        return Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "ZeroBuffer.Serve", configuration, "zerobuffer-serve-csharp"));
    }
}
