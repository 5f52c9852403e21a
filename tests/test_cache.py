"""The one cache helper (diskcache.Cache) and the caches built on it: every key starts with the
version of the code that makes the entry, a name keeps one entry, and a whole run prunes the
rest. None of these needs a site build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import copy_project
from generator import diskcache
from generator.content import load
from generator.content.load import YAML_CACHE, ContentError, content_files, load_content
from generator.outputs import pdf as pdfmod
from generator.sitemap import PAGE_SLUGS


def test_a_key_changes_with_the_code_and_with_the_inputs(tmp_path, monkeypatch):
    """The code version is read once per process, from the module's file: the code running."""
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "maker.py").write_text("VALUE = 1\n")
    (tmp_path / "new" / "maker.py").write_text("VALUE = 2\n")
    old, new = (type(sys)("maker"), type(sys)("maker"))
    old.__file__, new.__file__ = str(tmp_path / "old" / "maker.py"), str(tmp_path / "new" / "maker.py")
    cache = diskcache.Cache(tmp_path / "c", ".txt", [old, "markdown"])
    key = cache.key("input")
    assert cache.key("input") == key and cache.key("other") != key
    assert diskcache.Cache(tmp_path / "c", ".txt", [new, "markdown"]).key("input") != key
    assert diskcache.Cache(tmp_path / "c", ".txt", [old]).key("input") != key  # the package's version


def test_a_name_keeps_one_entry_and_a_run_prunes_what_it_did_not_use(tmp_path):
    cache = diskcache.Cache(tmp_path, ".txt", ["markdown"])
    old = cache.path("skola", "1")
    cache.write(old, b"old")
    cache.write(cache.path("skola-rutiner", "1"), b"another name")
    new = cache.path("skola", "2")
    cache.write(new, b"new")
    assert not old.exists() and new.read_bytes() == b"new"  # one entry per name ...
    assert cache.read(cache.path("skola-rutiner", "1")) == b"another name"  # ... and only its own
    (tmp_path / "left-by-an-older-generator.key").write_text("x")
    gone = diskcache.Cache(tmp_path, ".txt", ["markdown"])
    gone.path("skola", "2")  # this run uses only "skola"
    gone.prune()
    assert sorted(p.name for p in tmp_path.iterdir()) == [new.name]


def test_the_yaml_cache_holds_one_entry_per_content_file(tmp_path):
    """Before: never pruned (88 entries for 40 files)."""
    root = copy_project(tmp_path, caches=False)
    region = root / "guidance" / "kontakter" / "dalarna.yml"
    copy = region.with_name("kopia.yml")  # a file that is there in one run and gone in the next
    copy.write_text(region.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ContentError):  # a copy: its ids are taken (the cache is kept all the same)
        load_content(root, PAGE_SLUGS)
    assert any(p.name.startswith("guidance-kontakter-kopia-yml-") for p in (root / YAML_CACHE).iterdir())
    copy.unlink()
    path = root / "guidance" / "skola.yml"  # a file changed between the runs
    path.write_text(path.read_text(encoding="utf-8").replace("granskad:", "# ändrad\ngranskad:", 1), encoding="utf-8")
    load_content(root, PAGE_SLUGS)
    entries = sorted((root / YAML_CACHE).iterdir())
    assert len(entries) == len(content_files(root))
    assert sum(p.name.startswith("guidance-skola-yml-") for p in entries) == 1


def test_the_yaml_cache_key_covers_the_loader(tmp_path, monkeypatch):
    before = load._yaml_cache(tmp_path).key("data")
    changed = tmp_path / "load.py"
    changed.write_text(Path(load.__file__).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(load, "__file__", str(changed))
    assert load._yaml_cache(tmp_path).key("data") != before


def test_the_pdf_cache_key_covers_the_module_that_sets_weasyprints_options(tmp_path, monkeypatch):
    """Before: the key left out pdf.py, where pdf_variant, pdf_forms and the rest are set."""
    job = pdfmod.Job("prov", "<p>prov</p>", str(tmp_path))
    before = job.key()
    changed = tmp_path / "pdf.py"
    changed.write_text(Path(pdfmod.__file__).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(pdfmod, "__file__", str(changed))
    assert job.key() != before
