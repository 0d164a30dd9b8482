"""The sheet fits itself: plans of every shape print on at most two pages, A4 and Letter alike.

Each shape (tests/helpers_sheet.py) is rendered once, straight from its validated Plan (no MkDocs
build), and every test reads that one render: page counts (pypdf), QR codes (pdftoppm + zbarimg)
against addresses derived from the plan, what was left out on the sheet (pdftotext) and in the
one warning, and long text that must wrap rather than run off the page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers_sheet import (
    LONG_ACCOUNT,
    LONG_EMAIL,
    LONG_EXT,
    LONG_URL,
    LONG_WORD,
    SHAPES,
    TODAY,
    Word,
    captions_without_codes,
    codes_by_page,
    in_the_side_margins,
    overlapping,
    page_count,
    pdf_text,
    words_by_page,
    write_shape,
)
from helpers_site import ROOT

from generator import i18n, printsheet, sheetfit
from generator.model import Finding, Plan, Severity
from generator.validate import validate_project

PAPERS = ("A4", "Letter")
ALSO = re.compile(r"Also on the site: (.*?)\.(?:\s|$)")


@dataclass
class Printed:
    plan: Plan
    site: Path
    findings: list[Finding]
    text: dict[str, str]  # paper -> the PDF's text, whitespace collapsed
    pages: dict[str, list[list[str]]]  # paper -> the decoded QR payloads of each page
    words: dict[str, list[list[Word]]]  # paper -> the words of each page, with their boxes
    sheet: printsheet.PendingSheet

    @property
    def codes(self) -> dict[str, list[str]]:
        """paper -> every decoded QR payload"""
        return {paper: [code for page in pages for code in page] for paper, pages in self.pages.items()}


_printed: dict[str, Printed] = {}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory):
    """Renders a shape (or the example plan) the first time a test asks for it; later tests
    reuse it."""

    def get(shape: str) -> Printed:
        if shape not in _printed:
            folder = tmp_path_factory.mktemp(shape)
            root = ROOT if shape == "example" else write_shape(folder, shape)
            validation = validate_project(root, None if shape == "example" else TODAY)
            assert validation.plan is not None and not validation.errors, validation.summary()
            site = folder / "site"
            site.mkdir()
            pending = printsheet.prepare().start(validation.plan)
            findings = pending.write(site)
            text, pages, words = {}, {}, {}
            for paper in PAPERS:
                pdf = site / printsheet.pdf_name(paper)
                if pdf.is_file():
                    text[paper] = " ".join(pdf_text(pdf).split())
                    pages[paper] = codes_by_page(pdf, tmp_path_factory.mktemp(f"{shape}-{paper}-png"))
                    words[paper] = words_by_page(pdf)
            _printed[shape] = Printed(validation.plan, site, findings, text, pages, words, pending)
        return _printed[shape]

    return get


FITTING = [shape for shape in SHAPES if not shape.startswith("must-")]


def allowed_codes(plan: Plan) -> set[str]:
    """Every address a code on the sheet may hold, derived from the plan."""
    base = plan.site.url.rstrip("/") + "/"
    allowed = {plan.site.url} | {f"{base}scenarios/{s.id}/" for s in plan.scenarios}
    return allowed | {p.tel_uri for c in plan.contacts.values() for p in c.phones}


def printed_titles(plan: Plan, text: str) -> list[str]:
    return [s.id for s in plan.scenarios if s.title in text]


@pytest.mark.parametrize("shape", FITTING)
def test_both_papers_fit_and_every_code_scans(shape: str, printed) -> None:
    result = printed(shape)
    plan = result.plan
    base = plan.site.url.rstrip("/") + "/"
    assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    for paper in PAPERS:
        assert 1 <= page_count(result.site / printsheet.pdf_name(paper)) <= 2, paper
        codes = result.codes[paper]
        assert set(codes) <= allowed_codes(plan), paper
        assert plan.site.url in codes, paper
        for scenario_id in printed_titles(plan, result.text[paper]):
            assert f"{base}scenarios/{scenario_id}/" in codes, (paper, scenario_id)
    assert (result.site / "print" / "index.html").is_file()


@pytest.mark.parametrize("shape", FITTING)
def test_what_must_be_printed_is_printed(shape: str, printed) -> None:
    result = printed(shape)
    plan = result.plan
    for paper, text in result.text.items():
        for scenario in plan.scenarios:
            if scenario.on_paper is True:
                assert scenario.title in text, (paper, scenario.id)
            if scenario.on_paper is False:
                assert scenario.title not in text, (paper, scenario.id)
        for contact_id in set(plan.roles.values()):
            assert plan.contacts[contact_id].name in text, (paper, contact_id)
        for line in plan.first_hour.first_ten_minutes:
            assert " ".join(line.split()) in text, paper


@pytest.mark.parametrize("shape", FITTING)
def test_what_is_left_out_is_named_on_the_sheet_and_in_one_warning(shape: str, printed) -> None:
    result = printed(shape)
    plan = result.plan
    warnings = [f for f in result.findings if f.code == "print-left-out"]
    assert len(warnings) <= 1
    warning = warnings[0].message if warnings else ""
    for paper, text in result.text.items():
        eligible = [s.id for s in plan.scenarios if s.on_paper is not False]
        missing = [s for s in eligible if s not in printed_titles(plan, text)]
        line = ALSO.search(text)
        if line is None:
            assert missing == [], paper
            assert f"on {paper}:" not in warning
            continue
        said = line.group(1).split(", ")
        assert warning, f"{paper}: the sheet names what is left out, the build does not"
        told = warning if "(A4 and Letter)" in warning else warning.split(f"on {paper}: ")[1]
        for item in said:
            assert item in told, (paper, item, told)
        if missing:
            assert re.search(rf"\b{len(missing)} scenarios?\b", line.group(1)), (paper, missing)
            for scenario_id in missing[:10]:
                assert scenario_id in told, (paper, scenario_id)


def test_large_plans_leave_out_systems_and_say_so(printed) -> None:
    result = printed("1000-systems")
    (warning,) = [f for f in result.findings if f.code == "print-left-out"]
    for paper in PAPERS:
        found = re.search(r"Also on the site: .*?(\d+) systems", result.text[paper])
        assert found and 900 <= int(found[1]) < 1000, paper
        assert f"{found[1]} systems" in warning.message
    assert warning.path.endswith("plans/plan.yaml") and warning.severity is Severity.WARNING


def test_norwegian_plan_prints_its_own_text(printed) -> None:
    result = printed("norwegian")
    lead = result.plan.contacts[result.plan.roles["incident_lead"]].phones[0].display_full
    assert lead.startswith("+47 ")
    for paper in PAPERS:
        text = result.text[paper]
        assert lead in text, paper  # the incident lead, in international format
        assert "Hendelse 0: serveren med tegningene svarer ikke" in text


def test_long_words_and_addresses_wrap_and_are_printed_whole(printed) -> None:
    result = printed("long-urls")
    for paper in PAPERS:  # in the order drawn: the scan captions beside the steps stay apart
        raw = pdf_text(result.site / printsheet.pdf_name(paper), "-raw")
        joined = "".join(raw.split())
        assert LONG_URL in joined, paper
        assert LONG_WORD in joined, paper


def test_must_print_overflow_is_one_error_naming_what_to_shorten(printed) -> None:
    result = printed("must-overflow")
    assert len(result.findings) == 1
    (error,) = result.findings
    assert error.severity is Severity.ERROR and error.code == "print-too-long"
    assert re.search(r"about \d+ lines? over", error.message)
    for scenario in result.plan.scenarios[:3]:
        assert re.search(rf"scenario {scenario.id} \d+ lines", error.message), scenario.id
    assert error.path.endswith(".yaml") and "plans/scenarios/" in error.path
    assert "on_paper: true" in error.hint
    assert not list(result.site.iterdir())  # nothing written


@pytest.mark.parametrize("shape", FITTING)
def test_no_word_runs_into_another_or_off_the_printable_area(shape: str, printed) -> None:
    """Read from the PDF (pdftotext -bbox): no two words drawn over each other (a number run
    into the next column) and none in the side margins (a number run off the table)."""
    result = printed(shape)
    for paper, pages in result.words.items():
        for n, words in enumerate(pages, 1):
            assert overlapping(words) == [], (paper, n)
            assert in_the_side_margins(words, paper) == [], (paper, n)


@pytest.mark.parametrize("shape", FITTING)
def test_every_scenario_code_is_on_the_page_of_its_caption_and_title(shape: str, printed) -> None:
    result = printed(shape)
    for paper, pages in result.pages.items():
        assert captions_without_codes(result.plan, pages, result.words[paper]) == [], paper


def test_a_vendors_long_details_are_printed_whole_within_their_columns(printed) -> None:
    """A long extension, a second number abroad, a long account and escalation to a long email:
    all printed, and in the vendor table every word ends before the next column begins."""
    result = printed("long-vendor")
    plan = result.plan
    t = i18n.translator(plan.site.language)
    headings = [t.plain(f"sheet.col_{key}") for key in ("vendor", "phone", "account", "promises", "escalate")]
    below = [t.plain("sheet.recovery_order"), t.plain("sheet.other_contacts"), t.plain("sheet.footer")]
    below += [t.plain("sheet.what_to_tell", name="x"), t.plain("sheet.what_to_tell_clients")]
    next_part = {text.split()[0].upper() for text in below} | {text.split()[0] for text in below}
    for paper in PAPERS:
        assert page_count(result.site / printsheet.pdf_name(paper)) == 2, paper
        joined = "".join(pdf_text(result.site / printsheet.pdf_name(paper), "-raw").split())
        for whole in (f"ext.{LONG_EXT}", LONG_ACCOUNT, LONG_EMAIL, "+61293744000ext.4321"):
            assert whole in joined, (paper, whole)
        tables = 0
        for words in result.words[paper]:
            columns = vendor_columns(words, headings)
            if columns is None:
                continue
            tables += 1
            top, starts = columns
            bottom = next(
                (w.y1 for w in words if w.y1 > top and w.text in next_part and w.x1 <= starts[0] + 1), 1e9
            )
            for word in words:
                if top < word.y1 < bottom:
                    column = max(i for i, x in enumerate(starts) if x <= word.x1 + 0.5)
                    if column + 1 < len(starts):
                        assert word.x2 <= starts[column + 1], (paper, word.text)
        assert tables, f"{paper}: the vendor table is printed, with its headings"


def vendor_columns(words: list[Word], headings: list[str]) -> tuple[float, list[float]] | None:
    """The foot of the vendor table's heading row and where each of its columns begins."""
    for i, word in enumerate(words):
        found = [word]
        for heading in headings[1:]:
            found += [w for w in words[i:] if w.text == heading.split()[0] and abs(w.y1 - word.y1) < 1][:1]
        if word.text == headings[0] and len(found) == len(headings):
            return max(w.y2 for w in found), [w.x1 for w in found]
    return None


