"""The operating-system layer: shared memory, named semaphores, lock files, liveness, atomics.

This is the only module that talks to libc (through ctypes), libatomic and the file system.
Everything above it speaks in the small types defined here, so the protocol logic stays
readable and a different platform layer could replace this one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import mmap
import os
import stat
import time
import weakref
from typing import Callable, Optional

from ._errors import BufferNotFoundException, CorruptBufferException, InternalException

SHM_DIR = "/dev/shm"
DEFAULT_LOCK_DIR = "/tmp/zerobuffer"
LOCK_DIR_ENV = "ZEROBUFFER_LOCK_DIR"

_CLOCK_MONOTONIC = time.CLOCK_MONOTONIC
_CLOCK_REALTIME = time.CLOCK_REALTIME

# C memory orders as numbered by the GCC __atomic builtins.
_ACQUIRE = 2
_RELEASE = 3
_ACQ_REL = 4

monotonic = time.monotonic
monotonic_ns = time.monotonic_ns


def _os_error(what: str, err: int) -> InternalException:
    return InternalException(f"{what} failed: {os.strerror(err)} (errno {err})")


# --------------------------------------------------------------------------------------------
# Liveness


_pid = os.getpid()


def _forked_child() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked_child)


def current_pid() -> int:
    """os.getpid() without its system call: kept current by an after-fork hook.

    Readers and writers compare it on every call to notice they were inherited by a forked
    child; os.getpid() there would cost a system call per frame.
    """
    return _pid


def pid_alive(pid: int) -> bool:
    """True if a process with this PID exists and is not a zombie.

    EPERM means the process exists under another user. A killed process stays a zombie until
    its parent reaps it, and kill(pid, 0) still succeeds then; it counts as dead.
    """
    if pid <= 0 or pid > _PID_MAX:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False
    return not _is_zombie(pid)


_PID_MAX = 2**31 - 1


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            text = stat_file.read(512)
    except OSError:
        return False
    # The command name in parentheses may itself contain ')': the state follows the last one.
    paren = text.rfind(b")")
    return paren >= 0 and text[paren + 1 : paren + 3] in (b" Z", b" X")


# --------------------------------------------------------------------------------------------
# Atomics on shared memory, through libatomic


class Atomics:
    """64-bit atomic operations on raw addresses, executed by libatomic's real atomic instructions."""

    def __init__(self) -> None:
        try:
            lib = ctypes.CDLL("libatomic.so.1")
        except OSError as exc:
            # Only search further (find_library may start a subprocess) when the usual name fails.
            found = ctypes.util.find_library("atomic")
            try:
                if found is None:
                    raise exc
                lib = ctypes.CDLL(found)
            except OSError:
                raise InternalException(
                    "zerobuffer needs libatomic.so.1 for atomic operations on shared memory "
                    f"and could not load it ({exc}); install the libatomic1 package"
                ) from None
        u64, vp, cint = ctypes.c_uint64, ctypes.c_void_p, ctypes.c_int
        # getattr: a dotted `lib.__atomic_...` inside a class body would be name-mangled.
        try:
            self._load = getattr(lib, "__atomic_load_8")
            self._store = getattr(lib, "__atomic_store_8")
            self._fetch_add = getattr(lib, "__atomic_fetch_add_8")
            self._fetch_sub = getattr(lib, "__atomic_fetch_sub_8")
            self._cas = getattr(lib, "__atomic_compare_exchange_8")
        except AttributeError as exc:
            raise InternalException(f"libatomic lacks a 64-bit atomic function: {exc}") from None
        self._load.argtypes = [vp, cint]
        self._load.restype = u64
        self._store.argtypes = [vp, u64, cint]
        self._store.restype = None
        self._fetch_add.argtypes = [vp, u64, cint]
        self._fetch_add.restype = u64
        self._fetch_sub.argtypes = [vp, u64, cint]
        self._fetch_sub.restype = u64
        self._cas.argtypes = [vp, ctypes.POINTER(u64), u64, cint, cint]
        self._cas.restype = ctypes.c_bool

    def load(self, address: int) -> int:
        """Acquire load."""
        return self._load(address, _ACQUIRE)

    def store(self, address: int, value: int) -> None:
        """Release store."""
        self._store(address, value, _RELEASE)

    def fetch_add(self, address: int, value: int) -> int:
        """Acquire-release fetch-and-add; returns the previous value."""
        return self._fetch_add(address, value, _ACQ_REL)

    def fetch_sub(self, address: int, value: int) -> int:
        """Acquire-release fetch-and-subtract; returns the previous value."""
        return self._fetch_sub(address, value, _ACQ_REL)

    def compare_exchange(self, address: int, expected: int, desired: int) -> tuple[bool, int]:
        """Strong CAS. Returns (swapped, value found before the operation)."""
        found = ctypes.c_uint64(expected)
        swapped = self._cas(address, ctypes.byref(found), desired, _ACQ_REL, _ACQUIRE)
        return bool(swapped), found.value


