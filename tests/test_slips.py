"""Slips that maintainers really make: one slip gives one problem, at its file and line, in
Swedish; and text pasted from Word or a PDF is read clean everywhere it goes."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from conftest import PASTED, PASTED_CLEAN, article_text, pdf_text
from generator.content.load import ContentError, clean_text, load_content
from generator.sitemap import PAGE_SLUGS
from test_errors import guide, line_of


def problems(root) -> list[str]:
    with pytest.raises(ContentError) as err:
        load_content(root, PAGE_SLUGS)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("name", ["aktorer.yml", "kallor.yml", "webbplats.yml", "varningssignaler.yml"])
def test_a_removed_file_is_one_problem(project_copy, name):
    """Every other file points into these (actors, sources, topics, warning signs): removing
    one is still one slip."""
    (project_copy / "guidance" / name).unlink()
    assert problems(project_copy) == [f"guidance/{name}:1: Filen saknas. Den behövs för att bygga webbplatsen."]


def test_an_unreadable_file_is_one_problem(project_copy):
    path = project_copy / "guidance" / "aktorer.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("aktörer:\n", "aktörer: [\n", 1), encoding="utf-8")
    found = problems(project_copy)
    assert len(found) == 1 and found[0].startswith("guidance/aktorer.yml:"), found


def _copy(src, dst):
    shutil.copy(src, dst)
    later = time.time() + 5  # saved after the original, as a copy made today is
    os.utime(dst, (later, later))


@pytest.mark.parametrize("original,copy", [
    ("guidance/kontakter/dalarna.yml", "guidance/kontakter/blekinge.yml"),  # the copy sorts first
    ("guidance/kontakter/dalarna.yml", "guidance/kontakter/vasterbotten.yml"),
    ("checklists/handlingsplan.yml", "checklists/a-handlingsplan.yml"),
])
def test_a_copied_file_is_one_problem_naming_both_files(project_copy, original, copy):
    _copy(project_copy / original, project_copy / copy)
    found = problems(project_copy)
    assert len(found) == 1, found
    first_id = line_of(project_copy / copy, "id: ")
    assert found[0].startswith(f"{copy}:{first_id}: id: Filen ser ut att vara en kopia av {original}: alla dess ")
    assert "Ge varje post i" in found[0] and "ett eget id" in found[0]


def test_a_partly_copied_file_still_names_each_id(project_copy):
    """Only a file whose ids all come from one other file is a copy; a new file that reuses one
    id gets the ordinary problem for that id, at its line."""
    path = project_copy / "guidance" / "kontakter" / "blekinge.yml"
    text = (project_copy / "guidance" / "kontakter" / "dalarna.yml").read_text(encoding="utf-8")
    path.write_text(text.replace("id: dalarna", "id: blekinge").replace("Dalarnas län", "Blekinge län"),
                    encoding="utf-8")
    found = problems(project_copy)
    assert found and not any("kopia" in p for p in found)
    assert all("används redan i guidance/kontakter/dalarna.yml" in p for p in found)


def test_the_command_says_it_once_in_swedish(project_copy):
    _copy(project_copy / "guidance" / "kontakter" / "dalarna.yml", project_copy / "guidance" / "kontakter" / "blekinge.yml")
    (project_copy / "guidance" / "aktorer.yml").unlink()
    result = guide(project_copy, "check")
    assert result.returncode == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(("guidance/", "checklists/"))]
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("guidance/aktorer.yml:1: Filen saknas")
    assert lines[1].startswith("guidance/kontakter/blekinge.yml:") and "kopia av guidance/kontakter/dalarna.yml" in lines[1]


# --- text pasted from Word or a PDF ----------------------------------------------------------


def test_clean_text_composes_letters_and_drops_invisible_characters():
    assert clean_text("pa\u030a na\u0308tverk o\u0308") == "på nätverk ö"
    assert clean_text("familje\u00adhem\u200b\u200c\u200d\u2060\ufeff") == "familjehem"
    assert clean_text("116\u00a0000") == "116\u00a0000"  # a no-break space keeps the number together


def test_pasted_text_is_loaded_clean(project_copy):
    path = project_copy / "guidance" / PASTED[0]
    path.write_text(path.read_text(encoding="utf-8").replace(PASTED[1], PASTED[2], 1), encoding="utf-8")
    content = load_content(project_copy, PAGE_SLUGS)
    familjehem = next(h for h in content.housing.housing_types if h.id == "familjehem")
    assert familjehem.description.startswith(PASTED_CLEAN)


def test_format_writes_pasted_text_back_clean(project_copy):
    """`make format` (and a save in the editor, which shapes the same way) writes the text as the
    loader reads it: the file itself loses the soft hyphen, the zero-width space and the
    decomposed letter."""
    from generator.commands.format import format_files

    path = project_copy / "guidance" / PASTED[0]
    path.write_text(path.read_text(encoding="utf-8").replace(PASTED[1], PASTED[2], 1), encoding="utf-8")
    assert format_files(project_copy) == [f"guidance/{PASTED[0]}"]
    text = path.read_text(encoding="utf-8")
    assert PASTED_CLEAN in " ".join(text.split()) and not any(ch in text for ch in "\u00ad\u200b\u030a")


@pytest.mark.xdist_group("marked-up")  # shares the build of `marked_up` (test_hostile, test_history)
def test_pasted_text_is_clean_on_the_page_in_the_search_and_in_the_pdfs(marked_up):
    site = marked_up.site
    assert PASTED_CLEAN in article_text(site / "boendeformer" / "index.html")
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any(PASTED_CLEAN in doc["text"] for doc in index["docs"])
    assert PASTED_CLEAN in " ".join(pdf_text(site / "pdf" / "hela-vagledningen.pdf").split())
    pasted = ("\u00ad", "\u200b", "\u030a")
    for path in [*site.rglob("*.html"), site / "search" / "search_index.json"]:
        text = path.read_text(encoding="utf-8")
        assert not any(ch in text for ch in pasted), path
