"""Local editions (content/edition.py): the example edition, utgavor/exempelkommun/, built into a
site of its own from the national content with nothing copied. Its phone numbers are from the
range PTS reserves for fiction (070-174 06 05 to 070-174 06 99)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, open_page, serve
from generator.content.edition import load_edition
from generator.content.load import ContentError, load_content
from generator.pipeline import build_site
from generator.sitemap import PAGE_SLUGS

EDITION = "exempelkommun"
OLD_SIGN = "Låg skolnärvaro eller upprepade frånvarotillfällen"
NEW_SIGN = "Låg skolnärvaro, sena ankomster eller upprepade frånvarotillfällen"
FICTION = re.compile(r"070-174 06 (0[5-9]|[1-9]\d)")


def test_the_example_edition_calls_only_numbers_reserved_for_fiction():
    content = load_edition(ROOT, EDITION, load_content(ROOT, PAGE_SLUGS))
    assert content.edition.about.example
    for contact in content.edition.contacts:
        assert FICTION.fullmatch(contact.phone), contact.id
    written = " ".join(path.read_text(encoding="utf-8") for path in (ROOT / "utgavor" / EDITION).glob("*.yml"))
    numbers = re.findall(r"\b0\d{1,3}-[\d ]{5,}\d", written)
    assert numbers and all(FICTION.fullmatch(n) for n in numbers), numbers


def _problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_edition(root, EDITION, load_content(root, PAGE_SLUGS))
    return [str(p) for p in caught.value.problems]


def test_a_local_slip_is_one_swedish_problem_at_the_local_file_and_line(project_copy):
    routines = project_copy / "utgavor" / EDITION / "rutiner.yml"
    text = routines.read_text(encoding="utf-8")
    routines.write_text(text.replace("      - polisen\n", "      - polisomradet\n", 1)
                        .replace("plats: samverkan", "plats: samverkansgruppen", 1), encoding="utf-8")
    lines = routines.read_text(encoding="utf-8").splitlines()
    found = _problems(project_copy)
    contact_line = next(i for i, line in enumerate(lines, 1) if "polisomradet" in line)
    place_line = next(i for i, line in enumerate(lines, 1) if "samverkansgruppen" in line)
    assert len(found) == 2, found
    assert found[0].startswith(f"utgavor/{EDITION}/rutiner.yml:{contact_line}: ")
    assert 'ingen kontakt med id "polisomradet"' in found[0] and "polisen" in found[0]
    assert found[1].startswith(f"utgavor/{EDITION}/rutiner.yml:{place_line}: ")
    assert "forsvinnande" in found[1]  # what to write instead


def test_a_note_on_a_national_item_that_is_gone_is_a_problem_at_the_local_line(project_copy):
    """A national correction that removes or renames an item: the edition's note on it stops the
    build with the local file and line, and the id to write instead."""
    actors = project_copy / "guidance" / "aktorer.yml"
    actors.write_text(actors.read_text(encoding="utf-8").replace("id: soc-ansoker-god-man", "id: soc-ansoker-om-god-man"),
                      encoding="utf-8")
    notes = (project_copy / "utgavor" / EDITION / "noter.yml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(notes, 1) if "soc-ansoker-god-man" in text)
    found = _problems(project_copy)
    assert len(found) == 1, found
    assert found[0].startswith(f"utgavor/{EDITION}/noter.yml:{line}: ")
    assert '"soc-ansoker-god-man"' in found[0] and '"soc-ansoker-om-god-man"' in found[0]


def test_an_edition_that_is_not_there_or_a_stray_file_is_a_problem(project_copy):
    with pytest.raises(ContentError) as caught:
        load_edition(project_copy, "finns-inte", load_content(project_copy, PAGE_SLUGS))
    assert "utgavor/exempelkommun/" in str(caught.value.problems[0])
    (project_copy / "utgavor" / EDITION / "kontakter-kopia.yml").write_text("kontakter: []\n", encoding="utf-8")
    assert [p.split(":")[0] for p in _problems(project_copy)] == [f"utgavor/{EDITION}/kontakter-kopia.yml"]


@pytest.fixture(scope="module")
def edition_site(tmp_path_factory, site) -> Path:
    """The example edition, built from a copy of the project in which one national warning sign
    was corrected (no edition file touched)."""
    root = copy_project(tmp_path_factory.mktemp("utgava") / "project")
    signs = root / "guidance" / "varningssignaler.yml"
    text = signs.read_text(encoding="utf-8")
    assert OLD_SIGN in text
    signs.write_text(text.replace(OLD_SIGN, NEW_SIGN, 1), encoding="utf-8")
    return build_site(root, edition=EDITION)


def test_a_national_correction_reaches_the_edition(edition_site):
    page = (edition_site / "varningssignaler" / "index.html").read_text(encoding="utf-8")
    assert NEW_SIGN in page and OLD_SIGN not in page


def test_a_local_note_stands_beside_its_national_item_marked_as_local(edition_site, site):
    ours = (edition_site / "aktorer" / "index.html").read_text(encoding="utf-8")
    item = re.search(r'<li id="soc-ansoker-god-man">(.*?)</li>', ours, re.S).group(1)
    note = re.search(r'<em class="lokalt-not">(.*?)</em>', item, re.S)
    assert re.sub(r"<[^>]+>", "", item[:note.start()]).strip() == "Ansöker om god man, om det inte redan är gjort"
    assert re.sub(r"<[^>]+>", "", note.group(1)) == ("I Exempelkommun: Mottagningsenheten ansöker om god man "
                                                     "samma dag som barnet kommer.")
    national = (site / "aktorer" / "index.html").read_text(encoding="utf-8")
    assert "lokalt-not" not in national and "I Exempelkommun" not in national


def test_every_page_of_the_edition_says_it_is_the_edition_and_an_example(edition_site):
    """With the local on-call number one tap away."""
    pages = sorted(edition_site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        html = path.read_text(encoding="utf-8")
        if "md-banner" in html:
            assert "Lokal utgåva för Exempelkommun." in html and "påhittade" in html, path
            banner = re.search(r'<p class="utgava">(.*?)</p>', html, re.S).group(1)
            assert 'Socialjouren i Exempelkommun: <a class="akut-tel" href="tel:0701740610">' in banner, path


def test_search_finds_the_local_routine_by_its_own_word(edition_site):
    """"Krisrutiner" stands only in the edition's routine: the edition's index has it, on the
    missing-child page; the national site has it nowhere."""
    index = json.loads((edition_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    held = [d["location"] for d in index["docs"] if "Krisrutiner" in d["text"]]
    assert held and all(loc.startswith("forsvinnande/") for loc in held), held
    national = (ROOT / "guidance").rglob("*.yml")
    assert not any("Krisrutiner" in p.read_text(encoding="utf-8") for p in national)


def test_the_local_on_call_number_is_the_first_tap_to_call_at_390_px(edition_site, browser, tmp_path):
    for url in serve(edition_site, tmp_path):
        page = browser.new_page(viewport={"width": 390, "height": 844})
        open_page(page, f"{url}/forsvinnande/")
        first = page.locator("article a[href^='tel:']").first
        assert first.get_attribute("href") == "tel:0701740610"  # Socialjouren i Exempelkommun
        assert first.is_visible()
        box = first.bounding_box()
        assert box["height"] >= 20 and box["x"] >= 0 and box["x"] + box["width"] <= 390  # on the screen, tappable
        hotline = page.locator("article a[href='tel:116000']").first
        assert hotline.is_visible() and hotline.bounding_box()["y"] > box["y"]  # 116 000 kept, below
        page.close()


STAMP = "Lokal utgåva för Exempelkommun – ett påhittat exempel"
LOCAL_PARTS = {"om-ett-barn-forsvinner", "riskbaserad-handlingsplan"}  # utgavor/exempelkommun/checklistor.yml


def _text(pdf: Path) -> str:
    import subprocess
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_every_page_of_every_pdf_of_the_edition_carries_its_name(edition_site, site):
    """On every page, and in the title that a viewer's tab and a screen reader announce."""
    import subprocess

    import pikepdf
    pdfs = sorted((edition_site / "pdf").glob("*.pdf"))
    assert {p.name for p in pdfs} == {p.name for p in (site / "pdf").glob("*.pdf")} | {"lokala-rutiner-och-kontakter.pdf"}
    for pdf in pdfs:
        with pikepdf.open(pdf) as doc:
            pages = len(doc.pages)
        assert _text(pdf).count(STAMP) == pages, pdf.name
        title = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.split("\n")[0]
        assert title.endswith("Exempelkommun") and title.count("Exempelkommun") == 1, (pdf.name, title)
    assert STAMP not in _text(site / "pdf" / "om-ett-barn-forsvinner.pdf")


