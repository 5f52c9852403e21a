"""A local edition's name on every page of its PDFs, without rendering them again.

An edition's PDFs are mostly the national ones: the whole guide, the packs and every checklist
the edition adds nothing to. Those are rendered once (pdf.py) and shared by every edition; each
edition stamps its name into its copies. The stamp is a line of text that WeasyPrint renders
once per edition (views/printed.stamp_html, untagged), put at the top right of every page, in the margin the
print stylesheet leaves free there, as page furniture (an /Artifact of type Pagination): a
screen reader does not read it on every page, a printed page shows where it comes from. Its
font is embedded, as PDF/UA-1 asks of every font, by WeasyPrint with the stamp.

The result depends only on the two inputs, so rebuilds stay byte-identical.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Dictionary, Name

MM = 72 / 25.4
RESOURCE = Name("/LokalUtgava")


def stamp_pdf(pdf: bytes, stamp: bytes, municipality: str) -> bytes:
    """`pdf` with the stamp's one page drawn at the top right of each of its pages, and the
    municipality after its title (what a viewer's tab and a screen reader announce first)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc, pikepdf.open(io.BytesIO(stamp)) as line:
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
            if meta.get("dc:title") and municipality not in meta["dc:title"]:
                meta["dc:title"] = f"{meta['dc:title']} – {municipality}"
        form = doc.copy_foreign(line.pages[0].as_form_xobject())
        _, _, width, height = (float(v) for v in line.pages[0].mediabox)
        for page in doc.pages:
            left, bottom, right, top = (float(v) for v in page.mediabox)
            landscape = right - left > top - bottom
            # the print stylesheet's right margin (18 mm, landscape 15 mm), and the middle of its
            # top margin (20 mm, landscape 15 mm), where the running title stands on the left
            x = right - (15 if landscape else 18) * MM - width
            y = top - (15 if landscape else 20) * MM / 2 - height / 2
            if Name.Resources not in page.obj:
                page.obj.Resources = Dictionary()
            if Name.XObject not in page.obj.Resources:
                page.obj.Resources.XObject = Dictionary()
            page.obj.Resources.XObject[RESOURCE] = form
            page.contents_add(doc.make_stream(b"q"), prepend=True)  # the page's own drawing, kept to itself
            page.contents_add(doc.make_stream(
                b"Q q /Artifact <</Type /Pagination /Subtype /Header>> BDC "
                + f"1 0 0 1 {x:.2f} {y:.2f} cm ".encode() + RESOURCE.unparse() + b" Do EMC Q"), prepend=False)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
        return out.getvalue()
