using System;
using System.Collections.Generic;
using Xunit;
using ZeroBuffer.Internal;

namespace ZeroBuffer.Tests;

/// <summary>The adaptive spin policy: a sequence of hits and misses -> the budget (docs/performance.md, "Adaptive spinning").</summary>
public class AdaptiveSpinTests
{
    [Fact]
    public void A_full_budget_is_spent_first() => Assert.Equal(20_000, new AdaptiveSpin(20_000).Next());

    [Fact]
    public void Each_run_out_halves_the_budget_down_to_a_sixteenth()
    {
        var spin = new AdaptiveSpin(16_000);
        var seen = new List<long>();
        for (int i = 0; i < 4; i++)
        {
            spin.RanOut();
            seen.Add(spin.Next());
        }

        Assert.Equal(new long[] { 8_000, 4_000, 2_000, 1_000 }, seen); // 1/16 of the budget: still spinning
    }

    [Fact]
    public void Below_a_sixteenth_the_waiter_blocks_at_once()
    {
        var spin = new AdaptiveSpin(16_000);
        for (int i = 0; i < 5; i++)
        {
            spin.RanOut();
        }

        Assert.Equal(0, spin.Budget);
        Assert.Equal(0, spin.Next());
    }

    [Fact]
    public void At_zero_every_sixty_fourth_wait_probes_with_the_full_budget()
    {
        Assert.Equal(64, AdaptiveSpin.ProbeEvery);
        var spin = new AdaptiveSpin(16_000);
        for (int i = 0; i < 5; i++)
        {
            spin.RanOut();
        }

        var probes = new List<int>();
        for (int i = 0; i < 3 * AdaptiveSpin.ProbeEvery; i++)
        {
            long budget = spin.Next();
            if (budget != 0)
            {
                Assert.Equal(16_000, budget);
                probes.Add(i);
                spin.RanOut(); // a probe that fails leaves the budget at 0
            }
        }

        Assert.Equal(new[] { 63, 127, 191 }, probes);
        Assert.Equal(0, spin.Budget);
    }

    [Fact]
    public void A_spin_that_gets_its_post_restores_the_full_budget()
    {
        var spin = new AdaptiveSpin(20_000);
        for (int i = 0; i < 5; i++)
        {
            spin.RanOut();
        }

        spin.Succeeded();
        Assert.Equal(20_000, spin.Next());
        spin.RanOut();
        spin.Succeeded();
        Assert.Equal(20_000, spin.Next());
    }

    [Fact]
    public void A_successful_probe_restores_the_full_budget()
    {
        var spin = new AdaptiveSpin(20_000);
        for (int i = 0; i < 5; i++)
        {
            spin.RanOut();
        }

        long last = 0;
        for (int i = 0; i < AdaptiveSpin.ProbeEvery; i++)
        {
            last = spin.Next();
        }

        Assert.Equal(20_000, last);
        spin.Succeeded();
        Assert.Equal(new long[] { 20_000, 20_000, 20_000 }, new[] { spin.Next(), spin.Next(), spin.Next() });
    }

    [Fact]
    public void Zero_configured_never_spins()
    {
        var spin = new AdaptiveSpin(0);
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(0, spin.Next());
            spin.RanOut();
        }
    }

    [Fact]
    public void A_reader_whose_spins_keep_running_out_stops_spinning()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 4096) { SpinTime = TimeSpan.FromMilliseconds(1) });
        using var writer = new Writer(name) { SpinTime = TimeSpan.Zero };
        Assert.Equal(MonotonicClock.ToTicks(TimeSpan.FromMilliseconds(1)), reader.SpinBudgetTicks);

        // Five spins that run out (1 ms, 0.5, 0.25, 0.125, 0.0625 = 1/16) end spinning. A read
        // the machine's load delays past its deadline does not spin or ends by the deadline
        // (not a miss), so up to 20 reads are allowed.
        for (int i = 0; i < 20 && reader.SpinBudgetTicks != 0; i++)
        {
            Assert.False(reader.TryReadFrame(TimeSpan.FromMilliseconds(20), out _));
        }

        Assert.Equal(0, reader.SpinBudgetTicks);
    }

    [Fact]
    public void A_writer_whose_spins_keep_running_out_stops_spinning()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = new Reader(name, new BufferConfig(0, 128) { SpinTime = TimeSpan.Zero });
        using var writer = new Writer(name) { SpinTime = TimeSpan.FromMilliseconds(1) };
        writer.WriteFrame(new byte[100]);
        Assert.True(reader.TryReadFrame(TimeSpan.FromSeconds(1), out Frame held));
        for (int i = 0; i < 20 && writer.SpinBudgetTicks != 0; i++) // see the reader's test
        {
            Assert.False(writer.TryWriteFrame(new byte[100], TimeSpan.FromMilliseconds(20)));
        }

        Assert.Equal(0, writer.SpinBudgetTicks);
        held.Dispose();
    }
}
