"""Incident mode in real Chromium, with the network off and the server stopped: the record kept in
IndexedDB across reloads and a browser restart, the update and SLA countdowns under a controlled
clock, and the exported review draft validated as part of the example plan."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from helpers_pwa import (
    CHROMIUM_ARGS,
    PHONE_VIEWPORT,
    install_offline_copy,
    precache_list,
    require_chromium,
    serving,
    wait_until,
)
from helpers_site import ROOT, load_plan
from helpers_site import build as build_site
from playwright.sync_api import expect
from test_accessibility import RUN_AXE, WCAG_TAGS, axe_script

from generator import pages
from generator.pages import incident_mode
from generator.validate import validate_project

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT in November)
SCENARIO = "internet-down"
NO_TEL = """document.addEventListener("click", (event) => {
  if (event.target.closest('a[href^="tel:"]')) event.preventDefault();  // the phone's dialler
}, true);"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("incident") / "project"
    for part in ("plans", "contacts"):
        shutil.copytree(ROOT / part, folder / part)
    return folder


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    site_dir = project.parent / "site"
    result = build_site(project, site_dir)
    assert result.returncode == 0, result.stderr
    return site_dir


def offline_context(playwright, profile: Path, site: Path):
    """A persistent Chromium profile that has installed the offline copy, now offline, with the
    server stopped and the clock at START."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=require_chromium(), args=CHROMIUM_ARGS, viewport=PHONE_VIEWPORT
    )
    with serving(site) as server:
        install_offline_copy(context.pages[0] if context.pages else context.new_page(), server.url())
        base = server.url()
    context.set_offline(True)
    context.add_init_script(NO_TEL)
    return context, base


def start(page) -> None:
    """Press "Start incident" and wait for its bar, as a reader sees it before the next tap."""
    page.locator("[data-rp-incident='start']").click()
    page.locator("#rp-incident-bar").wait_for(state="attached")


def started(context, base: str):
    """A new page of the scenario, its clock at START, with the incident started."""
    page = context.new_page()
    page.clock.install(time=START)
    page.goto(f"{base}scenarios/{SCENARIO}/")
    start(page)
    return page


def logged(page, count: int) -> None:
    """Wait until the open incident's timeline has `count` entries (each is saved, then drawn)."""
    wait_until(page, f"document.querySelectorAll(\"[data-rp-incident='log'] li\").length === {count}")


def log(page) -> list[str]:
    """The open incident's timeline as the bar lists it (once the record is read)."""
    page.locator("#rp-incident-bar").wait_for(state="attached")
    return page.locator("[data-rp-incident='log'] li").all_text_contents()  # folded away


def test_the_record_survives_reload_and_restart_in_order(playwright, site: Path, tmp_path: Path) -> None:
    context, base = offline_context(playwright, tmp_path / "profile", site)
    page = started(context, base)
    page.clock.fast_forward("02:00")
    page.locator("input.rp-check").first.check()
    page.clock.fast_forward("03:00")
    page.locator("a.rp-call[data-rp-contact='fibrelink']").first.click()
    page.clock.fast_forward("20:00")
    page.locator("[data-rp-incident='callback']").first.click()
    logged(page, 3)  # saved before the page is left
    page.goto(f"{base}communications/")
    page.clock.fast_forward("01:00")
    page.locator("[data-rp-audience='staff'][data-rp-phase='initial'] [data-rp-copy]").click()
    logged(page, 4)
    first = log(page)
    assert first[:3] == [
        "09:02 Done: Open a website on two computers.",
        "09:05 Called FibreLink Business",
        "09:25 FibreLink Business called back",
    ]
    assert first[3].startswith("09:26 Message to All staff: ")
    page.reload()
    assert log(page) == first
    context.close()

    context = reopen(playwright, tmp_path / "profile")
    page = context.new_page()
    page.goto(base)
    assert log(page) == first  # the same profile after a restart: intact, in order
    context.close()


