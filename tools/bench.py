"""`make bench`: times the build, the preview and the pages, and prints figures and ratios.

It never fails on a number: it measures and prints. Every timing is the median of paired runs
(BENCH_RUNS, default 5) on this machine, each `guide` command run as a maintainer runs it
(a fresh process), so Python's start-up counts too.

    PDFs          from cold with 1 and with 2 workers, a rebuild with nothing changed; the
                  whole guide ("Hela vägledningen") alone, cold and cached
    build         a warm `guide build` after one edit, against one bare MkDocs build of the
                  same pages (`mkdocs build -f build/mkdocs.yml`): an edit only the site shows,
                  and one the whole guide's PDF shows too; a no-op `guide build`
    preview       edit-to-preview in `guide serve`: an edit to a page, and one that also
                  changes a PDF (when the page shows it, and when the PDF is in place)
    scaling       the same content 1x and 10x (every list of items ten times, ids made
                  unique), cold (no caches) and warm (after one edit)
    search        what a phone downloads when a reader opens the search: the index (raw and
                  gzipped, as the server sends it), the search worker and its Swedish files
    phone         Lighthouse 13.5 mobile performance and CLS of four pages served by nginx
    accessibility Lighthouse's accessibility score of every page on a phone (tools/lighthouse.py)
    tests         the whole test suite once (`python -m pytest`, as `make test` runs it): wall
                  time, and CPU time of every process it waited for (Chromium, Node, the PDF
                  workers and nginx included)

    .venv/bin/python tools/bench.py [--root DIR] [--skip pdf,preview,scaling,search,phone,accessibility,tests]

`--root` measures another checkout of the project (for before/after figures) with its own
generator; parts it does not have (nginx) are measured the way it serves the site.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
PHONE_PAGES = ["", "forsvinnande/", "jag-ar-god-man/", "anvisning/"]
# Files of items multiplied for the 10x content, and the list in each that holds the items.
SCALED = {"aktorer.yml": "aktörer", "anvisning.yml": "avsnitt", "asylprocess.yml": "bakgrund",
          "avslutning.yml": "länkar", "bakgrund.yml": "varför", "barnkonventionen.yml": "artiklar",
          "bidrag.yml": "bidrag", "boendeformer.yml": "boendeformer", "forsvinnande.yml": "risker",
          "samverkan.yml": "nivåer", "skola.yml": "rutiner", "varningssignaler.yml": "grupper"}
# An edit to the housing page (a heading: the whole guide's PDF shows it too), one that a
# checklist PDF shows too, and one that only the site shows (a role page's introduction).
PAGE_EDIT = ("guidance/boendeformer.yml", "namn: Stödboende", "namn: Stödboende {mark}")
SITE_ONLY_EDIT = ("guidance/roller.yml", "Välj den roll som passar dig.", "Välj den roll som passar dig {mark}.")
PDF_EDIT = ("guidance/varningssignaler.yml", "text: Låg skolnärvaro eller upprepade frånvarotillfällen",
            "text: Låg skolnärvaro eller upprepade frånvarotillfällen {mark}")
PDF_OF_EDIT = "pdf/tidiga-varningssignaler-pdf.pdf"  # a checklist that shows that sign


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def guide(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`guide` from the checkout at root (its own generator package first on the path)."""
    environment = {**os.environ, "PYTHONPATH": str(root), "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(root), *args],
                          cwd=root, env=environment, capture_output=True, text=True)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def checked(run: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(run.args)} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return run


class Edit:
    """Alternating real edits of one content file: each call changes it, restore() undoes it."""

    def __init__(self, root: Path, rel: str, old: str, new: str):
        self.file = root / rel
        self.original = self.file.read_text(encoding="utf-8")
        self.old, self.new, self.count = old, new, 0
        assert old in self.original, (rel, old)

    def __call__(self) -> str:
        self.count += 1
        mark = f"Benchord{self.count}"
        self.file.write_text(self.original.replace(self.old, self.new.format(mark=mark), 1), encoding="utf-8")
        return mark

    def restore(self) -> None:
        self.file.write_text(self.original, encoding="utf-8")


# --- PDFs ------------------------------------------------------------------------------------


