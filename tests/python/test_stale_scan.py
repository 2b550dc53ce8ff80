"""The stale-lock scan of Reader create against readers of other names in the same lock
directory (docs/protocol.md §5, rules stale.same-inode and lockdir.wait-for-scan)."""

from __future__ import annotations

import fcntl
import os
import struct
import threading
import time
import unittest

from zb_support import BufferTestCase

import zerobuffer as zb

READER_PID_OFFSET = 0x58


def _own_buffer_intact(name: str, lock_dir: str) -> bool:
    """A live reader's three objects and lock file exist, and the OIEB names this process."""
    for path in (f"/dev/shm/sem.sem-w-{name}", f"/dev/shm/sem.sem-r-{name}", os.path.join(lock_dir, f"{name}.lock")):
        if not os.path.exists(path):
            return False
    try:
        fd = os.open(f"/dev/shm/{name}", os.O_RDONLY)
    except OSError:
        return False
    try:
        raw = os.pread(fd, 8, READER_PID_OFFSET)
    finally:
        os.close(fd)
    return len(raw) == 8 and struct.unpack("<Q", raw)[0] == os.getpid()


def _churn(name: str, lock_dir: str, until: float) -> int:
    """Creates and closes readers of ``name`` until ``until``; counts failures and lost objects."""
    failures = 0
    while time.monotonic() < until and failures < 100:
        try:
            with zb.Reader(name, zb.BufferConfig(metadata_size=0, payload_size=64)):
                if not _own_buffer_intact(name, lock_dir):
                    failures += 1
        except zb.ZeroBufferException:
            failures += 1
    return failures


class StaleScanTest(BufferTestCase):
    def test_readers_of_other_names_created_and_closed_concurrently_never_lose_their_objects(self) -> None:
        names = [self.buffer_name(tag) for tag in ("a", "b", "c")]
        until = time.monotonic() + 3.0
        children = []
        for name in names:
            pid = os.fork()
            if pid == 0:
                code = 100
                try:
                    code = _churn(name, self.lock_dir, until)
                finally:
                    os._exit(code)
            children.append(pid)
        for name, pid in zip(names, children):
            _, status = os.waitpid(pid, 0)
            self.assertTrue(os.WIFEXITED(status))
            self.assertEqual(os.WEXITSTATUS(status), 0, f"reader churn of {name} failed or lost its objects")

    def test_keeps_a_buffer_whose_header_is_not_complete_yet(self) -> None:
        # What a reader (of another lock directory) has between creating its object and storing
        # oieb_size: full size, all zero. Next to it here: a lock file nobody holds.
        creating = self.buffer_name("c")
        fd = os.open(f"/dev/shm/{creating}", os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.ftruncate(fd, 128 + 64)
        os.close(fd)
        os.close(os.open(os.path.join(self.lock_dir, f"{creating}.lock"), os.O_CREAT | os.O_RDWR, 0o600))
        with zb.Reader(self.buffer_name("o"), zb.BufferConfig(metadata_size=0, payload_size=64)):
            pass  # its create scans
        self.assertTrue(os.path.exists(f"/dev/shm/{creating}"), "the scan removed a buffer still being created")
        self.assertFalse(os.path.exists(os.path.join(self.lock_dir, f"{creating}.lock")), "the stale lock file stays")
        os.unlink(f"/dev/shm/{creating}")

    def test_reader_create_waits_for_a_scan_that_briefly_holds_its_lock_file(self) -> None:
        name = self.buffer_name()
        path = os.path.join(self.lock_dir, f"{name}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

        def scan() -> None:
            time.sleep(0.01)  # the scan's own work on the stale buffer (well under 100 ms)
            os.unlink(path)
            os.close(fd)

        scanner = threading.Thread(target=scan)
        scanner.start()
        try:
            with zb.Reader(name, zb.BufferConfig(metadata_size=0, payload_size=64)):
                pass
        finally:
            scanner.join()

    def test_a_lock_held_longer_than_a_scan_is_a_live_reader(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(metadata_size=0, payload_size=64)):
            with self.assertRaises(zb.ReaderAlreadyConnectedException):
                zb.Reader(name, zb.BufferConfig(metadata_size=0, payload_size=64))


if __name__ == "__main__":
    unittest.main()
