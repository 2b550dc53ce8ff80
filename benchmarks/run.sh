#!/usr/bin/env bash
# ZeroBuffer benchmark suite: one command, < 10 minutes on 2 vCPUs.
#
#   benchmarks/run.sh [--quick] [--no-install] [--no-iceoryx] [--no-ports] [--no-doc]
#
# Installs the baseline packages that are missing (Debian: libboost-dev, iceoryx,
# libiceoryx-posh-dev), builds an optimised build of the library and zerobuffer-bench in its
# own build directory, starts and stops iox-roudi, runs every workload, writes
# benchmarks/results/results.json (+ raw results.jsonl) with the machine description and
# regenerates docs/performance.md and benchmarks/results/*.svg with benchmarks/report.py.
#
# Run it alone (never under ctest -j): other load on the machine shows up in every number.
# --quick runs each case for a few milliseconds (to check that everything works).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${ZBB_BUILD_DIR:-$root/build/bench-release}
out=${ZBB_RESULTS_DIR:-$here/results}
quick=0 install=1 iceoryx=1 ports=1 doc=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-install) install=0 ;;
    --no-iceoryx) iceoryx=0 ;;
    --no-ports) ports=0 ;;
    --no-doc) doc=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- 1. packages -------------------------------------------------------------------------
if [ "$install" = 1 ]; then
  want=(libboost-dev)
  [ "$iceoryx" = 1 ] && want+=(iceoryx libiceoryx-posh-dev)
  missing=()
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing ${missing[*]}"
      apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } ||
        log "could not install ${missing[*]}; those baselines will be skipped"
    else
      log "missing ${missing[*]} (not root): those baselines will be skipped"
    fi
  fi
fi

# ---- 2. build ----------------------------------------------------------------------------
# Release (-O3) with the project's -Wall -Wextra -Werror (the top-level CMakeLists.txt turns
# off GCC 12's false -Wrestrict positives).
mkdir -p "$(dirname "$build")"
log "building $build (Release)"
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
         -DZEROBUFFER_BUILD_BENCHMARKS=ON -DZEROBUFFER_BUILD_TESTS=OFF -DZEROBUFFER_BUILD_EXAMPLES=OFF \
         -DZEROBUFFER_BUILD_TOOLS=OFF -DZEROBUFFER_BUILD_PORTS=OFF >"$build.configure.log" 2>&1 &&
       cmake --build "$build" -j2 --target zerobuffer-bench >"$build.build.log" 2>&1; }; then
  tail -30 "$build.configure.log" "$build.build.log"
  exit 1
fi
bench="$build/benchmarks/zerobuffer-bench"

# ---- 3. environment --------------------------------------------------------------------------
mkdir -p "$out"
raw="$out/results.jsonl"
: >"$raw"
export ZEROBUFFER_LOCK_DIR
ZEROBUFFER_LOCK_DIR=$(mktemp -d /tmp/zbb-locks-XXXXXX)
roudi_pid=""
cleanup() {
  if [ -n "$roudi_pid" ]; then kill "$roudi_pid" 2>/dev/null || true; wait "$roudi_pid" 2>/dev/null || true; fi
  rm -rf "$ZEROBUFFER_LOCK_DIR"
  # Anything a crashed case left behind (names carry the prefix zbb-).
  find /dev/shm -maxdepth 1 \( -name 'zbb-*' -o -name 'sem.zbb-*' -o -name 'sem.sem-?-zbb-*' \) -delete 2>/dev/null || true
  # iceoryx runtimes of killed role processes leave their socket and lock file in /tmp.
  find /tmp -maxdepth 1 -regex '/tmp/zbb-[0-9]+\(\.lock\)?' -delete 2>/dev/null || true
}
trap cleanup EXIT

