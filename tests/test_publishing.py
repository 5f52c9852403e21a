"""Publishing for real (issue 25): the CI pipelines for an organisation's own GitHub and GitLab, and
the editor's configuration for Decap's github and gitlab backends.

The pipelines are checked offline against the schemas GitHub and GitLab publish (check-jsonschema
ships them: vendor.github-workflows, vendor.gitlab-ci), and for what they must do: run `make test`
everywhere, and only on the main branch build the site with `make site` and publish site/. The
hosted editor's configuration comes from the same editor_config as `guide edit`'s, and real
Decap in Chromium must take it without a configuration error.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from generator.commands.editor import editor_config, host_config

GITHUB = ROOT / ".github" / "workflows" / "publish.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
CHECK = Path(sys.executable).parent / "check-jsonschema"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _check(schema: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK), "--builtin-schema", schema, str(path)], capture_output=True, text=True)


@pytest.mark.parametrize("schema, path", [("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)])
def test_the_pipelines_match_their_published_schemas(schema, path, tmp_path):
    result = _check(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr
    # the check can fail: the same file with a job that names no way to run
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    broken = tmp_path / path.name
    if "jobs" in data:
        data["jobs"]["test"].pop("runs-on")
    else:
        data["test"]["script"] = {"make": "test"}
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _check(schema, broken).returncode != 0


def test_the_readmes_edition_matrices_match_the_published_schemas(tmp_path):
    """The README's examples that build each local edition as one job of a matrix (GitHub
    Actions, GitLab CI) are whole pipelines that the hosts would accept."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Lokala utgåvor"):readme.index("## För utvecklare")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    kinds = {"vendor.github-workflows": [b for b in blocks if "jobs:" in b],
             "vendor.gitlab-ci": [b for b in blocks if "parallel:" in b]}
    for schema, found in kinds.items():
        assert len(found) == 1, schema
        path = tmp_path / f"{schema}.yml"
        path.write_text(found[0], encoding="utf-8")
        assert "--utgava" in found[0] and "matrix" in found[0]
        result = _check(schema, path)
        assert result.returncode == 0, result.stdout + result.stderr


