using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>Peers in other processes (the serve), killed with SIGKILL where the test says so.</summary>
public class CrossProcessTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_killed_writer_is_reported_within_a_second_while_the_reader_waits()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        using var writer = ServeProcess.Start();
        writer.Result("connectWriter", new { name });
        Assert.True(reader.IsWriterConnected);

        var wait = System.Threading.Tasks.Task.Run(() => reader.ReadFrame(TimeSpan.FromSeconds(5)));
        Assert.False(wait.Wait(150));
        var watch = Stopwatch.StartNew();
        writer.Kill();
        var error = Assert.Throws<AggregateException>(() => wait.Wait(2000));
        Assert.IsType<WriterDeadException>(error.InnerException);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Frames_of_a_killed_writer_are_read_before_writer_dead()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        using var writer = ServeProcess.Start();
        writer.Result("connectWriter", new { name });
        writer.Result("writeFrames", new { size = 100, count = 3 });
        writer.Kill();
        for (ulong sequence = 1; sequence <= 3; sequence++)
        {
            using Frame frame = reader.ReadFrame(Second);
            Assert.Equal(sequence, frame.Sequence);
            Assert.True(frame.Span.SequenceEqual(Pattern.Make(100, sequence)));
        }

        Assert.Throws<WriterDeadException>(() => reader.ReadFrame(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_killed_reader_is_reported_within_a_second_to_a_blocked_writer()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = ServeProcess.Start();
        reader.Result("createReader", new { name, metadataSize = 0, payloadSize = 1024 });
        using var writer = new Writer(name);
        writer.WriteFrame(new byte[1008]);
        var write = System.Threading.Tasks.Task.Run(() => writer.WriteFrame([1], TimeSpan.FromSeconds(5)));
        Assert.False(write.Wait(150));
        var watch = Stopwatch.StartNew();
        reader.Kill();
        var error = Assert.Throws<AggregateException>(() => write.Wait(2000));
        Assert.IsType<ReaderDeadException>(error.InnerException);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void A_streaming_writer_learns_of_a_killed_reader_without_waiting()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = ServeProcess.Start();
        reader.Result("createReader", new { name, metadataSize = 0, payloadSize = 1 << 20 });
        using var writer = new Writer(name);
        reader.Kill();
        var watch = Stopwatch.StartNew();
        Assert.Throws<ReaderDeadException>(() =>
        {
            // A frame per millisecond never fills the 1 MiB ring: the writer never waits.
            while (watch.ElapsedMilliseconds < 2000)
            {
                writer.WriteFrame([1], TimeSpan.Zero);
                System.Threading.Thread.Sleep(1);
            }
        });
        Assert.True(watch.ElapsedMilliseconds < 1000);
    }

    [Fact]
    public void A_writer_in_another_process_keeps_its_claim_against_a_second_writer()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        using var first = ServeProcess.Start();
        first.Result("connectWriter", new { name });
        Assert.Throws<WriterAlreadyConnectedException>(() => new Writer(name));
        Assert.Equal((ulong)first.Pid, ShmFile.Field(name, ShmFile.WriterPid));
        first.Result("writeFrames", new { size = 10 });
        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(1UL, frame.Sequence);
    }

    [Fact]
    public void A_reader_in_another_process_keeps_its_name()
    {
        string name = TestEnvironment.UniqueName();
        using var first = ServeProcess.Start();
        first.Result("createReader", new { name, metadataSize = 0, payloadSize = 1024 });
        Assert.Throws<ReaderAlreadyConnectedException>(() => new Reader(name, new BufferConfig(0, 1024)));
        Assert.Equal((ulong)first.Pid, ShmFile.Field(name, ShmFile.ReaderPid));
    }

    [Fact]
    public void A_new_writer_session_after_a_killed_writer_starts_again_at_sequence_1()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        using (var first = ServeProcess.Start())
        {
            first.Result("connectWriter", new { name });
            first.Result("writeFrames", new { size = 50, count = 2 });
            first.Kill();
        }

        reader.ReadFrame(Second).Dispose();
        reader.ReadFrame(Second).Dispose();
        using var second = ServeProcess.Start();
        second.Result("connectWriter", new { name });
        second.Result("writeFrames", new { size = 50, count = 2 });
        for (ulong sequence = 1; sequence <= 2; sequence++)
        {
            using Frame frame = reader.ReadFrame(Second);
            Assert.Equal(sequence, frame.Sequence);
            Assert.True(frame.Span.SequenceEqual(Pattern.Make(50, sequence)));
        }
    }

    [Fact]
    public void A_killed_readers_leftovers_are_removed_by_the_next_reader_of_any_name()
    {
        string crashed = TestEnvironment.UniqueName();
        using (var reader = ServeProcess.Start())
        {
            reader.Result("createReader", new { name = crashed, metadataSize = 0, payloadSize = 1024 });
            reader.Kill();
        }

        Assert.Equal(4, TestEnvironment.Leftovers(crashed).Length);
        using (new Reader(TestEnvironment.UniqueName(), new BufferConfig(0, 64)))
        {
            Assert.Empty(TestEnvironment.Leftovers(crashed));
        }
    }

    [Fact]
    public void A_killed_reader_is_replaced_while_its_writer_lives_and_that_writer_gets_reader_dead()
    {
        string name = TestEnvironment.UniqueName();
        using var oldReader = ServeProcess.Start();
        oldReader.Result("createReader", new { name, metadataSize = 0, payloadSize = 1024 });
        using var oldWriter = new Writer(name);
        oldWriter.WriteFrame([1]);
        oldReader.Kill();

        using var reader = new Reader(name, new BufferConfig(0, 1024));
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.PayloadWrittenCount));
        Assert.Throws<ReaderDeadException>(() =>
        {
            var watch = Stopwatch.StartNew();
            while (watch.ElapsedMilliseconds < 1000)
            {
                oldWriter.WriteFrame([1], TimeSpan.FromMilliseconds(100));
            }
        });

        using var newWriter = ServeProcess.Start();
        newWriter.Result("connectWriter", new { name });
        newWriter.Result("writeFrames", new { size = 5 });
        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(1UL, frame.Sequence);
    }

    [Fact]
    public void Fabricated_stale_resources_of_the_same_name_are_replaced_by_a_fresh_buffer()
    {
        string name = TestEnvironment.UniqueName();
        using (var crashed = ServeProcess.Start())
        {
            crashed.Result("createReader", new { name, metadataSize = 0, payloadSize = 1024 });
            crashed.Result("status");
            crashed.Kill();
        }

        ShmFile.WriteUInt64(name, ShmFile.PayloadWrittenCount, 77);
        using var reader = new Reader(name, new BufferConfig(64, 2048));
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.PayloadWrittenCount));
        Assert.Equal(128 + 64 + 2048, new FileInfo(TestEnvironment.ShmPath(name)).Length);
    }
}
