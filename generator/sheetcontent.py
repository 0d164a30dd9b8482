"""What the printed sheet shows: the plan resolved into names, formatted numbers and codes,
each list most important first (the format's order of importance, at most `CAPS` items)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from markupsafe import Markup, escape

from generator import i18n, qr
from generator.i18n import Translator
from generator.model import (
    Audience,
    Contact,
    Phone,
    Plan,
    Scenario,
    Step,
    System,
)

PAPERS = {"A4": "A4 portrait", "Letter": "letter portrait"}  # plan.site.paper -> CSS page size
CAPS = {"scenarios": 24, "vendors": 40, "systems": 60, "contacts": 40}  # most items ever measured


def pdf_name(paper: str) -> str:
    return f"recovery-plan-{paper}.pdf"


def papers_first(configured: str) -> list[str]:
    """The paper sizes, the plan's own first."""
    return [configured, *(p for p in PAPERS if p != configured)]


@dataclass
class PhoneLine:
    number: str  # international format
    ext: str = ""  # "ext. 2" in the plan's language: printed apart, so a line may break before it
    label: str = ""


@dataclass
class PersonRow:
    role: str
    name: str
    phones: list[PhoneLine]
    email: str = ""
    check: str = ""  # a warning: the details may be out of date


@dataclass
class CallTarget:
    name: str
    phone: PhoneLine | None  # None when the contact has no phone (then the email is shown)
    email: str = ""


@dataclass
class StepLine:
    do: str
    who: str = ""
    call: CallTarget | None = None
    expect: str = ""
    if_not: str = ""


@dataclass
class ScenarioBlock:
    id: str
    title: str
    summary: str
    steps: list[StepLine]
    qr: Markup


@dataclass
class Sheet:
    """Everything the template can show, resolved to names and formatted numbers, each list
    most important first (at most `CAPS` items: more would never fit)."""

    organisation: str
    pdfs: list[dict[str, str]]
    url: str
    live_qr: Markup
    unlocks: str  # a private plan: the date of the build its code unlocks ("" when public)
    built: str
    reviewed: str
    reviewed_by: str
    next_review: str
    review_overdue: bool
    people: list[PersonRow]  # the holders of the plan's roles
    call_qrs: list[dict[str, Any]]
    first_ten: list[str]
    scope: list[str]
    provider_call: list[str]
    expect: str
    scenarios: list[ScenarioBlock]  # `on_paper: true` first, then the others that may be printed
    must_scenarios: int  # how many of them must be printed
    scenario_ids: list[str]  # every scenario that may be printed, in the order of `scenarios`
    vendors: list[dict[str, Any]]
    systems: list[dict[str, Any]]
    contacts: list[PersonRow]  # other contacts with a role
    message: dict[str, Any]
    page_counter: Markup  # the CSS `content` of the page number
    t: Translator  # the plan's language
    totals: dict[str, int] = field(default_factory=dict)  # part -> items in the plan


def sheet(plan: Plan, unlock_url: str = "") -> Sheet:
    """Resolve the plan into what the printed sheet can show, most important first."""
    must = [s for s in plan.scenarios if s.on_paper is True]
    scenarios = must + [s for s in plan.scenarios if s.on_paper is None]
    reviewer = plan.person(plan.review.reviewed_by) if plan.review.reviewed_by else None
    holders = set(plan.roles.values())
    vendors = key_vendors(plan, must, scenarios[len(must) :])
    contacts = [c for c in plan.contacts.values() if c.role and c.id not in holders]
    t = i18n.translator(plan.site.language, plan.site.timezone)
    return Sheet(
        organisation=plan.organisation,
        pdfs=[{"paper": p, "file": pdf_name(p)} for p in papers_first(plan.site.paper)],
        url=plan.site.url,
        live_qr=qr.svg(
            unlock_url or plan.site.url,
            module_mm=0.55,
            max_mm=34,
            label=t.plain("sheet.scan_unlock" if unlock_url else "sheet.scan_live"),
        ),
        unlocks=t.date(plan.today) if unlock_url else "",
        built=t.date(plan.today),
        reviewed=t.date(plan.review.last_reviewed),
        reviewed_by=reviewer.name if reviewer else "",
        next_review=t.date(plan.review.next_due),
        review_overdue=plan.review_overdue,
        people=_role_holders(plan, t),
        call_qrs=_call_qrs(plan, t),
        first_ten=plan.first_hour.first_ten_minutes,
        scope=plan.first_hour.scope,
        provider_call=plan.first_hour.provider_call,
        expect=plan.first_hour.expect,
        scenarios=[_scenario_block(plan, s, t) for s in scenarios[: len(must) + CAPS["scenarios"]]],
        must_scenarios=len(must),
        scenario_ids=[s.id for s in scenarios],
        vendors=[_vendor_row(plan, v, t) for v in vendors[: CAPS["vendors"]]],
        systems=[_system_row(plan, s, t) for s in plan.recovery_order[: CAPS["systems"]]],
        contacts=[_person_row(c, c.role, t) for c in contacts[: CAPS["contacts"]]],
        message=_message(plan, t),
        page_counter=_page_counter(t),
        t=t,
        totals={
            "scenarios": len(scenarios),
            "vendors": len(vendors),
            "systems": len(plan.systems),
            "contacts": len(contacts),
        },
    )


