"""Every list of the source material is in the content, item for item.

The lists are read from the seed documents themselves, so a dropped or
reworded item fails here rather than silently disappearing from the site.
"""

from __future__ import annotations

import re

import pytest

TYPOS = {"Risikfaktorer": "Riskfaktorer", "uppväxtnmiljö": "uppväxtmiljö"}


def norm(text: str) -> str:
    """Compare wording, not typography: case, commas, final period and the name of a law's
    form ("Lag med ..." / "lagen (1990:52) med ...") do not count."""
    text = re.sub(r"\*\*|,|\(1990:52\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+$", " ", text.strip()).strip().rstrip(".").lower()
    text = re.sub(r"\blagen\b", "lag", text)
    return re.sub(r"\s+", " ", text).strip()


def seed_list(doc: str, heading: str, occurrence: int = 1, skip_first: bool = False) -> list[str]:
    """The '- ' items right after the n-th line equal to (or starting with) `heading`."""
    lines = doc.splitlines()
    starts = [i for i, ln in enumerate(lines) if ln.strip().startswith(heading)]
    i = starts[occurrence - 1] + 1
    items: list[str] = []
    while i < len(lines):
        ln = lines[i].strip()
        if ln.startswith(("- ", "• ")):
            items.append(ln[2:])
        elif ln and items:
            break
        elif ln and not items and not ln.startswith(("- ", "• ")):
            pass
        i += 1
        if ln and not ln.startswith(("- ", "• ")) and items:
            break
    return items[1:] if skip_first else items


@pytest.fixture(scope="module")
def doc(seed_text):
    return seed_text("002")


def texts(items) -> set[str]:
    return {norm(getattr(i, "text", i)) for i in items}


def assert_all_present(source_items: list[str], content_items, min_count: int) -> None:
    assert len(source_items) >= min_count, source_items
    have = texts(content_items)
    missing = [s for s in source_items if norm(s) not in have]
    assert not missing, f"missing from content: {missing}"


def actor(content, ident):
    return content.actor_by_id[ident]


def test_migrationsverket_all_eleven(content, doc):
    assert_all_present(seed_list(doc, "Migrationsverket⁶ ansvarar"), actor(content, "migrationsverket").responsibilities, 11)


def test_lansstyrelsen(content, doc):
    assert_all_present(seed_list(doc, "Länsstyrelsen har ett samordnande uppdrag"), actor(content, "lansstyrelsen").responsibilities, 4)


def test_regionen(content, doc):
    assert_all_present(seed_list(doc, "Regionen ansvarar för att barn"), actor(content, "regionen").responsibilities, 2)


def test_socialtjansten_all_nine(content, doc):
    assert_all_present(seed_list(doc, "Socialtjänsten:"), actor(content, "socialtjansten").responsibilities, 9)
    facts = " ".join(actor(content, "socialtjansten").facts + actor(content, "migrationsverket").facts)
    assert "18" in facts and "Migrationsverket" in facts  # the transfer of responsibility at 18


def test_god_man_every_task(content, doc):
    source = seed_list(doc, "Uppdraget som god man innebär")
    merged = "ansöka om bidrag från Migrationsverket eller socialtjänsten företräda barnet i vård- och tandvårdsfrågor"
    assert merged in source  # the source runs two tasks together on one line; content splits them
    source.remove(merged)
    source += ["ansöka om bidrag från Migrationsverket eller socialtjänsten", "företräda barnet i vård- och tandvårdsfrågor"]
    god_man = actor(content, "god-man")
    assert_all_present(source, god_man.responsibilities, 11)
    assert god_man.asylum_pact
    assert "särskilt förordnad vårdnadshavare" in " ".join(god_man.facts + [god_man.description or ""])


