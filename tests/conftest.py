"""Shared fixtures: the real site built once per test run, served on 127.0.0.1 by nginx with the
production configuration, and Chromium."""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.load import load_content

ROOT = Path(__file__).resolve().parent.parent
# The source material the content is checked against: shared/seeds beside the clone (as in CI),
# or wherever SEEDS_DIR points.
SEEDS = Path(os.environ.get("SEEDS_DIR", ROOT.parent / "shared" / "seeds"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def content():
    return load_content(ROOT)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built from the project's own content with the real engine."""
    return build_site(ROOT, tmp_path_factory.mktemp("built") / "site")


@pytest.fixture(scope="session")
def server(site, tmp_path_factory):
    """The site's URL, served as in production: nginx with server/vagledning.conf."""
    yield from serve(site, tmp_path_factory.mktemp("nginx"))


def serve(folder: Path, prefix: Path):
    from generator import webserver

    process, url = webserver.start(folder, prefix=prefix)
    try:
        yield url
    finally:
        webserver.stop(process)


def open_page(page, url: str) -> None:
    """Go to url and wait until the page is ready: loaded (the theme's script has run, as it is
    not deferred) and its fonts in. No wait for the network to go idle: that costs 0.5 s a page."""
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")


def wait_for_search(page) -> None:
    """Wait until the search engine has its index (the box no longer says "Initialiserar")."""
    page.wait_for_function("() => { const m = document.querySelector('.md-search-result__meta');"
                           " return m && !/Initialiserar/.test(m.textContent); }")


# Records Content-Security-Policy violations in a page, from before its first script runs.
CSP_WATCH = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
    e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));"""


def watch_csp(page) -> list[str]:
    """Start recording CSP violations in page (document events and console reports); the list
    fills as the page runs, see csp_violations."""
    console: list[str] = []
    page.add_init_script(CSP_WATCH)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def csp_violations(page, console: list[str]) -> list[str]:
    return list(page.evaluate("() => window.__csp || []")) + console


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project's content and templates, to break without harm."""
    return copy_project(tmp_path)


def copy_project(target: Path) -> Path:
    for name in ("guidance", "checklists", "docs", "overrides", "mkdocs.yml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.exists():
            shutil.copy(src, target / name)
    return target


@pytest.fixture(scope="session")
def seed_text():
    def read(prefix: str) -> str:
        found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
        if not found:
            pytest.fail(f"source document {prefix}_*.txt not found in {SEEDS}: "
                        "put shared/ beside the clone or set SEEDS_DIR")
        return found[0].read_text(encoding="utf-8")
    return read


def page_html(site: Path, name: str) -> str:
    """A built page's HTML by its slug ("" for the start page)."""
    return (site / name / "index.html").read_text(encoding="utf-8")


def article_text(path: Path) -> str:
    """A built page's own content as text: no navigation, permalink signs or tag list; inline
    markup removed without adding spaces, entities decoded."""
    text = path.read_text(encoding="utf-8")
    if "<article" not in text:
        return ""
    text = text.split("<article", 1)[1].split("</article>", 1)[0]
    text = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", text)
    text = re.sub(r'<nav class="md-tags".*?</nav>', "", text, flags=re.S)
    text = re.sub(r"</?(abbr|a|strong|em|span|small|code)\b[^>]*>", "", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())
