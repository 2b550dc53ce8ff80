"""`zerobuffer read` / `write`: shell pipelines through a buffer, and their errors."""

import os
import random
import struct
import subprocess
import threading
import unittest

from cli_support import CLI, CliTestCase, EXIT_BUSY, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, cli, stop, wait_until

FRAMES = 10_000


def run_writer_while_reading(reader, writer_args, data):
    """Feeds `data` to `zerobuffer write` while the reader's stdout is drained (both are pipes)."""
    result = {}
    thread = threading.Thread(target=lambda: result.update(
        writer=subprocess.run([CLI, "write", *writer_args], input=data, capture_output=True, timeout=120)))
    thread.start()
    out, err = reader.communicate(timeout=120)
    thread.join(timeout=120)
    return result["writer"], out, err


class Pipe(CliTestCase):
    def start_reader(self, name, *args):
        proc = subprocess.Popen([CLI, "read", name, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(stop, proc)
        wait_until(lambda: self.listed(name) is not None or proc.poll() is not None, what="the reader's buffer")
        return proc

    def test_ten_thousand_length_prefixed_frames_round_trip_byte_for_byte(self):
        name = self.name("roundtrip")
        rng = random.Random(42)
        frames = [rng.randbytes(rng.randint(1, 700)) for _ in range(FRAMES)]
        stream = b"".join(struct.pack("<I", len(f)) + f for f in frames)
        reader = self.start_reader(name, "--format", "len-prefixed", "--payload-size", "65536")
        writer, out, err = run_writer_while_reading(reader, [name, "--len-prefixed"], stream)
        self.assertEqual(writer.returncode, EXIT_OK, writer.stderr)
        self.assertEqual(reader.returncode, EXIT_OK, err)
        self.assertEqual(len(out), len(stream))
        self.assertTrue(out == stream, "the frames read differ from the frames written")
        self.assertIsNone(self.listed(name), "the reader left its buffer behind")

    def test_fixed_size_frames_through_a_shell_pipeline(self):
        name = self.name("shell")
        data = random.Random(7).randbytes(1000 * 64 + 10)  # the last frame is 10 bytes
        reader = self.start_reader(name, "--format", "len-prefixed")
        writer, out, _ = run_writer_while_reading(reader, [name, "--frame-size", "1000"], data)
        self.assertEqual(writer.returncode, EXIT_OK, writer.stderr)
        sizes, payload, pos = [], b"", 0
        while pos < len(out):
            (n,) = struct.unpack_from("<I", out, pos)
            sizes.append(n)
            payload += out[pos + 4:pos + 4 + n]
            pos += 4 + n
        self.assertEqual(sizes, [1000] * 64 + [10])
        self.assertTrue(payload == data, "the bytes read differ from the bytes written")

    def test_read_count_stops_after_n_frames_and_hexdump_shows_them(self):
        name = self.name("count")
        reader = self.start_reader(name, "--count", "2", "--format", "hexdump")
        writer = subprocess.Popen([CLI, "write", name, "--frame-size", "4"], stdin=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        writer.stdin.write(b"ABCDEFGH")
        writer.stdin.flush()
        out, err = reader.communicate(timeout=30)
        writer.communicate(timeout=30)
        self.assertEqual(reader.returncode, EXIT_OK, err)
        self.assertEqual(out.decode(), "frame 1, 4 bytes\n  00000000  41 42 43 44" + " " * 36 + "  |ABCD|\n"
                         "frame 2, 4 bytes\n  00000000  45 46 47 48" + " " * 36 + "  |EFGH|\n")

    def test_write_to_a_missing_buffer_says_buffer_not_found(self):
        out = cli("write", "zbcli-missing", "--frame-size", "4", "--wait", "0", stdin="abcd")
        self.assertEqual(out.returncode, EXIT_NOT_FOUND)
        self.assertIn("zerobuffer: BufferNotFound: ", out.stderr)

    def test_a_second_reader_of_a_name_is_refused(self):
        name = self.name("busy")
        self.start_reader(name)
        out = cli("read", name)
        self.assertEqual(out.returncode, EXIT_BUSY)
        self.assertIn("ReaderAlreadyConnected", out.stderr)

    def test_write_needs_exactly_one_framing(self):
        out = cli("write", "x", stdin="")
        self.assertEqual(out.returncode, EXIT_USAGE)
        self.assertIn("--frame-size", out.stderr)

    def test_sigterm_makes_read_remove_its_buffer(self):
        name = self.name("sigterm")
        reader = self.start_reader(name)
        reader.terminate()
        reader.communicate(timeout=10)
        self.assertEqual(reader.returncode, 130)
        self.assertFalse(os.path.exists(f"/dev/shm/{name}"))


if __name__ == "__main__":
    unittest.main()
