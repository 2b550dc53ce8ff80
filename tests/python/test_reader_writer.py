"""Reader and Writer in one process: each rule of the wire protocol, one behaviour per test."""

from __future__ import annotations

import array
import math
import os
import stat
import struct
import threading
import time
import unittest
from unittest import mock

from zb_support import BufferTestCase, dead_pid, dev_shm_entries

import zerobuffer as zb
from zerobuffer import _oieb, _posix, _reader


def shm_bytes(name: str) -> bytes:
    with open(f"/dev/shm/{name}", "rb") as shm:
        return shm.read()


def patch_shm(name: str, offset: int, data: bytes) -> None:
    with open(f"/dev/shm/{name}", "r+b") as shm:
        shm.seek(offset)
        shm.write(data)


def fabricate_buffer(name: str, reader_pid: int, writer_pid: int = 0, with_semaphores: bool = True) -> None:
    """Leftovers of a buffer as a crashed process would leave them."""
    block = bytearray(128 + 64)
    struct.pack_into("<I4B", block, 0, 128, 1, 0, 0, 0)
    struct.pack_into("<QQQQQ", block, 8, 0, 0, 0, 64, 64)
    struct.pack_into("<QQ", block, 0x50, writer_pid, reader_pid)
    with open(f"/dev/shm/{name}", "wb") as shm:
        shm.write(block)
    if with_semaphores:
        for prefix in ("/sem-w-", "/sem-r-"):
            _posix.Semaphore.create(prefix + name, 0o600).close()


class NameTest(BufferTestCase):
    def test_valid_names_are_accepted(self) -> None:
        for name in ("a", "A-z_0.9", "x" * 200, "-start", "_start"):
            self.assertTrue(zb.is_valid_name(name), name)

    def test_invalid_names_are_rejected_before_any_os_call(self) -> None:
        for name in ("", ".hidden", "a/b", "x" * 201, "caf\u00e9", "a b", "semi;colon", 42, None):
            with self.subTest(name=name):
                with self.assertRaises(zb.InvalidNameException) as caught:
                    zb.Reader(name)  # type: ignore[arg-type]
                self.assertEqual(caught.exception.kind, "InvalidName")
                with self.assertRaises(zb.InvalidNameException):
                    zb.Writer(name)  # type: ignore[arg-type]
        self.assertEqual(os.listdir(self.lock_dir), [])


class ConfigTest(BufferTestCase):
    def test_sizes_are_rounded_up_to_64(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(metadata_size=1, payload_size=65)) as reader:
            self.assertEqual((reader.metadata_size, reader.payload_size), (64, 128))
            self.assertEqual(os.stat(f"/dev/shm/{name}").st_size, 128 + 64 + 128)

    def test_metadata_size_zero_is_allowed(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(metadata_size=0, payload_size=64)) as reader:
            self.assertEqual(reader.metadata_size, 0)

    def test_payload_size_zero_is_refused(self) -> None:
        with self.assertRaises(zb.InvalidFrameSizeException):
            zb.Reader(self.buffer_name(), zb.BufferConfig(payload_size=0))

    def test_negative_sizes_are_refused(self) -> None:
        with self.assertRaises(zb.InvalidFrameSizeException):
            zb.Reader(self.buffer_name(), zb.BufferConfig(metadata_size=-1))
        with self.assertRaises(zb.InvalidFrameSizeException):
            zb.Reader(self.buffer_name(), zb.BufferConfig(payload_size=-64))

    def test_overflowing_sizes_are_refused(self) -> None:
        with self.assertRaises(zb.InvalidFrameSizeException):
            zb.Reader(self.buffer_name(), zb.BufferConfig(metadata_size=2**64 - 1, payload_size=64))

    def test_more_than_dev_shm_holds_is_a_clear_error_and_leaves_nothing(self) -> None:
        name = self.buffer_name()
        with self.assertRaises(zb.InternalException) as caught:
            zb.Reader(name, zb.BufferConfig(payload_size=2**50))
        self.assertIn("/dev/shm", str(caught.exception))
        self.assertEqual(dev_shm_entries(name), [])
        self.assertEqual(os.listdir(self.lock_dir), [])

    def test_default_mode_is_0600_whatever_the_umask(self) -> None:
        name = self.buffer_name()
        old_umask = os.umask(0)
        try:
            with zb.Reader(name):
                self.assert_modes(name, 0o600)
        finally:
            os.umask(old_umask)

    def test_mode_is_applied_exactly_despite_umask(self) -> None:
        name = self.buffer_name()
        old_umask = os.umask(0o077)
        try:
            with zb.Reader(name, zb.BufferConfig(mode=0o660)) as reader:
                self.assertEqual(reader.mode, 0o660)
                self.assert_modes(name, 0o660)
        finally:
            os.umask(old_umask)

    def test_mode_outside_permission_bits_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            zb.Reader(self.buffer_name(), zb.BufferConfig(mode=0o4777))

    def test_spin_must_be_a_number_of_seconds_from_zero_to_an_hour(self) -> None:
        for bad, error in ((-1e-6, ValueError), (math.inf, ValueError), (math.nan, ValueError), ("1", TypeError)):
            with self.subTest(spin=bad):
                with self.assertRaises(error):
                    zb.Reader(self.buffer_name(), zb.BufferConfig(spin=bad))  # type: ignore[arg-type]
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(spin=0)):
            with self.assertRaises(ValueError):
                zb.Writer(name, spin=-1)
            with self.assertRaises(TypeError):
                zb.Writer(name, spin=True)

    def assert_modes(self, name: str, mode: int) -> None:
        for path in (
            f"/dev/shm/{name}",
            f"/dev/shm/sem.sem-w-{name}",
            f"/dev/shm/sem.sem-r-{name}",
            os.path.join(self.lock_dir, f"{name}.lock"),
        ):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), mode, path)

    def test_lock_directory_comes_from_the_environment_and_is_created_1777(self) -> None:
        directory = os.path.join(self.lock_dir, "nested")
        os.environ["ZEROBUFFER_LOCK_DIR"] = directory
        name = self.buffer_name()
        try:
            with zb.Reader(name):
                self.assertTrue(os.path.exists(os.path.join(directory, f"{name}.lock")))
                self.assertEqual(stat.S_IMODE(os.stat(directory).st_mode), 0o1777)
            self.assertEqual(os.listdir(directory), [])
        finally:
            os.environ["ZEROBUFFER_LOCK_DIR"] = self.lock_dir
            os.rmdir(directory)


