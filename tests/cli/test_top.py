"""`zerobuffer top --json`: rates from the OIEB counters while a writer streams."""

import json
import subprocess
import threading
import unittest

from cli_support import (CLI, CliTestCase, EXIT_CORRUPT, EXIT_NOT_FOUND, EXIT_OK, PAYLOAD_SIZE, cli, poke_u64, stop,
                         wait_until)


class Top(CliTestCase):
    def test_json_lines_show_a_rate_while_a_writer_streams(self):
        name = self.name("top")
        reader = subprocess.Popen([CLI, "read", name], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        self.addCleanup(stop, reader)
        writer = subprocess.Popen([CLI, "write", name, "--frame-size", "1000"], stdin=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.addCleanup(stop, writer)
        done = threading.Event()

        def stream():
            chunk = bytes(1000)
            try:
                while not done.is_set():
                    writer.stdin.write(chunk)
                    writer.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

        feeder = threading.Thread(target=stream)
        feeder.start()
        try:
            wait_until(lambda: (self.listed(name) or {}).get("written_count", 0) > 0, what="the first frame")
            top = cli("top", name, "--json", "--interval", "300", "--count", "3", timeout=30)
        finally:
            done.set()
            feeder.join(timeout=10)
            writer.communicate(timeout=10)
        self.assertEqual(top.returncode, EXIT_OK, top.stderr)
        lines = [json.loads(l) for l in top.stdout.splitlines()]
        self.assertEqual(len(lines), 3)
        for line in lines:
            self.assertEqual(line["name"], name)
            self.assertTrue(line["reader_alive"])
            for key in ("time", "frames_per_s", "mb_per_s", "fill_percent", "writer_alive", "state"):
                self.assertIn(key, line)
        streaming = [l for l in lines if l["frames_per_s"] > 0 and l["writer_alive"]]
        self.assertTrue(streaming, lines)
        for line in streaming:
            # Each 1000-byte frame advances the write position by 1016 bytes (16-byte header).
            expected_mb = line["frames_per_s"] * 1016 / 1e6
            self.assertGreater(line["mb_per_s"], 0.5 * expected_mb, line)
            self.assertLess(line["mb_per_s"], 1.5 * expected_mb, line)
        _, err = reader.communicate(timeout=10)
        self.assertEqual(reader.returncode, EXIT_OK, err)

    def test_top_of_a_missing_buffer_says_buffer_not_found(self):
        out = cli("top", "zbcli-missing-top", "--count", "1")
        self.assertEqual(out.returncode, EXIT_NOT_FOUND)
        self.assertIn("BufferNotFound", out.stderr)

    def test_top_of_a_corrupt_buffer_says_corrupt(self):
        name = self.name("top-corrupt")
        self.serve().call("createReader", name=name, metadataSize=0, payloadSize=1024)
        poke_u64(name, PAYLOAD_SIZE, 1 << 40)
        out = cli("top", name, "--count", "1")
        self.assertEqual(out.returncode, EXIT_CORRUPT)
        self.assertIn("zerobuffer: Corrupt: ", out.stderr)


if __name__ == "__main__":
    unittest.main()
