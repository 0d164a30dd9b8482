"""The installable app: manifest, icons, the precache list, the worker's version, the head tags,
Chromium's installability verdict and the freshness banner."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
from helpers_pwa import (
    CHROMIUM_ARGS,
    install_offline_copy,
    launch,
    page_urls,
    precache_list,
    require_chromium,
    serving,
    worker_version,
)
from helpers_pwa import (
    PHONE_VIEWPORT as PHONE,
)
from helpers_site import ROOT, example_site
from helpers_site import build as build_site
from PIL import Image, ImageChops

from generator import atomic, icons, pwa
from generator.model import Plan
from generator.validate import validate_project

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def build(project: Path, site_dir: Path) -> None:
    result = build_site(project, site_dir)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def plan() -> Plan:
    validation = validate_project(ROOT)
    assert validation.plan is not None, validation.findings
    return validation.plan


@pytest.fixture(scope="module")
def site() -> Path:
    return example_site()


def built_at(site_dir: Path) -> str:
    match = re.search(r'data-built="([^"]+)"', (site_dir / "index.html").read_text("utf-8"))
    assert match, "the start page has no freshness banner"
    return match.group(1)


# ---- manifest and icons ----


def test_manifest_names_the_plan_and_its_scope(site: Path, plan: Plan) -> None:
    manifest = json.loads((site / "manifest.webmanifest").read_text("utf-8"))
    assert manifest["name"] == f"{plan.organisation} recovery plan"
    assert 0 < len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == manifest["scope"] == "./"  # resolved against the manifest
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])


def test_manifest_icons_have_the_declared_sizes(site: Path) -> None:
    manifest = json.loads((site / "manifest.webmanifest").read_text("utf-8"))
    declared = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared
    for icon in manifest["icons"]:
        with Image.open(site / icon["src"]) as image:
            assert image.format == "PNG" and icon["type"] == "image/png"
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.mode == "RGB"  # opaque: no see-through corners on a home screen


def test_icons_show_the_initials_legibly_inside_the_safe_zone(site: Path, plan: Plan) -> None:
    manifest = json.loads((site / "manifest.webmanifest").read_text("utf-8"))
    for icon in manifest["icons"]:
        with Image.open(site / icon["src"]) as image:
            background = image.getpixel((0, 0))
            counts = sorted(image.getcolors(maxcolors=1 << 18), reverse=True)
            text = next(colour for _, colour in counts if colour != background)  # the initials
            plain = Image.new("RGB", image.size, background)
            drawn = ImageChops.difference(image, plain).convert("L").point(lambda v: 255 * (v > 0))
            left, top, right, bottom = drawn.getbbox() or (0, 0, 0, 0)
        assert icons.contrast(text, background) >= icons.MIN_CONTRAST
        size = int(icon["sizes"].split("x")[0])
        radius = 0.4 * size if icon["purpose"] == "maskable" else 0.5 * size
        for x, y in ((left, top), (right, top), (left, bottom), (right, bottom)):
            assert (x - size / 2) ** 2 + (y - size / 2) ** 2 <= radius**2, icon["src"]
    assert icons.initials(plan.organisation)  # the example's name gives initials to draw


def test_icon_colours_reach_aa_contrast_for_every_material_colour() -> None:
    for colour in pwa.MATERIAL_PRIMARY.values():
        background, text = icons.icon_colours(colour)
        assert icons.contrast(icons.hex_to_rgb(background), icons.hex_to_rgb(text)) >= 4.5


@pytest.mark.parametrize(
    ("organisation", "letters"),
    [("Harbour Dental Group", "HDG"), ("The Bank of Tomorrow", "BT"), ("Acme", "AC"),
     ("Müller & Söhne GmbH", "MSG"), ("株式会社", "")],
)  # fmt: skip
def test_initials_and_short_name(organisation: str, letters: str) -> None:
    assert icons.initials(organisation) == letters
    assert 0 < len(pwa.short_name(organisation)) <= 12


# ---- head tags ----


def test_every_page_links_manifest_theme_colour_and_touch_icon(site: Path) -> None:
    for rel in precache_list(site):
        if not rel.endswith(".html") or rel in ("404.html", "print/index.html"):
            continue
        html = (site / unquote(rel)).read_text("utf-8")
        base = urljoin("https://example.org/recovery/", rel)
        manifest = re.search(r'<link rel="manifest" href="([^"]+)">', html)
        touch = re.search(r'<link rel="apple-touch-icon" sizes="180x180" href="([^"]+)">', html)
        assert manifest and touch, rel
        assert urljoin(base, manifest.group(1)) == "https://example.org/recovery/manifest.webmanifest"
        assert urljoin(base, touch.group(1)).endswith("/recovery/assets/pwa/apple-touch-icon.png")
        media = re.findall(r'<meta name="theme-color" media="([^"]+)"', html)
        assert "(prefers-color-scheme: light)" in media and "(prefers-color-scheme: dark)" in media
        assert re.search(r'<script src="[./]*pwa\.js">', html), rel
    with Image.open(site / icons.APPLE_TOUCH_ICON.path) as image:
        assert image.size == (180, 180)


# ---- the precache list ----


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append(value)


def test_precache_holds_every_file_the_pages_refer_to(site: Path, plan: Plan) -> None:
    cached = set(precache_list(site))
    site_path = urlsplit(plan.site.url).path  # the 404 page's links are absolute (MkDocs)
    checked = 0
    for rel in sorted(cached):
        if not rel.endswith(".html"):
            continue
        parser = _Refs()
        parser.feed((site / unquote(rel)).read_text("utf-8"))
        page = "https://plan.test" + site_path + rel
        for ref in parser.refs:
            target = urlsplit(urljoin(page, ref))
            if target.scheme != "https" or target.netloc != "plan.test":
                continue  # tel:, mailto:, sms:, other sites
            path = target.path.removeprefix(site_path)
            if path == "" or path.endswith("/"):
                path += "index.html"
            assert path in cached, f"{rel} refers to {ref}, which is not precached"
            checked += 1
    assert checked > 100


def test_precache_leaves_out_what_the_site_does_not_use(site: Path) -> None:
    cached = set(precache_list(site))
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert cached <= on_disk
    left_out = on_disk - cached
    for rel in left_out:
        assert (
            rel.endswith(".map")
            or rel in ("sw.js", "sitemap.xml", "sitemap.xml.gz", atomic.MARKER)
            or rel.startswith("assets/javascripts/lunr/")  # the example's search is English only
        ), rel
    assert any(r.endswith(".map") for r in left_out) and "sw.js" in left_out
    for needed in ("index.html", "404.html", "print/index.html", "manifest.webmanifest", "pwa.js",
                   "search/search_index.json", *(i.path for i in icons.ICONS)):  # fmt: skip
        assert needed in cached, needed
    assert any(r.endswith(".vcf") for r in cached) and any(r.endswith(".pdf") for r in cached)


def test_search_language_packs_follow_the_search_languages(tmp_path: Path) -> None:
    (tmp_path / "search").mkdir()
    lunr = tmp_path / "assets/javascripts/lunr/min"
    lunr.mkdir(parents=True)
    for name in ("stemmer.support", "de", "fr", "multi"):
        (lunr / f"lunr.{name}.min.js").write_text("//")
    index = tmp_path / "search/search_index.json"
    index.write_text(json.dumps({"config": {"lang": ["en"]}, "docs": []}))
    assert not [p for p in pwa.precache_files(tmp_path) if "lunr" in p]
    index.write_text(json.dumps({"config": {"lang": ["en", "de"]}, "docs": []}))
    packs = {p.rsplit("/", 1)[1] for p in pwa.precache_files(tmp_path) if "lunr" in p}
    assert packs == {"lunr.stemmer.support.min.js", "lunr.de.min.js", "lunr.multi.min.js"}


def test_precache_payload_is_small(site: Path) -> None:
    import gzip

    data = [(site / unquote(p)).read_bytes() for p in precache_list(site)]
    # 382 KiB today (403 KiB while incident mode's facts were on every page, not in incident.json)
    assert sum(len(gzip.compress(d)) for d in data) <= 400 * 1024


# ---- the worker's version ----


def test_unchanged_rebuild_yields_the_same_worker(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(ROOT, again)
    assert built_at(again) != built_at(site)  # the pages do differ: they show the build time
    assert (again / "sw.js").read_bytes() == (site / "sw.js").read_bytes()


def test_version_changes_with_any_content_but_not_with_the_build_time(site: Path) -> None:
    paths = [unquote(p) for p in precache_list(site)]
    stamp, later = built_at(site), "2030-01-01T00:00:00Z"
    version = pwa.content_version(site, paths, [stamp])
    assert version == worker_version(site)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "site"
        shutil.copytree(site, copy)
        for page in copy.rglob("*.html"):  # the same site, built later
            page.write_text(page.read_text("utf-8").replace(stamp, later), "utf-8")
        assert pwa.content_version(copy, paths, [later]) == version
        vcard = next(copy.rglob("*.vcf"))
        vcard.write_bytes(vcard.read_bytes().replace(b"END:VCARD", b"NOTE:x\r\nEND:VCARD"))
        assert pwa.content_version(copy, paths, [later]) != version


# ---- in Chromium ----


def test_chromium_finds_the_app_installable(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    # An ordinary (non-incognito) profile: Chromium never offers to install from incognito.
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile, serving(site) as server:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=require_chromium(), args=CHROMIUM_ARGS, viewport=PHONE
        )
        page = context.new_page()
        install_offline_copy(page, server.url())
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == server.url("manifest.webmanifest")
        assert manifest["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_colour_matches_the_header(site: Path, scheme: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, serving(site) as server:
        browser = launch(p)
        page = browser.new_page(viewport=PHONE, color_scheme=scheme)
        page.goto(server.url())
        header = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
        meta = page.evaluate(
            "[...document.querySelectorAll('meta[name=theme-color][media]')]"
            ".find((m) => matchMedia(m.media).matches).content"
        )
        browser.close()
    r, g, b = icons.hex_to_rgb(meta)
    assert header == f"rgb({r}, {g}, {b})"


def _day(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def test_freshness_banner_ages_and_warns(site: Path, plan: Plan) -> None:
    """The banner is computed in the browser at view time: move the browser's clock."""
    from playwright.sync_api import sync_playwright

    built = datetime.fromisoformat(built_at(site).replace("Z", "+00:00"))
    zone = plan.site.timezone
    built_day = _day(built, zone)
    stale_after = plan.site.stale_after_days
    due = plan.review.next_due
    due_text = f"{due.day} {MONTHS[due.month - 1]} {due.year}"
    review_due_at = datetime(due.year, due.month, due.day, 12, tzinfo=ZoneInfo(zone)) + timedelta(1)

    def view(page, server, at: datetime) -> tuple[str, str, bool]:
        page.clock.set_fixed_time(at)
        page.goto(server.url(page_urls(site)[-1]))
        banner = page.locator("#rp-freshness")
        warned = page.locator(".md-banner.md-banner--warning #rp-freshness").count() == 1
        return banner.inner_text(), banner.get_attribute("data-state") or "", warned

    with sync_playwright() as p, serving(site) as server:
        browser = launch(p)
        page = browser.new_page(viewport=PHONE, service_workers="block")
        fresh_at = built + timedelta(days=3, hours=1)
        text, state, warned = view(page, server, fresh_at)
        assert text.startswith(f"Plan built {built_day} — 3 days ago")
        overdue_then = fresh_at.date() > due
        assert warned == overdue_then and ("review-overdue" in state) == overdue_then

        text, state, warned = view(page, server, built + timedelta(days=stale_after + 1, hours=1))
        assert f"{stale_after + 1} days ago" in text
        assert f"more than {stale_after} days old" in text and "stale" in state and warned

        text, state, warned = view(page, server, max(review_due_at, built + timedelta(hours=1)))
        assert f"review was due on {due_text}" in text and "review-overdue" in state and warned

        page.clock.set_fixed_time(built + timedelta(hours=1))
        page.goto(server.url())
        assert "offline copy" not in page.locator("#rp-freshness").inner_text()
        browser.close()


