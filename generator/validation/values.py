"""Phase 3, values: every value read into the typed model objects (dates, durations, phones, ids,
templates, addresses), with the references by id recorded for the next phase.

What a value means depends on plan.yaml (today's date in its timezone, the phone region, the
company's domains), so plan.yaml is read first. A value of the wrong YAML type was reported by
the shape phase and is not read.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from babel.numbers import list_currencies

from generator import format, hosts, i18n
from generator.format import Ref
from generator.loader import Document, Path_
from generator.model import (
    SLA,
    Action,
    Audience,
    Backup,
    Communications,
    Contact,
    Exercise,
    Finding,
    FirstHour,
    Incident,
    Lifecycle,
    MaintenanceTask,
    Patching,
    RestoreTest,
    Review,
    Scenario,
    Severity,
    SiteSettings,
    Step,
    System,
    TimelineEntry,
)
from generator.secretscan import secret_in_text
from generator.validation.load import Loaded
from generator.values import (
    MAX_DAYS,
    ROLE_PATTERN,
    BadValue,
    check_template,
    describe,
    did_you_mean,
    parse_branch,
    parse_company_domain,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_email,
    parse_id,
    parse_phone,
    parse_remote,
    show_domain,
    suggest_id,
)

WARNING = Severity.WARNING


def resolve_today(value: str | date | None, timezone: str = "UTC") -> date:
    """`--today`, else RECOVERY_PLAN_TODAY, else today's date in the plan's timezone."""
    value = value or os.environ.get("RECOVERY_PLAN_TODAY") or None
    if isinstance(value, date):
        return value
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"today must be a date written YYYY-MM-DD, not {value!r}") from None
    try:
        return datetime.now(zoneinfo.ZoneInfo(timezone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.now().date()


@dataclass(frozen=True)
class Reference:
    """A reference by id, resolved in the references phase."""

    doc: Document
    path: Path_
    kind: Ref
    value: str


@dataclass(frozen=True)
class Settings:
    """plan.yaml, read."""

    organisation: str
    site: SiteSettings
    review: Review | None  # None: `last_reviewed` is not a date (reported)
    roles: dict[str, str]
    first_hour: FirstHour


@dataclass(frozen=True)
class ReadContact:
    doc: Document
    path: Path_
    contact: Contact  # `stale` is derived later
    verified_written: bool  # `verified:` is in the file (a bad one is reported)


@dataclass(frozen=True)
class ReadSystem:
    doc: Document
    system: System  # `dependents` and `restore_status` are derived later
    tier_read: bool  # False: `tier` is not 1-4 (reported), and the system sorts as tier 4
    restore_tests_read: bool  # False: a restore test could not be read (reported)


@dataclass(frozen=True)
class ReadIncident:
    doc: Document
    incident: Incident | None  # None: its `date` is not a date (reported)
    actions: list[tuple[Path_, Action]]  # `overdue` is derived later


@dataclass(frozen=True)
class ReadScenario:
    doc: Document
    scenario: Scenario  # `exercises` newest first
    exercises: list[tuple[Path_, Exercise]]  # those read, newest first, with where each is


@dataclass(frozen=True)
class ReadMaintenance:
    doc: Document
    tasks: list[tuple[Path_, MaintenanceTask]]  # in file order, each id once


@dataclass(frozen=True)
class Values:
    """What the values phase established."""

    today: date
    settings: Settings | None  # None: plan.yaml did not load
    contacts: list[ReadContact]  # in file order, each id once
    contact_ids: frozenset[str]  # every contact id the files name (a bad one as it will be fixed)
    communications: Communications | None
    audience_ids: frozenset[str]
    systems: dict[str, ReadSystem]
    scenarios: list[Scenario]
    incidents: list[ReadIncident]
    references: list[Reference]
    findings: list[Finding]
    read_scenarios: list[ReadScenario] = field(default_factory=list)  # format 1.1: with exercises
    maintenance: ReadMaintenance | None = None  # plans/maintenance.yaml, when given


def read_values(loaded: Loaded, today: str | date | None) -> Values:
    """Read the values of every loaded document (`today`: `--today`, or None)."""
    return _Reader(today).run(loaded)


@dataclass
class _Reader:
    today_arg: str | date | None
    findings: list[Finding] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    contact_ids: set[str] = field(default_factory=set)
    audience_ids: set[str] = field(default_factory=set)

    def run(self, loaded: Loaded) -> Values:
        plan = loaded.plan
        timezone = self.timezone(plan) if plan else "UTC"
        today = resolve_today(self.today_arg, timezone)
        region = self.phone_region(plan) if plan else None  # None: not known
        settings = self.settings(plan, timezone, region or "", today) if plan else None
        domains = settings.site.company_domains if settings else []
        contacts = self.contacts(loaded.contacts, region, domains, today)
        communications = self.communications(loaded.communications)
        systems = {i: self.system(i, d, today) for i, d in loaded.systems.items()}
        read_scenarios = [self.scenario(i, d, today) for i, d in loaded.scenarios.items()]
        maintenance = self.maintenance(loaded.maintenance, today)
        incidents = [self.incident(i, d, today) for i, d in loaded.incidents.items()]
        return Values(
            today,
            settings,
            contacts,
            frozenset(self.contact_ids),
            communications,
            frozenset(self.audience_ids),
            systems,
            [read.scenario for read in read_scenarios],
            incidents,
            self.references,
            self.findings,
            read_scenarios,
            maintenance,
        )

    # -- reporting, parsing, references ---------------------------------------------------------

    def report(
        self,
        doc: Document,
        path: Path_,
        message: str,
        hint: str = "",
        *,
        code: str,
        severity: Severity = Severity.ERROR,
        key: bool = False,
    ) -> None:
        self.findings.append(doc.finding(path, message, hint, code=code, severity=severity, key=key))

    def parse(self, doc: Document, path: Path_, parser: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`parser(value, *args)` for the value at `path`, or None (reported) when it is bad."""
        value = _get_path(doc.data, path)
        if value is None:
            return None
        try:
            return parser(value, *args, **kwargs)
        except BadValue as bad:
            self.report(doc, path, bad.message, bad.hint, code=bad.code)
            return None

    def ref(self, doc: Document, path: Path_, kind: Ref) -> str:
        """Record a reference by id, checked once everything is read; returns the id."""
        value = _get_path(doc.data, path)
        if isinstance(value, str) and value:
            self.references.append(Reference(doc, path, kind, value))
            return value
        return ""

    def refs(self, doc: Document, path: Path_, kind: Ref) -> list[str]:
        values = _get_path(doc.data, path)
        if not isinstance(values, list):
            return []
        return [v for i in range(len(values)) if (v := self.ref(doc, (*path, i), kind))]

    # -- plan.yaml ----------------------------------------------------------------------------

    def settings(self, doc: Document, timezone: str, region: str, today: date) -> Settings:
        data = doc.data
        site_data = _dict(data.get("site"))
        domains = self.domains(doc)
        site = SiteSettings(
            url=self.site_url(doc, site_data.get("url"), domains),
            company_domains=domains,
            region=region,
            paper=self.paper(doc, site_data.get("paper", SiteSettings.paper)),
            timezone=timezone,
            expected_down=[d.strip().lower() for d in _texts(site_data, "expected_down")],
            mirrors=self.mirrors(doc) or ["origin"],
            branch=self.parse(doc, ("site", "branch"), parse_branch) or SiteSettings.branch,
            stale_after_days=_int(site_data, "stale_after_days", SiteSettings.stale_after_days, MAX_DAYS),
            language=self.language(doc, site_data.get("language")),
            private=site_data.get("private") is True,
            currency=self.currency(doc, site_data.get("currency")),
        )
        review_data = _dict(data.get("review"))
        last = self.parse(doc, ("review", "last_reviewed"), parse_date, today)
        reviewed_by = self.ref(doc, ("review", "reviewed_by"), Ref.WHO)
        review = (
            Review(
                last_reviewed=last,
                reviewed_by=reviewed_by,
                plan_every_days=_int(review_data, "plan_every_days", Review.plan_every_days, MAX_DAYS),
                contacts_every_days=_int(
                    review_data, "contacts_every_days", Review.contacts_every_days, MAX_DAYS
                ),
                restore_test_every_days=_int(
                    review_data, "restore_test_every_days", Review.restore_test_every_days, MAX_DAYS
                ),
                exercise_every_days=_int(
                    review_data, "exercise_every_days", Review.exercise_every_days, MAX_DAYS
                ),
            )
            if last
            else None
        )
        first = _dict(data.get("first_hour"))
        first_hour = FirstHour(
            first_ten_minutes=_texts(first, "first_ten_minutes"),
            scope=_texts(first, "scope"),
            provider_call=_texts(first, "provider_call"),
            expect=_text(first, "expect"),
        )
        return Settings(_text(data, "organisation"), site, review, self.roles(doc), first_hour)

    def domains(self, doc: Document) -> list[str]:
        """`site.company_domains`, normalised (IDN and `xn--` spellings alike, lower case, no
        trailing dot); a wildcard `*.example.no` is read as `example.no`, with a warning."""
        domains = []
        for i, value in enumerate(_list(_dict(doc.data.get("site")).get("company_domains"))):
            if not isinstance(value, str) or not value.strip():
                continue
            parsed = self.parse(doc, ("site", "company_domains", i), parse_company_domain)
            if parsed is None:
                continue
            name = show_domain(parsed[0])
            if parsed[1]:
                self.report(
                    doc,
                    ("site", "company_domains", i),
                    f"`{value.strip()}` is read as `{name}`: the domain and every host under it",
                    f"write `{name}`: a company domain always covers the hosts under it",
                    code="domain-wildcard",
                    severity=WARNING,
                )
            domains.append(name)
        return domains

    def mirrors(self, doc: Document) -> list[str]:
        """`site.mirrors`: each a git remote name or an https/ssh address (`parse_remote`, which
        `publish` uses too); a password in one is reported once, as a secret."""
        mirrors = []
        for i, value in enumerate(_list(_dict(doc.data.get("site")).get("mirrors"))):
            if not isinstance(value, str):
                continue
            try:
                mirrors.append(parse_remote(value))
            except BadValue as bad:
                if bad.code != "secret" or not secret_in_text(value):
                    self.report(doc, ("site", "mirrors", i), bad.message, bad.hint, code=bad.code)
        return mirrors

    def timezone(self, doc: Document) -> str:
        value = _dict(doc.data.get("site")).get("timezone")
        if not isinstance(value, str) or not value:
            return "UTC"
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            guess = did_you_mean(value, zoneinfo.available_timezones())
            self.report(
                doc,
                ("site", "timezone"),
                f"`{value}` is not a time zone name",
                guess or "use an IANA name such as `Europe/London` or `America/New_York`",
                code="bad-value",
            )
            return "UTC"

    def language(self, doc: Document, value: Any) -> str:
        """`site.language`, normalised ("en-gb" -> "en-GB"); "en" when absent or unsupported."""
        if not isinstance(value, str) or not value.strip():
            return i18n.DEFAULT
        try:
            return i18n.parse_language(value)
        except i18n.UnsupportedLanguage as bad:
            self.report(doc, ("site", "language"), str(bad), bad.hint, code="bad-value")
            return i18n.DEFAULT

    def currency(self, doc: Document, value: Any) -> str:
        """`site.currency` as an upper-case ISO 4217 code (Babel's list); "" when absent or
        not a currency (reported)."""
        if value is None:
            return ""
        code = str(value).strip().upper()
        currencies = list_currencies()
        if code in currencies:
            return code
        self.report(
            doc,
            ("site", "currency"),
            f"{describe(value)} is not a currency code",
            next((f"did you mean `{c}`?" for c in sorted(currencies) if sorted(c) == sorted(code)), "")
            or did_you_mean(code, currencies)
            or "use a three-letter ISO 4217 code such as `GBP`, `EUR`, `USD`, `NOK`",
            code="bad-value",
        )
        return ""

    def phone_region(self, doc: Document) -> str | None:
        """`site.region` as an upper-case country code; "" when absent, None (reported) when it
        is not a country code."""
        value = _dict(doc.data.get("site")).get("region")
        if value is None:
            return ""
        code = str(value).strip().upper()
        if code in phonenumbers.SUPPORTED_REGIONS:
            return code
        hint = {"UK": "did you mean `GB`?"}.get(code) or did_you_mean(code, phonenumbers.SUPPORTED_REGIONS)
        self.report(
            doc,
            ("site", "region"),
            f"{describe(value)} is not a country code",
            hint or "use a two-letter ISO 3166 code such as `GB`, `US`, `DE`, `NO`",
            code="bad-value",
        )
        return None

    def paper(self, doc: Document, value: Any) -> str:
        sizes = {size.lower(): size for size in format.PAPER_SIZES}
        if isinstance(value, str) and value.strip().lower() in sizes:
            return sizes[value.strip().lower()]
        self.report(
            doc,
            ("site", "paper"),
            f"{describe(value)} is not a paper size",
            "use `A4` or `Letter`",
            code="not-allowed",
        )
        return "A4"

    def site_url(self, doc: Document, value: Any, domains: list[str]) -> str:
        if not isinstance(value, str) or not value:
            return ""
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname:
            self.report(
                doc,
                ("site", "url"),
                f"`{value}` is not an https:// address",
                "the plan must be published over HTTPS, e.g. `https://your-org.github.io/recovery/`",
                code="bad-url",
            )
        elif domain := hosts.company_domain_of(parts.hostname, domains):
            self.report(
                doc,
                ("site", "url"),
                f"the plan is published on {parts.hostname}, which is on the company "
                f"domain {domain}: it would be down with the company's servers",
                "publish it on an independent host such as GitHub Pages "
                "(https://your-org.github.io/recovery/)",
                code="company-dependence",
            )
        elif hosts.is_intranet_host(parts.hostname):
            self.report(
                doc,
                ("site", "url"),
                f"the plan is published on {parts.hostname}, an intranet-only address "
                "that phones outside the office cannot reach",
                "publish it on an independent host such as GitHub Pages "
                "(https://your-org.github.io/recovery/)",
                code="company-dependence",
            )
        url = value.strip()
        return url if url.endswith("/") else url + "/"

    def roles(self, doc: Document) -> dict[str, str]:
        """`roles`: role name -> contact id, for the names that are valid role names."""
        roles = doc.data.get("roles")
        if not isinstance(roles, dict):
            return {}
        found = {}
        for name in roles:
            if not ROLE_PATTERN.fullmatch(name):
                suggestion = suggest_id(name).replace("-", "_")
                self.report(
                    doc,
                    ("roles", name),
                    f"`{name}` is not a valid role name",
                    (f"write it as `{suggestion}`: " if ROLE_PATTERN.fullmatch(suggestion) else "")
                    + "role names use lowercase letters, digits and underscores, "
                    "e.g. `incident_lead`",
                    code="bad-id",
                    key=True,
                )
            elif contact := self.ref(doc, ("roles", name), Ref.CONTACT):
                found[name] = contact
        for required in _roles_field().required_keys:
            if required not in roles:
                self.report(
                    doc,
                    ("roles",),
                    f"`roles` has no `{required}`",
                    "name the person who leads in an incident: `incident_lead: <contact id>`",
                    code="missing-field",
                )
        return found

    # -- contacts -------------------------------------------------------------------------------

    def contacts(
        self, docs: list[Document], region: str | None, domains: list[str], today: date
    ) -> list[ReadContact]:
        """The contacts of every file (`region`: None when it is not known)."""
        contacts: dict[str, ReadContact] = {}
        for doc in docs:
            if doc.data is None:
                self.report(
                    doc,
                    (),
                    "the file is empty, but should be a list of contacts",
                    "start each contact with `- id: ...`",
                    code="empty-file",
                )
                continue
            if not isinstance(doc.data, list):
                self.report(
                    doc,
                    (),
                    "a contacts file should be a list, each contact starting with `- id: ...`",
                    code="wrong-type",
                )
                if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                    self.contact_ids.add(doc.data["id"])  # one contact without its `- `
                continue
            for index, item in enumerate(doc.data):
                path = (index,)
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                ident = self.parse(doc, (*path, "id"), parse_id, "contact")
                if ident is None:
                    self.contact_ids.add(suggest_id(item["id"]))  # as it will be fixed
                    continue
                if ident in contacts:
                    first = contacts[ident]
                    line = first.doc.value_at((*first.path, "id")).line
                    self.report(
                        doc,
                        (*path, "id"),
                        f"the contact id `{ident}` is already used in {first.doc.path} line {line}",
                        "give each contact its own id",
                        code="duplicate-id",
                    )
                    continue
                contacts[ident] = ReadContact(
                    doc,
                    path,
                    self.contact(ident, doc, path, item, region, domains, today),
                    "verified" in item,
                )
                self.contact_ids.add(ident)
        return list(contacts.values())

    def extension(self, doc: Document, path: Path_) -> str:
        """A phone's `ext` as digits, or "" (reported) when it is something else."""
        value = _get_path(doc.data, path)
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if value is None or text.isdigit() or (isinstance(value, str) and not text):
            return text
        if text:
            self.report(
                doc,
                path,
                f"the extension {describe(value)} must be digits only",
                'write only the digits dialled once the call is answered, e.g. `ext: "2"`; '
                "put anything else (menu options, a name to ask for) in `notes`",
                code="bad-value",
            )
        return ""

    def contact(
        self,
        ident: str,
        doc: Document,
        path: Path_,
        item: dict[str, Any],
        region: str | None,
        domains: list[str],
        today: date,
    ) -> Contact:
        phones = []
        for i, phone in enumerate(_list(item.get("phones"))):
            if isinstance(phone, dict) and "number" in phone:
                if region is None and not str(phone["number"]).strip().startswith("+"):
                    continue  # cannot be read without the region, which is reported already
                label = phone.get("label") if phone.get("label") in format.PHONE_LABELS else "other"
                ext = self.extension(doc, (*path, "phones", i, "ext"))
                parsed = self.parse(
                    doc, (*path, "phones", i, "number"), parse_phone, region or "", label, ext
                )
                if parsed:
                    phones.append(parsed)
        email = self.parse(doc, (*path, "email"), parse_email) or ""
        if not item.get("phones") and not item.get("email"):
            self.report(
                doc,
                path,
                f"the contact `{ident}` has no phone number and no email",
                "add `phones:` with at least one number, or `email:`",
                code="unreachable",
            )
        sla = (
            SLA(
                callback=self.parse(doc, (*path, "sla", "callback"), parse_duration),
                restore=self.parse(doc, (*path, "sla", "restore"), parse_duration),
            )
            if _dict(item.get("sla"))
            else None
        )
        domain = email and hosts.company_domain_of(email.rpartition("@")[2], domains)
        if domain and not phones:
            self.report(
                doc,
                (*path, "email"),
                f"`{ident}` can only be reached by an email on {domain}, which is down with the company",
                "add a mobile number or a personal email address",
                code="company-dependence",
                severity=WARNING,
            )
        return Contact(
            id=ident,
            name=_text(item, "name"),
            phones=phones,
            email=email,
            role=_text(item, "role"),
            provides=_text(item, "provides"),
            account=_text(item, "account"),
            sla=sla,
            escalation=self.refs(doc, (*path, "escalation"), Ref.CONTACT),
            verified=self.parse(doc, (*path, "verified"), parse_date, today),
            notes=_text(item, "notes"),
            source=doc.path,
        )

    # -- systems, scenarios, steps ----------------------------------------------------------------

    def steps(self, doc: Document, path: Path_) -> list[Step]:
        steps = []
        for i, item in enumerate(_list(_get_path(doc.data, path))):
            if isinstance(item, dict):
                at = (*path, i)
                steps.append(
                    Step(
                        do=_text(item, "do"),
                        who=self.ref(doc, (*at, "who"), Ref.WHO),
                        call=self.ref(doc, (*at, "call"), Ref.WHO),
                        expect=_text(item, "expect"),
                        if_not=_text(item, "if_not"),
                    )
                )
        return steps

    def system(self, ident: str, doc: Document, today: date) -> ReadSystem:
        data = doc.data
        tier = _int(data, "tier", 4)
        tier_read = 1 <= tier <= 4 and tier == data.get("tier")  # else reported by the shape
        backup, tests_read = self.backup(doc, tier, today)
        system = System(
            id=ident,
            name=_text(data, "name") or ident,
            tier=min(max(tier, 1), 4),
            owner=self.ref(doc, ("owner",), Ref.WHO),
            alternate=self.ref(doc, ("alternate",), Ref.WHO),
            vendor=self.ref(doc, ("vendor",), Ref.CONTACT),
            depends_on=self.refs(doc, ("depends_on",), Ref.SYSTEM),
            rto=self.parse(doc, ("rto",), parse_duration),
            rpo=self.parse(doc, ("rpo",), parse_duration),
            failover=_text(data, "failover"),
            backup=backup,
            recovery=self.steps(doc, ("recovery",)),
            notes=_text(data, "notes"),
            cost_per_hour=_amount(data, "cost_per_hour", format.MAX_COST_PER_HOUR),
            lifecycle=self.lifecycle(doc, today),
            patching=self.patching(doc, today),
        )
        if ident in system.depends_on:
            self.report(
                doc,
                ("depends_on", system.depends_on.index(ident)),
                f"`{ident}` depends on itself",
                "remove it from its own `depends_on`",
                code="cycle",
            )
        if tier == 1 and not system.alternate and not data.get("alternate"):
            self.report(
                doc,
                (),
                f"the tier-1 system `{ident}` has no `alternate`",
                "name who takes over when the owner is away: `alternate: <who>`",
                code="no-alternate",
                severity=WARNING,
            )
        return ReadSystem(doc, system, tier_read, tests_read)

    def backup(self, doc: Document, tier: int, today: date) -> tuple[Backup | None, bool]:
        """The backup (None: `none` or not given), and whether all its restore tests were read."""
        value = doc.data.get("backup")
        if value is None:
            when = format.BACKUP.required_if
            if when and tier <= when[1] and "backup" not in doc.data:
                self.report(
                    doc,
                    (),
                    f"a tier-{tier} system needs `backup:`",
                    "describe how it is backed up (`backup: {method: ...}`), or write "
                    "`backup: none` if there is nothing to back up",
                    code="missing-field",
                )
            return None, True
        if isinstance(value, str) and value.strip().lower() == "none":
            return None, True
        if not isinstance(value, dict):
            self.report(
                doc,
                ("backup",),
                f"`backup` should be `none` or a mapping with "
                f"`method:` and `restore_tests:`, not {describe(value)}",
                code="wrong-type",
            )
            return None, True
        tests = []
        for i, item in enumerate(_list(value.get("restore_tests"))):
            at = ("backup", "restore_tests", i)
            tested = self.parse(doc, (*at, "date"), parse_date, today)
            result = str(_dict(item).get("result", ""))
            by = self.ref(doc, (*at, "by"), Ref.WHO)
            duration = self.parse(doc, (*at, "duration"), parse_duration)
            if tested and result in format.RESULTS:
                tests.append(
                    RestoreTest(
                        date=tested,
                        result=result,
                        by=by,
                        duration=duration,
                        notes=_text(_dict(item), "notes"),
                    )
                )
        tests.sort(key=lambda t: t.date, reverse=True)
        all_read = len(tests) == len(_list(value.get("restore_tests")))
        return Backup(method=_text(value, "method"), restore_tests=tests), all_read

    def lifecycle(self, doc: Document, today: date) -> Lifecycle | None:
        """A system's `lifecycle`: `support_ends` and `replace_by` may be in the future."""
        if not isinstance(doc.data.get("lifecycle"), dict):
            return None
        return Lifecycle(
            installed=self.parse(doc, ("lifecycle", "installed"), parse_date, today),
            support_ends=self.parse(doc, ("lifecycle", "support_ends"), parse_date, today, allow_future=True),
            replace_by=self.parse(doc, ("lifecycle", "replace_by"), parse_date, today, allow_future=True),
        )

    def patching(self, doc: Document, today: date) -> Patching | None:
        if not isinstance(doc.data.get("patching"), dict):
            return None
        return Patching(
            every=self.parse(doc, ("patching", "every"), parse_duration),
            last=self.parse(doc, ("patching", "last"), parse_date, today),
        )

    def exercises(self, doc: Document, today: date) -> list[tuple[Path_, Exercise]]:
        """A scenario's exercises that could be read, newest first, each with where it is."""
        read = []
        for i, item in enumerate(_list(doc.data.get("exercises"))):
            at: Path_ = ("exercises", i)
            held = self.parse(doc, (*at, "date"), parse_date, today)
            by = self.ref(doc, (*at, "by"), Ref.WHO)
            incident = self.ref(doc, (*at, "incident"), Ref.INCIDENT)
            kind, result = _text(_dict(item), "kind"), _text(_dict(item), "result")
            if held and kind in format.EXERCISE_KINDS and result in format.RESULTS:
                exercise = Exercise(held, kind, result, by, incident, _text(_dict(item), "notes"))
                read.append((at, exercise))
        return sorted(read, key=lambda pair: pair[1].date, reverse=True)

    def maintenance(self, doc: Document | None, today: date) -> ReadMaintenance | None:
        """plans/maintenance.yaml: its tasks, each id once."""
        if doc is None:
            return None
        tasks: dict[str, tuple[Path_, MaintenanceTask]] = {}
        for i, item in enumerate(_list(doc.data.get("tasks"))):
            at: Path_ = ("tasks", i)
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            ident = self.parse(doc, (*at, "id"), parse_id, "task")
            if ident is None:
                continue
            if ident in tasks:
                line = doc.value_at((*tasks[ident][0], "id")).line
                self.report(
                    doc,
                    (*at, "id"),
                    f"the task id `{ident}` is already used on line {line}",
                    "give each task its own id",
                    code="duplicate-id",
                )
                continue
            tasks[ident] = (
                at,
                MaintenanceTask(
                    id=ident,
                    do=_text(item, "do"),
                    owner=self.ref(doc, (*at, "owner"), Ref.WHO),
                    every=self.parse(doc, (*at, "every"), parse_duration),
                    last=self.parse(doc, (*at, "last"), parse_date, today),
                    systems=self.refs(doc, (*at, "systems"), Ref.SYSTEM),
                ),
            )
        return ReadMaintenance(doc, list(tasks.values()))

    def scenario(self, ident: str, doc: Document, today: date) -> ReadScenario:
        data = doc.data
        priority_field = format.SCENARIO.top.field("priority")
        priority = _int(data, "priority", Scenario.priority, priority_field.high if priority_field else None)
        on_paper = data.get("on_paper")
        exercises = self.exercises(doc, today)
        scenario = Scenario(
            id=ident,
            title=_text(data, "title") or ident,
            steps=self.steps(doc, ("steps",)),
            summary=_text(data, "summary"),
            affects=self.refs(doc, ("affects",), Ref.SYSTEM),
            priority=priority,
            notify=self.refs(doc, ("notify",), Ref.AUDIENCE),
            on_paper=on_paper if isinstance(on_paper, bool) else None,
            exercises=[exercise for _, exercise in exercises],
        )
        return ReadScenario(doc, scenario, exercises)

    # -- communications -------------------------------------------------------------------------

    def communications(self, doc: Document | None) -> Communications | None:
        if doc is None:
            return None
        data = doc.data
        templates = self.templates(doc, ("templates",))
        audiences = {}
        for key, item in _dict(data.get("audiences")).items():
            try:
                ident = parse_id(key, "audience")
            except BadValue as bad:
                self.report(doc, ("audiences", key), bad.message, bad.hint, code="bad-id", key=True)
                self.audience_ids.add(suggest_id(key))  # references use the id it will have
                continue
            self.audience_ids.add(ident)
            if not isinstance(item, dict):
                continue
            channel = item.get("channel")
            audiences[ident] = Audience(
                id=ident,
                name=_text(item, "name") or ident,
                channel=channel if channel in format.CHANNELS else "other",
                members=self.refs(doc, ("audiences", key, "members"), Ref.CONTACT),
                note=_text(item, "note"),
                templates={**templates, **self.templates(doc, ("audiences", key, "templates"))},
            )
        return Communications(
            update_every=self.parse(doc, ("update_every",), parse_duration),
            audiences=audiences,
            templates=templates,
        )

    def templates(self, doc: Document, path: Path_) -> dict[str, str]:
        found = {}
        for kind, text in _dict(_get_path(doc.data, path)).items():
            if isinstance(text, str):
                self.parse(doc, (*path, kind), check_template)
                found[kind] = text
        return found

    # -- incidents ------------------------------------------------------------------------------

    def incident(self, ident: str, doc: Document, today: date) -> ReadIncident:
        data = doc.data
        times = {
            k: self.parse(doc, (k,), parse_datetime, today) for k in ("detected", "acknowledged", "resolved")
        }
        known = [(k, t) for k, t in times.items() if t]
        for (earlier, a), (later, b) in zip(known, known[1:], strict=False):
            if b < a:
                self.report(
                    doc,
                    (later,),
                    f"`{later}` ({b:%Y-%m-%d %H:%M}) is before `{earlier}` ({a:%Y-%m-%d %H:%M})",
                    "an incident is detected, then acknowledged, then resolved: check the dates and times",
                    code="timeline-order",
                )
        actions: list[tuple[Path_, Action]] = [
            (("actions", i), self.action(doc, ("actions", i), item, today))
            for i, item in enumerate(_list(data.get("actions")))
            if isinstance(item, dict)
        ]
        happened = self.parse(doc, ("date",), parse_date, today)
        systems = self.refs(doc, ("systems",), Ref.SYSTEM)
        timeline = self.timeline(doc, times["detected"], times["resolved"], today)
        incident = (
            Incident(
                id=ident,
                title=_text(data, "title") or ident,
                date=happened,
                detected=times["detected"],
                acknowledged=times["acknowledged"],
                resolved=times["resolved"],
                systems=systems,
                impact=_text(data, "impact"),
                root_cause=_text(data, "root_cause"),
                actions=[action for _, action in actions],
                notes=_text(data, "notes"),
                timeline=timeline,
            )
            if happened
            else None
        )
        return ReadIncident(doc, incident, actions)

    def timeline(
        self, doc: Document, detected: datetime | None, resolved: datetime | None, today: date
    ) -> list[TimelineEntry]:
        """The `timeline` entries whose `at` reads (1.1); those out of order, or outside
        `detected`..`resolved`, are reported as warnings."""
        entries: list[TimelineEntry] = []
        for i, item in enumerate(_list(doc.data.get("timeline"))):
            path: Path_ = ("timeline", i)
            if not isinstance(item, dict):
                continue
            call = self.ref(doc, (*path, "call"), Ref.CONTACT)
            callback = self.ref(doc, (*path, "callback"), Ref.CONTACT)
            notified = self.ref(doc, (*path, "notified"), Ref.AUDIENCE)
            at = self.parse(doc, (*path, "at"), parse_datetime, today)
            if at is None:
                continue
            when = f"{at:%Y-%m-%d %H:%M}"
            if entries and at < (above := entries[-1].at):
                self.report(
                    doc,
                    (*path, "at"),
                    f"this timeline entry ({when}) comes before the one above it ({above:%Y-%m-%d %H:%M})",
                    "keep the timeline in the order things happened: move the entry up, or check its time",
                    code="timeline-entry-order",
                    severity=WARNING,
                )
            for word, key, moment in (("before", "detected", detected), ("after", "resolved", resolved)):
                if moment is None or (at >= moment if word == "before" else at <= moment):
                    continue
                self.report(
                    doc,
                    (*path, "at"),
                    f"this timeline entry ({when}) is {word} `{key}` ({moment:%Y-%m-%d %H:%M})",
                    f"check its time, or move `{key}` so the incident covers it",
                    code="timeline-outside",
                    severity=WARNING,
                )
            entries.append(TimelineEntry(at, _text(item, "text"), call, callback, notified))
        return entries

    def action(self, doc: Document, path: Path_, item: dict[str, Any], today: date) -> Action:
        done_value = item.get("done")
        done = None
        if done_value is not True and done_value not in (None, False):
            done = self.parse(doc, (*path, "done"), _parse_done, today)
        return Action(
            do=_text(item, "do"),
            owner=self.ref(doc, (*path, "owner"), Ref.WHO),
            due=self.parse(doc, (*path, "due"), parse_date, today, allow_future=True),
            done=done,
            is_done=done_value not in (None, False),  # a bad `done` is reported
        )


def _roles_field() -> format.Field:
    roles = format.PLAN.top.field("roles")
    assert roles is not None
    return roles


def _parse_done(value: Any, today: date) -> date:
    """An action's `done`: a date (or `true`, handled by the caller)."""
    try:
        return parse_date(value, today)
    except BadValue as bad:
        if "future" in bad.message:
            raise
        raise BadValue(
            bad.message,
            f"write the date it was done, e.g. `done: {today}`, or `done: true` if the date is not known",
        ) from None


def _get_path(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _texts(data: dict[str, Any], key: str) -> list[str]:
    return [v.strip() for v in _list(data.get(key)) if isinstance(v, str) and v.strip()]


def _amount(data: dict[str, Any], key: str, high: int) -> int | None:
    """`data[key]` when it is a whole number from 0 to `high` (else reported by the shape)."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
        return None
    return value


def _int(data: dict[str, Any], key: str, default: int, high: int | None = None) -> int:
    """`data[key]` when it is a whole number (at most `high`: a larger one is reported by the
    shape phase, and the default is used meanwhile), else `default`."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return default
    return default if high is not None and not 0 <= value <= high else value
