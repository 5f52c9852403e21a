"""The content's public history, after GOV.UK's change notes.

Each content file and checklist keeps its changes (`ändringar:`): a date, one plain sentence
and whether readers should know about it (`större`) or it is a correction (`rättelse`). From
them come each page's and PDF's "Senast uppdaterad" (the latest major change), the full
history on each page, the site-wide page of major changes and its Atom feed. This module also
says which content files each page and PDF shows, for their review dates and notices.

In a local edition the edition's own files (utgavor/<id>/*.yml, whatever their kind) have their
changes and review dates too: shown with the national ones on the pages that show their content,
on Ändringar and in the edition's feed, each change marked "Nationellt" or "Lokalt i …".
"""

from __future__ import annotations

import datetime
import fnmatch
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.content import model, review
from generator.content.edition import EditionFile, LocalContactsFile
from generator.content.load import Content
from generator.sitemap import CHANGES_PAGE, FEED, PAGE_OF_MODEL, PAGE_SLUGS, SITE_INFO_PAGES

ATOM = "http://www.w3.org/2005/Atom"
# The pages that show what utgava.yml says: who is responsible for the edition and whom to contact.
EDITION_PAGES = ("om", "tillganglighet")
# Where a local file's changes link when no page shows its content yet (e.g. contacts no routine names).
LOCAL_HOME = {LocalContactsFile: "kontakter", EditionFile: "om"}


@dataclass(frozen=True)
class Entry:
    """One change, with the page (or PDF) it shows on."""

    date: datetime.date
    note: str
    major: bool
    file: str  # the content file, e.g. guidance/anvisning.yml
    target: str  # where a reader sees it: a page slug, or "pdf/<id>.pdf" for a checklist
    local: str | None = None  # in a local edition: the municipality, for a change of the edition's own files

    @property
    def origin(self) -> str:
        """Where the change comes from, as an edition marks it: "Nationellt" or "Lokalt i Exempelkommun"."""
        return f"Lokalt i {self.local}" if self.local else "Nationellt"


@dataclass(frozen=True)
class Status:
    """What a page or PDF shows about its own history, review and the asylum pact."""

    updated: datetime.date  # the latest major change (or, with no history yet, the latest review)
    history: list[Entry]  # newest first
    overdue: str | None  # the notice in words, when a file is past its review date
    pact: bool  # shows content that may have changed with the EU asylum pact
    edition: str | None = None  # in a local edition: its municipality (the history marks where each change comes from)


