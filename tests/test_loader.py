"""Unit tests for the safe YAML loader: positions, YAML 1.2 scalars, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.loader import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, Document, LoadError, Mark, load_file


def load(tmp_path: Path, text: str | bytes) -> Document:
    file = tmp_path / "file.yaml"
    file.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return load_file(file, "file.yaml")


def refused(tmp_path: Path, text: str | bytes) -> LoadError:
    with pytest.raises(LoadError) as error:
        load(tmp_path, text)
    finding = error.value.finding
    assert finding.path == "file.yaml" and finding.line >= 1 and finding.column >= 1
    return error.value


def position(text: str, needle: str, occurrence: int = 1) -> Mark:
    """The 1-based line and column of the n-th `needle` in `text`."""
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    before = text[:at]
    return Mark(before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1)


TEXT = """\
# a comment first
name: Internet connection
tier: 1
depends_on: [power, backups]
backup:
  method: Nightly image
  restore_tests:
    - date: 2026-09-14
      result: pass
recovery:
  - do: Power-cycle the router.
    who: deputy
"""


def test_positions_of_keys_and_values(tmp_path: Path) -> None:
    doc = load(tmp_path, TEXT)
    assert doc.values[()] == Mark(1, 1), "a file's top level is at line 1, even after comments"
    assert doc.keys[("name",)] == position(TEXT, "name:")
    assert doc.values[("name",)] == position(TEXT, "Internet connection")
    assert doc.values[("tier",)] == position(TEXT, "1\n")
    assert doc.values[("depends_on", 0)] == position(TEXT, "power")
    assert doc.values[("depends_on", 1)] == position(TEXT, "backups")
    assert doc.keys[("backup", "restore_tests")] == position(TEXT, "restore_tests")
    assert doc.values[("backup", "restore_tests", 0)] == position(TEXT, "date:")
    assert doc.values[("backup", "restore_tests", 0, "result")] == position(TEXT, "pass")
    assert doc.values[("recovery", 0, "who")] == position(TEXT, "deputy")
    # A path that is not there points at its nearest enclosing value.
    assert doc.value_at(("recovery", 0, "expect")) == position(TEXT, "do:")
    assert doc.key_at(("recovery", 0)) == position(TEXT, "do:")


def test_finding_points_at_key_or_value(tmp_path: Path) -> None:
    doc = load(tmp_path, TEXT)
    at_value = doc.finding(("tier",), "m", code="x")
    at_key = doc.finding(("tier",), "m", code="x", key=True)
    assert (at_value.line, at_value.column) == (3, 7)
    assert (at_key.line, at_key.column) == (3, 1)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("NO", "NO"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("Y", "Y"),
        ("0123", "0123"),
        ("07911 123456", "07911 123456"),
        ("0o17", "0o17"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("12:30", "12:30"),
        ("2026-10-01", "2026-10-01"),
        (".inf", ".inf"),
        ("1", 1),
        ("-7", -7),
        ("0", 0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("true", True),
        ("True", True),
        ("false", False),
        ("null", None),
        ("~", None),
        ("", None),
        ('"1"', "1"),
        ("'true'", "true"),
        ('"null"', "null"),
    ],
)
def test_yaml_1_2_scalars(tmp_path: Path, written: str, expected: object) -> None:
    value = load(tmp_path, f"value: {written}\n").data["value"]
    assert value == expected and type(value) is type(expected)


def test_block_scalars_stay_text(tmp_path: Path) -> None:
    data = load(tmp_path, "a: |\n  1\nb: >-\n  true\n").data
    assert data == {"a": "1\n", "b": "true"}


def test_small_aliases_and_merge_keys_work(tmp_path: Path) -> None:
    text = "base: &base {who: deputy, call: netco}\nstep:\n  <<: *base\n  do: Call them.\n"
    doc = load(tmp_path, text)
    assert doc.data["step"] == {"do": "Call them.", "who": "deputy", "call": "netco"}
    assert doc.keys[("step", "who")] == position(text, "<<")


def test_empty_file_and_utf8_bom(tmp_path: Path) -> None:
    assert load(tmp_path, "# only a comment\n").data is None
    assert load(tmp_path, b"").data is None
    assert load(tmp_path, "\ufeffname: x\n".encode()).data == {"name": "x"}


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("a: 1\na: 2\n", "duplicate-key", 2, 1),
        ("a: !!python/object/apply:os.system [ls]\n", "yaml-tag", 1, 4),
        ("a: !custom x\n", "yaml-tag", 1, 4),
        ("a: 1\n---\nb: 2\n", "multiple-documents", 2, 1),
        ("a:\n\tb: 1\n", "tab-indent", 2, 1),
        ("a: *nothing\n", "yaml-alias", 1, 4),
        ("a: b: c\n", "yaml-syntax", 1, 5),
        ("a: [1, 2\n", "yaml-syntax", 2, 1),
        ("[a, b]: 1\n", "complex-key", 1, 1),
        ("a: &x 1\nb:\n  <<: *x\n", "yaml-merge", 3, 7),
        ("a: " + "[" * 50 + "]" * 50 + "\n", "too-deep", 1, 3 + MAX_DEPTH + 1),  # the 41st level
    ],
)
def test_refused_with_position(tmp_path: Path, text: str, code: str, line: int, column: int) -> None:
    finding = refused(tmp_path, text).finding
    assert (finding.code, finding.line, finding.column) == (code, line, column)
    assert finding.message


def test_syntax_error_never_points_past_the_end(tmp_path: Path) -> None:
    text = "a: 1\nb: 2\nc"  # no final newline: libyaml reports the line after the last one
    finding = refused(tmp_path, text).finding
    assert finding.line <= text.count("\n") + 1


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    error = refused(tmp_path, "\n".join(lines) + "\n")
    assert error.finding.code == "too-many-values"
    assert f"{MAX_VALUES:,}" in error.finding.message


def test_file_over_1_mib(tmp_path: Path) -> None:
    text = "notes: |\n" + "  padding padding padding padding\n" * (MAX_FILE_BYTES // 30)
    assert len(text.encode()) > MAX_FILE_BYTES
    finding = refused(tmp_path, text).finding
    assert (finding.code, finding.line) == ("file-too-large", 1)
    assert f"{len(text.encode()):,} bytes" in finding.message


@pytest.mark.parametrize(("encoding", "line", "column"), [("latin-1", 2, 9), ("cp1252", 2, 9)])
def test_not_utf8(tmp_path: Path, encoding: str, line: int, column: int) -> None:
    finding = refused(tmp_path, "id: zoe\nname: Zoë Moreau\n".encode(encoding)).finding
    assert (finding.code, finding.line, finding.column) == ("not-utf8", line, column)
    assert "UTF-8" in finding.hint


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(tmp_path: Path, encoding: str) -> None:
    text = "name: Zoë\n"
    raw = text.encode(encoding)
    if encoding != "utf-16":  # no BOM: still not UTF-8 (a NUL byte is refused by YAML)
        raw = b"\xff\xfe" + raw if encoding.endswith("le") else b"\xfe\xff" + raw
    assert refused(tmp_path, raw).finding.code == "not-utf8"
