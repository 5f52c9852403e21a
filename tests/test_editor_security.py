"""`guide edit` is safe to leave running (issue 20): every attack a web page, a DNS-rebinding
site or a malformed request can make is refused, and the project stays byte for byte as it was.

One real `guide edit` per module, on a copy of the project with decoys of what an attacker would
aim at (the code, the Makefile, .git/config, .venv): plain HTTP for most attacks, one Chromium
page on another origin for those a browser makes. Each attack is sent with the session's real
secret where it helps the attacker (as if it had leaked): the secret is not the only wall.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_project, get, running_editor, wait_for
from generator.content import load
from generator.outputs import pdf
from generator.commands.format import shape_text
from generator.content.load import ContentError, load_content
from generator.sitemap import PAGE_SLUGS

pytestmark = pytest.mark.xdist_group("editor-attacks")  # one editor for the module, tests in order

SIGNS = "guidance/varningssignaler.yml"
REGION = "guidance/kontakter/dalarna.yml"
# Files outside the content that an attack would aim at, made in the copy (a checkout has them).
DECOYS = {
    "Makefile": "site:\n\techo make\n",
    "generator/commands/yaml_style.cjs": "// the YAML writer a save runs\n",
    "generator/templates/pages/aktorer.md.j2": "{{ content }}\n",
    ".git/config": "[core]\n\trepositoryformatversion = 0\n",
    ".git/hooks/pre-commit.sample": "#!/bin/sh\n",
    ".venv/lib/python3.11/site-packages/decoy.py": "x = 1\n",
    ".venv/bin/guide": "#!/bin/sh\n",
    "tools/system-deps.sh": "#!/bin/sh\n",
    "node_modules/yaml/index.js": "module.exports = {};\n",
    ".env": "PORT=1\n",
}


@dataclass
class Editor:
    port: int
    root: Path
    api: str  # the storage API's path, with the session's secret
    proc: subprocess.Popen
    log: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _snapshot(root: Path) -> dict[str, str]:
    """Every file and link of the project outside build/: its path and a digest of its bytes
    (of its target, for a link), and its mode."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d != "build"]
        for name in files + [d for d in dirs if (here / d).is_symlink()]:
            path = here / name
            info = os.lstat(path)
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            found[path.relative_to(root).as_posix()] = f"{info.st_mode:o} {hashlib.sha256(data).hexdigest()}"
    return found