def reopen(playwright, profile: Path):
    """The same profile in a new browser, offline (the server is stopped already)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=require_chromium(), args=CHROMIUM_ARGS, viewport=PHONE_VIEWPORT
    )
    context.set_offline(True)
    return context


def test_update_and_sla_countdowns_follow_the_clock(playwright, site: Path, tmp_path: Path) -> None:
    context, base = offline_context(playwright, tmp_path / "profile", site)
    page = started(context, base)
    page.locator("a.rp-call[data-rp-contact='fibrelink']").first.click()
    bar = page.locator("#rp-incident-bar")
    page.clock.run_for("22:01")  # the bar refreshes every second
    assert "FibreLink Business: 22 of 30 min" in bar.inner_text()
    assert "update to All staff due in 8 min" in bar.inner_text()
    page.clock.run_for("07:58")
    assert "FibreLink Business: 29 of 30 min" in bar.inner_text()
    page.clock.run_for("00:02")
    text = bar.inner_text()
    assert "FibreLink Business: callback missed (30 of 30 min)" in text
    assert "update to All staff due now" in text
    assert bar.locator(".rp-incident-bar__due").count() >= 2
    context.close()


def test_the_exported_draft_validates_and_the_page_judges_the_callback(
    playwright, project: Path, site: Path, tmp_path: Path
) -> None:
    context, base = offline_context(playwright, tmp_path / "profile", site)
    page = started(context, base)
    page.clock.fast_forward("05:00")
    page.locator("[data-rp-incident='acknowledge']").click()
    page.locator("a.rp-call[data-rp-contact='fibrelink']").first.click()
    page.clock.fast_forward("40:00")
    page.locator("[data-rp-incident='callback']").first.click()
    page.clock.fast_forward("10:00")
    page.locator("[data-rp-incident='resolve']").click()
    text = exported(page)
    context.close()

    draft = yaml.safe_load(text)
    assert (draft["detected"], draft["acknowledged"], draft["resolved"]) == (
        "2026-11-24T09:00",
        "2026-11-24T09:05",
        "2026-11-24T09:55",
    )
    assert [e["at"] for e in draft["timeline"]] == ["2026-11-24T09:05", "2026-11-24T09:45"]
    assert draft["timeline"][0]["call"] == draft["timeline"][1]["callback"] == "fibrelink"
    assert draft["systems"] == ["internet", "phones", "practice-management", "card-payments"]
    assert (draft["impact"], draft["root_cause"], draft["actions"]) == ("", "", [])

    name = re.search(r"^# plans/incidents/(.+\.yaml)$", text, re.M)
    assert name is not None
    draft.update(
        impact="No internet for an hour.",
        root_cause="A cable was unplugged.",
        actions=[{"do": "Label the cable.", "owner": "tom", "due": "2026-12-31"}],
    )
    target = project / "plans" / "incidents" / name.group(1)
    target.write_text(yaml.safe_dump(draft, sort_keys=False), "utf-8")
    try:
        validation = validate_project(project, "2026-11-25")
    finally:
        target.unlink()
    assert [f for f in validation.findings if target.name in f.path] == []
    assert not [f for f in validation.findings if f.severity == "error"]
    assert validation.plan is not None
    out = pages.render(validation.plan)
    page_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out[f"incidents/{target.stem}/index.md"]))
    assert "missed FibreLink Business: called at 09:05, called back after 40 mins" in page_text


def test_the_record_survives_a_new_version_of_the_app(
    playwright, project: Path, site: Path, tmp_path: Path
) -> None:
    served = tmp_path / "served"
    shutil.copytree(site, served)
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=require_chromium(), args=CHROMIUM_ARGS
    )
    context.add_init_script(NO_TEL)
    page = context.new_page()
    with serving(served) as server:
        install_offline_copy(page, server.url(f"scenarios/{SCENARIO}/"))
        page.reload()
        start(page)
        page.locator("a.rp-call[data-rp-contact='fibrelink']").first.click()
        logged(page, 1)
        before = log(page)
        assert len(before) == 1
        plan = project / "plans" / "plan.yaml"
        plan_text = plan.read_text("utf-8")
        try:
            plan.write_text(plan_text.replace("organisation: ", "organisation: New ", 1), "utf-8")
            result = build_site(project, served)  # a new deploy, into the folder being served
        finally:
            plan.write_text(plan_text, "utf-8")
        assert result.returncode == 0, result.stderr
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        reload = page.locator("#rp-update").get_by_role("button", name="Reload")
        reload.wait_for(timeout=20_000)
        with page.expect_navigation():
            reload.click()
        assert "New Harbour Dental Group" in page.content()  # the new version is shown
        assert log(page) == before  # the record outlived the old worker and its caches
    context.close()


# ---- the facts: one precached file ----------------------------------------------------------


def test_the_facts_are_one_precached_file_not_on_every_page(site: Path) -> None:
    plan = load_plan(ROOT)
    assert json.loads((site / incident_mode.FACTS).read_text("utf-8")) == json.loads(
        json.dumps(incident_mode.facts(plan))
    )
    assert incident_mode.FACTS in precache_list(site)
    pages_with_facts = [p for p in site.rglob("*.html") if '"update_every"' in p.read_text("utf-8")]
    assert pages_with_facts == []


# ---- online tests: a fresh browser context per test, the site served once per module ---------


@pytest.fixture(scope="module")
def base(site: Path):
    with serving(site) as server:
        yield server.url()


def recorder(browser, base: str, *, when: datetime = START, **options):
    """A new context and page with the clock at `when`, on a scenario page with the recorder
    ready; `options` go to `new_context` (a time zone, permissions)."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, accept_downloads=True, **options)
    context.add_init_script(NO_TEL)
    page = context.new_page()
    page.clock.install(time=when)
    page.goto(f"{base}scenarios/{SCENARIO}/")
    page.locator("[data-rp-incident='start']").wait_for()
    return context, page


