"""Issue 24: the whole of the sources, every statement anchored in time, nothing the sources do not say.

Checked against the built site (the session build of conftest) and its PDFs, with the facts read
from the seed documents themselves: statements that held when a report was written say when and
according to whom; the guide's own grouping of the warning signs is labelled as such wherever it is
shown; references are as the sources give them or openly corrected; and the missing parts of 000,
001, 002, 003 and 004 are where a reader of the topic looks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.content import model
from tests.conftest import ROOT, article_text, page_html, pdf_text

PACT_TITLE = "Beskriver reglerna före 12 juni 2026"


def flat(text: str) -> str:
    """One space between words: the seeds break lines and use non-breaking spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def own_text(site: Path, page: str) -> str:
    """A page's own text, without its change history (whose notes name what was changed)."""
    return article_text(site / page / "index.html").split("Ändringar på sidan", 1)[0]


def section_text(site: Path, page: str, anchor: str) -> str:
    """The text of one section of a built page: from its heading to the next heading of level 2 or 3."""
    html = page_html(site, page)
    assert f'id="{anchor}"' in html, (page, anchor)
    part = html.split(f'id="{anchor}"', 1)[1]
    part = re.split(r"<h[23] ", part, maxsplit=1)[0]
    return flat(re.sub(r"<[^>]+>", " ", part))


@pytest.fixture(scope="module")
def seeds(seed_text):
    return {n: flat(seed_text(n)) for n in ("000", "001", "002", "003", "004")}


@pytest.fixture(scope="module")
def guide_pdf(site):
    return pdf_text(site / "pdf" / "hela-vagledningen.pdf")


# --- Time: what held when a report was written says when, and whose it is -------------------------


def test_no_page_says_today_without_a_date(site):
    """'I dag' from a report read as true today: every such sentence now names the report's year.
    ("i dag eller i framtiden", of any time, is no statement about a time.)"""
    today = re.compile(r"\b(i dag|idag|i dagsläget)\b(?! eller)", re.IGNORECASE)
    for path in sorted(site.rglob("index.html")):
        if "assets" in path.parts:
            continue
        text = article_text(path).split("Ändringar på sidan", 1)[0]
        assert not today.search(text), (path, today.search(text) and text[max(0, today.search(text).start() - 80):][:200])


def test_the_allocation_changes_are_the_reports_not_coming(site, seeds):
    text = own_text(site, "anvisning")
    assert "Förändringar som kommer" not in text
    assert "Ändrade och föreslagna regler enligt länsstyrelsernas rapport (2026)" in text
    # the rules in force since 1 March 2025 and 12 June 2026 stand under that heading
    changes = text.split("Ändrade och föreslagna regler enligt länsstyrelsernas rapport (2026)", 1)[1]
    assert "1 mars 2025" in changes and "12 juni 2026" in changes


@pytest.mark.parametrize("anchor,anchored,seed_phrase", [
    ("an-modellens-bakgrund", "användes fortfarande när länsstyrelsernas rapport skrevs 2026", "används än idag"),
    ("an-lagar-och-regleringsbrev", "När länsstyrelsernas rapport skrevs 2026 reglerades anvisningen",
     "Anvisning av ensamkommande barn regleras idag i LMA"),
    ("an-varfor-omfordelning-mellan-lan", "som länsstyrelserna återger i sin rapport 2026, fanns det då bara ett HVB",
     "I dagsläget finns det endast ett HVB"),
    ("an-handlingsalternativ", "När rapporten skrevs 2026 anvisades de flesta barn på anknytning",
     "Majoriteten av barnen anvisas i dagsläget på anknytning"),
    ("an-konsekvenser-for-barn", "När rapporten skrevs 2026 placerades många barn", "Idag placeras många barn"),
    ("an-konsekvenser-for-lansstyrelserna", "När rapporten skrevs 2026 samordnade länsstyrelserna",
     "I dagens system samordnar länsstyrelserna"),
    ("an-nationell-omfordelning", "I dialogerna 2026 sade Migrationsverket",
     "de i dagsläget inte har resurser"),
])
def test_report_statements_say_when_they_held(site, seeds, anchor, anchored, seed_phrase):
    assert seed_phrase in seeds["003"], seed_phrase  # the report said it in the present tense
    assert anchored in section_text(site, "anvisning", anchor)


