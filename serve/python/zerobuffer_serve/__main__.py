"""python3 -m zerobuffer_serve [--log-level LEVEL] [--help] [--version]"""

import sys

from .server import main

if __name__ == "__main__":
    sys.exit(main())
