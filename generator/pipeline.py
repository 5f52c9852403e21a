"""The build as a straight pipeline: check -> generate pages -> site engine -> swap in.

The new site is built beside the old one and only moved into place when every
step has succeeded, so broken content never leaves a half-written site/.
"""

from __future__ import annotations

import calendar
import errno
import filecmp
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable

import yaml

from generator.content import model
from generator.content.edition import EDITIONS, load_edition
from generator.content.load import Content, ContentError, Problem, check_pack, load_content, load_pack
from generator.outputs import engine, stamp
from generator.outputs.docs import build_docs
from generator.outputs.links import check_site
from generator.outputs.pdf import _die_with_parent, page_counts, render_pack, render_pdfs
from generator.outputs.precompress import precompress
from generator.outputs.scripts import ScriptFiles
from generator.outputs.tooltips import one_tooltip_per_section
from generator.sitemap import PAGE_SLUGS
from generator.views import phone
from generator.views.escape import engine_text
from generator.views.pages import BYTECODE_CACHE
from generator.views.printed import page_sections, resolve
from generator.views.search import add_terms_to_index

DOCS_DIR = Path("build/docs")
PDF_DIR = "pdf"  # the PDFs' folder in the docs and the site
CONFIG = Path("build/mkdocs.yml")  # the config the engine reads: mkdocs.yml plus the role pages
OFFLINE_CONFIG = Path("build/mkdocs-offline.yml")  # the same site, to open from a folder or zip file
# What the previews watch and rebuild on: the build's inputs (stamp.py), and the page templates.
WATCHED = (*stamp.INPUTS, "generator/templates")
OFFLINE_ZIP = "vagledning-offline.zip"  # written into the site, linked from the start page
ZIP_CACHE = Path("build/vagledning-offline.zip")  # the last zip, with its key beside it (.key)
LINK_REPORT = Path("build/externa-lankar.md")  # external links, for a person to check now and then
LINK_CACHE = Path("build/link-cache.json")  # what the link check read from each page and PDF
SHIM = "assets/javascripts/iframe-worker-shim.js"  # offline search without a request to a CDN
EDITION_SITES = "site-utgavor"  # each local edition's site, in a folder of its own: site-utgavor/<id>/
ROLES_INDEX = "roller.md"  # the nav entry after which the role pages are listed


class BuildError(Exception):
    pass


# What to do about a problem in the machine rather than in the content, by errno.
ENVIRONMENT_ADVICE = {
    errno.ENOSPC: "Disken är full. Frigör utrymme och kör kommandot igen.",
    errno.EDQUOT: "Diskutrymmet (kvoten) är slut. Frigör utrymme och kör kommandot igen.",
    errno.EACCES: ("Du saknar behörighet. Kontrollera att mappen går att skriva i (till exempel med "
                   "chmod u+w), eller välj en annan mapp med --site-dir."),
    errno.EPERM: "Åtgärden är inte tillåten. Kontrollera behörigheten för filen och mappen.",
    errno.EROFS: "Mappen ligger på en skrivskyddad disk. Välj en annan mapp med --site-dir.",
    errno.ENOENT: "Filen eller mappen finns inte. Kontrollera sökvägen.",
}


def environment_message(err: OSError) -> str:
    """A Swedish message for a problem with disk, folders or system libraries."""
    text = str(err)
    if "cannot load library" in text or "no library called" in text:  # cffi: a missing system library
        library = text.split("'")[1] if "'" in text else text
        return (f"Systembiblioteket {library} saknas, och utan det kan inga PDF-filer skrivas. Kör "
                "\"make site\", som installerar det som behövs, eller be den som sköter datorn "
                "installera paketen i tools/system-deps.sh.")
    path = err.filename2 or err.filename  # a copy names its source first, the file it writes second
    where = f" ({path})" if path else ""
    if err.errno == errno.ENOENT and err.strerror and not err.strerror.startswith("No such"):
        return f"{err.strerror}{where}."  # our own Swedish explanation (see pdf.check_fonts)
    advice = ENVIRONMENT_ADVICE.get(err.errno, f"Kontrollera filen och mappen ({err.strerror}).")
    return f"Kunde inte läsa eller skriva en fil{where}. {advice} Den förra webbplatsen i site/ är orörd."


