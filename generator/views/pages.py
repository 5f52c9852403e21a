"""Render the site's Markdown pages from the content with Jinja2.

Every value from content passes through `escape.markdown` on its way into a
page, and through `escape.engine_text` where the engine reads it without Markdown
(front matter, nav, tags, search terms), so text in a YAML file can never become
HTML, script or a link: it is shown as the characters the maintainer wrote.
Templates produce the page structure; they never read files or data sources themselves.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markdown
import yaml
from markupsafe import Markup

from generator import diskcache, sitemap
from generator.content import model
from generator.content.load import Content
from generator.content.review import swedish_date
from generator.sitemap import FEED, PAGE_BY_SLUG, PAGE_OF_MODEL, PAGE_SLUGS
from generator.views.escape import dump_front_matter, engine_text, front_matter
from generator.views.escape import markdown as escape_markdown
from generator.views.history import Entry, History, Status, target_title
from generator.views.inflect import search_forms
from generator.views.search import location

TEMPLATES = Path(__file__).parent.parent / "templates"
# Compiled templates, kept between builds (Jinja's own per-user folder in the temp directory,
# keyed by each template's source): compiling is most of the cost of rendering a page once.
BYTECODE_CACHE = jinja2.FileSystemBytecodeCache()

# The site's Markdown extensions (one list, in mkdocs.yml), without permalinks, for print HTML.
MKDOCS_YML = Path(__file__).parents[2] / "mkdocs.yml"
MARKDOWN_EXTENSIONS = [e if isinstance(e, str) else next(iter(e)) for e in
                       yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))["markdown_extensions"]]
# Print HTML from the last builds, by page and a hash of its Markdown (Renderer._print_markdown).
PRINT_CACHE = Path("build/print-cache")
FOOTER_ANCHOR = "kallor-och-granskning"  # the "Källor och granskning" section that ends each page


@dataclass(frozen=True)
class PrintSection:
    """A site page, or one of its h2 sections, as HTML for paper (packs, whole guide, composer)."""

    page: str  # slug
    anchor: str  # "" for the whole page, "inledning" for the text before its first section
    title: str  # plain text
    html: Markup
    citations: list[model._Citation]
    reviewed: datetime.date

    @property
    def id(self) -> str:
        return f"avsnitt-{self.page}-{self.anchor}".rstrip("-")


def _finalize(value: Any) -> Any:
    """Applied to every {{ expression }}: content is escaped unless a filter made it markup."""
    if value is None:
        return ""
    if isinstance(value, (Markup, int, datetime.date)):
        return value
    if model.ID_PATTERN.match(str(value)):  # ids and slugs: a-z, 0-9 and "-", safe as they are
        return value
    return escape_markdown(value)


def paragraphs(text: str | None) -> Markup:
    """Text with blank lines between paragraphs -> escaped Markdown paragraphs."""
    if not text:
        return Markup("")
    parts = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n\n").join(escape_markdown(" ".join(p.split())) for p in parts)



def kronor(amount: int) -> str:
    """132300 -> "132 300 kr" (Swedish digit grouping)."""
    return f"{amount:,} kr".replace(",", "\u00a0").replace(" kr", "\u00a0kr")


def decimal(value: float) -> str:
    """9.45 -> "9,45" (Swedish decimal comma)."""
    return f"{value:g}".replace(".", ",")


def link(url: str) -> Markup:
    """A source URL (validated to start with http(s)://) as a Markdown autolink target."""
    safe = html.escape(url.replace(" ", "%20").replace("(", "%28").replace(")", "%29"), quote=True)
    return Markup(safe)


class Renderer:
    """Holds the Jinja environment and the content every template sees."""

    def __init__(self, content: Content):
        self.content = content
        self.history = History.of(content)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            bytecode_cache=BYTECODE_CACHE,
            autoescape=True,
            finalize=_finalize,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            paragraphs=paragraphs,
            date=swedish_date,
            link=link,
            citation=self.citation,
            kronor=kronor,
            decimal=decimal,
        )
        self.env.globals.update(
            cited_on=self.cited_on,
            page_titles=sitemap.titles(content),
            reviewed_pages=self.reviewed_pages(),
            last_reviewed=content.last_reviewed,
            role_view=self.role_view,
            front_matter=front_matter,
            site=content.site,
            edition=content.edition,  # a local edition on top (content/edition.py), or None
            actor_by_id=content.actor_by_id,
            sources=content.sources,
            page_citations=self.page_citations,
            index_terms=self.index_terms,
            checklists_for=lambda page: [c for c in content.checklists if c.page == page],
            checklists=content.checklists,
            packs=content.packs,
            major_changes=self.history.major_changes,
            change_title=lambda target: target_title(target, self.env.globals["page_titles"], self.history),
            checklist_status=self.history.checklist_status,
            local_reviews=self.history.local_reviews,  # in an edition: the local files a page shows
            local_files=self.history.local_files,
            pack_status=self.history.pack_status,
            review_months=content.site.review_months,
            feed=FEED,
            pack_contents={},  # pack id -> titles of its parts, filled in by build_docs
            pdf_pages={},  # PDF name -> number of pages, filled in by build_docs
        )
        # Print HTML for the PDFs: ordinary HTML escaping, same filters and globals.
        self.html_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), bytecode_cache=BYTECODE_CACHE, autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.html_env.filters.update(date=swedish_date, citation=self.citation)
        self.html_env.globals.update(self.env.globals)
        self.search_terms: dict[str, list[str]] = {}  # search index location -> inflected forms
        self.current_page = ""
        self._printed: dict[str, tuple[str, str]] = {}  # page slug -> (title, print HTML)
        self._citations: dict[int, tuple[model.Model, list]] = {}  # id(file) -> (file, its citations)
        self._print_cache: diskcache.Cache | None = None

    def citation(self, cite: model._Citation) -> str:
        source = self.content.sources[cite.source]
        text = f"{source.publisher}: {source.title} ({source.year})"
        return f"{text}, {cite.section}" if cite.section else text

    def page_citations(self, file_model: model.Model) -> list[model._Citation]:
        """The file's citations, then every item's own, each once, in order of appearance."""
        if id(file_model) not in self._citations:  # asked for once per section printed
            found: dict[tuple[str, str | None], model._Citation] = {}
            for node in model.walk(file_model):
                for cite in getattr(node, "citations", None) or []:
                    found.setdefault((cite.source, cite.section), cite)
            self._citations[id(file_model)] = (file_model, list(found.values()))
        return list(self._citations[id(file_model)][1])

    def reviewed_pages(self) -> list[tuple[str, datetime.date]]:
        """(page slug, latest review date of the content it shows), in site order."""
        dates: dict[str, datetime.date] = {}
        for f in self.content.guidance:
            page = PAGE_OF_MODEL[type(f)]
            dates[page] = max(dates.get(page, f.reviewed), f.reviewed)
        return sorted(dates.items(), key=lambda item: PAGE_SLUGS.index(item[0]))

    def cited_on(self) -> dict[str, list[str]]:
        """Source id -> the pages (slugs) whose content cites it, in site order."""
        found: dict[str, list[str]] = {}
        for f in self.content.guidance:
            page = PAGE_OF_MODEL[type(f)]
            for cite in self.page_citations(f):
                pages = found.setdefault(cite.source, [])
                if page not in pages:
                    pages.append(page)
        return {k: sorted(v, key=PAGE_SLUGS.index) for k, v in found.items()}

    def role_view(self, role: model.Role) -> dict[str, Any]:
        """What a role page shows, all drawn from the content's cross-references."""
        c = self.content
        actors = [c.actor_by_id[a] for a in role.actors]
        ids = set(role.actors)
        signs = [(g, [s for s in g.signs if ids & set(s.noticed_by)]) for g in c.signs.groups]
        checklists = [k for k in c.checklists if role.all_checklists or ids & set(k.used_by)]
        partners = [a for a in c.actors.actors if a.id not in ids and (
            ids & set(a.works_with) or any(a.id in c.actor_by_id[i].works_with for i in ids))]
        return {"actors": actors, "signs": [(g, s) for g, s in signs if s], "checklists": checklists,
                "packs": c.packs if role.all_checklists else [], "partners": partners}

    def index_terms(self, anchor: str, terms: list[str]) -> str:
        """Record the inflected forms of a section's key terms for the search index."""
        forms = search_forms([t for t in terms if t])
        if forms:
            self.search_terms[location(self.current_page, anchor)] = [engine_text(f) for f in forms]
        return ""

    def render(self, template: str, for_print: bool = False, **context: Any) -> str:
        """Render a page; `for_print` leaves out what only makes sense on screen (PDF links)."""
        self.env.globals["for_print"] = for_print
        try:
            return self.env.get_template(template).render(**context)
        finally:
            self.env.globals["for_print"] = False

    def print_section(self, page: str, anchor: str = "") -> PrintSection:
        """A page, its h2 section `anchor`, or its "inledning" (the text before the first h2) as
        print HTML, from the same template as the site. Links to other pages keep their text
        only (they lead nowhere on paper); ids get the page as prefix, so sections of several
        pages can share one document."""
        title, full = self._print_page(page)
        body = full
        if anchor == "inledning":
            body = re.sub(r"<h1[^>]*>.*?</h1>", "", full[:_h2_start(full, 0)], count=1, flags=re.S)
        elif anchor:
            start = full.find(f'<h2 id="{anchor}"')
            if start < 0:
                found = ", ".join(self.section_anchors(page))
                raise ValueError(f'Sidan "{page}" har inget avsnitt "#{anchor}". Avsnitten är: {found}.')
            body = full[start:_h2_start(full, start + 1)]
            title = _text(re.search(r"<h2[^>]*>(.*?)</h2>", body, re.S).group(1))
            body = re.sub(r"<(/?)h([2-5])", lambda m: f"<{m.group(1)}h{int(m.group(2)) - 1}", body)
        body = re.sub(r'\bid="([^"]+)"', rf'id="{page}--\1"', body)
        files = [f for f in self.content.guidance if PAGE_OF_MODEL[type(f)] == page]
        cites = [c for f in files for c in self.page_citations(f)]
        reviewed = max((f.reviewed for f in files), default=self.content.site.reviewed)
        return PrintSection(page, anchor, title, Markup(body), cites, reviewed)

    def pack_contents(self, pack: model.Pack) -> list[str]:
        """The titles of a meeting pack's parts, in order. (A section the page lacks keeps its
        "sida#avsnitt": `guide check` reports it, with the file and line.)"""
        titles = {c.id: c.title for c in self.content.checklists}
        found = []
        for e in pack.entries:
            page, _, anchor = (e.section or "").partition("#")
            if e.checklist:
                found.append(titles[e.checklist])
            elif anchor and anchor not in self.section_anchors(page):
                found.append(e.section)
            else:
                found.append(self.print_section(page, anchor).title)
        return found

    def section_anchors(self, page: str) -> list[str]:
        """The anchors of a page's h2 sections (what "sida#avsnitt" may name)."""
        return re.findall(r'<h2 id="([^"]+)"', self._print_page(page)[1])

    def print_sections(self, page: str) -> list[PrintSection]:
        """A page cut into parts for the print composer: its introduction, then each h2 section
        (without the sources section that ends the page)."""
        parts = []
        intro = self.print_section(page, "inledning")
        if _text(intro.html).strip():
            parts.append(intro)
        for anchor in self.section_anchors(page):
            if anchor != FOOTER_ANCHOR:
                parts.append(self.print_section(page, anchor))
        return parts

    def _print_page(self, page: str) -> tuple[str, str]:
        """(title, HTML) of a whole page for print; rendered once per renderer."""
        if page not in self._printed:
            searched = self.search_terms
            self.search_terms = {}  # a print rendering adds nothing to the site's search index
            try:
                text = self.render(PAGE_BY_SLUG[page].template, content=self.content, page=PAGE_BY_SLUG[page],
                                   for_print=True)
            finally:
                self.search_terms = searched
            text = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text  # front matter
            body = self._print_markdown(page, text)
            body = LINK.sub(_link_for_print, body)
            body = TABLE.sub(lambda m: _row_headers_for_print(m.group(0)), body)
            title = _text(re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S).group(1))
            self._printed[page] = (title, body)
        return self._printed[page]

    def _print_markdown(self, page: str, text: str) -> str:
        """A page's Markdown for print as HTML, kept in build/print-cache by a hash of the Markdown
        (one file per page, the last): most builds change few pages."""
        if self.content.root is None:
            return markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS)
        if self._print_cache is None:
            self._print_cache = diskcache.Cache(self.content.root / PRINT_CACHE, ".html", ["markdown"])
        path = self._print_cache.path(page, repr(MARKDOWN_EXTENSIONS), text)
        kept = self._print_cache.read(path)
        if kept is not None:
            return kept.decode("utf-8")
        body = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS)
        self._print_cache.write(path, body.encode("utf-8"))
        return body

    def render_html(self, template: str, **context: Any) -> str:
        """Print HTML for the PDFs (see html_env)."""
        return self.html_env.get_template(template).render(**context)

    def footer(self, reviewed: datetime.date, citations: list[model._Citation]) -> str:
        return self.render("pages/_footer.md.j2", reviewed=reviewed, citations=citations)


