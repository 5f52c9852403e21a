"""The generator's structure: layers that read straight down, and no import cycles.

The layer contract lives in pyproject.toml ([tool.importlinter]) and is checked by
import-linter, a tool nobody here wrote. Cycles inside a layer (which a layers contract does
not see) are found with grimp, the import graph import-linter is built on. Both see imports
inside functions too, so a cycle cannot hide there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_the_layer_contract_is_kept():
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def cycles(graph) -> list[list[str]]:
    """Every direct import A -> B for which B also leads back to A, with the way back."""
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                found.append([module, *back])
    return found


def test_no_module_imports_itself_round_about():
    graph = grimp.build_graph("generator", cache_dir=None)
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """Seen failing: two modules that import each other inside functions are one cycle."""
    package = tmp_path / "ringpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from ringpkg import b\n")
    (package / "b.py").write_text("def g():\n    from ringpkg.a import f\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("ringpkg", cache_dir=None)
    assert sorted(map(tuple, cycles(graph))) == [("ringpkg.a", "ringpkg.b", "ringpkg.a"),
                                                 ("ringpkg.b", "ringpkg.a", "ringpkg.b")]
