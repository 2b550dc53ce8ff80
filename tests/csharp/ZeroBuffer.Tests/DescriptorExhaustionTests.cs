using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace ZeroBuffer.Tests;

/// <summary>
/// The descriptor limit is per process: these tests lower it for the whole test host, so no
/// other test may run beside them.
/// </summary>
[CollectionDefinition(nameof(DescriptorExhaustionTestGroup), DisableParallelization = true)]
public sealed class DescriptorExhaustionTestGroup;

/// <summary>
/// A process out of file descriptors (docs/reliability.md, "Environments that break IPC"), in
/// process: the .NET runtime cannot start under a tiny <c>prlimit</c>, so the test host fills its
/// own descriptor table and leaves 0, 1, 2, ... descriptors free for a create or a connect, until
/// it succeeds. Every failure must be an <see cref="ErrorKinds.Internal"/> error naming the cause,
/// and leave nothing behind (as in the C++ and Python tests of the same case).
/// </summary>
[Collection(nameof(DescriptorExhaustionTestGroup))]
public class DescriptorExhaustionTests
{
    private const int MostDescriptorsAnAttemptOpens = 16;

    private readonly ITestOutputHelper _output;

    public DescriptorExhaustionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_reader_create_fails_cleanly_at_every_descriptor_it_opens()
    {
        string name = TestEnvironment.UniqueName();
        WarmUp();

        List<string> outcomes = AttemptsUntilOk(
            () => new Reader(name, new BufferConfig(0, 4096)).Dispose(),
            () => Assert.Empty(TestEnvironment.Leftovers(name)));

        _output.WriteLine(string.Join(Environment.NewLine, outcomes));
        Assert.True(outcomes.Count > 1, "the create never ran out of descriptors: " + string.Join(" | ", outcomes));
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Fact]
    public void A_writer_connect_fails_cleanly_and_claims_nothing()
    {
        string name = TestEnvironment.UniqueName();
        WarmUp();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        string[] lockFiles = LockDirectoryEntries();

        List<string> outcomes = AttemptsUntilOk(
            () => new Writer(name).Dispose(),
            () =>
            {
                Assert.Equal(0UL, ShmFile.Field(name, ShmFile.WriterPid));
                Assert.Equal(lockFiles, LockDirectoryEntries());
            });

        _output.WriteLine(string.Join(Environment.NewLine, outcomes));
        Assert.True(outcomes.Count > 1, "the connect never ran out of descriptors: " + string.Join(" | ", outcomes));
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> with 0, 1, 2, ... free descriptors until it succeeds;
    /// after each failure (with the descriptors back) checks it and runs <paramref name="afterFailure"/>.
    /// </summary>
    private static List<string> AttemptsUntilOk(Action attempt, Action afterFailure)
    {
        var outcomes = new List<string>();
        for (int free = 0; free <= MostDescriptorsAnAttemptOpens; free++)
        {
            Exception? error = WithFreeDescriptors(free, attempt);
            if (error is null)
            {
                outcomes.Add("ok");
                return outcomes;
            }

            outcomes.Add($"{free} free: {error.GetType().Name}: {error.Message}");
            var zeroBufferError = Assert.IsAssignableFrom<ZeroBufferException>(error);
            Assert.Equal(ErrorKinds.Internal, zeroBufferError.Kind);
            Assert.Contains("Too many open files", error.Message, StringComparison.Ordinal);
            afterFailure();
        }

        Assert.Fail("never succeeded: " + string.Join(" | ", outcomes));
        return outcomes;
    }

    /// <summary>
    /// Lowers the soft descriptor limit to a little above the descriptors in use, fills the table
    /// with /dev/null up to it, frees <paramref name="free"/> of them and runs <paramref name="action"/>;
    /// then closes them all and restores the limit. Returns what the action threw.
    /// </summary>
    private static Exception? WithFreeDescriptors(int free, Action action)
    {
        Assert.Equal(0, Interop.GetRLimit(Interop.RlimitNofile, out Interop.RLimit original));
        int highestInUse = Directory.GetFiles("/proc/self/fd").Select(path => int.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture)).Max();
        var lowered = new Interop.RLimit { Current = (ulong)highestInUse + 1 + 64, Maximum = original.Maximum };
        var fillers = new Stack<int>();
        Exception? error = null;
        Assert.Equal(0, Interop.SetRLimit(Interop.RlimitNofile, lowered));
        try
        {
            while (true)
            {
                int fd = Interop.Open("/dev/null", Interop.OReadOnlyCloseOnExec);
                if (fd < 0)
                {
                    Assert.Equal(Interop.EMFILE, Marshal.GetLastPInvokeError());
                    break;
                }

                fillers.Push(fd);
            }

            for (int i = 0; i < free; i++)
            {
                Interop.Close(fillers.Pop());
            }

            try
            {
                action();
            }
            catch (Exception e)
            {
                error = e;
            }
        }
        finally
        {
            while (fillers.Count > 0)
            {
                Interop.Close(fillers.Pop());
            }

            Assert.Equal(0, Interop.SetRLimit(Interop.RlimitNofile, original));
        }

        return error;
    }

    /// <summary>Runs a create, a connect and their closes once, so the attempts need no assembly loading or JIT.</summary>
    private static void WarmUp()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        new Writer(name).Dispose();
        Assert.Throws<ReaderAlreadyConnectedException>(() => new Reader(name, new BufferConfig(0, 4096)));
    }

    private static string[] LockDirectoryEntries() =>
        Directory.GetFiles(TestEnvironment.LockDirectory).Select(Path.GetFileName).OrderBy(entry => entry, StringComparer.Ordinal).ToArray()!;
}