TABLE = re.compile(r"<table\b.*?</table>", re.S)
LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def _link_for_print(link: re.Match[str]) -> str:
    """A link on paper: to the web or an e-mail address it stays (Markdown writes an address as
    character references: "&#109;&#97;…" is "mailto:"); to another page it keeps its text only."""
    return link.group(0) if html.unescape(link.group(1)).startswith(("http:", "https:", "mailto:")) else link.group(2)


def _row_headers_for_print(table: str) -> str:
    """A table with more header cells than data cells (a row header and one or two columns, as
    in the key figures) gets its row headers as data cells on paper, drawn the same (.radrubrik):
    PDF checkers take a table whose headers outnumber its data for a broken one (outloud
    TBL-010). The column headers, which every data cell keeps, say what each column is."""
    if table.count("<th") <= table.count("<td"):
        return table
    head, _, body = table.partition("<tbody>")
    body = re.sub(r'<th scope="row"([^>]*)>(.*?)</th>', r'<td class="radrubrik"\1>\2</td>', body, flags=re.S)
    return f"{head}<tbody>{body}" if _ else table


def _h2_start(body: str, start: int) -> int:
    """Where the next h2 begins at or after `start` (the end of the text if none)."""
    found = body.find("<h2", start)
    return len(body) if found < 0 else found


