"""Configuration of a buffer."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TIMEOUT = 5.0
"""Seconds a read waits for a frame and a write waits for space, unless told otherwise."""


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