class RoundTripTest(BufferTestCase):
    def test_frames_arrive_in_order_with_sequence_numbers(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader, zb.Writer(name) as writer:
            for index in range(1, 6):
                self.assertEqual(writer.write_frame(bytes([index]) * index * 10), index)
            for index in range(1, 6):
                with reader.read_frame(1.0) as frame:
                    self.assertEqual(frame.sequence, index)
                    self.assertEqual(frame.size, index * 10)
                    self.assertEqual(bytes(frame.data), bytes([index]) * index * 10)
            self.assertEqual((reader.frames_read, reader.bytes_read), (5, 150))
            self.assertEqual((writer.frames_written, writer.bytes_written), (5, 150))

    def test_frame_data_is_a_read_only_view_of_shared_memory(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"hello")
            frame = reader.read_frame(1.0)
            self.assertIsInstance(frame.data, memoryview)
            self.assertTrue(frame.data.readonly)
            with self.assertRaises(TypeError):
                frame.data[0] = 1  # type: ignore[index]
            frame.release()

    def test_release_is_idempotent_and_invalidates_the_view(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"hello")
            frame = reader.read_frame(1.0)
            data = frame.data
            frame.release()
            frame.release()
            self.assertTrue(frame.is_released)
            with self.assertRaises(ValueError):
                bytes(data)
            self.assertEqual(reader.oieb.payload_free_bytes, 4096)

    def test_writer_accepts_any_bytes_like_object(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader, zb.Writer(name) as writer:
            for data in (b"ab", bytearray(b"cd"), memoryview(b"xxefxx")[2:4], array.array("H", [0x6867])):
                writer.write_frame(data)
            received = [reader.read_frame(1.0).tobytes() for _ in range(4)]
            self.assertEqual(received, [b"ab", b"cd", b"ef", b"gh"])

    def test_read_returns_none_on_timeout(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            start = time.monotonic()
            self.assertIsNone(reader.read_frame(0.05))
            self.assertLess(time.monotonic() - start, 0.5)
            self.assertIsNone(reader.read_frame(0))

    def test_connection_state_is_reported(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader:
            self.assertFalse(reader.is_writer_connected())
            with zb.Writer(name) as writer:
                self.assertTrue(reader.is_writer_connected())
                self.assertTrue(writer.is_reader_connected())
            self.assertFalse(reader.is_writer_connected())


class MetadataTest(BufferTestCase):
    def test_metadata_round_trip_is_zero_copy(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(1024, 4096)) as reader, zb.Writer(name) as writer:
            self.assertEqual(bytes(reader.get_metadata()), b"")
            writer.set_metadata(b"camera 3")
            metadata = reader.get_metadata()
            self.assertIsInstance(metadata, memoryview)
            self.assertEqual(bytes(metadata), b"camera 3")

    def test_metadata_is_write_once_per_buffer_not_per_writer(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(1024, 4096)):
            with zb.Writer(name) as writer:
                writer.set_metadata(b"")
                with self.assertRaises(zb.MetadataAlreadyWrittenException):
                    writer.set_metadata(b"again")
            with zb.Writer(name) as second:
                with self.assertRaises(zb.MetadataAlreadyWrittenException):
                    second.set_metadata(b"again")

    def test_empty_metadata_reads_as_empty(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(64, 4096)) as reader, zb.Writer(name) as writer:
            writer.set_metadata(b"")
            self.assertEqual(bytes(reader.get_metadata()), b"")
            self.assertEqual(reader.oieb.metadata_written_bytes, 8)

    def test_metadata_plus_prefix_must_fit_the_block(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(64, 4096)) as reader, zb.Writer(name) as writer:
            with self.assertRaises(zb.MetadataTooLargeException):
                writer.set_metadata(bytes(57))
            writer.set_metadata(bytes(range(56)))
            self.assertEqual(bytes(reader.get_metadata()), bytes(range(56)))
            self.assertEqual(reader.oieb.metadata_free_bytes, 0)

    def test_no_metadata_fits_a_zero_block(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)), zb.Writer(name) as writer:
            with self.assertRaises(zb.MetadataTooLargeException):
                writer.set_metadata(b"")

    def test_zero_copy_metadata(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(64, 4096)) as reader, zb.Writer(name) as writer:
            target = writer.get_metadata_buffer(3)
            target[:] = b"xyz"
            self.assertEqual(bytes(reader.get_metadata()), b"")
            writer.commit_metadata()
            self.assertEqual(bytes(reader.get_metadata()), b"xyz")
            with self.assertRaises(zb.InvalidStateException):
                writer.commit_metadata()

    def test_impossible_metadata_length_is_corruption(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(64, 4096)) as reader, zb.Writer(name) as writer:
            writer.set_metadata(b"abc")
            patch_shm(name, 128, struct.pack("<Q", 1000))
            with self.assertRaises(zb.CorruptBufferException):
                reader.get_metadata()


class FrameSizeTest(BufferTestCase):
    def test_empty_frame_is_an_invalid_size(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)), zb.Writer(name) as writer:
            with self.assertRaises(zb.InvalidFrameSizeException):
                writer.write_frame(b"")
            with self.assertRaises(zb.InvalidFrameSizeException):
                writer.get_frame_buffer(0)

    def test_frame_larger_than_the_ring_fails_at_once(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)), zb.Writer(name, write_timeout=5) as writer:
            start = time.monotonic()
            with self.assertRaises(zb.FrameTooLargeException):
                writer.write_frame(bytes(256 - 15))
            self.assertLess(time.monotonic() - start, 0.5)

    def test_frame_filling_the_whole_ring_fits(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(240))
            with reader.read_frame(1.0) as frame:
                self.assertEqual(frame.size, 240)
            self.assertEqual(reader.oieb.payload_write_pos, 0)

    def test_frame_not_placeable_from_the_write_position_fails_at_once(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name, write_timeout=5) as writer:
            writer.write_frame(bytes(100))  # w = 116
            reader.read_frame(1.0).release()  # the ring is empty again
            start = time.monotonic()
            with self.assertRaises(zb.FrameTooLargeException) as caught:
                writer.write_frame(bytes(150))  # T = 166 > 140 to the end, and > w = 116
            self.assertLess(time.monotonic() - start, 0.5)
            self.assertIn("write position", str(caught.exception))

    def test_frames_up_to_half_the_ring_always_fit(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 512)) as reader, zb.Writer(name) as writer:
            sizes = [1, 240, 17, 200, 239, 3, 240, 128, 100, 240, 55, 240, 240, 1, 77] * 5
            for size in sizes:
                sequence = writer.write_frame(bytes([size % 256]) * size, timeout=0.5)
                with reader.read_frame(1.0) as frame:
                    self.assertEqual((frame.sequence, frame.size), (sequence, size))
                    self.assertEqual(bytes(frame.data), bytes([size % 256]) * size)


