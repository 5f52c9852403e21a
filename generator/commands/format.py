"""`guide format`: every content file (the local editions' too) in the shape the editor (Decap CMS) writes.

Decap reads a file, drops its comments, and writes it back with the `yaml` npm package's
defaults (block lists, long texts folded at 80 columns) and the top-level keys in the order of
the configured fields. A file already in that shape comes back unchanged except for what the
maintainer edited, so a one-field edit gives a one-field diff. This module puts files in that
shape mechanically: keys in the model's field order at every level (Decap keeps nested keys in
the order it read them, so the files stay in model order), then the same writer Decap uses
(yaml_style.cjs, run with Node from the project's node_modules).
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML

from generator.commands.editor import fields_in_order, item_type
from generator.content.edition import content_kind, edition_files
from generator.content.load import Problem, _parse_yaml, _plain, content_files

WRITER = Path(__file__).with_name("yaml_style.cjs")
CODE_ROOT = Path(__file__).resolve().parents[2]


class FormatError(Exception):
    pass


def in_model_order(data: Any, kind: Any) -> Any:
    """`data` with every mapping's keys in the order of its model's fields (unknown keys last)."""
    if isinstance(data, list):
        return [in_model_order(item, kind) for item in data]
    if isinstance(data, dict):
        fields = dict(fields_in_order(kind)) if isinstance(kind, type) and issubclass(kind, BaseModel) else {}
        keys = [k for k in fields if k in data] + [k for k in data if k not in fields]
        return {str(k): in_model_order(data[k], item_type(fields[k].annotation)[0] if k in fields else None)
                for k in keys}
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data


def editor_shape(files: dict[str, Any]) -> dict[str, str]:
    """{name: data} -> {name: YAML text as the editor writes it}."""
    try:
        result = subprocess.run(["node", str(WRITER)], input=json.dumps(list(files.items()), ensure_ascii=False),
                                capture_output=True, text=True, encoding="utf-8", cwd=CODE_ROOT, check=True,
                                timeout=60)
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        raise FormatError("Kunde inte köra Node.js med paketet yaml (kör \"npm ci\" i projektets mapp): "
                          f"{getattr(err, 'stderr', '') or err}") from err
    return json.loads(result.stdout)


def shaped(root: Path, paths: list[Path] | None = None) -> dict[Path, tuple[str, str]]:
    """Every content file (or those in `paths`): (its text now, its text in the editor's shape)."""
    data: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for path in content_files(root) + edition_files(root) if paths is None else paths:
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        try:
            raw = YAML(typ="safe").load(text)
        except Exception as err:  # noqa: BLE001
            raise FormatError(f"{rel}: filen går inte att läsa, rätta den först ({err}).") from err
        texts[rel] = text
        data[rel] = in_model_order(_plain(raw), content_kind(rel))  # text as the loader reads it (clean_text)
    written = editor_shape(data)
    return {root / rel: (texts[rel], written[rel]) for rel in texts}


def format_files(root: Path, check_only: bool = False, paths: list[Path] | None = None) -> list[str]:
    """Rewrite (or with check_only, just list) the files not yet in the editor's shape."""
    changed = []
    for path, (now, wanted) in shaped(root, paths).items():
        if now != wanted:
            changed.append(path.relative_to(root).as_posix())
            if not check_only:
                write_atomic(path, wanted)
    return changed


def shape_text(rel: str, text: str) -> str:
    """The YAML text `text` (as the editor sent it for the file `rel`) in the editor's shape:
    what a save writes, formatted from the data it was sent (never from the file on disk).
    Text the loader could not read (no YAML, anchors and aliases, nesting past its limit, no
    mapping) is refused with the loader's own message."""
    problems: list[Problem] = []
    raw = _parse_yaml(text, rel, problems)
    if raw is None:
        where = f", rad {problems[0].line}" if problems and problems[0].line > 1 else ""
        raise FormatError(f"{rel}{where}: {problems[0].message if problems else 'filen är tom.'}")
    try:
        return editor_shape({rel: in_model_order(_plain(raw), content_kind(rel))})[rel]
    except (TypeError, ValueError) as err:  # a value JSON cannot carry (a YAML tag of its own)
        raise FormatError(f"{rel}: ett värde går inte att spara ({err}). Skriv det som vanlig text.") from err


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a temporary file beside it (hidden, so that the
    loader never takes it for content), flushed to disk, then renamed into place. A reader sees
    the old file or the new one, never half of one; a symbolic link at `path` is replaced, not
    followed. The file keeps its permissions (a new one gets 0644, as git checks files out)."""
    try:
        mode = path.stat().st_mode & 0o777 if not path.is_symlink() else 0o644
    except FileNotFoundError:
        mode = 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
