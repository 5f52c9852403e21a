"""`guide edit`: the maintainers' editor and the live preview on one address.

    http://127.0.0.1:PORT/admin/            Decap CMS from node_modules, config.yml generated (editor.py)
    http://127.0.0.1:PORT/api/v1/SECRET     the editor's storage (Storage below): reads and writes the
                                            content files, and nothing else
    http://127.0.0.1:PORT/                  the site, rebuilt after each save; while the content has
                                            problems, every page lists them instead (never stale pages)

`guide edit --utgava ID` (make edit UTGAVA=ID): the editor offers that local edition's files only
(utgavor/<id>/, editor.edition_collections), the storage refuses every other path, and the
preview is the edition's site, built by the same pipeline as `guide build --utgava ID`.

Everything listens on 127.0.0.1 only, in this one process. /admin/ exists only here, never in site/.

When the project is a git repository, every save is a draft that a second maintainer reviews
and publishes (Decap's editorial workflow, drafts.py): drafts live in the editor's own clone
(build/editor-git), and the content files change only when a draft is published, as one commit.
Each browser first says who it is (/admin/ shows a name form; /admin/namn keeps the name).

Safe to leave running while browsing other sites: every request must name this server
(Host 127.0.0.1:PORT or localhost:PORT, so a DNS-rebinding page is refused), a request from a
page must come from this origin (Origin, Sec-Fetch-Site), and the storage API takes only JSON
sent to an address with a secret that is new each session and that only /admin/config.yml
tells (which another origin cannot read). The storage writes only the content files
(guidance/ and checklists/, .yml, no symbolic links; with `--utgava ID` only that edition's files
in utgavor/<id>/), one save at a time, each file written whole in the editor's shape. Anything else is refused with 403 and a Swedish reason in the log.

The storage is our own, not Decap's decap-server (node): that ran as a second server on a
port of its own, wrote anywhere in the project, moved whole folders on a rename and wrote files
in place; a handler of about 150 lines for the six actions the editor uses leaves one process,
one port and one place where every path is checked.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import http.cookies
import http.server
import json
import logging
import mimetypes
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.commands import drafts as workflow
from generator.commands.draft_preview import URL as DRAFT_URL
from generator.commands.draft_preview import DraftPreviews
from generator.commands.editor import (FOLDERS, NO_MEDIA_LIBRARY, SWEDISH_UI, SWEDISH_WORKFLOW, edition_files,
                                       editor_config, entry_path)
from generator.commands.format import FormatError, shape_text, write_atomic
from generator.content import model
from generator.content.edition import EDITIONS, edition_ids, load_edition
from generator.content.load import MAX_FILE_BYTES, ContentError
from generator.outputs import engine
from generator.pipeline import (DOCS_DIR, PDF_DIR, BackgroundPdfs, BuildError, EngineBuilds, generate_docs,
                                scratch_folder, watch, work_dir)

CODE_ROOT = Path(__file__).resolve().parents[2]  # where node_modules is installed
DECAP_DIST = CODE_ROOT / "node_modules" / "decap-cms" / "dist"
PREVIEW_DIR = Path("build/preview")
API_PREFIX = "/api/v1/"  # + the session's secret
MAX_BODY = 4 * MAX_FILE_BYTES  # a save sends one file's text, JSON-escaped: the loader takes 1 MB files
REQUEST_TIMEOUT = 10  # seconds a connection may stay silent (headers, body, an idle keep-alive)
BODY_DEADLINE = 30  # seconds a request body may take in all (a body sent a byte at a time)
QUEUE = 128  # connections waiting to be accepted (the standard library's 5 reset parallel requests)

ADMIN_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Redigera vägledningen</title>
<link href="config.yml" type="text/yaml" rel="cms-config-url">
<link href="editor.css" rel="stylesheet">
</head>
<body>
<script src="decap-cms.js"></script>
<script src="editor.js"></script>
</body>
</html>
"""

