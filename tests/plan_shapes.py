"""Plans of every shape the format allows, for end-to-end builds: `write_shape(name, root)`.

The base is a small valid plan (one system, one scenario, an incident, two people, a vendor,
an own page and a copy of the example's mkdocs.yml); each shape changes one thing in it, or is
generated (`benchmarks.plangen`). Reusable: a test module builds them all, and checks what it
needs of each site (`SHAPES` is the matrix).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from benchmarks.plangen import write_plan

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-25"

PLAN: dict[str, Any] = {
    "organisation": "Fjord Arkitekter",
    "site": {
        "url": "https://fjord-ark.github.io/recovery/",
        "company_domains": ["fjordark.example"],
        "region": "GB",
        "paper": "A4",
        "timezone": "Europe/London",
    },
    "review": {"last_reviewed": "2026-10-01", "reviewed_by": "ingrid"},
    "roles": {"incident_lead": "ingrid"},
    "first_hour": {
        "scope": ["One computer, or the whole office?"],
        "provider_call": ["What stopped working, and when"],
        "expect": "A callback within 30 minutes.",
    },
}
COMMUNICATIONS: dict[str, Any] = {
    "update_every": "30m",
    "audiences": {
        "staff": {"name": "All staff", "channel": "sms", "members": ["ingrid", "ole"]},
        "clients": {"name": "Clients", "channel": "phone"},
    },
    "templates": {
        "initial": "We have a problem; back by {eta}.",
        "update": "Update {time}: {status} Next update by {next_update}.",
        "resolved": "Resolved at {time}.",
    },
}
SYSTEM: dict[str, Any] = {
    "name": "Internet connection",
    "tier": 1,
    "owner": "ole",
    "alternate": "ingrid",
    "vendor": "nettco",
    "rto": "4h",
    "rpo": "0",
    "backup": "none",
    "recovery": [{"do": "Restart the router.", "who": "ole"}],
}
SCENARIO: dict[str, Any] = {
    "title": "The internet is down",
    "summary": "No website loads in the office.",
    "affects": ["internet"],
    "priority": 1,
    "on_paper": True,
    "steps": [
        {"do": "Check two computers.", "who": "incident_lead"},
        {"do": "Report the fault.", "who": "incident_lead", "call": "nettco", "expect": "A fault reference."},
    ],
    "notify": ["staff", "clients"],
}
INCIDENT: dict[str, Any] = {
    "title": "Router firmware outage",
    "date": "2026-06-03",
    "detected": "2026-06-03T09:10",
    "acknowledged": "2026-06-03T09:25",
    "resolved": "2026-06-03T11:40",
    "systems": ["internet"],
    "impact": "Two hours offline.",
    "root_cause": "An automatic firmware update.",
    "actions": [
        {"do": "Turn off automatic updates.", "owner": "ole", "due": "2026-06-30", "done": "2026-06-12"}
    ],
}
PEOPLE: list[dict[str, Any]] = [
    {
        "id": "ingrid",
        "name": "Ingrid Berg",
        "phones": [{"number": "07911 123456", "label": "mobile"}],
        "verified": "2026-10-01",
    },
    {
        "id": "ole",
        "name": "Ole Hansen",
        "phones": [{"number": "07911 123457", "label": "mobile"}],
        "verified": "2026-10-01",
    },
]
VENDORS: list[dict[str, Any]] = [
    {
        "id": "nettco",
        "name": "NettCo Business",
        "provides": "Internet connection",
        "phones": [{"number": "0800 014 0140", "label": "24x7"}],
        "sla": {"callback": "30m"},
        "verified": "2026-10-01",
    },
]
LONG = (
    "Unplug every cable from the router, note which port each one came from on the "
    "printed label, wait a full minute, then plug them back one at a time, starting with "
    "the power, and watch the lights: https://fjord-ark.github.io/recovery/a-very-long-"
    "address-that-does-not-break-anywhere-on-its-own/and/goes/on/and/on "
)


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def one_system(root: Path) -> Path:
    """The base: every optional part present, one of each."""
    _dump(root / "plans" / "plan.yaml", PLAN)
    _dump(root / "plans" / "communications.yaml", COMMUNICATIONS)
    _dump(root / "plans" / "systems" / "internet.yaml", SYSTEM)
    _dump(root / "plans" / "scenarios" / "internet-down.yaml", SCENARIO)
    _dump(root / "plans" / "incidents" / "2026-06-router.yaml", INCIDENT)
    _dump(root / "contacts" / "people.yaml", PEOPLE)
    _dump(root / "contacts" / "vendors.yaml", VENDORS)
    pages = root / "plans" / "pages"
    pages.mkdir(parents=True)
    (pages / "where-things-are.md").write_text(
        "# Where things are\n\nThe router is in the hall.\n", encoding="utf-8"
    )
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")  # INHERITs a file it does not have
    (root / "site_overrides").mkdir()
    return root


def _edit(path: Path, change: Callable[[Any], Any]) -> None:
    _dump(path, change(yaml.safe_load(path.read_text(encoding="utf-8"))))


def no_pages(root: Path) -> Path:
    one_system(root)
    shutil.rmtree(root / "plans" / "pages")
    shutil.rmtree(root / "site_overrides")
    return root


def no_incidents(root: Path) -> Path:
    one_system(root)
    shutil.rmtree(root / "plans" / "incidents")
    return root


def no_paper(root: Path) -> Path:
    one_system(root)
    _edit(root / "plans" / "scenarios" / "internet-down.yaml", lambda s: {**s, "on_paper": False})
    return root


def no_vendors(root: Path) -> Path:
    one_system(root)
    (root / "contacts" / "vendors.yaml").unlink()
    _edit(
        root / "plans" / "systems" / "internet.yaml", lambda s: {k: v for k, v in s.items() if k != "vendor"}
    )
    _edit(
        root / "plans" / "scenarios" / "internet-down.yaml",
        lambda s: {**s, "steps": [{k: v for k, v in step.items() if k != "call"} for step in s["steps"]]},
    )
    return root


def no_members(root: Path) -> Path:
    one_system(root)
    _edit(
        root / "plans" / "communications.yaml",
        lambda c: {
            **c,
            "audiences": {
                key: {k: v for k, v in audience.items() if k != "members"}
                for key, audience in c["audiences"].items()
            },
        },
    )
    return root


def no_mkdocs_yml(root: Path) -> Path:
    one_system(root)
    (root / "mkdocs.yml").unlink()
    return root


def minimal_mkdocs_yml(root: Path) -> Path:
    one_system(root)
    (root / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    return root


def mkdocs_yml_without_plugin(root: Path) -> Path:
    """A hand-written mkdocs.yml: no INHERIT, a theme as a word, plugins without this tool's."""
    one_system(root)
    (root / "mkdocs.yml").write_text(
        "site_name: Plan\ntheme: material\nplugins:\n  - search\n", encoding="utf-8"
    )
    return root


def systems_100(root: Path) -> Path:
    return write_plan(root, 100)


def long_steps(root: Path) -> Path:
    one_system(root)
    _edit(
        root / "plans" / "scenarios" / "internet-down.yaml",
        lambda s: {
            **s,
            "steps": [{"do": f"{n}. {LONG * 2}", "who": "incident_lead", "expect": LONG} for n in range(12)],
        },
    )
    return root


SHAPES: dict[str, Callable[[Path], Path]] = {
    "one-system": one_system,
    "no-pages": no_pages,
    "no-incidents": no_incidents,
    "no-paper": no_paper,
    "no-vendors": no_vendors,
    "no-members": no_members,
    "no-mkdocs-yml": no_mkdocs_yml,
    "minimal-mkdocs-yml": minimal_mkdocs_yml,
    "mkdocs-yml-without-plugin": mkdocs_yml_without_plugin,
    "systems-100": systems_100,
    "long-steps": long_steps,
}


def write_shape(name: str, root: Path) -> Path:
    """Write the plan of shape `name` into `root` (created); returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    return SHAPES[name](root)
