"""The two-page printed sheet: print/index.html and the A4 / Letter PDFs, with a fit check.

The sheet is one standalone HTML page (inline CSS, system fonts, no scripts) rendered by
WeasyPrint at both paper sizes. The configured size must fit on two pages or the build fails
with a message that says what to shorten; the other size only warns.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from generator import lifetime, qr
from generator.loader import shown_path
from generator.model import (
    Audience,
    Contact,
    Finding,
    Phone,
    Plan,
    RestoreStatus,
    Scenario,
    Severity,
    Step,
    System,
)
from generator.values import human_duration as duration

PAPERS = {"A4": "A4 portrait", "Letter": "letter portrait"}  # plan.site.paper -> CSS page size
MAX_PAGES = 2
PAPER_SYSTEMS = 12  # a larger plan prints the first 12 of its recovery order, the rest is online
LINE_PX = 14.4  # one line of body text (9 pt x 1.2) in CSS pixels: the unit of "lines over"
HERE = Path(__file__).parent
PLACEHOLDER_WORDS = {
    "time": "time",
    "eta": "expected time",
    "status": "what is happening",
    "next_update": "time of the next update",
    "system": "system",
}
CHANNEL_WORDS = {"sms": "by text message", "email": "by email", "phone": "by phone"}


_CONTEXT = multiprocessing.get_context(
    "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")


def pdf_name(paper: str) -> str:
    return f"recovery-plan-{paper}.pdf"


def prepare() -> None:
    """Start the server the layout processes are forked from, loading WeasyPrint while the rest
    of the build goes on (where the platform has one; elsewhere each process starts afresh)."""
    if _CONTEXT.get_start_method() == "forkserver":
        _CONTEXT.set_forkserver_preload(["generator.sheet_server", "weasyprint", __name__])
        forkserver.ensure_running()


def start(plan: Plan) -> PendingSheet:
    """Begin laying out the sheet at both paper sizes, each in a process of its own, so that
    it runs while the rest of the site is built."""
    prepare()
    return PendingSheet(plan, ThreadPoolExecutor(1).submit(_lay_out, plan))


def write(site_dir: Path, plan: Plan) -> list[Finding]:
    """Write the sheet into `site_dir`; return an error finding when it needs over two pages."""
    return start(plan).write(site_dir)


Layout = tuple[str, bytes | None, Finding | None]  # HTML, PDF (None: it does not fit), fit finding


@dataclass
class PendingSheet:
    plan: Plan
    layouts: Future[dict[str, Layout]]

    def write(self, site_dir: Path) -> list[Finding]:
        """Wait for the layouts; write print/index.html and the PDFs unless the configured paper
        size needs more than two pages (then write nothing and return the error)."""
        results = self.layouts.result()
        findings = [finding for _, _, finding in results.values() if finding]
        if any(f.severity is Severity.ERROR for f in findings):
            return findings
        page = site_dir / "print" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(results[self.plan.site.paper][0], encoding="utf-8")
        for paper, (_, pdf, _) in results.items():
            if pdf is not None:
                (site_dir / pdf_name(paper)).write_bytes(pdf)
        return findings


def _lay_out(plan: Plan) -> dict[str, Layout]:
    """Both paper sizes, in parallel processes (run from a thread: starting them waits for the
    fork server to finish loading WeasyPrint, and the build must not wait with it)."""
    papers = _papers_first(plan.site.paper)
    try:
        with ProcessPoolExecutor(max_workers=len(papers), mp_context=_CONTEXT,
                                 initializer=lifetime.end_with, initargs=(os.getpid(),)) as pool:
            jobs = {paper: pool.submit(_render, plan, paper) for paper in papers}
            return {paper: job.result() for paper, job in jobs.items()}
    except BrokenProcessPool:  # e.g. the main module cannot be re-imported: lay out here
        return {paper: _render(plan, paper) for paper in papers}


def _render(plan: Plan, paper: str) -> Layout:
    """The sheet at one paper size: its HTML, its PDF (None when it does not fit), its fit finding."""
    from weasyprint import HTML  # imported here: loading Pango costs time only when printing

    page = render_html(plan, paper)
    document = HTML(string=page).render()
    finding = fit_finding(plan, paper, measure(document))
    fits = finding is None or finding.severity is not Severity.ERROR
    return page, document.write_pdf() if fits else None, finding


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
    """The standalone sheet for one paper size (A4 or Letter)."""
    return _page(sheet(plan), paper)


def _page(shown: Sheet, paper: str) -> str:
    css = Markup((HERE / "assets" / "print.css").read_text(encoding="utf-8"))
    template = _environment().get_template("print.html")
    return template.render(s=shown, page_size=PAPERS[paper], css=css)


@dataclass
class PhoneLine:
    number: str  # international format, with any extension
    label: str = ""


@dataclass
class PersonRow:
    role: str
    name: str
    phones: list[PhoneLine]
    email: str = ""


@dataclass
class CallTarget:
    name: str
    number: str  # "" when the contact has no phone (then the email is shown)


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
    """Everything the template shows, already resolved to names and formatted numbers."""

    organisation: str
    pdfs: list[dict[str, str]]
    url: str
    live_qr: Markup
    built: str
    reviewed: str
    reviewed_by: str
    next_review: str
    review_overdue: bool
    people: list[PersonRow]
    call_qrs: list[dict[str, Any]]
    first_ten: list[str]
    scope: list[str]
    provider_call: list[str]
    expect: str
    warnings: list[str]
    systems: list[dict[str, Any]]
    systems_more: int  # systems left off the sheet (they are on the site)
    scenarios: list[ScenarioBlock]
    vendors: list[dict[str, Any]]
    message: dict[str, Any]


def sheet(plan: Plan) -> Sheet:
    """Resolve the plan into what the printed sheet shows, most important first."""
    printed = printed_scenarios(plan)
    reviewer = plan.person(plan.review.reviewed_by) if plan.review.reviewed_by else None
    return Sheet(
        organisation=plan.organisation,
        pdfs=[{"paper": p, "file": pdf_name(p)} for p in _papers_first(plan.site.paper)],
        url=plan.site.url,
        live_qr=qr.svg(plan.site.url, module_mm=0.55, label="The live plan"),
        built=plan.today.isoformat(),
        reviewed=plan.review.last_reviewed.isoformat(),
        reviewed_by=reviewer.name if reviewer else "",
        next_review=plan.review.next_due.isoformat(),
        review_overdue=plan.review_overdue,
        people=_people(plan, printed),
        call_qrs=_call_qrs(plan),
        first_ten=plan.first_hour.first_ten_minutes,
        scope=plan.first_hour.scope,
        provider_call=plan.first_hour.provider_call,
        expect=plan.first_hour.expect,
        warnings=paper_warnings(plan, printed),
        systems=[
            {
                "name": system.name,
                "tier": system.tier,
                "owner": _name(plan, system.owner),
                "alternate": _name(plan, system.alternate),
                "vendor": _name(plan, system.vendor),
                "rto": duration(system.rto),
            }
            for system in paper_systems(plan)
        ],
        systems_more=len(plan.systems) - len(paper_systems(plan)),
        scenarios=[_scenario_block(plan, scenario) for scenario in printed],
        vendors=[_vendor_row(plan, vendor) for vendor in key_vendors(plan, printed)],
        message=_message(plan),
    )


def _papers_first(configured: str) -> list[str]:
    return [configured, *(p for p in PAPERS if p != configured)]


def paper_systems(plan: Plan) -> list[System]:
    """The recovery order on paper: every system of a small plan; of a large one, the first
    `PAPER_SYSTEMS` in recovery order (tier 1 first), the rest being on the site."""
    return plan.recovery_order[:PAPER_SYSTEMS]


def printed_scenarios(plan: Plan) -> list[Scenario]:
    return [scenario for scenario in plan.scenarios if scenario.on_paper]


def scenario_url(plan: Plan, scenario_id: str) -> str:
    base = plan.site.url if plan.site.url.endswith("/") else plan.site.url + "/"
    return f"{base}scenarios/{scenario_id}/"


def best_phone(contact: Contact) -> Phone | None:
    """The number to ring: a 24x7 line if there is one, else the first."""
    return next((p for p in contact.phones if p.label == "24x7"), None) or next(
        iter(contact.phones), None
    )


def incident_lead_call(plan: Plan) -> tuple[Contact, Phone] | None:
    lead = plan.person("incident_lead")
    return (lead, lead.phones[0]) if lead and lead.phones else None


def provider_fault_line(plan: Plan) -> tuple[Contact, Phone, str] | None:
    """The primary provider's line: a vendor named by a role (e.g. `tech_support`), else the
    vendor of the first tier-1 system in recovery order that has one."""
    for role, contact_id in plan.roles.items():
        vendor = plan.contacts.get(contact_id)
        if vendor and vendor.is_vendor and (phone := best_phone(vendor)):
            return vendor, phone, plan.role_label(role)
    for system in paper_systems(plan):
        vendor = plan.contacts.get(system.vendor) if system.tier == 1 and system.vendor else None
        phone = best_phone(vendor) if vendor else None
        if vendor and phone:
            return vendor, phone, system.name
    return None


def _call_qrs(plan: Plan) -> list[dict[str, Any]]:
    codes = []
    if lead := incident_lead_call(plan):
        contact, phone = lead
        codes.append(
            {
                "svg": qr.svg(phone.tel_uri, label="Call the incident lead"),
                "who": "the incident lead",
                "what": contact.name,
                "number": phone.display_full,
            }
        )
    if fault := provider_fault_line(plan):
        vendor, phone, system_name = fault
        line = "24x7 fault line" if phone.label == "24x7" else "support line"
        codes.append(
            {
                "svg": qr.svg(phone.tel_uri, label=f"Call {vendor.name}"),
                "who": vendor.name,
                "what": f"{line}, {system_name}",
                "number": phone.display_full,
            }
        )
    return codes


def _phones(contact: Contact) -> list[PhoneLine]:
    return [PhoneLine(p.display_full, p.label.replace("other", "")) for p in contact.phones]


def _name(plan: Plan, who: str) -> str:
    if not who:
        return ""
    contact = plan.person(who)
    return contact.name if contact else plan.role_label(who) or who


def _who(plan: Plan, who: str) -> str:
    """A step's `who` on paper: the role ("Incident lead"), whose holder is in the table above."""
    return plan.role_label(who) or _name(plan, who)


