"""Render checklists and forms to tagged, fillable PDFs with WeasyPrint.

Each checklist in checklists/ becomes print HTML (templates/print/) and then a
PDF/UA-1 file with AcroForm fields. PDFs are rendered in worker processes (one
document uses one core; importing WeasyPrint costs about a second, so workers
are few and long-lived), and a PDF whose inputs have not changed is taken
from the cache in build/pdf-cache instead of being rendered again.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import re
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from generator import diskcache
from generator.content import model
from generator.content.edition import edition_ids as editions
from generator.content.load import GUIDE_PDF, Content
from generator.outputs import pdf_access, pdf_edition
from generator.outputs.pdf_edition import stamp_pdf
from generator.views.pages import Renderer
from generator.views.printed import (PRINT_CSS, guide_html, local_html, pack_html, print_renderer, resolve,
                                     sources_of, stamp_html)

CACHE_DIR = Path("build/pdf-cache")
GUIDE = GUIDE_PDF  # the whole guide as one PDF: site/pdf/hela-vagledningen.pdf


@dataclass(frozen=True)
class Job:
    name: str  # file name without .pdf
    html: str
    base_url: str  # where the HTML's relative URLs (fonts) resolve
    scope: str = ""  # "" when the PDF is the national one; else a local edition's own (its id)
    tagged: bool = True  # a PDF of the site; False: a local edition's stamp (pdf_edition.py)

    def key(self) -> str:
        """Everything the PDF depends on: the HTML, the stylesheet, the fonts, and the code that
        renders it (this module, where WeasyPrint's options are set, the post-process, and the
        versions of WeasyPrint and pikepdf)."""
        fonts = [f.read_bytes() for f in sorted(Path(self.base_url).glob("assets/fonts/*.woff2"))]
        return pdf_cache(Path()).key(self.html, PRINT_CSS.read_bytes(), *fonts, str(self.tagged))

    @property
    def cache_name(self) -> str:
        """The national PDF's name, shared by every edition; an edition's own as u--<id>--<name>."""
        return f"{EDITION_ENTRY}{self.scope}--{self.name}" if self.scope else self.name


EDITION_ENTRY = "u--"  # the cache entries of a local edition's own PDFs start so
STAMP = "stampel"  # a local edition's stamp, in the cache only


def pdf_cache(root: Path) -> diskcache.Cache:
    """build/pdf-cache: one PDF per name, keyed by Job.key."""
    return diskcache.Cache(root / CACHE_DIR, ".pdf", [sys.modules[__name__], pdf_access, pdf_edition, "weasyprint", "pikepdf"])


_last: dict = {}  # the content and project of the last build, and its jobs


def jobs(content: Content, root: Path) -> list[Job]:
    """Every PDF of the site: the whole guide first (the longest, so the worker pool starts it
    first), then the checklists and forms and the meeting packs.

    A build asks twice for the same content (pages, then PDFs): the second time costs nothing."""
    if _last.get("content") is not content or _last.get("root") != root:
        _last.clear()
        _last.update(content=content, root=root, jobs=_make_jobs(content, root, print_renderer(content)))
    return _last["jobs"]


def _make_jobs(content: Content, root: Path, renderer: Renderer) -> list[Job]:
    """The site's PDFs. A local edition's whole guide and packs are the national ones (rendered
    once for every edition, with the edition's name stamped on); its checklists are its own only
    where it adds local items or fields; its own PDF holds its contacts and routines."""
    base = str((root / "docs").resolve())
    css = PRINT_CSS.read_text(encoding="utf-8")
    edition = content.edition
    national = content if edition is None else dataclasses.replace(content, edition=None)
    shared = renderer if edition is None else Renderer(national)
    result = [Job(GUIDE, guide_html(national, shared, css), base)]  # first: the longest
    for checklist in content.checklists:
        html = _checklist_html(checklist, content, renderer, css)
        own = edition is not None and html != _checklist_html(checklist, national, shared, css)
        result.append(Job(checklist.id, html, base, scope=edition.id if own else ""))
    for pack in content.packs:
        result.append(Job(pack.id, pack_html(pack, national, shared, css), base))
    if edition is not None:
        result.append(Job(edition.PDF, local_html(content, renderer, css), base, scope=edition.id))
        result.append(Job(STAMP, stamp_html(content, renderer, css), base, scope=edition.id, tagged=False))
    return result


def _checklist_html(checklist: model.Checklist, content: Content, renderer: Renderer, css: str) -> str:
    citations, reviewed = sources_of(checklist, content)
    return renderer.render_html("print/checklist.html.j2", checklist=checklist, content=content,
                                parts=resolve(checklist, content), citations=citations, reviewed=reviewed, css=css)


def render_pack(pack: model.Pack, content: Content, root: Path, target: Path) -> Path:
    """One meeting pack, rendered now (for `guide pack`)."""
    html = pack_html(pack, content, Renderer(content), PRINT_CSS.read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_render(Job(pack.id, html, str((root / "docs").resolve()))))
    return target


PAGE_COUNTS = Path("build/pdf-pages.json")  # pages of each PDF, by its name, size and date


def page_counts(folder: Path, root: Path | None = None) -> dict[str, int]:
    """Number of pages of each PDF in a folder (file name without .pdf -> pages).

    Kept in root/build/pdf-pages.json by each file's name, size and date (a build copies
    each PDF from the cache with its date), so a PDF is opened only when it is new."""
    known_file = root / PAGE_COUNTS if root else None
    data = diskcache.read(known_file) if known_file else None
    known: dict[str, int] = json.loads(data) if data else {}
    counts, seen = {}, {}  # seen: what to keep (only the PDFs there now)
    for path in sorted(folder.glob("*.pdf")):
        info = path.stat()
        key = f"{path.name} {info.st_size} {info.st_mtime_ns}"
        if key in known:
            seen[key] = known[key]
        else:
            with pikepdf.open(path) as document:  # qpdf: a tenth of pypdf's time on the whole guide
                seen[key] = len(document.pages)
        counts[path.stem] = seen[key]
    if known_file and seen != known:
        diskcache.keep(known_file, json.dumps(seen, sort_keys=True).encode("utf-8"))
    return counts


def render_pdfs(content: Content, root: Path, out_dir: Path, workers: int | None = None) -> dict[str, bool]:
    """Write one PDF per checklist into out_dir; return name -> whether it was rendered anew.

    The cache holds one file per PDF, named by its key and written whole under a temporary
    name first: a build killed at any moment leaves every cache entry complete and right."""
    check_fonts(root)
    cache = pdf_cache(root)
    cache.folder.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo, status, cached = [], {}, {}
    for job in jobs(content, root):
        cached[job.name] = cache.entry(job.cache_name, job.key())
        status[job.name] = not cached[job.name].exists()
        if status[job.name]:
            todo.append(job)
    workers = workers or min(len(todo), os.cpu_count() or 1) or 1
    if todo:
        if workers == 1:  # in this process: no second WeasyPrint import
            results = [_render(job) for job in todo]
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                results = list(pool.map(_render, todo))
        for job, pdf in zip(todo, results):
            cache.write(cached[job.name], pdf, required=True)
    edition = content.edition
    stamp = cached.pop(STAMP).read_bytes() if edition is not None else None
    status.pop(STAMP, None)
    for name, path in cached.items():
        if stamp is None:
            shutil.copy2(path, out_dir / f"{name}.pdf")
        else:  # the national PDF or the edition's own, with the edition's name on every page
            (out_dir / f"{name}.pdf").write_bytes(stamp_pdf(path.read_bytes(), stamp, edition.name))
    # PDFs no longer made (a checklist removed), and what an older generator kept: a national
    # build prunes the national PDFs and those of editions no longer there; an edition its own
    own = f"{EDITION_ENTRY}{edition.id}--" if edition else None
    cache.prune(lambda name: name.startswith(own) if own else not (
        name.startswith(EDITION_ENTRY) and name[len(EDITION_ENTRY):].split("--")[0] in editions(root)))
    return status


def _die_with_parent(parent: int | None = None) -> None:
    """A worker ends when the build that started it ends, even if the build was killed (Linux).

    `parent`: the build's process id, to catch a build killed before the worker got here."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