def work_dir(root: Path, edition: str | None = None) -> Path:
    """Where a build keeps the engine's docs folder, its configs, the offline zip and the link
    check: build/, or build/utgavor/<id>/ for a local edition. The caches of what an edition
    shares with the national site (parsed files, print HTML, PDFs) stay in build/."""
    folder = root / "build" if edition is None else root / "build" / EDITIONS / edition
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _edition(content: Content) -> str | None:
    return content.edition.id if content.edition is not None else None


def check(root: Path, render: bool = False, edition: str | None = None) -> Content:
    """Load and validate all content, or raise BuildError listing every problem.

    With `render` (`guide check`), also render every page and checklist without writing
    anything, so that what `guide check` passes, `guide build` and `guide pack` can build."""
    try:
        content = load_content(root, PAGE_SLUGS)
        if edition is not None:
            content = load_edition(root, edition, content)
    except ContentError as err:
        raise _content_error(err.problems) from err
    problems = _section_problems(content, content.packs)
    if render:
        problems += _render_problems(content, root)
    if problems:
        raise _content_error(problems)
    return content


def _content_error(problems: list[Problem], what: str = "Innehållet") -> BuildError:
    problems = sorted(problems, key=lambda p: (p.file, p.line))
    return BuildError("\n".join([f"{what} har {len(problems)} fel. Inget har byggts.", "",
                                 *(str(p) for p in problems)]))


def _section_problems(content: Content, packs: list[model.Pack], rel: str | None = None) -> list[Problem]:
    """Every "avsnitt: sida#avsnitt" of a pack names a section that the page has."""
    problems, sections = [], {}
    for pack in packs:
        where = rel or content.file_of_id.get(pack.id, "kommandoraden")
        for index, entry in enumerate(pack.entries, 1):
            page, _, anchor = (entry.section or "").partition("#")
            if not anchor:
                continue
            if page not in sections:
                sections[page] = page_sections(content, page)
            if anchor not in sections[page]:
                problems.append(Problem(where, _line_containing(root_file(content, where), entry.section),
                                        f"innehåll › nr {index} › avsnitt", (
                    f"Sidan \"{page}\" har inget avsnitt \"{anchor}\". Skriv ett av: "
                    f"{', '.join(f'{page}#{s}' for s in sections[page])}, eller bara \"{page}\" för hela sidan.")))
    return problems


def root_file(content: Content, rel: str) -> Path | None:
    return content.files.get(rel) or (Path(rel) if Path(rel).is_file() else None)


def _line_containing(path: Path | None, needle: str) -> int:
    if path is None:
        return 1
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    return 1


def _render_problems(content: Content, root: Path) -> list[Problem]:
    """Render every page (into a folder that is thrown away) and every checklist's print HTML."""
    problems = []
    for checklist in content.checklists:
        try:
            resolve(checklist, content)
        except (KeyError, ValueError, AttributeError) as err:
            problems.append(Problem(content.file_of_id.get(checklist.id, "checklists/"), 1, "", (
                f"Checklistan \"{checklist.id}\" kan inte ställas samman ({err}). Kontrollera att "
                "\"grupp\", \"lista\" och \"poster\" pekar på innehåll med punkter.")))
    with tempfile.TemporaryDirectory(prefix="check-", dir=_build_dir(root)) as scratch:
        build_docs(content, root, Path(scratch) / "docs")
    return problems


