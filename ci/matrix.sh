#!/usr/bin/env bash
# The README's main command: on a fresh machine, installs what is missing, builds everything
# (dev preset), runs the full conformance matrix -- every scenario for every writer x reader
# pair of the ports this build has -- with two cells at a time, prints the writer x reader
# table and writes build/report/ (index.html, junit.xml, results.json, matrix.md, logs/), then
# validates every serve reply it recorded (build/report/replies/) against docs/schema.
#
# Extra arguments go to `zerobuffer-harness run`, e.g.  ci/matrix.sh --tier required
#                                                      ci/matrix.sh --writer cpp --reader python
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
echo "=== configure + build (dev)"
cmake --preset dev >/dev/null
cmake --build --preset dev -j 2
echo "=== conformance matrix"
rm -rf build/report
status=0
build/dev/harness/zerobuffer-harness run -j "${JOBS:-2}" --report build/report \
  --record-replies build/report/replies --source-dir "$PWD" --build-dir "$PWD/build/dev" "$@" || status=$?
echo "=== every recorded reply against docs/schema"
python3 tests/schema/validate_replies.py --schemas docs/schema build/report/replies || status=1
echo "Open build/report/index.html for the matrix, one log per cell and a repro command per failure."
exit "$status"
