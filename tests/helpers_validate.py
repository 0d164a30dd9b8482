"""Shared helpers for the validator's tests: the bad-input corpus and generated plans."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"
BASE = CORPUS / "base"
EXAMPLE = TESTS.parent
TODAY = "2026-11-25"
SCORE_LINES = ("Plan health ", "::notice title=Plan health::")  # after the summary


@dataclass
class Case:
    """One entry of corpus/cases.yaml: a change to the base plan and the exact output it gives."""

    name: str
    mistake: str
    output: str  # the exact text printed before the summary line ("" for an accepted plan)
    edit: dict[str, list[list[str]]] = field(default_factory=dict)
    write: dict[str, str] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    encoding: dict[str, str] = field(default_factory=dict)
    pad: dict[str, int] = field(default_factory=dict)
    link: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(": error: " in line for line in self.output.splitlines())

    @property
    def has_warnings(self) -> bool:
        return any(": warning: " in line for line in self.output.splitlines())


def load_cases() -> list[Case]:
    with (CORPUS / "cases.yaml").open(encoding="utf-8") as file:
        return [Case(**entry) for entry in yaml.safe_load(file)]


def materialise(case: Case, target: Path, base: Path = BASE) -> Path:
    """Copy the base plan (or another) to `target` and apply the case's changes; returns `target`."""
    shutil.copytree(base, target)
    texts: dict[str, str] = {}
    for name, pairs in case.edit.items():
        text = texts.get(name) or (target / name).read_text(encoding="utf-8")
        for old, new in pairs:
            count = text.count(old)
            if count != 1:
                raise AssertionError(f"{case.name}: {old!r} occurs {count} times in {name}, not once")
            text = text.replace(old, new)
        texts[name] = text
    texts.update(case.write)
    for name, text in texts.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(case.encoding.get(name, "utf-8")))
    for name, size in case.pad.items():
        path = target / name
        with path.open("ab") as file:
            line = b"# " + b"padding " * 12 + b"\n"
            file.write(line * (size // len(line) + 1))
    for name, points_to in case.link.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).symlink_to(points_to)
    for name in case.remove:
        path = target / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return target


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """The output without its last line when that is the plan score (`generator.score`)."""
        lines = self.stdout.splitlines(keepends=True)
        return lines[:-1] if lines and lines[-1].startswith(SCORE_LINES) else lines

    @property
    def body(self) -> str:
        """Everything before the summary line."""
        return "".join(self.lines[:-1])

    @property
    def summary(self) -> str:
        return self.lines[-1].rstrip("\n") if self.lines else ""


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """The real command line, in a subprocess, as a plan author runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**_environment(), **(env or {})},
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "RECOVERY_PLAN_TODAY"}
    env["PYTHONPATH"] = str(EXAMPLE)
    return env


def validate_args(*extra: str) -> list[str]:
    return ["validate", ".", "--today", TODAY, *extra]


def case_root(case: Case, tmp: Path) -> Path:
    return materialise(case, tmp / case.name)


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_systems(root: Path, systems: dict[str, dict[str, Any]]) -> None:
    """Replace the systems of the project at `root` (and what refers to them) with `systems`."""
    folder = root / "plans" / "systems"
    shutil.rmtree(folder)
    folder.mkdir()
    for ident, data in systems.items():
        (folder / f"{ident}.yaml").write_text(dump_yaml(data), encoding="utf-8")
    for name in ("scenarios", "incidents"):
        for file in (root / "plans" / name).glob("*.yaml"):
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            data["affects" if name == "scenarios" else "systems"] = sorted(systems)[:3]
            file.write_text(dump_yaml(data), encoding="utf-8")


def generated_systems(count: int, seed: int = 1) -> dict[str, dict[str, Any]]:
    """`count` valid systems: tiers grow with the index, each depends on up to 3 earlier ones."""
    import random

    rng = random.Random(seed)
    systems: dict[str, dict[str, Any]] = {}
    for i in range(count):
        tier = 1 + i * 4 // count
        earlier = [f"system-{j}" for j in range(i) if systems[f"system-{j}"]["tier"] <= tier]
        systems[f"system-{i}"] = {
            "name": f"System {rng.randrange(10**6):06d}",
            "tier": tier,
            "owner": "bob",
            "alternate": "alice",
            "vendor": "netco",
            "depends_on": sorted(rng.sample(earlier, min(len(earlier), rng.randrange(4)))),
            "rto": "4h",
            "rpo": "1h",
            "backup": {
                "method": "Nightly copy",
                "restore_tests": [{"date": "2026-11-02", "result": "pass", "by": "bob"}],
            },
            "recovery": [{"do": f"Restart system {i}.", "who": "deputy", "call": "netco"}],
        }
    return systems