def test_a_number_too_wide_for_what_must_be_printed_is_one_error(printed) -> None:
    result = printed("must-be-wide")
    (error,) = result.findings
    assert error.severity is Severity.ERROR and error.code == "print-too-long"
    assert "Too wide for the page: who leads" in error.message
    assert "lines over" not in error.message  # it is not too long
    assert not list(result.site.iterdir())  # nothing written


def test_the_fit_reads_boxes_from_weasyprints_public_anchors() -> None:
    """What printsheet relies on (pinned in pyproject.toml): `Page.anchors` maps each element
    id to its box (x1, y1, x2, y2) in CSS pixels from the page's top-left corner."""
    from weasyprint import HTML

    style = "@page { size: 400px 300px; margin: 10px } body { margin: 0 }"
    document = HTML(string=f'<style>{style}</style><div id="a" style="height: 50px"></div>').render()
    assert document.pages[0].anchors["a"] == pytest.approx((10, 10, 390, 60))
    assert printsheet.ContentBox(10, 10, 390, 290).holds(document)
    assert not printsheet.ContentBox(10, 10, 380, 290).holds(document)  # 10 px too wide


def test_a_number_or_code_out_of_its_box_or_over_a_scenarios_code_is_found() -> None:
    """What `sheetfit.overflowing` reads from `Page.anchors`: each piece that never wraps,
    "<owner>~<box>~<piece>", must lie within its box "<owner>~<box>" and off every scenario's
    code "<item>~scan". A number too wide for its narrow cell is found, by its owner, and so
    is one drawn over a code; wrapped text, a number beside the code and the code's own
    caption are not."""
    from weasyprint import HTML

    style = (
        "@page { size: 400px 300px; margin: 10px } body { margin: 0; font: 10px sans-serif }"
        "table { width: 100%; table-layout: fixed; border-collapse: collapse } td { padding: 0 }"
        ".n { white-space: nowrap } .f { float: right; width: 60px; height: 60px }"
    )
    cell = '<tr><td style="width: 60px"><div id="{id}~cell">{text}</div></td><td>next column</td></tr>'
    number = '<span class="n" id="{id}~cell~p1">+44 20 7946 0000 ext. 4477889900</span>'
    body = (
        "<table>"
        + cell.format(id="wraps", text="a long text that wraps in its column")
        + cell.format(id="fits", text='<span class="n" id="fits~cell~p1">999</span>')
        + cell.format(id="sticks-out", text=number.format(id="sticks-out"))
        + "</table>"
        + '<div id="a"><div class="f" id="a~scan"><span id="a~scan~cap">Scan</span></div>'
        + '<p id="a~s1"><span class="n" id="a~s1~call">0800 000</span></p></div>'
        + '<div id="b"><div class="f" id="b~scan"></div><p id="b~s1">'
        + '<span class="n" id="b~s1~call" style="position: relative; left: 330px">0800 000</span></p></div>'
    )
    document = HTML(string=f"<style>{style}</style>{body}").render()
    assert sheetfit.overflowing(document) == {"sticks-out", "b"}


