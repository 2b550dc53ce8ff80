"""`zerobuffer clean`: removes the stale buffer (the library's rule), nothing else."""

import os
import unittest

from cli_support import CliTestCase, EXIT_OK, cli, cli_json


def objects_exist(name):
    return [os.path.exists(p) for p in
            (f"/dev/shm/{name}", f"/dev/shm/sem.sem-w-{name}", f"/dev/shm/sem.sem-r-{name}")]


class Clean(CliTestCase):
    def setUp(self):
        super().setUp()
        self.lock_dir = os.environ["ZEROBUFFER_LOCK_DIR"]
        # The live buffer first: creating a reader runs the stale cleanup itself.
        self.live = self.name("live")
        self.serve().call("createReader", name=self.live, metadataSize=0, payloadSize=1024)
        self.stale = self.name("stale")
        killed = self.serve()
        killed.call("createReader", name=self.stale, metadataSize=0, payloadSize=1024)
        killed.kill()
        self.foreign = self.name("foreign")
        with open(f"/dev/shm/{self.foreign}", "wb") as f:
            f.write(bytes(256))

    def lock_exists(self, name):
        return os.path.exists(os.path.join(self.lock_dir, name + ".lock"))

    def test_dry_run_reports_the_stale_buffer_and_removes_nothing(self):
        code, report = cli_json("clean", "--dry-run")
        self.assertEqual(code, EXIT_OK)
        self.assertTrue(report["dry_run"])
        self.assertIn({"name": self.stale, "objects_removed": True}, report["stale"])
        self.assertNotIn(self.live, [s["name"] for s in report["stale"]])
        self.assertEqual(objects_exist(self.stale), [True, True, True])
        self.assertTrue(self.lock_exists(self.stale))

    def test_clean_removes_only_the_stale_buffer(self):
        out = cli("clean")
        self.assertEqual(out.returncode, EXIT_OK, out.stderr)
        self.assertIn(f"removed {self.stale}: shared memory, semaphores and lock file", out.stdout)
        self.assertNotIn(self.live, out.stdout)
        self.assertEqual(objects_exist(self.stale), [False, False, False])
        self.assertFalse(self.lock_exists(self.stale))
        self.assertEqual(objects_exist(self.live), [True, True, True])
        self.assertTrue(self.lock_exists(self.live))
        self.assertEqual(self.listed(self.live)["state"], "idle")
        self.assertTrue(os.path.exists(f"/dev/shm/{self.foreign}"))
        code, again = cli_json("clean")
        self.assertNotIn(self.stale, [s["name"] for s in again["stale"]])

    def test_a_stale_buffer_whose_writer_lives_keeps_its_objects(self):
        name = self.name("writer-lives")
        reader = self.serve()
        reader.call("createReader", name=name, metadataSize=0, payloadSize=1024)
        self.serve().call("connectWriter", name=name, timeoutMs=5000)
        reader.kill()
        out = cli("clean")
        self.assertIn(f"removed {name}: lock file only", out.stdout)
        self.assertEqual(objects_exist(name), [True, True, True])
        self.assertFalse(self.lock_exists(name))


if __name__ == "__main__":
    unittest.main()