# System calls are counted through the raw_syscalls tracepoint (perf_event_open): it needs
# tracefs, which a fresh VM or container often has not mounted. Mount it when root (and leave it:
# other tools expect it there); without it the syscall targets show as not measured.
if [ ! -e /sys/kernel/tracing/events/raw_syscalls/sys_enter/id ] &&
   [ ! -e /sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id ] &&
   [ "$(id -u)" = 0 ] && [ -d /sys/kernel/tracing ]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null &&
    log "mounted tracefs on /sys/kernel/tracing (system-call counting)" ||
    log "could not mount tracefs: system calls per frame will not be measured"
fi
python3 "$here/report.py" machine --bench "$bench" --quick "$quick" >"$out/machine.json"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

transports=$("$bench" transports)
have() { echo "$transports" | grep -q "^$1 yes"; }

if [ "$iceoryx" = 1 ] && have iceoryx && command -v iox-roudi >/dev/null; then
  log "starting iox-roudi"
  iox-roudi -c "$here/roudi.toml" -l warning >"$out/roudi.log" 2>&1 &
  roudi_pid=$!
  sleep 2
  kill -0 "$roudi_pid" 2>/dev/null || { log "iox-roudi did not start (see $out/roudi.log)"; roudi_pid=""; }
fi
use_iceoryx() { [ -n "$roudi_pid" ]; }

# ---- 4. the suite ----------------------------------------------------------------------------
if [ "$quick" = 1 ]; then T_RTT=0.02 T_STREAM=0.05 MIN_IT=20 REPEATS=3 ROUNDS=1
else T_RTT=0.25 T_STREAM=0.35 MIN_IT=200 REPEATS=20 ROUNDS=3; fi
RTT_SIZES=64,1024,4096,65536,1048576,3110416
STREAM_SIZES=64,1024,65536,1048576,3110416
run() {  # run <description> <args...>: appends JSON lines, never stops the suite
  log "$1"
  shift
  "$bench" "$@" >>"$raw" 2>>"$out/stderr.log" || log "  (exit status $? - see results for errors)"
}
rtt() { run "rtt $*" rtt --seconds "$T_RTT" --min-iters "$MIN_IT" --sizes "$RTT_SIZES" "$@"; }
stream() { run "stream $*" stream --seconds "$T_STREAM" --sizes "$STREAM_SIZES" "$@"; }

run "memcpy baselines" memcpy --sizes "$RTT_SIZES" --ring 16777216,268435456 --seconds 0.1

# The comparisons behind the targets run in ROUNDS interleaved rounds (every transport once per
# round), so that a burst of other load hits one run of each, not all runs of one transport;
# report.py shows the run with the median result and keeps all of them in results.json.
comparisons() {
  # Round trip.
  rtt --transport zerobuffer --fill header --spin-ns 20000
  rtt --transport zerobuffer --fill header --spin-ns 0
  rtt --transport zerobuffer --fill full --spin-ns 20000
  rtt --transport zerobuffer --fill full --spin-ns 0
  rtt --transport spsc --fill header
  rtt --transport spsc --fill full
  run "rtt sem" rtt --transport sem --sizes 64 --seconds "$T_RTT" --min-iters "$MIN_IT"
  for t in pipe uds mq boost_mq; do
    have "$t" && rtt --transport "$t" --fill full
  done

  # Streaming (writer memcpys every frame, reader reads every word).
  for ring in 16777216 268435456; do
    stream --transport zerobuffer --ring "$ring"
    stream --transport spsc --ring "$ring"
  done
  for t in pipe uds mq boost_mq; do
    have "$t" && stream --transport "$t" --ring 16777216
  done


  # The target comparisons once more with the two processes pinned to different CPUs (role 0 on
  # CPU 0, role 1 on CPU 1): on a busy machine this keeps a spinning process from sitting on the
  # CPU its peer needs (see docs/performance.md, "Why the misses").
  if [ "$(nproc)" -ge 2 ]; then
    P=(--pin 0,1)
    rtt --transport zerobuffer --fill header --spin-ns 20000 "${P[@]}"
    rtt --transport zerobuffer --fill header --spin-ns 0 "${P[@]}"
    run "pinned rtt 64 B" rtt --transport zerobuffer --fill full --sizes 64 --seconds "$T_RTT" --min-iters "$MIN_IT" "${P[@]}"
    for t in spsc sem; do
      run "pinned rtt $t 64 B" rtt --transport "$t" --fill header --sizes 64 --seconds "$T_RTT" --min-iters "$MIN_IT" "${P[@]}"
    done
    for t in pipe uds; do
      run "pinned rtt $t 64 B" rtt --transport "$t" --fill full --sizes 64 --seconds "$T_RTT" --min-iters "$MIN_IT" "${P[@]}"
    done
    for ring in 16777216 268435456; do
      stream --transport zerobuffer --ring "$ring" "${P[@]}"
      stream --transport spsc --ring "$ring" "${P[@]}"
    done
    for t in pipe uds; do
      run "pinned stream $t 3.1 MB" stream --transport "$t" --sizes 3110416 --seconds "$T_STREAM" "${P[@]}"
    done
  fi

  # iceoryx last in each round (zero-copy middleware; RouDi started above).
  if use_iceoryx; then
    rtt --transport iceoryx --fill header --spin-ns 20000
    rtt --transport iceoryx --fill header --spin-ns 0
    rtt --transport iceoryx --fill full --spin-ns 20000
    for ring in 16777216 268435456; do stream --transport iceoryx --ring "$ring"; done
  fi

}
for round in $(seq "$ROUNDS"); do
  log "=== comparison round $round of $ROUNDS"
  comparisons
