"""Fixtures shared by the browser tests: Debian's Chromium driven by Playwright, one per module
(a module that opens Playwright itself, for a profile of its own, does not use these)."""

from __future__ import annotations

import pytest
from helpers_pwa import launch


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch(playwright)
    yield chromium
    chromium.close()
