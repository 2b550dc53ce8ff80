"""The role logic of the serve: one Reader or Writer, its held frames, and every method."""

from __future__ import annotations

import dataclasses
import os
import time
from collections import deque
from typing import Any, Callable, Optional

import zerobuffer as zb

from . import SERVE_PROTOCOL
from .params import U32_MAX, Params
from .checksum import checksum
from .pattern import pattern

IMPLEMENTATION = "python"
CAPABILITIES = ["zeroCopyWrite", "holdFrames", "writerRestart", "createMode"]
MAX_TEXT_FRAME = 1024  # frames up to this size also report their bytes as text when valid UTF-8


class MethodError(Exception):
    """A -32000 error: ``data`` holds kind, message and any extra keys."""

    def __init__(self, kind: str, message: str, extra: Optional[dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.data: dict[str, Any] = {"kind": kind, "message": message}
        if extra:
            self.data.update(extra)


def library_error(exc: BaseException, progress: Optional[dict[str, Any]] = None) -> MethodError:
    """Maps a library exception (or any other failure) onto a serve error kind."""
    extra = dict(progress or {})
    if isinstance(exc, zb.ZeroBufferException):
        if isinstance(exc, zb.SequenceError):
            extra["expected"] = exc.expected
            extra["actual"] = exc.actual
        return MethodError(exc.kind, exc.message or exc.kind, extra)
    message = str(exc) or type(exc).__name__
    return MethodError("Internal", f"{type(exc).__name__}: {message}", extra)


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)


def _utf8(data: memoryview) -> Optional[str]:
    try:
        return data.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


class Session:
    """Holds at most one role (none, reader or writer) and performs the serve methods."""

    def __init__(self) -> None:
        self.reader: Optional[zb.Reader] = None
        self.writer: Optional[zb.Writer] = None
        self.held: deque[zb.Frame] = deque()
        self.methods: dict[str, Callable[[Params], dict[str, Any]]] = {
            "hello": self.hello,
            "createReader": self.create_reader,
            "connectWriter": self.connect_writer,
            "setMetadata": self.set_metadata,
            "getMetadata": self.get_metadata,
            "writeFrames": self.write_frames,
            "readFrames": self.read_frames,
            "releaseFrames": self.release_frames,
            "status": self.status,
            "close": self.close,
            "shutdown": self.close,
        }

    # -- role helpers ------------------------------------------------------------------------

    @property
    def role(self) -> str:
        if self.reader is not None:
            return "reader"
        if self.writer is not None:
            return "writer"
        return "none"

    def _require_no_role(self, method: str) -> None:
        if self.role != "none":
            raise MethodError("InvalidState", f"{method}: this serve already holds the {self.role} role; close it first")

    def _require_reader(self, method: str) -> zb.Reader:
        if self.reader is None:
            raise MethodError("InvalidState", f"{method} needs the reader role (current role: {self.role})")
        return self.reader

    def _require_writer(self, method: str) -> zb.Writer:
        if self.writer is None:
            raise MethodError("InvalidState", f"{method} needs the writer role (current role: {self.role})")
        return self.writer

    # -- methods -----------------------------------------------------------------------------

    def hello(self, params: Params) -> dict[str, Any]:
        return {
            "implementation": IMPLEMENTATION,
            "library": f"zerobuffer-python {zb.__version__}",
            "wireVersion": zb.PROTOCOL_VERSION,
            "serveProtocol": SERVE_PROTOCOL,
            "pid": os.getpid(),
            "capabilities": list(CAPABILITIES),
        }

    def create_reader(self, params: Params) -> dict[str, Any]:
        name = params.string("name")
        metadata_size = params.size("metadataSize")
        payload_size = params.size("payloadSize")
        mode = params.optional_size("mode", maximum=U32_MAX)
        self._require_no_role("createReader")
        config = zb.BufferConfig(metadata_size, payload_size)  # with the library's default mode
        if mode is not None:
            config = dataclasses.replace(config, mode=mode)
        try:
            reader = zb.Reader(name, config)
        except Exception as exc:
            raise library_error(exc) from None
        self.reader = reader
        return {
            "metadataSize": reader.metadata_size,
            "payloadSize": reader.payload_size,
            "mode": reader.mode,
            "pid": os.getpid(),
        }

    def connect_writer(self, params: Params) -> dict[str, Any]:
        name = params.string("name")
        timeout_ms = params.duration_ms("timeoutMs", 0)
        self._require_no_role("connectWriter")
        try:
            # The library decides which failures are worth a retry within the budget.
            self.writer = zb.Writer(name, connect_timeout=timeout_ms / 1000.0)
        except Exception as exc:
            raise library_error(exc) from None
        return {"pid": os.getpid()}

    def set_metadata(self, params: Params) -> dict[str, Any]:
        which = params.exactly_one_of("text", "size")
        text = params.string("text") if which == "text" else None
        size = params.size("size") if which == "size" else 0
        seed = params.seed()
        writer = self._require_writer("setMetadata")
        try:
            if text is not None:
                data = text.encode("utf-8")
                writer.set_metadata(data)
                return {"size": len(data)}
            # Reserve first: an impossible size fails before any pattern is built.
            target = writer.get_metadata_buffer(size)
            target[:] = pattern(size, 0, seed)
            writer.commit_metadata()
            return {"size": size}
        except Exception as exc:
            raise library_error(exc) from None

    def get_metadata(self, params: Params) -> dict[str, Any]:
        reader = self._require_reader("getMetadata")
        try:
            data = reader.get_metadata()
        except Exception as exc:
            raise library_error(exc) from None
        result: dict[str, Any] = {"size": len(data), "checksum": checksum(data)}
        text = _utf8(data)
        if text is not None:
            result["text"] = text
        data.release()
        return result

    def write_frames(self, params: Params) -> dict[str, Any]:
        which = params.exactly_one_of("size", "sizes", "text")
        text = params.string("text") if which == "text" else None
        sizes = params.size_list("sizes") if which == "sizes" else [params.size("size")] if which == "size" else []
        count = params.size("count", len(sizes) if which == "sizes" else 1)
        seed = params.seed()
        zero_copy = params.boolean("zeroCopy", False)
        delay = params.duration_ms("delayMs", 0) / 1000.0
        timeout = params.duration_ms("timeoutMs", 5000) / 1000.0
        writer = self._require_writer("writeFrames")

        progress = {"written": 0, "firstSequence": 0, "lastSequence": 0, "bytes": 0}
        start = time.perf_counter()
        try:
            if text is not None:
                data = text.encode("utf-8")
                self._write_one(writer, len(data), lambda _sequence: data, zero_copy, timeout, progress)
            else:
                for index in range(count):
                    if index and delay:
                        time.sleep(delay)
                    size = sizes[index % len(sizes)]
                    self._write_one(writer, size, lambda sequence: pattern(size, sequence, seed), zero_copy, timeout, progress)
        except Exception as exc:
            raise library_error(exc, progress) from None
        return {**progress, "elapsedMs": _elapsed_ms(start)}

    @staticmethod
    def _write_one(
        writer: zb.Writer,
        size: int,
        content: Callable[[int], Any],
        zero_copy: bool,
        timeout: float,
        progress: dict[str, Any],
    ) -> None:
        sequence = writer.next_sequence
        if zero_copy or size > writer.payload_size:
            # The zero-copy path also turns an impossible size into the library's own error
            # before any pattern of that size would be built.
            target = writer.get_frame_buffer(size, timeout)
            target[:] = content(sequence)
            sequence = writer.commit_frame()
        else:
            sequence = writer.write_frame(content(sequence), timeout)
        progress["written"] += 1
        progress["bytes"] += size
        progress["lastSequence"] = sequence
        if progress["firstSequence"] == 0:
            progress["firstSequence"] = sequence

    def read_frames(self, params: Params) -> dict[str, Any]:
        count = params.size("count", 1)
        timeout_ms = params.duration_ms("timeoutMs", 5000)
        delay = params.duration_ms("delayMs", 0) / 1000.0
        hold = params.boolean("hold", False)
        until_writer_gone = params.boolean("untilWriterGone", False)
        reader = self._require_reader("readFrames")
        if hold and "holdFrames" not in CAPABILITIES:
            raise MethodError("InvalidState", "hold needs the holdFrames capability")

        listed: list[dict[str, Any]] = []
        progress: dict[str, Any] = {"read": 0, "bytes": 0, "firstSequence": 0, "lastSequence": 0, "frames": listed}
        writer_gone = False
        start = time.perf_counter()
        try:
            while until_writer_gone or progress["read"] < count:
                try:
                    frame = reader.read_frame(timeout_ms / 1000.0)
                except zb.WriterDeadException:
                    if not until_writer_gone:
                        raise
                    writer_gone = True
                    break
                if frame is None:
                    raise zb.TimeoutException(f"no frame within {timeout_ms} ms")
                self._account(frame, progress, listed)
                if delay:
                    time.sleep(delay)
                if hold:
                    self.held.append(frame)
                else:
                    frame.release()
        except Exception as exc:
            raise library_error(exc, progress) from None
        result = {**progress, "elapsedMs": _elapsed_ms(start)}
        if writer_gone:
            result["writerGone"] = True
        return result

    @staticmethod
    def _account(frame: zb.Frame, progress: dict[str, Any], listed: list[dict[str, Any]]) -> None:
        """Reports what the reader got; judging it is the client's business."""
        sequence = frame.sequence
        entry: dict[str, Any] = {"sequence": sequence, "size": frame.size, "checksum": checksum(frame.data)}
        if frame.size <= MAX_TEXT_FRAME:
            text = _utf8(frame.data)
            if text is not None:
                entry["text"] = text
        if progress["read"] == 0:
            progress["firstSequence"] = sequence
        progress["lastSequence"] = sequence
        progress["read"] += 1
        progress["bytes"] += frame.size
        listed.append(entry)

    def release_frames(self, params: Params) -> dict[str, Any]:
        count = params.optional_size("count")
        released = 0
        while self.held and (count is None or released < count):
            self.held.popleft().release()
            released += 1
        return {"released": released}

    def status(self, params: Params) -> dict[str, Any]:
        result: dict[str, Any] = {"role": self.role, "name": None, "peerConnected": False, "held": len(self.held)}
        try:
            if self.reader is not None:
                result.update(
                    name=self.reader.name,
                    framesRead=self.reader.frames_read,
                    bytesRead=self.reader.bytes_read,
                    peerConnected=self.reader.is_writer_connected(),
                )
            elif self.writer is not None:
                result.update(
                    name=self.writer.name,
                    framesWritten=self.writer.frames_written,
                    bytesWritten=self.writer.bytes_written,
                    peerConnected=self.writer.is_reader_connected(),
                )
        except Exception as exc:
            raise library_error(exc) from None
        return result

    def close(self, params: Optional[Params] = None) -> dict[str, Any]:
        """Releases held frames and closes the role gracefully."""
        while self.held:
            self.held.popleft().release()
        if self.reader is not None:
            reader, self.reader = self.reader, None
            reader.close()
        if self.writer is not None:
            writer, self.writer = self.writer, None
            writer.close()
        return {}

