"""Give the site's search the inflected forms of each section's key terms.

Material's search indexes a page section by section (search/search_index.json)
and shows each section's text in the results. The inflected forms (see
inflect.py) must be searchable but must not clutter the results, the page or
what a screen reader reads. So they go into a field of their own, `sokord`,
which the search engine indexes (every field named in the index's config is)
but never displays. This is the one step that knows Material's index format;
another engine needs its own version of `add_terms_to_index`.

The search box adds a trailing wildcard to what is typed, so a form is found through
any longer word that starts with it. Only the forms that no word of the section (its
title, its text, its other forms) already starts with are added: "familjehem" is found
through "familjehemmet" in the same list, "hvb" through "hvb-hem" in the text. The index
stays about a third smaller, and finds the same.
"""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path

FIELD = "sokord"
BOOST = 1000.0  # a key term weighs as much as a section title (running text: 1)
TAG = re.compile(r"<[^>]+>")


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
    return len(terms)


# Numbers in digit groups (116 000, 0611-34 90 00) and web addresses, which the search's
# separator splits where a reader does not: "116000" and "frivilliguppdragen" (a word that
# stands on the page only inside https://www.rfs.se/frivilliguppdragen/…) must find them too.
NUMBER = re.compile(r"(?<![\d,.])\d{1,4}(?:(?:[ \u00a0]|&nbsp;|-)\d{2,4})+(?!\d|,\d)")
ADDRESS = re.compile(r"https?://([^\s<>\"']+)")
ADDRESS_WORD = re.compile(r"[^0-9a-zåäöéü]+")


def typed_forms(text: str) -> list[str]:
    """What a reader types for the numbers and addresses of a section's text: each number
    without its spaces, each word of an address on its own."""
    forms = {re.sub(r"\D", "", n) for n in NUMBER.findall(text)}
    forms = {n for n in forms if len(n) >= 4}
    for address in ADDRESS.findall(text):
        forms |= {w for w in ADDRESS_WORD.split(address.lower()) if len(w) >= 4 and not w.isdigit()}
    return sorted(forms)


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
