"""Print HTML: the checklists and forms, the meeting packs, the whole guide and the print
composer's parts, from the same templates and Renderer as the site's pages (templates/print/).

outputs/pdf.py turns this HTML into PDFs; the print composer page holds it as it is.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from markupsafe import Markup

from generator.content import model
from generator.content.load import Content
from generator.sitemap import GUIDE_CHAPTERS, page_of, titles
from generator.views.history import History
from generator.views.pages import TEMPLATES, Renderer

PRINT_CSS = TEMPLATES / "print" / "print.css"
@dataclass(frozen=True)
class Resolved:
    """A checklist part with its items looked up in the content."""

    title: str | None
    note: str | None
    items: list[tuple[str, str]]  # (id, text)
    fields: list[model.FormField]
    display: str = "kryssrutor"  # tick boxes, a text field per item, or printed text
    local: bool = False  # a local edition's own items and fields (content/edition.py), marked as local


def resolve(checklist: model.Checklist, content: Content) -> list[Resolved]:
    """The checklist's parts with their items looked up, then a local edition's own part."""
    return _national_parts(checklist, content) + _local_parts(checklist, content)


def _local_parts(checklist: model.Checklist, content: Content) -> list[Resolved]:
    """A local edition's items and fields for the checklist, as one part after the national ones.
    Their ids start with "lokal-", so that no field name is ever a national one."""
    additions = content.edition.additions_to(checklist.id) if content.edition else []
    if not additions:
        return []
    items = [(f"lokal-{i.id}", i.text) for a in additions for i in a.items]
    fields = [f.model_copy(update={"id": f"lokal-{f.id}"}) for a in additions for f in a.fields]
    return [Resolved(f"Lokalt i {content.edition.name}", None, items, fields, local=True)]


def _national_parts(checklist: model.Checklist, content: Content) -> list[Resolved]:
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


_last: dict = {}  # the content of the last build and its print renderer


def print_renderer(content: Content) -> Renderer:
    """One renderer per content for print: each page is rendered for print once per build."""
    if _last.get("content") is not content:
        _last.clear()
        _last.update(content=content, renderer=Renderer(content))
    return _last["renderer"]


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


def stamp_text(content: Content) -> str:
    """What every page of a local edition's PDFs says at its top right (outputs/pdf_edition.py)."""
    about = content.edition.about
    return f"Lokal utgåva för {about.municipality}" + (" – ett påhittat exempel" if about.example else "")


def stamp_html(content: Content, renderer: Renderer, css: str) -> str:
    return renderer.render_html("print/stamp.html.j2", text=stamp_text(content), css=css)


def local_html(content: Content, renderer: Renderer, css: str) -> str:
    """A local edition's own PDF: its contacts, its routines and its notes on national items."""
    edition = content.edition
    items = {n.item: item_text(content.item_by_id[n.item]) for n in edition.notes}
    pages = {n.item: page_of(content.file_of(n.item)) for n in edition.notes}
    return renderer.render_html("print/local.html.j2", edition=edition, items=items, pages=pages,
                                titles=titles(content), title=f"Lokala rutiner och kontakter i {edition.name}",
                                css=css)


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
