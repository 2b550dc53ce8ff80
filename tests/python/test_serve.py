"""Smoke tests of the Python serve, driven over JSON-RPC as the conformance harness drives it.

The serve protocol's contract (bad lines, parameter shapes, roles, error data, every method's
results and errors) is owned by the scenarios (scenarios/serve.json and the rest), which run
against every port. What stays here is what a scenario cannot reach: the command line, the
wrapper script, end of input, signals, a 16 MiB line, notifications and a few result details.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import unittest
from typing import Any, Optional

from zb_support import SERVE_WRAPPER, BufferTestCase, child_env, dev_shm_entries
from zerobuffer_serve.checksum import checksum


class Serve:
    """One serve process (started through the wrapper script, umask 022)."""

    def __init__(self, test: BufferTestCase, *args: str, python: Optional[str] = sys.executable) -> None:
        env = child_env()
        if python is not None:
            env["ZEROBUFFER_PYTHON"] = python
        else:
            env.pop("ZEROBUFFER_PYTHON", None)
        self.proc = subprocess.Popen(
            [SERVE_WRAPPER, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            env=env,
            cwd="/",
            preexec_fn=lambda: os.umask(0o022),
            start_new_session=True,
        )
        self._next_id = 1
        self._pending = b""
        test.addCleanup(self.stop)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, method: str, params: Optional[dict[str, Any]] = None) -> int:
        request_id = self._next_id
        self._next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send_raw(json.dumps(message).encode() + b"\n")
        return request_id

    def receive(self, timeout: float = 10.0) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, remaining))
            if not ready:
                raise AssertionError(f"no answer from the serve within {timeout} s")
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                raise AssertionError("the serve closed its stdout")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)

    def call(self, method: str, params: Optional[dict[str, Any]] = None, timeout: float = 10.0) -> dict[str, Any]:
        request_id = self.send(method, params)
        response = self.receive(timeout)
        assert response.get("id") == request_id, response
        assert response.get("jsonrpc") == "2.0", response
        return response

    def result(self, method: str, params: Optional[dict[str, Any]] = None, timeout: float = 10.0) -> dict[str, Any]:
        response = self.call(method, params, timeout)
        assert "result" in response, response
        return response["result"]

    def error(self, method: str, params: Optional[dict[str, Any]] = None, timeout: float = 10.0) -> dict[str, Any]:
        response = self.call(method, params, timeout)
        assert "error" in response, response
        return response["error"]

    def close_stdin(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()

    def wait(self, timeout: float = 10.0) -> int:
        return self.proc.wait(timeout)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.close_stdin()
            try:
                self.proc.wait(5.0)
            except subprocess.TimeoutExpired:
                self.kill()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class ServeTestCase(BufferTestCase):
    def serve(self, *args: str) -> Serve:
        return Serve(self, *args)

    def reader_and_writer(self, payload_size: int = 64 * 1024, metadata_size: int = 1024) -> tuple[Serve, Serve, str]:
        name = self.buffer_name()
        reader, writer = self.serve(), self.serve()
        reader.result("createReader", {"name": name, "metadataSize": metadata_size, "payloadSize": payload_size})
        writer.result("connectWriter", {"name": name})
        return reader, writer, name

    def assert_library_error(self, error: dict[str, Any], kind: str) -> dict[str, Any]:
        self.assertEqual(error["code"], -32000, error)
        self.assertEqual(error["data"]["kind"], kind, error)
        self.assertEqual(error["data"]["message"], error["message"])
        return error["data"]  # type: ignore[no-any-return]


class CommandLineTest(ServeTestCase):
    def run_wrapper(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SERVE_WRAPPER, *args], capture_output=True, text=True, env=child_env(ZEROBUFFER_PYTHON=sys.executable), timeout=30
        )

    def test_version(self) -> None:
        done = self.run_wrapper("--version")
        self.assertEqual(done.returncode, 0)
        self.assertIn("zerobuffer-serve-python", done.stdout)

    def test_help(self) -> None:
        done = self.run_wrapper("--help")
        self.assertEqual(done.returncode, 0)
        self.assertIn("JSON-RPC", done.stdout)

    def test_bad_option_exits_2(self) -> None:
        self.assertEqual(self.run_wrapper("--no-such-option").returncode, 2)

    def test_wrapper_works_with_python3_from_path_and_any_cwd(self) -> None:
        serve = Serve(self, python=None)
        self.assertEqual(serve.result("hello")["implementation"], "python")


class SessionTest(ServeTestCase):
    def test_hello(self) -> None:
        serve = self.serve()
        hello = serve.result("hello")
        self.assertEqual(hello["implementation"], "python")
        self.assertEqual(hello["wireVersion"], "1.0.0")
        self.assertEqual(hello["serveProtocol"], 1)
        self.assertEqual(hello["pid"], serve.pid)
        self.assertTrue(hello["library"].startswith("zerobuffer-python"))
        self.assertEqual(set(hello["capabilities"]), {"zeroCopyWrite", "holdFrames", "writerRestart", "createMode"})

    def test_connect_writer_retry_gives_up_with_the_last_error(self) -> None:
        serve = self.serve()
        start = time.monotonic()
        self.assert_library_error(serve.error("connectWriter", {"name": self.buffer_name(), "timeoutMs": 200}), "BufferNotFound")
        self.assertGreaterEqual(time.monotonic() - start, 0.19)


class MetadataTest(ServeTestCase):
    def test_empty_metadata(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assertEqual(writer.result("setMetadata", {"size": 0}), {"size": 0})
        self.assertEqual(reader.result("getMetadata"), {"size": 0, "checksum": "e3b0c44298fc1c14", "text": ""})


def pattern_bytes(size: int, sequence: int, seed: int) -> bytes:
    return bytes((i + 7 * sequence + seed) % 251 for i in range(size))


def pattern_checksum(size: int, sequence: int, seed: int = 0) -> str:
    return checksum(pattern_bytes(size, sequence, seed))


def frames_are_pattern(read: dict[str, Any], seed: int = 0) -> bool:
    return all(f["checksum"] == pattern_checksum(f["size"], f["sequence"], seed) for f in read["frames"])


class FramesTest(ServeTestCase):
    def test_pattern_frames_round_trip(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        written = writer.result("writeFrames", {"size": 1000, "count": 3, "seed": 5})
        self.assertEqual({k: written[k] for k in ("written", "firstSequence", "lastSequence", "bytes")},
                         {"written": 3, "firstSequence": 1, "lastSequence": 3, "bytes": 3000})
        self.assertGreaterEqual(written["elapsedMs"], 0)
        read = reader.result("readFrames", {"count": 3})
        self.assertEqual(read["frames"], [{"sequence": n, "size": 1000, "checksum": pattern_checksum(1000, n, 5)} for n in (1, 2, 3)])
        self.assertEqual((read["read"], read["bytes"], read["firstSequence"], read["lastSequence"]), (3, 3000, 1, 3))
        status = reader.result("status")
        self.assertEqual((status["framesRead"], status["bytesRead"], status["held"]), (3, 3000, 0))
        status = writer.result("status")
        self.assertEqual((status["role"], status["framesWritten"], status["bytesWritten"], status["peerConnected"]), ("writer", 3, 3000, True))

    def test_sizes_without_count_write_one_frame_each(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assertEqual(writer.result("writeFrames", {"sizes": [5, 6]})["written"], 2)

    def test_frames_list_is_capped_at_64(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        writer.result("writeFrames", {"size": 8, "count": 100})
        read = reader.result("readFrames", {"count": 100})
        self.assertEqual(read["read"], 100)
        self.assertEqual([f["sequence"] for f in read["frames"]], list(range(1, 101)))

    def test_until_writer_gone_still_times_out(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assert_library_error(reader.error("readFrames", {"untilWriterGone": True, "timeoutMs": 100}), "Timeout")


class BadInputTest(ServeTestCase):
    def expect(self, serve: Serve, line: bytes, code: int, request_id: Any = None) -> None:
        serve.send_raw(line + b"\n")
        answer = serve.receive()
        self.assertEqual(answer["error"]["code"], code, answer)
        self.assertEqual(answer["id"], request_id)

    def test_over_long_line_is_a_parse_error(self) -> None:
        serve = self.serve()
        self.expect(serve, b'{"x": "' + b"a" * (16 * 1024 * 1024) + b'"}', -32700)
        self.assertEqual(serve.result("hello")["implementation"], "python")

    def test_blank_lines_crlf_and_notifications(self) -> None:
        serve = self.serve()
        serve.send_raw(b"\n  \n")
        serve.send_raw(b'{"jsonrpc": "2.0", "method": "hello"}\n')
        serve.send_raw(b'{"jsonrpc": "2.0", "id": 9, "method": "hello"}\r\n')
        self.assertEqual(serve.receive()["id"], 9)

    def test_unknown_params_are_ignored(self) -> None:
        self.assertIn("pid", self.serve().result("hello", {"whatever": 1}))


class LifecycleTest(ServeTestCase):
    def test_end_of_input_closes_gracefully(self) -> None:
        name = self.buffer_name()
        serve = self.serve()
        serve.result("createReader", {"name": name, "metadataSize": 0, "payloadSize": 64})
        serve.close_stdin()
        self.assertEqual(serve.wait(), 0)
        self.assertEqual(dev_shm_entries(name), [])

    def test_last_line_without_newline_is_processed(self) -> None:
        serve = self.serve()
        serve.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "hello"}')
        serve.close_stdin()
        self.assertEqual(serve.receive()["id"], 1)
        self.assertEqual(serve.wait(), 0)

    def test_shutdown(self) -> None:
        name = self.buffer_name()
        serve = self.serve()
        serve.result("createReader", {"name": name, "metadataSize": 0, "payloadSize": 64})
        self.assertEqual(serve.result("shutdown"), {})
        self.assertEqual(serve.wait(), 0)
        self.assertEqual(dev_shm_entries(name), [])

    def test_sigterm_closes_gracefully(self) -> None:
        name = self.buffer_name()
        serve = self.serve()
        serve.result("createReader", {"name": name, "metadataSize": 0, "payloadSize": 64})
        serve.proc.send_signal(signal.SIGTERM)
        self.assertEqual(serve.wait(), 0)
        self.assertEqual(dev_shm_entries(name), [])


if __name__ == "__main__":
    unittest.main()
