"""The plan's language: complete catalogs, `site.language` parsing, and the example plan built
in every shipped language (each built once, in parallel) with no English word of the tool left
on its pages, dates in the locale's format, and, in Chromium at 360 px, axe-core clean, no
sideways scrolling, the page scripts' words translated, and a right-to-left layout for Arabic."""

from __future__ import annotations

import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from babel import Locale
from babel.dates import format_date
from helpers_pwa import open_settled, serving
from helpers_site import LANGUAGES, OVERFLOW_JS, PHONE, ROOT, language_sites, load_plan
from test_accessibility import RUN_AXE, WCAG_TAGS, axe_script

from generator import i18n
from generator.i18n import Translator, UnsupportedLanguage, catalog, parse_language

FIELD = re.compile(r"\{(\w+)\}")
BROWSER_PAGES = ["", "scenarios/internet-down/", "contacts/"]


# --- the catalogs ----------------------------------------------------------------------------


def test_the_required_languages_are_shipped() -> None:
    required = {"en", "nb", "sv", "da", "fi", "de", "fr", "es", "it", "nl", "pl", "ar"}
    assert required <= set(i18n.SUPPORTED)


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalog_has_every_english_key_and_no_other(code: str) -> None:
    english, words = catalog("en"), catalog(code)
    assert sorted(set(english) - set(words)) == [], "missing"
    assert sorted(set(words) - set(english)) == [], "unknown"


@pytest.mark.parametrize("code", i18n.SUPPORTED)
def test_catalog_entries_keep_their_fields_and_plural_forms(code: str) -> None:
    english, words = catalog("en"), catalog(code)
    forms = {str(f) for f in Locale.parse(code).plural_form.tags} | {"other"}
    for key, value in words.items():
        if isinstance(english[key], dict):
            assert isinstance(value, dict) and set(value) == forms, key
            assert all(isinstance(v, str) and v.strip() for v in value.values()), key
            continue
        assert isinstance(value, str) and value.strip(), key
        assert set(FIELD.findall(value)) == set(FIELD.findall(english[key])), key