def test_local_checklist_items_and_fields_are_in_the_pdfs_marked_as_local(edition_site):
    import pikepdf
    for name, items, fields in (
            ("om-ett-barn-forsvinner", ["Ta fram blanketten för efterlysning ur pärmen Krisrutiner på boendet."],
             ["lokal-socialjourens-handlaggare"]),
            ("riskbaserad-handlingsplan", [], ["lokal-kontakt-mottagningsenheten", "lokal-nasta-samverkansmote"])):
        pdf = edition_site / "pdf" / f"{name}.pdf"
        text = " ".join(_text(pdf).split())
        local = text.index("Lokalt i Exempelkommun")
        assert "Lokala punkter: de gäller bara i Exempelkommun" in text[local:]
        for item in items:
            assert text.index(item) > local, item  # after the national parts, under the local heading
        with pikepdf.open(pdf) as doc:
            names = {str(f.T) for f in doc.Root.AcroForm.Fields}
        assert {f"{name}-{f}" for f in fields} <= names, names
        assert f"{name}-lokal-ring-socialjouren" in names or not items


def test_the_edition_renders_only_its_own_pdfs_and_shares_the_rest(edition_site):
    """The pdf cache of the project the edition was built in: one entry per national PDF (the
    whole guide and the packs rendered once, for the national site and the edition alike), and
    of the edition's own only the checklists it adds to, its own PDF and its stamp."""
    cache = edition_site.parents[1] / "build" / "pdf-cache"
    names = [re.sub(r"-[0-9a-f]{64}\.pdf$", "", p.name) for p in cache.glob("*.pdf")]
    own = {n.removeprefix(f"u--{EDITION}--") for n in names if n.startswith("u--")}
    assert own == LOCAL_PARTS | {"lokala-rutiner-och-kontakter", "stampel"}
    national = [n for n in names if not n.startswith("u--")]
    assert len(national) == len(set(national)) and "hela-vagledningen" in national


