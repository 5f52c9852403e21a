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

import sys
import tempfile
import time
from pathlib import Path

from generator.outputs import engine
from generator.pipeline import (DOCS_DIR, PDF_DIR, BackgroundPdfs, BuildError, EngineBuilds, check,
                                environment_message, generate_pages, watch)


class Preview:
    def __init__(self, root: Path, port: int):
        self.root = root
        self.site = Path(tempfile.mkdtemp(prefix="guide-serve-"))
        self.url = f"http://127.0.0.1:{port}/"
        self.server = engine.live_reload_server(self.rebuild, "127.0.0.1", port, self.site)
        self.server.build_delay = 0.05  # how long the files must be quiet (an editor saves in steps)
        self.engine = EngineBuilds(root)
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
        engine.quiet()  # the engine warns on every build of only the changed pages: that is what we want here
        self.pdfs = BackgroundPdfs(self.root, self._pdfs_ready)
        self.rebuild()
        observer = watch(self.root, self.request_rebuild)
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
