"""One page per scenario: the checklist of steps, and who to tell."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from generator.model import Plan, Scenario
from generator.pages import paths
from generator.pages.messages import fill
from generator.pages.templates import Templates
from generator.pages.wording import tr


def render_index(plan: Plan, templates: Templates) -> str:
    """Every scenario, for plans with too many to list in the navigation."""
    return templates.page("scenarios", paths.SCENARIOS)


def checklist_key(scenario: Scenario) -> str:
    """`<id>:<hash of the steps>`: ticks reset by themselves when the steps change."""
    digest = hashlib.sha256(repr((scenario.id, scenario.steps)).encode()).hexdigest()[:12]
    return f"{scenario.id}:{digest}"


def render(plan: Plan, scenario: Scenario, templates: Templates) -> str:
    affected = [plan.systems[s] for s in scenario.affects if s in plan.systems]
    return templates.page(
        "scenario",
        paths.scenario_page(scenario.id),
        title=scenario.title,
        scenario=scenario,
        affected=affected,
        checklist=checklist_key(scenario),
        notify=_notify(plan, scenario, [s.name for s in affected]),
    )


def _notify(plan: Plan, scenario: Scenario, systems: list[str]) -> list[dict[str, Any]]:
    """Each audience to tell: its first message, filled with the systems, and the query that
    fills the composer on the communications page."""
    known = plan.communications.audiences
    system = ", ".join(systems)
    query = f"?system={quote(system)}" if system else ""
    t = tr(plan)
    return [
        {
            "audience": audience,
            "message": fill(audience.templates["initial"], plan.organisation, t, system=system),
            "query": query,
        }
        for audience in (known[a] for a in scenario.notify if a in known)
    ]
