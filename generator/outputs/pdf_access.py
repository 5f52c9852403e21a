"""Finish every PDF WeasyPrint writes, so screen readers and every viewer read it right.

WeasyPrint 70 leaves gaps in its tagged, fillable PDFs. This module closes them in one
place, after rendering, for checklists, forms, packs and any PDF to come:

- form fields: the accessible name (/TU) is the field's label as written in the HTML, with
  normal spaces (WeasyPrint takes it from the laid-out text and loses the space where a
  label wraps), and unique within the document: a repeated label gets its heading as context;
- form fields show their value in every viewer: each text field and each check box state has
  its own appearance stream and a font in /DA, and nothing relies on /NeedAppearances
  (which poppler answers by redrawing check boxes empty); a value set in the HTML is drawn;
- table header cells say which way they apply (/Scope); a table broken over pages is one table
  (WeasyPrint tags its rows on each new page as a table of their own, with the header row again:
  that copy of the header row is page furniture);
- links: /Contents is the link's visible text, not an internal id; a link that WeasyPrint
  nested into itself (text, leader, page number in a table of contents) is one link, and
  leader dots are artifacts, not text a screen reader reads out; links print (/F Print);
- list items hold a label and a body (LBody), nothing else; elements with no content go;
  a list marker is painted where it is read, before its item (WeasyPrint paints every marker
  of a page last, so tools that follow the paint order read "1." after the whole list);
- the page margins (running title, footer, page number) are artifacts, except the one
  running line the HTML marks `data-pdf-tag="once"`: its last copy is body text at the end of
  the tag tree, so a screen reader reads a checklist's source and review date once;
- fonts: no glyph's ToUnicode is U+0000, U+FEFF or U+FFFE (PDF/UA-1 forbids them; the form
  font, embedded whole, maps a zero-width glyph to U+FEFF).

The result depends only on the input, so rebuilds stay byte-identical.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from html.parser import HTMLParser

import pikepdf
from pikepdf import Array, Dictionary, Name

LEADER_CHARS = set(". \u00a0\u2026\u00b7_")  # what leader() draws, and the space around it
CONTEXT_DASH = " \u2013 "  # "Datum – Riskbeteenden …"


def make_accessible(pdf: bytes, html: str) -> bytes:
    """The PDF WeasyPrint wrote from `html`, with the gaps above closed."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        _drop_stray_entries(doc)
        if "/StructTreeRoot" in doc.Root:
            tree = _StructTree(doc)
            tree.drop_stray_references()
            _scope_headers(tree)
            _fix_links(doc, tree)
            _join_split_tables(doc, tree)
            _list_bodies(tree)
            _artifact_orphans(doc, tree, _tagged_once(html))
            _drop_empty(tree)
            _paint_markers_in_place(doc, tree)
            tree.simplify()
        _fix_to_unicode(doc)
        if "/AcroForm" in doc.Root:
            _name_fields(doc, field_labels(html))
            _add_appearances(doc)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
        return out.getvalue()


