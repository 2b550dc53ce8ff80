using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Threading;
using ZeroBuffer.Internal;

namespace ZeroBuffer;

/// <summary>
/// The reading side of a buffer. Creating a reader creates the buffer (shared memory, two
/// semaphores, lock file); disposing it removes them all.
/// </summary>
/// <remarks>
/// A reader is meant for one consuming thread: reads and frame releases must not run
/// concurrently. Frames are zero-copy views; see <see cref="Frame"/>. Frames still held when
/// the reader is disposed stay readable until they are released.
/// </remarks>
public sealed unsafe class Reader : IDisposable
{
    private static readonly long PollCheckIntervalTicks = MonotonicClock.ToTicks(TimeSpan.FromMilliseconds(50));

    private readonly MappedRegion _map;
    private readonly Oieb _oieb;
    private readonly byte* _metadata;
    private readonly byte* _payload;
    private readonly long _payloadSize;
    private readonly AdaptiveSpin _spin;
    private readonly NamedSemaphore _dataAvailable;
    private readonly NamedSemaphore _spaceAvailable;
    private readonly LockFile _lock;
    private readonly string _writerLockPath;
    private readonly ReleaseQueue _releases = new();

    private long _readPos;
    private ulong _readCount;
    private ulong _expectedSequence = 1;
    private ulong _resyncSequence; // after a SequenceError(E, A): A + 1, accepted next besides E + 1 (0: none)
    private bool _writerEverSeen;
    private long _nextTicket;
    private ulong _lastCheckedWriterPid;
    private long _lastWriterCheck;
    private bool _disposed;

    /// <summary>
    /// Creates the buffer <paramref name="name"/> and becomes its reader. Stale resources of
    /// crashed readers (of any name) are cleaned up first; a buffer of the same name without a
    /// live reader is replaced.
    /// </summary>
    /// <param name="name">1..200 characters of [A-Za-z0-9._-], not starting with '.'.</param>
    /// <param name="config">Sizes and options.</param>
    /// <exception cref="InvalidNameException">The name breaks the naming rule.</exception>
    /// <exception cref="ReaderAlreadyConnectedException">Another live reader owns the name.</exception>
    /// <exception cref="ZeroBufferException">The OS refused (e.g. not enough shared memory).</exception>
    public Reader(string name, BufferConfig config)
    {
        BufferNames.Validate(name);
        ArgumentNullException.ThrowIfNull(config);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ZeroBuffer's shared memory layout is little-endian");
        }

        Name = name;
        Mode = config.Mode;
        MetadataSize = config.RoundedMetadataSize;
        PayloadSize = config.RoundedPayloadSize;
        _payloadSize = PayloadSize;
        _spin = new AdaptiveSpin(MonotonicClock.ToTicks(config.SpinTime));
        uint mode = (uint)config.Mode;
        long totalSize = Oieb.Size + MetadataSize + PayloadSize;
        string shmName = BufferNames.SharedMemory(name);

        string lockDirectory = LockFile.EnsureDirectory();
        StaleBufferCleaner.Scan(lockDirectory);

