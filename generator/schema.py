"""Cerberus schemas for every plan file, and their errors turned into located, friendly findings.

The schemas check shape: required keys, unknown keys, types, allowed words. Formats (dates,
durations, phones, ids, templates) and references are checked in `validate`, which can say more.
"""

from __future__ import annotations

from typing import Any

from cerberus import Validator, errors

from generator.loader import Document
from generator.model import Finding
from generator.secretscan import is_secret_key
from generator.values import MAX_DAYS, describe, did_you_mean

ANY: dict[str, Any] = {}  # any non-empty value: its format is checked in validate
TEXT = {"type": "string"}
REQUIRED_TEXT = {"type": "string", "required": True, "empty": False}
TEXTS = {"type": "list", "schema": TEXT}
IDS = {"type": "list", "schema": {"type": "string"}}
DAYS = {"type": "integer", "min": 1, "max": MAX_DAYS}
PRIORITY = {"type": "integer", "min": 0, "max": 1000}
STEP = {
    "type": "dict",
    "schema": {"do": REQUIRED_TEXT, "who": TEXT, "call": TEXT, "expect": TEXT, "if_not": TEXT},
}
TEMPLATE_FIELDS = {"initial": TEXT, "update": TEXT, "resolved": TEXT}
PHONE_LABELS = ["mobile", "work", "home", "fax", "24x7", "other"]
CHANNELS = ["sms", "email", "phone", "other"]
RESULTS = ["pass", "partial", "fail"]

PLAN = {
    "organisation": REQUIRED_TEXT,
    "site": {"type": "dict", "required": True, "schema": {
        "url": REQUIRED_TEXT,
        "company_domains": TEXTS,
        "region": TEXT,
        "paper": TEXT,
        "timezone": TEXT,
        "expected_down": TEXTS,
        "mirrors": TEXTS,
        "branch": TEXT,
        "stale_after_days": DAYS,
        "language": TEXT,
        "private": {"type": "boolean"},
    }},
    "review": {"type": "dict", "required": True, "schema": {
        "last_reviewed": {"required": True},
        "reviewed_by": TEXT,
        "plan_every_days": DAYS,
        "contacts_every_days": DAYS,
        "restore_test_every_days": DAYS,
    }},
    "roles": {"type": "dict", "required": True, "valuesrules": {"type": "string"}},
    "first_hour": {"type": "dict", "schema": {
        "first_ten_minutes": TEXTS, "scope": TEXTS, "provider_call": TEXTS, "expect": TEXT,
    }},
}

BACKUP = {
    "method": REQUIRED_TEXT,
    "restore_tests": {"type": "list", "schema": {"type": "dict", "schema": {
        "date": {"required": True},
        "result": {"type": "string", "required": True, "allowed": RESULTS},
        "by": TEXT,
        "duration": ANY,
        "notes": TEXT,
    }}},
}

SYSTEM = {
    "name": REQUIRED_TEXT,
    "tier": {"type": "integer", "required": True, "min": 1, "max": 4},
    "owner": {"type": "string", "required": True, "empty": False},
    "alternate": TEXT,
    "vendor": TEXT,
    "depends_on": IDS,
    "rto": ANY,
    "rpo": ANY,
    "failover": TEXT,
    "backup": ANY,  # `none` or a mapping checked against BACKUP
    "recovery": {"type": "list", "schema": STEP},
    "notes": TEXT,
}

SCENARIO = {
    "title": REQUIRED_TEXT,
    "summary": TEXT,
    "affects": IDS,
    "priority": PRIORITY,
    "steps": {"type": "list", "required": True, "minlength": 1, "schema": STEP},
    "notify": IDS,
    "on_paper": {"type": "boolean"},
}

COMMUNICATIONS = {
    "update_every": ANY,
    "audiences": {"type": "dict", "required": True, "valuesrules": {"type": "dict", "schema": {
        "name": REQUIRED_TEXT,
        "channel": {"type": "string", "allowed": CHANNELS},
        "members": IDS,
        "note": TEXT,
        "templates": {"type": "dict", "schema": TEMPLATE_FIELDS},
    }}},
    "templates": {"type": "dict", "required": True, "schema": {
        kind: {**TEXT, "required": True} for kind in TEMPLATE_FIELDS
    }},
}

