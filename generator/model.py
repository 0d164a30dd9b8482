"""The validated plan as typed objects: everything downstream of validation reads these, never YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One validation problem, pointing at a file, line and column (1-based)."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    hint: str = ""
    code: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Phone:
    e164: str  # "+442079460958"
    display: str  # "+44 20 7946 0958" (international format)
    label: str = "other"  # mobile | work | home | fax | 24x7 | other
    ext: str = ""

    @property
    def tel_uri(self) -> str:
        """RFC 3966 URI, e.g. ``tel:+448000140140;ext=2``."""
        return f"tel:{self.e164}" + (f";ext={self.ext}" if self.ext else "")

    @property
    def display_full(self) -> str:
        return f"{self.display} ext. {self.ext}" if self.ext else self.display

    @property
    def can_text(self) -> bool:
        return self.label in ("mobile", "other", "24x7") and not self.ext


@dataclass(frozen=True)
class SLA:
    callback: timedelta | None = None
    restore: timedelta | None = None


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    phones: list[Phone] = field(default_factory=list)
    email: str = ""
    role: str = ""  # free text: "Office IT lead"
    provides: str = ""  # set for vendors
    account: str = ""
    sla: SLA | None = None
    escalation: list[str] = field(default_factory=list)  # contact ids, in order
    verified: date | None = None
    notes: str = ""
    stale: bool = False  # verified longer ago than review.contacts_every_days
    source: str = ""  # "contacts/people.yaml"

    @property
    def is_vendor(self) -> bool:
        return bool(self.provides)


@dataclass(frozen=True)
class Step:
    do: str
    who: str = ""  # contact id or role name (resolve with Plan.person)
    call: str = ""  # contact id or role name
    expect: str = ""
    if_not: str = ""


@dataclass(frozen=True)
class RestoreTest:
    date: date
    result: str  # pass | partial | fail
    by: str = ""
    duration: timedelta | None = None
    notes: str = ""


@dataclass(frozen=True)
class Backup:
    method: str
    restore_tests: list[RestoreTest] = field(default_factory=list)  # newest first

    @property
    def last_test(self) -> RestoreTest | None:
        return self.restore_tests[0] if self.restore_tests else None


@dataclass(frozen=True)
class Lifecycle:
    """The hardware or contract behind a system (format 1.1)."""

    installed: date | None = None
    support_ends: date | None = None  # warranty, vendor support or end of life (may be future)
    replace_by: date | None = None  # the planned replacement (may be future)


@dataclass(frozen=True)
class Patching:
    """A system's documented patch cadence (format 1.1)."""

    every: timedelta | None = None
    last: date | None = None

    @property
    def next_due(self) -> date | None:
        return self.last + self.every if self.last and self.every else None


class RestoreStatus(StrEnum):
    TESTED = "tested"
    STALE = "stale"
    FAILED = "failed"  # last test was fail or partial
    NEVER = "never"
    NO_BACKUP = "no backup"  # `backup: none` or not given (tier 3-4)


@dataclass(frozen=True)
class System:
    id: str
    name: str
    tier: int
    owner: str
    alternate: str = ""
    vendor: str = ""
    depends_on: list[str] = field(default_factory=list)
    dependents: list[str] = field(default_factory=list)  # derived: systems that depend on this
    rto: timedelta | None = None
    rpo: timedelta | None = None
    failover: str = ""
    backup: Backup | None = None  # None: `backup: none` or absent
    recovery: list[Step] = field(default_factory=list)
    notes: str = ""
    restore_status: RestoreStatus = RestoreStatus.NO_BACKUP
    cost_per_hour: int | None = None  # what an hour of outage costs, in site.currency
    lifecycle: Lifecycle | None = None
    patching: Patching | None = None


@dataclass(frozen=True)
class Exercise:
    """One drill or walk-through of a scenario (format 1.1)."""

    date: date
    kind: str  # tabletop | drill | real
    result: str  # pass | partial | fail
    by: str = ""
    incident: str = ""  # incident id
    notes: str = ""


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    steps: list[Step]
    summary: str = ""
    affects: list[str] = field(default_factory=list)  # system ids
    priority: int = 100
    notify: list[str] = field(default_factory=list)  # audience ids
    on_paper: bool | None = None  # true: must be printed; false: never; None: if it fits
    exercises: list[Exercise] = field(default_factory=list)  # newest first

    @property
    def last_exercise(self) -> Exercise | None:
        return self.exercises[0] if self.exercises else None


@dataclass(frozen=True)
class MaintenanceTask:
    """One task of plans/maintenance.yaml: boring work on schedule (format 1.1)."""

    id: str
    do: str
    owner: str = ""
    every: timedelta | None = None
    last: date | None = None  # None: never done
    systems: list[str] = field(default_factory=list)  # system ids

    @property
    def next_due(self) -> date | None:
        """When it is due next; None when it was never done (due now) or has no cadence."""
        return self.last + self.every if self.last and self.every else None


TEMPLATE_KINDS = ("initial", "update", "resolved")
PLACEHOLDERS = ("organisation", "time", "eta", "status", "next_update", "system")


@dataclass(frozen=True)
class Audience:
    id: str
    name: str
    channel: str = "other"  # sms | email | phone | other
    members: list[str] = field(default_factory=list)  # contact ids
    note: str = ""
    templates: dict[str, str] = field(default_factory=dict)  # all three, fallbacks applied


@dataclass(frozen=True)
class Communications:
    update_every: timedelta | None
    audiences: dict[str, Audience]
    templates: dict[str, str]  # the plan-wide initial / update / resolved


