using System;

namespace ZeroBuffer.Internal;

/// <summary>
/// The reader's accounting of space that is consumed but not yet returned to the writer.
/// Space goes back strictly in ring order: a released frame's bytes, and the bytes of wrap
/// markers and short tails passed after it, are returned once everything read before them
/// has been released. Otherwise the writer could overwrite a frame that is still held.
/// </summary>
internal sealed class ReleaseQueue
{
    private const long RefundTicket = -1;

    private Entry[] _entries = new Entry[16];
    private int _head;
    private int _count;

    /// <summary>Frames read and not yet released.</summary>
    public int HeldFrames { get; private set; }

    /// <summary>True when nothing waits to be returned: refunds may then be returned at once.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>Records a frame handed out with <paramref name="ticket"/>, costing <paramref name="bytes"/>.</summary>
    public void AddFrame(long ticket, long bytes)
    {
        Push(new Entry { Ticket = ticket, Bytes = bytes, Released = false });
        HeldFrames++;
    }

    /// <summary>Records bytes (a wrap marker's or short tail's) to return after everything before them.</summary>
    public void AddRefund(long bytes) => Push(new Entry { Ticket = RefundTicket, Bytes = bytes, Released = true });

    /// <summary>
    /// Marks the frame with <paramref name="ticket"/> released and returns how many bytes may now
    /// be given back (0 when earlier frames are still held, or the frame was already released).
    /// </summary>
    public long Release(long ticket)
    {
        int mask = _entries.Length - 1;
        bool found = false;
        for (int i = 0; i < _count; i++)
        {
            ref Entry entry = ref _entries[(_head + i) & mask];
            if (entry.Ticket == ticket)
            {
                if (entry.Released)
                {
                    return 0;
                }

                entry.Released = true;
                HeldFrames--;
                found = true;
                break;
            }
        }

        if (!found)
        {
            return 0;
        }

        long bytes = 0;
        while (_count > 0 && _entries[_head].Released)
        {
            bytes += _entries[_head].Bytes;
            _head = (_head + 1) & mask;
            _count--;
        }

        return bytes;
    }

    private void Push(Entry entry)
    {
        if (_count == _entries.Length)
        {
            var larger = new Entry[_entries.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                larger[i] = _entries[(_head + i) & (_entries.Length - 1)];
            }

            _entries = larger;
            _head = 0;
        }

        _entries[(_head + _count) & (_entries.Length - 1)] = entry;
        _count++;
    }

    private struct Entry
    {
        public long Ticket;
        public long Bytes;
        public bool Released;
    }
}