def test_a_missing_key_falls_back_to_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalog (here Portuguese, with one entry) that lacks a key gets the English text."""
    shutil.copy(i18n.LOCALES_DIR / "en.yaml", tmp_path / "en.yaml")
    (tmp_path / "pt.yaml").write_text("home:\n  title: Comece aqui\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        t = Translator("pt")
        assert t("home.title") == "Comece aqui"
        assert t("home.who_leads") == "Who leads"
        assert t.plain("scenarios.step_count", 2) == "2 steps"
    finally:
        i18n.catalog.cache_clear()


# --- site.language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "parsed"),
    [("en", "en"), ("en-gb", "en-GB"), ("nb_NO", "nb-NO"), ("DE", "de"), ("ar-EG", "ar-EG")],
)
def test_a_supported_language_with_any_region_is_accepted(written: str, parsed: str) -> None:
    assert parse_language(written) == parsed


@pytest.mark.parametrize(
    ("written", "hint"),
    [("no", "`nb`"), ("Norwegian", "`nb`"), ("deutsch", "`de`"), ("svv", "`sv`"), ("xx", "`en`")],
)
def test_an_unsupported_language_lists_the_supported_ones(written: str, hint: str) -> None:
    with pytest.raises(UnsupportedLanguage) as raised:
        parse_language(written)
    assert all(f"`{code}`" in str(raised.value) for code in i18n.SUPPORTED)
    assert hint in raised.value.hint


# --- the example plan in every language --------------------------------------------------------


@pytest.fixture(scope="module")
def sites() -> dict[str, Path]:
    return language_sites()


class _Text(HTMLParser):
    """A page's visible text and attribute words, without scripts, styles and code."""

    SKIP = {"script", "style", "code", "pre", "svg"}
    WORDS = ("title", "aria-label", "placeholder", "alt", "data-label")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        self.parts += [value for name, value in attrs if name in self.WORDS and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    html = path.read_text(encoding="utf-8")
    # the validator's own messages on Plan health may stay English (issue 12)
    parser.feed(re.sub(r'<ul class="rp-findings">.*?</ul>', "", html, flags=re.S))
    return " ".join(" ".join(parser.parts).split())


def plan_strings() -> list[str]:
    """Every text of the example plan (shown as written), longest first."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.strip():
            # a message template is shown filled in: its pieces between the placeholders
            found.update(" ".join(piece.split()) for piece in FIELD.split(value)[::2] if piece.strip())

    for file in [*ROOT.joinpath("plans").rglob("*.yaml"), *ROOT.joinpath("contacts").glob("*.yaml")]:
        walk(yaml.safe_load(file.read_text(encoding="utf-8")))
    return sorted(found, key=len, reverse=True)


def english_left(code: str) -> list[re.Pattern[str]]:
    """The English catalog's words that the language's catalog does not share, as patterns."""
    return [re.compile(rf"(?<![\w-]){re.escape(piece)}(?![\w-])") for piece in english_pieces(code)]


def english_pieces(code: str, prefix: str = "") -> list[str]:
    """The English catalog's words (under `prefix`) that the language's catalog does not share:
    each literal piece of an entry (split at its fields) with a word of 4 letters or more."""
    words = catalog(code)
    theirs = " ".join(" ".join(v.values()) if isinstance(v, dict) else v for v in words.values()).lower()
    pieces = set()
    for key, value in catalog("en").items():
        if not key.startswith(prefix):
            continue
        texts = list(value.values()) if isinstance(value, dict) else [value]
        for text in texts:
            for piece in FIELD.split(text)[::2]:
                piece = piece.strip(" .,:;()[]·—–?!…").strip()
                if not re.search(r"[A-Za-z]{4}", piece) or piece.lower() in theirs:
                    continue
                pieces.add(piece)
    return sorted(pieces)


def site_pages(site: Path) -> list[Path]:
    """The tool's pages: every HTML page but the authors' own (the printed sheet included)."""
    own = {p.stem for p in ROOT.joinpath("plans", "pages").glob("*.md")}
    return [p for p in sorted(site.rglob("*.html")) if p.parent.name not in own]


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_english_word_of_the_tool_is_left(code: str, sites: dict[str, Path]) -> None:
    plan = plan_strings()
    patterns = english_left(code)
    assert len(patterns) > 100
    left = {}
    pages = site_pages(sites[code])
    assert len(pages) > 20
    for page in pages:
        text = page_text(page)
        for written in plan:
            text = text.replace(written, " ")
        found = sorted({m.group(0) for p in patterns for m in p.finditer(text)})
        if found:
            left[str(page.relative_to(sites[code]))] = found
    manifest = (sites[code] / "manifest.webmanifest").read_text(encoding="utf-8")
    assert "recovery plan" not in manifest and "Works offline" not in manifest
    vcard = (sites[code] / "contacts" / "all.vcf").read_text(encoding="utf-8")
    assert "Calls back within" not in vcard and "recovery plan" not in vcard
    assert left == {}


@pytest.mark.parametrize("code", LANGUAGES)
def test_dates_are_in_the_locale_format(code: str, sites: dict[str, Path]) -> None:
    plan = load_plan(ROOT)
    health = page_text(sites[code] / "health" / "index.html")
    for day in (plan.review.last_reviewed, plan.review.next_due):
        shown = format_date(day, "medium", locale=Locale.parse(code))
        assert " ".join(shown.split()) in health
        assert day.isoformat() not in health
    contacts = page_text(sites[code] / "contacts" / "index.html")
    checked = [c.verified for c in plan.contacts.values() if isinstance(c.verified, date)]
    assert checked
    for day in checked:
        assert " ".join(format_date(day, "medium", locale=Locale.parse(code)).split()) in contacts


@pytest.mark.parametrize("code", LANGUAGES)
def test_language_is_set_for_the_browser_and_material(code: str, sites: dict[str, Path]) -> None:
    home = (sites[code] / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{code}"' in home
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<body dir="{direction}"' in home
    assert 'data-language="' + code + '"' in home


# --- in Chromium, at 360 px -------------------------------------------------------------------


BANNER_ENGLISH = ("Plan built", "ago", "today", "offline copy", "days old", "review was due")


@pytest.mark.parametrize("code", LANGUAGES)
def test_pages_in_the_browser(code: str, sites: dict[str, Path], browser) -> None:
    """Home, a scenario and the contacts: axe-core clean, nothing wider than the phone, the
    banner written by the page script in the plan's language; for Arabic, right to left."""
    script = axe_script()
    context = browser.new_context(**PHONE, locale="en-US")
    page = context.new_page()
    problems: dict[str, object] = {}
    with serving(sites[code]) as server:
        for path in BROWSER_PAGES:
            open_settled(page, server.url(path))
            banner = page.inner_text("#rp-freshness")
            if english := [w for w in BANNER_ENGLISH if w in banner]:
                problems[f"{path} banner"] = (banner, english)
            if overflow := page.evaluate(OVERFLOW_JS):
                problems[f"{path} overflow"] = overflow
            page.evaluate(script.read_text(encoding="utf-8"))  # past the CSP, as a tester does
            if violations := page.evaluate(RUN_AXE, WCAG_TAGS):
                problems[f"{path} axe"] = violations
            if code == "ar":
                problems.update({f"{path} rtl: {p}": True for p in page.evaluate(RTL_JS)})
    context.close()
    assert problems == {}


# Right to left: the document reads right to left, step numbers sit at the right of their step,
# call buttons start from the right of their row and their text from the right of the button.
RTL_JS = """() => {
  const out = [];
  if (getComputedStyle(document.body).direction !== "rtl") out.push("body is not rtl");
  for (const step of document.querySelectorAll("li.rp-step")) {
    const number = getComputedStyle(step, "::before");
    if (!(parseFloat(number.right) < parseFloat(number.left))) out.push("step number not on the right");
    const pad = parseFloat(getComputedStyle(step).paddingRight);
    if (pad < 30) out.push("no room for the number on the right");
  }
  for (const row of document.querySelectorAll(".rp-calls")) {
    const first = row.querySelector(".rp-call");
    if (!first) continue;
    const outer = row.getBoundingClientRect();
    const button = first.getBoundingClientRect();
    if (Math.abs(outer.right - button.right) > 1) out.push("call button not at the right");
    const who = first.querySelector(".rp-call__who").getBoundingClientRect();
    if (who.right < button.left + button.width / 2) out.push("call text not at the right");
  }
  return [...new Set(out)];
}"""
