"""Phase 4, references: every reference by id resolved across files, and every link or address
that leads to the company's own hosts (down with the company) found."""

from __future__ import annotations

from generator import hosts, independence
from generator.format import Ref
from generator.loader import Document
from generator.model import Finding, Severity
from generator.secretscan import walk
from generator.validation.load import Loaded
from generator.validation.values import Values
from generator.values import did_you_mean

_WHAT = {
    Ref.CONTACT: "contact",
    Ref.WHO: "contact or role",
    Ref.SYSTEM: "system",
    Ref.AUDIENCE: "audience",
    Ref.INCIDENT: "incident",
}


def check_references(loaded: Loaded, values: Values) -> list[Finding]:
    """The dangling references, vendors that are not vendors, roles named like contacts, and
    links to company-only hosts."""
    return [
        *_dangling(loaded, values),
        *_not_vendors(values),
        *_roles_shadowing(loaded, values),
        *_company_only(loaded, values),
    ]


def known_ids(loaded: Loaded, values: Values) -> dict[Ref, frozenset[str] | None]:
    """The ids each kind of reference may name; None where they are not all known (a file that
    defines them did not load, which is reported already)."""
    contacts = values.contact_ids if loaded.all_contacts_loaded else None
    roles = frozenset(values.settings.roles) if values.settings else None
    return {
        Ref.CONTACT: contacts,
        Ref.WHO: contacts | roles if contacts is not None and roles is not None else None,
        Ref.SYSTEM: loaded.file_ids["system"],
        Ref.AUDIENCE: values.audience_ids if loaded.communications else None,
        Ref.INCIDENT: loaded.file_ids["incident"],
    }


def _dangling(loaded: Loaded, values: Values) -> list[Finding]:
    known = known_ids(loaded, values)
    findings = []
    for ref in values.references:
        choices = known[ref.kind]
        if choices is None or ref.value in choices:
            continue
        what = _WHAT[ref.kind]
        hint = did_you_mean(ref.value, choices) or (
            f"the {what} ids are: {', '.join(sorted(choices)[:12])}" if choices else f"there is no {what} yet"
        )
        findings.append(
            ref.doc.finding(ref.path, f"no {what} is called `{ref.value}`", hint, code="unknown-reference")
        )
    return findings


def _not_vendors(values: Values) -> list[Finding]:
    """A system's vendor should be a vendor."""
    contacts = {read.contact.id: read.contact for read in values.contacts}
    findings = []
    for ref in values.references:
        contact = contacts.get(ref.value)
        if ref.path == ("vendor",) and contact and not contact.is_vendor:
            findings.append(
                ref.doc.finding(
                    ref.path,
                    f"the vendor `{ref.value}` has no `provides`",
                    f"add `provides:` to `{ref.value}` to say what they supply",
                    code="not-a-vendor",
                    severity=Severity.WARNING,
                )
            )
    return findings


def _roles_shadowing(loaded: Loaded, values: Values) -> list[Finding]:
    """A role named like a contact id would silently turn every `owner: <id>` into the role's
    holder."""
    if loaded.plan is None or values.settings is None:
        return []
    return [
        loaded.plan.finding(
            ("roles", name),
            f"the role `{name}` has the name of the contact `{name}`: every "
            f"`{name}` in the plan would mean the role's holder `{holder}`",
            "give the role a name that says what it does, e.g. `deputy` or `it_lead`",
            code="role-shadows-contact",
            key=True,
        )
        for name, holder in values.settings.roles.items()
        if name in values.contact_ids
    ]


def _company_only(loaded: Loaded, values: Values) -> list[Finding]:
    """Texts and the plan's own pages that point to company-only resources."""
    site = values.settings.site if values.settings else None
    domains = site.company_domains if site else []
    expected_down = site.expected_down if site else []
    docs: list[Document | None] = [
        loaded.plan,
        loaded.communications,
        *loaded.systems.values(),
        *loaded.scenarios.values(),
        *loaded.incidents.values(),
        *loaded.contacts,
    ]
    skip = {("site",), ("email",)}
    findings = []
    for doc in docs:
        if doc is None:
            continue
        for path, value in walk(doc.data):
            if not isinstance(value, str) or any(path[: len(s)] == s or path[-1:] == s for s in skip):
                continue
            for found in hosts.find_internal_references(value, domains, expected_down):
                findings.append(
                    doc.finding(
                        path,
                        found.describe(),
                        "also give a way that works when the office is down "
                        "(a phone number, a public address), or list the host in "
                        "`site.expected_down` if that is understood",
                        code="company-dependence",
                        severity=Severity.WARNING,
                    )
                )
    scope = hosts.HostScope(domains, expected_down)
    for page in loaded.own_pages:
        findings += independence.check_author_page(
            page.cleaned, page.path, page.text, scope, site.url if site else ""
        )
    return findings
