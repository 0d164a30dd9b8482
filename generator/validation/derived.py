"""Phase 5, derived: the facts computed from the whole plan (recovery order, dependency cycles,
restore status, staleness, overdue actions and reviews), set on the final, frozen model objects."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import date, datetime

from generator.loader import Path_
from generator.model import (
    Action,
    Callback,
    Communications,
    Contact,
    Finding,
    Incident,
    RestoreStatus,
    Severity,
    System,
    UpdateGap,
)
from generator.validation.load import Loaded
from generator.validation.prevention import check_prevention
from generator.validation.values import ReadContact, ReadIncident, ReadSystem, Values

UNREVIEWED_INCIDENT_DAYS = 7
WARNING = Severity.WARNING


@dataclass(frozen=True)
class Derived:
    """The model objects with their derived facts, and the warnings (and cycle errors) found."""

    systems: list[System]  # in recovery order
    contacts: dict[str, Contact]  # by id, in file order
    incidents: list[Incident]  # newest first (those whose date was read)
    findings: list[Finding]


def derive(loaded: Loaded, values: Values) -> Derived:
    """The derived facts of the plan that `loaded` and `values` established."""
    findings: list[Finding] = []
    review = values.settings.review if values.settings else None
    if loaded.plan and review and review.next_due < values.today:
        findings.append(
            loaded.plan.finding(
                ("review", "last_reviewed"),
                f"the plan was last reviewed on {review.last_reviewed}, "
                f"more than {review.plan_every_days} days ago",
                "review every file with the people named in it, then update `last_reviewed`",
                code="review-overdue",
                severity=WARNING,
            )
        )
    order = _recovery_order(values.systems, findings)
    systems = [_with_restore_status(values.systems[s.id], s, values, findings) for s in order]
    contacts = {read.contact.id: _with_staleness(read, values, findings) for read in values.contacts}
    incidents = [
        _with_timeline_facts(i, contacts, values.communications)
        for read in values.incidents
        if (i := _with_overdue_actions(read, values.today, findings))
    ]
    incidents.sort(key=lambda i: (i.date, i.id), reverse=True)
    findings += check_prevention(values)
    return Derived(systems, contacts, incidents, findings)


# -- recovery order ----------------------------------------------------------------------------


def _recovery_order(read: dict[str, ReadSystem], findings: list[Finding]) -> list[System]:
    """Every system, each once what it depends on is placed, then by tier and name; systems in a
    cycle (reported) last. Each with its `dependents`; `depends_on` keeps the known systems."""
    depends = {i: [d for d in r.system.depends_on if d in read] for i, r in read.items()}
    dependents: dict[str, list[str]] = {i: [] for i in read}
    for ident, deps in depends.items():
        system = read[ident].system
        for dep in deps:
            dependents[dep].append(ident)
            other = read[dep].system
            if system.tier < other.tier and read[ident].tier_read and read[dep].tier_read:
                findings.append(
                    read[ident].doc.finding(
                        ("depends_on", deps.index(dep)),
                        f"`{ident}` is tier {system.tier} but depends on `{dep}`, which is tier {other.tier}",
                        "a system cannot come back before "
                        f"what it depends on: make `{dep}` tier {system.tier} or `{ident}` tier "
                        f"{other.tier}",
                        code="tier-order",
                        severity=WARNING,
                    )
                )
    systems = {i: replace(r.system, depends_on=depends[i], dependents=dependents[i]) for i, r in read.items()}
    waiting = {i: len(d) for i, d in depends.items()}
    ready = [(s.tier, s.name.lower(), i) for i, s in systems.items() if not waiting[i]]
    heapq.heapify(ready)
    order: list[System] = []
    while ready:
        system = systems[heapq.heappop(ready)[2]]
        order.append(system)
        for dependent in system.dependents:
            waiting[dependent] -= 1
            if not waiting[dependent]:
                s = systems[dependent]
                heapq.heappush(ready, (s.tier, s.name.lower(), s.id))
    placed = {s.id for s in order}
    stuck = [s for s in systems.values() if s.id not in placed]
    findings += _cycles(stuck, read)
    return order + sorted(stuck, key=lambda s: (s.tier, s.name.lower()))


def _cycles(stuck: list[System], read: dict[str, ReadSystem]) -> list[Finding]:
    """Each cycle among the systems the topological sort could not place."""
    graph = {s.id: [d for d in s.depends_on if d != s.id] for s in stuck}
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    findings = []
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(graph[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif nxt in graph and state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                last = cycle[-1]
                findings.append(
                    read[last].doc.finding(
                        ("depends_on", graph[last].index(nxt)),
                        "dependency cycle: " + " → ".join([*cycle, nxt]) + " (each depends on the next)",
                        "systems cannot all wait for each other: remove one `depends_on` entry in the cycle",
                        code="cycle",
                    )
                )
            elif nxt in graph and nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph[nxt]))
    return findings


# -- restore status, staleness, overdue actions --------------------------------------------------


def _with_restore_status(read: ReadSystem, system: System, values: Values, findings: list[Finding]) -> System:
    """The system with its restore status (and the warning it brings): none derived when a
    restore test could not be read (reported); `stale` and `tested` only when the review policy
    is known."""
    if not read.restore_tests_read:
        return system
    if system.backup is None:
        return replace(system, restore_status=RestoreStatus.NO_BACKUP)
    review = values.settings.review if values.settings else None
    last = system.backup.last_test
    where: Path_
    tests = ("backup", "restore_tests")
    if last is None:
        status, where, code = RestoreStatus.NEVER, ("backup",), "restore-never"
        message = f"the backup of `{system.id}` has never been restored in a test"
        hint = "restore it to a spare machine once and record it under `restore_tests:`"
    elif last.result != "pass":
        status, where, code = RestoreStatus.FAILED, tests, "restore-failed"
        message = f"the last restore test of `{system.id}` ({last.date}) was `{last.result}`"
        hint = "fix the backup and test the restore again"
    elif review is None:
        return system
    elif (values.today - last.date).days > (every := review.restore_test_every_days):
        status, where, code = RestoreStatus.STALE, tests, "restore-stale"
        message = f"the last restore test of `{system.id}` was on {last.date}, more than {every} days ago"
        hint = "test a restore again and record it"
    else:
        return replace(system, restore_status=RestoreStatus.TESTED)
    findings.append(read.doc.finding(where, message, hint, code=code, severity=WARNING))
    return replace(system, restore_status=status)


def _with_staleness(read: ReadContact, values: Values, findings: list[Finding]) -> Contact:
    """The contact, `stale` when no one recorded checking it, or longer ago than the review
    policy asks (when it is known)."""
    contact, today = read.contact, values.today
    review = values.settings.review if values.settings else None
    if contact.verified is None and not read.verified_written:
        findings.append(
            read.doc.finding(
                read.path,
                f"no one has recorded checking `{contact.id}`'s details",
                f"call or email them, then add `verified: {today}`",
                code="contact-unverified",
                severity=WARNING,
            )
        )
        return replace(contact, stale=True)
    every = review.contacts_every_days if review else None
    if contact.verified and every is not None and (today - contact.verified).days > every:
        findings.append(
            read.doc.finding(
                (*read.path, "verified"),
                f"`{contact.id}`'s details were last verified on "
                f"{contact.verified}, more than {every} days ago",
                f"check the numbers still work, then set `verified: {today}`",
                code="contact-stale",
                severity=WARNING,
            )
        )
        return replace(contact, stale=True)
    return contact


def _with_overdue_actions(read: ReadIncident, today: date, findings: list[Finding]) -> Incident | None:
    actions: list[Action] = []
    for path, action in read.actions:
        overdue = bool(action.due and action.due < today and not action.is_done)
        if overdue:
            findings.append(
                read.doc.finding(
                    (*path, "due"),
                    f'the action "{_short(action.do)}" was due on {action.due} and is not done',
                    "do it and record `done: <date>`, or agree a new `due` date",
                    code="action-overdue",
                    severity=WARNING,
                )
            )
        actions.append(replace(action, overdue=overdue))
    incident = read.incident
    if incident is None:
        return None
    age = (today - incident.date).days
    if (not incident.root_cause or not incident.actions) and age > UNREVIEWED_INCIDENT_DAYS:
        missing = "`root_cause`" if not incident.root_cause else "`actions`"
        findings.append(
            read.doc.finding(
                (),
                f"the incident of {incident.date} has no review yet ({missing} missing, {age} days later)",
                "hold a short post-incident review and record the root cause and the prevention actions",
                code="incident-unreviewed",
                severity=WARNING,
            )
        )
    return replace(incident, actions=actions)


# -- what an incident's timeline proves (1.1) -----------------------------------------------------


def _with_timeline_facts(
    incident: Incident, contacts: dict[str, Contact], communications: Communications | None
) -> Incident:
    """The incident with its callbacks (each `call` to a vendor that is not already waiting for
    one, and the next `callback` of that vendor) and the gaps between messages to each audience."""
    callbacks: list[Callback] = []
    waiting: dict[str, int] = {}  # vendor id -> index in `callbacks` of its call waiting
    for entry in incident.timeline:
        if entry.callback in waiting:
            n = waiting.pop(entry.callback)
            callbacks[n] = replace(callbacks[n], called_back=entry.at)
        vendor = contacts.get(entry.call)
        if vendor is not None and vendor.is_vendor and entry.call not in waiting:
            waiting[entry.call] = len(callbacks)
            sla = vendor.sla.callback if vendor.sla else None
            callbacks.append(Callback(entry.call, entry.at, None, sla))
    every = communications.update_every if communications else None
    last: dict[str, datetime] = {}
    gaps = []
    for entry in incident.timeline:
        if not entry.notified:
            continue
        if (start := last.get(entry.notified)) is not None:
            late = every is not None and entry.at - start > every
            gaps.append(UpdateGap(entry.notified, start, entry.at, late))
        last[entry.notified] = entry.at
    return replace(incident, callbacks=callbacks, update_gaps=gaps)


def _short(text: str, limit: int = 50) -> str:
    """`text` cut at a word boundary to about `limit` characters."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
