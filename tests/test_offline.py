"""The plan after one visit, with the network off and the web server stopped: every page, links,
search, vCards and checklists work; a new deploy is offered, never swapped in silently; and the
same works under a sub-path. With service workers blocked, the same tour fails."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers_pwa import (
    PHONE_VIEWPORT as PHONE,
)
from helpers_pwa import (
    SiteServer,
    install_offline_copy,
    page_urls,
    serving,
    worker_version,
)
from helpers_site import build as build_site
from helpers_site import example_copy
from playwright.sync_api import expect

from generator.model import Plan
from generator.validate import validate_project

SITE_CACHES = "caches.keys().then((names) => names.filter((n) => n.startsWith('recovery-plan ')))"


def build(project: Path, site_dir: Path) -> None:
    result = build_site(project, site_dir)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example plan (no mkdocs.yml: the built-in settings), free to change."""
    return example_copy(tmp_path_factory.mktemp("offline") / "project")


@pytest.fixture(scope="module")
def plan(project: Path) -> Plan:
    validation = validate_project(project)
    assert validation.plan is not None, validation.findings
    return validation.plan


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    site_dir = project.parent / "site"
    build(project, site_dir)
    return site_dir


def go_offline(context, server: SiteServer) -> None:
    """No network, and no server either: nothing can come from anywhere but the phone."""
    context.set_offline(True)
    server.stop()


