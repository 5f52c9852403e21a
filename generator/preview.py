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

import json
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

from .build import CONFIG, DOCS_DIR, PDF_DIR, BuildError, check, generate_pages, generate_pdfs
from .pages import BYTECODE_CACHE
from .search import add_terms_to_index

WATCHED = ("guidance", "checklists", "docs", "generator/templates", "overrides")


class Preview:
    def __init__(self, root: Path, port: int):
        from mkdocs.livereload import LiveReloadServer

        self.root = root
        self.site = Path(tempfile.mkdtemp(prefix="guide-serve-"))
        self.url = f"http://127.0.0.1:{port}/"
        self.server = LiveReloadServer(builder=self.rebuild, host="127.0.0.1", port=port, root=str(self.site))
        self.server.build_delay = 0.05  # how long the files must be quiet (an editor saves in steps)
        self.full_index: dict | None = None  # the search index of the last full engine build
        self.built_once = False
        self.pdf_thread: threading.Thread | None = None
        self.pdf_wanted = threading.Event()
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
            from .cli import environment_message

            print(environment_message(err), file=sys.stderr)
            return
        self._engine_build(terms, dirty=self.built_once)
        self.built_once = True
        print(f"Sidorna är uppdaterade ({time.perf_counter() - started:.2f} s). "
              "PDF-filerna uppdateras i bakgrunden …", flush=True)
        self.content = content
        self.pdf_wanted.set()

    def _engine_build(self, terms: dict[str, list[str]], dirty: bool) -> None:
        """The engine's build of the pages whose files changed (all of them the first time)."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        # not strict: the preview has no offline zip, and a build of only the changed pages warns
        config = load_config(str(self.root / CONFIG), site_dir=str(self.site), strict=False)
        config.site_url = self.url
        theme_env = config.theme.get_env

        def get_env():  # the theme's templates compiled once, not on every rebuild
            env = theme_env()
            env.bytecode_cache = BYTECODE_CACHE
            return env

        config.theme.get_env = get_env
        build(config, serve_url=self.url, dirty=dirty)
        self._merge_index(dirty)
        add_terms_to_index(self.site, terms)

    def _merge_index(self, dirty: bool) -> None:
        """A build of only the changed pages writes an index of those pages: put them into the
        index of the whole site, so that search in the preview still covers every page."""
        index_file = self.site / "search" / "search_index.json"
        index = json.loads(index_file.read_text(encoding="utf-8"))
        if dirty and self.full_index is not None:
            rebuilt = {doc["location"].split("#")[0] for doc in index["docs"]}
            kept = [d for d in self.full_index["docs"] if d["location"].split("#")[0] not in rebuilt]
            index["docs"] = kept + index["docs"]
            index_file.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
        self.full_index = index

    def _pdf_worker(self) -> None:
        while True:
            self.pdf_wanted.wait()
            self.pdf_wanted.clear()
            started = time.perf_counter()
            try:
                status = generate_pdfs(self.root, self.content)
            except Exception as err:  # shown, and the preview goes on with the last PDFs
                print(f"PDF-filerna kunde inte byggas: {err}", file=sys.stderr, flush=True)
                continue
            if self.pdf_wanted.is_set():  # content changed meanwhile: these PDFs are outdated
                continue
            self._copy_pdfs()
            rendered = sum(status.values())
            print(f"PDF-filerna är klara ({rendered} nya, {time.perf_counter() - started:.1f} s).", flush=True)
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
        threading.Thread(target=self._pdf_worker, daemon=True).start()
        print(f"Förhandsgranskningen visas på {self.url} (avsluta med Ctrl+C).", flush=True)
        try:
            self.server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            observer.stop()
            self.server.shutdown()


def serve(root: Path, port: int) -> None:
    Preview(root, port).run()
