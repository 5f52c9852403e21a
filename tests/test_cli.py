"""The `guide` command as a maintainer uses it: build, and a live preview that follows edits."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from generator.inflect import search_forms, word_forms


def test_inflected_forms():
    assert {"familjehemmet", "familjehemmen", "familjehems"} <= word_forms("familjehem")
    assert "stödboendet" in word_forms("stödboende")
    assert {"överförmyndaren", "överförmyndarna"} <= word_forms("överförmyndare")
    assert {"skolan", "skolor", "skolorna"} <= word_forms("skola")
    assert {"numret", "numren"} <= word_forms("nummer") and "regler" in word_forms("regel")
    assert word_forms("god") == {"god"}  # short words are left alone
    assert {"gode", "män"} <= set(search_forms(["gode män"]))  # a keyword need not be on the page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait_for(predicate, seconds: float = 40) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_serve_rebuilds_when_content_changes(project_copy):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/boendeformer/"
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "--root", str(project_copy), "serve",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=Path(__file__).parent.parent)
    lines: list[str] = []  # the preview's output as it comes (a busy machine regenerates slowly)
    reader = threading.Thread(target=lambda: lines.extend(
        line.decode("utf-8", "replace") for line in iter(proc.stdout.readline, b"")), daemon=True)
    reader.start()
    try:
        # the first preview renders every PDF: on a machine shared by many builds that takes a while
        assert _wait_for(lambda: "Stödboende" in _get(url), seconds=180), "preview never started"
        housing = project_copy / "guidance" / "boendeformer.yml"
        housing.write_text(housing.read_text(encoding="utf-8").replace(
            "namn: Stödboende", "namn: Stödboende för unga", 1), encoding="utf-8")
        assert _wait_for(lambda: "Stödboende för unga" in _get(url)), "page did not follow the edit"
        # only the changed pages were built again, but search still covers every page
        index = json.loads(_get(f"http://127.0.0.1:{port}/search/search_index.json"))
        pages = {doc["location"].split("/")[0] for doc in index["docs"]}
        assert {"boendeformer", "forsvinnande", "anvisning", "jag-ar-god-man"} <= pages, pages
        # the PDFs follow in a process of their own, and the preview says when they are ready
        assert _wait_for(lambda: "PDF-filerna är klara" in "".join(lines), seconds=240), "".join(lines)
        # a broken edit keeps the last good page and the preview running
        housing.write_text(housing.read_text(encoding="utf-8").replace("namn: Stödboende för unga", "namn:", 1),
                           encoding="utf-8")
        message = "namn: Här står ingenting, men det ska vara en text"
        assert _wait_for(lambda: message in "".join(lines)), "the broken edit was not reported"
        assert "Stödboende för unga" in _get(url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        reader.join(timeout=10)
