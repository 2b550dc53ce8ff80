// One role of a cross-language benchmark pair over the C# port's public API. Roles, frame
// layout ([0..8) timestamp or sequence, [8..16) control word, 1 = stop) and output match
// `zerobuffer-bench peer` (C++) and ../peer.py (Python).
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace ZeroBuffer.Bench;

internal static class Program
{
    private static long NowNs() => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    private static Writer ConnectWriter(string name, TimeSpan spin)
    {
        long deadline = NowNs() + 20_000_000_000L;
        while (true)
        {
            try
            {
                return new Writer(name) { WriteTimeout = TimeSpan.FromSeconds(10), SpinTime = spin };
            }
            catch (BufferNotFoundException)
            {
                if (NowNs() > deadline)
                {
                    throw;
                }

                Thread.Sleep(2);
            }
        }
    }

    private static string Percentiles(List<long> v)
    {
        v.Sort();
        int n = v.Count;
        double Rank(double q) => v[Math.Clamp((int)Math.Ceiling(q * n) - 1, 0, n - 1)];
        double mean = 0;
        foreach (long x in v)
        {
            mean += x;
        }

        mean /= n;
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"samples\":{n},\"min_ns\":{v[0]},\"p50_ns\":{Rank(0.5)},\"p90_ns\":{Rank(0.9)},\"p99_ns\":{Rank(0.99)},\"p999_ns\":{Rank(0.999)},\"max_ns\":{v[n - 1]},\"mean_ns\":{mean}}}");
    }

    private static int Main(string[] args)
    {
        var opt = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            opt[args[i].TrimStart('-')] = args[i + 1];
        }

        string Get(string k, string d) => opt.TryGetValue(k, out string? v) ? v : d;
        string role = Get("role", "");
        int n = int.Parse(Get("size", "64"), CultureInfo.InvariantCulture);
        long ring = long.Parse(Get("ring", "16777216"), CultureInfo.InvariantCulture);
        double seconds = double.Parse(Get("seconds", "0.5"), CultureInfo.InvariantCulture);
        var spin = TimeSpan.FromTicks(long.Parse(Get("spin-ns", "20000"), CultureInfo.InvariantCulture) / 100);
        var cfg = new BufferConfig(0, ring) { SpinTime = spin };
        var wait = TimeSpan.FromSeconds(20);

        if (role is "rtt-init" or "rtt-echo")
        {
            bool init = role == "rtt-init";
            using var r = new Reader(init ? Get("pong", "") : Get("ping", ""), cfg);
            using Writer w = ConnectWriter(init ? Get("ping", "") : Get("pong", ""), spin);
            if (!init)
            {
                while (true)
                {
                    Frame f = r.ReadFrame(wait);
                    if (!f.IsValid)
                    {
                        throw new TimeoutException("echo: no frame within 20 s");
                    }

                    ulong ts = BinaryPrimitives.ReadUInt64LittleEndian(f.Span);
                    ulong ctl = BinaryPrimitives.ReadUInt64LittleEndian(f.Span[8..]);
                    Span<byte> o = w.GetFrameBuffer(n);
                    BinaryPrimitives.WriteUInt64LittleEndian(o, ts);
                    BinaryPrimitives.WriteUInt64LittleEndian(o[8..], ctl);
                    f.Dispose();
                    w.CommitFrame();
                    if (ctl == 1)
                    {
                        return 0;
                    }
                }
            }

            long Once(ulong ctl)
            {
                long t0 = NowNs();
                Span<byte> b = w.GetFrameBuffer(n);
                BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)t0);
                BinaryPrimitives.WriteUInt64LittleEndian(b[8..], ctl);
                w.CommitFrame();
                Frame f = r.ReadFrame(wait);
                if (!f.IsValid)
                {
                    throw new TimeoutException("init: no echo within 20 s");
                }

                long echoed = (long)BinaryPrimitives.ReadUInt64LittleEndian(f.Span);
                f.Dispose();
                return NowNs() - echoed;
            }

            long warmEnd = NowNs() + 300_000_000L;  // includes JIT tiering
            for (int i = 0; i < 20 || NowNs() < warmEnd; i++)
            {
                Once(0);
            }

            var lat = new List<long>(200_000);
            long end = NowNs() + (long)(seconds * 1e9);
            while (lat.Count < 200_000 && (lat.Count < 100 || NowNs() < end))
            {
                lat.Add(Once(0));
            }

            Once(1);
            Console.WriteLine(Percentiles(lat));
            return 0;
        }

        if (role == "stream-write")
        {
            using Writer w = ConnectWriter(Get("name", ""), spin);
            byte[] src = new byte[n];
            for (int i = 0; i < n; i++)
            {
                src[i] = (byte)(i * 131);
            }

            long end = NowNs() + (long)(seconds * 1e9);
            ulong seq = 1;
            for (; ; seq++)
            {
                Span<byte> b = w.GetFrameBuffer(n);
                src.CopyTo(b);
                BinaryPrimitives.WriteUInt64LittleEndian(b, seq);
                BinaryPrimitives.WriteUInt64LittleEndian(b[8..], 0);
                w.CommitFrame();
                if ((seq & 7) == 0 && NowNs() >= end)
                {
                    break;
                }
            }

            Span<byte> last = w.GetFrameBuffer(n);
            BinaryPrimitives.WriteUInt64LittleEndian(last, seq + 1);
            BinaryPrimitives.WriteUInt64LittleEndian(last[8..], 1);
            w.CommitFrame();
            return 0;
        }

        if (role == "stream-read")
        {
            using var r = new Reader(Get("name", ""), cfg);
            long frames = 0, bytes = 0, t0 = 0;
            ulong expected = 1;
            while (true)
            {
                Frame f = r.ReadFrame(wait);
                if (!f.IsValid)
                {
                    throw new TimeoutException("stream-read: no frame within 20 s");
                }

                if (t0 == 0)
                {
                    t0 = NowNs();
                }

                ulong seq = BinaryPrimitives.ReadUInt64LittleEndian(f.Span);
                ulong ctl = BinaryPrimitives.ReadUInt64LittleEndian(f.Span[8..]);
                int size = f.Size;
                f.Dispose();
                if (ctl == 1)
                {
                    break;
                }

                if (seq != expected)
                {
                    throw new InvalidOperationException($"stream-read: sequence {seq}, expected {expected}");
                }

                expected++;
                frames++;
                bytes += size;
            }

            double secs = (NowNs() - t0) / 1e9;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"frames\":{frames},\"bytes\":{bytes},\"seconds\":{secs}}}"));
            return 0;
        }

        if (role == "percall")
        {
            // Per-frame cost without a second process, as `zerobuffer-bench percall` (C++) and
            // ../python_percall.py: write one frame, read it back and release it on one thread, so
            // nobody waits and no cache line moves between cores. Fastest of three passes.
            string name = Get("name", $"zbb-percall-cs-{Environment.ProcessId}");
            long frames = long.Parse(Get("frames", "1000000"), CultureInfo.InvariantCulture);
            using var r = new Reader(name, cfg);
            using Writer w = ConnectWriter(name, spin);
            ulong acc = 0;
            double best = double.MaxValue;
            for (int pass = -1; pass < 3; pass++) // pass -1 warms the JIT and the mapping
            {
                long t0 = NowNs();
                for (long i = 0; i < frames; i++)
                {
                    Span<byte> b = w.GetFrameBuffer(n);
                    BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)i);
                    BinaryPrimitives.WriteUInt64LittleEndian(b[8..], 0);
                    w.CommitFrame();
                    Frame f = r.ReadFrame(TimeSpan.Zero);
                    acc += BinaryPrimitives.ReadUInt64LittleEndian(f.Span);
                    f.Dispose();
                }

                if (pass >= 0)
                {
                    best = Math.Min(best, (double)(NowNs() - t0) / frames);
                }
            }

            if (acc != 4 * (ulong)frames * (ulong)(frames - 1) / 2)
            {
                throw new InvalidOperationException("percall: a frame read back is not the one written");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"bench\":\"percall\",\"lang\":\"csharp\",\"size\":{n},\"ns_per_frame\":{best}}}"));
            return 0;
        }

        Console.Error.WriteLine("--role must be rtt-init, rtt-echo, stream-write, stream-read or percall");
        return 2;
    }
}
