using System.Threading;

namespace ZeroBuffer.Internal;

/// <summary>
/// The Operation Info Exchange Block: the 128-byte header at offset 0 of the shared memory.
/// Every OIEB offset of the library lives here and nowhere else.
/// </summary>
/// <remarks>
/// The block sits at the start of a page-aligned mapping, so every field is naturally
/// aligned and may be used with <see cref="Volatile"/> and <see cref="Interlocked"/>.
/// All fields are little-endian; the library refuses to run on a big-endian machine.
/// </remarks>
internal readonly unsafe struct Oieb
{
    public const int Size = 128;
    public const byte VersionMajor = 1;
    public const byte VersionMinor = 0;
    public const byte VersionPatch = 0;

    public const int OiebSizeOffset = 0x00;            // u32
    public const int VersionOffset = 0x04;             // 4 x u8: major, minor, patch, reserved
    public const int MetadataSizeOffset = 0x08;
    public const int MetadataFreeBytesOffset = 0x10;
    public const int MetadataWrittenBytesOffset = 0x18;
    public const int PayloadSizeOffset = 0x20;
    public const int PayloadFreeBytesOffset = 0x28;    // modified by both sides, atomically
    public const int PayloadWritePosOffset = 0x30;
    public const int PayloadReadPosOffset = 0x38;
    public const int PayloadWrittenCountOffset = 0x40;
    public const int PayloadReadCountOffset = 0x48;
    public const int WriterPidOffset = 0x50;
    public const int ReaderPidOffset = 0x58;
    public const int ReservedOffset = 0x60;            // 4 x u64, zero

    /// <summary>The first 8 bytes of a valid block: oieb_size 128, version 1.0.0.0.</summary>
    public const ulong SizeAndVersion =
        Size | ((ulong)VersionMajor << 32) | ((ulong)VersionMinor << 40) | ((ulong)VersionPatch << 48);

    private readonly byte* _base;

    public Oieb(byte* baseAddress) => _base = baseAddress;

    public uint OiebSize => Volatile.Read(ref *(uint*)(_base + OiebSizeOffset));

    public byte MajorVersion => Volatile.Read(ref _base[VersionOffset]);

    /// <summary>oieb_size and version together, the way a reader publishes them at create.</summary>
    public ulong SizeAndVersionField
    {
        get => Volatile.Read(ref *(ulong*)(_base + OiebSizeOffset));
        set => Volatile.Write(ref *(ulong*)(_base + OiebSizeOffset), value);
    }

    public ulong MetadataSize
    {
        get => Read(MetadataSizeOffset);
        set => Write(MetadataSizeOffset, value);
    }

    public ulong MetadataFreeBytes
    {
        get => Read(MetadataFreeBytesOffset);
        set => Write(MetadataFreeBytesOffset, value);
    }

    public ulong MetadataWrittenBytes
    {
        get => Read(MetadataWrittenBytesOffset);
        set => Write(MetadataWrittenBytesOffset, value);
    }

    public ulong PayloadSize
    {
        get => Read(PayloadSizeOffset);
        set => Write(PayloadSizeOffset, value);
    }

    public ulong PayloadFreeBytes
    {
        get => Read(PayloadFreeBytesOffset);
        set => Write(PayloadFreeBytesOffset, value);
    }

    public ulong PayloadWritePos
    {
        get => Read(PayloadWritePosOffset);
        set => Write(PayloadWritePosOffset, value);
    }

    public ulong PayloadReadPos
    {
        get => Read(PayloadReadPosOffset);
        set => Write(PayloadReadPosOffset, value);
    }

    public ulong PayloadWrittenCount
    {
        get => Read(PayloadWrittenCountOffset);
        set => Write(PayloadWrittenCountOffset, value);
    }

    public ulong PayloadReadCount
    {
        get => Read(PayloadReadCountOffset);
        set => Write(PayloadReadCountOffset, value);
    }

    public ulong WriterPid
    {
        get => Read(WriterPidOffset);
        set => Write(WriterPidOffset, value);
    }

    public ulong ReaderPid
    {
        get => Read(ReaderPidOffset);
        set => Write(ReaderPidOffset, value);
    }

    /// <summary>Atomically adds <paramref name="delta"/> (may be negative) to payload_free_bytes.</summary>
    public void AddPayloadFreeBytes(long delta) =>
        Interlocked.Add(ref *(long*)(_base + PayloadFreeBytesOffset), delta);

    /// <summary>Atomically replaces payload_free_bytes when it still holds <paramref name="expected"/>.</summary>
    public bool TryChangePayloadFreeBytes(ulong expected, ulong desired) =>
        Interlocked.CompareExchange(ref *(ulong*)(_base + PayloadFreeBytesOffset), desired, expected) == expected;

    /// <summary>Atomically replaces writer_pid when it still holds <paramref name="expected"/>.</summary>
    public bool TryChangeWriterPid(ulong expected, ulong desired) =>
        Interlocked.CompareExchange(ref *(ulong*)(_base + WriterPidOffset), desired, expected) == expected;

    private ulong Read(int offset) => Volatile.Read(ref *(ulong*)(_base + offset));

    private void Write(int offset, ulong value) => Volatile.Write(ref *(ulong*)(_base + offset), value);
}
