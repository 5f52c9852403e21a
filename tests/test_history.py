"""Issue 10: content that is honest about time, held to its sources, with a public history.

Checked against the built site, its PDFs and the offline copy: the asylum pact in the past
tense with its notice wherever flagged content is shown (pages and PDFs), figures with their
periods, the claims that went beyond their sources gone, the missing material present, the
per-page history, the page Ändringar and its Atom feed, and the review notices and warnings.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from generator.content import review
from generator.views.history import History
from generator.content.load import load_content
from generator.sitemap import PAGE_SLUGS
from tests.conftest import ROOT, TODAY, article_text, page_html, pdf_text

ATOM = "{http://www.w3.org/2005/Atom}"
PACT_TITLE = "Beskriver reglerna före 12 juni 2026"


def own_text(path: Path) -> str:
    """A page's text without its change history (whose notes may quote what was removed)."""
    return article_text(path).split("Ändringar på sidan", 1)[0]


def all_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if "assets" not in p.parts and "pdf" not in p.parts)


# --- Honest about time ----------------------------------------------------------------------


def test_no_page_speaks_of_the_pact_or_the_reception_law_in_the_future(site):
    future = re.compile(r"(börjar (tillämpas|gälla)[^.]{0,20}(12 )?juni 2026|föreslås[^.]{0,80}1 oktober 2026"
                        r"|1 oktober 2026 föreslås|gäller från 12 juni 2026|uppdateras inte efter juni 2026)")
    for path in all_pages(site):
        text = article_text(path)
        assert not future.search(text), (path, future.search(text))
    assert "började tillämpas den 12 juni 2026" in article_text(site / "anvisning" / "index.html")


def test_reception_law_as_the_proposition_put_it_and_outcome_unconfirmed(site):
    text = article_text(site / "anvisning" / "index.html")
    law = text.split("En ny mottagandelag", 1)[1][:1500]
    assert "prop. 2025/26:229" in law and "1 oktober 2026" in law
    assert "föreslog" in law and "Källorna visar inte om lagen beslutades" in law
    glossary = article_text(site / "ordlista" / "index.html")
    assert "Källorna visar inte om lagen har beslutats" in glossary


def test_pact_notice_says_what_it_is(content, site):
    notice = content.site.pact_notice
    assert "före den 12 juni 2026" in notice and "ännu inte kontrollerad" in notice
    html = page_html(site, "asylprocess")
    assert html.count(PACT_TITLE) >= 5  # each phase


@pytest.mark.parametrize("page,anchor", [
    ("bakgrund", "bg-sa-fordelas-barnen"),
    ("anvisning", "an-sa-fungerar-modellen"),
    ("anvisning", "an-omfordelning-inom-lanet"),
    ("ordlista", "term-anvisningsmodell"),
    ("ordlista", "term-offentligt-bitrade"),
    ("ordlista", "term-medicinsk-aldersbedomning"),
    ("ordlista", "term-dagersattning"),
])
def test_content_the_pact_touches_is_flagged(site, page, anchor):
    html = page_html(site, page)
    part = html.split(f'id="{anchor}"', 1)[1]
    part = re.split(r"<h[23] ", part, maxsplit=1)[0]
    assert PACT_TITLE in part, (page, anchor)


ASYLUM_PDFS = ["asylprocess-ankomst", "asylprocess-vantan", "asylprocess-beslut", "asylprocess-efter-avslag",
               "asylprocess-atervandande", "checklista-riskfaktorer", "riskbaserad-handlingsplan"]


@pytest.mark.parametrize("name", ASYLUM_PDFS)
def test_pact_notice_in_every_asylum_pdf(site, name):
    text = pdf_text(site / "pdf" / f"{name}.pdf")
    assert PACT_TITLE in text and "ännu inte kontrollerad" in text


