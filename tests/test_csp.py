"""The Content-Security-Policy of every page: Chromium itself blocks what the build's checks
would miss, and the site works under it."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from urllib.parse import urlsplit

import pytest
from helpers_pwa import open_settled, other_origin, serving, wait_until
from helpers_site import PHONE, ROOT, example_site, load_plan, page_paths

from generator import csp

POLICY_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
# Registered before any page script runs, through the browser's tooling (not subject to the CSP).
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));"""


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_policy_allows_the_pages_own_inline_code_by_hash_and_nothing_else() -> None:
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><style>b{}</style></head><body>'
        '<script>run()</script><script src="a.js"></script>'
        '<script type="application/json">{"a": 1}</script><script>run()</script></body></html>'
    )
    with_policy = csp.add_policy(page)
    directives = dict(d.split(" ", 1) for d in POLICY_META.search(with_policy)[1].split("; "))
    assert directives["script-src"] == f"'self' {sha256_source('run()')}"
    assert directives["style-src"] == f"'self' {sha256_source('b{}')}"
    assert directives["default-src"] == directives["connect-src"] == "'self'"
    assert directives["frame-src"] == directives["object-src"] == "'none'"
    assert with_policy.index("Content-Security-Policy") < with_policy.index("<style>")


def test_every_page_of_the_site_carries_the_policy_first_in_its_head() -> None:
    site = example_site()
    html_files = sorted(site.rglob("*.html"))
    assert {"404.html", "print/index.html", "where-things-are/index.html"} <= {
        p.relative_to(site).as_posix() for p in html_files
    }
    for path in html_files:
        text = path.read_text(encoding="utf-8")
        head = text[: text.index("</head>")]
        assert head.count("Content-Security-Policy") == 1, path
        first_load = min(i for i in (head.find("<script"), head.find("<style"), head.find("<link")) if i >= 0)
        assert head.index("Content-Security-Policy") < first_load, path


@pytest.fixture(scope="module")
def tampered(tmp_path_factory: pytest.TempPathFactory):
    """A copy of the built site whose home page was edited after the build: an image from
    another origin and an inline script the policy has no hash for."""
    with other_origin() as (other, requests):
        site = tmp_path_factory.mktemp("tampered") / "site"
        shutil.copytree(example_site(), site)
        home = site / "index.html"
        injected = f'<img id="injected" src="{other}x.png" alt=""><script>window.__injected = 1</script>'
        home.write_text(
            home.read_text(encoding="utf-8").replace("</body>", injected + "</body>"), encoding="utf-8"
        )
        yield site, requests


def test_chromium_blocks_a_remote_load_and_an_inline_script_added_after_the_build(browser, tampered) -> None:
    site, requests = tampered
    with serving(site) as server:
        context = browser.new_context(**PHONE)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        open_settled(page, server.url())
        assert page.evaluate("window.__injected") is None
        assert (
            page.evaluate(
                "document.getElementById('injected').complete && "
                "document.getElementById('injected').naturalWidth"
            )
            == 0
        )
        # The violation reports are queued as tasks: wait for both, then read them.
        wait_until(page, "window.__violations.length >= 2")
        violations = page.evaluate("window.__violations")
        context.close()
    assert requests == []
    assert any(v.startswith("img-src http://127.0.0.1:") for v in violations), violations
    assert any(v.startswith("script-src") and v.endswith("inline") for v in violations), violations
    assert any("Content Security Policy" in text for text in console), console


def test_every_page_works_under_its_policy(browser) -> None:
    """No violation on any page (the 404 page and the printed sheet too); search, the theme
    toggle and the offline app's worker work."""
    plan = load_plan(ROOT)
    prefix = urlsplit(plan.site.url).path or "/"
    with serving(example_site(), prefix) as server:
        context = browser.new_context(**PHONE)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and console.append(m.text))
        found = {}
        for path in [*page_paths(ROOT, plan), "404.html", "print/", "no/such/page/"]:
            open_settled(page, server.url(path))
            if violations := page.evaluate("window.__violations"):
                found[path] = violations
        assert found == {}
        open_settled(page, server.url())
        page.evaluate("navigator.serviceWorker.ready")  # the worker registered and is active
        scheme = page.get_attribute("body", "data-md-color-scheme")
        page.click("form[data-md-component=palette] label:visible")
        assert page.get_attribute("body", "data-md-color-scheme") != scheme
        page.locator("label.md-header__button[for='__search']").tap()
        page.locator("input.md-search__input").press_sequentially("router", delay=10)
        page.locator(".md-search-result__item").first.wait_for()
        assert page.evaluate("window.__violations") == []
        context.close()
    assert [text for text in console if "Content Security Policy" in text] == []
