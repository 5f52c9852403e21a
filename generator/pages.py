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
import shutil
from pathlib import Path
from typing import Any

import jinja2
import yaml
from babel.dates import format_date
from markupsafe import Markup

from . import model
from .escape import dump_front_matter, engine_text, front_matter
from .escape import markdown as escape_markdown
from .inflect import search_forms
from .load import Content
from .search import location

TEMPLATES = Path(__file__).parent / "templates"

# Generated page -> template. The order is the order of the site's sections.
PAGES = {
    "forsvinnande.md": "pages/forsvinnande.md.j2",
    "roller.md": "pages/roller.md.j2",
    "bakgrund.md": "pages/bakgrund.md.j2",
    "aktorer.md": "pages/aktorer.md.j2",
    "boendeformer.md": "pages/boendeformer.md.j2",
    "varningssignaler.md": "pages/varningssignaler.md.j2",
    "samverkan.md": "pages/samverkan.md.j2",
    "skola.md": "pages/skola.md.j2",
    "asylprocess.md": "pages/asylprocess.md.j2",
    "barnkonventionen.md": "pages/barnkonventionen.md.j2",
    "anvisning.md": "pages/anvisning.md.j2",
    "checklistor.md": "pages/checklistor.md.j2",
    "kontakter.md": "pages/kontakter.md.j2",
    "avslutning.md": "pages/avslutning.md.j2",
    "ordlista.md": "pages/ordlista.md.j2",
    "kallor.md": "pages/kallor.md.j2",
    "amnen.md": "pages/amnen.md.j2",
    "om.md": "pages/om.md.j2",
    "tillganglighet.md": "pages/tillganglighet.md.j2",
}
PAGE_SLUGS = [name.removesuffix(".md") for name in PAGES]  # in site order
ROLE_TEMPLATE = "pages/roll.md.j2"  # one page per role in guidance/roller.yml, named <id>.md

# Which site page shows which guidance file.
PAGE_OF_MODEL = {
    model.ActorsFile: "aktorer", model.HousingFile: "boendeformer", model.SignsFile: "varningssignaler",
    model.ActionPlanFile: "varningssignaler", model.CollaborationFile: "samverkan", model.SchoolFile: "skola",
    model.NetworkFile: "kontakter", model.RegionFile: "kontakter", model.MissingChildFile: "forsvinnande",
    model.AsylumProcessFile: "asylprocess", model.BackgroundFile: "bakgrund", model.RightsFile: "barnkonventionen",
    model.AllocationFile: "anvisning", model.GrantsFile: "kontakter", model.ClosingFile: "avslutning",
    model.GlossaryFile: "ordlista", model.RolesFile: "roller",
}

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
            kronor=kronor,
            decimal=decimal,
        )
        self.env.globals.update(
            cited_on=self.cited_on,
            page_titles={},  # filled in as pages are rendered (see build_docs)
            reviewed_pages=self.reviewed_pages(),
            last_reviewed=content.last_reviewed,
            role_view=self.role_view,
            front_matter=front_matter,
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
    pages = dict(PAGES)
    pages.update({f"{role.id}.md": ROLE_TEMPLATE for role in content.roles.roles})
    roles = {f"{role.id}.md": role for role in content.roles.roles}
    for name, template in pages.items():
        renderer.current_page = name
        text = renderer.render(template, content=content, role=roles.get(name))
        title = html.unescape(_front_matter(text)["title"])
        renderer.env.globals["page_titles"][name.removesuffix(".md")] = title
        role = roles.get(name)  # the page itself is found by its title's forms (and a role's terms)
        words = [w for w in re.findall(r"\w+", title) if len(w) > 4]
        renderer.index_terms("", words + ([role.name] + role.keywords if role else []))
        topics = _page_topics(content, name.removesuffix(".md"))
        if topics:
            text = _add_front_matter(text, {"tags": [engine_text(t) for t in topics]})
        (out_dir / name).write_text(text, encoding="utf-8")
    for page in sorted(out_dir.rglob("*.md")):
        text = page.read_text(encoding="utf-8").rstrip()
        page.write_text(text + "\n\n" + abbreviation_block(content.glossary, text), encoding="utf-8")
    return renderer.search_terms


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


def abbreviation_block(glossary: model.GlossaryFile, text: str) -> str:
    """Python-Markdown `abbr` definitions: every glossary term (and its forms) gets a tooltip.

    Lowercase one-word terms also get their inflected forms and a capitalised form. Only forms
    that occur in the page's text are defined, to keep each page small."""
    lines = []
    seen: set[str] = set()
    for term in glossary.terms:
        title = f"{term.abbreviation_of}: {term.explanation}" if term.abbreviation_of else term.explanation
        title = " ".join(title.split())
        forms = [term.term, *term.forms]
        if term.term.islower() and " " not in term.term:
            forms += search_forms([term.term])
        forms += [f[0].upper() + f[1:] for f in forms if f[:1].islower()]
        for form in forms:
            if form not in seen and "]" not in form and form in text:
                seen.add(form)
                lines.append(f"*[{form}]: {title}")
    return "\n".join(lines) + "\n"


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    return yaml.safe_load(text[4:end]) or {} if end > 0 else {}
