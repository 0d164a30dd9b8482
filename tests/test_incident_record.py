"""What an incident's timeline proves (format 1.1): each provider's callback against its SLA,
the gaps between updates against `update_every`, and the pages that show them."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from helpers_validate import BASE, EXAMPLE, TODAY

from generator import pages
from generator.model import Callback, Plan
from generator.validate import validate_project

INCIDENT = "plans/incidents/2026-06-internet.yaml"


def plan_with_timeline(tmp_path: Path, timeline: str, vendors: str = "") -> Plan:
    """The corpus's base plan with `timeline` (YAML list lines) in its incident."""
    root = tmp_path / "plan"
    shutil.copytree(BASE, root)
    incident = root / INCIDENT
    incident.write_text(
        incident.read_text().replace("systems: [internet]\n", f"systems: [internet]\ntimeline:\n{timeline}")
    )
    if vendors:
        (root / "contacts" / "more.yaml").write_text(vendors)
    validation = validate_project(root, TODAY)
    assert not [f for f in validation.findings if f.severity == "error"], validation.findings
    assert validation.plan is not None
    return validation.plan


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-06-03T{hhmm}")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_callback_is_timed_from_the_call_and_held_to_the_sla(tmp_path: Path) -> None:
    plan = plan_with_timeline(
        tmp_path,
        "  - {at: 2026-06-03T09:12, text: Called NetCo., call: netco}\n"
        "  - {at: 2026-06-03T09:30, text: Chased NetCo., call: netco}\n"  # a chase, not a new call
        "  - {at: 2026-06-03T09:43, text: NetCo called back., callback: netco}\n"
        "  - {at: 2026-06-03T10:00, text: Called NetCo again., call: netco}\n"
        "  - {at: 2026-06-03T10:30, text: NetCo called back., callback: netco}\n"
        "  - {at: 2026-06-03T10:31, text: Called Bob., call: bob}\n",  # a person: no SLA to hold
    )
    (incident,) = plan.incidents
    assert incident.callbacks == [
        Callback("netco", at("09:12"), at("09:43"), timedelta(minutes=30)),
        Callback("netco", at("10:00"), at("10:30"), timedelta(minutes=30)),
    ]
    assert [c.waited for c in incident.callbacks] == [timedelta(minutes=31), timedelta(minutes=30)]
    assert [c.met for c in incident.callbacks] == [False, True]  # 31 min late; exactly 30 is met
    assert plan.callback_record("netco") == [(incident, c) for c in incident.callbacks]
    assert plan.callback_record("booksoft") == []


def test_a_call_never_returned_is_missed_and_a_vendor_without_sla_is_not_judged(tmp_path: Path) -> None:
    plan = plan_with_timeline(
        tmp_path,
        "  - {at: 2026-06-03T09:12, text: Called NetCo., call: netco}\n"
        "  - {at: 2026-06-03T09:15, text: Called BookSoft., call: booksoft}\n"
        "  - {at: 2026-06-03T09:20, text: BookSoft called back., callback: booksoft}\n",
    )
    netco, booksoft = plan.incidents[0].callbacks
    assert (netco.called_back, netco.waited, netco.met) == (None, None, False)
    assert (booksoft.waited, booksoft.sla, booksoft.met) == (timedelta(minutes=5), None, None)


def test_update_gaps_per_audience_against_the_promised_cadence(tmp_path: Path) -> None:
    plan = plan_with_timeline(
        tmp_path,
        "  - {at: 2026-06-03T09:20, text: Told staff., notified: staff}\n"
        "  - {at: 2026-06-03T09:25, text: Told clients., notified: clients}\n"
        "  - {at: 2026-06-03T09:50, text: Update to staff., notified: staff}\n"
        "  - {at: 2026-06-03T10:21, text: Update to staff., notified: staff}\n",
    )
    gaps = plan.incidents[0].update_gaps
    assert [(g.audience, g.start, g.end, g.length, g.late) for g in gaps] == [
        ("staff", at("09:20"), at("09:50"), timedelta(minutes=30), False),
        ("staff", at("09:50"), at("10:21"), timedelta(minutes=31), True),
    ]


@pytest.fixture(scope="module")
def example() -> Plan:
    validation = validate_project(EXAMPLE, TODAY)
    assert validation.plan is not None
    return validation.plan


@pytest.fixture(scope="module")
def example_pages(example: Plan) -> dict[str, str]:
    return pages.render(example)


def test_the_incident_page_shows_the_timeline_callbacks_and_update_gaps(
    example_pages: dict[str, str],
) -> None:
    page = text_of(example_pages["incidents/2026-06-internet-outage/index.md"])
    assert "09:12 Called FibreLink, fault reference 88123. (called FibreLink Business)" in page
    assert (
        "09:47 FibreLink called back; the line is fine, engineer not needed. (FibreLink Business called back)"
        in page
    )
    assert (
        "missed FibreLink Business: called at 09:12, called back after 35 mins (promised within 30 mins)"
        in page
    )
    assert (
        "met Severn IT Services: called at 09:30, called back after 11 mins (promised within 15 mins)" in page
    )
    assert "Updates promised every 30 mins." in page
    assert "late All staff: 1 hr 15 mins between updates (09:20 to 10:35)" in page


def test_the_contacts_page_lists_each_vendors_record(example_pages: dict[str, str]) -> None:
    page = text_of(example_pages["contacts/index.md"])
    fibrelink = page[page.index("FibreLink Business Internet line") :]
    assert (
        "Callbacks in past incidents: 0 of 1 within the promised time. 3 Jun 2026 : missed FibreLink"
        in fibrelink
    )
    severn = page[page.index("Severn IT Services IT support") :]
    assert "Callbacks in past incidents: 1 of 1 within the promised time." in severn
    people = page[: page.index("Severn IT Services IT support")]
    assert "Callbacks in past incidents" not in people
