using System;
using System.Buffers.Binary;

namespace ZeroBuffer.Internal;

/// <summary>
/// The 16-byte frame header in the payload ring: u64 payload_size (0 = wrap marker), then u64
/// sequence. Headers are not aligned, so they are accessed with unaligned-safe copies.
/// </summary>
internal static unsafe class FrameHeader
{
    public const int Size = 16;

    public static ulong ReadPayloadSize(byte* header) => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(header, 8));

    public static ulong ReadSequence(byte* header) => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(header + 8, 8));

    public static void Write(byte* header, ulong payloadSize, ulong sequence)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(header, 8), payloadSize);
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(header + 8, 8), sequence);
    }

    public static void WriteWrapMarker(byte* header) => Write(header, 0, 0);
}
