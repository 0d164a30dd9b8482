"""The plan format, declared once: every file kind, its keys, their value types and their words.

Each file kind (`plan.yaml`, `systems/<id>.yaml`, ...) is a `Kind` holding its `Field`s. From
these declarations come the cerberus schemas of the shape phase (`schema.py`), the JSON Schemas
for editors (`jsonschema.py`, `recovery-plan schema`) and the field reference
(`docs/reference.md`). Adding a field is one entry here, plus its behaviour in the values phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.model import TEMPLATE_KINDS, Audience, Phone, Review, Scenario, SiteSettings
from generator.values import MAX_DAYS

MAX_COST_PER_HOUR = 10**9


class Value(StrEnum):
    """A field's value type. Formats (dates, durations, phones, ids) are read in the values phase,
    which can say more than "wrong type"; the shape phase checks only the YAML types."""

    TEXT = "text"
    NUMBER = "whole number"
    BOOLEAN = "true or false"
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "date and time"  # YYYY-MM-DDTHH:MM
    DURATION = "duration"  # 30m, 4h, 2d, 0
    PHONE = "phone number"
    EXTENSION = "phone extension"  # digits, as text or a number
    DONE = "date or true"  # an action's `done`
    LIST = "list"
    MAPPING = "mapping"
    NONE_OR_MAPPING = "`none` or a mapping"  # a system's `backup`


class Ref(StrEnum):
    """The kind of id a field refers to (checked in the references phase)."""

    CONTACT = "contact"
    WHO = "who"  # a contact id or a role name from plan.yaml `roles`
    SYSTEM = "system"
    AUDIENCE = "audience"
    INCIDENT = "incident"


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its value type, whether it is required, and its words.

    `hint` says how to fill it in (shown when it is missing or has too few items); `items` is the
    item of a list; `fields` the keys of a mapping; `values` the value of a mapping whose keys are
    names the author chooses (`roles`, `audiences`)."""

    key: str
    doc: str
    value: Value = Value.TEXT
    required: bool = False
    non_empty: bool = False  # text that must not be ""
    allowed: tuple[str, ...] = ()  # the words it may be (in any letter case with `any_case`)
    any_case: bool = False  # `allowed` is checked in the values phase, in any letter case
    refers_to: Ref | None = None
    low: int | None = None
    high: int | None = None
    min_items: int = 0
    hint: str = ""
    empty_hint: str = ""
    range_hint: str = ""
    items: Field | None = None
    fields: tuple[Field, ...] = ()
    values: Field | None = None
    required_keys: tuple[str, ...] = ()  # of a mapping of chosen names (checked in values)
    required_if: tuple[str, int] | None = None  # (key, n): required when that number is <= n
    default: str = ""  # as the reference shows it

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Kind:
    """One kind of plan file."""

    name: str  # "system": also the schema's file name
    path: str  # "plans/systems/<id>.yaml"
    doc: str
    root: Field  # a mapping, or (contacts) a list of mappings

    @property
    def top(self) -> Field:
        """The mapping each file (or, for contacts, each item) is."""
        return self.root.items or self.root


def text(
    key: str,
    doc: str,
    *,
    refers_to: Ref | None = None,
    allowed: tuple[str, ...] = (),
    any_case: bool = False,
    default: str = "",
) -> Field:
    return Field(
        key, doc, Value.TEXT, refers_to=refers_to, allowed=allowed, any_case=any_case, default=default
    )


def texts(key: str, doc: str, default: str = "") -> Field:
    return Field(key, doc, Value.LIST, items=Field("item", "", Value.TEXT), default=default)


def ids(key: str, doc: str, refers_to: Ref) -> Field:
    return Field(key, doc, Value.LIST, items=Field("item", "", Value.TEXT, refers_to=refers_to))


def required_text(key: str, doc: str, hint: str = "", *, refers_to: Ref | None = None) -> Field:
    return Field(key, doc, Value.TEXT, required=True, non_empty=True, refers_to=refers_to, hint=hint)


def required_date(doc: str) -> Field:
    """`date:`, the day something happened."""
    return Field("date", doc, Value.DATE, required=True, hint=DATE_HINT)


def days(key: str, doc: str, default: int) -> Field:
    return Field(
        key,
        doc,
        Value.NUMBER,
        low=1,
        high=MAX_DAYS,
        default=str(default),
        range_hint=f"a number of days, at most {MAX_DAYS} (ten years), e.g. `365` for once a year",
    )


