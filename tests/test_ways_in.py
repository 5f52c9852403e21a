"""The ways in: role pages as views of the data, the step-by-step missing-child page one click
from everywhere, glossary tooltips, the sources page, tags, the calculator (in Chromium), and
the pages the public sector owes its users."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path


from generator.content import model
from generator.content import review
from generator.sitemap import PAGE_OF_MODEL


from conftest import article_text, page_html as page


def article(site: Path, name: str) -> str:
    return article_text(site / name / "index.html")


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)


# --- role pages -------------------------------------------------------------------


def test_every_role_has_a_page_in_the_navigation(site, content):
    start = (site / "index.html").read_text(encoding="utf-8")
    for role in content.roles.roles:
        assert (site / role.id / "index.html").exists(), role.id
        assert f'href="{role.id}/"' in start or f'href="./{role.id}/"' in start or role.id in start
    assert len(content.roles.roles) >= 7


def test_role_page_shows_its_actors_responsibilities_signs_and_checklists(site, content):
    all_signs = [s for g in content.signs.groups for s in g.signs]
    for role in content.roles.roles:
        text = article(site, role.id)
        ids = set(role.actors)
        for actor in (content.actor_by_id[a] for a in role.actors):
            for r in actor.responsibilities:
                assert " ".join(r.text.split()) in text, (role.id, r.id)
        for sign in all_signs:
            noticed = bool(ids & set(sign.noticed_by))
            shown = f'varningssignaler/#{sign.id}"' in page(site, role.id)
            assert shown == noticed, (role.id, sign.id, noticed)
        for checklist in content.checklists:
            used = role.all_checklists or bool(ids & set(checklist.used_by))
            assert (f"pdf/{checklist.id}.pdf" in page(site, role.id)) == used, (role.id, checklist.id)


def test_role_pages_hold_nothing_of_other_actors(site, content):
    """A role page is a view: other actors' responsibilities never appear on it."""
    for role in content.roles.roles:
        text = article(site, role.id)
        own = {r.text for a in role.actors for r in content.actor_by_id[a].responsibilities}
        for actor in content.actors.actors:
            for r in actor.responsibilities:
                if actor.id not in role.actors and r.text not in own and len(r.text) > 25:
                    assert " ".join(r.text.split()) not in text, (role.id, r.id)


def test_partners_come_from_both_directions_of_works_with(site, content):
    god_man = page(site, "jag-ar-god-man")
    partners = god_man.split('id="samarbetar-med"')[1].split("<h2")[0]
    # god-man lists skolan itself; socialtjansten lists god-man: both are shown.
    assert "aktorer/#skolan" in partners and "aktorer/#socialtjansten" in partners
    assert "aktorer/#polisen" not in partners


def test_trainer_gets_every_checklist_and_pack(site, content):
    trainer = next(r for r in content.roles.roles if r.all_checklists)
    html = page(site, trainer.id)
    for c in content.checklists:
        assert f"pdf/{c.id}.pdf" in html
    for p in content.packs:
        assert f"pdf/{p.id}.pdf" in html


# --- the missing-child page ---------------------------------------------------------


def test_missing_child_page_is_step_by_step(site, content):
    f = content.missing_child
    text = article(site, "forsvinnande")
    steps = [text.index(s) for s in ("Steg 1:", "Steg 2:", "Steg 3:", "Steg 4:")]
    assert steps == sorted(steps)
    for point in f.act_now.points + f.police_needs.points:
        assert point.text in text
    assert "116 000" in text
    for fact in f.hotline.facts:
        assert fact in text
    who = text[steps[3]:]
    for rid in f.who_does_what:
        assert " ".join(content.item_by_id[rid].text.split()) in who, rid


def test_missing_child_page_is_one_click_from_every_page(site):
    pages = html_pages(site)
    assert len(pages) > 25
    for p in pages:
        html = p.read_text(encoding="utf-8")
        link = re.search(r'<a class="akut-lank" href="([^"]+)"', html)
        assert link, p
        href = link.group(1)  # the 404 page links from the site root
        target = (site / href.lstrip("/") if href.startswith("/") else p.parent / href).resolve()
        target = target / "index.html" if target.is_dir() else target
        assert target == (site / "forsvinnande" / "index.html").resolve(), p


# --- glossary -------------------------------------------------------------------------


REQUIRED_TERMS = ["HVB", "SFV", "LVU", "SoL", "LMA", "BUP", "SKR", "IVO", "god man",
                  "anknytningsanvisning", "utjämnande anvisning", "måluppfyllelse"]


def test_glossary_has_the_terms_newcomers_trip_over(content, site):
    terms = {t.term for t in content.glossary.terms}
    assert not [t for t in REQUIRED_TERMS if t not in terms]
    html = page(site, "ordlista")
    for t in content.glossary.terms:
        assert f'id="{t.id}"' in html


def test_glossary_terms_get_a_tooltip_where_they_appear(site, content):
    explanation = {t.term: t.explanation for t in content.glossary.terms}
    html = page(site, "boendeformer")
    hvb = re.search(r'<abbr title="([^"]+)">HVB</abbr>', html)
    assert hvb and htmllib.unescape(hvb.group(1)).endswith(" ".join(explanation["HVB"].split()))
    found = {m for p in html_pages(site) for m in re.findall(r"<abbr title=", p.read_text(encoding="utf-8"))}
    assert found
    # inflected forms get the tooltip too ("familjehemmet" on a page that says so)
    if any(t.term == "familjehem" for t in content.glossary.terms):
        assert re.search(r"<abbr title=\"[^\"]+\">[Ff]amiljehem(met|men|s)?</abbr>", html)


