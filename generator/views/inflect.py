"""Swedish inflected forms of key terms, so that search finds "familjehemmet".

Material's search adds a trailing wildcard to what is typed, so a query finds
longer forms of an indexed word ("varningssignal" finds "varningssignaler")
but not the other way round ("stödboendet" does not find "stödboende").
Stemming does not help (a wildcard query skips the stemmer). So the generator
puts the inflected forms of each item's key terms into the page, hidden from
view and from screen readers but indexed by the search engine.

The rules over-generate on purpose: a form nobody writes costs nothing in the
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
