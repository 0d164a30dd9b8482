"""calendar.ics: one event per date to keep, with stable UIDs, parsed by the icalendar library."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
import yaml
from helpers_site import ROOT, example_copy, example_site

from generator import ics
from generator.model import Plan
from generator.validate import validate_project

TODAY = "2026-11-25"


def _plan(root: Path) -> Plan:
    result = validate_project(root, today=TODAY)
    assert result.plan is not None, [str(f) for f in result.errors]
    return result.plan


def _events(plan: Plan) -> dict[str, icalendar.Event]:
    feed = icalendar.Calendar.from_ical(ics.calendar(plan))
    events = list(feed.walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), "UIDs must be unique"
    return {uid.split("@")[0]: event for uid, event in zip(uids, events, strict=True)}


@pytest.fixture(scope="module")
def example() -> Plan:
    return _plan(ROOT)


def test_every_date_to_keep_is_one_all_day_event_with_its_owner_and_page(example: Plan) -> None:
    events = _events(example)
    review = example.review
    expected: dict[str, tuple[date, str]] = {
        "plan-review": (review.next_due, "health/"),
    }
    for contact in example.contacts.values():
        due = (
            contact.verified + timedelta(days=review.contacts_every_days)
            if contact.verified
            else example.today
        )
        expected[f"contact-check/{contact.id}"] = (due, f"contacts/#contact-{contact.id}")
    for system in example.systems.values():
        if system.backup is not None:
            last = system.backup.last_test
            due = last.date + timedelta(days=review.restore_test_every_days) if last else example.today
            expected[f"restore-test/{system.id}"] = (due, f"systems/{system.id}/")
    for incident in example.incidents:
        for number, action in enumerate(incident.actions, 1):
            if action.due and not action.is_done:
                expected[f"action/{incident.id}/{number}"] = (action.due, f"incidents/{incident.id}/")
    assert any(key.startswith("action/") for key in expected), "the example has an open action"
    expected |= _prevention_dates(example)

    assert set(events) == set(expected)
    for key, (day, page) in expected.items():
        event = events[key]
        assert event.decoded("DTSTART") == day, key
        assert event.decoded("DTEND") == day + timedelta(days=1), key
        assert str(event["URL"]) == example.site.url + page, key
        assert str(event["URL"]) in str(event["DESCRIPTION"]), key
    restore = next(s for s in example.systems.values() if s.backup is not None)
    owner = example.person(restore.owner)
    assert owner is not None
    assert f"Owner: {owner.name}" in str(events[f"restore-test/{restore.id}"]["DESCRIPTION"])
    assert restore.name in str(events[f"restore-test/{restore.id}"]["SUMMARY"])


def _prevention_dates(plan: Plan) -> dict[str, tuple[date, str]]:
    """The dates of format 1.1, worked out from the plan's fields as the format defines them."""
    expected: dict[str, tuple[date, str]] = {}
    tier_one = {s.id for s in plan.systems.values() if s.tier == 1}
    for scenario in plan.scenarios:
        dates = [e.date for e in scenario.exercises]
        if dates:
            due = max(dates) + timedelta(days=plan.review.exercise_every_days)
            expected[f"exercise/{scenario.id}"] = (due, f"scenarios/{scenario.id}/")
        elif tier_one & set(scenario.affects):
            expected[f"exercise/{scenario.id}"] = (plan.today, f"scenarios/{scenario.id}/")
    for task in plan.maintenance:
        due = task.last + task.every if task.last and task.every else plan.today
        expected[f"maintenance/{task.id}"] = (due, f"prevention/#task-{task.id}")
    for system in plan.systems.values():
        page = f"systems/{system.id}/"
        if system.patching and system.patching.every and system.patching.last:
            expected[f"patching/{system.id}"] = (system.patching.last + system.patching.every, page)
        if system.lifecycle and system.lifecycle.support_ends:
            expected[f"support-ends/{system.id}"] = (system.lifecycle.support_ends, page)
        if system.lifecycle and system.lifecycle.replace_by:
            expected[f"replace-by/{system.id}"] = (system.lifecycle.replace_by, page)
    kinds = {key.split("/")[0] for key in expected}
    assert kinds == {"exercise", "maintenance", "patching", "support-ends", "replace-by"}, (
        "the example uses every kind of prevention date"
    )
    return expected


