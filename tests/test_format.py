"""The format declared once (generator/format.py) and what is derived from it: the JSON Schemas
for editors, the field reference, and the editor settings that use them."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import jsonschema
import pytest
from helpers_validate import EXAMPLE, TODAY, load_cases, materialise, run_cli

from generator import format, json_schema, reference, schema
from generator.format import Field, Kind, Value
from generator.loader import Document, load_file
from generator.model import Finding, Severity
from generator.validate import validate_project

SCHEMAS = EXAMPLE / "schemas"
# The finding codes of the shape of a file: a JSON Schema can say all of these.
SHAPE_CODES = {"unknown-key", "wrong-type", "missing-field", "not-allowed", "empty-value", "too-few"}
GENERATOR = EXAMPLE / "generator"


def kind_of(relative: str) -> Kind | None:
    """The kind of plan file at `relative` (a path inside the project), None for other files."""
    for kind in format.KINDS:
        pattern = re.escape(kind.path).replace(re.escape("<id>"), "[^/]+").replace(r"\*", "[^/]+")
        if re.fullmatch(pattern, relative):
            return kind
    return None


def schema_errors(kind: Kind, file: Path) -> list[str]:
    """What a real JSON Schema validator finds in `file` (read as the validator reads YAML)."""
    document = load_file(file, file.name, file.parent)
    validator = jsonschema.Draft7Validator(json.loads((SCHEMAS / json_schema.file_name(kind)).read_text()))
    return [error.message for error in validator.iter_errors(document.data)]


def example_files() -> list[Path]:
    return sorted([*EXAMPLE.glob("plans/**/*.yaml"), *EXAMPLE.glob("contacts/*.yaml")])


def test_committed_schemas_are_the_generated_ones(tmp_path: Path) -> None:
    """`recovery-plan schema` writes into schemas/ of the current folder by default."""
    run = run_cli("schema", cwd=tmp_path)
    assert run.code == 0, run.stderr
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(p.name for p in SCHEMAS.iterdir())
    assert len(written) == len(format.KINDS)
    for name in written:
        assert (tmp_path / "schemas" / name).read_text() == (SCHEMAS / name).read_text(), (
            f"schemas/{name} is out of date: run `recovery-plan schema`"
        )


def test_schema_output_folder(tmp_path: Path) -> None:
    run = run_cli("schema", "--output", "out/editor", cwd=tmp_path)
    assert run.code == 0
    assert run.stdout.split() == [f"out/editor/{json_schema.file_name(k)}" for k in format.KINDS]


def test_schemas_are_valid_draft_07() -> None:
    for kind in format.KINDS:
        document = json.loads((SCHEMAS / json_schema.file_name(kind)).read_text())
        assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
        jsonschema.Draft7Validator.check_schema(document)


def test_committed_reference_is_the_generated_one() -> None:
    assert (EXAMPLE / "docs" / "reference.md").read_text() == reference.markdown(), (
        "docs/reference.md is out of date: run `python -m generator.reference`"
    )


@pytest.mark.parametrize("file", example_files(), ids=lambda p: p.relative_to(EXAMPLE).as_posix())
def test_example_file_validates_against_its_schema(file: Path) -> None:
    relative = file.relative_to(EXAMPLE).as_posix()
    kind = kind_of(relative)
    assert kind, f"{relative} is a file of no kind"
    assert schema_errors(kind, file) == []
    first = file.read_text(encoding="utf-8").splitlines()[0]
    written = first.removeprefix("# yaml-language-server: $schema=")
    assert written != first, f"{relative} does not name its schema on its first line"
    assert (file.parent / written).resolve() == SCHEMAS / json_schema.file_name(kind)


def test_editor_settings_map_every_kind_to_its_schema() -> None:
    settings = json.loads((EXAMPLE / ".vscode" / "settings.json").read_text())
    mapped = {Path(schema_path).name: glob for schema_path, glob in settings["yaml.schemas"].items()}
    for kind in format.KINDS:
        assert (SCHEMAS / json_schema.file_name(kind)).is_file()
        glob = mapped[json_schema.file_name(kind)]
        assert glob == kind.path.replace("<id>", "*")
        assert {kind_of(p.relative_to(EXAMPLE).as_posix()) for p in EXAMPLE.glob(glob)} <= {kind}
    extensions = json.loads((EXAMPLE / ".vscode" / "extensions.json").read_text())
    assert "redhat.vscode-yaml" in extensions["recommendations"]


# -- the corpus: its shape errors are JSON Schema errors too, and every code has a case --------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, list[Finding]]]:
    """Each corpus case materialised, with the findings of the validator."""
    cases = []
    for case in load_cases():
        root = materialise(case, tmp_path_factory.mktemp("case") / case.name)
        cases.append((root, validate_project(root, TODAY).findings))
    return cases


def test_shape_errors_of_the_corpus_are_json_schema_errors(corpus: list[tuple[Path, list[Finding]]]) -> None:
    checked = 0
    for root, findings in corpus:
        for finding in findings:
            if finding.code not in SHAPE_CODES or finding.severity is not Severity.ERROR:
                continue
            relative = Path(finding.path).resolve().relative_to(root.resolve()).as_posix()
            kind = kind_of(relative)
            assert kind, relative
            assert schema_errors(kind, root / relative), f"{root.name}: {finding}"
            checked += 1
    assert checked >= 20  # the corpus has cases of every shape code


def test_every_finding_code_has_a_corpus_case(corpus: list[tuple[Path, list[Finding]]]) -> None:
    """Like test_validate_corpus's test, over every module of the validator's phases."""
    sources = [
        *GENERATOR.glob("validation/*.py"),
        *(
            GENERATOR / name
            for name in ("loader.py", "schema.py", "sanitize.py", "values.py", "independence.py")
        ),
    ]
    codes = {c for source in sources for c in re.findall(r'code="([a-z0-9-]+)"', source.read_text())}
    codes -= {"unreadable", "invalid"}  # a file the OS refuses to read; cerberus's fallback
    produced = {f.code for _, findings in corpus for f in findings}
    assert len(codes) > 40
    assert codes - produced == set()


# -- one edit adds a field -----------------------------------------------------------------------


def test_a_new_field_is_one_declaration() -> None:
    """A field added to a declaration is accepted by the shape phase, typed in the JSON Schema
    and listed in the reference, with no other edit."""
    seats = Field("seats", "how many people use it", Value.NUMBER, low=0)
    system = dataclasses.replace(format.SYSTEM.top, fields=(*format.SYSTEM.top.fields, seats))
    kind = dataclasses.replace(format.SYSTEM, root=system)
    doc = Document("plans/systems/x.yaml", {"name": "X", "tier": 3, "owner": "tom", "seats": -5})
    assert [(f.code, f.message) for f in schema.check(doc, system, doc.data)] == [
        ("out-of-range", "`seats` is -5, but must be at least 0")
    ]
    assert schema.check(doc, system, {**doc.data, "seats": 40}) == []
    assert [f.code for f in schema.check(doc, format.SYSTEM.top, doc.data)] == ["unknown-key"]
    properties = json_schema.json_schema(kind)["properties"]
    assert properties["seats"] == {
        "description": "How many people use it.",
        "type": "integer",
        "minimum": 0,
    }
    assert "| `seats` | whole number |" in "\n".join(reference._kind(kind))
