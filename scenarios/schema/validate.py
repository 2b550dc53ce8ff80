#!/usr/bin/env python3
"""Validates scenario files against scenario.schema.json (an independent check of the format;
zerobuffer-harness applies the same rules, plus flow rules, when it loads the files).

usage: validate.py SCHEMA FILE...
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {where}: {error.message[:300]}", file=sys.stderr)
        failures += len(errors)
        print(f"{path}: {'OK' if not errors else str(len(errors)) + ' problem(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
