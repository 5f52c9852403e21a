"""The site map (generator/sitemap.py) is data below the views: every page, its title, heading,
template and the content it shows. Checked against the model and the templates, and by
rendering a page, without building the site."""

from __future__ import annotations

import re

from generator import sitemap
from generator.content import model
from generator.outputs.docs import site_renderer
from generator.views.pages import TEMPLATES, _front_matter


def test_every_kind_of_guidance_is_shown_on_one_page():
    guidance = [k for k in model.FILE_KINDS if issubclass(k, model.GuidanceFile)]
    shown = [kind for page in sitemap.SITE_PAGES for kind in page.shows]
    assert sorted(k.__name__ for k in shown) == sorted(k.__name__ for k in guidance)


def test_every_page_has_its_template_and_a_unique_address():
    assert len(set(sitemap.PAGE_SLUGS)) == len(sitemap.PAGE_SLUGS)
    for page in sitemap.SITE_PAGES:
        assert (TEMPLATES / page.template).is_file(), page.slug
    assert (TEMPLATES / sitemap.ROLE_TEMPLATE).is_file()
    assert set(sitemap.GUIDE_CHAPTERS) <= set(sitemap.PAGE_SLUGS)


def test_the_titles_are_known_before_any_page_is_rendered(content):
    """Before: titles filled up while pages rendered, so "Ändringar" had to be rendered last."""
    titles = sitemap.titles(content)
    assert list(titles)[:len(sitemap.PAGE_SLUGS)] == sitemap.PAGE_SLUGS
    assert {r.id: r.title for r in content.roles.roles}.items() <= titles.items()


def test_a_page_takes_its_title_and_heading_from_the_site_map(content):
    renderer = site_renderer(content)
    for page in sitemap.SITE_PAGES:
        text = renderer.render(page.template, content=content, page=page, role=None)
        assert _front_matter(text)["title"] == page.title
        assert re.search(r"^# (.*)$", text, re.M).group(1) == page.heading, page.slug
