"""A reader or writer in a process of its own, driven by one-line commands on stdin.

    peer.py reader NAME PAYLOAD_SIZE [METADATA_SIZE]
    peer.py writer NAME [CONNECT_TIMEOUT]

Prints "ready PID" once set up (or "error KIND ..." and exits 1), then answers each command with one line:

    write COUNT SIZE        -> "ok FIRST LAST" | "error KIND"
    read COUNT TIMEOUT      -> "ok SEQ,SEQ,..." | "timeout" | "error KIND"
    metadata TEXT           -> "ok" | "error KIND"
    close                   -> "closed"

End of input closes the reader or writer and exits 0.
"""

from __future__ import annotations

import os
import sys
import time

import zerobuffer as zb
from zerobuffer_serve.pattern import pattern


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def connect_writer(name: str, timeout: float) -> zb.Writer:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return zb.Writer(name)
        except (zb.BufferNotFoundException, zb.ReaderDeadException):
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def run(role: str, args: list[str]) -> None:
    try:
        if role == "reader":
            metadata_size = int(args[2]) if len(args) > 2 else 0
            endpoint: zb.Reader | zb.Writer = zb.Reader(args[0], zb.BufferConfig(metadata_size, int(args[1])))
        else:
            endpoint = connect_writer(args[0], float(args[1]) if len(args) > 1 else 5.0)
    except zb.ZeroBufferException as exc:
        say(f"error {exc.kind} {exc}")
        sys.exit(1)
    say(f"ready {os.getpid()}")
    for raw in sys.stdin:
        words = raw.split()
        if not words:
            continue
        try:
            if words[0] == "write":
                assert isinstance(endpoint, zb.Writer)
                count, size = int(words[1]), int(words[2])
                sequences = [endpoint.write_frame(pattern(size, endpoint.next_sequence)) for _ in range(count)]
                say(f"ok {sequences[0] if sequences else 0} {sequences[-1] if sequences else 0}")
            elif words[0] == "read":
                assert isinstance(endpoint, zb.Reader)
                count, timeout = int(words[1]), float(words[2])
                sequences = []
                for _ in range(count):
                    frame = endpoint.read_frame(timeout)
                    if frame is None:
                        break
                    sequences.append(frame.sequence)
                    frame.release()
                say("ok " + ",".join(map(str, sequences)) if len(sequences) == count else "timeout")
            elif words[0] == "metadata":
                assert isinstance(endpoint, zb.Writer)
                endpoint.set_metadata(" ".join(words[1:]).encode())
                say("ok")
            elif words[0] == "close":
                endpoint.close()
                say("closed")
            else:
                say(f"error Unknown {words[0]}")
        except zb.ZeroBufferException as exc:
            say(f"error {exc.kind} {exc}")
    endpoint.close()


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2:])
