"""The adaptive spin policy (_spin.AdaptiveSpin): a sequence of hits and misses -> the budget."""

from __future__ import annotations

import unittest

from zerobuffer._spin import PROBE_EVERY, AdaptiveSpin


class AdaptiveSpinTest(unittest.TestCase):
    def test_a_full_budget_is_spent_first(self) -> None:
        self.assertEqual(AdaptiveSpin(20_000).next(), 20_000)

    def test_each_run_out_halves_the_budget_down_to_a_sixteenth(self) -> None:
        spin = AdaptiveSpin(16_000)
        seen = []
        for _ in range(4):
            spin.ran_out()
            seen.append(spin.next())
        self.assertEqual(seen, [8_000, 4_000, 2_000, 1_000])  # 1/16 of the budget: still spinning

    def test_below_a_sixteenth_the_waiter_blocks_at_once(self) -> None:
        spin = AdaptiveSpin(16_000)
        for _ in range(5):
            spin.ran_out()
        self.assertEqual(spin.budget_ns, 0)
        self.assertEqual(spin.next(), 0)

    def test_at_zero_every_sixty_fourth_wait_probes_with_the_full_budget(self) -> None:
        self.assertEqual(PROBE_EVERY, 64)
        spin = AdaptiveSpin(16_000)
        for _ in range(5):
            spin.ran_out()
        budgets = []
        for _ in range(3 * PROBE_EVERY):
            budget = spin.next()
            budgets.append(budget)
            if budget:
                spin.ran_out()  # a probe that fails leaves the budget at 0
        probes = [i for i, b in enumerate(budgets) if b]
        self.assertEqual(probes, [PROBE_EVERY - 1, 2 * PROBE_EVERY - 1, 3 * PROBE_EVERY - 1])
        self.assertEqual({budgets[i] for i in probes}, {16_000})
        self.assertEqual(spin.budget_ns, 0)

    def test_a_spin_that_gets_its_post_restores_the_full_budget(self) -> None:
        spin = AdaptiveSpin(20_000)
        for _ in range(5):
            spin.ran_out()
        spin.succeeded()
        self.assertEqual(spin.next(), 20_000)
        spin.ran_out()
        spin.succeeded()
        self.assertEqual(spin.next(), 20_000)

    def test_a_successful_probe_restores_the_full_budget(self) -> None:
        spin = AdaptiveSpin(20_000)
        for _ in range(5):
            spin.ran_out()
        budgets = [spin.next() for _ in range(PROBE_EVERY)]
        self.assertEqual(budgets[-1], 20_000)
        spin.succeeded()
        self.assertEqual([spin.next() for _ in range(3)], [20_000] * 3)

    def test_zero_configured_never_spins(self) -> None:
        spin = AdaptiveSpin(0)
        for _ in range(200):
            self.assertEqual(spin.next(), 0)
            spin.ran_out()


if __name__ == "__main__":
    unittest.main()
