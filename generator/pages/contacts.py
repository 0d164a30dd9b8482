"""The contacts page: people and vendors, with call, text and email links and vCards."""

from __future__ import annotations

from generator.i18n import Translator
from generator.model import Contact, Plan
from generator.pages.html import (
    Linker,
    attr,
    call_buttons,
    contact_anchor,
    day,
    heading,
    role_name,
    sla_promise,
    text,
    tr,
)

PAGE = "contacts/index.md"
ALL_VCARDS = "contacts/all.vcf"


def vcard_file(contact_id: str) -> str:
    return f"contacts/vcards/{contact_id}.vcf"


def render(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    roles: dict[str, list[str]] = {}
    for role, contact_id in plan.roles.items():
        roles.setdefault(contact_id, []).append(role_name(plan, role))
    file_name = t.plain("contacts.all_file", organisation=plan.organisation)
    blocks = [
        heading(1, "contacts", t("contacts.title")),
        f'<p class="rp-lead">{t("contacts.lead")}</p>',
        f'<p><a class="rp-button" href="{link(ALL_VCARDS)}" '
        f'download="{attr(file_name)}.vcf">{t("contacts.save_all", len(plan.contacts))}</a></p>',
    ]
    for anchor, title, group in (
        ("people", t("contacts.people"), plan.people),
        ("vendors", t("contacts.vendors"), plan.vendors),
    ):
        if group:
            blocks.append(heading(2, anchor, title))
            blocks += [_card(plan, c, roles.get(c.id, []), link) for c in group]
    return "\n\n".join(blocks) + "\n"


def _card(plan: Plan, contact: Contact, roles: list[str], link: Linker) -> str:
    t = tr(plan)
    lines = []
    about = [text(contact.provides) if contact.provides else text(contact.role)]
    if contact.provides and contact.role:
        about.append(text(contact.role))
    if roles:
        about.append(t("contacts.in_plan", roles=", ".join(text(r) for r in roles)))
    lines += [f"<p>{a}</p>" for a in about if a]
    if contact.account:
        lines.append(f"<p><strong>{t('common.account')}</strong> {text(contact.account)}</p>")
    if promise := sla_promise(contact.sla, t):
        lines.append(f"<p><strong>{t('common.service_level')}</strong> {promise}</p>")
    lines.append(call_buttons(contact, t, sms=not contact.is_vendor))
    if contact.email:
        lines.append(
            f'<p><a class="rp-button rp-button--secondary" href="mailto:{attr(contact.email)}">'
            f'{t("common.email")} <span class="rp-num">{text(contact.email)}</span></a></p>'
        )
    if contact.escalation:
        chain = "".join(
            f'<li><a href="{link(PAGE, contact_anchor(e))}">{text(plan.contacts[e].name)}</a></li>'
            for e in contact.escalation
            if e in plan.contacts
        )
        lines.append(f'<p>{t("contacts.escalate")}</p><ol class="rp-list">{chain}</ol>')
    if contact.notes:
        lines.append(f"<p>{text(contact.notes)}</p>")
    lines.append(_verified(contact, t))
    lines.append(
        f'<p data-search-exclude><a href="{link(vcard_file(contact.id))}" '
        f'download="{attr(contact.id)}.vcf">'
        f"{t('contacts.save_one', name=text(contact.name))}</a></p>"
    )
    return heading(3, contact_anchor(contact.id), text(contact.name)) + "\n\n" + (
        f'<div class="rp-card rp-contact">{"".join(lines)}</div>'
    )


def _verified(contact: Contact, t: Translator) -> str:
    if contact.verified is None:
        return f'<p class="rp-stale"><strong>{t("contacts.never_checked")}</strong></p>'
    checked = day(contact.verified, t)
    if contact.stale:
        return f'<p class="rp-stale"><strong>{t("contacts.overdue", date=checked)}</strong></p>'
    return f'<p class="rp-muted">{t("contacts.checked", date=checked)}</p>'
