"""The content model: one typed class per kind of guidance content.

Field names are English in code; the YAML keys a maintainer writes are the
Swedish aliases. Every content item has a stable ASCII `id`, and every file has
a review date (`granskad`) and the sources it draws on (`källor`).
A field that names something defined elsewhere (an actor's id, a collaboration level, a
topic, a site page) says so: `Annotated[Id, Ref("actor")]`, and the field where actors are
defined says `Defines("actor")`. The loader's checks, the editor's pickers and the JSON
Schema are all made from these declarations (`references`, `definitions`, `TARGETS`).
"""

from __future__ import annotations

import datetime
import functools
import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Iterator, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.fields import FieldInfo

from generator.content import review

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError("invalid_id")
    return value


def _check_email(value: str) -> str:
    if not EMAIL_PATTERN.match(value):
        raise ValueError("invalid_email")
    return value


def _check_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("invalid_url")
    return value


# A review date is a day that has been: not in the future, not before the sources were written.
EARLIEST_REVIEW = datetime.date(2000, 1, 1)


def _check_review_date(value: datetime.date) -> datetime.date:
    if value > review.today():  # GUIDE_TODAY when set: the day a build or check is made for
        raise ValueError("future_date")
    if value < EARLIEST_REVIEW:
        raise ValueError("early_date")
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Id = Annotated[str, AfterValidator(_check_id), Field(json_schema_extra={"pattern": ID_PATTERN.pattern})]
Text = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
Email = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_email), Field(json_schema_extra={"format": "email"})]
Url = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_url), Field(json_schema_extra={"pattern": "^https?://"})]
ReviewDate = Annotated[datetime.date, AfterValidator(_check_review_date)]


@dataclass(frozen=True)
class Ref:
    """Declares that a field's value names something defined elsewhere: `target` says what
    (a key of TARGETS). With `anchor` the value may go on with "#section" (a page's section).
    With `of` the value names a part of the item that the field `of` (a YAML key beside this
    one) names: "lista: deltar" a list of the group in "grupp:"."""

    target: str
    anchor: bool = False
    of: str | None = None

    @property
    def pickable(self) -> bool:
        """Whether the value is one id to pick (not a page and section, not a part of an item)."""
        return not self.anchor and self.of is None

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        schema[REFERENCE_KEYWORD] = self.target
        if self.anchor:
            schema[ANCHOR_KEYWORD] = True
        schema.setdefault("description", TARGETS[self.target].hint(anchor=self.anchor))
        return schema


@dataclass(frozen=True)
class Defines:
    """Declares the field where the things a `Ref(target)` names are defined: the ids of the
    field's items (a list of items), its texts (a list of names), or its own value (an id)."""

    target: str


REFERENCE_KEYWORD = "x-reference"  # in the JSON Schema: which kind of thing a value names
ANCHOR_KEYWORD = "x-reference-anchor"  # in the JSON Schema: "#section" may follow


class Model(BaseModel):
    """Base for every content class: unknown keys are errors, keys are Swedish."""

    # Whether the ids of this class need only be unique within their file (else in the project).
    ids_unique_in_file: ClassVar[bool] = False

    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True,
                              field_title_generator=lambda name, info: label(info.alias or name))


def label(key: str) -> str:
    """A YAML key as a Swedish label: "upptäcks_av" -> "Upptäcks av"."""
    return key.replace("_", " ").capitalize()


def about(title: str, text: str) -> ConfigDict:
    """A file kind's Swedish name and what it holds: the editor's and the JSON Schema's title and hint."""
    return ConfigDict(title=title, json_schema_extra={"description": text})


def walk(node: Any) -> Iterator[Model]:
    """Every model in a tree of models and lists, parents before children, in order."""
    if isinstance(node, Model):
        yield node
        for name in type(node).model_fields:
            yield from walk(getattr(node, name))
    elif isinstance(node, list):
        for child in node:
            yield from walk(child)


# --- Sources ---------------------------------------------------------------


class Source(Model):
    """One entry of the bibliography (`guidance/kallor.yml`)."""

    id: Id = Field(description="Unikt id: små bokstäver a–z (inte å, ä, ö), siffror och bindestreck, till exempel lag-skolnarvaro. Ändra inte ett befintligt id: andra filer hänvisar till det.")
    title: Text = Field(alias="titel", description="Källans titel, som den står på källan.")
    publisher: Text = Field(alias="utgivare", description="Vem som gett ut källan, till exempel Länsstyrelsen i Dalarnas län.")
    year: int = Field(alias="år", ge=1900, le=2100, description="Året då källan gavs ut, till exempel 2025.")
    url: Url | None = Field(default=None, description="Webbadress till källan, som börjar med https://. Lämna tomt om källan inte finns på webben.")
    note: Text | None = Field(default=None, alias="anmärkning", description="Kort anmärkning om källan, till exempel vilken version som avses.")


def _citation_shorthand(value: Any) -> Any:
    """Allow `- forebygg-2025` as short for `- källa: forebygg-2025`."""
    return {"källa": value} if isinstance(value, str) else value


class _Citation(Model):
    source: Annotated[Id, Ref("source")] = Field(alias="källa", description="Källan (id i kallor.yml). Lägg först till en ny källa i Källor.")
    section: Text | None = Field(default=None, alias="avsnitt", description="Kapitel, avsnitt eller sida i källan, till exempel \"5. Ensamkommande barn som försvinner\".")


Citation = Annotated[_Citation, BeforeValidator(_citation_shorthand)]


class Change(Model):
    """One entry of a file's public history (GOV.UK's change notes)."""

    date: datetime.date = Field(alias="datum", description="Dagen då ändringen gjordes, till exempel 2026-11-24.")
    note: Text = Field(alias="ändring", description="Vad som ändrades, i en enkel mening som läsaren förstår.")
    kind: Literal["större", "rättelse"] = Field(alias="typ", description=(
        "\"större\" om läsarna behöver veta om ändringen (den visas på sidan Ändringar och i flödet), "
        "\"rättelse\" för stavfel och små rättelser."))


Changes = Annotated[list[Change], Field(default_factory=list, alias="ändringar",
                                       description="Filens ändringshistorik, en post per ändring.")]