done

# The reader keeps up (it only reads the 16-byte header): system calls per frame when nobody waits long.
for round in $(seq "$ROUNDS"); do
  run "stream, reader keeps up" stream --transport zerobuffer --sizes 64,1024,65536 --consume header --seconds "$T_STREAM" --label keeps-up
  run "wrap-heavy vs no-wrap" wrap --seconds "$T_STREAM"
done
# Wrap cost in CPU instructions (deterministic, load-independent): one thread writes and reads
# header-only frames; a ring of exactly one frame (no wrap) vs 1.5 frames (a marker every frame).
percall_instr() {  # percall_instr <case> <size> <ring> <wrap_heavy>
  local f frames=20000 total base
  f=$(mktemp /tmp/zbb-cg-XXXXXX)
  valgrind --tool=callgrind --callgrind-out-file="$f" "$bench" percall --sizes "$2" --ring "$3" --frames 1 >/dev/null 2>"$f.log" || return 0
  base=$(sed -n 's/.*I *refs: *//p' "$f.log" | tr -d ,)
  valgrind --tool=callgrind --callgrind-out-file="$f" "$bench" percall --sizes "$2" --ring "$3" --frames $frames >/dev/null 2>"$f.log" || return 0
  total=$(sed -n 's/.*I *refs: *//p' "$f.log" | tr -d ,)
  rm -f "$f" "$f.log"
  [ -n "$base" ] && [ -n "$total" ] &&
    echo "{\"bench\":\"wrap-instr\",\"case\":\"$1\",\"transport\":\"zerobuffer\",\"size\":$2,\"ring\":$3,\"wrap_heavy\":$4,\"instr_per_frame\":$(( (total - base) / (3 * frames - 3) ))}" >>"$raw"
}
if command -v valgrind >/dev/null; then
  log "wrap cost in instructions (callgrind)"
  percall_instr fixed-112B 112 128 false
  percall_instr fixed-112B 112 192 true
  percall_instr fixed-64KiB 65520 65536 false
  percall_instr fixed-64KiB 65520 98304 true
