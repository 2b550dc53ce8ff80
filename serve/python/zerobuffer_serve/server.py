"""Transport and JSON-RPC 2.0 dispatch: newline-delimited requests on stdin, responses on stdout."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import signal
import sys
from types import FrameType
from typing import Any, BinaryIO, Iterator, Optional

import zerobuffer as zb

from . import SERVE_PROTOCOL, SERVE_VERSION
from .params import InvalidParams, Params
from .session import MethodError, Session, library_error

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
LIBRARY_ERROR = -32000

MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_NESTING = 64

log = logging.getLogger("zerobuffer-serve-python")


class _Stop(Exception):
    """Raised by a signal handler while the serve waits for input."""


class _BadLine(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _nesting_depth(value: Any) -> int:
    depth = 0
    level = [value]
    while level:
        containers = [item for item in level if isinstance(item, (dict, list))]
        if not containers:
            return depth
        depth += 1
        if depth > MAX_NESTING:
            return depth
        level = [child for item in containers for child in (item.values() if isinstance(item, dict) else item)]
    return depth


def parse_line(line: bytes) -> Any:
    """Decodes one request line; raises _BadLine for anything that is not JSON (-32700)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadLine(f"parse error: invalid UTF-8 at byte {exc.start}") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise _BadLine(f"parse error: nesting deeper than {MAX_NESTING} levels") from None
    except ValueError as exc:
        raise _BadLine(f"parse error: {exc}") from None
    if _nesting_depth(value) > MAX_NESTING:
        raise _BadLine(f"parse error: nesting deeper than {MAX_NESTING} levels")
    return value


def read_lines(stream: BinaryIO) -> Iterator[Optional[bytes]]:
    """Yields request lines without their line ending; None for a line longer than the limit."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(MAX_LINE_BYTES)
            yield None
            continue
        if line.endswith(b"\n"):
            line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
        yield line


class Server:
    """Reads requests one at a time and answers each before reading the next."""

    def __init__(self, stdin: BinaryIO, stdout: BinaryIO) -> None:
        self._stdin = stdin
        self._stdout = stdout
        self.session = Session()
        self._busy = False
        self._stop_requested = False

    # -- signals -------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: Optional[FrameType]) -> None:
        log.info("signal %d: stopping after the current request", signum)
        self._stop_requested = True
        if not self._busy:
            raise _Stop()

    # -- main loop -----------------------------------------------------------------------

    def run(self) -> int:
        try:
            for line in read_lines(self._stdin):
                self._busy = True  # a signal from here on waits for the answer to be sent
                if line is None or line.strip():
                    response = self.handle_line(line)
                    if response is not None:
                        self._send(response)
                if self._stop_requested:
                    break
                self._busy = False
        except BrokenPipeError:
            # stdout is gone: close what we hold, and keep the interpreter's final flush quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stdout.fileno())
            os.close(devnull)
        except (_Stop, KeyboardInterrupt):
            pass
        finally:
            self._busy = True  # no more _Stop from here on
            self._close_session()
        return 0

    def _close_session(self) -> None:
        try:
            self.session.close()
        except Exception as exc:
            log.error("closing failed: %s", exc)

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"
        log.debug("-> %s", data[:2000])
        self._stdout.write(data)
        self._stdout.flush()

    # -- one request ---------------------------------------------------------------------

    def handle_line(self, line: Optional[bytes]) -> Optional[dict[str, Any]]:
        """The response to one line, or None for a notification."""
        if line is None:
            return _error(None, PARSE_ERROR, f"parse error: line longer than {MAX_LINE_BYTES} bytes")
        log.debug("<- %s", line[:2000])
        try:
            request = parse_line(line)
        except _BadLine as exc:
            return _error(None, PARSE_ERROR, exc.message)

        if not isinstance(request, dict):
            return _error(None, INVALID_REQUEST, "invalid request: not a JSON object (batches are not supported)")
        request_id = request.get("id")
        if not _usable_id(request_id):
            return _error(None, INVALID_REQUEST, "invalid request: id must be a string, a number or null")
        if request.get("jsonrpc") != "2.0":
            return _error(request_id, INVALID_REQUEST, 'invalid request: jsonrpc must be "2.0"')
        method = request.get("method")
        if not isinstance(method, str):
            return _error(request_id, INVALID_REQUEST, "invalid request: method must be a string")
        is_notification = "id" not in request
        handler = self.session.methods.get(method)
        if handler is None:
            return _reply(is_notification, _error(request_id, METHOD_NOT_FOUND, f"method not found: {method}"))
        raw_params = request.get("params", {})
        if not isinstance(raw_params, dict):
            return _reply(is_notification, _error(request_id, INVALID_PARAMS, "invalid params: params must be an object"))

        try:
            result = handler(Params(raw_params))
        except InvalidParams as exc:
            response = _error(request_id, INVALID_PARAMS, f"invalid params: {exc}")
        except MethodError as exc:
            response = _error(request_id, LIBRARY_ERROR, exc.message, exc.data)
        except Exception as exc:  # never let one request kill the serve
            log.exception("%s failed", method)
            mapped = library_error(exc)
            response = _error(request_id, LIBRARY_ERROR, mapped.message, mapped.data)
        else:
            response = {"jsonrpc": "2.0", "id": request_id, "result": result}
            if method == "shutdown":
                self._stop_requested = True
        return _reply(is_notification, response)


def _usable_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int))


def _reply(is_notification: bool, response: dict[str, Any]) -> Optional[dict[str, Any]]:
    return None if is_notification else response


def _error(request_id: Any, code: int, message: str, data: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


_LOG_LEVELS = {
    "off": logging.CRITICAL + 10,
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="zerobuffer-serve-python",
        description=(
            "Serve the ZeroBuffer Python library over JSON-RPC 2.0 (serve protocol "
            f"{SERVE_PROTOCOL}): one request per line on stdin, one response per line on stdout, "
            "logs on stderr. End of input or 'shutdown' closes gracefully and exits 0. "
            "The lock directory follows ZEROBUFFER_LOCK_DIR."
        ),
    )
    parser.add_argument("--log-level", choices=list(_LOG_LEVELS), default="warn", help="stderr log level (default: warn)")
    parser.add_argument(
        "--version",
        action="version",
        version=(
            f"zerobuffer-serve-python {SERVE_VERSION} (library zerobuffer-python {zb.__version__}, "
            f"wire {zb.PROTOCOL_VERSION}, serve protocol {SERVE_PROTOCOL})"
        ),
    )
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=_LOG_LEVELS[args.log_level], format="%(name)s: %(levelname)s: %(message)s")

    server = Server(sys.stdin.buffer, sys.stdout.buffer)
    server.install_signal_handlers()
    return server.run()
