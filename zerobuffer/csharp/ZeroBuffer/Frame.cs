using System;

namespace ZeroBuffer;

/// <summary>
/// One frame handed out by <see cref="Reader.ReadFrame(TimeSpan)"/>: a zero-copy view of its
/// data inside the shared memory. Dispose it to give its space back to the writer.
/// </summary>
/// <remarks>
/// <para>
/// A frame is a small value; copies refer to the same frame, and disposing it more than once
/// (through any copy) does nothing after the first time. Several frames may be held at once;
/// the reader returns space to the writer in ring order, so a frame's space becomes
/// available once every frame read before it has been disposed too.
/// </para>
/// <para>
/// <see cref="Span"/> must not be used after the frame is disposed: the writer may reuse the
/// memory, and once the reader is disposed and no frame is held any more, it is unmapped (then
/// <see cref="Span"/> throws <see cref="ObjectDisposedException"/>; a span taken earlier must
/// not be kept that long).
/// </para>
/// </remarks>
public readonly unsafe struct Frame : IDisposable, IEquatable<Frame>
{
    private readonly Reader? _reader;
    private readonly byte* _data;
    private readonly long _ticket;

    internal Frame(Reader reader, byte* data, int size, ulong sequence, long ticket)
    {
        _reader = reader;
        _data = data;
        Size = size;
        Sequence = sequence;
        _ticket = ticket;
    }

    /// <summary>An invalid frame: what a read that timed out returns.</summary>
    public static Frame Invalid => default;

    /// <summary>True for a frame that was read; false for <see cref="Invalid"/>.</summary>
    public bool IsValid => _reader is not null;

    /// <summary>The frame's sequence number (1, 2, 3 ... per writer session); 0 when invalid.</summary>
    public ulong Sequence { get; }

    /// <summary>The data length in bytes; 0 when invalid.</summary>
    public int Size { get; }

    /// <summary>The frame data, read directly from the shared memory (no copy).</summary>
    /// <exception cref="ObjectDisposedException">The reader is disposed and no frame is held any more.</exception>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            if (_reader is null)
            {
                return default;
            }

            _reader.ThrowIfUnmapped();
            return new ReadOnlySpan<byte>(_data, Size);
        }
    }

    /// <summary>Copies the frame data into a new array.</summary>
    /// <returns>The frame's bytes.</returns>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Releases the frame (see the type's remarks); harmless when repeated.</summary>
    public void Dispose() => _reader?.Release(_ticket);

    /// <inheritdoc/>
    public bool Equals(Frame other) => ReferenceEquals(_reader, other._reader) && _ticket == other._ticket;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Frame other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_reader, _ticket);

    /// <summary>True when both values refer to the same read frame.</summary>
    /// <param name="left">A frame.</param>
    /// <param name="right">Another frame.</param>
    /// <returns>Whether they are the same frame.</returns>
    public static bool operator ==(Frame left, Frame right) => left.Equals(right);

    /// <summary>True when the values refer to different frames.</summary>
    /// <param name="left">A frame.</param>
    /// <param name="right">Another frame.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Frame left, Frame right) => !left.Equals(right);
}
