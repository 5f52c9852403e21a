"""Load the content: read every YAML file, validate it, resolve references.

Every problem found is collected (never only the first) as a `Problem` that
names the file, the line, the field and what to write instead, in Swedish.
`load_content` either returns a complete `Content` or raises `ContentError`
with all problems: nothing half-loaded ever reaches the renderers.
"""

from __future__ import annotations

import datetime
import fnmatch
import pickle
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from collections.abc import Collection, Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from ruamel.yaml.reader import ReaderError

from generator import diskcache
from generator.content import model
from generator.content.messages import (describe_validation_error, describe_yaml_error, missing_part,
                                        missing_reference, wrong_kind_of_reference)

CONTENT_DIRS = ("guidance", "checklists")
YAML_CACHE = Path("build/yaml-cache")  # parsed files, by a hash of their bytes
MAX_FILE_BYTES = 1_000_000  # the largest content file today is about 50 kB
MAX_DEPTH = 40  # levels of nested blocks and lists; the content uses at most 6
# Page addresses a role page (<id>.md) must not take: besides the generated and hand-written
# pages, what the engine and the build put into the site.
RESERVED_PAGE_NAMES = {"index", "404", "50x", "assets", "search", "pdf", "sitemap", "tags", "admin",
                       "vagledning-offline"}
# Ids that name a file must not take a name the build gives a file of its own: checklists and packs
# become pdf/<id>.pdf beside the whole guide (pdf.GUIDE), a region the editor's
# guidance/kontakter/<id>.yml. The same names as the pages', and the whole guide's.
GUIDE_PDF = "hela-vagledningen"  # the whole guide's PDF (pdf.GUIDE is this name)
RESERVED_FILE_NAMES = RESERVED_PAGE_NAMES | {GUIDE_PDF}
# Kind -> (what it is, in Swedish, and the file its id names).
FILE_NAMED_BY_ID = {
    model.Checklist: ("en checklista", "PDF-filen pdf/{id}.pdf"),
    model.Pack: ("ett mötespaket", "PDF-filen pdf/{id}.pdf"),
    model.RegionFile: ("ett län", "filen guidance/kontakter/{id}.yml"),
}

@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__(f"{len(self.problems)} fel i innehållet")


@dataclass
class Content:
    """All validated content, by kind, plus lookups by id."""

    site: model.SiteFile
    sources: dict[str, model.Source]
    actors: model.ActorsFile
    housing: model.HousingFile
    signs: model.SignsFile
    collaboration: model.CollaborationFile
    school: model.SchoolFile
    network: model.NetworkFile
    regions: list[model.RegionFile]
    action_plan: model.ActionPlanFile
    missing_child: model.MissingChildFile
    asylum: model.AsylumProcessFile
    background: model.BackgroundFile
    rights: model.RightsFile
    allocation: model.AllocationFile
    grants: model.GrantsFile
    closing: model.ClosingFile
    glossary: model.GlossaryFile
    roles: model.RolesFile
    checklists: list[model.Checklist]
    packs: list[model.Pack]
    files: dict[str, Path] = field(default_factory=dict)
    file_of_id: dict[str, str] = field(default_factory=dict)  # checklist or pack id -> its file (rel)
    root: Path | None = None  # the project it was read from (whose build/ holds the caches)
    targets: dict[str, set[str]] = field(default_factory=dict)  # what references can name (model.TARGETS)
    edition: Any = None  # a local edition on top of the national content (edition.Edition), or None

    @property
    def actor_by_id(self) -> dict[str, model.Actor]:
        return {a.id: a for a in self.actors.actors}

    @property
    def last_reviewed(self) -> datetime.date:
        """The latest review date of any content: the about page shows it, builds are dated by it."""
        return max([self.site.reviewed, *(f.reviewed for f in self.guidance)])

    @property
    def guidance(self) -> list[model.Model]:
        """Every guidance file's model (not sources, site settings or checklists)."""
        return [self.actors, self.housing, self.signs, self.collaboration, self.school, self.network,
                *self.regions, self.action_plan, self.missing_child, self.asylum, self.background,
                self.rights, self.allocation, self.grants, self.closing, self.glossary, self.roles]

    def file_of(self, item_id: str) -> model.GuidanceFile:
        """The guidance file that holds an item."""
        return self._file_by_item[item_id]

    @cached_property
    def item_by_id(self) -> dict[str, model.Item]:
        """Every content item with an id, for checklists that point at items (built once per load)."""
        found: dict[str, model.Item] = {}
        for node in model.walk(self.guidance):
            if isinstance(getattr(node, "id", None), str):
                found.setdefault(node.id, node)
        return found

    @cached_property
    def _file_by_item(self) -> dict[str, model.GuidanceFile]:
        found: dict[str, model.GuidanceFile] = {}
        for f in self.guidance:
            for node in model.walk(f):
                if isinstance(getattr(node, "id", None), str):
                    found.setdefault(node.id, f)
        return found


