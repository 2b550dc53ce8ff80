"""A minimal PEP 517 / PEP 660 build backend, standard library only.

zerobuffer has no dependencies, and neither has its build: `pip install ./zerobuffer/python`
works without downloading a build system (setuptools would have to come from a package index).
The backend packs the `zerobuffer` package into a pure-Python wheel described by the
[project] table of pyproject.toml.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import tomllib
import zipfile
from typing import Any, Optional

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGE = "zerobuffer"


def _project() -> dict[str, Any]:
    with open(os.path.join(_ROOT, "pyproject.toml"), "rb") as file:
        return tomllib.load(file)["project"]  # type: ignore[no-any-return]


def _dist_name() -> str:
    project = _project()
    return f"{project['name']}-{project['version']}"


def _metadata() -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project['description']}",
        f"Requires-Python: {project['requires-python']}",
    ]
    lines += [f"Classifier: {classifier}" for classifier in project.get("classifiers", [])]
    readme = os.path.join(_ROOT, project.get("readme", "README.md"))
    body = ""
    if os.path.exists(readme):
        lines.append("Description-Content-Type: text/markdown")
        with open(readme, encoding="utf-8") as file:
            body = "\n" + file.read()
    return "\n".join(lines) + "\n" + body


def _package_files() -> list[tuple[str, str]]:
    """(path in the archive, path on disk) of every file of the package."""
    files = []
    package_dir = os.path.join(_ROOT, _PACKAGE)
    for directory, subdirs, names in os.walk(package_dir):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".typed")):
                path = os.path.join(directory, name)
                files.append((os.path.relpath(path, _ROOT).replace(os.sep, "/"), path))
    return files


def _write_wheel(wheel_directory: str, contents: list[tuple[str, bytes]]) -> str:
    dist = _dist_name()
    info = f"{dist}.dist-info"
    contents = contents + [
        (f"{info}/METADATA", _metadata().encode("utf-8")),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: zerobuffer_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/top_level.txt", f"{_PACKAGE}\n".encode()),
    ]
    record = []
    for path, data in contents:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    contents.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))

    filename = f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in contents:
            wheel.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return filename


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def get_requires_for_build_wheel(config_settings: Optional[dict[str, Any]] = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict[str, Any]] = None) -> list[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict[str, Any]] = None) -> list[str]:
    return []


def build_wheel(
    wheel_directory: str, config_settings: Optional[dict[str, Any]] = None, metadata_directory: Optional[str] = None
) -> str:
    return _write_wheel(wheel_directory, [(arcname, _read(path)) for arcname, path in _package_files()])


def build_editable(
    wheel_directory: str, config_settings: Optional[dict[str, Any]] = None, metadata_directory: Optional[str] = None
) -> str:
    """An editable install: a .pth file that puts this source directory on sys.path."""
    return _write_wheel(wheel_directory, [(f"_{_PACKAGE}_editable.pth", (_ROOT + "\n").encode())])


def build_sdist(sdist_directory: str, config_settings: Optional[dict[str, Any]] = None) -> str:
    dist = _dist_name()
    filename = f"{dist}.tar.gz"
    members = [(arcname, path) for arcname, path in _package_files()]
    for extra in ("pyproject.toml", "README.md", "build_backend/zerobuffer_build.py"):
        members.append((extra, os.path.join(_ROOT, extra)))
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        pkg_info = _metadata().encode("utf-8")
        info = tarfile.TarInfo(f"{dist}/PKG-INFO")
        info.size = len(pkg_info)
        sdist.addfile(info, io.BytesIO(pkg_info))
        for arcname, path in members:
            sdist.add(path, arcname=f"{dist}/{arcname}")
    return filename
