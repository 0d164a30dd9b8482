"""The page generator on a hand-built plan, without MkDocs or a browser: escaping, links,
tel: URIs, vCards, the navigation and the values handed to the theme."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import markdown
import pytest
import vobject
import yaml
from babel.dates import format_date, format_time
from babel.units import format_unit
from helpers_pages import XSS, poison_everything, sample_plan

from generator import ics, pages, printsheet
from generator.i18n import translator
from generator.model import PLACEHOLDERS, Plan, RestoreStatus, Step, System
from generator.pages import health, paths, scenarios, vcard
from generator.pages.messages import fill, labels
from generator.pages.paths import page_url
from generator.pages.wording import tr

BASE_CONFIG = Path(__file__).resolve().parents[1] / "generator" / "mkdocs-base.yml"
TEL_URI = re.compile(r"^tel:\+[1-9][0-9]{6,14}(;ext=[0-9A-Za-z#*]+)?$")


def markdown_extensions() -> list[object]:
    """The Markdown extensions the site is built with, read from the tool's MkDocs config."""
    return yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8"))["markdown_extensions"]


def to_html(source: str) -> str:
    """A generated page as Python-Markdown turns it into HTML (front matter removed)."""
    body = re.sub(r"\A---\n.*?\n---\n", "", source, flags=re.S)
    names, configs = [], {}
    for item in markdown_extensions():
        name = item if isinstance(item, str) else next(iter(item))
        names.append(name)
        if isinstance(item, dict):
            configs[name] = item[name] or {}
    return markdown.markdown(body, extensions=names, extension_configs=configs)