def _build_dir(root: Path) -> Path:
    folder = root / "build"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def generate_docs(root: Path, pdfs: bool = True, edition: str | None = None) -> tuple[Content, dict[str, list[str]]]:
    """Check the content, then bring the engine's docs folder (build/docs) and configs up to date.

    With pdfs=False the PDFs already in build/docs are kept as they are (the editor's preview
    shows the pages first and renders the PDFs after). Returns the content and the search terms
    of each section, for `add_terms_to_index`."""
    content = check(root, edition=edition)
    if pdfs:
        generate_pdfs(root, content)  # first: the checklists page tells how many pages each PDF has
    terms = generate_pages(root, content)
    return content, terms


def generate_pages(root: Path, content: Content) -> dict[str, list[str]]:
    """The pages and engine configs in build/docs (its pdf/ folder left as it is); the search terms."""
    work = work_dir(root, _edition(content))
    staging = scratch_folder(_build_dir(root), "docs")
    try:
        pdf_dir = work / "docs" / PDF_DIR
        terms = build_docs(content, root, staging / "docs", page_counts(pdf_dir, root) if pdf_dir.is_dir() else None)
        write_config(root, content)
        write_config(root, content, offline=True)
        _sync(staging / "docs", work / "docs", keep=PDF_DIR)
    finally:
        _remove(staging)
    return terms


def generate_pdfs(root: Path, content: Content) -> dict[str, bool]:
    """The PDFs in build/docs/pdf (each taken from the cache when its inputs are unchanged)."""
    staging = scratch_folder(_build_dir(root), "pdf")
    try:
        status = render_pdfs(content, root, staging / PDF_DIR)
        _sync(staging / PDF_DIR, work_dir(root, _edition(content)) / "docs" / PDF_DIR)
    finally:
        _remove(staging)
    return status


def write_config(root: Path, content: Content, offline: bool = False) -> Path:
    """build/mkdocs.yml: mkdocs.yml with paths relative to build/, a nav entry per role page,
    and what the theme shows from the content: the site's name and the hotline on every page
    (each value escaped for the engine, which inserts them as HTML)."""
    hotline = content.missing_child.hotline.number
    config = {"site_name": engine_text(content.site.site_name),
              **yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))}
    config.setdefault("extra", {})["journummer"] = {"visas": engine_text(hotline).replace(" ", "&nbsp;"),
                                                    "tel": phone.tel_href(hotline)}
    work = work_dir(root, _edition(content))
    config["docs_dir"] = "docs"
    config["site_dir"] = os.path.relpath(root / "site", work)
    config["theme"]["custom_dir"] = os.path.relpath(root / "overrides", work)
    if content.edition is not None:  # the edition's own name and address, and the banner on every page
        about = content.edition.about
        config["site_name"] = engine_text(f"{content.site.site_name} – {about.municipality}")
        config["site_url"] = about.site_url
        config["extra"]["utgava"] = {"namn": engine_text(about.municipality), "exempel": about.example}
        on_call = next((c for c in content.edition.contacts if c.kind == "socialjour"), None)
        if on_call is not None:  # the local on-call number, one tap away on every page
            config["extra"]["utgava"]["jour"] = {"namn": engine_text(on_call.name), "tel": phone.tel_href(on_call.phone),
                                                 "visas": engine_text(on_call.phone).replace(" ", "&nbsp;"),
                                                 "nar": engine_text(on_call.hours or "")}
    roles = [{engine_text(r.name): f"{r.id}.md"} for r in content.roles.roles]
    if not _insert_after(config["nav"], ROLES_INDEX, roles):
        raise BuildError(f"mkdocs.yml: navigationen (nav) saknar {ROLES_INDEX}, där rollsidorna ska stå.")
    if offline:  # Material's offline plugin, with the search shim served from the site itself
        config["plugins"].append("offline")
        config.setdefault("extra", {})["polyfills"] = [SHIM]
        config["theme"]["features"] = [f for f in config["theme"]["features"] if f != "navigation.instant"]
    path = work / (OFFLINE_CONFIG if offline else CONFIG).name
    text = "# Written by the generator from mkdocs.yml: edit that file instead.\n"
    text += yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _insert_after(nav: list, entry: str, new: list) -> bool:
    for index, item in enumerate(nav):
        if item == entry or (isinstance(item, dict) and entry in item.values()):
            nav[index + 1:index + 1] = new
            return True
        if isinstance(item, dict):
            for children in item.values():
                if isinstance(children, list) and _insert_after(children, entry, new):
                    return True
    return False


