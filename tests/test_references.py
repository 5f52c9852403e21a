"""References are declared in the model (`model.Ref`, `model.Defines`), once: the loader's checks,
the editor's pickers and the JSON Schema all come from the declaration. Loader tests run on the
small project (tests/fixtures/small), with no build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import ROOT, SMALL
from generator.content import model
from generator.commands.editor import FOLDERS, editor_config
from generator.content.load import ContentError, _line_of, content_files, defined_targets, kind_for, load_content
from generator.sitemap import PAGE_SLUGS
from generator.commands.schema import file_schema


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as err:
        load_content(root, PAGE_SLUGS)
    return [str(p) for p in err.value.problems]


def _all_kinds() -> list[type[model.Model]]:
    return [c for c in vars(model).values()
            if isinstance(c, type) and issubclass(c, model.Model) and c is not model.Model]


def _holds_ids(annotation) -> bool:
    """Whether a field's values are checked as ids (`model.Id`), itself or each of its items."""
    item = model.list_item(annotation)
    for t in (annotation, item) if item is not None else (annotation,):
        if any(getattr(m, "func", None) is model._check_id for m in model._top_metadata(t)):
            return True
    return False


# --- the declarations ------------------------------------------------------------------------


def test_every_id_typed_field_is_a_declared_reference():
    """A field whose values are ids of something else (its type is an id, or its name ends in
    id/ids) says what it points at; a field named `id` is the item's own id and points at nothing."""
    undeclared, misdeclared = [], []
    for cls in _all_kinds():
        for name, info in cls.model_fields.items():
            annotation = model.field_annotation(info)
            names = (name, info.alias or name)
            if name == "id":
                if model.reference(annotation) is not None:
                    misdeclared.append(f"{cls.__name__}.{name}")
                continue
            id_typed = _holds_ids(annotation) or any(re.search(r"(^|_)ids?$", n) for n in names)
            if id_typed and model.reference(annotation) is None:
                undeclared.append(f"{cls.__name__}.{name}")
    assert undeclared == [], f"fields that hold ids but declare no Ref: {undeclared}"
    assert misdeclared == []
    assert len([1 for kind in model.FILE_KINDS for *_, a in model.fields(kind) if model.reference(a)]) > 20


def test_every_target_is_named_and_defined_in_one_place():
    """Each kind of thing a Ref names has its Swedish words, and (but items, their lists and
    pages, which the model's own structure and the site's structure define) one field that
    Defines it: in the national files, or for a local edition's contacts in its own files."""
    from generator.content.edition import EDITION_KINDS

    used = {model.reference(a).target for kind in (*model.FILE_KINDS, *EDITION_KINDS) for *_, a in model.fields(kind)
            if model.reference(a)}
    assert used == set(model.TARGETS)
    for target in model.TARGETS:
        places = model.definitions(target)
        if target in (model.ITEM, model.LIST, model.PAGE):
            assert places == []
        elif target == model.LOCAL_CONTACT:  # a local edition's own: defined in its kontakter.yml
            assert places == [] and len(model.definitions(target, EDITION_KINDS)) == 1
        else:
            assert len(places) == 1, (target, places)
            assert model.defining_kinds(target), target


def test_a_samverkansniva_is_a_reference_to_the_levels_of_samverkan():
    """The defect: `samverkansnivå` was free text, so a mistyped one passed and the pack
    dropped off the checklists page (which lists the packs of each level in samverkan.yml)."""
    ref = model.reference(model.field_annotation(model.Pack.model_fields["level"]))
    assert ref == model.Ref("level")
    assert model.definitions("level") == [(model.CollaborationFile, ("nivåer",))]


# --- the loader --------------------------------------------------------------------------------


def test_the_small_project_loads(small):
    content = load_content(small, PAGE_SLUGS)
    assert [p.level for p in content.packs] == ["individniva", None]
    assert content.targets["level"] == {"individniva", "overgripande-niva"}
    assert content.targets["actor"] == {"kommunen", "skolan"}
    assert "kom-boende" in content.targets["responsibility"] and "kom-boende" in content.targets[model.ITEM]
    assert content.targets["topic"] == {"ansvar", "samverkan"}