def test_the_editions_own_pdf_holds_its_contacts_and_routines(edition_site):
    text = " ".join(_text(edition_site / "pdf" / "lokala-rutiner-och-kontakter.pdf").split())
    assert "Lokala rutiner och kontakter i Exempelkommun" in text
    assert "Socialjouren i Exempelkommun" in text and "070-174 06 10" in text
    assert "Krisrutiner" in text and "Rutin på sidan Om ett barn försvinner." in text
    assert "Mottagningsenheten ansöker om god man samma dag som barnet kommer." in text


def test_the_editions_own_and_stamped_pdfs_pass_the_strict_checkers(edition_site):
    from test_pdf_access import strict_findings
    for name in ("lokala-rutiner-och-kontakter", *LOCAL_PARTS, "paket-individniva"):
        assert not strict_findings(edition_site / "pdf" / f"{name}.pdf"), name


def test_the_contacts_page_lists_every_local_contact_to_tap(edition_site):
    html = (edition_site / "kontakter" / "index.html").read_text(encoding="utf-8")
    local = html[html.index('id="lokala-kontakter"'):]
    local = local[:local.index("</div>")]
    items = re.findall(r"<li>(.*?)</li>", local, re.S)
    assert len(items) == 10  # utgavor/exempelkommun/kontakter.yml: each contact an item of its own
    for item in items:
        assert len(re.findall(r'href="tel:0701740[0-9]{3}"', item)) == 1, item


def test_two_local_items_with_one_id_are_one_problem_at_the_second(project_copy):
    lists = project_copy / "utgavor" / EDITION / "checklistor.yml"
    lists.write_text(lists.read_text(encoding="utf-8").replace("id: parm-krisrutiner", "id: ring-socialjouren"),
                     encoding="utf-8")
    line = [i for i, text in enumerate(lists.read_text(encoding="utf-8").splitlines(), 1) if "ring-socialjouren" in text][1]
    found = _problems(project_copy)
    assert len(found) == 1 and found[0].startswith(f"utgavor/{EDITION}/checklistor.yml:{line}: "), found
    assert '"ring-socialjouren-2"' in found[0]


def test_a_local_item_on_a_checklist_that_is_gone_is_a_problem_at_the_local_line(project_copy):
    lists = project_copy / "utgavor" / EDITION / "checklistor.yml"
    lists.write_text(lists.read_text(encoding="utf-8").replace("checklista: om-ett-barn-forsvinner",
                                                               "checklista: om-ett-barn-forsvinnit"), encoding="utf-8")
    line = next(i for i, t in enumerate(lists.read_text(encoding="utf-8").splitlines(), 1) if "forsvinnit" in t)
    found = _problems(project_copy)
    assert len(found) == 1 and found[0].startswith(f"utgavor/{EDITION}/checklistor.yml:{line}: "), found
    assert '"om-ett-barn-forsvinner"' in found[0]


