#!/usr/bin/env bash
# Runs the example reader and writer as two processes and checks every frame arrived intact.
set -euo pipefail
reader=$1 writer=$2 count=$3
name="zb-example-$$"
export ZEROBUFFER_LOCK_DIR
ZEROBUFFER_LOCK_DIR=$(mktemp -d)
trap 'rm -rf "$ZEROBUFFER_LOCK_DIR"' EXIT
out=$(mktemp)
"$reader" "$name" 16384 65536 >"$out" &
reader_pid=$!
"$writer" "$name" "$count" 16384
wait "$reader_pid"
cat "$out"
grep -q "reader: $count frames, .* 0 damaged" "$out"
rm -f "$out"
if ls /dev/shm | grep -q -- "$name"; then
  echo "leaked /dev/shm objects of $name" >&2
  exit 1
fi