def make_pack(root: Path, args) -> Path:
    """`guide pack`: a pack from a YAML file, or from checklists and sections named on the command line."""
    content = check(root)
    if args.file:
        try:
            pack = load_pack(args.file, content)
        except ContentError as err:
            raise _content_error(err.problems, "Paketet") from err
        problems = _section_problems(content, [pack], str(args.file))
    else:
        entries = [{"checklista": c} for c in args.checklista] + [{"avsnitt": a} for a in args.avsnitt]
        if not entries:
            raise BuildError("Ange en YAML-fil, eller minst en --checklista eller --avsnitt.")
        pack = model.Pack.model_validate({"id": "motespaket", "titel": args.titel, "syfte": args.titel,
                                          "innehåll": entries})
        problems = check_pack(pack, {c.id for c in content.checklists}, "kommandoraden", None, PAGE_SLUGS)
        problems += _section_problems(content, [pack], "kommandoraden")
    if problems:
        raise _content_error(problems, "Paketet")
    return render_pack(pack, content, root, args.output or root / "build" / f"{pack.id}.pdf")


def build_site(root: Path, site_dir: Path | None = None, force: bool = False, edition: str | None = None) -> Path:
    """Build the whole site into site_dir (default: site/, or site-utgavor/<id>/ for the local
    edition `edition`), replacing it only on success.

    A straight pipeline of named steps: pages and PDFs (generate_docs), the two engine builds
    at the same time (the site, and the offline copy to open from a folder), the offline copy
    zipped into the site, every link checked, text files precompressed, then the swap. Dates
    come from the content (SOURCE_DATE_EPOCH), so equal content gives byte-identical output.
    When nothing that the build reads has changed since it built site_dir, nothing is done
    (stamp.py), unless `force`."""
    site_dir = (site_dir or (root / "site" if edition is None else root / EDITION_SITES / edition)).resolve()
    inputs = stamp.fingerprint(root) + (edition or "")
    if not force and stamp.up_to_date(root, site_dir, inputs):
        return site_dir
    stamp.forget(root, site_dir)
    content, terms = generate_docs(root, edition=edition)
    work = work_dir(root, edition)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = scratch_folder(site_dir.parent, f".{site_dir.name}")
    epoch = str(calendar.timegm(content.last_reviewed.timetuple()))
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        online = _engine_builds(work, staging, terms, int(epoch))
        link_cache = work / LINK_CACHE.name
        if edition is not None and not link_cache.exists() and (root / LINK_CACHE).is_file():
            shutil.copyfile(root / LINK_CACHE, link_cache)  # an edition starts from what the national check read
        _check_links(online, work / LINK_REPORT.name, link_cache)
        # the last build of this site; an edition's first build takes the national site's
        earlier = site_dir if site_dir.is_dir() else root / "site" if edition and (root / "site").is_dir() else None
        precompress(online, previous=earlier)
        _swap(online, site_dir)
        stamp.record(root, site_dir, inputs)
    except OSError as err:
        if not (err.filename or err.filename2):  # a write that failed half-way names no file:
            err.filename = str(staging)           # name the folder being written
        raise
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
        _remove(staging)
    return site_dir


def _engine_builds(work: Path, staging: Path, terms: dict[str, list[str]], epoch: int) -> Path:
    """The site, and at the same time its offline copy, zipped into the site: the offline copy
    in a forked process (which inherits the loaded engine), the site in this one."""
    engine.prepare_fork()
    online = staging / "site"
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        other = pool.submit(_offline_copy, work / OFFLINE_CONFIG.name, staging / "offline", terms,
                            work / ZIP_CACHE.name, epoch)
        try:
            engine_build(work / CONFIG.name, online, terms)
        finally:
            other_error = other.exception()
    if other_error is not None:
        raise other_error
    shutil.copyfile(work / ZIP_CACHE.name, online / OFFLINE_ZIP)
    return online


