"""Files the build keeps between runs (in build/), each written whole or not at all.

A file is written under a temporary name in the same folder and then renamed into place, so a
reader, another build running at the same time, or a build killed half-way never sees half a
file. The caches key their files by a hash of everything the content depends on, so a file is
never changed in place: test copies of the project share them by hard links.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def keep(path: Path, data: bytes) -> None:
    """write_atomic for a cache: one that cannot be written (a read-only project, a full disk)
    only makes the next build slower."""
    try:
        write_atomic(path, data)
    except OSError:
        pass


def read(path: Path) -> bytes | None:
    """A cache file's bytes, or None when it is not there (or was removed meanwhile)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def drop_older(path: Path, name: str) -> None:
    """For caches of one file per name (<name>-<sha256><suffix>): remove that name's other
    files beside path. Only exact names: "skola" never removes "skola-rutiner-…"."""
    entry = re.compile(re.escape(name) + r"-[0-9a-f]{64}" + re.escape(path.suffix))
    for old in path.parent.glob(f"{name}-*{path.suffix}"):
        if old != path and entry.fullmatch(old.name):
            with contextlib.suppress(OSError):  # a read-only cache is only slower
                old.unlink(missing_ok=True)
