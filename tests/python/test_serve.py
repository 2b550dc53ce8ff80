"""The Python serve, driven over JSON-RPC exactly as the conformance harness drives it."""

from __future__ import annotations

import json
import os
import select
import signal
import stat
import struct
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

    def test_create_reader_reports_rounded_sizes_and_mode(self) -> None:
        name = self.buffer_name()
        serve = self.serve()
        result = serve.result("createReader", {"name": name, "metadataSize": 100, "payloadSize": 4000})
        self.assertEqual(result, {"metadataSize": 128, "payloadSize": 4032, "mode": 384, "pid": serve.pid})
        self.assertEqual(stat.S_IMODE(os.stat(f"/dev/shm/{name}").st_mode), 0o600)
        self.assertEqual(serve.result("close"), {})
        self.assertEqual(dev_shm_entries(name), [])

    def test_create_reader_honours_mode_despite_umask(self) -> None:
        name = self.buffer_name()
        serve = self.serve()
        self.assertEqual(serve.result("createReader", {"name": name, "metadataSize": 0, "payloadSize": 64, "mode": 0o664})["mode"], 0o664)
        for path in (f"/dev/shm/{name}", f"/dev/shm/sem.sem-w-{name}", f"/dev/shm/sem.sem-r-{name}", f"{self.lock_dir}/{name}.lock"):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o664, path)

    def test_invalid_values_come_back_as_library_errors(self) -> None:
        serve = self.serve()
        for params, kind in (
            ({"name": "", "metadataSize": 0, "payloadSize": 64}, "InvalidName"),
            ({"name": "x" * 201, "metadataSize": 0, "payloadSize": 64}, "InvalidName"),
            ({"name": "a/b", "metadataSize": 0, "payloadSize": 64}, "InvalidName"),
            ({"name": self.buffer_name(), "metadataSize": 0, "payloadSize": 0}, "InvalidFrameSize"),
            ({"name": self.buffer_name(), "metadataSize": 2**64 - 1, "payloadSize": 64}, "InvalidFrameSize"),
            ({"name": self.buffer_name(), "metadataSize": 0, "payloadSize": 2**50}, "Internal"),
        ):
            with self.subTest(params=params):
                self.assert_library_error(serve.error("createReader", params), kind)
        self.assertEqual(serve.result("status")["role"], "none")

    def test_wrong_shapes_are_invalid_params(self) -> None:
        serve = self.serve()
        for params in (
            {"metadataSize": 0, "payloadSize": 64},
            {"name": 5, "metadataSize": 0, "payloadSize": 64},
            {"name": "n", "metadataSize": -1, "payloadSize": 64},
            {"name": "n", "metadataSize": 0, "payloadSize": 64.5},
            {"name": "n", "metadataSize": 0, "payloadSize": "64"},
            {"name": "n", "metadataSize": 0, "payloadSize": True},
            {"name": "n", "metadataSize": 0, "payloadSize": 2**64},
            {"name": "n", "metadataSize": 0, "payloadSize": 64, "mode": 2**32},
        ):
            with self.subTest(params=params):
                self.assertEqual(serve.error("createReader", params)["code"], -32602)

    def test_integral_floats_are_integers(self) -> None:
        name = self.buffer_name()
        result = self.serve().result("createReader", {"name": name, "metadataSize": 0.0, "payloadSize": 64.0})
        self.assertEqual(result["payloadSize"], 64)

    def test_one_role_at_a_time(self) -> None:
        serve = self.serve()
        name = self.buffer_name()
        serve.result("createReader", {"name": name, "metadataSize": 0, "payloadSize": 64})
        self.assert_library_error(serve.error("createReader", {"name": self.buffer_name(), "metadataSize": 0, "payloadSize": 64}), "InvalidState")
        self.assert_library_error(serve.error("connectWriter", {"name": name}), "InvalidState")
        self.assert_library_error(serve.error("writeFrames", {"size": 1}), "InvalidState")
        self.assert_library_error(serve.error("setMetadata", {"text": "x"}), "InvalidState")
        serve.result("close")
        serve.result("close")
        other = self.serve()
        other.result("createReader", {"name": name, "metadataSize": 0, "payloadSize": 64})
        serve.result("connectWriter", {"name": name})
        self.assert_library_error(serve.error("readFrames", {}), "InvalidState")
        self.assert_library_error(serve.error("getMetadata", {}), "InvalidState")

    def test_methods_without_a_role(self) -> None:
        serve = self.serve()
        self.assertEqual(serve.result("status"), {"role": "none", "name": None, "peerConnected": False, "held": 0})
        self.assertEqual(serve.result("releaseFrames"), {"released": 0})
        self.assertEqual(serve.result("close"), {})
        self.assert_library_error(serve.error("readFrames"), "InvalidState")

    def test_connect_writer_to_a_missing_buffer(self) -> None:
        serve = self.serve()
        start = time.monotonic()
        self.assert_library_error(serve.error("connectWriter", {"name": self.buffer_name()}), "BufferNotFound")
        self.assertLess(time.monotonic() - start, 1.0)
        self.assert_library_error(serve.error("connectWriter", {"name": "bad/name", "timeoutMs": 2000}), "InvalidName")

    def test_connect_writer_waits_for_a_starting_reader(self) -> None:
        name = self.buffer_name()
        reader, writer = self.serve(), self.serve()
        reader.result("hello")
        request_id = writer.send("connectWriter", {"name": name, "timeoutMs": 5000})
        time.sleep(0.1)
        reader.result("createReader", {"name": name, "metadataSize": 0, "payloadSize": 1024})
        answer = writer.receive()
        self.assertEqual(answer["id"], request_id)
        self.assertEqual(answer["result"], {"pid": writer.pid})
        self.assertTrue(reader.result("status")["peerConnected"])

    def test_connect_writer_retry_gives_up_with_the_last_error(self) -> None:
        serve = self.serve()
        start = time.monotonic()
        self.assert_library_error(serve.error("connectWriter", {"name": self.buffer_name(), "timeoutMs": 200}), "BufferNotFound")
        self.assertGreaterEqual(time.monotonic() - start, 0.19)

    def test_second_writer_and_second_reader_are_refused(self) -> None:
        reader, writer, name = self.reader_and_writer()
        self.assert_library_error(self.serve().error("connectWriter", {"name": name}), "WriterAlreadyConnected")
        self.assert_library_error(
            self.serve().error("createReader", {"name": name, "metadataSize": 0, "payloadSize": 64}), "ReaderAlreadyConnected"
        )