def fix_to_unicode(pdf: bytes) -> bytes:
    """An untagged PDF (a local edition's stamp) with only the font gap above closed."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        _fix_to_unicode(doc)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
        return out.getvalue()


def _drop_stray_entries(doc: pikepdf.Pdf) -> None:
    """WeasyPrint 70 writes stray values (None, 0, "R") for a <button> into the page's /Annots
    and the form's /Fields, where only dictionaries belong (and a Form element: see
    _StructTree.drop_stray_references)."""
    lists = [page.obj for page in doc.pages if "/Annots" in page.obj]
    lists += [doc.Root.AcroForm] if "/AcroForm" in doc.Root else []
    for owner in lists:
        key = "/Annots" if "/Annots" in owner else "/Fields"
        entries = owner.get(key)
        if isinstance(entries, Array) and not all(isinstance(e, Dictionary) for e in entries):
            owner[key] = Array([e for e in entries if isinstance(e, Dictionary)])
    if "/AcroForm" in doc.Root:  # radio buttons: a group's kids are listed again as fields of their own
        fields = doc.Root.AcroForm.get("/Fields", Array())
        kids = {k.objgen for f in fields for k in f.get("/Kids", Array()) if isinstance(k, Dictionary)}
        doc.Root.AcroForm.Fields = Array([f for f in fields if f.objgen not in kids])


# --- Accessible names of form fields --------------------------------------------------------


class _Form(HTMLParser):
    """Labels, fields and the headings around each field, as the HTML has them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: dict[str, str] = {}  # field id -> label text
        self.fields: dict[str, tuple[str, tuple[str, str]]] = {}  # name -> (id, (h1, h2))
        self.headings = ["", ""]
        self._open: list[tuple[str, str]] = []  # (tag, key) of labels and headings being read
        self._text: dict[tuple[str, str], str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self._start(tag, attrs["for"])
        elif tag in ("h1", "h2"):
            self._start(tag, tag)
        elif tag in ("input", "textarea", "select") and attrs.get("name"):
            self.fields[attrs["name"]] = (attrs.get("id") or "", (self.headings[0], self.headings[1]))

    def _start(self, tag: str, key: str) -> None:
        self._open.append((tag, key))
        self._text[(tag, key)] = ""

    def handle_endtag(self, tag):
        if not self._open or self._open[-1][0] != tag:
            return
        key = self._open.pop()
        text = " ".join(self._text.pop(key).split())
        if tag == "label":
            self.labels[key[1]] = text
        else:
            self.headings = [text, ""] if tag == "h1" else [self.headings[0], text]

    def handle_data(self, data):
        for key in self._open:
            self._text[key] += data


def field_labels(html: str) -> dict[str, str]:
    """Field name -> accessible name: its label's text, with context where a label repeats."""
    form = _Form()
    form.feed(html)
    form.close()
    base = {name: form.labels.get(fid, "") for name, (fid, _) in form.fields.items()}
    groups: dict[str, list[str]] = defaultdict(list)
    for name, label in base.items():
        groups[label].append(name)
    names = dict(base)
    for label, members in groups.items():
        if len(members) < 2 or not label:
            continue
        options = []
        for context in (lambda h1, h2: [h2], lambda h1, h2: [h1], lambda h1, h2: [h1, h2]):
            options.append([CONTEXT_DASH.join([label] + [c for c in context(*form.fields[n][1]) if c and c != label])
                            for n in members])
        labelled = max(options, key=lambda o: len(set(o)))  # the first that tells most of them apart
        for text in set(labelled):  # the same label under the same headings: number them
            if labelled.count(text) > 1:
                numbers = iter(range(1, len(labelled) + 1))
                labelled = [f"{t} ({next(numbers)})" if t == text else t for t in labelled]
        names.update(zip(members, labelled))
    return names


def _name_fields(doc: pikepdf.Pdf, labels: dict[str, str]) -> None:
    for field in _fields(doc):
        label = labels.get(str(field.get("/T", "")))
        if label:
            field.TU = pikepdf.String(label)


def _fields(doc: pikepdf.Pdf):
    """Every terminal field (a field with no /Kids of its own)."""
    stack = list(doc.Root.AcroForm.get("/Fields", Array()))[::-1]
    while stack:
        field = stack.pop()
        if not isinstance(field, Dictionary):
            continue
        kids = field.get("/Kids")
        if kids is not None and any("/T" in k for k in kids):
            stack.extend(list(kids)[::-1])
        else:
            yield field


# --- Appearance streams -----------------------------------------------------------------------

_TF = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")


def _add_appearances(doc: pikepdf.Pdf) -> None:
    """An appearance for every field state and a font in /DA, so /NeedAppearances can go."""
    form = doc.Root.AcroForm
    fonts = form.get("/DR", Dictionary()).get("/Font", Dictionary())
    default = _form_font(doc, fonts)
    form.DA = pikepdf.String(f"/{default[0]} {default[1]} Tf 0 g")
    if "/NeedAppearances" in form:
        del form["/NeedAppearances"]
    for field in _fields(doc):
        match = _TF.search(str(field.get("/DA", "")))
        font, size = match.groups() if match and f"/{match.group(1)}" in fonts else default
        field.DA = pikepdf.String(f"/{font} {size} Tf 0 g")
        for widget in field.get("/Kids") or [field]:
            x0, y0, x1, y1 = (float(v) for v in widget.Rect)
            widget.Rect = Array([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)])
            box = [0, 0, abs(x1 - x0), abs(y1 - y0)]
            if field.get("/FT") in ("/Tx", "/Ch"):
                value = field.get("/V", "")
                value = str(value[0] if isinstance(value, Array) and len(value) else value)
                content = _text(value, fonts[f"/{font}"], font, float(size), box, field.get("/Ff", 0) & 4096)
                resources = Dictionary(Font=Dictionary({f"/{font}": fonts[f"/{font}"]}))
                widget.AP = Dictionary(N=_xobject(doc, content, box, resources))
            elif field.get("/FT") == "/Btn":
                normal = widget.get("/AP", Dictionary()).get("/N", Dictionary())
                states = {k: v for k, v in normal.items() if k != "/Off"} if isinstance(normal, Dictionary) else {}
                if not states:
                    raise ValueError(f"Kryssrutan {field.get('/T')} saknar utseende för ikryssad ruta.")
                states["/Off"] = _xobject(doc, b"q\nQ\n", box, Dictionary())  # empty: the page draws the box
                widget.AP = Dictionary(N=Dictionary(states))
                if "/AS" not in widget:
                    widget.AS = Name.Off


def _text(value: str, font: Dictionary, name: str, size: float, box: list[float], multiline: bool) -> bytes:
    """A text field's appearance: its value (if any) in the field's font, as a viewer draws it."""
    if not value:
        return b"/Tx BMC\nEMC\n"
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else None
    if descendant is None or descendant.get("/CIDToGIDMap") != "/Identity" or "/FontFile2" not in descendant.FontDescriptor:
        raise ValueError(f"Fältets typsnitt {name} går inte att skriva ett förifyllt värde med.")
    program = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
    glyphs = program.getBestCmap() or {}
    missing = sorted({c for c in value if c != "\n" and ord(c) not in glyphs})
    if missing:
        raise ValueError(f"Förifyllt värde {value!r}: tecknen {''.join(missing)} finns inte i typsnittet.")
    lines = value.split("\n") if multiline else [value.replace("\n", " ")]
    top = box[3] - 2 - size if multiline else (box[3] - size) / 2 + size * 0.22
    shown = "\n".join(f"<{''.join(f'{program.getGlyphID(glyphs[ord(c)]):04x}' for c in line)}> Tj 0 {-size * 1.2:.2f} Td"
                       for line in lines)
    return (f"/Tx BMC\nq\n1 1 {box[2] - 2:.2f} {box[3] - 2:.2f} re W n\nBT\n/{name} {size:g} Tf 0 g\n"
            f"2 {top:.2f} Td\n{shown}\nET\nQ\nEMC\n").encode()


