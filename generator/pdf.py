"""Render checklists and forms to tagged, fillable PDFs with WeasyPrint.

Each checklist in checklists/ becomes print HTML (templates/print/) and then a
PDF/UA-1 file with AcroForm fields. PDFs are rendered in worker processes (one
document uses one core; importing WeasyPrint costs about a second, so workers
are few and long-lived), and a PDF whose inputs have not changed is taken
from the cache in build/pdf-cache instead of being rendered again.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import json
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pikepdf
from markupsafe import Markup

from . import diskcache, model, pdf_access
from .history import History
from .load import GUIDE_PDF, Content
from .pages import GUIDE_CHAPTERS, Renderer

PRINT_CSS = Path(__file__).parent / "templates" / "print" / "print.css"
CACHE_DIR = Path("build/pdf-cache")
CACHE_ENTRY = re.compile(r"[a-z0-9-]+-[0-9a-f]{64}\.pdf")  # <name>-<key>.pdf, see render_pdfs
GUIDE = GUIDE_PDF  # the whole guide as one PDF: site/pdf/hela-vagledningen.pdf


@dataclass(frozen=True)
class Job:
    name: str  # file name without .pdf
    html: str
    base_url: str  # where the HTML's relative URLs (fonts) resolve

    def key(self) -> str:
        """Everything the PDF depends on: the HTML, the stylesheet, the fonts, WeasyPrint, and the
        post-process (its code and pikepdf)."""
        digest = hashlib.sha256(self.html.encode("utf-8"))
        digest.update(PRINT_CSS.read_bytes())
        for font in sorted(Path(self.base_url).glob("assets/fonts/*.woff2")):
            digest.update(font.read_bytes())
        digest.update(version("weasyprint").encode())
        digest.update(Path(pdf_access.__file__).read_bytes() + version("pikepdf").encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Resolved:
    """A checklist part with its items looked up in the content."""

    title: str | None
    note: str | None
    items: list[tuple[str, str]]  # (id, text)
    fields: list[model.FormField]
    display: str = "kryssrutor"  # tick boxes, a text field per item, or printed text


def resolve(checklist: model.Checklist, content: Content) -> list[Resolved]:
    if checklist.template == "handlingsplan":  # one "risk förekommer" box per area of the matrix
        return [Resolved(None, None, [(a.id, a.area) for a in content.action_plan.areas], [])]
    items = content.item_by_id
    parts = []
    for part in checklist.parts:
        entries: list[tuple[str, str]] = []
        title = part.title
        if part.group:
            group = items[part.group]
            entries += _entries(group, part.list_key)
            title = title or getattr(group, "title", None) or getattr(group, "name", None)
        entries += [(i, item_text(items[i])) for i in part.items]
        parts.append(Resolved(title, part.note, entries, part.fields, part.display))
    return parts


def _entries(group: model.Item, list_key: str | None = None) -> list[tuple[str, str]]:
    """(id, text) of a group's items; plain text lists get ids from the group's id.

    `list_key` names the list by its YAML key (e.g. "deltar"); otherwise the group's main list."""
    names = ("signs", "points", "responsibilities", "routines", "facts", "activities")
    if list_key:
        names = tuple(n for n, f in type(group).model_fields.items() if f.alias == list_key)
    for name in names:
        children = getattr(group, name, None)
        if children:
            prefix = f"{group.id}-{list_key}" if list_key else group.id
            return [(f"{prefix}-{n}", c) if isinstance(c, str) else (c.id, item_text(c))
                    for n, c in enumerate(children, 1)]
    raise ValueError(f"{group.id} has no list {list_key or 'of items'}")


def item_text(item: model.Item) -> str:
    if isinstance(item, model.Routine):
        return f"{item.name}: {item.text}"
    for name in ("text", "name", "title"):
        if isinstance(getattr(item, name, None), str):
            return getattr(item, name)
    raise ValueError(f"{item.id} has no text")


def sources_of(checklist: model.Checklist, content: Content) -> tuple[list[model._Citation], datetime.date]:
    """The citations and the latest review date of the guidance a checklist draws on."""
    files: list[model.GuidanceFile] = []
    citations: dict[tuple[str, str | None], model._Citation] = {}
    if checklist.template == "handlingsplan":
        files.append(content.action_plan)
        citations.update({(c.source, c.section): c for c in content.action_plan.citations})
    for item_id in [p.group for p in checklist.parts if p.group] + [i for p in checklist.parts for i in p.items]:
        f = content.file_of(item_id)
        files.append(f)
        for cite in [*f.citations, *content.item_by_id[item_id].citations]:
            citations.setdefault((cite.source, cite.section), cite)
    return list(citations.values()), max(f.reviewed for f in files)


_last: dict = {}  # the content of the last build, its print renderer and its jobs


def print_renderer(content: Content) -> Renderer:
    """One renderer per content for print: each page is rendered for print once per build."""
    if _last.get("content") is not content:
        _last.clear()
        _last.update(content=content, renderer=Renderer(content))
    return _last["renderer"]


def jobs(content: Content, root: Path) -> list[Job]:
    """Every PDF of the site: the whole guide first (the longest, so the worker pool starts it
    first), then the checklists and forms and the meeting packs.

    A build asks twice for the same content (pages, then PDFs): the second time costs nothing."""
    renderer = print_renderer(content)
    if _last.get("root") != root:
        _last.update(root=root, jobs=_make_jobs(content, root, renderer))
    return _last["jobs"]


