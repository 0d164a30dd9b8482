"""The two-page printed sheet: print/index.html and the A4 / Letter PDFs, fitted to two pages.

The sheet is one standalone HTML page (inline CSS, system fonts, no scripts) rendered by
WeasyPrint at both paper sizes. It fills itself in the format's order of importance: the
heading, the holders of the plan's roles, the first ten minutes and the scenarios marked
`on_paper: true` must be printed; then the key vendors, the recovery order, the other scenarios,
the other contacts with a role and the message template, as many as fit. Each part is laid out
once at every density (one tall measuring page), the parts are chosen by arithmetic, and a final
render checks the result. An item with a number or a code too wide for its column at a density
(numbers never wrap) is printed only at a density where it fits. What does not fit is named on
the sheet and in one warning; only a must-print part that cannot fit is an error.
"""

from __future__ import annotations

import bisect
import math
import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup, escape

from generator import i18n, lifetime, qr
from generator.i18n import Translator
from generator.loader import shown_path
from generator.model import (
    Audience,
    Contact,
    Finding,
    Phone,
    Plan,
    Scenario,
    Severity,
    Step,
    System,
)

PAPERS = {"A4": "A4 portrait", "Letter": "letter portrait"}  # plan.site.paper -> CSS page size
PAGE_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}  # width, height
MARGIN_MM = (10.0, 11.0, 11.0, 11.0)  # top, right, bottom, left (the page number sits below)
MAX_PAGES = 2
LEVELS = (0, 1, 2)  # 0: 9 pt; 1: dense, 8 pt; 2: dense, vendors in two columns, systems as a list
PACKED = ("vendors", "systems")  # the parts level 2 changes (the others are as at level 1)
SLACK = 0.05  # of two pages' height, kept free for page breaks and other browsers' layout
MEASURE_PX = 150_000  # the height of the measuring page: every part at every density, unbroken
CAPS = {"scenarios": 24, "vendors": 40, "systems": 60, "contacts": 40}  # most items ever measured
LINE_PX = 8 * 1.2 * 96 / 72  # one line of the smallest text (8 pt x 1.2): the unit of "lines over"
HERE = Path(__file__).parent
MM_PX = 96 / 25.4


def pdf_name(paper: str) -> str:
    return f"recovery-plan-{paper}.pdf"


@dataclass(frozen=True)
class Printer:
    """Lays out sheets in processes started from `context` (made ready by `prepare`)."""

    context: BaseContext

    def start(self, plan: Plan, unlock_url: str = "") -> PendingSheet:
        """Begin laying out the sheet at both paper sizes, each in a process of its own, so
        that it runs while the rest of the site is built. `unlock_url`: a private plan's code
        (the URL with the build's key), drawn instead of the plain URL."""
        return PendingSheet(plan, ThreadPoolExecutor(1).submit(_lay_out, plan, self.context, unlock_url))


