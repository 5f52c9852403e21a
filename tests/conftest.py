"""Shared fixtures: the real site built once per test run, served on 127.0.0.1 by nginx with the
production configuration, and Chromium."""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import html
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator.content import model
from generator.pipeline import build_site
from generator.content.load import kind_for, load_content
from generator.sitemap import PAGE_SLUGS

ROOT = Path(__file__).resolve().parent.parent
# The source material the content is checked against: shared/seeds beside the clone (as in CI),
# or wherever SEEDS_DIR points.
SEEDS = Path(os.environ.get("SEEDS_DIR", ROOT.parent / "shared" / "seeds"))
CHROMIUM = "/usr/bin/chromium"


def content_day(root: Path = ROOT) -> datetime.date:
    """The newest day the content names (a review, an assessment or a change): the day the tests
    build and check as of. Neither the calendar nor the year of the content's review dates can
    then decide a test: a maintainer's review next year and a run of the suite in 2030 give the
    same results (tests that need another day set GUIDE_TODAY themselves)."""
    day = re.compile(r"^\s*(?:- )?(?:granskad|bedömd|datum): (\d{4}-\d{2}-\d{2})\s*$", re.M)
    return max(datetime.date.fromisoformat(found) for folder in ("guidance", "checklists")
               for path in (root / folder).rglob("*.yml")
               for found in day.findall(path.read_text(encoding="utf-8")))