_atomics: Optional[Atomics] = None


def atomics() -> Atomics:
    """The process-wide Atomics; raises InternalException if libatomic cannot be loaded."""
    global _atomics
    if _atomics is None:
        _atomics = Atomics()
    return _atomics


def buffer_address(view: memoryview) -> int:
    """The address of a writable buffer's first byte.

    The ctypes object that exports the buffer is dropped at once, so it never blocks
    closing the mapping; the address stays valid while the mapping is open.
    """
    anchor = ctypes.c_char.from_buffer(view)
    address = ctypes.addressof(anchor)
    del anchor
    return address


# --------------------------------------------------------------------------------------------
# Shared memory


def shm_path(name: str) -> str:
    return os.path.join(SHM_DIR, name)


class SharedMemory:
    """A /dev/shm object mapped shared and read-write.

    ``view`` is a memoryview of the whole object; slice it to hand out zero-copy views.
    ``address`` is the address of its first byte, for atomics.
    """

    def __init__(self, name: str, mapping: mmap.mmap, size: int, mode: int) -> None:
        self.name = name
        self.size = size
        self.mode = mode  # permission bits of the object
        self._mmap: Optional[mmap.mmap] = mapping
        self.view = memoryview(mapping)
        self.address = buffer_address(self.view)

    @classmethod
    def create(cls, name: str, size: int, mode: int) -> "SharedMemory":
        """Creates /dev/shm/NAME (must not exist) of exactly ``size`` zeroed bytes with ``mode``."""
        path = shm_path(name)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
        except OSError as exc:
            raise _os_error(f"creating shared memory {path}", exc.errno or 0) from None
        try:
            os.fchmod(fd, mode)
            free = _free_bytes(SHM_DIR)
            if free is not None and size > free:
                raise InternalException(
                    f"not enough space in {SHM_DIR} for a buffer of {size} bytes ({free} bytes free)"
                )
            try:
                os.posix_fallocate(fd, 0, size)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise InternalException(
                        f"not enough space in {SHM_DIR} for a buffer of {size} bytes"
                    ) from None
                raise _os_error(f"reserving {size} bytes for {path}", exc.errno or 0) from None
            mapping = _map(fd, size, path)
        except BaseException:
            os.close(fd)
            _unlink_quietly(path)
            raise
        os.close(fd)
        return cls(name, mapping, size, mode)

    @classmethod
    def open(cls, name: str, min_size: int) -> "SharedMemory":
        """Maps an existing /dev/shm/NAME.

        BufferNotFoundException if it is missing or still empty (a reader creates the object empty
        and sizes it in one step); CorruptBufferException if it is shorter than ``min_size``, which
        never occurs during creation.
        """
        path = shm_path(name)
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            raise BufferNotFoundException(f"buffer '{name}' not found (no {path})") from None
        except OSError as exc:
            raise _os_error(f"opening shared memory {path}", exc.errno or 0) from None
        try:
            st = os.fstat(fd)
            size = st.st_size
            if size == 0:
                raise BufferNotFoundException(f"buffer '{name}' is not initialised yet (0 bytes)")
            if size < min_size:
                raise CorruptBufferException(f"shared memory of buffer '{name}' is {size} bytes, smaller than {min_size}")
            mapping = _map(fd, size, path)
        finally:
            os.close(fd)
        return cls(name, mapping, size, stat.S_IMODE(st.st_mode))

    @staticmethod
    def read_prefix(name: str, length: int) -> Optional[bytes]:
        """The first ``length`` bytes of /dev/shm/NAME (fewer if it is shorter), or None if it is missing."""
        try:
            fd = os.open(shm_path(name), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            return os.pread(fd, length, 0)
        except OSError:
            return None
        finally:
            os.close(fd)

    @staticmethod
    def exists(name: str) -> bool:
        return os.path.lexists(shm_path(name))

    @staticmethod
    def unlink(name: str) -> None:
        _unlink_quietly(shm_path(name))

    def close(self) -> None:
        """Unmaps, unless views handed out to the caller are still alive.

        In that case the mapping stays until the last of them is garbage collected, so those
        views never point at unmapped memory.
        """
        if self._mmap is None:
            return
        self.address = 0
        self.view.release()
        try:
            self._mmap.close()
        except BufferError:
            pass
        self._mmap = None


def watched_view(source: memoryview, on_gone: Callable[[], None]) -> tuple[memoryview, "weakref.ref[object]"]:
    """A read-only view of ``source`` whose bytes have an exporter of their own, and its watch.

    Every view derived from the result (slices, ``memoryview(...)``, a numpy array over it)
    keeps that exporter alive; ``on_gone`` runs as soon as the last of them is gone, provided
    the caller keeps the returned watch alive. (Slices of a plain memoryview would share the
    exporter of the whole mapping, and nothing would tell when they are gone.)
    """
    exporter = (ctypes.c_char * len(source)).from_buffer(source)
    view = memoryview(exporter).cast("B").toreadonly()
    return view, weakref.ref(exporter, lambda _watch: on_gone())


def _map(fd: int, size: int, path: str) -> mmap.mmap:
    flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
    try:
        return mmap.mmap(fd, size, flags=flags, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    except OSError as exc:
        raise _os_error(f"mapping {path}", exc.errno or 0) from None
    except (ValueError, OverflowError) as exc:
        raise InternalException(f"mapping {path} of {size} bytes failed: {exc}") from None


def _free_bytes(directory: str) -> Optional[int]:
    try:
        st = os.statvfs(directory)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        pass


# --------------------------------------------------------------------------------------------
# Named semaphores (glibc), through ctypes


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def _load_libc() -> ctypes.CDLL:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
    libc.sem_open.restype = ctypes.c_void_p
    for fn in ("sem_post", "sem_trywait", "sem_close"):
        getattr(libc, fn).argtypes = [ctypes.c_void_p]
        getattr(libc, fn).restype = ctypes.c_int
    libc.sem_unlink.argtypes = [ctypes.c_char_p]
    libc.sem_unlink.restype = ctypes.c_int
    libc.sem_timedwait.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Timespec)]
    libc.sem_timedwait.restype = ctypes.c_int
    if hasattr(libc, "sem_clockwait"):
        libc.sem_clockwait.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(_Timespec)]
        libc.sem_clockwait.restype = ctypes.c_int
    return libc