def prepare() -> Printer:
    """Start the server the layout processes are forked from, loading WeasyPrint while the rest
    of the build goes on (where the platform has one; elsewhere each process starts afresh).
    Called once, as early as possible, by whatever builds; it passes on the printer."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return Printer(multiprocessing.get_context("spawn"))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["generator.sheet_server", "weasyprint", __name__])
    forkserver.ensure_running()
    return Printer(context)


def write(site_dir: Path, plan: Plan) -> list[Finding]:
    """Write the sheet into `site_dir`; return the warning naming what was left out, or the
    error when what must be printed does not fit (then nothing is written)."""
    return prepare().start(plan).write(site_dir)


def _lay_out(plan: Plan, context: BaseContext, unlock_url: str = "") -> dict[str, Layout]:
    """Both paper sizes, in parallel processes (run from a thread: starting them waits for the
    fork server to finish loading WeasyPrint, and the build must not wait with it)."""
    papers = _papers_first(plan.site.paper)
    try:
        with ProcessPoolExecutor(
            max_workers=len(papers),
            mp_context=context,
            initializer=lifetime.end_with,
            initargs=(os.getpid(),),
        ) as pool:
            jobs = {paper: pool.submit(_render, plan, paper, unlock_url) for paper in papers}
            return {paper: job.result() for paper, job in jobs.items()}
    except BrokenProcessPool:  # e.g. the main module cannot be re-imported: lay out here
        return {paper: _render(plan, paper, unlock_url) for paper in papers}


@dataclass
class LeftOut:
    """What the sheet leaves out for want of room (it is on the site)."""

    scenarios: list[str] = field(default_factory=list)  # scenario ids
    systems: int = 0
    vendors: int = 0
    contacts: int = 0
    message: bool = False

    def __bool__(self) -> bool:
        return bool(self.scenarios or self.systems or self.vendors or self.contacts or self.message)

    def items(self, t: Translator) -> list[str]:
        counts = (
            (len(self.scenarios), "scenarios"),
            (self.systems, "systems"),
            (self.vendors, "vendors"),
            (self.contacts, "contacts"),
        )
        shown = [t.plain(f"sheet.{part}", n) for n, part in counts if n]
        return shown + [t.plain("sheet.the_message")] * self.message

    def line(self, t: Translator) -> str:
        """The sheet's one line: "Also on the site: 3 scenarios, 14 systems."."""
        return t.plain("sheet.also_on_site", items=", ".join(self.items(t))) if self else ""

    def described(self) -> str:
        """For the warning (in English, as the validator's messages): the counts, and which
        scenarios."""
        listed = self.items(i18n.translator())
        if self.scenarios:
            named = self.scenarios[:10] + [f"{len(self.scenarios) - 10} more"] * (len(self.scenarios) > 10)
            listed[0] += f" ({', '.join(named)})"
        return ", ".join(listed)


@dataclass
class Layout:
    """The sheet at one paper size."""

    html: str
    pdf: bytes | None  # None: what must be printed does not fit
    left_out: LeftOut
    error: Finding | None = None


@dataclass
class PendingSheet:
    plan: Plan
    layouts: Future[dict[str, Layout]]

    def write(self, site_dir: Path) -> list[Finding]:
        """Wait for the layouts; write print/index.html and the PDFs, and return the one warning
        naming what was left out; or, when what must be printed does not fit, write nothing and
        return the error."""
        results = self.layouts.result()
        errors = [layout.error for layout in results.values() if layout.error]
        if errors:
            return errors[:1]
        page = site_dir / "print" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(results[self.plan.site.paper].html, encoding="utf-8")
        for paper, layout in results.items():
            assert layout.pdf is not None
            (site_dir / pdf_name(paper)).write_bytes(layout.pdf)
        finding = left_out_finding(self.plan, {p: r.left_out for p, r in results.items()})
        return [finding] if finding else []


def left_out_finding(plan: Plan, left_out: dict[str, LeftOut]) -> Finding | None:
    """One warning naming what each paper size leaves out, the configured size first."""
    told = {paper: lost.described() for paper, lost in left_out.items() if lost}
    if not told:
        return None
    papers = _papers_first(plan.site.paper)
    if len(set(told.values())) == 1 and len(told) == len(papers):
        listed = f"{next(iter(told.values()))} (A4 and Letter)"
    else:
        listed = "; ".join(f"on {paper}: {told[paper]}" for paper in papers if paper in told)
    return Finding(
        path=shown_path(plan.root / "plans" / "plan.yaml"),
        line=1,
        column=1,
        severity=Severity.WARNING,
        message=f"The printed sheet leaves out what does not fit on two pages (the sheet says it is "
        f"on the site): {listed}.",
        hint="Mark a scenario `on_paper: true` to make sure it is printed, or shorten steps to make room.",
        code="print-left-out",
    )


