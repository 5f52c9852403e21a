"""The site's search: Swedish as people type it, on top of Material's search (lunr).

Material's search indexes a page section by section (search/search_index.json) and shows each
section's text in the results. This is the one step that knows Material's index format; another
engine needs its own version of `add_terms_to_index`. It does three things to the built site:

- **Where words split** (`SEPARATOR`, in the index's config): at punctuation too, so a word in
  brackets, an e-mail address or a web address is found by typing it.
- **Swedish forms** (`search_sv.js`, appended to the theme's Swedish language file): each typed
  word is cut back to its root before it is looked up, so any form finds any other form
  ("frivilliguppdraget" finds "frivilliguppdragen", "regler" finds "regel"), and a query of
  several words puts the page that holds all of them first. The index itself is not changed,
  so a phone downloads no more for it.
- **Key terms** (`sokord`): the inflected forms of each section's key terms (see inflect.py),
  and numbers written without their spaces, in a field of their own that the engine indexes
  (every field named in the index's config is) but never displays, so they do not clutter the
  results, the page or what a screen reader reads. A key term need not stand on the page, a
  form the rules cannot reach ("gode män") still finds, and a section whose key term is typed
  in the very form ranks as one that holds the word.

The search box adds a trailing wildcard to what is typed, so a form is found through any
longer word that starts with it. Only the forms that no word of the section (its title, its
text, its other forms) already starts with are added: "familjehem" is found through
"familjehemmet" in the same list, "hvb" through "hvb-hem" in the text.
"""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path

FIELD = "sokord"
BOOST = 1000.0  # a key term weighs as much as a section title (running text: 1)
TAG = re.compile(r"<[^>]+>")
# Where the search splits text into words (the theme's own splits only at spaces and hyphens,
# so "(signalement)", "klarstrom@falun.se" and "https://www.rfs.se/frivilliguppdragen/" were
# single words that typing "signalement", "falun" or "frivilliguppdragen" never found): at
# spaces, dashes and punctuation, at a full stop not inside a number ("3.3.1" stays one word),
# and at an HTML entity. Both the index and the queries are split with it.
SEPARATOR = r"""[\s\-–—,:;!?=()\[\]{}"'/@|·…§%‰×_«»“”‘’]+|\.(?!\d)|&(?:[a-z]+|#\d+);"""
# The search's Swedish (see search_sv.js), added to the theme's Swedish language file, which the
# search worker loads before it builds the index.
SWEDISH = Path(__file__).with_name("search_sv.js")
LANGUAGE_FILE = Path("assets", "javascripts", "lunr", "min", "lunr.sv.min.js")


def location(page: str, anchor: str) -> str:
    """`boendeformer.md`, `hvb` -> `boendeformer/#hvb`, as the index names sections
    (no anchor: the page itself, `boendeformer/`)."""
    path = "" if page == "index.md" else page.removesuffix(".md") + "/"
    return f"{path}#{anchor}" if anchor else path


def add_terms_to_index(site_dir: Path, terms: dict[str, list[str]]) -> int:
    """Add each section's forms to the built index; return how many sections got them."""
    index_file = site_dir / "search" / "search_index.json"
    index = json.loads(index_file.read_text(encoding="utf-8"))
    index["config"].setdefault("fields", {})[FIELD] = {"boost": BOOST}
    index["config"]["separator"] = SEPARATOR
    by_location = {doc["location"]: doc for doc in index["docs"]}
    if any(".html" in loc for loc in by_location):  # the offline build: no directory URLs
        terms = {_file_location(loc): forms for loc, forms in terms.items()}
    missing = sorted(set(terms) - set(by_location))
    if missing:
        raise ValueError(f"sections not in the search index: {missing}")
    separator = re.compile(index["config"].get("separator", r"[\s\-]+"))
    for loc, doc in by_location.items():
        forms = terms.get(loc, []) + typed_forms(doc.get("text", ""))
        needed = needed_forms(forms, doc, separator) if forms else []
        if needed:
            doc[FIELD] = " ".join(needed)
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    index_file.write_text(data, encoding="utf-8")
    script = index_file.with_suffix(".js")  # the offline build's copy, for file:// (offline plugin)
    if script.exists():
        script.write_text(f"var __index = {data}", encoding="utf-8")
    add_swedish(site_dir)
    return len(terms)


def add_swedish(site_dir: Path) -> None:
    """Append search_sv.js to the theme's Swedish language file, once (a preview builds into a
    copy of its last site)."""
    language = site_dir / LANGUAGE_FILE
    if not language.is_file():
        raise FileNotFoundError(f"the theme's Swedish search file is missing: {language}")
    ours = SWEDISH.read_text(encoding="utf-8")
    theme = language.read_text(encoding="utf-8")
    theme = theme.split(ours.splitlines()[0])[0].rstrip("\n")
    language.write_text(f"{theme}\n{ours}", encoding="utf-8")


# Numbers in digit groups (116 000, 0611-34 90 00), which the search's separator splits where a
# reader does not: "116000" and "0611349000" must find them too.
NUMBER = re.compile(r"(?<![\d,.])\d{1,4}(?:(?:[ \u00a0]|&nbsp;|-)\d{2,4})+(?!\d|,\d)")


def typed_forms(text: str) -> list[str]:
    """What a reader types for the numbers of a section's text: each number without its spaces."""
    forms = {re.sub(r"\D", "", n) for n in NUMBER.findall(text)}
    return sorted(n for n in forms if len(n) >= 4)


def needed_forms(forms: list[str], doc: dict, separator: re.Pattern) -> list[str]:
    """The forms a query with a trailing wildcard would not find without them: those that
    are not the start of a longer form, nor the start of a word in the section itself."""
    words = sorted({w.lower() for field in ("title", "text")
                    for w in separator.split(TAG.sub(" ", doc.get(field, ""))) if w})
    unique = sorted(set(forms))
    needed = []
    for number, form in enumerate(unique):
        longer = unique[number + 1] if number + 1 < len(unique) else ""  # sorted: the next form
        first = bisect.bisect_left(words, form)  # sorted: the first word from `form` on starts with it, if any does
        if longer.startswith(form) or (first < len(words) and words[first].startswith(form)):
            continue
        needed.append(form)
    return needed


def _file_location(loc: str) -> str:
    """`boendeformer/#hvb` -> `boendeformer.html#hvb`; `#x` (start page) -> `index.html#x`."""
    path, _, anchor = loc.partition("#")
    page = path.rstrip("/") + ".html" if path else "index.html"
    return f"{page}#{anchor}" if anchor else page
