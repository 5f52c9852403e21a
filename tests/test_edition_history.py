"""Local editions: the edition's own review dates and change notes beside the national ones (the
history on each page, the page Ändringar and the Atom feed, each change marked where it comes
from), and the edition's organisation and contact on the accessibility statement and the about
page. Built from a copy of the project in which the example edition's routines got a change note
with characters that must stay text (`<script>`, `&`)."""

from __future__ import annotations

import datetime
import html as html_lib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import article_text, copy_project
from generator.content.review import swedish_date
from generator.pipeline import build_site

EDITION = "exempelkommun"
ATOM = "{http://www.w3.org/2005/Atom}"
LOCAL = "Lokalt i Exempelkommun"
NATIONAL = "Nationellt"
HOSTILE_NOTE = "Nytt steg: ring <script>alert(1)</script> & skicka blanketten till polisen."
HOSTILE_DAY = datetime.date(2026, 12, 2)
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december"]


@pytest.fixture(scope="module")
def edition(tmp_path_factory, site) -> tuple[Path, dict]:
    """The example edition built from a project copy whose rutiner.yml has one major change note;
    with what utgava.yml says (its address, organisation and contact)."""
    root = copy_project(tmp_path_factory.mktemp("utgava-historik") / "project")
    routines = root / "utgavor" / EDITION / "rutiner.yml"
    text = routines.read_text(encoding="utf-8")
    assert "ändringar: []" in text
    note = yaml.safe_dump([{"datum": HOSTILE_DAY, "ändring": HOSTILE_NOTE, "typ": "större"}], allow_unicode=True)
    routines.write_text(text.replace("ändringar: []", "ändringar:\n" + note), encoding="utf-8")
    about = yaml.safe_load((root / "utgavor" / EDITION / "utgava.yml").read_text(encoding="utf-8"))
    return build_site(root, edition=EDITION), about


def _items(page: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", page, re.S)


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))


def _day(text: str) -> datetime.date:
    d, m, y = text.split()
    return datetime.date(int(y), MONTHS.index(m) + 1, int(d))


def test_the_changes_page_marks_each_change_national_or_local_in_date_order(edition, site):
    folder, about = edition
    page = (folder / "andringar" / "index.html").read_text(encoding="utf-8")
    changes = [i for i in _items(page) if re.match(r"<strong>\d", i)]
    local = [i for i in changes if f"({LOCAL})" in i]
    national = [i for i in changes if f"({NATIONAL})" in i]
    assert len(local) == 2 and national and len(local) + len(national) == len(changes)
    # the routine's change links to the page the routine stands on, utgava.yml's to the about page
    routine = next(i for i in local if "Nytt steg" in i)
    assert 'href="../forsvinnande/"' in routine and _day(_text(routine.split("</strong>")[0])) == HOSTILE_DAY
    assert any('href="../om/"' in i and about["ändringar"][0]["ändring"].split()[0] in i for i in local)
    days = [_day(re.match(r"<strong>(.*?)</strong>", i)[1]) for i in changes]
    assert days == sorted(days, reverse=True)
    national_page = (site / "andringar" / "index.html").read_text(encoding="utf-8")
    assert LOCAL not in national_page and f"({NATIONAL})" not in national_page


def test_the_feed_is_the_editions_own_with_local_and_national_entries_marked(edition, site):
    folder, about = edition
    feed = ET.parse(folder / "andringar.xml").getroot()  # well-formed XML
    address = about["webbadress"]
    assert "Exempelkommun" in feed.find(f"{ATOM}title").text
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert links and all(href.startswith(address) for href in links), links
    assert f"{address.rstrip('/')}/andringar.xml" in links
    entries = feed.findall(f"{ATOM}entry")
    terms = {e.find(f"{ATOM}category").get("term") for e in entries}
    assert terms == {"lokalt", "nationellt"}
    routine = next(e for e in entries if e.find(f"{ATOM}summary").text == HOSTILE_NOTE)
    assert routine.find(f"{ATOM}category").get("term") == "lokalt"
    assert LOCAL in routine.find(f"{ATOM}title").text
    assert routine.find(f"{ATOM}link").get("href") == f"{address.rstrip('/')}/forsvinnande/"
    assert routine.find(f"{ATOM}author/{ATOM}name").text == about["ansvarig_organisation"]
    national = next(e for e in entries if e.find(f"{ATOM}category").get("term") == "nationellt")
    assert f"({NATIONAL})" in national.find(f"{ATOM}title").text
    ours = feed.find(f"{ATOM}id").text
    assert ours != ET.parse(site / "andringar.xml").getroot().find(f"{ATOM}id").text


def test_a_page_with_local_content_shows_the_local_review_date_and_history(edition, site):
    folder, about = edition
    page = (folder / "forsvinnande" / "index.html").read_text(encoding="utf-8")
    footer = _text(page.split('id="kallor-och-granskning"', 1)[1])
    reviewed = swedish_date(about["granskad"])
    assert f"Lokala uppgifter granskade {reviewed}." in footer
    assert "Nationellt innehåll senast granskat" in footer and about["ansvarig_organisation"] in footer
    history = _items(page.split('id="andringshistorik"', 1)[1])
    assert any(f"({LOCAL})" in i and "Nytt steg" in i for i in history)
    assert any(f"({NATIONAL}" in i for i in history)
    # a page with no local content keeps the national footer
    plain = _text((folder / "anvisning" / "index.html").read_text(encoding="utf-8").split(
        'id="kallor-och-granskning"', 1)[1])
    assert "Lokala uppgifter" not in plain and "Senast granskad" in plain
    assert "Lokala uppgifter" not in (site / "forsvinnande" / "index.html").read_text(encoding="utf-8")


def test_the_accessibility_statement_and_about_page_name_the_editions_organisation(edition, site, content):
    folder, about = edition
    organisation = about["ansvarig_organisation"]
    contact = " ".join(about["kontakt"].split())
    statement = article_text(folder / "tillganglighet" / "index.html")
    feedback = statement.split("Vad kan du göra om du inte kan använda delar av webbplatsen?", 1)[1].split(
        "Anmäl brister", 1)[0]
    assert f"kontakta {organisation}" in feedback and f"Kontakt: {contact}" in feedback
    national = article_text(site / "tillganglighet" / "index.html")
    maintainer = content.site.organisation
    assert f"{maintainer} står bakom den här webbplatsen" in national
    assert f"underhålls av {maintainer}" in statement  # the national content's maintainer, still named
    assert organisation not in national
    about_page = article_text(folder / "om" / "index.html")
    assert f"ges ut av {organisation}" in about_page and contact in about_page
    assert f"ges ut av {maintainer}" in about_page


def test_a_local_change_note_stays_text_on_the_pages_and_in_the_feed(edition):
    folder, _ = edition
    for page in ("andringar", "forsvinnande"):
        text = (folder / page / "index.html").read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "ring &lt;script&gt;alert(1)&lt;/script&gt; &amp; skicka" in text, page
    raw = (folder / "andringar.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; skicka" in raw
    summaries = [e.text for e in ET.parse(folder / "andringar.xml").getroot().iter(f"{ATOM}summary")]
    assert HOSTILE_NOTE in summaries  # the maintainer's characters, exactly
