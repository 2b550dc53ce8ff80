namespace ZeroBuffer.Internal;

/// <summary>What a spin polls for: true when it is there (a frame to take, space to write).</summary>
internal interface ISpinPoll
{
    bool Poll();
}

/// <summary>
/// The adaptive spin budget of a waiting reader or writer (docs/performance.md, "Adaptive
/// spinning"), the policy of the C++ library's src/spin.h: spin only while spinning pays.
/// </summary>
/// <remarks>
/// Before blocking on a semaphore, a waiter polls it for up to a budget. Polling pays when the
/// peer runs at the same time on another CPU and answers within the budget; it is pure loss when
/// the peer cannot run until the waiter gives up the CPU (both on one CPU), where every wait
/// costs the whole budget before the block. So:
/// a spin that gets its post restores the full configured budget;
/// a spin that runs out halves it, and below 1/16 of the configured budget it becomes 0 (block at once);
/// at 0, every <see cref="ProbeEvery"/>-th wait spins with the full budget again, so a peer that
/// moved to another CPU is noticed (cost on one CPU: one budget per <see cref="ProbeEvery"/> waits).
/// Budgets are <see cref="MonotonicClock"/> ticks. One instance per waiting side; no allocation per wait.
/// </remarks>
internal sealed class AdaptiveSpin
{
    /// <summary>At a budget of 0, one wait in this many spins with the full budget (a probe).</summary>
    public const int ProbeEvery = 64;

    private readonly long _max;
    private long _budget;
    private int _waitsAtZero;

    public AdaptiveSpin(long configuredTicks)
    {
        _max = configuredTicks > 0 ? configuredTicks : 0;
        _budget = _max;
    }

    /// <summary>The budget of the next wait unless it is a probe (0: block at once).</summary>
    public long Budget => _budget;

    /// <summary>The budget of the next wait (0: block at once).</summary>
    public long Next()
    {
        if (_budget == 0 && _max > 0 && ++_waitsAtZero >= ProbeEvery)
        {
            _waitsAtZero = 0;
            return _max;
        }

        return _budget;
    }

    /// <summary>The post came while spinning.</summary>
    public void Succeeded() => _budget = _max;

    /// <summary>The whole budget passed without a post.</summary>
    public void RanOut()
    {
        _budget /= 2;
        if (_budget < _max / 16)
        {
            _budget = 0;
        }
    }

    /// <summary>
    /// Polls <paramref name="poll"/> for at most the budget of this wait, as the C++ library does:
    /// one poll after another with nothing in between, the clock read only every
    /// <see cref="MonotonicClock.SpinPollsPerClockRead"/> polls. (A Thread.SpinWait between polls
    /// made the poll interval depend on the runtime's pause calibration: 2.5 µs per
    /// Thread.SpinWait(16) on the benchmark VM, see docs/csharp.md.) A call that may not wait
    /// (its deadline has passed) does not spin and leaves the budget as it is; a spin cut short
    /// by the deadline is not a miss. A struct poll keeps the loop free of allocation and calls.
    /// </summary>
    public bool Spin<TPoll>(long deadline, ref TPoll poll)
        where TPoll : struct, ISpinPoll
    {
        long now = MonotonicClock.Now;
        if (deadline <= now)
        {
            return false;
        }

        long budget = Next();
        if (budget == 0)
        {
            return false;
        }

        long spinLimit = now + budget;
        long spinEnd = System.Math.Min(deadline, spinLimit);
        int polls = MonotonicClock.SpinPollsPerClockRead;
        while (true)
        {
            if (poll.Poll())
            {
                Succeeded();
                return true;
            }

            if (--polls == 0)
            {
                if (MonotonicClock.Now >= spinEnd)
                {
                    break;
                }

                polls = MonotonicClock.SpinPollsPerClockRead;
            }
        }

        if (spinEnd == spinLimit)
        {
            RanOut(); // the whole budget passed, not the call's deadline
        }

        return false;
    }
}
