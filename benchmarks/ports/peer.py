#!/usr/bin/env python3
"""One role of a cross-language benchmark pair, over the Python port's public API.

Roles, frame layout and output match `zerobuffer-bench peer` (C++) and the C# peer:
frame bytes [0..8) timestamp or sequence, [8..16) control word (1 = stop), little-endian.

  peer.py --role rtt-init|rtt-echo --ping NAME --pong NAME --size N [--ring R] [--seconds S]
  peer.py --role stream-write --name NAME --size N [--seconds S]
  peer.py --role stream-read  --name NAME --size N [--ring R]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "zerobuffer" / "python"))

import zerobuffer  # noqa: E402  (path set above)

HDR = struct.Struct("<QQ")


def connect_writer(name: str, spin: float) -> zerobuffer.Writer:
    deadline = time.monotonic() + 20
    while True:
        try:
            return zerobuffer.Writer(name, write_timeout=10.0, spin=spin)
        except zerobuffer.BufferNotFoundException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def percentiles(v: list[int]) -> dict:
    v.sort()
    n = len(v)

    def rank(q: float) -> float:
        i = max(0, min(n - 1, int(-(-q * n // 1)) - 1))
        return float(v[i])

    return {"samples": n, "min_ns": float(v[0]), "p50_ns": rank(0.5), "p90_ns": rank(0.9), "p99_ns": rank(0.99),
            "p999_ns": rank(0.999), "max_ns": float(v[-1]), "mean_ns": sum(v) / n}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--role", required=True)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--ring", type=int, default=16 << 20)
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--ping", default="")
    ap.add_argument("--pong", default="")
    ap.add_argument("--name", default="")
    ap.add_argument("--spin-ns", type=int, default=20000)
    a = ap.parse_args()
    n = a.size
    spin = a.spin_ns / 1e9
    cfg = zerobuffer.BufferConfig(metadata_size=0, payload_size=a.ring, spin=spin)
    now = time.monotonic_ns

    if a.role in ("rtt-init", "rtt-echo"):
        init = a.role == "rtt-init"
        r = zerobuffer.Reader(a.pong if init else a.ping, cfg)
        w = connect_writer(a.ping if init else a.pong, spin)
        try:
            if not init:
                while True:
                    f = r.read_frame(20.0)
                    if f is None:
                        raise RuntimeError("echo: no frame within 20 s")
                    ts, ctl = HDR.unpack_from(f.data, 0)
                    out = w.get_frame_buffer(n)
                    HDR.pack_into(out, 0, ts, ctl)
                    f.release()
                    w.commit_frame()
                    if ctl == 1:
                        return

            def once(ctl: int) -> int:
                t0 = now()
                b = w.get_frame_buffer(n)
                HDR.pack_into(b, 0, t0, ctl)
                w.commit_frame()
                f = r.read_frame(20.0)
                if f is None:
                    raise RuntimeError("init: no echo within 20 s")
                echoed = HDR.unpack_from(f.data, 0)[0]
                f.release()
                return now() - echoed

            warm_end = now() + 50_000_000
            i = 0
            while i < 20 or now() < warm_end:
                once(0)
                i += 1
            lat: list[int] = []
            end = now() + int(a.seconds * 1e9)
            while len(lat) < 200_000 and (len(lat) < 100 or now() < end):
                lat.append(once(0))
            once(1)
            print(json.dumps(percentiles(lat)), flush=True)
        finally:
            w.close()
            r.close()
    elif a.role == "stream-write":
        w = connect_writer(a.name, spin)
        try:
            src = bytes((i * 131) & 0xFF for i in range(n))
            end = now() + int(a.seconds * 1e9)
            i = 1
            while True:
                b = w.get_frame_buffer(n)
                b[:] = src
                HDR.pack_into(b, 0, i, 0)
                w.commit_frame()
                if (i & 7) == 0 and now() >= end:
                    break
                i += 1
            b = w.get_frame_buffer(n)
            HDR.pack_into(b, 0, i + 1, 1)
            w.commit_frame()
        finally:
            w.close()
    elif a.role == "stream-read":
        r = zerobuffer.Reader(a.name, cfg)
        try:
            frames = nbytes = t0 = 0
            expected = 1
            while True:
                f = r.read_frame(20.0)
                if f is None:
                    raise RuntimeError("stream-read: no frame within 20 s")
                if t0 == 0:
                    t0 = now()
                seq, ctl = HDR.unpack_from(f.data, 0)
                size = f.size
                f.release()
                if ctl == 1:
                    break
                if seq != expected:
                    raise RuntimeError(f"stream-read: sequence {seq}, expected {expected}")
                expected += 1
                frames += 1
                nbytes += size
            print(json.dumps({"frames": frames, "bytes": nbytes, "seconds": (now() - t0) / 1e9}), flush=True)
        finally:
            r.close()
    else:
        raise SystemExit("--role must be rtt-init, rtt-echo, stream-write or stream-read")


if __name__ == "__main__":
    main()
