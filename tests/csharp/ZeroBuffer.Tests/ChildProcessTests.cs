using System;
using System.Diagnostics;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>
/// .NET does not fork a running runtime; a child is a new program, and it must inherit no
/// descriptor of a reader or writer (docs/protocol.md §5, fork.cloexec), so nothing it does can
/// touch the parent's buffer or keep its lock alive.
/// </summary>
public class ChildProcessTests
{
    [Fact]
    public void A_child_process_inherits_no_descriptor_of_a_reader_or_writer()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        var start = new ProcessStartInfo("/bin/sh", ["-c", "ls -l /proc/$$/fd"]) { RedirectStandardOutput = true };
        using var child = Process.Start(start)!;
        string descriptors = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        Assert.Equal(0, child.ExitCode);
        Assert.Contains("->", descriptors, StringComparison.Ordinal); // the listing worked
        Assert.DoesNotContain(name, descriptors, StringComparison.Ordinal);
    }
}