def test_pact_notice_only_where_flagged_content_is_shown(content, site):
    history = History(content)
    with_notice = {c.id for c in content.checklists if history.checklist_status(c).pact}
    assert set(ASYLUM_PDFS) <= with_notice
    without = [c.id for c in content.checklists if c.id not in with_notice]
    assert without, "some checklists show nothing the pact touches"
    for name in without:
        assert PACT_TITLE not in pdf_text(site / "pdf" / f"{name}.pdf"), name
    for pack in content.packs:
        text = pdf_text(site / "pdf" / f"{pack.id}.pdf")
        assert (PACT_TITLE in text) == history.pack_status(pack).pact
    assert any(history.pack_status(p).pact for p in content.packs)


# --- Every figure with its period and source ----------------------------------------------------


def test_figures_on_disappearances_say_their_period(site):
    text = article_text(site / "bakgrund" / "index.html")
    assert "Varje år" not in text.split("7–9 %", 1)[1][:300]
    assert "Flera år före 2024" in text
    row_35 = text.split("ca 35", 1)[1][:500]
    row_80 = text.split("ca 80", 1)[1][:500]
    assert "80" in row_35 and "olika perioder" in row_35
    assert "35" in row_80 and "annan period" in row_80
    for page in ("forsvinnande", "varningssignaler", "bakgrund", "ordlista"):
        body = article_text(site / page / "index.html")
        assert not re.search(r"Varje år (registreras|försvinner) 7–9", body), page
        assert "före 2024" in body, page


# --- Nothing beyond the sources ----------------------------------------------------------------------

REMOVED = {
    "bakgrund": ["alltid en överhängande risk", "riskerar alltid"],
    "forsvinnande": ["kan du förebygga försvinnanden", "ert barn försvunnit"],
    "om": ["minst en gång om året"],
    "jag-arbetar-hos-overformyndaren": ["tillsyn över de gode männen"],
    "ordlista": ["för det dagliga livet", "särskilt behov som dagersättningen", "tillsyn över vård och omsorg",
                 "Den ersatte socialtjänstlagen", "vård utan samtycke", "introduktionsprogram"],
    "barnkonventionen": ["Beakta alltid"],
}


@pytest.mark.parametrize("page", REMOVED)
def test_claims_beyond_the_sources_are_gone(site, page, seed_text):
    text = own_text(site / page / "index.html")
    for phrase in REMOVED[page]:
        assert phrase not in text, (page, phrase)
    assert "tillsyn över överförmyndarnas arbete" in article_text(site / "jag-arbetar-hos-overformyndaren" / "index.html")
    assert "kan ha en förebyggande effekt" in seed_text("002")
    assert "kan ha en förebyggande effekt" in article_text(site / "forsvinnande" / "index.html")


def test_citations_that_did_not_hold_the_claim_are_fixed(content):
    terms = {t.term: t for t in content.glossary.terms}
    assert "2.4.1 Anvisningar åren 2021 - 2025" in {c.section for c in terms["utjämnande anvisning"].citations}
    # "december" comes from 003; Länsstyrelsen Stockholm's page says 1 March
    assert "lst-stockholm-ensamkommande" not in {c.source for c in terms["andelstal"].citations}
    roles = {r.id: r for r in content.roles.roles}
    assert roles["jag-arbetar-hos-overformyndaren"].citations


# --- Words -----------------------------------------------------------------------------------


def test_slips_of_the_pen_are_fixed(site):
    for path in all_pages(site):
        text = own_text(path)
        for slip in ("Vad God man gör", "Vad Skolan gör", "stannar och bocka av", "ert barn försvunnit"):
            assert slip not in text, (path, slip)
    assert "God man: uppgifter och ansvar" in article_text(site / "aktorer" / "index.html")
    for pdf in (site / "pdf").glob("*.pdf"):
        assert "stanna sedan och bocka" not in pdf_text(pdf), pdf.name


# --- The material that was missing ------------------------------------------------------------------