class Page(HTMLParser):
    """The text, elements, links and ids of an HTML fragment."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return "".join(self.text)

    def hrefs(self) -> list[str]:
        return [a["href"] for tag, a in self.tags if tag == "a" and "href" in a]

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def rendered_pages(plan: Plan, directory_urls: bool = True) -> dict[str, Page]:
    out = pages.render(plan, directory_urls=directory_urls)
    return {src: Page(to_html(body)) for src, body in out.items() if src.endswith(".md")}


def nav_pages(nav: list[object]) -> list[str]:
    found: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found += nav_pages(value) if isinstance(value, list) else [value]
    return found


def many_systems(plan: Plan, count: int) -> Plan:
    template = plan.systems["power"]
    extra = {
        f"extra-{n}": dataclasses.replace(template, id=f"extra-{n}", name=f"Extra {n}", dependents=[])
        for n in range(count)
    }
    return dataclasses.replace(plan, systems={**plan.systems, **extra})


# --- navigation and files ------------------------------------------------------------------------


def test_nav_and_generated_pages_match() -> None:
    plan = sample_plan()
    generated = {src for src in pages.render(plan) if src.endswith(".md")}
    assert sorted(nav_pages(pages.navigation(plan))) == sorted(generated)
    assert [next(iter(i)) for i in pages.navigation(plan)] == [
        "Start here",
        "Scenarios",
        "Systems",
        "Contacts",
        "Communications",
        "Past incidents",
        "Plan health",
        "Prevention",
    ]


def test_every_contact_gets_a_vcard_and_the_assets_are_files() -> None:
    plan = sample_plan()
    files = {src for src in pages.render(plan) if not src.endswith(".md")}
    expected = {paths.vcard_file(c) for c in plan.contacts} | {paths.ALL_VCARDS}
    assert files == expected | {pages.CSS, pages.JS, pages.incident_mode.JS, pages.incident_mode.FACTS}


def test_long_lists_leave_the_nav_but_keep_their_pages() -> None:
    plan = many_systems(sample_plan(), pages.NAV_LIST_MAX)
    assert len(plan.systems) > pages.NAV_LIST_MAX
    systems_nav = next(i["Systems"] for i in pages.navigation(plan) if "Systems" in i)
    assert systems_nav == [{"Overview": "systems/index.md"}]
    rendered = rendered_pages(plan)
    overview = rendered["systems/index.md"]
    for system in plan.systems.values():
        assert f"systems/{system.id}/index.md" in rendered
        assert f"{system.id}/" in overview.hrefs()


def test_too_many_scenarios_get_an_overview_page() -> None:
    plan = sample_plan()
    first = plan.scenarios[0]
    many = [dataclasses.replace(first, id=f"s-{n}", title=f"S {n}") for n in range(41)]
    plan = dataclasses.replace(plan, scenarios=many)
    nav = pages.navigation(plan)
    assert {"Scenarios": paths.SCENARIOS} in nav
    index = rendered_pages(plan)[paths.SCENARIOS]
    assert [h for h in index.hrefs() if h.startswith("s-")] == [f"s-{n}/" for n in range(41)]


def test_author_pages_join_the_nav_after_communications(tmp_path: Path) -> None:
    (tmp_path / "where-things-are.md").write_text("# Where things are\n")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "floor-plan.md").write_text("# Floor plan\n")
    (tmp_path / "index.md").write_text("# Shadowed by the generated home page\n")
    (tmp_path / ".hidden.md").write_text("# not a page\n")
    plan = sample_plan()
    nav = pages.navigation(plan, pages.author_pages(tmp_path))
    at = nav.index({"Communications": "communications.md"})
    assert nav[at + 1 : at + 3] == ["more/floor-plan.md", "where-things-are.md"]
    assert nav_pages(nav).count("index.md") == 1


# --- escaping ------------------------------------------------------------------------------------


IMG = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("poisoned", ["text fields", "every string"])
def test_plan_text_is_shown_as_text_never_as_markup(poisoned: str) -> None:
    """Markup in the plan's text (or, through the templates, in any string of the model, ids
    and phone numbers included) reaches no page as markup."""
    plan = sample_plan(XSS) if poisoned == "text fields" else poison_everything(sample_plan(), XSS + IMG)
    for src, page in rendered_pages(plan).items():
        for tag, attrs in page.tags:
            assert tag not in ("script", "img", "iframe"), (src, tag)
            assert not any(name.startswith("on") for name in attrs), (src, tag, attrs)
            assert not attrs.get("href", "").startswith("javascript:"), (src, attrs)
        assert "em" not in [t for t, _ in page.tags], f"{src}: Markdown emphasis was interpreted"
        if src != "incidents/review_template.md":
            assert XSS in page.plain, src


def test_every_text_field_reaches_its_page() -> None:
    plan = sample_plan(XSS)
    rendered = rendered_pages(plan)
    scenario = plan.scenarios[0]
    text = rendered[f"scenarios/{scenario.id}/index.md"].plain
    for step in scenario.steps:
        for value in (step.do, step.expect, step.if_not):
            assert value in text
    assert scenario.summary in text and scenario.title in text
    contacts_text = rendered[paths.CONTACTS].plain
    for contact in plan.contacts.values():
        for value in (contact.name, contact.role, contact.notes, contact.provides, contact.account):
            assert value in contacts_text
    internet = plan.systems["internet"]
    system_text = rendered["systems/internet/index.md"].plain
    assert backup_notes(internet) in system_text
    for value in (internet.failover, internet.notes, internet.backup.method):
        assert value in system_text
    comms = rendered["communications.md"].plain
    for audience in plan.communications.audiences.values():
        assert audience.name in comms and audience.note in comms
        for template in audience.templates.values():
            assert fill(template, plan.organisation, tr(plan)) in comms
    incident = plan.incidents[0]
    incident_text = rendered[f"incidents/{incident.id}/index.md"].plain
    for value in (incident.title, incident.impact, incident.root_cause, *(a.do for a in incident.actions)):
        assert value in incident_text
    home = rendered["index.md"].plain
    first = plan.first_hour
    for value in (*first.scope, *first.provider_call, first.expect, *first.first_ten_minutes):
        assert value in home


def backup_notes(system: System) -> str:
    return system.backup.restore_tests[0].notes


def test_titles_reach_the_theme_escaped() -> None:
    """MkDocs themes print nav titles and `meta.title` as HTML: they must arrive escaped."""
    plan = sample_plan(XSS)
    nav = pages.navigation(plan)
    scenario_nav = next(i["Scenarios"] for i in nav if "Scenarios" in i)
    title = next(iter(scenario_nav[0]))
    assert "<" not in title and Page(title).plain == plan.scenarios[0].title
    source = pages.render(plan)[f"scenarios/{plan.scenarios[0].id}/index.md"]
    meta = yaml.safe_load(source.split("---\n")[1])
    assert "<" not in meta["title"] and Page(meta["title"]).plain == plan.scenarios[0].title


# --- links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_internal_link_and_anchor_exists(directory_urls: bool) -> None:
    plan = sample_plan()
    rendered = rendered_pages(plan, directory_urls)
    files = set(pages.render(plan, directory_urls=directory_urls))
    by_url = {page_url(src, directory_urls): src for src in files}
    by_url |= {name: name for name in map(printsheet.pdf_name, printsheet.PAPERS)}  # the sheet's
    by_url[ics.FILE] = ics.FILE  # written by the plugin
    for src, page in rendered.items():
        here = "https://site.test/" + page_url(src, directory_urls)
        for href in page.hrefs():
            if href.split(":", 1)[0] in ("tel", "sms", "mailto"):
                continue
            if href.startswith("webcal:"):  # the published calendar, to subscribe to
                assert href == ics.webcal(plan), (src, href)
                continue
            target = urljoin(here, href)
            parts = urlsplit(target)
            assert parts.netloc == "site.test", (src, href)
            path = parts.path.lstrip("/")
            assert path in by_url, (src, href, path)
            if parts.fragment:
                assert parts.fragment in rendered[by_url[path]].ids(), (src, href)


def test_tel_links_are_e164_with_extensions() -> None:
    plan = sample_plan()
    rendered = rendered_pages(plan)
    known = {p.tel_uri for c in plan.contacts.values() for p in c.phones}
    for src, page in rendered.items():
        for href in page.hrefs():
            if href.startswith("tel:"):
                assert TEL_URI.match(href) and href in known, (src, href)
    on_contacts = {h for h in rendered[paths.CONTACTS].hrefs() if h.startswith("tel:")}
    assert on_contacts == {p.tel_uri for c in plan.contacts.values() for p in c.phones if p.label != "fax"}
    assert any(";ext=" in h for h in on_contacts)
    scenario = plan.scenarios[0]
    expected = {p.tel_uri for s in scenario.steps if s.call for p in plan.person(s.call).phones}
    on_scenario = {h for h in rendered[f"scenarios/{scenario.id}/index.md"].hrefs() if h.startswith("tel:")}
    assert on_scenario == expected


def test_sms_and_mail_links_go_to_the_audience() -> None:
    plan = sample_plan()
    page = rendered_pages(plan)["communications.md"]
    audience = plan.communications.audiences["staff"]
    members = plan.audience_members(audience)
    numbers = [next(p.e164 for p in c.phones if p.can_text) for c in members]
    emails = [c.email for c in members if c.email]
    sms = [h for h in page.hrefs() if h.startswith("sms:")]
    mail = [h for h in page.hrefs() if h.startswith("mailto:")]
    assert sms and all(h.split("?")[0] == "sms:" + ",".join(numbers) for h in sms)
    assert mail and all(h.split("?")[0] == "mailto:" + ",".join(emails) for h in mail)


# --- vCards --------------------------------------------------------------------------------------


def expected_tel(phone) -> str:
    return phone.e164 + (f";ext={phone.ext}" if phone.ext else "")


@pytest.mark.parametrize("payload", ["", XSS + ", with; separators\\ and\na new line"])
def test_vcards_parse_and_hold_the_right_numbers(payload: str) -> None:
    plan = sample_plan(payload)
    out = pages.render(plan)
    for contact in plan.contacts.values():
        source = out[paths.vcard_file(contact.id)]
        assert source.endswith("\r\n") and all(len(line.encode()) <= 75 for line in source.split("\r\n"))
        card = vobject.readOne(source)
        assert card.version.value == "3.0"
        assert card.fn.value == contact.name
        tels = sorted(t.value for t in card.contents.get("tel", []))
        assert tels == sorted(expected_tel(p) for p in contact.phones)
        assert [e.value for e in card.contents.get("email", [])] == ([contact.email] if contact.email else [])
        if contact.is_vendor:
            assert card.org.value == [contact.name]
            assert contact.provides in card.note.value and contact.account in card.note.value
    cards = list(vobject.readComponents(out[paths.ALL_VCARDS]))
    assert [c.fn.value for c in cards] == [c.name for c in plan.contacts.values()]


def test_vcard_types_follow_the_labels() -> None:
    plan = sample_plan()
    card = vobject.readOne(vcard.vcard(plan.contacts["priya"], plan))
    types = {t.value: t.params["TYPE"] for t in card.contents["tel"]}
    assert "CELL" in types["+441174960211"] and "HOME" in types["+441174960311"]


# --- behaviour the scripts rely on ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nb", "ar"])
def test_fill_replaces_every_placeholder(language: str) -> None:
    t = translator(language)
    blanks = labels(t)
    template = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    assert fill(template, "Org", t) == " ".join(
        "Org" if name == "organisation" else blanks[name] for name in PLACEHOLDERS
    )
    values = {name: name.upper() for name in PLACEHOLDERS if name != "organisation"}
    assert fill(template, "Org", t, **values) == " ".join(
        "Org" if name == "organisation" else values[name] for name in PLACEHOLDERS
    )
    assert fill("{unknown} {{eta}", "Org", t) == "{unknown} {" + blanks["eta"]


def test_checklist_key_changes_only_with_the_steps() -> None:
    plan = sample_plan()
    scenario = plan.scenarios[0]
    key = scenarios.checklist_key(scenario)
    assert key.startswith(f"{scenario.id}:")
    assert scenarios.checklist_key(dataclasses.replace(scenario, title="Other")) == key
    changed = dataclasses.replace(scenario, steps=[*scenario.steps, Step(do="One more.")])
    assert scenarios.checklist_key(changed) != key
    page = pages.render(plan)[f"scenarios/{scenario.id}/index.md"]
    assert f'data-rp-checklist="{key}"' in page
    assert page.count('class="rp-check"') == len(scenario.steps)


def test_template_context_holds_the_freshness_values() -> None:
    plan = sample_plan()
    context = pages.template_context(plan)
    assert context["organisation"] == plan.organisation
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", context["built"])
    assert context["last_reviewed"] == plan.review.last_reviewed.isoformat()
    assert context["next_due"] == plan.review.next_due.isoformat()
    assert context["stale_after_days"] == plan.site.stale_after_days
    assert context["review_overdue"] is plan.review_overdue
    assert context["warnings"] == len(plan.warnings)
    changed = dataclasses.replace(plan, organisation="Another")
    assert pages.plan_hash(changed) != context["plan_hash"]
    tomorrow = dataclasses.replace(plan, today=plan.today + timedelta(days=1))
    assert pages.plan_hash(tomorrow) == context["plan_hash"]


def test_source_date_epoch_fixes_the_build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert pages.template_context(sample_plan())["built"] == "2026-09-21T14:13:20Z"


# --- what each page shows ------------------------------------------------------------------------


def test_health_lists_every_warning_under_its_area() -> None:
    plan = sample_plan(XSS)
    page = rendered_pages(plan)[paths.HEALTH]
    for finding in plan.warnings:
        message = finding.message.replace("`", "")  # `quoted` parts are shown as code
        assert message[1:] in page.plain and f"{finding.path}:{finding.line}" in page.plain
        assert f"{health.area(finding, tr(plan))} (" in page.plain
    assert tr(plan).date(plan.review.next_due) in page.plain


@pytest.mark.parametrize("status", list(RestoreStatus))
def test_restore_status_badge(status: RestoreStatus) -> None:
    plan = sample_plan()
    plan.systems["internet"] = dataclasses.replace(plan.systems["internet"], restore_status=status)
    badge = f"rp-badge--{status.value.replace(' ', '-')}"
    out = pages.render(plan)
    assert badge in out["systems/internet/index.md"] and badge in out["systems/index.md"]


def test_system_page_shows_dependencies_both_ways_and_the_vendor() -> None:
    plan = sample_plan()
    rendered = rendered_pages(plan)
    internet = plan.systems["internet"]
    assert "../power/" in rendered["systems/internet/index.md"].hrefs()
    assert "../internet/" in rendered["systems/power/index.md"].hrefs()
    vendor = plan.contacts[internet.vendor]
    text = rendered["systems/internet/index.md"].plain
    assert vendor.name in text and vendor.account in text
    assert {p.tel_uri for p in vendor.phones} <= set(rendered["systems/internet/index.md"].hrefs())


def test_incident_timeline_shows_durations_and_action_states() -> None:
    plan = sample_plan()
    incident = plan.incidents[0]
    text = " ".join(rendered_pages(plan)[f"incidents/{incident.id}/index.md"].plain.split())
    resolve = int(incident.time_to_resolve.total_seconds() // 60)
    hours = format_unit(resolve // 60, "duration-hour", length="short", locale="en")
    minutes = format_unit(resolve % 60, "duration-minute", length="short", locale="en")
    assert f"{hours} {minutes} after detection" in text
    detected = incident.detected  # written without a zone: already the plan's local time
    assert detected.tzinfo is None
    assert format_date(detected, "medium", locale="en") in text
    assert " ".join(format_time(detected, "short", locale="en").split()) in text
    for action in incident.actions:
        state = "done" if action.is_done else "overdue" if action.overdue else "open"
        assert re.search(rf"{state}[^.]*{re.escape(action.do)}", text), action