def exported(page, button: str = "[data-rp-incident='download']") -> str:
    with page.expect_download() as download:
        page.locator(button).click()
    return Path(download.value.path()).read_text("utf-8")


SUMMER = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 09:00 in London (BST, UTC+1)


def test_edited_times_are_checked_kept_across_reload_and_exported_in_the_plans_timezone(
    browser, base: str
) -> None:
    context, page = recorder(browser, base, when=SUMMER, timezone_id="Asia/Tokyo")  # not the plan's
    start(page)
    detected = page.get_by_label("Detected (Europe/London)")
    acknowledged = page.get_by_label("Acknowledged (Europe/London)")
    page.get_by_text("Times", exact=True).click()
    expect(detected).to_have_value("2026-06-10T09:00")  # shown in the plan's time zone
    detected.fill("2026-06-10T08:50")
    expect(page.locator("#rp-incident-bar")).to_contain_text("10 min since detected")

    acknowledged.fill("2026-06-10T08:40")  # before detected: refused, said, not kept
    problem = page.locator("#rp-incident-acknowledged-problem")
    expect(problem).to_have_text("Not before “Detected” (2026-06-10 08:50).")
    expect(acknowledged).to_have_attribute("aria-invalid", "true")
    expect(acknowledged).to_have_accessible_description("Not before “Detected” (2026-06-10 08:50).")
    page.get_by_label("Resolved (Europe/London)").fill("2026-06-10T08:45")
    expect(page.locator("#rp-incident-resolved-problem")).to_have_text(re.compile("^Not before “Detected”"))
    acknowledged.fill("2026-06-10T09:05")
    expect(page.locator("[data-rp-incident='acknowledge']")).to_have_count(0)  # kept, the bar redrawn
    expect(problem).to_have_text("")
    expect(acknowledged).not_to_have_attribute("aria-invalid", "true")
    detected.fill("2026-06-10T09:10")  # after acknowledged
    expect(page.locator("#rp-incident-detected-problem")).to_have_text(
        "Not after “Acknowledged” (2026-06-10 09:05)."
    )

    page.reload()
    page.get_by_text("Times", exact=True).click()
    expect(detected).to_have_value("2026-06-10T08:50")
    expect(acknowledged).to_have_value("2026-06-10T09:05")
    expect(page.get_by_label("Resolved (Europe/London)")).to_have_value("")
    draft = yaml.safe_load(exported(page))
    assert (str(draft["date"]), draft["detected"], draft["acknowledged"]) == (
        "2026-06-10",
        "2026-06-10T08:50",
        "2026-06-10T09:05",
    )
    assert "resolved" not in draft
    context.close()


def test_past_records_are_listed_exported_again_and_deleted_only_when_confirmed(browser, base: str) -> None:
    context, page = recorder(browser, base)
    start(page)
    page.locator("input.rp-check").first.check()
    page.clock.fast_forward("10:00")
    first = exported(page, "[data-rp-incident='end']")  # ending downloads the draft
    page.clock.fast_forward("01:00:00")
    page.goto(f"{base}scenarios/power-cut/")
    page.locator("[data-rp-incident='start-drill']").click()
    page.locator("#rp-incident-bar").wait_for()
    page.goto(base)
    records = page.locator("[data-rp-incident-records] li")
    records.nth(1).wait_for()
    texts = records.locator("span").all_text_contents()
    assert texts == [
        "Drill: Power cut, 24 Nov 2026, 10:10: open",
        "The internet is down, 24 Nov 2026, 09:00: ended",
    ]
    assert page.get_by_role("heading", name="Kept on this device").is_visible()
    page.get_by_text("Times", exact=True).click()  # the open drill's times, one refused
    page.get_by_label("Acknowledged (Europe/London)").fill("2026-11-24T10:00")
    expect(page.locator("#rp-incident-acknowledged-problem")).not_to_be_empty()
    page.evaluate(axe_script().read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE, WCAG_TAGS) == []
    assert exported(page, "[data-rp-record] >> nth=1 >> [data-rp-incident='export']") == first

    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    records.nth(1).locator("[data-rp-incident='delete']").click()
    assert asked == ["Delete the record of The internet is down (24 Nov 2026, 09:00) from this device?"]
    page.reload()
    records.nth(1).wait_for()
    assert records.count() == 2  # cancelled: kept

    page.once("dialog", lambda dialog: answer(dialog, True))
    records.nth(1).locator("[data-rp-incident='delete']").click()
    wait_until(page, "document.querySelectorAll('[data-rp-incident-records] li').length === 1")
    page.reload()
    records.first.wait_for()
    assert records.count() == 1 and records.first.locator("span").inner_text() == texts[0]
    assert page.locator("#rp-incident-bar").is_visible()  # the open drill is still open
    context.close()


