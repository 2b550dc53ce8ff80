#!/usr/bin/env bash
# Profiles behind the explanations in docs/performance.md ("Why the misses"). Run after
# benchmarks/run.sh (it reuses its build). Writes benchmarks/results/evidence/*.txt.
#
#   benchmarks/evidence.sh
#
# Needs valgrind (callgrind) and perf (linux-perf) for their parts; skips what is missing.
set -eu   # no pipefail: `| head` closes pipes early on purpose
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bench=${ZBB_BUILD_DIR:-$root/build/bench-release}/benchmarks/zerobuffer-bench
out="$here/results/evidence"
mkdir -p "$out"
[ -x "$bench" ] || { echo "build first: benchmarks/run.sh" >&2; exit 1; }
export ZEROBUFFER_LOCK_DIR
ZEROBUFFER_LOCK_DIR=$(mktemp -d /tmp/zbb-locks-XXXXXX)
trap 'rm -rf "$ZEROBUFFER_LOCK_DIR"' EXIT

{
  echo "# CPU time per frame, writer and reader on one thread (no cross-core traffic, no waiting)"
  echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  for t in zerobuffer spsc zerobuffer spsc; do "$bench" percall --transport "$t" --sizes 64 --frames 2000000; done
} >"$out/percall.txt" 2>&1

# The same per-frame cost through each language's library (write + read + release of a 64 B
# frame, one thread): C++ and C# fastest of three passes, Python best of seven repetitions.
cs_peer=$(dirname "$bench")/../../bench-cs/bin/ZeroBuffer.Bench.Peer/release/zerobuffer-bench-peer
{
  echo "# CPU time per 64 B frame through each port's library, one thread (no waiting)"
  echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  for _ in 1 2 3; do
    "$bench" percall --transport zerobuffer --sizes 64 --frames 1000000
    if [ -x "$cs_peer" ]; then "$cs_peer" --role percall --size 64 --frames 1000000; else echo "C# peer not built (benchmarks/run.sh builds it)"; fi
  done
  python3 "$here/ports/python_percall.py"
} >"$out/ports-percall.txt" 2>&1

if command -v valgrind >/dev/null; then
  {
    echo "# callgrind: instructions per frame (write + read + release of a 64-byte frame, one thread)"
    # percall runs three passes of --frames frames; a run of 1 frame measures the start-up.
    for t in zerobuffer spsc; do
      f=$(mktemp /tmp/zbb-cg-XXXXXX)
      valgrind --tool=callgrind --callgrind-out-file="$f" "$bench" percall --transport "$t" --sizes 64 --frames 1 >/dev/null 2>&1
      base=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
      valgrind --tool=callgrind --callgrind-out-file="$f" "$bench" percall --transport "$t" --sizes 64 --frames 100000 >/dev/null 2>&1
      total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
      echo "## $t: $total instructions for 3 x 100000 frames, $base for start-up = $(( (total - base) / 299997 )) per frame"
      callgrind_annotate "$f" 2>/dev/null | grep -E "^ *[0-9,]+ \(" | head -22 | sed -E 's/\[[^]]*\]$//; s/\(std::[^)]*\)//g' | cut -c1-150
      rm -f "$f"
    done
  } >"$out/callgrind.txt" 2>&1
fi

{
  echo "# lock-prefixed (atomic read-modify-write) instructions in the library's per-frame functions"
  echo "# (static count in the code; each executes once per frame on its path)"
  objdump -d --no-show-raw-insn -C "$bench" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn) }
    /\tlock / { if (fn ~ /zerobuffer::(detail::(ReaderState::(read|release|push_pending|return_space|wait_for_post)|WriterState::(prepare|commit|wait_for_space)|Semaphore::(post|try_wait))|Frame::(release|release_held|~Frame|operator=)|Reader::read_frame|Writer::(get_frame_buffer|commit_frame))/) c[fn]++ }
    END { for (f in c) printf "%3d  %s\n", c[f], f }' | sort -k2
  echo "# glibc: sem_post = 1 lock cmpxchg (+ futex syscall only when a waiter sleeps);"
  echo "# sem_trywait = 1 lock cmpxchg when the value is > 0, a plain load when it is 0."
  echo "# std::shared_ptr copy/destroy in Reader::read_frame / Frame::release = lock inc / lock dec."
} >"$out/atomics.txt" 2>&1

