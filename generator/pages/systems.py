"""The systems overview (recovery order) and one page per system."""

from __future__ import annotations

from generator.model import Plan, Scenario, System
from generator.pages import paths
from generator.pages.templates import Templates
from generator.pages.wording import tr

_COLUMNS = ("order", "system", "tier", "owner", "rto", "rpo", "backup")  # systems.col_*
_TEST_COLUMNS = ("date", "result", "by", "took", "notes")


def render_overview(plan: Plan, templates: Templates) -> str:
    t = tr(plan)
    return templates.page("systems", paths.SYSTEMS, columns=[t.plain(f"systems.col_{c}") for c in _COLUMNS])


def render(plan: Plan, system: System, scenarios: list[Scenario], templates: Templates) -> str:
    t = tr(plan)

    def known(ids: list[str]) -> list[System]:
        return [plan.systems[i] for i in ids if i in plan.systems]

    return templates.page(
        "system",
        paths.system_page(system.id),
        title=system.name,
        system=system,
        scenarios=scenarios,
        depends_on=known(system.depends_on),
        needed_by=known(system.dependents),
        vendor=plan.contacts.get(system.vendor) if system.vendor else None,
        test_columns=[t.plain(f"systems.col_{c}") for c in _TEST_COLUMNS],
    )
