"""Plan health: every validation warning, grouped, and when the plan is next due for review."""

from __future__ import annotations

import re
from collections import Counter

from generator.i18n import Translator
from generator.model import Finding, Plan, RestoreStatus
from generator.pages.html import Linker, day, heading, person, status_badge, text, tr

PAGE = "health.md"
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
    return t(f"health.area_{name}")


def render(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    review = plan.review
    next_due = f"<strong>{day(review.next_due, t)}</strong>"
    due = (
        f'<p class="rp-stale"><strong>{t("health.overdue", date=day(review.next_due, t))}'
        f'</strong> {t("health.overdue_do", field="<code>review.last_reviewed</code>")}</p>'
        if plan.review_overdue
        else f"<p>{t('health.next_due', date=next_due)}</p>"
    )
    last = f"<strong>{day(review.last_reviewed, t)}</strong>"
    reviewed = (
        t("health.last_reviewed_by", date=last, name=person(plan, review.reviewed_by, link))
        if review.reviewed_by
        else t("health.last_reviewed", date=last)
    )
    blocks = [
        heading(1, "health", t("health.title")),
        f'<p class="rp-lead">{t("health.lead")}</p>',
        heading(2, "review", t("health.review")),
        f"<p>{reviewed}</p>",
        due,
        heading(2, "backups", t("health.backups")),
        _backups(plan),
    ]
    warnings = plan.warnings
    blocks.append(heading(2, "warnings", t("health.warnings", count=len(warnings))))
    if not warnings:
        blocks.append(f"<p>{t('health.no_warnings')}</p>")
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(warnings):
        groups.setdefault(area(finding, t), []).append(finding)
    for index, (title, findings) in enumerate(groups.items(), start=1):
        items = "".join(
            f"<li><p>{_message(f.message)}</p><p class=\"rp-muted\"><code>{text(f.path)}:{f.line}</code>"
            + (f" · {_message(f.hint)}" if f.hint else "")
            + "</p></li>"
            for f in findings
        )
        blocks += [
            heading(3, f"warnings-{index}", t("health.group", title=title, count=len(findings))),
            f'<ul class="rp-findings">{items}</ul>',
        ]
    return "\n\n".join(blocks) + "\n"


def _message(message: str) -> str:
    """A validator message as HTML: escaped, capitalised, `quoted` parts as code."""
    escaped = text(message[:1].upper() + message[1:])
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped)


def _backups(plan: Plan) -> str:
    t = tr(plan)
    counts = Counter(s.restore_status for s in plan.systems.values())
    items = "".join(
        f"<li>{status_badge(status, t)} {t('health.systems_count', counts[status])}</li>"
        for status in RestoreStatus
        if counts[status]
    )
    return f'<ul class="rp-list rp-counts">{items}</ul>' if items else f"<p>{t('health.no_systems')}</p>"
