using System;
using System.Collections.Generic;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>Several frames held at once: space goes back to the writer only in ring order.</summary>
public class HeldFrameTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_frame_released_out_of_order_returns_its_space_when_the_earlier_ones_are_released()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        for (ulong i = 1; i <= 3; i++)
        {
            writer.WriteFrame(Pattern.Make(100, i));
        }

        Frame first = reader.ReadFrame(Second);
        Frame second = reader.ReadFrame(Second);
        Frame third = reader.ReadFrame(Second);
        Assert.Equal(3, reader.HeldFrames);
        ulong freeWhileHeld = ShmFile.Field(name, ShmFile.PayloadFreeBytes);
        Assert.Equal(1024UL - (3 * 116), freeWhileHeld);

        second.Dispose();
        second.Dispose();
        Assert.Equal(freeWhileHeld, ShmFile.Field(name, ShmFile.PayloadFreeBytes));

        first.Dispose();
        Assert.Equal(freeWhileHeld + 232, ShmFile.Field(name, ShmFile.PayloadFreeBytes));

        Frame copy = third;
        third.Dispose();
        copy.Dispose();
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        Assert.Equal(0, reader.HeldFrames);
    }

    [Fact]
    public void Held_frames_stay_intact_while_the_writer_fills_the_rest_of_the_ring()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 2048));
        using var writer = new Writer(name);
        var held = new List<Frame>();
        ulong sequence = 0;
        for (int i = 0; i < 3; i++)
        {
            writer.WriteFrame(Pattern.Make(200, ++sequence));
            held.Add(reader.ReadFrame(Second));
        }

        // The writer fills the rest of the ring; the reader consumes and releases those frames.
        int filled = 0;
        while (writer.TryWriteFrame(Pattern.Make(300, ++sequence), TimeSpan.Zero))
        {
            filled++;
        }

        Assert.True(filled >= 3);
        for (int i = 0; i < filled; i++)
        {
            reader.ReadFrame(Second).Dispose();
        }

        // Their space stays behind the held frames: nothing more fits yet.
        Assert.False(writer.TryWriteFrame(Pattern.Make(300, sequence), TimeSpan.Zero));

        for (int i = 0; i < held.Count; i++)
        {
            Assert.True(held[i].Span.SequenceEqual(Pattern.Make(200, (ulong)i + 1)), $"held frame {i + 1} was overwritten");
            held[i].Dispose();
        }

        Assert.Equal(2048UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        Assert.True(writer.TryWriteFrame(Pattern.Make(300, sequence), TimeSpan.Zero));
    }

    [Fact]
    public void Space_of_a_wrap_marker_passed_while_a_frame_is_held_comes_back_after_that_frame()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame(Pattern.Make(300, 1)); // 0..316
        writer.WriteFrame(Pattern.Make(400, 2)); // 316..732
        reader.ReadFrame(Second).Dispose();
        Frame held = reader.ReadFrame(Second); // 316..732 held
        writer.WriteFrame(Pattern.Make(300, 3)); // marker at 732 (292 bytes wasted), frame at 0..316
        ulong before = ShmFile.Field(name, ShmFile.PayloadFreeBytes);
        Assert.Equal(1024UL - 416 - 292 - 316, before);

        Frame third = reader.ReadFrame(Second); // passes the marker while frame 2 is held
        Assert.Equal(3UL, third.Sequence);
        Assert.Equal(before, ShmFile.Field(name, ShmFile.PayloadFreeBytes));

        third.Dispose(); // still behind the held frame: nothing comes back
        Assert.Equal(before, ShmFile.Field(name, ShmFile.PayloadFreeBytes));

        held.Dispose();
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void A_frame_held_when_the_reader_closes_stays_readable_until_released()
    {
        string name = TestEnvironment.UniqueName();
        var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame([1, 2, 3]);
        writer.WriteFrame([4, 5]);
        Frame first = reader.ReadFrame(Second);
        Frame second = reader.ReadFrame(Second);
        reader.Dispose();
        Assert.Empty(TestEnvironment.Leftovers(name));

        first.Dispose();
        Assert.Equal(new byte[] { 4, 5 }, second.ToArray());
        second.Dispose();
        Assert.Throws<ObjectDisposedException>(() => second.Span.Length);
        second.Dispose();
    }
}
