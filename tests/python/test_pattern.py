"""The payload pattern: byte[i] = (i + 7 * sequence + seed) mod 251."""

from __future__ import annotations

import unittest

import zb_support  # noqa: F401  (import paths)
from zerobuffer_serve.pattern import pattern


def slow_pattern(size: int, sequence: int, seed: int) -> bytes:
    return bytes((i + 7 * sequence + seed) % 251 for i in range(size))


class PatternTest(unittest.TestCase):
    def test_matches_the_formula(self) -> None:
        for size in (0, 1, 250, 251, 252, 1000, 70000):
            for sequence in (0, 1, 2, 36, 1000):
                for seed in (0, 5, 250, 251, -1, 10**12):
                    with self.subTest(size=size, sequence=sequence, seed=seed):
                        self.assertEqual(bytes(pattern(size, sequence, seed)), slow_pattern(size, sequence, seed))

    def test_negative_seed_is_its_non_negative_residue(self) -> None:
        self.assertEqual(bytes(pattern(10, 3, -1)), bytes(pattern(10, 3, 250)))

    def test_neighbouring_frames_differ(self) -> None:
        self.assertNotEqual(bytes(pattern(300, 1)), bytes(pattern(300, 2)))


if __name__ == "__main__":
    unittest.main()
