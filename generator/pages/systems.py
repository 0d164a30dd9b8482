"""The systems overview (recovery order) and one page per system."""

from __future__ import annotations

from generator.i18n import Translator
from generator.model import Plan, RestoreStatus, Scenario, System
from generator.pages.html import (
    CONTACTS_PAGE,
    Linker,
    call_buttons,
    contact_anchor,
    day,
    front_matter,
    heading,
    person,
    scenario_page,
    sla_promise,
    status_badge,
    steps,
    system_page,
    text,
    tr,
)

PAGE = "systems/index.md"
_RESULT_BADGE = {"pass": "tested", "partial": "stale", "fail": "failed"}
_COLUMNS = ("order", "system", "tier", "owner", "rto", "rpo", "backup")  # systems.col_*


def render_overview(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    columns = [t(f"systems.col_{c}") for c in _COLUMNS]
    rows = []
    for number, s in enumerate(plan.recovery_order, start=1):
        cells = (
            str(number),
            f'<a href="{link(system_page(s.id))}">{text(s.name)}</a>',
            str(s.tier),
            person(plan, s.owner, link),
            text(t.duration(s.rto)) or t("common.none"),
            text(t.duration(s.rpo)) or t("common.none"),
            status_badge(s.restore_status, t),
        )
        rows.append(
            "<tr>"
            + "".join(f'<td data-label="{c}">{v}</td>' for c, v in zip(columns, cells, strict=True))
            + "</tr>"
        )
    head = "".join(f'<th scope="col">{c}</th>' for c in columns)
    return (
        heading(1, "systems", t("systems.title"))
        + f'\n\n<p class="rp-lead">{t("systems.lead")}</p>\n\n'
        + f'<table class="rp-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>\n'
    )


def render(plan: Plan, system: System, scenarios: list[Scenario], link: Linker) -> str:
    t = tr(plan)
    blocks = [
        front_matter(system.name),
        heading(1, "system", text(system.name)),
        f'<p>{status_badge(system.restore_status, t)} '
        f'<span class="rp-tier">{t("systems.tier", tier=system.tier)}</span></p>',
        _facts(plan, system, link),
    ]
    if system.vendor and system.vendor in plan.contacts:
        blocks += [heading(2, "vendor", t("systems.vendor")), _vendor(plan, system.vendor, link)]
    if system.failover:
        blocks += [heading(2, "failover", t("systems.failover")), f"<p>{text(system.failover)}</p>"]
    if system.recovery:
        blocks += [heading(2, "recovery", t("systems.recover")), steps(plan, system.recovery, link)]
    blocks += [heading(2, "backup", t("systems.backup")), _backup(plan, system, link)]
    if scenarios:
        items = "".join(
            f'<li><a href="{link(scenario_page(s.id))}">{text(s.title)}</a></li>' for s in scenarios
        )
        blocks += [heading(2, "scenarios", t("systems.scenarios")), f'<ul class="rp-list">{items}</ul>']
    if system.notes:
        blocks += [heading(2, "notes", t("systems.notes")), f"<p>{text(system.notes)}</p>"]
    return "\n\n".join(blocks) + "\n"


def _facts(plan: Plan, system: System, link: Linker) -> str:
    def links(ids: list[str]) -> str:
        known = [plan.systems[i] for i in ids if i in plan.systems]
        return ", ".join(f'<a href="{link(system_page(s.id))}">{text(s.name)}</a>' for s in known)

    t = tr(plan)
    facts = [(t("systems.owner"), _who_with_calls(plan, system.owner, link))]
    if system.alternate:
        facts.append((t("systems.alternate"), _who_with_calls(plan, system.alternate, link)))
    facts += [
        (t("systems.rto"), text(t.duration(system.rto)) or t("systems.not_set")),
        (t("systems.rpo"), text(t.duration(system.rpo)) or t("systems.not_set")),
        (t("systems.depends_on"), links(system.depends_on) or t("systems.nothing_else")),
        (t("systems.needed_by"), links(system.dependents) or t("systems.no_other")),
    ]
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    return f'<dl class="rp-facts">{items}</dl>'


def _who_with_calls(plan: Plan, who: str, link: Linker) -> str:
    contact = plan.person(who)
    buttons = call_buttons(contact, tr(plan)) if contact else ""
    return person(plan, who, link) + buttons


def _vendor(plan: Plan, vendor_id: str, link: Linker) -> str:
    t = tr(plan)
    vendor = plan.contacts[vendor_id]
    lines = [
        f'<p><a href="{link(CONTACTS_PAGE, contact_anchor(vendor.id))}">{text(vendor.name)}</a>'
        + (f": {text(vendor.provides)}" if vendor.provides else "")
        + "</p>"
    ]
    if vendor.account:
        lines.append(f"<p><strong>{t('common.account')}</strong> {text(vendor.account)}</p>")
    if promise := sla_promise(vendor.sla, t):
        lines.append(f"<p><strong>{t('common.service_level')}</strong> {promise}</p>")
    lines.append(call_buttons(vendor, t))
    return f'<div class="rp-card">{"".join(lines)}</div>'


def _backup(plan: Plan, system: System, link: Linker) -> str:
    t = tr(plan)
    backup = system.backup
    if backup is None:
        return f"<p>{t('systems.no_backup')}</p>"
    out = [
        f"<p><strong>{t('systems.method')}</strong> {text(backup.method)}</p>",
        f"<p>{_status_text(plan, system)}</p>",
    ]
    if backup.restore_tests:
        cols = {c: t(f"systems.col_{c}") for c in ("date", "result", "by", "took", "notes")}
        rows = "".join(
            f'<tr><td data-label="{cols["date"]}">{day(test.date, t)}</td>'
            f'<td data-label="{cols["result"]}">'
            f'<span class="rp-badge rp-badge--{_RESULT_BADGE.get(test.result, "failed")}">'
            f"{_result(test.result, t)}</span></td>"
            f'<td data-label="{cols["by"]}">{person(plan, test.by, link) if test.by else ""}</td>'
            f'<td data-label="{cols["took"]}">{text(t.duration(test.duration))}</td>'
            f'<td data-label="{cols["notes"]}">{text(test.notes)}</td></tr>'
            for test in backup.restore_tests
        )
        head = "".join(f'<th scope="col">{c}</th>' for c in cols.values())
        out.append(
            f'<table class="rp-table"><caption>{t("systems.tests_caption")}</caption><thead><tr>'
            f"{head}</tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(out)


def _result(result: str, t: Translator) -> str:
    """A restore test's result ("pass", "partial", "fail") in the plan's language."""
    return t(f"systems.result_{result}") if f"systems.result_{result}" in t.words else text(result)


def _status_text(plan: Plan, system: System) -> str:
    t = tr(plan)
    last = system.backup.last_test if system.backup else None
    if system.restore_status is RestoreStatus.NEVER or last is None:
        return f"<strong>{t('systems.never_tested')}</strong> {t('systems.never_tested_do')}"
    on = day(last.date, t)
    if system.restore_status is RestoreStatus.STALE:
        every = plan.review.restore_test_every_days
        return f"<strong>{t('systems.test_stale', date=on, days=every)}</strong> {t('systems.test_stale_do')}"
    if system.restore_status is RestoreStatus.FAILED:
        failed = t("systems.test_failed", date=on, result=_result(last.result, t))
        return f"<strong>{failed}</strong> {t('systems.test_failed_do')}"
    return t("systems.test_ok", date=on)
