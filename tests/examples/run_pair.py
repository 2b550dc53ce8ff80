"""Runs an example as two processes, the way its documentation does in two terminals.

    run_pair.py EXPECT -- READER_COMMAND... -- WRITER_COMMAND...

"{name}" in either command becomes a fresh buffer name. The reader starts first and must print
a line "ready" (its buffer exists); then the writer runs. Both must exit 0, and the reader's
output must contain a line matching the regular expression EXPECT.
"""

import re
import subprocess
import sys
import uuid


def main(argv):
    expect, sep1, rest = argv[0], argv[1], argv[2:]
    if sep1 != "--" or "--" not in rest:
        sys.exit(__doc__)
    split = rest.index("--")
    name = f"zbexample-{uuid.uuid4().hex[:10]}"
    reader_cmd = [a.replace("{name}", name) for a in rest[:split]]
    writer_cmd = [a.replace("{name}", name) for a in rest[split + 1:]]

    reader = subprocess.Popen(reader_cmd, stdout=subprocess.PIPE, text=True)
    try:
        first = reader.stdout.readline()
        if first.strip() != "ready":
            print(f"reader did not get ready: {first!r}", file=sys.stderr)
            return 1
        writer = subprocess.run(writer_cmd, timeout=120)
        out, _ = reader.communicate(timeout=120)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    sys.stdout.write(out)
    if writer.returncode != 0 or reader.returncode != 0:
        print(f"writer exited {writer.returncode}, reader {reader.returncode}", file=sys.stderr)
        return 1
    if not any(re.search(expect, line) for line in out.splitlines()):
        print(f"no line of the reader's output matches {expect!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