def _form_font(doc: pikepdf.Pdf, fonts: Dictionary) -> tuple[str, str]:
    """The font and size WeasyPrint gave text fields, or the first regular font of the form."""
    for field in _fields(doc):
        match = _TF.search(str(field.get("/DA", "")))
        if match and f"/{match.group(1)}" in fonts:
            return match.group(1), match.group(2)
    names = sorted(str(k)[1:] for k in fonts.keys())
    regular = [n for n in names if "Bold" not in str(fonts[f"/{n}"].get("/BaseFont", ""))]
    if not (regular or names):
        raise ValueError("Formuläret har inget typsnitt att visa fälten med.")
    return (regular or names)[0], "10"


def _xobject(doc: pikepdf.Pdf, content: bytes, box: list[float], resources: Dictionary) -> pikepdf.Stream:
    return doc.make_stream(content, Type=Name.XObject, Subtype=Name.Form, BBox=Array(box),
                           Resources=resources)


# --- The structure tree: table headers and links ----------------------------------------------


class _StructTree:
    def __init__(self, doc: pikepdf.Pdf) -> None:
        self.doc = doc
        self.root = doc.Root.StructTreeRoot
        self.parent_tree = pikepdf.NumberTree(self.root.ParentTree)

    def elements(self, node=None, parent=None):
        """(element, parent) for every structure element, in document order."""
        stack = [(node if node is not None else self.root, parent)]
        while stack:
            node, parent = stack.pop()
            if not isinstance(node, Dictionary) or node.get("/Type") in ("/MCR", "/OBJR"):
                continue
            if "/S" in node:
                yield node, parent
            stack.extend((kid, node if "/S" in node else parent) for kid in reversed(_kids(node)))

    def drop_stray_references(self) -> None:
        """WeasyPrint 70 tags a <button> as a Form element pointing at no annotation: drop it."""
        for element, parent in list(self.elements()):
            kids = _kids(element)
            good = [k for k in kids if not (_is_objr(k) and not isinstance(k.get("/Obj"), Dictionary))]
            if len(good) == len(kids):
                continue
            if good or parent is None:
                element.K = Array(good)
                continue
            parent.K = Array([k for k in _kids(parent) if not (isinstance(k, Dictionary) and k.objgen == element.objgen)])
            for key, value in list(self.parent_tree.items()):
                if isinstance(value, Dictionary) and value.objgen == element.objgen:
                    del self.parent_tree[key]

    def simplify(self) -> None:
        """/K [x] becomes /K x: the same meaning, and checkers that expect it can read it."""
        for element, _ in list(self.elements()):
            kids = element.get("/K")
            if isinstance(kids, Array) and len(kids) == 1:
                element.K = kids[0]


def _kids(node: Dictionary) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _scope_headers(tree: _StructTree) -> None:
    """/Scope on every TH: Column in a header row, Row where a row also has data cells."""
    for row, _ in tree.elements():
        if row.S != "/TR":
            continue
        cells = [k for k in _kids(row) if isinstance(k, Dictionary) and k.get("/S") in ("/TH", "/TD")]
        in_head = str(row.get("/P", Dictionary()).get("/S", "")) == "/THead"
        scope = Name.Column if in_head or all(c.S == "/TH" for c in cells) else Name.Row
        for cell in cells:
            if cell.S == "/TH":
                _set_table_attribute(cell, "/Scope", scope)


def _join_split_tables(doc: pikepdf.Pdf, tree: _StructTree) -> None:
    """A table whose next part, on the next page, follows it directly in the tag tree with the
    same header row gets that part's rows; the header row drawn again leaves the tree (and
    becomes an artifact with the page margins, see _artifact_orphans)."""
    order = {ref: n for n, (ref, _) in enumerate(_marked_in_order(tree.root, None))}
    texts = _MarkedText({page.objgen: page for page in doc.pages})
    current = None
    for table, parent in list(tree.elements()):
        if table.S != "/Table":
            continue
        if current is not None and _continues(current, table, order, texts):
            _append_rows(tree, current, table, parent)
        else:
            current = table


def _parts(table: Dictionary) -> tuple[Dictionary | None, list[Dictionary]]:
    """A table's header row group (THead) and its other row groups or rows."""
    kids = [k for k in _kids(table) if isinstance(k, Dictionary) and "/S" in k]
    head = next((k for k in kids if k.S == "/THead"), None)
    return head, [k for k in kids if k is not head and k.get("/S") != "/THead"]


