"""Validation: loads every plan file, checks every rule of the plan format, and builds the model.

`validate_project(root)` is the one entry point. It never raises for anything inside the plan's
files: every problem becomes a located `Finding`. Only a project that is not there at all
(`ProjectNotFound`) or a bad `today` (`ValueError`) stops it.
"""

from __future__ import annotations

import difflib
import heapq
import os
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from generator import hosts, i18n, independence, sanitize, schema
from generator.loader import Document, LoadError, load_file, read_text_safely, safe_files, shown_path
from generator.model import (
    SLA,
    Action,
    Audience,
    Backup,
    Communications,
    Contact,
    Finding,
    FirstHour,
    Incident,
    Plan,
    RestoreStatus,
    RestoreTest,
    Review,
    Scenario,
    Severity,
    SiteSettings,
    Step,
    System,
)
from generator.secretscan import is_secret_key, secret_at, secret_hint, secret_in_text, walk
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

PLAN_FILES = {  # the required files of plans/, and what each describes
    "plan.yaml": "the organisation, where the plan is published, its review and its roles",
    "communications.yaml": "the audiences to inform and the message templates",
}
YAML_SUFFIXES = (".yaml", ".yml")
PLAN_FOLDERS = ("systems", "scenarios", "incidents", "pages")  # pages: the site's own Markdown
UNREVIEWED_INCIDENT_DAYS = 7
WARNING = Severity.WARNING


class ProjectNotFound(Exception):
    """The path does not hold a plan at all (no plans/ folder): the tool cannot run."""


@dataclass
class Validation:
    plan: Plan | None  # None when there are errors
    findings: list[Finding]
    files: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return (f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)} "
                f"in {self.files} file{'s' * (self.files != 1)}")


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


def validate_project(root: Path | str, today: str | date | None = None) -> Validation:
    """Load and check the plan under `root` (holding plans/ and contacts/)."""
    root = Path(root)
    if not (root / "plans").is_dir():
        raise ProjectNotFound(f"{root} has no plans/ folder: point the tool at a project root "
                              "holding plans/ and contacts/")
    run = _Run(root, today)
    plan = run.build()
    findings = sorted(set(run.findings))
    has_errors = any(f.severity is Severity.ERROR for f in findings)
    if plan is not None:
        plan.findings = [f for f in findings if f.severity is WARNING]
    return Validation(None if has_errors else plan, findings, run.files)


@dataclass
class _Ref:
    doc: Document
    path: tuple
    kind: str  # contact | who | system | audience
    value: str


