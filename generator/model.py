"""The content model: one typed class per kind of guidance content.

Field names are English in code; the YAML keys a maintainer writes are the
Swedish aliases. Every content item has a stable ASCII `id`, and every file has
a review date (`granskad`) and the sources it draws on (`källor`).
Cross-references (source ids, actor ids) are plain ids here; `load.py` checks
that they resolve.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, ClassVar, Iterator, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

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
    if value > datetime.date.today():
        raise ValueError("future_date")
    if value < EARLIEST_REVIEW:
        raise ValueError("early_date")
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
Email = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_email)]
Url = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_url)]
ReviewDate = Annotated[datetime.date, AfterValidator(_check_review_date)]


class Model(BaseModel):
    """Base for every content class: unknown keys are errors, keys are Swedish."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)


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

    id: Id
    title: Text = Field(alias="titel")
    publisher: Text = Field(alias="utgivare")
    year: int = Field(alias="år", ge=1900, le=2100)
    url: Url | None = None
    note: Text | None = Field(default=None, alias="anmärkning")


def _citation_shorthand(value: Any) -> Any:
    """Allow `- forebygg-2025` as short for `- källa: forebygg-2025`."""
    return {"källa": value} if isinstance(value, str) else value


class _Citation(Model):
    source: Id = Field(alias="källa")
    section: Text | None = Field(default=None, alias="avsnitt")


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

    id: Id
    citations: list[Citation] = Field(default_factory=list, alias="källor")
    keywords: list[Text] = Field(default_factory=list, alias="sökord")
    asylum_pact: bool = Field(default=False, alias="asylpakt")


class GuidanceFile(Model):
    """Fields every guidance file has. Subclasses name their file pattern."""

    pattern: ClassVar[str]
    reviewed: ReviewDate = Field(alias="granskad")
    citations: list[Citation] = Field(alias="källor", min_length=1)
    topics: list[Text] = Field(default_factory=list, alias="ämnen")  # tags, from webbplats.yml
    history: Changes


class SourcesFile(Model):
    pattern: ClassVar[str] = "guidance/kallor.yml"
    reviewed: ReviewDate = Field(alias="granskad")
    sources: list[Source] = Field(alias="källor", min_length=1)
    history: Changes


class AccessibilityStatement(Model):
    """What DIGG requires of a tillgänglighetsredogörelse."""

    status: Literal["helt förenlig", "delvis förenlig", "inte förenlig"] = Field(alias="förenlighet")
    assessed: ReviewDate = Field(alias="bedömd")
    method: Text = Field(alias="metod")
    known_gaps: list[Text] = Field(default_factory=list, alias="kända_brister")
    feedback: Text = Field(alias="återkoppling")
    digg_url: Url = Field(alias="digg_anmälan")


class SiteFile(Model):
    """Site-wide facts: who publishes, and the EU asylum pact notice."""

    pattern: ClassVar[str] = "guidance/webbplats.yml"
    reviewed: ReviewDate = Field(alias="granskad")
    organisation: Text = Field(alias="ansvarig_organisation")
    contact: Text = Field(alias="kontakt")
    pact_date: datetime.date = Field(alias="asylpakt_datum")
    pact_notice: Text = Field(alias="asylpakt_text")
    topics: list[Text] = Field(alias="ämnen", min_length=1)  # the tag vocabulary
    review_process: Text = Field(alias="granskningsrutin")
    review_months: int = Field(default=12, alias="granskningsperiod_månader", ge=1, le=60, description=(
        "Hur många månader som får gå mellan två granskningar av en fil. Efter det visar sidan en notis."))
    history: Changes
    accessibility: AccessibilityStatement = Field(alias="tillgänglighet")



# --- 1. Actors and responsibilities ------------------------------------------


class Responsibility(Item):
    text: Text


class Actor(Item):
    name: Text = Field(alias="namn")
    part_of: Id | None = Field(default=None, alias="del_av")
    summary: Text = Field(alias="sammanfattning")
    description: Text | None = Field(default=None, alias="beskrivning")
    responsibilities: list[Responsibility] = Field(default_factory=list, alias="ansvar")
    facts: list[Text] = Field(default_factory=list, alias="att_veta")
    works_with: list[Id] = Field(default_factory=list, alias="samverkar_med")


class ActorsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/aktorer.yml"
    intro: Text = Field(alias="inledning")
    actors: list[Actor] = Field(alias="aktörer", min_length=1)


# --- 2. Housing ------------------------------------------------------------


class HousingType(Item):
    name: Text = Field(alias="namn")
    description: Text = Field(alias="beskrivning")
    advantages: list[Text] = Field(alias="fördelar", min_length=1)
    challenges: list[Text] = Field(alias="utmaningar", min_length=1)
    consider: Text = Field(alias="att_beakta")


