"""Frames handed out by a Reader."""

from __future__ import annotations

from types import TracebackType
from typing import Callable, Optional


class Frame:
    """One frame: a read-only, zero-copy view of its bytes in shared memory.

    While the frame is held the writer cannot overwrite it. ``release()`` (or leaving a
    ``with`` block, or dropping the last reference) returns the space. After release ``data``
    is a released memoryview; slices taken from it earlier must not be used any more.
    Releasing twice does nothing.
    """

    __slots__ = ("_data", "_sequence", "_size", "_on_release")

    def __init__(self, data: memoryview, sequence: int, on_release: Optional[Callable[[], None]]) -> None:
        self._data = data
        self._sequence = sequence
        self._size = len(data)
        self._on_release = on_release

    @property
    def data(self) -> memoryview:
        """The payload bytes (read-only memoryview straight into shared memory)."""
        return self._data

    @property
    def sequence(self) -> int:
        """The writer's sequence number of this frame (1, 2, 3 ... per writer session)."""
        return self._sequence

    @property
    def size(self) -> int:
        """Payload length in bytes."""
        return self._size

    @property
    def is_released(self) -> bool:
        return self._on_release is None

    def tobytes(self) -> bytes:
        """A copy of the payload."""
        return self._data.tobytes()

    def release(self) -> None:
        """Returns the frame's space to the writer (in ring order, see Reader); idempotent."""
        on_release, self._on_release = self._on_release, None
        if on_release is None:
            return
        try:
            self._data.release()
        except BufferError:
            pass  # something still exports this view; it stays valid until that is gone
        on_release()

    def __len__(self) -> int:
        return self._size

    def __bytes__(self) -> bytes:
        return self._data.tobytes()

    def __enter__(self) -> "Frame":
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.release()

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = ", released" if self._on_release is None else ""
        return f"Frame(sequence={self._sequence}, size={self._size}{state})"