@dataclass
class _Run:
    """One validation run: the documents, the findings and the references still to resolve."""

    root: Path
    today_arg: str | date | None
    findings: list[Finding] = field(default_factory=list)
    refs: list[_Ref] = field(default_factory=list)
    files: int = 0
    region: str = ""
    region_known: bool = True  # False when plan.yaml or its region is unusable (already reported)
    # Reference kinds whose ids cannot all be known because a file defining them did not load
    # (already reported): a dangling reference of these kinds is not reported again.
    unknowable: set[str] = field(default_factory=set)
    unsure_restore: set[str] = field(default_factory=set)  # files with a restore test in error
    unsure_tier: set[str] = field(default_factory=set)  # systems whose tier is in error
    today: date = date.min
    company_domains: list[str] = field(default_factory=list)
    expected_down: list[str] = field(default_factory=list)
    own_pages: list[tuple[str, str, str]] = field(default_factory=list)  # path, Markdown, HTML
    review: Review = field(default_factory=lambda: Review(date.min))
    roles: dict[str, str] = field(default_factory=dict)
    known: dict[str, set[str]] = field(default_factory=lambda: {
        "contact": set(), "system": set(), "scenario": set(), "incident": set(), "audience": set()})

    # -- reporting ---------------------------------------------------------------------------

    def report(self, doc: Document, path: tuple, message: str, hint: str = "", *, code: str,
               severity: Severity = Severity.ERROR, key: bool = False) -> None:
        self.findings.append(doc.finding(path, message, hint, code=code, severity=severity, key=key))

    def parse(self, doc: Document, path: tuple, parser: Callable[..., Any], *args: Any,
              **kwargs: Any) -> Any:
        """`parser(value, *args)` for the value at `path`, or None (reported) when it is bad."""
        value = _get_path(doc.data, path)
        if value is None:
            return None
        try:
            return parser(value, *args, **kwargs)
        except BadValue as bad:
            self.report(doc, path, bad.message, bad.hint, code=bad.code)
            return None

    def ref(self, doc: Document, path: tuple, kind: str) -> str:
        """Record a reference by id, checked once everything is loaded; returns the id."""
        value = _get_path(doc.data, path)
        if isinstance(value, str) and value:
            self.refs.append(_Ref(doc, path, kind, value))
            return value
        return ""

    def refs_list(self, doc: Document, path: tuple, kind: str) -> list[str]:
        values = _get_path(doc.data, path)
        if not isinstance(values, list):
            return []
        return [v for i in range(len(values)) if (v := self.ref(doc, (*path, i), kind))]

    # -- loading ---------------------------------------------------------------------------

    def load(self, file: Path) -> Document | None:
        self.files += 1
        try:
            doc = load_file(file, shown_path(file), self.root)
        except LoadError as error:
            self.findings.append(error.finding)
            return None
        self.scan_secrets(doc)
        return doc

    def load_kind(self, folder: str, kind: str) -> dict[str, Document]:
        docs: dict[str, Document] = {}
        for file in self.safe_files(self.root / "plans" / folder, YAML_SUFFIXES):
            doc = self.load(file)
            if doc is None:
                self.known[kind].add(file.stem)
                continue
            try:
                ident = parse_id(file.stem, kind)
            except BadValue as bad:
                suggestion = suggest_id(file.stem)
                self.report(doc, (), f"the file name `{file.name}`: {bad.message}",
                            f"rename the file to `{suggestion}{file.suffix}`" if suggestion else "",
                            code="bad-id")
                self.known[kind].add(suggestion)  # references use the id it will have
                continue
            if ident in docs:
                self.report(doc, (), f"another file already defines the {kind} `{ident}`",
                            f"remove one of {docs[ident].path} and {doc.path}", code="duplicate-id")
                continue
            if self.mapping(doc, f"a {kind}"):
                docs[ident] = doc
            self.known[kind].add(ident)
        return docs

    def mapping(self, doc: Document, what: str) -> bool:
        if isinstance(doc.data, dict):
            return True
        if doc.data is None:
            self.report(doc, (), f"the file is empty, but should describe {what}",
                        "copy the example plan's file of the same kind and fill it in",
                        code="empty-file")
        else:
            self.report(doc, (), f"the file should be a mapping of `key: value` lines describing "
                                 f"{what}, not {describe(doc.data)}", code="wrong-type")
        return False

    def scan_secrets(self, doc: Document) -> None:
        for path, value in walk(doc.data):
            if path and isinstance(path[-1], str) and is_secret_key(path[-1]):
                self.report(doc, path, f"`{path[-1]}` looks like a secret; a plan must never hold "
                                       "passwords, PINs or tokens",
                            "remove it; say where the secret is kept instead (e.g. 'in the "
                            "password manager, entry Router')", code="secret", key=True)
            elif isinstance(value, str) and (kind := secret_in_text(value)):
                self.report(doc, path, f"this text seems to contain {kind}; the plan is published "
                                       "and printed, so it must never hold secrets",
                            secret_hint(kind), code="secret")

    # -- the whole run -----------------------------------------------------------------------

    def build(self) -> Plan | None:
        plans = self.root / "plans"
        plan_doc = self.required(plans / "plan.yaml")
        comms_doc = self.required(plans / "communications.yaml")
        self.warn_unknown_files(plans)
        self.scan_own_pages(plans / "pages")
        systems_docs = self.load_kind("systems", "system")
        scenario_docs = self.load_kind("scenarios", "scenario")
        incident_docs = self.load_kind("incidents", "incident")
        contact_docs = []
        if not (self.root / "contacts").is_dir():
            self.missing_contacts()
        for file in self.safe_files(self.root / "contacts", YAML_SUFFIXES):
            if doc := self.load(file):
                contact_docs.append(doc)
            else:  # its contacts are unknown
                self.unknowable.update(("contact", "who"))

        if plan_doc is None:
            self.unknowable.add("who")  # the roles are unknown
            self.region_known = False
        if comms_doc is None:
            self.unknowable.add("audience")
        settings = self.plan_settings(plan_doc)
        self.check_page_links(settings[1].url if settings else "")
        contacts = self.contacts(contact_docs)
        communications = self.communications(comms_doc)
        systems = {i: self.system(i, d) for i, d in systems_docs.items()}
        scenarios = [self.scenario(i, d) for i, d in scenario_docs.items()]
        incidents = [self.incident(i, d) for i, d in incident_docs.items()]
        self.roles_shadowing_contacts(plan_doc)
        self.resolve_references(contacts)
        self.scan_internal_references([plan_doc, comms_doc, *systems_docs.values(),
                                       *scenario_docs.values(), *incident_docs.values(),
                                       *contact_docs])
        if settings is None or communications is None:
            return None
        order = self.recovery_order(systems, systems_docs)
        self.restore_statuses(order, systems_docs)
        organisation, site, first_hour = settings
        return Plan(
            organisation=organisation,
            site=site,
            review=self.review,
            roles=self.roles,
            first_hour=first_hour,
            systems={s.id: s for s in order},
            scenarios=sorted(scenarios, key=lambda s: (s.priority, s.title.lower(), s.id)),
            contacts=contacts,
            communications=communications,
            incidents=sorted(incidents, key=lambda i: (i.date, i.id), reverse=True),
            today=self.today,
            root=self.root,
        )

    def required(self, file: Path) -> Document | None:
        if not os.path.lexists(file):
            self.findings.append(Finding(shown_path(file), 1, 1, Severity.ERROR,
                                         f"the plan needs {file.name}, and it is missing",
                                         "copy it from the example plan and fill it in",
                                         "missing-file"))
            return None
        doc = self.load(file)
        return doc if doc is not None and self.mapping(doc, PLAN_FILES[file.name]) else None

    def missing_contacts(self) -> None:
        folders = [f.name for f in self.root.iterdir() if f.is_dir()]
        close = difflib.get_close_matches("contacts", folders, n=1, cutoff=0.6)
        self.findings.append(Finding(
            shown_path(self.root / "contacts") + "/", 1, 1, Severity.ERROR,
            "the project has no contacts/ folder, so no one the plan names can be found",
            f"rename `{close[0]}/` to `contacts/`" if close else "create contacts/ next to plans/, "
            "with files such as contacts/people.yaml", "missing-file"))
        self.unknowable.update(("contact", "who"))  # not reported once more for each reference

    def safe_files(self, folder: Path, suffixes: tuple[str, ...] = (), recursive: bool = False,
                   ) -> list[Path]:
        """The files of `folder` safe to read; each unsafe one is reported (and counted)."""
        files, problems = safe_files(self.root, folder, suffixes, recursive)
        self.findings += problems
        self.files += len(problems)
        return files

    def scan_own_pages(self, folder: Path) -> None:
        """The plan's own pages are published too: every file in them must be the project's own
        regular file (MkDocs copies them all), and the Markdown ones UTF-8, at most 1 MiB, with
        no secrets."""
        for page in self.safe_files(folder, recursive=True):
            if page.suffix.lower() != ".md":
                continue
            self.files += 1
            try:
                text = read_text_safely(page, self.root, shown_path(page))
            except LoadError as error:
                self.findings.append(error.finding)
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if found := secret_at(line):
                    self.findings.append(Finding(
                        shown_path(page), number, found[1] + 1, Severity.ERROR,
                        f"this line seems to contain {found[0]}; the page is published, so it "
                        "must never hold secrets", secret_hint(found[0]), "secret"))
            self.check_page_html(page, text)

    def check_page_html(self, page: Path, text: str) -> None:
        """What the build removes from an author page's HTML, found here too."""
        cleaned, found = sanitize.check_page(text, shown_path(page))
        self.findings += found
        self.own_pages.append((shown_path(page), text, cleaned))

    def check_page_links(self, site_url: str) -> None:
        """The authors' pages' links to company-only hosts, as the build's check finds them."""
        scope = hosts.HostScope(self.company_domains, self.expected_down)
        for page, text, cleaned in self.own_pages:
            self.findings += independence.check_author_page(cleaned, page, text, scope, site_url)

    def warn_unknown_files(self, plans: Path) -> None:
        where = "systems, scenarios and incidents go in plans/systems/, plans/scenarios/ and " \
                "plans/incidents/"
        for file in sorted(plans.iterdir()):
            if file.suffix.lower() in YAML_SUFFIXES and file.name not in PLAN_FILES:
                guess = did_you_mean(file.name, PLAN_FILES)
                self.findings.append(Finding(
                    shown_path(file), 1, 1, WARNING, f"{file.name} is not a plan file and is ignored",
                    guess or where, "unknown-file"))
            elif file.is_dir() and file.name not in PLAN_FOLDERS and (inside := _yaml_files(file)):
                guess = did_you_mean(file.name, PLAN_FOLDERS)
                self.findings.append(Finding(
                    shown_path(inside[0]), 1, 1, WARNING, f"the folder plans/{file.name}/ is not a plan "
                    "folder: the files in it are ignored", guess.replace("`?", "/`?") or where,
                    "unknown-file"))
        for folder in sorted(self.root.glob("contacts/*/")):
            if inside := _yaml_files(folder):
                self.findings.append(Finding(
                    shown_path(inside[0]), 1, 1, WARNING, f"contacts/{folder.name}/ is a folder: the "
                    "files in it are ignored", "contacts are read only from the files directly in "
                    "contacts/", "unknown-file"))

    # -- plan.yaml ---------------------------------------------------------------------------

    def plan_settings(self, doc: Document | None) -> tuple[str, SiteSettings, FirstHour] | None:
        if doc is None:
            self.today = resolve_today(self.today_arg)
            return None
        self.findings += schema.check(doc, schema.PLAN, doc.data)
        data = doc.data
        site_data = _dict(data.get("site"))
        timezone = self.timezone(doc, site_data.get("timezone"))
        self.today = resolve_today(self.today_arg, timezone)
        self.region = self.phone_region(doc, site_data.get("region"))
        self.company_domains = self.domains(doc)
        self.expected_down = [d.strip().lower() for d in _texts(site_data, "expected_down")]
        site = SiteSettings(
            url=self.site_url(doc, site_data.get("url")),
            company_domains=self.company_domains,
            region=self.region,
            paper=self.paper(doc, site_data.get("paper", "A4")),
            timezone=timezone,
            expected_down=self.expected_down,
            mirrors=self.mirrors(doc) or ["origin"],
            branch=self.parse(doc, ("site", "branch"), parse_branch) or "gh-pages",
            stale_after_days=_int(site_data, "stale_after_days", 30, MAX_DAYS),
            language=self.language(doc, site_data.get("language")),
            private=site_data.get("private") is True,
        )
        review = _dict(data.get("review"))
        last = self.parse(doc, ("review", "last_reviewed"), parse_date, self.today)
        self.review = Review(
            last_reviewed=last or self.today,
            reviewed_by=self.ref(doc, ("review", "reviewed_by"), "who"),
            plan_every_days=_int(review, "plan_every_days", 365, MAX_DAYS),
            contacts_every_days=_int(review, "contacts_every_days", 90, MAX_DAYS),
            restore_test_every_days=_int(review, "restore_test_every_days", 90, MAX_DAYS),
        )
        if last and self.review.next_due < self.today:
            self.report(doc, ("review", "last_reviewed"),
                        f"the plan was last reviewed on {last}, more than "
                        f"{self.review.plan_every_days} days ago",
                        "review every file with the people named in it, then update "
                        "`last_reviewed`", code="review-overdue", severity=WARNING)
        self.plan_roles(doc)
        first = _dict(data.get("first_hour"))
        first_hour = FirstHour(
            first_ten_minutes=_texts(first, "first_ten_minutes"),
            scope=_texts(first, "scope"),
            provider_call=_texts(first, "provider_call"),
            expect=_text(first, "expect"),
        )
        return _text(data, "organisation"), site, first_hour

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
                self.report(doc, ("site", "company_domains", i),
                            f"`{value.strip()}` is read as `{name}`: the domain and every host "
                            "under it", f"write `{name}`: a company domain always covers the "
                            "hosts under it", code="domain-wildcard", severity=WARNING)
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

    def timezone(self, doc: Document, value: Any) -> str:
        if not isinstance(value, str) or not value:
            return "UTC"
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            guess = did_you_mean(value, zoneinfo.available_timezones())
            self.report(doc, ("site", "timezone"), f"`{value}` is not a time zone name",
                        guess or "use an IANA name such as `Europe/London` or `America/New_York`",
                        code="bad-value")
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

    def phone_region(self, doc: Document, value: Any) -> str:
        if value is None:
            return ""
        code = str(value).strip().upper()
        if code in phonenumbers.SUPPORTED_REGIONS:
            return code
        self.region_known = False
        hint = {"UK": "did you mean `GB`?"}.get(code) or did_you_mean(
            code, phonenumbers.SUPPORTED_REGIONS)
        self.report(doc, ("site", "region"), f"{describe(value)} is not a country code",
                    hint or "use a two-letter ISO 3166 code such as `GB`, `US`, `DE`, `NO`",
                    code="bad-value")
        return ""

    def paper(self, doc: Document, value: Any) -> str:
        sizes = {"a4": "A4", "letter": "Letter"}
        if isinstance(value, str) and value.strip().lower() in sizes:
            return sizes[value.strip().lower()]
        self.report(doc, ("site", "paper"), f"{describe(value)} is not a paper size",
                    "use `A4` or `Letter`", code="not-allowed")
        return "A4"

    def site_url(self, doc: Document, value: Any) -> str:
        if not isinstance(value, str) or not value:
            return ""
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname:
            self.report(doc, ("site", "url"), f"`{value}` is not an https:// address",
                        "the plan must be published over HTTPS, e.g. "
                        "`https://your-org.github.io/recovery/`", code="bad-url")
        elif domain := hosts.company_domain_of(parts.hostname, self.company_domains):
            self.report(doc, ("site", "url"),
                        f"the plan is published on {parts.hostname}, which is on the company "
                        f"domain {domain}: it would be down with the company's servers",
                        "publish it on an independent host such as GitHub Pages "
                        "(https://your-org.github.io/recovery/)", code="company-dependence")
        elif hosts.is_intranet_host(parts.hostname):
            self.report(doc, ("site", "url"),
                        f"the plan is published on {parts.hostname}, an intranet-only address "
                        "that phones outside the office cannot reach",
                        "publish it on an independent host such as GitHub Pages "
                        "(https://your-org.github.io/recovery/)", code="company-dependence")
        url = value.strip()
        return url if url.endswith("/") else url + "/"

    def plan_roles(self, doc: Document) -> None:
        roles = doc.data.get("roles")
        if not isinstance(roles, dict):
            return
        for name in roles:
            if not ROLE_PATTERN.fullmatch(name):
                suggestion = suggest_id(name).replace("-", "_")
                self.report(doc, ("roles", name), f"`{name}` is not a valid role name",
                            (f"write it as `{suggestion}`: " if ROLE_PATTERN.fullmatch(suggestion)
                             else "") + "role names use lowercase letters, digits and underscores, "
                            "e.g. `incident_lead`", code="bad-id", key=True)
            elif contact := self.ref(doc, ("roles", name), "contact"):
                self.roles[name] = contact
        if "incident_lead" not in roles:
            self.report(doc, ("roles",), "`roles` has no `incident_lead`",
                        "name the person who leads in an incident: `incident_lead: <contact id>`",
                        code="missing-field")

    # -- contacts ----------------------------------------------------------------------------

    def contacts(self, docs: list[Document]) -> dict[str, Contact]:
        contacts: dict[str, Contact] = {}
        where: dict[str, Document] = {}
        for doc in docs:
            if doc.data is None:
                self.report(doc, (), "the file is empty, but should be a list of contacts",
                            "start each contact with `- id: ...`", code="empty-file")
                continue
            if not isinstance(doc.data, list):
                self.report(doc, (), "a contacts file should be a list, each contact starting "
                                     "with `- id: ...`", code="wrong-type")
                if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                    self.known["contact"].add(doc.data["id"])  # one contact without its `- `
                continue
            for index, item in enumerate(doc.data):
                path = (index,)
                self.findings += schema.check(doc, schema.CONTACT, item, path, "a contact")
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                ident = self.parse(doc, (*path, "id"), parse_id, "contact")
                if ident is None:
                    self.known["contact"].add(suggest_id(item["id"]))  # as it will be fixed
                    continue
                if ident in contacts:
                    first = where[ident]
                    line = first.value_at((*_index_of(first, ident), "id")).line
                    self.report(doc, (*path, "id"), f"the contact id `{ident}` is already used "
                                f"in {first.path} line {line}",
                                "give each contact its own id", code="duplicate-id")
                    continue
                contacts[ident], where[ident] = self.contact(ident, doc, path, item), doc
                self.known["contact"].add(ident)
        return contacts

    def extension(self, doc: Document, path: tuple) -> str:
        """A phone's `ext` as digits, or "" (reported) when it is something else."""
        value = _get_path(doc.data, path)
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if value is None or text.isdigit() or (isinstance(value, str) and not text):
            return text
        if text:
            self.report(doc, path, f"the extension {describe(value)} must be digits only",
                        "write only the digits dialled once the call is answered, e.g. `ext: \"2\"`; "
                        "put anything else (menu options, a name to ask for) in `notes`",
                        code="bad-value")
        return ""

    def contact(self, ident: str, doc: Document, path: tuple, item: dict[str, Any]) -> Contact:
        phones = []
        for i, phone in enumerate(_list(item.get("phones"))):
            if isinstance(phone, dict) and "number" in phone:
                if not self.region_known and not str(phone["number"]).strip().startswith("+"):
                    continue  # cannot be read without the region, which is reported already
                label = phone.get("label") if phone.get("label") in schema.PHONE_LABELS else "other"
                ext = self.extension(doc, (*path, "phones", i, "ext"))
                parsed = self.parse(doc, (*path, "phones", i, "number"), parse_phone, self.region,
                                    label, ext)
                if parsed:
                    phones.append(parsed)
        email = self.parse(doc, (*path, "email"), parse_email) or ""
        if not item.get("phones") and not item.get("email"):
            self.report(doc, path, f"the contact `{ident}` has no phone number and no email",
                        "add `phones:` with at least one number, or `email:`", code="unreachable")
        sla_data = _dict(item.get("sla"))
        sla = SLA(
            callback=self.parse(doc, (*path, "sla", "callback"), parse_duration),
            restore=self.parse(doc, (*path, "sla", "restore"), parse_duration),
        ) if sla_data else None
        verified = self.parse(doc, (*path, "verified"), parse_date, self.today)
        contact = Contact(
            id=ident, name=_text(item, "name"), phones=phones, email=email,
            role=_text(item, "role"), provides=_text(item, "provides"),
            account=_text(item, "account"), sla=sla,
            escalation=self.refs_list(doc, (*path, "escalation"), "contact"),
            verified=verified, notes=_text(item, "notes"), source=doc.path,
        )
        if verified is None and "verified" not in item:
            contact.stale = True
            self.report(doc, path, f"no one has recorded checking `{ident}`'s details",
                        f"call or email them, then add `verified: {self.today}`",
                        code="contact-unverified", severity=WARNING)
        elif verified and (self.today - verified).days > self.review.contacts_every_days:
            contact.stale = True
            self.report(doc, (*path, "verified"),
                        f"`{ident}`'s details were last verified on {verified}, more than "
                        f"{self.review.contacts_every_days} days ago",
                        f"check the numbers still work, then set `verified: {self.today}`",
                        code="contact-stale", severity=WARNING)
        domain = email and hosts.company_domain_of(email.rpartition("@")[2], self.company_domains)
        if domain and not phones:
            self.report(doc, (*path, "email"),
                        f"`{ident}` can only be reached by an email on {domain}, which is down "
                        "with the company", "add a mobile number or a personal email address",
                        code="company-dependence", severity=WARNING)
        return contact

    # -- systems, scenarios, steps ---------------------------------------------------------------

    def steps(self, doc: Document, path: tuple) -> list[Step]:
        steps = []
        for i, item in enumerate(_list(_get_path(doc.data, path))):
            if isinstance(item, dict):
                at = (*path, i)
                steps.append(Step(
                    do=_text(item, "do"), who=self.ref(doc, (*at, "who"), "who"),
                    call=self.ref(doc, (*at, "call"), "who"),
                    expect=_text(item, "expect"), if_not=_text(item, "if_not"),
                ))
        return steps

    def system(self, ident: str, doc: Document) -> System:
        self.findings += schema.check(doc, schema.SYSTEM, doc.data)
        data = doc.data
        tier = _int(data, "tier", 4)
        if not 1 <= tier <= 4 or tier != data.get("tier"):
            self.unsure_tier.add(ident)  # reported by the schema: no tier-order warnings
        system = System(
            id=ident, name=_text(data, "name") or ident, tier=min(max(tier, 1), 4),
            owner=self.ref(doc, ("owner",), "who"),
            alternate=self.ref(doc, ("alternate",), "who"),
            vendor=self.ref(doc, ("vendor",), "contact"),
            depends_on=self.refs_list(doc, ("depends_on",), "system"),
            rto=self.parse(doc, ("rto",), parse_duration),
            rpo=self.parse(doc, ("rpo",), parse_duration),
            failover=_text(data, "failover"),
            backup=self.backup(doc, tier),
            recovery=self.steps(doc, ("recovery",)),
            notes=_text(data, "notes"),
        )
        if ident in system.depends_on:
            self.report(doc, ("depends_on", system.depends_on.index(ident)),
                        f"`{ident}` depends on itself", "remove it from its own `depends_on`",
                        code="cycle")
        if tier == 1 and not system.alternate and not data.get("alternate"):
            self.report(doc, (), f"the tier-1 system `{ident}` has no `alternate`",
                        "name who takes over when the owner is away: `alternate: <who>`",
                        code="no-alternate", severity=WARNING)
        return system

    def backup(self, doc: Document, tier: int) -> Backup | None:
        value = doc.data.get("backup")
        if value is None:
            if tier <= 2 and "backup" not in doc.data:
                self.report(doc, (), f"a tier-{tier} system needs `backup:`",
                            "describe how it is backed up (`backup: {method: ...}`), or write "
                            "`backup: none` if there is nothing to back up", code="missing-field")
            return None
        if isinstance(value, str) and value.strip().lower() == "none":
            return None
        if not isinstance(value, dict):
            self.report(doc, ("backup",), f"`backup` should be `none` or a mapping with "
                        f"`method:` and `restore_tests:`, not {describe(value)}",
                        code="wrong-type")
            return None
        self.findings += schema.check(doc, schema.BACKUP, value, ("backup",))
        tests = []
        for i, item in enumerate(_list(value.get("restore_tests"))):
            at = ("backup", "restore_tests", i)
            test = RestoreTest(
                date=self.parse(doc, (*at, "date"), parse_date, self.today) or date.min,
                result=str(_dict(item).get("result", "")),
                by=self.ref(doc, (*at, "by"), "who"),
                duration=self.parse(doc, (*at, "duration"), parse_duration),
                notes=_text(_dict(item), "notes"),
            )
            if test.date != date.min and test.result in schema.RESULTS:
                tests.append(test)
            else:  # reported: the restore status is unknown until it is fixed
                self.unsure_restore.add(doc.path)
        tests.sort(key=lambda t: t.date, reverse=True)
        return Backup(method=_text(value, "method"), restore_tests=tests)

    def scenario(self, ident: str, doc: Document) -> Scenario:
        self.findings += schema.check(doc, schema.SCENARIO, doc.data)
        data = doc.data
        priority = _int(data, "priority", 100, schema.PRIORITY["max"])
        on_paper = data.get("on_paper")
        return Scenario(
            id=ident, title=_text(data, "title") or ident, steps=self.steps(doc, ("steps",)),
            summary=_text(data, "summary"), affects=self.refs_list(doc, ("affects",), "system"),
            priority=priority, notify=self.refs_list(doc, ("notify",), "audience"),
            on_paper=on_paper if isinstance(on_paper, bool) else None,
        )

    # -- communications ------------------------------------------------------------------------

    def communications(self, doc: Document | None) -> Communications | None:
        if doc is None:
            return None
        self.findings += schema.check(doc, schema.COMMUNICATIONS, doc.data)
        data = doc.data
        templates = self.templates(doc, ("templates",))
        audiences = {}
        for key, item in _dict(data.get("audiences")).items():
            try:
                ident = parse_id(key, "audience")
            except BadValue as bad:
                self.report(doc, ("audiences", key), bad.message, bad.hint, code="bad-id", key=True)
                self.known["audience"].add(suggest_id(key))  # references use the id it will have
                continue
            self.known["audience"].add(ident)
            if not isinstance(item, dict):
                continue
            channel = item.get("channel")
            audiences[ident] = Audience(
                id=ident, name=_text(item, "name") or ident,
                channel=channel if channel in schema.CHANNELS else "other",
                members=self.refs_list(doc, ("audiences", key, "members"), "contact"),
                note=_text(item, "note"),
                templates={**templates, **self.templates(doc, ("audiences", key, "templates"))},
            )
        return Communications(
            update_every=self.parse(doc, ("update_every",), parse_duration),
            audiences=audiences, templates=templates,
        )

    def templates(self, doc: Document, path: tuple) -> dict[str, str]:
        found = {}
        for kind, text in _dict(_get_path(doc.data, path)).items():
            if isinstance(text, str):
                self.parse(doc, (*path, kind), check_template)
                found[kind] = text
        return found

    # -- incidents -------------------------------------------------------------------------

    def incident(self, ident: str, doc: Document) -> Incident:
        self.findings += schema.check(doc, schema.INCIDENT, doc.data)
        data = doc.data
        times = {k: self.parse(doc, (k,), parse_datetime, self.today)
                 for k in ("detected", "acknowledged", "resolved")}
        known = [(k, t) for k, t in times.items() if t]
        for (earlier, a), (later, b) in zip(known, known[1:], strict=False):
            if b < a:
                self.report(doc, (later,), f"`{later}` ({b:%Y-%m-%d %H:%M}) is before "
                            f"`{earlier}` ({a:%Y-%m-%d %H:%M})",
                            "an incident is detected, then acknowledged, then resolved: "
                            "check the dates and times", code="timeline-order")
        actions = []
        for i, item in enumerate(_list(data.get("actions"))):
            if isinstance(item, dict):
                actions.append(self.action(doc, ("actions", i), item))
        incident = Incident(
            id=ident, title=_text(data, "title") or ident,
            date=self.parse(doc, ("date",), parse_date, self.today) or self.today,
            detected=times["detected"], acknowledged=times["acknowledged"],
            resolved=times["resolved"], systems=self.refs_list(doc, ("systems",), "system"),
            impact=_text(data, "impact"), root_cause=_text(data, "root_cause"),
            actions=actions, notes=_text(data, "notes"),
        )
        age = (self.today - incident.date).days
        if (not incident.root_cause or not incident.actions) and age > UNREVIEWED_INCIDENT_DAYS:
            missing = "`root_cause`" if not incident.root_cause else "`actions`"
            self.report(doc, (), f"the incident of {incident.date} has no review yet ({missing} "
                        f"missing, {age} days later)",
                        "hold a short post-incident review and record the root cause and the "
                        "prevention actions", code="incident-unreviewed", severity=WARNING)
        return incident

    def action(self, doc: Document, path: tuple, item: dict[str, Any]) -> Action:
        done_value = item.get("done")
        done = None
        if done_value is not True and done_value not in (None, False):
            done = self.parse(doc, (*path, "done"), _parse_done, self.today)
        action = Action(
            do=_text(item, "do"), owner=self.ref(doc, (*path, "owner"), "who"),
            due=self.parse(doc, (*path, "due"), parse_date, self.today, allow_future=True),
            done=done, is_done=done_value not in (None, False),  # a bad `done` is reported
        )
        if action.due and action.due < self.today and not action.is_done:
            action.overdue = True
            self.report(doc, (*path, "due"), f"the action \"{_short(action.do)}\" was due on "
                        f"{action.due} and is not done",
                        "do it and record `done: <date>`, or agree a new `due` date",
                        code="action-overdue", severity=WARNING)
        return action

    # -- cross-checks ----------------------------------------------------------------------

    def resolve_references(self, contacts: dict[str, Contact]) -> None:
        what = {"contact": "contact", "who": "contact or role", "system": "system",
                "audience": "audience"}
        for ref in self.refs:
            choices = self.known["contact"] | set(self.roles) if ref.kind == "who" else self.known[ref.kind]
            if ref.value in choices or ref.kind in self.unknowable:
                continue
            hint = did_you_mean(ref.value, choices) or (
                f"the {what[ref.kind]} ids are: {', '.join(sorted(choices)[:12])}"
                if choices else f"there is no {what[ref.kind]} yet")
            self.report(ref.doc, ref.path, f"no {what[ref.kind]} is called `{ref.value}`", hint,
                        code="unknown-reference")
        for ref in self.refs:  # a system's vendor should be a vendor
            contact = contacts.get(ref.value)
            if ref.path == ("vendor",) and contact and not contact.is_vendor:
                self.report(ref.doc, ref.path, f"the vendor `{ref.value}` has no `provides`",
                            f"add `provides:` to `{ref.value}` to say what they supply",
                            code="not-a-vendor", severity=WARNING)

    def roles_shadowing_contacts(self, doc: Document | None) -> None:
        """A role named like a contact id would silently turn every `owner: <id>` into the
        role's holder."""
        for name, holder in self.roles.items():
            if doc is not None and name in self.known["contact"]:
                self.report(doc, ("roles", name), f"the role `{name}` has the name of the contact "
                            f"`{name}`: every `{name}` in the plan would mean the role's holder "
                            f"`{holder}`", "give the role a name that says what it does, e.g. "
                            "`deputy` or `it_lead`", code="role-shadows-contact", key=True)

    def scan_internal_references(self, docs: list[Document | None]) -> None:
        skip = {("site",), ("email",)}
        for doc in docs:
            if doc is None:
                continue
            for path, value in walk(doc.data):
                if not isinstance(value, str) or any(path[: len(s)] == s or path[-1:] == s
                                                     for s in skip):
                    continue
                for found in hosts.find_internal_references(value, self.company_domains,
                                                            self.expected_down):
                    self.report(doc, path, found.describe(),
                                "also give a way that works when the office is down (a phone "
                                "number, a public address), or list the host in "
                                "`site.expected_down` if that is understood",
                                code="company-dependence", severity=WARNING)

    def recovery_order(self, systems: dict[str, System],
                       docs: dict[str, Document]) -> list[System]:
        for system in systems.values():
            system.depends_on = [d for d in system.depends_on if d in systems]
            for dep in system.depends_on:
                systems[dep].dependents.append(system.id)
                if system.tier < systems[dep].tier and not {system.id, dep} & self.unsure_tier:
                    self.report(docs[system.id], ("depends_on", system.depends_on.index(dep)),
                                f"`{system.id}` is tier {system.tier} but depends on `{dep}`, "
                                f"which is tier {systems[dep].tier}",
                                f"a system cannot come back before what it depends on: make "
                                f"`{dep}` tier {system.tier} or `{system.id}` tier "
                                f"{systems[dep].tier}", code="tier-order", severity=WARNING)
        waiting = {i: len(s.depends_on) for i, s in systems.items()}
        ready = [(s.tier, s.name.lower(), i) for i, s in systems.items() if not waiting[i]]
        heapq.heapify(ready)
        order: list[System] = []
        while ready:
            system = systems[heapq.heappop(ready)[2]]
            order.append(system)
            for dependent in system.dependents:
                waiting[dependent] -= 1
                if not waiting[dependent]:
                    s = systems[dependent]
                    heapq.heappush(ready, (s.tier, s.name.lower(), s.id))
        placed = {s.id for s in order}
        stuck = [s for s in systems.values() if s.id not in placed]
        self.report_cycles(stuck, docs)
        return order + sorted(stuck, key=lambda s: (s.tier, s.name.lower()))

    def report_cycles(self, stuck: list[System], docs: dict[str, Document]) -> None:
        """Report each cycle among the systems the topological sort could not place."""
        graph = {s.id: [d for d in s.depends_on if d != s.id] for s in stuck}
        state: dict[str, int] = {}  # 1: on the current path, 2: finished
        for start in sorted(graph):
            if start in state:
                continue
            path, stack = [start], [iter(graph[start])]
            state[start] = 1
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    state[path.pop()] = 2
                    stack.pop()
                elif nxt in graph and state.get(nxt) == 1:
                    cycle = path[path.index(nxt):]
                    last = cycle[-1]
                    self.report(docs[last], ("depends_on", graph[last].index(nxt)),
                                "dependency cycle: " + " → ".join([*cycle, nxt])
                                + " (each depends on the next)",
                                "systems cannot all wait for each other: remove one "
                                "`depends_on` entry in the cycle", code="cycle")
                elif nxt in graph and nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append(iter(graph[nxt]))

    def restore_statuses(self, order: list[System], docs: dict[str, Document]) -> None:
        every = self.review.restore_test_every_days
        for system in order:
            doc = docs[system.id]
            last = system.backup.last_test if system.backup else None
            if doc.path in self.unsure_restore:
                continue  # a restore test is in error (reported): its status is unknown
            if system.backup is None:
                system.restore_status = RestoreStatus.NO_BACKUP
            elif last is None:
                system.restore_status = RestoreStatus.NEVER
                self.report(doc, ("backup",), f"the backup of `{system.id}` has never been "
                            "restored in a test", "restore it to a spare machine once and record "
                            "it under `restore_tests:`", code="restore-never", severity=WARNING)
            elif last.result != "pass":
                system.restore_status = RestoreStatus.FAILED
                self.report(doc, ("backup", "restore_tests"),
                            f"the last restore test of `{system.id}` ({last.date}) was "
                            f"`{last.result}`", "fix the backup and test the restore again",
                            code="restore-failed", severity=WARNING)
            elif (self.today - last.date).days > every:
                system.restore_status = RestoreStatus.STALE
                self.report(doc, ("backup", "restore_tests"),
                            f"the last restore test of `{system.id}` was on {last.date}, more "
                            f"than {every} days ago", "test a restore again and record it",
                            code="restore-stale", severity=WARNING)
            else:
                system.restore_status = RestoreStatus.TESTED


def _parse_done(value: Any, today: date) -> date:
    """An action's `done`: a date (or `true`, handled by the caller)."""
    try:
        return parse_date(value, today)
    except BadValue as bad:
        if "future" in bad.message:
            raise
        raise BadValue(bad.message, f"write the date it was done, e.g. `done: {today}`, or "
                                    "`done: true` if the date is not known") from None


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir() if f.suffix.lower() in YAML_SUFFIXES and f.is_file())


def _get_path(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _index_of(doc: Document, ident: str) -> tuple:
    for index, item in enumerate(doc.data):
        if isinstance(item, dict) and item.get("id") == ident:
            return (index,)
    return ()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _texts(data: dict[str, Any], key: str) -> list[str]:
    return [v.strip() for v in _list(data.get(key)) if isinstance(v, str) and v.strip()]


def _int(data: dict[str, Any], key: str, default: int, high: int | None = None) -> int:
    """`data[key]` when it is a whole number (at most `high`: a larger one is reported by the
    schema, and the default is used meanwhile), else `default`."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return default
    return default if high is not None and not 0 <= value <= high else value


def _short(text: str, limit: int = 50) -> str:
    """`text` cut at a word boundary to about `limit` characters."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"