def open_page(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    assert response.from_service_worker, f"{url} did not come from the offline copy"


def visit_every_page(page, server: SiteServer, site_dir: Path) -> set[str]:
    """Open every page by its URL; return the site's own links found on them."""
    links: set[str] = set()
    for path in page_urls(site_dir):
        open_page(page, server.url(path))
        assert page.title(), path
        if path != "print/":  # the printed sheet is a page of its own, without the site's frame
            assert "offline copy" in page.locator("#rp-freshness").inner_text(), path
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
        links |= {h.split("#")[0] for h in hrefs if h.startswith(server.base)}
    return links


def follow_links(page, server: SiteServer, links: set[str]) -> None:
    """Every link of the site resolves in the offline copy; the start page's links open by click."""
    broken = [
        link for link in sorted(links)
        if not page.evaluate("async (url) => (await fetch(url)).ok", link)
    ]  # fmt: skip
    assert not broken, broken
    open_page(page, server.url())
    count = page.locator("article a[href]:not([download])").count()
    clicked = 0
    for index in range(count):
        link = page.locator("article a[href]:not([download])").nth(index)
        href = link.evaluate("(a) => a.href")
        if not href.startswith(server.base) or "#" in href:
            continue
        with page.expect_navigation() as navigation:
            link.click()
        response = navigation.value
        assert response is not None and response.ok and response.from_service_worker, href
        assert page.url.split("#")[0] == href.split("#")[0]
        open_page(page, server.url())
        clicked += 1
    assert clicked >= 3


def search(page, server: SiteServer, plan: Plan) -> None:
    """Material's search, from the cached index, finds the first scenario; its result opens."""
    scenario = plan.scenarios[0]
    word = max(re.findall(r"[A-Za-z]{4,}", scenario.title), key=len)
    open_page(page, server.url())
    page.locator("label.md-header__button[for=__search]:visible").first.click()
    page.locator("input.md-search__input").press_sequentially(word, delay=20)
    result = page.locator(".md-search-result__item", has_text=scenario.title).first
    result.wait_for(timeout=10_000)
    with page.expect_navigation() as navigation:
        result.locator("a").first.click()
    assert navigation.value is not None and navigation.value.from_service_worker
    assert scenario.title in page.locator("h1").inner_text()


def save_vcard(page, server: SiteServer, plan: Plan) -> None:
    """A person's vCard downloads from the offline copy and names them."""
    import vobject

    person = plan.people[0]
    open_page(page, server.url("contacts/"))
    link = page.locator("a[href$='.vcf']", has_text=person.name).first
    with page.expect_download() as download:
        link.click()
    card = vobject.readOne(Path(download.value.path()).read_text("utf-8"))
    assert card.fn.value == person.name


def tick_a_step(page, server: SiteServer, plan: Plan) -> None:
    """A ticked step of a scenario stays ticked across a reload, offline."""
    open_page(page, server.url(f"scenarios/{plan.scenarios[0].id}/"))
    box = page.locator("input.rp-check").first
    box.check()
    open_page(page, server.url(f"scenarios/{plan.scenarios[0].id}/"))
    assert page.locator("input.rp-check").first.is_checked()


def offline_tour(context, server: SiteServer, site_dir: Path, plan: Plan) -> None:
    page = context.new_page()
    install_offline_copy(page, server.url())
    go_offline(context, server)
    links = visit_every_page(page, server, site_dir)
    follow_links(page, server, links)
    search(page, server, plan)
    save_vcard(page, server, plan)
    tick_a_step(page, server, plan)


def test_the_whole_plan_works_offline_after_one_visit(browser, site: Path, plan: Plan) -> None:
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    with serving(site) as server:
        offline_tour(context, server, site, plan)
    context.close()


def test_without_the_worker_the_same_tour_fails(browser, site: Path, plan: Plan) -> None:
    """Proof that the tour above tests the offline copy, not the browser's HTTP cache."""
    from playwright.sync_api import Error

    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    with serving(site) as server:
        page.goto(server.url())
        go_offline(context, server)
        with pytest.raises(Error, match="ERR_"):
            page.goto(server.url(page_urls(site)[-1]))
    context.close()


def test_under_a_sub_path(browser, site: Path, plan: Plan) -> None:
    """GitHub Pages project sites live at /<repository>/: the same build works there."""
    context = browser.new_context(viewport=PHONE)
    with serving(site, "/recovery/") as server:
        page = context.new_page()
        caches = install_offline_copy(page, server.url())
        assert caches == [f"recovery-plan {server.base} {worker_version(site)}"]
        server.stop()  # the office Wi-Fi is up, the internet is not: the phone thinks it is online
        open_page(page, server.url("contacts/"))
        expect(page.locator("#rp-freshness")).to_contain_text("offline copy")
        go_offline(context, server)
        visit_every_page(page, server, site)
        search(page, server, plan)
    context.close()


def test_unknown_page_offline_gets_the_not_found_page(browser, site: Path, plan: Plan) -> None:
    context = browser.new_context(viewport=PHONE)
    prefix = urlsplit(plan.site.url).path  # where the 404 page's absolute links point
    with serving(site, prefix) as server:
        page = context.new_page()
        install_offline_copy(page, server.url())
        go_offline(context, server)
        response = page.goto(server.url("no-such-page/"))
        assert response is not None and response.status == 404 and response.from_service_worker
        assert page.locator("h1").inner_text() == "404 - Not found"
        assert page.locator(".md-header").is_visible()  # styled: its assets came from the cache
    context.close()


def test_a_new_deploy_is_offered_then_shown(browser, project: Path, site: Path, tmp_path: Path) -> None:
    served = tmp_path / "served"
    shutil.copytree(site, served)
    scenario = sorted((project / "plans" / "scenarios").glob("*.yaml"))[0]
    original = scenario.read_text("utf-8")
    old_title = re.search(r"^title: *(.+)$", original, re.M).group(1).strip().strip("\"'")
    new_title = f"{old_title} (revised)"
    url = f"scenarios/{scenario.stem}/"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    with serving(served) as server:
        old_caches = install_offline_copy(page, server.url(url))
        old_version = worker_version(served)
        try:
            scenario.write_text(
                re.sub(r"^title: *.+$", f"title: {new_title}", original, count=1, flags=re.M),
                "utf-8",
            )
            build(project, served)  # a new deploy, into the folder being served
        finally:
            scenario.write_text(original, "utf-8")
        assert worker_version(served) != old_version

        # A page left open (a phone in a pocket) looks again when it comes back into view.
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        prompt = page.locator("#rp-update")
        prompt.get_by_role("button", name="Reload").wait_for(timeout=20_000)
        assert page.locator("h1").inner_text() == old_title

        page.goto(server.url(url))  # the next visit: still the old plan, and the offer
        prompt.get_by_role("button", name="Reload").wait_for(timeout=20_000)
        assert "A newer version of the plan is available" in prompt.inner_text()
        assert page.locator("h1").inner_text() == old_title  # nothing swapped under the reader
        assert "offline copy" not in page.locator("#rp-freshness").inner_text()
        new_cache = f"recovery-plan {server.base} {worker_version(served)}"
        assert sorted(page.evaluate(SITE_CACHES)) == sorted([*old_caches, new_cache])

        with page.expect_navigation():
            prompt.get_by_role("button", name="Reload").click()
        assert page.locator("h1").inner_text() == new_title
        assert page.evaluate(SITE_CACHES) == [new_cache]  # the old version, deleted only now

        go_offline(context, server)
        open_page(page, server.url(url))
        assert page.locator("h1").inner_text() == new_title
        open_page(page, server.url())
        assert new_title in page.locator("article").inner_text()
    context.close()