CONTACT = {
    "id": {"type": "string", "required": True, "empty": False},
    "name": REQUIRED_TEXT,
    "role": TEXT,
    "phones": {"type": "list", "schema": {"type": "dict", "schema": {
        "number": {"required": True},
        "label": {"type": "string", "allowed": PHONE_LABELS},
        "ext": {"type": ["string", "integer"]},
    }}},
    "email": TEXT,
    "provides": TEXT,
    "account": TEXT,
    "sla": {"type": "dict", "schema": {"callback": ANY, "restore": ANY}},
    "escalation": IDS,
    "verified": ANY,
    "notes": TEXT,
}

INCIDENT = {
    "title": REQUIRED_TEXT,
    "date": {"required": True},
    "detected": ANY,
    "acknowledged": ANY,
    "resolved": ANY,
    "systems": IDS,
    "impact": TEXT,
    "root_cause": TEXT,
    "actions": {"type": "list", "schema": {"type": "dict", "schema": {
        "do": REQUIRED_TEXT, "owner": TEXT, "due": ANY, "done": ANY,
    }}},
    "notes": TEXT,
}

_TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "boolean": "`true` or `false`",
    "list": "a list", "dict": "a mapping of `key: value` lines",
}
_VALIDATORS: dict[int, Validator] = {}


def check(doc: Document, schema: dict[str, Any], data: Any, at: tuple = (), what: str = "") -> list[Finding]:
    """Findings for `data` (found at path `at` of `doc`) against `schema`."""
    if not isinstance(data, dict):
        return [doc.finding(at, f"{what or 'this'} should be {_TYPE_WORDS['dict']}, "
                                f"not {describe(data)}", code="wrong-type")]
    validator = _VALIDATORS.get(id(schema)) or _VALIDATORS.setdefault(id(schema), Validator(schema))
    if validator.validate(data, normalize=False):
        return []
    return [f for error in _leaves(validator._errors) if (f := _finding(doc, schema, error, at))]


def _leaves(errs: Any) -> list[Any]:
    leaves = []
    for error in errs:
        leaves.extend(_leaves(error.child_errors) if error.is_group_error else [error])
    return leaves


def _finding(doc: Document, schema: dict[str, Any], error: Any, at: tuple) -> Finding | None:
    path = (*at, *error.document_path)
    field = _field_name(error.document_path)
    code = error.code
    if code == errors.REQUIRED_FIELD.code:
        return doc.finding(path[:-1], f"`{field}` is missing", FIELD_HINTS.get(field, ""),
                           code="missing-field")
    if code == errors.UNKNOWN_FIELD.code:
        if is_secret_key(str(field)):
            return None  # reported as a secret, which says more
        allowed = _allowed_keys(schema, error.document_path[:-1])
        hint = did_you_mean(field, allowed) or "the keys allowed here are " + ", ".join(
            f"`{k}`" for k in allowed)
        return doc.finding(path, f"unknown key `{field}`", hint, code="unknown-key", key=True)
    if code == errors.BAD_TYPE.code:
        return doc.finding(path, f"`{field}` should be {_type_words(error.constraint)}, not "
                                 f"{describe(error.value)}", _type_hint(error, schema),
                           code="wrong-type")
    if code in (errors.NOT_NULLABLE.code, errors.EMPTY_NOT_ALLOWED.code):
        return doc.finding(path, f"`{field}` is empty", EMPTY_HINTS.get(field, "give it a value, or "
                                 "remove the line if it is optional"), code="empty-value")
    if code == errors.UNALLOWED_VALUE.code:
        options = ", ".join(f"`{o}`" for o in error.constraint)
        guess = did_you_mean(error.value, error.constraint)
        return doc.finding(path, f"{describe(error.value)} is not allowed for `{field}`",
                           f"{guess + ' ' if guess else ''}use one of {options}", code="not-allowed")
    if code in (errors.MIN_VALUE.code, errors.MAX_VALUE.code):
        limits = _limits(schema, error.document_path)
        return doc.finding(path, f"`{field}` is {error.value}, but must be {limits}",
                           RANGE_HINTS.get(field, ""), code="out-of-range")
    if code == errors.MIN_LENGTH.code:
        needed = "one item" if error.constraint == 1 else f"{error.constraint} items"
        return doc.finding(path, f"`{field}` is an empty list, but needs at least {needed}"
                           if not error.value else f"`{field}` needs at least {needed}",
                           FIELD_HINTS.get(field, ""), code="too-few")
    return doc.finding(path, f"`{field}`: {error.rule} {error.constraint}", code="invalid")


