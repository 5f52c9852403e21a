"""Render the site's Markdown pages from the content with Jinja2.

Every value from content passes through `escape_markdown` on its way into a
page, so text in a YAML file can never become HTML, script or a link: it is
shown as the characters the maintainer wrote. Templates produce the page
structure; they never read files or data sources themselves.
"""

from __future__ import annotations

import datetime
import html
import re
import shutil
from pathlib import Path
from typing import Any, Iterable

import jinja2
import yaml
from babel.dates import format_date
from markupsafe import Markup

from . import model
from .inflect import search_forms
from .load import Content
from .search import location

TEMPLATES = Path(__file__).parent / "templates"

# Generated page -> template. The order is the order of the site's sections.
PAGES = {
    "aktorer.md": "pages/aktorer.md.j2",
    "boendeformer.md": "pages/boendeformer.md.j2",
    "varningssignaler.md": "pages/varningssignaler.md.j2",
    "samverkan.md": "pages/samverkan.md.j2",
    "skola.md": "pages/skola.md.j2",
    "kontakter.md": "pages/kontakter.md.j2",
    "forsvinnande.md": "pages/forsvinnande.md.j2",
    "asylprocess.md": "pages/asylprocess.md.j2",
    "checklistor.md": "pages/checklistor.md.j2",
}

# Which site page shows which guidance file.
PAGE_OF_MODEL = {
    model.ActorsFile: "aktorer", model.HousingFile: "boendeformer", model.SignsFile: "varningssignaler",
    model.ActionPlanFile: "varningssignaler", model.CollaborationFile: "samverkan", model.SchoolFile: "skola",
    model.NetworkFile: "kontakter", model.RegionFile: "kontakter", model.MissingChildFile: "forsvinnande",
    model.AsylumProcessFile: "asylprocess",
}

# Characters Python-Markdown treats as markup when not backslash-escaped
# (its ESCAPED_CHARS, plus "|" for tables).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def escape_markdown(text: Any) -> Markup:
    """Plain text -> Markdown that renders as exactly that text."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return Markup(html.escape(escaped, quote=True).replace("\n", " "))


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


def swedish_date(value: datetime.date) -> str:
    return format_date(value, "d MMMM y", locale="sv")


def link(url: str) -> Markup:
    """A source URL (validated to start with http(s)://) as a Markdown autolink target."""
    safe = html.escape(url.replace(" ", "%20").replace("(", "%28").replace(")", "%29"), quote=True)
    return Markup(safe)


class Renderer:
    """Holds the Jinja environment and the content every template sees."""

    def __init__(self, content: Content):
        self.content = content
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
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
        )
        self.env.globals.update(
            site=content.site,
            actor_by_id=content.actor_by_id,
            sources=content.sources,
            page_citations=self.page_citations,
            index_terms=self.index_terms,
            checklists_for=lambda page: [c for c in content.checklists if c.page == page],
            checklists=content.checklists,
            packs=content.packs,
        )
        # Print HTML for the PDFs: ordinary HTML escaping, same filters and globals.
        self.html_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.html_env.filters.update(date=swedish_date, citation=self.citation)
        self.html_env.globals.update(self.env.globals)
        self.search_terms: dict[str, list[str]] = {}  # search index location -> inflected forms
        self.current_page = ""

    def citation(self, cite: model._Citation) -> str:
        source = self.content.sources[cite.source]
        text = f"{source.publisher}: {source.title} ({source.year})"
        return f"{text}, {cite.section}" if cite.section else text

    def page_citations(self, file_model: model.Model) -> list[model._Citation]:
        """The file's citations, then every item's own, each once, in order of appearance."""
        found: dict[tuple[str, str | None], model._Citation] = {}
        for node in model.walk(file_model):
            for cite in getattr(node, "citations", None) or []:
                found.setdefault((cite.source, cite.section), cite)
        return list(found.values())

    def index_terms(self, anchor: str, terms: list[str]) -> str:
        """Record the inflected forms of a section's key terms for the search index."""
        forms = search_forms([t for t in terms if t])
        if forms:
            self.search_terms[location(self.current_page, anchor)] = forms
        return ""

    def render(self, template: str, for_print: bool = False, **context: Any) -> str:
        """Render a page; `for_print` leaves out what only makes sense on screen (PDF links)."""
        self.env.globals["for_print"] = for_print
        try:
            return self.env.get_template(template).render(**context)
        finally:
            self.env.globals["for_print"] = False

    def render_html(self, template: str, **context: Any) -> str:
        """Print HTML for the PDFs (see html_env)."""
        return self.html_env.get_template(template).render(**context)

    def footer(self, reviewed: datetime.date, citations: list[model._Citation]) -> str:
        return self.render("pages/_footer.md.j2", reviewed=reviewed, citations=citations)


def build_docs(content: Content, root: Path, out_dir: Path) -> dict[str, list[str]]:
    """Write the complete docs folder for the site engine: hand-written + generated pages.

    Returns the search terms of each section (see search.py)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(root / "docs", out_dir)
    renderer = Renderer(content)
    for page in sorted(out_dir.rglob("*.md")):  # hand-written pages get the same footer
        text = page.read_text(encoding="utf-8")
        meta = _front_matter(text)
        if "granskad" in meta:
            page.write_text(text.rstrip() + "\n\n" + renderer.footer(meta["granskad"], []), encoding="utf-8")
    for name, template in PAGES.items():
        renderer.current_page = name
        (out_dir / name).write_text(renderer.render(template, content=content), encoding="utf-8")
    return renderer.search_terms


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    return yaml.safe_load(text[4:end]) or {} if end > 0 else {}
