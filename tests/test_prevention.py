"""Prevention on schedule: what outages cost, the plan score, and the prevention page in Chromium."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from helpers_pwa import launch, open_settled, serving
from helpers_site import OVERFLOW_JS, PHONE, ROOT, example_site
from helpers_validate import BASE, Case, materialise, run_cli, validate_args
from playwright.sync_api import sync_playwright

from generator import pages, score
from generator.i18n import translator
from generator.model import Finding, Plan, Severity
from generator.validate import validate_project

TODAY = "2026-11-25"
# The base plan's incident is detected at 09:10 and resolved at 11:40 (2 h 30 m) on `internet`.
COSTED = Case(
    "costed",
    "the internet costs 400 an hour, in pounds",
    "",
    edit={
        "plans/plan.yaml": [["  timezone: Europe/London\n", "  timezone: Europe/London\n  currency: GBP\n"]],
        "plans/systems/internet.yaml": [["rto: 4h\n", "rto: 4h\ncost_per_hour: 400\n"]],
    },
)


def _plan(root: Path) -> Plan:
    result = validate_project(root, TODAY)
    assert result.plan is not None, [str(f) for f in result.errors]
    return result.plan


def _in_language(root: Path, language: str) -> Plan:
    plan_file = root / "plans" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8").replace(
        "  region: GB\n", f"  region: GB\n  language: {language}\n"
    )
    plan_file.write_text(text, encoding="utf-8")
    return _plan(root)


@pytest.mark.parametrize(
    ("language", "amount"),
    [
        ("en", "£1,000"),
        ("de", "1.000\N{NO-BREAK SPACE}£"),
        ("nb", "1\N{NO-BREAK SPACE}000\N{NO-BREAK SPACE}£"),
    ],
)
def test_two_and_a_half_hours_at_400_an_hour_cost_1000(language: str, amount: str, tmp_path: Path) -> None:
    plan = _in_language(materialise(COSTED, tmp_path / "plan"), language)
    assert "cost_per_hour" not in (BASE / "plans" / "systems" / "internet.yaml").read_text(encoding="utf-8")
    site = pages.render(plan)
    incident = plan.incidents[0]
    assert incident.time_to_resolve is not None and incident.time_to_resolve.total_seconds() == 2.5 * 3600
    assert amount in site[f"incidents/{incident.id}/index.md"]  # this incident
    assert amount in site["incidents/index.md"]  # the last 12 months
    assert amount in site["prevention.md"]


def test_an_outage_of_a_system_without_cost_shows_its_downtime_only(tmp_path: Path) -> None:
    plan = _plan(materialise(Case("plain", "no cost", ""), tmp_path / "plan"))
    page = pages.render(plan)[f"incidents/{plan.incidents[0].id}/index.md"]
    shown = translator(plan.site.language).duration(timedelta(hours=2, minutes=30))
    assert 'id="downtime"' in page and f"</a>: {shown}</li>" in page and "costing" not in page


def test_a_system_down_in_two_incidents_stands_out_as_a_repeat_outage(tmp_path: Path) -> None:
    root = materialise(COSTED, tmp_path / "plan")
    first = root / "plans" / "incidents" / "2026-06-internet.yaml"
    again = first.read_text(encoding="utf-8").replace("2026-06-03", "2026-09-14")
    (root / "plans" / "incidents" / "2026-09-internet.yaml").write_text(again, encoding="utf-8")
    prevention = pages.render(_plan(root))["prevention.md"]
    assert 'id="repeat-outages"' in prevention
    assert "£2,000" in prevention  # two outages of 2 h 30 m at 400 an hour


def _warning(code: str) -> Finding:
    return Finding("plans/plan.yaml", 1, 1, Severity.WARNING, "a warning", code=code)


def test_the_score_takes_each_warnings_points_off_100() -> None:
    findings = [_warning("restore-stale"), _warning("restore-stale"), _warning("exercise-missing")]
    findings.append(Finding("plans/plan.yaml", 2, 1, Severity.ERROR, "an error", code="restore-stale"))
    result = score.score(findings)
    points = {kind.key: kind.points for kind in score.KINDS}
    assert result.value == 100 - 2 * points["restore_stale"] - points["exercise_missing"]
    assert result.line() == f"Plan health {result.value}/100 (stale restore tests: 2, missing exercises: 1)"
    assert score.score([]).line() == "Plan health 100/100"
    assert score.score([_warning("restore-failed")] * 20).value == 0


def test_validate_prints_the_score_after_the_summary_as_text_github_and_json(tmp_path: Path) -> None:
    root = materialise(
        Case(
            "stale",
            "",
            "",
            edit={
                "plans/systems/internet.yaml": [
                    ["rto: 4h\n", "rto: 4h\nlifecycle:\n  support_ends: 2026-09-30\n"]
                ]
            },
        ),
        tmp_path / "plan",
    )
    expected = score.score(validate_project(root, TODAY).findings)
    assert expected.value < 100
    text = run_cli(*validate_args(), cwd=root).stdout.splitlines()
    assert text[-2].startswith("0 errors, 1 warning") and text[-1] == expected.line()
    github = run_cli(*validate_args("--format", "github"), cwd=root).stdout.splitlines()
    assert github[-1] == f"::notice title=Plan health::{expected.line()}"
    data = json.loads(run_cli(*validate_args("--format", "json"), cwd=root).stdout)
    assert (data["score"], data["score_line"]) == (expected.value, expected.line())


def test_the_prevention_page_in_chromium_fits_a_phone_and_every_link_resolves() -> None:
    plan = _plan(ROOT)
    site = example_site()
    prefix = urlsplit(plan.site.url).path or "/"
    with serving(site, prefix) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(**PHONE).new_page()
        open_settled(page, server.url("prevention/"))
        assert page.evaluate(OVERFLOW_JS) == []
        links = page.eval_on_selector_all(
            ".md-content a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        assert any(h.startswith("webcal://") for h in links)
        here = page.url
        checked = 0
        for href in links:
            if href.startswith("webcal:"):
                assert href == "webcal:" + plan.site.url.removeprefix("https:") + "calendar.ics"
                continue
            target = urljoin(here, href)
            response = page.request.get(target)
            assert response.ok, href
            anchor = urlsplit(target).fragment
            if anchor:
                other = browser.new_page()
                other.goto(target)
                assert other.locator(f"[id='{anchor}']").count() == 1, href
                other.close()
            checked += 1
        browser.close()
    assert checked > 20
