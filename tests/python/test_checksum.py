"""The frame checksum of the serve protocol: the first 8 bytes of SHA-256, as 16 lowercase hex digits."""

from __future__ import annotations

import unittest

import zb_support  # noqa: F401  (import paths)
from zerobuffer_serve.checksum import checksum
from zerobuffer_serve.pattern import pattern


class ChecksumTest(unittest.TestCase):
    def test_vectors_of_the_serve_protocol(self) -> None:
        self.assertEqual(checksum(b""), "e3b0c44298fc1c14")
        self.assertEqual(checksum(b"abc"), "ba7816bf8f01cfea")
        self.assertEqual(checksum(pattern(1000, 1, 5)), "e249a6ab18def5f0")

    def test_hashes_any_buffer_in_place(self) -> None:
        data = bytearray(b"abc")
        self.assertEqual(checksum(memoryview(data)), checksum(bytes(data)))


if __name__ == "__main__":
    unittest.main()
