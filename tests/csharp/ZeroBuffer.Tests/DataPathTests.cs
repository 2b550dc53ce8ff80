using System;
using System.Diagnostics;
using System.Text;
using Xunit;

namespace ZeroBuffer.Tests;

public class DataPathTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Frames_arrive_in_order_with_their_sequence_and_bytes()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 100 * 1024));
        using var writer = new Writer(name);
        int[] sizes = [100, 1024, 10240, 1];
        for (int i = 0; i < sizes.Length; i++)
        {
            Assert.Equal((ulong)i + 1, writer.NextSequence);
            writer.WriteFrame(Pattern.Make(sizes[i], (ulong)i + 1));
        }

        for (int i = 0; i < sizes.Length; i++)
        {
            using Frame frame = reader.ReadFrame(Second);
            Assert.True(frame.IsValid);
            Assert.Equal((ulong)i + 1, frame.Sequence);
            Assert.Equal(sizes[i], frame.Size);
            Assert.True(frame.Span.SequenceEqual(Pattern.Make(sizes[i], (ulong)i + 1)));
        }

        Assert.Equal(4, writer.FramesWritten);
        Assert.Equal(4, reader.FramesRead);
        Assert.Equal(100 + 1024 + 10240 + 1, writer.BytesWritten);
        Assert.Equal(writer.BytesWritten, reader.BytesRead);
    }

    [Fact]
    public void Zero_copy_write_publishes_on_commit()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 16384));
        using var writer = new Writer(name);
        Span<byte> buffer = writer.GetFrameBuffer(4096);
        Pattern.Make(4096, 1).CopyTo(buffer);
        Assert.False(reader.TryReadFrame(out _));

        writer.CommitFrame();
        using Frame frame = reader.ReadFrame(Second);
        Assert.True(frame.Span.SequenceEqual(Pattern.Make(4096, 1)));
    }

    [Fact]
    public void Commit_without_get_and_get_twice_are_invalid_state()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        Assert.Equal("InvalidState", Assert.Throws<InvalidStateException>(writer.CommitFrame).Kind);
        writer.GetFrameBuffer(10);
        Assert.Throws<InvalidStateException>(() => writer.GetFrameBuffer(10));
        writer.CommitFrame();
        Assert.Throws<InvalidStateException>(writer.CommitFrame);
    }

    [Fact]
    public void Text_survives_byte_exact()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        byte[] text = Encoding.UTF8.GetBytes("grüße, 世界 🙂");
        writer.WriteFrame(text);
        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(text, frame.ToArray());
    }

    [Fact]
    public void A_read_without_a_writer_times_out_with_an_invalid_frame()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        var watch = Stopwatch.StartNew();
        Frame frame = reader.ReadFrame(TimeSpan.FromMilliseconds(200));
        Assert.False(frame.IsValid);
        Assert.True(frame.Span.IsEmpty);
        frame.Dispose();
        Assert.InRange(watch.ElapsedMilliseconds, 180, 2000);
        Assert.False(reader.TryReadFrame(out _));
    }

    [Fact]
    public void Bursts_of_random_sizes_that_fill_a_small_ring_stay_intact()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096));
        using var writer = new Writer(name);
        var random = new Random(42);
        ulong written = 0;
        ulong read = 0;
        while (written < 3000)
        {
            // Fill the ring (frames up to half the ring are always placeable), then drain it.
            while (written < 3000)
            {
                int size = random.Next(1, 2048 - 16 + 1);
                if (!writer.TryWriteFrame(Pattern.Make(size, written + 1), TimeSpan.Zero))
                {
                    break;
                }

                written++;
            }

            while (reader.TryReadFrame(out Frame frame))
            {
                using (frame)
                {
                    read++;
                    Assert.Equal(read, frame.Sequence);
                    Assert.True(frame.Span.SequenceEqual(Pattern.Make(frame.Size, read)));
                }
            }

            Assert.Equal(written, read);
        }

        Assert.Equal(ShmFile.Field(name, ShmFile.PayloadWrittenCount), ShmFile.Field(name, ShmFile.PayloadReadCount));
        Assert.Equal(4096UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }
}
