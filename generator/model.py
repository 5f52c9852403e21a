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


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
Email = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_email)]
Url = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_url)]


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


class Item(Model):
    """Fields every content item has: an id, optional own citations, search terms."""

    id: Id
    citations: list[Citation] = Field(default_factory=list, alias="källor")
    keywords: list[Text] = Field(default_factory=list, alias="sökord")
    asylum_pact: bool = Field(default=False, alias="asylpakt")


class GuidanceFile(Model):
    """Fields every guidance file has. Subclasses name their file pattern."""

    pattern: ClassVar[str]
    reviewed: datetime.date = Field(alias="granskad")
    citations: list[Citation] = Field(alias="källor", min_length=1)


class SourcesFile(Model):
    pattern: ClassVar[str] = "guidance/kallor.yml"
    reviewed: datetime.date = Field(alias="granskad")
    sources: list[Source] = Field(alias="källor", min_length=1)


class SiteFile(Model):
    """Site-wide facts: who publishes, and the EU asylum pact notice."""

    pattern: ClassVar[str] = "guidance/webbplats.yml"
    reviewed: datetime.date = Field(alias="granskad")
    organisation: Text = Field(alias="ansvarig_organisation")
    contact: Text = Field(alias="kontakt")
    pact_date: datetime.date = Field(alias="asylpakt_datum")
    pact_notice: Text = Field(alias="asylpakt_text")


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
    page: Literal["aktorer", "boendeformer", "varningssignaler", "samverkan", "skola", "kontakter",
                  "forsvinnande", "asylprocess"] = Field(alias="sida")
    landscape: bool = Field(default=False, alias="liggande")
    header_fields: list[FormField] = Field(default_factory=list, alias="huvud")
    template: Literal["checklista", "handlingsplan"] = Field(default="checklista", alias="mall")
    parts: list[ChecklistPart] = Field(default_factory=list, alias="delar")
    notes: bool = Field(default=True, alias="anteckningar")


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
    Pack,  # before Checklist: "checklists/*.yml" also matches files in checklists/paket/
    Checklist,
)
