"""The OS layer: liveness, atomics, semaphores, lock files."""

from __future__ import annotations

import ctypes
import os
import subprocess
import threading
import time
import unittest
from unittest import mock

from zb_support import BufferTestCase, dead_pid

import zerobuffer as zb
from zerobuffer import _posix


class LivenessTest(unittest.TestCase):
    def test_own_process_is_alive(self) -> None:
        self.assertTrue(_posix.pid_alive(os.getpid()))

    def test_pid_zero_and_impossible_pids_are_dead(self) -> None:
        for pid in (0, -1, 2**31, 2**63, 2**64 - 1):
            self.assertFalse(_posix.pid_alive(pid), pid)

    def test_reaped_process_is_dead(self) -> None:
        self.assertFalse(_posix.pid_alive(dead_pid()))

    def test_unreaped_zombie_is_dead(self) -> None:
        child = subprocess.Popen(["true"])
        try:
            deadline = time.monotonic() + 5
            while _posix.pid_alive(child.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertFalse(_posix.pid_alive(child.pid))
        finally:
            child.wait()

    def test_eperm_means_alive(self) -> None:
        with mock.patch.object(_posix.os, "kill", side_effect=PermissionError(1, "Operation not permitted")):
            self.assertTrue(_posix.pid_alive(os.getpid()))


class AtomicsTest(unittest.TestCase):
    def test_operations_on_a_buffer(self) -> None:
        cell = (ctypes.c_uint64 * 1)(10)
        address = ctypes.addressof(cell)
        atomics = _posix.atomics()
        self.assertEqual(atomics.fetch_add(address, 5), 10)
        self.assertEqual(atomics.fetch_sub(address, 3), 15)
        self.assertEqual(atomics.load(address), 12)
        atomics.store(address, 2**64 - 1)
        self.assertEqual(cell[0], 2**64 - 1)
        self.assertEqual(atomics.compare_exchange(address, 1, 7), (False, 2**64 - 1))
        self.assertEqual(atomics.compare_exchange(address, 2**64 - 1, 7), (True, 2**64 - 1))
        self.assertEqual(cell[0], 7)

    def test_missing_libatomic_is_a_clear_error(self) -> None:
        with mock.patch.object(_posix.ctypes, "CDLL", side_effect=OSError("not found")), mock.patch.object(
            _posix.ctypes.util, "find_library", return_value=None
        ):
            with self.assertRaises(zb.InternalException) as caught:
                _posix.Atomics()
        self.assertIn("libatomic", str(caught.exception))


class SemaphoreTest(BufferTestCase):
    def test_post_try_wait_and_timed_wait(self) -> None:
        os_name = "/" + self.buffer_name()
        sem = _posix.Semaphore.create(os_name, 0o600)
        try:
            self.assertFalse(sem.try_wait())
            start = time.monotonic()
            self.assertFalse(sem.timed_wait(0.05))
            self.assertGreaterEqual(time.monotonic() - start, 0.04)
            sem.post()
            self.assertTrue(sem.timed_wait(1.0))
            sem.post()
            self.assertTrue(sem.try_wait())
            with self.assertRaises(zb.InternalException):
                _posix.Semaphore.create(os_name, 0o600)  # O_EXCL
        finally:
            sem.close()
            _posix.Semaphore.unlink(os_name)
        self.assertIsNone(_posix.Semaphore.open(os_name))


class SpinWaitTest(BufferTestCase):
    def test_spin_wait_consumes_a_post_or_gives_up_after_its_budget(self) -> None:
        os_name = "/" + self.buffer_name()
        sem = _posix.Semaphore.create(os_name, 0o600)
        try:
            start = time.monotonic_ns()
            self.assertFalse(sem.spin_wait(2_000_000))
            self.assertGreaterEqual(time.monotonic_ns() - start, 2_000_000)
            sem.post()
            self.assertTrue(sem.spin_wait(5_000_000_000))
            self.assertFalse(sem.try_wait())  # the post was consumed
        finally:
            sem.close()
            _posix.Semaphore.unlink(os_name)

    def test_spin_wait_sees_a_post_made_while_it_spins(self) -> None:
        os_name = "/" + self.buffer_name()
        sem = _posix.Semaphore.create(os_name, 0o600)
        poster = threading.Thread(target=sem.post)
        try:
            start = time.monotonic()
            poster.start()
            self.assertTrue(sem.spin_wait(10_000_000_000))
            self.assertLess(time.monotonic() - start, 9.0)
        finally:
            poster.join()
            sem.close()
            _posix.Semaphore.unlink(os_name)


class LockFileTest(BufferTestCase):
    def test_a_held_lock_is_not_stale(self) -> None:
        path = os.path.join(self.lock_dir, "x.lock")
        lock = _posix.LockFile.acquire(path, 0o600)
        assert lock is not None
        self.assertIsNone(_posix.LockFile.try_existing(path))
        self.assertIsNone(_posix.LockFile.acquire(path, 0o600, patience=0.02))
        lock.remove()
        self.assertFalse(os.path.exists(path))

    def test_symlinked_lock_file_is_refused(self) -> None:
        path = os.path.join(self.lock_dir, "y.lock")
        os.symlink(os.path.join(self.lock_dir, "elsewhere"), path)
        try:
            with self.assertRaises(zb.InternalException):
                _posix.LockFile.acquire(path, 0o600)
            self.assertIsNone(_posix.LockFile.try_existing(path))
        finally:
            os.unlink(path)


if __name__ == "__main__":
    unittest.main()
