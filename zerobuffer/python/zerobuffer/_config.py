"""Configuration of a buffer."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TIMEOUT = 5.0
"""Seconds a read waits for a frame and a write waits for space, unless told otherwise."""

DEFAULT_SPIN = 20e-6
"""The largest time in seconds a waiting read or write polls its semaphore (sem_trywait) before it blocks;
the budget adapts between 0 and this (see _spin.AdaptiveSpin)."""


@dataclass(frozen=True)
class BufferConfig:
    """How a Reader creates its buffer.

    Sizes are rounded up to multiples of 64 bytes. Frames of up to ``payload_size / 2 - 16``
    bytes can always be written; larger ones only from some ring positions (protocol 1.0).
    """

    metadata_size: int = 1024
    """Bytes for the write-once metadata, including its 8-byte length prefix. 0 allowed."""
    payload_size: int = 1024 * 1024
    """Bytes of the payload ring. Must be > 0."""
    mode: int = 0o600
    """Permission bits of the shared memory, semaphores and lock file, applied exactly (umask ignored)."""
    spin: float = DEFAULT_SPIN
    """The largest time in seconds read_frame polls for a frame before it blocks (0: block at once; the
    budget adapts, see docs/python.md). Not part of the buffer."""


def spin_budget_ns(seconds: float, what: str) -> int:
    """A spin time in seconds as whole nanoseconds; TypeError / ValueError unless 0 <= seconds < 3600."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{what} must be a number of seconds, got {type(seconds).__name__}")
    if not 0 <= seconds < 3600:
        raise ValueError(f"{what} must be between 0 and 3600 seconds, got {seconds!r}")
    return int(seconds * 1e9)