@pytest.mark.parametrize("page,anchor,anchored,seed_phrase", [
    ("bakgrund", None, "När materialet skrevs 2025 drev Resurscentrum projektet Förebygg och förbered",
     "genomför Resurscentrum idag projektet"),
    ("bakgrund", None, "De senaste tolv åren har fokus legat på ensamkommande barns villkor, skriver Resurscentrum",
     "De senaste tolv åren har vi haft ett särskilt fokus"),
    ("bakgrund", "bg-pojkar-och-flickor",
     "Andelen flickor har ökat något de senaste åren, skriver Förebygg och förbered (2025)",
     "andelen flickor har ökat något de senaste åren"),
    ("forsvinnande", "forsv-manniskohandel", "Enligt Förebygg och förbered (2025) vittnar flera verksamheter",
     "har ökat de senaste åren"),
])
def test_the_main_materials_statements_say_whose_they_are(site, seeds, page, anchor, anchored, seed_phrase):
    assert seed_phrase in seeds["002"], seed_phrase
    text = section_text(site, page, anchor) if anchor else own_text(site, page)
    assert anchored in text


def test_redistribution_of_municipal_quotas_as_the_report_dates_it(site, seeds):
    assert "som från hösten 2026 är en nationell process" in seeds["003"]
    text = section_text(site, "anvisning", "an-konsekvenser-for-lansstyrelserna")
    assert "Enligt rapporten är den en nationell process från hösten 2026" in text
    assert "skulle bli en nationell process" not in text


@pytest.mark.parametrize("anchor", ["an-modellens-bakgrund", "an-lagar-och-regleringsbrev", "an-ny-mottagandelag"])
def test_rules_the_pact_or_the_new_laws_may_have_changed_carry_the_notice(site, anchor):
    assert PACT_TITLE in section_text(site, "anvisning", anchor)


def test_proposals_of_the_settlement_bill_are_proposals(site, seeds):
    assert "föreslås träda i kraft den 1 januari 2027" in seeds["003"]
    for anchor in ("an-ny-bosattningslag", "an-okat-kommunalt-inflytande"):
        text = section_text(site, "anvisning", anchor)
        assert "prop. 2025/26:215" in text
        assert "Källorna visar inte" in text, anchor
        for settled in ("Omfördelningar ska kunna ske", "Ansvaret för att besluta om kommuntal flyttas",
                        "föreslås börja gälla", "är att kommunerna ska få mer inflytande"):
            assert settled not in text, (anchor, settled)
    glossary = section_text(site, "ordlista", "term-bosattningslagen")
    assert "föreslog regeringen" in glossary and "Källorna visar inte" in glossary


def test_compensation_amounts_carry_their_year_on_the_page_and_in_the_guide(site, seeds, guide_pdf):
    for amount in ("500 000", "9 450", "52 000"):
        assert f"{amount} kronor" in seeds["003"]
    text = own_text(site, "anvisning")
    ersattning = text.split("Ersättningen till kommunen", 1)[1]
    dated = "Beloppen nedan gällde enligt länsstyrelsernas rapport, som skrevs våren 2026."
    assert dated in ersattning
    table = ersattning.split(dated, 1)[1]
    for amount in ("500 000", "9 450", "52 000"):
        assert amount in table  # the amounts come after the sentence that dates them
    assert table.count("Enligt länsstyrelsernas rapport (2026) fick") == 3
    assert dated in guide_pdf


def test_resource_network_of_2020_in_the_past(site, seeds):
    assert "förväntas främst delta" in seeds["000"]  # the 2020 page's own future tense
    text = section_text(site, "kontakter", "resursnatverk-2020-mal")
    assert "förväntas" not in text and "kommer informationsspridning" not in text
    assert "skulle främst delta i Länsstyrelsens resursnätverk" in text


def test_five_year_periods_as_the_source_gives_them(site, seeds):
    assert "De senaste fem åren har det i snitt kommit 450" in seeds["002"]
    assert "ca 35 barn per år under senaste femårsperioden" in seeds["002"]
    text = own_text(site, "bakgrund")
    assert "före 2025" not in text
    assert text.count("enligt Förebygg och förbered (2025)") >= 2


def test_the_county_boards_assessments_carry_their_year(site):
    text = own_text(site, "barnkonventionen")
    assert "Länsstyrelserna bedömer" not in text
    assert text.count("I sin rapport 2026 bedömde länsstyrelserna") >= 7


# --- Nothing beyond the sources: the guide's own grouping is labelled ---------------------------------


def test_warning_signs_page_labels_every_grouping(site, content, guide_pdf):
    text = own_text(site, "varningssignaler")
    assert "Guidens egen gruppering" in text
    assert "inte uppgifter ur källorna" in text
    grouped = sum(1 for g in content.signs.groups for s in g.signs if s.noticed_by)
    assert grouped >= 45
    assert text.count("Upptäcks ofta av (guidens gruppering):") == grouped
    assert text.count("Upptäcks ofta av") == grouped  # never without the label
    assert "Guidens egen gruppering" in guide_pdf
    assert guide_pdf.count("Upptäcks ofta av (guidens gruppering)") == grouped
    assert "Upptäcks ofta av:" not in guide_pdf


