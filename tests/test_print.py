"""Printing without a terminal: the ready-made packs, the whole guide as one PDF, the print
composer page (printed in Chromium), and clean browser print of every page."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import pytest
from pypdf import PdfReader

from conftest import article_text
from generator.content.review import swedish_date
from generator.outputs import links
from generator.outputs import pdf as pdfmod
from generator.pipeline import OFFLINE_ZIP
from generator.sitemap import GUIDE_CHAPTERS
from generator.views import printed
from generator.views.pages import Renderer


def words(text: str) -> str:
    """Text without spaces, soft hyphens and hyphens, lower case: robust to line breaks; and
    ligatures as their letters (a PDF's text may hold "ﬁ" where the font drew one glyph)."""
    return re.sub(r"[\s\u00ad\-–]+", "", unicodedata.normalize("NFKC", text)).lower()


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(p.extract_text() for p in reader.pages)


def outline_titles(outline) -> list[str]:
    found = []
    for item in outline:
        found += outline_titles(item) if isinstance(item, list) else [item.title]
    return found


@pytest.fixture(scope="module")
def guide(site):
    return PdfReader(site / "pdf" / f"{pdfmod.GUIDE}.pdf")


@pytest.fixture(scope="module")
def guide_words(guide):
    return words(pdf_text(guide))


# --- the whole guide --------------------------------------------------------------------------


def six_kinds(content) -> dict[str, list[str]]:
    """Every item of the six kinds of content, as the texts a reader must find."""
    actors = [t for a in content.actors.actors for t in [a.name, a.summary, *(r.text for r in a.responsibilities)]]
    housing = [t for h in content.housing.housing_types for t in [h.name, *h.advantages, *h.challenges]]
    housing += [p.text for p in content.housing.choosing.points]
    signs = [s.text for g in content.signs.groups for s in g.signs]
    collaboration = [t for lv in content.collaboration.levels
                     for t in [lv.name, lv.purpose, *lv.participants, *lv.activities]]
    collaboration += [p.text for p in content.collaboration.success_factors.points]
    school = [content.school.right_to_school.title, *content.school.right_to_school.school_forms]
    school += [t for r in content.school.routines for t in (r.name, r.text)]
    contacts = [t for region in content.regions for c in region.contacts
                for t in (c.name, c.role, c.organisation, c.email)]
    return {"aktörer": actors, "boendeformer": housing, "varningssignaler": signs,
            "samverkan": collaboration, "skola": school, "kontakter": contacts}


@pytest.mark.xdist_group("whole-guide")  # in one test process: they share the parsed guide
def test_whole_guide_holds_every_item_of_the_six_kinds(guide_words, content):
    kinds = six_kinds(content)
    assert all(kinds.values())
    for kind, texts in kinds.items():
        missing = [t for t in texts if words(t) not in guide_words]
        assert not missing, f"{kind}: {missing[:5]}"


@pytest.mark.xdist_group("whole-guide")
def test_whole_guide_numbered_chapters_contents_and_bookmarks(guide, content):
    titles = outline_titles(guide.outline)
    contents = guide.pages[1].extract_text()
    renderer = Renderer(content)
    for number, slug in enumerate(GUIDE_CHAPTERS, 1):
        heading = f"{number}. {renderer.print_section(slug).title}"
        assert heading in titles, heading  # a bookmark per chapter, numbered
        found = re.search(re.escape(heading) + r"[ .]*?(\d+)\s*$", contents, re.M)
        assert found, heading
        page = int(found.group(1))  # the contents' page number is where the chapter starts
        assert words(heading) in words(guide.pages[page - 1].extract_text()), heading
    for c in content.checklists:  # appendices
        assert c.title in titles and c.title in " ".join(contents.split())
    assert "Källor" in titles and "Bilagor: checklistor och blanketter" in titles


@pytest.mark.xdist_group("whole-guide")
def test_whole_guide_dates_sources_and_pact_notice(guide, guide_words, content):
    start = words(guide.pages[0].extract_text() + guide.pages[2].extract_text())
    updated = swedish_date(printed.guide_updated(content))
    assert words(f"Senast uppdaterad {updated}") in start
    assert words(f"Innehållet granskat {swedish_date(content.last_reviewed)}") in start
    assert words(content.site.pact_notice) in guide_words
    flagged = [a for a in content.actors.actors if a.asylum_pact]
    assert flagged
    notice = words(f"Beskriver reglerna före {swedish_date(content.site.pact_date)}")
    assert guide_words.count(notice) >= len(flagged)  # by each flagged item, as on the site
    cited = {c.source for f in content.guidance for c in Renderer(content).page_citations(f)}
    for source_id in cited:
        assert words(content.sources[source_id].title) in guide_words, source_id
    assert guide_words.count(words("Källor och granskning")) >= len(GUIDE_CHAPTERS)  # each chapter


@pytest.mark.xdist_group("whole-guide")
def test_whole_guide_is_tagged_pdf_ua_with_unique_fields(guide):
    root = guide.trailer["/Root"]
    assert root["/Lang"] == "sv" and "/StructTreeRoot" in root
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    names = [str(f.get_object()["/T"]) for f in root["/AcroForm"]["/Fields"]]
    assert names and len(names) == len(set(names))


def test_whole_guide_is_linked_from_the_start_and_checklists_pages(site):
    for page in ("index.html", "checklistor/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert re.search(r'href="(\.\./)?pdf/hela-vagledningen\.pdf"', html), page
        assert re.search(r'href="(\.\./)?utskriftspaket/"', html), page


# --- ready-made packs -------------------------------------------------------------------------


def test_a_pack_for_each_collaboration_level_and_for_new_roles(content):
    levels = {lv.id for lv in content.collaboration.levels}
    by_level = [p.level for p in content.packs if p.level]
    assert sorted(by_level) == sorted(levels)  # one pack per level, each naming a real level
    checklists = {c.id: c for c in content.checklists}
    for pack in content.packs:
        assert pack.meeting, pack.id
        if pack.level:  # that level's agenda and checklist, and its section of the guidance
            agenda = [e.checklist for e in pack.entries if e.checklist
                      and checklists[e.checklist].parts and any(pt.group == pack.level for pt in checklists[e.checklist].parts)]
            assert agenda, pack.id
            assert any(e.section == f"samverkan#{pack.level}" for e in pack.entries), pack.id
    intros = [p for p in content.packs if not p.level]
    assert any("god man" in p.title.lower() for p in intros)
    assert any("skola" in p.title.lower() for p in intros)


def test_every_pack_and_the_guide_have_resolving_links_and_bookmarks(site, content):
    for name in [p.id for p in content.packs] + [pdfmod.GUIDE]:
        path = site / "pdf" / f"{name}.pdf"
        report = links.LinkReport()
        links._check_pdf(path, name, report)
        assert not report.broken, report.broken
        assert report.checked > 0, name  # the contents page links into the document
        reader = PdfReader(path)

        def walk(outline):
            for item in outline:
                if isinstance(item, list):
                    yield from walk(item)
                else:
                    yield item

        marks = list(walk(reader.outline))
        assert len(marks) > 3, name
        for mark in marks:
            number = reader.get_destination_page_number(mark)
            assert 0 <= number < len(reader.pages), (name, mark.title)


def test_checklists_page_lists_every_pack_plainly(site, content):
    text = article_text(site / "checklistor" / "index.html")
    html = (site / "checklistor" / "index.html").read_text(encoding="utf-8")
    for pack in content.packs:
        pages = len(PdfReader(site / "pdf" / f"{pack.id}.pdf").pages)
        assert f'href="../pdf/{pack.id}.pdf"' in html
        assert " ".join(pack.meeting.split()) in text, pack.id
        assert f"{pack.title} ({pages} sidor)" in text, pack.id  # read from the rendered PDF
        for title in Renderer(content).pack_contents(pack):
            assert title in text, (pack.id, title)
    guide_pages = len(PdfReader(site / "pdf" / f"{pdfmod.GUIDE}.pdf").pages)
    assert f"({guide_pages} sidor)" in text
    # No commands, files or codes: a trainer has a browser, not a terminal.
    for word in ("guide pack", "README", "--", "make ", ".yml", "terminal", "kommando"):
        assert word not in text, word
    assert "<code>" not in html.split('<article', 1)[1]
    for ident in [p.id for p in content.packs] + [c.id for c in content.checklists]:
        assert ident not in text, ident


# --- the print composer -----------------------------------------------------------------------


def print_composer(browser, url, ticks, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(url)
    for box in ticks:
        page.check(f"#{box}")
    # the fonts only print uses (e.g. 600 for field labels) in before printing: on a busy machine
    # the PDF was otherwise made with a fallback font, whose text did not always read back
    page.emulate_media(media="print")
    page.evaluate("document.fonts.ready.then(() => true)")
    document = page.pdf(format="A4")
    storage = page.evaluate("() => [document.cookie, localStorage.length, sessionStorage.length]") \
        if javascript else ["", 0, 0]
    context.close()
    reader = PdfReader(io.BytesIO(document))
    return [p.extract_text() for p in reader.pages], storage


def test_composer_prints_the_two_ticked_parts_and_nothing_else(browser, server, content):
    level, other = content.collaboration.levels[-1], content.collaboration.levels[0]
    checklist = next(c for c in content.checklists if c.id == "om-ett-barn-forsvinner")
    ticks = [f"up-samverkan-{level.id}", f"up-checklista-{checklist.id}"]
    pages, storage = print_composer(browser, f"{server}/utskriftspaket/", ticks)
    assert storage == ["", 0, 0]  # nothing stored
    cover, rest = words(pages[0]), [words(p) for p in pages[1:]]
    assert words("Utskriftspaket") in cover
    assert words(level.name) in cover and words(checklist.title) in cover  # the cover lists both
    assert words(level.purpose) not in cover  # ... and holds nothing else
    body = "".join(rest)
    assert words(level.purpose) in body and all(words(a) in body for a in level.activities)
    resolved = printed.resolve(checklist, content)
    missing = [text for part in resolved for _, text in part.items if words(text) not in body]
    assert not missing, missing
    # Each part starts on a new page.
    first = next(i for i, p in enumerate(rest) if words(level.purpose) in p)
    second = next(i for i, p in enumerate(rest) if words(checklist.title) in p)
    assert first != second
    # Not the others: no other level, checklist, chapter or the page around the parts.
    everything = cover + body
    assert words(other.purpose) not in everything
    for c in content.checklists:
        if c.id != checklist.id:
            assert words(c.title) not in everything, c.id
    assert words(content.actors.actors[0].summary) not in everything
    assert words("Sätt ihop ett eget utskriftspaket") not in everything
    assert words("Alla roller") not in everything and words("Skriv ut valda delar") not in everything


def test_composer_prints_ticked_parts_without_javascript(browser, server, content):
    group = content.signs.groups[0]
    pages, _ = print_composer(browser, f"{server}/utskriftspaket/", [f"up-varningssignaler-{group.id}"],
                              javascript=False)
    body = words("".join(pages))
    assert all(words(s.text) in body for s in group.signs)
    assert words(content.signs.groups[1].signs[0].text) not in body


def test_composer_works_in_the_offline_copy(browser, site, tmp_path, content):
    with zipfile.ZipFile(site / OFFLINE_ZIP) as archive:
        archive.extractall(tmp_path)
    url = (tmp_path / "vagledning" / "utskriftspaket.html").as_uri()
    region = content.regions[0]
    pages, storage = print_composer(browser, url, [f"up-kontakter-{region.id}"])
    assert storage == ["", 0, 0]
    assert words(region.region) in words(pages[0])  # the cover lists it (the script ran)
    assert all(words(c.email) in words("".join(pages[1:])) for c in region.contacts)


def test_composer_offers_every_chapter_and_checklist(site, content):
    html = (site / "utskriftspaket" / "index.html").read_text(encoding="utf-8")
    for slug in GUIDE_CHAPTERS:
        assert f'data-kapitel="{slug}"' in html, slug
    for c in content.checklists:
        assert f'id="up-checklista-{c.id}"' in html, c.id
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<script" not in article  # no inline script (the page's script is a file)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


# --- every page prints cleanly ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "aktorer/", "kontakter/", "checklistor/"])
def test_printed_page_ends_with_sources_and_review_date(browser, server, path):
    page = browser.new_page()
    page.goto(f"{server}/{path}")
    title = page.inner_text("article h1").replace("¶", "").strip()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
    page.close()
    flat = " ".join(text.split())
    assert flat.startswith(title)  # no header, announcement or navigation before the content
    tail = flat[flat.rindex("Källor och granskning"):]
    assert "Senast granskad" in tail and "Ansvarig för innehållet" in tail
    assert "Föregående" not in tail and "Nästa" not in tail and "Sök" not in flat.split()


def test_printed_page_shows_where_external_links_go(browser, server, content):
    page = browser.new_page()
    page.goto(f"{server}/kallor/")
    # A link whose text is not its address, as a hand-written page may have one.
    page.evaluate("""() => { const a = document.createElement("a"); a.href = "https://exempel.se/las-mer";
        a.textContent = "Läs mer hos exemplet"; document.querySelector("article p").append(a); }""")
    text = words(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages))
    page.close()
    assert words("Läs mer hos exemplet (https://exempel.se/las-mer)") in text
    urls = [s.url for s in content.sources.values() if s.url]
    for url in urls:  # shown as the link's text, and only once for each source
        expected = sum(words(u).count(words(url)) for u in urls)  # one URL may begin another
        assert text.count(words(url)) == expected, url


def test_composer_fits_a_phone(browser, server):
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(f"{server}/utskriftspaket/")
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.close()
    assert width[0] <= width[1], width
