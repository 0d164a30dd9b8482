"""Property-based tests: random damage to the example plan never crashes the validator.

Whatever a plan's files hold, `validate_project` returns findings (or a clean result): any
exception is a failure. Every finding points at a file that exists, at a line inside it.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers_validate import EXAMPLE, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import Severity
from generator.validate import Validation, validate_project

SETTINGS = settings(
    max_examples=int(os.environ.get("RP_EXAMPLES", 150)),
    deadline=None,
    derandomize=not os.environ.get("RP_EXAMPLES"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Values a plan author (or a broken editor) could leave anywhere.
TRICKY = st.sampled_from(
    [
        "NO",
        "on",
        "yes",
        "0123",
        "2026-13-01",
        "2027-01-01",
        "4 hours",
        "0",
        "{eta_time}",
        "{",
        "-----BEGIN RSA PRIVATE KEY-----",
        "\\\\server\\share",
        "http://intranet/",
        "192.168.0.1",
        "+44 20 7946 0958",
        "(212) 555-0147",
        "",
        "~",
        "null",
        "*",
        "&a",
        "!!python/object:x",
        "incident_lead",
        "tom",
        "internet",
        "staff",
        "none",
        "Europe/Londn",
        "A3",
        "é",
        "\u202e",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    TRICKY,
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(st.text(max_size=10), TRICKY), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def project() -> Iterator[Path]:
    """A copy of the example plan; each example damages one file and puts it back."""
    folder = Path(tempfile.mkdtemp(prefix="rp-props-"))
    for part in ("plans", "contacts"):
        shutil.copytree(EXAMPLE / part, folder / part, ignore=shutil.ignore_patterns("pages"))
    yield folder
    shutil.rmtree(folder)


def plan_files(root: Path) -> list[Path]:
    return sorted(p for part in ("plans", "contacts") for p in (root / part).rglob("*.yaml"))


def check(root: Path) -> Validation:
    """Validate; every finding must point inside an existing file."""
    result = validate_project(root, TODAY)  # any exception fails the test
    for finding in result.findings:
        path = Path(finding.path)
        assert path.is_file(), finding
        lines = path.read_bytes().count(b"\n") + 1
        assert 1 <= finding.line <= lines, (finding, lines)
        assert finding.column >= 1, finding
        assert finding.message.strip(), finding
    has_errors = any(f.severity is Severity.ERROR for f in result.findings)
    assert (result.plan is None) == has_errors
    return result


def damaged(root: Path, file: Path, content: bytes) -> Validation:
    original = file.read_bytes()
    try:
        file.write_bytes(content)
        return check(root)
    finally:
        file.write_bytes(original)


def places(data: Any, path: tuple = ()) -> list[tuple]:
    """The path of every value in a document (the document itself excluded)."""
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found.append((*path, key))
        found.extend(places(value, (*path, key)))
    return found


def parent_of(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def test_example_plan_is_clean(project: Path) -> None:
    assert check(project).errors == []


@SETTINGS
@given(data=st.data())
def test_structural_mutations_never_crash(project: Path, data: st.DataObject) -> None:
    file = data.draw(st.sampled_from(plan_files(project)), label="file")
    document = yaml.safe_load(file.read_text(encoding="utf-8"))
    mutated = copy.deepcopy(document)
    paths = places(mutated)
    operation = data.draw(st.sampled_from(["delete", "replace", "swap", "insert", "root"]))
    if operation == "root" or not paths:
        mutated = data.draw(VALUES, label="document")
    elif operation == "delete":
        path = data.draw(st.sampled_from(paths), label="path")
        del parent_of(mutated, path)[path[-1]]
    elif operation == "replace":
        path = data.draw(st.sampled_from(paths), label="path")
        parent_of(mutated, path)[path[-1]] = data.draw(VALUES, label="value")
    elif operation == "swap":
        first, second = (data.draw(st.sampled_from(paths), label="path") for _ in range(2))
        if first[: len(second)] != second and second[: len(first)] != first:
            a, b = parent_of(mutated, first), parent_of(mutated, second)
            a[first[-1]], b[second[-1]] = copy.deepcopy(b[second[-1]]), copy.deepcopy(a[first[-1]])
    else:
        mappings = [v for p in paths if isinstance(v := parent_of(mutated, (*p, None)), dict)]
        if isinstance(mutated, dict):
            mappings.append(mutated)
        if mappings:
            target = data.draw(st.sampled_from(mappings), label="mapping")
            key = data.draw(
                st.one_of(
                    st.text(max_size=12),
                    TRICKY,
                    st.sampled_from(["depends_on", "password", "tier", "who", "phones", "templates", "<<"]),
                )
            )
            target[key] = data.draw(VALUES, label="value")
    damaged(project, file, dump(mutated))


def drawn_place(project: Path, data: st.DataObject, label: str) -> tuple[Path, bytes, int]:
    """A plan file, its bytes and a place in them (`label`), drawn."""
    file = data.draw(st.sampled_from(plan_files(project)), label="file")
    content = file.read_bytes()
    return file, content, data.draw(st.integers(min_value=0, max_value=len(content)), label=label)


@SETTINGS
@given(data=st.data())
def test_truncated_files_never_crash(project: Path, data: st.DataObject) -> None:
    file, content, cut = drawn_place(project, data, "cut")
    damaged(project, file, content[:cut])


@SETTINGS
@given(data=st.data())
def test_inserted_bytes_and_text_never_crash(project: Path, data: st.DataObject) -> None:
    file, content, at = drawn_place(project, data, "at")
    insert = data.draw(
        st.one_of(
            st.binary(min_size=1, max_size=12),
            st.text(min_size=1, max_size=30).map(lambda t: t.encode("utf-8")),
            st.sampled_from(
                [
                    b"\t",
                    b": ",
                    b"- ",
                    b"\n  - ",
                    b"&a ",
                    b"*a",
                    b"!!str ",
                    b"---\n",
                    b"{",
                    b"[",
                    b'"',
                    b"'",
                    b"#",
                    b"\xef\xbb\xbf",
                    b"\xff\xfe",
                    b"\x00",
                    b"<<: *a\n",
                ]
            ),
        ),
        label="insert",
    )
    damaged(project, file, content[:at] + insert + content[at:])