def test_role_pages_say_the_grouping_is_the_guides(site, content):
    shown = 0
    for role in content.roles.roles:
        html = page_html(site, role.id)
        if 'id="varningssignaler"' not in html:
            continue
        shown += 1
        part = section_text(site, role.id, "varningssignaler")
        assert "enligt guidens egen gruppering" in part, role.id
        assert "Guidens egen gruppering" in part and "inte uppgifter ur källorna" in part, role.id
    assert shown >= 3


def test_the_model_and_the_editor_schema_say_so(content):
    description = model.Sign.model_fields["noticed_by"].description
    assert description.startswith("Guidens egen gruppering, inte en uppgift ur källorna")
    schema = json.loads((ROOT / "schemas" / "varningssignaler.json").read_text(encoding="utf-8"))
    assert "Guidens egen gruppering" in json.dumps(schema, ensure_ascii=False)


# --- References as the sources give them, or openly corrected -----------------------------------------


def url_in(url: str, seed: str) -> bool:
    """Whether the source gives this address: scheme, www and case aside, character for character."""
    bare = re.sub(r"^https?://(www\.)?", "", url).lower()
    return bare in seed.lower()


def test_every_address_is_the_sources_or_openly_corrected(content, seeds):
    corrected = []
    for source in content.sources.values():
        if not source.url:
            continue
        if not url_in(source.url, seeds["002"]):
            assert source.note and "Rättad adress" in source.note, source.id
            corrected.append(source.id)
    assert sorted(corrected) == ["kunskapsguiden-forsvunnit", "kunskapsguiden-halsa", "nspm-manniskohandel",
                                 "polisen-manniskohandel-2022"]
    for link in content.closing.links:
        if link.url and not url_in(link.url, seeds["002"]):
            assert url_in(link.url.replace("forsvinner/", "forsviner/"), seeds["002"]), link.id
            assert "rättad" in content.closing.links_intro and "forsviner/" in content.closing.links_intro


def test_health_and_care_citation_links_to_the_cited_page(site, seeds):
    assert "ensamkommande-barn-och-unga/halsa-och-varld/" in seeds["002"]  # the source's garbled address
    html = page_html(site, "kallor")
    entry = html.split('id="kunskapsguiden-halsa"', 1)[1].split("<h2", 1)[0]
    href = re.search(r'href="(https://[^"]+)"', entry)[1]
    assert href.endswith("/ensamkommande-barn-och-unga/halsa-och-vard/")
    assert "Rättad adress" in entry and "halsa-och-varld" in entry


def test_the_two_police_reports_are_named(site, seeds):
    assert "lagesrapport-24" in seeds["002"]
    assert "Polismyndighetens lägesrapport 22 om människohandel" in seeds["004"]
    for page, anchor in (("bakgrund", "bg-risker-for-barnen"), ("kallor", "polisen-manniskohandel-2022")):
        text = section_text(site, page, anchor)
        assert "lägesrapport 24" in text and "lägesrapport 22" in text and "Ju2021/04360" in text, page


def test_sol_as_the_source_pairs_it(site, seeds):
    assert "socialtjänstlagen (2001:453), SoL" in seeds["003"]
    text = section_text(site, "ordlista", "term-sol")
    assert "socialtjänstlagen (2001:453)" in text and "socialtjänstlagen (2025:400)" in text
    assert "SoL: socialtjänstlagen (2025:400)" not in text


# --- The missing material, where a reader of the topic looks ------------------------------------------


