#!/usr/bin/env python3
"""Results of benchmarks/run.sh -> results.json, SVG plots and docs/performance.md.

Standard library only; the SVG is written by hand.

  report.py machine --bench PATH [--extra-flags F] [--quick 0|1]   machine description (JSON, stdout)
  report.py finish  --machine machine.json --raw results.jsonl --out results.json
  report.py doc     --results results.json --doc docs/performance.md --plots DIR
"""

from __future__ import annotations

import argparse
import datetime as _dt
import html
import json
import math
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

KIB, MIB = 1024, 1024 * 1024


# --------------------------------------------------------------------------------------------
# machine description

def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _virtualisation() -> str:
    parts = []
    virt = _run(["systemd-detect-virt"])
    if virt and virt != "none":
        parts.append(f"{virt} (systemd-detect-virt)")
    for line in _run(["lscpu"]).splitlines():
        if line.startswith("Hypervisor vendor"):
            parts.append(f"{line.split(':', 1)[1].strip()} hypervisor (lscpu)")
    return ", ".join(parts) or "none detected"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def _mem_total_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _busy_processes() -> list[str]:
    """The processes using the most CPU right now (what else was running)."""
    out = _run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"])
    rows = []
    for line in out.splitlines()[:8]:
        parts = line.split(None, 1)
        if len(parts) == 2:
            try:
                if float(parts[0]) >= 5.0:
                    rows.append(f"{parts[1]} {parts[0]}%")
            except ValueError:
                pass
    return rows


def cmd_machine(a: argparse.Namespace) -> None:
    info = {}
    text = _run([a.bench, "info"])
    if text:
        try:
            info = json.loads(text.splitlines()[0])
        except json.JSONDecodeError:
            info = {}
    flags = (info.get("flags") or "").strip()
    m = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_model": _cpu_model(),
        "vcpus": os.cpu_count(),
        "virtualisation": _virtualisation(),
        "kernel": platform.release(),
        "os": _os_name(),
        "memory_gib": _mem_total_gib(),
        "compiler": info.get("compiler", "unknown"),
        "build_type": info.get("build_type", "unknown"),
        "compiler_flags": flags + " -Wall -Wextra -Werror",
        "extra_flags_reason": ("GCC 12 false -Wrestrict positive in libstdc++ at -O3" if a.extra_flags else ""),
        "transports_built": info.get("transports", ""),
        "syscall_counter": info.get("syscall_counter", False),
        "zerobuffer_default_spin_ns": info.get("zerobuffer_default_spin_ns", 20000),
        "load_average_start": list(os.getloadavg()),
        "busy_processes_start": _busy_processes(),
        "git_commit": _run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "quick": a.quick == "1",
        "pinning": "none unless a result says pin=A,B (role 0 on CPU A, role 1 on CPU B)",
        "iceoryx_version": _run(["dpkg-query", "-W", "-f=${Version}", "libiceoryx-posh-dev"]),
        "boost_version": _run(["dpkg-query", "-W", "-f=${Version}", "libboost-dev"]),
    }
    json.dump(m, sys.stdout, indent=2)
    sys.stdout.write("\n")


def cmd_finish(a: argparse.Namespace) -> None:
    machine = json.loads(Path(a.machine).read_text())
    machine["load_average_end"] = list(os.getloadavg())
    machine["busy_processes_end"] = _busy_processes()
    results = []
    for line in Path(a.raw).read_text().splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            results.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    Path(a.out).write_text(json.dumps({"machine": machine, "results": results}, indent=1) + "\n")


# --------------------------------------------------------------------------------------------
# formatting helpers

def size_label(n) -> str:
    if not isinstance(n, (int, float)):
        return str(n)
    n = int(n)
    if n == 3110416:
        return "3.1 MB"
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MiB"
    if n >= KIB and n % KIB == 0:
        return f"{n // KIB} KiB"
    return f"{n} B"


def fmt_ns(ns) -> str:
    if ns is None:
        return "–"
    ns = float(ns)
    if ns < 1000:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f} µs" if ns < 1e5 else f"{ns / 1e3:.0f} µs"
    if ns < 1e9:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.2f} s"


def fmt_num(x, digits=3) -> str:
    if x is None:
        return "–"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f} M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f} k"
    return f"{x:.{digits}g}"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


TRANSPORT_NAMES = {
    "zerobuffer": "ZeroBuffer",
    "spsc": "busy-poll SPSC ring",
    "sem": "named semaphore",
    "pipe": "pipe",
    "uds": "Unix socket",
    "mq": "POSIX mq",
    "boost_mq": "Boost.Interprocess mq",
    "iceoryx": "iceoryx",
}


def series_name(r: dict) -> str:
    name = TRANSPORT_NAMES.get(r["transport"], r["transport"])
    parts = []
    if r.get("fill") and r["transport"] in ("zerobuffer", "spsc", "iceoryx"):
        parts.append("header-only" if r["fill"] == "header" else "full fill")
    if r["transport"] in ("zerobuffer", "iceoryx"):
        parts.append("spin" if r.get("wait") == "spin-then-block" else "blocking")
    return name + (" (" + ", ".join(parts) + ")" if parts else "")


# --------------------------------------------------------------------------------------------
# SVG

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939", "#843c39", "#7b4173"]


def _nice_log_ticks(lo: float, hi: float) -> list[float]:
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    return [10.0 ** e for e in range(a, b + 1)]


