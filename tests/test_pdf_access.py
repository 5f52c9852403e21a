"""Every PDF as a screen reader and every viewer get it: field names are their labels, table
headers have a scope, filled forms show in poppler and in pdf.js (Firefox), links read as their
text, and the PyPI `pdfua` checker finds nothing. Checked on the PDFs the real build wrote."""

from __future__ import annotations

import base64
import functools
import html
import http.server
import io
import re
import subprocess
import threading
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from conftest import ROOT
from generator.outputs import pdf as pdfmod

TEXT = "Ifylld åäö"  # what the tests type into every text field
DPI = 60


@pytest.fixture(scope="module")
def pdfs(site) -> dict[str, Path]:
    found = {p.stem: p for p in sorted((site / "pdf").glob("*.pdf"))}
    assert len(found) >= 14
    return found


@pytest.fixture(scope="module")
def html_of(content) -> dict[str, str]:
    return {job.name: job.html for job in pdfmod.jobs(content, ROOT)}


def widgets(pdf: pikepdf.Pdf):
    """(page number, widget annotation) for every form widget."""
    for number, page in enumerate(pdf.pages, 1):
        for annot in page.get("/Annots") or []:
            if annot.get("/Subtype") == "/Widget":
                yield number, annot


def struct_elements(pdf: pikepdf.Pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if "/S" in node:
            yield node
        kids = node.get("/K")
        stack.extend(reversed(list(kids)) if isinstance(kids, pikepdf.Array) else [kids])


# --- Accessible names ---------------------------------------------------------------------------


def labels_in(page_html: str) -> dict[str, str]:
    """Field id -> the text of its <label for>, as a browser would read it."""
    found = {}
    for target, inner in re.findall(r'<label\b[^>]*\bfor="([^"]+)"[^>]*>(.*?)</label>', page_html, re.S):
        found[target] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
    return found


def headings_in(page_html: str) -> set[str]:
    return {" ".join(html.unescape(re.sub(r"<[^>]+>", "", h)).split())
            for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page_html, re.S)}


def test_field_names_are_their_labels_with_spaces_and_unique(pdfs, html_of):
    checked = 0
    for name, path in pdfs.items():
        if name not in html_of:
            continue
        labels, headings = labels_in(html_of[name]), headings_in(html_of[name])
        with pikepdf.open(path) as pdf:
            names = []
            for _, widget in widgets(pdf):
                field = widget if "/T" in widget else widget.Parent
                label, accessible = labels[str(field.T)], str(field.TU)
                # the label itself, or the label and the heading it stands under: never glued words
                assert accessible == label or (accessible.startswith(label + " – ")
                                               and accessible[len(label) + 3:] in headings), (name, accessible, label)
                names.append(accessible)
                checked += 1
            assert len(names) == len(set(names)), (name, sorted(n for n in names if names.count(n) > 1))
    assert checked >= 300


def test_repeated_labels_get_their_context(pdfs, content):
    with pikepdf.open(pdfs["riskbaserad-handlingsplan"]) as pdf:
        names = {str(w.TU) for _, w in widgets(pdf)}
    for area in content.action_plan.areas:
        assert f"Datum för uppföljning – {area.area}" in names
    pack = next(p for p in content.packs if sum(bool(e.checklist) for e in p.entries) > 1)
    with pikepdf.open(pdfs[pack.id]) as pdf:
        notes = sorted(str(w.TU) for _, w in widgets(pdf) if str(w.TU).startswith("Anteckningar"))
    titles = {c.id: c.title for c in content.checklists}
    with_notes = [titles[e.checklist] for e in pack.entries
                  if e.checklist and next(c for c in content.checklists if c.id == e.checklist).notes]
    assert notes == sorted(f"Anteckningar – {t}" for t in with_notes) and len(notes) > 1


# --- Tables ---------------------------------------------------------------------------------------


def test_every_table_header_has_a_scope(pdfs):
    headers = 0
    for name, path in pdfs.items():
        with pikepdf.open(path) as pdf:
            for row in (e for e in struct_elements(pdf) if e.S == "/TR"):
                cells = [k for k in (row.K if isinstance(row.K, pikepdf.Array) else [row.K])
                         if isinstance(k, pikepdf.Dictionary) and k.get("/S") in ("/TH", "/TD")]
                in_head = row.P.S == "/THead"
                for cell in cells:
                    if cell.S != "/TH":
                        continue
                    attrs = cell.get("/A")
                    attrs = [attrs] if isinstance(attrs, pikepdf.Dictionary) else list(attrs or [])
                    scopes = [str(a.get("/Scope")) for a in attrs if a.get("/O") == "/Table"]
                    assert scopes == ["/Column" if in_head else "/Row"], (name, scopes, in_head)
                    headers += 1
    assert headers >= 34  # the action plan alone, and again in the pack


