"""zerobuffer-serve for the Python port: the library behind the serve protocol (JSON-RPC 2.0 on stdio)."""

SERVE_VERSION = "1.0.0"
SERVE_PROTOCOL = 1