def _make_jobs(content: Content, root: Path, renderer: Renderer) -> list[Job]:
    base = str((root / "docs").resolve())
    css = PRINT_CSS.read_text(encoding="utf-8")
    result = [Job(GUIDE, guide_html(content, renderer, css), base)]  # first: the longest
    for checklist in content.checklists:
        citations, reviewed = sources_of(checklist, content)
        html = renderer.render_html("print/checklist.html.j2", checklist=checklist, content=content,
                                    parts=resolve(checklist, content), citations=citations,
                                    reviewed=reviewed, css=css)
        result.append(Job(checklist.id, html, base))
    for pack in content.packs:
        result.append(Job(pack.id, pack_html(pack, content, renderer, css), base))
    return result


def checklist_entry(checklist: model.Checklist, content: Content) -> dict:
    """A checklist as an entry of a pack or an appendix of the guide."""
    return {"kind": "checklist", "id": checklist.id, "title": checklist.title,
            "checklist": checklist, "parts": resolve(checklist, content)}


def pack_html(pack: model.Pack, content: Content, renderer: Renderer, css: str) -> str:
    """A meeting pack: cover, contents with page numbers, then each checklist or page section."""
    checklists = {c.id: c for c in content.checklists}
    entries, citations, reviewed = [], {}, []
    for entry in pack.entries:
        if entry.checklist:
            checklist = checklists[entry.checklist]
            cites, date = sources_of(checklist, content)
            entries.append(checklist_entry(checklist, content))
        else:
            page, _, anchor = entry.section.partition("#")
            section = renderer.print_section(page, anchor)
            cites, date = section.citations, section.reviewed
            entries.append({"kind": "section", "id": section.id, "title": section.title, "html": section.html})
        citations.update({(c.source, c.section): c for c in cites})
        reviewed.append(date)
    return renderer.render_html("print/pack.html.j2", pack=pack, entries=entries, content=content,
                                citations=list(citations.values()), reviewed=max(reviewed), css=css)


def guide_updated(content: Content) -> datetime.date:
    """ "Senast uppdaterad" of the whole guide: the same rule as every page and PDF (the latest
    major change of the content it shows, see history.Status), over all of the content."""
    history = History.of(content)
    return history.status([m for _, m, _ in history.files]).updated


def guide_html(content: Content, renderer: Renderer, css: str) -> str:
    """The whole guide ("Hela vägledningen"): every chapter numbered, the checklists and forms
    as appendices, the sources, the review date and the pact notice where it applies."""
    chapters = []
    for number, page in enumerate(GUIDE_CHAPTERS, 1):
        section = renderer.print_section(page)
        html = re.sub(r"(<h1[^>]*>)", lambda m: f"{m.group(1)}{number}. ", section.html, count=1)
        chapters.append({"number": number, "id": section.id, "title": section.title,
                         "html": Markup(html)})
    citations = {}
    for f in content.guidance:
        citations.update({(c.source, c.section): c for c in renderer.page_citations(f)})
    used = {c.source for c in citations.values()}
    sources = sorted((s for s in content.sources.values() if s.id in used),
                     key=lambda s: (s.publisher, s.title))
    pact = any(getattr(node, "asylum_pact", False) for node in model.walk(content.guidance))
    appendices = [checklist_entry(c, content) for c in content.checklists]
    return renderer.render_html("print/guide.html.j2", chapters=chapters, appendices=appendices,
                                sources_used=sources, content=content, pact=pact,
                                reviewed=content.last_reviewed, updated=guide_updated(content), css=css)


COMPOSER_MAX_SECTIONS = 30  # a page with more sections (the glossary) is one part of the composer


def composer_html(content: Content, renderer: Renderer) -> str:
    """The parts of the print composer page (pages/utskriftspaket.md.j2): each chapter's
    sections and each checklist, as the same print HTML the PDFs hold."""
    chapters = []
    for number, page in enumerate(GUIDE_CHAPTERS, 1):
        sections = renderer.print_sections(page)
        if len(sections) > COMPOSER_MAX_SECTIONS:
            sections = [renderer.print_section(page)]
        chapters.append({"number": number, "page": page, "title": renderer.print_section(page).title,
                         "sections": sections})
    checklists = []
    for checklist in content.checklists:
        citations, reviewed = sources_of(checklist, content)
        checklists.append({**checklist_entry(checklist, content), "citations": citations, "reviewed": reviewed})
    return renderer.render_html("print/composer.html.j2", chapters=chapters, checklists=checklists,
                                content=content, reviewed=content.last_reviewed)


def page_sections(content: Content, page: str) -> list[str]:
    """The anchors of a page's h2 sections, which a pack's "avsnitt: sida#avsnitt" may name."""
    return print_renderer(content).section_anchors(page)


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
    cache = root / CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo, status, cached = [], {}, {}
    for job in jobs(content, root):
        cached[job.name] = cache / f"{job.name}-{job.key()}.pdf"
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
            diskcache.write_atomic(cached[job.name], pdf)
            diskcache.drop_older(cached[job.name], job.name)
    for name, path in cached.items():
        shutil.copy2(path, out_dir / f"{name}.pdf")
    for path in cache.iterdir():  # what an older generator kept there (a .key beside each PDF)
        if not (CACHE_ENTRY.fullmatch(path.name) or path.name.startswith(".")):
            path.unlink(missing_ok=True)
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
    pdf = HTML(string=job.html, base_url=job.base_url + "/").write_pdf(
        pdf_variant="pdf/ua-1", pdf_forms=True, pdf_identifier=identifier, custom_metadata=True)
    return pdf_access.make_accessible(pdf, job.html)  # every PDF: names, appearances, tags, links
