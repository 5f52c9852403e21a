"""Content written by a hostile or careless maintainer: nothing runs as code, nothing crashes,
nothing is published by mistake, and the previous site is never harmed (issue 12)."""

from __future__ import annotations

import datetime
import gzip
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from conftest import MARK, TODAY, pdf_text
from generator.outputs.pdf import GUIDE
from generator.content.load import ContentError, load_content
from generator.sitemap import PAGE_SLUGS

from test_errors import _tree_digest, guide, line_of, replace, set_reviewed

ROOT = Path(__file__).resolve().parent.parent
LIVE = re.compile(r"<script>alert|<img src=x|\\u003cscript|\\u003cimg", re.I)
TEXT_SUFFIXES = {".html", ".js", ".json", ".xml", ".css", ".txt", ".md", ".yml", ".svg"}
SWEDISH = re.compile(r"\b(och|inte|finns|filen|skriv|kan|är|saknas)\b", re.I)


# --- markup in every free-text field at once ---------------------------------------------


def _built_texts(site: Path):
    """(name, text) of every text file of the built site, the offline zip's and the sitemap's."""
    for path in sorted(site.rglob("*")):
        if path.suffix in TEXT_SUFFIXES:
            yield str(path.relative_to(site)), path.read_text(encoding="utf-8", errors="replace")
        elif path.name.endswith(".xml.gz"):
            yield str(path.relative_to(site)), gzip.decompress(path.read_bytes()).decode("utf-8")
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if Path(name).suffix in TEXT_SUFFIXES:
                        yield f"{path.name}:{name}", archive.read(name).decode("utf-8", errors="replace")


@pytest.mark.xdist_group("marked-up")  # shares the build of `marked_up` (test_site, test_history)
def test_markup_in_every_text_field_never_goes_live(marked_up):
    assert marked_up.marked > 1000, marked_up.marked  # every text of the content, not a sample
    content = load_content(marked_up.project, PAGE_SLUGS)
    assert any(MARK in r.name for r in content.roles.roles)  # the menu
    assert any(MARK in t for t in content.site.topics)  # tags and the topics page

    site = marked_up.site
    live = [name for name, text in _built_texts(site) if LIVE.search(text)]
    assert not live, f"live markup from content in: {live[:10]}"
    # ... and the text is there, shown as the characters the maintainer wrote
    role = next(r for r in content.roles.roles)
    page = (site / role.id / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page or "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert "\\-" not in re.search(r"<title>(.*?)</title>", page).group(1)


@pytest.mark.xdist_group("marked-up")  # shares the build of `marked_up` (test_site, test_history)
def test_markup_in_every_text_field_is_text_in_every_pdf(marked_up):
    """The same build's PDFs (the shared build renders every one of them again): each shows the
    markup as the characters the maintainer wrote, and none holds a link or action that runs
    script."""
    import pikepdf

    content = load_content(marked_up.project, PAGE_SLUGS)
    pdfs = sorted((marked_up.site / "pdf").glob("*.pdf"))
    assert {p.stem for p in pdfs} == {GUIDE} | {c.id for c in content.checklists} | {p.id for p in content.packs}
    shown = "".join(MARK.split())  # as written, whatever the lines it is broken over
    texts = {path.stem: pdf_text(path) for path in pdfs}
    for path in pdfs:
        assert shown in "".join(texts[path.stem].split()), path.name
        with pikepdf.open(path) as pdf:
            assert "/OpenAction" not in pdf.Root and "/JavaScript" not in pdf.Root.get("/Names", {}), path.name
            for page in pdf.pages:
                for annot in page.get("/Annots", []):
                    action = annot.get("/A", {})
                    assert action.get("/S") != "/JavaScript", path.name
                    assert not str(action.get("/URI", "")).lower().startswith("javascript"), (path.name, action)
    assert "[klicka](javascript:alert(1))" in texts[GUIDE]  # EVIL's Markdown stays text


# --- page addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize("reserved", ["index", "kallor", "assets", "404", "search"])
def test_a_role_cannot_take_another_pages_address(project_copy, reserved):
    roles = project_copy / "guidance" / "roller.yml"
    replace(roles, "- id: jag-ar-god-man", f"- id: '{reserved}'")
    result = guide(project_copy, "check")
    assert result.returncode == 1
    line = line_of(roles, f"- id: '{reserved}'")
    assert f"guidance/roller.yml:{line}: roller › nr 2 ({reserved}) › id: Id \"{reserved}\" kan inte användas" \
        in result.stderr, result.stderr


def test_titles_with_colons_quotes_and_hyphens_are_shown_as_written(project_copy, tmp_path):
    roles = project_copy / "guidance" / "roller.yml"
    replace(roles, "rubrik: Jag är god man", "rubrik: '\"Jag är god man: hälso- & sjukvård'")
    from generator.pipeline import build_site

    site = build_site(project_copy, tmp_path / "site")
    page = (site / "jag-ar-god-man" / "index.html").read_text(encoding="utf-8")
    assert "<title>&#34;Jag är god man: hälso- &amp; sjukvård - " in page or \
        "<title>&quot;Jag är god man: hälso- &amp; sjukvård - " in page, re.search("<title>.*", page).group(0)


# --- one slip, one problem ------------------------------------------------------------------


def test_a_yaml_slip_gives_one_problem_at_its_line(project_copy):
    actors = project_copy / "guidance" / "aktorer.yml"
    slip = line_of(actors, "namn: Migrationsverket")
    replace(actors, "namn: Migrationsverket", "namn Migrationsverket")
    result = guide(project_copy, "check")
    problems = [ln for ln in result.stderr.splitlines() if re.match(r"\S+\.yml:\d+:", ln)]
    assert problems == [problems[0]] and problems[0].startswith(f"guidance/aktorer.yml:{slip}: "), result.stderr
    assert "kolon" in problems[0]


def test_suggestions_are_of_the_right_kind_and_the_same_every_run(project_copy):
    plan = project_copy / "guidance" / "handlingsplan.yml"
    replace(plan, "riskfaktorer: psykisk-halsa", "riskfaktorer: psykisk-hals")
    replace(plan, "riskfaktorer: riskbeteenden-avvikande", "riskfaktorer: socialtjansten")  # an actor
    outputs = set()
    for seed in ("1", "2", "3"):
        result = subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(project_copy), "check"],
                                capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.add(result.stderr)
    assert len(outputs) == 1, outputs
    out = outputs.pop()
    assert 'Menade du "psykisk-halsa"?' in out
    assert '"socialtjansten" finns, men här ska det stå en grupp av varningssignaler' in out