def test_pieces_a_break_cannot_split_move_to_the_next_page() -> None:
    """Two pages of 100: 60 + 30 fill the first, 50 + 50 the second; one more piece is a third
    page, and a piece taller than a page takes the pages it covers."""
    assert sheetfit.pages_needed([60, 30, 50, 50], 100) == 2
    assert sheetfit.pages_needed([60, 30, 50, 50, 1], 100) == 3
    assert sheetfit.pages_needed([60, 50], 100) == 2  # 10 short of a page wasted at the break
    assert sheetfit.pages_needed([250], 100) == 3


ROUNDS = ["example", "minimal", "norwegian", "100-systems", "long-steps"]


@pytest.mark.parametrize("shape", ROUNDS)
def test_the_first_final_render_fits(shape: str, printed) -> None:
    """The measuring page and one final render, at each paper size: the arithmetic accounts
    for what a page break cannot split. At most two pages, every code decodes."""
    result = printed(shape)
    layouts = result.sheet.layouts.result()
    assert {paper: layout.renders for paper, layout in layouts.items()} == {"A4": 2, "Letter": 2}
    plan = result.plan
    base = plan.site.url.rstrip("/") + "/"
    for paper in PAPERS:
        assert 1 <= page_count(result.site / printsheet.pdf_name(paper)) <= 2, paper
        scenarios = {f"{base}scenarios/{s}/" for s in printed_titles(plan, result.text[paper])}
        assert {plan.site.url} | scenarios <= set(result.codes[paper]) <= allowed_codes(plan), paper


def test_the_build_log_tells_how_many_layouts_the_sheet_took(printed, tmp_path: Path, caplog) -> None:
    result = printed("example")
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.recovery-plan"):
        result.sheet.write(tmp_path)
    logged = {r.getMessage() for r in caplog.records}
    assert {"Printed sheet on A4: 2 layouts", "Printed sheet on Letter: 2 layouts"} <= logged
