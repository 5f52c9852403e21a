"""The pages' scripts: out of the HTML (for the Content-Security-Policy) and out of the way
of the first paint.

The theme writes a few small scripts straight into every page (the storage scope, the
colour palette, the tab that a link points at). A policy of `script-src 'self'` blocks
them. This step, run once over the built HTML, moves each distinct inline script into a
file of its own, named by a hash of its text (so the server may let browsers cache it for
ever), and puts a `<script src>` in its place, from a server with the policy and from
file:// (the offline copy) alike. Data blocks (`type="application/json"`) are not run by the
browser and stay as they are.

Every script of the page is then deferred: the browser fetches them while it reads the page,
paints the page, and runs them in the order they stand, before the page counts as loaded.
None of them writes into the page as it is read (the theme's palette and tab scripts only
restore a reader's choice, and this site offers neither), so nothing changes but the speed.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S)
RUNNABLE_TYPES = ("", "text/javascript", "module", "application/javascript")
FOLDER = "assets/javascripts"
# A classic script from a file, not yet deferred or async.
DEFERRABLE = re.compile(r'(?P<open><script (?:(?!\b(?:defer|async|type)\b)[^>])*\bsrc="[^"]*")(?P<close>></script>)')
# Where the page's own path to the assets folder can be read: the theme's main script.
ASSETS_PREFIX = re.compile(r'<script src="(?P<prefix>[^"]*?)assets/javascripts/bundle\.')


class ScriptFiles:
    """Moves the inline scripts of the pages of one built site into files of their own."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.written: set[str] = set()

    def externalize(self, html: str) -> str:
        """The page with each inline script replaced by a `<script src>` to its file."""
        found = ASSETS_PREFIX.search(html)
        if not found:  # not a theme page (e.g. a hand-written HTML file): leave it alone
            return html
        prefix = found.group("prefix")

        def replace(match: re.Match) -> str:
            attrs, body = match.group("attrs"), match.group("body")
            if "src=" in attrs or _type(attrs) not in RUNNABLE_TYPES or not body.strip():
                return match.group(0)
            name = f"inline.{hashlib.sha256(body.encode('utf-8')).hexdigest()[:12]}.js"
            if name not in self.written:
                target = self.site_dir / FOLDER / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(body, encoding="utf-8")
                self.written.add(name)
            return f'<script{attrs} src="{prefix}{FOLDER}/{name}" defer></script>'

        return DEFERRABLE.sub(r"\g<open> defer\g<close>", SCRIPT.sub(replace, html))


def _type(attrs: str) -> str:
    found = re.search(r'\btype="([^"]*)"', attrs)
    return found.group(1).lower() if found else ""
