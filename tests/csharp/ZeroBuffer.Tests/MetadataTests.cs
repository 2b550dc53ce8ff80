using System;
using Xunit;

namespace ZeroBuffer.Tests;

public class MetadataTests
{
    [Fact]
    public void Metadata_round_trips()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(1024, 1024));
        using var writer = new Writer(name);
        Assert.True(reader.GetMetadata().IsEmpty);
        writer.SetMetadata(Pattern.Make(500, 0));
        Assert.True(reader.GetMetadata().SequenceEqual(Pattern.Make(500, 0)));
    }

    [Fact]
    public void Metadata_fills_the_block_exactly_and_one_byte_more_is_too_large()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(1024, 1024));
        using var writer = new Writer(name);
        Assert.Equal("MetadataTooLarge", Assert.Throws<MetadataTooLargeException>(() => writer.SetMetadata(new byte[1017])).Kind);
        writer.SetMetadata(new byte[1016]);
        Assert.Equal(1016, reader.GetMetadata().Length);
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.MetadataFreeBytes));
    }

    [Fact]
    public void Metadata_is_write_once_per_buffer_across_writer_sessions()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(256, 1024));
        using (var first = new Writer(name))
        {
            first.SetMetadata("one"u8);
            Assert.Equal("MetadataAlreadyWritten", Assert.Throws<MetadataAlreadyWrittenException>(() => first.SetMetadata("two"u8)).Kind);
        }

        using var second = new Writer(name);
        Assert.Throws<MetadataAlreadyWrittenException>(() => second.SetMetadata("three"u8));
        Assert.True(reader.GetMetadata().SequenceEqual("one"u8));
    }

    [Fact]
    public void Without_a_metadata_block_any_metadata_is_too_large_and_frames_still_flow()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        using var writer = new Writer(name);
        Assert.Throws<MetadataTooLargeException>(() => writer.SetMetadata(ReadOnlySpan<byte>.Empty));
        writer.WriteFrame([1]);
        using Frame frame = reader.ReadFrame(TimeSpan.FromSeconds(1));
        Assert.True(frame.IsValid);
        Assert.True(reader.GetMetadata().IsEmpty);
    }

    [Fact]
    public void Empty_metadata_reads_back_empty()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(64, 1024));
        using var writer = new Writer(name);
        writer.SetMetadata(ReadOnlySpan<byte>.Empty);
        Assert.Equal(8UL, ShmFile.Field(name, ShmFile.MetadataWrittenBytes));
        Assert.True(reader.GetMetadata().IsEmpty);
    }
}
