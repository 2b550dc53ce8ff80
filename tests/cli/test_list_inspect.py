"""`zerobuffer list` and `inspect` on buffers created by each port, stale and corrupt buffers."""

import os
import random
import signal
import unittest

from cli_support import (CliTestCase, EXIT_CORRUPT, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, METADATA_SIZE,
                         METADATA_WRITTEN, OIEB_SIZE, PAYLOAD_SIZE, SERVES, VERSION, cli, cli_json, poke,
                         poke_u64, wait_until)


class ListAndInspectEachPort(CliTestCase):
    def test_a_buffer_of_each_port_is_listed_and_inspected(self):
        for port in SERVES:
            with self.subTest(port=port):
                name = self.name(port)
                owner = self.serve(port)
                created = owner.call("createReader", name=name, metadataSize=100, payloadSize=5000)
                writer = self.serve("cpp")
                writer.call("connectWriter", name=name, timeoutMs=5000)
                writer.call("setMetadata", text="camera-7")
                writer.call("writeFrames", size=300, count=2)

                entry = self.listed(name)
                self.assertIsNotNone(entry, f"{name} missing from list")
                self.assertEqual(entry["state"], "active")
                self.assertEqual(entry["metadata_size"], 128)
                self.assertEqual(entry["payload_size"], 5056)
                self.assertEqual(entry["reader_pid"], created["pid"])
                self.assertTrue(entry["reader_alive"])
                self.assertTrue(entry["writer_alive"])
                self.assertEqual(entry["written_count"], 2)
                self.assertEqual(entry["read_count"], 0)
                self.assertAlmostEqual(entry["fill_percent"], 100.0 * 2 * 316 / 5056, places=3)

                code, report = cli_json("inspect", name)
                self.assertEqual(code, EXIT_OK, report)
                self.assertEqual(report["warnings"], [])
                fields = {f["field"]: (f["offset"], f["value"]) for f in report["oieb"]}
                self.assertEqual(fields["oieb_size"], (0, 128))
                self.assertEqual(fields["payload_size"], (0x20, 5056))
                self.assertEqual(fields["reader_pid"], (0x58, created["pid"]))
                self.assertEqual(report["metadata"]["length"], len("camera-7"))
                self.assertEqual(bytes.fromhex(report["metadata"]["preview_hex"]), b"camera-7")
                frames = report["next_frames"]
                self.assertEqual([(f["kind"], f["payload_size"], f["sequence"]) for f in frames],
                                 [("frame", 300, 1), ("frame", 300, 2)])
                self.assertEqual(frames[1]["ring_offset"], 316)

                writer.close()
                entry = self.listed(name)
                self.assertEqual(entry["state"], "idle")
                self.assertFalse(entry["writer_alive"])

    def test_text_output_names_the_buffer_and_its_state(self):
        name = self.name("text")
        self.serve().call("createReader", name=name, metadataSize=0, payloadSize=1024)
        out = cli("list")
        self.assertEqual(out.returncode, EXIT_OK)
        line = next(l for l in out.stdout.splitlines() if l.startswith(name))
        self.assertIn(" idle ", line)
        out = cli("inspect", name, "--hex")
        self.assertEqual(out.returncode, EXIT_OK, out.stderr)
        self.assertIn("0x20  payload_size             1024", out.stdout)
        self.assertIn("0000  80 00 00 00 01 00 00 00", out.stdout)

    def test_inspect_of_a_missing_buffer_says_buffer_not_found(self):
        out = cli("inspect", "zbcli-no-such-buffer")
        self.assertEqual(out.returncode, EXIT_NOT_FOUND)
        self.assertIn("BufferNotFound", out.stderr)

    def test_an_invalid_name_is_a_usage_error(self):
        out = cli("inspect", "bad/name")
        self.assertEqual(out.returncode, EXIT_USAGE)
        self.assertIn("InvalidName", out.stderr)


class StaleBuffers(CliTestCase):
    def test_a_buffer_whose_reader_was_killed_is_stale(self):
        name = self.name("stale")
        owner = self.serve()
        owner.call("createReader", name=name, metadataSize=0, payloadSize=1024)
        owner.kill()
        entry = self.listed(name)
        self.assertEqual(entry["state"], "stale")
        self.assertFalse(entry["reader_alive"])
        code, report = cli_json("inspect", name)
        self.assertEqual(code, EXIT_OK)
        self.assertEqual(report["state"], "stale")


