using System;
using System.Buffers.Binary;
using System.IO;

namespace ZeroBuffer.Tests;

/// <summary>
/// Reads and patches a buffer's shared memory through /dev/shm, independently of the library
/// (the OIEB offsets are spelled out here on purpose, from the wire brief).
/// </summary>
internal static class ShmFile
{
    public const int OiebSize = 0x00;
    public const int Version = 0x04;
    public const int MetadataSize = 0x08;
    public const int MetadataFreeBytes = 0x10;
    public const int MetadataWrittenBytes = 0x18;
    public const int PayloadSize = 0x20;
    public const int PayloadFreeBytes = 0x28;
    public const int PayloadWritePos = 0x30;
    public const int PayloadReadPos = 0x38;
    public const int PayloadWrittenCount = 0x40;
    public const int PayloadReadCount = 0x48;
    public const int WriterPid = 0x50;
    public const int ReaderPid = 0x58;

    public static byte[] ReadAll(string name) => File.ReadAllBytes(TestEnvironment.ShmPath(name));

    public static ulong Field(string name, int offset)
    {
        byte[] bytes = ReadAll(name);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset, 8));
    }

    public static long PayloadOffset(string name) => 128 + (long)Field(name, MetadataSize);

    public static void Write(string name, long offset, ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(TestEnvironment.ShmPath(name), FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(bytes);
    }

    public static void WriteUInt64(string name, long offset, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Write(name, offset, bytes);
    }
}