LOCAL_PAGES = ["", "forsvinnande/", "kontakter/", "checklistor/", "aktorer/", "samverkan/", "utskriftspaket/"]


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_pages_with_local_content_pass_axe_and_fit_the_screen(edition_site, browser, tmp_path, width):
    """The pages that hold the edition's own content (its banner is on every page): axe-core finds
    nothing, and nothing scrolls sideways, at a small phone, a common phone and a desktop."""
    from test_public_sector import AXE, AXE_RUN, AXE_TAGS, OVERFLOW, phone_page
    for url in serve(edition_site, tmp_path):
        context, page = phone_page(browser, width)
        page.add_init_script(AXE.read_text(encoding="utf-8"))
        found = {}
        for path in LOCAL_PAGES:
            open_page(page, f"{url}/{path}")
            assert "lokalt" in page.content() or path == "", path
            overflow = page.evaluate(OVERFLOW)
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            if violations or overflow["page"][0] > overflow["page"][1] or overflow["inside"]:
                found[path] = {"axe": violations, "overflow": overflow}
        context.close()
        assert not found, found


def test_the_search_box_finds_the_local_routine_by_its_own_word(edition_site, browser, tmp_path):
    """In Chromium, in the edition's own search: a word of the local routine that no national
    page holds, typed in another form, brings the missing-child page first."""
    from test_search import WATCH_WORKER, search
    for url in serve(edition_site, tmp_path):
        page = browser.new_page()
        page.add_init_script(WATCH_WORKER)
        open_page(page, f"{url}/")
        page.wait_for_selector("input.md-search__input")
        found = search(page, "krisrutinerna")
        assert found and found[0].removeprefix(url).startswith("/forsvinnande/"), found
        page.close()


def test_one_editions_slip_does_not_stop_the_other_editions(project_copy):
    """`guide build --alla-utgavor` with two editions, one with a slip: the other is built, the
    slip is named with its file and line, and the command says which edition failed (exit 1).
    `guide check --alla-utgavor` names the same slip, and nothing of the sound edition."""
    import shutil
    import subprocess
    import sys
    broken = project_copy / "utgavor" / "trasig"
    shutil.copytree(project_copy / "utgavor" / EDITION, broken)
    routines = broken / "rutiner.yml"
    routines.write_text(routines.read_text(encoding="utf-8").replace("      - polisen\n", "      - polisomradet\n"),
                        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(project_copy), "build",
                             "--alla-utgavor"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (project_copy / "site-utgavor" / EDITION / "index.html").is_file()
    assert not (project_copy / "site-utgavor" / "trasig").exists()
    assert "utgavor/trasig/rutiner.yml:" in result.stderr and '"polisomradet"' in result.stderr
    assert "1 utgåva kunde inte byggas: trasig." in result.stderr
    checked = subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(project_copy), "check",
                              "--alla-utgavor"], capture_output=True, text=True, cwd=ROOT)
    assert checked.returncode == 1 and "utgavor/trasig/rutiner.yml:" in checked.stderr, checked.stderr
    assert "utgavor/exempelkommun/" not in checked.stderr and "Fel i trasig." in checked.stderr


def test_a_routine_that_names_a_contact_of_an_edition_without_contacts_is_a_problem(project_copy):
    (project_copy / "utgavor" / EDITION / "kontakter.yml").unlink()
    found = _problems(project_copy)
    assert found and all(p.startswith(f"utgavor/{EDITION}/rutiner.yml:") for p in found), found
    assert 'ingen kontakt med id "socialjouren"' in found[0] and "(inga ännu)" in found[0]


def test_the_nu_html_checker_and_lighthouse_pass_the_pages_with_local_content(edition_site, tmp_path):
    """Every page of the edition (each has its banner) through the Nu Html Checker, and the
    pages with the most local content through Lighthouse's accessibility audit on a phone."""
    import json
    import sys

    from test_public_sector import nu_html_errors

    ours, _ = nu_html_errors(sorted(str(p) for p in edition_site.rglob("*.html")))
    assert not ours, json.dumps(ours, ensure_ascii=False, indent=1)[:4000]
    sys.path.insert(0, str(ROOT / "tools"))
    import lighthouse

    pages = ["forsvinnande/", "kontakter/", "checklistor/"]
    for url in serve(edition_site, tmp_path):
        reports = lighthouse.audit_all([f"{url}/{path}" for path in pages], ["accessibility"])
        for path, report in zip(pages, reports):
            assert lighthouse.scores(report) == {"accessibility": 100}, (path, lighthouse.failed_audits(report))