        LockFile? lockFile = null;
        MappedRegion? map = null;
        NamedSemaphore? dataAvailable = null;
        NamedSemaphore? spaceAvailable = null;
        bool created = false;
        int fd = -1;
        try
        {
            lockFile = LockFile.Acquire(BufferNames.LockFile(lockDirectory, name), mode);
            if (SharedMemoryObject.TryReadOwners(shmName, out _, out _, out ulong previousReader) && ProcessLiveness.IsAlive(previousReader))
            {
                throw new ReaderAlreadyConnectedException($"buffer \"{name}\" already has a live reader (pid {previousReader})");
            }

            // Whatever is left under this name belongs to a dead reader: replace it. A writer still
            // holding the writer lock writes into the buffer just replaced; ours gets a new one.
            SharedMemoryObject.UnlinkAll(name);
            LibC.Unlink(BufferNames.WriterLockFile(lockDirectory, name));
            created = true;
            fd = SharedMemoryObject.Create(shmName, totalSize, mode);
            map = MappedRegion.Map(fd, totalSize, writable: true);
            LibC.Close(fd);
            fd = -1;

            var oieb = new Oieb(map.Address);
            oieb.MetadataSize = (ulong)MetadataSize;
            oieb.MetadataFreeBytes = (ulong)MetadataSize;
            oieb.MetadataWrittenBytes = 0;
            oieb.PayloadSize = (ulong)PayloadSize;
            oieb.PayloadFreeBytes = (ulong)PayloadSize;
            oieb.ReaderPid = (ulong)Environment.ProcessId;
            oieb.SizeAndVersionField = Oieb.SizeAndVersion; // last: a writer seeing it sees the rest

            dataAvailable = NamedSemaphore.Create(BufferNames.WriteSemaphore(name), mode);
            spaceAvailable = NamedSemaphore.Create(BufferNames.ReadSemaphore(name), mode);
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

            if (created)
            {
                SharedMemoryObject.UnlinkAll(name);
            }

            lockFile?.Dispose();
            throw;
        }

