"""Check every link of the built site and of its PDFs.

Internal links (to a page, a file or an anchor) must resolve, in the HTML and in the PDFs.
External links cannot be checked offline: they are listed in one report, each with the
pages and PDFs it appears on, for a person to check now and then.

Reading the pages and PDFs is most of the work, and most of them are the same as in the
last build: with a cache file, what was read from each (its anchors and links; a PDF's
whole result) is kept by a hash of its bytes and reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf

from generator import diskcache

EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")


@dataclass
class LinkReport:
    checked: int = 0
    broken: list[str] = field(default_factory=list)  # "page: link (why)"
    external: dict[str, list[str]] = field(default_factory=dict)  # url -> pages it is on

    def text(self) -> str:
        """The external-link report, in Swedish, for the maintainers."""
        lines = ["# Externa länkar", "",
                 "Länkarna nedan går till andra webbplatser. De kan inte kontrolleras utan nätverk,",
                 "så gå igenom dem då och då. Under varje adress står var den finns.", ""]
        for url in sorted(self.external):
            lines.append(f"- {url}")
            lines += [f"  - {where}" for where in sorted(set(self.external[url]))]
        return "\n".join(lines) + "\n"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append(attrs[name])


def check_site(site: Path, cache: Path | None = None) -> LinkReport:
    """Check every link; `cache` (a JSON file) keeps what was read from each file for next time."""
    report = LinkReport()
    old = _read_cache(cache)
    new: dict[str, dict] = {"html": {}, "pdf": {}}
    root = os.path.realpath(site)
    tree = _Tree(root)
    pages: dict[str, _Page] = {}  # path relative to the site -> what it holds
    for path in sorted(site.rglob("*.html")):
        data = path.read_bytes()
        key = hashlib.sha256(data).hexdigest()
        parser = _Page()
        if key in old["html"]:
            parser.ids, parser.links = set(old["html"][key][0]), old["html"][key][1]
        else:
            parser.feed(data.decode("utf-8"))
        new["html"][key] = [sorted(parser.ids), parser.links]
        pages[path.relative_to(site).as_posix()] = parser
    for where, parser in pages.items():
        for link in parser.links:
            _check(link, where, tree, pages, report)
    for pdf in sorted(site.rglob("*.pdf")):
        where = pdf.relative_to(site).as_posix()
        key = hashlib.sha256(where.encode() + b"\0" + pdf.read_bytes()).hexdigest()
        if key not in old["pdf"]:
            one = LinkReport()
            _check_pdf(pdf, where, one)
            old["pdf"][key] = {"checked": one.checked, "broken": one.broken, "external": one.external}
        result = new["pdf"][key] = old["pdf"][key]
        report.checked += result["checked"]
        report.broken += result["broken"]
        for url, wheres in result["external"].items():
            report.external.setdefault(url, []).extend(wheres)
    _write_cache(cache, new)
    return report


class _Tree:
    """The site's files and folders, listed once, as paths relative to the site ("a/b.html")."""

    def __init__(self, root: str):
        self.files: set[str] = set()
        self.folders: set[str] = {""}
        for folder, subfolders, files in os.walk(root):
            rel = os.path.relpath(folder, root).replace(os.sep, "/").removeprefix(".")
            prefix = f"{rel}/" if rel else ""
            self.folders.update(prefix + name for name in subfolders)
            self.files.update(prefix + name for name in files)


def _code() -> str:
    """The version of the code that read the files (this module, and pikepdf for the PDFs)."""
    return diskcache.code_version([sys.modules[__name__], "pikepdf"])


def _read_cache(cache: Path | None) -> dict[str, dict]:
    try:
        data = json.loads(diskcache.read(cache) or b"{}") if cache else {}
    except ValueError:
        data = {}
    if data.get("code") != _code():  # read by other code: read the files again
        data = {}
    return {"html": data.get("html", {}), "pdf": data.get("pdf", {})}


def _write_cache(cache: Path | None, data: dict[str, dict]) -> None:
    if cache is None:
        return
    diskcache.keep(cache, json.dumps({"code": _code(), **data}, ensure_ascii=False).encode("utf-8"))


def _check(link: str, where: str, tree: _Tree, pages: dict[str, _Page], report: LinkReport) -> None:
    parts = urlsplit(link)
    if parts.scheme in EXTERNAL_SCHEMES:
        report.external.setdefault(link, []).append(where)
        return
    if parts.scheme:  # data:, javascript: ...: never produced by the generator
        report.broken.append(f"{where}: {link} (okänd typ av länk)")
        return
    report.checked += 1
    path = unquote(parts.path)
    if path.startswith("/"):  # the 404 page links from the site root
        target = posixpath.normpath(path.lstrip("/") or ".")
    elif path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(where), path))
    else:
        target = where
    target = "" if target == "." else target
    if target in tree.folders:
        target = posixpath.join(target, "index.html") if target else "index.html"
    if target.startswith("../") or target not in tree.files:
        report.broken.append(f"{where}: {link} (filen finns inte)")
        return
    fragment = unquote(parts.fragment)
    if fragment and target.endswith(".html") and fragment not in pages[target].ids:
        report.broken.append(f"{where}: {link} (ankaret #{fragment} finns inte på sidan)")


def _check_pdf(pdf: Path, where: str, report: LinkReport) -> None:
    with pikepdf.open(pdf) as document:  # qpdf reads only the objects asked for: fast on big PDFs
        names = _destination_names(document)
        page_refs = {page.obj.objgen for page in document.pages}
        for page in document.pages:
            for annot in page.obj.get("/Annots") or []:
                if annot.get("/Subtype") != "/Link":
                    continue
                action = annot.get("/A") or {}
                uri, dest = action.get("/URI"), annot.get("/Dest") or action.get("/D")
                if uri is not None and urlsplit(str(uri)).scheme in EXTERNAL_SCHEMES:
                    report.external.setdefault(str(uri), []).append(where)
                elif uri is not None:  # e.g. file:// from a relative link: leads nowhere once shared
                    report.broken.append(f"{where}: {uri} (leder ingenstans utanför den här datorn)")
                elif dest is not None:
                    report.checked += 1
                    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
                        ok = str(dest).lstrip("/") in names
                    else:  # an explicit destination: [page, /XYZ, left, top, zoom]
                        ok = len(dest) > 0 and dest[0].objgen in page_refs
                    if not ok:
                        report.broken.append(f"{where}: {dest} (målet finns inte i PDF-filen)")


def _destination_names(document: pikepdf.Pdf) -> set[str]:
    """The named destinations: the name tree of PDF 1.2+ and the older /Dests dictionary."""
    names = set()
    tree = document.Root.get("/Names", {}).get("/Dests")
    if tree is not None:
        names |= {str(name) for name in pikepdf.NameTree(tree).keys()}
    old = document.Root.get("/Dests")
    if old is not None:
        names |= {str(name).lstrip("/") for name in old.keys()}
    return names