def test_a_mistyped_samverkansniva_is_one_problem_at_its_line(small):
    pack = small / "checklists" / "paket" / "individniva.yml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("samverkansnivå: individniva",
                                                             "samverkansnivå: individnivå"), encoding="utf-8")
    line = next(n for n, text in enumerate(pack.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("samverkansnivå:"))
    found = problems(small)
    assert len(found) == 1, found
    assert found[0].startswith(f"checklists/paket/individniva.yml:{line}: samverkansnivå: ")
    assert 'ingen samverkansnivå med id "individnivå"' in found[0]
    assert 'Menade du "individniva"?' in found[0] and "guidance/samverkan.yml" in found[0]


def _references(root: Path) -> list[tuple[str, int, str, model.Ref]]:
    """(file, line, value, declaration) of every declared reference in a project's files."""
    found = []
    for path in content_files(root):
        rel = path.relative_to(root).as_posix()
        raw = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
        for loc, value, ref in model.references(kind_for(rel), raw):
            found.append((rel, _line_of(raw, loc), value, ref))
    return found


def test_the_small_project_has_every_kind_of_reference():
    """So that the test below tries every declared reference field."""
    declared = {(name, model.reference(a)) for kind in model.FILE_KINDS for (*_, name, a) in
                [(p[-1], a) for p, _, _, a in model.fields(kind)] if model.reference(a)}
    present = set()
    for rel, _, _, ref in _references(SMALL):
        present.add(ref)
    assert {ref for _, ref in declared} <= present


@pytest.mark.parametrize("index", range(len(_references(SMALL))))
def test_every_mistyped_reference_is_one_problem_naming_what_to_write(small, index):
    """Each reference in the small project, mistyped in turn: one problem, at its file and
    line, that names the value as it should be."""
    rel, line, value, ref = _references(small)[index]
    name, hash_, anchor = value.partition("#")
    wrong = f"{name}x{hash_}{anchor}"
    path = small / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert value in lines[line - 1], (rel, line, value)
    lines[line - 1] = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", wrong, lines[line - 1], count=1)
    path.write_text("".join(lines), encoding="utf-8")
    found = problems(small)
    assert len(found) == 1, found
    assert found[0].startswith(f"{rel}:{line}: "), found
    target = model.TARGETS[ref.target]
    if ref.of is None:
        assert f'Det finns {target.none} med id "{name}x"' in found[0], found
        assert f'Menade du "{value}"?' in found[0], found
    else:  # a part of an item: all the parts it has
        assert f'Det finns {target.none} "{name}x" i ' in found[0], found
        assert re.search(rf"Skriv en av: .*\b{re.escape(value)}\b", found[0]), found


def test_a_reference_to_another_kind_of_item_says_what_belongs_there(small):
    plan = small / "guidance" / "handlingsplan.yml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("riskfaktorer: tidiga-signaler",
                                                             "riskfaktorer: kom-boende"), encoding="utf-8")
    found = problems(small)
    assert len(found) == 1 and found[0].startswith("guidance/handlingsplan.yml:"), found
    assert '"kom-boende" finns, men här ska det stå en grupp av varningssignaler' in found[0]
    assert 'Menade du "tidiga-signaler"?' in found[0]


def test_a_file_that_fails_validation_still_defines_its_ids(small):
    """One slip in samverkan.yml is one problem: the packs that name its levels are not wrong too."""
    path = small / "guidance" / "samverkan.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("    kort: Om ett barn\n", ""), encoding="utf-8")
    found = problems(small)
    assert len(found) == 1 and found[0].startswith("guidance/samverkan.yml:"), found


def test_a_checklist_part_names_a_list_its_group_has(small):
    """"lista:" names a list of the group in "grupp:" (a mistyped one stopped `guide check` with
    an unexpected error); a group that does not exist is that line's problem alone."""
    path = small / "checklists" / "samverkansmote-individ.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("lista: deltar", "lista: deltagare"), encoding="utf-8")
    found = problems(small)
    assert len(found) == 1 and found[0].startswith("checklists/samverkansmote-individ.yml:"), found
    assert 'ingen lista "deltagare" i "individniva". Skriv en av: arbete, deltar.' in found[0]
    path.write_text(text.replace("grupp: individniva", "grupp: individnivan")
                    .replace("lista: deltar", "lista: deltagare"), encoding="utf-8")
    found = problems(small)
    assert len(found) == 1 and 'Menade du "individniva"?' in found[0], found


def test_form_field_ids_are_unique_within_their_checklist_only(small):
    """A form field's id (`huvud`, `fält`) is declared unique within its file: the same id in two
    checklists is no problem, as it was not when the loader knew these by their key names."""
    path = small / "checklists" / "tidiga-signaler.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "sida: varningssignaler\n", "sida: varningssignaler\nhuvud:\n  - id: datum\n    etikett: Datum\n"),
        encoding="utf-8")
    load_content(small, PAGE_SLUGS)
    assert model.FormField.ids_unique_in_file and not model.Actor.ids_unique_in_file


def test_the_real_content_has_no_undeclared_reference():
    """No value outside a declared reference (and the ids themselves) is the id of something
    (an id of several words, or a page with its section: single words are ordinary text, such
    as a search term "asylprocess"): a field that holds ids without saying so would go unchecked."""
    files = []
    for path in content_files(ROOT):
        rel = path.relative_to(ROOT).as_posix()
        files.append((rel, kind_for(rel), YAML(typ="rt").load(path.read_text(encoding="utf-8"))))
    targets = defined_targets(((kind, raw) for _, kind, raw in files), PAGE_SLUGS)
    names = {t: ids for t, ids in targets.items() if t != "topic"}  # topics are ordinary words
    every = set().union(*names.values())
    undeclared = []
    for rel, kind, raw in files:
        for loc, value, annotation in model.positions(kind, raw):
            if not isinstance(value, str) or loc[-1] == "id" or model.reference(annotation) \
                    or model.definition(annotation) or isinstance(loc[-1], int) and (
                        model.reference(_parent(kind, raw, loc)) or model.definition(_parent(kind, raw, loc))):
                continue
            name = value.partition("#")[0]
            # an id of several words (or a page and its section), which no text is
            if ("-" in name or "#" in value) and model.ID_PATTERN.match(name) and name in every:
                undeclared.append(f"{rel}:{_line_of(raw, loc)}: {value}")
    assert undeclared == [], "\n".join(undeclared)


