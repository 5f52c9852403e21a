"""`guide schema`: a JSON Schema per kind of content file, for VS Code's YAML extension.

The schemas are the model's own (pydantic `model_json_schema`, by YAML key), so their titles
and Swedish descriptions are the editor's labels and hints. A value that names something
(`model.Ref`) says what it names (`x-reference`) and where those are; a site page can only be
one of the site's pages (an enum). A local edition's files (utgavor/<id>/) have theirs too
(utgava-*.json). .vscode/settings.json maps each file pattern (the model's
`pattern`) to its schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.content import model
from generator.content.edition import EDITION_KINDS, EDITIONS

KINDS = (*model.FILE_KINDS, *EDITION_KINDS)  # the national files, then a local edition's (utgavor/<id>/)

SCHEMA_DIR = Path("schemas")
VSCODE_SETTINGS = Path(".vscode/settings.json")


def file_schema(kind: type[BaseModel]) -> dict:
    schema = kind.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    _name_pages(schema)
    return schema


def _name_pages(node: Any) -> None:
    """A reference to a site page can only be one of the site's pages (known from the code, not
    the content): an enum, or with "#section" a pattern."""
    if isinstance(node, dict):
        if node.get(model.REFERENCE_KEYWORD) == model.PAGE:
            from generator.sitemap import PAGE_SLUGS

            if node.get(model.ANCHOR_KEYWORD):
                node["pattern"] = f"^({'|'.join(PAGE_SLUGS)})(#[a-z0-9-]+)?$"
            else:
                node["enum"] = list(PAGE_SLUGS)
        for value in node.values():
            _name_pages(value)
    elif isinstance(node, list):
        for value in node:
            _name_pages(value)


def write_schemas(root: Path, out: Path | None = None) -> list[Path]:
    """schemas/<name>.json for every kind of file; returns the paths written."""
    folder = out or root / SCHEMA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = folder / f"{file_key(kind)}.json"
        text = json.dumps(file_schema(kind), ensure_ascii=False, indent=2) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    if out is None:
        write_vscode_settings(root)
    return written


def write_vscode_settings(root: Path) -> Path:
    """Set `yaml.schemas` in .vscode/settings.json, keeping any other settings there."""
    path = root / VSCODE_SETTINGS
    settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    settings["yaml.schemas"] = vscode_mapping()
    text = json.dumps(settings, ensure_ascii=False, indent=2) + "\n"
    path.parent.mkdir(exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def file_key(kind: type[BaseModel]) -> str:
    """guidance/aktorer.yml -> aktorer; guidance/kontakter/*.yml -> kontakter; checklists/*.yml -> checklista;
    utgavor/*/kontakter.yml -> utgava-kontakter."""
    pattern = kind.pattern
    if pattern.startswith(f"{EDITIONS}/"):
        return f"utgava-{Path(pattern).stem}".replace("utgava-utgava", "utgava")
    if pattern.endswith("/*.yml"):
        return {"checklists": "checklista", "checklists/paket": "paket"}.get(
            pattern.removesuffix("/*.yml"), Path(pattern).parent.name)
    return Path(pattern).stem


def vscode_mapping(schema_dir: str = SCHEMA_DIR.as_posix()) -> dict[str, list[str]]:
    """The `yaml.schemas` setting: schema file -> the content files it describes."""
    mapping = {}
    for kind in KINDS:
        mapping[f"./{schema_dir}/{file_key(kind)}.json"] = [kind.pattern]
    return mapping
