"""Prevention: the page an owner reads once a month. What is overdue and what falls due in 30
and 90 days (the calendar's reminders, by owner), the maintenance tasks, hardware by end of
support, each scenario's last exercise, what outages cost, and the plan score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from generator import costs, ics
from generator.model import Exercise, Plan, Scenario, System
from generator.pages import incidents, paths
from generator.pages.templates import Templates
from generator.pages.wording import tr
from generator.score import score

SOON, LATER = 30, 90  # days: "due in the next 30 days", "due in 31 to 90 days"


@dataclass(frozen=True)
class Due:
    """The reminders of one period, grouped by owner's name ("" for nobody)."""

    key: str  # its heading's catalog key under prevention.
    owners: list[tuple[str, list[ics.Reminder]]]


@dataclass(frozen=True)
class Rehearsal:
    scenario: Scenario
    last: Exercise | None
    next_due: date | None  # None: not scheduled (no tier-1 system and never exercised)


def render(plan: Plan, templates: Templates) -> str:
    reminders = ics.reminders(plan)
    health = score(plan.findings)
    outages = [(incident, costs.outages(plan, incident)) for incident in plan.incidents]
    return templates.page(
        "prevention",
        paths.PREVENTION,
        health=health,
        score_items=health.items(tr(plan)),
        due=due(plan, reminders),
        tasks=[
            (task, [plan.systems[s] for s in task.systems if s in plan.systems]) for task in plan.maintenance
        ],
        hardware=hardware(plan),
        rehearsals=rehearsals(plan, reminders),
        incidents=[(incident, found) for incident, found in outages if found],
        year=costs.last_year(plan),
        money=incidents.money_in(plan),
        calendar=ics.FILE,
        webcal=ics.webcal(plan),
    )


def due(plan: Plan, reminders: list[ics.Reminder]) -> list[Due]:
    """Overdue, due within `SOON` days and within `LATER` days, each by owner."""
    today = plan.today
    periods = (
        ("overdue", date.min, today - timedelta(days=1)),
        ("due_30", today, today + timedelta(days=SOON)),
        ("due_90", today + timedelta(days=SOON + 1), today + timedelta(days=LATER)),
    )
    found = []
    for key, first, last in periods:
        items = sorted(
            (r for r in reminders if first <= r.day <= last), key=lambda r: (r.owner == "", r.owner)
        )
        owners = [
            (owner, sorted(group, key=lambda r: (r.day, r.key)))
            for owner, group in groupby(items, lambda r: r.owner)
        ]
        found.append(Due(key, owners))
    return found


def hardware(plan: Plan) -> list[System]:
    """The systems with a lifecycle, the earliest end of support first."""
    ends = {s.id: s.lifecycle.support_ends for s in plan.recovery_order if s.lifecycle}
    return sorted((plan.systems[i] for i in ends), key=lambda s: (ends[s.id] is None, ends[s.id] or date.max))


def rehearsals(plan: Plan, reminders: list[ics.Reminder]) -> list[Rehearsal]:
    """Each scenario with its last exercise and when the next falls due (its reminder)."""
    days = {r.key: r.day for r in reminders}
    return [Rehearsal(s, s.last_exercise, days.get(f"exercise/{s.id}")) for s in plan.scenarios]
