#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test
# (dev build: all languages + conformance; then the C++ tests and the cpp x cpp conformance
# cells under ASan+UBSan and TSan; then every fuzz target over its seeds and for a short budget).
# A missing toolchain (dotnet, Python >= 3.11, python3-jsonschema, Chromium, clang) fails the
# configure step: no port or check is dropped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
jobs=$(nproc)
for preset in dev asan tsan fuzz; do
  echo "=== ${preset}: configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== ${preset}: test"
  ctest --preset "$preset" -j "$jobs" --timeout 300
done