class Item(Model):
    """Fields every content item has: an id, optional own citations, search terms."""

    id: Id = Field(description="Unikt id: små bokstäver a–z (inte å, ä, ö), siffror och bindestreck, till exempel lag-skolnarvaro. Ändra inte ett befintligt id: andra filer hänvisar till det.")
    citations: list[Citation] = Field(default_factory=list, alias="källor", description="Egna källor för just den här posten, om de skiljer sig från filens källor.")
    keywords: list[Text] = Field(default_factory=list, alias="sökord", description="Fler ord som sökningen ska hitta posten på (ord som inte står i texten).")
    asylum_pact: bool = Field(default=False, alias="asylpakt", description="Kryssa i om innehållet kan ändras med EU:s migrations- och asylpakt (från 12 juni 2026): sidan visar då en notis.")


class GuidanceFile(Model):
    """Fields every guidance file has. Subclasses name their file pattern."""

    pattern: ClassVar[str]
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då innehållet senast granskades. Sidan visar det som \"Senast granskad\".")
    citations: list[Citation] = Field(alias="källor", min_length=1, description="Källorna som innehållet bygger på (id i kallor.yml), gärna med avsnitt.")
    topics: list[Annotated[Text, Ref("topic")]] = Field(default_factory=list, alias="ämnen", description="Ämnen (taggar) som sidan märks med, ur listan av ämnen i Webbplatsen.")
    history: Changes


class SourcesFile(Model):
    pattern: ClassVar[str] = "guidance/kallor.yml"
    model_config = about("Källor", "Källförteckningen. Varje källa har ett id som innehållet hänvisar till under \"källor\". Lägg till en ny källa här innan du hänvisar till den.")
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då källförteckningen senast granskades.")
    sources: Annotated[list[Source], Defines("source")] = Field(alias="källor", min_length=1, description="Källförteckningen. Varje källa har ett id som innehållet hänvisar till under \"källor\". Lägg till en ny källa här innan du hänvisar till den.")
    history: Changes


class AccessibilityStatement(Model):
    """What DIGG requires of a tillgänglighetsredogörelse."""

    status: Literal["helt förenlig", "delvis förenlig", "inte förenlig"] = Field(alias="förenlighet", description="Hur väl webbplatsen uppfyller kraven i lagen om tillgänglighet till digital offentlig service.")
    assessed: ReviewDate = Field(alias="bedömd", description="Datum då webbplatsens tillgänglighet senast bedömdes. Uppdatera när webbplatsen har granskats igen.")
    method: Text = Field(alias="metod", description="Hur tillgängligheten bedömdes, till exempel egen granskning med automatiska verktyg.")
    known_gaps: list[Text] = Field(default_factory=list, alias="kända_brister", description="Brister som är kända och inte åtgärdade, en per punkt.")
    feedback: Text = Field(alias="återkoppling", description="Hur besökare meddelar brister i tillgängligheten.")
    digg_url: Url = Field(alias="digg_anmälan", description="Webbadress till DIGG:s anmälan om bristande tillgänglighet.")


class SiteFile(Model):
    """Site-wide facts: who publishes, and the EU asylum pact notice."""

    pattern: ClassVar[str] = "guidance/webbplats.yml"
    model_config = about("Webbplatsen", "Uppgifter som gäller hela webbplatsen: ansvarig organisation, asylpaktens datum, ämnen (taggar), granskningsrutin och tillgänglighetsredogörelsen.")
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då uppgifterna om webbplatsen senast granskades.")
    title: Text = Field(alias="titel", description="Vägledningens fulla namn: på PDF-filerna, i hela vägledningen och i utskriftspaketen.")
    site_name: Text = Field(alias="webbplatsens_namn", description="Webbplatsens korta namn: i sidhuvudet, i webbläsarens flik och i flödet med ändringar.")
    organisation: Text = Field(alias="ansvarig_organisation", description="Organisationen som ansvarar för webbplatsen. Visas på varje sida.")
    contact: Text = Field(alias="kontakt", description="Hur man kontaktar den ansvariga organisationen.")
    pact_date: datetime.date = Field(alias="asylpakt_datum", description="Datum då EU:s migrations- och asylpakt börjar gälla.")
    pact_notice: Text = Field(alias="asylpakt_text", description="Notisen som visas vid innehåll som kan ändras med asylpakten.")
    topics: Annotated[list[Text], Defines("topic")] = Field(alias="ämnen", min_length=1, description="Ämnen (taggar) som sidorna kan märkas med. Lägg till ett nytt ämne här först, sedan kan innehållsfilerna använda det.")
    review_process: Text = Field(alias="granskningsrutin", description="Hur och hur ofta innehållet granskas. Visas på sidan Om webbplatsen.")
    review_months: int = Field(default=12, alias="granskningsperiod_månader", ge=1, le=60, description=(
        "Hur många månader som får gå mellan två granskningar av en fil. Efter det visar sidan en notis."))
    history: Changes
    accessibility: AccessibilityStatement = Field(alias="tillgänglighet", description="Tillgänglighetsredogörelse enligt DIGG:s krav.")



# --- 1. Actors and responsibilities ------------------------------------------


class Responsibility(Item):
    text: Text = Field(description="Texten, en eller några meningar.")


class Actor(Item):
    name: Text = Field(alias="namn", description="Aktörens namn, som det visas på sidan.")
    part_of: Annotated[Id, Ref("actor")] | None = Field(default=None, alias="del_av", description="Den aktör som den här aktören är en del av, om någon.")
    summary: Text = Field(alias="sammanfattning", description="En mening om vad aktören gör.")
    description: Text | None = Field(default=None, alias="beskrivning", description="Längre beskrivning av aktören.")
    responsibilities: Annotated[list[Responsibility], Defines("responsibility")] = Field(default_factory=list, alias="ansvar", description="Aktörens ansvar, ett per punkt. Ett ansvar kan väljas i checklistor och under \"Vem gör vad\".")
    facts: list[Text] = Field(default_factory=list, alias="att_veta", description="Bra att veta om aktören, en sak per punkt.")
    works_with: list[Annotated[Id, Ref("actor")]] = Field(default_factory=list, alias="samverkar_med", description="Aktörer som den här aktören arbetar nära. Skriv varje par en gång: sidorna visar samarbetet åt båda hållen.")


class ActorsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/aktorer.yml"
    model_config = about("Aktörer", "Aktörer och deras ansvar för ensamkommande barn. Ändra inte befintliga id:n, andra filer hänvisar till dem.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    actors: Annotated[list[Actor], Defines("actor")] = Field(alias="aktörer", min_length=1, description="Aktörerna och deras ansvar för ensamkommande barn.")


# --- 2. Housing ------------------------------------------------------------


class HousingType(Item):
    name: Text = Field(alias="namn", description="Boendeformens namn.")
    description: Text = Field(alias="beskrivning", description="Vad boendeformen är.")
    advantages: list[Text] = Field(alias="fördelar", min_length=1, description="Fördelar, en per punkt.")
    challenges: list[Text] = Field(alias="utmaningar", min_length=1, description="Utmaningar, en per punkt.")
    consider: Text = Field(alias="att_beakta", description="Vad man ska tänka på vid den här boendeformen.")


class PointList(Item):
    """A titled list of points, each with its own id (for checklists)."""

    title: Text = Field(alias="rubrik", description="Rubrik för listan.")
    intro: Text | None = Field(default=None, alias="inledning", description="Kort text före punkterna.")
    points: list[Responsibility] = Field(alias="punkter", min_length=1, description="Punkterna, var och en med eget id så att checklistor kan välja dem.")


class HousingFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/boendeformer.yml"
    model_config = about("Boendeformer", "Boendeformer för ensamkommande barn: fördelar, utmaningar och vad man ska tänka på.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    housing_types: list[HousingType] = Field(alias="boendeformer", min_length=1, description="Boendeformerna, med fördelar, utmaningar och att tänka på.")
    choosing: PointList = Field(alias="val_av_boendeform", description="Vad som avgör valet av boendeform.")


# --- 3. Warning signs and risk factors --------------------------------------


class Sign(Item):
    text: Text = Field(description="Signalen, kort och i vardagliga ord.")
    noticed_by: list[Annotated[Id, Ref("actor")]] = Field(default_factory=list, alias="upptäcks_av", description=("Guidens egen gruppering, inte en uppgift ur källorna: aktörerna som troligast märker signalen. "
                                                                                   "Sidorna visar den som guidens gruppering, och rollsidorna visar signalen för dem."))


class SignGroup(Item):
    title: Text = Field(alias="rubrik", description="Gruppens rubrik.")
    part: Text = Field(alias="del", description="Var i källan gruppen står, till exempel Kapitel 5 eller Bilaga 1.")
    intro: Text | None = Field(default=None, alias="inledning", description="Kort text före signalerna.")
    signs: list[Sign] = Field(alias="signaler", min_length=1, description="Signalerna i gruppen. Ge en ny signal ett nytt id: vs- för signaler ur kapitel 5, rf- för riskfaktorer ur bilaga 1.")


class SignsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/varningssignaler.yml"
    model_config = about("Varningssignaler", "Varningssignaler och riskfaktorer för att ensamkommande barn avviker eller försvinner (kapitel 5 och bilaga 1).")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    groups: Annotated[list[SignGroup], Defines("sign-group")] = Field(alias="grupper", min_length=1, description="Grupper av varningssignaler och riskfaktorer.")


# --- 4. Collaboration levels -----------------------------------------------


class CollaborationLevel(Item):
    name: Text = Field(alias="namn", description="Nivåns namn.")
    short: Text = Field(alias="kort", description="Kort beskrivning i några ord.")
    purpose: Text = Field(alias="syfte", description="Syftet med samverkan på den här nivån.")
    description: Text | None = Field(default=None, alias="beskrivning", description="Längre beskrivning av nivån.")
    participants: list[Text] = Field(alias="deltar", min_length=1, description="Vilka som deltar, en per punkt.")
    activities: list[Text] = Field(alias="arbete", min_length=1, description="Vad man arbetar med, en sak per punkt.")


class StandingGroup(Item):
    title: Text = Field(alias="rubrik", description="Rubrik.")
    description: Text = Field(alias="beskrivning", description="Vad gruppen är.")
    meetings: Text = Field(alias="möten", description="Hur ofta och när gruppen träffas.")
    members: list[Text] = Field(alias="deltar", min_length=1, description="Vilka som deltar, en per punkt.")
    purpose: list[Text] = Field(alias="syfte", min_length=1, description="Gruppens syfte, en sak per punkt.")


class CollaborationFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/samverkan.yml"
    model_config = about("Samverkan", "Samverkan för beredskap och mottagningskapacitet: framgångsfaktorer, förutsättningar, de tre samverkansnivåerna och en stående samverkansgrupp.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    success_factors: PointList = Field(alias="framgångsfaktorer", description="Framgångsfaktorer för samverkan.")
    prerequisites: Text = Field(alias="förutsättningar", description="Förutsättningar för samverkan.")
    levels: Annotated[list[CollaborationLevel], Defines("level")] = Field(alias="nivåer", min_length=1, description="De tre samverkansnivåerna.")
    standing_group: StandingGroup = Field(alias="lågt_mottagande", description="En stående samverkansgrupp när mottagandet är lågt.")
    who_can_use: Text | None = Field(default=None, alias="vem_kan_använda", description="Vem som kan använda materialet om samverkan.")


# --- 5. School --------------------------------------------------------------


class RightToSchool(Item):
    title: Text = Field(alias="rubrik", description="Rubrik.")
    description: Text = Field(alias="beskrivning", description="Barnets rätt till skola.")
    school_forms: list[Text] = Field(alias="skolformer", min_length=1, description="Skolformerna, en per punkt.")
    facts: list[Text] = Field(default_factory=list, alias="att_veta", description="Bra att veta, en sak per punkt.")


class Routine(Item):
    name: Text = Field(alias="namn", description="Rutinens namn.")
    text: Text = Field(description="Vad rutinen innebär.")


class SchoolFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/skola.yml"
    model_config = about("Skola", "Barnets rätt till skola och samverkansrutiner kring det enskilda barnet.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    right_to_school: RightToSchool = Field(alias="rätt_till_skola", description="Barnets rätt till skola.")
    routines_intro: Text = Field(alias="rutiner_inledning", description="Text före samverkansrutinerna.")
    routines: list[Routine] = Field(alias="rutiner", min_length=1, description="Samverkansrutinerna kring barnet i skolan.")


# --- 6. Regional resource network ------------------------------------------


class Meeting(Model):
    date: Text = Field(alias="datum", description="När träffen hölls, som det står i källan.")
    theme: Text = Field(alias="tema", description="Träffens tema.")
    contributors: Text | None = Field(default=None, alias="medverkande", description="Vilka som medverkade.")


class NetworkFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/resursnatverk.yml"
    model_config = about("Resursnätverket", "Det regionala resursnätverket för mottagande av ensamkommande barn. Kontaktpersonerna per län finns under Kontakter per län.")
    id: Annotated[Id, Defines("network")] = Field(description="Unikt id: små bokstäver a–z (inte å, ä, ö), siffror och bindestreck, till exempel lag-skolnarvaro. Ändra inte ett befintligt id: andra filer hänvisar till det.")
    name: Text = Field(alias="namn", description="Nätverkets namn.")
    year: int = Field(alias="år", description="Året nätverket gäller, till exempel 2020.")
    background: Text = Field(alias="bakgrund", description="Bakgrund till nätverket.")
    aims: list[Text] = Field(alias="syfte", min_length=1, description="Nätverkets syfte, en sak per punkt.")
    goals: list[Text] = Field(alias="mål", min_length=1, description="Nätverkets mål, ett per punkt.")
    programme: Text = Field(alias="genomförande", description="Hur nätverket genomfördes.")
    meetings: list[Meeting] = Field(default_factory=list, alias="träffar", description="Nätverkets träffar. Kontaktpersonerna per län finns under Kontakter per län.")
    keywords: list[Text] = Field(default_factory=list, alias="sökord", description="Fler ord som sökningen ska hitta sidan på.")


class Contact(Item):
    name: Text = Field(alias="namn", description="Personens namn.")
    role: Text = Field(alias="roll", description="Personens roll eller titel.")
    organisation: Text = Field(description="Var personen arbetar.")
    email: Email = Field(alias="epost", description="E-postadress i formen namn@exempel.se.")


class RegionFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/kontakter/*.yml"
    model_config = about("Kontakter per län", "Kontaktpersoner i resursnätverket, en fil per län. Ett nytt län blir en ny post med eget id, region, källor och kontakter.")
    id: Id = Field(description="Unikt id: små bokstäver a–z (inte å, ä, ö), siffror och bindestreck, till exempel lag-skolnarvaro. Ändra inte ett befintligt id: andra filer hänvisar till det.")
    region: Text = Field(description="Länets namn, till exempel Dalarnas län.")
    network: Annotated[Id, Ref("network")] = Field(alias="nätverk", description="Resursnätverket som kontakterna hör till.")
    as_of: int = Field(alias="uppgifter_från", ge=1990, le=2100, description="Året uppgifterna kommer från, till exempel 2020.")
    keywords: list[Text] = Field(default_factory=list, alias="sökord", description="Fler ord som sökningen ska hitta länet på.")
    contacts: list[Contact] = Field(alias="kontakter", min_length=1, description="Kontaktpersonerna i länet.")


# --- Risk-based action plan (Bilaga 1) ----------------------------------------


class ActionArea(Item):
    """One row of the risk-based action plan matrix."""

    area: Text = Field(alias="område", description="Riskområdet, som det står i matrisen.")
    sign_group: Annotated[Id, Ref("sign-group")] | None = Field(default=None, alias="riskfaktorer", description="Motsvarande grupp i varningssignalerna (id), om det finns någon.")
    observations: list[Text] = Field(alias="möjliga_tecken", min_length=1, description="Möjliga tecken, ett per punkt.")
    measures: list[Text] = Field(alias="stödinsatser", min_length=1, description="Stödinsatser, en per punkt.")
    responsible: list[Text] = Field(alias="ansvar", min_length=1, description="Vem som ansvarar, en per punkt.")
    follow_up: Text = Field(alias="uppföljning", description="När och hur det ska följas upp.")


class ActionPlanFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/handlingsplan.yml"
    model_config = about("Handlingsplan", "Riskbaserad handlingsplan (bilaga 1): en rad i matrisen per riskområde, med möjliga tecken, stödinsatser, vem som ansvarar och när det ska följas upp.")
    title: Text = Field(alias="rubrik", description="Handlingsplanens rubrik.")
    intro: Text = Field(alias="inledning", description="Inledande text.")
    areas: list[ActionArea] = Field(alias="områden", min_length=1, description="En rad i matrisen per riskområde.")


# --- When a child disappears (chapter 5) --------------------------------------


class Section(Item):
    """A titled piece of prose, optionally with points."""

    title: Text = Field(alias="rubrik", description="Avsnittets rubrik.")
    text: Text = Field(description="Avsnittets text. En tom rad börjar ett nytt stycke.")
    points: list[Text] = Field(default_factory=list, alias="punkter", description="Punkter efter texten, en per punkt.")


class Hotline(Item):
    number: Text = Field(alias="nummer", description="Telefonnumret, som det ska visas.")
    name: Text = Field(alias="namn", description="Journumrets namn.")
    text: Text = Field(description="Vad journumret är till för.")
    facts: list[Text] = Field(alias="att_veta", min_length=1, description="Bra att veta, en sak per punkt.")


class MissingChildFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/forsvinnande.yml"
    model_config = about("Om ett barn försvinner", "Ensamkommande barn som försvinner (kapitel 5): hur ni agerar direkt, journumret 116 000, vad polisen kan behöva, risker och bakgrund.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    act_now: PointList = Field(alias="agera_direkt", description="Vad ni gör direkt när ett barn försvinner.")
    hotline: Hotline = Field(alias="journummer", description="Journumret 116 000.")
    police_needs: PointList = Field(alias="polisen_behöver", description="Uppgifter som polisen kan behöva.")
    who_does_what: list[Annotated[Id, Ref("responsibility")]] = Field(default_factory=list, alias="vem_gör_vad", description="Vem gör vad när ett barn försvinner: ansvar (id) ur Aktörer. Sidan visar texten därifrån, grupperad per aktör.")
    risks: list[Section] = Field(alias="risker", min_length=1, description="Risker vid försvinnande.")
    background: list[Section] = Field(default_factory=list, alias="bakgrund", description="Bakgrundsfakta. Varningssignalerna finns under Varningssignaler.")


# --- Preventive work through the asylum process (chapter 6) -------------------


class AsylumPhase(Item):
    name: Text = Field(alias="namn", description="Fasens namn.")
    intro: Text | None = Field(default=None, alias="inledning", description="Kort text före punkterna.")
    points: list[Responsibility] = Field(alias="punkter", min_length=1, description="Vad de vuxna runt barnet kan göra i fasen.")


class AsylumProcessFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/asylprocess.yml"
    model_config = about("Asylprocessen", "Förebyggande arbete under asylprocessen: grundprincipen \"om – inte när\" och vad de vuxna runt barnet kan göra i varje fas.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    principle: Text = Field(alias="om_inte_när", description="Grundprincipen \"om – inte när\".")
    phases: list[AsylumPhase] = Field(alias="faser", min_length=1, description="Faserna i den ordning de kommer i asylprocessen.")
    background: list[Section] = Field(default_factory=list, alias="bakgrund", description="Bakgrundsavsnitt.")


# --- Why capacity is needed (chapters 1-2) -------------------------------------


class Figure(Item):
    """A number worth remembering, with what it counts and when."""

    value: Text = Field(alias="värde", description="Siffran, som den ska visas, till exempel 7–9 procent.")
    text: Text = Field(description="Vad siffran räknar.")
    period: Text | None = Field(default=None, alias="period", description="Vilken tid siffran gäller, till exempel 2024.")


class BackgroundFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/bakgrund.yml"
    model_config = about("Bakgrund", "Varför kommunerna behöver beredskap och mottagningskapacitet, viktiga siffror, vilka barnen är och tre perspektiv på barnrätt (kapitel 1 och 2).")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    why: list[Section] = Field(alias="varför", min_length=1, description="Varför kommunerna behöver beredskap.")
    figures: list[Figure] = Field(alias="siffror", min_length=1, description="Siffror värda att minnas. En siffra från en annan källa än huvudmaterialet får egna källor.")
    children: list[Section] = Field(alias="barnen", min_length=1, description="Vilka barnen är.")
    perspectives_intro: Text = Field(alias="perspektiv_inledning", description="Text före de tre perspektiven.")
    perspectives: list[Section] = Field(alias="perspektiv", min_length=1, description="De tre perspektiven på barnrätt.")


# --- The Convention on the Rights of the Child --------------------------------


class Article(Item):
    number: int = Field(alias="artikel", ge=1, le=54, description="Artikelns nummer i barnkonventionen (1–54).")
    title: Text = Field(alias="rubrik", description="Artikelns rubrik.")
    text: Text = Field(description="Vad artikeln säger, i korta ord.")
    core_principle: bool = Field(default=False, alias="grundprincip", description="Kryssa bara i för grundprinciperna: artikel 2, 3, 6 och 12.")


class RightsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/barnkonventionen.yml"
    model_config = about("Barnkonventionen", "De fyra grundprinciperna och fler artiklar som är viktiga i mottagandet av ensamkommande barn.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    articles: list[Article] = Field(alias="artiklar", min_length=1, description="Artiklarna.")


# --- The allocation model and compensation --------------------------------------


class Redistribution(Model):
    year: int = Field(alias="år", ge=2000, le=2100, description="Året för omfördelningen.")
    municipalities: list[Text] = Field(alias="kommuner", min_length=1, description="Kommunerna som tagit emot andelar, i samma ordning som i källan.")


class Compensation(Item):
    name: Text = Field(alias="namn", description="Ersättningens namn.")
    amount: int = Field(alias="belopp", ge=0, description="Belopp i hela kronor utan mellanrum, till exempel 500000.")
    unit: Text = Field(alias="per", description="Vad beloppet gäller per, till exempel barn och dygn.")
    text: Text = Field(description="Vad ersättningen gäller.")


class CompensationExample(Item):
    """The worked example; the page's calculator starts from these inputs."""

    share_permille: float = Field(alias="andel_promille", gt=0, description="Kommunens andelstal i promille.")
    forecast: int = Field(alias="prognos", gt=0, description="Prognosen: antal barn i hela landet.")
    amount_per_child: int = Field(alias="belopp_per_barn", gt=0, description="Belopp per barn i hela kronor.")
    children: int = Field(alias="barn", ge=0, description="Antal barn, som källan anger det.")
    total: int = Field(alias="summa", ge=0, description="Summan i kronor, som källan anger den.")
    text: Text = Field(description="Räkneexemplet i ord. Sidans räknare börjar från de här värdena.")


class AllocationFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/anvisning.yml"
    model_config = about("Anvisning och ersättning", "Anvisningsmodellen, omfördelning av andelar, utfall, statens ersättningar, räkneexemplet och kommande förändringar.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    sections: list[Section] = Field(alias="avsnitt", min_length=1, description="Avsnitt om anvisningsmodellen.")
    outcomes: list[Section] = Field(alias="utfall", min_length=1, description="Utfall.")
    redistributions: list[Redistribution] = Field(alias="omfördelningar", min_length=1, description="Kommuner som tagit emot andelar från andra kommuner i samma län, per år. Ett nytt år blir en ny post.")
    compensation_intro: Text = Field(alias="ersättning_inledning", description="Text före ersättningarna.")
    compensations: list[Compensation] = Field(alias="ersättningar", min_length=1, description="Statens ersättningar till kommunerna.")
    example: CompensationExample = Field(alias="exempel", description="Räkneexemplet.")
    changes: list[Section] = Field(default_factory=list, alias="förändringar", description="Kommande förändringar.")


# --- Grants ---------------------------------------------------------------------


class GrantsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/bidrag.yml"
    model_config = about("Bidrag", "Bidrag som kommuner kan söka, utöver statens ersättningar för anvisade barn.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    grants: list[Section] = Field(alias="bidrag", min_length=1, description="Bidrag som kommuner kan söka, utöver statens ersättningar (de finns under Anvisning).")


# --- Closing words and practical links (chapters 9-10) --------------------------


class PracticalLink(Item):
    text: Text = Field(description="Länkens text.")
    url: Url | None = Field(default=None, description="Webbadress som börjar med https:// eller http://. Lämna tomt om källan inte anger någon adress: sidan säger det då.")


class ClosingFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/avslutning.yml"
    model_config = about("Avslutning och länkar", "Avslutningen \"Håll i och håll ut\" och praktiska länkar (kapitel 9 och 10).")
    closing: Section = Field(alias="avslutning", description="Avslutningen \"Håll i och håll ut\".")
    links_intro: Text = Field(alias="länkar_inledning", description="Text före länkarna.")
    links: list[PracticalLink] = Field(alias="länkar", min_length=1, description="Praktiska länkar. Ett nytt id börjar med lank-.")


# --- Glossary ---------------------------------------------------------------------


class Term(Item):
    term: Text = Field(description="Ordet som i löpande text: förkortningar med versaler (HVB), vanliga ord med gemener (god man).")
    abbreviation_of: Text | None = Field(default=None, alias="står_för", description="Vad förkortningen står för. Fylls bara i för förkortningar.")
    forms: list[Text] = Field(default_factory=list, alias="former", description="Andra stavningar som också ska få förklaringen, till exempel oregelbundna böjningar (gode män). Vanliga böjningar och versal i början av en mening läggs till automatiskt.")
    explanation: Text = Field(alias="förklaring", description="Förklaringen. Den visas på sidan Ordlista och när man pekar på ordet.")
    tooltip: bool = Field(default=True, alias="förklaring_i_texten", description=(
        "false för ord som står överallt (som ensamkommande barn): då visas förklaringen bara i ordlistan."))


class GlossaryFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/ordlista.yml"
    model_config = about("Ordlista", "Förkortningar och begrepp. Förklaringen visas på sidan Ordlista och när man pekar på ordet på webbplatsen.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan.")
    terms: list[Term] = Field(alias="termer", min_length=1, description="Termerna i bokstavsordning (å, ä, ö sist). Ett nytt id börjar med term-.")


# --- Roles: each visitor's way in ---------------------------------------------------


class Role(Item):
    """A role page is a view of the data: responsibilities, signs and checklists of its actors."""

    title: Text = Field(alias="rubrik", description="Sidans rubrik, till exempel Jag är socialsekreterare.")
    name: Text = Field(alias="namn", description="Rollens namn i menyn.")
    intro: Text = Field(alias="inledning", description="Kort inledning på rollsidan.")
    actors: list[Annotated[Id, Ref("actor")]] = Field(default_factory=list, alias="aktörer", description="Aktörerna som rollen motsvarar. Sidan visar deras ansvar, signaler, checklistor och samverkan.")
    all_checklists: bool = Field(default=False, alias="alla_checklistor", description="Kryssa i om rollsidan ska visa alla checklistor.")
    pages: list[Annotated[Id, Ref("page")]] = Field(default_factory=list, alias="läs_mer", description="Sidor som rollen ska läsa mer på.")


class RolesFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/roller.yml"
    model_config = about("Roller", "Vägar in på webbplatsen: en sida per yrkesroll (\"Jag är …\"). Sidan visar vad innehållet redan säger om rollens aktörer; här skriver du rubrik, namn, inledning och vilka sidor rollen ska läsa mer på.")
    intro: Text = Field(alias="inledning", description="Inledande text överst på sidan Roller.")
    roles: list[Role] = Field(alias="roller", min_length=1, description="En sida per yrkesroll (\"Jag är …\"). Rollens id blir sidans adress, till exempel jag-ar-god-man.")


# --- Checklists and forms (checklists/*.yml) ------------------------------------


class FormField(Model):
    """A fillable field printed on a checklist or form."""

    ids_unique_in_file: ClassVar[bool] = True

    id: Id = Field(description="Fältets id, unikt inom checklistan: små bokstäver a–z, siffror och bindestreck.")
    label: Text = Field(alias="etikett", description="Fältets etikett, som den skrivs ut.")
    kind: Literal["text", "datum", "textruta"] = Field(default="text", alias="typ", description="Slag av fält: text (en rad), datum eller textruta (flera rader).")


class ChecklistPart(Model):
    """A part of a checklist: a group from guidance/ (by id), or items picked by id."""

    title: Text | None = Field(default=None, alias="rubrik", description="Delens rubrik.")
    group: Annotated[Id, Ref("item")] | None = Field(default=None, alias="grupp", description="En grupp eller lista ur innehållet (id) som delen visar, till exempel tidiga-varningssignaler.")
    items: list[Annotated[Id, Ref("item")]] = Field(default_factory=list, alias="poster", description="Enskilda poster ur innehållet (id) som delen visar.")
    note: Text | None = Field(default=None, alias="text", description="Text som skrivs ut i delen.")
    fields: list[FormField] = Field(default_factory=list, alias="fält", description="Fält att fylla i.")
    display: Literal["kryssrutor", "fält", "text"] = Field(default="kryssrutor", alias="visa", description="Hur punkterna visas: kryssrutor, fält att fylla i eller bara text.")
    list_key: Annotated[Text, Ref("list", of="grupp")] | None = Field(default=None, alias="lista", description="Vilken lista i gruppen som visas, till exempel deltar.")


class Checklist(Model):
    pattern: ClassVar[str] = "checklists/*.yml"
    model_config = about("Checklistor", "Checklistor och blanketter (PDF), en fil per checklista. Punkterna hämtas från innehållet med id: ändra en punkt där, så ändras både webbsidan och PDF:en.")
    id: Annotated[Id, Defines("checklist")] = Field(description="Unikt id: små bokstäver a–z (inte å, ä, ö), siffror och bindestreck, till exempel lag-skolnarvaro. Ändra inte ett befintligt id: andra filer hänvisar till det.")
    title: Text = Field(alias="titel", description="Checklistans titel.")
    purpose: Text = Field(alias="syfte", description="Vad checklistan är till för.")
    pause_point: Text = Field(alias="när", description="När checklistan används (pauspunkten).")
    kind: Literal["READ-DO", "DO-CONFIRM", "BLANKETT"] = Field(alias="typ", description="READ-DO (läs och gör), DO-CONFIRM (gör och bekräfta) eller BLANKETT.")
    page: Annotated[Id, Ref("page")] = Field(alias="sida", description="Sidan på webbplatsen som checklistan hör till.")
    landscape: bool = Field(default=False, alias="liggande", description="Kryssa i för liggande format (en bred matris).")
    header_fields: list[FormField] = Field(default_factory=list, alias="huvud", description="Fält överst på blanketten, till exempel datum och namn.")
    template: Literal["checklista", "handlingsplan"] = Field(default="checklista", alias="mall", description="Utskriftsmall: checklista eller handlingsplan.")
    parts: list[ChecklistPart] = Field(default_factory=list, alias="delar", description="Checklistans delar.")
    notes: bool = Field(default=True, alias="anteckningar", description="Kryssa ur om checklistan inte ska ha plats för anteckningar.")
    used_by: list[Annotated[Id, Ref("actor")]] = Field(default_factory=list, alias="används_av", description="Aktörerna som använder checklistan. Rollsidorna visar den för dem.")
    history: Changes

    @property
    def kind_name(self) -> str:
        """The kind as readers see it: "Läs och gör", not the maintainers' "READ-DO"."""
        return CHECKLIST_KIND_NAMES[self.kind]


# What each kind of checklist is called on pages and in PDFs (the YAML files' `typ:` is the key).
CHECKLIST_KIND_NAMES = {"READ-DO": "Läs och gör", "DO-CONFIRM": "Gör och bekräfta", "BLANKETT": "Blankett"}


class PackEntry(Model):
    """One piece of a meeting pack: a checklist or form by id, or a section of a site page."""

    checklist: Annotated[Id, Ref("checklist")] | None = Field(default=None, alias="checklista", description="En checklista eller blankett att ta med.")
    section: Annotated[Text, Ref("page", anchor=True)] | None = Field(default=None, alias="avsnitt", description="En sida att ta med, eller ett avsnitt av den: sida#avsnitt, till exempel samverkan#individniva.")


class Pack(Model):
    """A meeting pack (checklists/paket/*.yml): one PDF with a cover, contents and bookmarks."""

    pattern: ClassVar[str] = "checklists/paket/*.yml"
    model_config = about("Mötespaket", "Mötespaket: en PDF med försättsblad, innehållsförteckning och bokmärken, av checklistor och avsnitt av webbplatsens sidor.")
    id: Id = Field(description="Unikt id: små bokstäver a–z (inte å, ä, ö), siffror och bindestreck, till exempel lag-skolnarvaro. Ändra inte ett befintligt id: andra filer hänvisar till det.")
    title: Text = Field(alias="titel", description="Paketets titel.")
    purpose: Text = Field(alias="syfte", description="Vad paketet är till för. Står på försättsbladet.")
    meeting: Text | None = Field(default=None, alias="möte", description="Vilket möte, eller vem, paketet är till för. Står på försättsbladet och på sidan Checklistor.")
    level: Annotated[Id, Ref("level")] | None = Field(default=None, alias="samverkansnivå", description="Samverkansnivån (id i samverkan.yml) som paketet hör till, om det är ett mötespaket för en nivå.")
    entries: list[PackEntry] = Field(alias="innehåll", min_length=1, description="Paketets innehåll i ordning: för varje del antingen en checklista eller ett avsnitt.")


FILE_KINDS: tuple[type[Model], ...] = (
    SiteFile,
    SourcesFile,
    ActorsFile,
    HousingFile,
    SignsFile,
    CollaborationFile,
    SchoolFile,
    NetworkFile,
    RegionFile,
    ActionPlanFile,
    MissingChildFile,
    AsylumProcessFile,
    BackgroundFile,
    RightsFile,
    AllocationFile,
    GrantsFile,
    ClosingFile,
    GlossaryFile,
    RolesFile,
    Pack,  # before Checklist: "checklists/*.yml" also matches files in checklists/paket/
    Checklist,
)


# --- References: what names what -------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A kind of thing that fields name (`Ref`), in Swedish: for the loader's messages and the
    JSON Schema. Where they are comes from the field that `Defines` them, unless given here."""

    a: str  # "en aktör"
    none: str  # "ingen aktör"
    the: str  # "aktören": "lägg först till aktören i …"
    place: str | None = None  # where they are, when no field defines them
    advice_text: str | None = None  # how to make one exist, when not "lägg först till …"
    hint_text: str | None = None  # what to write, when not "Id för …"

    @property
    def where(self) -> str:
        return self.place or where_defined(self)

    @property
    def advice(self) -> str:
        return self.advice_text or f"lägg först till {self.the} i {self.where}"

    def hint(self, anchor: bool = False) -> str:
        text = self.hint_text or f"Id för {self.a} i {self.where}."
        return text + (" Lägg till #avsnitt för ett avsnitt av sidan, till exempel samverkan#individniva."
                       if anchor else "")


ITEM = "item"  # any content item (an `Item`) in guidance/, by its id
LIST = "list"  # a list of a content item, as "<item id>/<YAML key>" (a Ref to it has `of`)
PAGE = "page"  # a page of the site: the site's structure, not the content, knows them
LOCAL_CONTACT = "local-contact"  # a local edition's contact (utgavor/<id>/kontakter.yml), named by its routines
TARGETS: dict[str, Target] = {
    "source": Target("en källa", "ingen källa", "källan"),
    "actor": Target("en aktör", "ingen aktör", "aktören"),
    "responsibility": Target("ett ansvar", "inget ansvar", "ansvaret"),
    "sign-group": Target("en grupp av varningssignaler", "ingen grupp av varningssignaler", "gruppen"),
    "level": Target("en samverkansnivå", "ingen samverkansnivå", "nivån"),
    "network": Target("ett nätverk", "inget nätverk", "nätverket"),
    "checklist": Target("en checklista", "ingen checklista", "checklistan"),
    "topic": Target("ett ämne", "inget ämne", "ämnet",
                    hint_text="Ett av ämnena i guidance/webbplats.yml (under \"ämnen:\")."),
    ITEM: Target("en post", "ingen post", "posten", place="någon fil i guidance/",
                 advice_text="lägg först till posten i rätt fil i guidance/"),
    LIST: Target("en lista", "ingen lista", "listan", place="gruppen",
                 hint_text="Namnet på en lista i gruppen (grupp:), som det står i gruppens fil, till exempel deltar."),
    LOCAL_CONTACT: Target("en kontakt", "ingen kontakt", "kontakten", place="utgåvans kontakter.yml"),
    PAGE: Target("en sida", "ingen sida", "sidan", place="webbplatsens sidor",
                 advice_text="se sidornas namn (utan .md) i menyn i mkdocs.yml",
                 hint_text="Namnet på en sida på webbplatsen, som i dess adress, till exempel varningssignaler."),
}


_FIELD_TYPES: dict[int, tuple[FieldInfo, Any]] = {}  # id(field) -> (the field, kept alive; its type)


def field_annotation(info: FieldInfo) -> Any:
    """A field's whole type, with the metadata pydantic keeps apart (`Annotated[X, Ref(...)]`):
    the same object every time, so that its shape is worked out once."""
    known = _FIELD_TYPES.get(id(info))
    if known is None or known[0] is not info:
        whole = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        known = _FIELD_TYPES[id(info)] = (info, whole)
    return known[1]


def _top_metadata(annotation: Any) -> list[Any]:
    """The metadata of a type through Annotated and Optional (not into a list's items)."""
    found: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = typing.get_args(annotation)
            found += extra
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return found


@dataclass(frozen=True)
class _Shape:
    """What the walks over the content need to know of a type, worked out once per type."""

    base: Any  # without Annotated and Optional
    item: Any  # the type of a list's items, or None
    before: tuple[Any, ...]  # the BeforeValidators' functions (shorthands, stripping)
    ref: Ref | None
    defines: Defines | None


_SHAPES: dict[int, tuple[Any, _Shape]] = {}  # id(type) -> (the type, kept alive; its shape)


def _shape(annotation: Any) -> _Shape:
    """The shape of a type, worked out once (by identity: hashing a typing object costs more)."""
    known = _SHAPES.get(id(annotation))
    if known is not None and known[0] is annotation:
        return known[1]
    _SHAPES[id(annotation)] = (annotation, _work_out_shape(annotation))
    return _SHAPES[id(annotation)][1]


def _work_out_shape(annotation: Any) -> _Shape:
    top = _top_metadata(annotation)
    base = annotation
    while typing.get_origin(base) in (Annotated, typing.Union, types.UnionType):
        args = typing.get_args(base)
        base = args[0] if typing.get_origin(base) is Annotated else next(a for a in args if a is not type(None))
    item = typing.get_args(base)[0] if typing.get_origin(base) is list else None
    markers = top + (_top_metadata(item) if item is not None else [])
    return _Shape(base, item, tuple(m.func for m in top if isinstance(m, BeforeValidator)),
                  next((m for m in markers if isinstance(m, Ref)), None),
                  next((m for m in markers if isinstance(m, Defines)), None))


@functools.cache
def _field_types(cls: type[BaseModel]) -> dict[str, Any]:
    """YAML key -> the field's whole type, of a model class."""
    return {info.alias or name: field_annotation(info) for name, info in cls.model_fields.items()}


def unwrap(annotation: Any) -> Any:
    """`Annotated[X, ...]` -> X and `X | None` -> X."""
    return _shape(annotation).base


def list_item(annotation: Any) -> Any | None:
    """The type of a list's items (None if the type is no list)."""
    return _shape(annotation).item


def reference(annotation: Any) -> Ref | None:
    """The `Ref` a field's type declares (pass `field_annotation(info)`), on the value or on each
    of a list's items, if any."""
    return _shape(annotation).ref


def definition(annotation: Any) -> Defines | None:
    """The `Defines` a field's type declares, if any."""
    return _shape(annotation).defines


def fields(kind: type[BaseModel]) -> Iterator[tuple[tuple[str, ...], type[BaseModel], str, Any]]:
    """Every field of a kind of file and of the models inside it, parents first: (YAML keys
    from the top of the file, "*" for a list's items; the class; the field's name; its type)."""
    def visit(cls: type[BaseModel], path: tuple[str, ...], seen: frozenset) -> Iterator:
        for name, info in cls.model_fields.items():
            key, annotation = info.alias or name, field_annotation(info)
            yield path + (key,), cls, name, annotation
            item = list_item(annotation)
            base = unwrap(item if item is not None else annotation)
            if isinstance(base, type) and issubclass(base, BaseModel) and base not in seen:
                yield from visit(base, path + (key,) + (("*",) if item is not None else ()), seen | {base})
    yield from visit(kind, (), frozenset({kind}))


@functools.cache
def definitions(target: str, kinds: tuple[type[BaseModel], ...] | None = None) -> list[tuple[type[BaseModel], tuple[str, ...]]]:
    """(kind of file, path of YAML keys) of each field that `Defines(target)`, among the national
    kinds of file or `kinds` (a local edition's, content/edition.py)."""
    return [(kind, path) for kind in (FILE_KINDS if kinds is None else kinds) for path, _, _, annotation in fields(kind)
            if (d := definition(annotation)) is not None and d.target == target]


@functools.cache
def defining_kinds(target: str) -> tuple[type[BaseModel], ...]:
    """The kinds of file in which the things a `Ref(target)` names are defined."""
    if target == ITEM:
        return tuple(kind for kind in FILE_KINDS if any(
            isinstance(b := unwrap(list_item(a) or a), type) and issubclass(b, Item) for _, _, _, a in fields(kind)))
    return tuple(dict.fromkeys(kind for kind, _ in definitions(target)))


@functools.cache
def names_items(target: str) -> bool:
    """Whether what a `Ref(target)` names are content items (actors are, pages and topics not)."""
    for kind, path in definitions(target):
        annotation = next(a for p, _, _, a in fields(kind) if p == path)
        base = unwrap(list_item(annotation) or annotation)
        if isinstance(base, type) and issubclass(base, Item):
            return True
    return False


def where_defined(target: Target) -> str:
    """Where a kind of thing is defined, in words: guidance/aktorer.yml (under "aktörer:")."""
    name = next(n for n, t in TARGETS.items() if t is target)
    kind, path = definitions(name)[0]
    if "*" in kind.pattern:
        return kind.pattern.rpartition("/")[0] + "/"
    return kind.pattern if path == ("id",) else f"{kind.pattern} (under \"{path[-1]}:\")"


def positions(kind: type[BaseModel], raw: Any) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
    """(path, value, type) of every value in a file's data (as read, before validation) that the
    model has a place for, parents first. Shorthands are expanded as the model reads them
    (`- forebygg-2025` is a citation); a value of the wrong shape is not followed into (the
    validation reports it)."""
    def visit(annotation: Any, value: Any, path: tuple[Any, ...]) -> Iterator:
        shape = _shape(annotation)
        for func in shape.before:
            try:
                value = func(value)
            except Exception:  # noqa: BLE001 - the validation says what is wrong
                pass
        yield path, value, annotation
        if shape.item is not None and isinstance(value, list):
            for index, child in enumerate(value):
                yield from visit(shape.item, child, path + (index,))
        elif isinstance(value, dict) and isinstance(shape.base, type) and issubclass(shape.base, BaseModel):
            types_ = _field_types(shape.base)
            for key, child in value.items():  # in the file's order
                if key in types_:
                    yield from visit(types_[key], child, path + (key,))
    yield from visit(kind, raw, ())


def _lists(cls: type[BaseModel], value: dict) -> Iterator[str]:
    """The YAML keys of an item's own lists of texts or items that have something in them (not
    the sources and search terms every item may have)."""
    common = _field_types(Item)
    for key, annotation in _field_types(cls).items():
        item = list_item(annotation)
        if key in common or item is None or not value.get(key) or not isinstance(value.get(key), list):
            continue
        base = unwrap(item)
        if base is str or (isinstance(base, type) and issubclass(base, Item)):
            yield key


def references(kind: type[BaseModel], raw: Any, walked: list | None = None) -> Iterator[tuple[tuple[Any, ...], Any, Ref]]:
    """(path, value, declaration) of every value in a file's data that names something
    (`walked`: the file's `positions`, when they are at hand)."""
    for path, value, annotation in positions(kind, raw) if walked is None else walked:
        if isinstance(value, list):
            continue  # a list of references: each of its items is a position of its own
        ref = reference(annotation)
        if ref is not None and list_item(annotation) is None:
            yield path, value, ref


def defined(kind: type[BaseModel], raw: Any, walked: list | None = None) -> Iterator[tuple[str, Any]]:
    """(target, id) of everything a file's data defines that a `Ref` can name: what the fields
    that `Defines` hold, and every content item's id (ITEM)."""
    for _, value, annotation in positions(kind, raw) if walked is None else walked:
        base = unwrap(annotation)
        if isinstance(base, type) and issubclass(base, Item) and isinstance(value, dict) and "id" in value:
            yield ITEM, value["id"]
            yield from ((LIST, f"{value['id']}/{key}") for key in _lists(base, value))
        d = definition(annotation)
        if d is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            yield d.target, one.get("id") if isinstance(one, dict) else one
