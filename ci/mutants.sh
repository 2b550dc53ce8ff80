#!/usr/bin/env bash
# The mutation score: how many realistic bugs in the C++ library the conformance suite catches.
#
#   ci/mutants.sh [--only ID...] [--jobs N] [--harness PATH] [--no-baseline] [--fuzz]
#
# For each mutant of harness/mutants/*.mutant: apply it to a copy of the library and the C++
# serve (the real sources are never touched), build that serve, and run the cpp x cpp matrix
# against it, stopping at the first failing cell. A failing cell kills the mutant. With --fuzz
# the check is the port fuzz instead (`fuzz --ports cpp --iterations 200 --seed 1`, what CTest
# portfuzz.cpp runs): a failure of the fuzz kills the mutant. Prints one
# row per mutant and ends with `N mutants: K killed, S survived`.
# Exit status: 0 every non-equivalent mutant was killed, 1 one survived (or an equivalent one
# was killed: its reason is wrong), 2 a mutant no longer applies or a build/setup failed.
#
# Environment: MUTANTS_WORK (default build/mutants) holds the copy, its build and the logs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTANTS_WORK:-$root/build/mutants}
jobs=2
harness=""
baseline=1
fuzz=0
only=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) shift; while [[ $# -gt 0 && "$1" != --* ]]; do only+=("$1"); shift; done ;;
    --jobs) jobs=$2; shift 2 ;;
    --harness) harness=$2; shift 2 ;;
    --no-baseline) baseline=0; shift ;;
    --fuzz) fuzz=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "mutants.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ -z "$harness" ]]; then
  for candidate in "$root"/build/dev/harness/zerobuffer-harness "$root"/build/cpp/harness/zerobuffer-harness; do
    if [[ -x "$candidate" ]]; then harness=$candidate; break; fi
  done
fi
if [[ -z "$harness" || ! -x "$harness" ]]; then
  echo "mutants.sh: no zerobuffer-harness built (build/dev or build/cpp); pass --harness PATH" >&2
  exit 2
fi

