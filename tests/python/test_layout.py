"""Golden byte checks of the shared-memory layout (wire protocol 1.0, section 2-4)."""

from __future__ import annotations

import struct
import unittest

from zb_support import BufferTestCase

import zerobuffer as zb
from zerobuffer import _oieb


def raw(name: str) -> bytes:
    with open(f"/dev/shm/{name}", "rb") as shm:
        return shm.read()


class OiebLayoutTest(unittest.TestCase):
    def test_offsets_match_the_wire_protocol(self) -> None:
        self.assertEqual(_oieb.OIEB_SIZE, 128)
        expected = {
            "OIEB_SIZE_OFFSET": 0x00,
            "VERSION_OFFSET": 0x04,
            "METADATA_SIZE_OFFSET": 0x08,
            "METADATA_FREE_BYTES_OFFSET": 0x10,
            "METADATA_WRITTEN_BYTES_OFFSET": 0x18,
            "PAYLOAD_SIZE_OFFSET": 0x20,
            "PAYLOAD_FREE_BYTES_OFFSET": 0x28,
            "PAYLOAD_WRITE_POS_OFFSET": 0x30,
            "PAYLOAD_READ_POS_OFFSET": 0x38,
            "PAYLOAD_WRITTEN_COUNT_OFFSET": 0x40,
            "PAYLOAD_READ_COUNT_OFFSET": 0x48,
            "WRITER_PID_OFFSET": 0x50,
            "READER_PID_OFFSET": 0x58,
            "RESERVED_OFFSET": 0x60,
        }
        for field, offset in expected.items():
            self.assertEqual(getattr(_oieb, field), offset, field)

    def test_view_over_bytes_decodes_every_field(self) -> None:
        block = bytearray(128)
        struct.pack_into("<I4B", block, 0, 128, 1, 0, 0, 0)
        struct.pack_into("<12Q", block, 8, *range(101, 113))
        view = zb.OIEBView(bytes(block))
        self.assertEqual(
            view.as_dict(),
            {
                "oieb_size": 128,
                "version": (1, 0, 0, 0),
                "metadata_size": 101,
                "metadata_free_bytes": 102,
                "metadata_written_bytes": 103,
                "payload_size": 104,
                "payload_free_bytes": 105,
                "payload_write_pos": 106,
                "payload_read_pos": 107,
                "payload_written_count": 108,
                "payload_read_count": 109,
                "writer_pid": 110,
                "reader_pid": 111,
            },
        )

    def test_view_over_writable_buffer_stores_little_endian(self) -> None:
        block = bytearray(128)
        view = zb.OIEBView(block)
        view.writer_pid = 0x0102030405060708
        view.add_payload_free_bytes(10)
        view.subtract_payload_free_bytes(3)
        self.assertEqual(block[0x50:0x58], bytes([8, 7, 6, 5, 4, 3, 2, 1]))
        self.assertEqual(struct.unpack_from("<Q", block, 0x28)[0], 7)
        self.assertEqual(view.compare_exchange_writer_pid(1, 5), (False, 0x0102030405060708))
        self.assertEqual(view.compare_exchange_writer_pid(0x0102030405060708, 5), (True, 0x0102030405060708))
        self.assertEqual(view.writer_pid, 5)
        view.release()
        with self.assertRaises(zb.InvalidStateException):
            _ = view.writer_pid

    def test_view_needs_128_bytes(self) -> None:
        with self.assertRaises(ValueError):
            zb.OIEBView(bytes(127))


class BufferLayoutTest(BufferTestCase):
    def test_fresh_buffer_bytes(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(metadata_size=100, payload_size=1000)) as reader:
            data = raw(name)
            self.assertEqual(len(data), 128 + 128 + 1024)
            self.assertEqual(data[:8], bytes([0x80, 0, 0, 0, 1, 0, 0, 0]))
            fields = struct.unpack_from("<12Q", data, 8)
            self.assertEqual(fields, (128, 128, 0, 1024, 1024, 0, 0, 0, 0, 0, reader.oieb.reader_pid, 0))
            self.assertEqual(data[0x60:0x80], bytes(32))
            self.assertEqual(data[128:], bytes(len(data) - 128))

    def test_metadata_and_frame_bytes(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(64, 256)) as reader, zb.Writer(name) as writer:
            writer.set_metadata(b"abc")
            self.assertEqual(writer.write_frame(b"\x01\x02\x03"), 1)
            self.assertEqual(writer.write_frame(b"xy"), 2)
            data = raw(name)
            self.assertEqual(data[128:128 + 11], struct.pack("<Q", 3) + b"abc")
            free, written = struct.unpack_from("<QQ", data, 0x10)
            self.assertEqual((free, written), (64 - 11, 11))
            ring = data[128 + 64:]
            self.assertEqual(ring[:19], struct.pack("<QQ", 3, 1) + b"\x01\x02\x03")
            self.assertEqual(ring[19:37], struct.pack("<QQ", 2, 2) + b"xy")
            oieb = zb.OIEBView(data)
            self.assertEqual(oieb.payload_write_pos, 37)
            self.assertEqual(oieb.payload_free_bytes, 256 - 37)
            self.assertEqual(oieb.payload_written_count, 2)
            self.assertEqual(oieb.writer_pid, reader.oieb.writer_pid)

    def test_wrap_marker_is_sixteen_zero_bytes(self) -> None:
        name = self.buffer_name()
        with zb.Reader(name, zb.BufferConfig(0, 128)) as reader, zb.Writer(name) as writer:
            writer.write_frame(bytes(range(1, 65)))  # 80 bytes: 48 left to the end
            reader.read_frame(1).release()
            writer.write_frame(b"\xff" * 40)  # 56 > 48: marker at 80, frame at 0
            data = raw(name)
            ring = data[128:]
            self.assertEqual(ring[80:96], bytes(16))
            self.assertEqual(ring[:16], struct.pack("<QQ", 40, 2))
            oieb = zb.OIEBView(data)
            self.assertEqual(oieb.payload_written_count, 3)
            self.assertEqual(oieb.payload_write_pos, 56)
            self.assertEqual(oieb.payload_free_bytes, 128 - 48 - 56)  # the tail comes back when the reader passes it


if __name__ == "__main__":
    unittest.main()
