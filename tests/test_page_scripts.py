"""The site's page scripts (generator/assets/*.js) in a real Chromium, on small pages made for
the cases the example plan does not have: two checklists on one page, and bad data in the
attributes and blocks the scripts read."""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_pwa import SiteServer, serving, wait_until
from playwright.sync_api import Page

from generator import i18n

ASSETS = Path(__file__).resolve().parents[1] / "generator" / "assets"
WORDS = i18n.translator().section("script")
STEPS = 3


def checklist(key: str, name: str) -> str:
    """A scenario page's checklist as the site lays it out: progress, steps, reset button."""
    steps = "".join(
        f'<li class="rp-step"><label class="rp-done"><input type="checkbox" class="rp-check" '
        f'data-rp-step="{i}"> <span>Step {i + 1}</span> <span data-rp-done-at></span></label></li>'
        for i in range(STEPS)
    )
    return (
        f'<p class="rp-progress" id="progress-{name}" data-rp-progress></p>'
        f'<ol class="rp-steps" id="list-{name}" data-rp-checklist="{key}">{steps}</ol>'
        f'<p><button type="button" id="reset-{name}" data-rp-reset>Clear</button></p>'
    )


def composer(blanks: str | None) -> str:
    """The message composer with `blanks` as its data-blanks attribute (None: no attribute),
    one message and its copy button."""
    given = "" if blanks is None else f' data-blanks="{html.escape(blanks)}"'
    return (
        f'<form data-rp-composer data-organisation="Acme" data-update-every="30"{given}>'
        '<input name="eta" id="eta"></form>'
        '<div class="rp-message"><p data-rp-template="Acme here: back at {eta}."></p>'
        '<button type="button" data-rp-copy>Copy</button></div>'
    )


def page_html(body: str, words: str | None = None) -> str:
    words = json.dumps(WORDS) if words is None else words
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test</title>'
        f'<script type="application/json" id="rp-words">{words}</script></head><body>{body}'
        '<script src="recovery-plan.js"></script><script src="pwa.js"></script></body></html>'
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The shipped scripts beside the test pages, served over HTTP on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("page-scripts")
    for script in ("recovery-plan.js", "pwa.js"):
        shutil.copy(ASSETS / script, folder / script)
    pages = {
        "two-checklists.html": page_html(checklist("first:aaa", "a") + checklist("second:bbb", "b")),
        "bad-words.html": page_html(checklist("first:aaa", "a") + composer('{"eta": "[time]"}'), "{oops"),
    }
    for blanks, name in (
        ("{not json", "malformed"),
        (None, "missing"),
        ("null", "null"),
        ('["eta"]', "list"),
    ):
        pages[f"blanks-{name}.html"] = page_html(checklist("first:aaa", "a") + composer(blanks))
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    with serving(folder) as running:
        yield running


@pytest.fixture
def errors() -> list[str]:
    """The script errors of the test's page."""
    return []


@pytest.fixture
def page(browser, errors: list[str]) -> Iterator[Page]:
    """A fresh context (empty storage), the clipboard allowed, every script error recorded."""
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()


def ticked(page: Page, name: str) -> list[bool]:
    boxes = page.locator(f"#list-{name} input.rp-check")
    return [boxes.nth(i).is_checked() for i in range(boxes.count())]


def progress(done: int) -> str:
    return WORDS["progress"].format(done=done, total=STEPS)


def test_each_reset_button_clears_its_own_checklist(
    page: Page, server: SiteServer, errors: list[str]
) -> None:
    page.goto(server.url("two-checklists.html"))
    page.locator("#list-a input.rp-check").nth(0).check()
    page.locator("#list-b input.rp-check").nth(1).check()
    page.locator("#list-b input.rp-check").nth(2).check()
    assert page.inner_text("#progress-a") == progress(1)
    assert page.inner_text("#progress-b") == progress(2)

    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("#reset-b")
    assert asked == [WORDS["confirm_clear"]]  # one question, for the one list
    assert ticked(page, "a") == [True, False, False]
    assert ticked(page, "b") == [False, False, False]
    assert page.inner_text("#progress-b") == progress(0)

    page.click("#reset-a")
    assert len(asked) == 2
    assert ticked(page, "a") == [False, False, False]
    page.locator("#list-b input.rp-check").nth(0).check()
    page.reload()
    assert ticked(page, "a") == [False, False, False]
    assert ticked(page, "b") == [True, False, False]
    assert errors == []


@pytest.mark.parametrize("case", ["malformed", "missing", "null", "list"])
def test_bad_blanks_leave_the_page_working(
    page: Page, server: SiteServer, errors: list[str], case: str
) -> None:
    page.goto(server.url(f"blanks-{case}.html"))
    page.locator("#list-a input.rp-check").nth(0).check()
    assert page.inner_text("#progress-a") == progress(1)  # the checklist works
    assert page.inner_text("[data-rp-template]") == "Acme here: back at {eta}."  # no blanks known
    page.click("[data-rp-copy]")
    wait_until(page, "document.querySelector('[data-rp-copy]').textContent !== 'Copy'")
    assert page.inner_text("[data-rp-copy]") == WORDS["copied"]
    assert errors == []


def test_bad_words_leave_the_page_working(page: Page, server: SiteServer, errors: list[str]) -> None:
    page.goto(server.url("bad-words.html"))
    page.locator("#list-a input.rp-check").nth(1).check()
    assert ticked(page, "a") == [False, True, False]
    assert page.inner_text("[data-rp-template]") == "Acme here: back at [time]."
    page.fill("#eta", "11:30")
    assert page.inner_text("[data-rp-template]") == "Acme here: back at 11:30."
    assert errors == []