apply=(python3 "$root/harness/mutants/apply.py")
mutants=()
if [[ ${#only[@]} -gt 0 ]]; then
  for id in "${only[@]}"; do
    file="$root/harness/mutants/$id.mutant"
    [[ -f "$file" ]] || { echo "mutants.sh: no mutant $id ($file)" >&2; exit 2; }
    mutants+=("$file")
  done
else
  mutants=("$root"/harness/mutants/*.mutant)
fi
# Every mutant must still apply to today's sources: fail loudly before building anything.
"${apply[@]}" check "${mutants[@]}" || { echo "mutants.sh: update the mutants above to the current sources" >&2; exit 2; }

# The copy: just what the serve needs. The top-level CMakeLists skips the absent directories.
src=$work/src
build=$work/build
logs=$work/logs
rm -rf "$src" "$logs" "$work/scenarios"
mkdir -p "$src/serve" "$src/zerobuffer" "$logs" "$work/expected"
# The scenarios as they are now: editing them during a long run does not change its verdicts.
mkdir -p "$work/scenarios"
cp "$root"/scenarios/*.json "$work/scenarios/"
cp -r "$root/scenarios/rules" "$work/scenarios/"  # the rule ids that `covers` fields name
cp -r "$root/CMakeLists.txt" "$root/cmake" "$src/"
cp -r "$root/zerobuffer/cpp" "$src/zerobuffer/"
cp -r "$root/serve/cpp" "$src/serve/"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DZEROBUFFER_BUILD_TESTS=OFF -DZEROBUFFER_BUILD_EXAMPLES=OFF \
  -DZEROBUFFER_BUILD_BENCHMARKS=OFF -DZEROBUFFER_BUILD_PORTS=OFF "${launcher[@]}" >"$logs/configure.log" 2>&1 ||
  { cat "$logs/configure.log" >&2; exit 2; }
cat >"$work/ports.json" <<EOF
{"ports": {"cpp": {"command": ["$build/serve/cpp/zerobuffer-serve"], "description": "C++ library with a mutant"}}}
EOF

build_serve() {  # $1: log file
  cmake --build "$build" --target zerobuffer-serve -j "$jobs" >"$1" 2>&1
}
check_name="cpp x cpp matrix"
[[ $fuzz == 1 ]] && check_name="port fuzz"
run_check() {  # $1: log file; exit status of the harness
  if [[ $fuzz == 1 ]]; then
    "$harness" fuzz --ports-file "$work/ports.json" --ports cpp --iterations 200 --seed 1 >"$1" 2>&1
    return
  fi
  "$harness" run --scenarios "$work/scenarios" --ports "$work/ports.json" --expected "$work/expected" --strict \
    --writer cpp --reader cpp --tier all --fail-fast -j "$jobs" >"$1" 2>&1
}

if [[ $baseline == 1 ]]; then
  echo "baseline: building the unmutated serve and running the $check_name"
  build_serve "$logs/baseline.build.log" || { cat "$logs/baseline.build.log" >&2; exit 2; }
  if ! run_check "$logs/baseline.log"; then
    tail -n 30 "$logs/baseline.log" >&2
    echo "mutants.sh: the unmutated library fails the $check_name; a mutation score means nothing then" >&2
    exit 2
  fi
fi

printf '%-32s %-26s %-10s %7s  %s\n' MUTANT RULE RESULT SECONDS "KILLED BY (first failing cell)"
total=0 killed=0 survived=0 equivalent=0 wrong_equivalent=0 alive=() errors=0
for file in "${mutants[@]}"; do
  IFS=$'\t' read -r id rule is_equivalent _ < <("${apply[@]}" info "$file")
  start=$SECONDS
  mapfile -t changed < <("${apply[@]}" apply "$file" --root "$src")
  by=""
  if ! build_serve "$logs/$id.build.log"; then
    result="BUILD-ERROR"; by="see $logs/$id.build.log"; errors=$((errors + 1))
  elif run_check "$logs/$id.log"; then
    result="survived"
  else
    status=$?
    if [[ $status == 1 ]]; then
      result="killed"
      by=$(grep -m1 -E '^(failed |xpass |FAIL fuzz)' "$logs/$id.log" | sed -E 's/^[a-z]+ +conformance\.//' | cut -c1-150 || true)
    else
      result="ERROR"; by="harness exit $status, see $logs/$id.log"; errors=$((errors + 1))
    fi
  fi
  for rel in "${changed[@]}"; do cp "$root/$rel" "$src/$rel"; done  # new mtime: make rebuilds it
  total=$((total + 1))
  case "$result" in
    killed)
      killed=$((killed + 1))
      if [[ $is_equivalent == 1 ]]; then wrong_equivalent=$((wrong_equivalent + 1)); result="killed(!eq)"; fi ;;
    survived)
      survived=$((survived + 1))
      if [[ $is_equivalent == 1 ]]; then equivalent=$((equivalent + 1)); result="equivalent"; else alive+=("$id"); fi ;;
  esac
  printf '%-32s %-26s %-10s %7d  %s\n' "$id" "$rule" "$result" $((SECONDS - start)) "$by"
done

echo
echo "equivalent (survive by design, reason in the mutant file): $equivalent"
[[ ${#alive[@]} -gt 0 ]] && echo "NOT KILLED: ${alive[*]}"
[[ $wrong_equivalent -gt 0 ]] && echo "marked equivalent but killed (fix the mutant file): $wrong_equivalent"
[[ $errors -gt 0 ]] && echo "build or harness errors: $errors (logs in $logs)"
echo "$total mutants: $killed killed, $survived survived"
if [[ $errors -gt 0 ]]; then exit 2; fi
if [[ ${#alive[@]} -gt 0 || $wrong_equivalent -gt 0 ]]; then exit 1; fi
exit 0
