#!/usr/bin/env python3
"""Cross-language benchmark pairs: C++ <-> Python, C++ <-> C#, and each port alone.

Starts two peer processes per case (ports/peer.py, the C# peer, `zerobuffer-bench peer`) that talk
through the languages' own ZeroBuffer libraries, and prints one JSON object per case on stdout
(bench "port-rtt" or "port-stream"), like zerobuffer-bench does. Standard library only.

  run_ports.py --bench build/bench-release/benchmarks/zerobuffer-bench [--quick 1]
               [--pairs cpp-cpp,python-python,...] [--sizes 64,65536] [--spin-ns N] [--no-loaded]
               [--pin A,B] [--rtt-only]

Every case runs "idle" (whatever else the machine runs) and, for the round trips at LOADED_SIZES,
once more "loaded": with one extra CPU-bound process (a Python busy loop, not pinned) running for
the whole case, so a spin phase that only works on an otherwise idle machine shows.

--pin A,B runs the reader / echo side on CPU A and the writer / initiator on CPU B (taskset), e.g.
--pin 0,0 for the one-CPU case the adaptive spin is for; every result then carries "pin": "A,B".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SIZES = [64, 65536, 3110416]
RING = 16 << 20
PAIRS = [("cpp", "cpp"), ("cpp", "python"), ("python", "cpp"), ("python", "python"),
         ("cpp", "csharp"), ("csharp", "cpp"), ("csharp", "csharp")]
LOADED_SIZES = [64, 65536]


def log(msg: str) -> None:
    print(f"[ports] {msg}", file=sys.stderr, flush=True)


def build_csharp(out: Path) -> list[str] | None:
    if shutil.which("dotnet") is None:
        log("dotnet not found: C# pairs skipped")
        return None
    proj = HERE / "csharp" / "ZeroBuffer.Bench.Peer.csproj"
    r = subprocess.run(["dotnet", "build", str(proj), "-c", "Release", "-p:UseArtifactsOutput=true",
                        f"-p:ArtifactsPath={out}", "-nologo", "-v", "q"], capture_output=True, text=True, timeout=600)
    exe = out / "bin" / "ZeroBuffer.Bench.Peer" / "release" / "zerobuffer-bench-peer"
    if r.returncode != 0 or not exe.exists():
        log("C# peer did not build: C# pairs skipped\n" + r.stdout[-2000:] + r.stderr[-2000:])
        return None
    return [str(exe)]


def cleanup_names(*names: str) -> None:
    for n in names:
        for p in (f"/dev/shm/{n}", f"/dev/shm/sem.sem-w-{n}", f"/dev/shm/sem.sem-r-{n}"):
            try:
                os.unlink(p)
            except OSError:
                pass


def run_pair(first: list[str], second: list[str], timeout: float) -> tuple[str, str]:
    """Starts `first` (the reader / echo side, which creates its buffer), then `second`; returns
    the stdout of the process that reports (second for rtt, first for streaming is decided by caller)."""
    p1 = subprocess.Popen(first, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p2 = subprocess.Popen(second, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        o2, e2 = p2.communicate(timeout=timeout)
        o1, e1 = p1.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p1.kill()
        p2.kill()
        p1.communicate()
        p2.communicate()
        raise RuntimeError("timed out")
    if p1.returncode != 0 or p2.returncode != 0:
        raise RuntimeError(f"exit {p1.returncode}/{p2.returncode}: {(e1 + e2).strip()[-400:]}")
    return o1, o2


class CpuHog:
    """One extra CPU-bound process for the "loaded" variant of a case."""

    def __init__(self, active: bool) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if active else None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="path of zerobuffer-bench")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--pairs", default="", help="comma-separated writer-reader pairs, e.g. cpp-cpp,csharp-cpp (default: all)")
    ap.add_argument("--sizes", default="", help="comma-separated frame sizes (default: %s)" % SIZES)
    ap.add_argument("--spin-ns", default="20000",
                    help="spin budget of every peer (0: block at once); a comma-separated list runs each, interleaved")
    ap.add_argument("--no-loaded", action="store_true", help="skip the loaded variant")
    ap.add_argument("--pin", default="", help="CPUs A,B: reader / echo side on A, writer / initiator on B")
    ap.add_argument("--rtt-only", action="store_true", help="round trips only (no streaming)")
    a = ap.parse_args()
    pin = a.pin.split(",") if a.pin else None
    if pin is not None and (len(pin) != 2 or not all(c.isdigit() for c in pin)):
        ap.error("--pin takes two CPU numbers, e.g. 0,0")
    if pin is not None and shutil.which("taskset") is None:
        ap.error("--pin needs taskset (util-linux)")

    def pinned(cmd: list[str], role: int) -> list[str]:
        return cmd if pin is None else ["taskset", "-c", pin[role]] + cmd
    pairs = [tuple(p.split("-")) for p in a.pairs.split(",")] if a.pairs else PAIRS
    sizes = [int(x) for x in a.sizes.split(",")] if a.sizes else SIZES
    spins = [int(x) for x in a.spin_ns.split(",")]
    seconds = "0.05" if a.quick == "1" else "0.5"
    rounds = 1 if a.quick == "1" else 3  # interleaved; report.py keeps the median run

    cmds = {"cpp": [a.bench, "peer"], "python": [sys.executable, str(HERE / "peer.py")]}
    cs = build_csharp(Path(a.bench).resolve().parents[2] / "bench-cs") if any("csharp" in p for p in pairs) else None
    if cs:
        cmds["csharp"] = cs
    lock_dir = tempfile.mkdtemp(prefix="zbb-locks-")
    os.environ["ZEROBUFFER_LOCK_DIR"] = lock_dir
    counter = 0
    try:
        cases = [(w_lang, r_lang, size, bench, load, spin)
                 for w_lang, r_lang in pairs for size in sizes for spin in spins
                 for bench in (("port-rtt",) if a.rtt_only else ("port-rtt", "port-stream"))
                 for load in ("idle", "loaded")
                 if load == "idle" or (bench == "port-rtt" and size in LOADED_SIZES and not a.no_loaded)]
        for _ in range(rounds):
            for w_lang, r_lang, size, bench, load, spin in cases:
                base = {"bench": bench, "writer_lang": w_lang, "reader_lang": r_lang, "size": size,
                        "ring": RING, "spin_ns": spin, "load": load, "pin": a.pin or "none"}
                if w_lang not in cmds or r_lang not in cmds:
                    print(json.dumps({**base, "error": "port not available"}), flush=True)
                    continue
                counter += 1
                tag = f"zbb-port-{os.getpid()}-{counter}"
                common = ["--size", str(size), "--ring", str(RING), "--seconds", seconds,
                          "--spin-ns", str(spin)]
                hog = CpuHog(load == "loaded")
                try:
                    if bench == "port-rtt":
                        ping, pong = tag + "-ping", tag + "-pong"
                        names = (ping, pong)
                        echo = pinned(cmds[r_lang] + ["--role", "rtt-echo", "--ping", ping, "--pong", pong] + common, 0)
                        init = pinned(cmds[w_lang] + ["--role", "rtt-init", "--ping", ping, "--pong", pong] + common, 1)
                        _, out = run_pair(echo, init, 120)
                        res = json.loads(out.strip().splitlines()[-1])
                    else:
                        names = (tag,)
                        reader = pinned(cmds[r_lang] + ["--role", "stream-read", "--name", tag] + common, 0)
                        writer = pinned(cmds[w_lang] + ["--role", "stream-write", "--name", tag] + common, 1)
                        out, _ = run_pair(reader, writer, 120)
                        res = json.loads(out.strip().splitlines()[-1])
                        res["frames_per_s"] = res["frames"] / res["seconds"]
                        res["gb_per_s"] = res["bytes"] / res["seconds"] / 1e9
                    print(json.dumps({**base, **res, "consume": "header"}), flush=True)
                    log(f"{bench} {w_lang}->{r_lang} {size} {load} pin={a.pin or 'none'} spin={spin}: "
                        + (f"p50 {res['p50_ns']:.0f} ns" if bench == "port-rtt" else "ok"))
                except (RuntimeError, ValueError, IndexError, OSError) as e:
                    print(json.dumps({**base, "error": str(e)}), flush=True)
                    log(f"{bench} {w_lang}->{r_lang} {size} {load}: {e}")
                finally:
                    hog.stop()
                    cleanup_names(*names)
    finally:
        shutil.rmtree(lock_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