        _lock = lockFile;
        _writerLockPath = BufferNames.WriterLockFile(lockDirectory, name);
        _map = map;
        _oieb = new Oieb(map.Address);
        _metadata = map.Address + Oieb.Size;
        _payload = _metadata + MetadataSize;
        _dataAvailable = dataAvailable;
        _spaceAvailable = spaceAvailable;
    }

    /// <summary>The buffer name.</summary>
    public string Name { get; }

    /// <summary>The metadata block size after rounding.</summary>
    public long MetadataSize { get; }

    /// <summary>The payload ring size after rounding.</summary>
    public long PayloadSize { get; }

    /// <summary>The permissions applied to the buffer's objects.</summary>
    public UnixFileMode Mode { get; }

    /// <summary>The timeout of <see cref="ReadFrame()"/> (default 5 s).</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Frames read so far.</summary>
    public long FramesRead { get; private set; }

    /// <summary>Frame data bytes read so far (headers not counted).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Frames read and not yet disposed.</summary>
    public int HeldFrames => _releases.HeldFrames;

    /// <summary>True while a live writer process is connected.</summary>
    public bool IsWriterConnected => !_disposed && PeerLiveness.IsAlive(_writerLockPath, _oieb.WriterPid);

    /// <summary>
    /// The metadata the writer stored (without its length prefix): a zero-copy view, empty when
    /// none was written. Valid until the reader is disposed.
    /// </summary>
    /// <returns>The metadata bytes.</returns>
    /// <exception cref="CorruptBufferException">The stored lengths are impossible.</exception>
    public ReadOnlySpan<byte> GetMetadata()
    {
        ThrowIfDisposed();
        ulong written = _oieb.MetadataWrittenBytes;
        if (written == 0)
        {
            return default;
        }

        if (written < sizeof(ulong) || written > (ulong)MetadataSize)
        {
            throw new CorruptBufferException(
                $"metadata_written_bytes is {written}, impossible for a metadata block of {MetadataSize} bytes");
        }

        ulong length = FrameHeader.ReadPayloadSize(_metadata);
        if (length > written - sizeof(ulong))
        {
            throw new CorruptBufferException(
                $"metadata length prefix {length} exceeds the {written - sizeof(ulong)} bytes written after it");
        }

        return new ReadOnlySpan<byte>(_metadata + sizeof(ulong), checked((int)length));
    }

    /// <summary>Reads the next frame, waiting up to <see cref="ReadTimeout"/>.</summary>
    /// <returns>The frame, or <see cref="Frame.Invalid"/> when none arrived in time.</returns>
    /// <exception cref="WriterDeadException">The writer died, or closed and every frame was read.</exception>
    /// <exception cref="SequenceErrorException">A frame's sequence is not acceptable; the frame is consumed and the next read returns the one after it.</exception>
    /// <exception cref="CorruptBufferException">A frame header is impossible.</exception>
    public Frame ReadFrame() => ReadFrame(ReadTimeout);

    /// <summary>Reads the next frame, waiting up to <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.MaxValue"/> waits forever.</param>
    /// <returns>The frame, or <see cref="Frame.Invalid"/> when none arrived in time.</returns>
    /// <exception cref="WriterDeadException">The writer died, or closed and every frame was read.</exception>
    /// <exception cref="SequenceErrorException">A frame's sequence is not acceptable; the frame is consumed and the next read returns the one after it.</exception>
    /// <exception cref="CorruptBufferException">A frame header is impossible.</exception>
    public Frame ReadFrame(TimeSpan timeout) => TryReadFrame(timeout, out Frame frame) ? frame : Frame.Invalid;

    /// <summary>Takes the next frame if one is ready now, without waiting.</summary>
    /// <param name="frame">The frame, or <see cref="Frame.Invalid"/>.</param>
    /// <returns>True when a frame was read.</returns>
    public bool TryReadFrame(out Frame frame) => TryReadFrame(TimeSpan.Zero, out frame);

    /// <summary>Reads the next frame, waiting up to <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.MaxValue"/> waits forever.</param>
    /// <param name="frame">The frame, or <see cref="Frame.Invalid"/> on timeout.</param>
    /// <returns>True when a frame was read, false on timeout.</returns>
    /// <exception cref="WriterDeadException">The writer died, or closed and every frame was read.</exception>
    /// <exception cref="SequenceErrorException">A frame's sequence is not acceptable; the frame is consumed and the next read returns the one after it.</exception>
    /// <exception cref="CorruptBufferException">A frame header is impossible.</exception>
    public bool TryReadFrame(TimeSpan timeout, out Frame frame)
    {
        ThrowIfDisposed();

        // The semaphore says a frame was posted; the counters say what is really there. A frame
        // whose writer died between publishing it and posting is read all the same.
        _dataAvailable.TryWait();
        if (TryTakeFrame(out frame))
        {
            return true; // a read whose frame is ready reads no clock
        }

        long deadline = MonotonicClock.DeadlineAfter(timeout);
        if (SpinForFrame(deadline, out frame))
        {
            return true;
        }

        // A pure poll (zero timeout) checks the writer process at most every 50 ms, so polling in
        // a loop does not pay a kill() and a /proc read per call.
        bool poll = timeout == TimeSpan.Zero;
        while (true)
        {
            string? death = WriterDeath(poll);
            if (death != null)
            {
                // The writer may have published a frame after the last look and then died: the
                // counters are read once more after the death was seen (protocol.md section 6).
                if (TryTakeFrame(out frame))
                {
                    return true;
                }

                ReclaimLeakedSpace();
                ThrowWriterDead(death);
            }

            long now = MonotonicClock.Now;
            if (now >= deadline)
            {
                frame = Frame.Invalid;
                return false;
            }

            _dataAvailable.Wait(Math.Min(deadline - now, MonotonicClock.LivenessSliceTicks));
            if (TryTakeFrame(out frame))
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Closes the buffer: unregisters the reader and removes every named object of the buffer.
    /// The mapping itself lives on until the last held frame is released.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _oieb.ReaderPid = 0;
        SharedMemoryObject.UnlinkAll(Name);
        _dataAvailable.Dispose();
        _spaceAvailable.Dispose();
        PeerLiveness.RemoveFreeLock(_writerLockPath); // a killed writer's; a live writer removes its own
        _lock.Dispose();
        if (_releases.HeldFrames == 0)
        {
            _map.Dispose();
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Frames stay readable after the reader is disposed until the last held one is released.</summary>
    internal void ThrowIfUnmapped() => ObjectDisposedException.ThrowIf(_disposed && _releases.HeldFrames == 0, this);

    internal void Release(long ticket)
    {
        long bytes = _releases.Release(ticket);
        if (_disposed)
        {
            if (_releases.HeldFrames == 0)
            {
                _map.Dispose(); // the last frame held past Dispose is gone
            }

            return;
        }

        if (bytes > 0)
        {
            _oieb.AddPayloadFreeBytes(bytes);
            _spaceAvailable.Post();
        }
    }

    /// <summary>
    /// Polls for a frame for at most the current adaptive spin budget (<see cref="AdaptiveSpin.Spin"/>):
    /// one sem_trywait per poll, then the counters.
    /// </summary>
    private bool SpinForFrame(long deadline, out Frame frame)
    {
        var poll = new FramePoll(this);
        bool got = _spin.Spin(deadline, ref poll);
        frame = poll.Frame;
        return got;
    }

    private struct FramePoll(Reader reader) : ISpinPoll
    {
        public Frame Frame = Frame.Invalid;

        public bool Poll() => reader._dataAvailable.TryWait() && reader.TryTakeFrame(out Frame);
    }

    /// <summary>Tests only: the reader's current spin budget in <see cref="MonotonicClock"/> ticks.</summary>
    internal long SpinBudgetTicks => _spin.Budget;

    /// <summary>Takes the next complete frame if the counters show one (wire brief 4.2 steps 3-7).</summary>
    private bool TryTakeFrame(out Frame frame)
    {
        frame = Frame.Invalid;
        ulong written = _oieb.PayloadWrittenCount; // acquire: the data before it is visible
        if (written == _readCount)
        {
            return false;
        }

        if (written < _readCount)
        {
            throw new CorruptBufferException(
                $"payload_written_count {written} is below the {_readCount} entries already read");
        }

        ulong unread = written - _readCount;
        if (_payloadSize - _readPos < FrameHeader.Size)
        {
            PassToRingStart(_payloadSize - _readPos, counted: false); // short tail, no marker
        }

        byte* header = _payload + _readPos;
        ulong size = FrameHeader.ReadPayloadSize(header);
        if (size == 0)
        {
            if (_readPos == 0)
            {
                throw new CorruptBufferException("a wrap marker at ring offset 0");
            }

            PassToRingStart(_payloadSize - _readPos, counted: true); // wrap marker
            if (unread < 2)
            {
                return false;
            }

            header = _payload;
            size = FrameHeader.ReadPayloadSize(header);
            if (size == 0)
            {
                throw new CorruptBufferException("a wrap marker at ring offset 0");
            }
        }

        long offset = _readPos;
        ulong room = (ulong)(_payloadSize - offset - FrameHeader.Size);
        if (size > room)
        {
            throw new CorruptBufferException(
                $"frame header at ring offset {offset} claims {size} bytes; only {room} fit before the end of the ring");
        }

        if (size > int.MaxValue)
        {
            throw new ZeroBufferException($"frame of {size} bytes is larger than a span can describe");
        }

        ulong sequence = FrameHeader.ReadSequence(header);
        ObserveWriter(_oieb.WriterPid);
        long total = FrameHeader.Size + (long)size;

        // Sequence 1 always begins a new writer session; after an error A + 1 is accepted too.
        bool accepted = sequence == 1 || sequence == _expectedSequence ||
                        (_resyncSequence != 0 && sequence == _resyncSequence);
        Advance(offset, total);
        if (!accepted)
        {
            // Consumed, so the stream goes on; its space goes back like a released frame's.
            ulong expected = _expectedSequence++;
            _resyncSequence = sequence + 1;
            ReturnSpace(total, post: true);
            throw new SequenceErrorException(expected, sequence);
        }

        _expectedSequence = sequence + 1;
        _resyncSequence = 0;
        long ticket = _nextTicket++;
        _releases.AddFrame(ticket, total);
        FramesRead++;
        BytesRead += (long)size;
        frame = new Frame(this, header + FrameHeader.Size, (int)size, sequence, ticket);
        return true;
    }

    private void Advance(long offset, long total)
    {
        long next = offset + total;
        _readPos = next >= _payloadSize ? next - _payloadSize : next;
        _oieb.PayloadReadPos = (ulong)_readPos;
        _readCount++;
        _oieb.PayloadReadCount = _readCount;
    }

    /// <summary>Moves the read position past the end of the ring (a wrap marker or a short tail).</summary>
    private void PassToRingStart(long tail, bool counted)
    {
        _readPos = 0;
        _oieb.PayloadReadPos = 0;
        if (counted)
        {
            _readCount++;
            _oieb.PayloadReadCount = _readCount;
        }

        ReturnSpace(tail, post: false);
    }

    /// <summary>Gives bytes back to the writer now, or after the frames still held before them.</summary>
    private void ReturnSpace(long bytes, bool post)
    {
        if (!_releases.IsEmpty)
        {
            _releases.AddRefund(bytes);
            return;
        }

        _oieb.AddPayloadFreeBytes(bytes);
        if (post)
        {
            _spaceAvailable.Post();
        }
    }

    private void ObserveWriter(ulong writerPid)
    {
        if (writerPid != 0)
        {
            _writerEverSeen = true;
        }
    }

    /// <summary>
    /// Test seam: runs at the start of every writer check of a read, where a writer may publish
    /// its last frame and die between the reader's last look at the counters and the check.
    /// </summary>
    internal Action? BeforeWriterCheck { get; set; }

    /// <summary>Why the writer is gone (protocol.md section 6), or null while it may still write.</summary>
    private string? WriterDeath(bool rateLimited)
    {
        BeforeWriterCheck?.Invoke();
        ulong writerPid = _oieb.WriterPid;
        ObserveWriter(writerPid);
        if (writerPid != 0)
        {
            long now = MonotonicClock.Now;
            if (rateLimited && writerPid == _lastCheckedWriterPid && now - _lastWriterCheck < PollCheckIntervalTicks)
            {
                return null;
            }

            _lastCheckedWriterPid = writerPid;
            _lastWriterCheck = now;
            return PeerLiveness.IsAlive(_writerLockPath, writerPid) ? null : $"writer process {writerPid} died";
        }

        ulong written = _oieb.PayloadWrittenCount;
        bool writerWasHere = _writerEverSeen || written > 0 || _oieb.MetadataWrittenBytes != 0;
        return writerWasHere && written <= _readCount ? "the writer closed and every frame has been read" : null;
    }

    /// <summary>
    /// Takes back the bytes a writer killed right after its reserve (protocol.md section 4.1
    /// step 6a) left subtracted (rule read.reclaim-leak): with the writer gone, every published
    /// item consumed, no frame held and the write position at ours, the ring is empty and its
    /// free count is P. Free bytes are loaded before writer_pid: a successor claims before it
    /// reserves, so a reservation made before that load shows as a live writer_pid, and one
    /// made after it makes the compare-and-swap fail.
    /// </summary>
    private void ReclaimLeakedSpace()
    {
        if (!_releases.IsEmpty)
        {
            return;
        }

        ulong freeBytes = _oieb.PayloadFreeBytes;
        ulong writerPid = _oieb.WriterPid;
        if (writerPid != 0 && PeerLiveness.IsAlive(_writerLockPath, writerPid))
        {
            return;
        }

        ulong writePos = _oieb.PayloadWritePos % (ulong)_payloadSize;
        if (_oieb.PayloadWrittenCount == _readCount && writePos == (ulong)_readPos && freeBytes < (ulong)_payloadSize)
        {
            _oieb.TryChangePayloadFreeBytes(freeBytes, (ulong)_payloadSize);
        }
    }

    [DoesNotReturn]
    private static void ThrowWriterDead(string message) => throw new WriterDeadException(message);
}
