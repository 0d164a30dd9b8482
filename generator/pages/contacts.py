"""The contacts page: people and vendors, with call, text and email links and vCards."""

from __future__ import annotations

from generator.model import Contact, Plan
from generator.pages.html import (
    Linker,
    attr,
    call_buttons,
    contact_anchor,
    day,
    heading,
    sla_promise,
    text,
)

PAGE = "contacts/index.md"
ALL_VCARDS = "contacts/all.vcf"


def vcard_file(contact_id: str) -> str:
    return f"contacts/vcards/{contact_id}.vcf"


def render(plan: Plan, link: Linker) -> str:
    roles: dict[str, list[str]] = {}
    for role, contact_id in plan.roles.items():
        roles.setdefault(contact_id, []).append(plan.role_label(role))
    blocks = [
        heading(1, "contacts", "Contacts"),
        '<p class="rp-lead">Everyone the plan relies on. Tap a number to call it.</p>',
        f'<p><a class="rp-button" href="{link(ALL_VCARDS)}" '
        f'download="{attr(plan.organisation)} contacts.vcf">Save all {len(plan.contacts)} '
        "contacts to your phone</a></p>",
    ]
    for anchor, title, group in (("people", "People", plan.people), ("vendors", "Vendors", plan.vendors)):
        if group:
            blocks.append(heading(2, anchor, title))
            blocks += [_card(plan, c, roles.get(c.id, []), link) for c in group]
    return "\n\n".join(blocks) + "\n"


def _card(plan: Plan, contact: Contact, roles: list[str], link: Linker) -> str:
    lines = []
    about = [text(contact.provides) if contact.provides else text(contact.role)]
    if contact.provides and contact.role:
        about.append(text(contact.role))
    if roles:
        about.append("In this plan: " + ", ".join(text(r) for r in roles))
    lines += [f"<p>{a}</p>" for a in about if a]
    if contact.account:
        lines.append(f"<p><strong>Account:</strong> {text(contact.account)}</p>")
    if promise := sla_promise(contact.sla):
        lines.append(f"<p><strong>Service level:</strong> {promise}</p>")
    lines.append(call_buttons(contact, sms=not contact.is_vendor))
    if contact.email:
        lines.append(
            f'<p><a class="rp-button rp-button--secondary" href="mailto:{attr(contact.email)}">'
            f'Email <span class="rp-num">{text(contact.email)}</span></a></p>'
        )
    if contact.escalation:
        chain = "".join(
            f'<li><a href="{link(PAGE, contact_anchor(e))}">{text(plan.contacts[e].name)}</a></li>'
            for e in contact.escalation
            if e in plan.contacts
        )
        lines.append(f'<p>No answer? Escalate, in this order:</p><ol class="rp-list">{chain}</ol>')
    if contact.notes:
        lines.append(f"<p>{text(contact.notes)}</p>")
    lines.append(_verified(contact))
    lines.append(
        f'<p data-search-exclude><a href="{link(vcard_file(contact.id))}" '
        f'download="{attr(contact.id)}.vcf">'
        f"Save {text(contact.name)} to your phone (vCard)</a></p>"
    )
    return heading(3, contact_anchor(contact.id), text(contact.name)) + "\n\n" + (
        f'<div class="rp-card rp-contact">{"".join(lines)}</div>'
    )


def _verified(contact: Contact) -> str:
    if contact.verified is None:
        return '<p class="rp-stale"><strong>These details have never been checked.</strong></p>'
    if contact.stale:
        return (
            f'<p class="rp-stale"><strong>Last checked {day(contact.verified)}: overdue for a '
            "check, the details may be out of date.</strong></p>"
        )
    return f'<p class="rp-muted">Details checked {day(contact.verified)}</p>'
