"""`calendar.ics`: the plan's dates to keep, for its owners to subscribe to (RFC 5545).

Each reminder is an all-day event on the day something falls due (the plan's review, a
contact check, a restore test, an exercise, a maintenance task, a patch, the end of a system's
support, its planned replacement, an action), naming its owner and linking to its page. The
prevention page lists the same reminders. UIDs are
made of what the reminder is about, not of its date, so a subscribed calendar moves an event
when its date changes instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from generator.i18n import Translator, translator
from generator.model import Plan
from generator.pages import paths
from generator.pages.paths import (
    contact_anchor,
    incident_page,
    page_url,
    scenario_page,
    system_page,
    task_anchor,
)

FILE = "calendar.ics"
PRODUCT = "-//recovery-plan//calendar//EN"


@dataclass(frozen=True)
class Reminder:
    """One date to keep: `key` names what it is about ("restore-test/nas") and makes its UID."""

    key: str
    day: date
    summary: str
    owner: str  # a name, or "" when nobody is named
    description: str
    page: str  # src path of the page that explains it ("systems/nas/index.md")
    anchor: str = ""


def reminders(plan: Plan) -> list[Reminder]:
    """Every date of the plan that someone must act on, earliest first."""
    return sorted(
        _reminders(plan, translator(plan.site.language, plan.site.timezone)), key=lambda r: (r.day, r.key)
    )


def _reminders(plan: Plan, t: Translator) -> Iterator[Reminder]:
    review = plan.review
    reviewer = review.reviewed_by or "incident_lead"
    yield Reminder(
        "plan-review",
        review.next_due,
        t.plain("calendar.plan_review"),
        _name(plan, reviewer),
        t.plain("calendar.plan_review_what", date=t.date(review.last_reviewed)),
        paths.HEALTH,
    )
    every_contact = timedelta(days=review.contacts_every_days)
    for contact in plan.contacts.values():
        due = contact.verified + every_contact if contact.verified else plan.today
        yield Reminder(
            f"contact-check/{contact.id}",
            due,
            t.plain("calendar.contact_check", name=contact.name),
            _name(plan, reviewer),
            t.plain("calendar.contact_check_what"),
            paths.CONTACTS,
            contact_anchor(contact.id),
        )
    every_test = timedelta(days=review.restore_test_every_days)
    for system in plan.recovery_order:
        if system.backup is None:
            continue
        last = system.backup.last_test
        yield Reminder(
            f"restore-test/{system.id}",
            last.date + every_test if last else plan.today,
            t.plain("calendar.restore_test", system=system.name),
            _name(plan, system.owner),
            t.plain("calendar.restore_test_what", method=system.backup.method),
            system_page(system.id),
        )
    yield from _prevention(plan, t)
    for incident in plan.incidents:
        for number, action in enumerate(incident.actions, 1):
            if action.due and not action.is_done:
                yield Reminder(
                    f"action/{incident.id}/{number}",
                    action.due,
                    t.plain("calendar.action", action=action.do),
                    _name(plan, action.owner),
                    t.plain("calendar.action_what", incident=incident.title),
                    incident_page(incident.id),
                )


def _prevention(plan: Plan, t: Translator) -> Iterator[Reminder]:
    """The dates of format 1.1: exercises, maintenance tasks, patches, support ends and
    replacements."""
    tier_one = {s.id for s in plan.systems.values() if s.tier == 1}
    every_exercise = timedelta(days=plan.review.exercise_every_days)
    for scenario in plan.scenarios:
        last = scenario.last_exercise
        if last or tier_one.intersection(scenario.affects):
            who = last.by if last and last.by else "incident_lead"
            yield Reminder(
                f"exercise/{scenario.id}",
                last.date + every_exercise if last else plan.today,
                t.plain("calendar.exercise", scenario=scenario.title),
                _name(plan, who),
                t.plain("calendar.exercise_what"),
                scenario_page(scenario.id),
            )
    for task in plan.maintenance:
        yield Reminder(
            f"maintenance/{task.id}",
            task.next_due or plan.today,
            t.plain("calendar.maintenance", task=task.do),
            _name(plan, task.owner),
            t.plain("calendar.maintenance_what", every=t.duration(task.every)),
            paths.PREVENTION,
            task_anchor(task.id),
        )
    for system in plan.recovery_order:
        owner = _name(plan, system.owner)
        if system.patching and system.patching.every:
            yield Reminder(
                f"patching/{system.id}",
                system.patching.next_due or plan.today,
                t.plain("calendar.patching", system=system.name),
                owner,
                t.plain("calendar.patching_what", every=t.duration(system.patching.every)),
                system_page(system.id),
            )
        life = system.lifecycle
        for key, day in (
            ("support_ends", life and life.support_ends),
            ("replace_by", life and life.replace_by),
        ):
            if day:
                yield Reminder(
                    f"{key.replace('_', '-')}/{system.id}",
                    day,
                    t.plain(f"calendar.{key}", system=system.name),
                    owner,
                    t.plain(f"calendar.{key}_what"),
                    system_page(system.id),
                )


def _name(plan: Plan, who: str) -> str:
    person = plan.person(who) if who else None
    return person.name if person else ""


def calendar(plan: Plan) -> bytes:
    """The iCalendar file: one all-day event per reminder, stamped with the plan's "today"."""
    t = translator(plan.site.language, plan.site.timezone)
    base = plan.site.url if plan.site.url.endswith("/") else f"{plan.site.url}/"
    where = urlsplit(base)
    site = f"{where.hostname}{where.path.rstrip('/')}"  # two plans may share a host
    stamp = datetime.combine(plan.today, time(), UTC)
    feed = Calendar()
    feed.add("prodid", PRODUCT)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", t.plain("calendar.name", organisation=plan.organisation))
    feed.add("x-wr-timezone", plan.site.timezone)
    for reminder in reminders(plan):
        link = base + page_url(reminder.page) + (f"#{reminder.anchor}" if reminder.anchor else "")
        owner = t.plain("calendar.owner", name=reminder.owner) if reminder.owner else ""
        event = Event()
        event.add("uid", f"{reminder.key}@{site}")
        event.add("dtstamp", stamp)
        event.add("dtstart", reminder.day)
        event.add("dtend", reminder.day + timedelta(days=1))
        event.add("summary", reminder.summary)
        event.add("description", "\n".join(filter(None, [reminder.description, owner, link])))
        event.add("url", link)
        event.add("transp", "TRANSPARENT")  # a reminder, not time taken out of anyone's day
        feed.add_component(event)
    ical: bytes = feed.to_ical()
    return ical


def webcal(plan: Plan) -> str:
    """The `webcal:` address of the published calendar: calendar apps subscribe to it and
    follow its changes."""
    return "webcal:" + plan.site.url.removeprefix("https:") + FILE


def write(site_dir: Path, plan: Plan) -> None:
    """Writes `calendar.ics` at the top of the built site."""
    (site_dir / FILE).write_bytes(calendar(plan))
