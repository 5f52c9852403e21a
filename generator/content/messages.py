"""Swedish error messages for maintainers: what is wrong and what to write instead."""

from __future__ import annotations

import re

import datetime
import typing
from typing import Any

from pydantic import BaseModel
from ruamel.yaml.error import YAMLError

from generator.content.model import TARGETS, unwrap

EXAMPLE_DATE = "2026-11-23"


def _model_at(kind: type[BaseModel], loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, Any]:
    """Follow `loc` (YAML keys and list positions) through the model classes.

    Returns the model class that holds the last key, and that key's annotation.
    """
    current: Any = kind
    holder: type[BaseModel] | None = None
    annotation: Any = kind
    for key in loc:
        current = unwrap(current)
        if isinstance(key, int):
            args = typing.get_args(current)
            current = args[0] if args else current
            annotation = current
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return holder, None
        holder = current
        info = next((f for n, f in current.model_fields.items() if (f.alias or n) == key), None)
        if info is None:
            return holder, None
        current = annotation = info.annotation
    return holder, annotation


def expected(annotation: Any) -> str:
    """What a value of this type looks like, in words."""
    annotation = unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        return "en lista, med en rad per punkt som börjar med \"- \""
    if annotation is datetime.date:
        return f"ett datum i formen ÅÅÅÅ-MM-DD, till exempel {EXAMPLE_DATE}"
    if annotation is int:
        return "ett heltal, till exempel 2020"
    if annotation is bool:
        return "true (ja) eller false (nej)"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        names = [f.alias or n for n, f in annotation.model_fields.items() if f.is_required()]
        return "ett block med fälten " + ", ".join(f"\"{n}\"" for n in names)
    return "en text"


def _allowed_keys(model_class: type[BaseModel] | None) -> str:
    if model_class is None:
        return ""
    names = [f.alias or n for n, f in model_class.model_fields.items()]
    return "Tillåtna fält här är: " + ", ".join(names) + "."


VALUE_ERRORS = {
    "invalid_id": ("Ett id får bara innehålla små bokstäver a–z (inte å, ä, ö), siffror och "
                   "bindestreck, till exempel \"socialtjansten\" eller \"lag-skolnarvaro\"."),
    "invalid_email": "Skriv en e-postadress i formen namn@exempel.se.",
    "invalid_phone": "Skriv ett telefonnummer med riktnummer, med siffror, mellanslag och bindestreck, till exempel 070-174 06 05.",
    "invalid_url": "Skriv en fullständig webbadress som börjar med https://.",
    "future_date": ("Datumet ligger i framtiden. Skriv den dag då innehållet granskades, "
                    f"till exempel {EXAMPLE_DATE}, aldrig en dag som inte har varit."),
    "early_date": ("Datumet är orimligt tidigt. Skriv den dag då innehållet granskades, "
                   f"till exempel {EXAMPLE_DATE}."),
}


def describe_validation_error(kind: type[BaseModel], loc: tuple[Any, ...], error: dict[str, Any]) -> str:
    kind_of_error = error["type"]
    holder, annotation = _model_at(kind, loc)
    key = loc[-1] if loc else ""
    got = error.get("input")
    if kind_of_error == "missing":
        return f"Fältet \"{key}\" saknas. Lägg till \"{key}:\" med {expected(annotation)}."
    if kind_of_error == "extra_forbidden":
        return f"Okänt fält \"{key}\". Kontrollera stavningen. {_allowed_keys(holder)}"
    if kind_of_error == "value_error":
        code = str(error.get("ctx", {}).get("error", ""))
        if code in VALUE_ERRORS:
            return f"Ogiltigt värde \"{got}\". {VALUE_ERRORS[code]}"
    if kind_of_error in ("date_from_datetime_parsing", "date_parsing") and isinstance(got, str) \
            and len(got.split("-")) == 3:
        return (f"Datumet \"{got}\" finns inte i kalendern. Kontrollera dag och månad och skriv "
                f"{expected(annotation)}.")
    if kind_of_error == "literal_error":
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", error["ctx"]["expected"])  # pydantic: "'a', 'b' or 'c'"
        return f"Ogiltigt värde \"{got}\". Skriv något av: {', '.join(choices[:-1])} eller {choices[-1]}." if len(
            choices) > 1 else f"Ogiltigt värde \"{got}\". Skriv {error['ctx']['expected']}."
    if kind_of_error in ("too_short", "string_too_short"):
        return f"Får inte vara tomt. Skriv {expected(annotation)}."
    if kind_of_error in ("greater_than_equal", "less_than_equal"):
        return f"Värdet {got} är orimligt. Skriv {expected(annotation)}."
    shown = "ingenting" if got is None else f"\"{got}\"" if not isinstance(got, (dict, list)) else (
        "ett block" if isinstance(got, dict) else "en lista")
    return f"Här står {shown}, men det ska vara {expected(annotation)}."


YAML_PROBLEMS = {
    "mapping values are not allowed here": (
        "Ett kolon (:) står på fel ställe. Om texten innehåller \": \", sätt hela texten inom "
        "citattecken, till exempel text: \"Obs: så här\"."),
    "found character '\\t' that cannot start any token": (
        "Raden innehåller ett tabbtecken. Använd mellanslag för indrag, aldrig tabb."),
    "found duplicate key": (
        "Samma fält står två gånger i samma block. Ta bort eller byt namn på det ena."),
    "could not find expected ':'": (
        "Ett fältnamn saknar kolon, eller en text som fortsätter på nästa rad har fel indrag."),
    "expected <block end>, but found": (
        "Indraget stämmer inte. Rader i samma lista eller block ska börja i samma kolumn."),
    "found unexpected end of stream": "Ett citattecken öppnas men stängs aldrig.",
}


def describe_yaml_error(err: YAMLError) -> str:
    problem = f"{getattr(err, 'problem', None) or ''} {getattr(err, 'context', None) or ''}"
    for needle, advice in YAML_PROBLEMS.items():
        if needle in problem:
            return f"Filen går inte att läsa (YAML-fel). {advice}"
    return (f"Filen går inte att läsa (YAML-fel: {getattr(err, 'problem', None) or err}). Kontrollera indrag, kolon och "
            "citattecken på raden och raden före.")


def missing_reference(value: str, target: str, nearest: str | None, anchor: str = "") -> str:
    """A value that names nothing: what it should name, where those are, and the nearest one."""
    t = TARGETS[target]
    guess = f" Menade du \"{nearest}{anchor}\"?" if nearest else ""
    return (f"Det finns {t.none} med id \"{value}\" i {t.where}.{guess} "
            f"Skriv ett id som finns där, eller {t.advice}.")


def wrong_kind_of_reference(value: str, target: str, nearest: str | None) -> str:
    """A value that names something of another kind (an actor where a warning sign group belongs)."""
    guess = f" Menade du \"{nearest}\"?" if nearest else ""
    t = TARGETS[target]
    return f"\"{value}\" finns, men här ska det stå {t.a} i {t.where}.{guess}"


def missing_part(value: str, target: str, item: str, known: list[str]) -> str:
    """A value that names a part (a list) that the item it belongs to does not have."""
    t = TARGETS[target]
    return (f"Det finns {t.none} \"{value}\" i \"{item}\". "
            f"Skriv en av: {', '.join(known)}." if known else
            f"Det finns {t.none} \"{value}\" i \"{item}\", och ingen annan heller. Ta bort raden.")