fi
# Instructions per 64 B frame (write + read + release, one thread): ZeroBuffer against the
# busy-poll SPSC ring through the same benchmark interface.
frame_instr() {  # frame_instr <transport>
  local f frames=20000 total base
  f=$(mktemp /tmp/zbb-cg-XXXXXX)
  valgrind --tool=callgrind --callgrind-out-file="$f" "$bench" percall --transport "$1" --sizes 64 --frames 1 >/dev/null 2>"$f.log" || return 0
  base=$(sed -n 's/.*I *refs: *//p' "$f.log" | tr -d ,)
  valgrind --tool=callgrind --callgrind-out-file="$f" "$bench" percall --transport "$1" --sizes 64 --frames $frames >/dev/null 2>"$f.log" || return 0
  total=$(sed -n 's/.*I *refs: *//p' "$f.log" | tr -d ,)
  rm -f "$f" "$f.log"
  [ -n "$base" ] && [ -n "$total" ] &&
    echo "{\"bench\":\"frame-instr\",\"transport\":\"$1\",\"size\":64,\"ring\":16777216,\"instr_per_frame\":$(( (total - base) / (3 * frames - 3) ))}" >>"$raw"
}
if command -v valgrind >/dev/null; then
  log "instructions per frame (callgrind)"
  frame_instr zerobuffer
  frame_instr spsc
fi

run "failure timing" failure --repeats "$REPEATS"

# Tuning knobs.
for spin in 0 1000 5000 20000 100000; do
  run "tuning: spin $spin ns" rtt --transport zerobuffer --sizes 64 --spin-ns "$spin" --seconds "$T_RTT" --min-iters "$MIN_IT" --label tuning-spin
done
run "tuning: same-CPU rtt spin" rtt --transport zerobuffer --sizes 64 --pin 0,0 --seconds "$T_RTT" --min-iters "$MIN_IT" --label tuning-pin
run "tuning: same-CPU rtt blocking" rtt --transport zerobuffer --sizes 64 --spin-ns 0 --pin 0,0 --seconds "$T_RTT" --min-iters "$MIN_IT" --label tuning-pin
run "tuning: same-CPU spsc" rtt --transport spsc --sizes 64 --pin 0,0 --seconds "$T_RTT" --min-iters "$MIN_IT" --label tuning-pin
run "tuning: same-CPU stream" stream --transport zerobuffer --sizes 64,1048576 --pin 0,0 --seconds "$T_STREAM" --label tuning-pin
run "tuning: ring size" stream --transport zerobuffer --sizes 1048576 --ring 2097280,4194304,8388608,67108864 --seconds "$T_STREAM" --label tuning-ring

# Ports (C# and Python), through their libraries, against the C++ library.
if [ "$ports" = 1 ] && [ -f "$here/ports/run_ports.py" ]; then
  log "ports"
  python3 "$here/ports/run_ports.py" --bench "$bench" --quick "$quick" >>"$raw" 2>>"$out/stderr.log" ||
    log "  ports: exit status $? (see $out/stderr.log)"
  # The port targets once more with the two peers pinned to different CPUs (reader / echo side on
  # CPU 0, writer / initiator on CPU 1), as the C++ comparisons above.
  log "ports: pinned to CPUs 0 and 1"
  python3 "$here/ports/run_ports.py" --bench "$bench" --quick "$quick" --pin 0,1 >>"$raw" 2>>"$out/stderr.log" ||
    log "  ports: exit status $? (see $out/stderr.log)"
  # One CPU: both peers pinned to CPU 0, default (adaptive) spin vs blocking (the one-CPU port target).
  log "ports: one CPU"
  python3 "$here/ports/run_ports.py" --bench "$bench" --quick "$quick" --pairs csharp-csharp,python-python \
    --sizes 64 --rtt-only --no-loaded --pin 0,0 --spin-ns 20000,0 >>"$raw" 2>>"$out/stderr.log" ||
    log "  ports: exit status $? (see $out/stderr.log)"
fi

log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/report.py" finish --machine "$out/machine.json" --raw "$raw" --out "$out/results.json"

# ---- 5. report -------------------------------------------------------------------------------
if [ "$doc" = 1 ]; then
  python3 "$here/report.py" doc --results "$out/results.json" --doc "$root/docs/performance.md" --plots "$out"
  log "wrote docs/performance.md and $out/*.svg"
fi
grep -c '"error"' "$raw" >/dev/null && log "cases with errors: $(grep -c '"error"' "$raw")" || true
log "done: $out/results.json"
