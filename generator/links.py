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
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader

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
    pages: dict[Path, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        data = path.read_bytes()
        key = hashlib.sha256(data).hexdigest()
        parser = _Page()
        if key in old["html"]:
            parser.ids, parser.links = set(old["html"][key][0]), old["html"][key][1]
        else:
            parser.feed(data.decode("utf-8"))
        new["html"][key] = [sorted(parser.ids), parser.links]
        pages[path.resolve()] = parser
    for path, parser in pages.items():
        where = path.relative_to(site.resolve()).as_posix()
        for link in parser.links:
            _check(link, path, where, site.resolve(), pages, report)
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


def _read_cache(cache: Path | None) -> dict[str, dict]:
    try:
        data = json.loads(cache.read_text(encoding="utf-8")) if cache and cache.is_file() else {}
    except (OSError, ValueError):
        data = {}
    return {"html": data.get("html", {}), "pdf": data.get("pdf", {})}


def _write_cache(cache: Path | None, data: dict[str, dict]) -> None:
    if cache is None:
        return
    try:
        partial = cache.with_name(f"{cache.name}.{os.getpid()}")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        partial.replace(cache)
    except OSError:  # no cache is only slower
        pass


def _check(link: str, page: Path, where: str, site: Path, pages: dict[Path, _Page], report: LinkReport) -> None:
    parts = urlsplit(link)
    if parts.scheme in EXTERNAL_SCHEMES:
        report.external.setdefault(link, []).append(where)
        return
    if parts.scheme:  # data:, javascript: ...: never produced by the generator
        report.broken.append(f"{where}: {link} (okänd typ av länk)")
        return
    report.checked += 1
    if parts.path.startswith("/"):  # the 404 page links from the site root
        target = site / unquote(parts.path).lstrip("/")
    else:
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        report.broken.append(f"{where}: {link} (filen finns inte)")
        return
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in pages[target.resolve()].ids:
        report.broken.append(f"{where}: {link} (ankaret #{fragment} finns inte på sidan)")


def _check_pdf(pdf: Path, where: str, report: LinkReport) -> None:
    reader = PdfReader(pdf)
    names = set(reader.named_destinations)
    page_refs = {p.indirect_reference.idnum for p in reader.pages}
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else {}
            uri, dest = action.get("/URI"), annot.get("/Dest") or action.get("/D")
            if uri and urlsplit(str(uri)).scheme in EXTERNAL_SCHEMES:
                report.external.setdefault(str(uri), []).append(where)
            elif uri:  # e.g. file:// from a relative link: leads nowhere once the PDF is shared
                report.broken.append(f"{where}: {uri} (leder ingenstans utanför den här datorn)")
            elif dest is not None:
                report.checked += 1
                dest = dest.get_object() if hasattr(dest, "get_object") else dest
                if isinstance(dest, str):
                    ok = dest in names
                else:  # an explicit destination: [page, /XYZ, left, top, zoom]
                    ok = len(dest) > 0 and getattr(dest[0], "idnum", None) in page_refs
                if not ok:
                    report.broken.append(f"{where}: {dest} (målet finns inte i PDF-filen)")
