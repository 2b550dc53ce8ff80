using System;
using System.IO;

namespace ZeroBuffer;

/// <summary>
/// Sizes and options a <see cref="Reader"/> creates its buffer with.
/// </summary>
/// <remarks>
/// Both sizes are rounded up to a multiple of 64 bytes. The shared memory object is then
/// exactly <c>128 + MetadataSize + PayloadSize</c> bytes. A frame costs its data length plus a
/// 16-byte header in the payload ring; frames up to half of the ring are always eventually
/// writable (protocol 1.0 can not place a larger frame from every position).
/// </remarks>
public sealed class BufferConfig
{
    /// <summary>The largest metadata or payload size accepted: 1 TiB.</summary>
    public const long MaxSize = 1L << 40;

    /// <summary>Default permissions of the buffer's objects: owner read/write (0600).</summary>
    public const UnixFileMode DefaultMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF; // 0777

    private UnixFileMode _mode = DefaultMode;
    private TimeSpan _spinTime = TimeSpan.FromMicroseconds(20);

    /// <summary>Creates a configuration.</summary>
    /// <param name="metadataSize">Requested metadata block size in bytes (0 allowed: no metadata).</param>
    /// <param name="payloadSize">Requested payload ring size in bytes (at least 1).</param>
    /// <exception cref="InvalidFrameSizeException">
    /// A buffer of these sizes can not exist: a size is negative, the payload size is 0, or a
    /// size exceeds <see cref="MaxSize"/> (the protocol's error kind for impossible sizes).
    /// </exception>
    public BufferConfig(long metadataSize, long payloadSize)
    {
        if (metadataSize < 0 || metadataSize > MaxSize)
        {
            throw new InvalidFrameSizeException($"metadata size {metadataSize} is outside 0..{MaxSize}");
        }

        if (payloadSize <= 0 || payloadSize > MaxSize)
        {
            throw new InvalidFrameSizeException($"payload size {payloadSize} is outside 1..{MaxSize}");
        }

        MetadataSize = metadataSize;
        PayloadSize = payloadSize;
    }

    /// <summary>The requested metadata block size (before rounding).</summary>
    public long MetadataSize { get; }

    /// <summary>The requested payload ring size (before rounding).</summary>
    public long PayloadSize { get; }

    /// <summary>
    /// Permissions of the shared memory, both semaphores and the lock file. Applied exactly,
    /// whatever the process umask. Default 0600; widen deliberately (e.g. 0660 for a group).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Bits other than the 0777 permission bits are set.</exception>
    public UnixFileMode Mode
    {
        get => _mode;
        init
        {
            if ((value & ~PermissionBits) != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "only the permission bits 0777 may be set");
            }

            _mode = value;
        }
    }

    /// <summary>
    /// The longest a waiting reader polls its semaphore before it blocks in the kernel
    /// (default 20 µs; zero disables spinning). The budget adapts: it halves while polls run
    /// out and comes back in full when one succeeds (docs/csharp.md).
    /// </summary>
    public TimeSpan SpinTime
    {
        get => _spinTime;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _spinTime = value;
        }
    }

    /// <summary>The metadata block size after rounding up to a multiple of 64.</summary>
    public long RoundedMetadataSize => RoundUp64(MetadataSize);

    /// <summary>The payload ring size after rounding up to a multiple of 64.</summary>
    public long RoundedPayloadSize => RoundUp64(PayloadSize);

    /// <summary>Rounds a size up to the next multiple of 64.</summary>
    /// <param name="size">A size between 0 and <see cref="MaxSize"/>.</param>
    /// <returns>The rounded size.</returns>
    public static long RoundUp64(long size) => (size + 63) & ~63L;
}
