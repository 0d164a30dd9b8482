"""The home page: what a frightened person reads first, in the order they need it."""

from __future__ import annotations

from generator import ics
from generator.model import Contact, Plan
from generator.pages import paths
from generator.pages.templates import Templates
from generator.pages.wording import role_name
from generator.printsheet import pdf_name

RECOVERY_ORDER_SHOWN = 10  # the rest is on the systems overview


def render(plan: Plan, templates: Templates) -> str:
    return templates.page(
        "home",
        paths.HOME,
        leads=_leads(plan),
        sheet=pdf_name(plan.site.paper),
        order_shown=RECOVERY_ORDER_SHOWN,
        webcal=ics.webcal(plan),
        calendar=ics.FILE,
    )


def _leads(plan: Plan) -> list[tuple[str, Contact]]:
    """The role holders (role label, contact), the incident lead first."""
    roles = sorted(plan.roles, key=lambda role: role != "incident_lead")
    return [(role_name(plan, role), contact) for role in roles if (contact := plan.person(role))]