def _render(plan: Plan, paper: str, unlock_url: str = "") -> Layout:
    """The sheet at one paper size: everything if it fits as it is; else each part measured at
    every density, the most that fits chosen by arithmetic, and the result checked."""
    from weasyprint import HTML  # imported here: loading Pango costs time only when printing

    shown = sheet(plan, unlock_url)
    box = ContentBox.of(paper)
    everything = Choice.everything(shown)
    if _lower_bound_px(shown) <= box.capacity:
        page = _page(shown, paper, everything)
        document = HTML(string=page).render()
        if box.holds(document):  # (a plan longer than `CAPS` still leaves the rest out)
            return Layout(page, document.write_pdf(), everything.left_out(shown))
    sizes = Sizes.measure(HTML(string=_measuring_page(shown, paper)).render(), box)
    error = must_fit_error(plan, shown, sizes, box, paper)
    if error:
        return Layout("", None, LeftOut(), error)
    capacity = box.capacity
    for _ in range(3):  # the final render checks the arithmetic; a little less room if it fails
        choice = choose(shown, sizes, capacity)
        page = _page(shown, paper, choice)
        document = HTML(string=page).render()
        if box.holds(document):
            return Layout(page, document.write_pdf(), choice.left_out(shown))
        capacity -= box.capacity * SLACK
    choice = choose(shown, sizes, 0.0)  # what must be printed, and nothing else
    page = _page(shown, paper, choice)
    document = HTML(string=page).render()
    return Layout(page, document.write_pdf(), choice.left_out(shown))


# --- the page ------------------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(plan: Plan, paper: str) -> str:
    """The standalone sheet for one paper size (A4 or Letter), with everything it could print."""
    shown = sheet(plan)
    return _page(shown, paper, Choice.everything(shown))


def _page(shown: Sheet, paper: str, choice: Choice) -> str:
    return _template(
        shown,
        paper,
        choice=choice,
        also=choice.left_out(shown).line(shown.t),
        page_size=PAPERS[paper],
        levels=[choice.level],
        packed_only=(),
    )


def _measuring_page(shown: Sheet, paper: str) -> str:
    """Every part at the dense levels, all its items, on one tall page of the sheet's width.
    (Measured only when everything does not fit at 9 pt: then a denser print always holds at
    least as much, so 9 pt is never the choice.)"""
    worst = LeftOut([s.id for s in shown.scenarios], 999, 999, 999, True).line(shown.t)
    return _template(
        shown,
        paper,
        choice=Choice.everything(shown),
        also=worst,
        page_size=f"{PAGE_MM[paper][0]}mm {MEASURE_PX}px",
        levels=list(LEVELS[1:]),
        packed_only=PACKED,
    )


def _template(shown: Sheet, paper: str, **values: Any) -> str:
    css = Markup((HERE / "assets" / "print.css").read_text(encoding="utf-8"))
    template = _environment().get_template("print.html")
    margin = " ".join(f"{m}mm" for m in MARGIN_MM)
    t = shown.t

    def w(key: str, count: int | None = None, **words: object) -> str:
        """One of the sheet's words, as text (the template escapes it)."""
        return t.plain(f"sheet.{key}", count, **words)

    def bold(key: str, **words: object) -> Markup:
        """One of the sheet's words with its fields in bold."""
        return Markup(t(f"sheet.{key}", None, **{k: Markup("<b>{}</b>").format(v) for k, v in words.items()}))

    return template.render(s=shown, t=t, w=w, bold=bold, css=css, margin=margin, **values)


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

    @property
    def complete(self) -> bool:
        """Whether every item of the plan is among the candidates (none cut by `CAPS`)."""
        return all(len(getattr(self, part)) == n for part, n in self.totals.items())


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
        pdfs=[{"paper": p, "file": pdf_name(p)} for p in _papers_first(plan.site.paper)],
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


def _papers_first(configured: str) -> list[str]:
    return [configured, *(p for p in PAPERS if p != configured)]


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


# --- the fit ---------------------------------------------------------------------------------------

ITEM_PARTS = ("scenarios", "vendors", "systems", "contacts")  # parts printed item by item
PARTS = ("head", "roles", "first", "scenarios", "vendors", "systems", "contacts", "message")
MUST_PARTS = ("head", "roles", "first")  # and the first `must_scenarios` scenarios


