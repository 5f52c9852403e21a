"""What a Swedish public-sector site must be, checked in Debian's Chromium on every build:
accessible (axe-core, WCAG 2.2 A and AA and axe's best practices, on every page at phone and
desktop widths; Lighthouse; the Nu Html Checker; keyboard use), private (no request leaves the
site, nothing stored), printable, and usable on a phone (numbers to tap, tables that fit, the
urgent box that stays put)."""

from __future__ import annotations

import html.parser
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, article_text, csp_violations, open_page, page_html, wait_for_search, watch_csp
from generator.views import phone

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = [320, 390, 1280]  # small phone, common phone, desktop
PHONE_WIDTHS = [320, 390]


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as a URL path."""
    paths = []
    for p in sorted(site.rglob("*.html")):
        rel = p.relative_to(site).as_posix()
        paths.append(rel.removesuffix("index.html"))
    return paths


def phone_page(browser, width: int):
    """A page in a fresh context the size of a phone (or a desktop at 1280)."""
    mobile = width < 800
    context = browser.new_context(viewport={"width": width, "height": 740 if mobile else 900},
                                  device_scale_factor=2 if mobile else 1, is_mobile=mobile, has_touch=mobile)
    return context, context.new_page()


@pytest.fixture(scope="module")
def pages(site):
    found = site_pages(site)
    assert len(found) > 25
    return found


def by_width(widths: list[int]) -> list:
    """The widths as test parameters, each in the xdist group of its width: the tests that look
    at every page at one width run in one test process and share its page loads (`loaded`)."""
    return [pytest.param(width, marks=pytest.mark.xdist_group(f"width-{width}")) for width in widths]


STORAGE = """async () => ({local: Object.keys(localStorage), session: Object.keys(sessionStorage),
    idb: indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : []})"""
# What scrolls sideways: the page itself ([scrollWidth, clientWidth]) and anything in the article.
OVERFLOW = """() => ({page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    inside: [...document.querySelectorAll("article *")]
        .filter(e => e.scrollWidth > e.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
        .map(e => e.tagName + "." + e.className)})"""
# The site's own font, served from the site, is what the page is set in.
FONT = """() => ({family: getComputedStyle(document.body).fontFamily,
    loaded: [...document.fonts].some(f => f.family.replace(/"/g, "") === "Source Sans 3" && f.status === "loaded")})"""
# Every violation in full; of the rules that pass axe keeps one node (collecting them all costs time).
AXE_RUN = """async tags => {
    const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@pytest.fixture(scope="module")
def loaded(browser, server, pages):
    """Every page loaded once at a width, one after another in one context of that size (as a
    reader goes through the site), and each load checked for everything at once: the requests
    the page made, the cookies and storage after it, Content-Security-Policy violations, what
    scrolls sideways, and axe-core's violations. A width is loaded when a test first asks for
    it; loaded(width)[path] is that page's record."""
    results: dict[int, dict[str, dict]] = {}

    def at(width: int) -> dict[str, dict]:
        if width not in results:
            results[width] = load_every_page(browser, server, pages, width)
        return results[width]

    return at


def load_every_page(browser, server: str, pages: list[str], width: int) -> dict[str, dict]:
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `npm ci` (make test does)")
    axe = AXE.read_text(encoding="utf-8")
    context, page = phone_page(browser, width)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    console = watch_csp(page)
    found = {}
    for path in pages:
        requests.clear()
        console.clear()
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_selector("input.md-search__input")  # the theme's script has run
        found[path] = {"requests": list(requests), "cookies": context.cookies(),
                       "storage": page.evaluate(STORAGE), "csp": csp_violations(page, console),
                       "overflow": page.evaluate(OVERFLOW), "font": page.evaluate(FONT)}
        page.evaluate(axe)  # as the browser's tools run it: not a page script
        found[path]["axe"] = page.evaluate(AXE_RUN, AXE_TAGS)
    context.close()
    return found


@pytest.mark.parametrize("width", by_width(WIDTHS))
def test_every_page_passes_axe_wcag_22_aa_and_best_practice(pages, loaded, width):
    failures = {path: loaded(width)[path]["axe"] for path in pages if loaded(width)[path]["axe"]}
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)[:4000]


@pytest.mark.parametrize("width", by_width(WIDTHS))
def test_no_request_leaves_the_site_and_nothing_is_stored(pages, loaded, server, width):
    """Every page at every width: its requests (the fonts too) go to the site only, it stores
    nothing, and it is set in the site's own font."""
    total = 0
    for path in pages:
        result = loaded(width)[path]
        outside = [u for u in result["requests"] if not u.startswith(server)]
        assert not outside, (path, outside)
        assert result["cookies"] == [], path
        assert result["storage"] == {"local": [], "session": [], "idb": []}, (path, result["storage"])
        assert "Source Sans 3" in result["font"]["family"] and result["font"]["loaded"], (path, result["font"])
        total += len(result["requests"])
    assert total > len(pages)  # pages really loaded their assets from the local server


@pytest.mark.parametrize("width", by_width(WIDTHS))
def test_every_page_runs_under_the_security_policy(pages, loaded, width):
    """The server's policy allows no inline script: every page loads without a violation."""
    violations = {p: loaded(width)[p]["csp"] for p in pages if loaded(width)[p]["csp"]}
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
    page.keyboard.press("/")  # Material's shortcut; the box is also a Tab stop in the header
    assert focused(page)["tag"] == "INPUT"
    wait_for_search(page)
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
              "checklistor/", "ordlista/", "kallor/", "bakgrund/", "om/"]


@pytest.mark.parametrize("width", by_width(PHONE_WIDTHS))
def test_no_sideways_scrolling_on_a_phone(loaded, width):
    """Neither the page nor anything in it scrolls sideways: wide tables become cards."""
    for path in MAIN_PAGES:
        overflow = loaded(width)[path]["overflow"]
        assert overflow["page"][0] <= overflow["page"][1], (path, width, overflow["page"])
        assert not overflow["inside"], (path, width, overflow["inside"])


# --- on a phone --------------------------------------------------------------------------------


class _TextWithContext(html.parser.HTMLParser):
    """The text of a page, each run with the tags it sits in (tag, attributes)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.runs: list[tuple[str, list[tuple[str, dict]]]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip():
            self.runs.append((data, list(self.stack)))


def test_every_phone_number_is_a_tap_to_call_link(site, content):
    numbers = phone.numbers(content)
    assert "116 000" in numbers
    found = phone.pattern(numbers)
    linked: dict[str, int] = {}
    for path in site_pages(site):
        file = site / path if path.endswith(".html") else site / path / "index.html"
        parser = _TextWithContext()
        parser.feed(file.read_text(encoding="utf-8"))
        linked[path] = 0
        for text, tags in parser.runs:
            names = [tag for tag, _ in tags]
            number = found.search(text)
            if not number or {"script", "style", "title", "head"} & set(names):
                continue
            links = [a.get("href", "") for tag, a in tags if tag == "a"]
            if links and links[-1].startswith("tel:"):
                assert links[-1] == phone.tel_href(number.group(0)), (path, text)
                linked[path] += 1
                continue
            # Left as they are: headings, and numbers inside another link (a step list entry,
            # a source's title), where a second link cannot go.
            assert links or {"h1", "h2", "h3", "h4", "h5", "h6"} & set(names), (path, text)
    assert min(linked.values()) >= 1, linked  # the banner on every page
    assert linked[""] >= 2 and linked["forsvinnande/"] >= 2, linked  # and in the text


@pytest.mark.parametrize("markdown, expected", [
    ("Ring 116 000 direkt.", "Ring [116 000](tel:116000) direkt."),
    ("Ring 116\u00a0000.", "Ring [116\u00a0000](tel:116000)."),
    ("Växeln 08\\-123 45 67 eller +46 8 123 45 67.",
     "Växeln [08\\-123 45 67](tel:081234567) eller [+46 8 123 45 67](tel:+4681234567)."),
    ("## Steg 2: Ring 116 000 {: #ring }", "## Steg 2: Ring 116 000 {: #ring }"),
    ("- [Ring 116 000](#ring) och <https://example.se/116000/>", "- [Ring 116 000](#ring) och <https://example.se/116000/>"),
    ("132 300 kr, 1 500 barn, 2020\\-01\\-01, 0\\-17 år", "132 300 kr, 1 500 barn, 2020\\-01\\-01, 0\\-17 år"),
    ("---\ntitle: Ring 116 000\n---\n\n*[116 000]: journummer", "---\ntitle: Ring 116 000\n---\n\n*[116 000]: journummer"),
])
def test_phone_numbers_become_links_in_text_only(markdown, expected):
    assert phone.link_numbers(markdown, ["116 000"]) == expected


URGENT = ["", "forsvinnande/", "jag-ar-socialsekreterare/"]


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_urgent_box_is_body_size_and_does_not_move_while_fonts_load(browser, server, width):
    """The red box's text is as big as the page's, and it stays put even when the site's fonts
    arrive late (cumulative layout shift under 0.1)."""
    import time

    context, page = phone_page(browser, width)
    page.add_init_script("""window.__shift = 0; new PerformanceObserver(list => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
    }).observe({type: "layout-shift", buffered: true});""")
    arrive = [0.0]  # every font of a page arrives 0.8 s after the page is asked for (not one after another)
    page.route("**/*.woff2", lambda route: (time.sleep(max(0.0, arrive[0] - time.monotonic())), route.continue_()))
    for path in URGENT:
        arrive[0] = time.monotonic() + 0.8
        page.goto(f"{server}/{path}", wait_until="load")  # (the load event waits for the fonts)
        page.evaluate("""document.fonts.ready.then(() => new Promise(done =>  // the last swap laid out
            requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100)))))""")
        sizes = page.evaluate("""() => ({
            body: parseFloat(getComputedStyle(document.querySelector("article > p")).fontSize),
            box: [...document.querySelectorAll("article .admonition.danger :is(p, li)")]
                   .map(e => parseFloat(getComputedStyle(e).fontSize)),
            banner: parseFloat(getComputedStyle(document.querySelector(".md-banner p")).fontSize)})""")
        assert sizes["box"] and min(sizes["box"]) >= sizes["body"], (path, sizes)
        assert sizes["banner"] >= sizes["body"], (path, sizes)
        shift = page.evaluate("() => window.__shift")
        assert shift < 0.1, (path, width, shift)
    context.close()


def test_tables_are_cards_on_a_phone_and_stay_tables_for_screen_readers(browser, server):
    """At 320 px each row of the compensation table is a card whose values carry their column's
    name; Chromium's accessibility tree still has a table with column headers and cells."""
    context, page = phone_page(browser, 320)
    page.goto(f"{server}/anvisning/", wait_until="load")
    cards = page.evaluate("""() => [...document.querySelectorAll("table.tabell[aria-labelledby=ersattning] tbody tr")]
        .map(tr => ({width: tr.getBoundingClientRect().width, cells: [...tr.querySelectorAll("td")]
                      .map(td => { const label = td.querySelector(".etikett");
                          return label && label.getClientRects().length ? label.innerText.trim() : null; })}))""")
    assert len(cards) >= 4
    main_width = page.evaluate("() => document.querySelector('article').clientWidth")
    for card in cards:
        assert card["width"] <= main_width
        assert card["cells"] == ["Belopp", "Per", "Vad den gäller"], card
    cdp = context.new_cdp_session(page)
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    roles = [n.get("role", {}).get("value") for n in tree]
    assert roles.count("table") >= 2  # redistributions and compensation
    assert roles.count("columnheader") >= 6 and roles.count("cell") >= 12, sorted(set(roles))
    context.close()