FONT_URL = re.compile(r'url\("([^"]+)"\)')


def check_fonts(root: Path) -> None:
    """Every font the print stylesheet names is there: WeasyPrint would silently use another."""
    missing = [url for url in FONT_URL.findall(PRINT_CSS.read_text(encoding="utf-8"))
               if not (root / "docs" / url).is_file()]
    if missing:
        raise FileNotFoundError(errno.ENOENT, (
            "Typsnittsfilen saknas, och PDF-filerna skulle då tyst få ett annat typsnitt. Hämta "
            "tillbaka filen, till exempel med \"git checkout -- docs/assets/fonts\""), str(root / "docs" / missing[0]))


def _render(job: Job) -> bytes:
    from weasyprint import HTML

    identifier = hashlib.sha256(job.name.encode()).hexdigest()[:32].encode()
    if not job.tagged:  # a stamp: drawn into tagged PDFs as page furniture
        return pdf_access.fix_to_unicode(HTML(string=job.html, base_url=job.base_url + "/").write_pdf(
            pdf_identifier=identifier))
    pdf = HTML(string=job.html, base_url=job.base_url + "/").write_pdf(
        pdf_variant="pdf/ua-1", pdf_forms=True, pdf_identifier=identifier, custom_metadata=True)
    return pdf_access.make_accessible(pdf, job.html)  # every PDF: names, appearances, tags, links