@dataclass(frozen=True)
class Action:
    do: str
    owner: str = ""
    due: date | None = None
    done: date | None = None
    is_done: bool = False  # `done: true` or a date
    overdue: bool = False


@dataclass(frozen=True)
class TimelineEntry:
    """One moment of an incident's `timeline` (format 1.1)."""

    at: datetime
    text: str
    call: str = ""  # contact id: a call was placed
    callback: str = ""  # contact id: the provider called back
    notified: str = ""  # audience id: a message went out


@dataclass(frozen=True)
class Callback:
    """A `call` to a provider and its `callback` (derived), against the vendor's `sla.callback`."""

    contact: str  # contact id
    called: datetime
    called_back: datetime | None  # None: no callback recorded
    sla: timedelta | None  # the vendor's `sla.callback`, if any

    @property
    def waited(self) -> timedelta | None:
        return self.called_back - self.called if self.called_back else None

    @property
    def met(self) -> bool | None:
        """True: within the SLA; False: late or never; None: the vendor promises no callback time."""
        if self.sla is None:
            return None
        return self.waited is not None and self.waited <= self.sla


@dataclass(frozen=True)
class UpdateGap:
    """The time between two messages to one audience, against `communications.update_every`
    (derived)."""

    audience: str  # audience id
    start: datetime
    end: datetime
    late: bool  # longer than `update_every`

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Incident:
    id: str
    title: str
    date: date
    detected: datetime | None = None
    acknowledged: datetime | None = None
    resolved: datetime | None = None
    systems: list[str] = field(default_factory=list)
    impact: str = ""
    root_cause: str = ""
    actions: list[Action] = field(default_factory=list)
    notes: str = ""
    timeline: list[TimelineEntry] = field(default_factory=list)  # in the file's order
    callbacks: list[Callback] = field(default_factory=list)  # derived: each call to a vendor
    update_gaps: list[UpdateGap] = field(default_factory=list)  # derived: per audience told

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        if self.detected and self.acknowledged:
            return self.acknowledged - self.detected
        return None

    @property
    def time_to_resolve(self) -> timedelta | None:
        if self.detected and self.resolved:
            return self.resolved - self.detected
        return None


@dataclass(frozen=True)
class SiteSettings:
    url: str
    company_domains: list[str] = field(default_factory=list)
    region: str = ""
    paper: str = "A4"  # A4 | Letter
    timezone: str = "UTC"
    expected_down: list[str] = field(default_factory=list)  # hosts allowed to be linked anyway
    mirrors: list[str] = field(default_factory=list)  # git remotes (names or URLs) to publish to
    branch: str = "gh-pages"
    stale_after_days: int = 30  # the freshness banner warns past this age
    language: str = "en"  # BCP 47, of a shipped catalog (generator/locales/); e.g. "en-GB"
    private: bool = False  # the published site is encrypted (generator/private.py)
    currency: str = ""  # ISO 4217 (e.g. "GBP"), for the cost of outages; "" when not given


@dataclass(frozen=True)
class Review:
    last_reviewed: date
    reviewed_by: str = ""
    plan_every_days: int = 365
    contacts_every_days: int = 90
    restore_test_every_days: int = 90
    exercise_every_days: int = 365

    @property
    def next_due(self) -> date:
        return self.last_reviewed + timedelta(days=self.plan_every_days)


@dataclass(frozen=True)
class FirstHour:
    scope: list[str] = field(default_factory=list)
    provider_call: list[str] = field(default_factory=list)
    expect: str = ""
    first_ten_minutes: list[str] = field(default_factory=list)  # what to do before anything else


@dataclass(frozen=True)
class Plan:
    organisation: str
    site: SiteSettings
    review: Review
    roles: dict[str, str]  # role name -> contact id
    first_hour: FirstHour
    systems: dict[str, System]  # by id, in recovery order
    scenarios: list[Scenario]  # by priority, then title
    contacts: dict[str, Contact]  # by id, in file order
    communications: Communications
    incidents: list[Incident]  # newest first
    today: date
    findings: list[Finding] = field(default_factory=list)  # warnings (errors stop the build)
    root: Path = Path(".")  # the project folder holding plans/ and contacts/
    maintenance: list[MaintenanceTask] = field(default_factory=list)  # plans/maintenance.yaml

    @property
    def recovery_order(self) -> list[System]:
        return list(self.systems.values())

    @property
    def people(self) -> list[Contact]:
        return [c for c in self.contacts.values() if not c.is_vendor]

    @property
    def vendors(self) -> list[Contact]:
        return [c for c in self.contacts.values() if c.is_vendor]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def review_overdue(self) -> bool:
        return self.review.next_due < self.today

    def person(self, who: str) -> Contact | None:
        """The contact a `who` names: a contact id, or a role name resolved through `roles`."""
        return self.contacts.get(self.roles.get(who, who))

    def role_label(self, who: str) -> str:
        """`incident_lead` -> "Incident lead"; a contact id -> ""."""
        return who.replace("_", " ").capitalize() if who in self.roles else ""

    def callback_record(self, contact_id: str) -> list[tuple[Incident, Callback]]:
        """A provider's callbacks across all incidents, newest incident first."""
        return [(i, c) for i in self.incidents for c in i.callbacks if c.contact == contact_id]

    def audience_members(self, audience: Audience) -> list[Contact]:
        return [self.contacts[m] for m in audience.members if m in self.contacts]
