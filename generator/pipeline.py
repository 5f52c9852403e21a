"""The build as a straight pipeline: check -> generate pages -> site engine -> swap in.

The new site is built beside the old one and only moved into place when every
step has succeeded, so broken content never leaves a half-written site/.
"""

from __future__ import annotations

import calendar
import errno
import filecmp
import hashlib
import logging
import multiprocessing
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from generator.content import model
from generator.content.load import Content, ContentError, Problem, check_pack, load_content, load_pack
from generator.outputs import stamp
from generator.outputs.docs import build_docs
from generator.outputs.links import check_site
from generator.outputs.pdf import _die_with_parent, page_counts, render_pack, render_pdfs
from generator.outputs.precompress import precompress
from generator.outputs.scripts import ScriptFiles
from generator.outputs.tooltips import one_tooltip_per_section
from generator.sitemap import PAGE_SLUGS
from generator.views.escape import engine_text
from generator.views.pages import BYTECODE_CACHE
from generator.views.printed import page_sections, resolve
from generator.views.search import add_terms_to_index

DOCS_DIR = Path("build/docs")
PDF_DIR = "pdf"  # the PDFs' folder in the docs and the site
CONFIG = Path("build/mkdocs.yml")  # the config the engine reads: mkdocs.yml plus the role pages
OFFLINE_CONFIG = Path("build/mkdocs-offline.yml")  # the same site, to open from a folder or zip file
OFFLINE_ZIP = "vagledning-offline.zip"  # written into the site, linked from the start page
ZIP_CACHE = Path("build/vagledning-offline.zip")  # the last zip, with its key beside it (.key)
LINK_REPORT = Path("build/externa-lankar.md")  # external links, for a person to check now and then
LINK_CACHE = Path("build/link-cache.json")  # what the link check read from each page and PDF
RENDER_CACHE = "render-cache"  # each page's HTML from the last builds, in build/ (render_cache.py)
SHIM = "assets/javascripts/iframe-worker-shim.js"  # offline search without a request to a CDN
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


def check(root: Path, render: bool = False) -> Content:
    """Load and validate all content, or raise BuildError listing every problem.

    With `render` (`guide check`), also render every page and checklist without writing
    anything, so that what `guide check` passes, `guide build` and `guide pack` can build."""
    try:
        content = load_content(root, PAGE_SLUGS)
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


def generate_docs(root: Path, pdfs: bool = True) -> tuple[Content, dict[str, list[str]]]:
    """Check the content, then bring the engine's docs folder (build/docs) and configs up to date.

    With pdfs=False the PDFs already in build/docs are kept as they are (the editor's preview
    shows the pages first and renders the PDFs after). Returns the content and the search terms
    of each section, for `add_terms_to_index`."""
    content = check(root)
    if pdfs:
        generate_pdfs(root, content)  # first: the checklists page tells how many pages each PDF has
    terms = generate_pages(root, content)
    return content, terms


def generate_pages(root: Path, content: Content) -> dict[str, list[str]]:
    """The pages and engine configs in build/docs (its pdf/ folder left as it is); the search terms."""
    staging = scratch_folder(_build_dir(root), "docs")
    try:
        pdf_dir = root / DOCS_DIR / PDF_DIR
        terms = build_docs(content, root, staging / "docs", page_counts(pdf_dir, root) if pdf_dir.is_dir() else None)
        write_config(root, content)
        write_config(root, content, offline=True)
        _sync(staging / "docs", root / DOCS_DIR, keep=PDF_DIR)
    finally:
        _remove(staging)
    return terms


def generate_pdfs(root: Path, content: Content) -> dict[str, bool]:
    """The PDFs in build/docs/pdf (each taken from the cache when its inputs are unchanged)."""
    staging = scratch_folder(_build_dir(root), "pdf")
    try:
        status = render_pdfs(content, root, staging / PDF_DIR)
        _sync(staging / PDF_DIR, root / DOCS_DIR / PDF_DIR)
    finally:
        _remove(staging)
    return status


def write_config(root: Path, content: Content, offline: bool = False) -> Path:
    """build/mkdocs.yml: mkdocs.yml with paths relative to build/ and a nav entry per role page."""
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = "docs"
    config["site_dir"] = "../site"
    config["theme"]["custom_dir"] = "../overrides"
    roles = [{engine_text(r.name): f"{r.id}.md"} for r in content.roles.roles]
    if not _insert_after(config["nav"], ROLES_INDEX, roles):
        raise BuildError(f"mkdocs.yml: navigationen (nav) saknar {ROLES_INDEX}, där rollsidorna ska stå.")
    if offline:  # Material's offline plugin, with the search shim served from the site itself
        config["plugins"].append("offline")
        config.setdefault("extra", {})["polyfills"] = [SHIM]
        config["theme"]["features"] = [f for f in config["theme"]["features"] if f != "navigation.instant"]
    path = root / (OFFLINE_CONFIG if offline else CONFIG)
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


