"""The reader side: creates (and on close removes) a named buffer and consumes its frames."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import deque
from functools import partial
from types import TracebackType
from typing import Optional

from . import _posix
from ._config import DEFAULT_TIMEOUT, BufferConfig, spin_budget_ns
from ._errors import (
    CorruptBufferException,
    InvalidFrameSizeException,
    InvalidStateException,
    ReaderAlreadyConnectedException,
    SequenceError,
    WriterDeadException,
)
from ._frame import Frame
from ._names import WRITER_LOCK_SUFFIX, BufferNames, is_valid_name
from ._oieb import (
    FRAME_HEADER,
    FRAME_HEADER_SIZE,
    METADATA_OFFSET,
    METADATA_PREFIX_SIZE,
    OIEB_SIZE,
    U64,
    OIEBView,
    payload_offset,
    round_up_block,
)
from ._posix import (
    LockFile,
    Semaphore,
    SharedMemory,
    current_pid,
    monotonic,
    peer_alive,
    pid_alive,
    remove_free_lock,
    unlink_quietly,
    watched_view,
)
from ._spin import AdaptiveSpin

LIVENESS_INTERVAL = 0.1
"""Longest time (seconds) a waiting reader goes without re-checking that the writer lives."""

_MAX_OBJECT_SIZE = sys.maxsize


class _Hold:
    """Space of the ring that is handed back to the writer once everything before it is released.

    A frame's hold is released when the last view of the frame's bytes is gone (``watch``).
    """

    __slots__ = ("amount", "released", "watch")

    def __init__(self, amount: int, released: bool) -> None:
        self.amount = amount
        self.released = released
        self.watch: object = None


class Reader:
    """Creates the buffer NAME and reads its frames.

    Frames are zero-copy views; several may be held at once. Their space goes back to the
    writer in ring order: releasing a frame returns its space (and that of wrap markers or
    short tails passed after it) once every frame read before it is released too.

    Not thread-safe: use a Reader and its frames from one thread.
    """

    def __init__(self, name: str, config: Optional[BufferConfig] = None) -> None:
        self._closed = True
        self._owner_pid = os.getpid()
        config = config if config is not None else BufferConfig()
        names = BufferNames(name)
        metadata_size, payload_size, mode = _validated_layout(config)
        spin_ns = spin_budget_ns(config.spin, "BufferConfig.spin")

        lock_dir = _posix.lock_dir()
        _remove_stale_buffers(lock_dir)
        with contextlib.ExitStack() as undo:
            lock = LockFile.acquire(names.lock_path(lock_dir), mode)
            if lock is None:
                raise ReaderAlreadyConnectedException(f"buffer '{names.name}' already has a reader (its lock is held)")
            undo.callback(lock.remove)
            _remove_previous_buffer(names)
            # A writer still holding it writes into the buffer just replaced; ours gets a new one.
            unlink_quietly(names.writer_lock_path(lock_dir))

            shm = SharedMemory.create(names.shm, OIEB_SIZE + metadata_size + payload_size, mode)
            undo.callback(SharedMemory.unlink, names.shm)
            undo.callback(shm.close)
            oieb = OIEBView(shm.view)
            undo.callback(oieb.release)
            oieb.initialise(metadata_size, payload_size, os.getpid())

            # The semaphores come last: a writer that finds all three finds an initialised buffer.
            sem_w = Semaphore.create(names.sem_w, mode)
            undo.callback(Semaphore.unlink, names.sem_w)
            undo.callback(sem_w.close)
            sem_r = Semaphore.create(names.sem_r, mode)
            undo.callback(Semaphore.unlink, names.sem_r)
            undo.callback(sem_r.close)
            undo.pop_all()

        self._names = names
        self._lock = lock
        self._writer_lock_path = names.writer_lock_path(lock_dir)
        self._shm = shm
        self._view = shm.view
        self._oieb = oieb
        self._sem_w = sem_w
        self._sem_r = sem_r
        self._metadata_size = metadata_size
        self._payload_size = payload_size
        self._payload_base = payload_offset(metadata_size)
        self._mode = mode
        self._spin = AdaptiveSpin(spin_ns)

        self._read_pos = 0
        self._read_count = 0
        self._expected_sequence = 1
        self._holds: deque[_Hold] = deque()
        self._frames_read = 0
        self._bytes_read = 0
        self._resync_sequence: Optional[int] = None  # after a SequenceError(E, A): A + 1, also accepted next
        self._writer_seen = False  # a writer connected at some point (a frame arrived or its PID was seen)
        self._closed = False

    # -- properties --------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._names.name

    @property
    def frames_read(self) -> int:
        """Frames handed out so far."""
        return self._frames_read

    @property
    def bytes_read(self) -> int:
        """Payload bytes handed out so far."""
        return self._bytes_read

    @property
    def metadata_size(self) -> int:
        """Size of the metadata block after rounding."""
        return self._metadata_size

    @property
    def payload_size(self) -> int:
        """Size of the payload ring after rounding."""
        return self._payload_size

    @property
    def mode(self) -> int:
        """Permission bits applied to the buffer's objects."""
        return self._mode

    @property
    def held_frames(self) -> int:
        """Frames read but not yet released."""
        return sum(1 for hold in self._holds if not hold.released)

    @property
    def oieb(self) -> OIEBView:
        """The live OIEB (for diagnostics)."""
        self._check_open()
        return self._oieb

    @property
    def closed(self) -> bool:
        return self._closed

    # -- reading -----------------------------------------------------------------------------

    def read_frame(self, timeout: float = DEFAULT_TIMEOUT) -> Optional[Frame]:
        """Waits up to ``timeout`` seconds for the next frame; ``None`` on timeout.

        ``timeout=math.inf`` waits forever; a negative timeout does not wait.

        Raises WriterDeadException when the writer died (or closed) and every frame it wrote
        was consumed, SequenceError for an unexpected sequence number (the frame is consumed:
        the next call returns the frame after it), CorruptBufferException for an impossible
        frame header.
        """
        self._check_open()
        oieb = self._oieb
        sem_w = self._sem_w
        deadline = monotonic() + max(0.0, timeout)  # math.inf stays inf: no deadline
        may_spin = True  # once per call, before the first blocking wait
        while True:
            if not sem_w.try_wait():
                remaining = deadline - monotonic()
                if remaining > 0:
                    if not (may_spin and self._spin_for_post(remaining)):
                        sem_w.timed_wait(min(remaining, LIVENESS_INTERVAL))
                    may_spin = False
            # With or without a post, the counters decide: a post whose frame was already taken
            # is skipped, and a complete frame whose post never came (its writer died between
            # publishing and posting) is read anyway.
            written = oieb.payload_written_count
            if self._complete_frame_ready(written) or self._check_writer():
                return self._take_frame()
            if monotonic() >= deadline:
                return None

    def _spin_for_post(self, remaining: float) -> bool:
        """Polls sem-w for the current adaptive budget (at most ``remaining`` seconds); True if a post came."""
        return self._spin.spin(remaining, self._sem_w.spin_wait)

    def release_frame(self, frame: Frame) -> None:
        """Same as ``frame.release()``."""
        frame.release()

    def get_metadata(self) -> memoryview:
        """The metadata the writer stored, without its length prefix (read-only, zero-copy).

        Empty when none was written. CorruptBufferException if the stored length is impossible.
        """
        self._check_open()
        written = self._oieb.metadata_written_bytes
        if written == 0:
            return memoryview(b"")
        if written < METADATA_PREFIX_SIZE or written > self._metadata_size:
            raise CorruptBufferException(
                f"metadata_written_bytes is {written}, impossible for a metadata block of {self._metadata_size} bytes"
            )
        length = U64.unpack_from(self._view, METADATA_OFFSET)[0]
        if length > written - METADATA_PREFIX_SIZE:
            raise CorruptBufferException(
                f"metadata length {length} exceeds the {written - METADATA_PREFIX_SIZE} bytes written"
            )
        start = METADATA_OFFSET + METADATA_PREFIX_SIZE
        return self._view[start : start + length].toreadonly()

    def is_writer_connected(self, timeout: float = 0.0) -> bool:
        """True when a writer PID is set and that process lives; waits up to ``timeout`` seconds for one."""
        self._check_open()
        deadline = monotonic() + max(0.0, timeout)
        while True:
            pid = self._oieb.writer_pid
            if pid != 0 and peer_alive(self._writer_lock_path, pid):
                return True
            remaining = deadline - monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(remaining, 0.01))

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Marks the reader gone and removes the shared memory, semaphores and lock file; idempotent.

        Frames (and metadata views) still referenced stay readable: the mapping is unmapped when
        the last of them is gone.
        """
        if self._closed:
            return
        self._closed = True
        self._holds.clear()
        if current_pid() != self._owner_pid:
            # A forked child only lets go of its copies; the buffer belongs to the parent.
            self._oieb.release()
            self._shm.close()
            self._sem_w.close()
            self._sem_r.close()
            self._lock.close()
            return
        self._oieb.reader_pid = 0
        self._oieb.release()
        self._shm.close()
        SharedMemory.unlink(self._names.shm)
        self._sem_w.close()
        self._sem_r.close()
        Semaphore.unlink(self._names.sem_w)
        Semaphore.unlink(self._names.sem_r)
        remove_free_lock(self._writer_lock_path)  # a killed writer's; a live writer removes its own
        self._lock.remove()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            try:
                self.close()
            except Exception:
                pass

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"frames_read={self._frames_read}"
        return f"Reader({self._names.name!r}, {state})" if hasattr(self, "_names") else "Reader(<not created>)"

    # -- internals ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidStateException("the reader is closed")
        if current_pid() != self._owner_pid:
            raise InvalidStateException(
                f"this reader belongs to process {self._owner_pid}; a process forked from it cannot use it"
            )

    def _complete_frame_ready(self, written: int) -> bool:
        """True when the counters show a whole unread frame (a wrap marker alone is not one)."""
        pending = written - self._read_count
        if pending <= 0:
            return False
        pos = self._read_pos
        if self._payload_size - pos < FRAME_HEADER_SIZE:
            pos = 0
        is_marker = U64.unpack_from(self._view, self._payload_base + pos)[0] == 0
        # A marker at 0 is never legitimate: let _take_frame report the corruption.
        return pending >= 2 if is_marker and pos != 0 else True

    def _check_writer(self) -> bool:
        """Raises WriterDeadException when the writer is gone; True when a frame is ready after all.

        The writer may have published a frame after the last look and then died or closed, so
        the counters are read once more, after its pid, before it is declared gone.
        """
        oieb = self._oieb
        pid = oieb.writer_pid
        if pid != 0:
            if peer_alive(self._writer_lock_path, pid):
                self._writer_seen = True
                return False
            message = f"the writer process {pid} died"
        else:
            if not self._writer_seen:
                # Frames or metadata in the buffer also prove that a writer was connected.
                self._writer_seen = oieb.payload_written_count != 0 or oieb.metadata_written_bytes != 0
            if not self._writer_seen:
                return False
            message = "the writer closed and every frame it wrote was read"
        if self._complete_frame_ready(oieb.payload_written_count):
            return True
        self._reclaim_leaked_space()
        raise WriterDeadException(message)

    def _reclaim_leaked_space(self) -> None:
        """Takes back the bytes a writer killed right after its reserve (§4.1 step 6a) left
        subtracted (rule read.reclaim-leak): with the writer gone, every published item consumed,
        nothing held and the write position at ours, the ring is empty and its free count is P.

        Free bytes are loaded before writer_pid: a successor claims before it reserves, so a
        reservation made before that load shows as a live writer_pid, and one made after it
        makes the compare-and-swap fail.
        """
        if self._holds or os.getpid() != self._owner_pid:
            return
        oieb = self._oieb
        free_bytes = oieb.payload_free_bytes
        writer = oieb.writer_pid
        if writer != 0 and peer_alive(self._writer_lock_path, writer):
            return
        write_pos = oieb.payload_write_pos % self._payload_size
        if oieb.payload_written_count != self._read_count or write_pos != self._read_pos:
            return
        if free_bytes < self._payload_size:
            oieb.compare_exchange_payload_free_bytes(free_bytes, self._payload_size)

    def _take_frame(self) -> Frame:
        view = self._view
        base = self._payload_base
        size_p = self._payload_size
        pos = self._read_pos
        if size_p - pos < FRAME_HEADER_SIZE:
            # Short tail: the writer wrapped without room for a marker.
            self._pass_space(size_p - pos)
            pos = 0
        size, sequence = FRAME_HEADER.unpack_from(view, base + pos)
        if size == 0:
            # Wrap marker: counted, refunded, not posted; the frame follows at 0.
            if pos == 0:
                self._set_read_pos(0)
                raise CorruptBufferException("a wrap marker at ring position 0")
            self._pass_space(size_p - pos)
            pos = 0
            self._read_count += 1
            self._oieb.payload_read_count = self._read_count
            size, sequence = FRAME_HEADER.unpack_from(view, base)
            if size == 0:
                self._set_read_pos(0)
                raise CorruptBufferException("a wrap marker at ring position 0")
        total = FRAME_HEADER_SIZE + size
        if total > size_p - pos:
            self._set_read_pos(pos)
            raise CorruptBufferException(
                f"frame header at ring position {pos} claims {size} bytes; "
                f"only {size_p - pos - FRAME_HEADER_SIZE} fit before the end of the {size_p}-byte ring"
            )

        # Sequence 1 always begins a new writer session; after an error A + 1 is accepted too.
        accepted = sequence in (1, self._expected_sequence) or sequence == self._resync_sequence
        expected = self._expected_sequence

        self._set_read_pos((pos + total) % size_p)
        self._read_count += 1
        self._oieb.payload_read_count = self._read_count
        self._writer_seen = True
        if not accepted:
            # Consumed, so the stream goes on; its space goes back like a released frame's.
            self._expected_sequence = expected + 1
            self._resync_sequence = sequence + 1
            self._pass_space(total, post=True)
            raise SequenceError(expected, sequence)
        self._expected_sequence = sequence + 1
        self._resync_sequence = None

        hold = _Hold(total, released=False)
        self._holds.append(hold)
        self._frames_read += 1
        self._bytes_read += size
        start = base + pos + FRAME_HEADER_SIZE
        data, hold.watch = watched_view(view[start : start + size], partial(self._release_hold, hold))
        return Frame(data, sequence)

    def _set_read_pos(self, pos: int) -> None:
        self._read_pos = pos
        self._oieb.payload_read_pos = pos

    def _pass_space(self, amount: int, post: bool = False) -> None:
        """Returns space the reader moved past: now if nothing is held, else after the held frames."""
        if amount <= 0:
            return
        if self._holds:
            self._holds.append(_Hold(amount, released=True))
            # A frame whose last view went while the entry was made (its release runs from a
            # weakref callback, e.g. during garbage collection) may have emptied the front.
            self._return_released()
            return
        self._oieb.add_payload_free_bytes(amount)
        if post:
            self._sem_r.post()

    def _release_hold(self, hold: _Hold) -> None:
        """Runs when the last view of a frame's bytes is gone (see Frame.release)."""
        hold.watch = None
        if hold.released or self._closed or current_pid() != self._owner_pid:
            hold.released = True  # closed, or a forked child's copy: the space is not ours to return
            return
        hold.released = True
        self._return_released()

    def _return_released(self) -> None:
        """Returns the space of the released entries at the front of the ring-order queue."""
        holds = self._holds
        amount = 0
        while holds and holds[0].released:
            amount += holds.popleft().amount
        if amount:
            self._oieb.add_payload_free_bytes(amount)
            self._sem_r.post()


