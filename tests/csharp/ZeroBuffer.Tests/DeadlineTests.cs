using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using ZeroBuffer.Internal;

namespace ZeroBuffer.Tests;

/// <summary>
/// Deadlines (protocol.md section 6): a call ends by its deadline whatever the peer posts
/// (time.deadline), and an infinite timeout waits instead of expiring at once (time.forever).
/// </summary>
public class DeadlineTests
{
    public static TheoryData<TimeSpan> ForeverTimeouts => new() { Timeout.InfiniteTimeSpan, TimeSpan.MaxValue };

    [Fact]
    public void A_read_ends_by_its_deadline_while_posts_arrive_without_frames()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var semaphore = NamedSemaphore.TryOpen(BufferNames.WriteSemaphore(name))!;
        using var stop = new CancellationTokenSource();
        // Own threads, and the clock started by the reading thread itself: on a loaded machine a
        // pool task can start late, and that delay is not the library's.
        var poster = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    semaphore.Post();
                }
            },
            TaskCreationOptions.LongRunning);
        var read = Task.Factory.StartNew(
            () =>
            {
                var watch = Stopwatch.StartNew();
                Frame frame = reader.ReadFrame(TimeSpan.FromMilliseconds(200));
                return (frame.IsValid, watch.ElapsedMilliseconds);
            },
            TaskCreationOptions.LongRunning);
        bool ended = ((IAsyncResult)read).AsyncWaitHandle.WaitOne(3000);
        stop.Cancel(); // lets a read that ran past its deadline finish, so the test can report it
        poster.Wait();
        ((IAsyncResult)read).AsyncWaitHandle.WaitOne(); // before the reader is disposed under it
        Assert.True(ended, "ReadFrame(200 ms) was still running after 3 s of posts without frames");
        (bool valid, long elapsed) = read.Result;
        Assert.False(valid);
        Assert.True(elapsed < 1000, $"took {elapsed} ms");
    }

    [Theory]
    [MemberData(nameof(ForeverTimeouts))]
    public void A_read_with_an_infinite_timeout_waits_until_a_frame_arrives(TimeSpan forever)
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        var read = Task.Run(() => reader.ReadFrame(forever));
        Assert.False(read.Wait(300), "ReadFrame(infinite) returned at once");
        writer.WriteFrame(Pattern.Make(10, 1));
        Assert.True(read.Wait(5000));
        Assert.True(read.Result.IsValid);
        Assert.Equal(1UL, read.Result.Sequence);
        read.Result.Dispose();
    }

    [Theory]
    [MemberData(nameof(ForeverTimeouts))]
    public void A_write_with_an_infinite_timeout_waits_until_space_comes_back(TimeSpan forever)
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name) { WriteTimeout = forever };
        writer.WriteFrame(new byte[1000]); // T = 1016: the ring is full for a second such frame
        var write = Task.Run(() => writer.WriteFrame(new byte[1000]));
        Assert.False(write.Wait(300), "WriteFrame with an infinite WriteTimeout returned at once");
        reader.ReadFrame(TimeSpan.FromSeconds(1)).Dispose();
        Assert.True(write.Wait(5000));
        using var second = reader.ReadFrame(TimeSpan.FromSeconds(1));
        Assert.Equal(2UL, second.Sequence);
    }
}
