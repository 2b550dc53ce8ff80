// Zero-copy in both directions.
//
//   zerobuffer-example-zero-copy read NAME COUNT    terminal 1: creates the buffer, checks COUNT frames
//   zerobuffer-example-zero-copy write NAME COUNT   terminal 2: writes COUNT frames
//
// The writer fills each frame straight in the ring (GetFrameBuffer, then CommitFrame); the
// reader checks and sums frame.Span straight from the ring. No byte is copied on either side.
// A span is only valid while its frame is held (reader) or until CommitFrame (writer).
using System;
using System.Runtime.Versioning;
using ZeroBuffer;

[assembly: SupportedOSPlatform("linux")] // POSIX shared memory and named semaphores, as the library

const int FrameSize = 64 * 1024;

if (args is not [var role and ("read" or "write"), var name, var countText] || !int.TryParse(countText, out int count))
{
    Console.Error.WriteLine("usage: zerobuffer-example-zero-copy read|write NAME COUNT");
    return 2;
}

return role == "read" ? Read(name, count) : Write(name, count);

static byte Pattern(ulong sequence, int index) => (byte)((sequence * 31) + (ulong)index);

static int Read(string name, int count)
{
    using var reader = new Reader(name, new BufferConfig(metadataSize: 0, payloadSize: 8 * FrameSize));
    Console.WriteLine("ready");
    long checksum = 0;
    for (int n = 0; n < count; n++)
    {
        Frame frame;
        try
        {
            frame = reader.ReadFrame(TimeSpan.FromSeconds(10));
        }
        catch (WriterDeadException)
        {
            Console.Error.WriteLine($"the writer went away after {n} of {count} frames");
            return 1;
        }

        using var held = frame; // disposing releases the frame's space to the writer
        if (!frame.IsValid)
        {
            Console.Error.WriteLine("no frame for 10 s");
            return 1;
        }

        ReadOnlySpan<byte> data = frame.Span; // the ring itself: valid until the frame is disposed
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] != Pattern(frame.Sequence, i))
            {
                Console.Error.WriteLine($"frame {frame.Sequence}: byte {i} is {data[i]}");
                return 1;
            }

            checksum += data[i];
        }
    }

    Console.WriteLine($"read {count} frames of {FrameSize} bytes, checksum {checksum}");
    return 0;
}

static int Write(string name, int count)
{
    using var writer = new Writer(name);
    for (int n = 0; n < count; n++)
    {
        ulong sequence = writer.NextSequence;
        Span<byte> slot = writer.GetFrameBuffer(FrameSize); // reserved space in the ring
        for (int i = 0; i < slot.Length; i++)
        {
            slot[i] = Pattern(sequence, i);
        }

        writer.CommitFrame(); // publishes it; slot must not be used any more
    }

    Console.WriteLine($"wrote {count} frames");
    return 0;
}
