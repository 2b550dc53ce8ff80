using System;
using System.Diagnostics;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>The writer_pid claim, and frames whose writer never posted them.</summary>
public class ClaimAndRecoveryTests
{
    private const ulong InitPid = 1;                   // always alive
    private const ulong UnusedPid = int.MaxValue - 1;  // above pid_max: never a live process

    [Fact]
    public void Closing_a_writer_never_clears_another_writers_claim()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        var writer = new Writer(name);
        ShmFile.WriteUInt64(name, ShmFile.WriterPid, InitPid);
        writer.Dispose();
        Assert.Equal(InitPid, ShmFile.Field(name, ShmFile.WriterPid));
        Assert.Throws<WriterAlreadyConnectedException>(() => new Writer(name));
    }

    [Fact]
    public void The_claim_of_a_dead_writer_is_taken_over()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        ShmFile.WriteUInt64(name, ShmFile.WriterPid, UnusedPid);
        using var writer = new Writer(name);
        Assert.Equal((ulong)Environment.ProcessId, ShmFile.Field(name, ShmFile.WriterPid));
    }

    [Fact]
    public void Frames_the_predecessor_writes_until_the_claim_are_kept()
    {
        // Rule connect.snapshot-after-claim: the successor takes the ring state after its claim.
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        var predecessor = new Writer(name);
        predecessor.WriteFrame(Pattern.Make(100, 1));
        int paused = 0;
        Writer.BeforeClaimForTests = () =>
        {
            paused++;
            predecessor.WriteFrame(Pattern.Make(200, 2));
            predecessor.WriteFrame(Pattern.Make(300, 3));
            predecessor.Dispose(); // writer_pid back to 0: the claim succeeds
        };
        Writer successor;
        try
        {
            successor = new Writer(name);
        }
        finally
        {
            Writer.BeforeClaimForTests = null;
        }

        Assert.Equal(1, paused);
        using (successor)
        {
            successor.WriteFrame(Pattern.Make(60, 1));
        }

        foreach (var (size, sequence) in new[] { (100, 1UL), (200, 2UL), (300, 3UL), (60, 1UL) })
        {
            using Frame frame = reader.ReadFrame(TimeSpan.FromSeconds(1));
            Assert.True(frame.IsValid, $"frame of {size} bytes");
            Assert.Equal((size, sequence), (frame.Size, frame.Sequence));
            Assert.Equal(Pattern.Make(size, sequence), frame.ToArray());
        }

        Assert.Throws<WriterDeadException>(() => reader.ReadFrame(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(ShmFile.Field(name, ShmFile.PayloadWrittenCount), ShmFile.Field(name, ShmFile.PayloadReadCount));
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void A_frame_published_without_its_post_is_read_anyway()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));

        // What a writer leaves when it dies between publishing a frame and posting sem-w.
        long payload = ShmFile.PayloadOffset(name);
        ShmFile.Write(name, payload, Convert.FromHexString("050000000000000001000000000000000102030405"));
        ShmFile.WriteUInt64(name, ShmFile.PayloadWritePos, 21);
        ShmFile.WriteUInt64(name, ShmFile.PayloadFreeBytes, 1024 - 21);
        ShmFile.WriteUInt64(name, ShmFile.PayloadWrittenCount, 1);

        var watch = Stopwatch.StartNew();
        using (Frame frame = reader.ReadFrame(TimeSpan.FromSeconds(2)))
        {
            Assert.True(frame.IsValid);
            Assert.Equal(1UL, frame.Sequence);
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, frame.ToArray());
        }

        Assert.True(watch.ElapsedMilliseconds < 1000);
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));

        // Nobody ever posted, nobody is connected, and a writer did publish: the writer is gone.
        Assert.Throws<WriterDeadException>(() => reader.ReadFrame(TimeSpan.FromSeconds(2)));
    }
}
