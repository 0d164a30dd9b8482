"""The shape phase's quick check: cerberus runs only on data the quick check does not pass, so
the quick check must never pass data cerberus rejects, and must pass the example plan's files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from cerberus import Validator
from helpers_validate import EXAMPLE

from generator import format, schema
from generator.format import Field
from generator.loader import load_file
from generator.secretscan import walk


def _examples() -> list[tuple[Field, dict[str, Any]]]:
    """Every mapping of the example plan with its declaration (each contact, each backup too)."""
    found: list[tuple[Field, dict[str, Any]]] = []
    plans = EXAMPLE / "plans"
    for kind, files in (
        (format.PLAN, [plans / "plan.yaml"]),
        (format.COMMUNICATIONS, [plans / "communications.yaml"]),
        (format.MAINTENANCE, [plans / "maintenance.yaml"]),
        (format.SYSTEM, sorted(plans.glob("systems/*.yaml"))),
        (format.SCENARIO, sorted(plans.glob("scenarios/*.yaml"))),
        (format.INCIDENT, sorted(plans.glob("incidents/*.yaml"))),
        (format.CONTACT, sorted(EXAMPLE.glob("contacts/*.yaml"))),
    ):
        for file in files:
            data = load_file(file, file.name, EXAMPLE).data
            for item in data if isinstance(data, list) else [data]:
                found.append((kind.top, item))
                if kind is format.SYSTEM and isinstance(item.get("backup"), dict):
                    found.append((format.BACKUP, item["backup"]))
    return found


EXAMPLES = _examples()
ODD_VALUES = [
    None,
    "",
    "x",
    "y",
    "PASS",
    "pass",
    "Letter",
    "sms",
    0,
    -1,
    5,
    10**12,
    True,
    False,
    1.5,
    [],
    ["x"],
    [None],
    {},
]
ODD_VALUES += [{"x": 1}, [{}], {"do": "x"}, [{"do": ""}], [{"do": "x", "who": 3}]]


def _cerberus_accepts(mapping: Field, data: dict[str, Any]) -> bool:
    return bool(Validator(schema.schema(mapping)).validate(data, normalize=False))


@pytest.mark.parametrize("mapping, data", EXAMPLES, ids=[f"{m.key}-{i}" for i, (m, _) in enumerate(EXAMPLES)])
def test_the_example_plans_files_pass_the_quick_check(mapping: Field, data: dict[str, Any]) -> None:
    assert _cerberus_accepts(mapping, data)
    assert schema._mapping_passes(schema.schema(mapping), data), "valid data would go to cerberus"


def _changed(data: dict[str, Any]) -> list[dict[str, Any]]:
    """`data` with one change each: every value at any depth set to each odd value, removed, or
    given an unknown key or item beside it."""
    variants = []
    for path, _ in walk(data):
        for change in [*ODD_VALUES, "remove", "add"] if path else ["add"]:
            copied = copy.deepcopy(data)
            parent: Any = copied
            for part in path[:-1]:
                parent = parent[part]
            if change == "remove":
                del parent[path[-1]]
            elif change == "add":
                target = parent[path[-1]] if path else parent
                if isinstance(target, dict):
                    target["extra"] = "x"
                elif isinstance(target, list):
                    target.append(copy.deepcopy(target[0]) if target else "x")
                else:
                    continue
            else:
                parent[path[-1]] = copy.deepcopy(change)
            variants.append(copied)
    return variants


def _richest(kind: Field) -> dict[str, Any]:
    return max((data for mapping, data in EXAMPLES if mapping is kind), key=lambda d: len(list(walk(d))))


@pytest.mark.parametrize(
    "kind", sorted({m for m, _ in EXAMPLES}, key=lambda m: m.doc), ids=lambda m: m.doc[:20]
)
def test_the_quick_check_never_passes_what_cerberus_rejects(kind: Field) -> None:
    """Every single change to the richest example of each kind: the quick check may leave a
    valid change to cerberus, but never pass an invalid one."""
    rules_of = schema.schema(kind)
    validator = Validator(rules_of)
    rejected = 0
    for data in _changed(_richest(kind)):
        accepted = validator.validate(data, normalize=False)
        rejected += not accepted
        assert accepted or not schema._mapping_passes(rules_of, data), f"passed, but invalid: {data!r}"
    assert rejected, "no change was invalid: the test would prove nothing"


def test_a_generated_plan_is_decided_without_cerberus(tmp_path: Path) -> None:
    """Every file of a large valid plan passes the quick check (so cerberus never runs on it)."""
    from benchmarks.plangen import write_plan

    root = write_plan(tmp_path, 30)
    files = [*root.glob("plans/systems/*.yaml"), *root.glob("plans/scenarios/*.yaml")]
    for file in files:
        kind = format.SYSTEM if file.parent.name == "systems" else format.SCENARIO
        data = load_file(file, file.name, root).data
        assert schema._mapping_passes(schema.schema(kind.top), data), file.name