TODAY = content_day()
# Every build and every `guide` command the tests start (they inherit the environment) as of TODAY.
os.environ["GUIDE_TODAY"] = TODAY.isoformat()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """With `--dist loadgroup` pytest-xdist runs the tests of one xdist_group in the same process
    by naming each "<test>@<group>"; it sets item._nodeid, which pytest 9.2 no longer reads (the
    groups were silently spread): name them through the node's id instead."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                         for m in item.iter_markers("xdist_group")})
        if groups and not item.nodeid.endswith("@" + "_".join(groups)):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")


@pytest.fixture(scope="session")
def content():
    return load_content(ROOT, PAGE_SLUGS)


def shared_tmp(tmp_path_factory) -> Path:
    """A folder of this test run that every test process sees (with pytest-xdist each worker has
    its own base folder, inside the run's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built from the project's own content with the real engine, once per test run:
    with several test processes (pytest-xdist) the first builds, under a lock, and the others
    wait for it and use the same folder. The build also fills the project's caches in build/,
    which copies of the project start with (copy_project)."""
    shared = shared_tmp(tmp_path_factory)
    folder, done = shared / "built" / "site", shared / "built" / "done"
    folder.parent.mkdir(exist_ok=True)
    with open(shared / "built.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            build_site(ROOT, folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def server(site, tmp_path_factory):
    """The site's URL, served as in production: nginx with server/vagledning.conf."""
    yield from serve(site, tmp_path_factory.mktemp("nginx"))


def serve(folder: Path, prefix: Path):
    from generator.commands import webserver

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
    """Open the search, as a reader does, and wait until the engine has its index (the box no
    longer says "Initialiserar"): the index is fetched only once the search is opened."""
    if not page.evaluate("() => document.querySelector('#__search').checked"):
        page.locator("input.md-search__input").focus()
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
def project_copy(tmp_path, site) -> Path:
    """A copy of the project's content and templates, to break without harm (after the session's
    build, so that it starts with the project's caches)."""
    return copy_project(tmp_path)


# What a build keeps in build/ by a hash of everything it depends on (pdf.py, load.py, links.py,
# build.py, render_cache.py, pages.py). A copy of the project starts with the project's own, so
# that a test renders again only what its change touches. Folders of files that are written whole
# under a new name and never changed in place are shared by hard links; single files that a build
# rewrites are copied.
CACHE_FOLDERS = ("pdf-cache", "yaml-cache", "render-cache", "print-cache")
CACHE_FILES = ("link-cache.json", "pdf-pages.json", "vagledning-offline.zip", "vagledning-offline.key")


def copy_project(target: Path, caches: bool = True) -> Path:
    for name in ("guidance", "checklists", "utgavor", "docs", "overrides", "mkdocs.yml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.exists():
            shutil.copy(src, target / name)
    if caches:
        for name in CACHE_FOLDERS:
            if (ROOT / "build" / name).is_dir():
                shutil.copytree(ROOT / "build" / name, target / "build" / name, copy_function=_link_or_copy)
        for name in CACHE_FILES:
            if (ROOT / "build" / name).is_file():
                shutil.copy2(ROOT / "build" / name, target / "build" / name)
    return target


# A small project in the real model (tests/fixtures/small/README.md says what it holds): for the
# tests of the loader, the references and the site's structure, which need no full build.
SMALL = ROOT / "tests" / "fixtures" / "small"


def copy_small(target: Path, buildable: bool = False) -> Path:
    """A copy of the small project, to break without harm (never the fixture itself: loading
    writes build/). `buildable` adds what a build needs besides content: the engine's
    configuration, the theme's overrides and the assets (the project's own)."""
    shutil.copytree(SMALL, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    if buildable:
        shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
        shutil.copytree(ROOT / "overrides", target / "overrides")
        shutil.copytree(ROOT / "docs" / "assets", target / "docs" / "assets")
    return target


@pytest.fixture
def small(tmp_path) -> Path:
    """A copy of the small project (content and docs/index.md only)."""
    return copy_small(tmp_path / "small")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system
        shutil.copy2(src, dst)


def pdf_text(path: Path) -> str:
    """A PDF's text as poppler reads it, its whitespace made single spaces."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


# --- a copy of the project with markup everywhere and its review overdue, built once ------------

# Markup a careless or hostile maintainer might write in any text field: it must stay text.
MARK = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# ... and in three names, with Markdown that must become neither a link nor bold text.
EVIL = '<script>alert("x")</script> [klicka](javascript:alert(1)) <img src=x onerror=alert(1)> **fet** {: #x}'
EVIL_NAMES = [("boendeformer.yml", "namn: Stödboende"), ("aktorer.yml", "namn: Polismyndigheten"),
              ("kontakter/dalarna.yml", "roll: Biträdande rektor")]
# Text pasted from Word or a PDF: a soft hyphen and a zero-width space inside words, and letters
# written as a letter plus a combining mark ("a" + U+030A for "å", "a" + U+0308 for "ä").
PASTED = ("boendeformer.yml", "Familjehem är privata hem som tar emot barn på uppdrag",
          "Familje\u00adhem är pri\u200bvata hem som tar emot barn pa\u030a uppdrag")
PASTED_CLEAN = "Familjehem är privata hem som tar emot barn på uppdrag"
# With a review period of 6 months every file is overdue 7 months after the newest review.
OVERDUE_TODAY = (TODAY + datetime.timedelta(days=214)).isoformat()


@dataclass
class MarkedUp:
    project: Path
    site: Path
    marked: int  # how many text fields got MARK


@pytest.fixture(scope="session")
def marked_up(site, tmp_path_factory) -> MarkedUp:
    """A copy of the project with EVIL in three names, PASTED text in one, MARK appended to
    every text field that takes it, and a review period of 6 months, built as on OVERDUE_TODAY (every file overdue).
    Each of these changes renders every PDF again (most of a build's time), so the tests of markup (test_hostile,
    test_site) and of the overdue notice (test_history) share this one build: they are marked
    xdist_group("marked-up") to run in the same test process."""
    folder = tmp_path_factory.mktemp("marked-up")
    project = copy_project(folder / "project")
    for file, old in EVIL_NAMES:
        path = project / "guidance" / file
        key = old.split(":")[0]
        path.write_text(path.read_text(encoding="utf-8").replace(old, f"{key}: '{EVIL}'", 1), encoding="utf-8")
    pasted = project / "guidance" / PASTED[0]
    text = pasted.read_text(encoding="utf-8")
    assert PASTED[1] in text
    pasted.write_text(text.replace(PASTED[1], PASTED[2], 1), encoding="utf-8")
    config = project / "guidance" / "webbplats.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("granskningsperiod_månader: 12",
                                                                 "granskningsperiod_månader: 6"), encoding="utf-8")
    marked = add_markup(project)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GUIDE_TODAY", OVERDUE_TODAY)
        site = build_site(project, folder / "site")
    return MarkedUp(project, site, marked)


def add_markup(root: Path) -> int:
    """Append MARK to every string of every content file that stays valid with it (ids, URLs,
    e-mail addresses, dates and fixed choices refuse it and are put back). Returns the count."""
    count = 0
    for path in sorted((root / "guidance").rglob("*.yml")) + sorted((root / "checklists").rglob("*.yml")):
        rel = path.relative_to(root).as_posix()
        kind = kind_for(rel)
        data = _yaml().load(path.read_text(encoding="utf-8"))
        changed = {}
        for holder, key, loc in _strings(data):
            if kind is model.Pack and key == "avsnitt":  # page addresses, not text
                continue
            if key == "lista":  # names a list by its key
                continue
            changed[loc] = (holder, key, holder[key])
            holder[key] = f"{holder[key]} {MARK}"
        for _ in range(50):  # put back what the model refuses, until the file is valid
            try:
                kind.model_validate(_plain(data))
                break
            except Exception as err:  # pydantic's ValidationError
                refused = [tuple(e["loc"]) for e in err.errors()]
                put_back = [loc for loc in changed if any(loc[:len(r)] == r or r[:len(loc)] == loc for r in refused)]
                assert put_back, f"{rel}: {err}"
                for loc in put_back:
                    holder, key, original = changed.pop(loc)
                    holder[key] = original
        count += len(changed)
        stream = io.StringIO()
        _yaml().dump(data, stream)
        path.write_text(stream.getvalue(), encoding="utf-8")
    return count


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    return yaml


def _strings(node, path=()):
    """(container, key, path) of every string value in a YAML tree."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, str):
            yield node, key, path + (key,)
        else:
            yield from _strings(value, path + (key,))


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


@contextlib.contextmanager
def running_editor(root: Path, ready=lambda status: status["version"] > 0, seconds: float = 120,
                   args: tuple[str, ...] = ()):
    """`guide edit` on `root`, as a maintainer starts it, until `ready(status)` (its /__status);
    yields (port, process, log: the lines it printed so far). Ended when the block ends.
    `args`: more options, such as ("--utgava", "exempelkommun")."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generator.commands.cli", "--root", str(root), "edit",
                             "--port", str(port), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(proc.stdout), daemon=True).start()  # never a full pipe
    try:
        assert wait_for(lambda: ready(json.loads(get(f"http://127.0.0.1:{port}/__status"))), seconds), \
            "editor never started:\n" + "".join(log)
        yield port, proc, log
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


def wait_for(predicate, seconds: float = 60, interval: float = 0.1) -> bool:
    """Whether predicate() comes true within `seconds` (an OSError, e.g. a server not yet up, is a no)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(interval)
    return False


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


# --- the editor in a browser, and git for the review flow (test_editor, test_edition_editor,
# test_review_flow) --------------------------------------------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "Projektet", "GIT_AUTHOR_EMAIL": "projektet@example.se",
           "GIT_COMMITTER_NAME": "Projektet", "GIT_COMMITTER_EMAIL": "projektet@example.se"}


def git(root: Path, *args: str) -> str:
    """git in `root`, as the project (none of the caller's GIT_ variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env={**env, **GIT_ENV}).stdout


def open_entry(page, address: str, entry: str) -> None:
    """Open an entry in the editor, logging in first if needed (the local backend asks no password)."""
    page.goto(f"{address}/admin/#/collections/{entry}")
    login = page.get_by_role("button", name="Logga in")
    page.locator("[class*=ControlContainer]").or_(login).first.wait_for()
    if login.is_visible():
        login.click()
        page.goto(f"{address}/admin/#/collections/{entry}")
    page.locator("[class*=ControlContainer]").first.wait_for()


def expand_item(page, summary: str) -> None:
    """Open a collapsed list item in the editor by its summary (the item's own text)."""
    label = page.locator("[class*=NestedObjectLabel]").filter(has_text=re.compile(f"^{re.escape(summary)}$")).first
    label.wait_for(state="attached")
    if label.is_visible():  # a collapsed item shows its summary; an open one does not
        label.locator("xpath=..").locator("button").first.click()
