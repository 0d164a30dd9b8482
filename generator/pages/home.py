"""The home page: what a frightened person reads first, in the order they need it."""

from __future__ import annotations

from generator.model import Plan
from generator.pages.html import (
    COMMUNICATIONS_PAGE,
    CONTACTS_PAGE,
    SYSTEMS_PAGE,
    Linker,
    call_buttons,
    contact_anchor,
    heading,
    role_name,
    system_page,
    text,
    tr,
)
from generator.pages.scenarios import scenario_buttons
from generator.printsheet import pdf_name

PAGE = "index.md"
RECOVERY_ORDER_SHOWN = 10  # the rest is on the systems overview


def render(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    blocks = [
        heading(1, "start-here", t("home.title")),
        f'<p class="rp-lead">{t("home.lead")}</p>',
    ]
    first = plan.first_hour
    if first.first_ten_minutes:
        blocks += [
            heading(2, "first-ten-minutes", t("home.first_ten")),
            _list("ol", first.first_ten_minutes),
        ]
    blocks += [_leads(plan, link)]
    if plan.scenarios:
        blocks += [heading(2, "what-is-happening", t("home.what_is_happening")), scenario_buttons(plan, link)]
    if first.scope:
        blocks += [heading(2, "find-out", t("home.find_out")), _list("ul", first.scope)]
    if first.provider_call or first.expect:
        blocks.append(heading(2, "calling-a-provider", t("home.calling_provider")))
        if first.provider_call:
            blocks += [f'<p>{t("home.have_ready")}</p>', _list("ul", first.provider_call)]
        if first.expect:
            blocks.append(
                f'<p class="rp-expect"><strong>{t("home.what_to_expect")}</strong> {text(first.expect)}</p>')
    blocks += [
        '<div class="rp-links">'
        f'<a class="rp-button" href="{link(CONTACTS_PAGE)}">{t("home.all_contacts")}</a>'
        f'<a class="rp-button" href="{link(COMMUNICATIONS_PAGE)}">{t("home.messages")}</a>'
        f'<a class="rp-button" href="{link(pdf_name(plan.site.paper))}">'
        f"{t('home.printed_sheet', paper=text(plan.site.paper))}</a></div>",
        _recovery_order(plan, link),
    ]
    return "\n\n".join(b for b in blocks if b) + "\n"


def _list(tag: str, items: list[str]) -> str:
    return f"<{tag} class=\"rp-list\">" + "".join(f"<li>{text(i)}</li>" for i in items) + f"</{tag}>"


def _leads(plan: Plan, link: Linker) -> str:
    """The role holders, the incident lead first, each with call buttons."""
    t = tr(plan)
    roles = sorted(plan.roles, key=lambda role: role != "incident_lead")
    cards = []
    for role in roles:
        contact = plan.person(role)
        if contact is None:
            continue
        cards.append(
            f'<div class="rp-card"><p class="rp-card__title"><strong>{text(role_name(plan, role))}:'
            f'</strong> <a href="{link(CONTACTS_PAGE, contact_anchor(contact.id))}">'
            f"{text(contact.name)}</a></p>{call_buttons(contact, t)}</div>"
        )
    if not cards:
        return ""
    cards_html = f'<div class="rp-cards">{"".join(cards)}</div>'
    return heading(2, "who-leads", t("home.who_leads")) + "\n\n" + cards_html


def _recovery_order(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    systems = plan.recovery_order
    if not systems:
        return ""
    items = "".join(
        f'<li><a href="{link(system_page(s.id))}">{text(s.name)}</a> '
        f'<span class="rp-muted">{t("home.tier", tier=s.tier)}</span></li>'
        for s in systems[:RECOVERY_ORDER_SHOWN]
    )
    more = (
        f'<p><a href="{link(SYSTEMS_PAGE)}">{t("home.all_systems", count=len(systems))}</a></p>'
        if len(systems) > RECOVERY_ORDER_SHOWN
        else f'<p><a href="{link(SYSTEMS_PAGE)}">{t("home.systems_overview")}</a></p>'
    )
    return (
        heading(2, "recovery-order", t("home.recovery_order"))
        + f"\n\n<p>{t('home.order_lead')}</p>\n\n"
        + f'<ol class="rp-order">{items}</ol>\n\n{more}'
    )
