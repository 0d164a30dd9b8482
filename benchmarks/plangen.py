"""Generates valid plans of any size (fixed seed), for benchmarks and scale tests.

`write_plan(root, systems=1000)` writes plans/ and contacts/ under `root`: `systems` systems in
layered tiers with dependencies on earlier layers, one scenario per 10 systems, two contacts per
system, one incident per 50 systems. Only the first three scenarios go on paper.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

TODAY = "2026-11-25"


def write_plan(root: Path, systems: int = 100, seed: int = 7) -> Path:
    """Write a valid plan with `systems` systems under `root`; returns `root`."""
    rng = random.Random(seed)
    plans, contacts = root / "plans", root / "contacts"
    for folder in (plans / "systems", plans / "scenarios", plans / "incidents", contacts):
        folder.mkdir(parents=True, exist_ok=True)
    people = [f"person-{i}" for i in range(systems)]
    vendors = [f"vendor-{i}" for i in range(systems)]
    _dump(
        plans / "plan.yaml",
        {
            "organisation": f"Generated Org {systems}",
            "site": {
                "url": "https://generated.example.org/recovery/",
                "company_domains": ["corp.example"],
                "region": "GB",
                "paper": "A4",
                "timezone": "Europe/London",
            },
            "review": {"last_reviewed": "2026-10-01", "reviewed_by": people[0]},
            "roles": {"incident_lead": people[0], "deputy": people[1 % systems]},
            "first_hour": {
                "first_ten_minutes": ["Note the time.", "Do not switch anything off."],
                "scope": ["One device or all?"],
                "provider_call": ["What stopped, when"],
                "expect": "Callback within 30 minutes.",
            },
        },
    )
    _dump(
        plans / "communications.yaml",
        {
            "update_every": "30m",
            "audiences": {
                "staff": {"name": "All staff", "channel": "sms", "members": people[:5]},
                "clients": {"name": "Clients", "channel": "phone"},
            },
            "templates": {
                "initial": "We have a problem with {system}; back by {eta}.",
                "update": "Update {time}: {status} Next update by {next_update}.",
                "resolved": "Resolved at {time}.",
            },
        },
    )
    for i in range(systems):
        tier = 1 + min(3, i * 4 // max(systems, 1))
        earlier = [j for j in range(i) if 1 + min(3, j * 4 // max(systems, 1)) <= tier]
        deps = sorted({f"system-{j}" for j in rng.sample(earlier, min(2, len(earlier)))})
        _dump(
            plans / "systems" / f"system-{i}.yaml",
            {
                "name": f"System {i}",
                "tier": tier,
                "owner": people[i],
                "alternate": people[(i + 1) % systems],
                "vendor": vendors[i],
                "depends_on": deps,
                "rto": "4h",
                "rpo": "1h",
                "failover": f"Switch system {i} to its standby.",
                "backup": {
                    "method": "Nightly image",
                    "restore_tests": [
                        {"date": "2026-10-15", "result": "pass", "by": people[i], "duration": "45m"}
                    ],
                },
                "recovery": [
                    {
                        "do": f"Restart system {i}.",
                        "who": people[i],
                        "call": vendors[i],
                        "expect": "It answers again.",
                        "if_not": "Call the vendor.",
                    }
                ],
            },
        )
    for s in range(max(1, systems // 10)):
        _dump(
            plans / "scenarios" / f"scenario-{s}.yaml",
            {
                "title": f"Scenario {s} is down",
                "summary": f"Generated scenario {s}.",
                "affects": [f"system-{s}"],
                "priority": s + 1,
                "on_paper": s < 3,
                "steps": [
                    {
                        "do": f"Step {k} of scenario {s}.",
                        "who": "incident_lead",
                        "call": vendors[s],
                        "expect": "Progress.",
                    }
                    for k in range(4)
                ],
                "notify": ["staff", "clients"],
            },
        )
    for n in range(max(1, systems // 50)):
        _dump(
            plans / "incidents" / f"incident-{n}.yaml",
            {
                "title": f"Incident {n}",
                "date": "2026-06-03",
                "detected": "2026-06-03T09:10",
                "acknowledged": "2026-06-03T09:25",
                "resolved": "2026-06-03T11:40",
                "systems": [f"system-{n}"],
                "impact": "Some impact.",
                "root_cause": "A cause.",
                "actions": [{"do": "Prevent it.", "owner": people[n], "due": "2026-12-30"}],
            },
        )
    _dump(
        contacts / "people.yaml",
        [
            {
                "id": p,
                "name": f"Person {i}",
                "phones": [{"number": f"07400 {100000 + i:06d}", "label": "mobile"}],
                "verified": "2026-10-01",
            }
            for i, p in enumerate(people)
        ],
    )
    _dump(
        contacts / "vendors.yaml",
        [
            {
                "id": v,
                "name": f"Vendor {i}",
                "provides": f"Support for system {i}",
                "account": f"ACC-{i:05d}",
                "phones": [{"number": f"020 7946 {i % 1000:04d}", "label": "24x7"}],
                "sla": {"callback": "30m", "restore": "8h"},
                "verified": "2026-10-01",
            }
            for i, v in enumerate(vendors)
        ],
    )
    return root


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
