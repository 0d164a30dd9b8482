"""Phase 2, shape: each loaded document against its declaration in `format.py`, through the
cerberus schemas derived from it (`generator.schema`)."""

from __future__ import annotations

from generator import format, schema
from generator.model import Finding
from generator.validation.load import Loaded


def check_shapes(loaded: Loaded) -> list[Finding]:
    """The shape problems of every loaded document."""
    findings: list[Finding] = []
    if loaded.plan:
        findings += schema.check(loaded.plan, format.PLAN.top, loaded.plan.data)
    if loaded.communications:
        comms = loaded.communications
        findings += schema.check(comms, format.COMMUNICATIONS.top, comms.data)
    for doc in loaded.systems.values():
        findings += schema.check(doc, format.SYSTEM.top, doc.data)
        if isinstance(backup := doc.data.get("backup"), dict):  # or `none` (read as a value)
            findings += schema.check(doc, format.BACKUP, backup, ("backup",))
    for doc in loaded.scenarios.values():
        findings += schema.check(doc, format.SCENARIO.top, doc.data)
    for doc in loaded.incidents.values():
        findings += schema.check(doc, format.INCIDENT.top, doc.data)
    if loaded.maintenance:
        findings += schema.check(loaded.maintenance, format.MAINTENANCE.top, loaded.maintenance.data)
    for doc in loaded.contacts:
        for index, item in enumerate(doc.data if isinstance(doc.data, list) else []):
            findings += schema.check(doc, format.CONTACT.top, item, (index,), "a contact")
    return findings