class PointList(Item):
    """A titled list of points, each with its own id (for checklists)."""

    title: Text = Field(alias="rubrik")
    intro: Text | None = Field(default=None, alias="inledning")
    points: list[Responsibility] = Field(alias="punkter", min_length=1)


class HousingFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/boendeformer.yml"
    intro: Text = Field(alias="inledning")
    housing_types: list[HousingType] = Field(alias="boendeformer", min_length=1)
    choosing: PointList = Field(alias="val_av_boendeform")


# --- 3. Warning signs and risk factors --------------------------------------


class Sign(Item):
    text: Text
    noticed_by: list[Id] = Field(default_factory=list, alias="upptäcks_av")


class SignGroup(Item):
    title: Text = Field(alias="rubrik")
    part: Text = Field(alias="del")
    intro: Text | None = Field(default=None, alias="inledning")
    signs: list[Sign] = Field(alias="signaler", min_length=1)


class SignsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/varningssignaler.yml"
    intro: Text = Field(alias="inledning")
    groups: list[SignGroup] = Field(alias="grupper", min_length=1)


# --- 4. Collaboration levels -----------------------------------------------


class CollaborationLevel(Item):
    name: Text = Field(alias="namn")
    short: Text = Field(alias="kort")
    purpose: Text = Field(alias="syfte")
    description: Text | None = Field(default=None, alias="beskrivning")
    participants: list[Text] = Field(alias="deltar", min_length=1)
    activities: list[Text] = Field(alias="arbete", min_length=1)


class StandingGroup(Item):
    title: Text = Field(alias="rubrik")
    description: Text = Field(alias="beskrivning")
    meetings: Text = Field(alias="möten")
    members: list[Text] = Field(alias="deltar", min_length=1)
    purpose: list[Text] = Field(alias="syfte", min_length=1)


class CollaborationFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/samverkan.yml"
    intro: Text = Field(alias="inledning")
    success_factors: PointList = Field(alias="framgångsfaktorer")
    prerequisites: Text = Field(alias="förutsättningar")
    levels: list[CollaborationLevel] = Field(alias="nivåer", min_length=1)
    standing_group: StandingGroup = Field(alias="lågt_mottagande")
    who_can_use: Text | None = Field(default=None, alias="vem_kan_använda")


# --- 5. School --------------------------------------------------------------


class RightToSchool(Item):
    title: Text = Field(alias="rubrik")
    description: Text = Field(alias="beskrivning")
    school_forms: list[Text] = Field(alias="skolformer", min_length=1)
    facts: list[Text] = Field(default_factory=list, alias="att_veta")


class Routine(Item):
    name: Text = Field(alias="namn")
    text: Text


class SchoolFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/skola.yml"
    intro: Text = Field(alias="inledning")
    right_to_school: RightToSchool = Field(alias="rätt_till_skola")
    routines_intro: Text = Field(alias="rutiner_inledning")
    routines: list[Routine] = Field(alias="rutiner", min_length=1)


# --- 6. Regional resource network ------------------------------------------


class Meeting(Model):
    date: Text = Field(alias="datum")
    theme: Text = Field(alias="tema")
    contributors: Text | None = Field(default=None, alias="medverkande")


class NetworkFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/resursnatverk.yml"
    id: Id
    name: Text = Field(alias="namn")
    year: int = Field(alias="år")
    background: Text = Field(alias="bakgrund")
    aims: list[Text] = Field(alias="syfte", min_length=1)
    goals: list[Text] = Field(alias="mål", min_length=1)
    programme: Text = Field(alias="genomförande")
    meetings: list[Meeting] = Field(default_factory=list, alias="träffar")
    keywords: list[Text] = Field(default_factory=list, alias="sökord")


class Contact(Item):
    name: Text = Field(alias="namn")
    role: Text = Field(alias="roll")
    organisation: Text
    email: Email = Field(alias="epost")


class RegionFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/kontakter/*.yml"
    id: Id
    region: Text
    network: Id = Field(alias="nätverk")
    as_of: int = Field(alias="uppgifter_från", ge=1990, le=2100)
    keywords: list[Text] = Field(default_factory=list, alias="sökord")
    contacts: list[Contact] = Field(alias="kontakter", min_length=1)


# --- Risk-based action plan (Bilaga 1) ----------------------------------------


class ActionArea(Item):
    """One row of the risk-based action plan matrix."""

    area: Text = Field(alias="område")
    sign_group: Id | None = Field(default=None, alias="riskfaktorer")
    observations: list[Text] = Field(alias="möjliga_tecken", min_length=1)
    measures: list[Text] = Field(alias="stödinsatser", min_length=1)
    responsible: list[Text] = Field(alias="ansvar", min_length=1)
    follow_up: Text = Field(alias="uppföljning")


class ActionPlanFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/handlingsplan.yml"
    title: Text = Field(alias="rubrik")
    intro: Text = Field(alias="inledning")
    areas: list[ActionArea] = Field(alias="områden", min_length=1)


# --- When a child disappears (chapter 5) --------------------------------------


class Section(Item):
    """A titled piece of prose, optionally with points."""

    title: Text = Field(alias="rubrik")
    text: Text
    points: list[Text] = Field(default_factory=list, alias="punkter")


class Hotline(Item):
    number: Text = Field(alias="nummer")
    name: Text = Field(alias="namn")
    text: Text
    facts: list[Text] = Field(alias="att_veta", min_length=1)


class MissingChildFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/forsvinnande.yml"
    intro: Text = Field(alias="inledning")
    act_now: PointList = Field(alias="agera_direkt")
    hotline: Hotline = Field(alias="journummer")
    police_needs: PointList = Field(alias="polisen_behöver")
    who_does_what: list[Id] = Field(default_factory=list, alias="vem_gör_vad")  # responsibility ids (aktorer.yml)
    risks: list[Section] = Field(alias="risker", min_length=1)
    background: list[Section] = Field(default_factory=list, alias="bakgrund")


# --- Preventive work through the asylum process (chapter 6) -------------------


class AsylumPhase(Item):
    name: Text = Field(alias="namn")
    intro: Text | None = Field(default=None, alias="inledning")
    points: list[Responsibility] = Field(alias="punkter", min_length=1)


class AsylumProcessFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/asylprocess.yml"
    intro: Text = Field(alias="inledning")
    principle: Text = Field(alias="om_inte_när")
    phases: list[AsylumPhase] = Field(alias="faser", min_length=1)
    background: list[Section] = Field(default_factory=list, alias="bakgrund")


# --- Why capacity is needed (chapters 1-2) -------------------------------------


class Figure(Item):
    """A number worth remembering, with what it counts and when."""

    value: Text = Field(alias="värde")
    text: Text
    period: Text | None = Field(default=None, alias="period")


class BackgroundFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/bakgrund.yml"
    intro: Text = Field(alias="inledning")
    why: list[Section] = Field(alias="varför", min_length=1)
    figures: list[Figure] = Field(alias="siffror", min_length=1)
    children: list[Section] = Field(alias="barnen", min_length=1)
    perspectives_intro: Text = Field(alias="perspektiv_inledning")
    perspectives: list[Section] = Field(alias="perspektiv", min_length=1)


# --- The Convention on the Rights of the Child --------------------------------


class Article(Item):
    number: int = Field(alias="artikel", ge=1, le=54)
    title: Text = Field(alias="rubrik")
    text: Text
    core_principle: bool = Field(default=False, alias="grundprincip")


class RightsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/barnkonventionen.yml"
    intro: Text = Field(alias="inledning")
    articles: list[Article] = Field(alias="artiklar", min_length=1)


# --- The allocation model and compensation --------------------------------------


class Redistribution(Model):
    year: int = Field(alias="år", ge=2000, le=2100)
    municipalities: list[Text] = Field(alias="kommuner", min_length=1)


class Compensation(Item):
    name: Text = Field(alias="namn")
    amount: int = Field(alias="belopp", ge=0)  # kronor
    unit: Text = Field(alias="per")
    text: Text


class CompensationExample(Item):
    """The worked example; the page's calculator starts from these inputs."""

    share_permille: float = Field(alias="andel_promille", gt=0)
    forecast: int = Field(alias="prognos", gt=0)
    amount_per_child: int = Field(alias="belopp_per_barn", gt=0)
    children: int = Field(alias="barn", ge=0)  # as the source states it
    total: int = Field(alias="summa", ge=0)  # as the source states it
    text: Text


class AllocationFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/anvisning.yml"
    intro: Text = Field(alias="inledning")
    sections: list[Section] = Field(alias="avsnitt", min_length=1)
    outcomes: list[Section] = Field(alias="utfall", min_length=1)
    redistributions: list[Redistribution] = Field(alias="omfördelningar", min_length=1)
    compensation_intro: Text = Field(alias="ersättning_inledning")
    compensations: list[Compensation] = Field(alias="ersättningar", min_length=1)
    example: CompensationExample = Field(alias="exempel")
    changes: list[Section] = Field(default_factory=list, alias="förändringar")


# --- Grants ---------------------------------------------------------------------


class GrantsFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/bidrag.yml"
    intro: Text = Field(alias="inledning")
    grants: list[Section] = Field(alias="bidrag", min_length=1)


# --- Closing words and practical links (chapters 9-10) --------------------------


class PracticalLink(Item):
    text: Text
    url: Url | None = None  # None when the source gives no address


class ClosingFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/avslutning.yml"
    closing: Section = Field(alias="avslutning")
    links_intro: Text = Field(alias="länkar_inledning")
    links: list[PracticalLink] = Field(alias="länkar", min_length=1)


# --- Glossary ---------------------------------------------------------------------


class Term(Item):
    term: Text
    abbreviation_of: Text | None = Field(default=None, alias="står_för")
    forms: list[Text] = Field(default_factory=list, alias="former")  # other forms that get the tooltip
    explanation: Text = Field(alias="förklaring")
    tooltip: bool = Field(default=True, alias="förklaring_i_texten", description=(
        "false för ord som står överallt (som ensamkommande barn): då visas förklaringen bara i ordlistan."))


class GlossaryFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/ordlista.yml"
    intro: Text = Field(alias="inledning")
    terms: list[Term] = Field(alias="termer", min_length=1)


# --- Roles: each visitor's way in ---------------------------------------------------


class Role(Item):
    """A role page is a view of the data: responsibilities, signs and checklists of its actors."""

    title: Text = Field(alias="rubrik")  # "Jag är socialsekreterare"
    name: Text = Field(alias="namn")
    intro: Text = Field(alias="inledning")
    actors: list[Id] = Field(default_factory=list, alias="aktörer")
    all_checklists: bool = Field(default=False, alias="alla_checklistor")
    pages: list[Id] = Field(default_factory=list, alias="läs_mer")  # site pages, by slug


class RolesFile(GuidanceFile):
    pattern: ClassVar[str] = "guidance/roller.yml"
    intro: Text = Field(alias="inledning")
    roles: list[Role] = Field(alias="roller", min_length=1)


# --- Checklists and forms (checklists/*.yml) ------------------------------------


class FormField(Model):
    """A fillable field printed on a checklist or form."""

    id: Id
    label: Text = Field(alias="etikett")
    kind: Literal["text", "datum", "textruta"] = Field(default="text", alias="typ")


class ChecklistPart(Model):
    """A part of a checklist: a group from guidance/ (by id), or items picked by id."""

    title: Text | None = Field(default=None, alias="rubrik")
    group: Id | None = Field(default=None, alias="grupp")
    items: list[Id] = Field(default_factory=list, alias="poster")
    note: Text | None = Field(default=None, alias="text")
    fields: list[FormField] = Field(default_factory=list, alias="fält")
    display: Literal["kryssrutor", "fält", "text"] = Field(default="kryssrutor", alias="visa")
    list_key: Text | None = Field(default=None, alias="lista")  # which list of the group, e.g. "deltar"


class Checklist(Model):
    pattern: ClassVar[str] = "checklists/*.yml"
    id: Id
    title: Text = Field(alias="titel")
    purpose: Text = Field(alias="syfte")
    pause_point: Text = Field(alias="när")
    kind: Literal["READ-DO", "DO-CONFIRM", "BLANKETT"] = Field(alias="typ")
    page: Id = Field(alias="sida")  # a site page (load.py checks it exists)
    landscape: bool = Field(default=False, alias="liggande")
    header_fields: list[FormField] = Field(default_factory=list, alias="huvud")
    template: Literal["checklista", "handlingsplan"] = Field(default="checklista", alias="mall")
    parts: list[ChecklistPart] = Field(default_factory=list, alias="delar")
    notes: bool = Field(default=True, alias="anteckningar")
    used_by: list[Id] = Field(default_factory=list, alias="används_av")  # actor ids
    history: Changes

    @property
    def kind_name(self) -> str:
        """The kind as readers see it: "Läs och gör", not the maintainers' "READ-DO"."""
        return CHECKLIST_KIND_NAMES[self.kind]


# What each kind of checklist is called on pages and in PDFs (the YAML files' `typ:` is the key).
CHECKLIST_KIND_NAMES = {"READ-DO": "Läs och gör", "DO-CONFIRM": "Gör och bekräfta", "BLANKETT": "Blankett"}


class PackEntry(Model):
    """One piece of a meeting pack: a checklist or form by id, or a section of a site page."""

    checklist: Id | None = Field(default=None, alias="checklista")
    section: Text | None = Field(default=None, alias="avsnitt")  # "samverkan" or "samverkan#individniva"


class Pack(Model):
    """A meeting pack (checklists/paket/*.yml): one PDF with a cover, contents and bookmarks."""

    pattern: ClassVar[str] = "checklists/paket/*.yml"
    id: Id
    title: Text = Field(alias="titel")
    purpose: Text = Field(alias="syfte")
    meeting: Text | None = Field(default=None, alias="möte")  # which meeting, or who, it is for
    level: Id | None = Field(default=None, alias="samverkansnivå")  # a level's id in samverkan.yml
    entries: list[PackEntry] = Field(alias="innehåll", min_length=1)


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
