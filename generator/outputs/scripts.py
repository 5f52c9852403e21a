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
restore a reader's choice, and this site offers neither, so overrides/partials/javascripts/
leaves them out), so nothing changes but the speed.

The theme's own script also fetches the search index (search/search_index.json, about 90 KB
gzipped, half a megabyte of JSON to parse and hand to the search worker, and the Swedish
stemmer) as soon as it runs, on every page. `lazy_search_index` changes that one step: the
index is fetched when the reader opens the search (clicks or tabs into the box, or presses
"/"), or with the page when it is opened from a search result (`?h=`, the highlighting). That
is the theme's own behaviour in the offline copy (file://). A reader who only reads a page, as
most do on a phone, spends no data and no battery on an index she does not use.

`lazy_tooltips` changes one more step: the theme sets up a tooltip for every glossary term
(`abbr`) while the page loads, about fifteen observers each; the allocation page has 175
terms. Each tooltip is now set up when its word first comes into view, as the theme itself
does with its `content.lazy` setting for code blocks. A reader sees the same tooltips.
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
# The theme's script (Material 9.8.2) and the two places in it that start fetching the search
# index. The search worker is handed the index as soon as "not file://" or the search opens:
#     setupSearchWorker: merge(of(location.protocol !== "file:"), watchToggle("search"))
# and the highlighting of a search result's words subscribes to the index on every page:
#     mountSearchHiglight: combineLatest([index$, location$.pipe(..., filter(has "h"))])
BUNDLE = re.compile(r'assets/javascripts/(?P<name>bundle\.[0-9a-f]{8,}\.min\.js)')
SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")
WORKER_GATE = re.compile(r'(?<![\w$])(?P<of>[\w$]+)\(location\.protocol!=="file:"\)(?=,[\w$]+\("search"\))')
HIGHLIGHT_INDEX = re.compile(r'(\{index\$:(?P<index>[\w$]+),location\$:[\w$]+\}\)\{return [\w$]+\(\[)(?P=index),')
# Only the opening of the search lets the index through, on every protocol (as on file://).
ONLY_WHEN_OPENED = r"\g<of>(!1)"
# The highlighting needs the index only on a page opened from a search result.
ONLY_WITH_H = r'\1(new URL(location.href).searchParams.get("h")?\g<index>:new Promise(function(){})),'
# A tooltip for every element with a title, set up at once (mountContent):
#     ...getElements("[title]:not([data-preview])", el).filter(() => feature("content.tooltips"))
#        .map(child => mountTooltip(child, {viewport$}))
# and the theme's way to set something up once it is in view (content.lazy, mountCodeBlock):
#     watchElementVisibility(el).pipe(filter(visible => visible), take(1), switchMap(() => ...))
TOOLTIPS = re.compile(r'(\.\.\.[\w$]+\("\[title\]:not\(\[data-preview\]\)",[\w$]+\)'
                      r'\.filter\(\(\)=>[\w$]+\("content\.tooltips"\)\))'
                      r'\.map\((?P<el>[\w$]+)=>(?P<mount>[\w$]+\((?P=el),\{viewport\$:[\w$]+\}\))\)')
IN_VIEW = re.compile(r'[\w$]+\("content\.lazy"\)\?(?P<visible>[\w$]+)\([\w$]+\)\.pipe\((?P<filter>[\w$]+)'
                     r'\([\w$]+=>[\w$]+\),(?P<take>[\w$]+)\(1\),(?P<switch>[\w$]+)\(\(\)=>[\w$]+\)\)')


class ScriptFiles:
    """Moves the inline scripts of the pages of one built site into files of their own."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.written: set[str] = set()
        self.bundles: dict[str, str] = {}  # the theme's script -> its lazy-index version

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

        html = BUNDLE.sub(lambda m: "assets/javascripts/" + self._lazy_bundle(m.group("name")), html)
        return DEFERRABLE.sub(r"\g<open> defer\g<close>", SCRIPT.sub(replace, html))

    def _lazy_bundle(self, name: str) -> str:
        """The name of the theme's script with the search index fetched late (written once)."""
        if name not in self.bundles:
            folder = self.site_dir / FOLDER
            patched = patch_bundle((folder / name).read_text(encoding="utf-8"))
            if patched is None:  # another version of the theme: its script as it is
                self.bundles[name] = name
            else:  # without the link to the original's source map, which does not fit it
                patched = SOURCE_MAP.sub("", patched)
                digest = hashlib.sha256(patched.encode("utf-8")).hexdigest()[:12]
                self.bundles[name] = f"bundle.{digest}.min.js"
                (folder / self.bundles[name]).write_text(patched, encoding="utf-8")
        return self.bundles[name]

    def remove_replaced(self) -> None:
        """Once every page is done: the theme's original script and its source map, which no
        page uses any more (1.1 MB less in the site and its offline copy)."""
        for original, used in self.bundles.items():
            if used != original:
                for path in (self.site_dir / FOLDER / original, self.site_dir / FOLDER / f"{original}.map"):
                    path.unlink(missing_ok=True)


def patch_bundle(bundle: str) -> str | None:
    """The theme's script with the search index fetched when the search is opened and each
    tooltip set up when it comes into view (see the module's description); None when the
    script is not the one this was written for (tests/test_server.py notices)."""
    index = lazy_search_index(bundle)
    return lazy_tooltips(index) if index is not None else None


def lazy_search_index(bundle: str) -> str | None:
    if len(WORKER_GATE.findall(bundle)) != 1 or len(HIGHLIGHT_INDEX.findall(bundle)) != 1:
        return None
    return HIGHLIGHT_INDEX.sub(ONLY_WITH_H, WORKER_GATE.sub(ONLY_WHEN_OPENED, bundle))


def lazy_tooltips(bundle: str) -> str | None:
    view = IN_VIEW.search(bundle)
    if view is None or len(TOOLTIPS.findall(bundle)) != 1:
        return None
    once_in_view = f"{view['visible']}(\\g<el>).pipe({view['filter']}(v=>v),{view['take']}(1),{view['switch']}(()=>\\g<mount>))"
    return TOOLTIPS.sub(rf"\1.map(\g<el>=>{once_in_view})", bundle)


def _type(attrs: str) -> str:
    found = re.search(r'\btype="([^"]*)"', attrs)
    return found.group(1).lower() if found else ""
