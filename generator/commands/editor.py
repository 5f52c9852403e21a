"""The Decap CMS configuration (admin/config.yml), generated from the content model.

Nothing here is written by hand per field: labels come from the YAML keys, hints from the
model's `description`s, required/optional and list minimums from the model's fields, and
the fields the model declares references (`model.Ref`) become pickers of the ids that exist,
where the field that `model.Defines` them says. The same descriptions
feed the JSON Schema (schema.py), so the editor, VS Code and the model say the same thing.
"""

from __future__ import annotations

import datetime
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML

from generator.content import model
from generator.content import edition as local
from generator.content.edition import EDITION_KINDS, EDITIONS
from generator.content.load import content_files, defined_targets, kind_for
from generator.content.messages import VALUE_ERRORS
from generator.sitemap import PAGE_SLUGS

FILES_COLLECTION = "innehall"  # one entry per single guidance file
EDITION_COLLECTION = "utgava"  # `guide edit --utgava ID`: one entry per kind of edition file
# Folder collections: each file in the folder is an entry, so a new region or pack is a new entry.
FOLDERS = {
    model.RegionFile: ("kontakter", "guidance/kontakter"),
    model.Checklist: ("checklistor", "checklists"),
    model.Pack: ("paket", "checklists/paket"),
}
# Short texts get a one-line input; everything else a text area that grows.
ONE_LINE = {"id", "namn", "rubrik", "titel", "term", "region", "roll", "organisation", "epost", "nummer",
            "värde", "period", "del", "kort", "per", "etikett", "datum", "tema", "utgivare", "står_för",
            "avsnitt", "lista", "url", "digg_anmälan", "ansvarig_organisation", "medverkande",
            "kommun", "telefon", "webbadress"}
# What a list item's summary shows, in order of preference (the first key the item has).
SUMMARY_KEYS = ("text", "namn", "rubrik", "titel", "term", "område", "källa", "etikett", "datum", "år",
                "checklista", "avsnitt", "id")


# The editor's "media library": none. No field takes an image or a file, so nothing may be
# uploaded: Decap requires a media folder or a media library, and gets this one, which shows
# nothing and stores nothing (registered by the editor's page, see edit_server.ADMIN_SCRIPT).
NO_MEDIA_LIBRARY = "ingen"


def edition_files(edition: str) -> dict[str, str]:
    """{entry name: path} of the files a local edition has or can have (edition.EDITION_KINDS):
    utgavor/<id>/utgava.yml, kontakter.yml and the others, named by their stem."""
    return {Path(kind.pattern).stem: f"{EDITIONS}/{edition}/{Path(kind.pattern).name}" for kind in EDITION_KINDS}


def entry_path(collection: Any, slug: Any, edition: str | None = None) -> str | None:
    """The content file of the editor's entry `slug` in `collection` (as Decap names them), or
    None if the configuration has no such entry: the single files by their name, a folder
    collection's files by an id. With `edition` (`guide edit --utgava ID`) only that edition's
    files, by their name."""
    if not isinstance(collection, str) or not isinstance(slug, str):
        return None
    if edition is not None:
        return edition_files(edition).get(slug) if collection == EDITION_COLLECTION else None
    if collection == FILES_COLLECTION:
        return next((k.pattern for k in model.FILE_KINDS
                     if k not in FOLDERS and "*" not in k.pattern and Path(k.pattern).stem == slug), None)
    folder = next((f for name, f in FOLDERS.values() if name == collection), None)
    if folder is None or not model.ID_PATTERN.fullmatch(slug):
        return None
    return f"{folder}/{slug}.yml"


