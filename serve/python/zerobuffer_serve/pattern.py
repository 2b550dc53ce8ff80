"""The payload pattern of the serve protocol: byte[i] = (i + 7 * sequence + seed) mod 251.

The pattern is periodic with period 251, so frames are cut out of one repeated table:
no per-byte Python arithmetic, only slicing.
"""

from __future__ import annotations

PERIOD = 251
_BASE = bytes(range(PERIOD))
_table = _BASE * 64


def _table_for(size: int) -> bytes:
    """A repetition of the base period at least ``size + PERIOD`` bytes long."""
    global _table
    if len(_table) < size + PERIOD:
        repeats = 2 * (size + PERIOD) // PERIOD + 1
        _table = _BASE * repeats
    return _table


def start_offset(sequence: int, seed: int) -> int:
    """Value of byte 0 (and offset into the table) for a frame."""
    return (7 * sequence + seed) % PERIOD


def pattern(size: int, sequence: int, seed: int = 0) -> memoryview:
    """The ``size`` pattern bytes of frame ``sequence`` (a read-only view, no copy)."""
    table = _table_for(size)
    start = start_offset(sequence, seed)
    return memoryview(table)[start : start + size]
