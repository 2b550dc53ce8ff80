"""The binary layout of a ZeroBuffer (protocol 1.0): the one place that names offsets.

::

    0          OIEB, 128 bytes
    128        metadata block, M bytes: u64 length n, then n bytes
    128 + M    payload ring, P bytes: frames {u64 payload_size, u64 sequence, payload}

Everything is little-endian.
"""

from __future__ import annotations

import struct
from typing import Any, Optional, Union

from . import _posix
from ._errors import InvalidStateException

OIEB_SIZE = 128
VERSION = (1, 0, 0, 0)
FRAME_HEADER_SIZE = 16
METADATA_PREFIX_SIZE = 8
BLOCK_ALIGNMENT = 64

# Field offsets inside the OIEB.
OIEB_SIZE_OFFSET = 0x00  # u32
VERSION_OFFSET = 0x04  # 4 x u8: major, minor, patch, reserved
METADATA_SIZE_OFFSET = 0x08
METADATA_FREE_BYTES_OFFSET = 0x10
METADATA_WRITTEN_BYTES_OFFSET = 0x18
PAYLOAD_SIZE_OFFSET = 0x20
PAYLOAD_FREE_BYTES_OFFSET = 0x28
PAYLOAD_WRITE_POS_OFFSET = 0x30
PAYLOAD_READ_POS_OFFSET = 0x38
PAYLOAD_WRITTEN_COUNT_OFFSET = 0x40
PAYLOAD_READ_COUNT_OFFSET = 0x48
WRITER_PID_OFFSET = 0x50
READER_PID_OFFSET = 0x58
RESERVED_OFFSET = 0x60  # 4 x u64

METADATA_OFFSET = OIEB_SIZE

U64 = struct.Struct("<Q")
FRAME_HEADER = struct.Struct("<QQ")  # payload_size (0 = wrap marker), sequence
_U32 = struct.Struct("<I")
_VERSION = struct.Struct("<4B")

WRAP_MARKER = bytes(FRAME_HEADER_SIZE)


def round_up_block(size: int) -> int:
    """Rounds a requested block size up to the 64-byte alignment of metadata and payload blocks."""
    return (size + BLOCK_ALIGNMENT - 1) // BLOCK_ALIGNMENT * BLOCK_ALIGNMENT


def payload_offset(metadata_size: int) -> int:
    return OIEB_SIZE + metadata_size


def _u64_field(offset: int, doc: str) -> property:
    def fget(self: "OIEBView") -> int:
        return self._load(offset)

    def fset(self: "OIEBView", value: int) -> None:
        self._store(offset, value)

    return property(fget, fset, doc=doc)


