"""Precompressed copies of the site's text files, so the web server compresses nothing.

Beside every HTML, CSS, JavaScript, JSON, SVG and XML file the build writes the same file
gzipped (`x.html` -> `x.html.gz`), which nginx's gzip_static sends to browsers that accept
it (server/vagledning.conf). The bytes depend only on the file (no name or date in the gzip
header), so equal builds stay byte-identical; a file unchanged since the previous build
keeps its .gz from there instead of being compressed again.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

SUFFIXES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}
MIN_SIZE = 256  # smaller files gain nothing from compression


def precompress(site_dir: Path, previous: Path | None = None) -> int:
    """Write x.gz beside each compressible file of site_dir; return how many were compressed anew.

    `previous` is the last build's site folder: files equal to theirs reuse their .gz."""
    compressed = 0
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        data = path.read_bytes()
        target = path.with_name(path.name + ".gz")
        if len(data) < MIN_SIZE:
            target.unlink(missing_ok=True)
            continue
        if previous is not None:
            old = previous / path.relative_to(site_dir)
            old_gz = old.with_name(old.name + ".gz")
            if old_gz.is_file() and old.is_file() and old.read_bytes() == data:
                shutil.copyfile(old_gz, target)
                continue
        target.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        compressed += 1
    return compressed
