"""Fixtures shared by the tests: the folder where a test run's processes share their builds
(helpers_site.built_once); Debian's Chromium driven by Playwright, one per module (a module that
opens Playwright itself, for a profile of its own, does not use these)."""

from __future__ import annotations

import os

import pytest
from helpers_pwa import launch
from helpers_site import SHARED


@pytest.fixture(scope="session", autouse=True)
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """This run's temporary folder: with xdist, the parent of each worker's own."""
    folder = tmp_path_factory.getbasetemp()
    SHARED[:] = [folder.parent if os.environ.get("PYTEST_XDIST_WORKER") else folder]


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
