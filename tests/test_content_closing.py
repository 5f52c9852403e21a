"""The closing words, the practical links and the glossary, checked against the seed texts.

Chapter 10 of 002 is read line by line, so a dropped, reordered or altered link fails here.
The glossary must explain every abbreviation the main material uses, and its figures and
law names must be the ones the sources give.
"""

from __future__ import annotations

import re

import pytest

CHAPTER_10 = "10. Praktiska länkar för aktörer som möter ensamkommande barn"
CHAPTER_11 = "11. Källor"

# Source URLs the content deliberately corrects, source form -> content form (both normalised).
# The chapter 10 link has "forsviner"; footnote 11 of 002 spells the same address "forsvinner".
URL_CORRECTIONS = {
    "kunskapsguiden.se/omraden-och-teman/barn-och-unga/ensamkommande-barn-och-unga/"
    "nationell-vagledning--motverka-att-ensamkommande-barn-forsviner":
    "kunskapsguiden.se/omraden-och-teman/barn-och-unga/ensamkommande-barn-och-unga/"
    "nationell-vagledning--motverka-att-ensamkommande-barn-forsvinner",
}

# All-caps words of 2-5 letters in the seeds that are not glossary terms, and why:
# EU, FN, ID: known to every reader; SOS: part of the company name "SOS Alarm" (explained
# under 116 000). The rest occur only in 003's and 004's footnotes and reference list:
# SFS and HSLF-FS (statute books), SIM, MVA (parts of registration numbers), SIMBA
# (Migrationsverket's internal statistics system), UNICEF (a cited publisher).
NOT_TERMS = {"EU", "FN", "ID", "SOS"}
REFERENCE_ONLY = {"SFS", "HSLF", "FS", "SIM", "MVA", "SIMBA", "UNICEF"}

# Abbreviations whose expansion the seeds do not spell out (the site gives the generally known one).
EXPANSION_NOT_IN_SEEDS = {"BUP", "UNHCR", "NSPM"}

REQUIRED_TERMS = ["HVB", "SFV", "LVU", "SoL", "LMA", "BUP", "SKR", "IVO", "god man",
                  "anknytningsanvisning", "utjämnande anvisning", "måluppfyllelse"]

SWEDISH_ORDER = "0123456789abcdefghijklmnopqrstuvwxyzåäö"


def squash(text: str) -> str:
    """Whitespace (including non-breaking spaces and line breaks) as single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def norm_url(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().strip("<>").lower())
    return url.removeprefix("www.").rstrip("/")


def chapter_lines(doc: str, start: str, end: str) -> list[str]:
    lines = [ln.strip() for ln in doc.splitlines()]
    first = max(i for i, ln in enumerate(lines) if ln == start)  # the heading, not the contents list
    last = next(i for i in range(first + 1, len(lines)) if lines[i] == end)
    return [ln for ln in lines[first + 1:last] if ln]


def source_url(line: str) -> str | None:
    """The address a chapter 10 line gives, or None for the "[...](#)" entries without one."""
    for pattern in (r"<(https?://[^>\s]+)>", r"\b(https?://\S+)", r"\b(www\.[\w.\-/]+)", r"\b([\w\-]+\.se)\b"):
        m = re.search(pattern, line)
        if m:
            return m.group(1)
    return None


@pytest.fixture(scope="module")
def doc(seed_text):
    return seed_text("002")


@pytest.fixture(scope="module")
def links_source(doc):
    return chapter_lines(doc, CHAPTER_10, CHAPTER_11)


@pytest.fixture(scope="module")
def all_seeds(seed_text):
    return squash("\n".join(seed_text(p) for p in ("000", "001", "002", "003", "004")))


def glossary_forms(content) -> set[str]:
    return {f for t in content.glossary.terms for f in [t.term, *t.forms]}


# --- Practical links (chapter 10) ------------------------------------------------------------


def test_one_link_per_line_of_chapter_10(content, links_source):
    assert len(links_source) == 12, links_source
    assert len(content.closing.links) == len(links_source)


def test_links_in_source_order_with_source_addresses(content, links_source):
    for line, link in zip(links_source, content.closing.links):
        url = source_url(line)
        if url is None:
            assert "](#)" in line, line
            assert link.url is None, f"{link.id}: the source gives no address"
        else:
            expected = URL_CORRECTIONS.get(norm_url(url), norm_url(url))
            assert link.url is not None, f"{link.id}: missing address {url}"
            assert norm_url(link.url) == expected, f"{link.id}: {link.url} != {url}"


def test_every_source_url_is_in_content(content, links_source):
    have = {norm_url(link.url) for link in content.closing.links if link.url}
    urls = [u for u in map(source_url, links_source) if u]
    assert len(urls) == 10
    for url in urls:
        assert URL_CORRECTIONS.get(norm_url(url), norm_url(url)) in have, url


def test_url_corrections_are_backed_by_the_seed(doc, links_source):
    for wrong, right in URL_CORRECTIONS.items():
        assert any(norm_url(source_url(ln) or "") == wrong for ln in links_source), wrong
        # the corrected spelling of the changed path segment occurs elsewhere in 002
        segment = right.rsplit("/", 1)[-1].split("--")[-1]
        assert segment in doc, segment


# Words a link text adds to its source line (the source line says only "För handläggning Socialstyrelsen.se").
ADDED_WORDS = {"lank-socialstyrelsen-handlaggning": {"kunskap"}}


def test_link_texts_keep_the_source_wording(content, links_source):
    """Each link's text is its source line minus "För", the address and the markup."""
    for line, link in zip(links_source, content.closing.links):
        for word in re.findall(r"[a-zåäöA-ZÅÄÖ:]{5,}", link.text):
            if word.lower() in ADDED_WORDS.get(link.id, set()):
                continue
            assert word.lower() in line.lower(), f"{link.id}: '{word}' is not in the source line {line!r}"