def _github() -> dict:
    data = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_github_tests_everything_and_publishes_the_site_from_main_only():
    data = _github()
    assert set(data["on"]) >= {"push", "pull_request"} and data["on"]["push"]["branches"] == ["main"]
    assert data["permissions"] == {"contents": "read"}
    test, publish = data["jobs"]["test"], data["jobs"]["publish"]
    assert [s["run"] for s in test["steps"] if s.get("run", "").startswith("make")] == ["make test"]
    notes = next(s for s in test["steps"] if "guide changes" in s.get("run", ""))
    assert notes["if"] == "github.event_name == 'pull_request'" and "github.base_ref" in notes["run"]
    assert publish["needs"] == "test"
    assert "refs/heads/main" in publish["if"] and "push" in publish["if"]
    assert [s["run"] for s in publish["steps"] if s.get("run", "").startswith("make")] == ["make site"]
    upload = next(s for s in publish["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "site/" and upload["with"]["if-no-files-found"] == "error"
    for job in (test, publish):  # Debian, as tools/system-deps.sh expects (apt, root)
        assert job["container"].startswith("debian:")


def test_gitlab_tests_everything_and_publishes_the_site_from_main_only():
    data = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    assert data["default"]["image"].startswith("debian:")
    assert data["test"]["script"] == ["make test"] and "rules" not in data["test"]
    assert data["publish"]["script"] == ["make site"]
    assert data["changes"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert any(line.startswith(".venv/bin/guide changes --since") for line in data["changes"]["script"])
    assert data["publish"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert data["publish"]["artifacts"]["paths"] == ["site/"]
    assert data["stages"].index(data["test"]["stage"]) < data["stages"].index(data["publish"]["stage"])


# --- the editor on an organisation's own git host -------------------------------------------------


@pytest.mark.parametrize("host", ["github", "gitlab"])
def test_host_configs_are_the_local_editor_with_the_hosts_backend(host):
    local = editor_config(ROOT)
    hosted = host_config(ROOT, host, "kommunen/vagledning", branch="main", app_id="abc123",
                         base_url="https://auth.kommunen.se")
    assert hosted["collections"] == local["collections"]
    assert hosted["publish_mode"] == "editorial_workflow"
    backend = hosted["backend"]
    assert backend["name"] == host and backend["repo"] == "kommunen/vagledning" and backend["branch"] == "main"
    assert "proxy_url" not in backend
    if host == "gitlab":
        assert backend["auth_type"] == "pkce" and backend["app_id"] == "abc123"
    else:
        assert backend["base_url"] == "https://auth.kommunen.se"
    for bad in ("kommunen", "../x/y", "-x/y", "a b/c", "a/b.git", "a/..", "a/b\nc", "https://github.com/a/b",
                *(["a/b/c"] if host == "github" else [])):
        with pytest.raises(ValueError):
            host_config(ROOT, host, bad)
    for branch in ("--all", "a..b", "", "a b"):
        with pytest.raises(ValueError):
            host_config(ROOT, host, "kommunen/vagledning", branch=branch)
    with pytest.raises(ValueError):
        host_config(ROOT, host, "kommunen/vagledning", base_url="http://auth.kommunen.se")


def test_a_host_config_for_an_edition_offers_that_editions_files_only():
    """`guide editor-config --utgava ID`: a municipality's maintainers edit their edition on their
    own git host, with the same collections as `guide edit --utgava ID`."""
    hosted = host_config(ROOT, "gitlab", "kommunen/vagledning", app_id="abc123", edition="exempelkommun")
    assert hosted["collections"] == editor_config(ROOT, edition="exempelkommun")["collections"]
    files = [f["file"] for c in hosted["collections"] for f in c.get("files", [])]
    assert files and all(f.startswith("utgavor/exempelkommun/") for f in files), files
    assert not any("folder" in c for c in hosted["collections"])
    with pytest.raises(ValueError, match="finns inte"):
        host_config(ROOT, "gitlab", "kommunen/vagledning", edition="finns-inte")
    with pytest.raises(ValueError, match="finns inte"):
        host_config(ROOT, "gitlab", "kommunen/vagledning", edition="../guidance")


@pytest.mark.parametrize("host, edition", [("github", None), ("gitlab", None), ("gitlab", "exempelkommun")])
def test_the_hosted_editor_opens_in_real_decap(host, edition, tmp_path, browser):
    """`guide editor-config` writes the admin folder; real Decap reads its configuration without a
    configuration error and offers the host's login, in Swedish."""
    out = tmp_path / "site" / "admin"
    subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(ROOT), "editor-config", "--host", host,
                    "--repo", "kommunen/vagledning", "--app-id", "abc123", "--out", str(out),
                    *(["--utgava", edition] if edition else [])], check=True, cwd=ROOT)
    assert yaml.safe_load((out / "config.yml").read_text(encoding="utf-8"))["backend"]["name"] == host
    assert not list(out.glob("*.map"))
    # served on an address of its own, as the README says (not with the public site: its
    # Content-Security-Policy rightly forbids what Decap needs)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context()
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(url) else None)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{url}/admin/")
        login = page.get_by_role("button", name=re.compile(f"Logga in med {'GitHub' if host == 'github' else 'GitLab'}"))
        login.wait_for(timeout=30_000)
        assert page.get_by_text("Konfigurationsfel").count() == 0
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert errors == [] and outside == []


# --- no silent changes on the git host either (guide changes, run for each merge or pull request) --


def test_guide_changes_refuses_a_content_change_without_a_change_note(tmp_path):
    root = tmp_path / "arkiv"
    (root / "guidance").mkdir(parents=True)
    (root / "checklists" / "paket").mkdir(parents=True)
    school = root / "guidance" / "skola.yml"
    school.write_text((ROOT / "guidance" / "skola.yml").read_text(encoding="utf-8"), encoding="utf-8")
    pack = next((ROOT / "checklists" / "paket").glob("*.yml"))
    (root / "checklists" / "paket" / pack.name).write_text(pack.read_text(encoding="utf-8"), encoding="utf-8")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="A", GIT_AUTHOR_EMAIL="a@kommun.se", GIT_COMMITTER_NAME="A", GIT_COMMITTER_EMAIL="a@kommun.se")

    def git(*args):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    def changes():
        return subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(root), "changes", "--since", "bas"],
                              capture_output=True, text=True, cwd=ROOT, env=env)

    git("init", "--quiet", "--initial-branch", "main")
    git("add", "--all")
    git("commit", "--quiet", "-m", "bas")
    git("tag", "bas")
    data = yaml.safe_load(school.read_text(encoding="utf-8"))
    # only the review date, and the meeting pack (it keeps no history): nothing to note
    data["granskad"] = "2026-01-02"
    school.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "checklists" / "paket" / pack.name).write_text(pack.read_text(encoding="utf-8") + "# x\n", encoding="utf-8")
    git("commit", "--quiet", "-am", "granskad")
    assert changes().returncode == 0
    # a change of the content without a new entry
    data["rubrik"] = "Skolan, omskriven"
    school.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git("commit", "--quiet", "-am", "tyst ändring")
    result = changes()
    assert result.returncode == 1
    assert "guidance/skola.yml har ingen ny ändring" in result.stderr and "rättelse" in result.stderr
    data.setdefault("ändringar", []).append({"datum": "2026-01-02", "ändring": "Rubriken är ändrad.", "typ": "större"})
    school.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git("commit", "--quiet", "-am", "med notis")
    result = changes()
    assert result.returncode == 0, result.stderr
    assert "(2)" in result.stdout
