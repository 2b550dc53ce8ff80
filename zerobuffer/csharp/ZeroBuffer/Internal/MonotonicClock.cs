using System;
using System.Diagnostics;

namespace ZeroBuffer.Internal;

/// <summary>Deadlines on the monotonic clock (Stopwatch ticks; CLOCK_MONOTONIC on Linux).</summary>
internal static class MonotonicClock
{
    /// <summary>The longest a blocking wait may sleep before peer liveness is checked again.</summary>
    public static readonly TimeSpan LivenessSlice = TimeSpan.FromMilliseconds(LivenessSliceMilliseconds);

    public static readonly long LivenessSliceTicks = ToTicks(LivenessSlice);

    /// <summary><see cref="LivenessSlice"/> in milliseconds (the unit of <see cref="CoarseMilliseconds"/>).</summary>
    public const long LivenessSliceMilliseconds = 100;

    /// <summary>
    /// Milliseconds of a coarse monotonic clock (<see cref="Environment.TickCount64"/>: on Linux
    /// CLOCK_MONOTONIC_COARSE, a few milliseconds of resolution). For the writer's once-per-frame
    /// "is the liveness interval over" test, where a precise clock read per frame cost about a
    /// tenth of a frame (docs/csharp.md); deadlines use <see cref="Now"/>.
    /// </summary>
    public static long CoarseMilliseconds => Environment.TickCount64;

    /// <summary>sem_trywait polls of a spinning wait between two clock reads (a read costs about as much as a poll).</summary>
    public const int SpinPollsPerClockRead = 8;

    public static long Now => Stopwatch.GetTimestamp();

    public static long ToTicks(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return 0;
        }

        double ticks = span.TotalSeconds * Stopwatch.Frequency;
        return ticks >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)ticks;
    }

    public static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);

    /// <summary>
    /// A deadline <paramref name="timeout"/> from now, saturated (protocol.md section 6, time.forever):
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>, <see cref="TimeSpan.MaxValue"/> and any
    /// timeout whose end does not fit the clock never expire; other negative timeouts are now.
    /// </summary>
    public static long DeadlineAfter(TimeSpan timeout)
    {
        if (timeout == System.Threading.Timeout.InfiniteTimeSpan || timeout == TimeSpan.MaxValue)
        {
            return long.MaxValue;
        }

        long now = Now;
        long ticks = ToTicks(timeout);
        return ticks >= long.MaxValue - now ? long.MaxValue : now + ticks;
    }
}
