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
)
from generator.pages.messages import BLANKS, fill
from generator.values import human_duration as duration

PAGE = "communications.md"
_LIST_ATTR = ' list="rp-systems"'
KIND_TITLES = {"initial": "First message", "update": "Update", "resolved": "Resolved"}
_FIELDS = (  # placeholder, label, hint shown in the empty box
    ("time", "Time now", "09:40"),
    ("eta", "Expected back by", "11:00, or this afternoon"),
    ("status", "Status, in one sentence", "The provider is replacing the router."),
    ("next_update", "Next update by", "10:10"),
    ("system", "What is not working", "Internet connection"),
)


def render(plan: Plan, link: Linker) -> str:
    comms = plan.communications
    every = comms.update_every
    blocks = [
        heading(1, "communications", "Communications"),
        '<p class="rp-lead">Who to tell, and with which words. Fill in the boxes: every message '
        "below changes as you type. Then copy it, or send it from here.</p>",
    ]
    if every:
        blocks.append(
            f'<p class="rp-callout">Send an update at least every <strong>{duration(every)}'
            "</strong>, even when nothing has changed.</p>"
        )
    blocks.append(_composer(plan))
    for audience in comms.audiences.values():
        blocks += _audience(plan, audience, link)
    return "\n\n".join(blocks) + "\n"


def _composer(plan: Plan) -> str:
    every = plan.communications.update_every
    minutes = int(every.total_seconds() // 60) if every else 0
    fields = "".join(
        f'<div class="rp-field"><label for="rp-field-{name}">{label}</label>'
        f'<input id="rp-field-{name}" name="{name}" type="text" autocomplete="off" '
        f'placeholder="{attr(hint)}"{_LIST_ATTR if name == "system" else ""}></div>'
        for name, label, hint in _FIELDS
    )
    options = "".join(f'<option value="{attr(s.name)}"></option>' for s in plan.recovery_order)
    return (
        f'<form class="rp-composer" data-rp-composer data-search-exclude '
        f'data-organisation="{attr(plan.organisation)}" data-update-every="{minutes}" '
        f"data-blanks=\"{attr(json.dumps(BLANKS))}\" aria-label=\"Message details\">"
        f'{fields}<datalist id="rp-systems">{options}</datalist></form>'
    )


def _audience(plan: Plan, audience: Audience, link: Linker) -> list[str]:
    members = plan.audience_members(audience)
    about = f"By {text(audience.channel)}" if audience.channel != "other" else ""
    if members:
        names = ", ".join(
            f'<a href="{link(CONTACTS_PAGE, contact_anchor(c.id))}">{text(c.name)}</a>'
            for c in members
        )
        about += f"{' to ' if about else 'To '}{len(members)}: {names}"
    blocks = [heading(2, f"audience-{audience.id}", text(audience.name))]
    if about:
        blocks.append(f"<p>{about}</p>")
    if audience.note:
        blocks.append(f'<p class="rp-callout">{text(audience.note)}</p>')
    if audience.channel == "phone" and members:
        blocks.append(
            '<details class="rp-details"><summary>Call them</summary>'
            + "".join(f"<p>{text(c.name)}</p>{call_buttons(c)}" for c in members)
            + "</details>"
        )
    for kind, title in KIND_TITLES.items():
        template = audience.templates.get(kind, plan.communications.templates[kind])
        blocks += [
            heading(3, f"audience-{audience.id}-{kind}", title),
            _message(plan, audience, kind, template),
        ]
    return blocks


def _message(plan: Plan, audience: Audience, kind: str, template: str) -> str:
    members = plan.audience_members(audience)
    body = fill(template, plan.organisation)
    numbers = list(dict.fromkeys(_first_textable(c) for c in members if _first_textable(c)))
    emails = [c.email for c in members if c.email]
    subject = f"{plan.organisation}: {KIND_TITLES[kind].lower()}"
    sends = []
    if numbers:
        href = f"sms:{','.join(numbers)}?body={quote(body)}"
        sends.append(
            f'<a class="rp-button rp-button--secondary" data-rp-send="sms" href="{attr(href)}">'
            f"Text {_count(len(numbers))}</a>"
        )
    if emails:
        to = ",".join(quote(e, safe="@") for e in emails)
        href = f"mailto:{to}?subject={quote(subject)}&body={quote(body)}"
        sends.append(
            f'<a class="rp-button rp-button--secondary" data-rp-send="mailto" '
            f'data-subject="{attr(subject)}" href="{attr(href)}">Email {_count(len(emails))}</a>'
        )
    return (
        f'<div class="rp-message"><p class="rp-message__text" data-rp-template="{attr(template)}">'
        f"{text(body)}</p>"
        '<div class="rp-message__actions"><button type="button" class="rp-button" data-rp-copy>'
        f'Copy</button>{"".join(sends)}</div></div>'
    )


def _first_textable(contact: Contact) -> str:
    return next((p.e164 for p in contact.phones if p.can_text), "")


def _count(n: int) -> str:
    return "1 person" if n == 1 else f"all {n}"