def _people(plan: Plan, printed: list[Scenario]) -> list[PersonRow]:
    """The roles first, then every other person the sheet names, each with their numbers."""
    roles: dict[str, list[str]] = {}
    for role, contact_id in plan.roles.items():
        roles.setdefault(contact_id, []).append(plan.role_label(role))
    named = [plan.roles[r] for r in plan.roles]
    for system in paper_systems(plan):
        named += [system.owner, system.alternate]
    for scenario in printed:
        for step in scenario.steps:
            named += [step.who, step.call]
    rows: list[PersonRow] = []
    seen: set[str] = set()
    for who in named:
        contact = plan.person(who) if who else None
        if contact is None or contact.id in seen or (contact.is_vendor and contact.id not in roles):
            continue
        seen.add(contact.id)
        role = ", ".join(roles.get(contact.id, [])) or contact.role
        rows.append(PersonRow(role, contact.name, _phones(contact), contact.email))
    return rows


def _call_target(plan: Plan, who: str) -> CallTarget | None:
    contact = plan.person(who) if who else None
    if contact is None:
        return None
    phone = best_phone(contact)
    return CallTarget(contact.name, phone.display_full if phone else contact.email)


def _scenario_block(plan: Plan, scenario: Scenario) -> ScenarioBlock:
    def line(step: Step) -> StepLine:
        return StepLine(
            do=step.do,
            who=_who(plan, step.who),
            call=_call_target(plan, step.call),
            expect=step.expect,
            if_not=step.if_not,
        )

    return ScenarioBlock(
        id=scenario.id,
        title=scenario.title,
        summary=scenario.summary,
        steps=[line(step) for step in scenario.steps],
        qr=qr.svg(scenario_url(plan, scenario.id), label=scenario.title),
    )


