"""`make bench`: times the build and prints figures and ratios (no pass/fail).

    PDFs from cold with 1 and with 2 workers, a PDF rebuild with nothing changed,
    the whole guide ("Hela vägledningen") alone, cold and cached,
    and the whole `guide build` (pages + site engine + PDFs, warm cache).
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

from generator import pdf
from generator.build import build_site
from generator.load import load_content

ROOT = Path(__file__).resolve().parent.parent


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    content = load_content(ROOT)
    n = len(pdf.jobs(content, ROOT))  # checklists and forms, packs, the whole guide
    figures = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "docs").symlink_to(ROOT / "docs")
            seconds, _ = timed(lambda: pdf.render_pdfs(content, root, root / "out", workers=workers))
            figures[workers] = seconds
            if workers == 2:
                fresh = load_content(ROOT)  # as a new build: print HTML made again, keys compared
                warm, status = timed(lambda: pdf.render_pdfs(fresh, root, root / "out2"))
    print(f"PDFs: {n} documents")
    print(f"  cold, 1 worker:   {figures[1]:6.2f} s")
    print(f"  cold, 2 workers:  {figures[2]:6.2f} s   (speed-up {figures[1] / figures[2]:.2f}x)")
    print(f"  nothing changed:  {warm:6.2f} s   ({sum(status.values())} rendered)")
    guide_cold, guide_cached, pages = whole_guide(content)
    print(f"Whole guide: {pages} pages")
    print(f"  cold:             {guide_cold:6.2f} s")
    print(f"  cached:           {guide_cached:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        build_site(ROOT, Path(tmp) / "site")  # warm the PDF cache of the project
        seconds, site = timed(lambda: build_site(ROOT, Path(tmp) / "site"))
        pages = len(list(site.rglob("*.html")))
        index = (site / "search" / "search_index.json").stat().st_size
    print(f"guide build, warm: {seconds:6.2f} s   ({pages} HTML pages, search index {index / 1024:.1f} KiB)")


def whole_guide(content) -> tuple[float, float, int]:
    """The whole guide's PDF rendered from cold; and cached, what a build with nothing changed
    spends on it: its print HTML and the cache key (the PDF itself is then copied)."""
    job = next(j for j in pdf.jobs(content, ROOT) if j.name == pdf.GUIDE)
    cold, document = timed(lambda: pdf._render(job))
    css = pdf.PRINT_CSS.read_text(encoding="utf-8")
    cached, key = timed(lambda: pdf.Job(pdf.GUIDE, pdf.guide_html(content, pdf.Renderer(content), css),
                                        job.base_url).key())
    assert key == job.key()  # the same key: the cached PDF is used
    return cold, cached, len(pdf.PdfReader(io.BytesIO(document)).pages)


if __name__ == "__main__":
    main()
