"""Validation: every rule of the plan format checked, and the model built, in five phases.

`validate_project(root)` is the one entry point. It runs the phases of `generator.validation`
in order (load, shape, values, references, derived) and builds the `Plan` last, only when there
is no error. It never raises for anything inside the plan's files: every problem becomes a
located `Finding`. Only a project that is not there at all (`ProjectNotFound`) or a bad `today`
(`ValueError`) stops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.model import Finding, Plan, Severity
from generator.validation.derived import Derived, derive
from generator.validation.load import load
from generator.validation.references import check_references
from generator.validation.shape import check_shapes
from generator.validation.values import Values, read_values, resolve_today

__all__ = ["ProjectNotFound", "Validation", "resolve_today", "validate_project"]


class ProjectNotFound(Exception):
    """The path does not hold a plan at all (no plans/ folder): the tool cannot run."""


@dataclass(frozen=True)
class Validation:
    plan: Plan | None  # None when there are errors
    findings: list[Finding]
    files: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return (
            f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)} "
            f"in {self.files} file{'s' * (self.files != 1)}"
        )


def validate_project(root: Path | str, today: str | date | None = None) -> Validation:
    """Load and check the plan under `root` (holding plans/ and contacts/)."""
    root = Path(root)
    if not (root / "plans").is_dir():
        raise ProjectNotFound(
            f"{root} has no plans/ folder: point the tool at a project root holding plans/ and contacts/"
        )
    loaded = load(root)
    shapes = check_shapes(loaded)
    values = read_values(loaded, today)
    references = check_references(loaded, values)
    derived = derive(loaded, values)
    findings = sorted({*loaded.findings, *shapes, *values.findings, *references, *derived.findings})
    if any(f.severity is Severity.ERROR for f in findings):
        return Validation(None, findings, loaded.files)
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    return Validation(_plan(root, values, derived, warnings), findings, loaded.files)


def _plan(root: Path, values: Values, derived: Derived, warnings: list[Finding]) -> Plan:
    """The plan of a project without errors: every part of it was established."""
    settings, communications = values.settings, values.communications
    assert settings and settings.review and communications, "reported as errors when missing"
    return Plan(
        organisation=settings.organisation,
        site=settings.site,
        review=settings.review,
        roles=settings.roles,
        first_hour=settings.first_hour,
        systems={s.id: s for s in derived.systems},
        scenarios=sorted(values.scenarios, key=lambda s: (s.priority, s.title.lower(), s.id)),
        contacts=derived.contacts,
        communications=communications,
        incidents=derived.incidents,
        today=values.today,
        findings=warnings,
        root=root,
        maintenance=[task for _, task in values.maintenance.tasks] if values.maintenance else [],
    )
