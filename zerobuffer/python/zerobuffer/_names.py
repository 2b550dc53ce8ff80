"""Buffer names and the names of the OS objects derived from them."""

from __future__ import annotations

import os
import re

from ._errors import InvalidNameException

MAX_NAME_LENGTH = 200
WRITER_LOCK_SUFFIX = ".writer-lock"

_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,%d}" % (MAX_NAME_LENGTH - 1))


def is_valid_name(name: object) -> bool:
    """1..200 characters of [A-Za-z0-9._-], not starting with '.'."""
    return isinstance(name, str) and _NAME_PATTERN.fullmatch(name) is not None


def validate_name(name: object) -> str:
    """Returns ``name`` if it is valid, else raises InvalidNameException (before any OS call)."""
    if not is_valid_name(name):
        shown = repr(name) if not isinstance(name, str) or len(name) <= 40 else repr(name[:40]) + "..."
        length = f" ({len(name)} characters)" if isinstance(name, str) else ""
        raise InvalidNameException(
            f"invalid buffer name {shown}{length}: a name is 1..{MAX_NAME_LENGTH} characters of "
            "[A-Za-z0-9._-] and does not start with '.'"
        )
    return name  # type: ignore[return-value]


class BufferNames:
    """The OS names of one buffer: shared memory, the two semaphores and the lock file."""

    __slots__ = ("name", "shm", "sem_w", "sem_r")

    def __init__(self, name: object) -> None:
        self.name = validate_name(name)
        self.shm = self.name
        self.sem_w = "/sem-w-" + self.name  # "data available", posted by the writer
        self.sem_r = "/sem-r-" + self.name  # "space available", posted by the reader

    def lock_path(self, lock_dir: str) -> str:
        return os.path.join(lock_dir, self.name + ".lock")

    def writer_lock_path(self, lock_dir: str) -> str:
        """The writer's lock file (live.writer-lock); no reader lock file has this suffix."""
        return os.path.join(lock_dir, self.name + WRITER_LOCK_SUFFIX)