def line_chart(title: str, series: list[tuple[str, list[tuple[float, float]]]], xlabel: str, ylabel: str,
               xfmt=size_label, yfmt=fmt_num, width=980, height=520, emphasize: str = "ZeroBuffer") -> str:
    pts = [p for _, s in series for p in s if p[0] > 0 and p[1] > 0]
    if not pts:
        return ""
    xs = sorted({p[0] for p in pts})
    ylo, yhi = min(p[1] for p in pts), max(p[1] for p in pts)
    yticks = _nice_log_ticks(ylo, yhi)
    ylo, yhi = yticks[0], yticks[-1]
    if ylo == yhi:
        yhi = ylo * 10
    left, right, top, bottom = 80, 300, 40, 60
    pw, ph = width - left - right, height - top - bottom
    xlo, xhi = math.log10(xs[0]), math.log10(xs[-1]) if xs[-1] > xs[0] else math.log10(xs[0]) + 1

    def X(x):
        return left + (math.log10(x) - xlo) / (xhi - xlo) * pw if xhi > xlo else left + pw / 2

    def Y(y):
        return top + ph - (math.log10(y) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)) * ph

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{left}" y="22" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for t in yticks:
        y = Y(t)
        o.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{html.escape(yfmt(t))}</text>')
    for x in xs:
        px = X(x)
        o.append(f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{top + ph}" stroke="#eee"/>')
        o.append(f'<text x="{px:.1f}" y="{top + ph + 18}" text-anchor="middle">{html.escape(xfmt(x))}</text>')
    o.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    o.append(f'<text x="{left + pw / 2}" y="{height - 15}" text-anchor="middle">{html.escape(xlabel)}</text>')
    o.append(f'<text x="18" y="{top + ph / 2}" text-anchor="middle" '
             f'transform="rotate(-90 18 {top + ph / 2})">{html.escape(ylabel)}</text>')
    for i, (name, s) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        s = sorted(p for p in s if p[0] > 0 and p[1] > 0)
        if not s:
            continue
        w = 3 if name.startswith(emphasize) else 1.5
        dash = "" if name.startswith(emphasize) else ' stroke-dasharray="5,3"'
        if len(s) > 1:
            d = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in s)
            o.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="{w}"{dash}/>')
        for x, y in s:
            o.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3" fill="{color}">'
                     f'<title>{html.escape(name)}: {html.escape(xfmt(x))} → {html.escape(yfmt(y))}</title></circle>')
        ly = top + 10 + i * 18
        o.append(f'<line x1="{left + pw + 12}" y1="{ly}" x2="{left + pw + 36}" y2="{ly}" stroke="{color}" '
                 f'stroke-width="{w}"{dash}/>')
        o.append(f'<text x="{left + pw + 42}" y="{ly + 4}">{html.escape(name)}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def bar_chart(title: str, groups: list[tuple[str, list[float]]], labels: list[str], ylabel: str,
              yfmt=fmt_ns, width=1000, height=560) -> str:
    vals = [v for _, vs in groups for v in vs if v and v > 0]
    if not vals:
        return ""
    yticks = _nice_log_ticks(min(vals), max(vals))
    ylo, yhi = yticks[0], yticks[-1]
    if ylo == yhi:
        yhi = ylo * 10
    left, right, top, bottom = 170, 110, 40, 150
    pw, ph = width - left - right, height - top - bottom

    def Y(y):
        return top + ph - (math.log10(y) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)) * ph

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{left}" y="22" font-size="15" font-weight="bold">{html.escape(title)}</text>']
    for t in yticks:
        y = Y(t)
        o.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{html.escape(yfmt(t))}</text>')
    gw = pw / max(1, len(groups))
    bw = gw * 0.8 / max(1, len(labels))
    for gi, (gname, vs) in enumerate(groups):
        gx = left + gi * gw + gw * 0.1
        for li, v in enumerate(vs):
            if not v or v <= 0:
                continue
            y = Y(v)
            o.append(f'<rect x="{gx + li * bw:.1f}" y="{y:.1f}" width="{bw - 1:.1f}" height="{top + ph - y:.1f}" '
                     f'fill="{PALETTE[li % len(PALETTE)]}"><title>{html.escape(gname)} {labels[li]}: '
                     f'{html.escape(yfmt(v))}</title></rect>')
        cx = gx + gw * 0.4
        o.append(f'<text x="{cx:.1f}" y="{top + ph + 14}" text-anchor="end" '
                 f'transform="rotate(-40 {cx:.1f} {top + ph + 14})">{html.escape(gname)}</text>')
    o.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    o.append(f'<text x="{left - 60}" y="{top + ph / 2}" text-anchor="middle" '
             f'transform="rotate(-90 {left - 60} {top + ph / 2})">{html.escape(ylabel)}</text>')
    for li, lab in enumerate(labels):
        ly = top + 10 + li * 18
        o.append(f'<rect x="{left + pw + 12}" y="{ly - 8}" width="14" height="12" fill="{PALETTE[li % len(PALETTE)]}"/>')
        o.append(f'<text x="{left + pw + 32}" y="{ly + 2}">{html.escape(lab)}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------------------------
# selecting results

GROUP_KEYS = ("bench", "transport", "size", "fill", "wait", "spin_ns", "ring", "pin", "label", "case", "consume",
              "wrap_heavy", "writer_lang", "reader_lang", "load")


def _metric(r: dict):
    """The number a repeated case is ranked by: p50 for latencies, throughput for streams."""
    for k in ("p50_ns", "gb_per_s", "frames_per_s", "instr_per_frame", "ns_per_frame"):
        if isinstance(r.get(k), (int, float)):
            return float(r[k])
    return 0.0


def median_runs(rows: list[dict]) -> list[dict]:
    """Collapses repeated runs of one case (run.sh runs the comparisons in rounds) into the run with
    the median metric, annotated with the number of runs and the range of the metric."""
    groups: dict[tuple, list[dict]] = {}
    order = []
    for r in rows:
        if r.get("bench") == "failure":
            key = (id(r),)
        else:
            key = tuple(json.dumps(r.get(k), sort_keys=True) for k in GROUP_KEYS)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(r)
    out = []
    for key in order:
        g = sorted(groups[key], key=_metric)
        chosen = dict(g[(len(g) - 1) // 2])
        chosen["runs"] = len(g)
        chosen["metric_range"] = [_metric(g[0]), _metric(g[-1])]
        out.append(chosen)
    return out


class Results:
    def __init__(self, data: dict):
        self.machine = data.get("machine", {})
        self.all = data.get("results", [])
        self.ok = median_runs([r for r in self.all if "error" not in r])
        self.errors = [r for r in self.all if "error" in r]

    def find(self, **kw) -> list[dict]:
        out = []
        for r in self.ok:
            if all((r.get(k) == v) if not callable(v) else v(r.get(k)) for k, v in kw.items()):
                out.append(r)
        return out

    def one(self, **kw):
        rs = self.find(**kw)
        return rs[0] if rs else None


def main_rtt(R: Results, transport, fill, wait=None, size=None, pin="none"):
    kw = dict(bench="rtt", transport=transport, label=None, pin=pin)
    if fill:
        kw["fill"] = fill
    if wait:
        kw["wait"] = wait
    if size is not None:
        kw["size"] = size
    return R.find(**kw)


def _rng(r, fmt) -> str:
    """' [lo–hi]' over the repeated runs of a case (run.sh runs comparisons in rounds)."""
    if not r or r.get("runs", 1) < 2:
        return ""
    lo, hi = r["metric_range"]
    return f" [{fmt(lo)}–{fmt(hi)}]"


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def _get(r, key):
    return None if r is None else r.get(key)


# --------------------------------------------------------------------------------------------
# targets

def evaluate_targets(R: Results, pin: str = "none") -> list[dict]:
    """Targets judged on the unpinned runs (pin "none") or on the runs pinned to two CPUs ("0,1").
    Targets that were measured unpinned only are marked pin_dependent=False."""
    T = []
    dep = [True]

    def add(name, ratio, limit, kind, detail, evidence=""):
        if ratio is None:
            verdict = "NOT MEASURED"
        else:
            verdict = "PASS" if (ratio <= limit if kind == "<=" else ratio >= limit) else "MISS"
        T.append({"target": name, "ratio": ratio, "limit": f"{kind} {limit:g}", "verdict": verdict, "detail": detail,
                  "pin_dependent": dep[0]})

    def rtt1(transport, fill, wait, size=64):
        rs = main_rtt(R, transport, fill, wait, size, pin)
        return rs[0] if rs else None

    zs = rtt1("zerobuffer", "header", "spin-then-block")
    sp = rtt1("spsc", "header", "busy-poll")
    add("Spin round trip 64 B: p50 ≤ 2× busy-poll ring", _ratio(_get(zs, "p50_ns"), _get(sp, "p50_ns")), 2, "<=",
        f"ZeroBuffer {fmt_ns(_get(zs, 'p50_ns'))}{_rng(zs, fmt_ns)} vs SPSC ring {fmt_ns(_get(sp, 'p50_ns'))}"
        f"{_rng(sp, fmt_ns)}")
    zb = rtt1("zerobuffer", "header", "block")
    se = R.one(bench="rtt", transport="sem", label=None, pin=pin)
    add("Blocking round trip 64 B: p50 ≤ 1.2× semaphore ping-pong", _ratio(_get(zb, "p50_ns"), _get(se, "p50_ns")),
        1.2, "<=", f"ZeroBuffer {fmt_ns(_get(zb, 'p50_ns'))}{_rng(zb, fmt_ns)} vs semaphores "
                   f"{fmt_ns(_get(se, 'p50_ns'))}{_rng(se, fmt_ns)}")
    add("Blocking round trip 64 B: p99 ≤ 1.5× semaphore ping-pong", _ratio(_get(zb, "p99_ns"), _get(se, "p99_ns")),
        1.5, "<=", f"ZeroBuffer {fmt_ns(_get(zb, 'p99_ns'))} vs semaphores {fmt_ns(_get(se, 'p99_ns'))}")

    for wait in ("spin-then-block", "block"):
        rs = sorted(main_rtt(R, "zerobuffer", "header", wait, None, pin), key=lambda r: r["size"])
        base = next((r for r in rs if r["size"] == 64), None)
        if base and len(rs) > 1:
            worst = max(rs, key=lambda r: abs(r["p50_ns"] / base["p50_ns"] - 1))
            dev = worst["p50_ns"] / base["p50_ns"]
            ok_ratio = max(abs(r["p50_ns"] / base["p50_ns"] - 1) for r in rs)
            add(f"Header-only round trip flat ±20 % from 64 B to 3.1 MB ({'spin' if wait != 'block' else 'blocking'})",
                1 + ok_ratio, 1.2, "<=",
                f"p50 at 64 B {fmt_ns(base['p50_ns'])}; largest deviation at {size_label(worst['size'])}: "
                f"{fmt_ns(worst['p50_ns'])} ({(dev - 1) * 100:+.0f} %)")
        else:
            add(f"Header-only round trip flat ±20 % from 64 B to 3.1 MB ({'spin' if wait != 'block' else 'blocking'})",
                None, 1.2, "<=", "not measured")

    def gbps(transport, size, ring):
        r = R.one(bench="stream", transport=transport, size=size, ring=ring, label=None, pin=pin)
        return _get(r, "gb_per_s")

    def gbtxt(transport, size, ring):
        r = R.one(bench="stream", transport=transport, size=size, ring=ring, label=None, pin=pin)
        f = lambda v: f"{v:.3g}"
        return "–" if r is None else f"{f(r['gb_per_s'])}{_rng(r, f)}"

    for size, ring, limit in [(3110416, 256 * MIB, 0.85), (65536, 256 * MIB, 0.8), (1048576, 256 * MIB, 0.8),
                              (65536, 16 * MIB, 0.8), (1048576, 16 * MIB, 0.8), (64, 16 * MIB, 0.4),
                              (1024, 16 * MIB, 0.4), (64, 256 * MIB, 0.4), (1024, 256 * MIB, 0.4)]:
        z, s = gbps("zerobuffer", size, ring), gbps("spsc", size, ring)
        add(f"Streaming {size_label(size)}, {size_label(ring)} ring: ≥ {limit}× busy-poll ring", _ratio(z, s), limit,
            ">=", f"{gbtxt('zerobuffer', size, ring)} vs {gbtxt('spsc', size, ring)} GB/s")

    zf = rtt1("zerobuffer", "full", "spin-then-block")
    for t in ("pipe", "uds"):
        b = rtt1(t, "full", "block")
        add(f"Round trip 64 B ≥ 20× lower than {TRANSPORT_NAMES[t]}", _ratio(_get(b, "p50_ns"), _get(zf, "p50_ns")), 20,
            ">=", f"p50 {fmt_ns(_get(b, 'p50_ns'))} vs ZeroBuffer (full fill, spin) {fmt_ns(_get(zf, 'p50_ns'))}")
    for t in ("pipe", "uds"):
        z, b = gbps("zerobuffer", 3110416, 16 * MIB), gbps(t, 3110416, 16 * MIB)
        add(f"Streaming 3.1 MB ≥ 2× {TRANSPORT_NAMES[t]}", _ratio(z, b), 2, ">=",
            f"{gbtxt('zerobuffer', 3110416, 16 * MIB)} vs {gbtxt(t, 3110416, 16 * MIB)} GB/s")

    # Ports, default spin: judged on the unpinned port cases and on those pinned to CPUs 0 and 1
    # (run_ports.py --pin 0,1). The one-CPU cases (--pin 0,0) are judged by the one-CPU target below.
    port_pin = (lambda v: v in (None, "none")) if pin == "none" else pin  # runs before --pin had no "pin"
    for lang, sizes, limit in (("csharp", (65536, 3110416), 0.8), ("python", (3110416,), 0.5)):
        worst = None
        for size in sizes:
            for r in R.find(bench="port-stream", size=size, pin=port_pin):
                if lang not in (r.get("writer_lang"), r.get("reader_lang")):
                    continue
                base = R.one(bench="port-stream", size=size, writer_lang="cpp", reader_lang="cpp", pin=port_pin)
                if base:
                    q = r["gb_per_s"] / base["gb_per_s"]
                    if worst is None or q < worst[0]:
                        worst = (q, r, base)
        label = "C#" if lang == "csharp" else "Python"
        add(f"{label} ≥ {limit}× C++ throughput at {'≥ 64 KiB' if lang == 'csharp' else '≥ 1 MiB'} (worst pairing)",
            None if worst is None else worst[0], limit, ">=",
            "not measured (see the ports section)" if worst is None else
            f"worst: {worst[1]['writer_lang']}→{worst[1]['reader_lang']} {size_label(worst[1]['size'])}: "
            f"{fmt_num(worst[1]['gb_per_s'])} vs C++→C++ {fmt_num(worst[2]['gb_per_s'])} GB/s")

    # Port round trips (spin, header-only) against C++ ⇄ C++ with the same peers, sizes and load.
    def port_rtt_ratio(pairs, sizes, load):
        same_load = lambda v: (v or "idle") == load  # noqa: E731  (runs before the loaded variant had no "load")
        worst = None
        for size in sizes:
            base = R.one(bench="port-rtt", writer_lang="cpp", reader_lang="cpp", size=size, load=same_load,
                         pin=port_pin)
            for w_lang, r_lang in pairs:
                r = R.one(bench="port-rtt", writer_lang=w_lang, reader_lang=r_lang, size=size, load=same_load,
                          pin=port_pin)
                if base and r:
                    q = r["p50_ns"] / base["p50_ns"]
                    if worst is None or q > worst[0]:
                        worst = (q, r, base)
        detail = "not measured" if worst is None else (
            f"worst: {worst[1]['writer_lang']} ⇄ {worst[1]['reader_lang']} {size_label(worst[1]['size'])}: "
            f"p50 {fmt_ns(worst[1]['p50_ns'])} vs C++ ⇄ C++ {fmt_ns(worst[2]['p50_ns'])}")
        return (None if worst is None else worst[0]), detail

    cs_pairs = (("csharp", "csharp"), ("csharp", "cpp"), ("cpp", "csharp"))
    for load, what in (("idle", "idle"), ("loaded", "one extra CPU-bound process")):
        ratio, detail = port_rtt_ratio(cs_pairs, (64, 65536), load)
        add(f"C# round trip 64 B and 64 KiB (spin, {what}): p50 ≤ 2× C++ ⇄ C++ (worst pairing)", ratio, 2.0, "<=",
            detail)
    for load, what in (("idle", "idle"), ("loaded", "one extra CPU-bound process")):
        ratio, detail = port_rtt_ratio((("python", "python"),), (64,), load)
        add(f"Python ⇄ Python round trip 64 B (spin, {what}): p50 ≤ 25× C++ ⇄ C++", ratio, 25.0, "<=", detail)

    # From here on: measured unpinned only.
    dep[0] = False
    pin = "none"
    # iceoryx: every size, latency (matching modes) and throughput (both rings).
    if R.find(transport="iceoryx"):
        worst_lat = None
        for fill, wait in (("header", "spin-then-block"), ("header", "block"), ("full", "spin-then-block")):
            for r in main_rtt(R, "zerobuffer", fill, wait):
                i = rtt1("iceoryx", fill, wait, r["size"])
                if i:
                    q = r["p50_ns"] / i["p50_ns"]
                    if worst_lat is None or q > worst_lat[0]:
                        worst_lat = (q, r, i)
        if worst_lat:
            q, r, i = worst_lat
            add("Round trip no slower than iceoryx at any size (p50, worst case)", q, 1.0, "<=",
                f"worst: {size_label(r['size'])} {r['fill']}/{r['wait']}: {fmt_ns(r['p50_ns'])} vs {fmt_ns(i['p50_ns'])}")
        worst_tp = None
        for r in R.find(bench="stream", transport="zerobuffer", label=None, pin="none"):
            i = gbps("iceoryx", r["size"], r["ring"])
            if i:
                q = r["gb_per_s"] / i
                if worst_tp is None or q < worst_tp[0]:
                    worst_tp = (q, r, i)
        if worst_tp:
            q, r, i = worst_tp
            add("Throughput no lower than iceoryx at any size (worst case)", q, 1.0, ">=",
                f"worst: {size_label(r['size'])}, {size_label(r['ring'])} ring: {fmt_num(r['gb_per_s'])} vs {fmt_num(i)} GB/s")
    else:
        add("Round trip no slower than iceoryx at any size (p50, worst case)", None, 1.0, "<=", "iceoryx not measured")
        add("Throughput no lower than iceoryx at any size (worst case)", None, 1.0, ">=", "iceoryx not measured")

    for case in ("fixed-112B", "fixed-64KiB"):
        nw = R.one(bench="wrap-instr", case=case, wrap_heavy=False)
        w = R.one(bench="wrap-instr", case=case, wrap_heavy=True)
        q = None if not (nw and w) else w["instr_per_frame"] / nw["instr_per_frame"] - 1
        add(f"Wrap-around overhead < 5 %: CPU instructions per frame, a wrap before every frame ({case}, header-only)",
            q, 0.05, "<=", "" if q is None else f"{w['instr_per_frame']} vs {nw['instr_per_frame']} instructions "
                                                 "per frame (callgrind, write + read + release)")
    zi = R.one(bench="frame-instr", transport="zerobuffer")
    si = R.one(bench="frame-instr", transport="spsc")
    add("Instructions per 64 B frame ≤ 2.5× busy-poll ring (write + read + release, one thread)",
        _ratio(_get(zi, "instr_per_frame"), _get(si, "instr_per_frame")), 2.5, "<=",
        "" if not (zi and si) else f"{zi['instr_per_frame']} vs {si['instr_per_frame']} instructions per frame "
                                   "(callgrind; deterministic, independent of load)")
    # One CPU: the adaptive spin must not cost more than blocking at once (tuning-pin runs, CPUs 0,0).
    one_spin = R.one(bench="rtt", transport="zerobuffer", label="tuning-pin", wait="spin-then-block")
    one_block = R.one(bench="rtt", transport="zerobuffer", label="tuning-pin", wait="block")
    add("One CPU (both processes pinned to CPU 0), round trip 64 B: default (adaptive spin) p50 ≤ 1.5× blocking p50",
        _ratio(_get(one_spin, "p50_ns"), _get(one_block, "p50_ns")), 1.5, "<=",
        "" if not (one_spin and one_block) else f"{fmt_ns(one_spin['p50_ns'])} vs {fmt_ns(one_block['p50_ns'])}")
    # Zero syscalls per frame while the reader keeps up: small frames (the reader spins).
    worst = None
    # Frames that arrive faster than the spin budget (20 µs); a reader waiting longer sleeps by design.
    for size in (64, 1024):
        r = R.one(bench="stream", transport="zerobuffer", size=size, label="keeps-up")
        if r and r.get("writer_syscalls_per_frame", -1) >= 0:
            s = r["writer_syscalls_per_frame"] + r["reader_syscalls_per_frame"]
            if worst is None or s > worst[0]:
                worst = (s, size)
    r = rtt1("zerobuffer", "header", "spin-then-block")
    if r and r.get("a_syscalls_per_rt", -1) >= 0:
        s = (r["a_syscalls_per_rt"] + r["b_syscalls_per_rt"]) / 2
        if worst is None or s > worst[0]:
            worst = (s, "round trip 64 B")
    add("Zero syscalls per frame while the reader keeps up (streaming 64 B and 1 KiB, reader reads headers; spin round trip 64 B)",
        None if worst is None else worst[0], 0.01, "<=",
        "" if worst is None else f"worst: {worst[1] if isinstance(worst[1], str) else size_label(worst[1])}: "
                                 f"{worst[0]:.3f} syscalls per frame (both sides)")

    for case, what in (("writer-killed", "writer SIGKILL → reader"), ("reader-killed", "reader SIGKILL → writer")):
        r = R.one(bench="failure", case=case)
        add(f"Dead peer reported ≤ 1 s p99 ({what})", None if r is None else r["p99_ns"] / 1e9, 1.0, "<=",
            "" if r is None else f"p50 {fmt_ns(r['p50_ns'])}, p99 {fmt_ns(r['p99_ns'])}, max {fmt_ns(r['max_ns'])}")

    # One CPU, ports: the adaptive spin of C# and Python must not cost more than blocking at once.
    worst = None
    for lang in ("csharp", "python"):
        one = dict(bench="port-rtt", writer_lang=lang, reader_lang=lang, size=64, pin="0,0")
        spin = R.one(**one, spin_ns=lambda v: (v or 0) > 0)
        block = R.one(**one, spin_ns=0)
        if spin and block and (worst is None or spin["p50_ns"] / block["p50_ns"] > worst[0]):
            worst = (spin["p50_ns"] / block["p50_ns"], lang, spin, block)
    add("One CPU (both processes pinned to CPU 0), C# ⇄ C# and Python ⇄ Python round trip 64 B: "
        "default (adaptive spin) p50 ≤ 1.5× blocking p50 (worst port)",
        None if worst is None else worst[0], 1.5, "<=",
        "" if worst is None else f"worst: {'C#' if worst[1] == 'csharp' else 'Python'}: "
                                 f"{fmt_ns(worst[2]['p50_ns'])} vs {fmt_ns(worst[3]['p50_ns'])}")
    return T


# --------------------------------------------------------------------------------------------
# the document

def _include(name: str) -> str:
    p = HERE / "doc" / name
    return p.read_text().strip() + "\n" if p.exists() else ""


def cmd_doc(a: argparse.Namespace) -> None:
    data = json.loads(Path(a.results).read_text())
    R = Results(data)
    m = R.machine
    plots = Path(a.plots)
    plots.mkdir(parents=True, exist_ok=True)
    doc_path = Path(a.doc)
    rel = os.path.relpath(plots, doc_path.parent)

    def img(name, alt):
        return f"![{alt}]({rel}/{name})"

    out: list[str] = []
    w = out.append
    w("# ZeroBuffer performance\n")
    w("<!-- Generated by benchmarks/report.py from benchmarks/results/results.json; edit benchmarks/doc/*.md "
      "or report.py, then run `python3 benchmarks/report.py doc ...` (run.sh does it). -->\n")
    la_s, la_e = (m.get("load_average_start") or [0])[0], (m.get("load_average_end") or [0])[0]
    w(_include("intro.md").replace("{{LOAD_START}}", f"{la_s:.2f}").replace("{{LOAD_END}}", f"{la_e:.2f}"))

    # machine
    w("## Machine and conditions of this run\n")
    la0 = m.get("load_average_start") or []
    la1 = m.get("load_average_end") or []
    rows = [
        ["date", m.get("date_utc", "?")],
        ["CPU", f"{m.get('cpu_model', '?')}, {m.get('vcpus', '?')} vCPUs"],
        ["virtualisation", m.get("virtualisation", "?")],
        ["OS / kernel", f"{m.get('os', '?')} / {m.get('kernel', '?')}"],
        ["memory", f"{m.get('memory_gib', '?')} GiB"],
        ["compiler", f"{m.get('compiler', '?')}, {m.get('build_type', '?')}, `{m.get('compiler_flags', '').strip()}`"
         + (f" ({m['extra_flags_reason']})" if m.get("extra_flags_reason") else "")],
        ["commit", m.get("git_commit", "?")],
        ["load average (1/5/15 min)", f"start {' / '.join(f'{x:.2f}' for x in la0)}; end "
                                      f"{' / '.join(f'{x:.2f}' for x in la1)}"],
        ["other busy processes at start", ", ".join(m.get("busy_processes_start") or []) or "none ≥ 5 % CPU"],
        ["other busy processes at end", ", ".join(m.get("busy_processes_end") or []) or "none ≥ 5 % CPU"],
        ["pinning", m.get("pinning", "?")],
        ["ZeroBuffer wait modes", f"spin-then-block = spin {m.get('zerobuffer_default_spin_ns', 20000) / 1000:g} µs "
                                  "on sem_trywait, then sem_clockwait (the library default); blocking = spin 0"],
        ["ring sizes", "round trip: 16 MiB per direction; streaming: 16 MiB and 256 MiB (ZeroBuffer, SPSC ring, "
                       "iceoryx in-flight limit); pipe / socket / mq: kernel defaults"],
        ["baselines built", m.get("transports_built", "?")],
        ["iceoryx / Boost", f"{m.get('iceoryx_version') or 'not installed'} / {m.get('boost_version') or 'not installed'}"],
        ["system-call counting", "perf_event_open on raw_syscalls:sys_enter" if m.get("syscall_counter") else "unavailable"],
    ]
    if m.get("quick"):
        rows.append(["NOTE", "**--quick run: every case ran for a few milliseconds; numbers are not meaningful**"])
    w(md_table(["", ""], rows) + "\n")

    w(_include("method.md"))

    # targets
    w("## Targets\n")
    w("Every target is a ratio to a baseline measured in the same run, on the same machine, minutes apart.\n")
    T = evaluate_targets(R, "none")
    TP = evaluate_targets(R, "0,1")

    def rtxt(r):
        return "–" if r is None else (f"{r:.3f}" if abs(r) < 10 else f"{r:.1f}")

    rows = []
    for t, tp in zip(T, TP):
        if t["pin_dependent"]:
            pinned = f"{rtxt(tp['ratio'])} **{tp['verdict']}**"
            numbers = f"{t['detail']}; pinned: {tp['detail']}"
        else:
            pinned = "(not repeated pinned to CPUs 0 and 1)"
            numbers = t["detail"]
        rows.append([t["target"], t["limit"], f"{rtxt(t['ratio'])} **{t['verdict']}**", pinned, numbers])
    w(md_table(["target", "limit", "default (not pinned)", "pinned to CPUs 0 and 1", "numbers"], rows) + "\n")
    for label, TT in (("Not pinned (the default a user gets)", T),
                      ("Pinned", [tp for t, tp in zip(T, TP) if t["pin_dependent"]])):
        n_pass = sum(t["verdict"] == "PASS" for t in TT)
        n_miss = sum(t["verdict"] == "MISS" for t in TT)
        n_nm = sum(t["verdict"] == "NOT MEASURED" for t in TT)
        w(f"* {label}: {n_pass} met, {n_miss} missed, {n_nm} not measured.")
    w("\nThe reasons for every miss are under [Why the misses](#why-the-misses).\n")

    # round trip
    w("## Round trip\n")
    w("Ping-pong over two channels between two processes; the timestamp travels in the frame. p50 by frame size "
      "(full percentiles at 64 B below and in results.json).\n")
    combos = []
    for t in ("zerobuffer", "spsc", "iceoryx"):
        for fill in ("header", "full"):
            for wait in ("spin-then-block", "block", "busy-poll"):
                rs = main_rtt(R, t, fill, wait)
                if rs:
                    combos.append(rs)
    for t in ("sem", "pipe", "uds", "mq", "boost_mq"):
        rs = R.find(bench="rtt", transport=t, label=None, pin="none")
        if rs:
            combos.append(rs)
    sizes = sorted({r["size"] for rs in combos for r in rs})
    rows = []
    for rs in combos:
        by = {r["size"]: r for r in rs}
        rows.append([series_name(rs[0])] + [fmt_ns(by[s]["p50_ns"]) if s in by else "–" for s in sizes])
    w(md_table(["p50"] + [size_label(s) for s in sizes], rows) + "\n")
    rows = []
    for rs in combos:
        by = {r["size"]: r for r in rs}
        rows.append([series_name(rs[0])] + [fmt_ns(by[s]["p99_ns"]) if s in by else "–" for s in sizes])
    w(md_table(["p99"] + [size_label(s) for s in sizes], rows) + "\n")

    header = [rs for rs in combos if rs[0].get("fill") == "header" or rs[0]["transport"] == "sem"]
    full = [rs for rs in combos if rs not in header]
    for name, sets, title in (("rtt_p50_header.svg", header, "header-only (zero-copy) and the semaphore floor"),
                              ("rtt_p50_full.svg", full, "full fill and copying transports")):
        svg = line_chart(f"Round trip p50 vs frame size: {title} (lower is better)",
                         [(series_name(rs[0]), [(r["size"], r["p50_ns"]) for r in rs]) for rs in sets],
                         "frame size", "round trip p50", yfmt=fmt_ns)
        if svg:
            (plots / name).write_text(svg)
            w(img(name, f"round trip p50 vs frame size, {title}") + "\n")

    pinned = []
    for t in ("zerobuffer", "spsc", "sem", "pipe", "uds"):
        for fill in ("header", "full"):
            for wait in ("spin-then-block", "block", "busy-poll"):
                rs = main_rtt(R, t, fill, wait, None, "0,1")
                if rs:
                    pinned.append(rs)
    if pinned:
        w("With the two processes pinned to different CPUs (role 0 on CPU 0, role 1 on CPU 1), p50:\n")
        psizes = sorted({r["size"] for rs in pinned for r in rs})
        rows = []
        for rs in pinned:
            by = {r["size"]: r for r in rs}
            rows.append([series_name(rs[0])] + [fmt_ns(by[s]["p50_ns"]) if s in by else "–" for s in psizes])
        w(md_table(["p50, pinned"] + [size_label(s) for s in psizes], rows) + "\n")
        svg = line_chart("Round trip p50, processes pinned to CPUs 0 and 1 (lower is better)",
                         [(series_name(rs[0]), [(r["size"], r["p50_ns"]) for r in rs]) for rs in pinned],
                         "frame size", "round trip p50", yfmt=fmt_ns)
        if svg:
            (plots / "rtt_p50_pinned.svg").write_text(svg)
            w(img("rtt_p50_pinned.svg", "round trip p50 vs frame size, pinned") + "\n")

    w("### 64 B in detail\n")
    rows, groups = [], []
    for rs in combos:
        r = next((x for x in rs if x["size"] == 64), None)
        if not r:
            continue
        sc = r.get("a_syscalls_per_rt", -1)
        rows.append([series_name(r), fmt_ns(r["min_ns"]), fmt_ns(r["p50_ns"]), fmt_ns(r["p90_ns"]), fmt_ns(r["p99_ns"]),
                     fmt_ns(r["p999_ns"]), fmt_ns(r["max_ns"]), str(r["samples"]),
                     "–" if sc is None or sc < 0 else f"{sc:.3f}", f"{r.get('a_nvcsw_per_1000', 0):.0f}",
                     f"{r.get('a_cpu_us_per_rt', 0):.2f}"])
        groups.append((series_name(r), [r["min_ns"], r["p50_ns"], r["p90_ns"], r["p99_ns"], r["p999_ns"]]))
    w(md_table(["64 B", "min", "p50", "p90", "p99", "p99.9", "max", "samples", "syscalls / rt (initiator)",
                "vol. ctx switches / 1000 rt", "CPU µs / rt (initiator)"], rows) + "\n")
    svg = bar_chart("Round trip percentiles at 64 B (lower is better)", groups, ["min", "p50", "p90", "p99", "p99.9"],
                    "round trip")
    if svg:
        (plots / "rtt_64B_percentiles.svg").write_text(svg)
        w(img("rtt_64B_percentiles.svg", "round-trip percentiles at 64 B") + "\n")

    # streaming
    w("## Streaming\n")
    w("The writer copies every frame into the channel (memcpy from a source buffer) as fast as it can; the reader "
      "reads every 8-byte word of every frame (a checksum). Throughput is measured at the reader.\n")
    for ring in (16 * MIB, 256 * MIB):
        sets = []
        for t in ("zerobuffer", "spsc", "iceoryx"):
            rs = R.find(bench="stream", transport=t, ring=ring, label=None, pin="none")
            if rs:
                sets.append(rs)
        if ring == 16 * MIB:
            for t in ("pipe", "uds", "mq", "boost_mq"):
                rs = R.find(bench="stream", transport=t, label=None, pin="none")
                if rs:
                    sets.append(rs)
        for mm in R.find(bench="memcpy", transport="memcpy-ring", ring=ring):
            pass
        if not sets:
            continue
        w(f"### {size_label(ring)} ring\n")
        if ring == 16 * MIB:
            w("(pipe, Unix socket and the message queues use their kernel / library defaults, not the ring size.)\n")
        ssizes = sorted({r["size"] for rs in sets for r in rs})
        rows = []
        for rs in sets:
            by = {r["size"]: r for r in rs}
            rows.append([TRANSPORT_NAMES.get(rs[0]["transport"], rs[0]["transport"])] +
                        [f"{by[s]['gb_per_s']:.3g} GB/s<br>{fmt_num(by[s]['frames_per_s'])} f/s" if s in by else "–"
                         for s in ssizes])
        mc = {r["size"]: r for r in R.find(bench="memcpy", transport="memcpy-ring", ring=ring)}
        if mc:
            rows.append(["memcpy into the ring (1 process)"] + [f"{mc[s]['gb_per_s']:.3g} GB/s" if s in mc else "–"
                                                                for s in ssizes])
        w(md_table(["throughput"] + [size_label(s) for s in ssizes], rows) + "\n")
        rows = []
        for rs in sets:
            by = {r["size"]: r for r in rs}
            rows.append([TRANSPORT_NAMES.get(rs[0]["transport"], rs[0]["transport"])] +
                        [(f"{by[s]['writer_cpu_s_per_gb']:.3g} / {by[s]['reader_cpu_s_per_gb']:.3g}<br>"
                          f"cs {by[s]['writer_nvcsw_per_1000']:.3g} / {by[s]['reader_nvcsw_per_1000']:.3g}<br>"
                          f"sc {by[s]['writer_syscalls_per_frame']:.3g} / {by[s]['reader_syscalls_per_frame']:.3g}")
                         if s in by else "–" for s in ssizes])
        w("CPU seconds per GB (writer / reader), voluntary context switches per 1000 frames (cs), system calls "
          "per frame (sc):\n")
        w(md_table(["cost"] + [size_label(s) for s in ssizes], rows) + "\n")
        series = [(TRANSPORT_NAMES.get(rs[0]["transport"], rs[0]["transport"]),
                   [(r["size"], r["gb_per_s"]) for r in rs]) for rs in sets]
        if mc:
            series.append(("memcpy into the ring", [(s, r["gb_per_s"]) for s, r in mc.items() if s in ssizes]))
        svg = line_chart(f"Streaming throughput, {size_label(ring)} ring (higher is better)", series,
                         "frame size", "GB/s", yfmt=lambda v: f"{v:g}")
        if svg:
            name = f"stream_{ring // MIB}MiB.svg"
            (plots / name).write_text(svg)
            w(img(name, f"streaming throughput, {size_label(ring)} ring") + "\n")

    ku = sorted(R.find(bench="stream", label="keeps-up"), key=lambda r: r["size"])
    if ku:
        w("### When the reader keeps up\n")
        w("The same streaming workload, but the reader only reads the 16-byte header, so it is faster than the "
          "writer and waits for frames (16 MiB ring). The protocol then needs no system call per frame as long as "
          "the next frame arrives within the reader's spin budget (20 µs). At 64 KiB the writer's copy takes about "
          "that long or longer on this machine, so the reader sleeps between frames by design and each frame costs "
          "a futex wake on the writer and a futex wait on the reader; that size is shown but not judged.\n")
        rows = [[size_label(r["size"]), fmt_num(r["frames_per_s"]), f"{r['gb_per_s']:.3g}",
                 f"{r['writer_syscalls_per_frame']:.3f} / {r['reader_syscalls_per_frame']:.3f}",
                 f"{r['writer_nvcsw_per_1000']:.1f} / {r['reader_nvcsw_per_1000']:.1f}"] for r in ku]
        w(md_table(["frame", "frames/s", "GB/s", "syscalls / frame (w / r)", "vol. cs / 1000 frames (w / r)"], rows)
          + "\n")

    # memcpy
    mc = R.find(bench="memcpy")
    if mc:
        w("## memcpy baselines\n")
        ms = sorted({r["size"] for r in mc})
        kinds = []
        for r in mc:
            k = (r["transport"], r["ring"])
            if k not in kinds:
                kinds.append(k)
        rows = []
        for k in kinds:
            by = {r["size"]: r for r in mc if (r["transport"], r["ring"]) == k}
            name = "cache-hot (same buffers)" if k[0] == "memcpy-hot" else f"into a {size_label(k[1])} ring"
            rows.append([name] + [f"{by[s]['gb_per_s']:.3g}" if s in by else "–" for s in ms])
        w(md_table(["GB/s"] + [size_label(s) for s in ms], rows) + "\n")

    # wrap
    wr = R.find(bench="wrap")
    if wr:
        w("## Wrap-around\n")
        rows = []
        for r in wr:
            rows.append([r["case"], size_label(r["ring"]), "yes" if r.get("wrap_heavy") else "no",
                         fmt_num(r["frames_per_s"]), f"{r['gb_per_s']:.3g}",
                         f"{r['writer_syscalls_per_frame']:.2f} / {r['reader_syscalls_per_frame']:.2f}"])
        w(md_table(["case", "ring", "wraps every frame or few", "frames/s", "GB/s", "syscalls / frame (w / r)"], rows) + "\n")

    wi = R.find(bench="wrap-instr")
    if wi:
        w("CPU instructions per frame (callgrind; one thread writes, reads and releases header-only frames, so "
          "nothing waits and the count is exact):\n")
        rows = [[r["case"], size_label(r["ring"]), "every frame" if r["wrap_heavy"] else "never",
                 str(r["instr_per_frame"])] for r in wi]
        w(md_table(["case", "ring", "wraps", "instructions / frame"], rows) + "\n")

    # failure
    fr = R.find(bench="failure")
    if fr:
        w("## Failure timing\n")
        rows = []
        for r in fr:
            rows.append([r["case"], r.get("reported_by", "–"), str(r["samples"]), fmt_ns(r["min_ns"]),
                         fmt_ns(r["p50_ns"]), fmt_ns(r["p99_ns"]), fmt_ns(r["max_ns"])])
        w(md_table(["case", "reported by", "runs", "min", "p50", "p99", "max"], rows) + "\n")

    # tuning
    tn = [r for r in R.ok if (r.get("label") or "").startswith("tuning")]
    if tn:
        w("## Tuning knobs, measured\n")
        spin = sorted(R.find(label="tuning-spin"), key=lambda r: r["spin_ns"])
        if spin:
            w("### Spin budget (round trip 64 B, header-only)\n")
            rows = [[f"{r['spin_ns'] / 1000:g} µs", fmt_ns(r["p50_ns"]), fmt_ns(r["p99_ns"]), fmt_ns(r["p999_ns"]),
                     f"{r['a_syscalls_per_rt']:.3f}", f"{r['a_nvcsw_per_1000']:.0f}", f"{r['a_cpu_us_per_rt']:.2f}"]
                    for r in spin]
            w(md_table(["spin", "p50", "p99", "p99.9", "syscalls / rt", "vol. cs / 1000", "CPU µs / rt"], rows) + "\n")
        same = R.find(label="tuning-pin")
        if same:
            w("### Pinning (sched_setaffinity of each process)\n")
            w("*not pinned*: the scheduler places both processes; *two CPUs*: role 0 on CPU 0, role 1 on CPU 1; "
              "*one CPU*: both on CPU 0 (what happens to a pair whenever the other CPU is taken by other work).\n")
            rows = []
            for r in same:
                if r["bench"] == "rtt":
                    kw = dict(bench="rtt", transport=r["transport"], size=r["size"], fill=r["fill"], wait=r["wait"],
                              label=None)
                    fmt = lambda x: "–" if x is None else f"p50 {fmt_ns(x['p50_ns'])}, p99 {fmt_ns(x['p99_ns'])}"
                    what = f"round trip {TRANSPORT_NAMES[r['transport']]} {size_label(r['size'])} ({r['wait']})"
                else:
                    kw = dict(bench="stream", transport=r["transport"], size=r["size"], ring=r["ring"], label=None)
                    fmt = lambda x: "–" if x is None else f"{x['gb_per_s']:.3g} GB/s"
                    what = f"streaming {TRANSPORT_NAMES[r['transport']]} {size_label(r['size'])}"
                rows.append([what, fmt(R.one(pin="none", **kw)), fmt(R.one(pin="0,1", **kw)), fmt(r)])
            w(md_table(["workload", "not pinned", "two CPUs (0,1)", "one CPU (0,0)"], rows) + "\n")
        ring = sorted(R.find(label="tuning-ring"), key=lambda r: r["ring"])
        base = R.find(bench="stream", transport="zerobuffer", size=1048576, label=None, pin="none")
        ring = sorted(ring + base, key=lambda r: r["ring"])
        if ring:
            w("### Ring size (streaming 1 MiB frames)\n")
            rows = [[size_label(r["ring"]) if r["ring"] % KIB == 0 else f"{r['ring']} B",
                     f"{r['ring'] / (1048576 + 16):.1f}", f"{r['gb_per_s']:.3g}",
                     f"{r['writer_nvcsw_per_1000']:.0f} / {r['reader_nvcsw_per_1000']:.0f}"] for r in ring]
            w(md_table(["ring", "frames it holds", "GB/s", "vol. cs / 1000 frames (w / r)"], rows) + "\n")

    if tn:
        w(_include("tuning.md"))

    # ports
    w("## Ports (C#, Python)\n")
    pr = R.find(bench="port-rtt") + R.find(bench="port-stream")
    if pr:
        rows = []
        for r in R.find(bench="port-rtt"):
            variant = [v for v in ("loaded" if r.get("load") == "loaded" else "",
                                   f"pinned {r['pin']}" if r.get("pin") not in (None, "none") else "",
                                   "blocking" if r.get("spin_ns") == 0 else "") if v]
            label = "round trip" + (f" ({', '.join(variant)})" if variant else "")
            rows.append([label, f"{r['writer_lang']} ⇄ {r['reader_lang']}", size_label(r["size"]),
                         f"p50 {fmt_ns(r['p50_ns'])}, p99 {fmt_ns(r['p99_ns'])}"])
        for r in R.find(bench="port-stream"):
            label = "streaming" + (f" (pinned {r['pin']})" if r.get("pin") not in (None, "none") else "")
            rows.append([label, f"{r['writer_lang']} → {r['reader_lang']}", size_label(r["size"]),
                         f"{r['gb_per_s']:.3g} GB/s, {fmt_num(r['frames_per_s'])} frames/s"])
        w(md_table(["workload", "writer → reader", "size", "result"], rows) + "\n")
    w(_include("ports.md"))

    # errors
    if R.errors:
        w("## Cases that failed in this run\n")
        rows = [[r.get("bench", "?"), r.get("transport", "?"), size_label(r.get("size", "?")),
                 html.escape(str(r.get("error", "")))[:200]] for r in R.errors]
        w(md_table(["bench", "transport", "size", "error"], rows) + "\n")

    w(_include("analysis.md"))
    doc_path.write_text("\n".join(out).rstrip() + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("machine")
    p.add_argument("--bench", required=True)
    p.add_argument("--extra-flags", default="")
    p.add_argument("--quick", default="0")
    p = sub.add_parser("finish")
    p.add_argument("--machine", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("doc")
    p.add_argument("--results", required=True)
    p.add_argument("--doc", required=True)
    p.add_argument("--plots", required=True)
    a = ap.parse_args()
    {"machine": cmd_machine, "finish": cmd_finish, "doc": cmd_doc}[a.cmd](a)


if __name__ == "__main__":
    main()
