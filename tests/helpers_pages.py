"""A small hand-built Plan for the page unit tests (independent of the loader)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from generator.model import (
    SLA,
    Action,
    Audience,
    Backup,
    Communications,
    Contact,
    Finding,
    FirstHour,
    Incident,
    Phone,
    Plan,
    RestoreStatus,
    RestoreTest,
    Review,
    Scenario,
    Severity,
    SiteSettings,
    Step,
    System,
)

XSS = "<script>alert(1)</script> *bold* [x](javascript:alert(1)) & \"q\" 'a'"


def sample_plan(payload: str = "") -> Plan:
    """A plan exercising every page feature; `payload` is appended to every text field."""

    def t(value: str) -> str:
        return value + payload

    priya = Contact(
        id="priya",
        name=t("Priya Raman"),
        role=t("Practice manager"),
        phones=[
            Phone("+441174960211", "+44 117 496 0211", "mobile"),
            Phone("+441174960311", "+44 117 496 0311", "home"),
        ],
        email="priya@example.com",
        verified=date(2026, 9, 1),
        notes=t("Has the spare key."),
    )
    tom = Contact(
        id="tom",
        name=t("Tom Okafor"),
        phones=[Phone("+441174960212", "+44 117 496 0212", "mobile")],
        email="tom@example.net",
        verified=date(2025, 1, 1),
        stale=True,
    )
    fibre = Contact(
        id="fibrelink",
        name=t("FibreLink Business"),
        provides=t("Internet connection and router"),
        account=t("Account 4471-22"),
        phones=[Phone("+448000140140", "+44 800 014 0140", "24x7", ext="2")],
        sla=SLA(callback=timedelta(minutes=30), restore=timedelta(hours=8)),
        escalation=["priya"],
        verified=date(2026, 8, 1),
    )
    contacts = {c.id: c for c in (priya, tom, fibre)}
    power = System(id="power", name=t("Power"), tier=1, owner="tom", dependents=["internet"])
    internet = System(
        id="internet",
        name=t("Internet connection"),
        tier=1,
        owner="tom",
        alternate="incident_lead",
        vendor="fibrelink",
        depends_on=["power"],
        rto=timedelta(hours=4),
        rpo=timedelta(0),
        failover=t("Plug the 4G router into WAN2."),
        backup=Backup(
            method=t("Config export"),
            restore_tests=[RestoreTest(date(2026, 9, 14), "fail", "tom", timedelta(minutes=45), t("No."))],
        ),
        recovery=[Step(do=t("Power-cycle the router."), call="fibrelink")],
        notes=t("Router in the comms cabinet."),
        restore_status=RestoreStatus.FAILED,
    )
    scenario = Scenario(
        id="internet-down",
        title=t("The internet is down"),
        summary=t("No website loads."),
        affects=["internet"],
        priority=1,
        notify=["staff"],
        steps=[
            Step(
                do=t("Check whether it is one device or every device."),
                who="incident_lead",
                call="fibrelink",
                expect=t("The light is green."),
                if_not=t("Go to the next step."),
            ),
            Step(do=t("Switch to the 4G router."), who="tom"),
        ],
    )
    templates = {
        "initial": t("{organisation}: back by {eta}."),
        "update": t("Update {time}: {status} Next update by {next_update}."),
        "resolved": t("{system} fixed at {time}."),
    }
    staff = Audience(
        id="staff",
        name=t("All staff"),
        channel="sms",
        members=["priya", "tom"],
        note=t("Text everyone."),
        templates=dict(templates),
    )
    incident = Incident(
        id="router-update",
        title=t("Internet outage"),
        date=date(2026, 6, 3),
        detected=datetime(2026, 6, 3, 9, 10),
        acknowledged=datetime(2026, 6, 3, 9, 25),
        resolved=datetime(2026, 6, 3, 11, 40),
        systems=["internet"],
        impact=t("Card payments down."),
        root_cause=t("Firmware update."),
        actions=[
            Action(
                do=t("Turn off auto updates."),
                owner="tom",
                due=date(2026, 6, 30),
                done=date(2026, 6, 12),
                is_done=True,
            ),
            Action(do=t("Buy a UPS."), owner="priya", due=date(2026, 7, 1), overdue=True),
        ],
    )
    return Plan(
        organisation=t("Harbour Dental Group"),
        site=SiteSettings(url="https://example.github.io/plan/", timezone="Europe/London"),
        review=Review(last_reviewed=date(2026, 1, 5), reviewed_by="priya"),
        roles={"deputy": "tom", "incident_lead": "priya"},
        first_hour=FirstHour(
            scope=[t("Is it one computer?")],
            provider_call=[t("What stopped working")],
            expect=t("Callback within 15 minutes."),
            first_ten_minutes=[t("Stay calm.")],
        ),
        systems={"power": power, "internet": internet},
        scenarios=[scenario],
        contacts=contacts,
        communications=Communications(timedelta(minutes=30), {"staff": staff}, templates),
        incidents=[incident],
        today=date(2026, 10, 5),
        findings=[
            Finding("contacts/people.yaml", 12, 3, Severity.WARNING, t("`tom` is stale."), t("call him")),
            Finding("plans/systems/internet.yaml", 20, 5, Severity.WARNING, t("Restore failed.")),
        ],
    )


# Fields whose value picks words or a format, so the pages cannot show any other: `site` (URL,
# paper, language, timezone) and an audience's `channel`; and the keys of `templates` (kinds).
NOT_FREE_TEXT = {"site", "channel"}


def poison_everything(value: Any, payload: str, field: str = "") -> Any:
    """A copy of a model object with `payload` appended to every string in it, ids and the keys
    of its mappings included (so references still resolve), but `NOT_FREE_TEXT`."""
    if field in NOT_FREE_TEXT:
        return value
    if isinstance(value, str) and not isinstance(value, Enum):
        return value + payload
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {
            f.name: poison_everything(getattr(value, f.name), payload, f.name)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changed)
    if isinstance(value, (list, tuple)):
        return type(value)(poison_everything(item, payload, field) for item in value)
    if isinstance(value, dict):
        return {
            (key if field == "templates" else poison_everything(key, payload, field)): poison_everything(
                item, payload, field
            )
            for key, item in value.items()
        }
    return value
