"""`guide edit`: the maintainers' editor and the live preview on one address.

    http://127.0.0.1:PORT/admin/   Decap CMS from node_modules, config.yml generated (editor.py)
    http://127.0.0.1:PORT/api/v1   passed on to decap-server (npm), which writes the YAML files
    http://127.0.0.1:PORT/         the site, rebuilt after each save; while the content has
                                   problems, every page lists them instead (never stale pages)

Everything listens on 127.0.0.1 only. /admin/ exists only here, never in site/.
"""

from __future__ import annotations

import html
import http.server
import json
import logging
import mimetypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from .build import BuildError, generate_docs, scratch_folder
from .editor import editor_config
from .format import FormatError, format_files
from .load import ContentError
from .preview import BackgroundPdfs, EngineBuilds

CODE_ROOT = Path(__file__).resolve().parent.parent  # where node_modules is installed
DECAP_DIST = CODE_ROOT / "node_modules" / "decap-cms" / "dist"
DECAP_SERVER = CODE_ROOT / "node_modules" / "decap-server" / "dist" / "index.js"
PREVIEW_DIR = Path("build/preview")
WATCHED = ("guidance", "checklists", "docs", "generator/templates")

ADMIN_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Redigera vägledningen</title>
<link href="config.yml" type="text/yaml" rel="cms-config-url">
</head>
<body>
<script src="decap-cms.js"></script>
</body>
</html>
"""

# Added to every preview page: reloads it when a new build (or a new problem) is ready.
# The status request waits (up to 20 s) until the version differs from the one the page has seen.
RELOAD_SCRIPT = """<script>(function () {
  var seen = null;
  function poll() {
    fetch("/__status" + (seen === null ? "" : "?seen=" + seen), {cache: "no-store"})
      .then(function (r) { return r.json(); }).then(function (s) {
        if (seen !== null && s.version !== seen) { location.reload(); return; }
        seen = s.version; poll();
      }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();</script>"""
STATUS_WAIT = 20  # seconds a status request waits for a new version before it answers anyway


class Preview:
    """The preview site: rebuilt in a background thread whenever `request()` is called."""

    def __init__(self, root: Path):
        self.root = root
        self.version = 0  # what the pages' reload script watches: new pages or new problems
        self.building = False
        self.problems: list[tuple[str, int, str, str]] = []  # file, line, field, message
        self.failure = ""  # an engine error that is not a content problem
        self.site: Path | None = None
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified when the version goes up
        self._quiet = False  # the next build only brings in fresh PDFs: no reload of the page read
        self._pdfs = BackgroundPdfs(root, self._pdfs_ready)
        self._engine = EngineBuilds(root)
        threading.Thread(target=self._loop, daemon=True).start()

    def request(self) -> None:
        self._wanted.set()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            time.sleep(0.05)  # a save writes one file; let the write finish
            self._wanted.clear()
            quiet, self._quiet = self._quiet, False
            self.building = True
            try:
                self._build_once(quiet)
            finally:
                self.building = self._wanted.is_set()

    def _pdfs_ready(self, status: dict[str, bool], seconds: float) -> None:
        """New PDFs are in build/docs/pdf: build the pages again to bring them in (and their
        page counts), without reloading the page being read."""
        if any(status.values()):
            self._quiet = True
            self._wanted.set()

    def _build_once(self, quiet: bool = False) -> None:
        """Pages first (with the PDFs there are), shown at once; the PDFs follow (BackgroundPdfs)."""
        try:
            _, terms = generate_docs(self.root, pdfs=False)
            site = self._engine_build(terms)
            problems, failure = [], ""
        except BuildError as err:
            site = self.site
            cause = err.__cause__
            if isinstance(cause, ContentError):
                problems, failure = [(p.file, p.line, p.field, p.message) for p in cause.problems], ""
            else:
                problems, failure = [], str(err)
        with self._lock:
            self.site, self.problems, self.failure = site, problems, failure
            if not quiet:  # fresh PDFs alone do not reload the page being read
                self.version += 1
                self._changed.notify_all()
        if problems or failure:
            print(f"Innehållet har {len(problems) or 1} fel: förhandsgranskningen visar dem.", flush=True)
            return
        if not quiet:
            print("Förhandsgranskningen är uppdaterad (PDF-filerna följer strax efter).", flush=True)
        self._pdfs.request()

    def _engine_build(self, terms: dict[str, list[str]]) -> Path:
        """A new folder per build, from a copy of the last one: pages being read never change
        half-way, and a failed build leaves the last good pages."""
        # build/preview-<process>-<random>: those of an editor that has ended are removed here
        new = scratch_folder(self.root / PREVIEW_DIR.parent, PREVIEW_DIR.name)
        try:
            self._engine.build(new, terms, previous=self.site)
        except Exception as err:  # noqa: BLE001 - the engine's own errors, shown on the page
            shutil.rmtree(new, ignore_errors=True)
            raise BuildError(f"Webbplatsen kunde inte byggas: {err}") from err
        old = self.site
        if old is not None and old != new:
            threading.Timer(30, shutil.rmtree, args=(old,), kwargs={"ignore_errors": True}).start()
        return new

    def stop(self) -> None:
        self._pdfs.stop()

    def status(self, seen: int | None = None) -> dict:
        """What the pages' reload script asks; with `seen`, once the version is another one
        (or after STATUS_WAIT seconds): a page reloads as soon as the build is done."""
        with self._lock:
            if seen is not None:
                self._changed.wait_for(lambda: self.version != seen, timeout=STATUS_WAIT)
            return {"version": self.version, "ok": not (self.problems or self.failure),
                    "problems": len(self.problems), "building": self.building}


def problems_page(problems: list[tuple[str, int, str, str]], failure: str) -> str:
    """The Swedish page every preview address shows while the content has problems."""
    rows = "".join(
        f"<li><p><strong>{html.escape(f)}</strong>, rad {line}"
        + (f", fältet <code>{html.escape(field)}</code>" if field else "")
        + f"</p><p>{html.escape(message)}</p></li>"
        for f, line, field, message in problems)
    count = len(problems)
    intro = (f"Innehållet har {count} fel, så sidorna kan inte visas. "
             "Rätta det i redigeraren (eller i filen), spara, så kommer sidan tillbaka av sig själv."
             if problems else "Webbplatsen kunde inte byggas.")
    body = f"<ol>{rows}</ol>" if problems else f"<pre>{html.escape(failure)}</pre>"
    return f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Fel i innehållet – förhandsgranskning</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#000}}
li{{margin-bottom:1rem}} code{{background:#eee;padding:0 .2rem}} h1{{color:#8b0000}}</style>
</head><body><main>
<h1>Fel i innehållet</h1>
<p>{intro}</p>
{body}
<p><a href="/admin/">Till redigeraren</a></p>
</main>{RELOAD_SCRIPT}</body></html>
"""


WAITING_PAGE = f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Förhandsgranskningen byggs</title></head>
<body><main><h1>Förhandsgranskningen byggs …</h1><p>Sidan laddas om av sig själv när den är klar.</p></main>
{RELOAD_SCRIPT}</body></html>
"""


def make_handler(root: Path, preview: Preview, api: str):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == "/admin":
                return self._redirect("/admin/")
            if path == "/admin/":
                return self._send(200, ADMIN_PAGE.encode(), "text/html; charset=utf-8")
            if path == "/admin/config.yml":
                host = self.headers.get("Host", "127.0.0.1")
                config = editor_config(root, api_url=f"http://{host}/api/v1")
                text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
                return self._send(200, text.encode(), "text/yaml; charset=utf-8")
            if path.startswith("/admin/"):
                return self._file(DECAP_DIST, path[len("/admin/"):])
            if path == "/__status":
                seen = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("seen", [""])[0]
                status = preview.status(int(seen) if seen.isdigit() else None)
                return self._send(200, json.dumps(status).encode(), "application/json")
            return self._preview(path)

        def do_POST(self) -> None:  # noqa: N802
            if self.path.split("?", 1)[0] != "/api/v1":
                return self._send(404, b"", "text/plain")
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            request = urllib.request.Request(api, data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, data = response.status, response.read()
            except urllib.error.HTTPError as err:
                status, data = err.code, err.read()
            request_body = json.loads(body or b"{}")
            action = request_body.get("action", "")
            if action == "persistEntry" and status == 200:
                _keep_shape(root, request_body.get("params", {}))
            if action in ("persistEntry", "deleteFile", "deleteFiles") and status == 200:
                preview.request()  # a save: rebuild now rather than wait for the file watcher
            self._send(status, data, "application/json; charset=utf-8")

        def _preview(self, path: str) -> None:
            with preview._lock:
                site, problems, failure = preview.site, preview.problems, preview.failure
            wants_page = path.endswith("/") or path.endswith(".html")
            if (problems or failure) and wants_page:
                return self._send(200, problems_page(problems, failure).encode(), "text/html; charset=utf-8")
            if site is None:
                return self._send(200, WAITING_PAGE.encode(), "text/html; charset=utf-8")
            return self._file(site, path.lstrip("/"), reload=True)

        def _file(self, base: Path, rel: str, reload: bool = False) -> None:
            rel = urllib.request.url2pathname(rel)
            target = (base / rel).resolve()
            if base.resolve() not in target.parents and target != base.resolve():
                return self._send(404, b"", "text/plain")
            if target.is_dir():
                if not self.path.split("?", 1)[0].endswith("/"):
                    return self._redirect(self.path.split("?", 1)[0] + "/")
                target = target / "index.html"
            if not target.is_file():
                page = base / "404.html"
                data = page.read_bytes() if reload and page.is_file() else "Sidan finns inte.".encode()
                return self._send(404, self._with_reload(data) if reload else data, "text/html; charset=utf-8")
            data = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if reload and kind == "text/html":
                data = self._with_reload(data)
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self._send(200, data, kind)

        @staticmethod
        def _with_reload(data: bytes) -> bytes:
            return data.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)

        def _redirect(self, where: str) -> None:
            self.send_response(301)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, data: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _keep_shape(root: Path, params: dict) -> None:
    """After a save, put the saved files in the editor's shape (format.py).

    An edit of an existing file is already in shape. A new item or file is not quite: Decap
    writes a new item's keys in the order they were filled in. Putting the keys in the model's
    order right away keeps every file in the shape that `guide format` checks."""
    entries = params.get("dataFiles") or [params.get("entry") or {}]
    paths = [(root / (e.get("newPath") or e.get("path"))).resolve() for e in entries if e.get("path")]
    paths = [p for p in paths if p.suffix == ".yml" and p.is_file() and root.resolve() in p.parents]
    try:
        format_files(root.resolve(), paths=paths)
    except FormatError as err:  # the file cannot be read: the preview shows why
        print(err, file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_backend(root: Path) -> tuple[subprocess.Popen, str]:
    """decap-server (npm) writing into root, on a free port of 127.0.0.1."""
    if not DECAP_SERVER.is_file():
        raise BuildError("Redigeraren är inte installerad. Kör \"make edit\" (den installerar allt som behövs).")
    port = _free_port()
    env = dict(os.environ, PORT=str(port), BIND_HOST="127.0.0.1", MODE="fs",
               GIT_REPO_DIRECTORY=str(root), LOG_LEVEL="warn")
    proc = subprocess.Popen(["node", str(DECAP_SERVER)], env=env, cwd=root)
    api = f"http://127.0.0.1:{port}/api/v1"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            info = urllib.request.Request(api, data=b'{"action":"info"}', method="POST",
                                          headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(info, timeout=2):
                return proc, api
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.terminate()
    raise BuildError("Redigerarens lagring (decap-server) startade inte.")


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(root: Path, port: int) -> None:
    """Run until Ctrl+C: the editor, its backend, the preview and a watcher for hand edits."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    signal.signal(signal.SIGTERM, _stop)  # stopped by a process manager: clean up as for Ctrl+C
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the engine's notes are not for maintainers
    try:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), None)
    except OSError as err:
        raise BuildError(f"Adressen 127.0.0.1:{port} används redan av ett annat program ({err.strerror}). "
                         "Stäng det (kanske en annan \"make edit\" eller \"make serve\"), "
                         f"eller välj en annan port: .venv/bin/guide edit --port {port + 1}") from err
    backend, api = start_backend(root)
    preview = Preview(root)
    preview.request()

    class Changed(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if not event.is_directory and event.event_type in ("modified", "created", "deleted", "moved"):
                preview.request()

    observer = Observer()
    for folder in WATCHED:
        if (root / folder).is_dir():
            observer.schedule(Changed(), str(root / folder), recursive=True)
    observer.start()
    httpd.RequestHandlerClass = make_handler(root, preview, api)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{httpd.server_address[1]}"
    print("Redigeraren startar. Förhandsgranskningen byggs, det tar några sekunder …", flush=True)
    while preview.version == 0:
        time.sleep(0.2)
    print("", flush=True)
    print(f"Klart! Öppna redigeraren:        {address}/admin/", flush=True)
    print(f"Förhandsgranska webbplatsen:     {address}/", flush=True)
    print("Sidorna byggs om varje gång du sparar (Publicera) i redigeraren.", flush=True)
    print("Avsluta med Ctrl+C.", flush=True)
    try:
        while backend.poll() is None:
            time.sleep(0.5)
        print("Redigerarens lagring (decap-server) har stannat.", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("\nRedigeraren är avslutad.", flush=True)
    finally:
        observer.stop()
        httpd.shutdown()
        preview.stop()
        backend.terminate()
        try:
            backend.wait(timeout=5)
        except subprocess.TimeoutExpired:
            backend.kill()