def test_actors_named_in_issue(content):
    assert [a.id for a in content.actors.actors][:10] == [
        "migrationsverket", "lansstyrelsen", "polisen", "socialstyrelsen", "regionen", "kommunen",
        "socialtjansten", "skolan", "overformyndaren", "god-man"]
    assert {actor(content, i).part_of for i in ("socialtjansten", "skolan", "overformyndaren")} == {"kommunen"}
    assert len(actor(content, "polisen").responsibilities) == 3


@pytest.mark.parametrize("ident,name", [("familjehem", "Familjehem"), ("forstarkt-familjehemsvard", "Förstärkt familjehemsvård"),
                                        ("natverkshem", "Nätverkshem"), ("hvb", "HVB – Hem för vård eller boende"),
                                        ("stodboende", "Stödboende")])
def test_housing_advantages_and_challenges(content, doc, ident, name):
    housing = {h.id: h for h in content.housing.housing_types}[ident]
    assert_all_present(seed_list(doc, "Fördelar:", occurrence=list(_headings(doc, "Fördelar:")).index(name) + 1),
                       housing.advantages, 1)
    assert_all_present(seed_list(doc, "Utmaningar:", occurrence=list(_headings(doc, "Utmaningar:")).index(name) + 1),
                       housing.challenges, 2)
    assert housing.consider


def _headings(doc: str, marker: str):
    """For each `marker` line, the housing type heading it belongs to."""
    names = ["Familjehem", "Förstärkt familjehemsvård", "Nätverkshem", "HVB – Hem för vård eller boende", "Stödboende"]
    current = None
    for line in doc.splitlines():
        if line.strip() in names:
            current = line.strip()
        if line.strip() == marker:
            yield current


def test_choosing_housing(content, doc):
    assert_all_present(seed_list(doc, "Professionellas ansvar vid val av boendeform", skip_first=True),
                       content.housing.choosing.points, 3)


@pytest.mark.parametrize("group,heading,occurrence,skip", [
    ("tidiga-varningssignaler", "Tidiga varningssignaler att uppmärksamma", 1, False),
    ("tecken-pa-utnyttjande", "Tidiga varningssignaler att uppmärksamma", 2, False),
    ("riskbeteenden-avvikande", "Riskbeteenden kopplade till avvikande från boende eller skydd", 1, False),
    ("psykisk-halsa", "Psykisk hälsa och andra faktorer", 1, False),
    ("asylprocess-och-placering", "Riskfaktorer kopplade till asylprocess och placering", 1, False),
    ("misstanke-manniskohandel", "Risikfaktorer kopplade till misstanke om människohandel", 1, True),
])
def test_warning_signs_and_risk_factors(content, doc, group, heading, occurrence, skip):
    source = seed_list(doc, heading, occurrence, skip_first=skip)
    signs = {g.id: g for g in content.signs.groups}[group].signs
    assert len(signs) == len(source)
    assert_all_present(source, signs, 4)


def test_signs_name_who_notices(content):
    signs = [s for g in content.signs.groups for s in g.signs]
    assert sum(1 for s in signs if s.noticed_by) >= len(signs) * 0.9
    school = next(s for s in signs if s.id == "vs-lag-skolnarvaro")
    assert "skolan" in school.noticed_by


def test_collaboration(content, doc):
    c = content.collaboration
    assert_all_present(seed_list(doc, "Erfarenheter visar att framgångsfaktorer är"), c.success_factors.points, 3)
    assert [level.id for level in c.levels] == ["overgripande-niva", "verksamhetsniva", "individniva"]
    overall = seed_list(doc, "Arbetet på denna nivå handlar om")
    have = " ".join(c.levels[0].activities).lower()
    for item in overall:  # the source mixes "att kartlägga" and "följ upp": compare the key words
        key = norm(item).removeprefix("att ").split()[0][:6]
        assert key in have, item
    assert "två till fyra gånger per år" in c.standing_group.meetings