def test_prevention_events_name_their_owner_and_what_to_do(example: Plan) -> None:
    events = _events(example)
    task = example.maintenance[0]
    owner = example.person(task.owner)
    assert owner is not None
    event = events[f"maintenance/{task.id}"]
    assert task.do in str(event["SUMMARY"])
    assert f"Owner: {owner.name}" in str(event["DESCRIPTION"])
    system = next(s for s in example.systems.values() if s.lifecycle and s.lifecycle.support_ends)
    assert system.name in str(events[f"support-ends/{system.id}"]["SUMMARY"])
    system_owner = example.person(system.owner)
    assert system_owner is not None
    assert f"Owner: {system_owner.name}" in str(events[f"support-ends/{system.id}"]["DESCRIPTION"])


def test_a_moved_exercise_or_task_changes_only_its_event(example: Plan, tmp_path: Path) -> None:
    root = example_copy(tmp_path / "plan")
    before = _events(_plan(root))
    tasks_file = root / "plans" / "maintenance.yaml"
    tasks = yaml.safe_load(tasks_file.read_text(encoding="utf-8"))
    moved = tasks["tasks"][0]
    moved["last"] = str(date.fromisoformat(str(moved["last"])) + timedelta(days=5))
    tasks_file.write_text(yaml.safe_dump(tasks, allow_unicode=True), encoding="utf-8")
    _only_moved(before, _events(_plan(root)), f"maintenance/{moved['id']}", timedelta(days=5))


def test_two_builds_give_the_same_uids_and_a_moved_date_changes_only_its_event(
    example: Plan, tmp_path: Path
) -> None:
    root = example_copy(tmp_path / "plan")
    assert _events(_plan(root)).keys() == _events(example).keys()
    before = _events(_plan(root))
    people = root / "contacts" / "people.yaml"
    contacts = yaml.safe_load(people.read_text(encoding="utf-8"))
    moved = next(c for c in contacts if c.get("verified"))
    moved["verified"] = str(date.fromisoformat(str(moved["verified"])) + timedelta(days=3))
    people.write_text(yaml.safe_dump(contacts, allow_unicode=True), encoding="utf-8")
    _only_moved(before, _events(_plan(root)), f"contact-check/{moved['id']}", timedelta(days=3))


def _only_moved(
    before: dict[str, icalendar.Event], after: dict[str, icalendar.Event], key: str, by: timedelta
) -> None:
    """The events are the same but `key`'s, which starts `by` later."""
    assert after.keys() == before.keys()
    assert {k for k in before if before[k].to_ical() != after[k].to_ical()} == {key}
    assert after[key].decoded("DTSTART") == before[key].decoded("DTSTART") + by


def test_the_calendar_speaks_the_plan_language(tmp_path: Path) -> None:
    root = example_copy(tmp_path / "plan")
    plan_file = root / "plans" / "plan.yaml"
    plan_file.write_text(
        plan_file.read_text(encoding="utf-8").replace("language: en-GB", "language: de"), encoding="utf-8"
    )
    plan = _plan(root)
    assert plan.site.language == "de"
    summaries = [str(e["SUMMARY"]) for e in _events(plan).values()]
    assert "Notfallplan überprüfen" in summaries
    assert not any(s.startswith("Check the contact") for s in summaries)


def test_the_built_site_publishes_the_calendar() -> None:
    published = icalendar.Calendar.from_ical((example_site() / ics.FILE).read_bytes())
    assert published.walk("VEVENT"), "calendar.ics has events"
