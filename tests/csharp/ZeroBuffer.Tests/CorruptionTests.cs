using System;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>Impossible contents of the shared memory give errors, never a crash.</summary>
public class CorruptionTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_changed_sequence_is_a_sequence_error_naming_both_numbers()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        for (ulong i = 1; i <= 3; i++)
        {
            writer.WriteFrame(Pattern.Make(10, i));
        }

        reader.ReadFrame(Second).Dispose();
        reader.ReadFrame(Second).Dispose();
        ShmFile.WriteUInt64(name, ShmFile.PayloadOffset(name) + (2 * 26) + 8, 5);
        var error = Assert.Throws<SequenceErrorException>(() => reader.ReadFrame(Second));
        Assert.Equal("SequenceError", error.Kind);
        Assert.Equal(3UL, error.Expected);
        Assert.Equal(5UL, error.Actual);
    }

    [Fact]
    public void A_frame_size_beyond_the_ring_is_corrupt_and_the_reader_survives()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame([1, 2, 3]);
        ShmFile.WriteUInt64(name, ShmFile.PayloadOffset(name), 1UL << 40);
        Assert.Equal("Corrupt", Assert.Throws<CorruptBufferException>(() => reader.ReadFrame(Second)).Kind);
        Assert.Throws<CorruptBufferException>(() => reader.ReadFrame(Second));
    }

    [Fact]
    public void A_wrap_marker_at_ring_offset_0_is_corrupt()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        writer.WriteFrame([1, 2, 3]);
        ShmFile.WriteUInt64(name, ShmFile.PayloadOffset(name), 0);
        Assert.Throws<CorruptBufferException>(() => reader.ReadFrame(Second));
        Assert.Equal(1024UL - 19, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void A_metadata_length_beyond_the_block_is_corrupt()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(64, 1024));
        using var writer = new Writer(name);
        writer.SetMetadata("hello"u8);
        ShmFile.WriteUInt64(name, 128, 1000);
        Assert.Throws<CorruptBufferException>(() => reader.GetMetadata());
        ShmFile.WriteUInt64(name, ShmFile.MetadataWrittenBytes, 5000);
        Assert.Throws<CorruptBufferException>(() => reader.GetMetadata());
    }

    [Theory]
    [InlineData(ShmFile.Version, 2UL)]
    [InlineData(ShmFile.OiebSize, 64UL | (1UL << 32))]
    public void A_wrong_version_or_oieb_size_is_incompatible(int offset, ulong value)
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        if (offset == ShmFile.Version)
        {
            ShmFile.Write(name, offset, [(byte)value]);
        }
        else
        {
            ShmFile.WriteUInt64(name, offset, value);
        }

        Assert.Equal("IncompatibleVersion", Assert.Throws<IncompatibleVersionException>(() => new Writer(name)).Kind);
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.WriterPid));
    }

    [Theory]
    [InlineData(ShmFile.PayloadSize, 4096UL)]
    [InlineData(ShmFile.PayloadSize, 0UL)]
    [InlineData(ShmFile.MetadataSize, ulong.MaxValue)]
    [InlineData(ShmFile.PayloadWritePos, 5000UL)]
    public void Oieb_sizes_that_do_not_match_the_object_are_corrupt(int offset, ulong value)
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        ShmFile.WriteUInt64(name, offset, value);
        Assert.Equal("Corrupt", Assert.Throws<CorruptBufferException>(() => new Writer(name)).Kind);
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.WriterPid));
    }

    [Fact]
    public void A_corrupt_reader_pid_is_not_alive_and_never_signals_everything()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        ShmFile.WriteUInt64(name, ShmFile.ReaderPid, ulong.MaxValue);
        var error = Assert.Throws<ReaderDeadException>(() => new Writer(name));
        Assert.Equal(ulong.MaxValue, error.ReaderPid);
    }
}
