#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test
# (dev build: all languages + conformance; then the C++ tests and the cpp x cpp conformance
# cells, soak and port fuzzing under ASan+UBSan and TSan; then every fuzz target over its seeds
# and for a short budget).
# What runs where: the harness and its tests are compiled once, in dev. The asan and tsan
# presets build the library, the serve and the C++ tests only; their cells, soak and port
# fuzzing are run by build/dev's zerobuffer-harness (ZEROBUFFER_HARNESS in CMakePresets.json)
# against their own sanitized serve, so dev must be built before them.
# A missing toolchain (dotnet, Python >= 3.11, python3-jsonschema, Chromium, clang) fails the
# configure step: no port or check is dropped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
step_start=$SECONDS
took() { echo "=== $1 took $((SECONDS - step_start)) s (total $SECONDS s)"; step_start=$SECONDS; }
bash ci/setup.sh
took "setup"
jobs=$(nproc)
for preset in dev asan tsan fuzz; do
  echo "=== ${preset}: configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  took "${preset}: configure + build"
  echo "=== ${preset}: test"
  ctest --preset "$preset" -j "$jobs" --timeout 300
  took "${preset}: test"
  if [[ $preset == dev ]]; then
    # A fixed slice of the mutation score (ci/mutants.sh without --only runs every mutant):
    # bugs of the published packages in the reader, the writer, the lifecycle and the
    # permissions. The matrix just passed, so the baseline run is skipped.
    echo "=== dev: mutation score, fixed slice"
    ci/mutants.sh --no-baseline --harness build/dev/harness/zerobuffer-harness \
      --only short-tail-read-as-header marker-for-short-tail claim-before-semaphores mode-0644 commit-no-post
    took "dev: mutation slice"
    # The port fuzz's own power: bugs only its judging sees (portfuzz.cpp just passed: the control).
    echo "=== dev: mutants against the port fuzz"
    ci/mutants.sh --fuzz --no-baseline --harness build/dev/harness/zerobuffer-harness \
      --only hostile-oieb-positions hostile-oieb-sizes metadata-length-unchecked
    took "dev: port fuzz mutants"
  fi
done
