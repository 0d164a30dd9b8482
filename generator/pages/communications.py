"""The communications page: a message composer that fills every template as you type."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from generator.model import Audience, Contact, Plan
from generator.pages import paths
from generator.pages.messages import fill, labels
from generator.pages.templates import Templates
from generator.pages.wording import tr

KINDS = ("initial", "update", "resolved")  # communications.kind_*
_FIELDS = ("time", "eta", "status", "next_update", "system")  # communications.field_*, hint_*


def render(plan: Plan, templates: Templates) -> str:
    every = plan.communications.update_every
    return templates.page(
        "communications",
        paths.COMMUNICATIONS,
        fields=_FIELDS,
        blanks=json.dumps(labels(tr(plan)), ensure_ascii=False),
        update_every_minutes=int(every.total_seconds() // 60) if every else 0,
        audiences=[_audience(plan, a) for a in plan.communications.audiences.values()],
    )


def _audience(plan: Plan, audience: Audience) -> dict[str, Any]:
    members = plan.audience_members(audience)
    messages = {
        kind: _message(plan, members, kind, audience.templates.get(kind, plan.communications.templates[kind]))
        for kind in KINDS
    }
    return {"audience": audience, "members": members, "messages": messages}


def _message(plan: Plan, members: list[Contact], kind: str, template: str) -> dict[str, Any]:
    """A message as partials/message.html shows it, with its sms: and mailto: links."""
    t = tr(plan)
    body = fill(template, plan.organisation, t)
    numbers = list(dict.fromkeys(n for c in members if (n := _first_textable(c))))
    emails = [c.email for c in members if c.email]
    kind_name = t.plain(f"communications.kind_{kind}")
    subject = t.plain("communications.subject", organisation=plan.organisation, kind=kind_name)
    to = ",".join(quote(e, safe="@") for e in emails)
    return {
        "template": template,
        "text": body,
        "sms": f"sms:{','.join(numbers)}?body={quote(body)}" if numbers else "",
        "texts": len(numbers),
        "mailto": f"mailto:{to}?subject={quote(subject)}&body={quote(body)}" if emails else "",
        "emails": len(emails),
        "subject": subject,
    }


def _first_textable(contact: Contact) -> str:
    return next((p.e164 for p in contact.phones if p.can_text), "")
