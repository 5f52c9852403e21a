"""The allocation model and compensation page (guidance/anvisning.yml) against its sources.

Figures, amounts, names and lists are read from the seed documents themselves
(003 "Omfördelning av andelstal mellan län", 000 Länsstyrelsen "Ensamkommande
barn i kommunen", 001 Länsstyrelsen Stockholm), so a dropped or altered fact
fails here.
"""

from __future__ import annotations

import re

import pytest

from generator.content.model import Model, walk

SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"


def clean(text: str) -> str:
    """Plain spaces, one line per line: the seeds use non-breaking spaces in places."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def norm(text: str) -> str:
    """Compare wording, not typography: case, commas, final period or colon, spacing."""
    text = text.strip().rstrip(".,;:").lower().replace(",", " ")
    return re.sub(r"\s+", " ", text).strip()


def bullets(doc: str, start: str, end: str) -> list[str]:
    """The '- ' / '• ' items between the line starting with `start` and the next line starting
    with `end`. A bullet broken by a page break (footnotes, blank lines) continues on the next
    ordinary line; footnote lines are skipped."""
    lines = [ln.strip() for ln in clean(doc).splitlines()]
    i = next(n for n, ln in enumerate(lines) if ln.startswith(start)) + 1
    items: list[str] = []
    while not lines[i].startswith(end):
        ln = lines[i]
        if ln.startswith(("- ", "• ")):
            items.append(ln[2:].strip())
        elif ln and items and ln[0] not in SUPERSCRIPTS:
            items[-1] += " " + ln
        i += 1
    return items


def all_text(node) -> str:
    """Every string and number in a model tree, joined."""
    out: list[str] = []

    def visit(value):
        if isinstance(value, Model):
            for name in type(value).model_fields:
                visit(getattr(value, name))
        elif isinstance(value, list):
            for v in value:
                visit(v)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out.append(str(value))

    visit(node)
    return clean("\n".join(out))


def kr(amount: int) -> str:
    """500000 -> '500 000' as the source writes amounts."""
    return f"{amount:,}".replace(",", " ")


@pytest.fixture(scope="module")
def rapport(seed_text):
    return clean(seed_text("003"))


@pytest.fixture(scope="module")
def alloc(content):
    return content.allocation


def section(alloc, ident):
    every = {s.id: s for s in alloc.sections + alloc.outcomes + alloc.changes}
    return every[ident]


def assert_same_list(source: list[str], points: list[str], count: int) -> None:
    assert len(source) == count, source
    assert [norm(p) for p in points] == [norm(s) for s in source]


# --- Redistributions 2021-2026 -----------------------------------------------------------


def test_redistributions_equal_the_year_lines_of_003(alloc, rapport):
    source = {int(y): [k.strip() for k in names.split(",") if k.strip()]
              for y, names in re.findall(r"^År (20\d\d): (.+)$", rapport, re.MULTILINE)}
    assert sorted(source) == [2021, 2022, 2023, 2024, 2025, 2026]
    have = {r.year: r.municipalities for r in alloc.redistributions}
    assert [r.year for r in alloc.redistributions] == sorted(source)
    assert have == source


def test_redistribution_outcome_figures(alloc, rapport):
    most = re.search(r"upp till (\d+) andelar \((\w+)\)", rapport)
    per_year = re.search(r"ca (\d+) barn per år \((\d{4}) – (\d{4})\)", rapport)
    text = section(alloc, "an-utfall-omfordelningar-2021-2026").text
    assert f"{most[1]} andelar ({most[2]})" in text
    assert f"cirka {per_year[1]} barn per år {per_year[2]}–{per_year[3]}" in text


# --- Amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount,unit_words", [
    (500000, ["kommun", "år"]), (9450, ["barn", "prognos"]), (52000, ["anvisat barn"]), (1000, ["barn", "dygn"])])
def test_every_amount_is_in_the_source_and_the_content(alloc, rapport, amount, unit_words):
    ersattning = rapport[rapport.index("2.5 Ersättningssystemet\n"):rapport.index("3 Förändringar med relevans")]
    assert re.search(rf"{kr(amount)} (kronor|kr)\b", ersattning), amount
    found = [c for c in alloc.compensations if c.amount == amount]
    assert len(found) == 1, amount
    assert kr(amount) in found[0].text
    assert all(w in found[0].unit for w in unit_words), found[0].unit


def test_compensation_details(alloc, rapport):
    assert len(alloc.compensations) == 4
    assert "(2017:193)" in rapport and "förordningen (2017:193) om statlig ersättning för asylsökande m.fl." in alloc.compensation_intro
    per_day = {c.amount: c for c in alloc.compensations}[1000].text
    old = re.search(r"tidigare ([\d ]+) kr, men sänktes (\d{4})", rapport)
    assert f"{old[1]} kronor" in per_day and old[2] in per_day
    standard = {c.amount: c for c in alloc.compensations}[52000]
    for cost in ("utredning enligt socialtjänstlagen", "god man", "resor", "tolk"):
        assert cost in rapport and cost in standard.text
    assert standard.asylum_pact  # the god man may become a företrädare under the pact
    variable = {c.amount: c for c in alloc.compensations}[9450].text
    assert "prognos i februari" in rapport and "prognos i februari" in variable
    assert "omfördelat sin andel" in variable and "inte" in variable


def test_worked_example_as_in_the_source(alloc, rapport):
    forecast = int(re.search(r"till exempel ([\d ]+) barn", rapport)[1].replace(" ", ""))
    share = float(re.search(r"andel är ([\d,]+) promille", rapport)[1].replace(",", "."))
    children = int(re.search(r"ta emot (\d+) barn \(avrundat", rapport)[1])
    times = re.search(r"\((\d+) gånger ([\d ]+) kronor\)", rapport)
    total = int(re.search(r"ska få ([\d ]+) kronor", rapport)[1].replace(" ", ""))
    ex = alloc.example
    assert (ex.share_permille, ex.forecast, ex.children, ex.total) == (share, forecast, children, total)
    assert int(times[1]) == children and int(times[2].replace(" ", "")) == ex.amount_per_child
    assert round(share / 1000 * forecast) == children and children * ex.amount_per_child == total
    for figure in ("1 500", "9,45", "0,00945", "14", "9 450", "132 300"):
        assert figure in rapport and figure in ex.text, figure


# --- Lists from 000, 001 and 003 -----------------------------------------------------------------


def test_three_bullets_of_000_item_for_item(alloc, seed_text):
    source = bullets(seed_text("000"), "Andelen är uträknad utifrån kommunens", "Om ett ensamkommande barn")
    assert_same_list(source, section(alloc, "an-vad-andelen-bygger-pa").points, 3)


def test_three_priorities_of_001_item_for_item(alloc, seed_text):
    source = bullets(seed_text("001"), "I sammanställningen nämns även", "Lärdomarna från workshopen")
    assert_same_list(source, section(alloc, "an-lardomar-stockholm-2015").points, 3)


# Report words that 003 uses and the allocation page rewrites in plain Swedish (issue 10).
REPORT_WORDS = ("såvida", "avseende", "tillförs", "s.k.", "dvs.", "nästkommande", "löper", "samtliga",
                "tilldelas", "exklusive", "grundas på", "senast möjliga", "giltig", "(1)")


def assert_plain_rewrite(source: list[str], points: list[str], facts: list[str]) -> None:
    """Point for point the same rules as the source, each fact kept, in plain words."""
    assert len(points) == len(source), (points, source)
    text = " ".join(points)
    for fact in facts:
        assert fact in text and fact in " ".join(source), fact
    for word in REPORT_WORDS:
        assert word not in text, word


def test_how_the_model_works_all_seven(alloc, rapport):
    source = bullets(rapport, "Så här fungerar anvisningsmodellen baserad på andelstal", "1. Befolkningsmängd")
    source[-1] = source[-1].replace("Variabler för framtagande av andelarna:", "")
    assert len(source) == 7
    assert_plain_rewrite(source, section(alloc, "an-sa-fungerar-modellen").points,
                         ["1 januari 2016", "promille", "måluppfyllelse", "stark anknytning", "regleringsbrev",
                          "noll", "december", "kalenderår"])


def test_redistribution_rules_all_nine(alloc, rapport):
    source = bullets(rapport, "Sedan hösten 2018 finns möjlighet", "2.3.3 Anvisningar på grund av anknytning")
    assert len(source) == 9
    assert_plain_rewrite(source, section(alloc, "an-omfordelning-inom-lanet").points,
                         ["hela", "samma", "kalenderår", "måluppfyllelse", "länet", "Anknytningsanvisningar"])


def test_variables_of_the_model(alloc, rapport):
    block = rapport[rapport.index("Variabler för framtagande av andelarna:"):rapport.index("2.3.2 Nuvarande")]
    numbered = re.findall(r"^\s*\d\. (.+)$", block, re.MULTILINE)
    points = section(alloc, "an-variabler").points
    assert len(numbered) == len(points) == 4
    assert "befolkningsmängd" in points[0] and numbered[0] == "Befolkningsmängd"
    assert "anvisade" in points[1] and "följdinvandring" in points[1] and "a. anvisade" in block
    assert "vuxna och barn i familj" in points[2] and "utan ensamkommande barn" in points[2]
    assert "mottagningssystemet" in points[3] and "ankomstkommun" in points[3] and "ansökan" in points[3]
    for word in REPORT_WORDS:
        assert word not in " ".join(points), word


def test_questions_for_the_inter_municipal_alternative(alloc, rapport):
    source = bullets(rapport, "Detta alternativ skulle innebära flera praktiska", "Till skillnad från")
    assert_same_list(source, section(alloc, "an-mellankommunal-omfordelning").points, 3)


def test_what_changes_for_a_redistributed_child(alloc, rapport):
    source = bullets(rapport, "För barnets vars anvisning", "³⁸")
    assert_same_list(source, section(alloc, "an-barnkonsekvensanalys").points, 11)


def test_placement_in_another_municipality(alloc, rapport):
    block = rapport[rapport.index("det vill säga endast om"):rapport.index("Från den 1 oktober 2026")]
    source = [re.sub(r",( eller)?$", "", s) for s in re.findall(r"^\d\. (.+)$", block, re.MULTILINE)]
    assert_same_list(source, section(alloc, "an-ny-mottagandelag").points, 3)


# --- Outcomes 2021-2025 ------------------------------------------------------------------------------


def test_outcome_2025_figures(alloc, rapport):
    text = section(alloc, "an-utfall-anvisningar-2021-2025").text
    connection = re.search(r"anvisades (\d+) procent av alla", rapport)[1]
    equalising = re.search(r"Endast (\d+) procent", rapport)[1]
    children = re.search(r"det (\d+) barn som anvisades på utjämnande", rapport)[1]
    assert (connection, equalising, children) == ("72", "28", "123")
    assert f"{connection} procent" in text and f"{equalising} procent" in text and children in text
    cities = re.findall(r"(Stockholms stad|Göteborgs stad|Malmö stad) \((\d+) anvisningar\)", rapport)
    assert cities == [("Stockholms stad", "27"), ("Göteborgs stad", "18"), ("Malmö stad", "13")]
    for name, n in cities:
        assert f"{name} {n}" in text
    county = re.search(r"flest barn, (\d+) anvisningar", rapport)[1]
    assert f"{county} anvisningar" in text
    words = {"sju": 7, "nio": 9, "sex": 6}
    assert "Kalmar kommun sju barn" in rapport and "Kalmar kommun fick 7 barn" in text
    assert "(nio barn)" in rapport and f"anknytningsanvisningar, {words['nio']} barn" in text
    assert "Endast sex av dessa" in rapport and f"bara {words['sex']} av dem" in text
    assert "sju barn som anvisades på en andel" in rapport and f"{words['sju']} av dem anvisades" in text
    assert "Ukraina" in rapport and "Ukraina" in text


def test_forecast_and_disappearances(alloc, rapport):
    forecast = re.search(r"väntas (\d+) respektive (\d+) barn tas emot, medan (\d+) barn per år", rapport)
    text = section(alloc, "an-varfor-omfordelning-mellan-lan").text
    assert f"{forecast[1]} barn 2026, {forecast[2]} barn 2027 och {forecast[3]} barn per år" in text
    hvb = re.search(r"finns det endast ett HVB i landet.*?finns det (\d+) HVB.*?antalet var (\d+)", rapport, re.DOTALL)
    assert "fanns det då bara ett HVB i landet" in text and f"{hvb[1]} HVB" in text and f"antalet {hvb[2]}" in text
    assert "som länsstyrelserna återger i sin rapport 2026" in text  # when it held, and according to whom
    questions = section(alloc, "an-kvarstaende-fragor").text
    for figure in ("7–9 procent", "14 procent", "11 procent", "80 barn", "44 barn"):
        assert figure in rapport and figure in questions, figure


# --- Changes and the asylum pact ------------------------------------------------------------------


def test_dates_of_the_changes(alloc, rapport):
    changes = all_text(alloc.changes)
    for date in ("1 mars 2025", "1 oktober 2026", "12 juni 2026", "1 januari 2027"):
        assert date in rapport and date in changes, date
    for prop in ("2025/26:229", "2025/26:215"):
        assert prop in rapport and prop in changes


def test_asylum_pact_marks(alloc):
    marked = {i.id for i in walk(alloc) if getattr(i, "asylum_pact", False)}
    assert {"an-asylpakten", "an-foretradare", "an-screening-och-ankomstkommun"} <= marked
    assert "an-ny-bosattningslag" not in marked  # the source says it changes nothing for the children


def test_shares_set_and_related_to_2016_as_in_001(alloc, seed_text):
    andelar = clean(seed_text("001"))
    text = section(alloc, "an-nar-andelarna-faststalls").text
    for phrase in ("1 mars", "ett år i taget", "1 januari 2016"):
        assert phrase in andelar and phrase in text


# --- Citations ------------------------------------------------------------------------------------------


def test_every_item_cites_a_section_that_exists(alloc, seed_text):
    docs = {"omfordelning-andelstal-2026": "003", "lst-ensamkommande-i-kommunen": "000",
            "lst-stockholm-ensamkommande": "001", "forebygg-2025": "002"}
    items = [i for i in walk(alloc) if hasattr(i, "asylum_pact")]
    assert len(items) > 30
    for item in items:
        assert item.citations, item.id
        for c in item.citations + alloc.citations:
            lines = {ln.strip() for ln in clean(seed_text(docs[c.source])).splitlines()}
            assert c.section in lines, (item.id, c.section)
