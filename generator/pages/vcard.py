"""vCard 3.0 (RFC 2426) cards for contacts, so a phone can save them in one tap."""

from __future__ import annotations

from generator.model import Contact, Phone, Plan
from generator.pages.wording import role_names, tr

_TEL_TYPES = {
    "mobile": "CELL,VOICE",
    "work": "WORK,VOICE",
    "home": "HOME,VOICE",
    "fax": "WORK,FAX",
    "24x7": "WORK,VOICE,PREF",
    "other": "VOICE",
}


def escape(value: str) -> str:
    """A vCard text value: backslash, comma, semicolon and line breaks escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def tel_value(phone: Phone) -> str:
    """E.164, with the extension as in RFC 3966 (``+448000140140;ext=2``); a comma would be
    read as a list separator by vCard parsers."""
    return f"{phone.e164};ext={phone.ext}" if phone.ext else phone.e164


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 2425 5.8.1), never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74  # continuation lines start with a space
        if len((current + char).encode()) > limit:
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out)


def vcard(contact: Contact, plan: Plan) -> str:
    """One contact as a vCard 3.0."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{escape(contact.name)}"]
    if contact.is_vendor:
        lines += [f"N:{escape(contact.name)};;;;", f"ORG:{escape(contact.name)}"]
    else:
        given, _, family = contact.name.strip().rpartition(" ")  # "Tom Okafor": Okafor;Tom
        lines.append(f"N:{escape(family)};{escape(given)};;;")
        if contact.role:
            lines.append(f"TITLE:{escape(contact.role)}")
    for phone in contact.phones:
        lines.append(f"TEL;TYPE={_TEL_TYPES.get(phone.label, 'VOICE')}:{tel_value(phone)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{escape(contact.email)}")
    note = _note(contact, plan)
    if note:
        lines.append(f"NOTE:{escape(note)}")
    category = tr(plan).plain("vcard.category", organisation=plan.organisation)
    lines += [f"CATEGORIES:{escape(category)}", "END:VCARD"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def vcards(plan: Plan) -> str:
    """Every contact of the plan, one card after another."""
    return "".join(vcard(c, plan) for c in plan.contacts.values())


def _note(contact: Contact, plan: Plan) -> str:
    t = tr(plan)
    parts = []
    if contact.provides:
        parts.append(t.plain("vcard.provides", text=contact.provides))
    if contact.account:
        parts.append(t.plain("vcard.account", text=contact.account))
    if contact.sla and contact.sla.callback:
        parts.append(t.plain("vcard.calls_back", duration=t.duration(contact.sla.callback)))
    if contact.sla and contact.sla.restore:
        parts.append(t.plain("vcard.restores", duration=t.duration(contact.sla.restore)))
    for phone in contact.phones:
        if phone.ext:
            parts.append(t.plain("vcard.extension", number=phone.display, ext=phone.ext))
    if contact.escalation:
        names = [plan.contacts[e].name for e in contact.escalation if e in plan.contacts]
        parts.append(t.plain("vcard.escalation", names=t.plain("vcard.then").join(names)))
    roles = role_names(plan).get(contact.id, [])
    if roles:
        parts.append(t.plain("vcard.roles", organisation=plan.organisation, roles=", ".join(roles)))
    return " ".join(parts)
