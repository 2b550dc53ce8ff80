#!/usr/bin/env python3
"""Checks the messages the serve tests exchanged (JSONL logs) against docs/schema.

Every request logged as schema-valid must satisfy request.schema.json and its method's params
schema; every request logged as deliberately bad must be rejected by them (or not be JSON);
every response must satisfy response.schema.json and then error.schema.json or its method's
result schema. Exit status 0 when all pass, 1 otherwise.
"""
import argparse
import json
import pathlib
import sys

from serve_schemas import load_schemas, request_problems, response_problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", required=True, help="directory of *.schema.json")
    parser.add_argument("logs", help="directory of *.jsonl message logs")
    args = parser.parse_args()

    schemas = load_schemas(args.schemas)
    counts = {"request": 0, "bad request": 0, "response": 0}
    failures = []
    for log in sorted(pathlib.Path(args.logs).glob("*.jsonl")):
        for number, line in enumerate(log.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{log.name}:{number}"
            entry = json.loads(line)
            if entry["direction"] == "response":
                counts["response"] += 1
                found = response_problems(schemas, entry["message"], entry.get("method"))
                failures += [f"{where}: response: {p}" for p in found]
            elif "message" in entry or entry.get("schemaValid"):
                counts["request"] += 1
                message = entry.get("message")
                if message is None:
                    message = json.loads(entry["raw"])
                found = request_problems(schemas, message)
                failures += [f"{where}: request: {p}" for p in found]
            else:
                counts["bad request"] += 1
                if entry.get("truncated"):
                    continue
                try:
                    message = json.loads(entry["raw"])
                except (ValueError, RecursionError):
                    continue  # not JSON at all: nothing a schema could accept
                try:
                    accepted = not request_problems(schemas, message)
                except RecursionError:
                    accepted = False
                if accepted:
                    failures.append(f"{where}: the schemas accept a request the tests send as bad: {entry['raw'][:200]}")

    total = sum(counts.values())
    print(f"validated {counts['request']} requests, {counts['bad request']} bad requests, "
          f"{counts['response']} responses against {len(schemas)} schemas")
    if total == 0 or counts["response"] == 0:
        failures.append(f"no messages found in {args.logs}: did the serve tests run?")
    for failure in failures:
        print("FAIL " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