class WrapTest(BufferTestCase):
    def test_wrap_marker_is_counted_and_refunded(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(64))  # T = 80, 48 left
            reader.read_frame(1.0).release()
            writer.write_frame(b"\x07" * 40)  # marker at 80, frame at 0
            with reader.read_frame(1.0) as frame:
                self.assertEqual((frame.sequence, bytes(frame.data)), (2, b"\x07" * 40))
            oieb = reader.oieb
            self.assertEqual((oieb.payload_written_count, oieb.payload_read_count), (3, 3))
            self.assertEqual(oieb.payload_read_pos, 56)
            self.assertEqual(oieb.payload_free_bytes, 128)

    def test_short_tail_is_skipped_without_marker_on_both_sides(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(100))  # T = 116: 12 bytes left, too few for a marker
            reader.read_frame(1.0).release()
            writer.write_frame(b"\x05" * 20)
            self.assertEqual(reader.oieb.payload_written_count, 2)
            self.assertEqual(shm_bytes(name)[128 + 116 : 128 + 128], bytes(12))
            with reader.read_frame(1.0) as frame:
                self.assertEqual((frame.sequence, bytes(frame.data)), (2, b"\x05" * 20))
            self.assertEqual(reader.oieb.payload_read_count, 2)
            self.assertEqual(reader.oieb.payload_free_bytes, 128)

    def test_write_position_equal_to_ring_size_reads_as_zero(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)) as reader:
            reader.oieb.payload_write_pos = 128  # as another implementation may leave it
            with zb.Writer(name) as writer:
                writer.write_frame(b"abc")
                with reader.read_frame(1.0) as frame:
                    self.assertEqual(bytes(frame.data), b"abc")
            self.assertEqual(reader.oieb.payload_read_pos, 19)

    def test_many_wraps_with_varied_sizes(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 320)) as reader, zb.Writer(name) as writer:
            for index in range(300):
                size = 1 + (index * 37) % 140
                payload = bytes([index % 256]) * size
                writer.write_frame(payload, timeout=0.5)
                with reader.read_frame(1.0) as frame:
                    self.assertEqual(bytes(frame.data), payload)


