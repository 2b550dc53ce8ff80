#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test
# (dev build: all languages + conformance; then the C++ tests under ASan+UBSan and TSan).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
jobs=$(nproc)
for preset in dev asan tsan; do
  echo "=== ${preset}: configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== ${preset}: test"
  ctest --preset "$preset" -j "$jobs" --timeout 300
done
