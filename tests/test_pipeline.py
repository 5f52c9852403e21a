"""One pipeline for every entry point: what `guide edit` shows a maintainer is, byte for byte,
what `guide build` publishes, apart from the script that reloads the preview."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request

import pytest

from conftest import ROOT, copy_project, free_port, get, wait_for
from generator.commands.edit_server import RELOAD_SCRIPT


@pytest.fixture(scope="module")
def editor_preview(tmp_path_factory, site):
    root = copy_project(tmp_path_factory.mktemp("preview"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generator.commands.cli", "--root", str(root), "edit",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                            text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(proc.stdout), daemon=True).start()
    origin = f"http://127.0.0.1:{port}"
    try:
        def built() -> bool:
            status = json.loads(get(f"{origin}/__status"))
            return status["version"] > 0 and status["ok"] and status["pdfs"] and not status["building"]

        assert wait_for(built, 180), "".join(log)
        yield origin
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_every_page_of_the_preview_is_the_built_page(editor_preview, site):
    """Seen failing before the preview ran the build's finishing step: its pages kept the
    theme's inline scripts (blocked by the site's Content-Security-Policy) and every glossary
    tooltip, where the published pages have one per section. And before the preview brought in
    PDFs taken from the cache: its pages linked to PDFs that were not there."""
    reload = RELOAD_SCRIPT.split("SEEN")[0].encode()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) > 30
    for rel in pages:
        url = f"{editor_preview}/{rel.removesuffix('index.html')}"
        with urllib.request.urlopen(url, timeout=30) as response:
            shown = response.read()
        start = shown.find(reload)
        assert start > 0, rel  # the preview's page has its reload script ...
        end = shown.index(b"</script>", start) + len(b"</script>")
        ours = shown[:start] + shown[end:]
        built = (site / rel).read_bytes()
        at = next((i for i, (a, b) in enumerate(zip(ours, built)) if a != b), min(len(ours), len(built)))
        assert ours == built, f"{rel}: {ours[at - 200:at + 100]!r} != {built[at - 200:at + 100]!r}"  # ... and nothing else new