# Asked once per browser before Decap loads, when changes are reviewed (drafts.py): who is editing.
NAME_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vem redigerar? – Redigera vägledningen</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#000}
input{font:inherit;padding:.3rem;width:100%;max-width:25rem} button{font:inherit;padding:.4rem 1rem}
#fel{color:#b00020}</style>
</head>
<body><main>
<h1>Vem redigerar?</h1>
<p>Ditt namn står vid varje ändring du skriver och varje ändring du granskar, i vägledningens
historik. Du skriver det en gång i den här webbläsaren.</p>
<form id="vem">
<p><label for="namn">Namn</label><br><input id="namn" name="namn" autocomplete="name" required maxlength="100"></p>
<p><label for="epost">E-postadress</label><br><input id="epost" name="epost" type="email" autocomplete="email" required maxlength="200"></p>
<p><button type="submit">Till redigeraren</button></p>
<p id="fel" role="alert"></p>
</form>
</main>
<script src="namn.js"></script>
</body>
</html>
"""
NAME_SCRIPT = """(function () {
  "use strict";
  var form = document.getElementById("vem");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch("/admin/namn", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({name: form.namn.value, email: form.epost.value})})
      .then(function (r) { return r.json().then(function (answer) { return [r.ok, answer]; }); })
      .then(function (result) {
        if (result[0]) { location.reload(); return; }
        document.getElementById("fel").textContent = result[1].error;
      })
      .catch(function () { document.getElementById("fel").textContent = "Redigeraren svarar inte. Är den igång?"; });
  });
})();
"""

# Run by the editor's page after Decap has loaded, before it starts: Decap's Swedish completed
# (editor.SWEDISH_UI fills only what Decap's own Swedish lacks) and the "media library" that
# stores nothing (editor.NO_MEDIA_LIBRARY: no field takes an image or a file).
ADMIN_SCRIPT = """(function () {
  "use strict";
  function fill(target, extra) {
    Object.keys(extra).forEach(function (key) {
      if (typeof extra[key] === "object") {
        if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
        fill(target[key], extra[key]);
      } else if (!(key in target)) {
        target[key] = extra[key];
      }
    });
    return target;
  }
  function replace(target, extra) {
    Object.keys(extra).forEach(function (key) {
      if (typeof extra[key] === "object") {
        if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
        replace(target[key], extra[key]);
      } else {
        target[key] = extra[key];
      }
    });
    return target;
  }
  CMS.registerLocale("sv", replace(fill(CMS.getLocale("sv") || {}, %s), %s));
  CMS.registerMediaLibrary({name: %s, init: function () {
    return {show: function () {}, hide: function () {}, enableStandalone: function () { return false; }};
  }});
  // Decap's list items have buttons with an icon and no name (axe: button-name, aria-command-name):
  // a screen reader says only "button". Name them as they appear.
  var names = %s;
  function name() {
    document.querySelectorAll("[aria-roledescription=sortable]:not([aria-label])").forEach(function (handle) {
      if (!handle.textContent.trim()) handle.setAttribute("aria-label", names.move);
    });
    document.querySelectorAll("button[class*=TopBarButton]:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", button.previousElementSibling ? names.remove : names.toggle);
    });
    // the Publish menu: a <ul> of menu items that are no <li> (axe: list)
    document.querySelectorAll("ul[class*=DropdownList]:not([role])").forEach(function (list) {
      list.setAttribute("role", "menu");
    });
  }
  new MutationObserver(name).observe(document.documentElement, {childList: true, subtree: true});
})();
""" % (json.dumps(SWEDISH_UI, ensure_ascii=False), json.dumps(SWEDISH_WORKFLOW, ensure_ascii=False),
       json.dumps(NO_MEDIA_LIBRARY),
       json.dumps({"move": "Flytta (dra och släpp)", "remove": "Ta bort", "toggle": "Fäll ut eller fäll ihop"},
                  ensure_ascii=False))
# Decap's colours that fail WCAG's 4.5:1 (axe: color-contrast), darkened: its grey small text
# (#798291, 3.4–3.9:1: the collection links not chosen, the collection's description, the login
# page's link), the red "Osparade ändringar" (#ff003b, 3.95:1), the Publish button's white on
# turquoise (#17a2b8, 3.04:1) and the notes after a save, white on green (#07bc0c, 2.55:1).
ADMIN_STYLE = """a[class*=SidebarNavLink]:not([aria-current]),
[class*=CollectionTopDescription],
[class*=ButtonText] { color: #4a5160 !important; }
[class*=textBadgeDanger] { color: #b00020 !important; }
[class*=PublishButton] { background-color: #0f6e7d !important; }
.Toastify__toast--success { background: #1e7b22 !important; }
.Toastify__toast--error { background: #b3261e !important; }
.Toastify__toast--info { background: #1f5f99 !important; }
.Toastify__toast--warning { background: #f1c40f !important; color: #000 !important; }
"""

# The editor's page: its own scripts and Decap's only, its requests to this server only (a
# script slipped into the page could not send anything away), never inside another site's frame.
# Decap compiles its configuration's schema with `new Function` (ajv) and styles with inline
# <style> elements (emotion): hence 'unsafe-eval' and 'unsafe-inline' for styles.
ADMIN_CSP = ("default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
             "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
# Headers of every answer: no other site may frame a page, and no answer is taken for another type.
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN",
                  "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
                  "Cross-Origin-Resource-Policy": "same-origin"}

# Added to every preview page: reloads it when a new build (or a new problem) is ready.
# The status request waits (up to 20 s) until the version differs from the one the page was
# served with (SEEN, filled in as it is served: a build that ends between serving the page and
# its first question reloads it too; asked after loading, that build went unseen).
RELOAD_SCRIPT = """<script>(function () {
  var seen = SEEN;
  function poll() {
    fetch("/__status?seen=" + seen, {cache: "no-store"})
      .then(function (r) { return r.json(); }).then(function (s) {
        if (s.version !== seen) { location.reload(); return; }
        poll();
      }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();</script>"""


def reload_script(version: int) -> str:
    return RELOAD_SCRIPT.replace("SEEN", str(int(version)))
STATUS_WAIT = 20  # seconds a status request waits for a new version before it answers anyway


class Preview:
    """The preview site: rebuilt in a background thread whenever `request()` is called. With
    `edition`, the site of that local edition, built as `guide build --utgava` builds it."""

    def __init__(self, root: Path, edition: str | None = None):
        self.root = root
        self.edition = edition
        self.version = 0  # what the pages' reload script watches: new pages or new problems
        self.building = False
        self.problems: list[tuple[str, int, str, str]] = []  # file, line, field, message
        self.failure = ""  # an engine error that is not a content problem
        self.site: Path | None = None
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified when the version goes up
        self._content = False  # the content changed since the last build began: the page reloads
        self.pdfs = False  # the pages are built with the PDFs of the latest content
        self._pdfs_seen = False  # the PDFs of the latest content are rendered
        self._built_with: list[tuple[str, int]] = []  # the PDFs there were when the pages were built
        self._pdfs = BackgroundPdfs(root, self._pdfs_ready, edition)
        self._engine = EngineBuilds(root, edition)
        threading.Thread(target=self._loop, daemon=True).start()

    def request(self) -> None:
        """The content changed: build again, and reload the pages being read."""
        self._content = True
        self._pdfs_seen = False
        self._wanted.set()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            time.sleep(0.05)  # a save writes one file; let the write finish
            self._wanted.clear()
            # only fresh PDFs (none of the content changed): no reload of the page being read. A
            # build with both is not quiet (it was: a page opened meanwhile never saw the change).
            quiet, self._content = not self._content, False
            self.building = True
            try:
                self._build_once(quiet)
            finally:
                self.building = self._wanted.is_set()

    def _pdfs_ready(self, status: dict[str, bool], seconds: float) -> None:
        """The PDFs of the latest content are in build/docs/pdf: if they are not those the pages
        were built with, build the pages again to bring them in (and their page counts), without
        reloading the page being read. (Taken from the cache or rendered anew alike: a first
        build has none.)"""
        self._pdfs_seen = True
        if self._pdf_files() != self._built_with:
            self._wanted.set()
        else:
            self.pdfs = True

    def _pdf_files(self) -> list[tuple[str, int]]:
        folder = work_dir(self.root, self.edition) / DOCS_DIR.name / PDF_DIR
        return sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.pdf")) if folder.is_dir() else []

    def _build_once(self, quiet: bool = False) -> None:
        """Pages first (with the PDFs there are), shown at once; the PDFs follow (BackgroundPdfs)."""
        pdfs = self._pdf_files()
        try:
            _, terms = generate_docs(self.root, pdfs=False, edition=self.edition)
            site = self._engine_build(terms)
            problems, failure = [], ""
            self._built_with = pdfs
            self.pdfs = self._pdfs_seen and pdfs == self._pdf_files()
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
                    "problems": len(self.problems), "building": self.building, "pdfs": self.pdfs}


def problems_page(problems: list[tuple[str, int, str, str]], failure: str, version: int = 0) -> str:
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
</main>{reload_script(version)}</body></html>
"""


WAITING_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Förhandsgranskningen byggs</title></head>
<body><main><h1>Förhandsgranskningen byggs …</h1><p>Sidan laddas om av sig själv när den är klar.</p></main>
RELOAD</body></html>
"""


class Refused(Exception):
    """A request the editor does not carry out: the HTTP status and the Swedish reason
    (`quiet`: an answer Decap expects, such as "no draft", not written in the terminal)."""

    def __init__(self, status: int, reason: str, quiet: bool = False):
        super().__init__(reason)
        self.status, self.reason, self.quiet = status, reason, quiet


# Content files the editor may read and write: the single files of the "Innehåll" collection,
# and in the folder collections (regions, checklists, packs) files named as an id.
SINGLE_FILES = frozenset(k.pattern for k in model.FILE_KINDS if "*" not in k.pattern)
FOLDER_PATHS = frozenset(folder for _, folder in FOLDERS.values())
FILE_NAME = re.compile(model.ID_PATTERN.pattern.rstrip("$") + r"\.yml$")
NOT_CONTENT = ("{path} är ingen innehållsfil som redigeraren får läsa eller ändra. Redigeraren arbetar "
               "bara med .yml-filerna i guidance/ och checklists/.")
# `guide edit --utgava ID`: that edition's own files and nothing else (editor.edition_files).
NOT_EDITION = ("{path} hör inte till utgåvan {edition}, och redigeraren får inte läsa eller ändra den. "
               "Redigeraren arbetar nu bara med utgåvans filer: {files}.")


class Storage:
    """The editor's storage API: what Decap's proxy backend (decap-cms-backend-proxy) asks,
    answered from and written to the content files only.

    Actions: entriesByFolder, entriesByFiles, getEntry (reading), persistEntry (a save),
    deleteFiles (a region, checklist or pack removed), getDeployPreview and getMedia (there are
    none: asked all the same). In a git repository, Decap's editorial workflow too (drafts.py):
    unpublishedEntries, unpublishedEntry, unpublishedEntryDataFile, deleteUnpublishedEntry,
    updateUnpublishedEntryStatus, publishUnpublishedEntry; a save is then a draft, and
    deleteFiles is refused. Nothing else: no media written or read (no field takes a file).
    Saves and workflow actions are one at a time; each file is formatted from the text the
    editor sent (outside the lock) and written whole (format.write_atomic)."""

    def __init__(self, root: Path, saved: Any = None, branch: str | None = None, edition: str | None = None):
        self.root = root.resolve()
        self.saved = saved or (lambda: None)  # called after each change: the preview builds again
        self.lock = threading.Lock()
        # with `edition` (guide edit --utgava ID): that edition's files only, no folder collections
        self.edition = edition
        self.edition_files = frozenset(edition_files(edition).values()) if edition is not None else frozenset()
        self.folders = FOLDER_PATHS if edition is None else frozenset()
        # with a content branch (the project is a git repository): drafts, review and publishing
        paths = (lambda collection, slug: entry_path(collection, slug, edition))
        self.drafts = workflow.Drafts(self.root, branch, paths, self.path) if branch else None
        self.previews = DraftPreviews(self.root, self.drafts, edition) if self.drafts else None
        self._request = threading.local()  # who sent the request this thread is handling

    def handle(self, action: Any, params: Any, person: "workflow.Person | None" = None) -> Any:
        actions = {"entriesByFolder": self.entries_by_folder, "entriesByFiles": self.entries_by_files,
                   "getEntry": self.get_entry, "persistEntry": self.persist_entry,
                   "deleteFiles": self.delete_files, "getDeployPreview": lambda params: None,
                   "getMedia": lambda params: []}  # asked when an entry opens: there are no media
        if self.drafts is not None:
            actions.update({
                "unpublishedEntries": self._workflow(self.drafts.unpublished_entries),
                "unpublishedEntry": self._workflow(self.drafts.unpublished_entry),
                "unpublishedEntryDataFile": self._workflow(self.drafts.unpublished_entry_data_file),
                "deleteUnpublishedEntry": self._workflow(self.drafts.delete),
                "updateUnpublishedEntryStatus": self._workflow(lambda p: self.drafts.update_status(p, self._who())),
                "publishUnpublishedEntry": self._workflow(self._publish),
                "getDeployPreview": self._workflow(self.previews.request),  # the draft's own preview
            })
        if not isinstance(action, str) or action not in actions:
            raise Refused(403, f"Åtgärden {_shown(action)} är inte tillåten i redigeraren "
                               f"(bara {', '.join(actions)}).")
        if not isinstance(params, dict):
            raise Refused(400, "Begäran saknar sina uppgifter (params).")
        if self.drafts is not None and params.get("branch", self.drafts.branch) != self.drafts.branch:
            raise Refused(403, f"Redigeraren arbetar bara mot grenen {self.drafts.branch}, inte {_shown(params.get('branch'))}.")
        self._request.person = person
        try:
            return actions[action](params)
        finally:
            self._request.person = None

    def _who(self) -> "workflow.Person":
        person = getattr(self._request, "person", None)
        if person is None:
            raise Refused(403, "Redigeraren vet inte vem du är. Ladda om sidan och skriv ditt namn.")
        return person

    def _workflow(self, action):
        """A workflow action: one at a time with every save (the lock), its refusals in Swedish."""
        def run(params: dict) -> Any:
            try:
                with self.lock:
                    return action(params)
            except workflow.DraftError as err:
                raise Refused(err.status, err.reason, quiet=err.status == 404) from err
        return run

    def _publish(self, params: dict) -> Any:
        answer = self.drafts.publish(params, self._who())
        self.saved()
        return answer

    # --- paths ---------------------------------------------------------------------------------

    def path(self, rel: Any, folder_only: bool = False) -> Path:
        """The content file `rel` names (relative, with "/"), or Refused: only the single content
        files and id-named .yml files directly in a folder collection; no "..", no hidden or
        odd names, no symbolic link anywhere on the way (so nothing outside the project's own
        guidance/ and checklists/ folders is ever read or written). With an edition, only its
        own files in utgavor/<id>/ (editor.edition_files): no national file, no other edition."""
        if self.edition is not None:
            if not isinstance(rel, str) or rel not in self.edition_files or folder_only:
                raise Refused(403, NOT_EDITION.format(path=_shown(rel), edition=self.edition,
                                                      files=", ".join(sorted(self.edition_files))))
        if not isinstance(rel, str) or len(rel) > 200:
            raise Refused(403, NOT_CONTENT.format(path=_shown(rel)))
        pure = PurePosixPath(rel)
        folder = pure.parent.as_posix()
        single = rel in (SINGLE_FILES if self.edition is None else self.edition_files) and not folder_only
        if not (single or (folder in self.folders and FILE_NAME.fullmatch(pure.name))) or pure.as_posix() != rel:
            raise Refused(403, NOT_CONTENT.format(path=_shown(rel)))
        path = self.root.joinpath(*pure.parts)
        if os.path.realpath(path.parent) != str(self.root.joinpath(*pure.parent.parts)):
            raise Refused(403, f"{_shown(rel)}: mappen är en symbolisk länk, och redigeraren skriver "
                               "bara i projektets egna mappar.")
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return path
        if not stat.S_ISREG(mode):
            raise Refused(403, f"{_shown(rel)} är ingen vanlig fil (till exempel en symbolisk länk), "
                               "och redigeraren läser och skriver bara vanliga filer.")
        return path

    def _entry(self, rel: str, label: Any = None) -> dict[str, Any]:
        path = self.path(rel)
        try:
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:  # never through a link
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError:
            return {"data": None, "file": {"path": rel, "label": label, "id": None}}
        if len(data) > MAX_FILE_BYTES:
            raise Refused(403, f"{rel} är större än {MAX_FILE_BYTES // 1_000_000} MB och öppnas inte i redigeraren.")
        return {"data": data.decode("utf-8", errors="replace"),
                "file": {"path": rel, "label": label, "id": hashlib.sha256(data).hexdigest()}}

    # --- reading -------------------------------------------------------------------------------

    def entries_by_folder(self, params: dict) -> list[dict[str, Any]]:
        folder = params.get("folder")
        if not isinstance(folder, str) or folder not in self.folders:
            raise Refused(403, f"Mappen {_shown(folder)} är ingen av redigerarens mappar "
                               f"({', '.join(sorted(self.folders)) or 'inga: utgåvans filer redigeras en och en'}).")
        base = self.root / folder
        if os.path.realpath(base) != str(base):
            raise Refused(403, f"{folder}: mappen är en symbolisk länk, och redigeraren läser bara "
                               "projektets egna mappar.")
        names = sorted(e.name for e in os.scandir(base) if e.is_file(follow_symlinks=False)
                       and FILE_NAME.fullmatch(e.name)) if base.is_dir() else []
        return [self._entry(f"{folder}/{name}") for name in names]

    def entries_by_files(self, params: dict) -> list[dict[str, Any]]:
        files = params.get("files")
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            raise Refused(400, "Begäran saknar listan över filer.")
        return [self._entry(f.get("path"), f.get("label") if isinstance(f.get("label"), str) else None)
                for f in files]

    def get_entry(self, params: dict) -> dict[str, Any]:
        return self._entry(params.get("path"))

    # --- writing -------------------------------------------------------------------------------

    def persist_entry(self, params: dict) -> dict[str, str]:
        files = params.get("dataFiles") or ([params["entry"]] if params.get("entry") else [])
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
            raise Refused(400, "Begäran saknar filen som ska sparas.")
        if params.get("assets"):
            raise Refused(403, "Redigeraren sparar inga bilder eller andra filer, bara innehållsfilerna.")
        writes: list[tuple[Path, str, Path | None]] = []  # (where, text, old file to remove)
        for file in files:
            rel, new_rel, raw = file.get("path"), file.get("newPath"), file.get("raw")
            path = self.path(rel)
            old = None
            if new_rel is not None and new_rel != rel:
                target = self.path(new_rel, folder_only=True)
                if PurePosixPath(new_rel).parent != PurePosixPath(rel).parent:
                    raise Refused(403, f"{_shown(rel)} kan inte flyttas till en annan mapp ({_shown(new_rel)}).")
                if target.exists():
                    raise Refused(409, f"{new_rel} finns redan: välj ett annat id.")
                path, old, rel = target, path, new_rel
            if not isinstance(raw, str):
                raise Refused(400, f"Begäran saknar texten som ska sparas i {rel}.")
            if len(raw.encode("utf-8")) > MAX_FILE_BYTES:
                raise Refused(413, f"{rel} blir större än {MAX_FILE_BYTES // 1_000_000} MB och sparas inte.")
            try:
                text = shape_text(rel, raw)
            except FormatError as err:
                raise Refused(422, f"Filen sparades inte: {err}") from err
            writes.append((path, text, old))
        if self.drafts is not None:  # a draft: a commit in the editor's clone, the files untouched
            options = params.get("options")
            if not isinstance(options, dict) or options.get("useWorkflow") is not True:
                raise Refused(403, "Här sparas varje ändring som ett utkast som en kollega granskar och publicerar.")
            if len(writes) != 1 or writes[0][2] is not None:
                raise Refused(403, "Ett utkast ändrar en fil och byter inte namn på den.")
            path, text, _ = writes[0]
            return self._workflow(lambda p: self.drafts.persist(
                p, text, path.relative_to(self.root).as_posix(), self._who()))(params)
        with self.lock:  # one save at a time; each file replaced whole
            for path, text, old in writes:
                if old is not None and not old.is_file():
                    raise Refused(409, f"{old.relative_to(self.root).as_posix()} finns inte längre.")
                write_atomic(path, text)
                if old is not None:
                    old.unlink()
        self.saved()
        return {"message": "entry persisted"}

    def delete_files(self, params: dict) -> dict[str, str]:
        paths = params.get("paths")
        if not isinstance(paths, list) or not paths:
            raise Refused(400, "Begäran saknar filerna som ska tas bort.")
        targets = [self.path(rel, folder_only=True) for rel in paths]  # never a single content file
        if self.drafts is not None:
            raise Refused(403, "En publicerad fil tas inte bort i redigeraren när ändringar granskas: "
                               "be den som sköter projektets git att ta bort den (med en ändringsnotis).")
        with self.lock:
            for path in targets:
                path.unlink(missing_ok=True)
        self.saved()
        return {"message": f"{len(targets)} filer borttagna"}


def _shown(value: Any) -> str:
    """A value from a request as it may be shown in the log: quoted, short, no control characters
    (a request must not be able to write escape sequences into the maintainer's terminal)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return f"\"{text[:120]}{'…' if len(text) > 120 else ''}\""


def make_handler(root: Path, preview: Preview, storage: Storage, secret: str, port: int):
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
    api_path = API_PREFIX + secret

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = REQUEST_TIMEOUT  # socket timeout of each connection (StreamRequestHandler)

        def log_message(self, *args) -> None:
            pass

        # --- who may ask ----------------------------------------------------------------------

        def _one(self, name: str) -> str | None:
            values = self.headers.get_all(name) or []
            if len(values) > 1:
                raise Refused(403, f"Begäran har flera {name}-rader.")
            return values[0] if values else None

        def _check_caller(self, api: bool = False, secret_inside: bool = False) -> None:
            """Refused unless the request names this server (no DNS rebinding) and, if a page
            sent it, comes from this server's own pages. `api`: only this server's own pages may
            send it (an Origin of ours is required). `secret_inside`: the answer holds the
            session's secret, so not even a link from another site may open it."""
            host = self._one("Host")
            if host not in hosts:
                raise Refused(403, f"Begäran gällde värden {_shown(host)}: redigeraren svarar bara på "
                                   f"127.0.0.1:{port} och localhost:{port} (en annan webbplats som "
                                   "pekar sitt namn hit får inget svar).")
            origin, site = self._one("Origin"), self._one("Sec-Fetch-Site")
            if origin is not None and origin != f"http://{host}":
                raise Refused(403, f"Begäran kom från en annan webbplats ({_shown(origin)}).")
            if api and origin is None:
                raise Refused(403, "Begäran saknar avsändare (Origin): bara redigerarens egen sida "
                                   "får använda redigerarens lagring.")
            if site in (None, "same-origin") or (site == "none" and not api):
                return
            # a link from another site may open a page (it cannot read it, nor frame it)
            navigation = self._one("Sec-Fetch-Mode") == "navigate" and self._one("Sec-Fetch-Dest") == "document"
            if api or secret_inside or not navigation:
                raise Refused(403, f"Begäran kom från en annan webbplats (Sec-Fetch-Site: {_shown(site)}).")

        def _refuse(self, err: Refused) -> None:
            where = self.path.split("?", 1)[0].replace(secret, "…")
            if not err.quiet:
                print(f"Redigeraren avvisade {_shown(self.command)} {_shown(where)}: {err.reason}",
                      file=sys.stderr, flush=True)
            self.close_connection = True  # a body may be left unread
            body = json.dumps({"error": err.reason}, ensure_ascii=False).encode()
            self._send(err.status, body, "application/json; charset=utf-8")

        # --- GET: the editor's page and files, the preview ----------------------------------

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            try:
                self._check_caller(secret_inside=path == "/admin/config.yml")
                if path == "/admin/config.yml":
                    config = editor_config(root, api_url=api_path,
                                           branch=storage.drafts.branch if storage.drafts else None,
                                           edition=storage.edition)
                    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
                    return self._send(200, text.encode(), "text/yaml; charset=utf-8")
                if path.startswith("/api/"):
                    raise Refused(403, "Redigerarens lagring tar bara emot POST med JSON.")
            except Refused as err:
                return self._refuse(err)
            if path == "/admin":
                return self._redirect("/admin/")
            if path == "/admin/":
                page = ADMIN_PAGE if storage.drafts is None or self._person() else NAME_PAGE
                return self._send(200, page.encode(), "text/html; charset=utf-8", {"Content-Security-Policy": ADMIN_CSP})
            if path == "/admin/namn.js":
                return self._send(200, NAME_SCRIPT.encode(), "application/javascript; charset=utf-8")
            if path == "/admin/editor.js":
                return self._send(200, ADMIN_SCRIPT.encode(), "application/javascript; charset=utf-8")
            if path == "/admin/editor.css":
                return self._send(200, ADMIN_STYLE.encode(), "text/css; charset=utf-8")
            if path.startswith("/admin/"):
                return self._file(DECAP_DIST, path[len("/admin/"):])
            if path.startswith(DRAFT_URL) and storage.previews is not None:
                key, _, rest = path[len(DRAFT_URL):].partition("/")
                site = storage.previews.site(key)
                if site is None:
                    return self._send(404, "Förhandsgranskningen av utkastet finns inte (längre).".encode(),
                                      "text/plain; charset=utf-8")
                return self._file(site, rest)
            if path == "/__status":
                seen = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("seen", [""])[0]
                status = preview.status(int(seen) if seen.isdigit() and len(seen) < 12 else None)
                return self._send(200, json.dumps(status).encode(), "application/json")
            return self._preview(path)

        def do_HEAD(self) -> None:  # noqa: N802
            self._refuse(Refused(403, "Redigeraren svarar bara på GET och POST."))

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = do_PROPFIND = do_HEAD  # noqa: N815

        # --- POST: the storage API ------------------------------------------------------------

        def _person(self) -> "workflow.Person | None":
            """Who this browser said it is (the name form), by the key in its cookie."""
            if storage.drafts is None:
                return None
            cookie = http.cookies.SimpleCookie()
            try:
                cookie.load(self._one("Cookie") or "")
            except http.cookies.CookieError:
                return None
            morsel = cookie.get(workflow.COOKIE)
            return storage.drafts.person(morsel.value) if morsel else None

        def _name_form(self) -> None:
            """The name form's answer: the maintainer's name kept, and a cookie with their key."""
            if storage.drafts is None:
                raise Refused(403, "Redigeraren frågar bara efter namn när ändringar granskas (i ett git-arkiv).")
            kind = (self._one("Content-Type") or "").split(";", 1)[0].strip().lower()
            if kind != "application/json":
                raise Refused(403, f"Formuläret tar bara emot JSON, inte {_shown(kind)}.")
            data = json.loads(self._body())
            if not isinstance(data, dict):
                raise Refused(400, "Begäran är inget JSON-objekt.")
            with storage.lock:
                try:
                    key = storage.drafts.remember(data.get("name"), data.get("email"))
                except workflow.DraftError as err:
                    raise Refused(err.status, err.reason) from err
            cookie = (f"{workflow.COOKIE}={key}; Path=/; HttpOnly; SameSite=Strict; "
                      f"Max-Age={400 * 24 * 3600}")
            self._send(200, b'{"ok": true}', "application/json; charset=utf-8", {"Set-Cookie": cookie})

        def do_POST(self) -> None:  # noqa: N802
            try:
                self._check_caller(api=True)
                if self.path == "/admin/namn":
                    return self._name_form()
                if not hmac.compare_digest(self.path.split("?", 1)[0].encode(), api_path.encode()):
                    raise Refused(403, "Fel adress eller fel nyckel för redigerarens lagring. Ladda om "
                                       "redigeraren (varje gång \"make edit\" startar får den en ny nyckel).")
                kind = (self._one("Content-Type") or "").split(";", 1)[0].strip().lower()
                if kind != "application/json":
                    raise Refused(403, f"Redigerarens lagring tar bara emot JSON, inte {_shown(kind)}.")
                request = json.loads(self._body())
                if not isinstance(request, dict):
                    raise Refused(400, "Begäran är inget JSON-objekt.")
                answer = storage.handle(request.get("action"), request.get("params"), self._person())
            except Refused as err:
                return self._refuse(err)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
                return self._refuse(Refused(400, f"Begäran är ingen giltig JSON ({err})."))
            except OSError as err:  # a full disk, a file that cannot be written
                return self._refuse(Refused(500, f"Filen kunde inte sparas: {err}"))
            except Exception as err:  # noqa: BLE001 - a fault of ours: answered, and the editor goes on
                return self._refuse(Refused(500, f"Redigeraren kunde inte utföra begäran ({type(err).__name__}: {err})."))
            self._send(200, json.dumps(answer, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def _body(self) -> bytes:
            if self._one("Transfer-Encoding") is not None:
                raise Refused(411, "Begäran måste ange sin längd (Content-Length), inte skickas i delar.")
            length = self._one("Content-Length")
            if length is None or not length.isdigit() or not length.isascii():
                raise Refused(411 if length is None else 400, f"Begärans längd (Content-Length) är ogiltig: {_shown(length)}.")
            if int(length) > MAX_BODY:
                raise Refused(413, f"Begäran är för stor ({int(length) // 1_000_000} MB, högst {MAX_BODY // 1_000_000} MB).")
            deadline, chunks, left = time.monotonic() + BODY_DEADLINE, [], int(length)
            while left:
                if time.monotonic() > deadline:
                    raise Refused(408, "Begäran kom för långsamt och avbröts.")
                try:
                    chunk = self.rfile.read1(min(left, 65536))
                except TimeoutError as err:
                    raise Refused(408, "Begäran kom för långsamt och avbröts.") from err
                if not chunk:
                    raise Refused(400, "Begäran tog slut innan hela innehållet kommit fram.")
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)

        # --- files ----------------------------------------------------------------------------

        def _preview(self, path: str) -> None:
            with preview._lock:
                site, problems, failure, version = preview.site, preview.problems, preview.failure, preview.version
            wants_page = path.endswith("/") or path.endswith(".html")
            if (problems or failure) and wants_page:
                return self._send(200, problems_page(problems, failure, version).encode(), "text/html; charset=utf-8")
            if site is None:
                page = WAITING_PAGE.replace("RELOAD", reload_script(version))
                return self._send(200, page.encode(), "text/html; charset=utf-8")
            return self._file(site, path.lstrip("/"), reload=version)

        def _file(self, base: Path, rel: str, reload: int | None = None) -> None:
            """A file of `base`; with `reload` (the version of the site), pages get the reload script."""
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
                data = page.read_bytes() if reload is not None and page.is_file() else "Sidan finns inte.".encode()
                return self._send(404, self._with_reload(data, reload) if reload is not None else data,
                                  "text/html; charset=utf-8")
            data = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if reload is not None and kind == "text/html":
                data = self._with_reload(data, reload)
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self._send(200, data, kind)

        @staticmethod
        def _with_reload(data: bytes, version: int) -> bytes:
            return data.replace(b"</body>", reload_script(version).encode() + b"</body>", 1)

        def _redirect(self, where: str) -> None:
            self.send_response(301)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, data: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in {**COMMON_HEADERS, **(headers or {})}.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


class EditorServer(http.server.ThreadingHTTPServer):
    request_queue_size = QUEUE
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A connection that broke or fell silent ends quietly; the server goes on in any case."""
        err = sys.exc_info()[1]
        if not isinstance(err, (ConnectionError, TimeoutError)):
            print(f"Redigeraren kunde inte svara på en begäran ({type(err).__name__}: {_shown(str(err))}).",
                  file=sys.stderr, flush=True)


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def check_edition(root: Path, edition: str) -> None:
    """BuildError with load_edition's own message unless `edition` is one of the project's
    editions (a folder in utgavor/ with an utgava.yml): said before anything starts."""
    if edition in edition_ids(root):
        return
    if not (root / EDITIONS / edition / "utgava.yml").is_file():  # what load_edition checks first
        try:
            load_edition(root, edition, None)  # type: ignore[arg-type] - raises before reading the content
        except ContentError as err:
            raise BuildError("\n".join(str(p) for p in err.problems)) from err
    raise BuildError(f"\"{edition}\" är inget namn på en utgåva: skriv namnet på en mapp i {EDITIONS}/, "
                     f"till exempel {', '.join(edition_ids(root)) or 'exempelkommun'}.")


def serve(root: Path, port: int, edition: str | None = None) -> None:
    """Run until Ctrl+C: the editor, its storage, the preview and a watcher for hand edits.
    With `edition` (guide edit --utgava ID): that local edition's files only, and its site."""
    if edition is not None:
        check_edition(root, edition)
    if not (DECAP_DIST / "decap-cms.js").is_file():
        raise BuildError("Redigeraren är inte installerad. Kör \"make edit\" (den installerar allt som behövs).")
    for signum in (signal.SIGTERM, signal.SIGHUP):  # a process manager, a closed terminal: as Ctrl+C
        signal.signal(signum, _stop)
    engine.quiet(logging.ERROR)  # the engine's notes are not for maintainers
    try:
        httpd = EditorServer(("127.0.0.1", port), None)
    except OSError as err:
        raise BuildError(f"Adressen 127.0.0.1:{port} används redan av ett annat program ({err.strerror}). "
                         "Stäng det (kanske en annan \"make edit\" eller \"make serve\"), "
                         f"eller välj en annan port: .venv/bin/guide edit --port {port + 1}") from err
    preview = Preview(root, edition)
    preview.request()
    branch = workflow.git_branch(root)  # a git repository: drafts, review, publishing
    try:
        storage = Storage(root, saved=preview.request, branch=branch, edition=edition)  # a save: rebuild at once
    except (OSError, subprocess.CalledProcessError) as err:
        raise BuildError(f"Redigerarens egen kopia av git-arkivet ({workflow.CLONE}) kunde inte göras: "
                         f"{getattr(err, 'stderr', None) or err}") from err

    observer = watch(root, preview.request)  # hand edits, and the editor's saves
    httpd.RequestHandlerClass = make_handler(root, preview, storage, secrets.token_urlsafe(32),
                                             httpd.server_address[1])
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{httpd.server_address[1]}"
    print("Redigeraren startar. Förhandsgranskningen byggs, det tar några sekunder …", flush=True)
    try:
        while preview.version == 0:
            time.sleep(0.2)
        print("", flush=True)
        if edition is not None:
            print(f"Du redigerar den lokala utgåvan {edition}: bara filerna i {EDITIONS}/{edition}/, "
                  "och förhandsgranskningen visar utgåvan.", flush=True)
        print(f"Klart! Öppna redigeraren:        {address}/admin/", flush=True)
        print(f"Förhandsgranska webbplatsen:     {address}/", flush=True)
        if storage.drafts is not None:
            print(f"Ändringar sparas som utkast. En kollega granskar och publicerar dem på grenen "
                  f"{storage.drafts.branch}; först då ändras filerna och förhandsgranskningen.", flush=True)
        else:
            print("Sidorna byggs om varje gång du sparar (Publicera) i redigeraren.", flush=True)
        print("Avsluta med Ctrl+C.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nRedigeraren är avslutad.", flush=True)
    finally:
        observer.stop()
        httpd.shutdown()
        httpd.server_close()
        preview.stop()
