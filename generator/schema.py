"""The shape phase: each file checked against its declaration (`format.py`) with cerberus, and
cerberus's errors turned into located, friendly findings.

The cerberus schemas are derived from the declaration: they check required keys, unknown keys,
YAML types and allowed words. Formats (dates, durations, phones, ids, templates) are read in the
values phase, which can say more. Cerberus is used through its public API only: a custom error
handler receives its `ValidationError`s.
"""

from __future__ import annotations

from typing import Any

from cerberus import Validator, errors

from generator.format import Field, Value
from generator.loader import Document, Path_
from generator.model import Finding
from generator.secretscan import is_secret_key
from generator.values import describe, did_you_mean

_CERBERUS_TYPES = {
    Value.TEXT: "string",
    Value.NUMBER: "integer",
    Value.BOOLEAN: "boolean",
    Value.EXTENSION: ["string", "integer"],
    Value.LIST: "list",
    Value.MAPPING: "dict",
}  # the other value types: any YAML type, read later


def rules(field: Field) -> dict[str, Any]:
    """The cerberus rules of one declared field."""
    derived: dict[str, Any] = {}
    if kind := _CERBERUS_TYPES.get(field.value):
        derived["type"] = kind
    if field.required:
        derived["required"] = True
    if field.non_empty:
        derived["empty"] = False
    if field.allowed and not field.any_case:
        derived["allowed"] = list(field.allowed)
    if field.low is not None:
        derived["min"] = field.low
    if field.high is not None:
        derived["max"] = field.high
    if field.items:
        derived["schema"] = rules(field.items)
    if field.min_items:
        derived["minlength"] = field.min_items
    if field.value is Value.MAPPING and field.fields:
        derived["schema"] = schema(field)
    if field.values:
        derived["valuesrules"] = rules(field.values)
    return derived


def schema(mapping: Field) -> dict[str, Any]:
    """The cerberus schema of a declared mapping (or `none`-or-mapping): its keys' rules."""
    return {f.key: rules(f) for f in mapping.fields}


class _Leaves(errors.BaseErrorHandler):  # type: ignore[misc]
    """Cerberus's errors as a flat list of the errors that name one problem each."""

    def __call__(self, found: Any) -> list[errors.ValidationError]:
        leaves: list[errors.ValidationError] = []
        for error in found:
            leaves.extend(self(error.child_errors) if error.is_group_error else [error])
        return leaves


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "boolean": "`true` or `false`",
    "list": "a list",
    "dict": "a mapping of `key: value` lines",
}
_PYTHON_TYPES: dict[str, type] = {"string": str, "integer": int, "boolean": bool, "list": list, "dict": dict}
_SCHEMAS: dict[int, dict[str, Any]] = {}  # by id of the declared mapping (module constants)
_VALIDATORS: dict[int, Validator] = {}


def check(doc: Document, mapping: Field, data: Any, at: Path_ = (), what: str = "") -> list[Finding]:
    """Findings for `data` (found at path `at` of `doc`) against the declared `mapping`."""
    if not isinstance(data, dict):
        return [
            doc.finding(
                at,
                f"{what or 'this'} should be {_TYPE_WORDS['dict']}, not {describe(data)}",
                code="wrong-type",
            )
        ]
    rules_of = _SCHEMAS.get(id(mapping))
    if rules_of is None:
        rules_of = _SCHEMAS[id(mapping)] = schema(mapping)
    if _mapping_passes(rules_of, data):
        return []
    validator = _VALIDATORS.get(id(mapping))
    if validator is None:
        validator = _VALIDATORS[id(mapping)] = Validator(rules_of, error_handler=_Leaves)
    if validator.validate(data, normalize=False):
        return []
    return [f for error in validator.errors if (f := _finding(doc, mapping, error, at))]


# -- the quick check: cerberus only runs on data with a problem to name ----------------------------


def _mapping_passes(rules_of: dict[str, Any], data: dict[str, Any]) -> bool:
    """Whether `data` surely meets the cerberus schema `rules_of` (as `schema()` makes it):
    no unknown key, every required key, every value passing its rules. False when unsure."""
    return (
        data.keys() <= rules_of.keys()
        and all(key in data for key, rules in rules_of.items() if rules.get("required"))
        and all(_passes(rules_of[key], value) for key, value in data.items())
    )


def _passes(rules: dict[str, Any], value: Any) -> bool:
    """Whether `value` surely meets the cerberus `rules` (as `rules()` makes them), by cerberus's
    own meaning of each rule. False when unsure (an unknown rule), so cerberus then decides."""
    if value is None:  # cerberus's `nullable` is False unless allowed
        return False
    kind = rules.get("type")
    if kind is not None and not isinstance(
        value, tuple(_PYTHON_TYPES[k] for k in kind) if isinstance(kind, list) else _PYTHON_TYPES[kind]
    ):
        return False
    for rule, constraint in rules.items():
        if rule == "empty":
            passed = constraint or not isinstance(value, (str, list, dict)) or len(value) > 0
        elif rule == "allowed":
            passed = isinstance(value, str) and value in constraint
        elif rule in ("min", "max"):
            passed = type(value) is int and (value >= constraint if rule == "min" else value <= constraint)
        elif rule == "minlength":
            passed = isinstance(value, (str, list, dict)) and len(value) >= constraint
        elif rule == "schema":
            passed = (
                _mapping_passes(constraint, value)
                if isinstance(value, dict)
                else isinstance(value, list) and all(_passes(constraint, item) for item in value)
            )
        elif rule == "valuesrules":
            passed = isinstance(value, dict) and all(_passes(constraint, v) for v in value.values())
        else:
            passed = rule in ("type", "required")
        if not passed:
            return False
    return True


