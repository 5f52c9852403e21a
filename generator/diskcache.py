"""Files the build keeps between runs (in build/), each written whole or not at all.

A file is written under a temporary name in the same folder and then renamed into place, so a
reader, another build running at the same time, or a build killed half-way never sees half a
file. The caches key their files by a hash of everything the content depends on, so a file is
never changed in place: test copies of the project share them by hard links.

`Cache` is the one way the caches of rendered things (parsed YAML, print HTML, PDFs, the
engine's page renders) name, read, write and prune their entries. Every key starts with the
version of the code that produces the entry: the source of the generator's modules that make
it and the installed versions of the packages they call. A changed generator or library makes
new entries; the old ones are pruned, never read.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from types import ModuleType


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


def code_version(code: Iterable[ModuleType | str]) -> str:
    """A hash of the code that makes a cache's entries: each module's source file, and each
    named distribution's installed version."""
    return _code_version(tuple(c.__file__ if isinstance(c, ModuleType) else f"dist:{c}" for c in code))


@functools.lru_cache(maxsize=None)
def _code_version(parts: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if part.startswith("dist:"):
            digest.update(f"{part} {version(part[5:])}\0".encode())
        else:
            digest.update(Path(part).name.encode() + b"\0" + Path(part).read_bytes())
    return digest.hexdigest()


def entry_name(text: str) -> str:
    """A name for an entry from any text (a file's path): a-z, 0-9 and -, with a short hash, so
    that two texts never share a name."""
    plain = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]
    return f"{plain}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


class Cache:
    """A folder of entries named <name>-<key><suffix>, one per name: writing a name's new entry
    removes its older ones, and `prune()` removes the entries of names a whole run did not use
    (a file or page that is gone)."""

    def __init__(self, folder: Path, suffix: str, code: Iterable[ModuleType | str]):
        self.folder, self.suffix = folder, suffix
        self.version = code_version(code)
        self.used: set[str] = set()
        self._entry = re.compile(r"(?P<name>[a-z0-9-]+)-[0-9a-f]{64}" + re.escape(suffix))

    def key(self, *inputs: str | bytes) -> str:
        """The key of an entry made from `inputs` by this cache's code."""
        digest = hashlib.sha256(self.version.encode())
        for part in inputs:
            digest.update(b"\0" + (part if isinstance(part, bytes) else part.encode("utf-8")))
        return digest.hexdigest()

    def entry(self, name: str, key: str) -> Path:
        """Where the entry for `name` with `key` is (whether it is there or not); the name counts
        as used by this run."""
        if not re.fullmatch(r"[a-z0-9-]+", name):
            raise ValueError(f"cache entry name {name!r}: a-z, 0-9 and - only")
        self.used.add(name)
        return self.folder / f"{name}-{key}{self.suffix}"

    def path(self, name: str, *inputs: str | bytes) -> Path:
        return self.entry(name, self.key(*inputs))

    def read(self, path: Path) -> bytes | None:
        return read(path)

    def write(self, path: Path, data: bytes, required: bool = False) -> None:
        """Keep an entry (a cache that cannot be written is only slower, unless `required`)
        and remove its name's older entries."""
        if required:
            write_atomic(path, data)
        else:
            keep(path, data)
        drop_older(path, path.name[: -len(self.suffix) - 65])

    def prune(self, mine: Callable[[str], bool] = lambda name: True) -> None:
        """Remove every entry whose name this run did not use, and files of an older format.
        `mine`: the names this run answers for (a run that makes part of a cache's entries)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            match = self._entry.fullmatch(path.name)
            if path.name.startswith("."):
                continue
            if match is None or (match.group("name") not in self.used and mine(match.group("name"))):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
