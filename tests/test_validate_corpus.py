"""The validator against its corpus of bad inputs, through the real command line.

Each case in corpus/cases.yaml is one plausible mistake applied to the valid plan in
corpus/base/; the exact `path:line:col: severity: message` lines and hints it must produce are
written next to it. See corpus/cases.yaml for the format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers_validate import (
    BASE,
    Case,
    load_cases,
    materialise,
    run_cli,
    validate_args,
)

from generator.validate import validate_project

CASES = load_cases()
FINDING = re.compile(
    r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.+)$"
)
SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings? in (\d+) files?$")
ANNOTATION = re.compile(
    r"^::(?P<severity>error|warning) file=(?P<path>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"title=[^:]+::(?P<message>.+)$"
)


def plan_file_count(root: Path) -> int:
    """How many files the validator reads under `root`: its summary's "in K files"."""
    plans = [root / "plans" / name for name in ("plan.yaml", "communications.yaml", "maintenance.yaml")]
    kinds = [
        f
        for kind in ("systems", "scenarios", "incidents")
        for f in (root / "plans" / kind).glob("*")
        if f.suffix.lower() in (".yaml", ".yml")
    ]
    contacts = [f for f in (root / "contacts").glob("*") if f.suffix.lower() in (".yaml", ".yml")]
    own_pages = list((root / "plans" / "pages").rglob("*.md"))
    return sum(p.is_file() for p in plans) + len(kinds) + len(contacts) + len(own_pages)


def blocks(output: str) -> list[str]:
    """The findings of a text output, each with its hint line."""
    found: list[str] = []
    for line in output.splitlines():
        if line.startswith("  hint: "):
            found[-1] += "\n" + line
        else:
            assert FINDING.match(line), f"not a finding line: {line!r}"
            found.append(line)
    return found


def sort_key(block: str) -> tuple[str, int, int]:
    match = FINDING.match(block.splitlines()[0])
    assert match
    return match["path"], int(match["line"]), int(match["col"])


def assert_no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text


def test_corpus_is_large_and_well_formed() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 45
    assert len(set(names)) == len(names), "case names must be unique"
    for case in CASES:
        assert case.mistake.strip(), case.name
        assert case.edit or case.write or case.remove or case.pad or case.link, f"{case.name} changes nothing"