def _validated_layout(config: BufferConfig) -> tuple[int, int, int]:
    """(metadata_size, payload_size, mode) after rounding; raises for impossible values."""
    for field in ("metadata_size", "payload_size", "mode"):
        value = getattr(config, field)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"BufferConfig.{field} must be an int, got {type(value).__name__}")
    if config.payload_size <= 0:
        raise InvalidFrameSizeException(f"payload size must be greater than 0, got {config.payload_size}")
    if config.metadata_size < 0:
        raise InvalidFrameSizeException(f"metadata size must not be negative, got {config.metadata_size}")
    if not 0 <= config.mode <= 0o777:
        raise ValueError(f"mode must be permission bits between 0 and 0o777, got {oct(config.mode)}")
    metadata_size = round_up_block(config.metadata_size)
    payload_size = round_up_block(config.payload_size)
    total = OIEB_SIZE + metadata_size + payload_size
    if total > _MAX_OBJECT_SIZE:
        raise InvalidFrameSizeException(
            f"metadata size {config.metadata_size} plus payload size {config.payload_size} "
            f"exceed the largest possible shared memory object"
        )
    return metadata_size, payload_size, config.mode


def _remove_previous_buffer(names: BufferNames) -> None:
    """Unlinks an old buffer of this name unless a live reader still owns it."""
    prefix = SharedMemory.read_prefix(names.shm, OIEB_SIZE)
    if prefix is not None and len(prefix) == OIEB_SIZE:
        reader_pid = OIEBView(prefix).reader_pid
        if pid_alive(reader_pid):
            raise ReaderAlreadyConnectedException(
                f"buffer '{names.name}' already has a live reader (pid {reader_pid})"
            )
    SharedMemory.unlink(names.shm)
    Semaphore.unlink(names.sem_w)
    Semaphore.unlink(names.sem_r)