# ---- storage: a database kept by the previous version of the app ----------------------------

OLD_DATABASE = """async ([records, active]) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("recovery-plan-incidents", 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("incidents", { keyPath: "id" });
      request.result.createObjectStore("meta");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction(["incidents", "meta"], "readwrite");
  for (const record of records) tx.objectStore("incidents").put(record);
  tx.objectStore("meta").put(active, "active");
  await new Promise((resolve) => (tx.oncomplete = resolve));
  db.close();
}"""
READ_DATABASE = """async () => {
  const db = await new Promise((resolve) => {
    const request = indexedDB.open("recovery-plan-incidents");
    request.onsuccess = () => resolve(request.result);
  });
  const records = await new Promise((resolve) => {
    const request = db.transaction("incidents").objectStore("incidents").getAll();
    request.onsuccess = () => resolve(request.result);
  });
  const indexes = [...db.transaction("incidents").objectStore("incidents").indexNames];
  db.close();
  return { version: db.version, indexes, records };
}"""
OPEN_V1 = {
    "schema": 1,
    "id": "2026-11-20-internet-down-a1",
    "kind": "incident",
    "scenario": SCENARIO,
    "title": "The internet is down",
    "detected": "2026-11-20T09:00:00.000Z",
    "acknowledged": "2026-11-20T09:04:00.000Z",
    "resolved": "",
    "entries": [
        {
            "at": "2026-11-20T09:05:00.000Z",
            "type": "call",
            "contact": "fibrelink",
            "text": "Called FibreLink Business",
        }
    ],
}
ENDED_V1 = {
    "schema": 1,
    "id": "2026-11-10-power-cut-b2",
    "kind": "drill",
    "scenario": "power-cut",
    "title": "Power cut",
    "detected": "2026-11-10T14:00:00.000Z",
    "acknowledged": "",
    "resolved": "2026-11-10T14:30:00.000Z",
    "entries": [{"at": "2026-11-10T14:10:00.000Z", "type": "note", "text": "Torch found."}],
}


