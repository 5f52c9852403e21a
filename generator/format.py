"""`guide format`: every content file in the shape the editor (Decap CMS) writes.

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
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML

from .editor import fields_in_order, item_type
from .load import content_files, kind_for

WRITER = Path(__file__).with_name("yaml_style.cjs")
CODE_ROOT = Path(__file__).resolve().parent.parent


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
                                capture_output=True, text=True, encoding="utf-8", cwd=CODE_ROOT, check=True)
    except (OSError, subprocess.CalledProcessError) as err:
        raise FormatError("Kunde inte köra Node.js med paketet yaml (kör \"npm ci\" i projektets mapp): "
                          f"{getattr(err, 'stderr', '') or err}") from err
    return json.loads(result.stdout)


def shaped(root: Path, paths: list[Path] | None = None) -> dict[Path, tuple[str, str]]:
    """Every content file (or those in `paths`): (its text now, its text in the editor's shape)."""
    data: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for path in content_files(root) if paths is None else paths:
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        try:
            raw = YAML(typ="safe").load(text)
        except Exception as err:  # noqa: BLE001
            raise FormatError(f"{rel}: filen går inte att läsa, rätta den först ({err}).") from err
        texts[rel] = text
        data[rel] = in_model_order(raw, kind_for(rel))
    written = editor_shape(data)
    return {root / rel: (texts[rel], written[rel]) for rel in texts}


def format_files(root: Path, check_only: bool = False, paths: list[Path] | None = None) -> list[str]:
    """Rewrite (or with check_only, just list) the files not yet in the editor's shape."""
    changed = []
    for path, (now, wanted) in shaped(root, paths).items():
        if now != wanted:
            changed.append(path.relative_to(root).as_posix())
            if not check_only:
                path.write_text(wanted, encoding="utf-8")
    return changed
