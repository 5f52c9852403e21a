"""The views on the small project (tests/fixtures/small), without building a site: every page of
its site map renders with the site map's title and heading, content reaches a page and the print
HTML as text only, and the print views (checklists, packs, the whole guide) hold what the
content says."""

from __future__ import annotations

import re

from generator import sitemap
from generator.content.load import load_content
from generator.outputs.docs import site_renderer
from generator.sitemap import PAGE_SLUGS
from generator.views import printed
from generator.views.pages import _front_matter

MARK = '<script>alert("x")</script> [länk](javascript:alert(1))'


def test_every_page_of_the_small_project_renders_from_its_site_map(small):
    content = load_content(small, PAGE_SLUGS)
    renderer = site_renderer(content)
    roles = {role.id: role for role in content.roles.roles}
    pages = sitemap.pages(content)
    assert [p.slug for p in pages][-len(roles):] == list(roles)
    for page in pages:
        role = roles.get(page.slug)
        text = renderer.render(sitemap.ROLE_TEMPLATE if role else page.template, content=content, page=page, role=role)
        assert _front_matter(text)["title"] == page.title, page.slug
        assert re.search(r"^# (.*)$", text, re.M).group(1) == page.heading, page.slug
    assert "Kommunen" in renderer.render("pages/aktorer.md.j2", content=content, page=sitemap.PAGE_BY_SLUG["aktorer"])


def test_content_reaches_the_page_and_the_print_html_as_text(small):
    actors = small / "guidance" / "aktorer.yml"
    actors.write_text(actors.read_text(encoding="utf-8").replace("namn: Kommunen", f"namn: 'Kommunen {MARK}'", 1),
                      encoding="utf-8")
    content = load_content(small, PAGE_SLUGS)
    page = site_renderer(content).render("pages/aktorer.md.j2", content=content, page=sitemap.PAGE_BY_SLUG["aktorer"])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "](javascript:" not in page  # the brackets are escaped: no Markdown link
    section = printed.print_renderer(content).print_section("aktorer")
    assert "<script>" not in section.html and "&lt;script&gt;alert" in section.html
    assert 'href="javascript:' not in section.html


def test_the_print_views_hold_the_checklists_packs_and_chapters(small):
    content = load_content(small, PAGE_SLUGS)
    renderer = printed.print_renderer(content)
    for checklist in content.checklists:
        parts = printed.resolve(checklist, content)
        assert parts, checklist.id
        citations, reviewed = printed.sources_of(checklist, content)
        assert reviewed <= content.last_reviewed
    css = printed.PRINT_CSS.read_text(encoding="utf-8")
    for pack in content.packs:
        html = printed.pack_html(pack, content, renderer, css)
        assert pack.title in html
    guide = printed.guide_html(content, renderer, css)
    assert content.site.title in guide
    for number, slug in enumerate(sitemap.GUIDE_CHAPTERS, 1):
        assert f"{number}. {renderer.print_section(slug).title}" in re.sub(r"<[^>]+>", "", guide), slug
