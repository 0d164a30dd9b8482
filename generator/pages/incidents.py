"""Past incidents (post-incident reviews) and a blank review template."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from generator import costs
from generator.model import Incident, Plan
from generator.pages import paths
from generator.pages.templates import Templates
from generator.pages.wording import tr

REVIEW_YAML = """\
# plans/incidents/YYYY-MM-DD-short-name.yaml
title: What happened, in a few words
date: YYYY-MM-DD
detected: YYYY-MM-DDTHH:MM       # when someone first noticed
acknowledged: YYYY-MM-DDTHH:MM   # when the incident lead took charge
resolved: YYYY-MM-DDTHH:MM       # when things worked again
systems: [system-id]
impact: Who and what was affected, and for how long.
root_cause: Why it happened.
actions:
  - do: What we will change so it does not happen again.
    owner: contact-or-role
    due: YYYY-MM-DD
"""
_FIELDS = (  # incidents.field_*
    "what",
    "date",
    "detected",
    "acknowledged",
    "resolved",
    "systems",
    "impact",
    "cause",
    "went_well",
    "hard",
)


def render_index(plan: Plan, templates: Templates) -> str:
    return templates.page("incidents", paths.INCIDENTS, year=costs.last_year(plan), money=money_in(plan))


def render(plan: Plan, incident: Incident, templates: Templates) -> str:
    t = tr(plan)
    timeline = [
        (t.plain("incidents.detected"), incident.detected, None),
        (t.plain("incidents.acknowledged"), incident.acknowledged, incident.time_to_acknowledge),
        (t.plain("incidents.resolved"), incident.resolved, incident.time_to_resolve),
    ]
    return templates.page(
        "incident",
        paths.incident_page(incident.id),
        title=incident.title,
        incident=incident,
        timeline=timeline,
        systems=[plan.systems[s] for s in incident.systems if s in plan.systems],
        outages=costs.outages(plan, incident),
        money=money_in(plan),
        update_every=plan.communications.update_every,
    )


def money_in(plan: Plan) -> Callable[[Decimal], str]:
    """An amount in the plan's currency and language."""
    return lambda amount: costs.money(amount, plan.site.currency, plan.site.language)


def render_template(plan: Plan, templates: Templates) -> str:
    """A form to print or fill in after an incident, and the YAML to record it in the plan."""
    return templates.page("review-template", paths.REVIEW_TEMPLATE, fields=_FIELDS, review_yaml=REVIEW_YAML)