def _offline_copy(config_file: Path, folder: Path, terms: dict[str, list[str]], cache: Path, epoch: int) -> None:
    """The offline copy built and zipped into `cache`; zipped again only when a file in it changed."""
    engine_build(config_file, folder, terms)
    digest = hashlib.sha256(str(epoch).encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    key_file = cache.with_suffix(".key")
    if not (cache.is_file() and key_file.is_file() and key_file.read_text() == digest.hexdigest()):
        _zip(folder, cache, epoch)
        key_file.write_text(digest.hexdigest())


def engine_config(config_file: Path, site_dir: Path, **options):
    """The engine's config for a build into site_dir (outputs/engine.py), with the page
    templates' compiled code kept between builds. `options`: e.g. strict=False."""
    folder = config_file.parent  # build/, or build/utgavor/<id>/: an edition shares the national renders
    shared = folder.parents[1] if folder.parent.name == EDITIONS else folder
    return engine.config(config_file, site_dir, bytecode_cache=BYTECODE_CACHE, cache_dir=shared, **options)


def engine_build(config_file: Path, site_dir: Path, terms: dict[str, list[str]], dirty: bool = False,
                 strict: bool = True, before_finish=None) -> Path:
    """The step every entry point runs to turn build/docs into pages: one engine build, then
    `finish_site`. `dirty` (the previews): only the pages whose files changed; `before_finish`
    gets the site first (the previews put the index of the pages not rebuilt back)."""
    config = engine_config(config_file, site_dir, **({} if strict else {"strict": False}))
    try:
        engine.build(config, dirty=dirty)
    except engine.EngineError as err:
        raise BuildError("\n".join(["Webbplatsen kunde inte byggas. Inget har ändrats i site/. "
                                    f"Sidmotorn ({engine.NAME}) säger:", "", *err.messages])) from err
    if before_finish is not None:
        before_finish(site_dir)
    finish_site(site_dir, terms)
    return site_dir


def finish_site(site_dir: Path, terms: dict[str, list[str]]) -> None:
    """What the built pages need after the engine: the search terms in the index, and one pass
    over the pages: inline scripts into files (for the server's Content-Security-Policy), one
    glossary tooltip per term and section."""
    add_terms_to_index(site_dir, terms)
    scripts = ScriptFiles(site_dir)
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        finished = one_tooltip_per_section(scripts.externalize(html))
        if finished != html:
            page.write_text(finished, encoding="utf-8")
    scripts.remove_replaced()


# --- the previews (guide serve, guide edit): the same steps, the changed pages only ---------


class BackgroundPdfs:
    """The PDFs, rendered after the pages in a process of their own at low priority.

    In this process WeasyPrint would hold the interpreter for seconds (the whole guide takes
    about ten), and the pages of the next edit would wait for it. `request()` after each edit;
    `on_ready(status, seconds)` is called when the PDFs in build/docs/pdf (a local edition's:
    build/utgavor/<id>/docs/pdf) are those of the latest content (not when content changed
    again meanwhile)."""

    def __init__(self, root: Path, on_ready: Callable[[dict[str, bool], float], None], edition: str | None = None):
        self.root, self.on_ready, self.edition = root, on_ready, edition
        self.wanted = threading.Event()
        self.pool: ProcessPoolExecutor | None = None
        self.stopped = False
        threading.Thread(target=self._loop, daemon=True).start()

    def request(self) -> None:
        self.wanted.set()

    def stop(self) -> None:
        """End the PDF process now: Ctrl+C should not wait for a render under way."""
        self.stopped = True
        pool, self.pool = self.pool, None
        if pool is not None:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()  # the executor has no public way to end a running task
            pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        while not self.stopped:
            self.wanted.wait()
            self.wanted.clear()
            started = time.perf_counter()
            if self.pool is None:  # spawned, not forked: this process runs threads
                self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_low_priority, initargs=(os.getpid(),))
            try:
                status = self.pool.submit(_render_pdfs, self.root, self.edition).result()
            except BrokenProcessPool:
                self.pool = None
                if self.stopped:
                    return
                print("PDF-filerna kunde inte byggas: processen som byggde dem avslutades.", file=sys.stderr, flush=True)
                continue
            except BuildError:  # the pages say what is wrong with the content
                continue
            except Exception as err:  # shown, and the preview goes on with the last PDFs
                print(f"PDF-filerna kunde inte byggas: {err}", file=sys.stderr, flush=True)
                continue
            if not self.wanted.is_set():  # else the content changed meanwhile: render again
                self.on_ready(status, time.perf_counter() - started)


