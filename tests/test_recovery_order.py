"""The derived recovery order (topological, then tier, then name), cycles, tier order, and scale."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_validate import BASE, EXAMPLE, TODAY, generated_systems, run_cli, write_systems
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.validate import validate_project

NAMES = [
    "alpha",
    "Bravo",
    "charlie",
    "Delta",
    "echo",
    "Foxtrot",
    "golf",
    "Hotel",
    "india",
    "Juliet",
    "kilo",
    "Lima",
]


@pytest.fixture(scope="module")
def project() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="rp-order-")) / "plan"
    shutil.copytree(BASE, folder)
    yield folder
    shutil.rmtree(folder.parent)


def system(name: str, tier: int, depends_on: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "tier": tier,
        "owner": "bob",
        "alternate": "alice",
        "depends_on": depends_on,
        "backup": "none",
    }


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """An acyclic dependency graph whose file names are not in dependency order."""
    count = draw(st.integers(min_value=1, max_value=len(NAMES)))
    names = draw(st.permutations(NAMES))[:count]
    ids = [f"s-{n}" for n in draw(st.permutations(range(count)))]
    systems = {}
    for i in range(count):
        deps = draw(st.lists(st.sampled_from(ids[:i]), unique=True, max_size=3)) if i else []
        systems[ids[i]] = system(names[i], draw(st.integers(min_value=1, max_value=4)), sorted(deps))
    return systems


def expected_order(systems: dict[str, dict[str, Any]]) -> list[str]:
    """The order the format defines: each system once all it depends on is placed; of those
    ready, the lowest tier first, then by name (as people sort it: ignoring case)."""
    placed: list[str] = []
    while len(placed) < len(systems):
        ready = [
            i for i, s in systems.items() if i not in placed and all(d in placed for d in s["depends_on"])
        ]
        placed.append(min(ready, key=lambda i: (systems[i]["tier"], systems[i]["name"].lower())))
    return placed


@settings(max_examples=60, deadline=None)
@given(systems=graphs())
def test_recovery_order(project: Path, systems: dict[str, dict[str, Any]]) -> None:
    write_systems(project, systems)
    result = validate_project(project, TODAY)
    assert result.errors == []
    assert result.plan is not None
    order = [s.id for s in result.plan.recovery_order]
    assert order == expected_order(systems)
    for position, ident in enumerate(order):  # topological: what it depends on comes first
        assert all(order.index(d) < position for d in systems[ident]["depends_on"])
    for ident, s in result.plan.systems.items():
        assert sorted(s.dependents) == sorted(i for i, o in systems.items() if ident in o["depends_on"])
    inverted = sum(systems[i]["tier"] < systems[d]["tier"] for i in systems for d in systems[i]["depends_on"])
    assert sum(f.code == "tier-order" for f in result.warnings) == inverted


@settings(max_examples=40, deadline=None)
@given(systems=graphs(), data=st.data())
def test_cycles_are_reported_with_the_whole_cycle(
    project: Path, systems: dict[str, dict[str, Any]], data: st.DataObject
) -> None:
    ids = list(systems)
    cycle = (
        data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=6, unique=True), label="cycle")
        if len(ids) >= 2
        else []
    )
    if not cycle:
        return
    for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True):  # a depends on b
        systems[a]["depends_on"] = sorted(set(systems[a]["depends_on"]) | {b})
    write_systems(project, systems)
    findings = [f for f in validate_project(project, TODAY).findings if f.code == "cycle"]
    assert findings, "a dependency cycle is an error"
    for finding in findings:
        named = re.fullmatch(r"dependency cycle: (.+) \(each depends on the next\)", finding.message)
        assert named, finding.message
        loop = named[1].split(" → ")
        assert loop[0] == loop[-1] and len(set(loop[:-1])) == len(loop) - 1
        for a, b in zip(loop, loop[1:], strict=False):
            assert b in systems[a]["depends_on"], f"{a} does not depend on {b}"
        assert finding.path.endswith(f"{loop[-2]}.yaml"), "reported in a file of the cycle"


def test_self_dependency_is_a_cycle(project: Path) -> None:
    write_systems(project, {"power": system("Power", 1, ["power"])})
    findings = validate_project(project, TODAY).errors
    assert [f.code for f in findings] == ["cycle"]
    assert "`power` depends on itself" in findings[0].message


def test_a_generated_1000_system_plan_validates(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    systems = generated_systems(1000)
    write_systems(project, systems)
    started = time.perf_counter()
    result = validate_project(project, TODAY)
    in_process = time.perf_counter() - started
    started = time.perf_counter()
    cli = run_cli("validate", str(project), "--today", TODAY, cwd=project)
    command = time.perf_counter() - started
    assert result.errors == [] and result.plan is not None, result.errors[:3]
    assert cli.code == 0, cli.stdout[-2000:]
    assert len(result.plan.systems) == 1000
    assert [s.id for s in result.plan.recovery_order] == expected_order(systems)
    with capsys.disabled():
        print(
            f"\n1,000-system plan ({result.files} files): validate_project {in_process:.2f} s, "
            f"`recovery-plan validate` {command:.2f} s"
        )


def test_example_plan_validation_time(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    result = validate_project(EXAMPLE, TODAY)
    in_process = time.perf_counter() - started
    started = time.perf_counter()
    cli = run_cli("validate", ".", "--today", TODAY, cwd=EXAMPLE)
    command = time.perf_counter() - started
    assert result.errors == [] and cli.code == 0
    with capsys.disabled():
        print(
            f"\nexample plan ({result.files} files): validate_project {in_process:.3f} s, "
            f"`recovery-plan validate` {command:.2f} s"
        )