if command -v perf >/dev/null; then
  {
    echo "# system calls by kind during 1 s of 64-byte streaming (both processes), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    perf stat -e 'syscalls:sys_enter_futex,syscalls:sys_enter_kill,syscalls:sys_enter_openat,raw_syscalls:sys_enter,context-switches' \
      "$bench" stream --transport zerobuffer --sizes 64 --seconds 1 2>&1 | sed -E 's/"ring".*"frames_per_s"/ ... "frames_per_s"/'
  } >"$out/syscalls-stream-64B.txt" 2>&1
fi

fmt='import sys, json
for line in sys.stdin:
    r = json.loads(line)
    sc = r.get("a_syscalls_per_rt", -1)
    print("%-5s spin %6d ns  CPUs %s:  p50 %8.2f us  p99 %8.2f us  syscalls/rt %.2f"
          % (r["transport"], r["spin_ns"], r["pin"], r["p50_ns"] / 1e3, r["p99_ns"] / 1e3, sc))'
{
  echo "# round trip 64 B, header-only: where the two processes run (sched_setaffinity), spin vs. blocking"
  echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  for spin in 20000 0; do
    for pin in 0,0 0,1; do
      "$bench" rtt --transport zerobuffer --sizes 64 --spin-ns "$spin" --pin "$pin" --seconds 0.5 | python3 -c "$fmt"
    done
  done
  "$bench" rtt --transport spsc --sizes 64 --pin 0,1 --seconds 0.5 | python3 -c "$fmt"
} >"$out/pinning-rtt-64B.txt" 2>&1

# Blocking hand-off (spin 0) by placement: the same two processes on one CPU, on two CPUs, or
# wherever the scheduler puts them; ZeroBuffer, raw named semaphores and (if RouDi can be
# started) iceoryx.
{
  echo "# round trip 64 B, blocking (spin 0), by placement; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  roudi=""
  if "$bench" transports | grep -q '^iceoryx yes' && command -v iox-roudi >/dev/null; then
    iox-roudi -c "$here/roudi.toml" -l warning >/dev/null 2>&1 &
    roudi=$!
    sleep 2
  fi
  for pin in none 0,0 0,1; do
    for t in zerobuffer sem iceoryx; do
      [ "$t" = iceoryx ] && [ -z "$roudi" ] && continue
      args=(rtt --transport "$t" --sizes 64 --spin-ns 0 --seconds 0.5)
      [ "$pin" != none ] && args+=(--pin "$pin")
      "$bench" "${args[@]}" 2>/dev/null | python3 -c "$fmt"
    done
  done
  if [ -n "$roudi" ]; then kill "$roudi"; wait "$roudi" 2>/dev/null || true; fi
} >"$out/blocking-placement-64B.txt" 2>&1

# Cross-language streaming at 3.1 MB, 2 s per pairing (longer than the suite's runs).
cs=${ZBB_BUILD_DIR:-$root/build/bench-release}/../bench-cs/bin/ZeroBuffer.Bench.Peer/release/zerobuffer-bench-peer
{
  echo "# 3.1 MB streaming, 16 MiB ring, 2 s per writer -> reader pairing (reader reads headers); load: $(cut -d' ' -f1-3 /proc/loadavg)"
  declare -A peer=([cpp]="$bench peer" [python]="python3 $here/ports/peer.py")
  [ -x "$cs" ] && peer[csharp]="$cs"
  for pair in cpp:cpp cpp:python python:cpp python:python cpp:csharp csharp:cpp csharp:csharp; do
    w=${pair%%:*} r=${pair##*:}
    [ -n "${peer[$w]:-}" ] && [ -n "${peer[$r]:-}" ] || continue
    name="zbb-ev-$$-$w-$r"
    ${peer[$r]} --role stream-read --name "$name" --size 3110416 --ring 16777216 >"$out/.read.json" &
    ${peer[$w]} --role stream-write --name "$name" --size 3110416 --seconds 2
    wait
    python3 -c "import json, sys; r = json.load(open(sys.argv[1])); print('%-7s -> %-7s %5.2f GB/s %6.0f frames/s' % (sys.argv[2], sys.argv[3], r['bytes'] / r['seconds'] / 1e9, r['frames'] / r['seconds']))" "$out/.read.json" "$w" "$r"
  done
  rm -f "$out/.read.json"
} >"$out/ports-3MB.txt" 2>&1

echo "wrote $out"