def _low_priority(parent: int) -> None:
    _die_with_parent(parent)
    os.nice(10)  # the pages of the next edit come first


def _render_pdfs(root: Path, edition: str | None = None) -> dict[str, bool]:
    return generate_pdfs(root, check(root, edition=edition))


class EngineBuilds:
    """The engine's builds of a preview: every page the first time, after that only the pages
    whose files changed (a tenth of the time), with the search index kept whole. A change of the
    navigation (a page or file added or removed, mkdocs.yml) or of the theme (overrides/) builds
    every page again, as every page shows those."""

    def __init__(self, root: Path, edition: str | None = None):
        self.root = root
        self.work = work_dir(root, edition)  # build/, or build/utgavor/<id>/ for a local edition
        self.full_index: dict | None = None  # the search index of every page, as last built
        self.shape: str | None = None  # what every page shows: nav, config, theme

    def build(self, site: Path, terms: dict[str, list[str]], previous: Path | None = None) -> None:
        """Build into `site`; with `previous` (a site this object built), start from a copy of it."""
        shape = self._shape()
        dirty = self.shape == shape and self.full_index is not None and (previous is None or previous.is_dir())
        if previous is not None and previous != site:
            shutil.rmtree(site, ignore_errors=True)
            if dirty:
                shutil.copytree(previous, site, copy_function=shutil.copy2)  # its dates tell what changed
        # not strict: the preview has no offline zip, and a build of only the changed pages warns
        engine_build(self.work / CONFIG.name, site, terms, dirty=dirty, strict=False,
                     before_finish=lambda built: self._merge_index(built, dirty))
        self.shape = shape

    def _shape(self) -> str:
        digest = hashlib.sha256((self.work / CONFIG.name).read_bytes())
        docs = self.work / DOCS_DIR.name
        # every file's name: a page's links are checked and rewritten against all of them (a PDF
        # that arrives after the pages turns "pdf/x.pdf" into "../pdf/x.pdf" on every page)
        digest.update("\0".join(sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*"))).encode())
        for path in sorted((self.root / "overrides").rglob("*")):
            if path.is_file():
                digest.update(path.as_posix().encode() + path.read_bytes())
        return digest.hexdigest()

    def _merge_index(self, site: Path, dirty: bool) -> None:
        """A build of only the changed pages writes an index of those pages: put them into the
        index of the whole site, so that search in the preview still covers every page."""
        index_file = site / "search" / "search_index.json"
        index = json.loads(index_file.read_text(encoding="utf-8"))
        if dirty and self.full_index is not None:
            rebuilt = {doc["location"].split("#")[0] for doc in index["docs"]}
            kept = [d for d in self.full_index["docs"] if d["location"].split("#")[0] not in rebuilt]
            index["docs"] = kept + index["docs"]
            index_file.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
        self.full_index = index



def watch(root: Path, changed: Callable[[], None]):
    """Call `changed` on every change to what a build reads (WATCHED); returns the started
    watchdog observer (stop it when done). The same for `guide serve` and `guide edit`."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    files = {root / name for name in WATCHED if not (root / name).is_dir()}  # mkdocs.yml

    class Changed(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.is_directory or event.event_type not in ("modified", "created", "deleted", "moved"):
                return
            paths = {Path(event.src_path), Path(getattr(event, "dest_path", "") or event.src_path)}
            if any(p.parent != root or p in files for p in paths):
                changed()

    observer = Observer()
    for name in WATCHED:
        if (root / name).is_dir():
            observer.schedule(Changed(), str(root / name), recursive=True)
    observer.schedule(Changed(), str(root), recursive=False)  # the files among WATCHED
    observer.start()
    return observer


def _check_links(site: Path, report_file: Path, cache: Path) -> None:
    """Every internal link of the site and its PDFs resolves; external ones go into a report."""
    report = check_site(site, cache)
    if report.broken:
        raise BuildError("\n".join([f"{len(report.broken)} länkar leder ingenstans. Inget har byggts.", "",
                                     *report.broken]))
    report_file.write_text(report.text(), encoding="utf-8")


def _zip(folder: Path, target: Path, epoch: int) -> None:
    """A zip file whose bytes depend only on the files in it (fixed dates, sorted names)."""
    date = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"vagledning/{path.relative_to(folder).as_posix()}", date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    partial.replace(target)


def _sync(new: Path, target: Path, keep: str | None = None) -> None:
    """Make target equal to new, touching only files that changed (and not target/keep).

    Used for build/docs: rewriting unchanged pages would make the engine's incremental
    preview build (guide serve) rebuild them, as it goes by the files' dates.
    """
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(new.rglob("*")):
        dest = target / path.relative_to(new)
        if path.is_dir():
            dest.mkdir(exist_ok=True)
        elif not dest.exists() or not filecmp.cmp(path, dest, shallow=False):
            shutil.copy2(path, dest)
    for path in sorted(target.rglob("*"), reverse=True):
        rel = path.relative_to(target)
        if keep and rel.parts[0] == keep:
            continue
        if not (new / rel).exists():
            path.unlink() if path.is_file() else shutil.rmtree(path)


def _swap(new: Path, target: Path) -> None:
    """Replace target by new with two renames, so target is never half-written."""
    old = scratch_folder(target.parent, f".{target.name}-old")
    old.rmdir()
    try:
        if target.exists():
            target.rename(old)
        new.rename(target)
    except OSError as err:
        if old.exists() and not target.exists():
            old.rename(target)  # put the previous site back
        raise BuildError(f"Kan inte ersätta mappen {target} ({err.strerror}). Den förra webbplatsen "
                         "är orörd. Kontrollera att mappen och mappen den ligger i går att skriva i "
                         "(till exempel med chmod u+w), eller välj en annan mapp med --site-dir.") from err
    _remove(old)


# Temporary folders are named <prefix>-<process id>-<random>: a later build removes those whose
# process no longer runs (a killed build), and never those of a build that is still running.
def scratch_folder(parent: Path, prefix: str) -> Path:
    for stale in parent.glob(f"{prefix}-*"):
        match = re.fullmatch(re.escape(prefix) + r"-(\d+)-\w+", stale.name)
        if match and stale.is_dir() and not _running(int(match.group(1))):
            _remove(stale)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-", dir=parent))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    """Remove a folder, also where its files were made read-only."""
    def make_writable(function, name, _exc):
        os.chmod(os.path.dirname(name), stat.S_IRWXU)
        if os.path.isdir(name) and not os.path.islink(name):
            os.chmod(name, stat.S_IRWXU)
        else:
            os.chmod(name, stat.S_IRUSR | stat.S_IWUSR)
        function(name)

    if path.exists():
        try:
            shutil.rmtree(path, onerror=make_writable)
        except OSError:
            shutil.rmtree(path, ignore_errors=True)
