"""The two-terminal video demo of docs/cli.md, run as one pipeline pair."""

import os
import subprocess
import sys
import unittest

from cli_support import CLI, CliTestCase, EXIT_OK

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "zerobuffer", "cpp", "tools", "video_demo.py")


class VideoDemo(CliTestCase):
    def test_twenty_1080p_frames_reach_the_sink(self):
        name = self.name("video")
        # terminal 1: zerobuffer read NAME --format len-prefixed ... | video_demo.py sink
        reader = subprocess.Popen([CLI, "read", name, "--format", "len-prefixed", "--payload-size", "67108864"],
                                  stdout=subprocess.PIPE)
        sink = subprocess.Popen([sys.executable, DEMO, "sink"], stdin=reader.stdout, stdout=subprocess.PIPE,
                                text=True)
        reader.stdout.close()
        # terminal 2: video_demo.py source | zerobuffer write NAME --len-prefixed
        source = subprocess.Popen([sys.executable, DEMO, "source", "--fps", "100", "--frames", "20"],
                                  stdout=subprocess.PIPE)
        writer = subprocess.run([CLI, "write", name, "--len-prefixed"], stdin=source.stdout, capture_output=True,
                                timeout=120)
        source.stdout.close()
        self.assertEqual(source.wait(timeout=30), EXIT_OK)
        self.assertEqual(writer.returncode, EXIT_OK, writer.stderr)
        out, _ = sink.communicate(timeout=60)
        self.assertEqual(reader.wait(timeout=30), EXIT_OK)
        self.assertEqual(sink.returncode, EXIT_OK)
        self.assertEqual(out.splitlines()[-1], "received 20 frames")


if __name__ == "__main__":
    unittest.main()
