"""Plan -> site pages (Markdown with escaped HTML), independent of MkDocs. STUB: being written."""

from __future__ import annotations

from typing import Any

from generator.model import Plan


def navigation(plan: Plan) -> list[Any]:
    """The MkDocs `nav`: Start here, Scenarios, Systems, Contacts, Communications, Incidents, Health."""
    return [{"Start here": "index.md"}]


def template_context(plan: Plan) -> dict[str, Any]:
    """Values the theme templates and scripts read from `config.extra.recovery_plan`."""
    return {"organisation": plan.organisation}


def render(plan: Plan) -> dict[str, str]:
    """Every generated file of the site: src path (e.g. ``scenarios/internet-down.md``) -> content."""
    return {"index.md": f"# {plan.organisation}\n"}
