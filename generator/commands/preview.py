"""`guide serve`: a live preview that shows an edit within a second.

When a content file, a hand-written page or a template is saved, the pages are generated
again (only those that changed are rewritten), the site engine rebuilds just those pages,
and the browser reloads. PDFs take seconds: they are rendered afterwards in the background,
and the preview says so in the terminal and reloads the browser once they are in place.

The engine's own live-reload server (MkDocs' LiveReloadServer) serves the pages and reloads
the browser; we tell it to rebuild as soon as our file watcher sees a change, instead of
letting it look for changes every half second.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable

from generator.pipeline import CONFIG, DOCS_DIR, PDF_DIR, BuildError, check, engine_config, generate_pages, generate_pdfs
from generator.outputs.pdf import _die_with_parent
from generator.views.search import add_terms_to_index

WATCHED = ("guidance", "checklists", "docs", "generator/templates", "overrides")


class BackgroundPdfs:
    """The PDFs, rendered after the pages in a process of their own at low priority.

    In this process WeasyPrint would hold the interpreter for seconds (the whole guide takes
    about ten), and the pages of the next edit would wait for it. `request()` after each edit;
    `on_ready(status, seconds)` is called when the PDFs in build/docs/pdf are those of the
    latest content (not when content changed again meanwhile)."""

    def __init__(self, root: Path, on_ready: Callable[[dict[str, bool], float], None]):
        self.root, self.on_ready = root, on_ready
        self.wanted = threading.Event()
        self.pool: ProcessPoolExecutor | None = None
        self.stopped = False
        threading.Thread(target=self._loop, daemon=True).start()

    def request(self) -> None:
        self.wanted.set()

    def stop(self) -> None:
        """End the PDF process now: Ctrl+C should not wait for a render under way."""
        self.stopped = True
        pool, self.pool = self.pool, None
        if pool is not None:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()  # the executor has no public way to end a running task
            pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        while not self.stopped:
            self.wanted.wait()
            self.wanted.clear()
            started = time.perf_counter()
            if self.pool is None:  # spawned, not forked: this process runs threads
                self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_low_priority, initargs=(os.getpid(),))
            try:
                status = self.pool.submit(_render_pdfs, self.root).result()
            except BrokenProcessPool:
                self.pool = None
                if self.stopped:
                    return
                print("PDF-filerna kunde inte byggas: processen som byggde dem avslutades.", file=sys.stderr, flush=True)
                continue
            except BuildError:  # the pages say what is wrong with the content
                continue
            except Exception as err:  # shown, and the preview goes on with the last PDFs
                print(f"PDF-filerna kunde inte byggas: {err}", file=sys.stderr, flush=True)
                continue
            if not self.wanted.is_set():  # else the content changed meanwhile: render again
                self.on_ready(status, time.perf_counter() - started)


def _low_priority(parent: int) -> None:
    _die_with_parent(parent)
    os.nice(10)  # the pages of the next edit come first


def _render_pdfs(root: Path) -> dict[str, bool]:
    return generate_pdfs(root, check(root))


class EngineBuilds:
    """The engine's builds of a preview: every page the first time, after that only the pages
    whose files changed (a tenth of the time), with the search index kept whole. A change of the
    navigation (a page added or removed, mkdocs.yml) or of the theme (overrides/) builds every
    page again, as every page shows those."""

    def __init__(self, root: Path, url: str | None = None):
        self.root, self.url = root, url
        self.full_index: dict | None = None  # the search index of every page, as last built
        self.shape: str | None = None  # what every page shows: nav, config, theme

    def build(self, site: Path, terms: dict[str, list[str]], previous: Path | None = None) -> None:
        """Build into `site`; with `previous` (a site this object built), start from a copy of it."""
        from mkdocs.commands.build import build

        shape = self._shape()
        dirty = self.shape == shape and self.full_index is not None and (previous is None or previous.is_dir())
        if previous is not None and previous != site:
            shutil.rmtree(site, ignore_errors=True)
            if dirty:
                shutil.copytree(previous, site, copy_function=shutil.copy2)  # its dates tell what changed
        # not strict: the preview has no offline zip, and a build of only the changed pages warns
        config = engine_config(self.root / CONFIG, site, strict=False)
        if self.url:
            config.site_url = self.url
        build(config, serve_url=self.url, dirty=dirty)
        self._merge_index(site, dirty)
        add_terms_to_index(site, terms)
        self.shape = shape

    def _shape(self) -> str:
        digest = hashlib.sha256((self.root / CONFIG).read_bytes())
        docs = self.root / DOCS_DIR
        digest.update("\0".join(sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))).encode())
        for path in sorted((self.root / "overrides").rglob("*")):
            if path.is_file():
                digest.update(path.as_posix().encode() + path.read_bytes())
        return digest.hexdigest()

    def _merge_index(self, site: Path, dirty: bool) -> None:
        """A build of only the changed pages writes an index of those pages: put them into the
        index of the whole site, so that search in the preview still covers every page."""
        index_file = site / "search" / "search_index.json"
        index = json.loads(index_file.read_text(encoding="utf-8"))
        if dirty and self.full_index is not None:
            rebuilt = {doc["location"].split("#")[0] for doc in index["docs"]}
            kept = [d for d in self.full_index["docs"] if d["location"].split("#")[0] not in rebuilt]
            index["docs"] = kept + index["docs"]
            index_file.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
        self.full_index = index


class Preview:
    def __init__(self, root: Path, port: int):
        from mkdocs.livereload import LiveReloadServer

        self.root = root
        self.site = Path(tempfile.mkdtemp(prefix="guide-serve-"))
        self.url = f"http://127.0.0.1:{port}/"
        self.server = LiveReloadServer(builder=self.rebuild, host="127.0.0.1", port=port, root=str(self.site))
        self.server.build_delay = 0.05  # how long the files must be quiet (an editor saves in steps)
        self.engine = EngineBuilds(root, self.url)
        self.pdfs: BackgroundPdfs | None = None
        self.changed_at: float | None = None  # when the watcher saw the edit being shown

    # --- the pipeline -----------------------------------------------------------------------

    def rebuild(self) -> None:
        """Pages first: generate, build the changed pages, reload. PDFs follow in the background."""
        started = self.changed_at or time.perf_counter()
        self.changed_at = None
        try:
            content = check(self.root)
            terms = generate_pages(self.root, content)
        except BuildError as err:  # keep the last good pages while the maintainer fixes the file
            print(err, file=sys.stderr)
            return
        except OSError as err:  # a full disk, a folder that cannot be written: said in Swedish
            from generator.pipeline import environment_message

            print(environment_message(err), file=sys.stderr)
            return
        self.engine.build(self.site, terms)
        print(f"Sidorna är uppdaterade ({time.perf_counter() - started:.2f} s). "
              "PDF-filerna uppdateras i bakgrunden …", flush=True)
        if self.pdfs is not None:
            self.pdfs.request()

    def _pdfs_ready(self, status: dict[str, bool], seconds: float) -> None:
        self._copy_pdfs()
        rendered = sum(status.values())
        print(f"PDF-filerna är klara ({rendered} nya, {seconds:.1f} s).", flush=True)
        if rendered:
            self._reload()

    def _copy_pdfs(self) -> None:
        import shutil

        source, target = self.root / DOCS_DIR / PDF_DIR, self.site / PDF_DIR
        target.mkdir(parents=True, exist_ok=True)
        for pdf in source.glob("*.pdf"):
            shutil.copy2(pdf, target / pdf.name)

    # --- the engine's live-reload server -------------------------------------------------------

    def request_rebuild(self) -> None:
        """Ask the server's build loop to rebuild now (MkDocs 1.6 LiveReloadServer internals)."""
        if self.changed_at is None:
            self.changed_at = time.perf_counter()
        with self.server._rebuild_cond:
            self.server._want_rebuild = True
            self.server._rebuild_cond.notify_all()

    def _reload(self) -> None:
        """Reload the browser without a rebuild (the PDFs were copied into the site)."""
        with self.server._epoch_cond:
            self.server._wanted_epoch = self.server._visible_epoch = round(time.monotonic() * 1000)
            self.server._epoch_cond.notify_all()

    def run(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        # The engine warns on every build of only the changed pages; that is what we want here.
        logging.getLogger("mkdocs.commands.build").addFilter(lambda r: "'dirty' build" not in r.getMessage())
        self.pdfs = BackgroundPdfs(self.root, self._pdfs_ready)
        self.rebuild()
        preview = self

        class Changed(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if not event.is_directory and event.event_type in ("modified", "created", "deleted", "moved"):
                    preview.request_rebuild()

        observer = Observer()
        for folder in WATCHED:
            if (self.root / folder).is_dir():
                observer.schedule(Changed(), str(self.root / folder), recursive=True)
        observer.schedule(Changed(), str(self.root), recursive=False)  # mkdocs.yml
        observer.start()
        print(f"Förhandsgranskningen visas på {self.url} (avsluta med Ctrl+C).", flush=True)
        try:
            self.server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            observer.stop()
            self.server.shutdown()
            self.pdfs.stop()


def serve(root: Path, port: int) -> None:
    Preview(root, port).run()
