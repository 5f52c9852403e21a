"""Lighthouse (npm `lighthouse`, pinned in package.json) with Debian's Chromium.

One Chromium is started for a whole run and every page is audited in it, which saves a
browser start per page. Use it from Python:

    with serve(site_dir) as base, chromium() as port:
        report = audit(f"{base}/anvisning/", port, ["accessibility"])
        scores(report)          # {"accessibility": 100}
        failed_audits(report)   # {"accessibility": []}

An audit spends most of its time waiting for the page to be quiet: audit_all audits several
pages at once, each in a Chromium of its own (two audits in one browser would disturb each other).

or from the command line, for every page of a built site:

    .venv/bin/python tools/lighthouse.py site [--kategori accessibility] [--desktop]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
# The same flags as the browser tests (tests/conftest.py), plus headless mode.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def chromium() -> Iterator[int]:
    """A headless Chromium for Lighthouse to drive; yields its remote-debugging port."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="lighthouse-chromium-") as profile:
        proc = subprocess.Popen([CHROMIUM, *CHROMIUM_ARGS, f"--remote-debugging-port={port}",
                                 f"--user-data-dir={profile}", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Chromium startade inte ({CHROMIUM})")
                time.sleep(0.2)
            yield port
        finally:
            proc.terminate()
            proc.wait(10)


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 as in production (nginx, server/); yields the base URL."""
    sys.path.insert(0, str(ROOT))
    from generator.commands import webserver

    process, base = webserver.start(site)
    try:
        yield base
    finally:
        webserver.stop(process)


def audit(url: str, port: int, categories: list[str], desktop: bool = False) -> dict:
    """Lighthouse's JSON report of one page, audited in the Chromium on `port`."""
    if not LIGHTHOUSE.exists():
        raise RuntimeError(f"{LIGHTHOUSE} saknas: kör `npm ci` (make test gör det)")
    # no full-page screenshot: it only illustrates the HTML report, and costs two seconds a page
    cmd = [str(LIGHTHOUSE), url, f"--port={port}", "--output=json", "--output-path=stdout", "--quiet",
           f"--only-categories={','.join(categories)}", f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
           "--disable-full-page-screenshot"]
    if desktop:
        cmd.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse misslyckades för {url}:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse: {url}: {report['runtimeError']}")
    return report


def audit_all(urls: list[str], categories: list[str], desktop: bool = False) -> list[dict]:
    """Lighthouse's reports of several pages (in the order of `urls`), audited at the same time."""
    def one(url: str) -> dict:
        with chromium() as port:
            return audit(url, port, categories, desktop)

    with ThreadPoolExecutor(max_workers=len(urls) or 1) as pool:
        return list(pool.map(one, urls))


def scores(report: dict) -> dict[str, int | None]:
    """Category -> score 0–100 (None when Lighthouse could not score it)."""
    return {k: None if c["score"] is None else round(c["score"] * 100)
            for k, c in report["categories"].items()}


def failed_audits(report: dict) -> dict[str, list[str]]:
    """Category -> ids of the scored audits that did not pass."""
    audits = report["audits"]
    return {k: [r["id"] for r in c["auditRefs"] if r["weight"] > 0 and audits[r["id"]]["score"] not in (1, None)]
            for k, c in report["categories"].items()}


def site_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, as a URL path ("" for the start page)."""
    return [p.relative_to(site).as_posix().removesuffix("index.html") for p in sorted(site.rglob("*.html"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lighthouse för varje sida i en byggd webbplats.")
    parser.add_argument("site", type=Path, help="mappen med den byggda webbplatsen, till exempel site")
    parser.add_argument("--kategori", action="append", dest="categories",
                        help="Lighthouse-kategori (standard: accessibility); kan anges flera gånger")
    parser.add_argument("--desktop", action="store_true", help="skrivbordsbredd i stället för mobil")
    args = parser.parse_args(argv)
    categories = args.categories or ["accessibility"]
    worst = 100
    with serve(args.site) as base, chromium() as port:
        for path in site_pages(args.site):
            report = audit(f"{base}/{path}", port, categories, args.desktop)
            got, failed = scores(report), failed_audits(report)
            worst = min([worst, *(s for s in got.values() if s is not None)])
            line = "  ".join(f"{k} {v}" for k, v in got.items())
            extra = "; ".join(f"{k}: {', '.join(v)}" for k, v in failed.items() if v)
            print(f"{line}  /{path}" + (f"  ({extra})" if extra else ""), flush=True)
    return 0 if worst == 100 else 1


if __name__ == "__main__":
    sys.exit(main())