class History:
    """Every content file of the site with its path, changes and review state."""

    def __init__(self, content: Content, today: datetime.date | None = None):
        self.content = content
        self.today = today or review.today()
        self.months = content.site.review_months
        sources = _sources_file(content)
        paths = _paths(content)
        # (file path, model, page slug) for every file with a history
        self.files: list[tuple[str, Any, str]] = [("guidance/webbplats.yml", content.site, "om"),
                                                  ("guidance/kallor.yml", sources, "kallor")]
        self.files += [(paths(f), f, PAGE_OF_MODEL[type(f)]) for f in content.guidance]
        self.files += [(paths(c), c, f"pdf/{c.id}.pdf") for c in content.checklists]
        # item id -> item and -> its file, in one walk (Content.item_by_id rebuilds on each call)
        self.items: dict[str, Any] = {}
        self.file_of: dict[str, Any] = {}
        for f in content.guidance:
            for n in model.walk(f):
                if isinstance(getattr(n, "id", None), str):
                    self.items.setdefault(n.id, n)
                    self.file_of.setdefault(n.id, f)
        # a local edition's own files (whatever their kind), each with the pages that show its
        # content; its changes link to the first of them
        self.edition = content.edition
        self.local_pages: dict[int, list[str]] = {}
        if self.edition is not None:
            for rel, m in self.edition.models.items():
                pages = self._local_pages(m)
                self.local_pages[id(m)] = pages
                self.files.append((rel, m, pages[0]))
        self.path = {id(m): rel for rel, m, _ in self.files}
        self._checklists: dict[str, Status] = {}

    @classmethod
    def of(cls, content: Content) -> "History":
        """The history of this content as of today, built once per content (pages and PDFs share it)."""
        key = (id(content), review.today())
        if _LAST.get("key") != key or _LAST.get("content") is not content:
            _LAST.update(key=key, content=content, history=cls(content))
        return _LAST["history"]

    def _local_pages(self, file_model: Any) -> list[str]:
        """The pages that show a local file's content, in site order: a routine's place, the page
        of the national item a note is on, the pages of the routines that name a contact, and
        the pages about the edition (om, tillganglighet) for utgava.yml. A kind with a home page
        (LOCAL_HOME: the contacts page for the contacts) has it first, where its changes link;
        a kind that shows on none of these has "om"."""
        pages: set[str] = set()
        for node in model.walk(file_model):
            place = getattr(node, "place", None)  # a routine, shown at its place
            if isinstance(place, str) and place in PAGE_SLUGS:
                pages.add(place)
            item = getattr(node, "item", None)  # a note, shown at its national item
            if isinstance(item, str) and item in self.file_of:
                pages.add(PAGE_OF_MODEL[type(self.file_of[item])])
            checklist = getattr(node, "checklist", None)  # a local checklist item
            if isinstance(checklist, str) and any(c.id == checklist for c in self.content.checklists):
                pages.add("checklistor")
        if isinstance(file_model, LocalContactsFile):  # all on the contacts page, and with the routines that name them
            own = {c.id for c in file_model.contacts}
            pages |= {r.place for r in self.edition.routines if own & set(r.contacts)}
        if isinstance(file_model, EditionFile):
            pages |= set(EDITION_PAGES)
        home = LOCAL_HOME.get(type(file_model))
        found = sorted(pages - {home}, key=PAGE_SLUGS.index)
        return [home, *found] if home else found or ["om"]

    def local_reviews(self, slug: str) -> list[tuple[str, datetime.date]]:
        """(kind of local file, its review date) of each local file a page shows, in the order read."""
        return [(_kind_title(m), m.reviewed) for _, m, _ in self.files
                if slug in self.local_pages.get(id(m), ()) and hasattr(m, "reviewed")]

    def local_files(self) -> list[tuple[str, Any, list[str]]]:
        """(kind of file, model, the pages that show it) of every file of the edition, in the order
        read (none nationally)."""
        return [(_kind_title(m), m, self.local_pages[id(m)]) for _, m, _ in self.files if id(m) in self.local_pages]

    # --- review -----------------------------------------------------------------

    def review_states(self) -> list[review.ReviewState]:
        """Every file that has a review date (checklists take theirs from the guidance they show)."""
        return [review.state(rel, m.reviewed, self.months) for rel, m, _ in self.files if hasattr(m, "reviewed")]

    def warnings(self) -> list[str]:
        return review.warnings(self.review_states(), self.today)

    # --- entries ----------------------------------------------------------------

    def entries(self, files: list[Any]) -> list[Entry]:
        """The changes of some files, newest first."""
        local = self.edition.name if self.edition is not None else None
        found = [Entry(ch.date, ch.note, ch.kind == "större", rel, target, local if id(m) in self.local_pages else None)
                 for rel, m, target in self.files if any(m is f for f in files) for ch in m.history]
        return sorted(found, key=lambda e: (-e.date.toordinal(), e.file, e.note))

    def major_changes(self) -> list[Entry]:
        """Every major change on the site, newest first: the page Ändringar and the feed."""
        return [e for e in self.entries([m for _, m, _ in self.files]) if e.major]

    # --- status of a page or a PDF ---------------------------------------------------

    def status(self, files: list[Any], pact: bool = False) -> Status:
        history = self.entries(files)
        majors = [e.date for e in history if e.major]
        reviewed = [m.reviewed for m in files if hasattr(m, "reviewed")]
        updated = max(majors) if majors else max(reviewed, default=self.content.site.reviewed)
        states = [review.state(self.path.get(id(m), "?"), m.reviewed, self.months) for m in files
                  if hasattr(m, "reviewed")]
        return Status(updated, history, review.overdue_notice(states, self.months, self.today), pact,
                      self.edition.name if self.edition is not None else None)

    def page_files(self, slug: str) -> list[Any]:
        """The content files a site page shows: national, then (in an edition) local."""
        if slug == CHANGES_PAGE:
            return [m for _, m, _ in self.files]
        return self.national_page_files(slug) + [m for _, m, _ in self.files if slug in self.local_pages.get(id(m), ())]

    def national_page_files(self, slug: str) -> list[Any]:
        """The national content files a site page shows."""
        if slug == CHANGES_PAGE:
            return [m for _, m, _ in self.files if id(m) not in self.local_pages]
        if slug in SITE_INFO_PAGES:
            return [self.content.site]
        if slug == "checklistor":
            return list(self.content.checklists)
        if any(r.id == slug for r in self.content.roles.roles):
            return [self.content.roles]
        return [m for _, m, target in self.files if target == slug and id(m) not in self.local_pages]

    def page_status(self, slug: str) -> Status:
        files = self.page_files(slug)
        pact = slug != CHANGES_PAGE and any(_flagged(f) for f in files if f is not self.content.site)
        return self.status(files, pact)

    def checklist_files(self, checklist: model.Checklist) -> list[Any]:
        """The checklist and the guidance files its items come from."""
        ids = [p.group for p in checklist.parts if p.group] + [i for p in checklist.parts for i in p.items]
        files = [checklist] + [self.file_of[i] for i in ids]
        if checklist.template == "handlingsplan":
            files.append(self.content.action_plan)
        return _unique(files)

    def checklist_status(self, checklist: model.Checklist) -> Status:
        if checklist.id not in self._checklists:
            ids = [p.group for p in checklist.parts if p.group] + [i for p in checklist.parts for i in p.items]
            pact = any(_flagged(self.items[i]) or _inside_flagged(self.file_of[i], i) for i in ids)
            if checklist.template == "handlingsplan":
                pact = pact or _flagged(self.content.action_plan)
            self._checklists[checklist.id] = self.status(self.checklist_files(checklist), pact)
        return self._checklists[checklist.id]

    def pack_status(self, pack: model.Pack) -> Status:
        """A meeting pack: its checklists and the pages (or sections) it prints."""
        checklists = {c.id: c for c in self.content.checklists}
        files, pact = [], False
        for entry in pack.entries:
            if entry.checklist:
                checklist = checklists[entry.checklist]
                files += self.checklist_files(checklist)
                pact = pact or self.checklist_status(checklist).pact
            else:
                page, _, anchor = entry.section.partition("#")
                page_files = self.national_page_files(page)  # the PDFs do not mark local changes yet
                files += page_files
                holder = next((f for f in page_files if anchor and any(
                    getattr(n, "id", None) == anchor for n in model.walk(f))), None)
                if holder is None:  # the whole page, or a heading that is not an item
                    pact = pact or any(_flagged(f) for f in page_files)
                else:
                    node = next(n for n in model.walk(holder) if getattr(n, "id", None) == anchor)
                    pact = pact or _flagged(node) or _inside_flagged(holder, anchor)
        return self.status(_unique(files), pact)


