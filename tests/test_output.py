"""The output as a whole: links resolve (site and PDFs), two builds are identical, the offline
copy works from file:// with search, and the PDFs meet what open tools can check of PDF/UA-1."""

from __future__ import annotations

import filecmp
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT
from generator.pipeline import LINK_REPORT, OFFLINE_ZIP, build_site
from generator.outputs.links import check_site


# --- links ----------------------------------------------------------------------------------


def test_every_internal_link_and_anchor_resolves(site):
    report = check_site(site)
    assert report.broken == []
    assert report.checked > 2000  # every page's navigation, content links, anchors and PDF links
    assert any(url.startswith("https://") for url in report.external)


@pytest.mark.xdist_group("project-build")  # in one test process: a build from the project rewrites build/externa-lankar.md
def test_external_links_are_listed_with_their_pages(site):
    text = (ROOT / LINK_REPORT).read_text(encoding="utf-8")
    assert "- https://www.digg.se/tdosanmalan\n  - tillganglighet/index.html" in text
    report = check_site(site)
    for url in report.external:
        assert f"- {url}\n" in text


def test_a_broken_link_is_found(site, tmp_path):
    """The checker can fail: a page with a dead link, a dead anchor and a missing PDF."""
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "skola" / "index.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace("</article>", '<a href="../finns-inte/">x</a><a href="../aktorer/#saknas">y</a>'
                                      '<a href="../pdf/saknas.pdf">z</a></article>', 1)
    page.write_text(html, encoding="utf-8")
    broken = check_site(copy).broken
    assert len(broken) == 3 and all(b.startswith("skola/index.html") for b in broken)


def test_a_broken_link_in_a_pdf_is_found(site, tmp_path):
    """The PDF check can fail too: a link to a named destination that is not in the document,
    and one to a file on the computer that made it."""
    import pikepdf

    copy = tmp_path / "site"
    copy.mkdir()
    (copy / "pdf").mkdir()
    with pikepdf.open(site / "pdf" / "hela-vagledningen.pdf") as document:
        links = [a for page in document.pages for a in page.obj.get("/Annots") or []
                 if a.get("/Subtype") == "/Link" and a.get("/Dest") is not None]
        links[0].Dest = pikepdf.String("finns-inte")
        del links[1]["/Dest"]
        links[1].A = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("file:///tmp/x.html"))
        document.save(copy / "pdf" / "hela-vagledningen.pdf")
    broken = check_site(copy).broken
    assert len(broken) == 2, broken
    assert any("finns-inte" in b and "målet finns inte" in b for b in broken)
    assert any("file:///tmp/x.html" in b for b in broken)


def test_every_pdf_a_page_links_to_exists(site):
    linked = set()
    for page in site.rglob("*.html"):
        linked |= {m for m in re.findall(r'href="((?!https?:)[^"]+\.pdf)"', page.read_text(encoding="utf-8"))}
    assert len(linked) >= 14
    pdf_dir = site / "pdf"
    assert {Path(link).name for link in linked} <= {p.name for p in pdf_dir.glob("*.pdf")}


# --- deterministic output -------------------------------------------------------------------------


@pytest.mark.xdist_group("project-build")
def test_two_builds_are_identical(site, tmp_path):
    again = build_site(ROOT, tmp_path / "site")
    compared = filecmp.dircmp(site, again)
    differing: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str = "") -> None:
        differing.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        differing.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared)
    assert differing == []


# --- offline copy ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def offline_copy(site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(site / OFFLINE_ZIP) as archive:
        archive.extractall(folder)
    return folder / "vagledning"


def test_start_page_links_the_offline_zip(site):
    assert f'href="{OFFLINE_ZIP}"' in (site / "index.html").read_text(encoding="utf-8")


def test_offline_copy_works_from_file_with_search_and_no_request(browser, offline_copy):
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((offline_copy / "index.html").as_uri())
    page.click("text=Jag är god man")
    assert page.url.endswith("/jag-ar-god-man.html")
    assert "Ditt ansvar" in page.inner_text("article")
    page.click("a.akut-lank")
    assert page.url.endswith("/forsvinnande.html")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("familjehemmet", delay=15)
    page.wait_for_selector("a.md-search-result__link", timeout=10000)
    hits = page.eval_on_selector_all("a.md-search-result__link", "els => els.map(e => e.href)")
    assert any("boendeformer.html" in h for h in hits), hits
    assert requests and all(u.startswith("file://") for u in requests), [u for u in requests if not u.startswith("file:")]
    page.close()


def test_offline_copy_has_no_link_to_a_cdn(offline_copy):
    for page in offline_copy.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in html and "https://fonts." not in html, page


# --- PDF/UA-1, as far as open tools can check -------------------------------------------------------


def pdfs(site: Path) -> list[Path]:
    found = sorted((site / "pdf").glob("*.pdf"))
    assert len(found) >= 14
    return found


def test_pdfs_meet_the_checkable_parts_of_pdf_ua(site):
    for path in pdfs(site):
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "sv", path.name
        assert bool(root["/MarkInfo"]["/Marked"]), path.name
        assert "/StructTreeRoot" in root, path.name
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), path.name  # title, not file name
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert "pdfuaid:part" in xmp and "<dc:title>" in xmp, path.name
        assert reader.metadata.title, path.name
        for number, page in enumerate(reader.pages, 1):
            annots = [a.get_object() for a in page.get("/Annots") or []]
            if annots:
                assert page.get("/Tabs") == "/S", (path.name, number)  # tab order follows structure
            for annot in annots:
                assert "/StructParent" in annot, (path.name, number)  # every annotation is tagged
                if annot.get("/Subtype") == "/Link":
                    assert annot.get("/Contents"), (path.name, number)  # alternate description
            fonts = page["/Resources"].get("/Font", {})
            for font in fonts.values():
                font = font.get_object()
                descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                descriptor = descendant["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                    path.name, font.get("/BaseFont"))  # every font embedded
        for name, f in (reader.get_fields() or {}).items():
            assert f.get("/TU"), (path.name, name)  # every form field has a label
