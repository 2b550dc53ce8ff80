using System;
using System.Diagnostics;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>Connect, close and peer detection within one process.</summary>
public class LifecycleTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Connecting_to_a_missing_buffer_is_buffer_not_found()
    {
        var error = Assert.Throws<BufferNotFoundException>(() => new Writer(TestEnvironment.UniqueName()));
        Assert.Equal("BufferNotFound", error.Kind);
    }

    [Fact]
    public void After_the_writer_closes_the_reader_gets_the_remaining_frames_then_writer_dead()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using (var writer = new Writer(name))
        {
            Assert.True(reader.IsWriterConnected);
            writer.WriteFrame([1]);
            writer.WriteFrame([2]);
        }

        Assert.False(reader.IsWriterConnected);
        reader.ReadFrame(Second).Dispose();
        reader.ReadFrame(Second).Dispose();
        var watch = Stopwatch.StartNew();
        Assert.Equal("WriterDead", Assert.Throws<WriterDeadException>(() => reader.ReadFrame(TimeSpan.FromSeconds(5))).Kind);
        Assert.True(watch.ElapsedMilliseconds < 1000);
    }

    [Fact]
    public void A_closed_reader_makes_the_next_write_fail_with_reader_dead_at_once()
    {
        string name = TestEnvironment.UniqueName();
        var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        Assert.True(writer.IsReaderConnected);
        reader.Dispose();
        Assert.False(writer.IsReaderConnected);
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<ReaderDeadException>(() => writer.WriteFrame([1], TimeSpan.FromSeconds(5)));
        Assert.Equal(0UL, error.ReaderPid);
        Assert.True(watch.ElapsedMilliseconds < 1000, "must not wait for the 5 s timeout");
    }

    [Fact]
    public void A_second_writer_is_refused_and_the_first_keeps_its_claim()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        Assert.Equal("WriterAlreadyConnected", Assert.Throws<WriterAlreadyConnectedException>(() => new Writer(name)).Kind);
        Assert.Equal((ulong)Environment.ProcessId, ShmFile.Field(name, ShmFile.WriterPid));
        writer.WriteFrame([1]);
        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(1UL, frame.Sequence);
    }

    [Fact]
    public void A_second_reader_of_a_name_is_refused_and_the_first_is_unaffected()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        Assert.Equal("ReaderAlreadyConnected", Assert.Throws<ReaderAlreadyConnectedException>(() => new Reader(name, new BufferConfig(0, 1024))).Kind);
        Assert.Equal(4, Array.FindAll(TestEnvironment.AllPaths(name), System.IO.File.Exists).Length);
        using var writer = new Writer(name);
        writer.WriteFrame([7]);
        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(7, frame.Span[0]);
    }

    [Fact]
    public void A_full_ring_is_buffer_full_after_the_timeout_and_try_write_returns_false()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame(new byte[1008]);
        Assert.False(writer.TryWriteFrame([1], TimeSpan.Zero));
        var watch = Stopwatch.StartNew();
        Assert.Equal("BufferFull", Assert.Throws<BufferFullException>(() => writer.WriteFrame([1], TimeSpan.FromMilliseconds(200))).Kind);
        Assert.InRange(watch.ElapsedMilliseconds, 190, 2000);

        reader.ReadFrame(Second).Dispose();
        writer.WriteFrame([1], TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_blocked_writer_continues_as_soon_as_the_reader_releases()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame(new byte[1008]);
        Frame held = reader.ReadFrame(Second);
        var write = System.Threading.Tasks.Task.Run(() => writer.WriteFrame([1], TimeSpan.FromSeconds(5)));
        Assert.False(write.Wait(200));
        var watch = Stopwatch.StartNew();
        held.Dispose();
        Assert.True(write.Wait(2000));
        Assert.True(watch.ElapsedMilliseconds < 2000);
    }

    [Fact]
    public void Disposed_objects_refuse_calls()
    {
        string name = TestEnvironment.UniqueName();
        var reader = new Reader(name, new BufferConfig(0, 1024));
        var writer = new Writer(name);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.WriteFrame([1]));
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.ReadFrame(Second));
    }
}