NAME_HINT = "add `name:` with the name shown on the site"
DO_HINT = "every step needs `do:`, saying what to do"
DATE_HINT = "add `date:` with the day it happened, as YYYY-MM-DD"
TITLE_HINT = "add `title:` with a short description, e.g. `title: The internet is down`"
OWNER_HINT = "add `owner:` with a contact id or a role name"
RESULTS = ("pass", "partial", "fail")
EXERCISE_KINDS = ("tabletop", "drill", "real")
PHONE_LABELS = ("mobile", "work", "home", "fax", "24x7", "other")
CHANNELS = ("sms", "email", "phone", "other")
PAPER_SIZES = ("A4", "Letter")
RESULT = Field(
    "result",
    "how it went",
    Value.TEXT,
    required=True,
    allowed=RESULTS,
    hint="add `result:` with `pass`, `partial` or `fail`",
)
TEMPLATE_DOCS = {
    "initial": "the first message, sent when something goes wrong",
    "update": "the message sent while it lasts",
    "resolved": "the message sent when it is over",
}
TEMPLATE_HINTS = {
    "initial": "add `initial:` with the first message sent when something goes wrong",
    "update": "add `update:` with the message sent while it lasts, e.g. `Update {time}: {status}`",
    "resolved": "add `resolved:` with the message sent when it is over, e.g. `Resolved at {time}.`",
}

STEP = Field(
    "step",
    "one step",
    Value.MAPPING,
    fields=(
        required_text("do", "what to do (text)", DO_HINT),
        text("who", "who does it", refers_to=Ref.WHO),
        text("call", "who to call: shown with tap-to-call buttons", refers_to=Ref.WHO),
        text("expect", "what should happen if it worked"),
        text("if_not", "what to do if it did not"),
    ),
)


def steps(
    key: str,
    doc: str,
    *,
    required: bool = False,
    min_items: int = 0,
    hint: str = "",
) -> Field:
    return Field(key, doc, Value.LIST, required=required, min_items=min_items, hint=hint, items=STEP)


def templates(required: bool) -> tuple[Field, ...]:
    return tuple(
        Field(
            kind,
            TEMPLATE_DOCS[kind],
            Value.TEXT,
            required=required,
            hint=TEMPLATE_HINTS[kind] if required else "",
        )
        for kind in TEMPLATE_KINDS
    )


# -- the file kinds --------------------------------------------------------------------------------

