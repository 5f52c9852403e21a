"""Swedish inflected forms of key terms: for the search index and the glossary's tooltips.

Material's search adds a trailing wildcard to what is typed, so a query finds
longer forms of an indexed word ("varningssignal" finds "varningssignaler")
but not the other way round ("stödboendet" does not find "stödboende"). The
site's search cuts every typed word back to its root first (search_sv.js), which
covers the regular forms of every word on a page. The forms made here add what
that cannot: a key term that does not stand on the page at all, and a section
whose key term is typed in the very form ranks as one that holds the word
("migrationsverkets" brings the actor Migrationsverket first). The generator
puts them into the index, hidden from view and from screen readers (search.py),
and the glossary marks them with the term's tooltip (pages.glossary_forms).

The rules over-generate on purpose: a form nobody writes costs little in the
index, a form that is missing makes a search fail.
"""

from __future__ import annotations

import re

VOWELS = "aeiouyåäö"
SUFFIXES = ("en", "et", "n", "t", "ar", "er", "or", "arna", "erna", "orna", "na", "s",
            "ens", "ets", "ns", "ts", "ernas", "arnas", "ornas")
# A short stressed vowel before one final consonant doubles it: hem -> hemmet.
DOUBLING = re.compile(rf"[^{VOWELS}][{VOWELS}]([bdfgklmnprstv])$")
MIN_LENGTH = 4


def word_forms(word: str) -> set[str]:
    """Inflected forms of one word (lower case), the word itself included."""
    w = word.lower()
    forms = {w}
    if len(w) < MIN_LENGTH or not w.isalpha():
        return forms
    forms.update(w + s for s in SUFFIXES)
    if DOUBLING.search(w):
        forms.update(w + w[-1] + s for s in SUFFIXES if s[0] in VOWELS)
    if re.search(rf"[^{VOWELS}](er|el|en)$", w):
        # the unstressed e drops: nummer -> numret, regel -> regler, exempel -> exemplet
        stem = w[:-2] + w[-1]
        stem = re.sub(r"([^aeiouyåäö])\1(.)$", r"\1\2", stem)
        forms.update(stem + s for s in ("et", "en", "ets", "ens", "er", "erna", "ar", "arna", "a", "na"))
    if w.endswith(("e", "a")):
        # överförmyndare -> överförmyndarna, skola -> skolor, skolorna
        forms.update(w[:-1] + s for s in ("ar", "arna", "or", "orna", "na", "ans", "ens"))
    return forms


def term_forms(term: str) -> set[str]:
    """Forms of a (possibly multi-word) term: every word inflected on its own."""
    forms: set[str] = set()
    for word in re.split(r"[\s\-/,()]+", term):
        if word:
            forms |= word_forms(word)
    return forms


def search_forms(terms: list[str]) -> list[str]:
    """Sorted forms of all terms, the terms' own words included (a keyword need not be
    anywhere on the page itself)."""
    forms: set[str] = set()
    for term in terms:
        forms |= term_forms(term)
    return sorted(forms)