def build_site(root: Path, site_dir: Path | None = None, force: bool = False) -> Path:
    """Build the whole site into site_dir (default: site/), replacing it only on success.

    A straight pipeline of named steps: pages and PDFs (generate_docs), the two engine builds
    at the same time (the site, and the offline copy to open from a folder), the offline copy
    zipped into the site, every link checked, text files precompressed, then the swap. Dates
    come from the content (SOURCE_DATE_EPOCH), so equal content gives byte-identical output.
    When nothing that the build reads has changed since it built site_dir, nothing is done
    (stamp.py), unless `force`."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    site_dir = (site_dir or root / "site").resolve()
    inputs = stamp.fingerprint(root)
    if not force and stamp.up_to_date(root, site_dir, inputs):
        return site_dir
    stamp.forget(root, site_dir)
    content, terms = generate_docs(root)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = scratch_folder(site_dir.parent, f".{site_dir.name}")
    epoch = str(calendar.timegm(content.last_reviewed.timetuple()))
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        online = _engine_builds(root, staging, terms, int(epoch))
        _check_links(online, root / LINK_REPORT, root / LINK_CACHE)
        precompress(online, previous=site_dir if site_dir.is_dir() else None)
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


def _engine_builds(root: Path, staging: Path, terms: dict[str, list[str]], epoch: int) -> Path:
    """The site, and at the same time its offline copy, zipped into the site: the offline copy
    in a forked process (which inherits the loaded engine), the site in this one."""
    import mkdocs.commands.build  # noqa: F401  (imported once, before the fork)

    online = staging / "site"
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        other = pool.submit(_offline_copy, root / OFFLINE_CONFIG, staging / "offline", terms,
                            root / ZIP_CACHE, epoch)
        try:
            _engine_build(root / CONFIG, online, terms)
        finally:
            other_error = other.exception()
    if other_error is not None:
        raise other_error
    shutil.copyfile(root / ZIP_CACHE, online / OFFLINE_ZIP)
    return online


def _offline_copy(config_file: Path, folder: Path, terms: dict[str, list[str]], cache: Path, epoch: int) -> None:
    """The offline copy built and zipped into `cache`; zipped again only when a file in it changed."""
    _engine_build(config_file, folder, terms)
    digest = hashlib.sha256(str(epoch).encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    key_file = cache.with_suffix(".key")
    if not (cache.is_file() and key_file.is_file() and key_file.read_text() == digest.hexdigest()):
        _zip(folder, cache, epoch)
        key_file.write_text(digest.hexdigest())


def engine_config(config_file: Path, site_dir: Path, **options):
    """The engine's config for a build into site_dir, with what it did before remembered (the
    same output): its theme's templates compiled once and cached on disk, and each page's HTML
    (render_cache.py, in build/render-cache/, one folder per config); and large finished HTML
    carried past Markdown (inserts.py). `options`: e.g. strict=False."""
    from mkdocs.config import load_config

    from generator.views.inserts import Verbatim
    from generator.outputs.render_cache import RenderCache

    config = load_config(str(config_file), site_dir=str(site_dir), **options)
    config.plugins["guide-render-cache"] = RenderCache(config_file.parent / RENDER_CACHE / config_file.stem)
    config.plugins["guide-verbatim"] = Verbatim()
    theme_env = config.theme.get_env

    def get_env():
        env = theme_env()
        env.bytecode_cache = BYTECODE_CACHE
        return env

    config.theme.get_env = get_env
    return config


def _engine_build(config_file: Path, site_dir: Path, terms: dict[str, list[str]]) -> Path:
    """One engine build, then what the built pages need: search terms, no inline scripts."""
    from mkdocs.commands.build import build

    config = engine_config(config_file, site_dir)
    with _EngineLog() as log:
        try:
            build(config)
        except OSError:  # the disk, not the content: see cli.environment_message
            raise
        except Exception as err:  # the engine's own errors, e.g. a broken link in strict mode
            details = log.messages or [str(err)]
            raise BuildError("\n".join(["Webbplatsen kunde inte byggas. Inget har ändrats i site/. "
                                        "Sidmotorn (MkDocs) säger:", "", *details])) from err
    add_terms_to_index(site_dir, terms)
    _finish_pages(site_dir)
    return site_dir


def _finish_pages(site_dir: Path) -> None:
    """One pass over the built pages: inline scripts into files (for the server's
    Content-Security-Policy), one glossary tooltip per term and section."""
    scripts = ScriptFiles(site_dir)
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        finished = one_tooltip_per_section(scripts.externalize(html))
        if finished != html:
            page.write_text(finished, encoding="utf-8")
    scripts.remove_replaced()


class _EngineLog(logging.Handler):
    """Collects the engine's warnings, so that a failed strict build says what went wrong."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"- {record.getMessage()}")

    def __enter__(self) -> "_EngineLog":
        logging.getLogger("mkdocs").addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("mkdocs").removeHandler(self)


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
