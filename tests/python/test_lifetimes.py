"""Lifetimes: frames whose bytes are still viewed, objects inherited by a forked child, the
order of the writer's stores, and a writer's connect racing its predecessor (docs/protocol.md
§4.1 and §5, docs/python.md)."""

from __future__ import annotations

import gc
import os
import pickle
import unittest
from unittest import mock

from zb_support import BufferTestCase, dev_shm_entries

import zerobuffer as zb
from zerobuffer import _oieb, _posix, _writer

try:
    import numpy
except ImportError:  # optional: the port itself never needs it
    numpy = None


class ExportedFrameTest(BufferTestCase):
    """A frame's space comes back only when no view of its bytes is left."""

    def test_exported_view_keeps_the_space_until_the_export_is_gone(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"\x01" * 100)
            frame = reader.read_frame(1.0)
            export = pickle.PickleBuffer(frame.data)  # holds a buffer export, like numpy.frombuffer
            frame.release()
            self.assertTrue(frame.is_released)
            self.assertEqual(reader.oieb.payload_free_bytes, 256 - 116)
            writer.write_frame(b"\x02" * 124)  # T = 140: the rest of the ring
            with self.assertRaises(zb.BufferFullException):
                writer.write_frame(b"\x03" * 100, timeout=0.05)
            self.assertEqual(bytes(export.raw()), b"\x01" * 100)
            del export
            self.assertEqual(reader.oieb.payload_free_bytes, 116)
            writer.write_frame(b"\x03" * 100, timeout=0.5)

    def test_slice_taken_before_release_keeps_the_space(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"\x01" * 100)
            frame = reader.read_frame(1.0)
            head = frame.data[:10]
            frame.release()
            self.assertEqual(reader.oieb.payload_free_bytes, 256 - 116)
            self.assertEqual(bytes(head), b"\x01" * 10)
            del head
            self.assertEqual(reader.oieb.payload_free_bytes, 256)

    def test_exported_frame_still_returns_in_ring_order(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 512)) as reader, zb.Writer(name) as writer:
            for _ in range(2):
                writer.write_frame(bytes(84))  # T = 100 each
            first, second = reader.read_frame(1.0), reader.read_frame(1.0)
            export = pickle.PickleBuffer(first.data)
            first.release()
            second.release()
            self.assertEqual(reader.oieb.payload_free_bytes, 312)  # both wait for the export
            del export
            self.assertEqual(reader.oieb.payload_free_bytes, 512)

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_array_over_a_frame_is_never_overwritten(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"\x01" * 100)
            with reader.read_frame(1.0) as frame:
                array = numpy.frombuffer(frame.data, dtype=numpy.uint8)
            writer.write_frame(b"\x02" * 124)  # T = 140: the rest of the ring
            with self.assertRaises(zb.BufferFullException):
                writer.write_frame(b"\x03" * 100, timeout=0.05)
            self.assertTrue((array == 1).all())
            del array
            self.assertEqual(reader.oieb.payload_free_bytes, 116)


def run_in_child(body) -> int:  # type: ignore[no-untyped-def]
    """Forks; the child runs ``body`` (its return value is the exit code) and leaves with os._exit."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            code = body()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def oieb_state(reader: zb.Reader) -> tuple[int, ...]:
    o = reader.oieb
    return (o.reader_pid, o.writer_pid, o.payload_free_bytes, o.payload_read_pos, o.payload_read_count,
            o.payload_write_pos, o.payload_written_count)


class ForkTest(BufferTestCase):
    """Objects inherited through fork() are copies: the child cannot harm the parent's buffer."""

    def test_child_dropping_inherited_objects_leaves_the_buffer_intact(self) -> None:
        name = self.buffer_name()
        holder = {"reader": zb.Reader(name, zb.BufferConfig(0, 1024))}
        reader = holder["reader"]
        holder["writer"] = zb.Writer(name)
        holder["writer"].write_frame(bytes(100))
        holder["writer"].write_frame(bytes(200))
        holder["first"] = reader.read_frame(1.0)
        holder["second"] = reader.read_frame(1.0)
        before = oieb_state(reader)
        self.assertEqual(before[2], 1024 - 116 - 216)

        def child() -> int:
            for key in ("first", "second", "writer", "reader"):
                obj = holder.pop(key)
                obj.release() if key in ("first", "second") else obj.close()
                del obj
            gc.collect()
            return 0

        del reader
        self.assertEqual(run_in_child(child), 0)
        reader = holder["reader"]
        self.assertEqual(dev_shm_entries(name), sorted([name, f"sem.sem-r-{name}", f"sem.sem-w-{name}"]))
        self.assertTrue(os.path.exists(os.path.join(self.lock_dir, f"{name}.lock")))
        self.assertEqual(oieb_state(reader), before)
        with self.assertRaises(zb.ReaderAlreadyConnectedException):
            zb.Reader(name, zb.BufferConfig(0, 1024))
        holder.pop("first").release()
        holder.pop("second").release()
        self.assertEqual(reader.oieb.payload_free_bytes, 1024)
        holder["writer"].write_frame(b"after")
        with reader.read_frame(1.0) as frame:
            self.assertEqual(bytes(frame.data), b"after")
        holder.pop("writer").close()
        holder.pop("reader").close()

    def test_child_cannot_read_or_write_through_inherited_objects(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"one")
            before = oieb_state(reader)

            def child() -> int:
                try:
                    reader.read_frame(0.0)
                    return 10
                except zb.InvalidStateException:
                    pass
                try:
                    writer.write_frame(b"two")
                    return 11
                except zb.InvalidStateException:
                    pass
                return 0

            self.assertEqual(run_in_child(child), 0)
            self.assertEqual(oieb_state(reader), before)
            with reader.read_frame(1.0) as frame:
                self.assertEqual(frame.sequence, 1)