def _remove_stale_buffers(lock_dir: str) -> None:
    """Removes lock files nobody holds, and their buffers when no live process uses them."""
    try:
        entries = os.listdir(lock_dir)
    except OSError:
        return
    for entry in entries:
        if entry.endswith(WRITER_LOCK_SUFFIX) and is_valid_name(entry[: -len(WRITER_LOCK_SUFFIX)]):
            # A writer that died after its reader closed: nobody else removes its lock.
            remove_free_lock(os.path.join(lock_dir, entry))
            continue
        if not entry.endswith(".lock") or not is_valid_name(entry[: -len(".lock")]):
            continue
        names = BufferNames(entry[: -len(".lock")])
        lock = LockFile.try_existing(names.lock_path(lock_dir))
        if lock is None:
            continue
        try:
            prefix = SharedMemory.read_prefix(names.shm, OIEB_SIZE)
            in_use = False
            if prefix is not None:
                # An object without a complete OIEB may be a reader (of another lock directory)
                # still creating it: keep it; the next reader of the name replaces it.
                oieb = OIEBView(prefix) if len(prefix) == OIEB_SIZE else None
                # We hold the reader's lock: it names the dead reader, or says nothing.
                in_use = (
                    oieb is None
                    or oieb.oieb_size == 0
                    or peer_alive(names.writer_lock_path(lock_dir), oieb.writer_pid)
                    or (not lock.names_pid(oieb.reader_pid) and pid_alive(oieb.reader_pid))
                )
            if not in_use:
                SharedMemory.unlink(names.shm)
                Semaphore.unlink(names.sem_w)
                Semaphore.unlink(names.sem_r)
        finally:
            remove_free_lock(names.writer_lock_path(lock_dir))
            lock.remove()
