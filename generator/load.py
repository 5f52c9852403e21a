"""Load the content: read every YAML file, validate it, resolve references.

Every problem found is collected (never only the first) as a `Problem` that
names the file, the line, the field and what to write instead, in Swedish.
`load_content` either returns a complete `Content` or raises `ContentError`
with all problems: nothing half-loaded ever reaches the renderers.
"""

from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from . import model
from .messages import describe_validation_error, describe_yaml_error

CONTENT_DIRS = ("guidance", "checklists")

# Keys whose values point at an id elsewhere: key -> kind of target.
REFERENCE_KEYS = {
    "källa": "source",
    "del_av": "actor",
    "upptäcks_av": "actor",
    "nätverk": "network",
    "riskfaktorer": "item",
    "grupp": "item",
    "poster": "item",
    "checklista": "checklist",
    "samverkar_med": "actor",
    "används_av": "actor",
    "aktörer": "actor",
    "ämnen": "topic",
    "vem_gör_vad": "item",
    "läs_mer": "page",
    "sida": "page",
}
LOCAL_ID_KEYS = {"huvud", "fält"}
# Kind of target -> (Swedish "no such ...", where such ids live, how to make one exist).
TARGETS = {
    "source": ("ingen källa", "guidance/kallor.yml", "lägg först till källan i guidance/kallor.yml"),
    "actor": ("ingen aktör", "guidance/aktorer.yml", "lägg först till aktören i guidance/aktorer.yml"),
    "network": ("inget nätverk", "guidance/resursnatverk.yml", "lägg först till nätverket i guidance/resursnatverk.yml"),
    "item": ("ingen post", "någon fil i guidance/", "lägg först till posten i rätt fil i guidance/"),
    "checklist": ("ingen checklista", "checklists/", "lägg först till checklistan i checklists/"),
    "topic": ("inget ämne", "guidance/webbplats.yml (under \"ämnen:\")",
              "lägg först till ämnet i guidance/webbplats.yml under \"ämnen:\""),
    "page": ("ingen sida", "webbplatsens sidor", "se sidornas namn (utan .md) i menyn i mkdocs.yml"),
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
        return next(f for f in self.guidance if any(getattr(n, "id", None) == item_id for n in model.walk(f)))

    @property
    def item_by_id(self) -> dict[str, model.Item]:
        """Every content item with an id, for checklists that point at items."""
        found: dict[str, model.Item] = {}
        for node in model.walk(self.guidance):
            if isinstance(getattr(node, "id", None), str):
                found.setdefault(node.id, node)
        return found


@dataclass
class _Parsed:
    rel: str
    kind: type[BaseModel]
    raw: Any
    value: BaseModel | None = None


def content_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for folder in CONTENT_DIRS:
        base = root / folder
        if base.is_dir():
            files.extend(sorted(p for p in base.rglob("*") if p.suffix in (".yml", ".yaml")))
    return files


def kind_for(rel: str) -> type[BaseModel] | None:
    return next((k for k in model.FILE_KINDS if fnmatch.fnmatch(rel, k.pattern)), None)


def load_content(root: Path) -> Content:
    problems: list[Problem] = []
    parsed: list[_Parsed] = []
    for path in content_files(root):
        rel = path.relative_to(root).as_posix()
        kind = kind_for(rel)
        if kind is None:
            problems.append(Problem(rel, 1, "", _unknown_file_message()))
            continue
        raw = _read_yaml(path, rel, problems)
        if raw is None:
            continue
        item = _Parsed(rel, kind, raw)
        try:
            item.value = kind.model_validate(_plain(raw))
        except ValidationError as err:
            problems.extend(_validation_problems(rel, kind, raw, err))
        parsed.append(item)

    problems.extend(_missing_files(parsed))
    checklist_ids = {q.value.id for q in parsed if isinstance(q.value, model.Checklist)}
    for p in parsed:
        if isinstance(p.value, model.Pack):
            problems.extend(check_pack(p.value, checklist_ids, p.rel, p.raw))
    problems.extend(_check_ids_and_references(parsed))
    if problems:
        raise ContentError(problems)
    return _assemble(parsed, root)


def load_pack(path: Path, content: Content) -> model.Pack:
    """A meeting pack described in a YAML file anywhere, checked like the content files."""
    rel = str(path)
    problems: list[Problem] = []
    raw = _read_yaml(path, rel, problems)
    pack = None
    if raw is not None:
        try:
            pack = model.Pack.model_validate(_plain(raw))
        except ValidationError as err:
            problems.extend(_validation_problems(rel, model.Pack, raw, err))
    if pack is not None:
        problems.extend(check_pack(pack, {c.id for c in content.checklists}, rel, raw))
    if problems:
        raise ContentError(problems)
    return pack


def check_pack(pack: model.Pack, checklists: set[str], rel: str, raw: Any) -> list[Problem]:
    """Every entry names an existing checklist or site page (and section)."""
    from .pages import PAGE_SLUGS  # the pages the site has

    problems = []
    for index, entry in enumerate(pack.entries):
        line = _line_of(raw, ("innehåll", index))
        if bool(entry.checklist) == bool(entry.section):
            problems.append(Problem(rel, line, f"innehåll › nr {index + 1}",
                                    "Skriv antingen \"checklista: <id>\" eller \"avsnitt: <sida>\", inte båda eller inget."))
        elif entry.checklist and entry.checklist not in checklists:
            problems.append(Problem(rel, line, f"innehåll › nr {index + 1} › checklista", (
                f"Det finns ingen checklista med id \"{entry.checklist}\". Finns: {', '.join(sorted(checklists))}.")))
        elif entry.section and entry.section.partition('#')[0] not in PAGE_SLUGS:
            pages = ", ".join(PAGE_SLUGS)
            problems.append(Problem(rel, line, f"innehåll › nr {index + 1} › avsnitt", (
                f"Det finns ingen sida \"{entry.section}\". Skriv en av: {pages} (eventuellt med #avsnitt).")))
    return problems


# --- reading -----------------------------------------------------------------


def _read_yaml(path: Path, rel: str, problems: list[Problem]) -> Any:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(Problem(rel, line, "", (
            "Filen är inte sparad som UTF-8, så tecknen på den här raden (till exempel å, ä, ö) "
            "kan inte läsas. Spara filen med teckenkodningen UTF-8 i din textredigerare.")))
        return None
    try:
        raw = YAML(typ="rt").load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problems.append(Problem(rel, (mark.line + 1) if mark else 1, "", describe_yaml_error(err)))
        return None
    if raw is None:
        problems.append(Problem(rel, 1, "", "Filen är tom. Skriv innehållet eller ta bort filen."))
        return None
    if not isinstance(raw, CommentedMap):
        problems.append(Problem(rel, 1, "", (
            "Filen ska börja med fält i formen \"namn: värde\", till exempel \"granskad: 2026-11-23\".")))
        return None
    return raw


def _plain(value: Any) -> Any:
    """ruamel's round-trip types -> plain dicts, lists and strs."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
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


def _walk(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, path + (index,))


def _missing_files(parsed: list[_Parsed]) -> Iterator[Problem]:
    present = {p.kind for p in parsed}
    for kind in model.FILE_KINDS:
        if kind not in present and "*" not in kind.pattern:
            yield Problem(kind.pattern, 1, "", "Filen saknas. Den behövs för att bygga webbplatsen.")


def _check_ids_and_references(parsed: list[_Parsed]) -> Iterator[Problem]:
    seen: dict[str, tuple[str, int]] = {}
    targets: dict[str, set[str]] = {"source": set(), "actor": set(), "network": set(), "item": set(),
                                    "checklist": set(), "topic": set(), "page": set()}
    from .pages import PAGE_SLUGS  # the site's pages, for "läs_mer" and "sida"

    targets["page"] = set(PAGE_SLUGS)
    for p in parsed:
        if isinstance(p.value, model.SourcesFile):
            targets["source"] |= {s.id for s in p.value.sources}
        elif isinstance(p.value, model.ActorsFile):
            targets["actor"] |= {a.id for a in p.value.actors}
        elif isinstance(p.value, model.NetworkFile):
            targets["network"].add(p.value.id)
        elif isinstance(p.value, model.Checklist):
            targets["checklist"].add(p.value.id)
        elif isinstance(p.value, model.SiteFile):
            targets["topic"] |= set(p.value.topics)
        if p.rel.startswith("guidance/") and not isinstance(p.value, model.SourcesFile):
            targets["item"] |= {n["id"] for _, n in _walk(p.raw) if isinstance(n, dict) and isinstance(n.get("id"), str)}

    for p in parsed:
        for path, node in _walk(p.raw):
            if not isinstance(node, dict):
                continue
            local = any(k in LOCAL_ID_KEYS for k in path)  # form fields: unique within their checklist
            if isinstance(node.get("id"), str) and not local:
                ident, line = node["id"], _line_of(p.raw, path + ("id",))
                if ident in seen:
                    first_file, first_line = seen[ident]
                    yield Problem(p.rel, line, _field_path(p.raw, path + ("id",)), (
                        f"Id \"{ident}\" används redan i {first_file} på rad {first_line}. "
                        "Varje id måste vara unikt: välj ett annat, till exempel "
                        f"\"{ident}-2\" eller ett mer beskrivande."))
                else:
                    seen[ident] = (p.rel, line)
            for key, target in REFERENCE_KEYS.items():
                if key not in node or (key == "källa" and isinstance(p.value, model.SourcesFile)) \
                        or (key == "ämnen" and isinstance(p.value, model.SiteFile)):
                    continue
                values = node[key] if isinstance(node[key], list) else [node[key]]
                for index, ref in enumerate(values):
                    sub = path + ((key, index) if isinstance(node[key], list) else (key,))
                    yield from _check_reference(p, sub, ref, target, targets)
            if "källor" in node and not isinstance(p.value, model.SourcesFile) and isinstance(node["källor"], list):
                for index, ref in enumerate(node["källor"]):
                    if isinstance(ref, str):  # shorthand citation "- forebygg-2025"
                        yield from _check_reference(p, path + ("källor", index), ref, "source", targets)


def _check_reference(p: _Parsed, path: tuple[Any, ...], ref: Any, target: str,
                     targets: dict[str, set[str]]) -> Iterator[Problem]:
    if not isinstance(ref, str) or ref in targets[target] or not targets[target]:
        return
    nearest = min(targets[target], key=lambda t: _distance(ref, t))
    none, where, advice = TARGETS[target]
    yield Problem(p.rel, _line_of(p.raw, path), _field_path(p.raw, path), (
        f"Det finns {none} med id \"{ref}\" i {where}. "
        f"Menade du \"{nearest}\"? Skriv ett id som finns där, eller {advice}."))


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


def _assemble(parsed: list[_Parsed], root: Path) -> Content:
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
    )
