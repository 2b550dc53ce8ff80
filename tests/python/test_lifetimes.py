"""Lifetimes: frames whose bytes are still viewed, objects inherited by a forked child, and the
order of the writer's stores (docs/protocol.md §4.1 and §5, docs/python.md)."""

from __future__ import annotations

import gc
import os
import pickle
import unittest

from zb_support import BufferTestCase, dev_shm_entries

import zerobuffer as zb

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


if __name__ == "__main__":
    unittest.main()