def key_vendors(plan: Plan, printed: list[Scenario]) -> list[Contact]:
    """Vendors that support a system (in recovery order) or are called in a printed step."""
    ids = [system.vendor for system in paper_systems(plan) if system.vendor]
    ids += [step.call for scenario in printed for step in scenario.steps if step.call]
    vendors: list[Contact] = []
    for who in ids:
        contact = plan.person(who)
        if contact and contact.is_vendor and contact not in vendors:
            vendors.append(contact)
    return vendors


def _vendor_row(plan: Plan, vendor: Contact) -> dict[str, Any]:
    sla = vendor.sla
    promises = []
    if sla and sla.callback is not None:
        promises.append(f"calls back {duration(sla.callback)}")
    if sla and sla.restore is not None:
        promises.append(f"fixes {duration(sla.restore)}")
    return {
        "name": vendor.name,
        "provides": vendor.provides,
        "phones": _phones(vendor),
        "email": vendor.email,
        "account": vendor.account,
        "sla": promises,
        "escalation": [t for e in vendor.escalation if (t := _call_target(plan, e))],
    }


def sheet_contacts(plan: Plan, printed: list[Scenario]) -> list[Contact]:
    """Every contact whose details the sheet prints."""
    ids = list(plan.roles.values())
    ids += [w for s in paper_systems(plan) for w in (s.owner, s.alternate, s.vendor) if w]
    ids += [w for sc in printed for st in sc.steps for w in (st.who, st.call) if w]
    vendors = key_vendors(plan, printed)
    ids += [e for v in vendors for e in v.escalation]
    contacts: list[Contact] = []
    for who in ids:
        contact = plan.person(who)
        if contact and contact not in contacts:
            contacts.append(contact)
    return contacts