PLAN = Kind(
    "plan",
    "plans/plan.yaml",
    "the organisation, where the plan is published, its review and its roles",
    Field(
        "plan",
        "",
        Value.MAPPING,
        fields=(
            required_text(
                "organisation",
                "the organisation's name",
                "add `organisation: Your Business Name` at the top of plan.yaml",
            ),
            Field(
                "site",
                "where and how the plan is published",
                Value.MAPPING,
                required=True,
                fields=(
                    required_text(
                        "url",
                        "where the plan is published: an https:// address off the company's own domains",
                        "add the address where the plan is published, e.g. "
                        "`url: https://example.github.io/recovery/`",
                    ),
                    texts("company_domains", "domains that go down with the company's servers"),
                    text("region", "default country of phone numbers (ISO 3166 code, e.g. `GB`)"),
                    text(
                        "paper",
                        "the printed sheet's paper size",
                        allowed=PAPER_SIZES,
                        any_case=True,
                        default=SiteSettings.paper,
                    ),
                    text("timezone", "IANA time zone the site shows times in", default=SiteSettings.timezone),
                    texts("expected_down", "company-only hosts the plan may link to anyway"),
                    texts(
                        "mirrors",
                        "git remotes (names or https/ssh addresses) to publish to",
                        default="origin",
                    ),
                    text("branch", "the git branch the site is published to", default=SiteSettings.branch),
                    days(
                        "stale_after_days",
                        "days after which the site warns its copy may be out of date",
                        SiteSettings.stale_after_days,
                    ),
                    text(
                        "language",
                        "language of the tool's own words on the site and sheet (BCP 47)",
                        default=SiteSettings.language,
                    ),
                    Field(
                        "private",
                        "true: the published site is encrypted, opened by passphrase or the sheet's code "
                        "(docs/private-plans.md)",
                        Value.BOOLEAN,
                        default="false",
                    ),
                    text("currency", "the currency of `cost_per_hour` (ISO 4217 code, e.g. `GBP`)"),
                ),
            ),
            Field(
                "review",
                "when the plan was last reviewed, and how often things are checked",
                Value.MAPPING,
                required=True,
                fields=(
                    Field(
                        "last_reviewed",
                        "the date the plan was last reviewed",
                        Value.DATE,
                        required=True,
                        hint="add the date the plan was last checked, e.g. `last_reviewed: 2026-10-01`",
                    ),
                    text("reviewed_by", "who reviewed it", refers_to=Ref.WHO),
                    days("plan_every_days", "days between reviews of the plan", Review.plan_every_days),
                    days(
                        "contacts_every_days",
                        "days between checks of each contact's details",
                        Review.contacts_every_days,
                    ),
                    days(
                        "restore_test_every_days",
                        "days between restore tests of each backup",
                        Review.restore_test_every_days,
                    ),
                    days(
                        "exercise_every_days",
                        "days between exercises of each scenario affecting a tier-1 system",
                        Review.exercise_every_days,
                    ),
                ),
            ),
            Field(
                "roles",
                "role names and the contact who holds each",
                Value.MAPPING,
                required=True,
                values=text("role", "the contact id holding the role", refers_to=Ref.CONTACT),
                required_keys=("incident_lead",),
                hint="add `roles:` with at least `incident_lead: <contact id>`",
            ),
            Field(
                "first_hour",
                "the first page a reader sees",
                Value.MAPPING,
                fields=(
                    texts("first_ten_minutes", "what to do before anything else"),
                    texts("scope", "questions to answer before calling anyone"),
                    texts("provider_call", "what to have ready when calling a provider"),
                    text("expect", "what to expect once the provider is called"),
                ),
            ),
        ),
    ),
)

BACKUP = Field(
    "backup",
    "how it is backed up, or `none`; required for tier 1-2",
    Value.NONE_OR_MAPPING,
    required_if=("tier", 2),
    empty_hint="describe the backup (`method:` and "
    "`restore_tests:` on the lines below, indented), or write `backup: none` if there "
    "is nothing to back up",
    fields=(
        required_text(
            "method",
            "how the backup is made",
            "add `method:` saying how the backup is made, e.g. `method: Nightly copy to the cloud`",
        ),
        Field(
            "restore_tests",
            "evidence that the backup restores, newest first or in any order",
            Value.LIST,
            items=Field(
                "restore test",
                "one restore test",
                Value.MAPPING,
                fields=(
                    required_date("the day of the test"),
                    RESULT,
                    text("by", "who tested it", refers_to=Ref.WHO),
                    Field("duration", "how long the restore took", Value.DURATION),
                    text("notes", "notes"),
                ),
            ),
        ),
    ),
)

SYSTEM = Kind(
    "system",
    "plans/systems/<id>.yaml",
    "one system; its id is the file name",
    Field(
        "system",
        "",
        Value.MAPPING,
        fields=(
            required_text("name", "the system's name", NAME_HINT),
            Field(
                "tier",
                "1 = restore first, up to 4",
                Value.NUMBER,
                required=True,
                low=1,
                high=4,
                hint="add `tier:` 1 (restore first) to 4 (restore last)",
            ),
            required_text("owner", "who looks after it", OWNER_HINT, refers_to=Ref.WHO),
            text(
                "alternate",
                "who takes over when the owner is away (recommended on tier 1)",
                refers_to=Ref.WHO,
            ),
            text("vendor", "the vendor who supports it", refers_to=Ref.CONTACT),
            ids("depends_on", "the systems it needs, which come back first", Ref.SYSTEM),
            Field("rto", "recovery time objective", Value.DURATION),
            Field("rpo", "recovery point objective", Value.DURATION),
            text("failover", "how to work around it while it is down"),
            BACKUP,
            steps("recovery", "the steps to bring it back, in order"),
            text("notes", "notes"),
            Field(
                "cost_per_hour",
                "what an hour of outage costs, in `site.currency`",
                Value.NUMBER,
                low=0,
                high=MAX_COST_PER_HOUR,
                range_hint="a whole amount per hour, e.g. `400`",
            ),
            Field(
                "lifecycle",
                "the hardware or contract behind it",
                Value.MAPPING,
                fields=(
                    Field("installed", "the day it was installed", Value.DATE),
                    Field(
                        "support_ends",
                        "when warranty, vendor support or its life ends (may be in the future)",
                        Value.DATE,
                    ),
                    Field("replace_by", "its planned replacement (may be in the future)", Value.DATE),
                ),
            ),
            Field(
                "patching",
                "its documented patch cadence",
                Value.MAPPING,
                fields=(
                    Field("every", "how often it is patched", Value.DURATION),
                    Field("last", "the day it was last patched", Value.DATE),
                ),
            ),
        ),
    ),
)

