"""The printed sheet in the plan's language: the example plan's sheet rendered directly (no site
build) in every shipped language, with no English word of the sheet's catalog left, dates as
Babel writes them, `<html lang dir>` set, Arabic glyphs in the Arabic PDF and, for the longest
words (German, Finnish) and right to left (Arabic), both papers at most two pages."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date
from helpers_sheet import page_count, pdf_text
from helpers_site import LANGUAGES, ROOT, language_sites, load_plan
from test_i18n import english_pieces, plan_strings

from generator import i18n, printsheet
from generator.model import Plan

BOTH_PAPERS = ("de", "fi", "ar")  # the longest words, and right to left
ARABIC = re.compile(r"[\u0600-\u06FF]")
MARKS = re.compile(r"[\u064B-\u0652]")  # Arabic vowel marks: pdftotext moves them


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(ROOT)


@pytest.fixture(scope="module")
def sheets() -> dict[str, Path]:
    """language -> the example site in that language, with print/index.html and both PDFs (the
    sites test_i18n.py reads)."""
    return language_sites()


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_sheet_leaves_nothing_out(code: str, plan: Plan, sheets: dict[str, Path]) -> None:
    """Both papers hold every part of the sheet: the build did not warn that one leaves
    anything out (the site's build prints that warning)."""
    lost = printsheet.left_out_finding(plan, {"A4": printsheet.LeftOut(systems=1)})
    assert lost is not None
    warning = lost.message.split(" (")[0]
    output = sheets[code].with_suffix(".log").read_text(encoding="utf-8")
    assert "Built " in output
    assert warning not in output


def bare(text: str) -> str:
    """Words only: pdftotext moves and mirrors the punctuation of left-to-right text within
    right-to-left lines."""
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def sheet_words(pdf: Path) -> str:
    """The PDF's words without the plan's own: the plan's texts are taken out (wherever their
    lines break), then each line that is a piece of one of them is dropped."""
    texts = sorted({bare(t) for t in plan_strings()} - {""}, key=len, reverse=True)
    lines = "\n".join(bare(line) for line in pdf_text(pdf, "-raw").splitlines())
    for written in texts:
        lines = re.sub(r"(?<!\w)" + r"\s+".join(written.split()) + r"(?!\w)", " ", lines)
    kept = [" ".join(line.split()) for line in lines.splitlines()]
    return "\n".join(line for line in kept if line and not any(line in t for t in texts))


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_english_word_of_the_sheet_is_left(code: str, sheets: dict[str, Path]) -> None:
    pieces = {bare(piece) for piece in english_pieces(code, "sheet.")}
    assert len(pieces) > 30
    text = sheet_words(sheets[code] / printsheet.pdf_name("A4"))
    left = [p for p in pieces if re.search(r"(?<!\w)" + r"\s+".join(p.split()) + r"(?!\w)", text)]
    assert sorted(left) == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_sheet_page_has_the_language_and_direction(code: str, sheets: dict[str, Path]) -> None:
    page = (sheets[code] / "print" / "index.html").read_text(encoding="utf-8")
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in page


@pytest.mark.parametrize("code", LANGUAGES)
def test_sheet_dates_are_in_the_locale_format(code: str, plan: Plan, sheets: dict[str, Path]) -> None:
    """Built, reviewed and next review as Babel writes them, on the page and, left to right,
    in the PDF's text (pdftotext reorders right-to-left dates)."""
    page = html.unescape((sheets[code] / "print" / "index.html").read_text(encoding="utf-8"))
    texts = [page]
    if i18n.translator(code).direction == "ltr":
        texts.append(" ".join(pdf_text(sheets[code] / printsheet.pdf_name("A4")).split()))
    for day in (plan.today, plan.review.last_reviewed, plan.review.next_due):
        shown = format_date(day, "medium", locale=Locale.parse(code))
        for text in texts:
            assert " ".join(shown.split()) in " ".join(text.split()), shown
            assert day.isoformat() not in text


@pytest.mark.parametrize("code", BOTH_PAPERS)
def test_long_words_and_right_to_left_stay_on_two_pages(code: str, sheets: dict[str, Path]) -> None:
    for paper in printsheet.PAPERS:
        assert 1 <= page_count(sheets[code] / printsheet.pdf_name(paper)) <= 2, paper


def test_the_arabic_sheet_holds_arabic_text(sheets: dict[str, Path]) -> None:
    """The Arabic words of the sheet's headings are in the PDF's text (drawn with a font that
    has Arabic glyphs: without one, the text would be missing or empty boxes)."""
    text = MARKS.sub("", pdf_text(sheets["ar"] / printsheet.pdf_name("A4")))
    assert len(ARABIC.findall(text)) > 300
    t = i18n.translator("ar")
    headings = ("who_leads", "first_ten", "when_this_happens", "key_vendors", "recovery_order")
    # (words with lam-alef are left out: pdftotext writes that ligature's letters reordered)
    words = {
        MARKS.sub("", w.strip("،:"))
        for key in headings
        for w in t.plain(f"sheet.{key}").split()
        if "لا" not in w
    }
    assert len(words) >= 8
    joined = "".join(text.split())  # (pdftotext may split a word where a mark was)
    assert sorted(w for w in words if w not in joined) == []