class MetadataTest(ServeTestCase):
    def test_text_metadata(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assertEqual(reader.result("getMetadata"), {"size": 0, "checksum": "e3b0c44298fc1c14", "text": ""})
        self.assertEqual(writer.result("setMetadata", {"text": "camera 3, 640x480"}), {"size": 17})
        self.assertEqual(reader.result("getMetadata"), {"size": 17, "checksum": checksum(b"camera 3, 640x480"), "text": "camera 3, 640x480"})
        self.assert_library_error(writer.error("setMetadata", {"text": "again"}), "MetadataAlreadyWritten")

    def test_pattern_metadata(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assertEqual(writer.result("setMetadata", {"size": 500, "seed": 9}), {"size": 500})
        self.assertEqual(reader.result("getMetadata"), {"size": 500, "checksum": pattern_checksum(500, 0, 9)})

    def test_empty_metadata(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assertEqual(writer.result("setMetadata", {"size": 0}), {"size": 0})
        self.assertEqual(reader.result("getMetadata"), {"size": 0, "checksum": "e3b0c44298fc1c14", "text": ""})

    def test_metadata_too_large(self) -> None:
        reader, writer, _ = self.reader_and_writer(metadata_size=64)
        self.assert_library_error(writer.error("setMetadata", {"size": 57}), "MetadataTooLarge")
        self.assert_library_error(writer.error("setMetadata", {"size": 2**64 - 1}), "MetadataTooLarge")
        self.assertEqual(writer.result("setMetadata", {"size": 56}), {"size": 56})

    def test_exactly_one_source(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assertEqual(writer.error("setMetadata", {})["code"], -32602)
        self.assertEqual(writer.error("setMetadata", {"text": "a", "size": 1})["code"], -32602)


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

    def test_checksum_is_of_the_bytes_the_reader_saw(self) -> None:
        reader, writer, name = self.reader_and_writer(metadata_size=0)
        writer.result("writeFrames", {"size": 100})
        seen = bytearray(pattern_bytes(100, 1, 0))
        seen[37] = 0xFF  # never a pattern byte
        with open(f"/dev/shm/{name}", "r+b") as shm:
            shm.seek(128 + 16 + 37)
            shm.write(b"\xff")
        self.assertEqual(reader.result("readFrames")["frames"][0]["checksum"], checksum(bytes(seen)))

    def test_sizes_cycle_and_zero_copy(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        written = writer.result("writeFrames", {"sizes": [1, 200, 3000], "count": 7, "zeroCopy": True, "seed": 3})
        self.assertEqual((written["written"], written["bytes"]), (7, 1 + 200 + 3000 + 1 + 200 + 3000 + 1))
        read = reader.result("readFrames", {"count": 7})
        self.assertEqual([f["size"] for f in read["frames"]], [1, 200, 3000, 1, 200, 3000, 1])
        self.assertTrue(frames_are_pattern(read, 3))

    def test_sizes_without_count_write_one_frame_each(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assertEqual(writer.result("writeFrames", {"sizes": [5, 6]})["written"], 2)

    def test_text_frame(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        writer.result("writeFrames", {"text": "hello", "count": 9, "seed": 4})
        read = reader.result("readFrames")
        self.assertEqual(read["frames"], [{"sequence": 1, "size": 5, "checksum": checksum(b"hello"), "text": "hello"}])

    def test_frames_list_holds_every_frame(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        writer.result("writeFrames", {"size": 8, "count": 100})
        read = reader.result("readFrames", {"count": 100})
        self.assertEqual(read["read"], 100)
        self.assertEqual([f["sequence"] for f in read["frames"]], list(range(1, 101)))

    def test_write_shape_rules(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        for params in ({}, {"size": 1, "text": "x"}, {"sizes": []}, {"sizes": [1, -1]}, {"size": -1}, {"size": 1, "zeroCopy": 1}):
            with self.subTest(params=params):
                self.assertEqual(writer.error("writeFrames", params)["code"], -32602)

    def test_write_errors_carry_progress(self) -> None:
        reader, writer, _ = self.reader_and_writer(payload_size=1024)
        data = self.assert_library_error(writer.error("writeFrames", {"size": 0}), "InvalidFrameSize")
        self.assertEqual((data["written"], data["firstSequence"], data["lastSequence"]), (0, 0, 0))
        self.assert_library_error(writer.error("writeFrames", {"text": ""}), "InvalidFrameSize")
        self.assert_library_error(writer.error("writeFrames", {"size": 2**64 - 1}), "FrameTooLarge")
        self.assert_library_error(writer.error("writeFrames", {"size": 1009}), "FrameTooLarge")
        data = self.assert_library_error(writer.error("writeFrames", {"size": 200, "count": 10, "timeoutMs": 50}), "BufferFull")
        self.assertEqual((data["written"], data["firstSequence"], data["lastSequence"], data["bytes"]), (4, 1, 4, 800))

    def test_read_timeout_carries_progress(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        writer.result("writeFrames", {"size": 10, "count": 2})
        data = self.assert_library_error(reader.error("readFrames", {"count": 3, "timeoutMs": 100}), "Timeout")
        self.assertEqual(
            {k: data[k] for k in ("read", "bytes", "firstSequence", "lastSequence")},
            {"read": 2, "bytes": 20, "firstSequence": 1, "lastSequence": 2},
        )
        self.assertEqual([(f["sequence"], f["size"]) for f in data["frames"]], [(1, 10), (2, 10)]
        )

    def test_hold_and_release(self) -> None:
        reader, writer, _ = self.reader_and_writer(payload_size=1024)
        writer.result("writeFrames", {"size": 200, "count": 4})
        reader.result("readFrames", {"count": 4, "hold": True})
        self.assertEqual(reader.result("status")["held"], 4)
        data = self.assert_library_error(writer.error("writeFrames", {"size": 200, "timeoutMs": 50}), "BufferFull")
        self.assertEqual(data["written"], 0)
        self.assertEqual(reader.result("releaseFrames", {"count": 1}), {"released": 1})
        self.assertEqual(writer.result("writeFrames", {"size": 200, "timeoutMs": 1000})["firstSequence"], 5)
        self.assertEqual(reader.result("releaseFrames"), {"released": 3})
        self.assertEqual(reader.result("status")["held"], 0)

    def test_slow_consumer_delay(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        writer.result("writeFrames", {"size": 10, "count": 3, "delayMs": 20})
        read = reader.result("readFrames", {"count": 3, "delayMs": 30})
        self.assertGreaterEqual(read["elapsedMs"], 85)

    def test_until_writer_gone(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        writer.result("writeFrames", {"size": 10, "count": 3})
        self.assertEqual(writer.result("shutdown"), {})
        self.assertEqual(writer.wait(), 0)
        read = reader.result("readFrames", {"untilWriterGone": True, "timeoutMs": 2000})
        self.assertEqual((read["read"], read["writerGone"]), (3, True))
        data = self.assert_library_error(reader.error("readFrames", {"timeoutMs": 2000}), "WriterDead")
        self.assertEqual(data["read"], 0)

    def test_until_writer_gone_still_times_out(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        self.assert_library_error(reader.error("readFrames", {"untilWriterGone": True, "timeoutMs": 100}), "Timeout")

    def test_killed_writer_ends_a_blocked_read_within_a_second(self) -> None:
        reader, writer, _ = self.reader_and_writer()
        request_id = reader.send("readFrames", {"timeoutMs": 5000})
        time.sleep(0.05)
        start = time.monotonic()
        writer.kill()
        answer = reader.receive()
        self.assertLess(time.monotonic() - start, 1.0)
        self.assertEqual(answer["id"], request_id)
        self.assert_library_error(answer["error"], "WriterDead")

    def test_killed_reader_is_reported_to_the_writer(self) -> None:
        reader, writer, name = self.reader_and_writer(payload_size=1024)
        writer.result("writeFrames", {"size": 500})
        reader.kill()
        self.assert_library_error(writer.error("writeFrames", {"size": 500, "timeoutMs": 5000}, timeout=2.0), "ReaderDead")
        writer.result("close")
        self.serve().result("createReader", {"name": self.buffer_name("sweeper"), "metadataSize": 0, "payloadSize": 64})
        self.assertEqual(dev_shm_entries(name), [])

    def test_writer_restart(self) -> None:
        reader, writer, name = self.reader_and_writer()
        writer.result("writeFrames", {"size": 10, "count": 2})
        self.assertEqual(reader.result("readFrames", {"count": 2})["lastSequence"], 2)
        writer.kill()
        writer2 = self.serve()
        writer2.result("connectWriter", {"name": name})
        writer2.result("writeFrames", {"size": 10, "count": 2})
        read = reader.result("readFrames", {"count": 2})
        self.assertEqual([f["sequence"] for f in read["frames"]], [1, 2])
        self.assertTrue(frames_are_pattern(read))

    def test_sequence_error_carries_both_numbers(self) -> None:
        reader, writer, name = self.reader_and_writer(metadata_size=0, payload_size=1024)
        writer.result("writeFrames", {"size": 10, "count": 2})
        with open(f"/dev/shm/{name}", "r+b") as shm:
            shm.seek(128 + 26 + 8)  # the second frame's sequence field
            shm.write(struct.pack("<Q", 99))
        data = self.assert_library_error(reader.error("readFrames", {"count": 2}), "SequenceError")
        self.assertEqual((data["expected"], data["actual"], data["read"], data["lastSequence"]), (2, 99, 1, 1))

    def test_corrupt_header(self) -> None:
        reader, writer, name = self.reader_and_writer(metadata_size=0, payload_size=1024)
        writer.result("writeFrames", {"size": 10})
        with open(f"/dev/shm/{name}", "r+b") as shm:
            shm.seek(128)
            shm.write(struct.pack("<Q", 5000))
        self.assert_library_error(reader.error("readFrames", {}), "Corrupt")


class BadInputTest(ServeTestCase):
    def expect(self, serve: Serve, line: bytes, code: int, request_id: Any = None) -> None:
        serve.send_raw(line + b"\n")
        answer = serve.receive()
        self.assertEqual(answer["error"]["code"], code, answer)
        self.assertEqual(answer["id"], request_id)

    def test_malformed_lines_get_errors_and_the_serve_goes_on(self) -> None:
        serve = self.serve()
        self.expect(serve, b"this is not json", -32700)
        self.expect(serve, b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"hello\"", -32700)
        self.expect(serve, b"\xff\xfe{}", -32700)
        self.expect(serve, b"[" * 100 + b"]" * 100, -32700)
        self.expect(serve, b"[" * 100000 + b"]" * 100000, -32700)
        self.expect(serve, b"NaN", -32700)
        self.expect(serve, b"[1, 2]", -32600)
        self.expect(serve, b"42", -32600)
        self.expect(serve, b'{"jsonrpc": "1.0", "id": 3, "method": "hello"}', -32600, 3)
        self.expect(serve, b'{"jsonrpc": "2.0", "id": true, "method": "hello"}', -32600)
        self.expect(serve, b'{"jsonrpc": "2.0", "id": 4, "method": 7}', -32600, 4)
        self.expect(serve, b'{"jsonrpc": "2.0", "id": 5}', -32600, 5)
        self.expect(serve, b'{"jsonrpc": "2.0", "id": "six", "method": "fly"}', -32601, "six")
        self.expect(serve, b'{"jsonrpc": "2.0", "id": 7, "method": "hello", "params": [1]}', -32602, 7)
        self.assertEqual(serve.result("hello")["implementation"], "python")

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