class OIEBView:
    """The Operation Info Exchange Block, read and written in place.

    Over a writable buffer (the live mapping) every u64 field is loaded with acquire and
    stored with release semantics through real atomic instructions, so another process never
    sees a torn value. Over a read-only buffer (a copy of the bytes) fields are decoded with
    ``struct`` and cannot be set.
    """

    __slots__ = ("_view", "_address", "_atomics")

    def __init__(self, buffer: Any) -> None:
        view = memoryview(buffer).cast("B")
        if len(view) < OIEB_SIZE:
            raise ValueError(f"an OIEB needs {OIEB_SIZE} bytes, got {len(view)}")
        self._view: Optional[memoryview] = view[:OIEB_SIZE]
        self._atomics: Optional[_posix.Atomics] = None
        self._address = 0
        if not view.readonly:
            self._atomics = _posix.atomics()
            self._address = _posix.buffer_address(self._view)

    # -- raw access -------------------------------------------------------------------------

    def _checked_view(self) -> memoryview:
        if self._view is None:
            raise InvalidStateException("the OIEB view was released (its buffer is closed)")
        return self._view

    def _load(self, offset: int) -> int:
        if self._address:
            return self._atomics.load(self._address + offset)  # type: ignore[union-attr]
        return U64.unpack_from(self._checked_view(), offset)[0]

    def _store(self, offset: int, value: int) -> None:
        if self._address:
            self._atomics.store(self._address + offset, value)  # type: ignore[union-attr]
            return
        U64.pack_into(self._checked_view(), offset, value)

    def _atomic(self) -> tuple[_posix.Atomics, int]:
        if not self._address or self._atomics is None:
            raise InvalidStateException("atomic operations need a live, writable OIEB")
        return self._atomics, self._address

    # -- fields -----------------------------------------------------------------------------

    @property
    def oieb_size(self) -> int:
        """Size of the OIEB as written by the reader: 128, or 0 while it is being created."""
        return _U32.unpack_from(self._checked_view(), OIEB_SIZE_OFFSET)[0]

    @property
    def version(self) -> tuple[int, int, int, int]:
        """(major, minor, patch, reserved)."""
        major, minor, patch, reserved = _VERSION.unpack_from(self._checked_view(), VERSION_OFFSET)
        return (major, minor, patch, reserved)

    metadata_size = _u64_field(METADATA_SIZE_OFFSET, "Size M of the metadata block.")
    metadata_free_bytes = _u64_field(METADATA_FREE_BYTES_OFFSET, "Unused bytes of the metadata block.")
    metadata_written_bytes = _u64_field(
        METADATA_WRITTEN_BYTES_OFFSET, "Bytes of the metadata block in use (8 + length), 0 if none."
    )
    payload_size = _u64_field(PAYLOAD_SIZE_OFFSET, "Size P of the payload ring.")
    payload_free_bytes = _u64_field(
        PAYLOAD_FREE_BYTES_OFFSET, "Free bytes of the ring; changed only with atomic add/sub."
    )
    payload_write_pos = _u64_field(PAYLOAD_WRITE_POS_OFFSET, "Where the writer puts the next frame.")
    payload_read_pos = _u64_field(PAYLOAD_READ_POS_OFFSET, "Where the reader takes the next frame.")
    payload_written_count = _u64_field(PAYLOAD_WRITTEN_COUNT_OFFSET, "Frames and wrap markers written.")
    payload_read_count = _u64_field(PAYLOAD_READ_COUNT_OFFSET, "Frames and wrap markers read.")
    writer_pid = _u64_field(WRITER_PID_OFFSET, "PID of the connected writer, 0 if none.")
    reader_pid = _u64_field(READER_PID_OFFSET, "PID of the reader, 0 once it closed.")

    # -- atomic read-modify-write ---------------------------------------------------------

    def add_payload_free_bytes(self, amount: int) -> None:
        atomics, address = self._atomic()
        atomics.fetch_add(address + PAYLOAD_FREE_BYTES_OFFSET, amount)

    def subtract_payload_free_bytes(self, amount: int) -> None:
        atomics, address = self._atomic()
        atomics.fetch_sub(address + PAYLOAD_FREE_BYTES_OFFSET, amount)

    def compare_exchange_payload_free_bytes(self, expected: int, desired: int) -> bool:
        """Sets payload_free_bytes to ``desired`` only if it is ``expected``; True if it did."""
        atomics, address = self._atomic()
        return atomics.compare_exchange(address + PAYLOAD_FREE_BYTES_OFFSET, expected, desired)[0]

    def compare_exchange_writer_pid(self, expected: int, desired: int) -> tuple[bool, int]:
        """Sets writer_pid to ``desired`` only if it is ``expected``; returns (swapped, value found)."""
        atomics, address = self._atomic()
        return atomics.compare_exchange(address + WRITER_PID_OFFSET, expected, desired)

    # -- whole-block operations -------------------------------------------------------------

    def initialise(self, metadata_size: int, payload_size: int, reader_pid: int) -> None:
        """Writes a fresh OIEB; ``oieb_size`` goes last so a writer never trusts a half-written block."""
        view = self._checked_view()
        view[:] = bytes(OIEB_SIZE)
        _VERSION.pack_into(view, VERSION_OFFSET, *VERSION)
        self.metadata_size = metadata_size
        self.metadata_free_bytes = metadata_size
        self.payload_size = payload_size
        self.payload_free_bytes = payload_size
        self.reader_pid = reader_pid
        # A release store of the first u64 orders every field above before oieb_size = 128.
        first_word = _U32.pack(OIEB_SIZE) + _VERSION.pack(*VERSION)
        self._store(OIEB_SIZE_OFFSET, U64.unpack(first_word)[0])

    def release(self) -> None:
        """Forgets the buffer; any later field access raises InvalidStateException."""
        self._address = 0
        if self._view is not None:
            self._view.release()
            self._view = None

    def as_dict(self) -> dict[str, Union[int, tuple[int, int, int, int]]]:
        """Every field by name (for diagnostics and tests)."""
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    def __repr__(self) -> str:
        if self._view is None:
            return "OIEBView(<released>)"
        fields = ", ".join(f"{k}={v}" for k, v in self.as_dict().items())
        return f"OIEBView({fields})"


_FIELD_NAMES = (
    "oieb_size",
    "version",
    "metadata_size",
    "metadata_free_bytes",
    "metadata_written_bytes",
    "payload_size",
    "payload_free_bytes",
    "payload_write_pos",
    "payload_read_pos",
    "payload_written_count",
    "payload_read_count",
    "writer_pid",
    "reader_pid",
)
