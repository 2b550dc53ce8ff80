using System;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using ZeroBuffer.Internal;

namespace ZeroBuffer;

/// <summary>
/// The writing side of a buffer: connects to a buffer a <see cref="Reader"/> created and
/// writes frames (copied, or zero-copy through <see cref="GetFrameBuffer(int)"/> and
/// <see cref="CommitFrame"/>) and write-once metadata.
/// </summary>
/// <remarks>A writer is meant for one producing thread.</remarks>
public sealed unsafe class Writer : IDisposable
{
    private readonly MappedRegion _map;
    private readonly Oieb _oieb;
    private readonly byte* _metadata;
    private readonly byte* _payload;
    private readonly long _metadataSize;
    private readonly long _payloadSize;
    private readonly ulong _pid;
    private readonly NamedSemaphore _dataAvailable;
    private readonly NamedSemaphore _spaceAvailable;

    private long _writePos;
    private ulong _writtenCount;
    private long _pendingTotal; // header + data of a frame between GetFrameBuffer and CommitFrame
    private long _lastReaderCheck;
    private TimeSpan _spinTime = TimeSpan.FromMicroseconds(20);
    private long _spinTicks;
    private bool _disposed;

    /// <summary>Connects to the buffer <paramref name="name"/> as its only writer.</summary>
    /// <param name="name">The buffer name.</param>
    /// <exception cref="InvalidNameException">The name breaks the naming rule.</exception>
    /// <exception cref="BufferNotFoundException">No such buffer, not initialised yet, or a semaphore is missing.</exception>
    /// <exception cref="IncompatibleVersionException">The OIEB size is not 128 or the major version is not 1.</exception>
    /// <exception cref="CorruptBufferException">The OIEB sizes do not match the object.</exception>
    /// <exception cref="ReaderDeadException">The buffer has no live reader.</exception>
    /// <exception cref="WriterAlreadyConnectedException">Another live writer holds the buffer.</exception>
    public Writer(string name)
    {
        BufferNames.Validate(name);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ZeroBuffer's shared memory layout is little-endian");
        }

        Name = name;
        _pid = (ulong)Environment.ProcessId;
        _spinTicks = MonotonicClock.ToTicks(_spinTime);

        int fd = -1;
        MappedRegion? map = null;
        NamedSemaphore? dataAvailable = null;
        NamedSemaphore? spaceAvailable = null;
        try
        {
            fd = SharedMemoryObject.TryOpen(BufferNames.SharedMemory(name), writable: true);
            if (fd < 0)
            {
                throw new BufferNotFoundException($"buffer \"{name}\" not found");
            }

            long objectSize = SharedMemoryObject.SizeOf(fd);
            if (objectSize == 0)
            {
                throw new BufferNotFoundException($"buffer \"{name}\" is not initialised yet");
            }

            if (objectSize < Oieb.Size)
            {
                throw new CorruptBufferException($"shared memory of \"{name}\" is {objectSize} bytes, smaller than an OIEB");
            }

            map = MappedRegion.Map(fd, objectSize, writable: true);
            LibC.Close(fd);
            fd = -1;

            var oieb = new Oieb(map.Address);
            ValidateHeader(oieb, objectSize);
            _metadataSize = (long)oieb.MetadataSize;
            _payloadSize = (long)oieb.PayloadSize;
            _writePos = (long)oieb.PayloadWritePos;
            if (_writePos == _payloadSize)
            {
                _writePos = 0; // other implementations leave P after an exact fit
            }

            _writtenCount = oieb.PayloadWrittenCount;

            dataAvailable = NamedSemaphore.TryOpen(BufferNames.WriteSemaphore(name));
            spaceAvailable = NamedSemaphore.TryOpen(BufferNames.ReadSemaphore(name));
            if (dataAvailable is null || spaceAvailable is null)
            {
                throw new BufferNotFoundException($"a semaphore of buffer \"{name}\" is missing");
            }

            ulong readerPid = oieb.ReaderPid;
            if (!ProcessLiveness.IsAlive(readerPid))
            {
                throw new ReaderDeadException(
                    readerPid == 0 ? $"buffer \"{name}\" has no reader" : $"the reader (pid {readerPid}) of buffer \"{name}\" is dead",
                    readerPid);
            }

            ClaimWriterPid(oieb, name);
        }
        catch
        {
            spaceAvailable?.Dispose();
            dataAvailable?.Dispose();
            map?.Dispose();
            if (fd >= 0)
            {
                LibC.Close(fd);
            }

            throw;
        }

