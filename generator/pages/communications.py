"""The communications page: a message composer that fills every template as you type."""

from __future__ import annotations

import json
from urllib.parse import quote

from generator.model import Audience, Contact, Plan
from generator.pages.html import (
    CONTACTS_PAGE,
    Linker,
    attr,
    call_buttons,
    contact_anchor,
    heading,
    text,
    tr,
)
from generator.pages.messages import fill, labels

PAGE = "communications.md"
_LIST_ATTR = ' list="rp-systems"'
KINDS = ("initial", "update", "resolved")  # communications.kind_*
_FIELDS = ("time", "eta", "status", "next_update", "system")  # communications.field_*, hint_*


def render(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    comms = plan.communications
    every = comms.update_every
    blocks = [
        heading(1, "communications", t("communications.title")),
        f'<p class="rp-lead">{t("communications.lead")}</p>',
    ]
    if every:
        often = f"<strong>{text(t.duration(every))}</strong>"
        blocks.append(f'<p class="rp-callout">{t("communications.update_every", duration=often)}</p>')
    blocks.append(_composer(plan))
    for audience in comms.audiences.values():
        blocks += _audience(plan, audience, link)
    return "\n\n".join(blocks) + "\n"


def _composer(plan: Plan) -> str:
    t = tr(plan)
    every = plan.communications.update_every
    minutes = int(every.total_seconds() // 60) if every else 0
    fields = "".join(
        f'<div class="rp-field"><label for="rp-field-{name}">{t(f"communications.field_{name}")}</label>'
        f'<input id="rp-field-{name}" name="{name}" type="text" autocomplete="off" '
        f'placeholder="{t(f"communications.hint_{name}")}"{_LIST_ATTR if name == "system" else ""}></div>'
        for name in _FIELDS
    )
    options = "".join(f'<option value="{attr(s.name)}"></option>' for s in plan.recovery_order)
    return (
        f'<form class="rp-composer" data-rp-composer data-search-exclude '
        f'data-organisation="{attr(plan.organisation)}" data-update-every="{minutes}" '
        f"data-blanks=\"{attr(json.dumps(labels(t), ensure_ascii=False))}\" "
        f'aria-label="{t("communications.form_label")}">'
        f'{fields}<datalist id="rp-systems">{options}</datalist></form>'
    )


def _audience(plan: Plan, audience: Audience, link: Linker) -> list[str]:
    t = tr(plan)
    members = plan.audience_members(audience)
    channel = t(f"communications.channel_{audience.channel}")
    about = t("communications.by_channel", channel=channel) if audience.channel != "other" else ""
    if members:
        names = ", ".join(
            f'<a href="{link(CONTACTS_PAGE, contact_anchor(c.id))}">{text(c.name)}</a>'
            for c in members
        )
        about = (
            t("communications.to_members", about=about, count=len(members), names=names)
            if about
            else t("communications.members", count=len(members), names=names)
        )
    blocks = [heading(2, f"audience-{audience.id}", text(audience.name))]
    if about:
        blocks.append(f"<p>{about}</p>")
    if audience.note:
        blocks.append(f'<p class="rp-callout">{text(audience.note)}</p>')
    if audience.channel == "phone" and members:
        blocks.append(
            f'<details class="rp-details"><summary>{t("communications.call_them")}</summary>'
            + "".join(f"<p>{text(c.name)}</p>{call_buttons(c, t)}" for c in members)
            + "</details>"
        )
    for kind in KINDS:
        template = audience.templates.get(kind, plan.communications.templates[kind])
        blocks += [
            heading(3, f"audience-{audience.id}-{kind}", t(f"communications.kind_{kind}")),
            _message(plan, audience, kind, template),
        ]
    return blocks


def _message(plan: Plan, audience: Audience, kind: str, template: str) -> str:
    t = tr(plan)
    members = plan.audience_members(audience)
    body = fill(template, plan.organisation, t)
    numbers = list(dict.fromkeys(_first_textable(c) for c in members if _first_textable(c)))
    emails = [c.email for c in members if c.email]
    kind_name = t.plain(f"communications.kind_{kind}")
    subject = t.plain("communications.subject", organisation=plan.organisation, kind=kind_name)
    sends = []
    if numbers:
        href = f"sms:{','.join(numbers)}?body={quote(body)}"
        sends.append(
            f'<a class="rp-button rp-button--secondary" data-rp-send="sms" href="{attr(href)}">'
            f"{t('communications.text_people', len(numbers))}</a>"
        )
    if emails:
        to = ",".join(quote(e, safe="@") for e in emails)
        href = f"mailto:{to}?subject={quote(subject)}&body={quote(body)}"
        sends.append(
            f'<a class="rp-button rp-button--secondary" data-rp-send="mailto" '
            f'data-subject="{attr(subject)}" href="{attr(href)}">'
            f'{t("communications.email_people", len(emails))}</a>'
        )
    return (
        f'<div class="rp-message"><p class="rp-message__text" data-rp-template="{attr(template)}">'
        f"{text(body)}</p>"
        '<div class="rp-message__actions"><button type="button" class="rp-button" data-rp-copy>'
        f'{t("communications.copy")}</button>{"".join(sends)}</div></div>'
    )


def _first_textable(contact: Contact) -> str:
    return next((p.e164 for p in contact.phones if p.can_text), "")
