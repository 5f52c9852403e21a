"""A no-op `guide build`: is the site already built from exactly the inputs there are now?

A fingerprint of everything a build reads (content, hand-written pages and assets, theme
overrides, mkdocs.yml, the generator itself, the installed packages) is kept with the name
and identity of the site folder it built. When both still match, there is nothing to do, the
zip file included. Only the standard library is imported, so the check itself costs a few
hundredths of a second (the rest of the generator takes half a second to import).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

INPUTS = ("guidance", "checklists", "utgavor", "docs", "overrides", "mkdocs.yml")
GENERATOR = Path(__file__).resolve().parent.parent
STAMPS = Path("build/stamps")  # one file per site folder built


def _stamp_file(root: Path, site_dir: Path) -> Path:
    return root / STAMPS / f"{hashlib.sha256(str(site_dir).encode()).hexdigest()[:16]}.json"


def fingerprint(root: Path) -> str:
    """A hash of every file a build reads, and of the installed packages' names and versions."""
    digest = hashlib.sha256()
    for base in [root / name for name in INPUTS] + [GENERATOR]:
        files = [base] if base.is_file() else sorted(
            p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            digest.update(f"{path.relative_to(base.parent).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    for folder in sorted({p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}):
        digest.update("\0".join(sorted(n for n in os.listdir(folder) if n.endswith(".dist-info"))).encode())
    return digest.hexdigest()


def up_to_date(root: Path, site_dir: Path, key: str | None = None) -> bool:
    """Whether site_dir is what the last build made, from the inputs there are now."""
    try:
        stamp = json.loads(_stamp_file(root, site_dir).read_text(encoding="utf-8"))
        return stamp == _stamp(site_dir, key or fingerprint(root))
    except (OSError, ValueError):
        return False


def record(root: Path, site_dir: Path, key: str) -> None:
    """Remember that site_dir was built from the inputs with this fingerprint."""
    path = _stamp_file(root, site_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_stamp(site_dir, key)), encoding="utf-8")


def forget(root: Path, site_dir: Path) -> None:
    _stamp_file(root, site_dir).unlink(missing_ok=True)


def _stamp(site_dir: Path, key: str) -> dict:
    info = site_dir.stat()  # a new folder (each build swaps one in) or one touched since: build again
    return {"inputs": key, "site": str(site_dir), "folder": [info.st_ino, info.st_mtime_ns]}