def _continues(first: Dictionary, second: Dictionary, order: dict, texts: "_MarkedText") -> bool:
    (head1, _), (head2, rest) = _parts(first), _parts(second)
    if head1 is None or head2 is None or not rest:
        return False
    mine = [order[ref] for ref, _ in _marked_in_order(first, first.get("/Pg")) if ref in order]
    theirs = [order[ref] for ref, _ in _marked_in_order(second, second.get("/Pg")) if ref in order]
    if not mine or not theirs or min(theirs) != max(mine) + 1:  # nothing in between
        return False

    def header(head):
        refs = [ref for ref, _ in _marked_in_order(head, head.get("/Pg"))]
        return [" ".join(texts.get(texts.pages[page], mcid)[0].split()) for page, mcid in refs], len(refs)

    return header(head1) == header(head2) and [len(r) for r in _cells(head1)] == [len(r) for r in _cells(head2)]


def _cells(head: Dictionary) -> list[list[Dictionary]]:
    return [[c for c in _kids(row) if isinstance(c, Dictionary) and c.get("/S") in ("/TH", "/TD")]
            for row in _kids(head) if isinstance(row, Dictionary) and row.get("/S") == "/TR"]


def _append_rows(tree: _StructTree, first: Dictionary, second: Dictionary, parent: Dictionary) -> None:
    head1, groups1 = _parts(first)
    head2, groups2 = _parts(second)
    same = {str(b.get("/ID")): a.get("/ID") for row1, row2 in zip(_cells(head1), _cells(head2))
            for a, b in zip(row1, row2) if "/ID" in b and "/ID" in a}
    body = groups1[-1] if groups1 and groups1[-1].S != "/TR" else first
    rows = []
    for group in groups2:
        for row in ([group] if group.S == "/TR" else _kids(group)):
            if not (isinstance(row, Dictionary) and "/S" in row):
                continue
            page = row.get("/Pg", group.get("/Pg", second.get("/Pg")))
            if "/Pg" not in row and page is not None:
                row.Pg = page
            row.P = body
            for cell in _kids(row):  # header references to the header row drawn again: to the first
                attributes = cell.get("/A") if isinstance(cell, Dictionary) else None
                for a in [attributes] if isinstance(attributes, Dictionary) else list(attributes or []):
                    if isinstance(a, Dictionary) and "/Headers" in a:
                        a.Headers = Array([same.get(str(h), h) for h in a.Headers])
            rows.append(row)
    body.K = Array(_kids(body) + rows)
    parent.K = Array([k for k in _kids(parent) if not (isinstance(k, Dictionary) and k.objgen == second.objgen)])


def _set_table_attribute(element: Dictionary, key: str, value) -> None:
    attributes = element.get("/A")
    owned = [attributes] if isinstance(attributes, Dictionary) else list(attributes or [])
    for a in owned:
        if isinstance(a, Dictionary) and a.get("/O") == "/Table":
            a[key] = value
            return
    table = Dictionary(O=Name.Table)
    table[key] = value
    element.A = table if not owned else Array([*owned, table])


def _fix_links(doc: pikepdf.Pdf, tree: _StructTree) -> None:
    """One Link element per link, leader dots as artifacts, the visible text as /Contents."""
    pages = {page.objgen: page for page in doc.pages}
    _merge_split_links(tree)
    texts = _MarkedText(pages)
    artifacts: dict[tuple[int, int], set[int]] = defaultdict(set)
    for link, parent in list(tree.elements()):
        if link.S != "/Link" or _inside_link(parent) or link.get("/Pg") is None:
            continue
        found = _LinkParts(tree, texts)
        kids = found.rebuild(link, link, link.Pg)
        annots = found.annotations
        kept = [a for a, page in annots  # an annotation inside another one of the link goes
                if not any(b.objgen != a.objgen and _same(page, other) and _contains(b, a) for b, other in annots)]
        for annot, page in annots:
            if all(annot.objgen != k.objgen for k in kept):
                _remove_annotation(tree, pages, annot, page)
        for page, mcid in found.leaders:
            artifacts[page.objgen].add(mcid)
        label = _join(found.pieces)
        for annot in kept:
            if label:
                annot.Contents = pikepdf.String(label)
            if "/StructParent" in annot:
                tree.parent_tree[int(annot.StructParent)] = link
        link.K = Array([found.objrs[annot.objgen] for annot in kept] + kids)
    for objgen, mcids in artifacts.items():
        _make_artifacts(doc, tree, pages[objgen], mcids)
    for page in doc.pages:  # a link prints as it shows (without /F a printer may leave it out)
        for annot in page.get("/Annots") or []:
            if isinstance(annot, Dictionary) and annot.get("/Subtype") == "/Link":
                annot.F = int(annot.get("/F", 0)) | 4


def _merge_split_links(tree: _StructTree) -> None:
    """A link broken over two lines is two Link elements in a row with one target: make it one."""
    for element, _ in list(tree.elements()):
        kids = element.get("/K")
        if not isinstance(kids, Array):
            continue
        merged: list = []
        for kid in kids:
            previous = merged[-1] if merged else None
            if (_is_link(kid) and _is_link(previous) and _target(kid) is not None
                    and _target(kid) == _target(previous)):
                page = kid.get("/Pg")
                moved = [Dictionary(Type=Name.MCR, Pg=page, MCID=k) if isinstance(k, int) and page is not None
                         and page.objgen != previous.get("/Pg", page).objgen else k for k in _kids(kid)]
                for k in moved:
                    if isinstance(k, Dictionary) and "/S" in k:
                        k.P = previous
                previous.K = Array(_kids(previous) + moved)
            else:
                merged.append(kid)
        if len(merged) != len(kids):
            element.K = Array(merged)