def _code_snapshot() -> dict[str, str]:
    """The real checkout's code, content and tools (never the editor's root: it must stay so)."""
    found = {}
    for name in ("generator", "tools", "guidance", "checklists", "docs", "overrides", "tests"):
        for path in sorted((ROOT / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[path.relative_to(ROOT).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    for name in ("Makefile", "mkdocs.yml", "package.json", "pyproject.toml"):
        found[name] = hashlib.sha256((ROOT / name).read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def editor(tmp_path_factory, site):
    root = copy_project(tmp_path_factory.mktemp("attacked"))
    for rel, text in DECOYS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    code_before = _code_snapshot()
    with running_editor(root) as (port, proc, log):
        editor = Editor(port, root, "", proc, log)
        editor.api = yaml.safe_load(get(f"{editor.origin}/admin/config.yml"))["backend"]["proxy_url"]
        yield editor
    assert _code_snapshot() == code_before, "the editor changed the real checkout"


def send(editor: Editor, method: str, path: str, body: bytes | None = None, headers=None,
         host: str | None = "default", timeout: float = 30) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One raw HTTP request: `headers` a dict or a list of (name, value) (for repeated headers);
    `host` None sends no Host header."""
    connection = http.client.HTTPConnection("127.0.0.1", editor.port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", f"127.0.0.1:{editor.port}" if host == "default" else host)
        pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        if body is not None and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in pairs):
            pairs.append(("Content-Length", str(len(body))))
        for name, value in pairs:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def api(editor: Editor, action: str, params: dict, headers: dict | None = None, path: str | None = None,
        body: bytes | None = None) -> tuple[int, dict]:
    """A storage request as the editor's page sends it (its origin, JSON, the secret), but for
    what `headers`, `path` or `body` change."""
    data = body if body is not None else json.dumps({"action": action, "params": params}).encode()
    sent = {"Origin": editor.origin, "Content-Type": "application/json; charset=utf-8", **(headers or {})}
    status, answer, _ = send(editor, "POST", path or editor.api, data, {k: v for k, v in sent.items() if v is not None})
    try:
        return status, json.loads(answer)
    except ValueError:
        return status, {"raw": answer.decode("utf-8", "replace")}


def save(rel, raw, **extra) -> dict:
    slug = Path(rel).stem if isinstance(rel, str) else "x"
    return {"dataFiles": [{"path": rel, "raw": raw, "slug": slug, **extra}], "assets": [], "options": {}}


def reviewed(text: str, date: str) -> str:
    """A content file's text with another review date (a change every file kind takes)."""
    return re.sub(r"(?m)^granskad: .*$", f"granskad: {date}", text, count=1)


def refused(editor: Editor, status: int, answer: dict, statuses=(403,)) -> None:
    """Refused with one of `statuses`, a Swedish reason in the answer and in the editor's log."""
    assert status in statuses, (status, answer)
    reason = answer.get("error", "")
    assert re.search(r"\b(redigerar\w*|begäran|inte|bara|ingen|finns)\b", reason, re.I), answer
    assert wait_for(lambda: any(reason in line for line in editor.log), 5), f"not in the log: {reason}"


@pytest.fixture
def unchanged(editor):
    """The project byte for byte as it was, after the test."""
    before = _snapshot(editor.root)
    yield
    after = _snapshot(editor.root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], f"the attack changed {changed}"
    assert not [p for p in (editor.root / "guidance").rglob(".*")], "a temporary file was left behind"


def _alive(editor: Editor) -> None:
    assert editor.proc.poll() is None, "the editor stopped:\n" + "".join(editor.log[-30:])
    assert json.loads(get(f"{editor.origin}/__status"))["version"] > 0
    status, answer = api(editor, "getEntry", {"path": SIGNS})
    assert status == 200 and answer["data"] == (editor.root / SIGNS).read_text(encoding="utf-8")


# --- only the editor's own page can use the API ----------------------------------------------


def test_the_api_takes_only_json_from_the_editors_page_with_the_secret(editor, unchanged):
    """A write that the editor's page may make, sent every other way: each refused. Sent last
    as the page sends it, the same write goes through (so the refusals are not by chance)."""
    path = editor.root / "guidance/avslutning.yml"
    text = path.read_text(encoding="utf-8")
    written = reviewed(text, "2020-01-01")
    body = json.dumps({"action": "persistEntry", "params": save("guidance/avslutning.yml", written)}).encode()
    other = f"http://localhost:{editor.port}"
    attacks = [
        {"Origin": "https://evil.example", "Content-Type": "text/plain;charset=UTF-8"},  # a no-cors fetch, a form
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame, a file:// page
        {"Origin": None},  # no Origin at all
        {"Origin": f"http://127.0.0.1:{editor.port + 1}"},  # another port of this machine
        {"Origin": other},  # localhost is another origin than 127.0.0.1
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {"Content-Type": None},
        {"Content-Type": "application/jsonx"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ]
    for headers in attacks:
        status, answer = api(editor, "persistEntry", {}, headers=headers, body=body)
        refused(editor, status, answer)
    for wrong in ["/api/v1", "/api/v1/", editor.api[:-1], editor.api + "x", editor.api.upper(), editor.api + "/..",
                  "/admin/config.yml", "/"]:
        status, answer = api(editor, "persistEntry", {}, path=wrong, body=body)
        refused(editor, status, answer)
    status, answer, _ = send(editor, "POST", editor.api, body, [("Origin", editor.origin), ("Content-Type", "text/plain"),
                                                              ("Content-Type", "application/json")])
    refused(editor, status, json.loads(answer))
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"):
        status, answer, headers = send(editor, method, editor.api, body if method != "GET" else None,
                                       {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert status == 403 and "Access-Control-Allow-Origin" not in headers, (method, status)
    assert path.read_text(encoding="utf-8") == text
    # the control: the editor's page itself may make this write
    status, answer = api(editor, "persistEntry", {}, body=body)
    assert status == 200 and path.read_text(encoding="utf-8") != text
    status, answer = api(editor, "persistEntry", save("guidance/avslutning.yml", text))
    assert status == 200 and path.read_text(encoding="utf-8") == text


HOSTS = ["evil.example", "evil.example:{port}", "127.0.0.1", "127.0.0.1:{other}", "localhost",
         "127.0.0.1:{port}.evil.example", "[::1]:{port}", "0.0.0.0:{port}", "127.1:{port}", "", None]


def test_dns_rebinding_is_refused_everywhere(editor, unchanged):
    """A site whose name points at 127.0.0.1 (DNS rebinding) sends its own name as Host: the
    editor answers it nothing, not the config, not a page, not the API."""
    for host in HOSTS:
        named = host.format(port=editor.port, other=editor.port + 1) if host is not None else None
        for path in ("/admin/config.yml", "/admin/", "/admin/decap-cms.js", "/", "/varningssignaler/", "/__status"):
            status, answer, _ = send(editor, "GET", path, host=named)
            assert status == 403 and b"proxy_url" not in answer and editor.api.encode() not in answer, (named, path)
        status, answer, _ = send(editor, "POST", editor.api, json.dumps({"action": "getEntry", "params": {"path": SIGNS}}).encode(),
                                 {"Origin": f"http://{named}", "Content-Type": "application/json"}, host=named)
        assert status == 403 and b"granskad" not in answer, named
    refused(editor, 403, json.loads(send(editor, "GET", "/admin/config.yml", host="evil.example")[1]))
    # the editor's own names work, and its config names no host at all
    for host in (f"127.0.0.1:{editor.port}", f"localhost:{editor.port}"):
        status, answer, _ = send(editor, "GET", "/admin/config.yml", host=host)
        assert status == 200 and yaml.safe_load(answer)["backend"]["proxy_url"].startswith("/api/v1/")


def test_the_secret_is_only_for_the_editors_own_page(editor, unchanged):
    cross = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    for headers in (cross, {**cross, "Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}):
        status, answer, _ = send(editor, "GET", "/admin/config.yml", headers=headers)
        assert status == 403 and editor.api.encode() not in answer, headers
    status, answer, headers = send(editor, "GET", "/admin/config.yml", headers={"Sec-Fetch-Site": "same-origin"})
    assert status == 200 and editor.api.encode() in answer and "Access-Control-Allow-Origin" not in headers
    # a link from another site may open a page of the preview (it can neither read nor frame it)
    status, _, headers = send(editor, "GET", "/", headers=cross)
    assert status == 200 and headers["X-Frame-Options"] == "SAMEORIGIN"
    status, _, headers = send(editor, "GET", "/admin/")
    assert status == 200 and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    # each session has its own secret
    assert re.fullmatch(r"/api/v1/[A-Za-z0-9_-]{40,}", editor.api)


# --- only content can be written -----------------------------------------------------------


OUTSIDE = ["Makefile", "mkdocs.yml", "generator/commands/yaml_style.cjs", "generator/templates/pages/aktorer.md.j2",
           "overrides/main.html", "docs/index.md", ".git/config", ".git/hooks/pre-commit",
           ".venv/lib/python3.11/site-packages/evil.pth", ".venv/bin/guide", "tools/system-deps.sh",
           "node_modules/yaml/index.js", ".env", "guidance/../Makefile", "guidance/kontakter/../../mkdocs.yml",
           "./guidance/aktorer.yml", "guidance//aktorer.yml", "guidance/./aktorer.yml", "/etc/passwd",
           str(ROOT / "Makefile"), "guidance\\..\\Makefile", "guidance/aktorer.yml\0.cjs", "guidance/%2e%2e/Makefile",
           "guidance/aktorer.YML", "guidance/aktorer.yml/", "guidance/aktorer.html", "guidance/ny-fil.yml",
           "guidance/kontakter/.dold.yml", "guidance/kontakter/under/mapp.yml", "guidance/kontakter/Stor.yml",
           "guidance/kontakter/å.yml", "checklists/paket/../../Makefile", "checklists/x.yml.cjs",
           "docs/assets/bilder/x.html", "guidance/kontakter/" + "a" * 300 + ".yml", "", 5, None, ["Makefile"],
           {"path": "Makefile"}]


def test_nothing_but_content_files_can_be_read_written_or_removed(editor, unchanged):
    raw = "granskad: 2026-01-01\n"
    for rel in OUTSIDE:
        for action, params in [("persistEntry", save(rel, raw)),
                               ("persistEntry", {"entry": {"path": rel, "raw": raw}, "assets": []}),
                               ("persistEntry", save(REGION, raw, newPath=rel if rel is not None else "")),
                               ("persistEntry", {"dataFiles": [{"path": REGION, "raw": raw}, {"path": rel, "raw": raw}],
                                                 "assets": []}),
                               ("deleteFiles", {"paths": [rel]}),
                               ("deleteFiles", {"paths": ["guidance/kontakter/orebro.yml", rel]}),
                               ("getEntry", {"path": rel}),
                               ("entriesByFiles", {"files": [{"path": rel}]}),
                               ("entriesByFolder", {"folder": rel, "extension": "yml", "depth": 9})]:
            status, answer = api(editor, action, params)
            assert status in (400, 403) and "data" not in answer, (action, rel, status, answer)
            assert editor.proc.poll() is None
    refused(editor, *api(editor, "persistEntry", save("Makefile", raw)))
    for folder in (".", "", "/", "..", "guidance", ".git", "guidance/kontakter/..", "docs/assets/bilder"):
        refused(editor, *api(editor, "entriesByFolder", {"folder": folder, "extension": "", "depth": 100}))
    # a single content file is never removed, nor renamed, nor replaced by a rename
    for params in ({"paths": ["guidance/aktorer.yml"]}, {"paths": ["guidance/kontakter"]}, {"paths": []}, {}):
        status, answer = api(editor, "deleteFiles", params)
        assert status in (400, 403), params
    for rel, new in [("guidance/aktorer.yml", "guidance/aktorer-2.yml"), (REGION, "guidance/aktorer.yml"),
                     (REGION, "checklists/dalarna.yml"), (REGION, "guidance/kontakter/orebro.yml"),
                     ("checklists/riskfaktorer.yml", "checklists/paket/riskfaktorer.yml")]:
        status, answer = api(editor, "persistEntry", save(rel, (editor.root / rel).read_text(encoding="utf-8"), newPath=new))
        refused(editor, status, answer, (403, 409))
    _alive(editor)


def test_no_media_and_no_other_action(editor, unchanged):
    html = base64.b64encode(b"<script>fetch('/admin/config.yml')</script>").decode()
    attempts = [
        ("persistMedia", {"asset": {"path": "docs/assets/bilder/x.html", "content": html, "encoding": "base64"}}),
        ("persistMedia", {"asset": {"path": "guidance/x.yml", "content": html, "encoding": "base64"}}),
        ("persistEntry", {**save(SIGNS, (editor.root / SIGNS).read_text(encoding="utf-8")),
                          "assets": [{"path": "docs/assets/bilder/x.html", "content": html, "encoding": "base64"}]}),
        ("deleteFile", {"path": REGION}),
        ("getMediaFile", {"path": ".git/config"}),
        ("info", {}), ("unpublishedEntries", {}), ("publishUnpublishedEntry", {"collection": "x", "slug": "y"}),
        ("addNote", {}), ("__proto__", {}), ("constructor", {}), ("", {}), (None, {}), (["getEntry"], {}),
    ]
    for action, params in attempts:
        refused(editor, *api(editor, action, params))
    assert api(editor, "getMedia", {"mediaFolder": ".git"}) == (200, [])  # asked by Decap: never anything
    config = yaml.safe_load(get(f"{editor.origin}/admin/config.yml"))
    assert "media_folder" not in json.dumps(config) and "public_folder" not in json.dumps(config)
    assert not any(f.get("widget") in ("image", "file") for f in _fields(config))


def _fields(config: dict):
    def walk(fields):
        for f in fields:
            yield f
            yield from walk(f.get("fields", []))
    for c in config["collections"]:
        for entry in c.get("files", [c]):
            yield from walk(entry["fields"])


def test_links_do_not_lead_out_of_the_content(editor, unchanged):
    """A symbolic link in a content folder (to the Makefile, to a file outside the project) is
    neither read, written through, nor removed."""
    links = {"guidance/kontakter/lank.yml": "../../Makefile", "checklists/lank.yml": "/etc/hostname"}
    for rel, target in links.items():
        os.symlink(target, editor.root / rel)
    try:
        before = _snapshot(editor.root)
        for rel in links:
            for action, params in [("getEntry", {"path": rel}), ("persistEntry", save(rel, "id: lank\n")),
                                   ("deleteFiles", {"paths": [rel]}),
                                   ("persistEntry", save(REGION, "id: x\n", newPath=rel))]:
                refused(editor, *api(editor, action, params))
        status, entries = api(editor, "entriesByFolder", {"folder": "guidance/kontakter", "extension": "yml", "depth": 1})
        assert status == 200 and "guidance/kontakter/lank.yml" not in [e["file"]["path"] for e in entries]
        assert {e["file"]["path"] for e in entries} >= {REGION}
        assert _snapshot(editor.root) == before
    finally:
        for rel in links:
            (editor.root / rel).unlink()


def test_a_rename_stays_in_its_folder_and_moves_one_file(editor, unchanged):
    """decap-server moved every file of the folder on a rename; the editor renames one file."""
    folder = editor.root / "guidance/kontakter"
    others = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "dalarna.yml"}
    text = (editor.root / REGION).read_text(encoding="utf-8")
    assert api(editor, "persistEntry", save(REGION, text, newPath="guidance/kontakter/dalarna-ny.yml"))[0] == 200
    assert not (editor.root / REGION).exists() and (folder / "dalarna-ny.yml").read_text(encoding="utf-8") == text
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "dalarna-ny.yml"} == others
    assert api(editor, "persistEntry", save("guidance/kontakter/dalarna-ny.yml", text, newPath=REGION))[0] == 200
    assert (editor.root / REGION).read_text(encoding="utf-8") == text


# --- what is saved ------------------------------------------------------------------------------


def test_a_save_the_loader_cannot_read_is_refused_whole(editor, unchanged):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8))
    for raw, words in [(bomb, "Ankare"), ("- en lista\n", "Filen ska börja med fält"), ("granskad: [\n", "rad"),
                       ("", "tom"), ("[" * 100 + "]" * 100, "nivåer"), ("a: !egen x\n", "vanlig text"),
                       ("x" * (load.MAX_FILE_BYTES + 1), "MB"), (5, "texten"), (None, "texten")]:
        status, answer = api(editor, "persistEntry", save(SIGNS, raw))
        refused(editor, status, answer, (400, 413, 422))
        assert words in answer["error"], (raw if isinstance(raw, str) and len(raw) < 200 else type(raw), answer)
    _alive(editor)


def test_twenty_simultaneous_saves_leave_the_file_whole_and_valid(editor):
    """Twenty saves of one file at once (as twenty tabs would): every one answered, and the file
    afterwards is exactly one of them, whole, in the editor's shape, and the content loads."""
    path = editor.root / SIGNS
    original = path.read_text(encoding="utf-8")
    versions = [reviewed(original, f"2026-01-{n:02d}") for n in range(1, 21)]
    outside = {k: v for k, v in _snapshot(editor.root).items() if k != SIGNS}
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda v: api(editor, "persistEntry", save(SIGNS, v)), versions))
    assert [status for status, _ in answers] == [200] * 20, answers
    text = path.read_text(encoding="utf-8")
    assert text in [shape_text(SIGNS, v) for v in versions]
    assert yaml.safe_load(text)["grupper"] == yaml.safe_load(original)["grupper"]
    assert {k: v for k, v in _snapshot(editor.root).items() if k != SIGNS} == outside
    assert not [p for p in (editor.root / "guidance").rglob(".*")]
    load_content(editor.root, PAGE_SLUGS)  # whole and valid
    assert api(editor, "persistEntry", save(SIGNS, original))[0] == 200
    assert path.read_text(encoding="utf-8") == original


# --- bad requests never stop the editor ----------------------------------------------------------


def test_malformed_requests_are_answered_and_the_editor_goes_on(editor, unchanged):
    good = {"Origin": editor.origin, "Content-Type": "application/json"}
    for new_path in (5, [], {}, ["a"], "\0", "../" * 50, "guidance/kontakter/" + "x" * 10000 + ".yml", True):
        status, answer = api(editor, "persistEntry", save(REGION, "id: x\n", newPath=new_path))
        assert status in (400, 403), (new_path, status)
    for body in (b"{", b"[]", b"null", b"\"x\"", b"\xff\xfe{}", b"{\"action\": \"getEntry\", \"params\": 5}",
                 b"[" * 200_000, b"{\"action\": \"getEntry\", \"params\": {\"path\": {\"$ne\": 1}}}"):
        status, answer, _ = send(editor, "POST", editor.api, body, good)
        assert status in (400, 403), (body[:20], status)
    for length in ("abc", "-1", "+5", "0x10", "1e3", "\u00b2", "5, 5"):
        status, _, _ = send(editor, "POST", editor.api, b"{}", {**good, "Content-Length": length})
        assert status in (400, 411), (length, status)
    status, _, _ = send(editor, "POST", editor.api, b"{}", [*good.items(), ("Content-Length", "2"), ("Content-Length", "2")])
    assert status == 403
    status, _, _ = send(editor, "POST", editor.api, b"2\r\n{}\r\n0\r\n\r\n", {**good, "Transfer-Encoding": "chunked"})
    assert status == 411
    status, _, _ = send(editor, "POST", editor.api, b"", {**good, "Content-Length": str(10 ** 12)})
    assert status == 413  # at once, without reading a byte
    status, _, _ = send(editor, "POST", editor.api, b"{}", {**good, "Content-Length": str(10 ** 400)})
    assert status == 413
    # headers past the standard library's limits, a request line that is none
    status, _, _ = send(editor, "GET", "/", headers=[(f"X-{n}", "x") for n in range(200)])
    assert status == 431
    # paths out of Decap's folder or the preview's site
    for path in ("/admin/../../package.json", "/admin/..%2f..%2fpackage.json", "/admin/%2e%2e/%2e%2e/Makefile",
                 "/..%2f..%2fMakefile", "/%2e%2e/%2e%2e/guidance/aktorer.yml", "/admin/" + "%2e%2e%2f" * 8 + "etc/passwd"):
        status, answer, _ = send(editor, "GET", path)
        assert status == 404 and b"devDependencies" not in answer and b"root:" not in answer, path
    # a request cannot write escape sequences into the maintainer's terminal through the log
    with socket.create_connection(("127.0.0.1", editor.port), timeout=10) as s:
        s.sendall(f"POST {editor.api} HTTP/1.1\r\nHost: 127.0.0.1:{editor.port}\r\n"
                  "Origin: http://x\x1b]0;pwned\x07\x1b[2J\r\nContent-Length: 0\r\n\r\n".encode())
        assert s.recv(100).startswith(b"HTTP/1.1 403")
    assert wait_for(lambda: any("pwned" in line for line in editor.log), 5)
    assert not any("\x1b" in line or "\x07" in line for line in editor.log)
    with socket.create_connection(("127.0.0.1", editor.port), timeout=10) as s:
        s.sendall(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
        assert b"400" in s.recv(2000)  # the standard library's "Bad request" (as HTTP/0.9: no status line)
    _alive(editor)


def test_a_slow_or_short_body_times_out(editor, unchanged):
    """A body that never comes whole ends the request after the timeout, not the editor."""
    from generator.commands.edit_server import REQUEST_TIMEOUT

    started = time.monotonic()
    status, answer, _ = send(editor, "POST", editor.api, b"{\"action\"",
                             {"Origin": editor.origin, "Content-Type": "application/json", "Content-Length": "1000"})
    assert status == 408 and REQUEST_TIMEOUT - 1 < time.monotonic() - started < REQUEST_TIMEOUT + 10
    _alive(editor)


def test_many_requests_at_once_are_all_answered(editor, unchanged):
    """The standard library's listen queue of 5 reset parallel requests; every one is answered."""
    def one(n: int) -> int:
        if n % 2:
            return api(editor, "getEntry", {"path": SIGNS})[0]
        with urllib.request.urlopen(f"{editor.origin}/varningssignaler/", timeout=60) as response:
            return response.status
    with ThreadPoolExecutor(60) as pool:
        assert list(pool.map(one, range(120))) == [200] * 120


# --- attacks from a real browser on another origin --------------------------------------------


ATTACK_PAGE = """<!doctype html><html><body><iframe name="sink"></iframe><script>
const target = %(target)s, results = {};
const write = JSON.stringify({action: "persistEntry", params: {dataFiles: [{path: "guidance/avslutning.yml",
  raw: "granskad: 2020-01-01\\n"}], assets: []}});
const media = JSON.stringify({action: "persistMedia", params: {asset: {path: "docs/assets/bilder/x.html",
  content: btoa("<script>alert(1)<\\/script>"), encoding: "base64"}}});
async function attempt(name, promise) {
  try { const r = await promise; results[name] = r.type === "opaque" ? "opaque" : r.status + " " + await r.text(); }
  catch (e) { results[name] = "blocked: " + e.name; }
}
window.attacks = (async () => {
  for (const api of [target + %(api)s, target + "/api/v1"]) {
    await attempt("no-cors text " + api, fetch(api, {method: "POST", mode: "no-cors", body: write,
                                                     headers: {"Content-Type": "text/plain"}}));
    await attempt("no-cors media " + api, fetch(api, {method: "POST", mode: "no-cors", body: media}));
    await attempt("cors json " + api, fetch(api, {method: "POST", body: write,
                                                  headers: {"Content-Type": "application/json"}}));
  }
  await attempt("read config", fetch(target + "/admin/config.yml"));
  await attempt("read entry", fetch(target + "/api/v1", {method: "POST", body: "{}"}));
  const form = document.createElement("form");
  form.method = "POST"; form.enctype = "text/plain"; form.target = "sink"; form.action = target + %(api)s;
  const input = document.createElement("input");
  input.name = write.slice(0, -2) + '", "x": "'; input.value = '"}}'; form.appendChild(input);
  document.body.appendChild(form); form.submit();
  await new Promise(r => setTimeout(r, 1500));
  return results;
})();
</script></body></html>"""


def test_a_page_on_another_origin_can_neither_write_nor_read(editor, browser, unchanged):
    """From a real Chromium page on another port (and on localhost): a no-cors fetch, a CORS
    fetch and a text/plain form, even with the secret, write nothing; the config is unreadable."""
    import http.server

    class Attacker(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            target = f"http://{'localhost' if 'localhost' in self.headers['Host'] else '127.0.0.1'}:{editor.port}"
            page = ATTACK_PAGE % {"target": json.dumps(target), "api": json.dumps(editor.api)}
            data = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    refusals = len([line for line in editor.log if "avvisade" in line])
    try:
        for host in ("127.0.0.1", "localhost"):
            page = context.new_page()
            page.goto(f"http://{host}:{server.server_address[1]}/")
            results = page.evaluate("window.attacks")
            assert results["read config"].startswith("blocked"), results
            assert all(r.startswith(("blocked", "opaque", "403")) for r in results.values()), results
            page.close()
    finally:
        context.close()
        server.shutdown()
    assert wait_for(lambda: len([line for line in editor.log if "avvisade" in line]) >= refusals + 10, 10)


# --- ids that name files ------------------------------------------------------------------------


@pytest.mark.parametrize("rel, kind", [("checklists/riskfaktorer.yml", "en checklista"),
                                       ("checklists/paket/individniva.yml", "ett mötespaket"),
                                       ("guidance/kontakter/dalarna.yml", "ett län")])
def test_an_id_that_names_a_file_cannot_take_a_reserved_name(project_copy, rel, kind):
    """A checklist "hela-vagledningen" would replace the whole guide's PDF (pdf/<id>.pdf)."""
    assert pdf.GUIDE == load.GUIDE_PDF and pdf.GUIDE in load.RESERVED_FILE_NAMES
    path = project_copy / rel
    text = path.read_text(encoding="utf-8")
    old = re.search(r"(?m)^id: .*$", text).group(0)
    line = text[:text.index(old)].count("\n") + 1
    for reserved in (pdf.GUIDE, "index", "assets"):
        path.write_text(text.replace(old, f"id: {reserved}", 1), encoding="utf-8")
        with pytest.raises(ContentError) as err:
            load_content(project_copy, PAGE_SLUGS)
        assert any(str(p).startswith(f"{rel}:{line}: id: Id \"{reserved}\" kan inte användas för {kind}: ")
                   and "reserverat" in p.message for p in err.value.problems), err.value.problems


# --- the editor dies whole (last: it ends the module's editor) ---------------------------------


def _descendants(pid: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, set()).add(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_editor_leaves_no_process_behind(editor):
    """SIGKILL (no clean-up can run): the PDF process and everything else the editor started end
    with it, and nothing answers on its port any more."""
    path = editor.root / SIGNS
    text = path.read_text(encoding="utf-8")
    assert api(editor, "persistEntry", save(SIGNS, reviewed(text, "2026-02-02")))[0] == 200
    assert wait_for(lambda: _descendants(editor.proc.pid), 60), "the editor started no PDF process"
    children = _descendants(editor.proc.pid)
    editor.proc.send_signal(signal.SIGKILL)
    editor.proc.wait(timeout=10)
    assert wait_for(lambda: not any(_running(pid) for pid in children), 10), \
        [Path(f"/proc/{p}/cmdline").read_text().replace("\0", " ") for p in children if _running(p)]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", editor.port), timeout=2).close()
