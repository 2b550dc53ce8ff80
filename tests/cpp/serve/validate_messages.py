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

try:
    import jsonschema
except ImportError:
    sys.exit("validate_messages.py: the jsonschema module is missing (Debian: apt-get install python3-jsonschema)")


def load_schemas(directory):
    schemas = {}
    for path in sorted(pathlib.Path(directory).glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[path.name[: -len(".schema.json")]] = jsonschema.Draft202012Validator(schema)
    return schemas


def problems(validator, instance):
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(instance)]


def request_problems(schemas, message):
    found = problems(schemas["request"], message)
    if found:
        return found
    params_schema = schemas.get(message["method"] + ".params")
    if params_schema is None:
        return [f"no params schema for method {message['method']}"]
    return problems(params_schema, message.get("params", {}))


def response_problems(schemas, message, method):
    found = problems(schemas["response"], message)
    if found:
        return found
    if "error" in message:
        return problems(schemas["error"], message["error"])
    if method is None:
        return ["a result that answers no known request"]
    return problems(schemas[method + ".result"], message["result"])


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
