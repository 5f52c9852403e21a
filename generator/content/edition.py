"""Local editions ("lokala utgåvor"): a municipality's own contacts and routines on top of the
national guidance, in a folder of its own (utgavor/<id>/), without a copy of the national content.

    utgavor/<id>/utgava.yml     the edition: the municipality, who is responsible, its address
    utgavor/<id>/kontakter.yml  local contacts (on-call social services, intake unit …), each
                                with a number to call
    utgavor/<id>/rutiner.yml    local routines, each at a named place (PLACES) on a named page
    utgavor/<id>/noter.yml      local notes on national items ("I Exempelkommun gör …"), shown
                                beside the national text, marked as local
    utgavor/<id>/checklistor.yml local items and fields added to national checklists and forms,
                                printed after the national parts, marked as local

An edition adds and never changes: it cannot hide or reword a national text. A routine that names
a contact the edition lacks, or a place the model does not have, is one problem at the local file
and line, as for the national files (load.py's readers and messages).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, ValidationError

from generator.content.load import (Content, ContentError, Problem, _line_of, _plain, _read_yaml, _validation_problems,
                                    _one_per_slip, _yaml_cache, kind_for, reference_problems)
from generator.content.model import ID_PATTERN, LOCAL_CONTACT, Changes, Defines, FormField, Id, Model, Ref, ReviewDate, Text, Url, about

EDITIONS = "utgavor"  # the folder of the editions, beside guidance/ and checklists/

# Where a local routine may stand: the place is named after the page it is shown on, at the top
# of that page's own text (before the national steps, which are kept as they are).
PLACES = ("forsvinnande", "samverkan", "skola", "kontakter")
Place = Literal["forsvinnande", "samverkan", "skola", "kontakter"]

# What a local contact is: the roles the guidance asks every municipality to have a route to.
CONTACT_KINDS = {
    "socialjour": "Socialjouren",
    "mottagningsenhet": "Mottagningsenheten",
    "overformyndare": "Överförmyndaren",
    "godmanssamordnare": "Samordnare för gode män",
    "skola": "Skolan",
    "halso-och-sjukvard": "Hälso- och sjukvården",
    "polisomrade": "Polisområdet",
    "samverkansgrupp": "Samverkansgruppen",
}
ContactKind = Literal["socialjour", "mottagningsenhet", "overformyndare", "godmanssamordnare", "skola",
                      "halso-och-sjukvard", "polisomrade", "samverkansgrupp"]
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,20}[0-9]$")


def _check_phone(value: str) -> str:
    if not PHONE.match(value):
        raise ValueError("invalid_phone")
    return value


Phone = Annotated[str, AfterValidator(_check_phone)]


class EditionFile(Model):
    pattern: ClassVar[str] = "utgavor/*/utgava.yml"
    model_config = about("Lokal utgåva", "Kommunen som utgåvan är för, vem som ansvarar och var den publiceras.")
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då uppgifterna om utgåvan senast granskades.")
    municipality: Text = Field(alias="kommun", description="Kommunens namn, till exempel Exempelkommun. Visas på varje sida och i varje PDF.")
    organisation: Text = Field(alias="ansvarig_organisation", description="Organisationen som ansvarar för de lokala uppgifterna.")
    site_url: Url = Field(alias="webbadress", description="Adressen där utgåvan publiceras, som börjar med https://.")
    contact: Text = Field(alias="kontakt", description="Vart läsare vänder sig med synpunkter och om tillgängligheten.")
    example: bool = Field(default=False, alias="exempel", description="Kryssa i för en exempelutgåva: varje sida säger då att den är ett exempel.")
    history: Changes


class LocalContact(Model):
    id: Annotated[Id, Defines(LOCAL_CONTACT)] = Field(description="Unikt id inom utgåvan, till exempel socialjouren.")
    kind: ContactKind = Field(alias="slag", description="Vad kontakten är: " + ", ".join(CONTACT_KINDS) + ".")
    name: Text = Field(alias="namn", description="Namnet som det ska visas, till exempel Socialjouren i Exempelkommun.")
    phone: Phone = Field(alias="telefon", description="Telefonnummer med riktnummer, till exempel 070-174 06 05.")
    hours: Text | None = Field(default=None, alias="när", description="När numret svarar, till exempel Kvällar, nätter och helger.")
    text: Text | None = Field(default=None, description="Vad kontakten gör, i en eller två meningar.")


class LocalContactsFile(Model):
    pattern: ClassVar[str] = "utgavor/*/kontakter.yml"
    model_config = about("Lokala kontakter", "Kommunens egna kontakter: socialjour, mottagningsenhet, överförmyndare och de andra.")
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då kontakterna senast kontrollerades.")
    contacts: list[LocalContact] = Field(alias="kontakter", min_length=1, description="Kontakterna, en per post.")
    history: Changes


class LocalRoutine(Model):
    id: Id = Field(description="Unikt id inom utgåvan, till exempel forsvinnande-lokalt.")
    place: Place = Field(alias="plats", description="Sidan där rutinen visas, överst: " + ", ".join(PLACES) + ".")
    title: Text = Field(alias="rubrik", description="Rubriken, till exempel Så gör vi i Exempelkommun.")
    intro: Text | None = Field(default=None, alias="inledning", description="En kort inledning.")
    steps: list[Text] = Field(alias="steg", min_length=1, description="Stegen i ordning, ett per punkt.")
    # checked by load_edition against the edition's own contacts (the national targets do not have them)
    contacts: list[Annotated[Id, Ref(LOCAL_CONTACT)]] = Field(default_factory=list, alias="kontakter", description="Kontakter (id i utgåvans kontakter.yml) att ringa, i den ordning de ska ringas.")


class LocalRoutinesFile(Model):
    pattern: ClassVar[str] = "utgavor/*/rutiner.yml"
    model_config = about("Lokala rutiner", "Kommunens egna rutiner, var och en på en bestämd plats på en bestämd sida.")
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då rutinerna senast granskades.")
    routines: list[LocalRoutine] = Field(alias="rutiner", min_length=1, description="Rutinerna, en per post.")
    history: Changes


class LocalNote(Model):
    item: Annotated[Id, Ref("item")] = Field(alias="gäller", description="Den nationella posten (id) som anteckningen gäller, till exempel ett ansvar i Aktörer.")
    text: Text = Field(description="Vad som gäller i kommunen, i en eller två meningar. Visas vid den nationella texten, märkt som lokal.")


class LocalNotesFile(Model):
    pattern: ClassVar[str] = "utgavor/*/noter.yml"
    model_config = about("Lokala anteckningar", "Kommunens anteckningar vid nationella poster: vad som gäller just här.")
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då anteckningarna senast granskades.")
    notes: list[LocalNote] = Field(alias="noter", min_length=1, description="Anteckningarna, en per post.")
    history: Changes


class LocalCheckItem(Model):
    ids_unique_in_file: ClassVar[bool] = True

    id: Id = Field(description="Punktens id, unikt i filen: små bokstäver a–z, siffror och bindestreck.")
    text: Text = Field(description="Punkten som den skrivs ut, till exempel Ring socialjouren i Exempelkommun.")


class LocalChecklist(Model):
    checklist: Annotated[Id, Ref("checklist")] = Field(alias="checklista", description="Den nationella checklistan eller blanketten (id) som får lokala punkter eller fält.")
    items: list[LocalCheckItem] = Field(default_factory=list, alias="punkter", description="Lokala punkter att bocka av, efter de nationella.")
    fields: list[FormField] = Field(default_factory=list, alias="fält", description="Lokala fält att fylla i, efter de nationella.")


class LocalChecklistsFile(Model):
    pattern: ClassVar[str] = "utgavor/*/checklistor.yml"
    model_config = about("Lokala punkter i checklistor", "Kommunens egna punkter och fält i de nationella checklistorna och blanketterna. De skrivs ut sist, märkta som lokala.")
    reviewed: ReviewDate = Field(alias="granskad", description="Datum då de lokala punkterna senast granskades.")
    checklists: list[LocalChecklist] = Field(alias="checklistor", min_length=1, description="En post per checklista som får lokala punkter eller fält.")
    history: Changes


EDITION_KINDS: tuple[type[Model], ...] = (EditionFile, LocalContactsFile, LocalRoutinesFile, LocalNotesFile,
                                          LocalChecklistsFile)
FILE_NAMES = {kind.pattern.rpartition("/")[2]: kind for kind in EDITION_KINDS}


@dataclasses.dataclass(frozen=True)
class Edition:
    """One edition's own content, read and checked."""

    id: str
    about: EditionFile
    contacts: list[LocalContact]
    routines: list[LocalRoutine]
    notes: list[LocalNote]
    checklists: list[LocalChecklist]
    files: dict[str, Path]
    # every file of the edition as read, by its path (utgavor/<id>/kontakter.yml …), whatever its kind
    models: dict[str, Model] = dataclasses.field(default_factory=dict)

    PDF: ClassVar[str] = "lokala-rutiner-och-kontakter"  # its own PDF: contacts, routines, notes

    @property
    def reviewed(self) -> datetime.date:
        """The latest review date of the edition's files."""
        return max(m.reviewed for m in self.models.values())

    @property
    def name(self) -> str:
        return self.about.municipality

    def routines_at(self, place: str) -> list[LocalRoutine]:
        return [r for r in self.routines if r.place == place]

    def notes_on(self, item: str) -> list[str]:
        """The edition's notes on a national item, in the order written."""
        return [n.text for n in self.notes if n.item == item]

    def additions_to(self, checklist: str) -> list[LocalChecklist]:
        """The edition's local items and fields for a national checklist or form."""
        return [c for c in self.checklists if c.checklist == checklist]

    def contact(self, ident: str) -> LocalContact:
        return next(c for c in self.contacts if c.id == ident)


