"""The systems overview (recovery order) and one page per system."""

from __future__ import annotations

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
)
from generator.values import human_duration as duration

PAGE = "systems/index.md"
_RESULT_BADGE = {"pass": "tested", "partial": "stale", "fail": "failed"}
_COLUMNS = ("Order", "System", "Tier", "Owner", "RTO", "RPO", "Backup")


def render_overview(plan: Plan, link: Linker) -> str:
    rows = []
    for number, s in enumerate(plan.recovery_order, start=1):
        cells = (
            str(number),
            f'<a href="{link(system_page(s.id))}">{text(s.name)}</a>',
            str(s.tier),
            person(plan, s.owner, link),
            duration(s.rto) or "–",
            duration(s.rpo) or "–",
            status_badge(s.restore_status),
        )
        rows.append(
            "<tr>"
            + "".join(f'<td data-label="{c}">{v}</td>' for c, v in zip(_COLUMNS, cells, strict=True))
            + "</tr>"
        )
    head = "".join(f'<th scope="col">{c}</th>' for c in _COLUMNS)
    return (
        heading(1, "systems", "Systems")
        + "\n\n<p class=\"rp-lead\">In recovery order: what other systems depend on comes first, "
        "then tier 1 (restore first) to tier 4. RTO: how soon it must work again. RPO: how much "
        "recent data may be lost.</p>\n\n"
        + f'<table class="rp-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>\n'
    )


def render(plan: Plan, system: System, scenarios: list[Scenario], link: Linker) -> str:
    blocks = [
        front_matter(system.name),
        heading(1, "system", text(system.name)),
        f'<p>{status_badge(system.restore_status)} <span class="rp-tier">Tier {system.tier}</span></p>',
        _facts(plan, system, link),
    ]
    if system.vendor and system.vendor in plan.contacts:
        blocks += [heading(2, "vendor", "Vendor"), _vendor(plan, system.vendor, link)]
    if system.failover:
        blocks += [heading(2, "failover", "Failover"), f"<p>{text(system.failover)}</p>"]
    if system.recovery:
        blocks += [heading(2, "recovery", "How to recover it"), steps(plan, system.recovery, link)]
    blocks += [heading(2, "backup", "Backup"), _backup(plan, system, link)]
    if scenarios:
        items = "".join(
            f'<li><a href="{link(scenario_page(s.id))}">{text(s.title)}</a></li>' for s in scenarios
        )
        blocks += [heading(2, "scenarios", "Scenarios"), f'<ul class="rp-list">{items}</ul>']
    if system.notes:
        blocks += [heading(2, "notes", "Notes"), f"<p>{text(system.notes)}</p>"]
    return "\n\n".join(blocks) + "\n"


def _facts(plan: Plan, system: System, link: Linker) -> str:
    def links(ids: list[str]) -> str:
        known = [plan.systems[i] for i in ids if i in plan.systems]
        return ", ".join(f'<a href="{link(system_page(s.id))}">{text(s.name)}</a>' for s in known)

    facts = [("Owner", _who_with_calls(plan, system.owner, link))]
    if system.alternate:
        facts.append(("Alternate", _who_with_calls(plan, system.alternate, link)))
    facts += [
        ("Recovery time objective (RTO)", duration(system.rto) or "Not set"),
        ("Recovery point objective (RPO)", duration(system.rpo) or "Not set"),
        ("Depends on", links(system.depends_on) or "Nothing else"),
        ("Needed by", links(system.dependents) or "No other system"),
    ]
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    return f'<dl class="rp-facts">{items}</dl>'


def _who_with_calls(plan: Plan, who: str, link: Linker) -> str:
    contact = plan.person(who)
    buttons = call_buttons(contact) if contact else ""
    return person(plan, who, link) + buttons


def _vendor(plan: Plan, vendor_id: str, link: Linker) -> str:
    vendor = plan.contacts[vendor_id]
    lines = [
        f'<p><a href="{link(CONTACTS_PAGE, contact_anchor(vendor.id))}">{text(vendor.name)}</a>'
        + (f": {text(vendor.provides)}" if vendor.provides else "")
        + "</p>"
    ]
    if vendor.account:
        lines.append(f"<p><strong>Account:</strong> {text(vendor.account)}</p>")
    if promise := sla_promise(vendor.sla):
        lines.append(f"<p><strong>Service level:</strong> {promise}</p>")
    lines.append(call_buttons(vendor))
    return f'<div class="rp-card">{"".join(lines)}</div>'


def _backup(plan: Plan, system: System, link: Linker) -> str:
    backup = system.backup
    if backup is None:
        return "<p>This system has no backup.</p>"
    out = [f"<p><strong>Method:</strong> {text(backup.method)}</p>", f"<p>{_status_text(plan, system)}</p>"]
    if backup.restore_tests:
        rows = "".join(
            f'<tr><td data-label="Date">{day(t.date)}</td><td data-label="Result">'
            f'<span class="rp-badge rp-badge--{_RESULT_BADGE.get(t.result, "failed")}">'
            f"{text(t.result)}</span></td>"
            f'<td data-label="By">{person(plan, t.by, link) if t.by else ""}</td>'
            f'<td data-label="Took">{duration(t.duration)}</td>'
            f'<td data-label="Notes">{text(t.notes)}</td></tr>'
            for t in backup.restore_tests
        )
        out.append(
            '<table class="rp-table"><caption>Restore tests, newest first</caption><thead><tr>'
            '<th scope="col">Date</th><th scope="col">Result</th><th scope="col">By</th>'
            '<th scope="col">Took</th><th scope="col">Notes</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(out)


def _status_text(plan: Plan, system: System) -> str:
    last = system.backup.last_test if system.backup else None
    if system.restore_status is RestoreStatus.NEVER or last is None:
        return (
            "<strong>This backup has never been test-restored.</strong> Nobody knows whether "
            "it works: test it."
        )
    every = plan.review.restore_test_every_days
    if system.restore_status is RestoreStatus.STALE:
        return (
            f"<strong>The last restore test was on {day(last.date)}: more than {every} days "
            "ago.</strong> Test-restore this backup soon."
        )
    if system.restore_status is RestoreStatus.FAILED:
        return (
            f"<strong>The last restore test, on {day(last.date)}, did not fully work "
            f"({text(last.result)}).</strong> Do not rely on this backup until a test passes."
        )
    return f"The last restore test, on {day(last.date)}, worked."