SCENARIO = Kind(
    "scenario",
    "plans/scenarios/<id>.yaml",
    "one scenario; its id is the file name",
    Field(
        "scenario",
        "",
        Value.MAPPING,
        fields=(
            required_text(
                "title",
                "what happened, as a reader would say it",
                TITLE_HINT,
            ),
            text("summary", "how to recognise it"),
            ids("affects", "the systems it affects", Ref.SYSTEM),
            Field(
                "priority",
                "order on the site and the sheet",
                Value.NUMBER,
                low=0,
                high=1000,
                default=str(Scenario.priority),
                range_hint="1 comes first; the default is 100",
            ),
            steps(
                "steps",
                "what to do, in order",
                required=True,
                min_items=1,
                hint="add `steps:` with at least one `- do: ...` line",
            ),
            ids("notify", "the audiences to inform", Ref.AUDIENCE),
            Field("on_paper", "true: must be printed; false: never; absent: if it fits", Value.BOOLEAN),
            Field(
                "exercises",
                "drills and walk-throughs of this scenario",
                Value.LIST,
                items=Field(
                    "exercise",
                    "one exercise",
                    Value.MAPPING,
                    fields=(
                        required_date("the day of the exercise"),
                        Field(
                            "kind",
                            "`tabletop`, `drill`, or `real` (it really happened)",
                            Value.TEXT,
                            required=True,
                            allowed=EXERCISE_KINDS,
                            hint="add `kind:` with `tabletop`, `drill` or `real`",
                        ),
                        text("by", "who ran it", refers_to=Ref.WHO),
                        RESULT,
                        text("incident", "the incident it was (for `kind: real`)", refers_to=Ref.INCIDENT),
                        text("notes", "notes"),
                    ),
                ),
            ),
        ),
    ),
)

COMMUNICATIONS = Kind(
    "communications",
    "plans/communications.yaml",
    "the audiences to inform and the message templates",
    Field(
        "communications",
        "",
        Value.MAPPING,
        fields=(
            Field("update_every", "how often updates go out", Value.DURATION),
            Field(
                "audiences",
                "the audiences to inform, by id",
                Value.MAPPING,
                required=True,
                values=Field(
                    "audience",
                    "one audience",
                    Value.MAPPING,
                    fields=(
                        required_text("name", "who they are", NAME_HINT),
                        text("channel", "how they are told", allowed=CHANNELS, default=Audience.channel),
                        ids("members", "the contacts in it", Ref.CONTACT),
                        text("note", "a note for whoever informs them"),
                        Field(
                            "templates",
                            "this audience's own messages (the others: the plan's)",
                            Value.MAPPING,
                            fields=templates(required=False),
                        ),
                    ),
                ),
            ),
            Field(
                "templates",
                "the messages; placeholders: {organisation}, {time}, {eta}, {status}, "
                "{next_update}, {system}",
                Value.MAPPING,
                required=True,
                hint="add `templates:` with `initial:`, `update:` and `resolved:` messages",
                fields=templates(required=True),
            ),
        ),
    ),
)

