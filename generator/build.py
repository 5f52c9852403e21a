"""The build as a straight pipeline: check -> generate pages -> site engine -> swap in.

The new site is built beside the old one and only moved into place when every
step has succeeded, so broken content never leaves a half-written site/.
"""

from __future__ import annotations

import calendar
import filecmp
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

from . import model
from .links import check_site
from .load import Content, ContentError, check_pack, load_content, load_pack
from .pages import build_docs
from .pdf import render_pack, render_pdfs
from .search import add_terms_to_index

DOCS_DIR = Path("build/docs")
CONFIG = Path("build/mkdocs.yml")  # the config the engine reads: mkdocs.yml plus the role pages
OFFLINE_CONFIG = Path("build/mkdocs-offline.yml")  # the same site, to open from a folder or zip file
OFFLINE_ZIP = "vagledning-offline.zip"  # written into the site, linked from the start page
LINK_REPORT = Path("build/externa-lankar.md")  # external links, for a person to check now and then
SHIM = "assets/javascripts/iframe-worker-shim.js"  # offline search without a request to a CDN
ROLES_INDEX = "roller.md"  # the nav entry after which the role pages are listed


class BuildError(Exception):
    pass


def check(root: Path) -> Content:
    """Load and validate all content, or raise BuildError listing every problem."""
    try:
        return load_content(root)
    except ContentError as err:
        lines = [f"Innehållet har {len(err.problems)} fel. Inget har byggts.", ""]
        lines += [str(p) for p in err.problems]
        raise BuildError("\n".join(lines)) from err


def generate_docs(root: Path, pdfs: bool = True) -> tuple[Content, dict[str, list[str]]]:
    """Check the content, then bring the engine's docs folder (build/docs) and configs up to date.

    With pdfs=False the PDFs already in build/docs are kept as they are (the editor's preview
    shows the pages first and renders the PDFs after). Returns the content and the search terms
    of each section, for `add_terms_to_index`."""
    content = check(root)
    target = root / DOCS_DIR
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="docs-", dir=target.parent))
    try:
        terms = build_docs(content, root, staging / "docs")
        write_config(root, content)
        write_config(root, content, offline=True)
        if pdfs:
            render_pdfs(content, root, staging / "docs" / "pdf")
        elif (target / "pdf").is_dir():
            shutil.copytree(target / "pdf", staging / "docs" / "pdf")
        _sync(staging / "docs", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return content, terms


def write_config(root: Path, content: Content, offline: bool = False) -> Path:
    """build/mkdocs.yml: mkdocs.yml with paths relative to build/ and a nav entry per role page."""
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = "docs"
    config["site_dir"] = "../site"
    config["theme"]["custom_dir"] = "../overrides"
    roles = [{r.name: f"{r.id}.md"} for r in content.roles.roles]
    if not _insert_after(config["nav"], ROLES_INDEX, roles):
        raise BuildError(f"mkdocs.yml: navigationen (nav) saknar {ROLES_INDEX}, där rollsidorna ska stå.")
    if offline:  # Material's offline plugin, with the search shim served from the site itself
        config["plugins"].append("offline")
        config.setdefault("extra", {})["polyfills"] = [SHIM]
        config["theme"]["features"] = [f for f in config["theme"]["features"] if f != "navigation.instant"]
        # The start page links the zip file, which only the online site holds (the online
        # build checks every other link, with the same pages).
        config["validation"] = {"links": {"not_found": "info"}}
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
            raise BuildError("\n".join([f"Paketet har {len(err.problems)} fel.", ""] + [str(p) for p in err.problems])) from err
    else:
        entries = [{"checklista": c} for c in args.checklista] + [{"avsnitt": a} for a in args.avsnitt]
        if not entries:
            raise BuildError("Ange en YAML-fil, eller minst en --checklista eller --avsnitt.")
        pack = model.Pack.model_validate({"id": "motespaket", "titel": args.titel, "syfte": args.titel,
                                          "innehåll": entries})
        problems = check_pack(pack, {c.id for c in content.checklists}, "kommandoraden", None)
        if problems:
            raise BuildError("\n".join(p.message for p in problems))
    return render_pack(pack, content, root, args.output or root / "build" / f"{pack.id}.pdf")


def build_site(root: Path, site_dir: Path | None = None) -> Path:
    """Build the whole site into site_dir (default: site/), replacing it only on success.

    Two engine builds: the offline copy first (zipped into the docs as OFFLINE_ZIP), then the
    site itself. Dates come from the content (SOURCE_DATE_EPOCH), so equal content gives
    byte-identical output."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    content, terms = generate_docs(root)
    site_dir = (site_dir or root / "site").resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    epoch = str(calendar.timegm(content.last_reviewed.timetuple()))
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        offline = _engine_build(root / OFFLINE_CONFIG, staging / "offline", terms)
        _zip(offline, root / DOCS_DIR / OFFLINE_ZIP, int(epoch))
        online = _engine_build(root / CONFIG, staging / "site", terms)
        _check_links(online, root / LINK_REPORT)
        _swap(online, site_dir)
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
        shutil.rmtree(staging, ignore_errors=True)
    return site_dir


def _engine_build(config_file: Path, site_dir: Path, terms: dict[str, list[str]]) -> Path:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file), site_dir=str(site_dir))
    try:
        build(config)
    except Exception as err:  # the engine's own errors, e.g. a broken link in strict mode
        raise BuildError(f"Webbplatsen kunde inte byggas: {err}") from err
    add_terms_to_index(site_dir, terms)
    return site_dir


def _check_links(site: Path, report_file: Path) -> None:
    """Every internal link of the site and its PDFs resolves; external ones go into a report."""
    report = check_site(site)
    if report.broken:
        raise BuildError("\n".join([f"{len(report.broken)} länkar leder ingenstans. Inget har byggts.", "",
                                     *report.broken]))
    report_file.write_text(report.text(), encoding="utf-8")


def _zip(folder: Path, target: Path, epoch: int) -> None:
    """A zip file whose bytes depend only on the files in it (fixed dates, sorted names)."""
    stamp = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"vagledning/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def _sync(new: Path, target: Path) -> None:
    """Make target equal to new, touching only files that changed.

    Used for build/docs, which `guide serve` has MkDocs watch: replacing the folder
    would lose the watch, and rewriting unchanged pages would trigger needless rebuilds.
    """
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(new.rglob("*")):
        dest = target / path.relative_to(new)
        if path.is_dir():
            dest.mkdir(exist_ok=True)
        elif not dest.exists() or not filecmp.cmp(path, dest, shallow=False):
            shutil.copy2(path, dest)
    for path in sorted(target.rglob("*"), reverse=True):
        if not (new / path.relative_to(target)).exists():
            path.unlink() if path.is_file() else shutil.rmtree(path)


def _swap(new: Path, target: Path) -> None:
    """Replace target by new with two renames, so target is never half-written."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
