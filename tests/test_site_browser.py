"""The built site in a real Chromium on a phone-sized screen, served by a real local HTTP server.

The example plan is built once per session; a hostile copy (markup in every text field) is
built once for this module, then broken to check that a failed build changes nothing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import vobject
from helpers_pwa import open_settled, serving
from helpers_site import (
    OVERFLOW_JS,
    PAYLOAD,
    PHONE,
    ROOT,
    SMALL_TARGETS_JS,
    build,
    example_site,
    hostile_copy,
    load_plan,
    page_paths,
    snapshot,
)
from playwright.sync_api import Page

from generator import printsheet
from generator.building import build_site
from generator.model import PLACEHOLDERS, Plan
from generator.pages import paths
from generator.pages.paths import page_url, scenario_page

TEL_URI = re.compile(r"^tel:\+[1-9][0-9]{6,14}(;ext=[0-9A-Za-z#*]+)?$")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(ROOT)


@pytest.fixture(scope="module")
def server():
    with serving(example_site()) as running:
        yield running


@pytest.fixture
def phone(browser):
    """A fresh phone-sized context (touch, 360 x 740): empty storage for every test."""
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def watch(page: Page, origin: str) -> dict[str, list[str]]:
    """Record console errors, failed requests and requests that leave the site's origin."""
    seen: dict[str, list[str]] = {"errors": [], "failed": [], "foreign": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.context.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} {r.failure}"))
    page.context.on("response", lambda r: r.status >= 400 and seen["failed"].append(f"{r.url} {r.status}"))
    page.context.on(
        "request",
        lambda r: r.url.startswith((origin, "data:")) or seen["foreign"].append(r.url),
    )
    return seen


# --- every page ----------------------------------------------------------------------------------


def test_every_page_loads_cleanly_and_fits_a_phone(phone, server, plan: Plan) -> None:
    page = phone.new_page()
    seen = watch(page, server.url())
    paths = page_paths(ROOT, plan)
    assert len(paths) >= 7 + len(plan.scenarios) + len(plan.systems)
    problems = {}
    for path in paths:
        response = open_settled(page, server.url(path))
        assert response is not None and response.ok, path
        found = page.evaluate(OVERFLOW_JS) + page.evaluate(SMALL_TARGETS_JS)
        if found:
            problems[path] = found
    assert problems == {}
    assert seen == {"errors": [], "failed": [], "foreign": []}


def test_dark_mode_follows_the_device(browser, server) -> None:
    for scheme, expected in (("light", "default"), ("dark", "slate")):
        context = browser.new_context(**PHONE, color_scheme=scheme)
        page = context.new_page()
        page.goto(server.url())
        assert page.get_attribute("body", "data-md-color-scheme") == expected
        context.close()


# --- tap to call ---------------------------------------------------------------------------------


def test_call_links_are_e164_tel_uris_of_the_right_people(phone, server, plan: Plan) -> None:
    page = phone.new_page()
    page.goto(server.url(page_url(paths.CONTACTS)))
    for contact in plan.contacts.values():
        card = page.locator(f"#contact-{contact.id} + .rp-contact")
        hrefs = card.locator("a.rp-call").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert hrefs == [p.tel_uri for p in contact.phones if p.label != "fax"], contact.id
        assert all(TEL_URI.match(h) for h in hrefs)
    scenario = next(s for s in plan.scenarios if any(step.call for step in s.steps))
    page.goto(server.url(page_url(scenario_page(scenario.id))))
    for number, step in enumerate(scenario.steps, start=1):
        hrefs = page.locator(f"#step-{number} a.rp-call").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        callee = plan.person(step.call) if step.call else None
        assert hrefs == ([p.tel_uri for p in callee.phones if p.label != "fax"] if callee else [])


def test_the_example_dials_an_extension(plan: Plan) -> None:
    """The example plan must exercise extensions, or the tel: checks above prove less."""
    assert any(";ext=" in p.tel_uri for c in plan.contacts.values() for p in c.phones)


# --- checklists ----------------------------------------------------------------------------------


def test_ticks_survive_a_reload_and_reset_clears_them(phone, server, plan: Plan) -> None:
    first, second = plan.scenarios[0], plan.scenarios[1]
    page = phone.new_page()
    page.goto(server.url(page_url(scenario_page(first.id))))
    boxes = page.locator("input.rp-check")
    assert boxes.count() == len(first.steps)
    ticked = {0, len(first.steps) - 1}
    for index in ticked:
        boxes.nth(index).tap()
    page.reload()
    assert [boxes.nth(i).is_checked() for i in range(boxes.count())] == [
        i in ticked for i in range(len(first.steps))
    ]
    assert page.locator("[data-rp-progress]").inner_text().startswith(f"{len(ticked)} of {len(first.steps)}")
    assert re.search(r"at \d\d:\d\d", page.locator("#step-1 [data-rp-done-at]").inner_text())

    page.goto(server.url(page_url(scenario_page(second.id))))
    assert not any(page.locator("input.rp-check").nth(i).is_checked() for i in range(len(second.steps)))

    page.goto(server.url(page_url(scenario_page(first.id))))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("[data-rp-reset]").tap()
    assert boxes.nth(0).is_checked()  # cancelled: nothing cleared
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-rp-reset]").tap()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.reload()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))