def test_warning_banner_meets_contrast_in_both_schemes(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    built = datetime.fromisoformat(built_at(site).replace("Z", "+00:00"))
    with sync_playwright() as p, serving(site) as server:
        browser = launch(p)
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport=PHONE, color_scheme=scheme, service_workers="block")
            for at in (built + timedelta(hours=1), built + timedelta(days=400)):
                page.clock.set_fixed_time(at)
                page.goto(server.url())
                fg, bg = page.evaluate(
                    """() => { const b = document.querySelector('.md-banner');
                    const c = (v) => v.match(/[\\d.]+/g).map(Number);
                    return [c(getComputedStyle(b).color), c(getComputedStyle(b).backgroundColor)]; }"""
                )
                page_bg = page.evaluate(
                    "getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).map(Number)"
                )
                assert _contrast(fg, bg, page_bg) >= 4.5, (scheme, at)
            page.close()
        browser.close()


def _contrast(fg: list[float], bg: list[float], page: list[float]) -> float:
    """Contrast of text over a (possibly translucent) background over the page's background."""

    def over(top: list[float], below: tuple[int, int, int]) -> tuple[int, int, int]:
        alpha = top[3] if len(top) == 4 else 1.0
        r, g, b = (round(t * alpha + u * (1 - alpha)) for t, u in zip(top[:3], below, strict=True))
        return r, g, b

    base = over(bg, over(page, (255, 255, 255)))
    return icons.contrast(over(fg, base), base)
