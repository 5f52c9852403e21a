"""The site as the production web server serves it (nginx with server/vagledning.conf): security
headers, cache rules, precompressed files, Swedish error pages, and pages that work under the
Content-Security-Policy, the offline copy too."""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import csp_violations, serve, wait_for_search, watch_csp
from generator.pipeline import OFFLINE_ZIP
from generator.outputs.precompress import MIN_SIZE, SUFFIXES
from generator.outputs.scripts import patch_bundle

PHONE = {"width": 360, "height": 740}


def fetch(url: str, gzip_ok: bool = False) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def policy(headers: dict[str, str]) -> dict[str, list[str]]:
    directives = [d.split() for d in headers["content-security-policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


# --- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "aktorer/", "search/search_index.json", "pdf/", "finns-inte/"])
def test_security_headers_on_every_response(server, path):
    status, headers, _ = fetch(f"{server}/{path}")
    assert status in (200, 404)
    csp = policy(headers)
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no other origin
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert all("'unsafe-inline'" not in v and "'unsafe-eval'" not in v for v in csp.values())
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in headers["permissions-policy"] and "geolocation=()" in headers["permissions-policy"]
    assert "server" not in headers or headers["server"] == "nginx"  # no version number


def test_html_and_search_index_are_revalidated_and_hashed_assets_kept(server, site):
    for path in ["", "aktorer/", "search/search_index.json", OFFLINE_ZIP, "assets/stylesheets/extra.css"]:
        status, headers, _ = fetch(f"{server}/{path}")
        assert status == 200 and headers["cache-control"] == "no-cache", path
        assert headers.get("etag") and headers.get("last-modified"), path
    hashed = [p for p in (site / "assets").rglob("*") if re.search(r"\.[0-9a-f]{8,}\.(min\.)?(js|css)$", p.name)]
    assert any(p.name.startswith("bundle.") for p in hashed) and any(p.name.startswith("inline.") for p in hashed)
    for path in hashed:
        status, headers, _ = fetch(f"{server}/{path.relative_to(site).as_posix()}")
        assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable", path.name


def test_text_files_are_sent_as_the_build_compressed_them(server, site):
    """The build writes x.gz beside each text file; nginx sends those bytes (it compresses nothing)."""
    text_files = [p for p in site.rglob("*") if p.suffix in SUFFIXES and p.stat().st_size >= MIN_SIZE]
    assert len(text_files) > 40
    for path in text_files:
        packed = path.with_name(path.name + ".gz")
        assert packed.is_file(), path
        assert gzip.decompress(packed.read_bytes()) == path.read_bytes(), path
    for path in ["", "anvisning/", "search/search_index.json", "assets/stylesheets/extra.css"]:
        file = site / path / "index.html" if path.endswith("/") or not path else site / path
        status, headers, body = fetch(f"{server}/{path}", gzip_ok=True)
        assert headers["content-encoding"] == "gzip" and "accept-encoding" in headers["vary"].lower(), path
        assert body == file.with_name(file.name + ".gz").read_bytes(), path
        status, headers, body = fetch(f"{server}/{path}")
        assert "content-encoding" not in headers and body == file.read_bytes(), path
    index = (site / "search" / "search_index.json").stat().st_size
    assert (site / "search" / "search_index.json.gz").stat().st_size < index / 3


def test_error_pages_are_in_swedish(server, site):
    for path in ["finns-inte/", "assets/", "aktorer/finns-inte.html"]:
        status, headers, body = fetch(f"{server}/{path}")
        text = body.decode("utf-8")
        assert status == 404 and "Sidan finns inte" in text and 'lang="sv"' in text, path
    fault = (site / "50x.html").read_text(encoding="utf-8")
    assert "Tekniskt fel" in fault and "116&nbsp;000" in fault and 'lang="sv"' in fault
    conf = (Path(__file__).parent.parent / "server" / "vagledning.conf").read_text(encoding="utf-8")
    assert "error_page 500 502 503 504 /50x.html;" in conf


# --- the pages under the policy ----------------------------------------------------------------


def test_search_calculator_tooltips_and_menu_work_under_the_policy(browser, server):
    page = browser.new_page()
    console = watch_csp(page)
    page.goto(f"{server}/")
    wait_for_search(page)
    page.locator("input.md-search__input").press_sequentially("familjehemmet", delay=10)
    page.wait_for_selector("a.md-search-result__link")
    hits = page.eval_on_selector_all("a.md-search-result__link", "els => els.map(e => e.href)")
    assert any("/boendeformer/" in h for h in hits), hits
    page.goto(f"{server}/anvisning/")
    page.fill("#kalk-andel", "2,5")
    page.fill("#kalk-prognos", "1000")
    page.press("#kalk-prognos", "Enter")
    assert page.locator("form.kalkylator output").get_attribute("data-barn") == "3"
    page.goto(f"{server}/boendeformer/")
    page.locator("article abbr[title]").first.hover()
    page.locator('[role="tooltip"]').first.wait_for(state="visible", timeout=5000)
    page.goto(f"{server}/anvisning/")  # a tooltip far down the page: set up once it comes into view
    last = page.locator("article abbr[title]:visible").last
    explanation = last.get_attribute("title")
    last.hover()  # scrolls it into view
    page.locator('[role="tooltip"]', has_text=explanation).wait_for(state="visible", timeout=5000)
    page.set_viewport_size(PHONE)
    page.locator("label.md-header__button[for='__drawer']").click()  # the menu, on a phone
    page.locator(".md-nav__link", has_text="Varningssignaler").first.click()
    page.wait_for_url("**/varningssignaler/")
    assert csp_violations(page, console) == []
    page.close()


def test_calculator_script_only_on_its_page(site):
    for html in site.rglob("*.html"):
        has_calculator = "kalkylator.js" in html.read_text(encoding="utf-8")
        assert has_calculator == (html.relative_to(site).as_posix() == "anvisning/index.html"), html


# --- a phone's first visit --------------------------------------------------------------------


def test_pages_load_only_the_scripts_and_fonts_they_use(site):
    """No theme script that has nothing to do on this site (colour palette, content tabs), and
    only the two font faces above the fold preloaded (each one holds up the first paint)."""
    scripts = site / "assets" / "javascripts"
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        if "assets/javascripts/bundle." not in text:
            continue
        for name in re.findall(r'<script[^>]*\bsrc="[^"]*/?(inline\.[0-9a-f]+\.js)"', text):  # the theme's own
            body = (scripts / name).read_text(encoding="utf-8")
            assert "__palette" not in body and "__tabbed_" not in body, (html, name)
        preloaded = re.findall(r'<link rel="preload" href="[^"]*/fonts/([^"]+)"', text)
        assert preloaded == ["source-sans-3-latin-400-normal.woff2", "source-sans-3-latin-700-normal.woff2"], html


def test_the_themes_script_is_the_one_the_patches_were_written_for(site):
    """generator/scripts.py changes three places in Material's script; another Material version
    gets its script unchanged (search fetched early, every tooltip set up at once): this test
    says so."""
    import material

    theme = Path(material.__file__).parent / "templates" / "assets" / "javascripts"
    (original,) = theme.glob("bundle.*.min.js")
    assert patch_bundle(original.read_text(encoding="utf-8")) is not None
    used = re.search(r"assets/javascripts/(bundle\.[0-9a-f]+\.min\.js)", (site / "index.html").read_text(encoding="utf-8"))
    assert used and used.group(1) != original.name


def test_search_index_is_fetched_only_when_the_search_is_opened(browser, server):
    """A page that is read, not searched, never fetches the search index (about 90 KB, and
    the work of building the index on a phone); opening the search fetches it at once, and so
    does a page opened from a search result (highlighting)."""
    page = browser.new_page()
    index: list[str] = []
    page.on("request", lambda r: index.append(r.url) if "search_index.json" in r.url or "lunr" in r.url else None)
    page.goto(f"{server}/anvisning/")
    # loaded, painted, and the browser idle twice over: when the index used to be fetched
    page.evaluate("""() => new Promise(done => requestIdleCallback(() => setTimeout(
        () => requestIdleCallback(done, {timeout: 3000}), 1000), {timeout: 3000}))""")
    assert page.evaluate("() => performance.getEntriesByName('first-contentful-paint').length") == 1
    assert index == []
    with page.expect_request(lambda r: "search_index.json" in r.url):
        page.locator("input.md-search__input").focus()
    page.locator("input.md-search__input").press_sequentially("socialtjänsten", delay=10)
    page.wait_for_selector("a.md-search-result__link")
    index.clear()
    with page.expect_request(lambda r: "search_index.json" in r.url):
        page.goto(f"{server}/boendeformer/?h=familjehem")
    page.wait_for_selector("article mark")
    page.close()


@pytest.fixture(scope="module")
def offline_server(site, tmp_path_factory):
    """The offline copy (the zip file's folder), served by the same configuration."""
    folder = tmp_path_factory.mktemp("offline-served")
    with zipfile.ZipFile(site / OFFLINE_ZIP) as archive:
        archive.extractall(folder)
    yield from serve(folder / "vagledning", tmp_path_factory.mktemp("nginx-offline"))


def test_offline_copy_served_has_no_policy_violation(browser, offline_server, site):
    pages = sorted(p.relative_to(site).as_posix().removesuffix("index.html").rstrip("/")
                   for p in site.rglob("index.html"))
    page = browser.new_page()
    console = watch_csp(page)
    found: dict[str, list[str]] = {}
    for path in pages:
        name = f"{path}.html" if path else "index.html"
        page.goto(f"{offline_server}/{name}")
        page.wait_for_selector("input.md-search__input")
        if csp_violations(page, console):
            found[name] = csp_violations(page, console)
        console.clear()
    wait_for_search(page)
    page.locator("input.md-search__input").press_sequentially("stödboendet", delay=10)
    page.wait_for_selector("a.md-search-result__link")
    assert csp_violations(page, console) == []
    page.close()
    assert len(pages) > 25 and found == {}