@dataclass
class ContentBox:
    """The printable area of one page, in CSS pixels from the page's top-left corner."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, paper: str) -> ContentBox:
        width, height = PAGE_MM[paper]
        top, right, bottom, left = MARGIN_MM
        return cls(left * MM_PX, top * MM_PX, (width - right) * MM_PX, (height - bottom) * MM_PX)

    @property
    def capacity(self) -> float:
        """The height of two pages' printable areas, less what page breaks may waste."""
        return MAX_PAGES * (self.bottom - self.top) * (1 - SLACK)

    def holds(self, document: Any) -> bool:
        """Whether a rendered sheet is at most two pages, every measured box (each part and
        each item, by its `id`) lies within the printable area (nothing off the side, nothing
        cut at the foot of a page) and no text or code sticks out of its cell or column."""
        if len(document.pages) > MAX_PAGES:
            return False
        inside = all(self._inside(rect) for page in document.pages for rect in page.anchors.values())
        return inside and not overflowing(document)

    def spans(self, rect: tuple[float, ...]) -> bool:
        """Whether a box (x1, y1, x2, y2, as WeasyPrint >= 63 gives anchors) lies within the
        printable area's width."""
        return rect[0] >= self.left - 1 and rect[2] <= self.right + 1

    def _inside(self, rect: tuple[float, ...]) -> bool:
        return self.spans(rect) and rect[3] <= self.bottom + 1


TOLERANCE_PX = 0.5  # rounding in WeasyPrint's layout


def overflowing(document: Any) -> set[str]:
    """The ids of the measured boxes (parts and items, "L1-vendors-3") that hold a piece of text
    or a code sticking out of its cell, its column or the page, or into a code beside it (a
    number that cannot wrap, in a column too narrow for it); "" for one outside them all.

    WeasyPrint's public API gives the boxes of elements with an id, not of the text inside a
    cell, so this reads each page's layout tree (`Page._page_box`; the version is pinned in
    pyproject.toml and the boxes it relies on are checked by tests/test_sheet_fit.py)."""
    found: set[str] = set()
    for page in document.pages:
        root = page._page_box
        floats = _Floats([b for b in root.descendants() if b.is_floated()])
        left = root.content_box_x()
        for child in root.all_children():
            _visit(child, (left, left + root.width), "", (), floats, found)
    return found


def _visit(
    box: Any, limit: tuple[float, float], owner: str, own: tuple[Any, ...], floats: _Floats, found: set[str]
) -> None:
    """Add to `found` the owner of every piece of text or code in `box` that sticks out of
    `limit` (the narrowest of its blocks' content boxes) or into a float but its own."""
    from weasyprint.formatting_structure import boxes

    owner = box.style["anchor"] or owner
    if str(box.element_tag).endswith("::marker") or isinstance(box, boxes.MarginBox):
        return  # list numbers stand before their item; the page number below the page
    if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
        x1, y1 = box.position_x, box.position_y
        x2, y2 = x1 + box.margin_width(), y1 + box.margin_height()
        if x1 < limit[0] - TOLERANCE_PX or x2 > limit[1] + TOLERANCE_PX or floats.hit((x1, y1, x2, y2), own):
            found.add(owner)
        return
    if isinstance(box, boxes.BlockContainerBox):
        left = box.content_box_x()
        limit = (max(limit[0], left), min(limit[1], left + box.width))
    if box.is_floated():
        own = (*own, box)
    for child in box.all_children():
        _visit(child, limit, owner, own, floats, found)


class _Floats:
    """The floated boxes of a page (the scenarios' codes), found by height."""

    def __init__(self, floats: list[Any]) -> None:
        rects = [(f.border_box_y(), f.border_box_x(), f) for f in floats]
        rects.sort(key=lambda r: r[0])
        self.tops = [top for top, _, _ in rects]
        self.rects = [(x, top, x + f.border_width(), top + f.border_height(), f) for top, x, f in rects]
        self.tallest = max((f.border_height() for f in floats), default=0.0)

    def hit(self, rect: tuple[float, float, float, float], own: tuple[Any, ...]) -> bool:
        """Whether `rect` overlaps a float other than `own` by more than the tolerance."""
        x1, y1, x2, y2 = rect
        t = TOLERANCE_PX
        first = bisect.bisect_left(self.tops, y1 - self.tallest)
        last = bisect.bisect_right(self.tops, y2)
        return any(
            x1 < right - t and x2 > left + t and y1 < bottom - t and y2 > top + t and f not in own
            for left, top, right, bottom, f in self.rects[first:last]
        )


