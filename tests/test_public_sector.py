"""What a Swedish public-sector site must be, checked in Debian's Chromium on every build:
accessible (axe-core, WCAG 2.1 A and AA, on every page; keyboard use), private (no request
leaves the site, nothing stored), printable, and usable on a phone."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, csp_violations, open_page, wait_for_search, watch_csp

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 740}


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as a URL path."""
    paths = []
    for p in sorted(site.rglob("*.html")):
        rel = p.relative_to(site).as_posix()
        paths.append(rel.removesuffix("index.html"))
    return paths


@pytest.fixture(scope="module")
def pages(site):
    found = site_pages(site)
    assert len(found) > 25
    return found


@pytest.fixture(scope="module")
def visit(browser, server):
    """Load each page once in a fresh context, recording requests, cookies, storage and
    Content-Security-Policy violations."""
    results = {}

    def load(path: str) -> dict:
        if path in results:
            return results[path]
        context = browser.new_context()
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        console = watch_csp(page)
        page.goto(f"{server}/{path}")
        page.wait_for_selector("input.md-search__input")  # the theme's script has run
        if not AXE.exists():
            pytest.fail(f"{AXE} missing: run `npm ci` (make test does)")
        page.evaluate(AXE.read_text(encoding="utf-8"))  # as the browser's tools run it: not a page script
        axe = page.evaluate("""async tags => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }""", WCAG_TAGS)
        storage = page.evaluate("""async () => ({
            local: Object.keys(localStorage), session: Object.keys(sessionStorage),
            idb: indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : []})""")
        results[path] = {"requests": requests, "axe": axe, "cookies": context.cookies(), "storage": storage,
                         "csp": csp_violations(page, console)}
        context.close()
        return results[path]

    return load


def test_every_page_passes_axe_wcag_21_aa(pages, visit):
    failures = {p: visit(p)["axe"] for p in pages if visit(p)["axe"]}
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)[:4000]


def test_no_request_leaves_the_site_and_nothing_is_stored(pages, visit, server):
    total = 0
    for path in pages:
        result = visit(path)
        outside = [u for u in result["requests"] if not u.startswith(server)]
        assert not outside, (path, outside)
        assert result["cookies"] == [], path
        assert result["storage"] == {"local": [], "session": [], "idb": []}, (path, result["storage"])
        total += len(result["requests"])
    assert total > len(pages)  # pages really loaded their assets from the local server


def test_every_page_runs_under_the_security_policy(pages, visit):
    """The server's policy allows no inline script: every page loads without a violation."""
    violations = {p: visit(p)["csp"] for p in pages if visit(p)["csp"]}
    assert not violations, violations


def test_search_stores_nothing(browser, server):
    """A query may name a child: it must not be kept in the browser."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/")
    wait_for_search(page)
    page.locator("input.md-search__input").press_sequentially("familjehemmet", delay=10)
    page.wait_for_selector("a.md-search-result__link")
    page.keyboard.press("Escape")
    storage = page.evaluate("() => [Object.keys(localStorage), Object.keys(sessionStorage)]")
    assert storage == [[], []]
    assert context.cookies() == []
    context.close()


# --- keyboard ---------------------------------------------------------------------------------


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, text: (e.innerText || e.value || "").trim(), href: e.getAttribute("href"),
                cls: e.className, id: e.id}; }""")


def test_keyboard_skip_link_moves_to_the_content(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/aktorer/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert "md-skip" in first["cls"] and first["href"].startswith("#"), first
    page.keyboard.press("Enter")
    target = first["href"][1:]
    assert page.evaluate("() => location.hash") == f"#{target}"
    page.keyboard.press("Tab")  # the next stop is inside the content, not the header
    inside = page.evaluate("() => !!document.activeElement.closest('article, .md-content')")
    assert inside
    page.close()


def test_keyboard_search_finds_and_opens_a_page(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/")
    wait_for_search(page)
    page.keyboard.press("/")  # Material's shortcut; the box is also a Tab stop in the header
    assert focused(page)["tag"] == "INPUT"
    page.keyboard.type("stödboendet", delay=15)
    page.wait_for_selector("a.md-search-result__link")
    page.keyboard.press("ArrowDown")
    link = focused(page)
    assert link["tag"] == "A", link
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("?")[0] == link["href"].split("?")[0]  # the chosen result opened
    assert "/boendeformer/" in page.url  # and the first result for the housing form is its page
    page.close()


def test_keyboard_reaches_navigation_and_checklists(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/")
    for _ in range(80):  # Tab through the page until the navigation link comes up
        page.keyboard.press("Tab")
        if focused(page)["text"] == "Checklistor och blanketter":
            break
    else:
        pytest.fail("the navigation link to the checklists was never reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/checklistor/$"))
    for _ in range(120):
        page.keyboard.press("Tab")
        f = focused(page)
        if (f["href"] or "").endswith(".pdf"):
            break
    else:
        pytest.fail("no PDF link on the checklist page was reached with Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.close()


# --- print and phone ---------------------------------------------------------------------------


def test_printed_page_has_content_without_navigation_and_shows_link_targets(browser, server):
    page = browser.new_page()
    open_page(page, f"{server}/avslutning/")
    pdf = page.pdf(format="A4")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert "Håll i och håll ut" in flat
    assert "Barnkonventionen" not in flat and "Alla roller" not in flat  # no navigation
    assert "Sök" not in flat.split()  # no search box
    assert "kunskapsguiden.se" in flat.replace(" ", "")  # where a link goes
    page.close()


MAIN_PAGES = ["", "forsvinnande/", "roller/", "jag-ar-god-man/", "aktorer/", "boendeformer/",
              "varningssignaler/", "asylprocess/", "samverkan/", "skola/", "anvisning/", "kontakter/",
              "checklistor/", "ordlista/", "kallor/"]


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_no_sideways_scrolling_on_a_phone(browser, server, path):
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    open_page(page, f"{server}/{path}")
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], (path, width)
    page.close()