class FlowControlTest(BufferTestCase):
    def test_full_ring_raises_buffer_full_after_the_timeout(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)), zb.Writer(name) as writer:
            writer.write_frame(bytes(100))
            start = time.monotonic()
            with self.assertRaises(zb.BufferFullException):
                writer.write_frame(bytes(10), timeout=0.15)
            elapsed = time.monotonic() - start
            self.assertGreaterEqual(elapsed, 0.14)
            self.assertLess(elapsed, 1.0)

    def test_write_timeout_is_the_default_wait(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)), zb.Writer(name, write_timeout=0.05) as writer:
            self.assertEqual(writer.write_timeout, 0.05)
            writer.write_frame(bytes(100))
            writer.write_timeout = 0.02
            start = time.monotonic()
            with self.assertRaises(zb.BufferFullException):
                writer.write_frame(bytes(10))
            self.assertLess(time.monotonic() - start, 0.5)

    def test_blocked_writer_continues_when_the_reader_releases(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(100))
            frame = reader.read_frame(1.0)
            timer = threading.Timer(0.05, frame.release)
            timer.start()
            try:
                self.assertEqual(writer.write_frame(bytes(100), timeout=2.0), 2)
            finally:
                timer.join()

    def test_a_waiting_writer_spins_before_it_blocks(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128, spin=0)) as reader, zb.Writer(name, spin=10.0) as writer:
            writer.write_frame(bytes(100))
            frame = reader.read_frame(1.0)
            releaser = threading.Thread(target=frame.release)
            with mock.patch.object(_posix.Semaphore, "timed_wait", side_effect=AssertionError("blocked")):
                releaser.start()
                try:
                    self.assertEqual(writer.write_frame(bytes(100), timeout=10.0), 2)
                finally:
                    releaser.join()

    def test_a_waiting_reader_spins_before_it_blocks(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096, spin=10.0)) as reader, zb.Writer(name, spin=0) as writer:
            producer = threading.Thread(target=writer.write_frame, args=(b"spun",))
            with mock.patch.object(_posix.Semaphore, "timed_wait", side_effect=AssertionError("blocked")):
                producer.start()
                try:
                    frame = reader.read_frame(10.0)
                finally:
                    producer.join()
            self.assertIsNotNone(frame)
            self.assertEqual(bytes(frame.data), b"spun")
            frame.release()

    def test_a_reader_whose_spins_keep_running_out_blocks_at_once(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096, spin=0.001)) as reader, zb.Writer(name, spin=0):
            # Five spins that run out (1 ms, 0.5, 0.25, 0.125, 0.0625 = 1/16) end spinning. A read the
            # machine's load delays past its deadline ends by the deadline (not a miss): up to 20 reads.
            for _ in range(20):
                self.assertIsNone(reader.read_frame(0.02))
                if reader._spin.budget_ns == 0:
                    break
            with mock.patch.object(_posix.Semaphore, "spin_wait", side_effect=AssertionError("spun")):
                self.assertIsNone(reader.read_frame(0.01))

    def test_a_writer_whose_spins_keep_running_out_blocks_at_once(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128, spin=0)) as reader, zb.Writer(name, spin=0.001) as writer:
            writer.write_frame(bytes(100))
            frame = reader.read_frame(1.0)
            for _ in range(20):  # see the reader's test
                with self.assertRaises(zb.BufferFullException):
                    writer.write_frame(bytes(100), timeout=0.02)
                if writer._spin.budget_ns == 0:
                    break
            with mock.patch.object(_posix.Semaphore, "spin_wait", side_effect=AssertionError("spun")):
                with self.assertRaises(zb.BufferFullException):
                    writer.write_frame(bytes(100), timeout=0.01)
            frame.release()

    def test_space_semaphore_count_stays_bounded(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 4096)) as reader, zb.Writer(name) as writer:
            for _ in range(50):
                writer.write_frame(b"x")
                reader.read_frame(1.0).release()
            probe = _posix.Semaphore.open(f"/sem-r-{name}")
            assert probe is not None
            pending = 0
            while probe.try_wait():
                pending += 1
            probe.close()
            self.assertLessEqual(pending, 1)


