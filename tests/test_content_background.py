"""Background figures, the Convention's articles and the grants, checked against the seed text.

Every figure, article and grant aim is listed here once, with the source document
it comes from; the test fails when it is missing from the content, altered, or no
longer found in that source.
"""

from __future__ import annotations

import re

import pytest

from tests.test_content import norm, seed_list

# Which seed document each source id stands for.
SEED_OF = {"forebygg-2025": "002", "omfordelning-andelstal-2026": "003", "lst-ensamkommande-i-kommunen": "000"}

# value as in the content -> (seed document, source id the figure must cite or None for the file's own)
FIGURES = {
    "35 000": ("002", "scb-ensamkommande"),
    "450": ("002", "scb-ensamkommande"),
    "276": ("002", "scb-ensamkommande"),
    "7–9 %": ("002", "forebygg-2025"),
    "ca 35": ("002", None),
    "14 %": ("003", "omfordelning-andelstal-2026"),
    "11 %": ("003", "omfordelning-andelstal-2026"),
    "ca 80": ("003", "omfordelning-andelstal-2026"),
    "44": ("003", "omfordelning-andelstal-2026"),
    "1 829": ("000", "lst-ensamkommande-i-kommunen"),
}

# (value, the words of the seed sentence that must stand next to it)
FIGURE_CONTEXT = {
    "35 000": "År 2015 kom fler än 35 000 ensamkommande barn",
    "450": "i snitt kommit 450 ensamkommande barn per år",
    "276": "Under 2024 minskade antalet ytterligare då endast 276",
    "7–9 %": "försvinner 7-9 procent årligen",
    "ca 35": "ca 35 barn per år under senaste femårsperioden",
    "14 %": "För år 2024 ökade andelen till 14 procent",
    "11 %": "2025 sjunka till 11 procent",
    "ca 80": "ca 80 barn per år under åren 2021–2024",
    "44": "44 barn under 2025",
    "1 829": "1 829 barn registrerats som avvikna i Migrationsverkets statistik under perioden 2013",
}

TYPOS_003 = {"uppföstran": "uppfostran", "stöd och att hitta": "stöd att hitta"}


def flat(text: str) -> str:
    """Compare numbers, not typography: dashes, % and whitespace do not count."""
    text = text.replace("–", "-").replace("—", "-").replace("%", " procent")
    return re.sub(r"\s+", " ", text).strip().lower()


def first_paragraph(text: str) -> str:
    return text.split("\n\n")[0]


@pytest.fixture(scope="module")
def background(content):
    return content.background


def test_every_figure_is_in_the_content(background):
    values = [f.value for f in background.figures]
    assert len(values) == len(set(values)), "a figure is listed twice"
    assert set(FIGURES) <= set(values), f"missing figures: {set(FIGURES) - set(values)}"


@pytest.mark.parametrize("value", sorted(FIGURES))
def test_figure_is_in_its_source(background, seed_text, value):
    seed, source = FIGURES[value]
    figure = next(f for f in background.figures if f.value == value)
    cited = [c.source for c in figure.citations]
    if source is None:
        assert not cited or "forebygg-2025" in cited
    else:
        assert source in cited, f"{value} should cite {source}, cites {cited}"
    # The sentence the figure comes from is in the seed, and the figure's value is in that sentence.
    context = FIGURE_CONTEXT[value]
    assert flat(context) in flat(seed_text(seed)), f"{context!r} not in {seed}"
    assert flat(value) in flat(context)
    # Every seed document the figure cites holds the value too.
    for c in cited:
        if c in SEED_OF:
            assert flat(value) in flat(seed_text(SEED_OF[c])), f"{value} not in {SEED_OF[c]}"


def test_figure_periods(background):
    periods = {f.value: f.period for f in background.figures}
    assert periods["35 000"] == "2015"
    assert periods["276"] == "2024"
    assert periods["14 %"] == "2024"
    assert periods["11 %"] == "2025"
    assert periods["44"] == "2025"
    assert periods["ca 80"] == "2021–2024"
    assert "2013" in periods["1 829"] and "maj 2016" in periods["1 829"]


