"""Large finished HTML carried past the engine's Markdown step unread.

The print composer (pages/utskriftspaket.md.j2) holds the print HTML of the whole guide,
about 450 KB, as raw HTML in the page's Markdown. Python-Markdown would parse all of it on
every build only to pass it through unchanged (a fifth of a second, and the page changes with
every edit of the guidance). The generator marks such a block (`verbatim`); the engine plugin
(outputs/engine.py, Verbatim) takes it out of the Markdown before it is rendered and puts it back, unchanged, into the
rendered page. The page's Markdown itself stays complete, so another engine (Zensical, which
runs no plugins) renders the same page. tests/test_engine.py checks that a build with this
plugin is byte-identical to one without it.
"""

from __future__ import annotations

import re

START, END = "<!-- verbatim -->", "<!-- /verbatim -->"
BLOCK = re.compile(rf"^{re.escape(START)}\n.*?\n{re.escape(END)}$", re.S | re.M)
PLACEHOLDER = re.compile(r"<!-- verbatim (\d+) -->")


def verbatim(html: str) -> str:
    """HTML that the engine is to pass through without reading it (a block of its own)."""
    return f"{START}\n{html}\n{END}"