class HoldTest(BufferTestCase):
    def test_space_returns_in_ring_order(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 512)) as reader, zb.Writer(name) as writer:
            for _ in range(3):
                writer.write_frame(bytes(84))  # T = 100 each
            first, second, third = (reader.read_frame(1.0) for _ in range(3))
            self.assertEqual(reader.held_frames, 3)
            second.release()
            self.assertEqual(reader.oieb.payload_free_bytes, 212)
            first.release()
            self.assertEqual(reader.oieb.payload_free_bytes, 412)
            third.release()
            self.assertEqual(reader.oieb.payload_free_bytes, 512)
            self.assertEqual(reader.held_frames, 0)

    def test_wrap_refund_waits_for_earlier_held_frames(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(84))  # A at 0
            writer.write_frame(bytes(84))  # B at 100, w = 200
            reader.read_frame(1.0).release()  # A
            frame_b = reader.read_frame(1.0)
            writer.write_frame(b"\x0c" * 84, timeout=0.5)  # marker at 200 (56 bytes), C at 0
            frame_c = reader.read_frame(1.0)
            self.assertEqual(bytes(frame_c.data), b"\x0c" * 84)
            self.assertEqual(reader.oieb.payload_free_bytes, 0)
            frame_c.release()
            self.assertEqual(reader.oieb.payload_free_bytes, 0)  # B still held: nothing returns
            frame_b.release()
            self.assertEqual(reader.oieb.payload_free_bytes, 256)

    def test_held_frame_is_never_overwritten(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"\x01" * 100)
            held = reader.read_frame(1.0)
            for _ in range(5):
                try:
                    writer.write_frame(b"\x02" * 100, timeout=0.01)
                except zb.BufferFullException:
                    pass
                frame = reader.read_frame(0.01)
                if frame is not None:
                    frame.release()
            self.assertEqual(bytes(held.data), b"\x01" * 100)
            held.release()

    def test_dropping_the_last_reference_releases(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(10))
            self.assertIsNotNone(reader.read_frame(1.0))
            self.assertEqual(reader.oieb.payload_free_bytes, 256)


class SequenceTest(BufferTestCase):
    def test_unexpected_sequence_raises_with_both_numbers_and_skips_the_frame(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"one")
            writer._sequence = 5  # a writer that skipped numbers
            writer.write_frame(b"five")
            writer.write_frame(b"six")
            reader.read_frame(1.0).release()
            with self.assertRaises(zb.SequenceError) as caught:
                reader.read_frame(1.0)
            self.assertEqual((caught.exception.expected, caught.exception.actual), (2, 5))
            self.assertEqual(caught.exception.kind, "SequenceError")
            with reader.read_frame(1.0) as frame:
                self.assertEqual((frame.sequence, bytes(frame.data)), (6, b"six"))
            self.assertEqual(reader.oieb.payload_free_bytes, 1024)

    def test_new_writer_session_restarts_at_one(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader:
            with zb.Writer(name) as writer:
                writer.write_frame(b"a")
                writer.write_frame(b"b")
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(2)], [1, 2])
            with self.assertRaises(zb.WriterDeadException):
                reader.read_frame(1.0)
            with zb.Writer(name) as writer:
                self.assertEqual(writer.write_frame(b"c"), 1)
            with reader.read_frame(1.0) as frame:
                self.assertEqual((frame.sequence, bytes(frame.data)), (1, b"c"))

    def test_next_sequence_is_the_number_the_next_frame_carries(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            self.assertEqual(writer.next_sequence, 1)
            self.assertEqual(writer.write_frame(b"a"), 1)
            with self.assertRaises(zb.FrameTooLargeException):
                writer.write_frame(bytes(2000))
            self.assertEqual(writer.next_sequence, 2)
            writer.get_frame_buffer(1)[:] = b"b"
            self.assertEqual(writer.next_sequence, 2)
            self.assertEqual(writer.commit_frame(), 2)
            self.assertEqual(writer.next_sequence, 3)
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(2)], [1, 2])

    def test_sequence_one_from_the_same_writer_begins_a_new_session(self) -> None:
        # [rule seq.restart]: no PID is consulted.
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"a")
            writer.write_frame(b"b")
            writer._sequence = 1
            writer.write_frame(b"c")
            writer._sequence = 3
            writer.write_frame(b"d")
            self.assertEqual([reader.read_frame(1.0).sequence for _ in range(3)], [1, 2, 1])
            with self.assertRaises(zb.SequenceError) as caught:
                reader.read_frame(1.0)
            self.assertEqual((caught.exception.expected, caught.exception.actual), (2, 3))