def paper_warnings(plan: Plan, printed: list[Scenario]) -> list[str]:
    """Backups that may not restore and contact details that may be out of date."""
    warnings = []
    every = plan.review.restore_test_every_days
    for system in paper_systems(plan):
        last = system.backup.last_test if system.backup else None
        status = system.restore_status
        if system.backup is None:
            continue
        if status is RestoreStatus.FAILED and last:
            warnings.append(
                f"{system.name}: the last restore test ({last.date.isoformat()}) was "
                f"{last.result}; the backup may not restore."
            )
        elif status is RestoreStatus.STALE and last:
            warnings.append(
                f"{system.name}: the backup was last restore-tested on {last.date.isoformat()}, "
                f"more than {every} days ago."
            )
        elif status is RestoreStatus.NEVER:
            warnings.append(f"{system.name}: the backup has never been restore-tested.")
    for contact in sheet_contacts(plan, printed):
        if contact.stale:
            checked = f"last checked {contact.verified}" if contact.verified else "never checked"
            warnings.append(f"{contact.name}: contact details {checked}; they may be out of date.")
    return warnings


def client_audience(plan: Plan) -> Audience | None:
    """The audience of clients or patients: by id, else reached by phone, else without members."""
    audiences = list(plan.communications.audiences.values())
    for wanted in (
        lambda a: a.id in ("clients", "patients", "customers"),
        lambda a: a.channel == "phone" and not a.members,
        lambda a: not a.members,
    ):
        found = next((a for a in audiences if wanted(a)), None)
        if found:
            return found
    return None


def fill_template(plan: Plan, text: str) -> Markup:
    """A message template on paper: the organisation filled in, other placeholders as [blanks]."""
    parts = re.split(r"\{([a-z_]+)\}", text)
    out = [escape(parts[0])]
    for name, rest in zip(parts[1::2], parts[2::2], strict=True):
        if name == "organisation":
            out.append(escape(plan.organisation))
        else:
            words = PLACEHOLDER_WORDS.get(name, name)
            out.append(Markup('<span class="ph">{}</span>').format(words))
        out.append(escape(rest))
    return Markup("").join(out)