def test_school(content, doc):
    s = content.school
    assert s.right_to_school.school_forms == ["Förskola", "Förskoleklass", "Grundskola", "Anpassad grundskola", "Gymnasieskola"]
    assert "skolplikt" in s.right_to_school.description
    routines = [re.match(r"\*\*(.+?):\*\*", item).group(1) for item in seed_list(doc, "En tydlig och levande samverkansstruktur")]
    assert [r.name for r in s.routines] == routines and len(routines) == 8


def test_every_network_contact(content, seed_text):
    source = seed_text("000")
    emails = re.findall(r"^\s*([\w.\-]+@[\w.\-]+)\s*$", source, re.MULTILINE)
    contacts = [c for r in content.regions for c in r.contacts]
    assert len(emails) == 13
    assert sorted(c.email for c in contacts) == sorted(emails)
    for c in contacts:
        assert c.name in source and c.organisation in source and c.role.lower() in source.lower()
    assert {r.id: len(r.contacts) for r in content.regions} == {"dalarna": 5, "varmland": 5, "orebro": 3}
    assert all(r.as_of == 2020 for r in content.regions)
    assert len(content.network.aims) == 2 and len(content.network.goals) == 3


def test_every_citation_names_a_known_source(content):
    cited = set()
    for f in (content.actors, content.housing, content.signs, content.collaboration, content.school, content.network):
        cited |= {c.source for c in f.citations}
    assert "forebygg-2025" in cited and "lst-ensamkommande-i-kommunen" in cited
    assert cited <= set(content.sources)


def test_action_plan_matrix(content, doc):
    plan = content.action_plan
    assert [a.follow_up for a in plan.areas] == [
        "Varje vecka/vid förändring", "Varannan vecka/vid behov", "Månatligen eller vid viktiga händelser",
        "Omedelbart vid misstanke, sedan tät uppföljning", "Varje månad eller vid förändringar"]
    measures = [m for a in plan.areas for m in a.measures]
    for expected in ("Akut hjälp vid psykisk ohälsa (BUP-akutmottagning)", "Snabb anmälan vid misstanke",
                     "Tryggt och anpassat boende"):
        assert any(norm(expected) == norm(m) for m in measures), expected


def test_missing_child_police_points_and_hotline(content, doc):
    m = content.missing_child
    assert_all_present(seed_list(doc, "Den information som polisen kan behöva"), m.police_needs.points, 10)
    assert m.hotline.number == "116 000"
    facts = " ".join(m.hotline.facts).lower()
    assert "gratis" in facts and "dygnet runt" in facts and "sos alarm" in facts
    assert len(m.risks) == 6


@pytest.mark.parametrize("phase,heading,count", [
    ("fas-ankomst", "Vid ankomst och under asylutredning:", 7), ("fas-vantan", "Under väntan på beslut:", 8),
    ("fas-beslut", "Vid bifall eller avslag:", 7), ("fas-efter-avslag", "Efter besked om avslag:", 10),
    ("fas-atervandande", "När återvändandet är ett faktum", 7)])
def test_asylum_phases(content, doc, phase, heading, count):
    points = {p.id: p for p in content.asylum.phases}[phase].points
    source = seed_list(doc, heading)
    assert len(source) == count == len(points)


def test_every_chapter_of_the_main_document_is_cited(doc, content):
    """Each chapter in 002's table of contents (and Bilaga 1) is the cited source of some content."""
    from generator.content import model

    toc = re.findall(r"^(\d+)\.\t([^\t]+)\t\d+$", doc, flags=re.M)
    assert len(toc) == 11
    cited = {c.section for f in content.guidance for n in model.walk(f)
             for c in getattr(n, "citations", []) if c.source == "forebygg-2025" and c.section}
    cited_text = " ".join(cited).lower()
    missing = [f"{n}. {title}" for n, title in toc
               if title.strip() != "Källor" and f"{n}. {title.strip()}".lower() not in cited_text]
    assert missing == []
    assert "bilaga 1" in cited_text