def _is_link(node) -> bool:
    return isinstance(node, Dictionary) and node.get("/S") == "/Link"


def _target(link: Dictionary) -> str | None:
    for kid in _kids(link):
        if _is_objr(kid):
            action = kid.Obj.get("/A", Dictionary())
            target = kid.Obj.get("/Dest") or action.get("/URI") or action.get("/D")
            return None if target is None else repr(target)
    return None


def _is_objr(kid) -> bool:
    return isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR"


class _LinkParts:
    """The annotations, text and leader dots of one Link element, with nested Links unwrapped."""

    def __init__(self, tree: _StructTree, texts: "_MarkedText") -> None:
        self.tree, self.texts = tree, texts
        self.annotations: list[tuple[Dictionary, object]] = []  # (annotation, page)
        self.objrs: dict[tuple[int, int], Dictionary] = {}  # annotation -> its reference in the tree
        self.pieces: list[tuple[str, float, bool]] = []  # (text, baseline, is leader) in reading order
        self.leaders: list[tuple[object, int]] = []  # (page, MCID) to make artifacts

    def rebuild(self, node: Dictionary, holder: Dictionary, page) -> list:
        """`node`'s kids as `holder` keeps them: annotations taken out (the link holds them),
        a nested Link replaced by its kids, leader dots left out."""
        kids = []
        for kid in _kids(node):
            if _is_objr(kid):
                self.annotations.append((kid.Obj, kid.get("/Pg", page)))
                self.objrs[kid.Obj.objgen] = kid
            elif isinstance(kid, Dictionary) and "/S" in kid:
                if kid.S == "/Link":
                    kids += self.rebuild(kid, holder, kid.get("/Pg", page))
                else:
                    inner = self.rebuild(kid, kid, kid.get("/Pg", page))
                    if inner:
                        kid.K, kid.P = Array(inner), holder
                        kids.append(kid)
            else:
                mcid, where = (int(kid.MCID), kid.get("/Pg", page)) if isinstance(kid, Dictionary) else (int(kid), page)
                if where is None:
                    kids.append(kid)
                    continue
                text, baseline = self.texts.get(where, mcid)
                leader = text.strip() != "" and set(text) <= LEADER_CHARS
                self.pieces.append(("" if leader else text, baseline, leader))
                if leader:
                    self.leaders.append((where, mcid))
                    continue
                own = holder.get("/Pg")
                kids.append(mcid if own is not None and own.objgen == where.objgen
                            else Dictionary(Type=Name.MCR, Pg=where, MCID=mcid))
                _reparent(self.tree, where, mcid, holder)
        return kids


def _join(pieces: list[tuple[str, float, bool]]) -> str:
    """Text pieces of one link as one line: a space where a line breaks or a leader was left out."""
    text, previous, gap = "", None, False
    for piece, baseline, leader in pieces:
        if leader:
            gap = True
            continue
        if previous is not None and (gap or baseline != previous):
            text += " "
        text, previous, gap = text + piece, baseline, False
    return " ".join(text.split())


def _inside_link(element) -> bool:
    while isinstance(element, Dictionary) and "/S" in element:
        if element.S == "/Link":
            return True
        element = element.get("/P")
    return False


def _contains(outer: Dictionary, inner: Dictionary) -> bool:
    a, b = _box(outer.Rect), _box(inner.Rect)
    return a[0] <= b[0] + 0.01 and a[1] <= b[1] + 0.01 and a[2] >= b[2] - 0.01 and a[3] >= b[3] - 0.01


def _same(page, other) -> bool:
    return page is not None and other is not None and page.objgen == other.objgen


def _box(rect) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in rect)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _reparent(tree: _StructTree, page, mcid: int, element) -> None:
    """The parent tree says which element holds each marked-content item of a page."""
    key = page.get("/StructParents")
    entry = tree.parent_tree.get(int(key)) if key is not None else None
    if entry is not None and mcid < len(entry):
        entry[mcid] = element


def _remove_annotation(tree: _StructTree, pages: dict, annot: Dictionary, page) -> None:
    owner = annot.get("/P") if annot.get("/P") is not None else page
    owner = pages.get(owner.objgen) if owner is not None else None
    if owner is not None and "/Annots" in owner:
        owner.Annots = Array([a for a in owner.Annots if a.objgen != annot.objgen])
    if "/StructParent" in annot:
        tree.parent_tree.pop(int(annot.StructParent), None)


def _make_artifacts(doc: pikepdf.Pdf, tree: _StructTree, page, mcids: set[int], instructions: list | None = None) -> None:
    """Turn the marked content `mcids` of a page into artifacts, out of the structure tree
    (`instructions`: its content stream, if already parsed)."""
    instructions = pikepdf.parse_content_stream(page) if instructions is None else instructions
    for i, instruction in enumerate(instructions):
        if str(instruction.operator) == "BDC":
            mcid = _mcid(instruction.operands)
            if mcid in mcids:
                instructions[i] = pikepdf.ContentStreamInstruction([Name.Artifact], pikepdf.Operator("BMC"))
    page.Contents = doc.make_stream(pikepdf.unparse_content_stream(instructions))
    for mcid in mcids:
        _reparent(tree, page, mcid, None)


