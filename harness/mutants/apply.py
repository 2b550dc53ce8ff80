#!/usr/bin/env python3
"""Reads mutant files (harness/mutants/*.mutant) and applies one to a copy of the sources.

Format of a mutant file (see README.md next to this script):

    description: one line saying what the bug is
    rule: area.name            (the rule of docs/protocol.md it breaks)
    known: where it was seen    (optional: a published package that had this bug)
    equivalent: why             (optional: no black-box test can see it; not counted)
    file: zerobuffer/cpp/src/reader.cpp
    --- find
    exact text, which must occur exactly once in the file
    --- replace
    its replacement
    --- end

`file:` may appear again before further find/replace blocks. Exit status 2 and a message
naming the mutant and the snippet when a mutant is malformed or no longer applies.

    apply.py check [MUTANT...] [--root DIR] verify that each mutant (default: all) applies to DIR (default: repo)
    apply.py apply MUTANT --root DIR       apply it to the copy in DIR; prints the files changed
    apply.py info MUTANT                   print id<TAB>rule<TAB>equivalent(0/1)<TAB>description
"""
import pathlib
import sys

KEYS = ("description", "rule", "known", "equivalent", "file")


class MutantError(Exception):
    pass


def parse(path):
    """Returns (fields, edits) where edits is a list of (file, find, replace)."""
    fields = {}
    edits = []
    current_file = None
    lines = pathlib.Path(path).read_text().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- find"):
            if current_file is None:
                raise MutantError(f"{path}:{i + 1}: '--- find' before any 'file:'")
            find, i = _block(path, lines, i + 1, "--- replace")
            replace, i = _block(path, lines, i + 1, "--- end")
            if not find:
                raise MutantError(f"{path}: empty find snippet")
            edits.append((current_file, find, replace))
        elif line.strip() == "" or line.startswith("#"):
            pass
        else:
            key, sep, value = line.partition(":")
            if not sep or key not in KEYS:
                raise MutantError(f"{path}:{i + 1}: expected one of {', '.join(KEYS)} or '--- find', got {line!r}")
            if key == "file":
                current_file = value.strip()
            elif key in fields:
                raise MutantError(f"{path}:{i + 1}: '{key}' given twice")
            else:
                fields[key] = value.strip()
        i += 1
    for key in ("description", "rule"):
        if not fields.get(key):
            raise MutantError(f"{path}: missing '{key}:'")
    if not edits:
        raise MutantError(f"{path}: no find/replace block")
    return fields, edits


def _block(path, lines, start, terminator):
    for end in range(start, len(lines)):
        if lines[end].startswith(terminator):
            return "\n".join(lines[start:end]) + "\n", end
    raise MutantError(f"{path}: block starting at line {start} has no '{terminator}'")


def mutate(path, root):
    """Returns {relative file: mutated text} without writing anything."""
    _, edits = parse(path)
    texts = {}
    for rel, find, replace in edits:
        if rel not in texts:
            source = pathlib.Path(root) / rel
            if not source.is_file():
                raise MutantError(f"{path}: file {rel} does not exist")
            texts[rel] = source.read_text()
        count = texts[rel].count(find)
        if count != 1:
            first = find.strip().splitlines()[0] if find.strip() else find
            raise MutantError(f"{path}: snippet must occur exactly once in {rel}, found {count} times: {first!r}")
        texts[rel] = texts[rel].replace(find, replace)
    return texts


def main(argv):
    if not argv or argv[0] not in ("check", "apply", "info") or (argv[0] != "check" and len(argv) < 2):
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    root = pathlib.Path(__file__).resolve().parents[2]
    if "--root" in rest:
        at = rest.index("--root")
        root = pathlib.Path(rest[at + 1])
        rest = rest[:at] + rest[at + 2:]
    if command == "check" and not rest:
        rest = sorted(str(path) for path in pathlib.Path(__file__).parent.glob("*.mutant"))
    status = 0
    for mutant in rest:
        try:
            if command == "info":
                fields, _ = parse(mutant)
                ident = pathlib.Path(mutant).stem
                equivalent = "1" if fields.get("equivalent") else "0"
                print(f"{ident}\t{fields['rule']}\t{equivalent}\t{fields['description']}")
            elif command == "check":
                mutate(mutant, root)
            else:
                for rel, text in mutate(mutant, root).items():
                    (root / rel).write_text(text)
                    print(rel)
        except MutantError as error:
            print(f"mutant does not apply: {error}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
