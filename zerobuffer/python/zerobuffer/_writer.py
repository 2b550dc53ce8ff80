"""The writer side: connects to a buffer a reader created and publishes frames into it."""

from __future__ import annotations

import contextlib
import os
import time
from types import TracebackType
from typing import Any, Optional

from ._config import DEFAULT_SPIN, DEFAULT_TIMEOUT, spin_budget_ns
from ._errors import (
    BufferFullException,
    BufferNotFoundException,
    CorruptBufferException,
    FrameTooLargeException,
    IncompatibleVersionException,
    InternalException,
    InvalidFrameSizeException,
    InvalidStateException,
    MetadataAlreadyWrittenException,
    MetadataTooLargeException,
    ReaderDeadException,
    WriterAlreadyConnectedException,
    ZeroBufferException,
)
from ._names import BufferNames
from ._oieb import (
    FRAME_HEADER,
    FRAME_HEADER_SIZE,
    METADATA_OFFSET,
    METADATA_PREFIX_SIZE,
    OIEB_SIZE,
    U64,
    VERSION,
    WRAP_MARKER,
    OIEBView,
    payload_offset,
)
from . import _posix
from ._posix import LockFile, Semaphore, SharedMemory, current_pid, monotonic, monotonic_ns, peer_alive
from ._spin import AdaptiveSpin

LIVENESS_INTERVAL = 0.1
"""Longest time (seconds) a writer goes without re-checking that the reader lives."""

CONNECT_RETRY_INTERVAL = 0.01
"""Seconds between connect attempts of a writer waiting for its reader."""


