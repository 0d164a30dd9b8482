"""Past incidents (post-incident reviews) and a blank review template."""

from __future__ import annotations

import html

from generator.i18n import Translator
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
    tr,
    when,
)

PAGE = "incidents/index.md"
TEMPLATE_PAGE = "incidents/review_template.md"  # `_` cannot start or be in an incident id


def render_index(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    blocks = [heading(1, "incidents", t("incidents.title")), f'<p class="rp-lead">{t("incidents.lead")}</p>']
    if plan.incidents:
        items = "".join(
            f'<li><a href="{link(incident_page(i.id))}">{text(i.title)}</a> '
            f'<span class="rp-muted">{day(i.date, t)}</span>{_open_actions(i, t)}</li>'
            for i in plan.incidents
        )
        blocks.append(f'<ul class="rp-list">{items}</ul>')
    else:
        blocks.append(f"<p>{t('incidents.none')}</p>")
    template = f'<a href="{link(TEMPLATE_PAGE)}">{t("incidents.template_link")}</a>'
    blocks.append(f"<p>{t('incidents.write_review', link=template)}</p>")
    return "\n\n".join(blocks) + "\n"


def _open_actions(incident: Incident, t: Translator) -> str:
    overdue = sum(a.overdue for a in incident.actions)
    open_ = sum(not a.is_done for a in incident.actions)
    if overdue:
        return f' <span class="rp-badge rp-badge--failed">{t("incidents.overdue_count", overdue)}</span>'
    if open_:
        return f' <span class="rp-badge rp-badge--stale">{t("incidents.open_count", open_)}</span>'
    return ""


def render(plan: Plan, incident: Incident, link: Linker) -> str:
    t = tr(plan)
    blocks = [
        front_matter(incident.title),
        heading(1, "incident", text(incident.title)),
        f"<p>{day(incident.date, t)}</p>",
    ]
    systems = [plan.systems[s] for s in incident.systems if s in plan.systems]
    if systems:
        names = ", ".join(f'<a href="{link(system_page(s.id))}">{text(s.name)}</a>' for s in systems)
        blocks.append(f"<p><strong>{t('incidents.systems')}</strong> {names}</p>")
    blocks += [heading(2, "timeline", t("incidents.timeline")), _timeline(plan, incident)]
    for anchor, key, value in (
        ("impact", "impact", incident.impact),
        ("root-cause", "root_cause", incident.root_cause),
        ("notes", "notes", incident.notes),
    ):
        if value:
            blocks += [heading(2, anchor, t(f"incidents.{key}")), f"<p>{text(value)}</p>"]
    if not incident.root_cause:
        blocks.append(f'<p class="rp-stale"><strong>{t("incidents.no_root_cause")}</strong></p>')
    blocks += [heading(2, "actions", t("incidents.actions")), _actions(plan, incident.actions, link)]
    return "\n\n".join(blocks) + "\n"


def _timeline(plan: Plan, incident: Incident) -> str:
    t = tr(plan)
    points = [
        (t("incidents.detected"), incident.detected, None),
        (t("incidents.acknowledged"), incident.acknowledged, incident.time_to_acknowledge),
        (t("incidents.resolved"), incident.resolved, incident.time_to_resolve),
    ]
    items = []
    for label, moment, since in points:
        if moment is None:
            missing = t("incidents.not_recorded")
            items.append(f'<li><strong>{label}:</strong> <span class="rp-muted">{missing}</span></li>')
            continue
        later = t("incidents.after_detection", duration=text(t.duration(since)))
        after = f' <span class="rp-muted">({later})</span>' if since else ""
        items.append(f"<li><strong>{label}:</strong> {when(moment, t)}{after}</li>")
    return f'<ol class="rp-timeline">{"".join(items)}</ol>'


def _actions(plan: Plan, actions: list[Action], link: Linker) -> str:
    t = tr(plan)
    if not actions:
        return f'<p class="rp-stale"><strong>{t("incidents.no_actions")}</strong></p>'
    items = []
    for action in actions:
        if action.is_done:
            state = t("incidents.done_on", date=day(action.done, t)) if action.done else t("incidents.done")
            badge = f'<span class="rp-badge rp-badge--tested">{state}</span>'
        elif action.overdue:
            since = t("incidents.overdue_since", date=day(action.due, t))
            badge = f'<span class="rp-badge rp-badge--failed">{since}</span>'
        else:
            state = t("incidents.open_due", date=day(action.due, t)) if action.due else t("incidents.open")
            badge = f'<span class="rp-badge rp-badge--stale">{state}</span>'
        owner = (
            f' <span class="rp-muted">{t("incidents.owner", name=person(plan, action.owner, link))}</span>'
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


_FIELDS = (  # incidents.field_*
    "what", "date", "detected", "acknowledged", "resolved", "systems", "impact", "cause",
    "went_well", "hard",
)


def render_template(plan: Plan, link: Linker) -> str:
    """A form to print or fill in after an incident, and the YAML to record it in the plan."""
    t = tr(plan)
    fields = "".join(
        f'<div class="rp-blank"><p class="rp-blank__label">{t(f"incidents.field_{name}")}</p>'
        '<div class="rp-blank__box"></div></div>'
        for name in _FIELDS
    )
    cols = [t(f"incidents.col_{c}") for c in ("action", "owner", "due")]
    rows = "".join(
        "<tr>" + "".join(f'<td data-label="{c}"></td>' for c in cols) + "</tr>" for _ in range(4)
    )
    head = "".join(f'<th scope="col">{c}</th>' for c in cols)
    index = f'<a href="{link(PAGE)}">{t("incidents.title")}</a>'
    return (
        heading(1, "review-template", t("incidents.review_title"))
        + f'\n\n<p class="rp-lead">{t("incidents.review_lead")}</p>\n\n'
        + f'<div class="rp-blanks">{fields}</div>\n\n'
        + heading(2, "review-actions", t("incidents.actions"))
        + f'\n\n<table class="rp-table rp-table--blank"><thead><tr>{head}</tr></thead>'
        + f"<tbody>{rows}</tbody></table>\n\n"
        + heading(2, "record-it", t("incidents.record"))
        + f"\n\n<p>{t('incidents.record_how', folder='<code>plans/incidents/</code>', link=index)}</p>\n\n"
        + f"<pre><code>{html.escape(REVIEW_YAML)}</code></pre>\n"
    )