def _page_counter(t: Translator) -> Markup:
    """ "Page {page} of {pages}" as CSS generated content."""
    parts = re.split(r"\{(page|pages)\}", t.plain("sheet.page_of", page="{page}", pages="{pages}"))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"counter({part})")
        elif part:
            out.append('"' + part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"')
    return Markup(" ".join(out))


def scenario_url(plan: Plan, scenario_id: str) -> str:
    """The scenario's page on the live plan (the address its code on the sheet opens)."""
    from generator.pages.paths import page_url, scenario_page  # here: generator.pages imports this module

    return urljoin(plan.site.url.rstrip("/") + "/", page_url(scenario_page(scenario_id)))


def best_phone(contact: Contact) -> Phone | None:
    """The number to ring: a 24x7 line if there is one, else the first."""
    return next((p for p in contact.phones if p.label == "24x7"), None) or next(iter(contact.phones), None)


def incident_lead_call(plan: Plan) -> tuple[Contact, Phone] | None:
    lead = plan.person("incident_lead")
    return (lead, lead.phones[0]) if lead and lead.phones else None


def provider_fault_line(plan: Plan) -> tuple[Contact, Phone, str] | None:
    """The primary provider's line: a vendor named by a role (e.g. `tech_support`), else the
    vendor of the first tier-1 system in recovery order that has one."""
    for role, contact_id in plan.roles.items():
        vendor = plan.contacts.get(contact_id)
        if vendor and vendor.is_vendor and (phone := best_phone(vendor)):
            return vendor, phone, _role_name(plan, role)
    for system in plan.recovery_order:
        vendor = plan.contacts.get(system.vendor) if system.tier == 1 and system.vendor else None
        phone = best_phone(vendor) if vendor else None
        if vendor and phone:
            return vendor, phone, system.name
    return None


def _call_qrs(plan: Plan, t: Translator) -> list[dict[str, Any]]:
    codes = []
    if lead := incident_lead_call(plan):
        contact, phone = lead
        who = t.plain("sheet.the_incident_lead")
        codes.append(
            {
                "svg": qr.svg(phone.tel_uri, label=t.plain("sheet.scan_to_call", who=who)),
                "who": who,
                "what": contact.name,
                "phone": _phone_line(phone, t),
            }
        )
    if fault := provider_fault_line(plan):
        vendor, phone, system_name = fault
        line = "fault_line" if phone.label == "24x7" else "support_line"
        codes.append(
            {
                "svg": qr.svg(phone.tel_uri, label=t.plain("sheet.scan_to_call", who=vendor.name)),
                "who": vendor.name,
                "what": t.plain(f"sheet.{line}", system=system_name),
                "phone": _phone_line(phone, t),
            }
        )
    return codes


def _role_name(plan: Plan, who: str) -> str:
    """A role's label in the plan's language, as on the site; "" for a contact id."""
    from generator.pages.wording import role_name  # here: generator.pages imports this module

    return role_name(plan, who)


def _phones(contact: Contact, t: Translator) -> list[PhoneLine]:
    """The contact's numbers, each with its label in the plan's language (none for "other")."""
    return [
        _phone_line(
            p,
            t,
            ""
            if p.label == "other"
            else t.plain(f"phone.{p.label}")
            if f"phone.{p.label}" in t.words
            else p.label,
        )
        for p in contact.phones
    ]


def _phone_line(phone: Phone, t: Translator, label: str = "") -> PhoneLine:
    ext = t.plain("common.ext", ext=phone.ext) if phone.ext else ""
    return PhoneLine(phone.display, ext, label)


def _name(plan: Plan, who: str) -> str:
    if not who:
        return ""
    contact = plan.person(who)
    return contact.name if contact else _role_name(plan, who) or who


def _who(plan: Plan, who: str) -> str:
    """A step's `who` on paper: the role ("Incident lead"), whose holder is in the table above."""
    return _role_name(plan, who) or _name(plan, who)


def _contact_check(contact: Contact, t: Translator) -> str:
    if not contact.stale:
        return ""
    if contact.verified:
        return t.plain("sheet.contact_checked", date=t.date(contact.verified))
    return t.plain("sheet.contact_never")


def _person_row(contact: Contact, role: str, t: Translator) -> PersonRow:
    return PersonRow(role, contact.name, _phones(contact, t), contact.email, _contact_check(contact, t))


def _role_holders(plan: Plan, t: Translator) -> list[PersonRow]:
    """One row per holder of the plan's roles, naming all of their roles."""
    roles: dict[str, list[str]] = {}
    for role, contact_id in plan.roles.items():
        roles.setdefault(contact_id, []).append(_role_name(plan, role))
    return [_person_row(plan.contacts[c], ", ".join(r), t) for c, r in roles.items() if c in plan.contacts]


def _call_target(plan: Plan, who: str, t: Translator) -> CallTarget | None:
    contact = plan.person(who) if who else None
    if contact is None:
        return None
    phone = best_phone(contact)
    return CallTarget(contact.name, _phone_line(phone, t) if phone else None, contact.email)


def _scenario_block(plan: Plan, scenario: Scenario, t: Translator) -> ScenarioBlock:
    def line(step: Step) -> StepLine:
        return StepLine(
            do=step.do,
            who=_who(plan, step.who),
            call=_call_target(plan, step.call, t),
            expect=step.expect,
            if_not=step.if_not,
        )

    return ScenarioBlock(
        id=scenario.id,
        title=scenario.title,
        summary=scenario.summary,
        steps=[line(step) for step in scenario.steps],
        qr=qr.svg(scenario_url(plan, scenario.id), label=scenario.title, max_mm=24),
    )


def key_vendors(plan: Plan, must: list[Scenario], others: list[Scenario]) -> list[Contact]:
    """Vendors the sheet may list (not those holding a role: they are with the roles): called in
    a printed scenario, supporting a system (in recovery order), called in another scenario."""
    holders = set(plan.roles.values())
    ids = [st.call for sc in must for st in sc.steps if st.call]
    ids += [system.vendor for system in plan.recovery_order if system.vendor]
    ids += [st.call for sc in others for st in sc.steps if st.call]
    vendors: list[Contact] = []
    for who in ids:
        contact = plan.person(who)
        if contact and contact.is_vendor and contact.id not in holders and contact not in vendors:
            vendors.append(contact)
    return vendors


def _vendor_row(plan: Plan, vendor: Contact, t: Translator) -> dict[str, Any]:
    sla = vendor.sla
    promises = []
    if sla and sla.callback is not None:
        promises.append(t.plain("sheet.promise_callback", duration=t.duration(sla.callback)))
    if sla and sla.restore is not None:
        promises.append(t.plain("sheet.promise_fix", duration=t.duration(sla.restore)))
    return {
        "name": vendor.name,
        "provides": vendor.provides,
        "phones": _phones(vendor, t),
        "email": vendor.email,
        "account": vendor.account,
        "sla": promises,
        "escalation": [target for e in vendor.escalation if (target := _call_target(plan, e, t))],
        "check": _contact_check(vendor, t),
    }


def _system_row(plan: Plan, system: System, t: Translator) -> dict[str, Any]:
    return {
        "name": system.name,
        "tier": system.tier,
        "owner": _name(plan, system.owner),
        "alternate": _name(plan, system.alternate),
        "vendor": _name(plan, system.vendor),
        "rto": t.duration(system.rto),
        "check": restore_check(plan, system, t),
    }


def restore_check(plan: Plan, system: System, t: Translator) -> str:
    """A backup that may not restore, in one sentence; "" when it was tested in time."""
    from generator.pages.wording import restore_words  # here: generator.pages imports this module

    return restore_words(plan, system, t).check


def client_audience(plan: Plan) -> Audience | None:
    """The audience of clients or patients: by id, else reached by phone, else without members,
    else the plan's first audience (a plan that only tells its staff prints what to tell them)."""
    audiences = list(plan.communications.audiences.values())
    preferences: tuple[Callable[[Audience], bool], ...] = (
        lambda a: a.id in ("clients", "patients", "customers"),
        lambda a: a.channel == "phone" and not a.members,
        lambda a: not a.members,
        lambda a: True,
    )
    for wanted in preferences:
        found = next((a for a in audiences if wanted(a)), None)
        if found:
            return found
    return None


def _blanks(plan: Plan, text: str, t: Translator) -> Markup:
    """A message template on paper: the organisation filled in, the other placeholders as
    marked blanks ("[expected time]")."""
    from generator.pages import messages  # here: generator.pages imports this module

    return Markup("").join(
        Markup('<span class="ph">{}</span>').format(t.plain("placeholders.blank", label=piece))
        if blank
        else escape(piece)
        for piece, blank in messages.segments(text, plan.organisation, t)
    )


def _message(plan: Plan, t: Translator) -> dict[str, Any]:
    audience = client_audience(plan)
    text = (audience.templates if audience else {}).get("initial") or plan.communications.templates["initial"]
    channel = audience.channel if audience else ""
    how = t.plain(f"sheet.by_{channel}") if channel in ("sms", "email", "phone") else ""
    note = [t.plain("sheet.tell_them", how=how) if how else "", audience.note if audience else ""]
    every = t.duration(plan.communications.update_every)
    return {
        "heading": t.plain("sheet.what_to_tell", name=audience.name)
        if audience
        else t.plain("sheet.what_to_tell_clients"),
        "text": _blanks(plan, text, t),
        "note": " ".join(x for x in note if x),
        "update_every": t.plain("sheet.update_every", duration=every) if every else "",
    }