def test_glossary_tooltip_shows_in_the_browser(browser, server):
    page_ = browser.new_page()
    page_.goto(f"{server}/boendeformer/")
    abbr = page_.locator("article abbr[title]").first
    abbr.hover()
    tip = page_.locator('[role="tooltip"]').first
    tip.wait_for(state="visible", timeout=5000)
    assert tip.inner_text().strip()
    page_.close()


# --- sources, tags, about, accessibility statement -------------------------------------


def test_sources_page_lists_every_cited_source(site, content):
    html = page(site, "kallor")
    cited = {c.source for f in content.guidance for n in model.walk(f) for c in getattr(n, "citations", [])}
    assert len(cited) >= 15
    missing = [s for s in cited if f'id="{s}"' not in html]
    assert not missing
    for f in content.guidance:  # and each page that cites a source is named under it
        slug = PAGE_OF_MODEL[type(f)]
        for c in f.citations:
            entry = html.split(f'id="{c.source}"')[1].split("<h2")[0]
            assert f'href="../{slug}/"' in entry, (c.source, slug)


def test_footer_citations_link_to_the_sources_page(site):
    html = page(site, "aktorer")
    footer = html.split('id="kallor-och-granskning"')[1]
    assert 'href="../kallor/#forebygg-2025"' in footer


def test_pages_carry_tags_and_the_tags_index_lists_them(site, content):
    html = page(site, "boendeformer")
    assert "md-tag" in html and "boende" in html.split("md-tags", 1)[1][:2000]
    index = page(site, "amnen")
    for topic in {t for f in content.guidance for t in f.topics}:
        assert f'id="tag:{topic.replace(" ", "-")}"' in index, topic


def test_about_page_says_who_publishes_maintains_and_reviews(site, content):
    text = article(site, "om")
    assert content.site.organisation in text
    assert "Så granskas innehållet" in text
    last = max(f.reviewed for f in content.guidance)
    assert f"senast {review.swedish_date(last)}" in text


def test_accessibility_statement_has_what_digg_requires(site, content):
    a = content.site.accessibility
    html = page(site, "tillganglighet")
    text = article(site, "tillganglighet")
    assert content.site.organisation in text  # who publishes
    assert a.status in text  # how compliant
    for gap in a.known_gaps:  # known gaps
        assert " ".join(gap.split()) in text
    assert "bedömdes senast" in text  # date of assessment
    assert "Hur vi har testat webbplatsen" in text  # how it was assessed
    assert "Vad kan du göra" in text  # feedback
    assert f'href="{a.digg_url}"' in html  # DIGG's reporting page


# --- the calculator, in the browser ---------------------------------------------------------


def test_calculator_reproduces_the_worked_example_and_any_other_sum(browser, server, content):
    e = content.allocation.example
    requests: list[str] = []
    page_ = browser.new_page()
    page_.on("request", lambda r: requests.append(r.url))
    page_.goto(f"{server}/anvisning/")  # the search fetches nothing until it is opened
    page_.wait_for_selector("form.kalkylator output[data-barn]")
    output = page_.locator("form.kalkylator output")
    assert output.get_attribute("data-barn") == str(e.children)
    assert output.get_attribute("data-summa") == str(e.total)
    assert f"{e.total:,}".replace(",", "\u00a0") in output.inner_text()
    n_before = len(requests)
    page_.fill("#kalk-andel", "2,5")
    page_.fill("#kalk-prognos", "1000")
    page_.press("#kalk-prognos", "Enter")
    assert output.get_attribute("data-barn") == "3"  # 2.5 per mille of 1000 = 2.5, rounds to 3
    assert output.get_attribute("data-summa") == str(3 * e.amount_per_child)
    page_.fill("#kalk-andel", "mycket")
    page_.click("form.kalkylator button")
    assert "Skriv andelen" in output.inner_text()
    assert len(requests) == n_before, requests[n_before:]  # nothing left the page
    assert all(u.startswith(server) for u in requests)
    page_.close()


def test_permalinks_are_named_without_a_tooltip(site):
    """The ¶ after a heading is named in words for a screen reader, and has no title for the
    theme to make a tooltip of (generator/tooltips.py)."""
    html = page(site, "anvisning")
    links = re.findall(r'<a class="headerlink"[^>]*>', html)
    assert len(links) > 20
    assert all('aria-label="Länk till det här avsnittet"' in a and "title=" not in a for a in links), links[:2]


def test_a_term_gets_one_tooltip_per_section(site):
    """The first occurrence of a term in a section explains it; the rest stay plain words."""
    import re as _re

    html = page(site, "anvisning")
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    sections = _re.split(r"(?=<h2[\s>])", article)
    assert len(sections) > 5
    tooltips = 0
    for section in sections:
        body = _re.sub(r"<h[1-6][\s>].*?</h[1-6]>", "", section, flags=_re.S)
        titles = _re.findall(r'<abbr title="([^"]*)">', body)
        assert len(titles) == len(set(titles)), [t for t in set(titles) if titles.count(t) > 1][:3]
        tooltips += len(titles)
    assert tooltips > 20  # terms are still explained where they first appear
