"""Plan health: every validation warning, grouped, and when the plan is next due for review."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from markupsafe import Markup

from generator.i18n import Translator
from generator.model import Finding, Plan, RestoreStatus
from generator.pages import paths
from generator.pages.templates import Templates, text
from generator.pages.wording import tr

_AREAS = (  # path prefix -> group (catalog key health.area_*), most specific first
    ("plans/systems/", "systems"),
    ("plans/scenarios/", "scenarios"),
    ("plans/incidents/", "incidents"),
    ("plans/communications", "communications"),
    ("contacts/", "contacts"),
    ("plans/", "plan"),
)


def area(finding: Finding, t: Translator) -> str:
    """The title of the group a warning is listed under, from the file it points at."""
    name = next((name for prefix, name in _AREAS if finding.path.startswith(prefix)), "other")
    return t.plain(f"health.area_{name}")


def render(plan: Plan, templates: Templates) -> str:
    t = tr(plan)
    counts = Counter(s.restore_status for s in plan.systems.values())
    groups: dict[str, list[dict[str, Any]]] = {}
    for finding in sorted(plan.warnings):
        groups.setdefault(area(finding, t), []).append(
            {
                "message": _message(finding.message),
                "hint": _message(finding.hint) if finding.hint else "",
                "path": finding.path,
                "line": finding.line,
            }
        )
    return templates.page(
        "health",
        paths.HEALTH,
        groups=list(groups.items()),
        statuses=[(status, counts[status]) for status in RestoreStatus if counts[status]],
    )


def _message(message: str) -> Markup:
    """A validator message as HTML: escaped, capitalised, `quoted` parts as code."""
    escaped = text(message[:1].upper() + message[1:])
    return Markup(re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped))