def _finding(doc: Document, mapping: Field, error: errors.ValidationError, at: Path_) -> Finding | None:
    path = (*at, *error.document_path)
    name = _field_name(error.document_path)
    field = field_at(mapping, error.document_path)
    code = error.code
    if code == errors.REQUIRED_FIELD.code:
        return doc.finding(
            path[:-1], f"`{name}` is missing", field.hint if field else "", code="missing-field"
        )
    if code == errors.UNKNOWN_FIELD.code:
        if is_secret_key(str(name)):
            return None  # reported as a secret, which says more
        parent = field_at(mapping, error.document_path[:-1])
        allowed = [f.key for f in parent.fields] if parent else []
        hint = did_you_mean(name, allowed) or "the keys allowed here are " + ", ".join(
            f"`{k}`" for k in allowed
        )
        return doc.finding(path, f"unknown key `{name}`", hint, code="unknown-key", key=True)
    if code == errors.BAD_TYPE.code:
        return doc.finding(
            path,
            f"`{name}` should be {_type_words(error.constraint)}, not {describe(error.value)}",
            _type_hint(error, field),
            code="wrong-type",
        )
    if code in (errors.NOT_NULLABLE.code, errors.EMPTY_NOT_ALLOWED.code):
        return doc.finding(
            path,
            f"`{name}` is empty",
            (field and field.empty_hint) or "give it a value, or remove the line if it is optional",
            code="empty-value",
        )
    if code == errors.UNALLOWED_VALUE.code:
        options = ", ".join(f"`{o}`" for o in error.constraint)
        guess = did_you_mean(error.value, error.constraint)
        return doc.finding(
            path,
            f"{describe(error.value)} is not allowed for `{name}`",
            f"{guess + ' ' if guess else ''}use one of {options}",
            code="not-allowed",
        )
    if code in (errors.MIN_VALUE.code, errors.MAX_VALUE.code):
        return doc.finding(
            path,
            f"`{name}` is {error.value}, but must be {_limits(field)}",
            field.range_hint if field else "",
            code="out-of-range",
        )
    if code == errors.MIN_LENGTH.code:
        needed = "one item" if error.constraint == 1 else f"{error.constraint} items"
        return doc.finding(
            path,
            f"`{name}` is an empty list, but needs at least {needed}"
            if not error.value
            else f"`{name}` needs at least {needed}",
            field.hint if field else "",
            code="too-few",
        )
    return doc.finding(path, f"`{name}`: {error.rule} {error.constraint}", code="invalid")


def field_at(mapping: Field, document_path: Path_) -> Field | None:
    """The declared field at `document_path` inside `mapping` (None: not declared)."""
    field: Field | None = mapping
    for part in document_path:
        if field is None:
            return None
        if isinstance(part, int):
            field = field.items
        elif field.values:
            field = field.values
        else:
            field = field.field(part)
    return field


def _field_name(document_path: Path_) -> str:
    named = [p for p in document_path if isinstance(p, str)]
    if document_path and isinstance(document_path[-1], int):
        return f"{named[-1]} item {document_path[-1] + 1}" if named else f"item {document_path[-1] + 1}"
    return named[-1] if named else "this"


def _limits(field: Field | None) -> str:
    low, high = (field.low, field.high) if field else (None, None)
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _type_words(constraint: str | list[str]) -> str:
    kinds = constraint if isinstance(constraint, list) else [constraint]
    return " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)


def _type_hint(error: errors.ValidationError, field: Field | None) -> str:
    value, expected = error.value, error.constraint
    if expected == "dict" and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        first = next((f.key for f in field.fields if f.required), "") if field else ""
        if first and isinstance(error.document_path[-1], int):
            return f"write it as `- {first}: {value}`"
    if (
        expected == "string"
        and isinstance(value, list)
        and value
        and isinstance(error.field, str)
        and not isinstance(value[0], (dict, list))
    ):
        return f"give one value, e.g. `{error.field}: {value[0]}`"
    if expected == "boolean" and isinstance(value, str):
        return "write `true` or `false` (YAML words like yes/no/on/off are read as text here)"
    if expected == "string" and isinstance(value, (int, float, bool)):
        return (
            f'put it in quotes: `"{value}"`'
            if not isinstance(value, bool)
            else ('put it in quotes, e.g. `"true"`')
        )
    if expected == "list" and isinstance(value, str):
        return f"write it as a list: `[{value}]`, or one `- item` per line"
    if expected == "integer" and isinstance(value, str):
        return "write a whole number without quotes or units"
    return ""