@pytest.mark.parametrize("page,anchor,phrases", [
    ("ordlista", "term-ensamkommande-barn", ["utan medföljande vårdnadshavare"]),
    ("bakgrund", "bg-vem-ar-ensamkommande", ["utan medföljande vårdnadshavare", "räknas som ensamkommande"]),
    ("forsvinnande", "forsv-lansstyrelsernas-arbete",
     ["nationell kartläggning", "Länsstyrelsen Stockholm samordnade", "1 829", "regionala rutiner",
      "överrepresenterade bland polisanmälningar om människohandel"]),
    ("forsvinnande", "forsv-regeringsuppdraget-2022",
     ["Socialstyrelsen, Migrationsverket och Polismyndigheten", "nationell vägledning", "riskbedömning och skyddsåtgärder",
      "register", "varje år", "2 oktober 2023", "16 september 2024", "15 september 2025"]),
    ("anvisning", "an-barnens-roster", ["Civilsamhällets granskning från 2025"]),
    ("anvisning", "an-barnombudsmannens-rapporter",
     ["Vi lämnade allting och kom hit", "tre förslag", "lyssna på oss barn", "våga berätta om verkligheten"]),
    ("anvisning", "an-barnrattskommittens-rekommendationer", ["2023", "kvalificerad vårdnadshavare"]),
    ("anvisning", "an-civilsamhallets-slutsats", ["i stort sett inte har gjort några framsteg", "i linje med barnets bästa"]),
    ("anvisning", "an-kunskap-pa-omradet", ["plan för hur kompetens och erfarenhet kan spridas"]),
])
def test_missing_material_is_on_the_site_with_its_source(site, page, anchor, phrases):
    html = page_html(site, page)
    assert f'id="{anchor}"' in html
    part = html.split(f'id="{anchor}"', 1)[1]
    part = re.split(r"<h[23] ", part, maxsplit=1)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", part).split())
    for phrase in phrases:
        assert phrase in text, (anchor, phrase)
    assert "Källa:" in text or page == "ordlista" or "kallor/#" in part


# --- History on every page ------------------------------------------------------------------------


def test_every_page_shows_last_updated_and_its_history(site, content):
    pages = all_pages(site)
    assert len(pages) > 25
    for path in pages:
        html = path.read_text(encoding="utf-8")
        article = html.split("<article", 1)[1]
        assert re.search(r"Senast uppdaterad \d{1,2} \w+ 20\d\d\.", article), path
        if path.parent.name != "andringar":
            assert 'id="andringshistorik"' in article, path
    html = page_html(site, "anvisning")
    history = html.split('id="andringshistorik"', 1)[1]
    details = re.search(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>", history, re.S)
    assert details and "Visa alla ändringar" in details[1]
    correction = next(ch for ch in content.allocation.history if ch.kind == "rättelse")
    assert f"<strong>{review.swedish_date(correction.date)}</strong> (rättelse)" in details[2]


def test_last_updated_is_the_latest_major_change(content):
    history = History(content, today=TODAY)
    status = history.page_status("anvisning")
    majors = [ch.date for ch in content.allocation.history if ch.kind == "större"]
    assert status.updated == max(majors)
    assert [e.date for e in status.history] == sorted((e.date for e in status.history), reverse=True)


def test_history_opens_with_the_keyboard(browser, server, content):
    page = browser.new_page()
    page.goto(server + "/anvisning/")
    summary = page.locator("#andringshistorik + details > summary")
    details = page.locator("#andringshistorik + details")
    assert details.evaluate("d => d.open") is False
    assert summary.evaluate("s => s.tabIndex") == 0  # reachable with Tab
    summary.focus()
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open") is True
    newest = max(ch.date for ch in content.allocation.history)
    assert review.swedish_date(newest) in details.inner_text()
    page.close()


# --- The page Ändringar and the feed ---------------------------------------------------------------


def test_changes_page_lists_major_changes_newest_first_with_links(content, site):
    html = page_html(site, "andringar")
    items = re.findall(r"<li><strong>(.*?)</strong> – <a href=\"([^\"]+)\">", html)
    majors = History(content).major_changes()
    assert len(items) == len(majors) > 10
    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
              "oktober", "november", "december"]

    def day(text: str) -> datetime.date:
        d, m, y = text.split()
        return datetime.date(int(y), months.index(m) + 1, int(d))

    dates = [day(d) for d, _ in items]
    assert dates == sorted(dates, reverse=True)
    for _, href in items:
        assert (site / "andringar" / href).resolve().exists() or (site / "andringar" / href / "index.html").exists(), href
    assert 'href="../andringar.xml"' in html