def test_base_plan_is_clean(tmp_path: Path) -> None:
    root = materialise(Case("base", "none", ""), tmp_path / "base")
    run = run_cli(*validate_args(), cwd=root)
    assert_no_traceback(run.stdout, run.stderr)
    assert (run.code, run.stdout, run.stderr) == (
        0,
        f"0 errors, 0 warnings in {plan_file_count(root)} files\nPlan health 100/100\n",
        "",
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    root = materialise(case, tmp_path / case.name)
    run = run_cli(*validate_args(*case.args), cwd=root)
    assert_no_traceback(run.stdout, run.stderr)
    assert run.stderr == ""
    assert run.body == case.output, f"{case.name}: {case.mistake}"
    found = blocks(run.body)
    assert found == sorted(found, key=sort_key), "findings are sorted by file, line and column"
    errors = sum(": error: " in b.splitlines()[0] for b in found)
    warnings = len(found) - errors
    summary = SUMMARY.match(run.summary)
    assert summary, run.summary
    assert [int(n) for n in summary.groups()] == [errors, warnings, plan_file_count(root)]
    assert run.code == (1 if case.has_errors else 0)
    if case.has_warnings and not case.has_errors:
        strict = run_cli(*validate_args("--strict", *case.args), cwd=root)
        assert strict.code == 1
        assert strict.body == case.output


def test_corpus_covers_every_rule(tmp_path: Path) -> None:
    """Every finding code the validator can emit is produced by at least one case."""
    source = "".join(
        (Path(__file__).parent.parent / "generator" / name).read_text()
        for name in ("loader.py", "validate.py", "schema.py", "sanitize.py", "validation/prevention.py")
    )
    codes = set(re.findall(r'code="([a-z0-9-]+)"', source)) | {"missing-file", "unknown-file"}
    # Not reachable from a plan's text: a file the OS refuses to read, and cerberus's fallback
    # for rules the schemas do not use.
    codes -= {"unreadable", "invalid"}
    produced: set[str] = set()
    for case in CASES:
        root = materialise(case, tmp_path / case.name)
        produced |= {f.code for f in validate_project(root, "2026-11-25").findings}
    assert codes - produced == set()


# -- several mistakes at once ------------------------------------------------------------------


def combined(*names: str) -> Case:
    """One case making the mistakes of several cases (which must touch different files)."""
    parts = [next(c for c in CASES if c.name == name) for name in names]
    files = [set(c.edit) | set(c.write) | set(c.remove) | set(c.pad) for c in parts]
    assert all(not (a & b) for i, a in enumerate(files) for b in files[i + 1 :])
    output = "".join(
        block + "\n" for block in sorted((b for c in parts for b in blocks(c.output)), key=sort_key)
    )
    return Case(
        "+".join(names),
        "several",
        output,
        edit={k: v for c in parts for k, v in c.edit.items()},
        write={k: v for c in parts for k, v in c.write.items()},
        remove=[r for c in parts for r in c.remove],
        encoding={k: v for c in parts for k, v in c.encoding.items()},
        pad={k: v for c in parts for k, v in c.pad.items()},
    )


@pytest.mark.parametrize(
    "names",
    [
        ("unknown-key-did-you-mean", "bad-date-month-13", "template-unknown-placeholder"),
        ("review-overdue", "ref-escalation", "restore-test-failed", "timeline-out-of-order"),
        ("latin-1-file", "tab-indentation", "yaml-unclosed-quote", "steps-empty-list"),
    ],
)
def test_all_problems_are_reported_together(names: tuple[str, ...], tmp_path: Path) -> None:
    case = combined(*names)
    root = materialise(case, tmp_path / "combined")
    run = run_cli(*validate_args(), cwd=root)
    assert_no_traceback(run.stdout, run.stderr)
    assert run.body == case.output
    assert len(blocks(run.body)) >= len(names)
    assert run.code == 1


# -- output formats, exit status ---------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan with errors and warnings, several with hints."""
    case = combined("ref-owner", "contact-stale", "template-unbalanced-brace", "review-overdue")
    return materialise(case, tmp_path_factory.mktemp("mixed") / "plan")


def test_github_annotations(mixed_root: Path) -> None:
    text = run_cli(*validate_args(), cwd=mixed_root)
    github = run_cli(*validate_args("--format", "github"), cwd=mixed_root)
    assert_no_traceback(github.stdout, github.stderr)
    assert github.code == text.code == 1
    lines = [line.rstrip("\n") for line in github.lines]  # without the plan score's notice
    assert lines[-1] == text.summary
    annotations = [ANNOTATION.match(line) for line in lines[:-1]]
    assert all(annotations), lines
    expected = [FINDING.match(b.splitlines()[0]) for b in blocks(text.body)]
    assert len(annotations) == len(expected) == 4
    for got, want in zip(annotations, expected, strict=True):
        assert got and want
        assert [got[k] for k in ("severity", "path", "line", "col")] == [
            want[k] for k in ("severity", "path", "line", "col")
        ]
        message = got["message"].replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        assert message.startswith(want["message"])
        assert "\n" not in got["message"], "newlines in a message must be escaped"
    assert any("%0AHint: " in line for line in lines), "hints are part of the annotation"


def test_json_output(mixed_root: Path) -> None:
    text = run_cli(*validate_args(), cwd=mixed_root)
    run = run_cli(*validate_args("--format", "json"), cwd=mixed_root)
    assert run.code == 1
    data = json.loads(run.stdout)
    assert set(data) >= {"findings", "errors", "warnings", "files", "summary"}
    assert data["summary"] == text.summary
    assert data["files"] == plan_file_count(mixed_root)
    findings = data["findings"]
    assert data["errors"] == sum(f["severity"] == "error" for f in findings) == 2
    assert data["warnings"] == sum(f["severity"] == "warning" for f in findings) == 2
    rendered = []
    for f in findings:
        assert set(f) >= {"path", "line", "column", "severity", "message", "hint", "code"}
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
        rendered.append(
            f"{f['path']}:{f['line']}:{f['column']}: {f['severity']}: {f['message']}"
            + (f"\n  hint: {f['hint']}" if f["hint"] else "")
        )
    assert rendered == blocks(text.body)


def test_json_output_of_a_clean_plan(tmp_path: Path) -> None:
    root = materialise(Case("base", "none", ""), tmp_path / "base")
    data = json.loads(run_cli(*validate_args("--format", "json"), cwd=root).stdout)
    assert (data["findings"], data["errors"], data["warnings"]) == ([], 0, 0)


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "no-such-folder", "--today", "2026-11-25"],
        ["validate", "contacts", "--today", "2026-11-25"],  # a folder without plans/
        ["validate", ".", "--today", "2026-13-01"],
        ["validate", ".", "--today", "tomorrow"],
        ["validate", ".", "--format", "xml"],
        ["validate", ".", "--no-such-option"],
        [],
    ],
)
def test_tool_cannot_run_exits_2(args: list[str], tmp_path: Path) -> None:
    root = materialise(Case("base", "none", ""), tmp_path / "base")
    run = run_cli(*args, cwd=root)
    assert_no_traceback(run.stdout, run.stderr)
    assert run.code == 2
    if args:
        assert "error" in run.stderr.lower()
        assert not FINDING.match(run.stdout), "no findings when the tool cannot run"


def test_today_from_the_environment(tmp_path: Path) -> None:
    """RECOVERY_PLAN_TODAY sets "today" like --today: a later date makes the base plan stale."""
    root = materialise(Case("base", "none", ""), tmp_path / "base")
    later = run_cli("validate", ".", cwd=root, env={"RECOVERY_PLAN_TODAY": "2027-06-01"})
    flag = run_cli(*["validate", ".", "--today", "2027-06-01"], cwd=root)
    assert later.stdout == flag.stdout
    assert later.code == 0
    found = blocks(later.body)
    stale = sum(1 for f in found if "were last verified on" in f)
    contacts = sum(len(yaml.safe_load(f.read_text())) for f in (BASE / "contacts").glob("*.yaml"))
    assert stale == contacts  # every contact of the base plan was verified in 2026
    assert any("last restore test of `accounts`" in f for f in found)


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_output_in_a_legacy_encoding(encoding: str, tmp_path: Path) -> None:
    """A console or log file that cannot show `→` still gets every finding."""
    case = next(c for c in CASES if c.name == "dependency-cycle")
    root = materialise(case, tmp_path / "plan")
    run = run_cli(*validate_args(), cwd=root, env={"PYTHONIOENCODING": encoding})
    assert_no_traceback(run.stdout, run.stderr)
    assert run.code == 1 and run.stderr == ""
    assert run.body == case.output.replace("→", "->")