@dataclass
class _Parsed:
    rel: str
    kind: type[BaseModel]
    raw: Any
    value: BaseModel | None = None
    ids: list[tuple[str, tuple[Any, ...]]] | None = None  # _file_ids, once worked out

    @cached_property
    def walked(self) -> list[tuple[tuple[Any, ...], Any, Any]]:
        """The file's data where the model has a place for it (model.positions), walked once."""
        return list(model.positions(self.kind, self.raw))


def content_files(root: Path) -> list[Path]:
    """The content files to load (every file in the content folders but hidden ones)."""
    files: list[Path] = []
    for folder in CONTENT_DIRS:
        base = root / folder
        if base.is_dir():
            files.extend(sorted(p for p in base.rglob("*") if not p.is_dir() and not _hidden(p, base)))
    return files


def _hidden(path: Path, base: Path) -> bool:
    """Editors' own files (.swp, .DS_Store, .git …): never content."""
    return any(part.startswith(".") for part in path.relative_to(base).parts)


def _file_problem(path: Path, rel: str, root: Path) -> Problem | None:
    """Why a file in the content folders cannot be content, if it cannot."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            return Problem(rel, 1, "", (
                "Filen är en genväg (länk) till en fil som inte finns. Ta bort genvägen, eller "
                "lägg den riktiga filen här i stället."))
        if not target.is_relative_to(root.resolve()):
            return Problem(rel, 1, "", (
                f"Filen är en genväg (länk) till {target}, utanför projektet. Bara filer i projektet "
                "publiceras: kopiera in innehållet i en vanlig fil här, eller ta bort genvägen."))
    if path.suffix not in (".yml", ".yaml"):
        return Problem(rel, 1, "", (
            "Filen är ingen innehållsfil (de slutar på .yml) och skulle inte komma med på webbplatsen. "
            "Flytta den utanför mapparna guidance/ och checklists/, eller ta bort den."))
    if kind_for(rel) is None:
        folder = rel.rpartition("/")[0]
        known_folders = sorted({k.pattern.rpartition("/")[0] for k in model.FILE_KINDS})
        if folder not in known_folders:
            return Problem(rel, 1, "", (
                f"Mappen {folder}/ är okänd: generatorn vet inte vad filer där är, och en kopia där "
                "skulle annars kunna publiceras av misstag. Flytta filen utanför guidance/ och "
                "checklists/ (till exempel till ett arkiv utanför projektet), eller ta bort den. "
                f"Kända mappar är: {', '.join(f + '/' for f in known_folders)}."))
        return Problem(rel, 1, "", _unknown_file_message())
    return None


def kind_for(rel: str) -> type[BaseModel] | None:
    """The kind of a content file by its path; "*" stands for a file name, never a folder."""
    parts = rel.split("/")
    return next((k for k in model.FILE_KINDS if len(k.pattern.split("/")) == len(parts)
                 and all(fnmatch.fnmatchcase(a, b) for a, b in zip(parts, k.pattern.split("/")))), None)


def load_content(root: Path, pages: Collection[str]) -> Content:
    """Read and check every content file of the project at `root`, or raise ContentError with
    every problem found. `pages`: the slugs of the site's pages (sitemap.PAGE_SLUGS), which
    content may name; the site map stands above the content, so it is handed in."""
    problems: list[Problem] = []
    parsed: list[_Parsed] = []
    unreadable: set[type[BaseModel]] = set()  # kinds with a file that could not be read
    yaml_cache = _yaml_cache(root)
    for path in content_files(root):
        rel = path.relative_to(root).as_posix()
        problem = _file_problem(path, rel, root)
        if problem:
            problems.append(problem)
            continue
        kind = kind_for(rel)
        raw = _read_yaml(path, rel, problems, yaml_cache)
        if raw is None:
            unreadable.add(kind)
            continue
        item = _Parsed(rel, kind, raw)
        try:
            item.value = kind.model_validate(_plain(raw))
        except ValidationError as err:
            problems.extend(_validation_problems(rel, kind, raw, err))
        parsed.append(item)

    yaml_cache.prune()  # files removed or renamed since
    missing = _missing_kinds(parsed, unreadable)
    problems.extend(Problem(kind.pattern, 1, "", "Filen saknas. Den behövs för att bygga webbplatsen.")
                    for kind in missing)
    unreadable |= missing  # references into a missing file: its own problem is the one to fix
    for p in parsed:
        if isinstance(p.value, model.Pack):
            problems.extend(_pack_entry_problems(p.value, p.rel, p.raw))
    # Oldest first (by the time each file was saved): of two files with the same id, the newer
    # one, where the id was most likely copied to, gets the problem.
    by_age = sorted(parsed, key=lambda p: _mtime(root / p.rel))
    copies = _copies(by_age)
    problems.extend(copies.values())
    problems.extend(_check_ids(by_age, skip_ids=set(copies)))
    targets = defined_targets(((p.kind, p.raw, p.walked) for p in parsed), pages)
    unchecked = {t for t in model.TARGETS if unreadable & set(model.defining_kinds(t))}
    problems = _one_per_slip(problems, [r for p in parsed for r in reference_problems(
        p.rel, p.kind, p.raw, targets, unchecked, p.walked)])
    problems.extend(_check_role_pages(parsed, root, pages))
    problems.extend(_check_file_names(parsed))
    problems.extend(_check_part_of_cycles(parsed))
    if problems:
        raise ContentError(problems)
    return _assemble(parsed, root, targets)


def load_pack(path: Path, content: Content) -> model.Pack:
    """A meeting pack described in a YAML file anywhere, checked like the content files."""
    rel = str(path)
    problems: list[Problem] = []
    if not path.is_file():
        raise ContentError([Problem(rel, 1, "", (
            "Filen finns inte. Kontrollera namnet och mappen, till exempel "
            "checklists/paket/ny-samverkansgrupp.yml."))])
    raw = _read_yaml(path, rel, problems)
    pack = None
    if raw is not None:
        try:
            pack = model.Pack.model_validate(_plain(raw))
        except ValidationError as err:
            problems.extend(_validation_problems(rel, model.Pack, raw, err))
        problems = _one_per_slip(problems, list(reference_problems(rel, model.Pack, raw, content.targets)))
    if pack is not None:
        problems.extend(_pack_entry_problems(pack, rel, raw))
    if problems:
        raise ContentError(problems)
    return pack


def check_pack(pack: model.Pack, checklists: set[str], rel: str, raw: Any, pages: Collection[str]) -> list[Problem]:
    """A pack made on the command line (`raw` None) or read from a file: every entry is either a
    checklist or a page section, and names one that exists (only checklists and pages known)."""
    data = raw if raw is not None else pack.model_dump(by_alias=True, exclude_none=True)
    targets = {"checklist": set(checklists), model.PAGE: set(pages)}
    return _pack_entry_problems(pack, rel, raw) + list(reference_problems(rel, model.Pack, data, targets))


def _one_per_slip(problems: list[Problem], references: list[Problem]) -> list[Problem]:
    """A mistyped reference that is no valid id either ("individnivå") is one slip: of its two
    problems, the one that names what to write is kept."""
    said = {(r.file, r.line, r.field) for r in references}
    return [q for q in problems if (q.file, q.line, q.field) not in said] + references


def _pack_entry_problems(pack: model.Pack, rel: str, raw: Any) -> list[Problem]:
    """Every entry of a pack is either a checklist or a page section (what they name is checked
    with the other references)."""
    problems = []
    for index, entry in enumerate(pack.entries):
        if bool(entry.checklist) == bool(entry.section):
            problems.append(Problem(rel, _line_of(raw, ("innehåll", index)), f"innehåll › nr {index + 1}",
                                    "Skriv antingen \"checklista: <id>\" eller \"avsnitt: <sida>\", inte båda eller inget."))
    return problems


# --- reading -----------------------------------------------------------------


class _Constructor(RoundTripConstructor):
    """Dates stay text until the model reads them, so "2026-02-30" is a message, not a crash."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