def test_feed_is_atom_with_the_same_entries(content, site):
    feed = ET.parse(site / "andringar.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    entries = feed.findall(f"{ATOM}entry")
    majors = History(content).major_changes()
    assert len(entries) == len(majors)
    for entry, change in zip(entries, majors):
        assert entry.find(f"{ATOM}summary").text == change.note
        assert entry.find(f"{ATOM}updated").text.startswith(change.date.isoformat())
        assert entry.find(f"{ATOM}link").get("href").startswith("https://")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)


def test_every_page_announces_the_feed_in_its_head(site):
    for path in all_pages(site):
        head = path.read_text(encoding="utf-8").split("</head>", 1)[0]
        link = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', head)
        assert link, path
        assert not link[1].startswith(("http", "/")), link[1]  # relative: works from a folder too
        assert (path.parent / link[1]).resolve() == (site / "andringar.xml").resolve(), (path, link[1])


def test_feed_works_in_the_offline_copy(site, tmp_path):
    with zipfile.ZipFile(site / "vagledning-offline.zip") as archive:
        archive.extractall(tmp_path)
    offline = tmp_path / "vagledning"
    assert (offline / "andringar.xml").exists()
    page = (offline / "andringar.html").read_text(encoding="utf-8")
    assert 'href="andringar.xml"' in page
    head = (offline / "anvisning.html").read_text(encoding="utf-8").split("</head>", 1)[0]
    assert 'type="application/atom+xml"' in head and 'href="./andringar.xml"' in head


# --- Review that cannot be forgotten ------------------------------------------------------------------


def test_review_dates():
    assert review.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert review.add_months(datetime.date(2026, 11, 24), 12) == datetime.date(2027, 11, 24)
    state = review.state("x.yml", datetime.date(2025, 11, 1), 12)
    assert state.overdue(datetime.date(2026, 11, 2)) and not state.overdue(datetime.date(2026, 11, 1))
    assert state.due_soon(datetime.date(2026, 10, 10)) and not state.due_soon(datetime.date(2026, 9, 1))


def _guide(args: list[str], root: Path, today: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, GUIDE_TODAY=today, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(root), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT)


def test_check_warns_about_overdue_and_soon_due_files_but_succeeds(project_copy):
    months = load_content(project_copy, PAGE_SLUGS).site.review_months
    path = project_copy / "guidance" / "skola.yml"
    text = path.read_text(encoding="utf-8")
    late = review.add_months(TODAY, -months - 10)
    path.write_text(re.sub(r"^granskad: .*$", f"granskad: {late}", text, flags=re.M), encoding="utf-8")
    result = _guide(["check"], project_copy, TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert f"VARNING: guidance/skola.yml: granskades senast {late}" in result.stderr
    assert "Innehållet är korrekt" in result.stdout
    due = review.add_months(load_content(project_copy, PAGE_SLUGS).allocation.reviewed, months)
    soon = _guide(["check"], project_copy, (due - datetime.timedelta(days=14)).isoformat())
    assert soon.returncode == 0
    assert f"VARNING: guidance/anvisning.yml: ska granskas igen senast {due} (om 14 dagar)" in soon.stderr
    calm = _guide(["check"], project_copy, (due - datetime.timedelta(days=review.DUE_SOON_DAYS + 1)).isoformat())
    assert calm.returncode == 0 and "guidance/anvisning.yml" not in calm.stderr


@pytest.mark.xdist_group("marked-up")  # shares the build of `marked_up` (test_hostile, test_site)
def test_overdue_content_shows_a_notice_in_words_on_pages_and_pdfs(marked_up):
    """Built as on OVERDUE_TODAY with a review period of 6 months (and markup in the text: the
    build is shared, see conftest.marked_up)."""
    site = marked_up.site
    notice = "Innehållet behöver granskas"
    html = page_html(site, "asylprocess")
    assert notice in html and "minst var 6:e månad" in html
    pdf = pdf_text(site / "pdf" / "asylprocess-ankomst.pdf")
    assert notice in pdf and "skulle ha granskats igen senast" in pdf