class CorruptHeaders(CliTestCase):
    """The damage of scenarios/corrupt.json, seen by inspect: a warning and exit code 4."""

    def corrupted(self, tag, damage, with_frame=False, metadata=None):
        name = self.name(tag)
        owner = self.serve()
        owner.call("createReader", name=name, metadataSize=64, payloadSize=1024)
        if with_frame or metadata is not None:
            writer = self.serve()
            writer.call("connectWriter", name=name, timeoutMs=5000)
            if metadata is not None:
                writer.call("setMetadata", text=metadata)
            if with_frame:
                writer.call("writeFrames", size=10)
        damage(name)
        return name

    def assert_corrupt(self, name, state, words):
        code, report = cli_json("inspect", name)
        self.assertEqual(code, EXIT_CORRUPT, report)
        self.assertEqual(report["state"], state)
        self.assertTrue(any(words in w for w in report["warnings"]), report["warnings"])
        self.assertEqual(self.listed(name)["state"], state)
        text = cli("inspect", name)
        self.assertEqual(text.returncode, EXIT_CORRUPT)
        self.assertIn("warning: ", text.stdout)

    def test_sizes_that_do_not_fit_the_object(self):
        name = self.corrupted("sizes", lambda n: poke_u64(n, PAYLOAD_SIZE, 1 << 40))
        self.assert_corrupt(name, "corrupt", "exceeds the object's")

    def test_a_metadata_size_that_overflows(self):
        name = self.corrupted("overflow", lambda n: poke_u64(n, METADATA_SIZE, 2**64 - 64))
        self.assert_corrupt(name, "corrupt", "exceeds the object's")

    def test_a_major_version_of_2(self):
        name = self.corrupted("version", lambda n: poke(n, VERSION, bytes([2])))
        self.assert_corrupt(name, "incompatible", "IncompatibleVersion")

    def test_an_oieb_size_of_64(self):
        name = self.corrupted("oiebsize", lambda n: poke(n, OIEB_SIZE, (64).to_bytes(4, "little")))
        self.assert_corrupt(name, "incompatible", "oieb_size 64")

    def test_a_frame_header_claiming_2_to_the_40_bytes(self):
        name = self.corrupted("frame", lambda n: poke_u64(n, 128 + 64, 1 << 40), with_frame=True)
        self.assert_corrupt(name, "active", "claims 1099511627776 bytes")

    def test_a_metadata_length_beyond_what_was_written(self):
        name = self.corrupted("metalen", lambda n: poke_u64(n, 128, 1000), metadata="abc")
        self.assert_corrupt(name, "active", "metadata length prefix 1000")

    def test_metadata_written_bytes_beyond_the_block(self):
        name = self.corrupted("metawritten", lambda n: poke_u64(n, METADATA_WRITTEN, 65))
        self.assert_corrupt(name, "corrupt", "metadata_written_bytes 65")

    def test_random_headers_never_crash_inspect_or_list(self):
        name = self.corrupted("random", lambda n: None, with_frame=True)
        rng = random.Random(1234)
        for round_ in range(25):
            # Keep oieb_size/version plausible half of the time so the deeper checks run too.
            header = bytearray(rng.randbytes(128))
            if round_ % 2 == 0:
                header[0:8] = bytes([128, 0, 0, 0, 1, 0, 0, 0])
                for offset in (METADATA_SIZE, PAYLOAD_SIZE):
                    header[offset:offset + 8] = (rng.choice([0, 64, 1024, 1 << 40, 2**64 - 64])).to_bytes(8, "little")
            poke(name, 0, bytes(header))
            out = cli("inspect", name, "--json", "--hex")
            self.assertIn(out.returncode, (EXIT_OK, EXIT_CORRUPT), out.stderr)
            self.assertEqual(out.stderr, "")
            listed = cli("list", "--json")
            self.assertEqual(listed.returncode, EXIT_OK, listed.stderr)

    def test_an_object_that_is_not_a_buffer_is_foreign(self):
        name = self.name("foreign")
        with open(f"/dev/shm/{name}", "wb") as f:
            f.write(b"not a zerobuffer object at all, just bytes" * 10)
        self.assert_corrupt(name, "foreign", "semaphores do not exist")
        small = self.name("small")
        with open(f"/dev/shm/{small}", "wb") as f:
            f.write(b"tiny")
        self.assert_corrupt(small, "foreign", "less than the 128-byte OIEB")


if __name__ == "__main__":
    unittest.main()