def _message(plan: Plan) -> dict[str, Any]:
    audience = client_audience(plan)
    text = (audience.templates if audience else {}).get("initial") or plan.communications.templates[
        "initial"
    ]
    how = CHANNEL_WORDS.get(audience.channel, "") if audience else ""
    note = [f"Tell them {how}." if how else "", audience.note if audience else ""]
    return {
        "heading": f"What to tell {audience.name}" if audience else "What to tell clients",
        "text": fill_template(plan, text),
        "note": " ".join(x for x in note if x),
        "update_every": duration(plan.communications.update_every),
    }


# --- the fit check -------------------------------------------------------------------------------


@dataclass
class Fit:
    """How a rendered sheet uses its pages, in lines of body text."""

    pages: int
    lines_over: int  # beyond two pages; 0 when it fits
    scenario_lines: dict[str, int]  # scenario id -> lines it takes
    section_lines: dict[str, int]  # "Recovery order" -> lines it takes


def measure(document: Any) -> Fit:
    """Measure a rendered WeasyPrint document: pages, overflow, and what takes the space."""
    scenario_px: dict[str, float] = {}
    section_px: dict[str, float] = {}
    used, free = [], []
    for page in document.pages:
        box = page._page_box  # WeasyPrint's laid-out page; pinned major version in pyproject
        root = box.children[0] if box.children else None
        height = root.margin_height() if root is not None else 0.0
        used.append(height)
        free.append(max(0.0, box.height - height))
        seen: set[int] = set()
        stack = [root] if root is not None else []
        while stack:
            node = stack.pop()
            element = getattr(node, "element", None)
            if element is not None and id(element) not in seen:
                seen.add(id(element))
                if key := element.get("data-scenario"):
                    scenario_px[key] = scenario_px.get(key, 0.0) + node.margin_height()
                if key := element.get("data-fit"):
                    section_px[key] = section_px.get(key, 0.0) + node.margin_height()
            stack.extend(getattr(node, "children", []))
    pages = len(document.pages)
    over = sum(used[MAX_PAGES:]) - sum(free[:MAX_PAGES]) if pages > MAX_PAGES else 0.0
    lines_over = max(1, math.ceil(over / LINE_PX)) if pages > MAX_PAGES else 0
    return Fit(
        pages=pages,
        lines_over=lines_over,
        scenario_lines={k: math.ceil(v / LINE_PX) for k, v in scenario_px.items()},
        section_lines={k: math.ceil(v / LINE_PX) for k, v in section_px.items()},
    )


def fit_finding(plan: Plan, paper: str, fit: Fit) -> Finding | None:
    """When the sheet needs 3+ pages: an error at the plan's paper size, a warning at the other."""
    if fit.pages <= MAX_PAGES:
        return None
    configured = paper == plan.site.paper
    over = f"about {fit.lines_over} line{'s' if fit.lines_over != 1 else ''} over two pages"
    if configured:
        message = f"The printed sheet needs {fit.pages} pages on {paper} paper, {over}."
    else:
        message = f"The {paper} PDF of the printed sheet needs {fit.pages} pages, {over}."
    biggest = sorted(fit.scenario_lines.items(), key=lambda kv: (-kv[1], kv[0]))
    path = shown_path(plan.root / (f"plans/scenarios/{biggest[0][0]}.yaml" if biggest else "plans/plan.yaml"))
    if biggest:
        listed = ", ".join(f"{sid} ({n} lines)" for sid, n in biggest)
        message += (
            f" Printed scenarios, longest first: {listed}. Shorten their steps, or keep a "
            "scenario off the sheet (it stays on the website) by writing `on_paper: false` in "
            f"its file, e.g. in {path}."
        )
    others = sorted(
        ((k, n) for k, n in fit.section_lines.items() if k != "Scenarios"), key=lambda kv: -kv[1]
    )
    if others:
        message += " The rest of the sheet: " + ", ".join(f"{k.lower()} {n}" for k, n in others)
        message += " lines."
    return Finding(
        path=path,
        line=1,
        column=1,
        severity=Severity.ERROR if configured else Severity.WARNING,
        message=message,
        hint="Text is never printed smaller than 8 pt to make it fit: shorten the plan instead.",
        code="print-too-long",
    )