# --- a batch of hostile and broken inputs -----------------------------------------------


def _bomb(root: Path) -> str:
    lines = ["granskad: 2026-11-23", "a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
              for i in range(20)]
    (root / "guidance" / "kontakter" / "bomb.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "guidance/kontakter/bomb.yml:2:"


def _dated(date: str):
    def change(root: Path) -> str:
        set_reviewed(root / "guidance" / "skola.yml", date)
        return f"guidance/skola.yml:{line_of(root / 'guidance' / 'skola.yml', 'granskad:')}: granskad:"
    return change


def _nul(root: Path) -> str:
    path = root / "guidance" / "skola.yml"
    path.write_bytes(path.read_bytes().replace(b"inledning:", b"inledning:\x00", 1))
    return f"guidance/skola.yml:{line_of(path, 'inledning:')}:"


def _dangling(root: Path) -> str:
    (root / "guidance" / "kontakter" / "borta.yml").symlink_to(root / "finns-inte.yml")
    return "guidance/kontakter/borta.yml:1:"


def _outside(root: Path) -> str:
    outside = root.parent / f"utanfor-{uuid.uuid4().hex}.yml"
    outside.write_text((root / "guidance" / "kontakter" / "dalarna.yml").read_text(encoding="utf-8"))
    (root / "guidance" / "kontakter" / "lank.yml").symlink_to(outside)
    return "guidance/kontakter/lank.yml:1:"


def _archive(root: Path) -> str:
    (root / "guidance" / "kontakter" / "arkiv").mkdir()
    text = (root / "guidance" / "kontakter" / "dalarna.yml").read_text(encoding="utf-8")
    (root / "guidance" / "kontakter" / "arkiv" / "dalarna.yml").write_text(text, encoding="utf-8")
    return "guidance/kontakter/arkiv/dalarna.yml:1:"


def _huge(root: Path) -> str:
    path = root / "guidance" / "kontakter" / "dalarna.yml"
    path.write_text(path.read_text(encoding="utf-8") + "# " + "x" * 3_000_000 + "\n", encoding="utf-8")
    return "guidance/kontakter/dalarna.yml:1:"


def _cycle(root: Path) -> str:
    replace(root / "guidance" / "aktorer.yml", "  - id: kommunen\n", "  - id: kommunen\n    del_av: socialtjansten\n")
    return "guidance/aktorer.yml:"


def _not_yaml(root: Path) -> str:
    (root / "checklists" / "anteckningar.txt").write_text("att göra\n", encoding="utf-8")
    return "checklists/anteckningar.txt:1:"


def _tab(root: Path) -> str:
    replace(root / "guidance" / "skola.yml", "\ninledning:", "\n\tinledning:")
    return "guidance/skola.yml:"


def _list_at_top(root: Path) -> str:
    (root / "guidance" / "kontakter" / "lista.yml").write_text("- a\n- b\n", encoding="utf-8")
    return "guidance/kontakter/lista.yml:1:"


def _deep(root: Path) -> str:
    (root / "guidance" / "kontakter" / "djup.yml").write_text(
        "granskad: 2026-11-23\nx: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    return "guidance/kontakter/djup.yml:2:"


HOSTILE = {
    "deep nesting": _deep,
    "impossible date": _dated("2026-02-30"),
    "review date in the future": _dated((TODAY + datetime.timedelta(days=1)).isoformat()),
    "year 9999": _dated("9999-12-31"),
    "year 1969": _dated("1969-12-31"),
    "NUL byte": _nul,
    "dangling symlink": _dangling,
    "symlink out of the repository": _outside,
    "copy in an unknown folder": _archive,
    "alias bomb": _bomb,
    "huge file": _huge,
    "del_av cycle": _cycle,
    "file that is not YAML": _not_yaml,
    "tab indentation": _tab,
    "list at the top": _list_at_top,
}


@pytest.fixture(scope="module")
def built_once(site, tmp_path_factory):
    """The project's own site (a copy of the session's build), as "the previous site" for the batch below."""
    import shutil

    previous = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(site, previous, symlinks=True)
    return previous, _tree_digest(previous)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_is_answered_in_swedish(case, project_copy, built_once):
    site, digest = built_once
    expected_start = HOSTILE[case](project_copy)
    for command in (["check"], ["build", "--site-dir", str(site)]):
        started = time.monotonic()
        result = guide(project_copy, *command)
        elapsed = time.monotonic() - started
        out = result.stderr
        assert result.returncode == 1, (case, command, result.stdout, out)
        assert "Traceback" not in out and "Error" not in out, out
        assert any(ln.startswith(expected_start) for ln in out.splitlines()), (case, out)
        assert SWEDISH.search(out)
        assert elapsed < 120, elapsed  # a guard against hanging, not a speed target
    assert _tree_digest(site) == digest


def test_pack_with_missing_file_or_section(project_copy):
    result = guide(project_copy, "pack", str(project_copy / "finns-inte.yml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "finns-inte.yml:1: Filen finns inte" in result.stderr
    result = guide(project_copy, "pack", "--avsnitt", "samverkan#finns-inte")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert 'Sidan "samverkan" har inget avsnitt "finns-inte". Skriv ett av: samverkan#' in result.stderr
    pack = project_copy / "checklists" / "paket" / "ny-samverkansgrupp.yml"
    text = pack.read_text(encoding="utf-8")
    section = re.search(r"avsnitt: (\S+#\S+)", text).group(1)
    pack.write_text(text.replace(section, section + "x", 1), encoding="utf-8")
    result = guide(project_copy, "check")
    assert f"checklists/paket/ny-samverkansgrupp.yml:{line_of(pack, section + 'x')}: innehåll › nr" in result.stderr


def test_a_missing_font_stops_the_pdfs_with_a_message(project_copy, tmp_path):
    font = next((project_copy / "docs" / "assets" / "fonts").glob("*600*.woff2"))
    font.unlink()
    result = guide(project_copy, "build", "--site-dir", str(tmp_path / "site"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Typsnittsfilen saknas" in result.stderr and font.name in result.stderr


def test_an_unwritable_target_gets_a_message(project_copy):
    result = guide(project_copy, "build", "--site-dir", "/proc/vagledning/site")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "Kunde inte läsa eller skriva en fil (/proc/vagledning" in result.stderr


# --- interrupted builds ---------------------------------------------------------------------


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_a_killed_build_leaves_nothing_behind(project_copy, tmp_path):
    """Killed while its PDF workers run: the workers end, the next build cleans up and is right."""
    cache = project_copy / "build" / "pdf-cache"
    for name in sorted(p.name for p in cache.glob("*.pdf") if not p.name.startswith(GUIDE))[:2]:
        (cache / name).unlink()  # two PDFs to render (in two workers); the rest from the cache
    marker = f"GUIDE_TEST_{uuid.uuid4().hex}"
    site = project_copy / "site"
    env = {**os.environ, marker: "1"}
    proc = subprocess.Popen([sys.executable, "-m", "generator.commands.cli", "--root", str(project_copy), "build"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_processes_with(marker)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)  # until a PDF worker has started beside the build
    assert proc.poll() is None, "the build ended before a worker started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_with(marker), "PDF workers outlived the build"
    for name in ("aldre.key", "aldre.pdf"):  # what an older generator kept in the cache
        (cache / name).write_bytes(b"old")

    result = guide(project_copy, "build")
    assert result.returncode == 0, result.stderr
    leftovers = [p.name for p in project_copy.iterdir() if p.name.startswith(".site") or p.name.endswith(".old")]
    assert not leftovers
    assert not list((project_copy / "build").glob("docs-*")) and not list((project_copy / "build").glob("check-*"))
    assert all(re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{64}\.pdf", p.name) for p in cache.iterdir()), list(cache.iterdir())
    for pdf in (site / "pdf").glob("*.pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), pdf


def test_stale_temporary_folders_of_dead_builds_are_removed(project_copy):
    pid = subprocess.Popen(["true"])  # a process id that has surely ended
    pid.wait()
    stale = project_copy / f".site-{pid.pid}-abc123"
    (stale / "sub").mkdir(parents=True)
    (project_copy / "build" / f"docs-{pid.pid}-xyz").mkdir(parents=True)
    live = project_copy / f".site-{os.getpid()}-keepme"  # a build still running (this one)
    live.mkdir()
    result = guide(project_copy, "build")
    assert result.returncode == 0, result.stderr
    assert not stale.exists() and not (project_copy / "build" / f"docs-{pid.pid}-xyz").exists()
    assert live.exists()


def test_system_check_never_reports_an_installed_library_as_missing():
    for _ in range(10):
        result = subprocess.run(["bash", str(ROOT / "tools" / "system-deps.sh"), "site"], capture_output=True, text=True)
        assert result.returncode == 0 and "Installerar" not in result.stdout + result.stderr, result


def test_content_error_is_an_exception_with_every_problem(project_copy):
    set_reviewed(project_copy / "guidance" / "skola.yml", "2026-13-01")
    with pytest.raises(ContentError) as err:
        load_content(project_copy, PAGE_SLUGS)
    assert len(err.value.problems) == 1 and "finns inte i kalendern" in err.value.problems[0].message


# --- a full disk and a read-only disk (a real file system of their own) ----------------------


@pytest.fixture
def small_disk(tmp_path_factory):
    """A 40 MB file system mounted for the test (needs root, as in CI; skipped where not allowed)."""
    mount = tmp_path_factory.mktemp("disk")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a file system here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_or_a_read_only_disk_leaves_the_site_untouched(project_copy, small_disk):
    site = small_disk / "site"  # (the PDFs come from the cache the copy starts with)
    assert guide(project_copy, "build", "--site-dir", str(site)).returncode == 0
    digest = _tree_digest(site)

    free = os.statvfs(small_disk)
    filler = small_disk / "fyllnad"
    with open(filler, "wb") as out:  # leave about 1 MB free: too little for a second site
        out.write(b"\0" * max(0, free.f_bavail * free.f_frsize - 1_000_000))
    skola = project_copy / "guidance" / "skola.yml"  # an edit: unchanged content builds nothing
    skola.write_text(skola.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    result = guide(project_copy, "build", "--site-dir", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "Disken är full" in result.stderr and str(small_disk) in result.stderr
    assert _tree_digest(site) == digest
    assert sorted(p.name for p in small_disk.iterdir()) == ["fyllnad", "site"]
    filler.unlink()

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = guide(project_copy, "build", "--site-dir", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "skrivskyddad" in result.stderr
    assert _tree_digest(site) == digest
