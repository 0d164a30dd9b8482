"""docs/reference.md, the field reference of every plan file, derived from `format.py`.

Regenerate with `python -m generator.reference` (a test checks it is up to date).
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.format import KINDS, Field, Kind, Ref, Value

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "reference.md"
_REFERS = {
    Ref.CONTACT: "contact id",
    Ref.WHO: "who (contact id or role)",
    Ref.SYSTEM: "system id",
    Ref.AUDIENCE: "audience id",
    Ref.INCIDENT: "incident id",
}


def markdown() -> str:
    lines = [
        "# Field reference",
        "",
        "<!-- Generated from generator/format.py by `python -m generator.reference`: do not edit. -->",
        "",
        'Every key of every plan file. *Type* is the value type (see "Common value types" in',
        "[Writing a plan](writing-a-plan.md)); a key marked *required* must be there. A `[]` in a",
        "key is an item of a list; `<id>` or `<name>` a key the author chooses.",
    ]
    for kind in KINDS:
        lines += ["", *_kind(kind)]
    return "\n".join(lines) + "\n"


def _kind(kind: Kind) -> list[str]:
    lines = [
        f"## `{kind.path}`",
        "",
        kind.doc[0].upper() + kind.doc[1:] + ".",
        "",
        "| Key | Type | Required | Description |",
        "|---|---|---|---|",
    ]
    prefix = "[]." if kind.root.items else ""
    for field in kind.top.fields:
        lines += _rows(field, prefix)
    return lines


def _rows(field: Field, prefix: str) -> list[str]:
    key = prefix + field.key
    rows = [f"| `{key}` | {_type(field)} | {_required(field)} | {_doc(field)} |"]
    if field.items and field.items.value is Value.MAPPING:
        rows += [r for f in field.items.fields for r in _rows(f, key + "[].")]
    for f in field.fields:
        rows += _rows(f, key + ".")
    if field.values:
        name = "<id>" if field.values.value is Value.MAPPING else "<name>"
        rows += [f"| `{key}.{name}` | {_type(field.values)} | | {_doc(field.values)} |"]
        rows += [r for f in field.values.fields for r in _rows(f, f"{key}.{name}.")]
    return rows


def _type(field: Field) -> str:
    if field.refers_to:
        return _REFERS[field.refers_to]
    if field.value is Value.LIST and field.items:
        return (
            f"list of {_type(field.items)}" if field.items.value is not Value.MAPPING else "list of mappings"
        )
    if field.allowed:
        return " \\| ".join(f"`{word}`" for word in field.allowed)
    if field.low is not None and field.high is not None:
        return f"{field.value} ({field.low}-{field.high})"
    return str(field.value).replace("`", "")


def _required(field: Field) -> str:
    if field.required:
        return "required"
    if field.required_if:
        key, most = field.required_if
        return f"when `{key}` ≤ {most}"
    return ""


def _doc(field: Field) -> str:
    text = field.doc[:1].upper() + field.doc[1:]
    if field.min_items:
        text += f"; at least {field.min_items}"
    if field.required_keys:
        text += "; must name " + ", ".join(f"`{k}`" for k in field.required_keys)
    if field.default:
        text += f" (default: `{field.default}`)"
    return text.replace("|", "\\|")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    target.write_text(markdown(), encoding="utf-8")
    print(target)
