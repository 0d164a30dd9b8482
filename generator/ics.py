"""`calendar.ics`: the plan's dates to keep, for its owners to subscribe to (RFC 5545).

Each reminder is an all-day event on the day something falls due (the plan's review, a
contact check, a restore test, an action), naming its owner and linking to its page. UIDs are
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
from generator.pages.paths import contact_anchor, incident_page, page_url, system_page

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


def write(site_dir: Path, plan: Plan) -> None:
    """Writes `calendar.ics` at the top of the built site."""
    (site_dir / FILE).write_bytes(calendar(plan))
