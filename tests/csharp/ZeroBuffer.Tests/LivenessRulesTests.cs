using System;
using Xunit;
using ZeroBuffer.Internal;

namespace ZeroBuffer.Tests;

public class LivenessRulesTests
{
    [Fact]
    public void The_own_process_is_alive_and_pid_0_or_out_of_range_values_are_not()
    {
        Assert.True(ProcessLiveness.IsAlive((ulong)Environment.ProcessId));
        Assert.False(ProcessLiveness.IsAlive(0));
        Assert.False(ProcessLiveness.IsAlive((ulong)int.MaxValue + 1));
        Assert.False(ProcessLiveness.IsAlive(ulong.MaxValue));
    }

    [Fact]
    public void A_killed_and_reaped_process_is_dead()
    {
        using var serve = ServeProcess.Start();
        int pid = serve.Pid;
        Assert.True(ProcessLiveness.IsAlive((ulong)pid));
        serve.Kill();
        Assert.False(ProcessLiveness.IsAlive((ulong)pid));
    }

    [Fact]
    public void The_writer_drains_space_posts_so_the_semaphore_count_stays_bounded()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        using var writer = new Writer(name);
        for (int i = 0; i < 1000; i++)
        {
            writer.WriteFrame([1, 2, 3]);
            reader.ReadFrame(TimeSpan.FromSeconds(1)).Dispose(); // one post of sem-r per release
        }

        Assert.InRange(Interop.SemaphoreValue("/sem-r-" + name), 0, 1);
        Assert.InRange(Interop.SemaphoreValue("/sem-w-" + name), 0, 1);
    }
}