def test_role_pages_lead_with_what_the_reader_came_for(site, content):
    """A role page opens with a list of its sections; responsibilities, checklists and
    partners come before the long list of warning signs."""
    for role in content.roles.roles:
        text = page_html(site, role.id).split("<article", 1)[1]
        headings = re.findall(r'<h2 id="([^"]+)"', text)
        first_h2 = text.index("<h2")
        # the links before the first section, but the "Senast uppdaterad" line's link to the history
        contents = [a for a in re.findall(r'<a href="#([^"]+)"', text[:first_h2]) if a != "andringshistorik"]
        assert contents and contents == [h for h in headings if h in contents], (role.id, contents, headings)
        # every section is listed, but the sources-and-review footer every page ends with
        assert set(headings) - {"kallor-och-granskning"} == set(contents), (role.id, headings, contents)
        if "varningssignaler" in headings:
            for before in ("ansvar", "checklistor", "samarbetar-med"):
                if before in headings:
                    assert headings.index(before) < headings.index("varningssignaler"), (role.id, headings)


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_calculator_is_reached_from_the_top_of_its_page(browser, server, width):
    context, page = phone_page(browser, width)
    page.goto(f"{server}/anvisning/", wait_until="load")
    link = page.locator('article a[href="#kalkylator"]').first
    above_fold = page.evaluate("el => el.getBoundingClientRect().bottom", link.element_handle())
    assert above_fold < 740, above_fold  # on the first screen
    link.click()
    page.wait_for_function("() => location.hash === '#kalkylator'")
    page.locator("#kalk-prognos").fill("2000")
    page.locator("form.kalkylator button").click()
    assert "Kommunen väntas ta emot" in page.locator("form.kalkylator output").inner_text()
    context.close()