# --- Appearances: filled forms show in every viewer ----------------------------------------------


def test_every_field_state_has_its_own_appearance_and_a_font(pdfs):
    for name, path in pdfs.items():
        with pikepdf.open(path) as pdf:
            form = pdf.Root.get("/AcroForm")
            if form is None:
                continue
            assert not form.get("/NeedAppearances", False), name
            fonts = form.DR.Font
            for _, widget in widgets(pdf):
                field = widget if "/FT" in widget else widget.Parent
                font = re.fullmatch(r"/(\S+) ([\d.]+) Tf 0 g", str(field.DA))
                assert font and f"/{font.group(1)}" in fonts, (name, str(field.DA))
                descriptor = fonts[f"/{font.group(1)}"].DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor  # embedded
                normal = widget.AP.N
                if field.FT == "/Tx":
                    assert isinstance(normal, pikepdf.Stream) and normal.Subtype == "/Form", (name, str(field.T))
                else:
                    states = set(normal.keys())
                    assert "/Off" in states and len(states) == 2, (name, str(field.T), states)
                    assert all(isinstance(normal[s], pikepdf.Stream) and "/BBox" in normal[s] for s in states)
                    assert widget.AS in states


def fill_with_pypdf(path: Path) -> bytes:
    """Tick every box and type in every text field as a form filler does: /V and /AS for boxes,
    a value and its appearance for text, /NeedAppearances left as the PDF has it."""
    reader = PdfReader(path)
    writer = PdfWriter(clone_from=reader)
    values = {}
    for name, field in (reader.get_fields() or {}).items():
        if field.get("/FT") == "/Btn":
            values[name] = next(s for s in field["/_States_"] if s != "/Off")
        elif field.get("/FT") == "/Tx":
            values[name] = TEXT
    writer.update_page_form_field_values(None, values, auto_regenerate=None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def poppler_pages(pdf: bytes, tmp: Path, name: str) -> list[Image.Image]:
    source = tmp / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(source), str(tmp / name)], check=True)
    return [Image.open(p) for p in sorted(tmp.glob(f"{name}-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))]


def ink(image: Image.Image, rect, page_height: float) -> int:
    """Dark pixels inside a widget's rectangle, its border left out."""
    scale = DPI / 72
    x0, x1 = sorted(float(v) for v in rect[::2])
    y0, y1 = sorted(float(v) for v in rect[1::2])
    box = (round((x0 + 2) * scale), round((page_height - y1 + 2) * scale),
           round((x1 - 2) * scale), round((page_height - y0 - 2) * scale))
    return sum(image.crop(box).histogram()[:128])


def poppler_ink(pdf: bytes, layout: Path, tmp: Path, name: str) -> dict[str, int]:
    """Field name -> dark pixels poppler draws inside it, for `pdf` (the fields laid out as in `layout`)."""
    pages = poppler_pages(pdf, tmp, name)
    with pikepdf.open(layout) as doc:
        return {str(w.get("/T", w.get("/Parent", {}).get("/T"))): ink(pages[n - 1], w.Rect, float(doc.pages[n - 1].MediaBox[3]))
                for n, w in widgets(doc)}


@pytest.fixture(scope="module")
def empty_ink(pdfs, tmp_path_factory) -> dict[str, dict[str, int]]:
    tmp = tmp_path_factory.mktemp("empty")
    return {name: poppler_ink(path.read_bytes(), path, tmp, name) for name, path in pdfs.items()}


@pytest.fixture(scope="module")
def filled(pdfs) -> dict[str, bytes]:
    return {name: fill_with_pypdf(path) for name, path in pdfs.items()}


def not_shown(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return [field for field, dark in after.items() if dark <= before[field] + 3]


@pytest.mark.xdist_group("pdf-forms")  # in one test process: they share the filled forms and pdf.js
def test_filled_forms_show_in_poppler(pdfs, filled, empty_ink, tmp_path):
    for name, path in pdfs.items():
        after = poppler_ink(filled[name], path, tmp_path, name)
        assert not not_shown(empty_ink[name], after), (name, not_shown(empty_ink[name], after))
    assert sum(len(fields) for fields in empty_ink.values()) >= 300


@pytest.fixture(scope="module")
def pdfjs(browser, pdfs, tmp_path_factory):
    """A page with pdf.js loaded, served with the built PDFs and a folder for more."""
    root = tmp_path_factory.mktemp("pdfjs")
    (root / "pdfjs-dist").symlink_to(ROOT / "node_modules" / "pdfjs-dist")
    (root / "check.mjs").symlink_to(Path(__file__).parent / "pdfjs_check.mjs")
    (root / "pdf").symlink_to(next(iter(pdfs.values())).parent)
    (root / "filled").mkdir()
    (root / "index.html").write_text('<!doctype html><meta charset="utf-8"><title>pdf.js</title><script type='
                                     '"module">import * as c from "./check.mjs"; window.check = c;</script>')
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
    page.wait_for_function("window.check !== undefined")
    yield page, root
    page.close()
    httpd.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.xdist_group("pdf-forms")
def test_filled_forms_show_in_pdfjs(pdfs, filled, empty_ink, pdfjs):
    page, root = pdfjs
    total = 0
    for name, path in pdfs.items():
        (root / "filled" / path.name).write_bytes(filled[name])
        shown = page.evaluate("([url, scale]) => check.widgets(url, scale)", [f"filled/{path.name}", DPI / 72])
        assert sorted(w["name"] for w in shown) == sorted(empty_ink[name]), name
        for widget in shown:
            assert widget["value"] == (widget["exportValue"] if widget["checkBox"] else TEXT), (name, widget)
            assert widget["ink"] > empty_ink[name][widget["name"]] + 3, (name, widget)
            total += 1
    assert total >= 300


@pytest.mark.xdist_group("pdf-forms")
def test_form_filled_in_pdfjs_shows_in_poppler(pdfs, empty_ink, pdfjs, tmp_path):
    """Filled in Firefox, printed from a poppler viewer (Evince, Okular): ticks and text show."""
    page, _ = pdfjs
    for name, path in pdfs.items():
        saved = base64.b64decode(page.evaluate("([url, text]) => check.fillAndSave(url, text)",
                                               [f"pdf/{path.name}", TEXT]))
        after = poppler_ink(saved, path, tmp_path, name)
        assert not not_shown(empty_ink[name], after), (name, not_shown(empty_ink[name], after))


# --- Links ----------------------------------------------------------------------------------------


def words(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.xdist_group("pdf-forms")
def test_links_read_as_their_text(pdfs, pdfjs, content):
    page, _ = pdfjs
    checked = 0
    for name, path in pdfs.items():
        for found in page.evaluate("url => check.links(url)", f"pdf/{path.name}"):
            annotations, elements = found["annotations"], found["elements"]
            assert not any(e["nested"] for e in elements), (name, found["page"])  # no link in a link
            assert sum(e["annotations"] for e in elements) == len(annotations), (name, found["page"])
            texts = [" ".join(e["text"].split()) for e in elements]
            for annot in annotations:
                # never the target instead of the text, unless the visible text is the address itself
                assert annot["contents"] != annot["target"] or words(annot["target"]) in map(words, texts), (name, annot)
                assert any(words(annot["contents"]) == words(t) for t in texts), (name, annot, texts)
                checked += 1
            assert not any(re.search(r"\.\s*\.", t) for t in texts), (name, texts)  # leader dots
    for pack in content.packs:  # the table of contents: one link per entry, and the sources
        toc = page.evaluate("url => check.links(url)", f"pdf/{pack.id}.pdf")[0]
        assert len(toc["elements"]) == len(toc["annotations"]) == len(pack.entries) + 1
        assert all(e["annotations"] == 1 for e in toc["elements"])
        assert "".join(toc["artifacts"]).count(".") > 20  # the leaders are there, as artifacts
        assert re.fullmatch(r"Källor \d+", toc["annotations"][-1]["contents"])
    assert checked > len(content.packs)


def test_structure_and_parent_tree_agree(pdfs):
    """Every tagged piece of page content belongs to the element the parent tree names, every
    annotation in the tree is on its page, and qpdf finds no syntax problem: nothing was left
    dangling when links were joined and leaders made artifacts."""
    for name, path in pdfs.items():
        assert_consistent(path, name)


def assert_consistent(path: Path, name: str) -> None:
    with pikepdf.open(path) as pdf:
        assert not pdf.check_pdf_syntax(), name
        parents = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        pages = {page.objgen: page for page in pdf.pages}
        marked = {}  # (page, MCID) -> element holding it
        for element in struct_elements(pdf):
            kids = element.K if isinstance(element.get("/K"), pikepdf.Array) else [element.get("/K")]
            for kid in kids:
                if isinstance(kid, int):
                    marked[(element.Pg.objgen, kid)] = element
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    marked[(kid.get("/Pg", element.get("/Pg")).objgen, int(kid.MCID))] = element
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    annot = kid.Obj
                    assert parents[int(annot.StructParent)].objgen == element.objgen, name
                    page = pages[kid.get("/Pg", element.get("/Pg")).objgen]
                    assert any(a.objgen == annot.objgen for a in page.get("/Annots") or []), name
        for objgen, page in pages.items():
            in_content = {int(ops[1].MCID) for ops, op in pikepdf.parse_content_stream(page)
                          if str(op) == "BDC" and isinstance(ops[1], pikepdf.Dictionary) and "/MCID" in ops[1]}
            in_tree = {m for (p, m) in marked if p == objgen}
            assert in_content == in_tree, (name, sorted(in_content ^ in_tree)[:10])
            if in_content:
                entry = parents[int(page.StructParents)]
                for mcid in in_content:
                    assert entry[mcid].objgen == marked[(objgen, mcid)].objgen, (name, mcid)


# --- Independent checker --------------------------------------------------------------------------


def test_pdfua_checker_finds_no_errors_or_warnings(pdfs, monkeypatch):
    import pdfua
    from pdfua.rules import structure

    # pdfua 0.1.3 asks a pikepdf array for an attribute and crashes on every heading with two
    # parts (/K [a b]), so its empty-heading rule would be skipped: read such a /K as no number.
    original = structure.as_integer
    monkeypatch.setattr(structure, "as_integer",
                        lambda v: None if isinstance(v, pikepdf.Array) else original(v))
    for name, path in pdfs.items():
        report = pdfua.validate(str(path))
        found = [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings
                 if f.severity >= pdfua.Severity.WARNING]
        assert not found, (name, found)
        assert not report.skipped, (name, [s.rule_id for s in report.skipped])


# --- The PDF cache ----------------------------------------------------------------------------


def test_cache_key_covers_the_post_process(content, tmp_path, monkeypatch):
    from generator.outputs import pdf_access

    job = pdfmod.jobs(content, ROOT)[0]
    changed = tmp_path / "pdf_access.py"
    changed.write_text(Path(pdf_access.__file__).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    before = job.key()
    monkeypatch.setattr(pdf_access, "__file__", str(changed))
    assert job.key() != before


# --- Any document to come (a whole guide, new packs): the post-process is not tuned to ours -------


ANY = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Ett provdokument</title><style>{css}</style></head>
<body><form><h1 id="start">Provdokument</h1>
<p>Läs hos <a href="https://www.migrationsverket.se/Privatpersoner/Skydd-och-asyl-i-Sverige/Nar-du-har-fatt-beslut-om-asyl/Om-du-har-fatt-avslag.html">Migrationsverket om vad som händer efter ett avslag på ansökan om asyl för barn utan vårdnadshavare</a>
och hos <a href="https://example.org/bo"><strong>Barnombudsmannen</strong> och BO</a>. Ring <a href="tel:116000">116 000</a>.
Se <a href="#tabell">tabellen nedan</a>.</p>
<h2 id="tabell">Tabell</h2>
<table><tbody><tr><th>Aktör</th><th>Ansvar</th></tr><tr><th>Skolan</th><td>Undervisning</td></tr></tbody></table>
<h2>Del A</h2>
<label for="a-datum">Datum</label><input type="text" id="a-datum" name="a-datum">
<input type="checkbox" id="a-klart" name="a-klart"><label for="a-klart">Klart</label>
<h2>Del B</h2>
<label for="b-datum">Datum</label><input type="text" id="b-datum" name="b-datum">
<label for="b-datum2">Datum</label><input type="text" id="b-datum2" name="b-datum2">
<label for="andel">Andel</label><input type="text" id="andel" name="andel" value="0,55 Åö">
<button type="submit">Räkna ut</button>
</form></body></html>"""


def test_post_process_reads_any_document(tmp_path, monkeypatch):
    job = pdfmod.Job("prov", ANY.format(css=pdfmod.PRINT_CSS.read_text(encoding="utf-8")), str(ROOT / "docs"))
    path = tmp_path / "prov.pdf"
    path.write_bytes(pdfmod._render(job))
    with pikepdf.open(path) as pdf:
        names = sorted(str(w.TU) for _, w in widgets(pdf))
        assert names == ["Andel", "Datum – Del A", "Datum – Del B (1)", "Datum – Del B (2)", "Klart"]
        assert all(isinstance(f, pikepdf.Dictionary) for f in pdf.Root.AcroForm.Fields)  # <button> left junk
        preset = next(w for _, w in widgets(pdf) if w.T == "andel")
        page = poppler_pages(path.read_bytes(), tmp_path, "prov")[0]
        assert ink(page, preset.Rect, float(pdf.pages[0].MediaBox[3])) > 10  # its value shows
        links = [e for e in struct_elements(pdf) if e.S == "/Link"]
        objrs = [[k.Obj for k in (e.K if isinstance(e.K, pikepdf.Array) else [e.K])
                  if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"] for e in links]
        assert [len(o) for o in objrs] == [2, 1, 1, 1]  # the first breaks over two lines
        assert [str(o[0].Contents) for o in objrs] == [
            "Migrationsverket om vad som händer efter ett avslag på ansökan om asyl för barn utan vårdnadshavare",
            "Barnombudsmannen och BO", "116 000", "tabellen nedan"]
        assert str(objrs[0][1].Contents) == str(objrs[0][0].Contents)
        annots = [a for p in pdf.pages for a in p.get("/Annots") or [] if a.Subtype == "/Link"]
        assert len(annots) == 5  # the link around <strong> is not two
        scopes = [str(e.A.Scope) for e in struct_elements(pdf) if e.S == "/TH"]
        assert scopes == ["/Column", "/Column", "/Row"]
    test_pdfua_checker_finds_no_errors_or_warnings({"prov": path}, monkeypatch)
    assert not strict_findings(path)
    assert_consistent(path, "prov")


# --- The strictest checkers: page-validation (PDF/UA-1) and outloud (what a reader gets) ----------

# outloud warnings that are wrong for our PDFs, each with the reason (the lead's note repeats it):
EXPLAINED = {
    # Lines near the top or bottom of a page that recur on three pages: in the whole guide these
    # are body text that happens to land there (the pact notice "Beskriver reglerna före …" above
    # a section, items of a chapter's source list), read once each, not running lines.
    "PAG-001": "body text near a page edge",
    # Addresses printed as text: in guidance text written without a link (www.skolverket.se). The
    # e-mail addresses of the contacts chapter are links (pages.py, _link_for_print).
    "LNK-010": "addresses in the guidance text",
}


def continued_tables(path: Path) -> list[tuple[str, list[int]]]:
    """(text of the header row, pages) of each table that goes on over pages, as outloud reads
    them. Such a table is one /Table (pdf_access joins its parts) and its header row drawn again
    on the next pages is an artifact. outloud looks for a table on its first page only, so it
    finds a ruled grid without a table (TBL-014, a warning) on the next pages."""
    from outloud.model import Document
    from outloud.rules._common import element_text

    doc = Document(str(path))
    try:
        found = []
        for table in doc.elements_of("Table"):
            pages = sorted({r.page + 1 for e in [table, *table.descendants()] for r in e.mcrefs if r.page is not None})
            head = next((k for k in table.children if k.type == "THead"), None)
            if len(pages) > 1 and head is not None:
                found.append((element_text(doc, head), pages))
        return found
    finally:
        doc.close()


def excused(finding, tables: list[tuple[str, list[int]]]) -> bool:
    """Whether an outloud warning is about the next pages of a table that goes on over pages."""
    return finding.rule == "TBL-014" and any(finding.page in pages[1:] for _, pages in tables)


def strict_findings(path: Path) -> list[str]:
    """What page-validation fails and what outloud reports as an error, or warns about for a
    reason not explained above."""
    from pdf_checkers import findings

    found = findings(path)
    tables = continued_tables(path) if any(f.rule == "TBL-014" for f in found) else []
    return [str(f) for f in found
            if f.severity in ("failure", "error")
            or (f.severity == "warning" and f.rule not in EXPLAINED and not excused(f, tables))]


def test_strict_checkers_find_nothing(pdfs):
    """Every PDF of the site: the checklists, the forms, the packs and the whole guide."""
    found = {name: strict_findings(path) for name, path in pdfs.items()}
    assert not any(found.values()), {name: f for name, f in found.items() if f}



# --- A filled form read aloud, in the order of its tag tree ---------------------------------------

FORM = "samverkansmote-individ"  # a form of two pages, with fields side by side


def read_aloud(path: Path) -> list[tuple[str, str]]:
    """What a screen reader says, in the order of the tag tree (as outloud reads the tree, not
    our post-process): ("text", words) for each element's own text, ("field", "name: value")
    for each form field."""
    from outloud.model import Document
    from outloud.rules._common import element_text

    doc = Document(str(path))
    try:
        said = []
        for element in doc.elements:
            own = " ".join(element_text(doc, element, include_children=False).split())
            if own:
                said.append(("text", own))
            for objgen in element.objrs:
                field = doc.pdf.get_object(objgen)
                field = field if "/T" in field else field.Parent
                value = (str(field.get("/V", "")) if field.get("/FT") == "/Tx"
                         else "kryssad" if str(field.get("/V", "/Off")) != "/Off" else "inte kryssad")
                said.append(("field", f"{field.TU}: {value}"))
        return said
    finally:
        doc.close()


def test_filled_form_read_aloud_is_what_a_sighted_reader_sees(pdfs, html_of, tmp_path):
    """The text, in the order a sighted reader reads the pages: every word once, the running
    title and page numbers not at all, the source and review date once, at the end (as the
    site's pages end); each field with its label and the value typed in, where it stands."""
    path = tmp_path / f"{FORM}.pdf"
    path.write_bytes(fill_with_pypdf(pdfs[FORM]))
    said = read_aloud(path)
    footer = " ".join(html.unescape(re.sub(r"<[^>]+>|\{#.*?#\}", "", re.search(
        r'<div class="running-footer"[^>]*>(.*?)</div>', html_of[FORM], re.S).group(1))).split())
    pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 2 and len(pages) >= len(pdf.pages)
        seen = ""
        for number, page in enumerate(pages[:len(pdf.pages)], 1):
            text = words(page).replace(words(footer), "", 1)  # a running line on every page
            assert words(f"Sida {number} av {len(pdf.pages)}") in text
            seen += text.replace(words(f"Sida {number} av {len(pdf.pages)}"), "", 1)
        fields = sorted(((number, -round(float(w.Rect[3]) / 5), float(w.Rect[0])), w if "/T" in w else w.Parent)
                        for number, w in widgets(pdf))
        in_place = [f"{field.TU}: {TEXT if field.FT == '/Tx' else 'kryssad'}" for _, field in fields]
    # The words, in order (poppler reads the values of fields side by side after both labels, a
    # screen reader each after its own label: the fields are compared next)
    heard = "".join(words(t) for kind, t in said if kind == "text")
    assert heard == seen.replace(words(TEXT), "") + words(footer)  # the footer once, at the end
    assert [t for kind, t in said if kind == "field"] == in_place  # every field, in the order it stands
    for i, (kind, t) in enumerate(said):  # a text field right after its label, a tick box before it
        if kind == "field":
            label = words(t.split(": ")[0].split(" – ")[0])
            near = said[max(0, i - 3):i] if not t.endswith("kryssad") else said[i + 1:i + 4]
            assert label in words(" ".join(t for _, t in near)), (t, near)


def test_a_table_over_pages_is_one_table(pdfs):
    """A table broken over pages is one table for a screen reader (one table of all its rows, its
    header row read once), not a table per page with the header row again."""
    from outloud.model import Document
    from outloud.rules._common import element_text

    spanning = 0
    for name, path in pdfs.items():
        doc = Document(str(path))
        try:
            heads = [element_text(doc, head) for table in doc.elements_of("Table")
                     for head in table.children if head.type == "THead"]
        finally:
            doc.close()
        assert all(a != b for a, b in zip(heads, heads[1:])), name  # no table again with the same header row
        spanning += len(continued_tables(path))
    assert spanning >= 4  # the action plan, on its own and in packs, and the tables of the whole guide