def _parent(kind, raw, loc):
    return next(a for p, _, a in model.positions(kind, raw) if p == loc[:-1])


# --- the editor and the schema ----------------------------------------------------------------


def _editor_fields(fields, path=()):
    for field in fields:
        yield path + (field["name"],), field
        yield from _editor_fields(field.get("fields", []), path + (field["name"],))


def test_the_editor_offers_a_picker_exactly_for_the_declared_references():
    """The actors of aktorer.yml are objects to edit, not a picker of actor ids (the defect),
    and a pack's samverkansnivå is picked from the levels of samverkan.yml."""
    config = editor_config(ROOT)
    entries = {}
    for collection in config["collections"]:
        for entry in collection.get("files", [collection]):
            entries[entry.get("file") or entry["folder"]] = entry["fields"]
    kinds = {kind.pattern.rpartition("/")[0] if kind in FOLDERS else kind.pattern: kind
             for kind in model.FILE_KINDS}
    checked = 0
    for where, fields in entries.items():
        declared = {tuple(k for k in p if k != "*"): model.reference(a) for p, _, _, a in model.fields(kinds[where])}
        for path, field in _editor_fields(fields):
            ref = declared[path]
            picker = field.get("widget") == "relation" or (field.get("widget") == "select" and ref is not None)
            assert picker == (ref is not None and ref.pickable), (where, path, field.get("widget"))
            checked += picker
    assert checked > 50
    actors = next(f for f in entries["guidance/aktorer.yml"] if f["name"] == "aktörer")
    assert actors["widget"] == "list" and "namn" in [f["name"] for f in actors["fields"]]
    level = next(f for f in entries["checklists/paket"] if f["name"] == "samverkansnivå")
    assert (level["widget"], level["file"], level["value_field"], level["display_fields"]) == (
        "relation", "samverkan", "nivåer.*.id", ["nivåer.*.namn"])


def test_every_relation_finds_its_ids_in_the_content():
    """A relation's value field, expanded as Decap does ("*" each item of a list), finds exactly
    the ids the loader knows for that kind of thing."""
    content = load_content(ROOT, PAGE_SLUGS)
    config = editor_config(ROOT)
    relations = [f for c in config["collections"] for e in c.get("files", [c])
                 for _, f in _editor_fields(e["fields"]) if f.get("widget") == "relation"]
    targets = {model.reference(a).target: None for kind in model.FILE_KINDS for *_, a in model.fields(kind)
               if model.reference(a)}
    seen = set()
    for target in targets:
        from generator.commands.editor import _Targets

        relation = _Targets.relation(target)
        if relation is None:
            continue
        collection, file, value, _ = relation
        if file:
            data = YAML(typ="safe").load((ROOT / next(k.pattern for k in model.FILE_KINDS
                                                       if Path(k.pattern).stem == file)).read_text(encoding="utf-8"))
            datas = [data]
        else:
            folder = next(f for name, f in FOLDERS.values() if name == collection)
            datas = [YAML(typ="safe").load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / folder).glob("*.yml"))]
        found = {v for d in datas for v in _expand(d, value.split("."))}
        assert found == content.targets[target], target
        seen.add(target)
    assert {"actor", "level", "responsibility", "sign-group", "source", "topic", "network", "checklist"} <= seen
    assert relations


def _expand(data, keys):
    if not keys:
        yield data
    elif keys[0] == "*":
        for item in data or []:
            yield from _expand(item, keys[1:])
    elif isinstance(data, dict) and keys[0] in data:
        yield from _expand(data[keys[0]], keys[1:])


def test_the_schema_says_what_a_reference_names():
    pack = file_schema(model.Pack)
    level = pack["properties"]["samverkansnivå"]["anyOf"][0]
    assert level[model.REFERENCE_KEYWORD] == "level" and "guidance/samverkan.yml" in level["description"]
    checklist = file_schema(model.Checklist)


    assert checklist["properties"]["sida"]["enum"] == list(PAGE_SLUGS)
    section = pack["$defs"]["PackEntry"]["properties"]["avsnitt"]["anyOf"][0]
    assert re.match(section["pattern"], "samverkan#individniva") and not re.match(section["pattern"], "samverkn")
    actors = file_schema(model.ActorsFile)["$defs"]["Actor"]["properties"]
    assert actors["samverkar_med"]["items"][model.REFERENCE_KEYWORD] == "actor"
    assert model.REFERENCE_KEYWORD not in file_schema(model.ActorsFile)["properties"]["aktörer"]