INTERNAL_WORDS = re.compile(r"READ-DO|DO-CONFIRM|BLANKETT|guide pack|guide build|README|\bmake (site|test)\b")


def test_no_internal_words_on_pages(site):
    """Readers see Swedish words, not the maintainers' keys or commands."""
    for path in site_pages(site):
        file = site / path if path.endswith(".html") else site / path / "index.html"
        found = INTERNAL_WORDS.findall(article_text(file))
        assert not found, (path, found)
    assert "Läs och gör" in article_text(site / "checklistor" / "index.html")


# --- independent checkers ----------------------------------------------------------------------

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Errors in the markup of Material for MkDocs 9.8.1 itself, not ours to fix: (message, a piece of
# the element it is about). The test fails if one of them no longer occurs: then remove it.
MATERIAL_VNU_ERRORS = [
    # Material's navigation: sections that cannot be folded are <label ... tabindex="">.
    ("Bad value “” for attribute “tabindex” on element “label”", 'class="md-nav__link'),
    # Material's hidden toggles for the drawer and the search: <input type="checkbox" autocomplete="off">.
    ("Attribute “autocomplete” is only allowed when the input type is", 'class="md-toggle"'),
]


def nu_html_errors(files: list[str]) -> tuple[list[tuple[str, str, str]], set[int]]:
    """The Nu Html Checker's errors in `files` that are ours (page, message, extract), and which
    of Material's own (MATERIAL_VNU_ERRORS) occurred."""
    done = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--errors-only", *files],
                          capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr)["messages"]
    assert done.returncode in (0, 1) and files
    used = set()
    ours = []
    for m in messages:
        allowed = [i for i, (text, extract) in enumerate(MATERIAL_VNU_ERRORS)
                   if m["message"].startswith(text) and extract in m.get("extract", "")]
        used.update(allowed)
        if not allowed:
            ours.append((Path(m.get("url", "")).parent.name, m["message"], m.get("extract", "")))
    return ours, used


def test_nu_html_checker_finds_no_errors_of_our_own(site):
    ours, used = nu_html_errors(sorted(str(p) for p in site.rglob("*.html")))
    assert not ours, json.dumps(ours, ensure_ascii=False, indent=1)[:4000]
    assert used == set(range(len(MATERIAL_VNU_ERRORS))), "an allowed error no longer occurs: remove it"


# The start page, the missing-child page, a role page, the allocation page (calculator and
# tables) and the contacts: the whole site takes minutes (`make bench` prints every page).
LIGHTHOUSE_PAGES = ["", "forsvinnande/", "jag-ar-socialsekreterare/", "anvisning/", "kontakter/"]


def test_lighthouse_accessibility_is_100_on_a_phone(server):
    sys.path.insert(0, str(ROOT / "tools"))
    import lighthouse

    reports = lighthouse.audit_all([f"{server}/{path}" for path in LIGHTHOUSE_PAGES], ["accessibility"])
    for path, report in zip(LIGHTHOUSE_PAGES, reports):
        assert lighthouse.scores(report) == {"accessibility": 100}, (path, lighthouse.failed_audits(report))
