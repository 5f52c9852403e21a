"""The built site: every item is on its page, every page shows sources and review date,
nothing is fetched from elsewhere, and markup in content stays text."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest

from generator.content import model
from generator.content import review
from generator.sitemap import PAGE_OF_MODEL

PAGE_OF_KIND = PAGE_OF_MODEL
GENERATED = sorted(set(PAGE_OF_KIND.values()))


from conftest import ROOT, page_html as page


def ids_in(node) -> list[str]:
    """Every item id in a validated content file."""
    return [n.id for n in model.walk(node) if isinstance(getattr(n, "id", None), str)]


def test_every_item_has_an_anchor_on_its_page(site, content):
    files = [f for f in content.guidance if type(f) in PAGE_OF_KIND]
    total = 0
    for f in files:
        html = page(site, PAGE_OF_KIND[type(f)])
        ids = ids_in(f)
        missing = [i for i in ids if f'id="{i}"' not in html]
        assert not missing, f"{PAGE_OF_KIND[type(f)]}: no anchor for {missing}"
        total += len(ids)
    assert total > 250


@pytest.mark.parametrize("name", GENERATED + ["", "om"])
def test_every_page_shows_review_date_and_sources(site, content, name):
    html = page(site, name) if name else (site / "index.html").read_text(encoding="utf-8")
    reviewed = re.search(r"Senast granskad (\d{1,2} \w+ \d{4})\.", html)
    start = re.search(r"^granskad: (\S+)$", (ROOT / "docs" / "index.md").read_text(encoding="utf-8"), re.M)
    days = [f.reviewed for f in [*content.guidance, content.site]] + [datetime.date.fromisoformat(start[1])]
    assert reviewed and reviewed[1] in {review.swedish_date(day) for day in days}
    assert re.search(r"Senast uppdaterad \d{1,2} \w+ 20\d\d\.", html)
    assert "Ansvarig för innehållet: Resurscentrum, Strömsunds kommun" in html
    if name in GENERATED:
        assert 'id="kallor-och-granskning"' in html
        assert re.search(r"Förebygg och förbered|Ensamkommande barn i kommunen", html.split('id="kallor-och-granskning"')[1])


def test_asylum_pact_notice_where_content_may_change(site):
    html = page(site, "aktorer")
    god_man = html.split('id="god-man"')[1].split("<h2")[0]
    assert "Beskriver reglerna före 12 juni 2026" in god_man
    assert "migrations- och asylpakt" in god_man and "ännu inte kontrollerad" in god_man
    police = html.split('id="polisen"')[1].split("<h2")[0]
    assert "Beskriver reglerna före" not in police


def test_contacts_are_marked_with_their_year(site):
    html = page(site, "kontakter")
    assert "Uppgifterna är från 2020" in html
    assert html.count("Uppgifter från 2020") == 3
    assert 'href="mailto:' in html or "&#109;&#97;&#105;&#108;&#116;&#111;" in html


class _Resources(HTMLParser):
    """Collects every URL the browser would fetch on its own (not plain links)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("rel") not in ("canonical", "alternate") and a.get("href"):
            self.urls.append(a["href"])


def test_no_resource_is_loaded_from_elsewhere(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 9
    for html_file in pages:
        parser = _Resources()
        parser.feed(html_file.read_text(encoding="utf-8"))
        external = [u for u in parser.urls if re.match(r"(https?:)?//", u)]
        assert not external, f"{html_file}: {external}"
    css = (site / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "woff2" in css and "googleapis" not in css
    assert (site / "assets" / "fonts" / "source-sans-3-latin-400-normal.woff2").stat().st_size > 10_000


@pytest.mark.xdist_group("marked-up")  # shares the build of `marked_up` (test_hostile, test_history)
def test_markup_in_content_stays_text(marked_up):
    """EVIL in a housing form's, an actor's and a contact's name (conftest.EVIL_NAMES)."""
    for name in ("boendeformer", "aktorer", "kontakter"):
        html = page(marked_up.site, name)
        assert "<script>alert" not in html and 'href="javascript:' not in html and "<img src=x" not in html
        assert "<strong>fet</strong>" not in html
        assert "&lt;script&gt;alert(" in html  # shown as the characters the maintainer wrote
        assert "[klicka](javascript:alert(1))" in html
        # EVIL's own, not only the MARK that every other field of the shared build ends with
        assert re.search(r"&lt;script&gt;alert\((&quot;|&#34;)x(&quot;|&#34;)\)&lt;/script&gt; \[klicka\]", html), name