CRASHED = 86


def _crash(*_args: object) -> None:
    os._exit(CRASHED)


def arm_crash(step: str) -> None:
    """In a child about to die: the next store of ``step`` of the write path ends the process.

    The steps are the stores of docs/protocol.md §4.1 step 6, in the order the rule requires;
    each crash point is "just before the named store".
    """
    view = _oieb.OIEBView
    if step == "before-reserve":
        view.subtract_payload_free_bytes = _crash  # type: ignore[method-assign]
    elif step == "after-reserve":
        view.payload_write_pos = property(view.payload_write_pos.fget, _crash)  # type: ignore[assignment]
    elif step == "after-advance":
        view.payload_written_count = property(view.payload_written_count.fget, _crash)  # type: ignore[assignment]
    elif step == "after-publish":
        _posix.Semaphore.post = _crash  # type: ignore[method-assign]


def pattern(size: int, sequence: int) -> bytes:
    return bytes((i + 7 * sequence) % 251 for i in range(size))


class CrashWindowTest(BufferTestCase):
    """A writer killed at any store of the write path leaves a buffer its successor can use."""

    RING = 1024
    # (name, frame written and released before, the frame being written when the writer dies)
    LAYOUTS = (("plain", 0, 100), ("marker", 600, 500), ("short-tail", 1000, 100))
    # (step, the reader gets the last frame)
    STEPS = (("before-reserve", False), ("after-reserve", False), ("after-advance", False), ("after-publish", True))

    def test_successor_writes_every_frame_once_and_space_is_never_over_counted(self) -> None:
        for step, published in self.STEPS:
            for layout, before, last in self.LAYOUTS:
                with self.subTest(step=step, layout=layout):
                    self._crash_and_continue(step, published, before, last)

    def _crash_and_continue(self, step: str, published: bool, before: int, last: int) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, self.RING)) as reader:

            def child() -> int:
                writer = zb.Writer(name)
                sizes = ([before] if before else []) + [last]
                for sequence, size in enumerate(sizes, 1):
                    if sequence == len(sizes):
                        arm_crash(step)
                    writer.write_frame(pattern(size, sequence))
                return 0  # the crash point was never reached

            pid = os.fork()
            if pid == 0:
                code = 99
                try:
                    code = child()
                finally:
                    os._exit(code)
            if before:
                with reader.read_frame(5.0) as first:
                    self.assertEqual(bytes(first.data), pattern(before, 1))
            _, status = os.waitpid(pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status), CRASHED, "the crash point was not reached")

            try:
                leftover = reader.read_frame(0.3)
            except zb.WriterDeadException:
                leftover = None
            self.assertEqual(leftover is not None, published)
            if leftover is not None:
                self.assertEqual(bytes(leftover.data), pattern(last, 2 if before else 1))
                leftover.release()

            # The successor's frames arrive at once, in order, intact. A frame killed after its
            # reserve leaks nothing: the reader took its bytes back when it found the writer dead
            # with the ring empty (rule read.reclaim-leak).
            with zb.Writer(name, write_timeout=1.0) as successor:
                for sequence in range(1, 9):
                    successor.write_frame(pattern(60, sequence))
                    frame = reader.read_frame(1.0)
                    self.assertIsNotNone(frame, f"frame {sequence}")
                    with frame:
                        self.assertEqual(frame.sequence, sequence)
                        self.assertEqual(bytes(frame.data), pattern(60, sequence))
                oieb = reader.oieb
                self.assertEqual(oieb.payload_written_count, oieb.payload_read_count)
                self.assertEqual(oieb.payload_free_bytes, self.RING)


class ClaimRaceTest(BufferTestCase):
    """A writer takes the ring state only after its claim of writer_pid (rule
    connect.snapshot-after-claim): what its predecessor wrote until the claim is kept."""

    RING = 1024

    def test_frames_the_predecessor_writes_until_the_claim_are_kept(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, self.RING)) as reader:
            predecessor = zb.Writer(name)
            predecessor.write_frame(pattern(100, 1))
            take_lock = _writer._take_writer_lock
            paused = []

            def predecessor_writes_more_then_claim(*args: object) -> object:
                # The successor has checked the buffer and is about to take the writer lock and
                # claim writer_pid (the predecessor holds both until it closes).
                paused.append(True)
                predecessor.write_frame(pattern(200, 2))
                predecessor.write_frame(pattern(300, 3))
                predecessor.close()  # writer_pid back to 0, lock free: the claim succeeds
                return take_lock(*args)

            with mock.patch.object(_writer, "_take_writer_lock", predecessor_writes_more_then_claim):
                successor = zb.Writer(name)
            self.assertEqual(paused, [True])
            with successor:
                successor.write_frame(pattern(60, 1))

            for size, sequence in ((100, 1), (200, 2), (300, 3), (60, 1)):
                frame = reader.read_frame(1.0)
                self.assertIsNotNone(frame, f"frame of {size} bytes")
                with frame:
                    self.assertEqual((frame.size, frame.sequence), (size, sequence))
                    self.assertEqual(bytes(frame.data), pattern(size, sequence))
            with self.assertRaises(zb.WriterDeadException):
                reader.read_frame(0.3)
            oieb = reader.oieb
            self.assertEqual(oieb.payload_written_count, oieb.payload_read_count)
            self.assertEqual(oieb.payload_free_bytes, self.RING)


if __name__ == "__main__":
    unittest.main()