def _text(fragment: str) -> str:
    """HTML fragment -> its plain text."""
    return html.unescape(re.sub("<[^>]+>", "", fragment))


HISTORY_ANCHOR = "andringshistorik"


def add_status(text: str, status: Status, with_history: bool = True) -> str:
    """A page's "Senast uppdaterad" and any review notice under its title, its history at the end.

    The history is a <details> element: a keyboard and a screen reader open it like a button."""
    lines = text.split("\n")
    start = text.find("\n---", 4) + 4 if text.startswith("---\n") else 0
    title = next(i for i, line in enumerate(lines) if line.startswith("# ") and len("\n".join(lines[:i])) >= start)
    top = [f"Senast uppdaterad {swedish_date(status.updated)}."
           + (f" [Se alla ändringar på sidan](#{HISTORY_ANCHOR})" if with_history else ""),
           "{: .senast-uppdaterad }", ""]
    if status.overdue:
        top += ['!!! danger "Innehållet behöver granskas"', f"    {escape_markdown(status.overdue)}", ""]
    lines[title + 1:title + 1] = ["", *top]
    text = "\n".join(lines).rstrip()
    if not with_history:
        return text + "\n"
    items = [f"- **{swedish_date(e.date)}**{_marks(e, status.edition)}: {escape_markdown(e.note)}" for e in status.history]
    block = ["", f"### Ändringar på sidan {{: #{HISTORY_ANCHOR} }}", ""]
    if items:
        block += ['<details markdown="1">',
                  f"<summary>Visa alla ändringar ({len(items)} st.), de senaste först</summary>", "",
                  *items, "", "</details>"]
    else:
        block += ["Sidan har inga registrerade ändringar ännu."]
    return text + "\n" + "\n".join(block) + "\n"


