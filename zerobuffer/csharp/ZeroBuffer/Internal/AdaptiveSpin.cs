namespace ZeroBuffer.Internal;

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
}