def _artifact_orphans(doc: pikepdf.Pdf, tree: _StructTree, once: str | None = None) -> None:
    """Marked content whose element is not in the structure tree (WeasyPrint 70 does this to
    the page margins: running title, footer, page number) becomes an artifact: a running line
    repeats on every page, and a screen reader should not read it on every page.

    `once`: the text of the running line to read once (a checklist's source and review date).
    Its copy on the last page that has it becomes a paragraph at the end of the tag tree,
    where it is painted too: after everything else on that page."""
    held = set()
    for element, _ in tree.elements():
        for kid in _kids(element):
            if isinstance(kid, int):
                held.add((element.Pg.objgen if element.get("/Pg") is not None else None, kid))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
                held.add((kid.get("/Pg", element.get("/Pg")).objgen, int(kid.MCID)))
    texts = _MarkedText({page.objgen: page for page in doc.pages})
    for page in reversed(doc.pages):
        instructions = pikepdf.parse_content_stream(page)
        orphans = [mcid for operands, operator in instructions
                   if str(operator) == "BDC" and (mcid := _mcid(operands)) is not None
                   and (page.objgen, mcid) not in held]
        found = _find_line(orphans, [texts.get(page, m)[0] for m in orphans], once) if once else []
        if found:
            _tag_at_end(tree, page, found)
            once = None  # the last copy only
        rest = set(orphans) - set(found)
        if rest:
            _make_artifacts(doc, tree, page, rest, instructions)


def _find_line(mcids: list[int], texts: list[str], line: str) -> list[int]:
    """The run of marked-content items, in the order they are painted, whose text is `line`."""
    target = "".join(line.split())
    for start in range(len(mcids)):
        joined = ""
        for end in range(start, len(mcids)):
            joined += "".join(texts[end].split())
            if not target.startswith(joined):
                break
            if joined == target:
                return mcids[start:end + 1]
    return []


def _tag_at_end(tree: _StructTree, page, mcids: list[int]) -> None:
    """A paragraph of the marked content `mcids` of a page, as the last element of the document."""
    top = tree.root.K
    document = top if isinstance(top, Dictionary) else None
    if isinstance(top, Array):
        document = next((k for k in top if isinstance(k, Dictionary) and k.get("/S") == "/Document"), None)
    holder = document if document is not None else tree.root
    page = page.obj if isinstance(page, pikepdf.Page) else page
    paragraph = tree.doc.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, P=holder, Pg=page,
                                                  K=Array(mcids)))
    holder.K = Array(_kids(holder) + [paragraph])
    entry = tree.parent_tree[int(page.StructParents)]
    for mcid in mcids:
        while len(entry) <= mcid:
            entry.append(None)
        entry[mcid] = paragraph