_libc = _load_libc()
_HAS_CLOCKWAIT = hasattr(_libc, "sem_clockwait")
_SEM_FAILED = ctypes.c_void_p(-1).value

SPIN_CLOCK_EVERY = 8
"""sem_trywait polls between two clock reads of Semaphore.spin_wait."""


def semaphore_path(os_name: str) -> str:
    """Where glibc keeps the named semaphore "/X": /dev/shm/sem.X."""
    return os.path.join(SHM_DIR, "sem." + os_name.lstrip("/"))


class Semaphore:
    """A handle of a named POSIX semaphore. Closing the handle never unlinks the name."""

    def __init__(self, handle: int, os_name: str) -> None:
        self._handle: Optional[int] = handle
        self._handle_arg = ctypes.c_void_p(handle)  # passed as is: no conversion per spin poll
        self.os_name = os_name

    @classmethod
    def create(cls, os_name: str, mode: int) -> "Semaphore":
        """Creates a new semaphore with value 0 and exactly ``mode`` (fails if the name exists)."""
        handle = _libc.sem_open(os_name.encode(), os.O_CREAT | os.O_EXCL, mode, 0)
        if handle is None or handle == _SEM_FAILED:
            raise _os_error(f"creating semaphore {os_name}", ctypes.get_errno())
        sem = cls(handle, os_name)
        try:
            os.chmod(semaphore_path(os_name), mode)
        except OSError as exc:
            sem.close()
            cls.unlink(os_name)
            raise _os_error(f"setting the mode of semaphore {os_name}", exc.errno or 0) from None
        return sem

    @classmethod
    def open(cls, os_name: str) -> Optional["Semaphore"]:
        """Opens an existing semaphore; None if it does not exist."""
        handle = _libc.sem_open(os_name.encode(), 0, 0, 0)
        if handle is None or handle == _SEM_FAILED:
            err = ctypes.get_errno()
            if err == errno.ENOENT:
                return None
            raise _os_error(f"opening semaphore {os_name}", err)
        return cls(handle, os_name)

    @staticmethod
    def unlink(os_name: str) -> None:
        _libc.sem_unlink(os_name.encode())

    @staticmethod
    def exists(os_name: str) -> bool:
        return os.path.lexists(semaphore_path(os_name))

    def post(self) -> None:
        if _libc.sem_post(self._handle) != 0:
            raise _os_error(f"sem_post on {self.os_name}", ctypes.get_errno())

    def try_wait(self) -> bool:
        """Decrements if the count is positive; never blocks."""
        while _libc.sem_trywait(self._handle) != 0:
            err = ctypes.get_errno()
            if err == errno.EAGAIN:
                return False
            if err != errno.EINTR:
                raise _os_error(f"sem_trywait on {self.os_name}", err)
        return True

    def spin_wait(self, budget_ns: int) -> bool:
        """Polls sem_trywait for up to ``budget_ns`` nanoseconds; True if a post was consumed.

        The hot loop allocates nothing: the bound ctypes function and a prebuilt handle argument,
        small-int counters, and the clock read only every SPIN_CLOCK_EVERY polls (a clock read
        costs about as much as a poll). An error of sem_trywait other than "no post" ends the
        spin; the blocking wait that follows reports it.
        """
        trywait = _libc.sem_trywait
        handle = self._handle_arg
        clock = time.monotonic_ns
        end = clock() + budget_ns
        polls = SPIN_CLOCK_EVERY
        while True:
            if trywait(handle) == 0:
                return True
            polls -= 1
            if polls == 0:
                if clock() >= end:
                    return False
                polls = SPIN_CLOCK_EVERY

    def timed_wait(self, seconds: float) -> bool:
        """Waits up to ``seconds`` for a post; True if one was consumed."""
        if _HAS_CLOCKWAIT:
            clock = _CLOCK_MONOTONIC
        else:
            clock = _CLOCK_REALTIME
        deadline_ns = time.clock_gettime_ns(clock) + max(0, int(seconds * 1e9))
        abstime = _Timespec(deadline_ns // 1_000_000_000, deadline_ns % 1_000_000_000)
        while True:
            if _HAS_CLOCKWAIT:
                rc = _libc.sem_clockwait(self._handle, clock, ctypes.byref(abstime))
            else:
                rc = _libc.sem_timedwait(self._handle, ctypes.byref(abstime))
            if rc == 0:
                return True
            err = ctypes.get_errno()
            if err == errno.ETIMEDOUT:
                return False
            if err != errno.EINTR:
                raise _os_error(f"waiting on semaphore {self.os_name}", err)

    def close(self) -> None:
        if self._handle is not None:
            _libc.sem_close(self._handle)
            self._handle = None
            self._handle_arg = ctypes.c_void_p()


# --------------------------------------------------------------------------------------------
# Lock files


def lock_dir_path() -> str:
    """The lock directory's path, not created (a writer uses it only where a reader made it)."""
    return os.environ.get(LOCK_DIR_ENV) or DEFAULT_LOCK_DIR


def lock_dir() -> str:
    """The lock directory ($ZEROBUFFER_LOCK_DIR or /tmp/zerobuffer), created mode 1777 if missing."""
    directory = lock_dir_path()
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory, exist_ok=True)
            os.chmod(directory, 0o1777)
        except OSError as exc:
            if not os.path.isdir(directory):
                raise _os_error(f"creating the lock directory {directory}", exc.errno or 0) from None
    return directory


