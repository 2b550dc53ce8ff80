"""Shared helpers of the Python tests: import paths, isolation, leak checks, peer processes."""

from __future__ import annotations

import itertools
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from typing import Optional

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TESTS_DIR))
LIBRARY_DIR = os.path.join(REPO_ROOT, "zerobuffer", "python")
SERVE_DIR = os.path.join(REPO_ROOT, "serve", "python")
SERVE_WRAPPER = os.path.join(SERVE_DIR, "zerobuffer-serve-python")
PEER = os.path.join(TESTS_DIR, "peer.py")

for _path in (SERVE_DIR, LIBRARY_DIR):
    if _path not in sys.path:
        sys.path.insert(0, _path)

_counter = itertools.count(1)


def child_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: our import paths and lock directory."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([LIBRARY_DIR, SERVE_DIR] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def dev_shm_entries(name: str) -> list[str]:
    """Objects of buffer ``name`` in /dev/shm."""
    wanted = {name, f"sem.sem-w-{name}", f"sem.sem-r-{name}"}
    return sorted(entry for entry in os.listdir("/dev/shm") if entry in wanted)


def dead_pid() -> int:
    """A PID that belonged to a process that has exited and been reaped."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


class BufferTestCase(unittest.TestCase):
    """Gives each test its own lock directory and unique buffer names, and checks for leaks."""

    def setUp(self) -> None:
        super().setUp()
        self.lock_dir = tempfile.mkdtemp(prefix="zbpy-locks-")
        self._saved_lock_dir = os.environ.get("ZEROBUFFER_LOCK_DIR")
        os.environ["ZEROBUFFER_LOCK_DIR"] = self.lock_dir
        self._names: list[str] = []
        self._peers: list[subprocess.Popen[bytes]] = []
        self.addCleanup(self._cleanup)

    def buffer_name(self, tag: str = "buf") -> str:
        name = f"zbpy-{os.getpid()}-{next(_counter)}-{tag}"
        self._names.append(name)
        return name

    def _cleanup(self) -> None:
        for proc in self._peers:
            if proc.poll() is None and proc.stdin is not None:
                proc.stdin.close()  # end of input: the peer closes what it holds and exits
                try:
                    proc.wait(5.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        leaked = [entry for name in self._names for entry in dev_shm_entries(name)]
        for name in self._names:
            for path in (f"/dev/shm/{name}", f"/dev/shm/sem.sem-w-{name}", f"/dev/shm/sem.sem-r-{name}"):
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
        leftover_locks = os.listdir(self.lock_dir)
        shutil.rmtree(self.lock_dir, ignore_errors=True)
        if self._saved_lock_dir is None:
            os.environ.pop("ZEROBUFFER_LOCK_DIR", None)
        else:
            os.environ["ZEROBUFFER_LOCK_DIR"] = self._saved_lock_dir
        self.assertEqual(leaked, [], "objects leaked in /dev/shm")
        self.assertEqual(leftover_locks, [], "lock files left behind")

    # -- peer processes ---------------------------------------------------------------------

    def start_peer(self, *args: str) -> "Peer":
        """Starts tests/python/peer.py with ``args`` and waits for its first line ("ready ...")."""
        peer = self.launch_peer(*args)
        if not peer.ready_line.startswith("ready"):
            peer.proc.kill()
            peer.proc.wait()
            stderr = peer.proc.stderr.read().decode() if peer.proc.stderr else ""
            self.fail(f"peer {args} did not start: {peer.ready_line!r} {stderr}")
        return peer

    def launch_peer(self, *args: str) -> "Peer":
        """Starts tests/python/peer.py; its first line ("ready PID" or "error KIND ...") is in ready_line."""
        proc = subprocess.Popen(
            [sys.executable, PEER, *args],
            bufsize=0,  # unbuffered, so select() on stdout never misses a buffered line
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(),
        )
        self._peers.append(proc)
        peer = Peer(proc)
        peer.ready_line = peer.read_line(10.0)
        return peer


class Peer:
    """A peer process speaking a line protocol (see peer.py)."""

    def __init__(self, proc: "subprocess.Popen[bytes]") -> None:
        self.proc = proc
        self.ready_line = ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def read_line(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return ""
        return self.proc.stdout.readline().decode().strip()

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def kill(self) -> None:
        """SIGKILL and reap (a zombie would still look alive to kill(pid, 0))."""
        self.proc.kill()
        self.proc.wait()

    def wait(self, timeout: float = 10.0) -> Optional[int]:
        return self.proc.wait(timeout)


def elapsed_since(start: float) -> float:
    return time.monotonic() - start