# --- messages ------------------------------------------------------------------------------------


def expected_message(template: str, values: dict[str, str]) -> str:
    for name in PLACEHOLDERS:
        template = template.replace(f"{{{name}}}", values[name])
    return template


def test_the_composer_fills_every_template(browser, server, plan: Plan) -> None:
    context = browser.new_context(**PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server.url(page_url("communications.md")))
    system = plan.recovery_order[0].name
    page.fill("#rp-field-eta", "11:30")
    page.fill("#rp-field-status", "The router is being replaced.")
    page.fill("#rp-field-system", system)
    time = page.input_value("#rp-field-time")
    assert re.fullmatch(r"\d\d:\d\d", time)
    every = plan.communications.update_every
    expected_next = (datetime.strptime(time, "%H:%M") + every).strftime("%H:%M")
    assert page.input_value("#rp-field-next_update") == expected_next
    values = {
        "organisation": plan.organisation,
        "time": time,
        "eta": "11:30",
        "status": "The router is being replaced.",
        "next_update": expected_next,
        "system": system,
    }
    shown = page.locator("[data-rp-template]").all_inner_texts()
    expected = [
        expected_message(audience.templates[kind], values)
        for audience in plan.communications.audiences.values()
        for kind in ("initial", "update", "resolved")
    ]
    assert shown == expected

    first = page.locator(".rp-message").first
    sms = first.locator('a[data-rp-send="sms"]')
    if sms.count():
        query = parse_qs(urlsplit(sms.get_attribute("href")).query)
        assert query["body"] == [expected[0]]
    first.locator("[data-rp-copy]").click()
    assert page.evaluate("navigator.clipboard.readText()") == expected[0]

    page.fill("#rp-field-time", "23:50")
    assert page.input_value("#rp-field-next_update") == (datetime(2000, 1, 1, 23, 50) + every).strftime(
        "%H:%M"
    )
    page.reload()
    assert page.input_value("#rp-field-eta") == "11:30"  # kept on the device for the incident
    context.close()


def test_sms_and_mail_links_reach_the_audience(phone, server, plan: Plan) -> None:
    page = phone.new_page()
    page.goto(server.url(page_url("communications.md")))
    for audience in plan.communications.audiences.values():
        members = plan.audience_members(audience)
        section = page.locator(f'[data-rp-audience="{audience.id}"][data-rp-phase="initial"] .rp-message')
        numbers = [next((p.e164 for p in c.phones if p.can_text), "") for c in members]
        sms = section.locator('a[data-rp-send="sms"]')
        if any(numbers):
            target = unquote(sms.get_attribute("href").split("?")[0])
            assert target == "sms:" + ",".join(n for n in numbers if n)
        else:
            assert sms.count() == 0
        mail = section.locator('a[data-rp-send="mailto"]')
        emails = [c.email for c in members if c.email]
        if emails:
            assert unquote(mail.get_attribute("href").split("?")[0]) == "mailto:" + ",".join(emails)
        else:
            assert mail.count() == 0


# --- vCards --------------------------------------------------------------------------------------


def expected_tels(contact) -> list[str]:
    return sorted(p.e164 + (f";ext={p.ext}" if p.ext else "") for p in contact.phones)


def test_vcards_download_and_hold_the_right_numbers(phone, server, plan: Plan) -> None:
    page = phone.new_page()
    page.goto(server.url(page_url(paths.CONTACTS)))
    with page.expect_download() as download:
        page.locator(f'a[href="{Path(paths.ALL_VCARDS).name}"]').tap()
    cards = list(vobject.readComponents(Path(download.value.path()).read_text(encoding="utf-8")))
    assert [c.fn.value for c in cards] == [c.name for c in plan.contacts.values()]
    for card, contact in zip(cards, plan.contacts.values(), strict=True):
        assert sorted(t.value for t in card.contents.get("tel", [])) == expected_tels(contact)
    for contact in plan.contacts.values():
        href = page.locator(f"#contact-{contact.id} + .rp-contact a[download]").get_attribute("href")
        response = page.request.get(server.url(page_url(paths.CONTACTS)) + href)
        assert response.ok, href
        card = vobject.readOne(response.text())
        assert card.fn.value == contact.name
        assert sorted(t.value for t in card.contents.get("tel", [])) == expected_tels(contact)


