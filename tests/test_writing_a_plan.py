"""docs/writing-a-plan.md quotes the validator's output: what it shows must be what it prints.

Section 10's listings are runs of the example plan as it is; section 11's are runs of copies
with one mistake each, made by the changes in corpus/guide.yaml. Each is run again and must
print the listing to the letter, but for what section 11 leaves out to keep listings short: the
example's deliberate warnings (still counted in the summary), the plan-health line, and the
findings after a `… (N more like these; shortened for this guide)` line. Section 11.33's
listing is of a build, and is not run here (tests/test_print.py builds a sheet that does not fit).

`python tests/test_writing_a_plan.py` writes the listings again from what the tool prints.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import tempfile
from pathlib import Path

import pytest
import yaml
from helpers_site import ROOT, example_copy
from helpers_validate import Case, materialise

from generator import cli

GUIDE = ROOT / "docs" / "writing-a-plan.md"
CHANGES = ROOT / "tests" / "corpus" / "guide.yaml"
SECTION = re.compile(r"^### (11\.\d+)\. ", re.M)
LISTING = re.compile(r"```console\n(?P<body>.*?)```", re.S)
RUN = re.compile(
    r"^\$ (?P<command>recovery-plan validate.*)\n(?P<output>(?:(?!\$ ).*\n)*)\$ echo \$\?\n(?P<status>\d+)\n",
    re.M,
)
MORE = re.compile(r"^… \((?P<n>\d+) more like these; shortened for this guide\)$", re.M)
STALE = "docs/writing-a-plan.md is out of date: run `python tests/test_writing_a_plan.py`"
HEADING = re.compile(r"^#{2,3} ", re.M)
FINDING = re.compile(r"^\S+:\d+:\d+: (?:error|warning): ")
PLACE = re.compile(r"^(\S+?):\d+:\d+: ")


def listings(number: str) -> list[tuple[int, re.Match[str]]]:
    """The `recovery-plan validate` runs quoted in a section ("10", "11.2"), in order, each with
    where its listing starts in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"\n## {number}. " if "." not in number else f"\n### {number}. ")
    end = HEADING.search(text, text.index("\n", start + 1))
    return [
        (block.start("body"), run)
        for block in LISTING.finditer(text, start, end.start() if end else len(text))
        for run in RUN.finditer(block["body"])
    ]


def validate(root: Path, command: str) -> tuple[str, int]:
    """What `command` prints (stdout and stderr) and its exit status, run in `root`."""
    program, *args = shlex.split(command)
    assert program == "recovery-plan"
    printed, here = io.StringIO(), Path.cwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            status = cli.main(args)
    finally:
        os.chdir(here)
    return printed.getvalue(), status


def findings(output: str) -> list[str]:
    """The output's lines, each finding with its hint."""
    lines: list[str] = []
    for line in output.splitlines(keepends=True):
        if line.startswith("  hint: ") and lines:
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def unplaced(finding: str) -> str:
    """A finding without its line and column (the lines above it may have changed)."""
    return PLACE.sub(r"\1: ", finding, count=1)


def shortened(output: str, baseline: set[str], quoted: str) -> str:
    """`output` as section 11 quotes it: without the baseline's findings and the plan-health
    line; with as many findings as `quoted` shows before its "more like these" line, if any."""
    kept = [f for f in findings(output) if unplaced(f) not in baseline and not f.startswith("Plan health ")]
    more = MORE.search(quoted)
    if more:
        shown = sum(1 for f in findings(quoted[: more.start()]) if FINDING.match(f))
        found = [f for f in kept if FINDING.match(f)]
        others = [f for f in kept if not FINDING.match(f)]
        kept = [
            *found[:shown],
            f"… ({len(found) - shown} more like these; shortened for this guide)\n",
            *others,
        ]
    return "".join(kept)


def changes() -> list[tuple[str, int, Case]]:
    """(section, index of its listing, the change) for every change in corpus/guide.yaml."""
    found = yaml.safe_load(CHANGES.read_text(encoding="utf-8"))
    return [
        (number, i, Case(name=f"{number}#{i}", mistake="", output="", **change))
        for number, listed in found.items()
        for i, change in enumerate(listed)
    ]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_copy(tmp_path_factory.mktemp("guide") / "example")


@pytest.fixture(scope="module")
def baseline(example: Path) -> set[str]:
    """The example plan's own findings (its deliberate warnings)."""
    output, _ = validate(example, "recovery-plan validate . --today 2026-11-25")
    return {unplaced(f) for f in findings(output) if FINDING.match(f)}


@pytest.mark.parametrize("run", [run for _, run in listings("10")], ids=lambda run: run["command"])
def test_section_10_shows_what_the_example_plan_prints(run: re.Match[str]) -> None:
    assert validate(ROOT, run["command"]) == (run["output"], int(run["status"])), STALE


def test_every_listing_of_section_11_has_its_change() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    sections = SECTION.findall(text)
    assert len(sections) == len(set(sections)), "two sections have the same number"
    listed = {(n, i) for n in sections for i, _ in enumerate(listings(n))}
    assert listed == {(n, i) for n, i, _ in changes()}
    assert len(listed) > 40


@pytest.mark.parametrize(
    ("number", "index", "change"), changes(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_section_11_shows_what_the_mistake_prints(
    number: str, index: int, change: Case, example: Path, baseline: set[str], tmp_path: Path
) -> None:
    _, run = listings(number)[index]
    output, status = validate(materialise(change, tmp_path / "plan", example), run["command"])
    assert (shortened(output, baseline, run["output"]), status) == (run["output"], int(run["status"])), STALE


def main() -> None:
    """Write every listing of sections 10 and 11 again from what the tool prints."""
    text = GUIDE.read_text(encoding="utf-8")
    example = example_copy(Path(tempfile.mkdtemp()) / "example")
    output, _ = validate(example, "recovery-plan validate . --today 2026-11-25")
    baseline = {unplaced(f) for f in findings(output) if FINDING.match(f)}
    written: list[tuple[int, re.Match[str], str, int]] = [
        (at, run, *validate(ROOT, run["command"])) for at, run in listings("10")
    ]
    for number, index, change in changes():
        at, run = listings(number)[index]
        output, status = validate(
            materialise(change, Path(tempfile.mkdtemp()) / "plan", example), run["command"]
        )
        written.append((at, run, shortened(output, baseline, run["output"]), status))
    for at, run, output, status in sorted(written, key=lambda w: -(w[0] + w[1].start())):
        start, end = at + run.start(), at + run.end()
        text = text[:start] + f"$ {run['command']}\n{output}$ echo $?\n{status}\n" + text[end:]
    GUIDE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
