"""The package as pip builds it: the in-tree, standard-library-only build backend."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

from zb_support import LIBRARY_DIR


def backend():  # type: ignore[no-untyped-def]
    sys.path.insert(0, os.path.join(LIBRARY_DIR, "build_backend"))
    try:
        return importlib.import_module("zerobuffer_build")
    finally:
        sys.path.pop(0)


class PackageTest(unittest.TestCase):
    def test_build_needs_nothing_to_download(self) -> None:
        self.assertEqual(backend().get_requires_for_build_wheel(), [])

    def test_wheel_holds_the_package_py_typed_and_a_complete_record(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            name = backend().build_wheel(directory)
            self.assertEqual(name, "zerobuffer-1.0.0-py3-none-any.whl")
            with zipfile.ZipFile(os.path.join(directory, name)) as wheel:
                names = set(wheel.namelist())
                record = wheel.read("zerobuffer-1.0.0.dist-info/RECORD").decode()
                metadata = wheel.read("zerobuffer-1.0.0.dist-info/METADATA").decode()
        self.assertTrue({"zerobuffer/__init__.py", "zerobuffer/_posix.py", "zerobuffer/py.typed"} <= names)
        self.assertFalse(any("__pycache__" in n for n in names))
        self.assertEqual({line.split(",")[0] for line in record.splitlines()}, names)
        self.assertIn("Requires-Python: >=3.11", metadata)

    def test_installed_wheel_imports_without_the_source_tree(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            name = backend().build_wheel(directory)
            with zipfile.ZipFile(os.path.join(directory, name)) as wheel:
                wheel.extractall(os.path.join(directory, "site"))
            done = subprocess.run(
                [sys.executable, "-c", "import zerobuffer; print(zerobuffer.__file__, zerobuffer.Reader)"],
                capture_output=True,
                text=True,
                cwd=directory,
                env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.path.join(directory, "site")},
                timeout=30,
            )
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn(os.path.join(directory, "site"), done.stdout)

    def test_sdist_holds_what_a_build_needs(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            name = backend().build_sdist(directory)
            with tarfile.open(os.path.join(directory, name)) as sdist:
                names = set(sdist.getnames())
        for member in ("PKG-INFO", "pyproject.toml", "build_backend/zerobuffer_build.py", "zerobuffer/py.typed"):
            self.assertIn(f"zerobuffer-1.0.0/{member}", names)


if __name__ == "__main__":
    unittest.main()
