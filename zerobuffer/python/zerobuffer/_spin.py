"""The adaptive spin budget of a waiting reader or writer (docs/performance.md, "Adaptive spinning").

Before blocking on a semaphore, a waiter polls it for up to a budget. Polling pays when the peer
runs at the same time on another CPU and answers within the budget; it is pure loss when the peer
cannot run until the waiter gives up the CPU (both on one CPU), where every wait costs the whole
budget before the block. The budget therefore adapts, as in the C++ library (src/spin.h):

* a spin that gets its post restores the full configured budget;
* a spin that runs out halves it; below 1/16 of the configured budget it becomes 0 (block at once);
* at 0, every PROBE_EVERY-th wait spins with the full budget again, so a peer that moved to
  another CPU is noticed (cost on one CPU: one budget per PROBE_EVERY waits).
"""

from __future__ import annotations

from typing import Callable

PROBE_EVERY = 64
"""At a budget of 0, one wait in this many spins with the full budget (a probe)."""


class AdaptiveSpin:
    """The current spin budget in nanoseconds; one per waiting side, process-local state only."""

    __slots__ = ("_max_ns", "_floor_ns", "budget_ns", "_waits_at_zero")

    def __init__(self, configured_ns: int) -> None:
        self._max_ns = max(0, configured_ns)
        self._floor_ns = self._max_ns // 16
        self.budget_ns = self._max_ns
        """The budget of the next wait unless it is a probe (read-only for callers)."""
        self._waits_at_zero = 0

    def next(self) -> int:
        """The budget of the next wait in nanoseconds (0: block at once)."""
        if self.budget_ns == 0 and self._max_ns > 0:
            self._waits_at_zero += 1
            if self._waits_at_zero >= PROBE_EVERY:
                self._waits_at_zero = 0
                return self._max_ns
        return self.budget_ns

    def succeeded(self) -> None:
        """The post came while spinning."""
        self.budget_ns = self._max_ns

    def ran_out(self) -> None:
        """The whole budget passed without a post."""
        budget = self.budget_ns // 2
        self.budget_ns = 0 if budget < self._floor_ns else budget

    def spin(self, remaining: float, poll_for: Callable[[int], bool]) -> bool:
        """One wait's spin: ``poll_for(limit_ns)`` polls for at most the budget of this wait, cut to
        ``remaining`` seconds (may be ``math.inf``), and returns True once what it waits for is there.
        Only a spin that ran for its whole budget counts as a miss."""
        budget_ns = self.next()
        if budget_ns == 0:
            return False
        limit_ns = int(min(budget_ns, remaining * 1e9))
        if poll_for(limit_ns):
            self.succeeded()
            return True
        if limit_ns == budget_ns:  # the whole budget passed, not the call's deadline
            self.ran_out()
        return False
