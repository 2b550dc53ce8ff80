"""Reader and writer in different processes: crashes, refusals, replacement, stale cleanup."""

from __future__ import annotations

import os
import threading
import time
import unittest

from zb_support import BufferTestCase, dev_shm_entries

import zerobuffer as zb
from zerobuffer_serve.pattern import pattern


class WriterProcessTest(BufferTestCase):
    def test_frames_from_another_process_arrive_intact(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 64 * 1024)) as reader:
            writer = self.start_peer("writer", name)
            self.assertTrue(reader.is_writer_connected())
            writer.send("write 50 3000")
            for sequence in range(1, 51):
                with reader.read_frame(2.0) as frame:
                    self.assertEqual(frame.sequence, sequence)
                    self.assertEqual(bytes(frame.data), bytes(pattern(frame.size, sequence)))
            self.assertEqual(writer.read_line(5.0), "ok 1 50")

    def test_killed_writer_is_reported_within_a_second(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            writer = self.start_peer("writer", name)
            threading.Timer(0.1, writer.kill).start()
            start = time.monotonic()
            with self.assertRaises(zb.WriterDeadException):
                reader.read_frame(5.0)
            self.assertLess(time.monotonic() - start, 1.0)

    def test_frames_of_a_killed_writer_are_read_before_writer_dead(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            writer = self.start_peer("writer", name)
            writer.send("write 3 10")
            self.assertEqual(writer.read_line(5.0), "ok 1 3")
            writer.kill()
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(3)], [1, 2, 3])
            with self.assertRaises(zb.WriterDeadException):
                reader.read_frame(1.0)

    def test_second_writer_process_is_refused(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name) as reader, zb.Writer(name):
            second = self.launch_peer("writer", name, "0")
            self.assertTrue(second.ready_line.startswith("error WriterAlreadyConnected"), second.ready_line)
            self.assertEqual(second.wait(), 1)
            self.assertEqual(reader.oieb.writer_pid, os.getpid())

    def test_writer_restart_in_a_new_process_restarts_the_sequence(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            first = self.start_peer("writer", name)
            first.send("write 2 10")
            self.assertEqual(first.read_line(5.0), "ok 1 2")
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(2)], [1, 2])
            first.send("close")
            self.assertEqual(first.read_line(5.0), "closed")
            second = self.start_peer("writer", name)
            second.send("write 2 10")
            self.assertEqual(second.read_line(5.0), "ok 1 2")
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(2)], [1, 2])

    def test_writer_replacing_a_killed_writer_restarts_the_sequence(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            first = self.start_peer("writer", name)
            first.send("write 2 10")
            self.assertEqual(first.read_line(5.0), "ok 1 2")
            self.assertEqual(reader.read_frame(1.0).sequence, 1)
            first.kill()
            second = self.start_peer("writer", name)
            second.send("write 1 10")
            self.assertEqual(second.read_line(5.0), "ok 1 1")
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(2)], [2, 1])


class ReaderProcessTest(BufferTestCase):
    def test_frames_to_another_process_arrive_intact(self) -> None:
        name = self.buffer_name()
        reader = self.start_peer("reader", name, str(256 * 1024), "64")
        with zb.Writer(name) as writer:
            writer.set_metadata(b"meta")
            for sequence in range(1, 21):
                writer.write_frame(pattern(5000, sequence))
            reader.send("read 20 2")
            self.assertEqual(reader.read_line(5.0), "ok " + ",".join(str(n) for n in range(1, 21)))

    def test_writer_learns_of_a_killed_reader_while_waiting(self) -> None:
        name = self.buffer_name()
        reader = self.start_peer("reader", name, "128")
        with zb.Writer(name) as writer:
            writer.write_frame(bytes(100))
            threading.Timer(0.1, reader.kill).start()
            start = time.monotonic()
            with self.assertRaises(zb.ReaderDeadException):
                writer.write_frame(bytes(100), timeout=5.0)
            self.assertLess(time.monotonic() - start, 1.0)
        self.remove_leftovers(name)

    def test_writer_learns_of_a_killed_reader_without_waiting(self) -> None:
        name = self.buffer_name()
        reader = self.start_peer("reader", name, "1048576")
        with zb.Writer(name) as writer:
            reader.kill()
            start = time.monotonic()
            with self.assertRaises(zb.ReaderDeadException):
                while time.monotonic() - start < 2.0:
                    writer.write_frame(b"x")
            self.assertLess(time.monotonic() - start, 0.5)
        self.remove_leftovers(name)

    def test_writer_learns_of_a_closed_reader(self) -> None:
        name = self.buffer_name()
        reader = self.start_peer("reader", name, "4096")
        with zb.Writer(name) as writer:
            reader.send("close")
            self.assertEqual(reader.read_line(5.0), "closed")
            with self.assertRaises(zb.ReaderDeadException):
                writer.write_frame(b"x")
        self.assertEqual(dev_shm_entries(name), [])

    def test_second_reader_process_is_refused(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name):
            second = self.launch_peer("reader", name, "4096")
            self.assertTrue(second.ready_line.startswith("error ReaderAlreadyConnected"), second.ready_line)
            self.assertEqual(second.wait(), 1)
            self.assertEqual(len(dev_shm_entries(name)), 3)

    def test_killed_reader_is_replaced_while_its_writer_lives(self) -> None:
        name = self.buffer_name()
        old_reader = self.start_peer("reader", name, "4096")
        writer = self.start_peer("writer", name)
        old_reader.kill()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            # The writer still maps the old buffer; it notices within its 100 ms re-check.
            start = time.monotonic()
            answer = ""
            while not answer.startswith("error") and time.monotonic() - start < 2.0:
                writer.send("write 1 10")
                answer = writer.read_line(5.0)
            self.assertTrue(answer.startswith("error ReaderDead"), answer)
            new_writer = self.start_peer("writer", name)
            new_writer.send("write 2 10")
            self.assertEqual(new_writer.read_line(5.0), "ok 1 2")
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(2)], [1, 2])

    def test_killed_readers_leftovers_are_cleaned_by_the_next_reader(self) -> None:
        stale = self.buffer_name("stale")
        old_reader = self.start_peer("reader", stale, "4096")
        old_reader.kill()
        self.assertEqual(len(dev_shm_entries(stale)), 3)
        self.assertTrue(os.path.exists(os.path.join(self.lock_dir, f"{stale}.lock")))
        with zb.Reader(self.buffer_name("fresh")):
            self.assertEqual(dev_shm_entries(stale), [])
            self.assertFalse(os.path.exists(os.path.join(self.lock_dir, f"{stale}.lock")))

    def remove_leftovers(self, name: str) -> None:
        """A killed reader leaves its objects; the next reader of the lock directory removes them."""
        with zb.Reader(self.buffer_name("sweeper")):
            pass
        self.assertEqual(dev_shm_entries(name), [])


if __name__ == "__main__":
    unittest.main()
