"""WCAG 2.1 A and AA on every page of the site, in the light and the dark colour scheme, checked
by axe-core (from npm, run inside Chromium on a phone-sized screen)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers_pwa import launch, open_settled, serving
from helpers_site import PHONE, ROOT, example_site, load_plan, page_paths
from playwright.sync_api import sync_playwright

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    rule: v.id,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


def axe_script() -> Path:
    if not AXE.is_file():
        if os.environ.get("RECOVERY_PLAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{AXE} is missing: run `npm install`")
        pytest.skip(f"{AXE} is missing: run `npm install`")
    return AXE


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_meets_wcag_21_aa(scheme: str) -> None:
    script = axe_script()
    plan = load_plan(ROOT)
    paths = [*page_paths(ROOT, plan), "404.html"]
    violations = {}
    # at the site's own path: the 404 page, served for any address, loads its files from there
    prefix = urlsplit(plan.site.url).path or "/"
    with serving(example_site(), prefix) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(**PHONE, color_scheme=scheme)
        page = context.new_page()
        for path in paths:
            open_settled(page, server.url(path))
            expected = "slate" if scheme == "dark" else "default"
            assert page.get_attribute("body", "data-md-color-scheme") == expected, path
            page.evaluate(script.read_text(encoding="utf-8"))  # past the CSP, as a tester does
            found = page.evaluate(RUN_AXE, WCAG_TAGS)
            if found:
                violations[path] = found
        browser.close()
    assert violations == {}
