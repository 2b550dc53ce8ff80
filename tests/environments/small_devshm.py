#!/usr/bin/env python3
"""A /dev/shm too small for the buffer, checked against each port's serve (issue 12 §4).

Each case starts the port's serve in a mount namespace of its own (`unshare --mount
--propagation private`) with a small tmpfs mounted on /dev/shm, sends `createReader` over the
serve protocol (docs/serve-protocol.md) and checks the outcome against docs/protocol.md §5
(rules life.reserve-space, life.create-order, life.create-rollback):

  larger-than-devshm     a 1 MiB ring in a 256 KiB /dev/shm: `Internal` at create within 5 s
  semaphores-do-not-fit  the object (exactly one page) fits a one-page /dev/shm, no semaphore
                         does (glibc's sem_open writes a page per semaphore): `Internal`
  second-semaphore-does-not-fit  the same buffer in two pages: `Internal`
  fits                   the same buffer in three pages: created, its three objects are in the
                         small /dev/shm, `close` removes them (the control that shows the two
                         cases above fail at the semaphores and not at the object)

After a failed create nothing of the buffer may be left: the namespace's /dev/shm is listed at
once through /proc/PID/root (while the serve still runs, so a port that cleans up only at exit
fails) and again from inside the namespace after the serve has exited; the lock directory
(ZEROBUFFER_LOCK_DIR, private to the run) must be empty, and neither the host's /dev/shm nor
the default lock directory may hold anything of the name.

Needs root (mounting the tmpfs). Not root, or no `unshare`: prints the reason and exits 77
(CTest's skip code). As root the namespace must work, or the check fails: CI runs as root.

usage: small_devshm.py --source-dir DIR --build-dir DIR --port NAME[=COMMAND] ...
"""
import argparse
import json
import os
import queue
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Optional

SKIP = 77
OIEB_SIZE = 128  # docs/protocol.md §2: the object is 128 + M + P bytes
DEFAULT_LOCK_DIR = "/tmp/zerobuffer"
START_BUDGET_S = 60.0  # a serve's start-up (the .NET runtime) on a loaded machine
CREATE_BUDGET_S = 5.0  # the documented "fails at create, fast" of life.reserve-space
PAGE = os.sysconf("SC_PAGE_SIZE")

# In the new mount namespace: mount the small tmpfs, run the serve, then list what it left.
NAMESPACE_SCRIPT = r'''
size=$1 left=$2
shift 2
umask 022
mount -t tmpfs -o "size=$size,mode=1777" zerobuffer-small-shm /dev/shm || exit 97
"$@"
status=$?
ls -A /dev/shm > "$left"
exit $status
'''


class CheckFailed(Exception):
    pass


@dataclass(frozen=True)
class Case:
    name: str
    shm_bytes: int  # size of the tmpfs mounted on /dev/shm
    payload: int  # createReader's payloadSize (metadataSize 0)
    expect_error: Optional[str]  # the error kind, or None: the create must work


ONE_PAGE_PAYLOAD = PAGE - OIEB_SIZE  # metadata 0: the object is exactly one page
CASES = [
    Case("larger-than-devshm", 256 * 1024, 1024 * 1024, "Internal"),
    Case("semaphores-do-not-fit", PAGE, ONE_PAGE_PAYLOAD, "Internal"),
    Case("second-semaphore-does-not-fit", 2 * PAGE, ONE_PAGE_PAYLOAD, "Internal"),
    Case("fits", 3 * PAGE, ONE_PAGE_PAYLOAD, None),
]


def port_commands(args):
    with open(os.path.join(args.source_dir, "scenarios", "ports.json"), encoding="utf-8") as f:
        registered = json.load(f)["ports"]
    commands = {}
    for spec in args.port:
        name, _, command = spec.partition("=")
        if command:
            commands[name] = shlex.split(command)
        elif name in registered:
            commands[name] = [part.replace("${build}", args.build_dir).replace("${source}", args.source_dir)
                              for part in registered[name]["command"]]
        else:
            raise SystemExit(f"small_devshm: no port {name!r} in scenarios/ports.json")
    return commands


def skip_reason():
    if os.geteuid() != 0:
        return "needs root (mounts a tmpfs on /dev/shm in a private mount namespace); not root"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux), not found on PATH"
    return None


def namespace_works():
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "--",
                            "sh", "-c", f"mount -t tmpfs -o size={PAGE} zerobuffer-probe /dev/shm"],
                           capture_output=True, text=True)
    return probe.returncode == 0, probe.stderr.strip()


