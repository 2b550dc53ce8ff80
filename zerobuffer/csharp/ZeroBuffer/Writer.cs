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
    private const int ConnectRetryInterval = 10; // ms
    /// <summary>
    /// Tests only: runs on this thread right before a connect claims writer_pid, after every
    /// check of the buffer, so a test can let the previous writer act in that window (rule
    /// connect.snapshot-after-claim).
    /// </summary>
    [ThreadStatic]
    internal static Action? BeforeClaimForTests;

    private static readonly long ConnectRetryTicks = MonotonicClock.ToTicks(TimeSpan.FromMilliseconds(ConnectRetryInterval));

    private readonly MappedRegion _map;
    private readonly Oieb _oieb;
    private readonly byte* _metadata;
    private readonly byte* _payload;
    private readonly long _metadataSize;
    private readonly long _payloadSize;
    private readonly ulong _pid;
    private readonly NamedSemaphore _dataAvailable;
    private readonly NamedSemaphore _spaceAvailable;
    private readonly LockFile? _lock; // ours (live.writer-lock); null when it could not be created
    private readonly string _readerLockPath;

    private long _writePos;
    private ulong _writtenCount;
    private long _pendingTotal; // header + data of a frame between GetFrameBuffer and CommitFrame
    private long _pendingMetadata = -1; // size of metadata between GetMetadataBuffer and CommitMetadata
    private long _pendingStart; // where that frame starts (0 after a wrap)
    private long _pendingTail; // the wasted tail before it when it wraps, else 0
    private bool _pendingMarker; // a wrap marker was written at _writePos
    private long _nextReaderCheck; // MonotonicClock.CoarseMilliseconds
    private TimeSpan _spinTime = TimeSpan.FromMicroseconds(20);
    private AdaptiveSpin _spin;
    private bool _disposed;

    /// <summary>Connects to the buffer <paramref name="name"/> as its only writer (one attempt).</summary>
    /// <param name="name">The buffer name.</param>
    /// <exception cref="InvalidNameException">The name breaks the naming rule.</exception>
    /// <exception cref="BufferNotFoundException">No such buffer, not initialised yet, or a semaphore is missing.</exception>
    /// <exception cref="IncompatibleVersionException">The OIEB size is not 128 or the major version is not 1.</exception>
    /// <exception cref="CorruptBufferException">The object is smaller than an OIEB, or the OIEB sizes or positions are impossible.</exception>
    /// <exception cref="ReaderDeadException">The buffer has no live reader.</exception>
    /// <exception cref="WriterAlreadyConnectedException">Another live writer holds the buffer.</exception>
    public Writer(string name)
        : this(name, TimeSpan.Zero)
    {
    }

    /// <summary>
    /// Connects to the buffer <paramref name="name"/> as its only writer, waiting up to
    /// <paramref name="connectTimeout"/> for a live reader: while the connect fails in a way
    /// <see cref="IsConnectRetryable"/> accepts, it is retried every 10 ms.
    /// </summary>
    /// <param name="name">The buffer name.</param>
    /// <param name="connectTimeout">How long to wait for the reader (zero: one attempt).</param>
    /// <exception cref="InvalidNameException">The name breaks the naming rule.</exception>
    /// <exception cref="BufferNotFoundException">No such buffer, not initialised yet, or a semaphore is missing.</exception>
    /// <exception cref="IncompatibleVersionException">The OIEB size is not 128 or the major version is not 1.</exception>
    /// <exception cref="CorruptBufferException">The object is smaller than an OIEB, or the OIEB sizes or positions are impossible.</exception>
    /// <exception cref="ReaderDeadException">The buffer has no live reader.</exception>
    /// <exception cref="WriterAlreadyConnectedException">Another live writer holds the buffer.</exception>
    public Writer(string name, TimeSpan connectTimeout)
    {
        BufferNames.Validate(name);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ZeroBuffer's shared memory layout is little-endian");
        }

        Name = name;
        _pid = (ulong)Environment.ProcessId;
        _spin = new AdaptiveSpin(MonotonicClock.ToTicks(_spinTime));

        long deadline = MonotonicClock.DeadlineAfter(connectTimeout);
        Connection connection;
        while (true)
        {
            try
            {
                connection = Connect(name, _pid);
                break;
            }
            catch (ZeroBufferException e) when (IsConnectRetryable(e) && MonotonicClock.Now + ConnectRetryTicks <= deadline)
            {
                Thread.Sleep(ConnectRetryInterval);
            }
        }

        _map = connection.Map;
        _oieb = new Oieb(_map.Address);
        _metadataSize = connection.MetadataSize;
        _payloadSize = connection.PayloadSize;
        _writePos = connection.WritePos;
        _writtenCount = connection.WrittenCount;
        _metadata = _map.Address + Oieb.Size;
        _payload = _metadata + _metadataSize;
        _dataAvailable = connection.DataAvailable;
        _spaceAvailable = connection.SpaceAvailable;
        _lock = connection.Lock;
        _readerLockPath = BufferNames.LockFile(BufferNames.LockDirectory(), name);
        _nextReaderCheck = MonotonicClock.CoarseMilliseconds + MonotonicClock.LivenessSliceMilliseconds;
        RepairUnpublishedFrame();
    }

    /// <summary>
    /// True for the connect failures a reader that is not (yet) there explains, which a writer
    /// waiting for its reader retries: <see cref="BufferNotFoundException"/> and <see cref="ReaderDeadException"/>.
    /// </summary>
    /// <param name="exception">A failure of a connect.</param>
    /// <returns>True when a later attempt may succeed.</returns>
    public static bool IsConnectRetryable(ZeroBufferException exception) =>
        exception is BufferNotFoundException or ReaderDeadException;

    /// <summary>The buffer name.</summary>
    public string Name { get; }

    /// <summary>The payload ring size of the buffer.</summary>
    public long PayloadSize => _payloadSize;

    /// <summary>The metadata block size of the buffer.</summary>
    public long MetadataSize => _metadataSize;

    /// <summary>
    /// How long a write waits for space before <see cref="BufferFullException"/> (default 5 s);
    /// <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.MaxValue"/> waits forever.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest a write waiting for space polls before it blocks (default 20 µs; zero disables).
    /// The budget adapts: it halves while polls run out and comes back in full when one succeeds
    /// (docs/csharp.md).
    /// </summary>
    public TimeSpan SpinTime
    {
        get => _spinTime;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _spinTime = value;
            _spin = new AdaptiveSpin(MonotonicClock.ToTicks(value));
        }
    }

    /// <summary>The sequence number the next frame gets (1 for the first frame of this writer).</summary>
    public ulong NextSequence { get; private set; } = 1;

    /// <summary>Frames written so far.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>Frame data bytes written so far (headers not counted).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>True while a live reader process owns the buffer.</summary>
    public bool IsReaderConnected => !_disposed && PeerLiveness.IsAlive(_readerLockPath, _oieb.ReaderPid);

    /// <summary>Stores the buffer's metadata. Metadata is write-once per buffer.</summary>
    /// <param name="metadata">The metadata bytes (may be empty).</param>
    /// <exception cref="MetadataAlreadyWrittenException">Metadata was already written to this buffer (by any writer).</exception>
    /// <exception cref="MetadataTooLargeException">Metadata plus its 8-byte prefix does not fit the metadata block.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed (checked after the two above).</exception>
    public void SetMetadata(ReadOnlySpan<byte> metadata)
    {
        metadata.CopyTo(GetMetadataBuffer(metadata.Length));
        CommitMetadata();
    }

    /// <summary>
    /// Zero-copy metadata, part 1: checks a metadata write of <paramref name="size"/> bytes like
    /// <see cref="SetMetadata"/> and returns the metadata block's bytes to fill. Part 2 is <see cref="CommitMetadata"/>.
    /// </summary>
    /// <param name="size">The metadata length in bytes (0 allowed).</param>
    /// <returns>Where the metadata goes.</returns>
    /// <exception cref="InvalidStateException">Metadata was reserved and not committed yet.</exception>
    /// <exception cref="MetadataAlreadyWrittenException">Metadata was already written to this buffer (by any writer).</exception>
    /// <exception cref="MetadataTooLargeException">Metadata plus its 8-byte prefix does not fit the metadata block (also a negative size).</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed (checked after the two above).</exception>
    public Span<byte> GetMetadataBuffer(long size)
    {
        ThrowIfDisposed();
        if (_pendingMetadata >= 0)
        {
            throw new InvalidStateException("GetMetadataBuffer called twice without CommitMetadata");
        }

        if (_oieb.MetadataWrittenBytes != 0)
        {
            throw new MetadataAlreadyWrittenException($"metadata of buffer \"{Name}\" was already written");
        }

        if (size < 0 || size > _metadataSize - sizeof(ulong))
        {
            throw new MetadataTooLargeException(
                $"{size} bytes of metadata plus the {sizeof(ulong)}-byte length prefix exceed the {_metadataSize}-byte metadata block");
        }

        CheckReaderAlive(_oieb.ReaderPid);
        _pendingMetadata = size;
        return new Span<byte>(_metadata + sizeof(ulong), (int)size);
    }

    /// <summary>Publishes the metadata reserved by <see cref="GetMetadataBuffer"/>.</summary>
    /// <exception cref="InvalidStateException">No metadata is reserved.</exception>
    public void CommitMetadata()
    {
        ThrowIfDisposed();
        long size = _pendingMetadata;
        if (size < 0)
        {
            throw new InvalidStateException("CommitMetadata called without GetMetadataBuffer");
        }

        _pendingMetadata = -1;
        long needed = sizeof(ulong) + size;
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(_metadata, sizeof(ulong)), (ulong)size);
        _oieb.MetadataFreeBytes = (ulong)(_metadataSize - needed);
        _oieb.MetadataWrittenBytes = (ulong)needed; // last: the reader trusts this field
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
    /// <param name="timeout">How long to wait for space; <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.MaxValue"/> waits forever.</param>
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
    /// <param name="timeout">How long to wait for space; <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.MaxValue"/> waits forever.</param>
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

    /// <summary>
    /// Like <see cref="GetFrameBuffer(int, TimeSpan)"/> for a size given as a 64-bit count (a
    /// size read from a file or a message): a size beyond <see cref="int.MaxValue"/> can never be
    /// placed and raises <see cref="FrameTooLargeException"/>, as any frame larger than the ring does.
    /// </summary>
    /// <param name="size">The frame data length, at least 1.</param>
    /// <param name="timeout">How long to wait for space; <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.MaxValue"/> waits forever.</param>
    /// <returns>The frame's data area.</returns>
    /// <exception cref="InvalidStateException">A reserved frame was not committed yet.</exception>
    /// <exception cref="InvalidFrameSizeException">The size is 0 or negative.</exception>
    /// <exception cref="FrameTooLargeException">The frame can never be placed.</exception>
    /// <exception cref="BufferFullException">No space within the timeout.</exception>
    /// <exception cref="ReaderDeadException">The reader died or closed.</exception>
    public Span<byte> GetFrameBuffer(long size, TimeSpan timeout)
    {
        ThrowIfDisposed();
        if (size > int.MaxValue)
        {
            throw new FrameTooLargeException(
                $"a frame of {size} bytes can never be placed; the payload ring has {_payloadSize}");
        }

        return GetFrameBuffer(size <= 0 ? (int)Math.Max(size, int.MinValue) : (int)size, timeout);
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

        long spaceToEnd = _payloadSize - _writePos;
        bool wrap = spaceToEnd < total;
        if (wrap && total > _writePos)
        {
            throw new FrameTooLargeException(
                $"a frame of {size} bytes ({total} with header) can not be placed from write position {_writePos}: " +
                $"{spaceToEnd} bytes are left before the end of the ring and only {_writePos} after its start " +
                "(protocol 1.0 limit; frames up to half the ring always fit)");
        }

        CheckReader(); // after the checks of the call itself: they do not depend on the peer

        long needed = wrap ? spaceToEnd + total : total;
        if (!WaitForSpace(needed, timeout))
        {
            return false;
        }

        // Only bytes in free space are written here; every shared counter changes in CommitFrame.
        _pendingMarker = wrap && spaceToEnd >= FrameHeader.Size;
        if (_pendingMarker)
        {
            FrameHeader.WriteWrapMarker(_payload + _writePos);
        }

        _pendingTail = wrap ? spaceToEnd : 0;
        _pendingStart = wrap ? 0 : _writePos;
        byte* header = _payload + _pendingStart;
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
        // The crash-safe order of docs/protocol.md §4.1 (write.crash-order): reserve, advance, publish.
        _oieb.AddPayloadFreeBytes(-(_pendingTail + total));
        long next = _pendingStart + total;
        _writePos = next >= _payloadSize ? next - _payloadSize : next;
        _oieb.PayloadWritePos = (ulong)_writePos;
        _writtenCount += _pendingMarker ? 2UL : 1UL;
        _oieb.PayloadWrittenCount = _writtenCount; // release: header and data are visible first
        _dataAvailable.Post();
        FramesWritten++;
        BytesWritten += total - FrameHeader.Size;
        NextSequence++;
    }

    /// <summary>Disconnects: clears writer_pid (if it is still this writer's), removes its lock file and unmaps.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _oieb.TryChangeWriterPid(_pid, 0);
        _lock?.Dispose();
        _map.Dispose();
        _dataAvailable.Dispose();
        _spaceAvailable.Dispose();
    }

    /// <summary>One connect attempt (wire brief section 5); the writer_pid claim is its last step.</summary>
    private static Connection Connect(string name, ulong pid)
    {
        int fd = -1;
        MappedRegion? map = null;
        NamedSemaphore? dataAvailable = null;
        NamedSemaphore? spaceAvailable = null;
        LockFile? writerLock = null;
        try
        {
            fd = SharedMemoryObject.TryOpen(BufferNames.SharedMemory(name), writable: true);
            if (fd < 0)
            {
                throw new BufferNotFoundException($"buffer \"{name}\" not found");
            }

            // A reader creates the object empty and sizes it in one step: 0 bytes is a reader
            // between the two (retry); any other size below an OIEB never occurs during creation.
            long objectSize = SharedMemoryObject.SizeOf(fd);
            if (objectSize == 0)
            {
                throw new BufferNotFoundException($"buffer \"{name}\" is not initialised yet");
            }

            if (objectSize < Oieb.Size)
            {
                throw new CorruptBufferException($"shared memory of \"{name}\" is {objectSize} bytes, smaller than an OIEB");
            }

            uint mode = SharedMemoryObject.ModeOf(fd);
            map = MappedRegion.Map(fd, objectSize, writable: true);
            LibC.Close(fd);
            fd = -1;

            // Every field is read once into a local, validated, and only the local is used.
            var oieb = new Oieb(map.Address);
            ValidateVersion(oieb);
            ulong metadataSize = oieb.MetadataSize;
            ulong payloadSize = oieb.PayloadSize;
            ulong available = (ulong)(objectSize - Oieb.Size);
            if (payloadSize == 0 || metadataSize > available || payloadSize > available - metadataSize)
            {
                throw new CorruptBufferException(
                    $"OIEB sizes (metadata {metadataSize}, payload {payloadSize}) do not fit an object of {objectSize} bytes");
            }

            ReadRingState(oieb, payloadSize); // before the claim: a corrupt buffer is refused untouched
            dataAvailable = NamedSemaphore.TryOpen(BufferNames.WriteSemaphore(name));
            spaceAvailable = NamedSemaphore.TryOpen(BufferNames.ReadSemaphore(name));
            if (dataAvailable is null || spaceAvailable is null)
            {
                throw new BufferNotFoundException($"a semaphore of buffer \"{name}\" is missing");
            }

            string lockDirectory = BufferNames.LockDirectory();
            ulong readerPid = oieb.ReaderPid;
            if (!PeerLiveness.IsAlive(BufferNames.LockFile(lockDirectory, name), readerPid))
            {
                throw new ReaderDeadException(
                    readerPid == 0 ? $"buffer \"{name}\" has no reader" : $"the reader (pid {readerPid}) of buffer \"{name}\" is dead",
                    readerPid);
            }

            BeforeClaimForTests?.Invoke();
            string writerLockPath = BufferNames.WriterLockFile(lockDirectory, name);
            writerLock = TakeWriterLock(writerLockPath, mode, name);
            ulong previous = ClaimWriterPid(oieb, name, pid, writerLockPath);

            // The previous writer may have written more until the claim: take the ring state only now.
            (long writePos, ulong writtenCount) ring;
            try
            {
                ring = ReadRingState(oieb, payloadSize);
            }
            catch (CorruptBufferException)
            {
                oieb.TryChangeWriterPid(pid, previous);
                throw;
            }

            return new Connection(map, dataAvailable, spaceAvailable, writerLock, (long)metadataSize, (long)payloadSize, ring.writePos, ring.writtenCount);
        }
        catch
        {
            writerLock?.Dispose();
            spaceAvailable?.Dispose();
            dataAvailable?.Dispose();
            map?.Dispose();
            if (fd >= 0)
            {
                LibC.Close(fd);
            }

            throw;
        }
    }

    /// <summary>
    /// Takes back a frame that a predecessor killed between advancing the write position and
    /// publishing the count left behind (docs/protocol.md §5, write.crash-repair). Only when the
    /// reader consumed every published item: then its position is final and must equal ours.
    /// </summary>
    private void RepairUnpublishedFrame()
    {
        if (_oieb.PayloadReadCount != _writtenCount)
        {
            return; // read first: afterwards payload_read_pos cannot move
        }

        ulong readPos = _oieb.PayloadReadPos;
        if (readPos == (ulong)_payloadSize)
        {
            readPos = 0;
        }

        if (readPos >= (ulong)_payloadSize || (long)readPos == _writePos)
        {
            return;
        }

        // Walk the one item at readPos as the reader would: a short tail or marker moves to 0.
        long at = (long)readPos;
        long taken = 0;
        if (_payloadSize - at < FrameHeader.Size || FrameHeader.ReadPayloadSize(_payload + at) == 0)
        {
            taken = _payloadSize - at;
            at = 0;
        }

        ulong size = FrameHeader.ReadPayloadSize(_payload + at);
        if (size == 0 || size > (ulong)(_payloadSize - at - FrameHeader.Size))
        {
            return;
        }

        long end = at + FrameHeader.Size + (long)size;
        taken += FrameHeader.Size + (long)size;
        if ((end == _payloadSize ? 0 : end) != _writePos || _oieb.PayloadFreeBytes > (ulong)(_payloadSize - taken))
        {
            return;
        }

        _writePos = (long)readPos;
        _oieb.PayloadWritePos = readPos;
        _oieb.AddPayloadFreeBytes(taken);
    }

    private static void ValidateVersion(Oieb oieb)
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
    }

    /// <summary>The write position (P read as 0) and written count, after checking position and free bytes against P.</summary>
    private static (long WritePos, ulong WrittenCount) ReadRingState(Oieb oieb, ulong payloadSize)
    {
        ulong writePos = oieb.PayloadWritePos;
        ulong writtenCount = oieb.PayloadWrittenCount;
        ulong freeBytes = oieb.PayloadFreeBytes;
        if (writePos > payloadSize || freeBytes > payloadSize)
        {
            throw new CorruptBufferException(
                $"payload_write_pos {writePos} / payload_free_bytes {freeBytes} lie outside the payload size {payloadSize}");
        }

        return (writePos == payloadSize ? 0 : (long)writePos, writtenCount); // other implementations leave P after an exact fit
    }

    /// <summary>What one successful connect attempt hands to the writer.</summary>
    private sealed record Connection(
        MappedRegion Map,
        NamedSemaphore DataAvailable,
        NamedSemaphore SpaceAvailable,
        LockFile? Lock,
        long MetadataSize,
        long PayloadSize,
        long WritePos,
        ulong WrittenCount);

    /// <summary>
    /// Takes NAME.writer-lock before the claim (live.writer-lock), so a reader never sees our PID
    /// in writer_pid without it held. Held by another live writer: WriterAlreadyConnected. A file
    /// that cannot be created (no permission, no lock directory) leaves us without one: the
    /// reader then judges us by our PID, as it judges a writer that knows nothing of these locks.
    /// </summary>
    private static LockFile? TakeWriterLock(string path, uint mode, string name)
    {
        LockFile? taken;
        try
        {
            taken = LockFile.TryAcquire(path, mode);
        }
        catch (ZeroBufferException)
        {
            return null;
        }

        return taken ?? throw new WriterAlreadyConnectedException($"buffer \"{name}\" already has a live writer (lock held)");
    }

    /// <summary>Takes writer_pid with a compare-and-swap, from 0 or from a dead writer; never from a live one.</summary>
    /// <returns>The value it replaced (0 or a dead writer's PID).</returns>
    private static ulong ClaimWriterPid(Oieb oieb, string name, ulong pid, string writerLockPath)
    {
        while (true)
        {
            ulong current = oieb.WriterPid;
            if (current != 0 && PeerLiveness.IsAlive(writerLockPath, current))
            {
                throw new WriterAlreadyConnectedException($"buffer \"{name}\" already has a live writer (pid {current})");
            }

            if (oieb.TryChangeWriterPid(current, pid))
            {
                return current;
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

        long now = MonotonicClock.CoarseMilliseconds;
        if (now >= _nextReaderCheck)
        {
            _nextReaderCheck = now + MonotonicClock.LivenessSliceMilliseconds;
            CheckReaderAlive(readerPid);
        }
    }

    private void CheckReaderAlive(ulong readerPid)
    {
        if (readerPid == 0)
        {
            ThrowReaderDead("the reader closed the buffer", 0);
        }

        if (!PeerLiveness.IsAlive(_readerLockPath, readerPid))
        {
            ThrowReaderDead($"the reader (pid {readerPid}) died", readerPid);
        }
    }

    /// <summary>Waits until payload_free_bytes covers <paramref name="needed"/> (wire brief 4.1 step 3).</summary>
    private bool WaitForSpace(long needed, TimeSpan timeout)
    {
        // Each release posts once; drain so the count can not grow without bound.
        _spaceAvailable.Drain();
        if (_oieb.PayloadFreeBytes >= (ulong)needed)
        {
            return true; // a write that has space reads no clock for its deadline
        }

        long deadline = MonotonicClock.DeadlineAfter(timeout);
        if (SpinForSpace(needed, deadline))
        {
            return true;
        }

        while (true)
        {
            long now = MonotonicClock.Now;
            if (now >= deadline)
            {
                CheckReaderAlive(_oieb.ReaderPid);
                return false;
            }

            _spaceAvailable.Wait(Math.Min(deadline - now, MonotonicClock.LivenessSliceTicks));
            _nextReaderCheck = MonotonicClock.CoarseMilliseconds + MonotonicClock.LivenessSliceMilliseconds;
            CheckReaderAlive(_oieb.ReaderPid);
            _spaceAvailable.Drain();
            if (_oieb.PayloadFreeBytes >= (ulong)needed)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Polls for space for at most the current adaptive spin budget (<see cref="AdaptiveSpin.Spin"/>):
    /// sem-r drained, then the free byte count.
    /// </summary>
    private bool SpinForSpace(long needed, long deadline)
    {
        var poll = new SpacePoll(this, (ulong)needed);
        return _spin.Spin(deadline, ref poll);
    }

    private readonly struct SpacePoll(Writer writer, ulong needed) : ISpinPoll
    {
        public bool Poll()
        {
            writer._spaceAvailable.Drain();
            return writer._oieb.PayloadFreeBytes >= needed;
        }
    }

    /// <summary>Tests only: the writer's current spin budget in <see cref="MonotonicClock"/> ticks.</summary>
    internal long SpinBudgetTicks => _spin.Budget;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    [DoesNotReturn]
    private static void ThrowReaderDead(string message, ulong readerPid) => throw new ReaderDeadException(message, readerPid);

    [DoesNotReturn]
    private void ThrowBufferFull(TimeSpan timeout) =>
        throw new BufferFullException($"no space in buffer \"{Name}\" within {timeout.TotalMilliseconds} ms");
}