@dataclass
class PartSize:
    """One part at one density on the measuring page."""

    top: float
    bottom: float
    item_bottoms: list[float]
    overflows: bool  # something outside its items sticks out sideways: not printable at this density
    wide_items: set[int] = field(default_factory=set)  # items (from 1) with something sticking out

    def height(self, items: int | None = None) -> float:
        """The part's height with its first `items` items (None: a part without items)."""
        if items is None:
            return self.bottom - self.top
        if items == 0 or not self.item_bottoms:
            return 0.0
        tail = self.bottom - self.item_bottoms[-1]
        return self.item_bottoms[items - 1] - self.top + tail


@dataclass
class Sizes:
    """Every part at every density, from one layout of the measuring page."""

    parts: dict[tuple[int, str], PartSize]

    @classmethod
    def measure(cls, document: Any, box: ContentBox) -> Sizes:
        anchors: dict[str, tuple[float, ...]] = {}
        for page in document.pages:  # one page, unless a plan is immense
            anchors = {**page.anchors, **anchors}
        wide = overflowing(document)
        parts = {}
        for level in LEVELS:
            for part in PARTS:
                rect = anchors.get(f"L{level}-{part}")
                if rect is None:
                    continue
                items: list[tuple[float, ...]] = []
                while (item := anchors.get(f"L{level}-{part}-{len(items) + 1}")) is not None:
                    items.append(item)
                parts[(level, part)] = PartSize(
                    top=rect[1],
                    bottom=rect[3],
                    item_bottoms=[i[3] for i in items],
                    overflows=f"L{level}-{part}" in wide or not box.spans(rect),
                    wide_items={
                        n
                        for n, item in enumerate(items, 1)
                        if f"L{level}-{part}-{n}" in wide or not box.spans(item)
                    },
                )
        return cls(parts)

    def size(self, level: int, part: str) -> PartSize | None:
        """A part at a level; level 2 changes only the `PACKED` parts, the rest is as at 1."""
        if level == LEVELS[-1] and part not in PACKED:
            level -= 1
        return self.parts.get((level, part))

    def height(self, level: int, part: str, items: int | None = None) -> float:
        size = self.size(level, part)
        if size is None:
            return 0.0
        return size.height(items) if part in ITEM_PARTS else size.height()

    def fits_sideways(self, level: int, part: str, items: int | None = None) -> bool:
        """Whether nothing of a part (with its first `items` items; None: all) sticks out."""
        size = self.size(level, part)
        if size is None:
            return True
        return not size.overflows and all(items is not None and n > items for n in size.wide_items)

    @property
    def levels(self) -> list[int]:
        return sorted({level for level, _ in self.parts})


@dataclass
class Choice:
    """What one sheet prints: the density and how many items of each part."""

    level: int
    scenarios: int
    vendors: int
    systems: int
    contacts: int
    message: bool

    @classmethod
    def everything(cls, shown: Sheet) -> Choice:
        return cls(0, len(shown.scenarios), len(shown.vendors), len(shown.systems), len(shown.contacts), True)

    def counts(self) -> dict[str, int | None]:
        return {
            "head": None,
            "roles": None,
            "first": None,
            "scenarios": self.scenarios,
            "vendors": self.vendors,
            "systems": self.systems,
            "contacts": self.contacts,
            "message": None if self.message else 0,
        }

    def height(self, sizes: Sizes) -> float:
        return sum(sizes.height(self.level, part, n) for part, n in self.counts().items() if n != 0)

    def rank(self) -> tuple[int, ...]:
        """How much it prints, in the order of importance (more is better), then roomier."""
        return (self.vendors, self.systems, self.scenarios, self.contacts, self.message, -self.level)

    def left_out(self, shown: Sheet) -> LeftOut:
        return LeftOut(
            scenarios=shown.scenario_ids[self.scenarios :],
            systems=shown.totals["systems"] - self.systems,
            vendors=shown.totals["vendors"] - self.vendors,
            contacts=shown.totals["contacts"] - self.contacts,
            message=not self.message,
        )


