"""Past incidents (post-incident reviews) and a blank review template."""

from __future__ import annotations

import html

from generator.model import Action, Incident, Plan
from generator.pages.html import (
    Linker,
    day,
    front_matter,
    heading,
    incident_page,
    person,
    system_page,
    text,
    when,
)
from generator.values import human_duration as duration

PAGE = "incidents/index.md"
TEMPLATE_PAGE = "incidents/review_template.md"  # `_` cannot start or be in an incident id


def render_index(plan: Plan, link: Linker) -> str:
    blocks = [
        heading(1, "incidents", "Past incidents"),
        '<p class="rp-lead">What went wrong before, how long it took, and what we changed so it '
        "does not happen again.</p>",
    ]
    if plan.incidents:
        items = "".join(
            f'<li><a href="{link(incident_page(i.id))}">{text(i.title)}</a> '
            f'<span class="rp-muted">{day(i.date)}</span>{_open_actions(i)}</li>'
            for i in plan.incidents
        )
        blocks.append(f'<ul class="rp-list">{items}</ul>')
    else:
        blocks.append("<p>No incidents recorded yet.</p>")
    blocks.append(
        f'<p>After an incident, write a review: <a href="{link(TEMPLATE_PAGE)}">'
        "the blank review template</a>.</p>"
    )
    return "\n\n".join(blocks) + "\n"


def _open_actions(incident: Incident) -> str:
    overdue = sum(a.overdue for a in incident.actions)
    open_ = sum(not a.is_done for a in incident.actions)
    if overdue:
        return f' <span class="rp-badge rp-badge--failed">{overdue} overdue</span>'
    if open_:
        return f' <span class="rp-badge rp-badge--stale">{open_} open</span>'
    return ""


def render(plan: Plan, incident: Incident, link: Linker) -> str:
    blocks = [
        front_matter(incident.title),
        heading(1, "incident", text(incident.title)),
        f"<p>{day(incident.date)}</p>",
    ]
    systems = [plan.systems[s] for s in incident.systems if s in plan.systems]
    if systems:
        names = ", ".join(f'<a href="{link(system_page(s.id))}">{text(s.name)}</a>' for s in systems)
        blocks.append(f"<p><strong>Systems:</strong> {names}</p>")
    blocks += [heading(2, "timeline", "Timeline"), _timeline(plan, incident)]
    for anchor, title, value in (
        ("impact", "Impact", incident.impact),
        ("root-cause", "Root cause", incident.root_cause),
        ("notes", "Notes", incident.notes),
    ):
        if value:
            blocks += [heading(2, anchor, title), f"<p>{text(value)}</p>"]
    if not incident.root_cause:
        blocks.append('<p class="rp-stale"><strong>No root cause recorded yet.</strong></p>')
    blocks += [heading(2, "actions", "Prevention actions"), _actions(plan, incident.actions, link)]
    return "\n\n".join(blocks) + "\n"


def _timeline(plan: Plan, incident: Incident) -> str:
    points = [
        ("Detected", incident.detected, None),
        ("Acknowledged", incident.acknowledged, incident.time_to_acknowledge),
        ("Resolved", incident.resolved, incident.time_to_resolve),
    ]
    items = []
    for label, moment, since in points:
        if moment is None:
            items.append(f'<li><strong>{label}:</strong> <span class="rp-muted">not recorded</span></li>')
            continue
        after = f' <span class="rp-muted">({duration(since)} after detection)</span>' if since else ""
        items.append(f"<li><strong>{label}:</strong> {when(moment, plan)}{after}</li>")
    return f'<ol class="rp-timeline">{"".join(items)}</ol>'


def _actions(plan: Plan, actions: list[Action], link: Linker) -> str:
    if not actions:
        return '<p class="rp-stale"><strong>No prevention actions recorded.</strong></p>'
    items = []
    for action in actions:
        if action.is_done:
            state = "done" + (f" {day(action.done)}" if action.done else "")
            badge = f'<span class="rp-badge rp-badge--tested">{state}</span>'
        elif action.overdue:
            badge = f'<span class="rp-badge rp-badge--failed">overdue since {day(action.due)}</span>'
        else:
            due = f", due {day(action.due)}" if action.due else ""
            badge = f'<span class="rp-badge rp-badge--stale">open{due}</span>'
        owner = (
            f' <span class="rp-muted">Owner: {person(plan, action.owner, link)}</span>'
            if action.owner
            else ""
        )
        items.append(f"<li>{badge} {text(action.do)}{owner}</li>")
    return f'<ul class="rp-actions">{"".join(items)}</ul>'


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


def render_template(link: Linker) -> str:
    """A form to print or fill in after an incident, and the YAML to record it in the plan."""
    fields = "".join(
        f'<div class="rp-blank"><p class="rp-blank__label">{label}</p><div class="rp-blank__box"></div></div>'
        for label in (
            "What happened",
            "Date",
            "Detected at (time, and by whom)",
            "Acknowledged at (when the incident lead took charge)",
            "Resolved at",
            "Systems affected",
            "Impact: who and what was affected, for how long",
            "Root cause: why it happened",
            "What went well",
            "What was hard, missing or wrong in this plan",
        )
    )
    rows = "".join(
        '<tr><td data-label="Action"></td><td data-label="Owner"></td><td data-label="Due"></td></tr>'
        for _ in range(4)
    )
    return (
        heading(1, "review-template", "Post-incident review")
        + "\n\n<p class=\"rp-lead\">Print this page and fill it in within a week of an incident, "
        "with everyone involved, while memories are fresh. Blame the process, not people.</p>\n\n"
        + f'<div class="rp-blanks">{fields}</div>\n\n'
        + heading(2, "review-actions", "Prevention actions")
        + '\n\n<table class="rp-table rp-table--blank"><thead><tr><th scope="col">Action</th>'
        + f'<th scope="col">Owner</th><th scope="col">Due</th></tr></thead><tbody>{rows}</tbody></table>\n\n'
        + heading(2, "record-it", "Record it in the plan")
        + "\n\n<p>Then add the review to the plan as a new file in <code>plans/incidents/</code>, "
        f"so it shows under <a href=\"{link(PAGE)}\">Past incidents</a>:</p>\n\n"
        + f"<pre><code>{html.escape(REVIEW_YAML)}</code></pre>\n"
    )
