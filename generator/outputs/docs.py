"""The engine's docs folder (build/docs): the hand-written pages of docs/ and a Markdown page
for every page of the site map, each with its review status, history, tags, phone links and
glossary tooltips, and the Atom feed of major changes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from markupsafe import Markup

from generator import sitemap
from generator.content.load import Content
from generator.sitemap import CHANGES_PAGE, FEED, ROLE_TEMPLATE
from generator.views import phone
from generator.views.escape import engine_text
from generator.views.history import feed_xml
from generator.views.inserts import verbatim
from generator.views.pages import (Renderer, _add_front_matter, _front_matter, _page_topics, abbreviation_block,
                                   add_status, glossary_forms)
from generator.views.printed import composer_html, print_renderer


def site_renderer(content: Content, pdf_pages: dict[str, int] | None = None) -> Renderer:
    """The renderer of the site's pages, with what they show of the print HTML: the print
    composer holds the same HTML as the PDFs, the checklists page each pack's parts."""
    renderer, printer = Renderer(content), print_renderer(content)
    if pdf_pages:
        renderer.env.globals["pdf_pages"] = pdf_pages
    renderer.env.globals["composer_html"] = lambda: Markup(verbatim(composer_html(content, printer)))
    renderer.env.globals["pack_contents"] = {p.id: printer.pack_contents(p) for p in content.packs}
    return renderer


def build_docs(content: Content, root: Path, out_dir: Path, pdf_pages: dict[str, int] | None = None) -> dict[str, list[str]]:
    """Write the complete docs folder for the site engine: hand-written + generated pages.

    `pdf_pages`: the number of pages of each PDF already rendered, for the checklists page (the
    build renders them first; the preview uses those of the last build; `guide check` has none).

    Returns the search terms of each section (see search.py)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(root / "docs", out_dir)
    renderer = site_renderer(content, pdf_pages)
    for page in sorted(out_dir.rglob("*.md")):  # hand-written pages get the same footer
        text = page.read_text(encoding="utf-8")
        meta = _front_matter(text)
        if "granskad" in meta:
            text = text.rstrip() + "\n\n" + renderer.footer(meta["granskad"], [])
            page.write_text(add_status(text, renderer.history.page_status(page.stem)), encoding="utf-8")
    roles = {role.id: role for role in content.roles.roles}
    for page in sitemap.pages(content):
        role = roles.get(page.slug)
        renderer.current_page = page.file
        text = renderer.render(ROLE_TEMPLATE if role else page.template, content=content, page=page, role=role)
        text = add_status(text, renderer.history.page_status(page.slug), with_history=page.slug != CHANGES_PAGE)
        meta = _front_matter(text)
        # the page itself is found by its title's forms (and a role's terms)
        words = [w for w in re.findall(r"\w+", page.title) if len(w) > 4]
        if not (meta.get("search") or {}).get("exclude"):  # e.g. the print composer
            renderer.index_terms("", words + ([role.name] + role.keywords if role else []))
        topics = _page_topics(content, page.slug)
        if topics:
            text = _add_front_matter(text, {"tags": [engine_text(t) for t in topics]})
        (out_dir / page.file).write_text(text, encoding="utf-8")
    numbers, forms = phone.numbers(content), glossary_forms(content.glossary)
    for page in sorted(out_dir.rglob("*.md")):
        text = phone.link_numbers(page.read_text(encoding="utf-8").rstrip(), numbers)
        page.write_text(text + "\n\n" + abbreviation_block(forms, text), encoding="utf-8")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    (out_dir / FEED).write_bytes(feed_xml(renderer.history, sitemap.titles(content),
                                          config.get("site_url") or "", content.site.site_name))
    return renderer.search_terms
