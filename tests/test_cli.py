"""The `guide` command as a maintainer uses it: build, and a live preview that follows edits."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from conftest import free_port, get, wait_for
from generator.views.inflect import search_forms, word_forms


def test_inflected_forms():
    assert {"familjehemmet", "familjehemmen", "familjehems"} <= word_forms("familjehem")
    assert "stödboendet" in word_forms("stödboende")
    assert {"överförmyndaren", "överförmyndarna"} <= word_forms("överförmyndare")
    assert {"skolan", "skolor", "skolorna"} <= word_forms("skola")
    assert {"numret", "numren"} <= word_forms("nummer") and "regler" in word_forms("regel")
    assert word_forms("god") == {"god"}  # short words are left alone
    assert {"gode", "män"} <= set(search_forms(["gode män"]))  # a keyword need not be on the page


def test_serve_rebuilds_when_content_changes(project_copy):
    port = free_port()
    url = f"http://127.0.0.1:{port}/boendeformer/"
    proc = subprocess.Popen([sys.executable, "-m", "generator.commands.cli", "--root", str(project_copy), "serve",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=Path(__file__).parent.parent)
    lines: list[str] = []  # the preview's output as it comes (a busy machine regenerates slowly)
    reader = threading.Thread(target=lambda: lines.extend(
        line.decode("utf-8", "replace") for line in iter(proc.stdout.readline, b"")), daemon=True)
    reader.start()
    try:
        # the first preview renders the pages (the PDFs come from the copied cache): on a machine
        # shared by many builds that can still take a while
        assert wait_for(lambda: "Stödboende" in get(url), seconds=180), "preview never started"
        housing = project_copy / "guidance" / "boendeformer.yml"
        housing.write_text(housing.read_text(encoding="utf-8").replace(
            "namn: Stödboende", "namn: Stödboende för unga", 1), encoding="utf-8")
        assert wait_for(lambda: "Stödboende för unga" in get(url), seconds=40), "page did not follow the edit"
        # only the changed pages were built again, but search still covers every page
        index = json.loads(get(f"http://127.0.0.1:{port}/search/search_index.json"))
        pages = {doc["location"].split("/")[0] for doc in index["docs"]}
        assert {"boendeformer", "forsvinnande", "anvisning", "jag-ar-god-man"} <= pages, pages
        # the PDFs follow in a process of their own, and the preview says when they are ready
        assert wait_for(lambda: "PDF-filerna är klara" in "".join(lines), seconds=240), "".join(lines)
        # a broken edit keeps the last good page and the preview running
        housing.write_text(housing.read_text(encoding="utf-8").replace("namn: Stödboende för unga", "namn:", 1),
                           encoding="utf-8")
        message = "namn: Här står ingenting, men det ska vara en text"
        assert wait_for(lambda: message in "".join(lines), seconds=40), "the broken edit was not reported"
        assert "Stödboende för unga" in get(url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        reader.join(timeout=10)
