"""The PDFs as a trainer and a screen reader get them: fields, labels, tags, language,
fonts, every source item in the text, links from the site, and byte-identical rebuilds."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from pypdf import PdfReader

from conftest import ROOT
from generator.outputs import pdf as pdfmod


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


def test_rebuild_is_byte_identical_and_cached(site, content, tmp_path):
    """A PDF whose inputs are unchanged is taken from the cache; one that is missing is rendered,
    and rendering gives the same bytes every time. The cache starts as the project's (built by
    `site`), less the two quickest PDFs: every PDF rendered from cold is what a clean clone's
    first build does (CI), and the whole guide takes a third of that."""
    root = tmp_path
    (root / "docs").symlink_to(pdfmod.PRINT_CSS.parents[3] / "docs")
    shutil.copytree(ROOT / pdfmod.CACHE_DIR, root / pdfmod.CACHE_DIR, copy_function=os.link)
    quickest = sorted(pdfmod.jobs(content, root), key=lambda j: len(j.html))[:2]
    for job in quickest:
        (root / pdfmod.CACHE_DIR / f"{job.name}-{job.key()}.pdf").unlink()
    first = pdfmod.render_pdfs(content, root, tmp_path / "a", workers=2)
    assert {name for name, rendered in first.items() if rendered} == {job.name for job in quickest}
    for name in first:  # the cached ones are the site's
        assert (tmp_path / "a" / f"{name}.pdf").read_bytes() == (site / "pdf" / f"{name}.pdf").read_bytes(), name
    second = pdfmod.render_pdfs(content, root, tmp_path / "b")
    assert not any(second.values())  # nothing changed: nothing rendered
    assert pdfmod._render(quickest[0]) == (tmp_path / "a" / f"{quickest[0].name}.pdf").read_bytes()


def test_ready_made_pack_has_cover_contents_and_bookmarks(site, content):
    assert content.packs
    for pack in content.packs:
        reader = PdfReader(site / "pdf" / f"{pack.id}.pdf")
        assert reader.metadata.title == pack.title
        cover = reader.pages[0].extract_text()
        assert pack.title in cover and "Mötespaket" in cover
        contents = reader.pages[1].extract_text()
        titles = [o.title for o in reader.outline if not isinstance(o, list)]
        for entry in pack.entries:
            if entry.checklist:
                title = next(c.title for c in content.checklists if c.id == entry.checklist)
                assert title in titles
                assert re.search(re.escape(title[:30]) + r".*?\s(\d+)\s*$", contents, re.M | re.S)
        numbers = [int(n) for n in re.findall(r"\.\s*(\d+)\s*$", contents, re.M)]
        assert numbers == sorted(numbers) and numbers[-1] <= len(reader.pages)  # real page numbers
        fields = [str(f.get_object()["/T"]) for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]
        assert len(fields) == len(set(fields))
    overview = (site / "checklistor" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="../pdf/{p.id}.pdf"' in overview for p in content.packs)


def test_guide_pack_from_the_command_line(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).parent.parent
    out = tmp_path / "paket.pdf"
    result = subprocess.run([sys.executable, "-m", "generator.commands.cli", "pack", "--titel", "Inför nätverksmöte",
                             "--checklista", "samverkan-skola", "--avsnitt", "skola#samverkansrutiner",
                             "-o", str(out)], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Inför nätverksmöte" in text and "Samverkansrutiner kring det enskilda barnet" in text
    from test_pdf_access import strict_findings

    assert not strict_findings(out)  # page-validation and outloud, as on the site's PDFs
    bad = tmp_path / "paket.yml"
    bad.write_text("id: x\ntitel: T\nsyfte: S\ninnehåll:\n  - checklista: finnsinte\n  - avsnitt: ingen-sida\n",
                   encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator.commands.cli", "pack", str(bad)],
                            capture_output=True, text=True, cwd=root)
    assert result.returncode == 1
    assert f"{bad}:5: innehåll › nr 1 › checklista" in result.stderr
    assert f"{bad}:6: innehåll › nr 2 › avsnitt" in result.stderr