@pytest.mark.parametrize("seed,seed_phrases,page,anchor,phrases", [
    # 004: why the assignment was given, with whom, and what the county boards were asked to report
    ("004", ["utsatts för ett brott", "upprätthålla sig i landet utan tillstånd",
             "söka uppehållstillstånd i annat land"],
     "forsvinnande", "forsv-regeringsuppdraget-2022",
     ["utsatts för ett brott", "stanna i landet utan tillstånd", "söka uppehållstillstånd i ett annat land",
      "psykisk ohälsa"]),
    ("004", ["Jämställdhetsmyndigheten", "Statens skolverk", "Sveriges Kommuner och Regioner",
             "civilsamhällesorganisationer"],
     "forsvinnande", "forsv-regeringsuppdraget-2022",
     ["Jämställdhetsmyndigheten", "Statens skolverk", "Sveriges Kommuner och Regioner",
      "civilsamhällesorganisationer", "länsstyrelserna"]),
    ("004", ["Värmlands län har under 2022", "samlad redovisning", "Fi2022/01872", "A2021/01930",
             "kännedomen om regionala rutiner"],
     "forsvinnande", "forsv-lansstyrelsernas-arbete",
     ["Länsstyrelsen i Värmlands län", "samlad redovisning", "Fi2022/01872", "A2021/01930",
      "kännedomen om de regionala rutinerna för ensamkommande barn var låg", "(2016:1363)"]),
    # 003: regulation, survey, how the report was made, method, needs, competence, contact
    ("003", ["HSLF-FS 2016:56", "Länsstyrelsens enkät om kommunens mottagande av nyanlända, personer med "
             "tillfälligt skydd enligt massflyktsdirektivet och ensamkommande barn och unga 2025"],
     "anvisning", "an-varfor-omfordelning-mellan-lan",
     ["HSLF-FS 2016:56", "Länsstyrelsens enkät 2025 om kommunens mottagande av nyanlända, personer med "
      "tillfälligt skydd enligt massflyktsdirektivet och ensamkommande barn och unga"]),
    ("003", ["arbetsgrupp med representanter för länsstyrelsen, Migrationsverket och SKR",
             "Socialstyrelsen har inkommit med synpunkter", "interna integrationsnätverk",
             "nationella samordnare för barnrätt", "850-2263-2026"],
     "anvisning", "an-om-rapporten",
     ["arbetsgrupp med representanter för länsstyrelsen, Migrationsverket och SKR",
      "Socialstyrelsen lämnade synpunkter", "interna integrationsnätverk", "nationella samordnare för barnrätt",
      "850-2263-2026"]),
    ("003", ["Kunskaps- och metodstöd för prövning av barnets bästa",
             "barn i migration, utan vårdnadshavare i landet", "anpassad skola"],
     "anvisning", "an-barnkonsekvensanalys",
     ["Kunskaps- och metodstöd för prövning av barnets bästa (2021)",
      "barn i migration utan vårdnadshavare i landet", "anpassad skola"]),
    ("003", ["tas i beaktande på så vis att kompetens samlas", "så som Polis och regionkoordinatorer"],
     "anvisning", "an-civilsamhallets-slutsats",
     ["kompetensen samlas", "polisen och regionkoordinatorerna"]),
    # 001: the county board's coordinating role, the named documents
    ("001", ["samordna statens insatser, aktuella frågor eller intressen tillsammans med andra myndigheter, "
             "organisationer eller företag i länet"],
     "aktorer", "lansstyrelsen-ansvar",
     ["samordna statens insatser, aktuella frågor eller intressen tillsammans med andra myndigheter, "
      "organisationer eller företag i länet"]),
    ("001", ["Kommunandelar 2016 för asylsökande ensamkommande barn"],
     "anvisning", "an-nar-andelarna-faststalls", ["Kommunandelar 2016 för asylsökande ensamkommande barn"]),
    ("001", ["Kommunernas erfarenheter och lärdomar från mottagandet av de ensamkommande barnen under 2015"],
     "anvisning", "an-lardomar-stockholm-2015",
     ["Kommunernas erfarenheter och lärdomar från mottagandet av de ensamkommande barnen under 2015"]),
    # 002: how hard it is to see that a child is in danger
    ("002", ["svårt att upptäcka när ett barn är i fara", "fingervisning"],
     "varningssignaler", None, ["svårt att upptäcka när ett barn är i fara", "fingervisning"]),
    # 000: the shared responsibility
    ("000", ["Staten, myndigheter, kommuner och landsting har ett gemensamt ansvar"],
     "aktorer", None, ["Staten, myndigheter, kommuner och landsting (regioner) har ett gemensamt ansvar"]),
])
def test_missing_material_with_its_source(site, seeds, seed, seed_phrases, page, anchor, phrases):
    for phrase in seed_phrases:
        assert phrase in seeds[seed], (seed, phrase)
    text = section_text(site, page, anchor) if anchor else own_text(site, page)
    for phrase in phrases:
        assert phrase in text, (page, anchor, phrase)
    if anchor:
        assert "Källa:" in text or "kallor/#" in page_html(site, page).split(f'id="{anchor}"', 1)[1][:20000]


def test_the_reports_contact_address_as_the_report_gives_it(site, seeds):
    head = seeds["003"].split("Förord", 1)[0]
    post, phone, mail = (re.search(p, head)[1] for p in (r"Postadress: (\d{3} \d{2} \w+)", r"Telefon: ([\d -]+\d)",
                                                          r"E-post: (\S+@\S+)"))
    text = section_text(site, "anvisning", "an-om-rapporten")
    assert "Länsstyrelsen Västernorrland" in text
    for value in (post, phone, mail):
        assert value in text, value
    assert mail in section_text(site, "kallor", "omfordelning-andelstal-2026")
