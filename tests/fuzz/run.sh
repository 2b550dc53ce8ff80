#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (build them first: `cmake --preset fuzz &&
# cmake --build --preset fuzz`).
#
#   run.sh TARGET FILE...        reproduce: run TARGET on the given inputs (e.g. a crash-* file)
#   run.sh --seeds TARGET        run TARGET over its committed seed corpus only
#   run.sh --seconds N TARGET    fuzz TARGET for N seconds
#   run.sh --minutes N [TARGET]  fuzz each TARGET (default: all) for N minutes
#   run.sh --runs N TARGET       fuzz TARGET until it has run N inputs (e.g. 10000000)
#
# Every run uses -timeout=1 (an input running longer than 1 s is a hang; $ZEROBUFFER_FUZZ_TIMEOUT
# overrides it on a machine so loaded that a process waits seconds for a CPU) and fails on any crash,
# sanitizer report, hang, or a /dev/shm object of the fuzzing process left behind. New inputs
# go to BUILD/fuzz-corpus/TARGET (never into the committed seeds), crashes to
# BUILD/fuzz-artifacts/. The last line of each run sums it up: executions, executions per
# second, coverage (edges), slowest input. BUILD is $ZEROBUFFER_FUZZ_BUILD or build/fuzz.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${ZEROBUFFER_FUZZ_BUILD:-$root/build/fuzz}
targets=(reader_fuzz writer_fuzz serve_request_fuzz scenario_loader_fuzz)

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

binary() {
  local bin="$build/tests/fuzz/$1"
  [[ -x $bin ]] || { echo "run.sh: $bin not built (cmake --preset fuzz && cmake --build --preset fuzz)" >&2; exit 2; }
  echo "$bin"
}

# Seed directories of a target: its committed seeds, plus the real scenario files for the loader.
seed_dirs() {
  echo "$here/seeds/$1"
  if [[ $1 == scenario_loader_fuzz ]]; then echo "$root/scenarios"; fi
}

# Runs one fuzzer process, then removes and reports anything it left in /dev/shm.
run_fuzzer() {
  local target=$1; shift
  local bin log status=0
  bin=$(binary "$target")
  log=$(mktemp)
  mkdir -p "$build/fuzz-artifacts"
  "$bin" -timeout="${ZEROBUFFER_FUZZ_TIMEOUT:-1}" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$target-" "$@" >"$log" 2>&1 &
  local pid=$!
  wait "$pid" || status=$?
  rm -rf "/dev/shm/zbfuzz-$pid-locks"  # the private lock directory (a crashed process skips its atexit)
  local leftovers
  leftovers=$(find /dev/shm -maxdepth 1 -name "*zbfuzz-$pid-*" 2>/dev/null || true)
  if [[ -n $leftovers ]]; then
    rm -f $leftovers
    if ((status == 0)); then
      echo "run.sh: $target left named objects behind:" $leftovers >&2
      status=1
    fi
  fi
  if ((status != 0)); then
    tail -n 60 "$log" >&2
  fi
  local execs speed slowest cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  echo "$target: exit $status, ${execs:-?} execs, ${speed:-?} exec/s, cov ${cov:-?} edges, slowest input ${slowest:-?} s"
  rm -f "$log"
  return "$status"
}

# fuzz_for TARGET LIBFUZZER-LIMIT: fuzz TARGET from its corpus and seeds until the limit.
fuzz_for() {
  local target=$1 limit=$2
  local corpus="$build/fuzz-corpus/$target"
  mkdir -p "$corpus"
  # shellcheck disable=SC2046
  run_fuzzer "$target" "$limit" "$corpus" $(seed_dirs "$target")
}

[[ $# -ge 1 ]] || usage
case $1 in
  --seeds)
    [[ $# -eq 2 ]] || usage
    # shellcheck disable=SC2046
    run_fuzzer "$2" -runs=0 $(seed_dirs "$2")
    ;;
  --seconds)
    [[ $# -eq 3 ]] || usage
    fuzz_for "$3" -max_total_time="$2"
    ;;
  --runs)
    [[ $# -eq 3 ]] || usage
    fuzz_for "$3" -runs="$2"
    ;;
  --minutes)
    [[ $# -ge 2 ]] || usage
    minutes=$2; shift 2
    (($# > 0)) && targets=("$@")
    failed=0
    for t in "${targets[@]}"; do fuzz_for "$t" -max_total_time=$((minutes * 60)) || failed=1; done
    exit "$failed"
    ;;
  -*) usage ;;
  *)
    [[ $# -ge 2 ]] || usage
    target=$1; shift
    run_fuzzer "$target" "$@"
    ;;
esac