def _read_yaml(path: Path, rel: str, problems: list[Problem], cache: diskcache.Cache | None = None) -> Any:
    """The file's YAML, or None with exactly one problem that says where and what to do.

    A file that parsed cleanly before is taken from `cache` (by a hash of its bytes)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(rel, 1, "", (
                f"Filen är för stor ({size / 1e6:.1f} MB; högst {MAX_FILE_BYTES / 1e6:.0f} MB). "
                "Så mycket text är nästan säkert ett misstag, till exempel en inklistrad fil. "
                "Ta bort det som inte hör hemma här, eller dela upp innehållet i flera filer.")))
            return None
        data = path.read_bytes()
    except OSError as err:
        problems.append(Problem(rel, 1, "", (
            f"Filen går inte att läsa ({err.strerror}). Kontrollera att filen finns och att du har "
            "behörighet att läsa den.")))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(Problem(rel, line, "", (
            "Filen är inte sparad som UTF-8, så tecknen på den här raden (till exempel å, ä, ö) "
            "kan inte läsas. Spara filen med teckenkodningen UTF-8 i din textredigerare.")))
        return None
    cached = cache.path(diskcache.entry_name(rel), data) if cache else None
    kept = cache.read(cached) if cached is not None else None
    if kept is not None:
        try:
            return pickle.loads(kept)
        except Exception:  # a damaged or outdated cache file: parse again
            pass
    raw = _parse_yaml(text, rel, problems)
    if raw is not None and cached is not None:
        cache.write(cached, pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL))
    return raw


def _yaml_cache(root: Path) -> diskcache.Cache:
    """build/yaml-cache: each file as parsed (the parser and this module make it)."""
    return diskcache.Cache(root / YAML_CACHE, ".pickle", [sys.modules[__name__], "ruamel.yaml"])


def _parse_yaml(text: str, rel: str, problems: list[Problem]) -> Any:
    yaml = _yaml()
    try:
        depth = 0
        for event in yaml.parse(text):  # first the events: an alias bomb or deep nesting is never built
            if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
                problems.append(Problem(rel, event.start_mark.line + 1, "", (
                    "Ankare (&namn) och alias (*namn) används inte i innehållet. Skriv ut texten "
                    "där den ska stå i stället för att hänvisa till den med & eller *.")))
                return None
            depth += isinstance(event, CollectionStartEvent) - isinstance(event, CollectionEndEvent)
            if depth > MAX_DEPTH:
                problems.append(Problem(rel, event.start_mark.line + 1, "", (
                    f"Här ligger block och listor i mer än {MAX_DEPTH} nivåer inuti varandra, vilket "
                    "innehållet aldrig behöver. Kontrollera indragen och hakparenteserna [ ] { } på raden.")))
                return None
        raw = yaml.load(text)
    except ReaderError as err:
        line = text[: err.position].count("\n") + 1
        problems.append(Problem(rel, line, "", (
            f"Raden innehåller ett tecken som inte får stå i en textfil (teckenkod {err.character:#04x}). "
            "Ta bort det, till exempel genom att skriva om raden.")))
        return None
    except MarkedYAMLError as err:
        problems.append(Problem(rel, _slip_line(err), "", describe_yaml_error(err)))
        return None
    except YAMLError as err:
        problems.append(Problem(rel, 1, "", describe_yaml_error(err)))
        return None
    if raw is None:
        problems.append(Problem(rel, 1, "", "Filen är tom. Skriv innehållet eller ta bort filen."))
        return None
    if not isinstance(raw, CommentedMap):
        problems.append(Problem(rel, 1, "", (
            "Filen ska börja med fält i formen \"namn: värde\", till exempel \"granskad: 2026-11-23\".")))
        return None
    return raw


def _slip_line(err: MarkedYAMLError) -> int:
    """The line of the slip: where an unfinished key or quote began, else where reading stopped."""
    scanning = (err.context or "").startswith("while scanning")
    mark = (err.context_mark if scanning else None) or err.problem_mark or err.context_mark
    return mark.line + 1 if mark else 1


# Characters that text pasted from Word or a PDF brings and that no reader sees: soft hyphens
# (which also split a word for the search), zero-width spaces and joiners, word joiners and byte
# order marks. No-break spaces stay: in "116 000" they keep a number together on one line.
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def clean_text(text: str) -> str:
    """Text as every reader of the content sees it: composed letters (NFC: "a" + combining
    diaeresis becomes "ä") and no invisible characters. The one place the content's text is
    normalised: the site, the PDFs, the search index and the checks all read it from here."""
    return INVISIBLE.sub("", unicodedata.normalize("NFC", text))


def _plain(value: Any) -> Any:
    """ruamel's round-trip types -> plain dicts, lists and strs (strs as `clean_text`)."""
    if isinstance(value, dict):
        return {clean_text(str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return clean_text(str(value))
    return value


def _unknown_file_message() -> str:
    known = ", ".join(k.pattern for k in model.FILE_KINDS)
    return f"Okänd innehållsfil: generatorn vet inte vad den ska innehålla. Kända filer är: {known}."


# --- line numbers --------------------------------------------------------------


def _line_of(raw: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the value at `loc`, or of the nearest parent that exists."""
    node, line = raw, 1
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def _field_path(raw: Any, loc: tuple[Any, ...]) -> str:
    """`aktörer › nr 3 (god-man) › ansvar`: list positions 1-based, with the item's id."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"nr {key + 1}"
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict) and "id" in node[key]:
                label += f" ({node[key]['id']})"
            parts.append(label)
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return " › ".join(parts)


def _validation_problems(rel: str, kind: type[BaseModel], raw: Any, err: ValidationError) -> Iterator[Problem]:
    for error in err.errors():
        loc = error["loc"]
        yield Problem(rel, _line_of(raw, loc), _field_path(raw, loc), describe_validation_error(kind, loc, error))


# --- ids and references ----------------------------------------------------


def _missing_kinds(parsed: list[_Parsed], unreadable: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """The kinds of file the site needs one of, of which there is none."""
    present = {p.kind for p in parsed} | unreadable  # a file that could not be read is there
    return {kind for kind in model.FILE_KINDS if kind not in present and "*" not in kind.pattern}


def _file_ids(p: _Parsed) -> list[tuple[str, tuple[Any, ...]]]:
    """(id, path) of every item of a file whose id must be unique in the whole project."""
    if p.ids is not None:
        return p.ids
    found = p.ids = []
    for path, value, annotation in p.walked:
        base = model.unwrap(annotation)
        if isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(base, type) \
                and issubclass(base, BaseModel) and "id" in base.model_fields \
                and not getattr(base, "ids_unique_in_file", False):
            found.append((value["id"], path))
    return found


def _copies(by_age: list[_Parsed]) -> dict[str, Problem]:
    """Files that are copies of another file (every id of theirs is an id of that one file), by
    path, each with its one problem: what a maintainer who copies a file to start a new one
    needs to hear, instead of one problem per id. Of two files with the same ids, the copy is the
    newer one (later in `by_age`, files oldest first)."""
    ids = {p.rel: _file_ids(p) for p in by_age}
    sets = {rel: {i for i, _ in found} for rel, found in ids.items()}
    order = {p.rel: n for n, p in enumerate(by_age)}
    copies: dict[str, Problem] = {}
    for p in by_age:
        mine = sets[p.rel]
        if not mine:
            continue
        for q in by_age:
            if q.rel == p.rel or q.rel in copies or not mine <= sets[q.rel]:
                continue
            if len(mine) == 1 and mine != sets[q.rel]:
                continue  # one id that another file also has: the ordinary problem says it
            if mine == sets[q.rel] and order[p.rel] < order[q.rel]:
                continue  # the same ids both ways: the other one is the copy
            first, path = ids[p.rel][0]
            names = ", ".join(f'"{i}"' for i, _ in ids[p.rel][:4]) + (" …" if len(mine) > 4 else "")
            copies[p.rel] = Problem(p.rel, _line_of(p.raw, path + ("id",)), "id", (
                f"Filen ser ut att vara en kopia av {q.rel}: alla dess {len(mine)} id ({names}) finns "
                f"redan där. Varje id måste vara unikt. Ge varje post i {p.rel} ett eget id, till "
                f"exempel \"{first}-2\" eller ett som beskriver den nya posten, och ändra texten."))
            break
    return copies


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _check_ids(parsed: list[_Parsed], skip_ids: set[str] = frozenset()) -> Iterator[Problem]:
    """Every id unique (those of the files in skip_ids, copies, have one problem already)."""
    seen: dict[str, tuple[str, int]] = {}
    for p in parsed:
        if p.rel in skip_ids:
            continue
        for ident, path in _file_ids(p):
            line = _line_of(p.raw, path + ("id",))
            if ident in seen:
                first_file, first_line = seen[ident]
                yield Problem(p.rel, line, _field_path(p.raw, path + ("id",)), (
                    f"Id \"{ident}\" används redan i {first_file} på rad {first_line}. "
                    "Varje id måste vara unikt: välj ett annat, till exempel "
                    f"\"{ident}-2\" eller ett mer beskrivande."))
            else:
                seen[ident] = (p.rel, line)


def defined_targets(files: Iterator[tuple], pages: Collection[str]) -> dict[str, set[str]]:
    """What references can name (model.TARGETS -> ids), from files' data as read (kind, data and,
    if at hand, its model.positions): a file that does not pass validation still defines its
    ids, so one slip there is one problem. The site's `pages` come from the site map."""
    found: dict[str, set[str]] = {target: set() for target in model.TARGETS}
    for kind, raw, *walked in files:
        for target, ident in model.defined(kind, raw, *walked):
            if isinstance(ident, str):
                found[target].add(clean_text(ident).strip())
    found[model.PAGE] = set(pages)
    return found


def reference_problems(rel: str, kind: type[BaseModel], raw: Any, targets: dict[str, set[str]],
                       unchecked: set[str] = frozenset(), walked: list | None = None) -> Iterator[Problem]:
    """Every value that a field declares a reference (model.Ref) names something that exists.
    Targets in `unchecked` (their file could not be read: its problem is the one to fix first),
    and targets of which nothing is known, are not checked."""
    for path, value, ref in model.references(kind, raw, walked):
        known = targets.get(ref.target)
        if not isinstance(value, str) or ref.target in unchecked or not known:
            continue
        if ref.of is not None:
            yield from _part_problems(rel, raw, path, clean_text(value).strip(), ref, targets)
            continue
        name, hash_, anchor = clean_text(value).strip().partition("#") if ref.anchor else (
            clean_text(value).strip(), "", "")
        if name in known:
            continue
        items = targets.get(model.ITEM, set())
        if ref.target != model.ITEM and name in items and model.names_items(ref.target):
            message = wrong_kind_of_reference(name, ref.target, _nearest(name, known))
        else:
            message = missing_reference(name, ref.target, _nearest(name, known), hash_ + anchor)
        yield Problem(rel, _line_of(raw, path), _field_path(raw, path), message)


def _part_problems(rel: str, raw: Any, path: tuple[Any, ...], value: str, ref: model.Ref,
                   targets: dict[str, set[str]]) -> Iterator[Problem]:
    """A part of an item ("lista: deltar" of "grupp: individniva") that the item has. An item
    that does not exist has its own problem."""
    holder = raw
    for key in path[:-1]:
        holder = holder[key] if isinstance(holder, (dict, list)) else None
    item = holder.get(ref.of) if isinstance(holder, dict) else None
    if not isinstance(item, str) or clean_text(item).strip() not in targets.get(model.ITEM, set()):
        return
    item = clean_text(item).strip()
    known = sorted(k.partition("/")[2] for k in targets[ref.target] if k.partition("/")[0] == item)
    if value not in known:
        yield Problem(rel, _line_of(raw, path), _field_path(raw, path), missing_part(value, ref.target, item, known))


def _nearest(ref: str, candidates: set[str]) -> str:
    """The closest id by edit distance; ties go to the first in alphabetical order (same every run)."""
    return min(sorted(candidates), key=lambda t: _distance(ref, t))


def _check_role_pages(parsed: list[_Parsed], root: Path, pages: Collection[str]) -> Iterator[Problem]:
    """A role's id becomes its page's address, which must not be taken by another page or folder."""
    docs = root / "docs"
    taken = set(pages) | RESERVED_PAGE_NAMES | (
        {p.stem if p.suffix == ".md" else p.name for p in docs.iterdir()} if docs.is_dir() else set())
    for p in parsed:
        if isinstance(p.value, model.RolesFile):
            for index, role in enumerate(p.value.roles):
                if role.id in taken:
                    loc = ("roller", index, "id")
                    yield Problem(p.rel, _line_of(p.raw, loc), _field_path(p.raw, loc), (
                        f"Id \"{role.id}\" kan inte användas för en roll: rollens sida får adressen "
                        f"{role.id}/, och den adressen har redan en annan sida eller mapp på webbplatsen. "
                        f"Välj ett annat id, till exempel \"jag-ar-{role.id}\"."))


def _check_file_names(parsed: list[_Parsed]) -> Iterator[Problem]:
    """A checklist's, pack's or region's id names a file, which must not be one the build writes
    itself (a checklist "hela-vagledningen" would replace the whole guide's PDF)."""
    for p in parsed:
        if type(p.value) in FILE_NAMED_BY_ID and p.value.id in RESERVED_FILE_NAMES:
            what, file = FILE_NAMED_BY_ID[type(p.value)]
            yield Problem(p.rel, _line_of(p.raw, ("id",)), _field_path(p.raw, ("id",)), (
                f"Id \"{p.value.id}\" kan inte användas för {what}: id:t blir namnet på "
                f"{file.format(id=p.value.id)}, och namnet \"{p.value.id}\" är reserverat för webbplatsens "
                "egna sidor och filer. "
                f"Välj ett annat id, till exempel \"{p.value.id}-2\" eller ett mer beskrivande."))


def _check_part_of_cycles(parsed: list[_Parsed]) -> Iterator[Problem]:
    """"del_av" leads upwards: an actor can never end up being part of itself."""
    for p in parsed:
        if not isinstance(p.value, model.ActorsFile):
            continue
        parent = {a.id: a.part_of for a in p.value.actors}
        index = {a.id: n for n, a in enumerate(p.value.actors)}
        reported: set[str] = set()
        for actor in p.value.actors:
            chain, current = [], actor.id
            while current in parent and current not in chain:
                chain.append(current)
                current = parent[current]
            if current in chain and current not in reported:
                cycle = chain[chain.index(current):]
                reported |= set(cycle)
                first = min(cycle, key=index.__getitem__)
                loc = ("aktörer", index[first], "del_av")
                names = " → ".join(cycle[cycle.index(first):] + cycle[:cycle.index(first)] + [first])
                yield Problem(p.rel, _line_of(p.raw, loc), _field_path(p.raw, loc), (
                    f"\"del_av\" går runt i en cirkel: {names}. En aktör kan inte vara en del av sig "
                    "själv. Ta bort \"del_av\" hos en av dem."))


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, for "did you mean" suggestions."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# --- assembling ----------------------------------------------------------------


def _assemble(parsed: list[_Parsed], root: Path, targets: dict[str, set[str]]) -> Content:
    by_kind: dict[type[BaseModel], list[BaseModel]] = {}
    for p in parsed:
        by_kind.setdefault(p.kind, []).append(p.value)
    one = lambda kind: by_kind[kind][0]  # noqa: E731
    regions = sorted(by_kind.get(model.RegionFile, []), key=lambda r: r.region)
    return Content(
        site=one(model.SiteFile),
        sources={s.id: s for s in one(model.SourcesFile).sources},
        actors=one(model.ActorsFile),
        housing=one(model.HousingFile),
        signs=one(model.SignsFile),
        collaboration=one(model.CollaborationFile),
        school=one(model.SchoolFile),
        network=one(model.NetworkFile),
        regions=regions,
        action_plan=one(model.ActionPlanFile),
        missing_child=one(model.MissingChildFile),
        asylum=one(model.AsylumProcessFile),
        background=one(model.BackgroundFile),
        rights=one(model.RightsFile),
        allocation=one(model.AllocationFile),
        grants=one(model.GrantsFile),
        closing=one(model.ClosingFile),
        glossary=one(model.GlossaryFile),
        roles=one(model.RolesFile),
        checklists=sorted(by_kind.get(model.Checklist, []), key=lambda c: c.id),
        packs=sorted(by_kind.get(model.Pack, []), key=lambda c: c.id),
        files={p.rel: root / p.rel for p in parsed},
        file_of_id={p.value.id: p.rel for p in parsed if isinstance(p.value, (model.Checklist, model.Pack))},
        root=root,
        targets=targets,
    )