class Serve:
    """One serve in its own mount namespace, spoken to line by line."""

    def __init__(self, command, shm_bytes, work_dir, lock_dir):
        self.left_file = os.path.join(work_dir, "left-in-devshm.txt")
        self.stderr_file = open(os.path.join(work_dir, "serve-stderr.txt"), "w+", encoding="utf-8")
        env = dict(os.environ, ZEROBUFFER_LOCK_DIR=lock_dir)
        self.process = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", NAMESPACE_SCRIPT, "sh",
             str(shm_bytes), self.left_file, *command],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr_file, env=env, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read_lines, daemon=True).start()
        self.next_id = 1

    def _read_lines(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def call(self, method, params, budget_s):
        request_id = self.next_id
        self.next_id += 1
        self.process.stdin.write(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method,
                                             "params": params}) + "\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + budget_s
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise CheckFailed(f"{method}: no answer within {budget_s:.0f} s") from None
            if line is None:
                raise CheckFailed(f"{method}: the serve exited without answering (status {self.process.wait()})")
            reply = json.loads(line)
            if reply.get("id") == request_id:
                return reply

    def devshm(self):
        """The namespace's /dev/shm, seen through the namespace's first process (the shell)."""
        return sorted(os.listdir(f"/proc/{self.process.pid}/root/dev/shm"))

    def finish(self):
        """Shuts the serve down; returns what was left in the namespace's /dev/shm after it exited."""
        try:
            self.call("shutdown", {}, 10.0)
        finally:
            self.process.stdin.close()
            try:
                status = self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise CheckFailed("the serve did not exit within 10 s of shutdown") from None
        if status != 0:
            raise CheckFailed(f"the serve (or the namespace's mount) exited with status {status}")
        with open(self.left_file, encoding="utf-8") as f:
            return sorted(f.read().split())

    def stderr_tail(self):
        self.stderr_file.seek(0)
        return self.stderr_file.read()[-2000:]

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def of_name(entries, name):
    return [e for e in entries if name in e]


def expect_nothing_left(where, entries):
    if entries:
        raise CheckFailed(f"left behind in {where}: {', '.join(entries)}")


def run_case(port, command, case, work_dir):
    name = f"smallshm-{os.getpid()}-{port}-{case.name}"
    lock_dir = os.path.join(work_dir, "locks")
    os.makedirs(lock_dir)
    serve = Serve(command, case.shm_bytes, work_dir, lock_dir)
    try:
        serve.call("hello", {}, START_BUDGET_S)
        started = time.monotonic()
        reply = serve.call("createReader", {"name": name, "metadataSize": 0, "payloadSize": case.payload},
                           CREATE_BUDGET_S)
        took = time.monotonic() - started
        detail = f"createReader of {case.payload} bytes in a /dev/shm of {case.shm_bytes} bytes"
        if case.expect_error:
            error = reply.get("error")
            if error is None:
                raise CheckFailed(f"{detail} succeeded; expected {case.expect_error}")
            kind = (error.get("data") or {}).get("kind")
            if error.get("code") != -32000 or kind != case.expect_error:
                raise CheckFailed(f"{detail}: error {json.dumps(error)}; expected kind {case.expect_error}")
            if not error.get("message"):
                raise CheckFailed(f"{detail}: {kind} without a message")
            outcome = f"{kind} in {took * 1000:.0f} ms: {error['message']}"
            expect_nothing_left("/dev/shm right after the failed create", serve.devshm())
        else:
            if "error" in reply:
                raise CheckFailed(f"{detail} failed: {json.dumps(reply['error'])}")
            expected = sorted([name, f"sem.sem-r-{name}", f"sem.sem-w-{name}"])
            present = serve.devshm()
            if present != expected:
                raise CheckFailed(f"{detail}: the small /dev/shm holds {present}, expected {expected}")
            closed = serve.call("close", {}, CREATE_BUDGET_S)
            if "error" in closed:
                raise CheckFailed(f"close failed: {json.dumps(closed['error'])}")
            outcome = f"created in {took * 1000:.0f} ms, closed"
        expect_nothing_left("/dev/shm after the serve exited (listed in its namespace)", serve.finish())
        expect_nothing_left(f"the lock directory {lock_dir}", sorted(os.listdir(lock_dir)))
        expect_nothing_left("the host's /dev/shm", of_name(os.listdir("/dev/shm"), name))
        if os.path.isdir(DEFAULT_LOCK_DIR):
            expect_nothing_left(DEFAULT_LOCK_DIR, of_name(os.listdir(DEFAULT_LOCK_DIR), name))
        return outcome
    except CheckFailed as failure:
        serve.kill()
        raise CheckFailed(f"{failure}\n    serve stderr:\n{serve.stderr_tail()}") from None
    finally:
        serve.kill()
        serve.stderr_file.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--port", action="append", required=True,
                        help="a port of scenarios/ports.json, or NAME=COMMAND for another serve")
    args = parser.parse_args()
    commands = port_commands(args)

    reason = skip_reason()
    if reason:
        print(f"SKIP: {reason}")
        return SKIP
    works, why = namespace_works()
    if not works:
        print(f"FAIL: we are root, but a tmpfs cannot be mounted on /dev/shm in a new mount namespace: {why}")
        return 1

    failures = 0
    for port, command in commands.items():
        for case in CASES:
            with tempfile.TemporaryDirectory(prefix=f"zb-smallshm-{port}-") as work_dir:
                try:
                    print(f"PASS {port} {case.name}: {run_case(port, command, case, work_dir)}", flush=True)
                except CheckFailed as failure:
                    failures += 1
                    print(f"FAIL {port} {case.name}: {failure}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
