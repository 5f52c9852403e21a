"""The preview of a draft under review: the site built from the draft's content, served by
`guide edit` at /__utkast/<commit>/ (Decap's "Kontrollera förhandsvisning", then "Visa
förhandsvisning", on a draft's page).

The draft's content files are taken from its commit in the editor's clone (git archive), beside
copies of the project's docs/, overrides/ and mkdocs.yml, in build/utkast/<commit>/; the pages
are built there as the live preview builds them (build.generate_docs without PDFs, then the
engine). The maintainer's working tree and the live preview are never touched.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

from generator.commands.drafts import Drafts
from generator.content.edition import EDITIONS

FOLDER = Path("build/utkast")
URL = "/__utkast/"
KEY = re.compile(r"[0-9a-f]{16}")
PROJECT_FILES = ("docs", "overrides", "mkdocs.yml")  # besides the content: what a build reads


class DraftPreviews:
    def __init__(self, root: Path, drafts: Drafts, edition: str | None = None):
        self.root, self.drafts = root, drafts
        self.edition = edition  # guide edit --utgava ID: the draft's preview is that edition's site
        self.base = root / FOLDER
        shutil.rmtree(self.base, ignore_errors=True)  # those of an earlier session: drafts have moved on
        self._building: set[str] = set()
        self._lock = threading.Lock()

    def site(self, key: str) -> Path | None:
        """The built preview of the draft commit `key`, if there is one."""
        if not KEY.fullmatch(key):
            return None
        site = self.base / key / "site"
        return site if (site / "index.html").is_file() else None

    def request(self, params: dict) -> dict[str, str] | None:
        """Decap's getDeployPreview: the address once the draft's preview is built (None until
        then: the build starts, and Decap offers to check again)."""
        branch, _ = self.drafts._entry(params.get("collection"), params.get("slug"))
        tip = self.drafts._ref(branch)
        if tip is None:
            return None
        key = tip[:16]
        if self.site(key):
            return {"url": f"{URL}{key}/", "status": "SUCCESS"}
        with self._lock:
            if key not in self._building:
                self._building.add(key)
                threading.Thread(target=self._build, args=(tip, key), daemon=True).start()
        return None

    def _build(self, tip: str, key: str) -> None:
        from generator.pipeline import BuildError, generate_docs
        from generator.pipeline import EngineBuilds

        folder = self.base / key
        project = folder / "projekt"
        try:
            shutil.rmtree(folder, ignore_errors=True)
            project.mkdir(parents=True)
            for name in PROJECT_FILES:
                source = self.root / name
                if source.is_dir():
                    shutil.copytree(source, project / name, symlinks=False)
                elif source.is_file():
                    shutil.copyfile(source, project / name)
            content = ["guidance", "checklists"] + ([EDITIONS] if self.edition is not None else [])
            archive = subprocess.run(["git", "--git-dir", str(self.drafts.repo), "archive", "--format=tar", tip,
                                      *content], capture_output=True, check=True).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(project, filter="data")
            _, terms = generate_docs(project, pdfs=False, edition=self.edition)
            built = folder / "site-byggs"
            EngineBuilds(project, self.edition).build(built, terms)
            built.rename(folder / "site")
            print(f"Förhandsgranskningen av ett utkast är klar: {URL}{key}/", flush=True)
        except (BuildError, OSError, subprocess.CalledProcessError, tarfile.TarError) as err:
            print(f"Utkastet kunde inte förhandsgranskas: {err}", file=sys.stderr, flush=True)
        finally:
            with self._lock:
                self._building.discard(key)
