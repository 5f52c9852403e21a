"""`make bench`: times the build and prints figures and ratios (no pass/fail).

    PDFs from cold with 1 and with 2 workers, a PDF rebuild with nothing changed,
    and the whole `guide build` (pages + site engine + PDFs, warm cache); then Lighthouse's
    accessibility score of every page on a phone (tools/lighthouse.py; takes minutes).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from generator import pdf
from generator.build import build_site
from generator.load import load_content

import lighthouse  # tools/lighthouse.py, beside this file

ROOT = Path(__file__).resolve().parent.parent


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    content = load_content(ROOT)
    n = len(content.checklists) + len(content.packs)
    figures = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "docs").symlink_to(ROOT / "docs")
            seconds, _ = timed(lambda: pdf.render_pdfs(content, root, root / "out", workers=workers))
            figures[workers] = seconds
            if workers == 2:
                warm, status = timed(lambda: pdf.render_pdfs(content, root, root / "out2"))
    print(f"PDFs: {n} documents")
    print(f"  cold, 1 worker:   {figures[1]:6.2f} s")
    print(f"  cold, 2 workers:  {figures[2]:6.2f} s   (speed-up {figures[1] / figures[2]:.2f}x)")
    print(f"  nothing changed:  {warm:6.2f} s   ({sum(status.values())} rendered)")
    with tempfile.TemporaryDirectory() as tmp:
        build_site(ROOT, Path(tmp) / "site")  # warm the PDF cache of the project
        seconds, site = timed(lambda: build_site(ROOT, Path(tmp) / "site"))
        pages = len(list(site.rglob("*.html")))
        index = (site / "search" / "search_index.json").stat().st_size
        print(f"guide build, warm: {seconds:6.2f} s   ({pages} HTML pages, search index {index / 1024:.1f} KiB)")
        print("Lighthouse, accessibility on a phone (100 is the goal):", flush=True)
        lighthouse.main([str(site)])


if __name__ == "__main__":
    main()