FIELD_HINTS = {
    "organisation": "add `organisation: Your Business Name` at the top of plan.yaml",
    "url": "add the address where the plan is published, e.g. `url: https://example.github.io/recovery/`",
    "last_reviewed": "add the date the plan was last checked, e.g. `last_reviewed: 2026-10-01`",
    "roles": "add `roles:` with at least `incident_lead: <contact id>`",
    "steps": "add `steps:` with at least one `- do: ...` line",
    "templates": "add `templates:` with `initial:`, `update:` and `resolved:` messages",
    "do": "every step needs `do:`, saying what to do",
    "tier": "add `tier:` 1 (restore first) to 4 (restore last)",
    "owner": "add `owner:` with a contact id or a role name",
    "number": "add `number:` with the phone number as you would dial it",
    "name": "add `name:` with the name shown on the site",
    "title": "add `title:` with a short description, e.g. `title: The internet is down`",
    "method": "add `method:` saying how the backup is made, e.g. `method: Nightly copy to the cloud`",
    "initial": "add `initial:` with the first message sent when something goes wrong",
    "update": "add `update:` with the message sent while it lasts, e.g. `Update {time}: {status}`",
    "resolved": "add `resolved:` with the message sent when it is over, e.g. `Resolved at {time}.`",
    "date": "add `date:` with the day it happened, as YYYY-MM-DD",
    "result": "add `result:` with `pass`, `partial` or `fail`",
    "id": "add `id:` with a short lowercase name, e.g. `id: tom`",
}


RANGE_HINTS = {  # the limits keep every date the plan computes in the calendar
    **dict.fromkeys(("plan_every_days", "contacts_every_days", "restore_test_every_days",
                     "stale_after_days"), f"a number of days, at most {MAX_DAYS} (ten years), "
                    "e.g. `365` for once a year"),
    "priority": "1 comes first; the default is 100",
}


EMPTY_HINTS = {
    "backup": "describe the backup (`method:` and `restore_tests:` on the lines below, indented), "
    "or write `backup: none` if there is nothing to back up",
}


def _field_name(document_path: tuple) -> str:
    named = [p for p in document_path if isinstance(p, str)]
    if document_path and isinstance(document_path[-1], int):
        return f"{named[-1]} item {document_path[-1] + 1}" if named else f"item {document_path[-1] + 1}"
    return named[-1] if named else "this"


def _rules_at(schema: dict[str, Any], document_path: tuple) -> dict[str, Any] | None:
    rules: dict[str, Any] | None = {"type": "dict", "schema": schema}
    for part in document_path:
        if rules is None:
            return None
        if isinstance(part, int):
            rules = rules.get("schema")
        elif "valuesrules" in rules:
            rules = rules["valuesrules"]
        else:
            rules = rules.get("schema", {}).get(part)
    return rules


def _allowed_keys(schema: dict[str, Any], document_path: tuple) -> list[str]:
    rules = _rules_at(schema, document_path) or {}
    return list(rules.get("schema", {}))


def _limits(schema: dict[str, Any], document_path: tuple) -> str:
    rules = _rules_at(schema, document_path) or {}
    low, high = rules.get("min"), rules.get("max")
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _type_words(constraint: Any) -> str:
    kinds = constraint if isinstance(constraint, list) else [constraint]
    return " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)


def _type_hint(error: Any, schema: dict[str, Any]) -> str:
    value, expected = error.value, error.constraint
    if expected == "dict" and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        rules = (_rules_at(schema, error.document_path) or {}).get("schema", {})
        first = next((k for k, r in rules.items() if r.get("required")), None)
        if first and isinstance(error.document_path[-1], int):
            return f"write it as `- {first}: {value}`"
    if (expected == "string" and isinstance(value, list) and value and isinstance(error.field, str)
            and not isinstance(value[0], (dict, list))):
        return f"give one value, e.g. `{error.field}: {value[0]}`"
    if expected == "boolean" and isinstance(value, str):
        return "write `true` or `false` (YAML words like yes/no/on/off are read as text here)"
    if expected == "string" and isinstance(value, (int, float, bool)):
        return f"put it in quotes: `\"{value}\"`" if not isinstance(value, bool) else (
            "put it in quotes, e.g. `\"true\"`")
    if expected == "list" and isinstance(value, str):
        return f"write it as a list: `[{value}]`, or one `- item` per line"
    if expected == "integer" and isinstance(value, str):
        return "write a whole number without quotes or units"
    return ""