def bench_pdfs(root: Path) -> None:
    sys.path.insert(0, str(root))
    from generator.content.load import load_content
    from generator.outputs import pdf
    from generator.sitemap import PAGE_SLUGS

    content = load_content(root, PAGE_SLUGS)
    n = len(pdf.jobs(content, root))  # checklists and forms, packs, the whole guide
    figures = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp)
            (scratch / "docs").symlink_to(root / "docs")
            figures[workers] = timed(lambda: pdf.render_pdfs(content, scratch, scratch / "out", workers=workers))
            if workers == 2:
                status = {}
                warm = timed(lambda: status.update(pdf.render_pdfs(content, scratch, scratch / "out2")))
    print(f"PDFs: {n} documents")
    print(f"  cold, 1 worker:   {figures[1]:6.2f} s")
    print(f"  cold, 2 workers:  {figures[2]:6.2f} s   (speed-up {figures[1] / figures[2]:.2f}x)")
    print(f"  nothing changed:  {warm:6.2f} s   ({sum(status.values())} rendered)")
    if hasattr(pdf, "GUIDE"):
        bench_whole_guide(pdf, content, root)


def bench_whole_guide(pdf, content, root: Path) -> None:
    """The whole guide's PDF rendered from cold; and cached, what a build with nothing changed
    spends on it: its print HTML and the cache key (the PDF itself is then copied)."""
    import io

    job = next(j for j in pdf.jobs(content, root) if j.name == pdf.GUIDE)
    document = {}
    cold = timed(lambda: document.setdefault("pdf", pdf._render(job)))
    css = pdf.PRINT_CSS.read_text(encoding="utf-8")
    key = {}
    cached = timed(lambda: key.setdefault("key", pdf.Job(
        pdf.GUIDE, pdf.guide_html(content, pdf.Renderer(content), css), job.base_url).key()))
    with pdf.pikepdf.open(io.BytesIO(document["pdf"])) as opened:
        pages = len(opened.pages)
    print(f"Whole guide: {pages} pages")
    print(f"  cold:             {cold:6.2f} s")
    print(f"  cached:           {cached:6.2f} s   (same cache key: {key['key'] == job.key()})")


# --- build -----------------------------------------------------------------------------------


def bench_build(root: Path) -> dict[str, float]:
    """Warm build after one edit vs one bare engine build, paired; and a no-op build.

    Two kinds of edit: one only the site shows, and one the whole guide's PDF shows too (every
    edit of a guidance page is one of those: that PDF has to be rendered again)."""
    checked(guide(root, "build"))
    bare_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = str(Path(sys.executable).with_name("mkdocs"))
    figures = {}
    for label, spec in (("site only", SITE_ONLY_EDIT), ("also in the PDFs", PAGE_EDIT)):
        edit = Edit(root, *spec)
        warm, bare, ratios = [], [], []
        try:
            for _ in range(RUNS):
                edit()
                w = timed(lambda: checked(guide(root, "build")))
                with tempfile.TemporaryDirectory() as tmp:
                    b = timed(lambda: checked(subprocess.run(
                        [mkdocs, "build", "-q", "-f", str(root / "build" / "mkdocs.yml"), "-d", tmp],
                        cwd=root, env=bare_env, capture_output=True, text=True)))
                warm.append(w), bare.append(b), ratios.append(w / b)
        finally:
            edit.restore()
        figures[label] = (median(warm), median(bare), median(ratios))
    checked(guide(root, "build"))
    noop = [timed(lambda: checked(guide(root, "build"))) for _ in range(RUNS)]
    site = root / "site"
    index = (site / "search" / "search_index.json").stat().st_size
    pages = len(list(site.rglob("*.html")))
    print(f"Build ({RUNS} paired runs, medians; {pages} HTML pages, search index {index / 1024:.0f} KiB)")
    for label, (warm, bare, ratio) in figures.items():
        print(f"  warm guide build, edit {label + ':':17} {warm:6.2f} s   bare MkDocs {bare:5.2f} s   "
              f"ratio {ratio:5.2f}x")
    print(f"  no-op guide build:               {median(noop):6.2f} s")
    return {"warm": figures["site only"][0], "bare": figures["site only"][1], "noop": median(noop)}


# --- preview -----------------------------------------------------------------------------------


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except Exception:
        return ""