        _map = map;
        _oieb = new Oieb(map.Address);
        _metadata = map.Address + Oieb.Size;
        _payload = _metadata + _metadataSize;
        _dataAvailable = dataAvailable;
        _spaceAvailable = spaceAvailable;
        _lastReaderCheck = MonotonicClock.Now;
    }

    /// <summary>The buffer name.</summary>
    public string Name { get; }

    /// <summary>The payload ring size of the buffer.</summary>
    public long PayloadSize => _payloadSize;

    /// <summary>The metadata block size of the buffer.</summary>
    public long MetadataSize => _metadataSize;

    /// <summary>How long a write waits for space before <see cref="BufferFullException"/> (default 5 s).</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a write waiting for space polls before it blocks (default 20 µs; zero disables).</summary>
    public TimeSpan SpinTime
    {
        get => _spinTime;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _spinTime = value;
            _spinTicks = MonotonicClock.ToTicks(value);
        }
    }

    /// <summary>The sequence number the next frame gets (1 for the first frame of this writer).</summary>
    public ulong NextSequence { get; private set; } = 1;

    /// <summary>Frames written so far.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>Frame data bytes written so far (headers not counted).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>True while a live reader process owns the buffer.</summary>
    public bool IsReaderConnected => !_disposed && ProcessLiveness.IsAlive(_oieb.ReaderPid);

    /// <summary>Stores the buffer's metadata. Metadata is write-once per buffer.</summary>
    /// <param name="metadata">The metadata bytes (may be empty).</param>
    /// <exception cref="MetadataAlreadyWrittenException">Metadata was already written to this buffer (by any writer).</exception>
    /// <exception cref="MetadataTooLargeException">Metadata plus its 8-byte prefix does not fit the metadata block.</exception>
    public void SetMetadata(ReadOnlySpan<byte> metadata)
    {
        ThrowIfDisposed();
        if (_oieb.MetadataWrittenBytes != 0)
        {
            throw new MetadataAlreadyWrittenException($"metadata of buffer \"{Name}\" was already written");
        }

        long needed = sizeof(ulong) + (long)metadata.Length;
        if (needed > _metadataSize)
        {
            throw new MetadataTooLargeException(
                $"{metadata.Length} bytes of metadata need {needed} bytes with the length prefix; the metadata block has {_metadataSize}");
        }

        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(_metadata, sizeof(ulong)), (ulong)metadata.Length);
        metadata.CopyTo(new Span<byte>(_metadata + sizeof(ulong), metadata.Length));
        _oieb.MetadataFreeBytes = (ulong)(_metadataSize - needed);
        _oieb.MetadataWrittenBytes = (ulong)needed;
    }

    /// <summary>Writes one frame, waiting up to <see cref="WriteTimeout"/> for space.</summary>
    /// <param name="data">The frame data, at least one byte.</param>
    /// <exception cref="InvalidFrameSizeException">The data is empty.</exception>
    /// <exception cref="FrameTooLargeException">The frame can never be placed.</exception>
    /// <exception cref="BufferFullException">No space within the timeout.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed.</exception>
    public void WriteFrame(ReadOnlySpan<byte> data) => WriteFrame(data, WriteTimeout);

    /// <summary>Writes one frame, waiting up to <paramref name="timeout"/> for space.</summary>
    /// <param name="data">The frame data, at least one byte.</param>
    /// <param name="timeout">How long to wait for space.</param>
    /// <exception cref="InvalidFrameSizeException">The data is empty.</exception>
    /// <exception cref="FrameTooLargeException">The frame can never be placed.</exception>
    /// <exception cref="BufferFullException">No space within the timeout.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed.</exception>
    public void WriteFrame(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        if (!TryWriteFrame(data, timeout))
        {
            ThrowBufferFull(timeout);
        }
    }

    /// <summary>Writes one frame if space becomes available within <paramref name="timeout"/>.</summary>
    /// <param name="data">The frame data, at least one byte.</param>
    /// <param name="timeout">How long to wait for space (zero: do not wait).</param>
    /// <returns>False when there was no space in time (nothing was written).</returns>
    /// <exception cref="InvalidFrameSizeException">The data is empty.</exception>
    /// <exception cref="FrameTooLargeException">The frame can never be placed.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed.</exception>
    public bool TryWriteFrame(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        if (!TryGetFrameBuffer(data.Length, timeout, out Span<byte> buffer))
        {
            return false;
        }

        data.CopyTo(buffer);
        CommitFrame();
        return true;
    }

    /// <summary>
    /// Reserves space for a frame of <paramref name="size"/> bytes and returns a writable view of
    /// it inside the shared memory (zero-copy write). Fill it, then call <see cref="CommitFrame"/>.
    /// Waits up to <see cref="WriteTimeout"/> for space.
    /// </summary>
    /// <param name="size">The frame data length, at least 1.</param>
    /// <returns>The frame's data area.</returns>
    /// <exception cref="InvalidStateException">A reserved frame was not committed yet.</exception>
    /// <exception cref="InvalidFrameSizeException">The size is 0 or negative.</exception>
    /// <exception cref="FrameTooLargeException">The frame can never be placed.</exception>
    /// <exception cref="BufferFullException">No space within the timeout.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed.</exception>
    public Span<byte> GetFrameBuffer(int size) => GetFrameBuffer(size, WriteTimeout);

    /// <summary>Like <see cref="GetFrameBuffer(int)"/>, waiting up to <paramref name="timeout"/>.</summary>
    /// <param name="size">The frame data length, at least 1.</param>
    /// <param name="timeout">How long to wait for space.</param>
    /// <returns>The frame's data area.</returns>
    /// <exception cref="InvalidStateException">A reserved frame was not committed yet.</exception>
    /// <exception cref="InvalidFrameSizeException">The size is 0 or negative.</exception>
    /// <exception cref="FrameTooLargeException">The frame can never be placed.</exception>
    /// <exception cref="BufferFullException">No space within the timeout.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed.</exception>
    public Span<byte> GetFrameBuffer(int size, TimeSpan timeout)
    {
        if (!TryGetFrameBuffer(size, timeout, out Span<byte> buffer))
        {
            ThrowBufferFull(timeout);
        }

        return buffer;
    }

    /// <summary>Like <see cref="GetFrameBuffer(int, TimeSpan)"/>, returning false instead of throwing <see cref="BufferFullException"/>.</summary>
    /// <param name="size">The frame data length, at least 1.</param>
    /// <param name="timeout">How long to wait for space (zero: do not wait).</param>
    /// <param name="buffer">The frame's data area, or empty.</param>
    /// <returns>False when there was no space in time.</returns>
    /// <exception cref="InvalidStateException">A reserved frame was not committed yet.</exception>
    /// <exception cref="InvalidFrameSizeException">The size is 0 or negative.</exception>
    /// <exception cref="FrameTooLargeException">The frame can never be placed.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed.</exception>
    public bool TryGetFrameBuffer(int size, TimeSpan timeout, out Span<byte> buffer)
    {
        ThrowIfDisposed();
        buffer = default;
        if (_pendingTotal != 0)
        {
            throw new InvalidStateException("GetFrameBuffer called twice without CommitFrame");
        }

        if (size <= 0)
        {
            throw new InvalidFrameSizeException($"frame size must be at least 1 byte, got {size}");
        }

        long total = FrameHeader.Size + (long)size;
        if (total > _payloadSize)
        {
            throw new FrameTooLargeException(
                $"a frame of {size} bytes needs {total} bytes with its header; the payload ring has {_payloadSize}");
        }

        CheckReader();

        long spaceToEnd = _payloadSize - _writePos;
        bool wrap = spaceToEnd < total;
        if (wrap && total > _writePos)
        {
            throw new FrameTooLargeException(
                $"a frame of {size} bytes ({total} with header) can not be placed from write position {_writePos}: " +
                $"{spaceToEnd} bytes are left before the end of the ring and only {_writePos} after its start " +
                "(protocol 1.0 limit; frames up to half the ring always fit)");
        }

        long needed = wrap ? spaceToEnd + total : total;
        if (!WaitForSpace(needed, MonotonicClock.DeadlineAfter(timeout)))
        {
            return false;
        }

        if (wrap)
        {
            if (spaceToEnd >= FrameHeader.Size)
            {
                FrameHeader.WriteWrapMarker(_payload + _writePos);
                _writtenCount++;
                _oieb.PayloadWrittenCount = _writtenCount;
            }

            _oieb.AddPayloadFreeBytes(-spaceToEnd);
            _writePos = 0;
            _oieb.PayloadWritePos = 0;
        }

        byte* header = _payload + _writePos;
        FrameHeader.Write(header, (ulong)size, NextSequence);
        _pendingTotal = total;
        buffer = new Span<byte>(header + FrameHeader.Size, size);
        return true;
    }

    /// <summary>Publishes the frame reserved by <see cref="GetFrameBuffer(int)"/>.</summary>
    /// <exception cref="InvalidStateException">No frame is reserved.</exception>
    public void CommitFrame()
    {
        ThrowIfDisposed();
        long total = _pendingTotal;
        if (total == 0)
        {
            throw new InvalidStateException("CommitFrame called without GetFrameBuffer");
        }

        _pendingTotal = 0;
        long next = _writePos + total;
        _writePos = next >= _payloadSize ? next - _payloadSize : next;
        _oieb.PayloadWritePos = (ulong)_writePos;
        _oieb.AddPayloadFreeBytes(-total);
        _writtenCount++;
        _oieb.PayloadWrittenCount = _writtenCount; // release: header and data are visible first
        _dataAvailable.Post();
        FramesWritten++;
        BytesWritten += total - FrameHeader.Size;
        NextSequence++;
    }

    /// <summary>Disconnects: clears writer_pid (if it is still this writer's) and unmaps. Removes nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _oieb.TryChangeWriterPid(_pid, 0);
        _map.Dispose();
        _dataAvailable.Dispose();
        _spaceAvailable.Dispose();
    }

    private static void ValidateHeader(Oieb oieb, long objectSize)
    {
        uint oiebSize = oieb.OiebSize;
        if (oiebSize == 0)
        {
            throw new BufferNotFoundException("buffer is not initialised yet");
        }

        if (oiebSize != Oieb.Size || oieb.MajorVersion != Oieb.VersionMajor)
        {
            throw new IncompatibleVersionException(
                $"incompatible buffer: OIEB size {oiebSize}, version {oieb.MajorVersion}.x (expected {Oieb.Size}, {Oieb.VersionMajor}.x)");
        }

        ulong metadataSize = oieb.MetadataSize;
        ulong payloadSize = oieb.PayloadSize;
        ulong available = (ulong)(objectSize - Oieb.Size);
        if (payloadSize == 0 || metadataSize > available || payloadSize > available - metadataSize)
        {
            throw new CorruptBufferException(
                $"OIEB sizes (metadata {metadataSize}, payload {payloadSize}) do not fit an object of {objectSize} bytes");
        }

        if (oieb.PayloadWritePos > payloadSize)
        {
            throw new CorruptBufferException($"payload_write_pos {oieb.PayloadWritePos} is beyond the payload size {payloadSize}");
        }

        if (oieb.PayloadFreeBytes > payloadSize)
        {
            throw new CorruptBufferException($"payload_free_bytes {oieb.PayloadFreeBytes} is beyond the payload size {payloadSize}");
        }
    }

    /// <summary>Takes writer_pid with a compare-and-swap, from 0 or from a dead writer; never from a live one.</summary>
    private void ClaimWriterPid(Oieb oieb, string name)
    {
        while (true)
        {
            ulong current = oieb.WriterPid;
            if (current != 0 && ProcessLiveness.IsAlive(current))
            {
                throw new WriterAlreadyConnectedException($"buffer \"{name}\" already has a live writer (pid {current})");
            }

            if (oieb.TryChangeWriterPid(current, _pid))
            {
                return;
            }
        }
    }

    /// <summary>
    /// reader_pid 0 is checked on every write (a plain load); whether the reader process is alive
    /// at most every 100 ms of wall time, also when the writer never waits.
    /// </summary>
    private void CheckReader()
    {
        ulong readerPid = _oieb.ReaderPid;
        if (readerPid == 0)
        {
            ThrowReaderDead("the reader closed the buffer", 0);
        }

        long now = MonotonicClock.Now;
        if (now - _lastReaderCheck >= MonotonicClock.LivenessSliceTicks)
        {
            _lastReaderCheck = now;
            CheckReaderAlive(readerPid);
        }
    }

    private static void CheckReaderAlive(ulong readerPid)
    {
        if (readerPid == 0)
        {
            ThrowReaderDead("the reader closed the buffer", 0);
        }

        if (!ProcessLiveness.IsAlive(readerPid))
        {
            ThrowReaderDead($"the reader (pid {readerPid}) died", readerPid);
        }
    }

    /// <summary>Waits until payload_free_bytes covers <paramref name="needed"/> (wire brief 4.1 step 3).</summary>
    private bool WaitForSpace(long needed, long deadline)
    {
        long spinEnd = _spinTicks > 0 ? MonotonicClock.Now + _spinTicks : 0;
        while (true)
        {
            // Each release posts once; drain so the count can not grow without bound.
            _spaceAvailable.Drain();
            if (_oieb.PayloadFreeBytes >= (ulong)needed)
            {
                return true;
            }

            long now = MonotonicClock.Now;
            if (now < spinEnd && now < deadline)
            {
                Thread.SpinWait(16);
                continue;
            }

            if (now >= deadline)
            {
                CheckReaderAlive(_oieb.ReaderPid);
                return false;
            }

            _spaceAvailable.Wait(Math.Min(deadline - now, MonotonicClock.LivenessSliceTicks));
            _lastReaderCheck = MonotonicClock.Now;
            CheckReaderAlive(_oieb.ReaderPid);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    [DoesNotReturn]
    private static void ThrowReaderDead(string message, ulong readerPid) => throw new ReaderDeadException(message, readerPid);

    [DoesNotReturn]
    private void ThrowBufferFull(TimeSpan timeout) =>
        throw new BufferFullException($"no space in buffer \"{Name}\" within {timeout.TotalMilliseconds} ms");
}