def choose(shown: Sheet, sizes: Sizes, capacity: float) -> Choice:
    """The most the sheet can print within `capacity`, in the order of importance, at the
    roomiest density that prints it. Arithmetic on the measured heights, no layout."""
    best: Choice | None = None
    for level in sizes.levels:
        if not all(sizes.fits_sideways(level, p) for p in MUST_PARTS) or not sizes.fits_sideways(
            level, "scenarios", shown.must_scenarios
        ):
            continue
        choice = Choice(level, shown.must_scenarios, 0, 0, 0, False)
        for part, most in (
            ("vendors", len(shown.vendors)),
            ("systems", len(shown.systems)),
            ("scenarios", len(shown.scenarios)),
            ("contacts", len(shown.contacts)),
        ):
            while getattr(choice, part) < most:
                setattr(choice, part, getattr(choice, part) + 1)
                if choice.height(sizes) > capacity or not sizes.fits_sideways(
                    level, part, getattr(choice, part)
                ):
                    setattr(choice, part, getattr(choice, part) - 1)
                    break
        choice.message = sizes.fits_sideways(level, "message")
        if choice.message and choice.height(sizes) > capacity:
            choice.message = False
        if best is None or choice.rank() > best.rank():
            best = choice
    return best or Choice(LEVELS[-1], shown.must_scenarios, 0, 0, 0, False)


def _lower_bound_px(shown: Sheet) -> float:
    """At least one line of 8 pt text per item and step: more than two pages is not worth a try."""
    lines = len(shown.vendors) + len(shown.systems) + len(shown.contacts) + len(shown.people)
    lines += sum(len(s.steps) + 1 for s in shown.scenarios)
    return lines * LINE_PX


def must_fit_error(plan: Plan, shown: Sheet, sizes: Sizes, box: ContentBox, paper: str) -> Finding | None:
    """The error when what must be printed cannot fit on two pages even at the densest print:
    naming each must-print part with its lines, longest first, and the lines over."""
    level = LEVELS[-1]
    must = Choice(level, shown.must_scenarios, 0, 0, 0, False)
    wide = [p for p in MUST_PARTS if not sizes.fits_sideways(level, p)]
    wide += ["scenarios"] * (not sizes.fits_sideways(level, "scenarios", shown.must_scenarios))
    over = must.height(sizes) - box.capacity
    if over <= 0 and not wide:
        return None
    scenarios = sizes.size(level, "scenarios")
    lines: list[tuple[int, str, str]] = []  # lines, what, file
    plan_file = shown_path(plan.root / "plans" / "plan.yaml")
    names = {
        "head": "the heading (organisation and site address)",
        "roles": "who leads (the holders of `roles`)",
        "first": "the first ten minutes (`first_hour`)",
    }
    for part in MUST_PARTS:
        lines.append((math.ceil(sizes.height(level, part) / LINE_PX), names[part], plan_file))
    previous = scenarios.top if scenarios else 0.0
    for i, block in enumerate(shown.scenarios[: shown.must_scenarios]):
        bottom = scenarios.item_bottoms[i] if scenarios else previous
        path = shown_path(plan.root / "plans" / "scenarios" / f"{block.id}.yaml")
        lines.append((math.ceil((bottom - previous) / LINE_PX), f"scenario {block.id}", path))
        previous = bottom
    lines.sort(key=lambda item: -item[0])
    listed = ", ".join(f"{what} {n} lines" for n, what, _ in lines)
    n_over = max(1, math.ceil(over / LINE_PX))
    too_wide = (
        f"Too wide for the page: {', '.join(names.get(p, p) for p in wide)} (a number or a word "
        "there is wider than its column; numbers are never broken)."
    )
    if over <= 0:
        message = f"What must be printed does not fit on {paper} paper, even in 8 pt. {too_wide}"
    else:
        message = (
            f"What must be printed does not fit on two pages of {paper} paper, even in 8 pt: "
            f"about {n_over} line{'s' if n_over != 1 else ''} over. Longest first: {listed}."
        ) + (f" {too_wide}" if wide else "")
    longest_scenario = next((item for item in lines if item[1].startswith("scenario ")), None)
    path = longest_scenario[2] if longest_scenario else plan_file
    return Finding(
        path=path,
        line=1,
        column=1,
        severity=Severity.ERROR,
        message=message,
        hint="Shorten the longest of these, or remove `on_paper: true` from a scenario: it is then "
        "printed only if it fits, and stays on the website. Nothing is printed below 8 pt.",
        code="print-too-long",
    )
