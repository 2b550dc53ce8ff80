#!/usr/bin/env python3
"""Checks every serve reply recorded by `zerobuffer-harness run --record-replies DIR` against docs/schema.

Each DIR/<cell>.jsonl line is one request the harness sent and the reply line it read back
(harness/src/traffic_log.hpp). Every reply must be JSON, satisfy response.schema.json, and
then error.schema.json or the result schema of the method it answers. For a scenario's raw
line the method is the line's own when it is a valid request; a result to anything else is a
problem. Requests without a reply (a hung or killed serve) are the matrix's business, not
this check's. Prints the count of replies per port; exit status 0 when all pass, 1 when a
reply breaks the schemas or nothing was recorded.
"""
import argparse
import collections
import json
import multiprocessing
import os
import pathlib
import sys

from serve_schemas import load_schemas, request_problems, response_problems


def method_of_raw(schemas, line):
    """The method a raw line validly calls, or None."""
    try:
        message = json.loads(line)
        if isinstance(message, dict) and isinstance(message.get("method"), str) and not request_problems(schemas, message):
            return message["method"]
    except (ValueError, RecursionError):
        pass
    return None


_schemas = None


def _load(directory):
    global _schemas
    _schemas = load_schemas(directory)


def check_file(path):
    """(replies per port, failures) of one cell's recording. Identical replies to one method are
    validated once: most cells repeat the same few replies."""
    replies = collections.Counter()
    failures = []
    seen = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = json.loads(line)
        if entry["reply"] is None:
            continue
        port = entry["port"]
        replies[port] += 1
        method = entry["method"] if entry["method"] is not None else method_of_raw(_schemas, entry["request"])
        if (method, entry["reply"]) in seen:
            continue
        seen.add((method, entry["reply"]))
        where = f"{path.name}:{number}: {entry['role']} ({port}) answering {method or 'a raw line'}"
        try:
            reply = json.loads(entry["reply"])
        except ValueError:
            failures.append(f"{where}: not JSON: {entry['reply'][:200]}")
            continue
        for problem in response_problems(_schemas, reply, method):
            failures.append(f"{where}: {problem} (reply: {entry['reply'][:300]})")
    return replies, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", required=True, help="directory of *.schema.json (docs/schema)")
    parser.add_argument("--max-failures", type=int, default=50, help="print at most this many failures")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("recordings", help="directory of <cell>.jsonl files")
    args = parser.parse_args()

    _load(args.schemas)
    replies = collections.Counter()
    failures = []
    files = sorted(pathlib.Path(args.recordings).glob("*.jsonl"))
    if args.jobs > 1 and len(files) > 1:
        # Largest recordings first (a long stream's readFrames replies dominate), one file per task.
        by_size = sorted(files, key=lambda path: path.stat().st_size, reverse=True)
        with multiprocessing.Pool(args.jobs, initializer=_load, initargs=(args.schemas,)) as pool:
            results = pool.map(check_file, by_size, chunksize=1)
    else:
        results = [check_file(path) for path in files]
    for counts, found in results:
        replies.update(counts)
        failures.extend(found)

    counts = ", ".join(f"{port} {n}" for port, n in sorted(replies.items())) or "none"
    print(f"validated {sum(replies.values())} replies in {len(files)} cells against {len(_schemas)} schemas "
          f"(per port: {counts})")
    if not replies:
        failures.append(f"no recorded replies in {args.recordings}: did the conformance cells run with --record-replies?")
    for failure in failures[: args.max_failures]:
        print("FAIL " + failure)
    if len(failures) > args.max_failures:
        print(f"... and {len(failures) - args.max_failures} more failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
