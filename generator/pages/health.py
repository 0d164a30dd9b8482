"""Plan health: every validation warning, grouped, and when the plan is next due for review."""

from __future__ import annotations

import re
from collections import Counter

from generator.model import Finding, Plan, RestoreStatus
from generator.pages.html import Linker, day, heading, person, status_badge, text

PAGE = "health.md"
_AREAS = (  # path prefix -> group title, most specific first
    ("plans/systems/", "Systems and backups"),
    ("plans/scenarios/", "Scenarios"),
    ("plans/incidents/", "Past incidents"),
    ("plans/communications", "Communications"),
    ("contacts/", "Contacts"),
    ("plans/", "Plan settings"),
)


def area(finding: Finding) -> str:
    """The group a warning is listed under, from the file it points at."""
    return next((title for prefix, title in _AREAS if finding.path.startswith(prefix)), "Other")


def render(plan: Plan, link: Linker) -> str:
    review = plan.review
    by = f" by {person(plan, review.reviewed_by, link)}" if review.reviewed_by else ""
    due = (
        f'<p class="rp-stale"><strong>The plan was due for review on {day(review.next_due)}.'
        "</strong> Read it through with the people in it, then update "
        "<code>review.last_reviewed</code>.</p>"
        if plan.review_overdue
        else f"<p>Next full review due by <strong>{day(review.next_due)}</strong>.</p>"
    )
    blocks = [
        heading(1, "health", "Plan health"),
        '<p class="rp-lead">For the plan\'s owners: what is out of date, untested or overdue. '
        "Fix these before the plan is needed.</p>",
        heading(2, "review", "Review"),
        f"<p>Last reviewed on <strong>{day(review.last_reviewed)}</strong>{by}.</p>",
        due,
        heading(2, "backups", "Backups"),
        _backups(plan),
    ]
    warnings = plan.warnings
    blocks.append(heading(2, "warnings", f"Warnings ({len(warnings)})"))
    if not warnings:
        blocks.append("<p>No warnings: every check passed.</p>")
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(warnings):
        groups.setdefault(area(finding), []).append(finding)
    for index, (title, findings) in enumerate(groups.items(), start=1):
        items = "".join(
            f"<li><p>{_message(f.message)}</p><p class=\"rp-muted\"><code>{text(f.path)}:{f.line}</code>"
            + (f" · {_message(f.hint)}" if f.hint else "")
            + "</p></li>"
            for f in findings
        )
        blocks += [
            heading(3, f"warnings-{index}", f"{text(title)} ({len(findings)})"),
            f'<ul class="rp-findings">{items}</ul>',
        ]
    return "\n\n".join(blocks) + "\n"


def _message(message: str) -> str:
    """A validator message as HTML: escaped, capitalised, `quoted` parts as code."""
    escaped = text(message[:1].upper() + message[1:])
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped)


def _backups(plan: Plan) -> str:
    counts = Counter(s.restore_status for s in plan.systems.values())
    items = "".join(
        f"<li>{status_badge(status)} {counts[status]} system{'s' if counts[status] != 1 else ''}</li>"
        for status in RestoreStatus
        if counts[status]
    )
    return f'<ul class="rp-list rp-counts">{items}</ul>' if items else "<p>No systems yet.</p>"
