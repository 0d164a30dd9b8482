"""The facts the in-browser incident recorder (assets/incident.js) needs, from the build: the
update cadence, audiences, vendors' callback SLAs, scenarios and their systems, the timezone,
language and the recorder's words. Written once, as `incident.json` at the site's root (precached
with every other file, encrypted with a private plan's), which the recorder fetches."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from generator.model import Plan
from generator.pages.wording import tr

JS = "assets/incident.js"
FACTS = "incident.json"  # beside sw.js; incident.js finds it relative to itself


def _minutes(value: timedelta | None) -> int | None:
    return int(value.total_seconds() // 60) if value is not None else None


def facts(plan: Plan) -> dict[str, Any]:
    """The JSON-ready facts of `plan` for the recorder."""
    return {
        "timezone": plan.site.timezone,
        "language": plan.site.language,
        "update_every": _minutes(plan.communications.update_every),
        "audiences": {a.id: a.name for a in plan.communications.audiences.values()},
        "vendors": {
            c.id: {"name": c.name, "sla": _minutes(c.sla.callback if c.sla else None)} for c in plan.vendors
        },
        "contacts": {c.id: c.name for c in plan.contacts.values()},
        "scenarios": {s.id: {"title": s.title, "systems": s.affects} for s in plan.scenarios},
        "words": tr(plan).section("incident"),
    }


def facts_file(plan: Plan) -> str:
    """incident.json: the facts of `plan`, compact."""
    return json.dumps(facts(plan), ensure_ascii=False, separators=(",", ":"))