def editor_config(root: Path, api_url: str = "/api/v1", branch: str | None = None,
                  edition: str | None = None) -> dict[str, Any]:
    """The whole config.yml as a dict. `api_url` is where the editor's storage API answers
    (in `guide edit` an address with the session's secret in it, see edit_server.py). With
    `branch` (the project's content branch in git), Decap's editorial workflow: every save is a
    draft, reviewed and published by a second maintainer (drafts.py); without, saves go straight
    into the files. With `edition` (`guide edit --utgava ID`), the collections are that local
    edition's files only (edition_collections)."""
    collections = edition_collections(root, edition) if edition is not None else site_collections(root)
    return {
        "backend": {"name": "proxy", "proxy_url": api_url, "branch": branch or "main"},
        "locale": "sv",
        "publish_mode": "editorial_workflow" if branch else "simple",
        "media_library": {"name": NO_MEDIA_LIBRARY},
        "site_url": "/",
        "display_url": "/",
        "show_preview_links": bool(branch),  # a draft's own preview (draft_preview.py)
        "search": False,
        "collections": collections,
    }


def edition_collections(root: Path, edition: str) -> list[dict[str, Any]]:
    """The local edition's files as one file collection: an entry per kind of edition file
    (edition.EDITION_KINDS), also for a file the edition does not have yet (an optional one such
    as noter.yml: Decap opens it empty, and the first save creates it). Nothing of the national
    content: references to it are selects of the ids there are, not relations to collections
    this configuration does not have."""
    refs = _Targets(root, relations=False, edition=True)
    files = [{"name": name, "label": kind.model_config["title"], "file": path,
              "description": _about(kind), "fields": fields_of(kind, refs)}
             for kind, (name, path) in zip(EDITION_KINDS, edition_files(edition).items())]
    return [{
        "name": EDITION_COLLECTION, "label": f"Lokal utgåva: {_municipality(root, edition)}",
        "description": f"Den lokala utgåvans filer i {EDITIONS}/{edition}/, en post per fil. Det nationella "
                       "innehållet ändras inte här.",
        "format": "yml", "editor": {"preview": False}, "files": files,
    }]


