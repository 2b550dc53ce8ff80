#!/usr/bin/env python3
"""Per-call cost of the Python port's hot path, one process, best of several repetitions.

Prints one JSON object: nanoseconds per frame of write + read + release (header-only, 64 B, no
waiting) and of the primitive operations that path is made of, so the limit of a Python round
trip can be read off (issue 14 §2). The minimum over repetitions is reported: on a loaded
machine it is the closest to the uncontended cost.

  python_percall.py [--reps 7] [--n 20000]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import struct
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "zerobuffer" / "python"))

import zerobuffer  # noqa: E402  (path set above)
from zerobuffer import _posix  # noqa: E402

HDR = struct.Struct("<QQ")


def best(stmt, n: int, reps: int) -> float:
    return min(timeit.repeat(stmt, number=n, repeat=reps)) / n * 1e9


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--n", type=int, default=20000)
    a = ap.parse_args()
    name = f"zbb-percall-{os.getpid()}"
    out: dict[str, float] = {}
    with zerobuffer.Reader(name, zerobuffer.BufferConfig(0, 1 << 20, spin=0)) as r, \
            zerobuffer.Writer(name, spin=0) as w:
        def frame() -> None:
            b = w.get_frame_buffer(64)
            HDR.pack_into(b, 0, 1, 0)
            w.commit_frame()
            f = r.read_frame(1.0)
            HDR.unpack_from(f.data, 0)
            f.release()

        def write_only() -> None:
            b = w.get_frame_buffer(64)
            HDR.pack_into(b, 0, 1, 0)
            w.commit_frame()

        def read_only() -> None:
            f = r.read_frame(1.0)
            HDR.unpack_from(f.data, 0)
            f.release()

        out["frame_write_read_release_ns"] = best(frame, a.n, a.reps)
        per_write = []
        per_read = []
        for _ in range(a.reps):
            t0 = time.perf_counter_ns()
            for _ in range(2000):
                write_only()
            t1 = time.perf_counter_ns()
            for _ in range(2000):
                read_only()
            t2 = time.perf_counter_ns()
            per_write.append((t1 - t0) / 2000)
            per_read.append((t2 - t1) / 2000)
        out["write_get_buffer_commit_ns"] = min(per_write)
        out["read_frame_release_ns"] = min(per_read)

        sem = r._sem_w  # noqa: SLF001  (the primitive the spin polls)
        trywait, handle = _posix._libc.sem_trywait, sem._handle_arg  # noqa: SLF001
        out["ctypes_sem_trywait_ns"] = best(lambda: trywait(handle), a.n, a.reps)
        out["ctypes_atomic_load_ns"] = best(lambda: r.oieb.payload_written_count, a.n, a.reps)
        out["time_monotonic_ns_ns"] = best(time.monotonic_ns, a.n, a.reps)
        out["os_getpid_ns"] = best(os.getpid, a.n, a.reps)
        view = memoryview(bytearray(128))
        out["struct_pack_into_ns"] = best(lambda: HDR.pack_into(view, 0, 1, 0), a.n, a.reps)
        out["memoryview_slice_ns"] = best(lambda: view[16:80], a.n, a.reps)
        out["python_call_ns"] = best(lambda: None, a.n, a.reps)
        out["ctypes_c_abs_ns"] = best(lambda: ctypes.pythonapi.Py_IsInitialized(), a.n, a.reps)
    out["python"] = sys.version.split()[0]
    out["load_average"] = os.getloadavg()[0]
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
