"""`guide editor-config`: the editor for an organisation's own GitHub or GitLab, as a folder to
put on a web address of its own (see README, "Publicera på organisationens egen git-server").

The folder holds the same editor page, Swedish texts and styles as `guide edit`
(edit_server.ADMIN_PAGE, ADMIN_SCRIPT, ADMIN_STYLE), config.yml from editor.host_config (the same
collections as `guide edit`, Decap's git backend with the editorial workflow) and Decap itself
(node_modules/decap-cms/dist, its scripts without source maps).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from generator.commands.editor import host_config


def write_admin(root: Path, out: Path, host: str, repo: str, branch: str = "main", app_id: str | None = None,
                base_url: str | None = None, api_root: str | None = None, edition: str | None = None) -> Path:
    from generator.commands.edit_server import ADMIN_PAGE, ADMIN_SCRIPT, ADMIN_STYLE, DECAP_DIST

    config = host_config(root, host, repo, branch=branch, app_id=app_id, base_url=base_url, api_root=api_root,
                         edition=edition)
    if not (DECAP_DIST / "decap-cms.js").is_file():
        raise FileNotFoundError(f"Decap CMS saknas i {DECAP_DIST}: kör \"make edit\" en gång (den installerar den).")
    out.mkdir(parents=True, exist_ok=True)
    for script in DECAP_DIST.glob("*.js"):
        shutil.copyfile(script, out / script.name)
    files = {"index.html": ADMIN_PAGE, "editor.js": ADMIN_SCRIPT, "editor.css": ADMIN_STYLE,
             "config.yml": yaml.safe_dump(config, allow_unicode=True, sort_keys=False)}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return out