class DeadlineTest(BufferTestCase):
    """protocol.md section 6: time.deadline and time.forever."""

    def test_read_ends_by_its_deadline_while_posts_arrive_without_frames(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader:
            poster_sem = _posix.Semaphore.open(f"/sem-w-{name}")
            stop = threading.Event()

            def post() -> None:
                while not stop.is_set():
                    poster_sem.post()

            def read() -> None:
                start = time.monotonic()
                result.append(reader.read_frame(0.2))
                result.append(time.monotonic() - start)

            result: list = []
            poster = threading.Thread(target=post)
            reading = threading.Thread(target=read)
            poster.start()
            reading.start()
            reading.join(3.0)
            ran_past = reading.is_alive()
            stop.set()  # lets a read that ran past its deadline finish, so the test can report it
            poster.join()
            reading.join()
            poster_sem.close()
            self.assertFalse(ran_past, "read_frame(0.2) was still running after 3 s of posts without frames")
            self.assertIsNone(result[0])
            self.assertLess(result[1], 1.0)

    def test_read_with_an_infinite_timeout_waits_until_a_frame_arrives(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            result: list = []
            thread = threading.Thread(target=lambda: result.append(reader.read_frame(math.inf)))
            thread.start()
            thread.join(0.3)
            self.assertTrue(thread.is_alive(), "read_frame(math.inf) returned at once")
            writer.write_frame(b"late")
            thread.join(5.0)
            self.assertFalse(thread.is_alive())
            with result[0] as frame:
                self.assertEqual(bytes(frame.data), b"late")

    def test_write_with_an_infinite_timeout_waits_until_space_comes_back(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name, write_timeout=math.inf) as writer:
            writer.write_frame(bytes(1000))  # T = 1016: the ring is full for a second such frame
            thread = threading.Thread(target=writer.write_frame, args=(bytes(1000),))
            thread.start()
            thread.join(0.3)
            self.assertTrue(thread.is_alive(), "a write with write_timeout=math.inf returned at once")
            reader.read_frame(1.0).release()
            thread.join(5.0)
            self.assertFalse(thread.is_alive())
            with reader.read_frame(1.0) as frame:
                self.assertEqual(frame.sequence, 2)


class ReadAnywayTest(BufferTestCase):
    def test_complete_frame_without_its_post_is_read_after_a_slice(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"orphan")
            thief = _posix.Semaphore.open(f"/sem-w-{name}")
            assert thief is not None
            self.assertTrue(thief.try_wait())  # as if the writer died before posting
            thief.close()
            start = time.monotonic()
            with reader.read_frame(2.0) as frame:
                self.assertEqual(bytes(frame.data), b"orphan")
            self.assertLess(time.monotonic() - start, 0.5)

    def test_late_post_of_a_frame_read_anyway_is_not_a_phantom_frame(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"early")
            sem_w = _posix.Semaphore.open(f"/sem-w-{name}")
            assert sem_w is not None
            self.assertTrue(sem_w.try_wait())
            reader.read_frame(1.0).release()
            sem_w.post()  # the post arrives late
            sem_w.close()
            self.assertIsNone(reader.read_frame(0.15))
            writer.write_frame(b"next")
            with reader.read_frame(1.0) as frame:
                self.assertEqual((frame.sequence, bytes(frame.data)), (2, b"next"))

    def test_wrap_marker_alone_is_not_a_frame(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(64))
            reader.read_frame(1.0).release()
            target = writer.get_frame_buffer(40)  # marker written, frame not committed
            target[:] = b"\x09" * 40
            self.assertEqual(reader.oieb.payload_written_count, 1)  # this port counts both at commit
            reader.oieb.payload_written_count = 2  # as the published ports count the marker early
            self.assertIsNone(reader.read_frame(0.15))
            writer.commit_frame()
            with reader.read_frame(1.0) as frame:
                self.assertEqual(bytes(frame.data), b"\x09" * 40)


class ZeroCopyTest(BufferTestCase):
    def test_get_buffer_then_commit(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            target = writer.get_frame_buffer(5)
            target[:] = b"zcopy"
            self.assertIsNone(reader.read_frame(0.05))
            self.assertEqual(writer.commit_frame(), 1)
            with self.assertRaises(ValueError):
                target[0] = 1  # the view is released at commit
            with reader.read_frame(1.0) as frame:
                self.assertEqual(bytes(frame.data), b"zcopy")

    def test_commit_without_get_is_invalid(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)), zb.Writer(name) as writer:
            with self.assertRaises(zb.InvalidStateException):
                writer.commit_frame()

    def test_second_get_before_commit_is_invalid(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)), zb.Writer(name) as writer:
            writer.get_frame_buffer(5)
            with self.assertRaises(zb.InvalidStateException):
                writer.get_frame_buffer(5)
            with self.assertRaises(zb.InvalidStateException):
                writer.write_frame(b"x")


class LivenessTest(BufferTestCase):
    def test_unread_frames_come_before_writer_dead(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader:
            with zb.Writer(name) as writer:
                writer.write_frame(b"last words")
            with reader.read_frame(1.0) as frame:
                self.assertEqual(bytes(frame.data), b"last words")
            with self.assertRaises(zb.WriterDeadException) as caught:
                reader.read_frame(1.0)
            self.assertEqual(caught.exception.kind, "WriterDead")

    def test_metadata_proves_a_writer_was_there(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(64, 1024)) as reader:
            with zb.Writer(name) as writer:
                writer.set_metadata(b"m")
            with self.assertRaises(zb.WriterDeadException):
                reader.read_frame(1.0)

    def test_reader_without_any_writer_times_out(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader:
            self.assertIsNone(reader.read_frame(0.12))

    def test_dead_writer_pid_is_reported_promptly(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader:
            reader.oieb.writer_pid = dead_pid()
            start = time.monotonic()
            with self.assertRaises(zb.WriterDeadException):
                reader.read_frame(5.0)
            self.assertLess(time.monotonic() - start, 0.5)
            reader.oieb.writer_pid = 0

    def test_a_frame_published_just_before_the_writer_died_is_read_before_writer_dead(self) -> None:
        # The interleaving the kill -9 soak hit with a C# reader: no frame at the reader's last
        # look, then the writer published a wrapping frame (a marker at 616, the frame at 0,
        # count + 2) and died before the liveness check. peer_alive is where that happens here.
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader:
            with zb.Writer(name) as first:
                first.write_frame(bytes(600))  # T = 616
            reader.read_frame(1.0).release()
            reader.oieb.writer_pid = dead_pid()
            payload = _oieb.payload_offset(0)
            data = os.urandom(500)
            checks: list[int] = []

            def publish_then_die(lock_path: str, pid: int) -> bool:
                if not checks:
                    patch_shm(name, payload + 616, bytes(16))
                    patch_shm(name, payload, struct.pack("<QQ", len(data), 2) + data)
                    reader.oieb.payload_free_bytes = 1024 - 408 - 516
                    reader.oieb.payload_write_pos = 516
                    reader.oieb.payload_written_count = 3
                checks.append(pid)
                return False

            with mock.patch.object(_reader, "peer_alive", publish_then_die):
                frame = reader.read_frame(1.0)
                self.assertIsNotNone(frame)
                self.assertEqual(frame.sequence, 2)
                self.assertEqual(bytes(frame.data), data)
                frame.release()
                self.assertEqual(reader.oieb.payload_read_count, 3)
                with self.assertRaises(zb.WriterDeadException):
                    reader.read_frame(1.0)
            self.assertTrue(checks)
            reader.oieb.writer_pid = 0

    def test_writer_learns_of_a_closed_reader_on_the_next_write(self) -> None:
        name = self.buffer_name()
        reader = zb.Reader(name, zb.BufferConfig(0, 1024))
        with zb.Writer(name) as writer:
            writer.write_frame(b"x")
            reader.close()
            with self.assertRaises(zb.ReaderDeadException):
                writer.write_frame(b"y")
            self.assertFalse(writer.is_reader_connected())

    def test_streaming_writer_learns_of_a_dead_reader_within_the_interval(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            real_pid = reader.oieb.reader_pid
            reader.oieb.reader_pid = dead_pid()
            start = time.monotonic()
            try:
                with self.assertRaises(zb.ReaderDeadException):
                    while time.monotonic() - start < 2.0:
                        writer.write_frame(b"x")
                        reader.read_frame(1.0).release()
                self.assertLess(time.monotonic() - start, 0.5)
            finally:
                reader.oieb.reader_pid = real_pid

    def test_waiting_writer_learns_of_a_dead_reader_promptly(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(100))
            real_pid = reader.oieb.reader_pid
            gone = dead_pid()

            def die() -> None:
                reader.oieb.reader_pid = gone

            timer = threading.Timer(0.05, die)
            timer.start()
            start = time.monotonic()
            try:
                with self.assertRaises(zb.ReaderDeadException):
                    writer.write_frame(bytes(100), timeout=5.0)
                self.assertLess(time.monotonic() - start, 0.5)
            finally:
                timer.join()
                reader.oieb.reader_pid = real_pid


class LifecycleTest(BufferTestCase):
    def test_close_removes_every_named_object(self) -> None:
        name = self.buffer_name()
        reader = zb.Reader(name)
        self.assertEqual(len(dev_shm_entries(name)), 3)
        self.assertEqual(os.listdir(self.lock_dir), [f"{name}.lock"])
        reader.close()
        reader.close()
        self.assertEqual(dev_shm_entries(name), [])
        self.assertEqual(os.listdir(self.lock_dir), [])
        with self.assertRaises(zb.InvalidStateException):
            reader.read_frame(0)

    def test_writer_close_unlinks_nothing_and_frees_the_slot(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name) as reader:
            writer = zb.Writer(name)
            self.assertEqual(reader.oieb.writer_pid, os.getpid())
            writer.close()
            writer.close()
            self.assertEqual(reader.oieb.writer_pid, 0)
            self.assertEqual(len(dev_shm_entries(name)), 3)
            with self.assertRaises(zb.InvalidStateException):
                writer.write_frame(b"x")

    def test_writer_close_leaves_another_writers_pid(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name) as reader:
            writer = zb.Writer(name)
            reader.oieb.writer_pid = 4242
            writer.close()
            self.assertEqual(reader.oieb.writer_pid, 4242)
            reader.oieb.writer_pid = 0

    def test_second_reader_is_refused_and_the_first_keeps_working(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader:
            with self.assertRaises(zb.ReaderAlreadyConnectedException):
                zb.Reader(name)
            with zb.Writer(name) as writer:
                writer.write_frame(b"still here")
                with reader.read_frame(1.0) as frame:
                    self.assertEqual(bytes(frame.data), b"still here")

    def test_second_writer_is_refused_without_touching_the_first(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name) as reader, zb.Writer(name):
            with self.assertRaises(zb.WriterAlreadyConnectedException):
                zb.Writer(name)
            self.assertEqual(reader.oieb.writer_pid, os.getpid())

    def test_writer_replaces_a_dead_writer(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name) as reader:
            reader.oieb.writer_pid = dead_pid()
            with zb.Writer(name):
                self.assertEqual(reader.oieb.writer_pid, os.getpid())

    def test_missing_buffer_is_not_found(self) -> None:
        with self.assertRaises(zb.BufferNotFoundException) as caught:
            zb.Writer(self.buffer_name())
        self.assertEqual(caught.exception.kind, "BufferNotFound")

    def test_missing_semaphore_is_not_found(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name):
            os.unlink(f"/dev/shm/sem.sem-r-{name}")
            with self.assertRaises(zb.BufferNotFoundException):
                zb.Writer(name)

    def test_buffer_without_live_reader_refuses_writers(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name) as reader:
            reader.oieb.reader_pid = 0
            with self.assertRaises(zb.ReaderDeadException):
                zb.Writer(name)
            self.assertEqual(reader.oieb.writer_pid, 0)

    def test_uninitialised_buffer_is_not_found(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name):
            patch_shm(name, 0, bytes(4))
            with self.assertRaises(zb.BufferNotFoundException):
                zb.Writer(name)

    def test_wrong_oieb_size_or_major_version_is_incompatible(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name):
            patch_shm(name, 0, struct.pack("<I", 64))
            with self.assertRaises(zb.IncompatibleVersionException):
                zb.Writer(name)
            patch_shm(name, 0, struct.pack("<I4B", 128, 2, 0, 0, 0))
            with self.assertRaises(zb.IncompatibleVersionException) as caught:
                zb.Writer(name)
            self.assertEqual(caught.exception.kind, "IncompatibleVersion")

    def test_sizes_beyond_the_object_are_corruption(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)):
            patch_shm(name, _oieb.PAYLOAD_SIZE_OFFSET, struct.pack("<Q", 2**40))
            with self.assertRaises(zb.CorruptBufferException):
                zb.Writer(name)

    def test_free_bytes_beyond_the_ring_are_corruption(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)):
            patch_shm(name, _oieb.PAYLOAD_FREE_BYTES_OFFSET, struct.pack("<Q", 1025))
            with self.assertRaises(zb.CorruptBufferException):
                zb.Writer(name)

    def test_wrap_marker_at_ring_start_is_corruption(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"abc")
            patch_shm(name, 128, bytes(16))
            with self.assertRaises(zb.CorruptBufferException):
                reader.read_frame(1.0)
            self.assertEqual(reader.oieb.payload_free_bytes, 1024 - 19)

    def test_impossible_frame_header_is_corruption(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 1024)) as reader, zb.Writer(name) as writer:
            writer.write_frame(b"abc")
            patch_shm(name, 128, struct.pack("<Q", 2000))
            with self.assertRaises(zb.CorruptBufferException):
                reader.read_frame(1.0)

    def test_reader_replaces_a_crashed_readers_leftovers(self) -> None:
        name = self.buffer_name()
        fabricate_buffer(name, reader_pid=dead_pid())
        with zb.Reader(name, zb.BufferConfig(0, 256)) as reader:
            self.assertEqual(reader.oieb.reader_pid, os.getpid())
            self.assertEqual(reader.payload_size, 256)

    def test_reader_refuses_a_name_a_live_reader_owns(self) -> None:
        name = self.buffer_name()
        fabricate_buffer(name, reader_pid=os.getppid())
        with self.assertRaises(zb.ReaderAlreadyConnectedException):
            zb.Reader(name)
        self.assertEqual(len(dev_shm_entries(name)), 3)  # not ours to remove
        self.assertEqual(os.listdir(self.lock_dir), [])
        for path in dev_shm_entries(name):
            os.unlink(f"/dev/shm/{path}")

    def test_stale_lock_and_its_dead_buffer_are_removed_on_reader_create(self) -> None:
        stale = self.buffer_name("stale")
        fabricate_buffer(stale, reader_pid=dead_pid(), writer_pid=dead_pid())
        open(os.path.join(self.lock_dir, f"{stale}.lock"), "w").close()
        with zb.Reader(self.buffer_name("fresh")):
            self.assertEqual(dev_shm_entries(stale), [])
            self.assertFalse(os.path.exists(os.path.join(self.lock_dir, f"{stale}.lock")))

    def test_stale_lock_of_a_buffer_with_a_live_writer_keeps_the_buffer(self) -> None:
        stale = self.buffer_name("stale")
        fabricate_buffer(stale, reader_pid=dead_pid(), writer_pid=os.getpid())
        open(os.path.join(self.lock_dir, f"{stale}.lock"), "w").close()
        with zb.Reader(self.buffer_name("fresh")):
            self.assertFalse(os.path.exists(os.path.join(self.lock_dir, f"{stale}.lock")))
            self.assertEqual(len(dev_shm_entries(stale)), 3)
        for path in dev_shm_entries(stale):
            os.unlink(f"/dev/shm/{path}")

    def test_stale_lock_without_shared_memory_takes_its_semaphores(self) -> None:
        stale = self.buffer_name("stale")
        fabricate_buffer(stale, reader_pid=0)
        os.unlink(f"/dev/shm/{stale}")
        open(os.path.join(self.lock_dir, f"{stale}.lock"), "w").close()
        with zb.Reader(self.buffer_name("fresh")):
            self.assertEqual(dev_shm_entries(stale), [])

    def test_frames_held_after_close_stay_readable(self) -> None:
        name = self.buffer_name()
        reader = zb.Reader(name, zb.BufferConfig(0, 1024))
        with zb.Writer(name) as writer:
            writer.write_frame(b"keep me")
            frame = reader.read_frame(1.0)
            reader.close()
            self.assertEqual(bytes(frame.data), b"keep me")
            frame.release()
        self.assertEqual(dev_shm_entries(name), [])


if __name__ == "__main__":
    unittest.main()
