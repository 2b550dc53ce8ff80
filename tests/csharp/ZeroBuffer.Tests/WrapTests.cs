using System;
using System.Diagnostics;
using Xunit;

namespace ZeroBuffer.Tests;

public class WrapTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_frame_that_does_not_fit_before_the_end_goes_to_0_behind_a_wrap_marker()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(64, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame(Pattern.Make(600, 1));
        reader.ReadFrame(Second).Dispose();

        // Garbage where the marker goes, so that the test sees the writer zero it.
        long payload = ShmFile.PayloadOffset(name);
        ShmFile.Write(name, payload + 616, new byte[16] { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 });
        writer.WriteFrame(Pattern.Make(500, 2));

        Assert.Equal(516UL, ShmFile.Field(name, ShmFile.PayloadWritePos));
        Assert.Equal(3UL, ShmFile.Field(name, ShmFile.PayloadWrittenCount));
        Assert.Equal(1024UL - 408 - 516, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        byte[] bytes = ShmFile.ReadAll(name);
        Assert.Equal(new byte[16], bytes[(int)(payload + 616)..(int)(payload + 632)]);

        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(2UL, frame.Sequence);
        Assert.True(frame.Span.SequenceEqual(Pattern.Make(500, 2)));
        Assert.Equal(3UL, ShmFile.Field(name, ShmFile.PayloadReadCount));
        Assert.Equal(516UL, ShmFile.Field(name, ShmFile.PayloadReadPos));
        frame.Dispose();
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void An_exact_fit_fills_the_ring_and_works_again_after_release()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame(Pattern.Make(1008, 1));
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.PayloadWritePos));
        reader.ReadFrame(Second).Dispose();
        writer.WriteFrame(Pattern.Make(1008, 2), TimeSpan.Zero);
        using Frame frame = reader.ReadFrame(Second);
        Assert.True(frame.Span.SequenceEqual(Pattern.Make(1008, 2)));
    }

    [Fact]
    public void A_short_tail_below_16_bytes_is_skipped_without_a_marker()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        int[] sizes = [1000, 100, 500]; // 1016 bytes leave an 8-byte tail; the second frame goes to 0
        for (int i = 0; i < sizes.Length; i++)
        {
            writer.WriteFrame(Pattern.Make(sizes[i], (ulong)i + 1), Second);
            using Frame frame = reader.ReadFrame(Second);
            Assert.Equal((ulong)i + 1, frame.Sequence);
            Assert.True(frame.Span.SequenceEqual(Pattern.Make(sizes[i], (ulong)i + 1)));
        }

        Assert.Equal(3UL, ShmFile.Field(name, ShmFile.PayloadWrittenCount)); // no marker counted
        Assert.Equal(3UL, ShmFile.Field(name, ShmFile.PayloadReadCount));
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        Assert.Equal(632UL, ShmFile.Field(name, ShmFile.PayloadReadPos));
    }

    [Fact]
    public void A_frame_that_can_never_be_placed_from_here_fails_at_once()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame(Pattern.Make(600, 1));
        reader.ReadFrame(Second).Dispose();

        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<FrameTooLargeException>(() => writer.WriteFrame(Pattern.Make(700, 2), TimeSpan.FromSeconds(5)));
        Assert.True(watch.ElapsedMilliseconds < 1000, "must not wait for the 5 s timeout");
        Assert.Contains("can not be placed", error.Message, StringComparison.Ordinal);

        writer.WriteFrame(Pattern.Make(500, 2));
        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(2UL, frame.Sequence);
    }

    [Fact]
    public void Too_large_and_empty_frames_are_refused_and_one_byte_costs_17()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        Assert.Equal("FrameTooLarge", Assert.Throws<FrameTooLargeException>(() => writer.WriteFrame(new byte[1009])).Kind);
        Assert.Equal("InvalidFrameSize", Assert.Throws<InvalidFrameSizeException>(() => writer.WriteFrame([])).Kind);
        Assert.Throws<InvalidFrameSizeException>(() => writer.GetFrameBuffer(-1));
        writer.WriteFrame([42]);
        Assert.Equal(1024UL - 17, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        Assert.Equal(1UL, writer.NextSequence - 1);
    }

    [Fact]
    public void A_64_bit_size_beyond_int_is_too_large_and_one_within_int_is_placed()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        Assert.Throws<FrameTooLargeException>(() => writer.GetFrameBuffer((long)int.MaxValue + 1, TimeSpan.Zero));
        Assert.Throws<FrameTooLargeException>(() => writer.GetFrameBuffer(long.MaxValue, TimeSpan.Zero));
        Assert.Throws<InvalidFrameSizeException>(() => writer.GetFrameBuffer(0L, TimeSpan.Zero));
        Assert.Throws<InvalidFrameSizeException>(() => writer.GetFrameBuffer(long.MinValue, TimeSpan.Zero));
        writer.GetFrameBuffer(100L, TimeSpan.Zero).Fill(7);
        writer.CommitFrame();
        using Frame frame = reader.ReadFrame(Second);
        Assert.Equal(100, frame.Size);
    }

    [Fact]
    public void A_write_position_equal_to_the_payload_size_is_read_as_0()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using (var first = new Writer(name))
        {
            first.WriteFrame(Pattern.Make(1008, 1));
        }

        reader.ReadFrame(Second).Dispose();
        ShmFile.WriteUInt64(name, ShmFile.PayloadWritePos, 1024); // as other implementations leave it
        using var writer = new Writer(name);
        writer.WriteFrame(Pattern.Make(100, 1));
        Assert.Equal(116UL, ShmFile.Field(name, ShmFile.PayloadWritePos));
    }
}
