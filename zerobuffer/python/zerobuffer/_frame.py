"""Frames handed out by a Reader."""

from __future__ import annotations

from types import TracebackType
from typing import Optional


_RELEASED = memoryview(b"")
_RELEASED.release()


class Frame:
    """One frame: a read-only, zero-copy view of its bytes in shared memory.

    While the frame is held the writer cannot overwrite it. ``release()`` (or leaving a
    ``with`` block, or dropping the last reference) gives the frame up; after it ``data`` is a
    released memoryview. The space goes back to the writer once nothing views the bytes any
    more: views derived from ``data`` earlier (slices, ``numpy.frombuffer(frame.data)``) keep
    it held until they are gone too, so they never see the writer's next frames. Releasing
    twice does nothing.
    """

    __slots__ = ("_data", "_sequence", "_size", "_released")

    def __init__(self, data: memoryview, sequence: int) -> None:
        self._data = data
        self._sequence = sequence
        self._size = len(data)
        self._released = False

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
        return self._released

    def tobytes(self) -> bytes:
        """A copy of the payload."""
        return self._data.tobytes()

    def release(self) -> None:
        """Gives the frame up; its space returns (in ring order, see Reader) once no view of it is left.

        Idempotent.
        """
        if self._released:
            return
        self._released = True
        data, self._data = self._data, _RELEASED
        try:
            data.release()
        except BufferError:
            pass  # exported (e.g. to numpy): the space comes back when that export is gone

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
        state = ", released" if self._released else ""
        return f"Frame(sequence={self._sequence}, size={self._size}{state})"
