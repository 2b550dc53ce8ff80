"""Environments that break IPC: a process out of file descriptors (docs/reliability.md).

Each create or connect runs in a child whose descriptor limit leaves room for 0, 1, 2, ...
new descriptors, so it fails at every point where the library opens one, until it succeeds.
Every failure must be a ZeroBuffer error that names the cause, and leave nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
import unittest

from zb_support import BufferTestCase, child_env, dev_shm_entries

import zerobuffer as zb

# Runs in the child: lowers RLIMIT_NOFILE to the lowest free descriptor + EXTRA, then creates a
# reader or connects a writer. Prints "ok" or "error KIND MESSAGE".
CHILD = r"""
import os, resource, sys
import zerobuffer as zb
role, name, extra = sys.argv[1], sys.argv[2], int(sys.argv[3])
used = {int(fd) for fd in os.listdir("/proc/self/fd")}
lowest_free = next(fd for fd in range(len(used) + 2) if fd not in used)
resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free + extra, lowest_free + extra))
try:
    if role == "reader":
        zb.Reader(name, zb.BufferConfig(0, 4096)).close()
    else:
        zb.Writer(name).close()
except zb.ZeroBufferException as error:
    print("error", type(error).__name__, error)
else:
    print("ok")
"""


class DescriptorExhaustionTest(BufferTestCase):
    def attempt(self, role: str, name: str, extra: int) -> str:
        result = subprocess.run([sys.executable, "-c", CHILD, role, name, str(extra)], env=child_env(),
                                capture_output=True, text=True, timeout=30, close_fds=True)
        self.assertEqual(result.returncode, 0, f"{role} with {extra} free descriptors: {result.stderr}")
        return result.stdout.strip()

    def attempts_until_ok(self, role: str, name: str, after_failure) -> list[str]:
        outcomes = []
        for extra in range(12):
            outcome = self.attempt(role, name, extra)
            outcomes.append(outcome)
            if outcome == "ok":
                return outcomes
            self.assertRegex(outcome, r"^error \w+Exception .*(Too many open files|errno 24)", outcome)
            after_failure()
        self.fail(f"{role} never succeeded: {outcomes}")

    def test_reader_create_fails_cleanly_at_every_descriptor_it_opens(self) -> None:
        name = self.buffer_name()
        outcomes = self.attempts_until_ok(
            "reader", name, lambda: self.assertEqual(dev_shm_entries(name) + os.listdir(self.lock_dir), []))
        self.assertGreater(len(outcomes), 1, "the child never ran out of descriptors")

    def test_writer_connect_fails_cleanly_and_claims_nothing(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            lock_files = sorted(os.listdir(self.lock_dir))

            def nothing_claimed() -> None:
                self.assertEqual(reader.oieb.writer_pid, 0)
                self.assertEqual(sorted(os.listdir(self.lock_dir)), lock_files)

            outcomes = self.attempts_until_ok("writer", name, nothing_claimed)
            self.assertGreater(len(outcomes), 1, "the child never ran out of descriptors")


if __name__ == "__main__":
    unittest.main()