def _marks(entry: Entry, edition: str | None) -> str:
    """What a page's history says beside a change's date: in an edition where it comes from
    ("Nationellt", "Lokalt i Exempelkommun"), and whether it is a correction."""
    marks = ([escape_markdown(entry.origin)] if edition else []) + ([] if entry.major else ["rättelse"])
    return f" ({', '.join(marks)})" if marks else ""


def _page_topics(content: Content, slug: str) -> list[str]:
    """A page's tags: the topics (ämnen) of the content files it shows."""
    topics: list[str] = []
    for f in content.guidance:
        if PAGE_OF_MODEL[type(f)] == slug:
            topics += [t for t in f.topics if t not in topics]
    return topics


def _add_front_matter(text: str, extra: dict[str, Any]) -> str:
    """Add already escaped values (see escape.py) to a generated page's front matter."""
    meta = _front_matter(text)
    body = text[text.find("\n---", 4) + 5:] if meta else "\n" + text
    meta.update(extra)
    return dump_front_matter(meta) + body


def glossary_forms(glossary: model.GlossaryFile) -> list[tuple[str, str, bool]]:
    """(form, tooltip, whether the form is one word) of every glossary term with a tooltip, each
    form once, in glossary order.

    Lowercase one-word terms also get their inflected forms, and every form a capitalised one."""
    found: dict[str, str] = {}
    for term in (t for t in glossary.terms if t.tooltip):
        title = f"{term.abbreviation_of}: {term.explanation}" if term.abbreviation_of else term.explanation
        title = " ".join(title.split())
        forms = [term.term, *term.forms]
        if term.term.islower() and " " not in term.term:
            forms += search_forms([term.term])
        forms += [f[0].upper() + f[1:] for f in forms if f[:1].islower()]
        for form in forms:
            if "]" not in form:
                found.setdefault(form, title)
    return [(form, title, bool(re.fullmatch(r"\w+", form))) for form, title in found.items()]


def abbreviation_block(forms: list[tuple[str, str, bool]], text: str) -> str:
    """Python-Markdown `abbr` definitions for the glossary forms (see glossary_forms) that occur
    in a page's text, to keep each page small. The `abbr` extension marks a form only as a
    whole word, so a one-word form counts only where it is a whole word of the text."""
    words = set(re.findall(r"\w+", text))
    return "\n".join(f"*[{form}]: {title}" for form, title, one_word in forms
                     if (form in words if one_word else form in text)) + "\n"


FRONT_MATTER_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, in C, where PyYAML has it


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    return yaml.load(text[4:end], Loader=FRONT_MATTER_LOADER) or {} if end > 0 else {}