def test_link_ids_are_prefixed(content):
    assert all(link.id.startswith("lank-") for link in content.closing.links)
    assert content.closing.closing.id.startswith("av-")


# --- Closing words (chapter 9) -----------------------------------------------------------------


def test_closing_section(content, doc):
    closing = content.closing.closing
    assert closing.title == "Håll i och håll ut"
    assert '"håll i och håll ut"' in doc
    assert [p.split(":")[0] for p in closing.points] == ["Hålla i", "Hålla ut", "Hålla om"]
    for phrase in ("hålla i", "hålla ut", "hålla om"):
        assert phrase in doc.lower()
    text = " ".join(closing.points).lower()
    for key in ("kompetens", "kunskap", "lära nytt", "engagemang", "färskvara", "roll eller funktion",
                "oviss utgång", "varenda unge", "empatiska möten", "korrekt information",
                "tankar, känslor och reaktioner"):
        assert key in doc.lower() and key in text, key
    assert "delaktighet i sin egen process" in doc and "delaktighet i sin egen process" in closing.text
    assert not any(p.endswith(".") for p in closing.points)


# --- Glossary -------------------------------------------------------------------------------------


def test_required_terms_are_in_glossary(content):
    terms = {t.term for t in content.glossary.terms}
    missing = [t for t in REQUIRED_TERMS if t not in terms]
    assert not missing, missing


def test_every_abbreviation_in_002_is_explained(content, doc):
    found = set(re.findall(r"\b[A-ZÅÄÖ]{2,5}\b", doc))
    assert {"HVB", "LVU", "BBÅ", "UNHCR", "SKR", "BUP", "NSPM"} <= found  # the pattern still works
    missing = sorted(found - NOT_TERMS - glossary_forms(content))
    assert not missing, f"abbreviations in 002 without a glossary entry: {missing}"
    assert "SoL" in doc and "SoL" in glossary_forms(content)  # mixed case, not caught by the pattern


def test_every_abbreviation_in_the_other_seeds_is_explained(content, seed_text):
    found = set()
    for prefix in ("000", "001", "003", "004"):
        found |= set(re.findall(r"\b[A-ZÅÄÖ]{2,5}\b", seed_text(prefix)))
    assert {"SFV", "LMA", "IVO"} <= found
    missing = sorted(found - NOT_TERMS - REFERENCE_ONLY - glossary_forms(content))
    assert not missing, f"abbreviations in the seeds without a glossary entry: {missing}"


def test_abbreviations_expand_as_the_sources_do(content, all_seeds):
    low = all_seeds.lower()
    for t in content.glossary.terms:
        if not t.abbreviation_of:
            continue
        assert t.term.upper() == t.term or t.term == "SoL", f"{t.term}: står_för is only for abbreviations"
        if t.term in EXPANSION_NOT_IN_SEEDS:
            continue
        assert squash(t.abbreviation_of).lower() in low, f"{t.term}: '{t.abbreviation_of}' not in the seeds"
    by_term = {t.term: t for t in content.glossary.terms}
    assert by_term["LVU"].abbreviation_of == "lagen (1990:52) med särskilda bestämmelser om vård av unga"
    assert by_term["LMA"].abbreviation_of == "lagen (1994:137) om mottagande av asylsökande m.fl."


def test_glossary_figures_come_from_the_seeds(content, all_seeds):
    """Every number in an explanation (amounts, dates, law numbers, per cents) is in a seed."""
    for t in content.glossary.terms:
        text = squash(t.explanation)
        for number in re.findall(r"\d+(?:[ ,:–]\d+)*", text):
            variants = {number, number.replace("–", "-")}
            assert any(v in all_seeds for v in variants), f"{t.id}: '{number}' is not in the seeds"


@pytest.mark.parametrize("term,facts", [
    ("116 000", ["Socialdepartementet", "SOS Alarm", "dygnet runt"]),
    ("schablonersättning", ["52 000 kronor", "1 000 kr"]),
    ("EU:s migrations- och asylpakt", ["12 juni 2026"]),
    ("stödboende", ["16 och 20 år"]),
    ("avvika", ["7–9 procent", "14 procent", "11 procent"]),
    ("utjämnande anvisning", ["28 procent"]),
    ("promille", ["9,45 promille", "1 500 barn", "14 barn"]),
])
def test_key_facts(content, all_seeds, term, facts):
    explanation = squash({t.term: t for t in content.glossary.terms}[term].explanation)
    for fact in facts:
        assert fact in explanation, (term, fact)
        assert fact in all_seeds or fact.replace("–", "-") in all_seeds, (term, fact)


def test_pact_terms_carry_the_notice(content):
    by_term = {t.term: t for t in content.glossary.terms}
    for term in ("god man", "EU:s migrations- och asylpakt", "företrädare"):
        assert by_term[term].asylum_pact, term


def test_irregular_forms_are_listed(content):
    by_term = {t.term: t for t in content.glossary.terms}
    assert "gode män" in by_term["god man"].forms
    assert "HVB-hem" in by_term["HVB"].forms
    assert "åldersuppgraderats" in by_term["åldersuppskrivning"].forms


def test_glossary_is_in_swedish_alphabetical_order(content):
    def key(term: str) -> list[int]:
        return [SWEDISH_ORDER.index(c) for c in term.lower() if c in SWEDISH_ORDER]
    terms = [t.term for t in content.glossary.terms]
    assert terms == sorted(terms, key=key)


def test_glossary_ids_and_sources(content):
    for t in content.glossary.terms:
        assert t.id.startswith("term-"), t.id
        assert t.citations, f"{t.id} cites no source"
        assert {c.source for c in t.citations} <= set(content.sources), t.id