class Writer:
    """Connects to the buffer NAME as its only writer and writes frames into it.

    ``write_timeout`` (seconds) bounds each wait for space; a call may pass its own ``timeout``.
    Not thread-safe: use a Writer from one thread.
    """

    def __init__(
        self,
        name: str,
        *,
        write_timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = 0.0,
        spin: float = DEFAULT_SPIN,
    ) -> None:
        """Connects to the buffer; waits up to ``connect_timeout`` seconds for a live reader.

        While the connect fails in a way ``is_connect_retryable`` accepts, it is retried every
        10 ms until ``connect_timeout`` is spent (0: one attempt); then the last error is raised.
        A write that has to wait for space polls for it up to ``spin`` seconds before it blocks
        (0: block at once); the budget adapts: it halves while polls run out and comes back in
        full when one succeeds (docs/python.md).
        """
        self._closed = True
        self._owner_pid = os.getpid()
        self._write_timeout = float(write_timeout)
        self._spin = AdaptiveSpin(spin_budget_ns(spin, "spin"))
        names = BufferNames(name)
        deadline = monotonic() + float(connect_timeout)
        while True:
            try:
                shm, oieb, sem_w, sem_r, lock, metadata_size, payload_size, write_pos, written_count = _connect(names)
                break
            except ZeroBufferException as exc:
                if not is_connect_retryable(exc) or monotonic() + CONNECT_RETRY_INTERVAL > deadline:
                    raise
            time.sleep(CONNECT_RETRY_INTERVAL)

        self._names = names
        self._reader_lock_path = names.lock_path(_posix.lock_dir_path())
        self._lock = lock
        self._shm = shm
        self._view = shm.view
        self._oieb = oieb
        self._sem_w = sem_w
        self._sem_r = sem_r
        self._metadata_size = metadata_size
        self._payload_size = payload_size
        self._payload_base = payload_offset(metadata_size)
        self._write_pos = write_pos
        self._written_count = written_count
        self._sequence = 1
        self._frames_written = 0
        self._bytes_written = 0
        self._last_reader_check = monotonic()
        self._pending_frame: Optional[tuple[memoryview, int]] = None
        self._pending_metadata: Optional[tuple[memoryview, int]] = None
        # The frame _reserve placed and _publish has not published: (start, wasted tail, marker written).
        self._placed = (0, 0, False)
        self._closed = False
        self._repair_unpublished_frame()

    # -- properties --------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._names.name

    @property
    def frames_written(self) -> int:
        return self._frames_written

    @property
    def next_sequence(self) -> int:
        """Sequence number the next frame of this writer will carry (1 for the first)."""
        return self._sequence

    @property
    def bytes_written(self) -> int:
        return self._bytes_written

    @property
    def write_timeout(self) -> float:
        """Seconds a write waits for space before BufferFullException (default 5)."""
        return self._write_timeout

    @write_timeout.setter
    def write_timeout(self, seconds: float) -> None:
        self._write_timeout = float(seconds)

    @property
    def metadata_size(self) -> int:
        """Size of the buffer's metadata block."""
        return self._metadata_size

    @property
    def payload_size(self) -> int:
        """Size of the buffer's payload ring."""
        return self._payload_size

    @property
    def oieb(self) -> OIEBView:
        """The live OIEB (for diagnostics)."""
        self._check_open()
        return self._oieb

    @property
    def closed(self) -> bool:
        return self._closed

    # -- metadata ----------------------------------------------------------------------------

    def set_metadata(self, data: Any) -> None:
        """Stores the buffer's write-once metadata (any bytes-like object).

        Raises MetadataAlreadyWrittenException, MetadataTooLargeException, ReaderDeadException.
        """
        source = _byte_view(data)
        target = self.get_metadata_buffer(source.nbytes)
        target[:] = source
        self.commit_metadata()

    def get_metadata_buffer(self, size: int) -> memoryview:
        """Zero-copy metadata, part 1: a writable view of ``size`` bytes of the metadata block."""
        self._check_open()
        if self._pending_metadata is not None:
            raise InvalidStateException("get_metadata_buffer called again before commit_metadata")
        if size < 0:
            raise MetadataTooLargeException(f"metadata size must not be negative, got {size}")
        if self._oieb.metadata_written_bytes != 0:
            raise MetadataAlreadyWrittenException(f"metadata of buffer '{self.name}' was already written")
        if METADATA_PREFIX_SIZE + size > self._metadata_size:
            raise MetadataTooLargeException(
                f"{size} bytes of metadata plus the {METADATA_PREFIX_SIZE}-byte length prefix exceed "
                f"the {self._metadata_size}-byte metadata block"
            )
        reader_pid = self._oieb.reader_pid
        if reader_pid == 0 or not peer_alive(self._reader_lock_path, reader_pid):
            raise ReaderDeadException(f"the reader of buffer '{self.name}' is gone (pid {reader_pid})")
        start = METADATA_OFFSET + METADATA_PREFIX_SIZE
        target = self._view[start : start + size]
        self._pending_metadata = (target, size)
        return target

    def commit_metadata(self) -> None:
        """Zero-copy metadata, part 2: publishes what was written into get_metadata_buffer's view."""
        self._check_open()
        if self._pending_metadata is None:
            raise InvalidStateException("commit_metadata without get_metadata_buffer")
        target, size = self._pending_metadata
        self._pending_metadata = None
        _release_view(target)
        U64.pack_into(self._view, METADATA_OFFSET, size)
        used = METADATA_PREFIX_SIZE + size
        self._oieb.metadata_free_bytes = self._metadata_size - used
        self._oieb.metadata_written_bytes = used  # last, with release: the reader trusts this field

    # -- frames ------------------------------------------------------------------------------

    def write_frame(self, data: Any, timeout: Optional[float] = None) -> int:
        """Copies one frame (any bytes-like object) into the ring and publishes it.

        Waits up to ``timeout`` (default ``write_timeout``) seconds for space. Returns the frame's
        sequence number. Raises InvalidFrameSizeException, FrameTooLargeException,
        BufferFullException, ReaderDeadException.
        """
        self._check_open()
        if self._pending_frame is not None:
            raise InvalidStateException("a zero-copy frame is pending: commit_frame it first")
        source = _byte_view(data)
        size = source.nbytes
        start = self._reserve(size, timeout)
        self._view[start : start + size] = source
        return self._publish(size)

    def get_frame_buffer(self, size: int, timeout: Optional[float] = None) -> memoryview:
        """Zero-copy write, part 1: reserves ``size`` bytes in the ring and returns them, writable.

        Waits for space like write_frame. Fill the view, then call commit_frame().
        """
        self._check_open()
        if self._pending_frame is not None:
            raise InvalidStateException("get_frame_buffer called again before commit_frame")
        start = self._reserve(size, timeout)
        target = self._view[start : start + size]
        self._pending_frame = (target, size)
        return target

    def commit_frame(self) -> int:
        """Zero-copy write, part 2: publishes the frame reserved by get_frame_buffer; returns its sequence."""
        self._check_open()
        if self._pending_frame is None:
            raise InvalidStateException("commit_frame without get_frame_buffer")
        target, size = self._pending_frame
        self._pending_frame = None
        _release_view(target)
        return self._publish(size)

    def is_reader_connected(self) -> bool:
        """True when the reader PID is set and that process lives."""
        self._check_open()
        pid = self._oieb.reader_pid
        return pid != 0 and peer_alive(self._reader_lock_path, pid)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Gives up the writer slot (writer_pid = 0 if it is still ours) and unmaps; idempotent."""
        if self._closed:
            return
        self._closed = True
        for pending in (self._pending_frame, self._pending_metadata):
            if pending is not None:
                _release_view(pending[0])
        self._pending_frame = self._pending_metadata = None
        if current_pid() == self._owner_pid:
            self._oieb.compare_exchange_writer_pid(self._owner_pid, 0)
            if self._lock is not None:
                self._lock.remove()
        elif self._lock is not None:
            self._lock.close()  # the parent's lock stays held through its own descriptor
        self._oieb.release()
        self._shm.close()
        self._sem_w.close()
        self._sem_r.close()

    def __enter__(self) -> "Writer":
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
        if not hasattr(self, "_names"):
            return "Writer(<not connected>)"
        state = "closed" if self._closed else f"frames_written={self._frames_written}"
        return f"Writer({self._names.name!r}, {state})"

    # -- internals ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidStateException("the writer is closed")
        if current_pid() != self._owner_pid:
            raise InvalidStateException(
                f"this writer belongs to process {self._owner_pid}; a process forked from it cannot use it"
            )

    def _check_reader(self) -> None:
        """reader_pid == 0 on every write; the process itself once per LIVENESS_INTERVAL of wall time."""
        pid = self._oieb.reader_pid
        if pid == 0:
            raise ReaderDeadException(f"the reader of buffer '{self.name}' closed it")
        now = monotonic()
        if now - self._last_reader_check >= LIVENESS_INTERVAL:
            if not peer_alive(self._reader_lock_path, pid):
                raise ReaderDeadException(f"the reader process {pid} of buffer '{self.name}' died")
            self._last_reader_check = now

    def _reserve(self, size: int, timeout: Optional[float]) -> int:
        """Write steps 1-5: checks, waits for space, wraps, writes the header. Returns the payload offset."""
        if size <= 0:
            raise InvalidFrameSizeException(f"a frame needs at least 1 byte, got {size}")
        ring = self._payload_size
        total = FRAME_HEADER_SIZE + size
        if total > ring:
            raise FrameTooLargeException(
                f"a frame of {size} bytes needs {total} bytes with its header; the ring has {ring}"
            )
        pos = self._write_pos
        to_end = ring - pos
        if to_end >= total:
            need = total
        elif total > pos:
            raise FrameTooLargeException(
                f"a frame of {size} bytes can never be placed from write position {pos}: it does not fit "
                f"in the {to_end} bytes to the end of the ring, and at the start it would overlap the "
                f"wasted tail (protocol 1.0 limit; frames up to {ring // 2 - FRAME_HEADER_SIZE} bytes always fit)"
            )
        else:
            need = to_end + total
        self._check_reader()  # after the checks of the call itself: they do not depend on the peer
        self._wait_for_space(need, self._write_timeout if timeout is None else timeout)

        # Only bytes in free space are written here; every shared counter changes in _publish.
        view = self._view
        base = self._payload_base
        if to_end < total:
            marker = to_end >= FRAME_HEADER_SIZE
            if marker:
                view[base + pos : base + pos + FRAME_HEADER_SIZE] = WRAP_MARKER
            self._placed = (0, to_end, marker)
            pos = 0
        else:
            self._placed = (pos, 0, False)
        FRAME_HEADER.pack_into(view, base + pos, size, self._sequence)
        return base + pos + FRAME_HEADER_SIZE

    def _repair_unpublished_frame(self) -> None:
        """Takes back a frame a predecessor killed between advancing and publishing left (write.crash-repair).

        Only when the reader consumed every published item: then its position is final and
        must equal the write position.
        """
        oieb = self._oieb
        ring = self._payload_size
        if oieb.payload_read_count != self._written_count:
            return
        read_pos = oieb.payload_read_pos
        if read_pos == ring:
            read_pos = 0
        if read_pos >= ring or read_pos == self._write_pos:
            return
        taken = _unpublished_frame(self._view, self._payload_base, ring, read_pos, self._write_pos)
        if taken == 0 or oieb.payload_free_bytes > ring - taken:
            return
        self._write_pos = read_pos
        oieb.payload_write_pos = read_pos
        oieb.add_payload_free_bytes(taken)

    def _wait_for_space(self, need: int, timeout: float) -> None:
        oieb = self._oieb
        sem_r = self._sem_r
        deadline = monotonic() + max(0.0, timeout)
        may_spin = timeout > 0  # once per call, before the first blocking wait
        while True:
            # Drain the space semaphore first: it is posted once per released frame but only
            # consumed here, so left alone its count would grow without bound.
            while sem_r.try_wait():
                pass
            free = oieb.payload_free_bytes
            if free >= need:
                return
            if may_spin:
                # Poll before the first blocking wait; the reader may release within microseconds.
                may_spin = False
                if self._spin_for_space(need, deadline):
                    return
                continue
            pid = oieb.reader_pid
            if pid == 0 or not peer_alive(self._reader_lock_path, pid):
                raise ReaderDeadException(f"the reader of buffer '{self.name}' is gone (pid {pid})")
            self._last_reader_check = monotonic()
            remaining = deadline - self._last_reader_check
            if remaining <= 0:
                raise BufferFullException(
                    f"no space for {need} bytes within {timeout:g} s ({free} of {self._payload_size} bytes free)"
                )
            sem_r.timed_wait(min(remaining, LIVENESS_INTERVAL))

    def _spin_for_space(self, need: int, deadline: float) -> bool:
        """Polls the space semaphore for the current adaptive budget (at most until ``deadline``);
        True once ``need`` bytes are free."""
        return self._spin.spin(deadline - monotonic(), lambda limit_ns: self._poll_for_space(need, limit_ns))

    def _poll_for_space(self, need: int, limit_ns: int) -> bool:
        """Polls the space semaphore for at most ``limit_ns``; True once ``need`` bytes are free."""
        sem_r = self._sem_r
        oieb = self._oieb
        end = monotonic_ns() + limit_ns
        while True:
            left = end - monotonic_ns()
            if left <= 0:
                return False
            if sem_r.spin_wait(left) and oieb.payload_free_bytes >= need:
                return True

    def _publish(self, size: int) -> int:
        """Write steps 6-7 in the crash-safe order (write.crash-order): reserve, advance, publish, post."""
        oieb = self._oieb
        start, tail, marker = self._placed
        total = FRAME_HEADER_SIZE + size
        oieb.subtract_payload_free_bytes(tail + total)
        self._write_pos = (start + total) % self._payload_size
        oieb.payload_write_pos = self._write_pos
        self._written_count += 2 if marker else 1
        oieb.payload_written_count = self._written_count
        self._sem_w.post()
        sequence = self._sequence
        self._sequence += 1
        self._frames_written += 1
        self._bytes_written += size
        return sequence


def is_connect_retryable(exc: BaseException) -> bool:
    """True for the connect failures a reader that is not (yet) there explains, which a writer
    waiting for its reader retries: BufferNotFoundException and ReaderDeadException."""
    return isinstance(exc, (BufferNotFoundException, ReaderDeadException))


def _connect(
    names: BufferNames,
) -> tuple[SharedMemory, OIEBView, Semaphore, Semaphore, Optional[LockFile], int, int, int, int]:
    """One connect attempt (protocol §5); the writer_pid claim is its last step."""
    with contextlib.ExitStack() as undo:
        shm = SharedMemory.open(names.shm, OIEB_SIZE)
        undo.callback(shm.close)
        oieb = OIEBView(shm.view)
        undo.callback(oieb.release)
        metadata_size, payload_size = _check_header(oieb, shm.size, names.name)
        _ring_state(oieb, payload_size)  # before the claim: a corrupt buffer is refused untouched

        sem_w = Semaphore.open(names.sem_w)
        if sem_w is None:
            raise BufferNotFoundException(f"buffer '{names.name}' has no semaphore {names.sem_w}")
        undo.callback(sem_w.close)
        sem_r = Semaphore.open(names.sem_r)
        if sem_r is None:
            raise BufferNotFoundException(f"buffer '{names.name}' has no semaphore {names.sem_r}")
        undo.callback(sem_r.close)

        lock_dir = _posix.lock_dir_path()
        reader_pid = oieb.reader_pid
        if reader_pid == 0 or not peer_alive(names.lock_path(lock_dir), reader_pid):
            raise ReaderDeadException(f"buffer '{names.name}' has no live reader")
        lock = _take_writer_lock(names, lock_dir, shm.mode)
        if lock is not None:
            undo.callback(lock.remove)
        previous = _claim_writer_slot(oieb, names.name, names.writer_lock_path(lock_dir))
        # The previous writer may have written more until the claim: take the ring state only now.
        try:
            write_pos, written_count = _ring_state(oieb, payload_size)
        except CorruptBufferException:
            oieb.compare_exchange_writer_pid(os.getpid(), previous)
            raise
        undo.pop_all()
    return shm, oieb, sem_w, sem_r, lock, metadata_size, payload_size, write_pos, written_count


def _take_writer_lock(names: BufferNames, lock_dir: str, mode: int) -> Optional[LockFile]:
    """Takes NAME.writer-lock before the claim (live.writer-lock), so a reader never sees our PID
    in writer_pid without it held. Held by another live writer: WriterAlreadyConnected. A file that
    cannot be created (no permission, no lock directory) leaves us without one: the reader then
    judges us by our PID, as it judges a writer that knows nothing of these locks."""
    try:
        lock = LockFile.acquire(names.writer_lock_path(lock_dir), mode)
    except InternalException:
        return None
    if lock is None:
        raise WriterAlreadyConnectedException(f"buffer '{names.name}' already has a live writer (lock held)")
    return lock


def _ring_state(oieb: OIEBView, payload_size: int) -> tuple[int, int]:
    """(write position, written count) after checking position and free bytes against P."""
    write_pos = oieb.payload_write_pos
    written_count = oieb.payload_written_count
    free_bytes = oieb.payload_free_bytes
    if write_pos > payload_size or free_bytes > payload_size:
        raise CorruptBufferException(
            f"payload_write_pos {write_pos} / payload_free_bytes {free_bytes} lie outside "
            f"the {payload_size}-byte ring"
        )
    if write_pos == payload_size:
        write_pos = 0  # other implementations may leave P after an exact fit
    return write_pos, written_count


def _unpublished_frame(view: memoryview, base: int, ring: int, read_pos: int, write_pos: int) -> int:
    """Bytes of the one frame that lies, never published, between read_pos and write_pos; else 0.

    Walks one item from read_pos as the reader would (a short tail or a wrap marker moves to 0).
    """
    at = read_pos
    taken = 0
    if ring - at < FRAME_HEADER_SIZE or U64.unpack_from(view, base + at)[0] == 0:
        taken = ring - at
        at = 0
    size = U64.unpack_from(view, base + at)[0]
    if size == 0 or size > ring - at - FRAME_HEADER_SIZE:
        return 0
    taken += FRAME_HEADER_SIZE + size
    return taken if (at + FRAME_HEADER_SIZE + size) % ring == write_pos else 0


def _check_header(oieb: OIEBView, object_size: int, name: str) -> tuple[int, int]:
    """Validates the OIEB against the object's real size; returns (metadata_size, payload_size)."""
    oieb_size = oieb.oieb_size
    if oieb_size == 0:
        raise BufferNotFoundException(f"buffer '{name}' is not initialised yet")
    major = oieb.version[0]
    if oieb_size != OIEB_SIZE or major != VERSION[0]:
        raise IncompatibleVersionException(
            f"buffer '{name}' has OIEB size {oieb_size} and protocol version {major}; "
            f"this library speaks OIEB size {OIEB_SIZE}, version {VERSION[0]}"
        )
    metadata_size = oieb.metadata_size
    payload_size = oieb.payload_size
    if payload_size == 0 or OIEB_SIZE + metadata_size + payload_size > object_size:
        raise CorruptBufferException(
            f"buffer '{name}' claims metadata size {metadata_size} and payload size {payload_size}, "
            f"impossible for an object of {object_size} bytes"
        )
    return metadata_size, payload_size


def _claim_writer_slot(oieb: OIEBView, name: str, writer_lock_path: str) -> int:
    """Sets writer_pid to our PID with compare-and-swap, from 0 or from a dead writer's PID.

    Returns the value it replaced.
    """
    me = os.getpid()
    current = oieb.writer_pid
    while True:
        if current != 0 and peer_alive(writer_lock_path, current):
            raise WriterAlreadyConnectedException(f"buffer '{name}' already has a live writer (pid {current})")
        swapped, found = oieb.compare_exchange_writer_pid(current, me)
        if swapped:
            return current
        current = found


def _byte_view(data: Any) -> memoryview:
    view = data if isinstance(data, memoryview) else memoryview(data)
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    return view


def _release_view(view: memoryview) -> None:
    try:
        view.release()
    except BufferError:
        pass
