"""Helpers for the tests of the `zerobuffer` command-line tool.

The tool's path comes from ZEROBUFFER_CLI; the serves that own buffers in these tests from
ZEROBUFFER_SERVES ("cpp=PATH,python=PATH,csharp=PATH", only the ports this build has).
"""

import json
import os
import struct
import subprocess
import time
import unittest
import uuid

CLI = os.environ["ZEROBUFFER_CLI"]
SERVES = dict(item.split("=", 1) for item in os.environ.get("ZEROBUFFER_SERVES", "").split(",") if item)

# Exit codes, as docs/cli.md states them.
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_CORRUPT = 4
EXIT_PEER_GONE = 5
EXIT_BUSY = 6

# OIEB offsets (docs/protocol.md §2.1).
OIEB_SIZE, VERSION, METADATA_SIZE, METADATA_WRITTEN = 0x00, 0x04, 0x08, 0x18
PAYLOAD_SIZE, READ_POS = 0x20, 0x38


def cli(*args, stdin=None, timeout=20):
    """Runs the tool; returns the CompletedProcess (text output)."""
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=timeout)


def cli_json(*args):
    result = cli(*args, "--json")
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else None


def stop(proc):
    """Kills `proc` if it still runs and closes its pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def unique_name(tag):
    return f"zbcli-{tag}-{uuid.uuid4().hex[:10]}"


def wait_until(predicate, timeout=10.0, what="condition"):
    """Polls `predicate` every 10 ms until it is true; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def poke(name, offset, data):
    """Overwrites bytes of /dev/shm/NAME, as a damaged or hostile process would."""
    with open(f"/dev/shm/{name}", "r+b") as f:
        f.seek(offset)
        f.write(data)


def poke_u64(name, offset, value):
    poke(name, offset, struct.pack("<Q", value))


def remove_objects(name):
    for path in (f"/dev/shm/{name}", f"/dev/shm/sem.sem-w-{name}", f"/dev/shm/sem.sem-r-{name}"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


class Serve:
    """A port's serve process (docs/serve-protocol.md), used to own or feed a buffer."""

    def __init__(self, port):
        self.port = port
        self.proc = subprocess.Popen([SERVES[port]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.next_id = 1

    def call(self, method, **params):
        request = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.next_id += 1
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        response = json.loads(self.proc.stdout.readline())
        if "error" in response:
            raise RuntimeError(f"{self.port} serve: {method}: {response['error']}")
        return response["result"]

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        self.proc.stdout.close()

    def kill(self):
        self.proc.kill()
        self.proc.wait()


class CliTestCase(unittest.TestCase):
    """Removes every object of the buffers a test names, whatever happened."""

    def setUp(self):
        self.names = []

    def name(self, tag):
        n = unique_name(tag)
        self.names.append(n)
        return n

    def serve(self, port="cpp"):
        s = Serve(port)
        self.addCleanup(s.close)
        return s

    def tearDown(self):
        for n in self.names:
            remove_objects(n)
            lock = os.path.join(os.environ.get("ZEROBUFFER_LOCK_DIR", "/tmp/zerobuffer"), n + ".lock")
            if os.path.exists(lock):
                os.unlink(lock)

    def listed(self, name):
        code, buffers = cli_json("list")
        self.assertEqual(code, EXIT_OK)
        return next((b for b in buffers if b["name"] == name), None)