def content_kind(rel: str) -> type[Model] | None:
    """The kind of a content file by its path: a national one (load.kind_for), or a local
    edition's (utgavor/<id>/<file>, FILE_NAMES)."""
    parts = rel.split("/")
    if len(parts) == 3 and parts[0] == EDITIONS and ID_PATTERN.fullmatch(parts[1]):
        return FILE_NAMES.get(parts[2])
    return kind_for(rel)


def edition_files(root: Path) -> list[Path]:
    """The files of every edition that content_kind knows (utgavor/<id>/<file>)."""
    return sorted(p for p in (root / EDITIONS).glob("*/*.yml") if content_kind(p.relative_to(root).as_posix()))


def edition_ids(root: Path) -> list[str]:
    """The editions of a project: each folder in utgavor/ with an utgava.yml."""
    base = root / EDITIONS
    return sorted(p.parent.name for p in base.glob("*/utgava.yml")) if base.is_dir() else []


def load_edition(root: Path, ident: str, national: Content) -> Content:
    """The national content with the edition `ident` on top (Content.edition), or ContentError
    with every problem of the edition's own files, each at its local file and line."""
    folder = root / EDITIONS / ident
    if not (folder / "utgava.yml").is_file():
        known = ", ".join(edition_ids(root)) or "inga"
        raise ContentError([Problem(f"{EDITIONS}/{ident}/utgava.yml", 1, "", (
            f"Utgåvan \"{ident}\" finns inte: mappen {EDITIONS}/{ident}/ med filen utgava.yml saknas. "
            f"Utgåvor som finns: {known}. Kopiera {EDITIONS}/exempelkommun/ för att börja en ny."))])
    problems: list[Problem] = []
    loaded: dict[type[Model], tuple[str, Any, Model | None]] = {}
    cache = _yaml_cache(root)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = path.relative_to(root).as_posix()
        kind = FILE_NAMES.get(path.name) if path.parent == folder else None
        if kind is None:
            problems.append(Problem(rel, 1, "", (
                "Filen hör inte till en utgåva och skulle inte komma med. En utgåva har filerna "
                f"{', '.join(FILE_NAMES)} direkt i sin mapp: byt namn på filen eller flytta den.")))
            continue
        raw = _read_yaml(path, rel, problems, cache)
        if raw is None:
            continue
        own: list[Problem] = []
        try:
            loaded[kind] = (rel, raw, kind.model_validate(_plain(raw)))
        except ValidationError as err:
            own.extend(_validation_problems(rel, kind, raw, err))
            loaded[kind] = (rel, raw, None)
        # what the edition names in the national content (a note's item) exists there: one slip, one problem
        problems.extend(_one_per_slip(own, list(reference_problems(rel, kind, raw, national.targets))))
    contacts = loaded.get(LocalContactsFile)
    routines = loaded.get(LocalRoutinesFile)
    if routines is not None:  # read as written: one slip, one problem (no kontakter.yml: none known)
        written = contacts[1].get("kontakter") if contacts is not None and isinstance(contacts[1], dict) else None
        known = {c.get("id") for c in written or [] if isinstance(c, dict)}
        rel, raw, _ = routines
        for index, routine in enumerate(raw.get("rutiner") or []):
            named = routine.get("kontakter") if isinstance(routine, dict) else None
            for number, ident_ in enumerate(named if isinstance(named, list) else []):
                if isinstance(ident_, str) and ident_ not in known:
                    where = ("rutiner", index, "kontakter", number)
                    problems.append(Problem(rel, _line_of(raw, where), f"rutiner › nr {index + 1} › kontakter", (
                        f"Det finns ingen kontakt med id \"{ident_}\" i {EDITIONS}/{ident}/kontakter.yml. "
                        f"Skriv ett av: {', '.join(sorted(k for k in known if isinstance(k, str))) or '(inga ännu)'}, "
                        "eller lägg först till kontakten där.")))
    lists = loaded.get(LocalChecklistsFile)
    if lists is not None and lists[2] is not None:
        problems.extend(_repeated_local_ids(*lists))
    if problems:
        raise ContentError(problems)
    edition = Edition(
        id=ident, about=loaded[EditionFile][2],
        contacts=contacts[2].contacts if contacts else [],
        routines=routines[2].routines if routines else [],
        notes=loaded[LocalNotesFile][2].notes if LocalNotesFile in loaded else [],
        checklists=loaded[LocalChecklistsFile][2].checklists if LocalChecklistsFile in loaded else [],
        files={rel: root / rel for rel, _, _ in loaded.values()},
        models={rel: m for rel, _, m in loaded.values()})
    return dataclasses.replace(national, edition=edition)


def _repeated_local_ids(rel: str, raw: Any, parsed: LocalChecklistsFile) -> list[Problem]:
    """The local items and fields of one checklist have different ids: each id names a field
    of the checklist's PDF form."""
    problems, seen = [], {}
    for index, entry in enumerate(parsed.checklists):
        for key, things in (("punkter", entry.items), ("fält", entry.fields)):
            for number, thing in enumerate(things):
                first = seen.setdefault((entry.checklist, thing.id), (index, key, number))
                if first != (index, key, number):
                    problems.append(Problem(rel, _line_of(raw, ("checklistor", index, key, number, "id")),
                                            f"checklistor › nr {index + 1} › {key} › nr {number + 1} › id", (
                        f"Id \"{thing.id}\" finns redan bland de lokala punkterna och fälten i checklistan "
                        f"\"{entry.checklist}\". Ge punkten eller fältet ett eget id, till exempel \"{thing.id}-2\".")))
    return problems