class _Marked(HTMLParser):
    """The text of the element marked data-pdf-tag="once"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.text = 0, None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif ("data-pdf-tag", "once") in attrs and self.text is None:
            self.depth, self.text = 1, ""

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def _tagged_once(html: str) -> str | None:
    parser = _Marked()
    parser.feed(html)
    parser.close()
    return " ".join(parser.text.split()) if parser.text else None


# --- Lists, empty elements, fonts ---------------------------------------------------------------


def _marked_in_order(element: Dictionary, page) -> list[tuple[tuple[tuple[int, int], int], bool]]:
    """((page, MCID), whether in a label) for the marked content under `element`, in tree order."""
    found = []

    def walk(node, page, label):
        page = node.get("/Pg", page) if isinstance(node, Dictionary) else page
        label = label or (isinstance(node, Dictionary) and node.get("/S") == "/Lbl")
        for kid in _kids(node):
            if isinstance(kid, int) and page is not None:
                found.append(((page.objgen, kid), label))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
                where = kid.get("/Pg", page)
                if where is not None:
                    found.append(((where.objgen, int(kid.MCID)), label))
            elif isinstance(kid, Dictionary) and "/S" in kid:
                walk(kid, page, label)

    walk(element, page, False)
    return found


_STATE_KEY = {"cs": "fill", "sc": "fill", "scn": "fill", "g": "fill", "rg": "fill", "k": "fill",
              "CS": "stroke", "SC": "stroke", "SCN": "stroke", "G": "stroke", "RG": "stroke", "K": "stroke"}
_STATE = {"cm", "w", "J", "j", "M", "d", "ri", "i", "gs", "CS", "cs", "SC", "SCN", "sc", "scn", "G", "g", "RG", "rg",
          "K", "k", "Tc", "Tw", "Tz", "TL", "Tf", "Tr", "Ts"}


def _paint_markers_in_place(doc: pikepdf.Pdf, tree: _StructTree) -> None:
    """Each list marker (the marked content of an Lbl) painted just before the first content of
    its item, where the tag tree reads it: moved only where it is a block of its own (q … Q)
    and the graphics state there is the same, so the page looks exactly as before."""
    moves: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)  # page -> marker MCID -> item's first MCID
    for item, _ in tree.elements():
        if item.S != "/LI":
            continue
        marked = _marked_in_order(item, item.get("/Pg"))
        for n, ((page, mcid), label) in enumerate(marked):
            if label:
                target = next((m for (p, m), lab in marked[n + 1:] if p == page and not lab), None)
                if target is not None:
                    moves[page][mcid] = target
    for page in doc.pages:
        if page.objgen in moves:
            instructions = pikepdf.parse_content_stream(page)
            moved = _move_blocks(instructions, moves[page.objgen])
            if moved:
                page.Contents = doc.make_stream(pikepdf.unparse_content_stream(moved))


def _move_blocks(instructions: list, moves: dict[int, int]) -> list | None:
    """`instructions` with the block of each marked content `m` of `moves` (its BDC … EMC and
    the q … Q around it) moved to just before the BDC of `moves[m]`; None if nothing moved."""
    ops = [str(i.operator) for i in instructions]
    starts = {}  # MCID -> index of its BDC
    for n, instruction in enumerate(instructions):
        if ops[n] == "BDC" and (mcid := _mcid(instruction.operands)) is not None:
            starts[mcid] = n
    states, stack, state = [], [], {}
    setters: dict[tuple, object] = {}  # (op, values) -> an instruction that sets it
    for n, op in enumerate(ops):  # the graphics state before each instruction (the font aside:
        states.append(state)      # a block that moves sets its own)
        if op == "q":
            stack.append(state)
        elif op == "Q" and stack:
            state = stack.pop()
        elif op in _STATE and op != "Tf":
            value = tuple(str(o) for o in instructions[n].operands)
            key = _STATE_KEY.get(op, op)
            state = {**state, key: state.get(key, ()) + (value,) if op == "cm" else (op, value)}
            setters.setdefault((op, value), instructions[n])
    blocks: dict[int, tuple[int, int]] = {}  # target BDC index -> (first, last) of a block to move there
    restores: dict[int, list] = {}  # a moved block's first index -> the state it had, set again inside it
    taken: set[int] = set()
    for marker, target in sorted(moves.items()):
        if marker not in starts or target not in starts or starts[target] > starts[marker]:
            continue
        first, depth, last = starts[marker], 0, None
        for n in range(first, len(ops)):
            depth += {"BDC": 1, "BMC": 1, "EMC": -1}.get(ops[n], 0)
            if depth == 0:
                last = n
                break
        if last is None:
            continue
        while first > 0 and last + 1 < len(ops) and ops[first - 1] == "q" and ops[last + 1] == "Q":
            first, last = first - 1, last + 1
        inner = ops[first:last + 1]
        shows = [n for n, op in enumerate(inner) if op in ("Tj", "TJ", "'", '"')]
        restore = _restore_state(states[first], states[starts[target]], setters)
        if (inner[0] != "q" or inner.count("q") != inner.count("Q") or restore is None
                or not shows or "Tf" not in inner[:shows[0]] or "Do" in inner):
            continue
        if starts[target] in blocks:
            continue
        blocks[starts[target]] = (first, last)
        restores[first] = restore
        taken.update(range(first, last + 1))
    if not blocks:
        return None
    result = []
    for n, instruction in enumerate(instructions):
        if n in blocks:
            first, last = blocks[n]
            # the block's own q first, then the state it was painted with, then the block
            result.extend([instructions[first], *restores[first], *instructions[first + 1:last + 1]])
        if n not in taken:
            result.append(instruction)
    return result


def _restore_state(painted: dict, there: dict, setters: dict) -> list | None:
    """The instructions that give a block moved to where the state is `there` the state it was
    `painted` with (colours, transparency, text spacing); None if that cannot be done exactly:
    another transformation (cm), or something set there that the block never had."""
    if painted.get("cm") != there.get("cm") or any(k not in painted for k in there):
        return None
    return [setters[painted[k]] for k in sorted(painted) if k != "cm" and painted[k] != there.get(k)]


LIST_ITEM_KIDS = ("/Lbl", "/LBody")
TABLE_PARTS = ("/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD")


def _list_bodies(tree: _StructTree) -> None:
    """An LI holds a label (Lbl) and a body (LBody) only: whatever else WeasyPrint put in it (a
    paragraph of a loose list, a nested list) goes into an LBody of its own."""
    for item, _ in list(tree.elements()):
        if item.S != "/LI":
            continue
        kids = _kids(item)
        if all(isinstance(k, Dictionary) and k.get("/S") in LIST_ITEM_KIDS for k in kids):
            continue
        result: list = []
        body: list | None = None
        for kid in kids:
            if isinstance(kid, Dictionary) and kid.get("/S") in LIST_ITEM_KIDS:
                result.append(kid)
                body = None
                continue
            if body is None:
                body = []
                result.append(body)
            body.append(kid)
        item.K = Array([k if not isinstance(k, list) else _body(tree, item, k) for k in result])


def _body(tree: _StructTree, item: Dictionary, kids: list) -> Dictionary:
    body = tree.doc.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LBody, P=item))
    if item.get("/Pg") is not None:
        body.Pg = item.Pg
    for kid in kids:
        if isinstance(kid, Dictionary) and "/S" in kid:
            kid.P = body
        elif _is_objr(kid):
            if "/StructParent" in kid.Obj:
                tree.parent_tree[int(kid.Obj.StructParent)] = body
        elif isinstance(kid, Dictionary):  # a marked-content reference
            _reparent(tree, kid.get("/Pg", item.get("/Pg")), int(kid.MCID), body)
        else:
            _reparent(tree, item.Pg, int(kid), body)
    body.K = Array(kids)
    return body


def _drop_empty(tree: _StructTree) -> None:
    """Elements with no content, no alternative text and nothing below that has any (WeasyPrint
    writes an empty Span for an empty <span id>) go. Table cells stay: a table keeps its shape."""
    empty: dict[tuple[int, int], bool] = {}
    for element, _ in reversed(list(tree.elements())):  # children before their parents
        empty[element.objgen] = ("/Alt" not in element and "/ActualText" not in element and all(
            isinstance(k, Dictionary) and "/S" in k and empty.get(k.objgen, False) for k in _kids(element)))
    for element, _ in list(tree.elements()):
        kids = _kids(element)
        kept = [k for k in kids if not (isinstance(k, Dictionary) and "/S" in k and empty.get(k.objgen)
                                        and k.S not in TABLE_PARTS)]
        if len(kept) != len(kids):
            element.K = Array(kept)


_BFCHAR = re.compile(rb"\d+\s+beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


def _fix_to_unicode(doc: pikepdf.Pdf) -> None:
    """ToUnicode maps with no U+0000, U+FEFF or U+FFFE: a glyph mapped to U+FEFF (the zero-width
    no-break space of old) maps to U+2060 (word joiner, its meaning today), one mapped to
    U+0000 or U+FFFE to nothing (they are not text)."""
    def block(match: re.Match) -> bytes:
        pairs = []
        for src, dst in _PAIR.findall(match.group(1)):
            value = dst.upper()
            if value == b"FEFF":
                value = b"2060"
            if value not in (b"0000", b"FFFE"):
                pairs.append(b"<" + src + b"> <" + value + b">")
        return b"%d beginbfchar\n%s\nendbfchar" % (len(pairs), b"\n".join(pairs)) if pairs else b""

    for obj in doc.objects:
        if not (isinstance(obj, Dictionary) and obj.get("/Type") == "/Font" and "/ToUnicode" in obj):
            continue
        cmap = obj.ToUnicode.read_bytes()
        if not re.search(rb"<(?:0000|[Ff][Ee][Ff][Ff]|[Ff][Ff][Ff][Ee])>\s*$", cmap, re.M):
            continue
        obj.ToUnicode.write(_BFCHAR.sub(block, cmap))


def _mcid(operands) -> int | None:
    if len(operands) == 2 and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
        return int(operands[1].MCID)
    return None


class _MarkedText:
    """The text of each marked-content item of a page, decoded through the fonts' ToUnicode."""

    def __init__(self, pages: dict) -> None:
        self.pages = pages
        self.cache: dict[tuple[int, int], dict[int, tuple[str, float]]] = {}
        self.cmaps: dict[tuple[int, int], tuple[int, dict[int, str]]] = {}

    def get(self, page, mcid: int) -> tuple[str, float]:
        if page.objgen not in self.cache:
            self.cache[page.objgen] = self._read(self.pages[page.objgen])
        return self.cache[page.objgen].get(mcid, ("", 0.0))

    def _read(self, page) -> dict[int, tuple[str, float]]:
        fonts = page.get("/Resources", Dictionary()).get("/Font", Dictionary())
        result: dict[int, tuple[str, float]] = {}
        marked: list[int | None] = []
        font, baseline = None, 0.0
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                marked.append(_mcid(operands) if op == "BDC" else None)
            elif op == "EMC" and marked:
                marked.pop()
            elif op == "Tf":
                font = self._cmap(fonts[operands[0]]) if operands[0] in fonts else None
            elif op == "Tm":
                baseline = round(float(operands[5]), 2)
            elif op in ("Tj", "TJ", "'", '"') and font is not None:
                current = next((m for m in reversed(marked) if m is not None), None)
                if current is None:
                    continue
                strings = operands[-1] if op == "TJ" else [operands[-1]]
                text = "".join(_decode(bytes(s), font) for s in strings if isinstance(s, pikepdf.String))
                old = result.get(current, ("", baseline))
                result[current] = (old[0] + text, old[1])
        return result

    def _cmap(self, font: Dictionary) -> tuple[int, dict[int, str]]:
        if font.objgen not in self.cmaps:
            width = 2 if font.get("/Subtype") == "/Type0" else 1
            mapping: dict[int, str] = {}
            if "/ToUnicode" in font:
                mapping = _parse_to_unicode(font.ToUnicode.read_bytes().decode("latin-1"))
            self.cmaps[font.objgen] = (width, mapping)
        return self.cmaps[font.objgen]


def _decode(data: bytes, font: tuple[int, dict[int, str]]) -> str:
    width, mapping = font
    codes = [int.from_bytes(data[i:i + width], "big") for i in range(0, len(data), width)]
    return "".join(mapping.get(c, chr(c) if width == 1 else "") for c in codes)


def _parse_to_unicode(cmap: str) -> dict[int, str]:
    def text(hexes: str) -> str:
        return bytes.fromhex(hexes).decode("utf-16-be", "replace")

    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            lo, hi = int(lo, 16), int(hi, 16)
            if dst.startswith("["):
                for code, item in zip(range(lo, hi + 1), re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    mapping[code] = text(item)
            else:
                start = bytes.fromhex(dst[1:-1])
                for offset in range(hi - lo + 1):
                    value = int.from_bytes(start, "big") + offset
                    mapping[lo + offset] = value.to_bytes(len(start), "big").decode("utf-16-be", "replace")
    return mapping
