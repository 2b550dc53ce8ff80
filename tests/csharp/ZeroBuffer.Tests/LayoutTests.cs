using System;
using System.Buffers.Binary;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>Golden bytes of the OIEB and frames, read from /dev/shm, not through the library.</summary>
public class LayoutTests
{
    [Fact]
    public void A_fresh_buffer_has_the_documented_oieb()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(100, 1000));
        byte[] bytes = ShmFile.ReadAll(name);

        Assert.Equal(1280, bytes.Length);
        Assert.Equal(Convert.FromHexString("80000000010000008000000000000000"), bytes[..16]);
        Assert.Equal(128UL, U64(bytes, ShmFile.MetadataSize));
        Assert.Equal(128UL, U64(bytes, ShmFile.MetadataFreeBytes));
        Assert.Equal(0UL, U64(bytes, ShmFile.MetadataWrittenBytes));
        Assert.Equal(1024UL, U64(bytes, ShmFile.PayloadSize));
        Assert.Equal(1024UL, U64(bytes, ShmFile.PayloadFreeBytes));
        Assert.Equal(0UL, U64(bytes, ShmFile.PayloadWritePos));
        Assert.Equal(0UL, U64(bytes, ShmFile.PayloadReadPos));
        Assert.Equal(0UL, U64(bytes, ShmFile.PayloadWrittenCount));
        Assert.Equal(0UL, U64(bytes, ShmFile.PayloadReadCount));
        Assert.Equal(0UL, U64(bytes, ShmFile.WriterPid));
        Assert.Equal((ulong)Environment.ProcessId, U64(bytes, ShmFile.ReaderPid));
        Assert.All(bytes[0x60..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void The_first_frame_and_metadata_land_where_the_wire_brief_says()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(64, 1024));
        using var writer = new Writer(name);
        Assert.Equal((ulong)Environment.ProcessId, ShmFile.Field(name, ShmFile.WriterPid));

        writer.SetMetadata("hello"u8);
        writer.WriteFrame(Pattern.Make(10, 1));

        byte[] bytes = ShmFile.ReadAll(name);
        Assert.Equal(Convert.FromHexString("050000000000000068656c6c6f"), bytes[128..141]);
        Assert.Equal(13UL, U64(bytes, ShmFile.MetadataWrittenBytes));
        Assert.Equal(64UL - 13, U64(bytes, ShmFile.MetadataFreeBytes));
        int payload = 128 + 64;
        Assert.Equal(Convert.FromHexString("0a000000000000000100000000000000"), bytes[payload..(payload + 16)]);
        Assert.Equal(Pattern.Make(10, 1), bytes[(payload + 16)..(payload + 26)]);
        Assert.Equal(26UL, U64(bytes, ShmFile.PayloadWritePos));
        Assert.Equal(1024UL - 26, U64(bytes, ShmFile.PayloadFreeBytes));
        Assert.Equal(1UL, U64(bytes, ShmFile.PayloadWrittenCount));

        Frame frame = reader.ReadFrame(TimeSpan.FromSeconds(1));
        Assert.Equal(26UL, ShmFile.Field(name, ShmFile.PayloadReadPos));
        Assert.Equal(1UL, ShmFile.Field(name, ShmFile.PayloadReadCount));
        Assert.Equal(1024UL - 26, ShmFile.Field(name, ShmFile.PayloadFreeBytes));

        frame.Dispose();
        Assert.Equal(1024UL, ShmFile.Field(name, ShmFile.PayloadFreeBytes));
    }

    [Fact]
    public void Closing_the_writer_clears_its_pid_and_closing_the_reader_removes_everything()
    {
        string name = TestEnvironment.UniqueName();
        var reader = new Reader(name, new BufferConfig(0, 1024));
        var writer = new Writer(name);
        writer.Dispose();
        writer.Dispose();
        Assert.Equal(0UL, ShmFile.Field(name, ShmFile.WriterPid));
        Assert.Equal(4, Array.FindAll(TestEnvironment.AllPaths(name), System.IO.File.Exists).Length);

        reader.Dispose();
        reader.Dispose();
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    private static ulong U64(byte[] bytes, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset, 8));
}
