"""Phase 5, derived (format 1.1): the warnings about prevention work, from systems' `lifecycle`
and `patching`, scenarios' `exercises` and plans/maintenance.yaml."""

from __future__ import annotations

from datetime import date, timedelta

from generator.model import Finding, Severity
from generator.validation.values import ReadMaintenance, ReadScenario, ReadSystem, Values

SUPPORT_WARNING_DAYS = 180  # support ending this soon is worth planning for now
WARNING = Severity.WARNING


def check_prevention(values: Values) -> list[Finding]:
    """Support ending or ended, replacements and patches overdue, scenarios of tier-1 systems
    not exercised in time, exercises not passed, maintenance tasks overdue or never done."""
    today = values.today
    every = values.settings.review.exercise_every_days if values.settings and values.settings.review else None
    tier_one = {i for i, read in values.systems.items() if read.system.tier == 1 and read.tier_read}
    findings = [f for read in values.systems.values() for f in _system(read, today)]
    for read in values.read_scenarios:
        findings += _exercises(read, today, every, tier_one)
    if values.maintenance:
        findings += _maintenance(values.maintenance, today)
    return findings


def _system(read: ReadSystem, today: date) -> list[Finding]:
    system, doc, findings = read.system, read.doc, []
    life = system.lifecycle
    if life and life.support_ends and life.support_ends < today:
        findings.append(
            doc.finding(
                ("lifecycle", "support_ends"),
                f"support for `{system.id}` ended on {life.support_ends}",
                "replace it, or renew its support and record the new `support_ends`",
                code="support-ended",
                severity=WARNING,
            )
        )
    elif life and life.support_ends and life.support_ends <= today + timedelta(days=SUPPORT_WARNING_DAYS):
        days = (life.support_ends - today).days
        findings.append(
            doc.finding(
                ("lifecycle", "support_ends"),
                f"support for `{system.id}` ends on {life.support_ends}, in {days} days",
                f"its replacement is planned by {life.replace_by}: keep to it, or renew its support"
                if life.replace_by
                else "plan its replacement or a renewal now, and record `replace_by:`",
                code="support-ending",
                severity=WARNING,
            )
        )
    if life and life.replace_by and life.replace_by < today:
        findings.append(
            doc.finding(
                ("lifecycle", "replace_by"),
                f"`{system.id}` was to be replaced by {life.replace_by}",
                "replace it, or agree a new `replace_by` date",
                code="replace-overdue",
                severity=WARNING,
            )
        )
    due = system.patching.next_due if system.patching else None
    if system.patching and due and due < today:
        findings.append(
            doc.finding(
                ("patching", "last"),
                f"`{system.id}` was last patched on {system.patching.last}; the next patch was due on {due}",
                f"install its updates, then set `last: {today}`",
                code="patching-overdue",
                severity=WARNING,
            )
        )
    return findings


def _exercises(read: ReadScenario, today: date, every: int | None, tier_one: set[str]) -> list[Finding]:
    scenario, doc, findings = read.scenario, read.doc, []
    if read.exercises and (last := read.exercises[0])[1].result != "pass":
        path, exercise = last
        findings.append(
            doc.finding(
                (*path, "result"),
                f"the last exercise of `{scenario.id}` ({exercise.date}) was `{exercise.result}`",
                "fix what it showed, then exercise the scenario again",
                code="exercise-failed",
                severity=WARNING,
            )
        )
    critical = sorted(tier_one.intersection(scenario.affects))
    if not critical or every is None or len(read.exercises) < len(doc.data.get("exercises") or []):
        return findings  # an exercise that could not be read is reported already
    what = f"`{scenario.id}` affects the tier-1 system `{critical[0]}`"
    if not read.exercises:
        findings.append(
            doc.finding(
                ("affects",),
                f"{what} but has never been exercised",
                f"walk through its steps with the people named in it, then record it under "
                f"`exercises:` (`- date: {today}`, `kind: tabletop`, `result: pass`)",
                code="exercise-missing",
                severity=WARNING,
            )
        )
    elif (today - (held := read.exercises[0][1].date)).days > every:
        findings.append(
            doc.finding(
                (*read.exercises[0][0], "date"),
                f"{what} and was last exercised on {held}, more than {every} days ago",
                "exercise it again (a tabletop walk-through is enough) and record it",
                code="exercise-stale",
                severity=WARNING,
            )
        )
    return findings


def _maintenance(read: ReadMaintenance, today: date) -> list[Finding]:
    findings = []
    for path, task in read.tasks:
        written = read.doc.data["tasks"][path[1]]  # a bad `last` is reported already
        if task.last is None and "last" not in written:
            findings.append(
                read.doc.finding(
                    path,
                    f"the maintenance task `{task.id}` has never been done",
                    f"do it, then record `last: {today}`",
                    code="maintenance-never",
                    severity=WARNING,
                )
            )
        elif (due := task.next_due) and due < today:
            findings.append(
                read.doc.finding(
                    (*path, "last"),
                    f"the maintenance task `{task.id}` was due on {due}",
                    f"do it, then set `last: {today}`",
                    code="maintenance-overdue",
                    severity=WARNING,
                )
            )
    return findings
