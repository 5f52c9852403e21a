"""Broken content: `guide check` names every problem (file, line, field, what to write),
in Swedish, and a failed build leaves the previous site exactly as it was."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from generator.pipeline import BuildError, build_site


def guide(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(root), *args],
                          capture_output=True, text=True, cwd=Path(__file__).parent.parent)


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def set_reviewed(path: Path, value: str) -> None:
    """Write value as the file's review date (granskad), whatever date the content has now."""
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^granskad: ", text, re.M), f"no granskad in {path}"
    path.write_text(re.sub(r"^granskad: .*$", lambda _: f"granskad: {value}", text, count=1, flags=re.M),
                    encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_valid_content_passes(tmp_path):
    result = guide(Path(__file__).parent.parent, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Innehållet är korrekt" in result.stdout


def test_every_kind_of_problem_is_reported_at_once(project_copy):
    g = project_copy / "guidance"
    # 1. a missing required field
    replace(g / "boendeformer.yml", "    namn: Stödboende\n", "")
    # 2. a duplicate id (a second housing type called hvb)
    replace(g / "boendeformer.yml", "id: stodboende", "id: hvb")
    # 3. a reference to an id that does not exist
    replace(g / "varningssignaler.yml", "upptäcks_av:\n          - skolan\n", "upptäcks_av:\n          - skolanx\n")
    # 4. a wrong type: a date that is not a date
    set_reviewed(g / "skola.yml", "nästa vecka")
    # 5. an unknown (misspelt) field
    replace(g / "samverkan.yml", "inledning:", "inledningg:")
    # 6. invalid YAML
    (g / "kontakter" / "dalarna.yml").write_text(
        (g / "kontakter" / "dalarna.yml").read_text(encoding="utf-8").replace(
            "kontakter:", "kontakter:\n  - namn: [obalanserad", 1), encoding="utf-8")
    # 7. a file that is not UTF-8
    (g / "kontakter" / "orebro.yml").write_bytes(
        (g / "kontakter" / "orebro.yml").read_text(encoding="utf-8").encode("latin-1"))

    result = guide(project_copy, "check")
    out = result.stderr
    assert result.returncode != 0
    assert "Inget har byggts" in out

    def problem(file: str, pattern: str) -> str:
        lines = [ln for ln in out.splitlines() if ln.startswith(file + ":") and re.search(pattern, ln)]
        assert lines, f"no problem matching {pattern!r} for {file} in:\n{out}"
        return lines[0]

    missing = problem("guidance/boendeformer.yml", 'Fältet "namn" saknas')
    item_lines = [n for n, ln in enumerate((g / "boendeformer.yml").read_text().splitlines(), 1)
                  if ln.strip() == "- id: hvb"]
    assert missing.startswith(f"guidance/boendeformer.yml:{item_lines[1]}: boendeformer › nr 5 (hvb) › namn: ")
    assert "Lägg till \"namn:\" med en text" in missing

    duplicate = problem("guidance/boendeformer.yml", 'Id "hvb" används redan')
    assert "på rad" in duplicate

    ref = problem("guidance/varningssignaler.yml", 'ingen aktör med id "skolanx"')
    assert f":{line_of(g / 'varningssignaler.yml', 'skolanx')}:" in ref
    assert '"skolan"' in ref  # the suggestion

    date = problem("guidance/skola.yml", "datum i formen ÅÅÅÅ-MM-DD")
    assert date.startswith(f"guidance/skola.yml:{line_of(g / 'skola.yml', 'granskad:')}: granskad:")

    unknown = problem("guidance/samverkan.yml", 'Okänt fält "inledningg"')
    assert "Tillåtna fält här är" in unknown and "inledning," in unknown

    problem("guidance/kontakter/dalarna.yml", "YAML")
    utf8 = problem("guidance/kontakter/orebro.yml", "UTF-8")
    first_non_ascii = next(n for n, ln in enumerate(
        (g / "kontakter" / "orebro.yml").read_bytes().decode("latin-1").splitlines(), 1) if not ln.isascii())
    assert utf8.startswith(f"guidance/kontakter/orebro.yml:{first_non_ascii}:")  # the first line with "ä"
    # every file is reported: seven broken files, seven kinds of problem
    assert len({ln.split(":")[0] for ln in out.splitlines() if ln.startswith("guidance/")}) == 6


def test_invalid_id_and_email_get_advice(project_copy):
    g = project_copy / "guidance"
    replace(g / "kontakter" / "varmland.yml", "@karlstad.se", "(at)karlstad.se")
    replace(g / "boendeformer.yml", "id: hvb", "id: HVB-hem")
    out = guide(project_copy, "check").stderr
    assert re.search(r"guidance/kontakter/varmland.yml:\d+: kontakter › nr 1 \(\S+\) › epost: .*namn@exempel.se", out)
    assert re.search(r'guidance/boendeformer.yml:\d+: boendeformer › nr 4 \(HVB-hem\) › id: Ogiltigt värde "HVB-hem"', out)


def test_empty_and_missing_files(project_copy):
    (project_copy / "guidance" / "skola.yml").write_text("", encoding="utf-8")
    (project_copy / "guidance" / "samverkan.yml").unlink()
    out = guide(project_copy, "check").stderr
    assert "guidance/skola.yml:1: Filen är tom" in out
    assert "guidance/samverkan.yml:1: Filen saknas" in out


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_broken_content_leaves_previous_site_untouched(project_copy, tmp_path):
    site = tmp_path / "out" / "site"
    build_site(project_copy, site)
    before = _tree_digest(site)
    replace(project_copy / "guidance" / "aktorer.yml", "namn: God man", "namn:")
    try:
        build_site(project_copy, site)
        raise AssertionError("build should fail")
    except BuildError as err:
        assert "aktorer.yml" in str(err)
    assert _tree_digest(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # no leftovers beside it


def test_new_cross_references_are_checked_with_advice(project_copy):
    """Topics, role pages, who uses a checklist and who works with whom point at real ids."""
    g = project_copy / "guidance"
    replace(g / "boendeformer.yml", "ämnen:\n  - boende\n", "ämnen:\n  - bende\n")
    replace(g / "roller.yml", "läs_mer:\n      - skola\n      - asylprocess\n", "läs_mer:\n      - skolan\n      - asylprocess\n")
    replace(project_copy / "checklists" / "handlingsplan.yml", "används_av:\n  - socialtjansten\n", "används_av:\n  - socialtjansen\n")
    replace(g / "aktorer.yml", "samverkar_med:\n      - boendet\n", "samverkar_med:\n      - bodet\n")
    out = guide(project_copy, "check").stderr
    assert f"guidance/boendeformer.yml:{line_of(g / 'boendeformer.yml', '- bende')}: ämnen › nr 1: Det finns inget ämne med id \"bende\"" in out
    assert "Menade du \"boende\"?" in out and "lägg först till ämnet i guidance/webbplats.yml" in out
    assert "Det finns ingen sida med id \"skolan\"" in out and "Menade du \"skola\"?" in out
    assert "checklists/handlingsplan.yml" in out and "Menade du \"socialtjansten\"?" in out
    assert "Det finns ingen aktör med id \"bodet\"" in out
