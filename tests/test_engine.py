"""The site engine (outputs/engine.py). What the generator adds to it: the page renders kept
between builds (RenderCache) and the HTML carried past Markdown (Verbatim). A build with them,
from a cold and from a warm cache, is byte-identical to a build by the bare engine; and a
strict build still stops on a broken link or anchor, also when the page that holds the link
has not changed. ProperDocs, the maintained fork, builds the same site as MkDocs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from generator.outputs.engine import RENDER_CACHE
from generator.pipeline import CONFIG, DOCS_DIR, OFFLINE_ZIP, engine_config, generate_docs
from test_errors import _tree_digest


@pytest.fixture
def project(project_copy) -> Path:
    """A copy of the project with its engine docs written and no page renders kept."""
    generate_docs(project_copy)
    shutil.rmtree(project_copy / "build" / RENDER_CACHE, ignore_errors=True)
    return project_copy


def engine(root: Path, site: Path, fails: bool = False):
    """One strict engine build as `guide build` runs it; the cache plugin, to see what it did."""
    config = engine_config(root / CONFIG, site)
    if fails:
        with pytest.raises(Abort):
            build(config)
    else:
        build(config)
    return config.plugins["guide-render-cache"]


def test_builds_with_our_additions_are_identical_to_the_bare_engines(project, tmp_path):
    build(load_config(str(project / CONFIG), site_dir=str(tmp_path / "bare")))
    assert "<!-- verbatim -->" in (project / DOCS_DIR / "utskriftspaket.md").read_text(encoding="utf-8")
    cold = engine(project, tmp_path / "cold")
    pages = cold.misses
    assert pages > 25 and cold.hits == 0
    assert len(list((project / "build" / RENDER_CACHE / "mkdocs").glob("*.json"))) == pages
    warm = engine(project, tmp_path / "warm")
    assert (warm.hits, warm.misses) == (pages, 0)
    bare = _tree_digest(tmp_path / "bare")
    assert _tree_digest(tmp_path / "cold") == bare and _tree_digest(tmp_path / "warm") == bare


def test_a_broken_link_or_anchor_stops_the_build_though_the_linking_page_is_cached(project, tmp_path, caplog):
    docs, config_file = project / DOCS_DIR, project / CONFIG
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["nav"] += [{"Prov A": "prov-a.md"}, {"Prov B": "prov-b.md"}]
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (docs / "prov-a.md").write_text("# Prov A\n\n[Till avsnittet](prov-b.md#avsnittet)\n", encoding="utf-8")
    (docs / "prov-b.md").write_text("# Prov B\n\n## Avsnittet\n", encoding="utf-8")
    engine(project, tmp_path / "1")

    # The anchor goes: prov-a.md is unchanged (from the cache), its link must still be checked.
    (docs / "prov-b.md").write_text("# Prov B\n\n## Ett annat avsnitt\n", encoding="utf-8")
    second = engine(project, tmp_path / "2", fails=True)
    assert second.misses == 1  # prov-b.md
    assert "prov-a.md" in caplog.text and "avsnittet" in caplog.text
    caplog.clear()

    # The page goes: every page is rendered again (the site's files changed), and prov-a.md,
    # which now warns, is not kept: it is rendered and warns on every build.
    (docs / "prov-b.md").unlink()
    config["nav"].remove({"Prov B": "prov-b.md"})
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for attempt, rendered in (("3", "every page"), ("4", "prov-a.md")):
        again = engine(project, tmp_path / attempt, fails=True)
        assert again.misses == (again.pages if rendered == "every page" else 1), rendered
        assert "prov-a.md" in caplog.text and "prov-b.md" in caplog.text, attempt
        caplog.clear()


GENERATOR_TAG = re.compile(rb'<meta name="generator" content="[^"]*?(, mkdocs-material-[^"]*)">')


def test_properdocs_builds_the_same_site_as_mkdocs(project_copy, tmp_path, site):
    """The one-line switch (outputs/engine.py, ENGINE) to ProperDocs, the maintained fork of
    MkDocs 1.x: every file of the site is the same, the generator tag aside (the precompressed
    copies and the offline zip hold the same files, so their file lists are compared)."""
    result = subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(project_copy),
                             "build", "--site-dir", str(tmp_path / "site")], capture_output=True, text=True,
                            env={**os.environ, "GUIDE_ENGINE": "properdocs"})
    assert result.returncode == 0, result.stdout + result.stderr
    other = tmp_path / "site"
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file())
    tags = set()
    for rel in files:
        if rel.endswith((".gz", ".zip")):
            continue
        ours, theirs = (site / rel).read_bytes(), (other / rel).read_bytes()
        tags.update(m.group(0) for m in GENERATOR_TAG.finditer(theirs))
        assert GENERATOR_TAG.sub(rb"\1", ours) == GENERATOR_TAG.sub(rb"\1", theirs), rel
    assert any(b"ProperDocs" in tag for tag in tags)  # it was ProperDocs that built it
    with zipfile.ZipFile(site / OFFLINE_ZIP) as ours, zipfile.ZipFile(other / OFFLINE_ZIP) as theirs:
        assert ours.namelist() == theirs.namelist()
