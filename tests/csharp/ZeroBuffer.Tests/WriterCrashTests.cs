using System;
using System.Buffers.Binary;
using System.Diagnostics;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>
/// The crash-safe store order of the write path and the successor's repair
/// (docs/protocol.md §4.1 write.crash-order, §5 write.crash-repair). The C++ and Python tests
/// kill real writers at each store; here the order and the repair are pinned within one process.
/// </summary>
public class WriterCrashTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Reserving_a_wrapping_frame_changes_no_shared_counter_until_commit()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame(new byte[600]); // T = 616
        reader.ReadFrame(Second).Dispose();

        writer.GetFrameBuffer(500); // T = 516: a wrap marker at 616, the frame at 0
        Assert.Equal(1UL, ShmFile.Field(name, ShmFile.PayloadWrittenCount));
        Assert.Equal(616UL, ShmFile.Field(name, ShmFile.PayloadWritePos));
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));

        writer.CommitFrame();
        Assert.Equal(3UL, ShmFile.Field(name, ShmFile.PayloadWrittenCount));
        Assert.Equal(516UL, ShmFile.Field(name, ShmFile.PayloadWritePos));
        Assert.Equal(1024UL - 408 - 516, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void A_successor_takes_back_a_frame_its_dead_predecessor_advanced_past_but_never_published()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using (var first = new Writer(name))
        {
            first.WriteFrame(new byte[100]); // T = 116
        }

        reader.ReadFrame(Second).Dispose();

        // What a writer killed after §4.1 step 6b leaves: frame 2 written at 116, its space
        // reserved, the write position past it, the count not increased.
        long payload = ShmFile.PayloadOffset(name);
        var header = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(header, 100);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), 2);
        ShmFile.Write(name, payload + 116, header);
        ShmFile.WriteUInt64(name, ShmFile.PayloadFreeBytes, 1024 - 116);
        ShmFile.WriteUInt64(name, ShmFile.PayloadWritePos, 232);
        ShmFile.WriteUInt64(name, ShmFile.WriterPid, DeadPid());

        using var successor = new Writer(name);
        Assert.Equal(116UL, ShmFile.Field(name, ShmFile.PayloadWritePos));
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        Assert.Equal(1UL, ShmFile.Field(name, ShmFile.PayloadWrittenCount));
        successor.WriteFrame(new byte[10]);
        Assert.Equal(116UL + 26, ShmFile.Field(name, ShmFile.PayloadWritePos));
    }

    [Fact]
    public void A_successor_leaves_a_consistent_buffer_alone()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using (var first = new Writer(name))
        {
            first.WriteFrame(new byte[100]);
            first.WriteFrame(new byte[100]);
        }

        reader.ReadFrame(Second).Dispose(); // one frame still unread: no repair is attempted
        using var successor = new Writer(name);
        Assert.Equal(232UL, ShmFile.Field(name, ShmFile.PayloadWritePos));
        Assert.Equal(1024UL - 116, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void The_reader_takes_back_the_bytes_of_a_writer_killed_right_after_its_reserve()
    {
        // Rule read.reclaim-leak. What a writer killed after section 4.1 step 6a leaves: frame 2's
        // 116 bytes subtracted, the position and the count unchanged, its PID dead.
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using (var first = new Writer(name))
        {
            first.WriteFrame(new byte[100]); // T = 116
        }

        reader.ReadFrame(Second).Dispose();
        ShmFile.WriteUInt64(name, ShmFile.PayloadFreeBytes, 1024 - 116);
        ShmFile.WriteUInt64(name, ShmFile.WriterPid, DeadPid());

        Assert.Throws<WriterDeadException>(() => reader.ReadFrame(Second));
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void No_bytes_are_taken_back_while_the_reader_holds_a_frame()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using (var first = new Writer(name))
        {
            first.WriteFrame(new byte[100]); // T = 116
        }

        using (Frame held = reader.ReadFrame(Second))
        {
            ShmFile.WriteUInt64(name, ShmFile.PayloadFreeBytes, 1024 - 116 - 116);
            ShmFile.WriteUInt64(name, ShmFile.WriterPid, DeadPid());
            Assert.Throws<WriterDeadException>(() => reader.ReadFrame(Second));
            Assert.Equal(1024UL - 232, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
        }

        Assert.Equal(1024UL - 116, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void A_frame_published_just_before_the_writer_died_is_read_before_WriterDead()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using (var first = new Writer(name))
        {
            first.WriteFrame(new byte[600]); // T = 616
        }

        reader.ReadFrame(Second).Dispose();

        // The interleaving the kill -9 soak hit: the reader found no frame, then the writer
        // published a wrapping frame (a marker at 616, the frame at 0, count + 2) and was
        // killed before the reader's liveness check.
        ulong deadPid = DeadPid();
        long payload = ShmFile.PayloadOffset(name);
        var data = new byte[500];
        new Random(5).NextBytes(data);
        reader.BeforeWriterCheck = () =>
        {
            reader.BeforeWriterCheck = null;
            ShmFile.Write(name, payload + 616, new byte[16]);
            var frame = new byte[16 + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)data.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(8), 2);
            data.CopyTo(frame, 16);
            ShmFile.Write(name, payload, frame);
            ShmFile.WriteUInt64(name, ShmFile.PayloadFreeBytes, 1024 - 408 - 516);
            ShmFile.WriteUInt64(name, ShmFile.PayloadWritePos, 516);
            ShmFile.WriteUInt64(name, ShmFile.PayloadWrittenCount, 3);
            ShmFile.WriteUInt64(name, ShmFile.WriterPid, deadPid);
        };

        using (Frame frame = reader.ReadFrame(Second))
        {
            Assert.True(frame.IsValid);
            Assert.Equal(2UL, frame.Sequence);
            Assert.Equal(data, frame.ToArray());
        }

        Assert.Null(reader.BeforeWriterCheck);
        Assert.Equal(3UL, ShmFile.Field(name, ShmFile.PayloadReadCount));
        Assert.Throws<WriterDeadException>(() => reader.ReadFrame(Second));
    }

    private static ulong DeadPid()
    {
        using var process = Process.Start("true")!;
        process.WaitForExit();
        return (ulong)process.Id;
    }
}
