"""The PDFs as a trainer and a screen reader get them: fields, labels, tags, language,
fonts, every source item in the text, links from the site, and byte-identical rebuilds."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from generator import pdf as pdfmod


def words(text: str) -> str:
    return re.sub(r"[\s\u00ad-]+", "", text).lower()


@pytest.fixture(scope="module")
def pdfs(site, content):
    return {c.id: (c, PdfReader(site / "pdf" / f"{c.id}.pdf")) for c in content.checklists}


def test_every_checklist_has_a_pdf(pdfs, content):
    assert len(pdfs) == len(content.checklists) >= 10


def test_tagged_pdf_ua_with_language_title_and_bookmarks(pdfs):
    for cid, (checklist, reader) in pdfs.items():
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "sv", cid
        assert bool(root["/MarkInfo"]["/Marked"]), cid
        assert "/StructTreeRoot" in root, cid
        assert reader.metadata.title == checklist.title
        assert b"pdfuaid" in root["/Metadata"].get_object().get_data(), cid
        assert reader.outline and reader.outline[0].title == checklist.title


def test_fields_unique_and_labelled(pdfs, content):
    for cid, (checklist, reader) in pdfs.items():
        fields = [f.get_object() for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]
        names = [str(f["/T"]) for f in fields]
        assert len(names) == len(set(names)), cid
        parts = pdfmod.resolve(checklist, content)
        boxes = [f for f in fields if f["/FT"] == "/Btn"]
        ticks = [i for p in parts if p.display == "kryssrutor" for i in p.items]
        assert len(boxes) == len(ticks), cid  # one tick box per item
        to_fill = [i for p in parts if p.display == "fält" for i in p.items]
        labels = {str(f["/TU"]) for f in fields if f["/FT"] == "/Tx"}
        assert all(text in labels for _, text in to_fill), cid  # e.g. the police sheet
        for f in fields:
            label = str(f["/TU"])
            assert label and label != str(f["/T"]), f"{cid}: field {f['/T']} has no label"


def test_every_item_is_in_the_text(pdfs, content):
    for cid, (checklist, reader) in pdfs.items():
        text = words("".join(p.extract_text() for p in reader.pages))
        for part in pdfmod.resolve(checklist, content):
            for _, item in part.items:
                assert words(item) in text, f"{cid}: {item!r} missing"
        assert "sida1av" in text and "källa" in text, cid


def test_action_plan_matrix_is_landscape_with_every_area(pdfs, content):
    _, reader = pdfs["riskbaserad-handlingsplan"]
    box = reader.pages[0].mediabox
    assert box.width > box.height  # A4 landscape
    text = words("".join(p.extract_text() for p in reader.pages))
    for area in content.action_plan.areas:
        assert words(area.follow_up) in text
        for measure in area.measures:
            assert words(measure) in text, measure
    assert text.count(words("Område och möjliga tecken")) == len(reader.pages)  # header repeats


def test_fonts_are_the_shipped_font(pdfs):
    for cid, (_, reader) in pdfs.items():
        fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages
                 for f in p["/Resources"].get("/Font", {}).values()}
        assert fonts and all("Source-Sans-3" in f for f in fonts), (cid, fonts)


def test_linked_from_its_page_and_the_checklists_page(site, content):
    overview = (site / "checklistor" / "index.html").read_text(encoding="utf-8")
    for c in content.checklists:
        page = (site / c.page / "index.html").read_text(encoding="utf-8")
        assert f'href="../pdf/{c.id}.pdf"' in page, c.id
        assert f'href="../pdf/{c.id}.pdf"' in overview, c.id


def test_rebuild_is_byte_identical_and_cached(content, tmp_path):
    root = tmp_path
    (root / "docs").symlink_to(pdfmod.PRINT_CSS.parents[3] / "docs")
    first = pdfmod.render_pdfs(content, root, tmp_path / "a", workers=2)
    assert all(first.values())
    second = pdfmod.render_pdfs(content, root, tmp_path / "b")
    assert not any(second.values())  # nothing changed: nothing rendered
    job = pdfmod.jobs(content, root)[0]
    assert pdfmod._render(job) == (tmp_path / "a" / f"{job.name}.pdf").read_bytes()