CONTACT = Kind(
    "contacts",
    "contacts/*.yaml",
    "a list of contacts (people and vendors)",
    Field(
        "contacts",
        "",
        Value.LIST,
        items=Field(
            "contact",
            "one contact",
            Value.MAPPING,
            fields=(
                required_text(
                    "id", "the contact's id", "add `id:` with a short lowercase name, e.g. `id: tom`"
                ),
                required_text("name", "the person's or company's name", NAME_HINT),
                text("role", "what they do, e.g. Office IT lead"),
                Field(
                    "phones",
                    "phone numbers (a phone or an email is required)",
                    Value.LIST,
                    items=Field(
                        "phone",
                        "one phone number",
                        Value.MAPPING,
                        fields=(
                            Field(
                                "number",
                                "the number as you would dial it",
                                Value.PHONE,
                                required=True,
                                hint="add `number:` with the phone number as you would dial it",
                            ),
                            text("label", "the kind of phone", allowed=PHONE_LABELS, default=Phone.label),
                            Field("ext", "the extension to dial once answered", Value.EXTENSION),
                        ),
                    ),
                ),
                text("email", "an email address"),
                text("provides", "what a vendor supplies (a contact with it is a vendor)"),
                text("account", "a reference to quote; never a password"),
                Field(
                    "sla",
                    "a vendor's promised times",
                    Value.MAPPING,
                    fields=(
                        Field("callback", "how soon they call back", Value.DURATION),
                        Field("restore", "how soon they restore service", Value.DURATION),
                    ),
                ),
                ids("escalation", "contacts to escalate to, in order", Ref.CONTACT),
                Field("verified", "when someone last checked these details", Value.DATE),
                text("notes", "notes"),
            ),
        ),
    ),
)

TIMELINE = Field(
    "timeline",
    "what happened, in order (1.1): calls, callbacks and messages sent",
    Value.LIST,
    items=Field(
        "entry",
        "one moment",
        Value.MAPPING,
        fields=(
            Field(
                "at",
                "when it happened",
                Value.DATETIME,
                required=True,
                hint="add `at:` with the date and time, e.g. `at: 2026-06-03T09:12`",
            ),
            required_text("text", "what happened", "add `text:` saying what happened"),
            text("call", "a call was placed to this contact", refers_to=Ref.CONTACT),
            text("callback", "this provider called back", refers_to=Ref.CONTACT),
            text("notified", "a message went out to this audience", refers_to=Ref.AUDIENCE),
        ),
    ),
)

INCIDENT = Kind(
    "incident",
    "plans/incidents/<id>.yaml",
    "one past incident and its review",
    Field(
        "incident",
        "",
        Value.MAPPING,
        fields=(
            required_text(
                "title",
                "what happened",
                TITLE_HINT,
            ),
            required_date("the day it happened"),
            Field("detected", "when it was noticed", Value.DATETIME),
            Field("acknowledged", "when someone took charge", Value.DATETIME),
            Field("resolved", "when it was over", Value.DATETIME),
            ids("systems", "the systems it affected", Ref.SYSTEM),
            TIMELINE,
            text("impact", "what it cost the business"),
            text("root_cause", "why it happened"),
            Field(
                "actions",
                "the prevention list",
                Value.LIST,
                items=Field(
                    "action",
                    "one action",
                    Value.MAPPING,
                    fields=(
                        required_text("do", "what to do", DO_HINT),
                        text("owner", "who does it", refers_to=Ref.WHO),
                        Field("due", "when it is due (may be in the future)", Value.DATE),
                        Field("done", "the date it was done, or `true`", Value.DONE),
                    ),
                ),
            ),
            text("notes", "notes"),
        ),
    ),
)

MAINTENANCE = Kind(
    "maintenance",
    "plans/maintenance.yaml",
    "the boring work on schedule that prevents outages (optional)",
    Field(
        "maintenance",
        "",
        Value.MAPPING,
        fields=(
            Field(
                "tasks",
                "the maintenance tasks",
                Value.LIST,
                required=True,
                hint="add `tasks:` with at least one `- id: ...` task",
                items=Field(
                    "task",
                    "one task",
                    Value.MAPPING,
                    fields=(
                        required_text(
                            "id",
                            "the task's id",
                            "add `id:` with a short lowercase name, e.g. `id: ups-battery-test`",
                        ),
                        required_text("do", "what to do", DO_HINT),
                        required_text("owner", "who does it", OWNER_HINT, refers_to=Ref.WHO),
                        Field(
                            "every",
                            "how often it is done",
                            Value.DURATION,
                            required=True,
                            hint="add `every:` with how often it is done, e.g. `every: 90d`",
                        ),
                        Field("last", "the day it was last done (absent: never)", Value.DATE),
                        ids("systems", "the systems it keeps well", Ref.SYSTEM),
                    ),
                ),
            ),
        ),
    ),
)

KINDS = (PLAN, SYSTEM, SCENARIO, COMMUNICATIONS, CONTACT, INCIDENT, MAINTENANCE)