def _kind_title(file_model: Any) -> str:
    """A file kind's Swedish name (model.about), e.g. "Lokala kontakter"."""
    return type(file_model).model_config.get("title") or type(file_model).__name__


def _unique(files: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for f in files:
        if not any(f is s for s in seen):
            seen.append(f)
    return seen


def _flagged(node: Any) -> bool:
    """Whether a model or anything in it is flagged with `asylpakt: true`."""
    return any(getattr(n, "asylum_pact", False) for n in model.walk(node))


def _inside_flagged(file_model: Any, item_id: str) -> bool:
    """Whether an item sits inside a flagged item (e.g. a point of a flagged phase)."""
    def visit(node: Any, flagged: bool) -> bool:
        if isinstance(node, model.Model):
            flagged = flagged or getattr(node, "asylum_pact", False)
            if getattr(node, "id", None) == item_id:
                return flagged
            return any(visit(getattr(node, name), flagged) for name in type(node).model_fields)
        if isinstance(node, list):
            return any(visit(child, flagged) for child in node)
        return False
    return visit(file_model, False)


def _sources_file(content: Content) -> model.SourcesFile:
    """The bibliography file's model (Content keeps only its sources); already validated."""
    text = content.files["guidance/kallor.yml"].read_text(encoding="utf-8")
    return model.SourcesFile.model_validate(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


_LAST: dict[str, Any] = {}
TOP_LEVEL_ID = re.compile(r"^id:\s*[\"']?([a-z0-9-]+)[\"']?\s*(?:#.*)?$", re.MULTILINE)


def _paths(content: Content):
    """A function: content file model -> its project path (files named by pattern or by their id)."""
    by_id: dict[tuple[str, str], str] = {}
    for rel, path in content.files.items():
        for kind in (model.RegionFile, model.Checklist):
            if fnmatch.fnmatch(rel, kind.pattern) and not rel.startswith("checklists/paket/"):
                found = TOP_LEVEL_ID.search(path.read_text(encoding="utf-8"))  # the file's own id
                if found:
                    by_id[(kind.pattern, found[1])] = rel

    def path_of(file_model: Any) -> str:
        pattern = type(file_model).pattern
        return by_id.get((pattern, getattr(file_model, "id", "")), pattern) if "*" in pattern else pattern
    return path_of


# --- the Atom feed ----------------------------------------------------------------------


def page_url(site_url: str, target: str) -> str:
    """The address of a page (slug) or PDF on the published site."""
    base = site_url.rstrip("/") + "/"
    if target.endswith((".pdf", ".xml")) or target == "index":
        return base + ("" if target == "index" else target)
    return f"{base}{target}/"


def feed_xml(history: History, titles: dict[str, str], site_url: str, site_name: str) -> bytes:
    """An Atom feed (RFC 4287) of the site's major changes, newest first, written with the
    standard library's ElementTree. Its bytes depend only on the content.

    A local edition's feed is the edition's: at its own address (webbadress), named after it,
    each entry marked national or local (in its title and as a category), a local one with the
    edition's responsible organisation as its author."""
    entries = history.major_changes()
    edition = history.content.edition
    if edition is not None:
        site_url, site_name = edition.about.site_url, f"{site_name} – {edition.name}"
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "sv"})

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    updated = entries[0].date if entries else history.content.site.reviewed
    add(feed, "id", "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, page_url(site_url, FEED))))
    add(feed, "title", f"Ändringar – {site_name}")
    add(feed, "subtitle", "Större ändringar i vägledningen, de senaste först." if edition is None else
        f"Större ändringar i vägledningen, nationella och lokala i {edition.name}, de senaste först.")
    add(feed, "updated", _timestamp(updated))
    author = add(feed, "author")
    add(author, "name", history.content.site.organisation)
    add(feed, "link", rel="self", type="application/atom+xml", href=page_url(site_url, FEED))
    add(feed, "link", rel="alternate", type="text/html", href=page_url(site_url, CHANGES_PAGE))
    for number, e in enumerate(entries):
        entry = add(feed, "entry")
        title = target_title(e.target, titles, history)
        key = f"{e.file}|{e.date.isoformat()}|{e.note}"
        if edition is not None:  # the edition's own entries, apart from the national feed's
            key = f"{page_url(site_url, FEED)}|{key}"
        add(entry, "id", "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, key)))
        add(entry, "title", f"{title}: {e.note}" if edition is None else f"{title} ({e.origin}): {e.note}")
        add(entry, "updated", _timestamp(e.date))
        add(entry, "link", rel="alternate", href=page_url(site_url, e.target))
        if edition is not None:
            add(entry, "category", term="lokalt" if e.local else "nationellt", label=e.origin)
            if e.local:
                add(add(entry, "author"), "name", edition.about.organisation)
        add(entry, "summary", e.note)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def target_title(target: str, titles: dict[str, str], history: History) -> str:
    """A page's title, or a checklist's title with "(PDF)"."""
    if target.endswith(".pdf"):
        ident = Path(target).stem
        checklist = next(c for c in history.content.checklists if c.id == ident)
        return f"{checklist.title} (PDF)"
    return titles.get(target, target)


def _timestamp(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def content_warnings(content: Content) -> list[str]:
    """The review warnings for all content (used by `guide check`)."""
    return History.of(content).warnings()
