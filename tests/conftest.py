"""Shared fixtures: the real site built once per test run, served on 127.0.0.1, and Chromium."""

from __future__ import annotations

import functools
import html
import os
import re
import http.server
import shutil
import threading
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
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


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