# --- search --------------------------------------------------------------------------------------


def search(page: Page, words: str) -> list[str]:
    """Type into Material's search box; the links of the results."""
    page.locator("label.md-header__button[for='__search']").tap()
    page.locator("input.md-search__input").press_sequentially(words, delay=10)
    page.locator(".md-search-result__item").first.wait_for()
    return page.locator(".md-search-result__link").evaluate_all(
        "els => els.map(e => new URL(e.href).pathname + new URL(e.href).hash)"
    )


def distinctive_step_word(plan: Plan) -> tuple[str, str]:
    """A scenario and a long word its steps use that no other scenario's steps do."""

    def words(scenario) -> set[str]:
        text = " ".join(f"{s.do} {s.expect} {s.if_not}" for s in scenario.steps)
        return {w.lower() for w in re.findall(r"[A-Za-z]{7,}", text)}

    for scenario in plan.scenarios:
        others = set().union(*(words(s) for s in plan.scenarios if s is not scenario))
        title = scenario.title.lower()
        unique = sorted((w for w in words(scenario) - others if w not in title), key=len)
        if unique:
            return scenario.id, unique[-1]
    raise AssertionError("no scenario has a word of its own")


def test_search_finds_contacts_by_name_and_scenarios_by_their_steps(phone, server, plan: Plan) -> None:
    page = phone.new_page()
    page.goto(server.url())
    contact = list(plan.contacts.values())[-1]
    assert f"/contacts/#contact-{contact.id}" in search(page, contact.name)
    scenario_id, word = distinctive_step_word(plan)
    page.goto(server.url())
    found = search(page, word)
    assert any(link.startswith(f"/scenarios/{scenario_id}/") for link in found), (word, found)


# --- hostile plan text, and a failed build -------------------------------------------------------


class _NoSheet:
    """Stands in for the printed sheet, which test_print.py covers (escaping included)."""

    def write(self, site_dir: Path) -> list:
        return []


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile copy, built in this process without the printed sheet: with markup added to
    every field it cannot fit on two pages (test_print.py checks escaping on the sheet)."""
    project = hostile_copy(tmp_path_factory.mktemp("site-hostile"))
    site = project / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(printsheet.Printer, "start", lambda self, plan, unlock_url="": _NoSheet())
        build_site(project, site)
    return project, site


def test_markup_in_every_text_field_shows_as_text(browser, hostile) -> None:
    project, site = hostile
    plan = load_plan(project)
    assert plan.organisation.endswith(PAYLOAD)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    shown_literally = 0
    with serving(site) as server:
        for path in page_paths(project, plan):
            open_settled(page, server.url(path))
            injected = page.evaluate(
                """() => [
                  ...document.querySelectorAll('img[src="x"], a[href^="javascript:"], em'),
                  ...[...document.scripts]
                    .filter((s) => s.type !== "application/json" && s.text.includes("alert(")),
                ].map((el) => el.outerHTML)"""
            )
            assert injected == [], path
            body = page.locator("body").inner_text()
            shown_literally += body.count("<script>alert(1)</script>")
            assert "<script>alert(1)</script>" in page.title() or not path.startswith("scenarios/")
    context.close()
    assert dialogs == []
    assert shown_literally > len(plan.scenarios) + len(plan.systems)


def test_a_failed_build_leaves_the_old_site_byte_identical(hostile) -> None:
    project, site = hostile
    before = snapshot(site)
    for n in range(3):  # more than two pages that must be printed: the sheet fails the build
        steps = [{"do": "Read every label in the comms cabinet aloud and write it in the log."}] * 40
        (project / "plans" / "scenarios" / f"zz-long-{n}.yaml").write_text(
            json.dumps({"title": f"Long scenario {n}", "on_paper": True, "steps": steps}), encoding="utf-8"
        )
    late = build(project, site)  # with the sheet: fails after MkDocs has written every page
    assert late.returncode == 1, late.stdout + late.stderr
    assert "error" in late.stdout + late.stderr
    assert snapshot(site) == before
    scenario = next((project / "plans" / "scenarios").glob("*.yaml"))
    scenario.write_text(
        scenario.read_text(encoding="utf-8") + "\naffects_typo: [nothing]\n", encoding="utf-8"
    )
    done = build(project, site)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "affects_typo" in done.stdout + done.stderr
    assert snapshot(site) == before
    assert sorted(p.name for p in site.parent.iterdir() if p.name.startswith(".site-")) == []