def _get_bytes(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except Exception:
        return b""


def bench_preview(root: Path) -> None:
    """Seconds from saving a file to the preview serving the changed page (and PDF): in
    `guide serve`, and in the maintainers' editor (`guide edit`, the file saved as Decap does)."""
    bench_one_preview(root, "serve", "guide serve", 8143)
    if (ROOT / "node_modules" / "decap-cms").is_dir():  # what guide edit serves
        bench_one_preview(root, "edit", "guide edit (the editor's preview)", 8144)


def bench_one_preview(root: Path, command: str, label: str, port: int) -> None:
    process = subprocess.Popen([sys.executable, "-m", "generator.commands.cli", "--root", str(root), command, "--port", str(port)],
                               cwd=root, env={**os.environ, "PYTHONPATH": str(root), "NO_MKDOCS_2_WARNING": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    pages_only, with_pdf_page, with_pdf_pdf = [], [], []
    try:
        deadline = time.monotonic() + 180
        while "md-search" not in _get(base) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # the first PDFs
        page_edit, pdf_edit = Edit(root, *PAGE_EDIT), Edit(root, *PDF_EDIT)
        pdf_url = base + PDF_OF_EDIT
        try:
            for _ in range(RUNS):
                for edit, page, results in ((page_edit, "boendeformer/", pages_only),
                                            (pdf_edit, "varningssignaler/", with_pdf_page)):
                    before = _get_bytes(pdf_url)
                    start = time.perf_counter()
                    mark = edit()
                    while mark not in _get(base + page) and time.perf_counter() - start < 60:
                        time.sleep(0.01)
                    results.append(time.perf_counter() - start)
                    if edit is pdf_edit:
                        while _get_bytes(pdf_url) in (before, b"") and time.perf_counter() - start < 120:
                            time.sleep(0.05)
                        with_pdf_pdf.append(time.perf_counter() - start)
                    edit.restore()
                    time.sleep(1.5)
                    while mark in _get(base + page) and time.perf_counter() - start < 120:
                        time.sleep(0.05)
                    time.sleep(1.0 if edit is page_edit else 4.0)  # let the PDFs settle
        finally:
            page_edit.restore(), pdf_edit.restore()
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"Preview in {label}, edit to page shown ({RUNS} runs, medians)")
    print(f"  edit that changes pages:         {median(pages_only):6.2f} s")
    print(f"  edit that also changes a PDF:    {median(with_pdf_page):6.2f} s   (the PDF in place: "
          f"{median(with_pdf_pdf):.2f} s)")


# --- scaling -------------------------------------------------------------------------------------


def scaled_copy(root: Path, target: Path, factor: int) -> Path:
    """A copy of the project whose guidance lists hold every item `factor` times (ids made unique)."""
    for name in ("guidance", "checklists", "docs", "overrides"):
        shutil.copytree(root / name, target / name, symlinks=True)
    shutil.copy(root / "mkdocs.yml", target / "mkdocs.yml")
    for file, key in SCALED.items():
        path = target / "guidance" / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = data[key]
        data[key] = items + [_renamed(item, f"-k{n}") for n in range(2, factor + 1) for item in items]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    return target


def _renamed(node, suffix: str):
    if isinstance(node, dict):
        return {k: (v + suffix if k == "id" and isinstance(v, str) else _renamed(v, suffix)) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(v, suffix) for v in node]
    return node


def bench_scaling(root: Path) -> None:
    """Cold and warm build at 1x and 10x content, each a copy of the project built on its own."""
    figures: dict[int, dict[str, float]] = {}
    for factor in (1, 10):
        with tempfile.TemporaryDirectory() as tmp:
            copy = scaled_copy(root, Path(tmp) / "project", factor)
            cold = timed(lambda: checked(guide_with(root, copy, "build")))
            edit = Edit(copy, *PAGE_EDIT)
            warm = []
            for _ in range(RUNS):
                edit()
                warm.append(timed(lambda: checked(guide_with(root, copy, "build"))))
            size = sum(p.stat().st_size for p in (copy / "site").rglob("*.html"))
            figures[factor] = {"cold": cold, "warm": median(warm), "html": size}
    one, ten = figures[1], figures[10]
    print(f"Scaling (content x10: pages' HTML {one['html'] / 1e6:.1f} MB -> {ten['html'] / 1e6:.1f} MB)")
    print(f"  cold: 1x {one['cold']:6.2f} s, 10x {ten['cold']:6.2f} s   ratio {ten['cold'] / one['cold']:5.2f}x")
    print(f"  warm: 1x {one['warm']:6.2f} s, 10x {ten['warm']:6.2f} s   ratio {ten['warm'] / one['warm']:5.2f}x")


EDITIONS = int(os.environ.get("BENCH_EDITIONS", "20"))  # issue 22: a county's municipalities
LOCAL_EDIT = ("rutiner.yml", "Ring socialjouren eller mottagningsenheten direkt", "Ring socialjouren {mark}")


def bench_editions(root: Path) -> None:
    """20 local editions (copies of the example, each its own municipality) against the national
    site alone, cold, in one copy of the project; then the warm rebuild of one edition after a
    local edit. The editions share the national caches (parsed files, print HTML, PDFs)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        for name in ("guidance", "checklists", "docs", "overrides"):
            shutil.copytree(root / name, copy / name, symlinks=True)
        shutil.copy(root / "mkdocs.yml", copy / "mkdocs.yml")
        example = root / "utgavor" / "exempelkommun"
        for n in range(1, EDITIONS + 1):
            folder = copy / "utgavor" / f"kommun-{n:02}"
            shutil.copytree(example, folder)
            about = folder / "utgava.yml"
            about.write_text(about.read_text(encoding="utf-8").replace("kommun: Exempelkommun", f"kommun: Kommun {n}"),
                             encoding="utf-8")
        national = timed(lambda: checked(guide_with(root, copy, "build")))
        # every edition, in one command, after the national site (which is up to date by then)
        editions = timed(lambda: checked(guide_with(root, copy, "build", "--alla-utgavor")))
        edit = Edit(copy / "utgavor" / "kommun-01", *LOCAL_EDIT)
        warm = []
        try:
            for _ in range(RUNS):
                edit()
                warm.append(timed(lambda: checked(guide_with(root, copy, "build", "--utgava", "kommun-01"))))
        finally:
            edit.restore()
    print(f"Local editions ({EDITIONS} copies of the example, each its own municipality, cold)")
    print(f"  national site alone:       {national:6.2f} s")
    print(f"  {EDITIONS} editions (--alla-utgavor): {editions:6.2f} s   ratio {editions / national:5.2f}x  "
          f"({editions / EDITIONS:.2f} s each)")
    print(f"  one edition, local edit:   {median(warm):6.2f} s   (median of {RUNS})")


def guide_with(code: Path, root: Path, *args: str) -> subprocess.CompletedProcess:
    """`guide` with the generator of checkout `code`, on the project at `root`."""
    environment = {**os.environ, "PYTHONPATH": str(code), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "generator.commands.cli", "--root", str(root), *args],
                          cwd=root, env=environment, capture_output=True, text=True)


# --- search --------------------------------------------------------------------------------------

# What the search fetches once it is opened (the index on every protocol, the rest once).
SEARCH_FILES = (("index", "search/search_index.json"), ("worker", "assets/javascripts/workers/search.*.min.js"),
                ("stemmer support", "assets/javascripts/lunr/min/lunr.stemmer.support.min.js"),
                ("Swedish", "assets/javascripts/lunr/min/lunr.sv.min.js"))


def bench_search(root: Path) -> None:
    """Bytes a phone downloads when the reader opens the search: each file raw and gzipped (the
    precompressed copy the server sends, or gzip -9 where a checkout has none)."""
    import gzip

    site = root / "site"
    if not (site / "search" / "search_index.json").exists():
        checked(guide(root, "build"))
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    sections = len(index["docs"])
    key_terms = sum(len(doc.get("sokord", "").encode("utf-8")) for doc in index["docs"])
    print(f"Search: what a phone downloads when the search is opened ({sections} sections, "
          f"key-term forms {key_terms / 1024:.0f} KiB of the index)")
    total_raw = total_gz = 0
    for label, pattern in SEARCH_FILES:
        found = sorted(site.glob(pattern))
        if not found:
            print(f"  {label:16} missing")
            continue
        data = found[0].read_bytes()
        packed = found[0].with_name(found[0].name + ".gz")
        gz = packed.stat().st_size if packed.exists() else len(gzip.compress(data, 9))
        total_raw, total_gz = total_raw + len(data), total_gz + gz
        print(f"  {label:16} {len(data):8,d} bytes   gzipped {gz:7,d} bytes")
    print(f"  {'together':16} {total_raw:8,d} bytes   gzipped {total_gz:7,d} bytes")


# --- phone ---------------------------------------------------------------------------------------


def bench_phone(root: Path) -> None:
    """Lighthouse mobile (its default: a mid-range phone on a slow 4G line, simulated)."""
    lighthouse = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not lighthouse.exists():
        print("Phone: Lighthouse missing (npm ci)")
        return
    site = root / "site"
    sys.path.insert(0, str(ROOT))
    from generator.commands import webserver

    served_by = "nginx, server/vagledning.conf"
    if (root / "server" / "vagledning.conf").exists():
        process, base = webserver.start(site)
    else:  # an older checkout: served as its tests served it
        port = webserver.free_port()
        process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", str(site)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base, served_by = f"http://127.0.0.1:{port}", "python -m http.server"
        time.sleep(1)
    print(f"Phone: Lighthouse 13.5 mobile, served by {served_by} ({min(RUNS, 3)} runs, medians)")
    try:
        for path in PHONE_PAGES:
            scores, shifts, sizes, failed = [], [], [], []
            for _ in range(min(RUNS, 3)):  # a Lighthouse run takes 15-30 s
                with tempfile.TemporaryDirectory() as tmp:
                    report = Path(tmp) / "report.json"
                    subprocess.run([str(lighthouse), f"{base}/{path}", "--only-categories=performance",
                                    "--output=json", f"--output-path={report}", "--quiet",
                                    "--chrome-flags=--headless --no-sandbox --disable-gpu"],
                                   env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
                                   capture_output=True, text=True, timeout=300)
                    if not report.exists():
                        continue
                    data = json.loads(report.read_text(encoding="utf-8"))
                    if data["categories"]["performance"]["score"] is None:  # Lighthouse could not finish
                        failed.append((data.get("runtimeError") or {}).get("code", "no score"))
                        continue
                    scores.append(data["categories"]["performance"]["score"] * 100)
                    shifts.append(data["audits"]["cumulative-layout-shift"]["numericValue"])
                    sizes.append(data["audits"]["total-byte-weight"]["numericValue"])
            print(f"  /{path:<18} performance {median(scores):5.0f}   CLS {median(shifts):5.3f}   "
                  f"transferred {median(sizes) / 1024:6.0f} KiB"
                  + (f"   ({len(failed)} runs without a score: {', '.join(failed)})" if failed else ""))
    finally:
        process.terminate()
        process.wait(timeout=30)


def bench_accessibility(root: Path) -> None:
    """Lighthouse's accessibility score of every page on a phone (tools/lighthouse.py; minutes)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import lighthouse

    print("Accessibility: Lighthouse 13.5 on a phone, every page (100 is the goal)", flush=True)
    lighthouse.main([str(root / "site")])


def bench_tests(root: Path) -> None:
    """The test suite's wall and CPU time, one run (minutes)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run([str(root / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=root, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = (run.stdout.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    print(f"Tests: {summary}")
    print(f"  wall {wall / 60:4.1f} min ({wall:5.0f} s), CPU {cpu:5.0f} s on {os.cpu_count()} cores "
          f"(CPU/wall {cpu / wall:.2f}; {cpu / (wall * (os.cpu_count() or 1)):.0%} of the cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Mäter bygget, förhandsgranskningen och sidorna.")
    parser.add_argument("--root", type=Path, default=ROOT, help="projektets mapp (standard: det här)")
    parser.add_argument("--skip", default="", help="delar att hoppa över: pdf,build,preview,scaling,editions,search,phone,accessibility,tests")
    args = parser.parse_args()
    root, skip = args.root.resolve(), set(args.skip.split(","))
    for name, step in (("build", bench_build), ("preview", bench_preview), ("scaling", bench_scaling),
                       ("editions", bench_editions), ("search", bench_search), ("phone", bench_phone), ("accessibility", bench_accessibility), ("pdf", bench_pdfs),
                       ("tests", bench_tests)):
        if name in skip:
            continue
        try:
            step(root)
        except Exception as err:  # a number that cannot be measured is reported, never a failure
            print(f"{name}: could not be measured: {err}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
