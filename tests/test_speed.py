"""What makes the build fast without changing what it makes: a no-op build that does nothing,
caches that are keyed by what they depend on, and a search index without redundant forms."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT
from generator.outputs import stamp
from generator.views.search import needed_forms


def test_a_build_with_nothing_changed_does_nothing(site):
    """The session's site was built from the project as it is: `guide build` there is a no-op."""
    before = site.stat().st_ino
    run = subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(ROOT), "build", "--site-dir", str(site)],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    assert "inget att göra" in run.stdout
    assert site.stat().st_ino == before  # not swapped for a new folder


def test_any_change_to_an_input_means_a_new_build(project_copy, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    key = stamp.fingerprint(project_copy)
    stamp.record(project_copy, site, key)
    assert stamp.up_to_date(project_copy, site)
    for rel in ("guidance/boendeformer.yml", "docs/index.md", "overrides/main.html", "mkdocs.yml"):
        path = project_copy / rel
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "\n# en ändring\n", encoding="utf-8")
        assert not stamp.up_to_date(project_copy, site), rel
        path.write_text(original, encoding="utf-8")
        assert stamp.up_to_date(project_copy, site), rel  # the same bytes again: nothing to do
    (site / "x.html").write_text("x")  # the site folder touched since the build
    assert not stamp.up_to_date(project_copy, site)


def test_index_keeps_only_forms_a_search_would_not_find_otherwise():
    doc = {"title": "Familjehem", "text": "<p>Barnet bor i ett <strong>HVB-hem</strong>, sedan i familjehemmet.</p>"}
    forms = ["familjehem", "familjehemmet", "familjehemmets", "hvb", "hvbs", "jourhem", "jourhemmet"]
    kept = needed_forms(forms, doc, re.compile(r"[\s\-]+"))
    # "familjehem" is found through "familjehemmets"; "familjehemmet" is in the text too, but its
    # longer form is not: it stays; "hvb" is in the text ("hvb-hem"); "jourhem" via "jourhemmet".
    assert kept == ["familjehemmets", "hvbs", "jourhemmet"]


def test_search_index_holds_no_redundant_form(site):
    import json

    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    with_forms = [d for d in index["docs"] if "sokord" in d]
    assert len(with_forms) > 50
    for doc in with_forms:
        forms = doc["sokord"].split()
        assert needed_forms(forms, doc, separator) == sorted(forms), doc["location"]