def _municipality(root: Path, edition: str) -> str:
    """The edition's municipality as its utgava.yml names it, read leniently (else its id)."""
    try:
        data = YAML(typ="safe").load((root / edition_files(edition)[Path(local.EditionFile.pattern).stem])
                                     .read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - a broken file: the preview says why
        return edition
    name = data.get("kommun") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else edition


def site_collections(root: Path) -> list[dict[str, Any]]:
    """The national content's collections: the single files, and a folder collection each for
    regions, checklists and packs."""
    refs = _Targets(root)
    files = []
    for kind in model.FILE_KINDS:
        if kind in FOLDERS or "*" in kind.pattern:
            continue
        path = kind.pattern
        files.append({
            "name": Path(path).stem, "label": kind.model_config["title"], "file": path,
            "description": _about(kind), "fields": fields_of(kind, refs),
        })
    collections: list[dict[str, Any]] = [{
        "name": FILES_COLLECTION, "label": "Innehåll", "description": "Webbplatsens innehåll, en sida per fil.",
        "format": "yml", "editor": {"preview": False}, "files": files,
    }]
    for kind, (name, folder) in FOLDERS.items():
        collections.append({
            "name": name, "label": kind.model_config["title"], "label_singular": _singular(name),
            "description": _about(kind), "folder": folder, "extension": "yml", "format": "yml",
            "create": True, "delete": True, "identifier_field": "id", "slug": "{{id}}",
            "summary": "{{" + ("titel" if "titel" in _keys(kind) else "region") + "}}",
            "editor": {"preview": False}, "fields": fields_of(kind, refs),
        })
    return collections


# Decap's git backends for an organisation's own git host (`guide editor-config`): the same
# collections as `guide edit`, with the editorial workflow as merge or pull requests.
HOSTS = {"github": "GitHub", "gitlab": "GitLab"}
_REPO_PART = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
REPO = {"github": re.compile(f"{_REPO_PART}/{_REPO_PART}"), "gitlab": re.compile(f"{_REPO_PART}(?:/{_REPO_PART})+")}
BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")


def host_config(root: Path, host: str, repo: str, branch: str = "main", app_id: str | None = None,
                base_url: str | None = None, api_root: str | None = None,
                edition: str | None = None) -> dict[str, Any]:
    """config.yml for Decap on `host` ("github" or "gitlab"): `repo` is owner/name (GitLab:
    group/…/project), `branch` the content branch. Each change is a draft, a merge or pull request
    that a colleague reviews; publishing merges it as one commit (squash). GitLab signs in with
    PKCE (`app_id`: the OAuth application's id in your GitLab); GitHub needs an OAuth service
    (`base_url`). `api_root` for a self-hosted GitLab or GitHub Enterprise. With `edition`, the
    collections are that local edition's files only, as in `guide edit --utgava`."""
    if host not in HOSTS:
        raise ValueError(f"Okänd git-tjänst {host!r}: välj {' eller '.join(HOSTS)}.")
    if not REPO[host].fullmatch(repo) or ".." in repo or repo.endswith(".git"):
        raise ValueError(f"{repo!r} är inget arkiv på {HOSTS[host]}: skriv ägare/namn, till exempel kommunen/vagledning.")
    if not BRANCH.fullmatch(branch) or ".." in branch:
        raise ValueError(f"{branch!r} är inget namn på en gren, till exempel main.")
    for url in (base_url, api_root):
        if url is not None and not url.startswith("https://"):
            raise ValueError(f"{url!r}: adressen ska börja med https://.")
    if edition is not None and edition not in local.edition_ids(root):
        raise ValueError(f"Utgåvan {edition!r} finns inte: det finns ingen mapp {EDITIONS}/{edition}/ med "
                         f"utgava.yml. Utgåvor som finns: {', '.join(local.edition_ids(root)) or 'inga'}.")
    config = editor_config(root, branch=branch, edition=edition)
    backend: dict[str, Any] = {"name": host, "repo": repo, "branch": branch, "squash_merges": True}
    if host == "gitlab" and app_id:
        backend.update(auth_type="pkce", app_id=app_id)
    if base_url:
        backend["base_url"] = base_url
    if api_root:
        backend["api_root"] = api_root
    config["backend"] = backend
    config.pop("site_url"), config.pop("display_url")  # the local preview's address
    return config


def fields_of(kind: type[BaseModel], refs: "_Targets") -> list[dict[str, Any]]:
    return [field_config(key, info, refs) for key, info in fields_in_order(kind)]


def field_config(key: str, info: FieldInfo, refs: "_Targets") -> dict[str, Any]:
    """One field: label, hint, required, and the widget for its type."""
    out: dict[str, Any] = {"name": key, "label": model.label(key)}
    if info.description:
        out["hint"] = info.description
    out["required"] = info.is_required()
    annotation = info.annotation
    ref = model.reference(model.field_annotation(info))
    base, is_list = item_type(annotation)
    if ref is not None and ref.pickable:  # "sida#avsnitt", "lista: deltar" are typed
        out.update(refs.widget(ref.target, multiple=is_list))
        if is_list:
            out["required"] = _min_length(info) > 0
        return out
    if is_list:
        out["widget"] = "list"
        out["collapsed"] = True
        if _min_length(info):
            out["min"] = _min_length(info)
        if isinstance(base, type) and issubclass(base, BaseModel):
            out["fields"] = fields_of(base, refs)
            summary = next((k for k in SUMMARY_KEYS if k in _keys(base)), None)
            if summary:
                out["summary"] = "{{fields." + summary + "}}"
        else:
            out["field"] = {"name": model.label(key).lower(), "label": model.label(key),
                            **_scalar(base, key, info)}
        return out
    if isinstance(base, type) and issubclass(base, BaseModel):
        out.update(widget="object", collapsed=True, fields=fields_of(base, refs))
        return out
    out.update(_scalar(base, key, info, annotation))
    return out


def _scalar(base: Any, key: str, info: FieldInfo, annotation: Any = None) -> dict[str, Any]:
    if base is datetime.date:
        return {"widget": "datetime", "date_format": "YYYY-MM-DD", "time_format": False,
                "format": "YYYY-MM-DD", "picker_utc": True}
    if base is bool:  # a default of false is left out: Decap would write it into every new item
        return {"widget": "boolean", **({"default": True} if info.default is True else {})}
    if base in (int, float):
        out: dict[str, Any] = {"widget": "number", "value_type": "int" if base is int else "float"}
        for constraint in info.metadata:
            for attr, name in (("ge", "min"), ("gt", "min"), ("le", "max"), ("lt", "max")):
                if getattr(constraint, attr, None) is not None:
                    out[name] = getattr(constraint, attr)
        if base is float:
            out["step"] = 0.001
        return out
    if typing.get_origin(base) is Literal:
        options = list(typing.get_args(base))
        out = {"widget": "select", "options": options}
        if info.default in options:
            out["default"] = info.default
        return out
    out = {"widget": "string" if key in ONE_LINE else "text"}
    check = _validator_code(annotation if annotation is not None else info.annotation) or \
        ("invalid_id" if key == "id" else None)
    if check == "invalid_id":
        out["pattern"] = [model.ID_PATTERN.pattern, VALUE_ERRORS["invalid_id"]]
    elif check == "invalid_email":
        out["pattern"] = [model.EMAIL_PATTERN.pattern.replace("(?i)", ""), VALUE_ERRORS["invalid_email"]]
    elif check == "invalid_url":
        out["pattern"] = ["^https?://", VALUE_ERRORS["invalid_url"]]
    elif check == "invalid_phone":
        out["pattern"] = [local.PHONE.pattern, VALUE_ERRORS["invalid_phone"]]
    return out


def _validator_code(annotation: Any) -> str | None:
    """Which of the model's own checks (model._check_id etc.) a type carries."""
    checks = {model._check_id: "invalid_id", model._check_email: "invalid_email", model._check_url: "invalid_url",
              local._check_phone: "invalid_phone"}
    for arg in _all_metadata(annotation):
        func = getattr(arg, "func", None)
        if func in checks:
            return checks[func]
    return None


def _all_metadata(annotation: Any) -> list[Any]:
    found = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        args = typing.get_args(annotation)
        found += list(args[1:]) + _all_metadata(args[0])
    elif origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found += _all_metadata(arg)
    return found


def fields_in_order(kind: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """(YAML key, field) in the order the editor shows and writes them: for content items the id,
    then the item's own fields, then what every item may have (sources, search terms, pact)."""
    fields = [(info.alias or name, info) for name, info in kind.model_fields.items()]
    if issubclass(kind, model.Item):
        common = set(model.Item.model_fields) - {"id"}
        fields = [f for f in fields if f[1] not in [kind.model_fields[n] for n in common]] + \
                 [(kind.model_fields[n].alias or n, kind.model_fields[n]) for n in model.Item.model_fields if n in common]
    return fields


def _keys(kind: type[BaseModel]) -> list[str]:
    return [key for key, _ in fields_in_order(kind)]


def item_type(annotation: Any) -> tuple[Any, bool]:
    """(the item type, whether it is a list) with Optional and Annotated removed."""
    annotation = model.unwrap(annotation)
    if typing.get_origin(annotation) is list:
        return model.unwrap(typing.get_args(annotation)[0]), True
    return annotation, False


def _min_length(info: FieldInfo) -> int:
    return next((m.min_length for m in info.metadata if getattr(m, "min_length", None)), 0)


def _about(kind: type[BaseModel]) -> str:
    return kind.model_config.get("json_schema_extra", {}).get("description", "")


def _singular(name: str) -> str:
    return {"kontakter": "län", "checklistor": "checklista", "paket": "mötespaket"}[name]


# What a picker shows for each id, in order of preference (the first key the defined item has).
DISPLAY_KEYS = ("namn", "titel", "rubrik", "text")


class _Targets:
    """Pickers for the references the model declares, from where the model defines their ids.

    Ids defined in one file or in one folder (actors, sources, levels, topics, networks,
    checklists) are live relations: an id added in the editor can be picked at once. Content
    items (anywhere in guidance/) and site pages (in code) are a select of the ids there are when
    the editor opens.
    """

    def __init__(self, root: Path, relations: bool = True, edition: bool = False):
        self.root = root
        self.relations = relations  # False: no collection of the national content to relate to
        self.edition = edition  # a local edition's files: what they define themselves is a relation
        self._defined: dict[str, set[str]] | None = None

    def widget(self, target: str, multiple: bool) -> dict[str, Any]:
        relation = self.relation(target) if self.relations else self.local_relation(target) if self.edition else None
        if relation:
            collection, file, value, display = relation
            out: dict[str, Any] = {"widget": "relation", "collection": collection, "value_field": value,
                                   "search_fields": sorted({value, display}), "display_fields": [display],
                                   "options_length": 500}
            if file:
                out["file"] = file
        else:
            out = {"widget": "select", "options": self.items() if target == model.ITEM else
                   self.pages() if self.relations or target == model.PAGE else self.ids(target)}
        if multiple:
            out["multiple"] = True
        return out

    @staticmethod
    def relation(target: str) -> tuple[str, str | None, str, str] | None:
        """(collection, file, value field, display field) of a relation to where `target` is
        defined, if it is defined in one place the editor has."""
        places = model.definitions(target)
        if len(places) != 1:
            return None
        kind, path = places[0]
        annotation = next(a for p, _, _, a in model.fields(kind) if p == path)
        item = model.list_item(annotation)
        holder = model.unwrap(item) if item is not None else kind
        keys = _keys(holder) if isinstance(holder, type) and issubclass(holder, BaseModel) else []
        shown = next((k for k in DISPLAY_KEYS if k in keys), "id")
        prefix = ".".join(path)
        if item is None:  # the file's own id (a network, a checklist)
            value, display = "id", shown
        elif keys:  # a list of items: their ids
            value, display = f"{prefix}.*.id", f"{prefix}.*.{shown}"
        else:  # a list of names (topics)
            value = display = f"{prefix}.*"
        if kind in FOLDERS:
            return FOLDERS[kind][0], None, value, display
        if "*" in kind.pattern:
            return None
        return FILES_COLLECTION, Path(kind.pattern).stem, value, display

    @staticmethod
    def local_relation(target: str) -> tuple[str, str | None, str, str] | None:
        """A relation to where a local edition's own file defines `target` (its contacts, which
        its routines name): the file's entry in the edition's collection (edition_collections)."""
        places = model.definitions(target, EDITION_KINDS)
        if len(places) != 1 or len(places[0][1]) != 3 or places[0][1][1:] != ("*", "id"):
            return None  # defined as the ids of a list's items (kontakter: [{id: …}])
        kind, (key, _, _) = places[0]
        return EDITION_COLLECTION, Path(kind.pattern).stem, f"{key}.*.id", f"{key}.*.namn"

    def pages(self) -> list[str]:
        return list(PAGE_SLUGS)

    def items(self) -> list[str]:
        """Every content item's id, read leniently: the editor must open on broken content too."""
        return self.ids(model.ITEM)

    def ids(self, target: str) -> list[str]:
        """The ids of `target` that the national content defines, read leniently."""
        if self._defined is None:
            files = []
            for path in content_files(self.root):
                kind = kind_for(path.relative_to(self.root).as_posix())
                try:
                    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
                except Exception:  # noqa: BLE001 - a broken file offers no ids; the preview says why
                    continue
                if kind is not None:
                    files.append((kind, data))
            self._defined = defined_targets(iter(files), PAGE_SLUGS)
        return sorted(self._defined.get(target, set()))


# Decap CMS's interface strings that its Swedish locale lacks (48 of 248 in Decap 3.16): without
# them the editor says "Add", "Expand", "Close" in English, and so does a screen reader. They are
# merged into Decap's own Swedish by the editor's page (edit_server.ADMIN_SCRIPT); a test checks
# that every English string then has a Swedish one. %{…} are Decap's placeholders.
SWEDISH_UI: dict[str, Any] = {
    "auth": {"loginWithForgejo": "Logga in med Forgejo"},
    "collection": {
        "collectionTop": {"viewAsList": "Visa som lista", "viewAsGrid": "Visa som rutnät"},
        "entries": {"unpublishedHeader": "Opublicerade poster"},
    },
    "editor": {
        "editorControl": {"field": {"widgetLabel": "Fältet %{widgetLabel}"}},
        "editorControlPane": {"i18n": {
            "copyFromLocale": "Fyll i från ett annat språk",
            "copyFromLocaleConfirm": "Vill du fylla i uppgifterna från språket %{locale}?\n"
                                     "Allt som redan står här skrivs över.",
        }},
        "editorInterface": {"toggleNotes": "Visa eller dölj anteckningar"},
        "editorNotesPane": {
            "title": "Anteckningar",
            "emptyState": "Inga anteckningar ännu. Skriv den första nedan.",
            "addNote": "Lägg till anteckning",
            "addPlaceholder": "Skriv en anteckning …",
            "editPlaceholder": "Ändra anteckningen …",
            "save": "Spara",
            "cancel": "Avbryt",
            "edit": "Ändra",
            "delete": "Ta bort",
            "resolve": "Markera som klar",
            "unresolve": "Markera som inte klar",
            "confirmDelete": "Vill du ta bort anteckningen?",
            "shortcut": "Tips: tryck Ctrl+Enter för att lägga till anteckningen",
        },
        "editorToolbar": {
            "statusInfoTooltipDraft": "Posten är ett utkast. Ändra status till ”För granskning” "
                                      "när den är klar att granskas.",
            "statusInfoTooltipInReview": "Posten granskas, du behöver inte göra något mer. Du kan "
                                         "ändå fortsätta ändra den medan den granskas.",
        },
        "editorWidgets": {
            "markdown": {
                "strikethrough": "Genomstruken",
                "toggleMode": {"rich": "Byt till formaterad text", "markdown": "Byt till Markdown"},
            },
            "image": {"chooseMultiple": "Välj bilder", "addMore": "Lägg till fler bilder",
                      "removeAll": "Ta bort alla bilder"},
            "file": {"chooseMultiple": "Välj filer", "addMore": "Lägg till fler filer",
                     "removeAll": "Ta bort alla filer"},
            "datetime": {"setToNow": "Sätt %{fieldLabel} till nu"},
            "list": {"add": "Lägg till %{item}", "addType": "Lägg till %{item}"},
            "object": {"expand": "Fäll ut", "collapse": "Fäll ihop"},
        },
    },
    "mediaLibrary": {"mediaLibraryModal": {"close": "Stäng"}},
    "ui": {
        "settingsDropdown": {"account": "Kontoinställningar"},
        "toast": {
            "noteAdded": "Anteckningen är tillagd",
            "onFailToAddNote": "Anteckningen kunde inte läggas till: %{details}",
            "noteUpdated": "Anteckningen är ändrad",
            "onFailToUpdateNote": "Anteckningen kunde inte ändras: %{details}",
            "noteDeleted": "Anteckningen är borttagen",
            "onFailToDeleteNote": "Anteckningen kunde inte tas bort: %{details}",
            "noteResolved": "Anteckningen är markerad som klar",
            "noteReopened": "Anteckningen är öppnad igen",
            "onFailToToggleNote": "Anteckningens status kunde inte ändras: %{details}",
        },
    },
}


# Decap's names for the workflow's three columns and statuses, in the words the guide uses
# (Decap's Swedish says "Under granskning" and "Redo"): these replace Decap's own.
SWEDISH_WORKFLOW: dict[str, Any] = {
    "editor": {"editorToolbar": {
        "draft": "Utkast", "inReview": "Granskas", "ready": "Klar att publicera",
        "statusInfoTooltipDraft": "Posten är ett utkast. Sätt statusen till ”Granskas” när en kollega "
                                  "ska läsa den.",
        "statusInfoTooltipInReview": "Posten granskas. En kollega läser den och sätter statusen till "
                                     "”Klar att publicera”, och publicerar den sedan.",
    }},
    "workflow": {
        "workflowList": {
            "draftHeader": "Utkast", "inReviewHeader": "Granskas", "readyHeader": "Klar att publicera",
            "onPublishingNotReadyEntry": "Bara poster med statusen ”Klar att publicera” kan publiceras. "
                                         "Dra kortet till kolumnen ”Klar att publicera” först.",
        },
        "workflow": {"workflowHeading": "Granskning och publicering"},
    },
}