def test_three_perspectives(background, seed_text):
    doc = seed_text("002")
    titles = ["Barnperspektivet", "Barnrättsperspektivet", "Barnets perspektiv"]
    for title in titles:
        assert f"\n{title}\n" in doc
    assert [p.title for p in background.perspectives] == titles
    assert [p.id for p in background.perspectives] == ["bg-barnperspektivet", "bg-barnrattsperspektivet",
                                                       "bg-barnets-perspektiv"]
    assert "fyra grundprinciper" in background.perspectives[1].text


def test_children_sections_cite_the_footnoted_sources(background):
    cited = {s.id: {c.source for c in s.citations} for s in background.children}
    assert "kunskapsguiden-halsa" in cited["bg-pojkar-och-flickor"]
    risks = cited["bg-risker-for-barnen"] | cited["bg-overhangande-risk"]
    assert {"polisen-manniskohandel-2022", "lst-pa-flykt-och-forsvunnen-2016"} <= risks
    text = " ".join(s.text for s in background.children)
    for term in ("UNHCR", "massflyktsdirektivet", "barnäktenskap", "könsstympning", "människohandel"):
        assert term in text


# --- The Convention on the Rights of the Child ------------------------------------


def core_principles_000(seed_text) -> dict[int, str]:
    items = seed_list(seed_text("000"), "Länsstyrelsens ska i sitt arbete ta särskild hänsyn")
    found = {}
    for item in items:
        m = re.match(r"Artikel (\d+): (.+)", item)
        assert m, item
        found[int(m.group(1))] = m.group(2)
    return found


def articles_003(seed_text) -> dict[int, str]:
    """The article headings of the child-impact analysis: 'Artikel N – what it guarantees'."""
    doc = seed_text("003")
    analysis = doc[doc.index("\nBarnkonsekvensanalys\n"):]
    found = {}
    for m in re.finditer(r"^Artikel (\d+) – (.+)$", analysis, re.MULTILINE):
        text = m.group(2)
        for wrong, right in TYPOS_003.items():
            text = text.replace(wrong, right)
        found[int(m.group(1))] = text
    return found


def test_core_principles_have_the_000_wording(content, seed_text):
    source = core_principles_000(seed_text)
    assert set(source) == {2, 3, 6, 12}
    articles = {a.number: a for a in content.rights.articles}
    for number, wording in source.items():
        article = articles[number]
        assert article.core_principle, number
        assert article.id == f"bk-artikel-{number}"
        assert norm(first_paragraph(article.text)) == norm(wording), number
        assert "lst-ensamkommande-i-kommunen" in {c.source for c in article.citations}
    assert {a.number for a in content.rights.articles if a.core_principle} == {2, 3, 6, 12}


def test_every_article_of_the_child_impact_analysis(content, seed_text):
    source = articles_003(seed_text)
    assert set(source) == {2, 3, 5, 6, 12, 22, 25, 36}
    articles = {a.number: a for a in content.rights.articles}
    assert set(articles) == set(source)
    for number in (5, 22, 25, 36):
        article = articles[number]
        assert not article.core_principle, number
        assert norm(first_paragraph(article.text)) == norm(source[number]), number
        assert "omfordelning-andelstal-2026" in {c.source for c in article.citations}
    for number in (2, 3, 6, 12):  # the analysis' own wording (first sentence) follows the 000 wording
        first_sentence = source[number].split(". ")[0]
        assert norm(first_sentence) in norm(articles[number].text), number


# --- Grants ---------------------------------------------------------------------------


def test_grant_aims_equal_the_000_list(content, seed_text):
    source = seed_list(seed_text("000"), "Kommuner kan ansöka om medel från länsstyrelsen")
    assert len(source) == 4
    expected = [re.sub(r"^eller ", "", s.strip()) for s in source]
    expected = [s[0].upper() + s[1:] for s in expected]
    grants = {g.id: g for g in content.grants.grants}
    grant = grants["bi-flyktingguider-och-familjekontakter"]
    assert grant.points == expected
    assert {"flyktingguide", "familjekontakt"} <= set(grant.keywords)
