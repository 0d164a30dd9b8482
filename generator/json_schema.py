"""The JSON Schemas (draft-07) of the plan's files, derived from their declaration in `format.py`,
for editors: with yaml-language-server (VS Code's YAML extension) an author gets completion, the
documentation of each key, and the shape errors while typing. `recovery-plan schema` writes them.

They check what the shape phase checks, and the formats a pattern can say (dates, durations);
the validator remains the judge, with located messages and hints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.format import KINDS, Field, Kind, Ref, Value
from generator.values import ID_PATTERN

DRAFT = "http://json-schema.org/draft-07/schema#"
FOLDER = "schemas"  # in the project, next to plans/ and contacts/
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_DATETIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$"
_DURATION = r"^\s*(0|\d+[dD](\s*\d+[hH])?(\s*\d+[mM])?|\d+[hH](\s*\d+[mM])?|\d+[mM])\s*$"
# yaml-language-server shows `patternErrorMessage` instead of the pattern (other tools ignore it)
_DATE_WORDS = {"pattern": _DATE, "patternErrorMessage": "Write a date as YYYY-MM-DD, e.g. 2026-09-14."}
_DATETIME_WORDS = {
    "pattern": _DATETIME,
    "patternErrorMessage": "Write a date and time as YYYY-MM-DDTHH:MM, e.g. 2026-06-03T09:10.",
}
_DURATION_WORDS = {
    "pattern": _DURATION,
    "patternErrorMessage": "Write a number and a unit: 30m (minutes), 4h (hours), 2d (days), 1h30m, or 0.",
}
_REFERS = {
    Ref.CONTACT: "A contact id.",
    Ref.WHO: "A contact id, or a role name from plan.yaml `roles`.",
    Ref.SYSTEM: "A system id (the file name in plans/systems/, without .yaml).",
    Ref.AUDIENCE: "An audience id from communications.yaml.",
    Ref.INCIDENT: "An incident id (the file name in plans/incidents/, without .yaml).",
}


def file_name(kind: Kind) -> str:
    return f"{kind.name}.schema.json"


def json_schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema of one file kind."""
    return {
        "$schema": DRAFT,
        "$id": file_name(kind),
        "title": kind.path,
        "description": kind.doc[0].upper() + kind.doc[1:] + ".",
        **_schema(kind.root),
    }


def write_schemas(folder: Path) -> list[Path]:
    """Write the JSON Schema of every file kind into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = folder / file_name(kind)
        path.write_text(render(kind), encoding="utf-8")
        written.append(path)
    return written


def render(kind: Kind) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def _schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if description := _description(field):
        schema["description"] = description
    schema.update(_VALUES[field.value](field))
    return schema


def _description(field: Field) -> str:
    parts = [field.doc[:1].upper() + field.doc[1:] + "." if field.doc else ""]
    if field.refers_to:
        parts.append(_REFERS[field.refers_to])
    if field.default:
        parts.append(f"Default: {field.default}.")
    return " ".join(p for p in parts if p)


def _text(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if field.non_empty:
        schema["minLength"] = 1
    if field.allowed and field.any_case:
        schema["pattern"] = "^\\s*(" + "|".join(_any_case(w) for w in field.allowed) + ")\\s*$"
    elif field.allowed:
        schema["enum"] = list(field.allowed)
    return schema


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def _number(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    if field.low is not None:
        schema["minimum"] = field.low
    if field.high is not None:
        schema["maximum"] = field.high
    return schema


def _list(field: Field) -> dict[str, Any]:
    assert field.items is not None
    schema: dict[str, Any] = {"type": "array", "items": _schema(field.items)}
    if field.min_items:
        schema["minItems"] = field.min_items
    return schema


def _mapping(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if field.values:
        schema["additionalProperties"] = _schema(field.values)
        if field.values.value is Value.MAPPING:  # audiences: keys are ids
            schema["propertyNames"] = {"pattern": f"^{ID_PATTERN.pattern}$"}
    else:
        schema["properties"] = {f.key: _schema(f) for f in field.fields}
        schema["additionalProperties"] = False
    if required := [f.key for f in field.fields if f.required] + list(field.required_keys):
        schema["required"] = required
    conditions = [
        {
            "if": {"properties": {key: {"type": "integer", "maximum": most}}, "required": [key]},
            "then": {"required": [f.key]},
        }
        for f in field.fields
        if f.required_if
        for key, most in [f.required_if]
    ]
    if len(conditions) == 1:
        schema.update(conditions[0])
    elif conditions:
        schema["allOf"] = conditions
    return schema


_VALUES: dict[Value, Callable[[Field], dict[str, Any]]] = {
    Value.TEXT: _text,
    Value.NUMBER: _number,
    Value.BOOLEAN: lambda _: {"type": "boolean"},
    Value.DATE: lambda _: {"type": "string", **_DATE_WORDS},
    Value.DATETIME: lambda _: {"type": "string", **_DATETIME_WORDS},
    Value.DURATION: lambda _: {"type": ["string", "integer"], **_DURATION_WORDS, "minimum": 0, "maximum": 0},
    Value.PHONE: lambda _: {"type": ["string", "integer"]},
    Value.EXTENSION: lambda _: {"type": ["string", "integer"]},
    Value.DONE: lambda _: {"anyOf": [{"type": "string", **_DATE_WORDS}, {"type": "boolean"}]},
    Value.LIST: _list,
    Value.MAPPING: _mapping,
    Value.NONE_OR_MAPPING: lambda field: {
        "anyOf": [{"type": "string", "pattern": "^\\s*" + _any_case("none") + "\\s*$"}, _mapping(field)]
    },
}