def test_a_version_1_database_is_upgraded_and_nothing_is_lost(browser, base: str) -> None:
    context = browser.new_context(viewport=PHONE_VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.clock.install(time=START)
    page.goto(f"{base}{incident_mode.FACTS}")  # the site's origin, without the recorder
    page.evaluate(OLD_DATABASE, [[OPEN_V1, ENDED_V1], OPEN_V1["id"]])
    page.goto(base)
    records = page.locator("[data-rp-incident-records] li > span")
    expect(records).to_have_text(
        ["The internet is down, 20 Nov 2026, 09:00: open", "Drill: Power cut, 10 Nov 2026, 14:00: ended"]
    )
    expect(page.locator("#rp-incident-bar strong")).to_have_text("Incident open: The internet is down")
    assert log(page) == ["09:05 Called FibreLink Business"]
    found = page.evaluate(READ_DATABASE)
    assert (found["version"], found["indexes"]) == (2, ["detected"])
    assert sorted(found["records"], key=lambda r: r["id"], reverse=True) == [
        {**OPEN_V1, "schema": 2, "ended": ""},
        {**ENDED_V1, "schema": 2, "ended": ENDED_V1["resolved"]},
    ]
    drill = yaml.safe_load(exported(page, "[data-rp-record] >> nth=1 >> [data-rp-incident='export']"))
    assert drill["exercises"][0]["notes"] == "14:10 Torch found."
    context.close()


# ---- the drill's export, Web Share, notifications -------------------------------------------


def test_a_drills_export_is_an_exercise_that_validates_in_its_scenario(
    browser, base: str, tmp_path: Path
) -> None:
    context, page = recorder(browser, base)
    page.locator("[data-rp-incident='start-drill']").click()
    page.clock.fast_forward("03:00")
    page.locator("input.rp-check").first.check()
    page.locator("[data-rp-incident='note-text']").fill('4G router up in 2 min: "fine" # not a comment')
    page.locator("[data-rp-incident='note']").click()
    logged(page, 2)
    page.clock.fast_forward("20:00")
    text = exported(page, "[data-rp-incident='end']")
    context.close()

    assert text.startswith(f"# plans/scenarios/{SCENARIO}.yaml: add under `exercises:`\nexercises:\n")
    (entry,) = yaml.safe_load(text)["exercises"]
    assert entry == {
        "date": START.date(),
        "kind": "drill",
        "by": "incident_lead",
        "result": "pass",
        "notes": "09:03 Done: Open a website on two computers.; "
        '09:03 4G router up in 2 min: "fine" # not a comment',
    }
    copy = tmp_path / "project"
    for part in ("plans", "contacts"):
        shutil.copytree(ROOT / part, copy / part)
    scenario = copy / "plans" / "scenarios" / f"{SCENARIO}.yaml"
    original = scenario.read_text("utf-8")
    assert original.rstrip().splitlines()[-1].startswith("    ")  # the file ends in its exercises
    scenario.write_text(original.rstrip("\n") + "\n" + text.split("\nexercises:\n", 1)[1], "utf-8")
    command = [sys.executable, "-m", "generator.cli", "validate", str(copy), "--today", "2026-11-25"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{SCENARIO}.yaml" not in result.stdout + result.stderr
    validation = validate_project(copy, "2026-11-25")
    assert validation.plan is not None
    (shown,) = [s for s in validation.plan.scenarios if s.id == SCENARIO]
    assert shown.exercises[0].date == START.date() and shown.exercises[0].kind == "drill"


SHARE = """(() => {
  window.shared = [];
  const define = (name, value) => Object.defineProperty(navigator, name, { configurable: true, value });
  define("canShare", (data) => Boolean(data?.files?.length || data?.text));
  define("share", async (data) => {
    const files = [];
    for (const file of data.files ?? []) {
      files.push({ name: file.name, type: file.type, text: await file.text() });
    }
    window.shared.push({ title: data.title, text: data.text ?? null, files });
  });
})();"""


def test_share_hands_the_review_draft_to_the_phone(browser, base: str) -> None:
    context = browser.new_context(viewport=PHONE_VIEWPORT, accept_downloads=True)
    context.add_init_script(NO_TEL)
    context.add_init_script(SHARE)  # the browser's Web Share API, which headless Chromium lacks
    page = started(context, base)
    page.locator("a.rp-call[data-rp-contact='fibrelink']").first.click()
    page.clock.fast_forward("04:00")
    page.locator("[data-rp-incident='acknowledge']").click()
    with page.expect_download() as download:
        page.locator("[data-rp-incident='download']").click()
    text = Path(download.value.path()).read_text("utf-8")
    name = download.value.suggested_filename
    page.locator("[data-rp-incident='share']").click()
    wait_until(page, "window.shared.length === 1")
    assert page.evaluate("window.shared") == [
        {"title": name, "text": None, "files": [{"name": name, "type": "text/yaml", "text": text}]}
    ]
    assert "call: fibrelink" in text and "acknowledged: 2026-11-24T09:04" in text
    context.close()


NOTIFICATIONS = """(() => {
  window.notified = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      window.notified.push(title);
      super(title, options);
    }
  };
})();"""


@pytest.mark.parametrize("allowed", [True, False], ids=["allowed", "not-allowed"])
def test_a_due_update_and_a_missed_callback_notify_once_where_allowed(
    browser, base: str, allowed: bool
) -> None:
    context = browser.new_context(viewport=PHONE_VIEWPORT)
    if allowed:
        context.grant_permissions(["notifications"])
    context.add_init_script(NO_TEL)
    context.add_init_script(NOTIFICATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.install(time=START)
    page.goto(f"{base}scenarios/{SCENARIO}/")
    start(page)
    page.clock.fast_forward("01:00")
    page.locator("a.rp-call[data-rp-contact='fibrelink']").first.click()
    page.clock.run_for("28:30")
    assert page.evaluate("window.notified") == []  # nothing due yet
    page.clock.run_for("02:00")  # 09:31:30: updates due since 09:30, the callback missed at 09:31
    missed = "FibreLink Business: callback missed (30 of 30 min)"
    expect(page.locator("#rp-incident-bar")).to_contain_text(missed)
    page.clock.run_for("05:00")  # still due: not notified again
    audiences = incident_mode.facts(load_plan(ROOT))["audiences"].values()
    expected = [f"update to {name} due now" for name in audiences]
    expected.append(missed)
    assert page.evaluate("window.notified") == (expected if allowed else [])
    assert errors == []
    context.close()