class LockFile:
    """An open lock file held with flock(LOCK_EX)."""

    def __init__(self, fd: int, path: str) -> None:
        self._fd: Optional[int] = fd
        self.path = path

    @classmethod
    def acquire(cls, path: str, mode: int, patience: float = 0.1) -> Optional["LockFile"]:
        """Creates or opens ``path`` and locks it; None if another process keeps it locked.

        ``patience`` covers the moment a scanning process holds a stale lock before removing it.
        """
        deadline = monotonic() + patience
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
            except OSError as exc:
                raise _os_error(f"opening lock file {path}", exc.errno or 0) from None
            if not _try_flock(fd):
                os.close(fd)
                if monotonic() >= deadline:
                    return None
                time.sleep(0.005)
                continue
            if not _same_file(fd, path):
                # Someone removed the file between our open and our lock: lock the new one.
                os.close(fd)
                if monotonic() >= deadline + 1.0:
                    raise InternalException(f"lock file {path} keeps being replaced")
                continue
            try:
                if os.fstat(fd).st_uid == os.geteuid():
                    os.fchmod(fd, mode)
                # Our PID, for peer_alive: a lock speaks for the PID in the OIEB only when it names it.
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            except OSError as exc:
                os.close(fd)
                raise _os_error(f"preparing lock file {path}", exc.errno or 0) from None
            return cls(fd, path)

    @classmethod
    def try_existing(cls, path: str) -> Optional["LockFile"]:
        """Locks an existing lock file if nobody holds it (it is then stale); else None."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or not _try_flock(fd) or not _same_file(fd, path):
                os.close(fd)
                return None
        except OSError:
            os.close(fd)
            return None
        return cls(fd, path)

    def names_pid(self, pid: int) -> bool:
        """True when the file is a regular file whose content is ``pid`` in decimal."""
        return self._fd is not None and _lock_names_pid(self._fd, pid)

    def close(self) -> None:
        """Closes the file (releasing the lock) without removing it."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Unlinks the file while still holding the lock, then closes it."""
        if self._fd is None:
            return
        if _same_file(self._fd, self.path):
            _unlink_quietly(self.path)
        os.close(self._fd)
        self._fd = None


def peer_alive(lock_path: str, pid: int) -> bool:
    """Whether the reader or writer ``pid`` of a buffer lives (protocol §6.1, live.lock-beats-pid).

    When ``lock_path`` is a regular file naming ``pid``, its flock decides: held means alive,
    free means dead. Otherwise pid_alive(pid). The test lock is taken through our own open file
    description and released at once, so it never takes the lock from its owner.
    """
    if pid == 0:
        return False
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return pid_alive(pid)
    try:
        if _lock_names_pid(fd, pid):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            except OSError:
                return pid_alive(pid)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
    finally:
        os.close(fd)
    return pid_alive(pid)


def _lock_names_pid(fd: int, pid: int) -> bool:
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        text = os.pread(fd, 24, 0)
    except OSError:
        return False
    return 0 < len(text) < 24 and text.isdigit() and int(text) == pid


def remove_free_lock(path: str) -> None:
    """Removes the lock file at ``path`` when nobody holds it and it is still the file there."""
    lock = LockFile.try_existing(path)
    if lock is not None:
        lock.remove()


def unlink_quietly(path: str) -> None:
    _unlink_quietly(path)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return False
    return True


def _same_file(fd: int, path: str) -> bool:
    try:
        held = os.fstat(fd)
        named = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)
