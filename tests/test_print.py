"""The printed sheet: two pages at A4 and Letter, scannable QR codes, full phone numbers, escaping.

The example plan is built once for the test session; a copy of it, with hostile text and Letter paper,
is built once more, and then made too long to check that the build fails and changes nothing.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from helpers_pages import XSS, sample_plan
from helpers_pwa import serving
from helpers_sheet import (
    captions_without_codes,
    codes_by_page,
    decode_qr_codes,
    in_the_side_margins,
    overlapping,
    page_count,
    pdf_text,
    words_by_page,
)
from helpers_site import ROOT, build, example_site, load_plan, snapshot
from pypdf import PdfReader

from generator import i18n, printsheet
from generator.model import Contact, Phone, Plan, RestoreStatus

PROJECT_PARTS = ("plans", "contacts")  # a copy builds with the tool's built-in MkDocs config
ORG_PAYLOAD = 'Harbour & <i>Sons</i> "Dental"'
STEP_PAYLOAD = "Type <script>alert(1)</script> & press Enter"
SECRET_WORDS = ("password", "passcode", "passphrase", "secret", "token", "api_key", "api key")


# --- helpers -------------------------------------------------------------------------------------


def copy_project(target: Path) -> Path:
    for part in PROJECT_PARTS:
        shutil.copytree(ROOT / part, target / part)
    return target


def fault_line(vendor: Contact) -> Phone | None:
    return next((p for p in vendor.phones if p.label == "24x7"), None) or next(iter(vendor.phones), None)


def expected_qr_payloads(plan: Plan) -> list[str]:
    """What the sheet's codes must say, derived from the plan, independently of the generator."""
    base = plan.site.url if plan.site.url.endswith("/") else plan.site.url + "/"
    payloads = [plan.site.url]
    payloads += [f"{base}scenarios/{s.id}/" for s in plan.scenarios if s.on_paper]
    lead = plan.contacts[plan.roles["incident_lead"]]
    if lead.phones:
        payloads.append(lead.phones[0].tel_uri)
    role_vendors = [plan.contacts[c] for c in plan.roles.values() if plan.contacts[c].provides]
    tier1_vendors = [plan.contacts[s.vendor] for s in plan.systems.values() if s.tier == 1 and s.vendor]
    for vendor in role_vendors + tier1_vendors:  # the primary provider: named by a role, else tier 1
        if phone := fault_line(vendor):
            payloads.append(phone.tel_uri)
            break
    return sorted(payloads)


# --- the example plan ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> tuple[Path, Plan]:
    return example_site(), load_plan(ROOT)


def test_both_pdfs_fit_on_two_pages(example: tuple[Path, Plan]) -> None:
    site, plan = example
    for paper in ("A4", "Letter"):
        pdf = site / f"recovery-plan-{paper}.pdf"
        assert 1 <= page_count(pdf) <= 2, paper
        assert PdfReader(pdf).pages[0].mediabox.height == pytest.approx(
            {"A4": 841.89, "Letter": 792.0}[paper], abs=1
        )


def test_print_page_is_standalone_and_links_configured_paper_first(
    example: tuple[Path, Plan],
) -> None:
    site, plan = example
    page = (site / "print" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="\.\./(recovery-plan-(A4|Letter)\.pdf)"', page)
    assert [paper for _, paper in links] == [plan.site.paper, *({"A4", "Letter"} - {plan.site.paper})]
    assert all((site / name).is_file() for name, _ in links)
    assert re.search(rf"@page {{ size: {plan.site.paper}\b", page, re.IGNORECASE)
    for forbidden in ("<script", "<link", "<img", "<button", "<input", "@import", "@font-face"):
        assert forbidden not in page.lower(), forbidden
    assert "src=" not in page and "url(" not in page
    assert "md-" not in page  # no Material chrome


def test_sheet_names_what_matters_and_nothing_secret(example: tuple[Path, Plan]) -> None:
    site, plan = example
    text = " ".join(pdf_text(site / f"recovery-plan-{plan.site.paper}.pdf").split())
    assert plan.organisation in text
    assert plan.site.url in text
    t = i18n.translator(plan.site.language, plan.site.timezone)
    for day in (plan.review.last_reviewed, plan.review.next_due):  # as Babel writes them
        assert " ".join(t.date(day).split()) in text
    for line in plan.first_hour.first_ten_minutes + plan.first_hour.scope:
        assert " ".join(line.split()) in text
    for system in plan.systems.values():
        assert system.name in text
    for scenario in plan.scenarios:
        if scenario.on_paper is not None:  # true: always printed; false: never
            assert (scenario.title in text) == scenario.on_paper, scenario.id
    for word in SECRET_WORDS:
        assert word not in text.lower(), word
    assert "Back to the live plan" not in text  # screen-only links stay off paper


def test_backups_that_may_not_restore_are_marked_in_their_row(example: tuple[Path, Plan]) -> None:
    site, plan = example
    page = html.unescape((site / "print" / "index.html").read_text(encoding="utf-8"))
    rows = re.findall(r'<tr id="L\d-systems-\d+">(.*?)</tr>', page, re.DOTALL)
    assert len(rows) == len(plan.systems)  # the example prints its whole recovery order
    doubtful = {RestoreStatus.FAILED, RestoreStatus.STALE, RestoreStatus.NEVER}
    for system in plan.systems.values():
        (row,) = [r for r in rows if f"<b>{system.name}</b>" in r]
        warned = system.backup is not None and system.restore_status in doubtful
        assert ('class="check"' in row) == warned, system.id
    assert "Plan health" not in page


def test_phone_numbers_are_international_and_match_the_contacts(
    example: tuple[Path, Plan],
) -> None:
    site, plan = example
    known = sorted({p.display_full for c in plan.contacts.values() for p in c.phones}, key=len, reverse=True)
    for paper in ("A4", "Letter"):
        # in drawing order: a number wrapped in a narrow column continues on the next line
        text = " ".join(pdf_text(site / f"recovery-plan-{paper}.pdf", "-raw").split())
        for role, contact_id in plan.roles.items():
            for phone in plan.contacts[contact_id].phones:
                assert phone.display_full in text, (paper, role, phone)
        rest = text
        for display in known:
            rest = re.sub(re.escape(display) + r"(?![\d])", " KNOWN ", rest)
        assert not re.search(r"\+\s?\d", rest), "a number on the sheet is not a contact's number"
        national = re.findall(r"(?<![\d+.-])0\d{2,4} ?\d{3} ?\d{3,4}(?!\d)", rest)
        assert not national, f"numbers in national format: {national}"


def test_every_qr_code_decodes_to_its_target(example: tuple[Path, Plan], tmp_path: Path) -> None:
    site, plan = example
    expected = expected_qr_payloads(plan)
    assert len(expected) >= 4  # live plan, a scenario, the incident lead, the provider
    for paper in ("A4", "Letter"):
        assert sorted(decode_qr_codes(site / f"recovery-plan-{paper}.pdf", tmp_path)) == expected


def test_every_scenario_code_is_beside_its_caption(example: tuple[Path, Plan], tmp_path: Path) -> None:
    """A scenario split over the two pages keeps its code with its caption and title."""
    site, plan = example
    for paper in ("A4", "Letter"):
        pdf = site / printsheet.pdf_name(paper)
        codes = codes_by_page(pdf, tmp_path)
        assert captions_without_codes(plan, codes, words_by_page(pdf)) == [], paper


def test_no_word_runs_into_another_or_off_the_printable_area(example: tuple[Path, Plan]) -> None:
    """Read from the PDF: no two words drawn over each other (a number run into the next
    column) and none in the side margins (a number run off the table)."""
    site, _ = example
    for paper in ("A4", "Letter"):
        for n, words in enumerate(words_by_page(site / printsheet.pdf_name(paper)), 1):
            assert overlapping(words) == [], (paper, n)
            assert in_the_side_margins(words, paper) == [], (paper, n)


@pytest.fixture(scope="module")
def served(example: tuple[Path, Plan]):
    with serving(example[0]) as server:
        yield server.base


def test_chromium_prints_the_same_number_of_pages(example: tuple[Path, Plan], browser, served: str) -> None:
    site, plan = example
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(served + "print/")
    assert requested == [served + "print/"]  # self-contained: no fonts, styles, scripts, images
    printed = page.pdf(prefer_css_page_size=True)
    assert page_count(printed) == page_count(site / f"recovery-plan-{plan.site.paper}.pdf")
    page.emulate_media(media="print")
    smallest = page.evaluate(
        """() => Math.min(...[...document.body.querySelectorAll('*')]
              .filter(e => e.getClientRects().length && [...e.childNodes]
                  .some(n => n.nodeType === 3 && n.textContent.trim()))
              .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 8 * 96 / 72 - 0.01  # never below 8 pt
    page.close()


# --- a hostile copy, then one with too much on paper ---------------------------------------------


def _first_printed_scenario(project: Path) -> Path:
    for file in sorted((project / "plans" / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        if data.get("on_paper") or (data.get("on_paper") is None and data.get("priority", 100) <= 3):
            return file
    raise AssertionError("the example plan prints no scenario")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the example with markup in the organisation and a step, printed on Letter."""
    project = copy_project(tmp_path_factory.mktemp("print-hostile"))
    plan_file = project / "plans" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^organisation: .*$", f"organisation: '{ORG_PAYLOAD}'", text)
    text = re.sub(r"(?m)^(\s+paper:) .*$", r"\1 Letter", text)
    plan_file.write_text(text, encoding="utf-8")
    scenario = _first_printed_scenario(project)
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    data["steps"][0]["do"] = STEP_PAYLOAD
    scenario.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    site = project / "site"
    done = build(project, site)
    assert done.returncode == 0, done.stdout + done.stderr
    return project, site


def test_plan_text_is_escaped_on_the_sheet(hostile: tuple[Path, Path]) -> None:
    project, site = hostile
    page = (site / "print" / "index.html").read_text(encoding="utf-8")
    assert "<i>Sons</i>" not in page and "<script>" not in page
    for payload in (ORG_PAYLOAD, STEP_PAYLOAD):
        assert payload not in page
        assert payload in html.unescape(page)
    text = " ".join(pdf_text(site / "recovery-plan-Letter.pdf").split())
    assert ORG_PAYLOAD in text
    assert STEP_PAYLOAD in text


def test_configured_letter_is_linked_first(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    page = (site / "print" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"recovery-plan-(A4|Letter)\.pdf", page) == ["Letter", "A4"]
    assert "size: letter" in page
    assert PdfReader(site / "recovery-plan-Letter.pdf").pages[0].mediabox.height == 792


def test_too_much_on_paper_fails_the_build_and_keeps_the_site(
    hostile: tuple[Path, Path],
) -> None:
    project, site = hostile
    before = snapshot(site)
    added = [f"zz-long-{n}" for n in range(8)]
    for n, scenario_id in enumerate(added):
        steps = [
            {
                "do": f"Step {i} of a long procedure that nobody trimmed before printing it.",
                "who": "incident_lead",
                "expect": "Something visible happens, described in a full sentence for the reader.",
            }
            for i in range(8)
        ]
        data = {"title": f"Long scenario {n}", "priority": 1, "on_paper": True, "steps": steps}
        (project / "plans" / "scenarios" / f"{scenario_id}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
        )
    done = build(project, site)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "does not fit on two pages of Letter paper" in output
    assert re.search(r"about \d+ lines? over", output)
    for scenario_id in added:
        assert re.search(rf"scenario {scenario_id} \d+ lines", output), scenario_id
    assert "on_paper: true" in output
    assert output.count("error: ") == 1
    assert snapshot(site) == before


# --- the sheet from hand-built plans (no build) --------------------------------------------------


def test_every_text_field_is_escaped() -> None:
    plan = sample_plan(XSS)
    plan = replace(plan, scenarios=[replace(s, on_paper=True) for s in plan.scenarios])
    page = printsheet.render_html(plan, "A4")
    assert "<script>" not in page and XSS not in page
    shown = html.unescape(page)
    for text in (plan.organisation, plan.scenarios[0].steps[0].do, plan.first_hour.scope[0]):
        assert text in shown
    links = set(re.findall(r'href="([^"]*)"', page))
    assert links == {"../", "../recovery-plan-A4.pdf", "../recovery-plan-Letter.pdf"}


def test_a_sparse_plan_still_prints(tmp_path: Path) -> None:
    plan = sample_plan()
    plan = replace(
        plan,
        scenarios=[],
        systems={},
        incidents=[],
        communications=replace(plan.communications, audiences={}),
        contacts={"priya": replace(plan.contacts["priya"], phones=[]), "tom": plan.contacts["tom"]},
    )
    assert printsheet.write(tmp_path, plan) == []
    for paper in ("A4", "Letter"):
        assert page_count(tmp_path / f"recovery-plan-{paper}.pdf") == 1
    text = " ".join(pdf_text(tmp_path / "recovery-plan-A4.pdf").split())
    assert plan.contacts["priya"].email in text  # the lead has no phone: the email stands in
    assert plan.communications.templates["initial"].split("{")[0] in text


def test_a_stale_vendor_with_an_escalation_path_is_marked_to_check() -> None:
    """The escalation list is resolved before the "check the details" note, whose words come
    from the plan's translator: the one must not stand in for the other."""
    plan = load_plan(ROOT)
    holders = set(plan.roles.values())  # vendors holding a role are printed with the roles
    vendor = next(c for c in plan.contacts.values() if c.is_vendor and c.escalation and c.id not in holders)
    vendor = replace(vendor, stale=True, verified=None)
    plan = replace(plan, contacts={**plan.contacts, vendor.id: vendor})
    (row,) = [v for v in printsheet.sheet(plan).vendors if v["name"] == vendor.name]
    never = i18n.translator(plan.site.language).plain("sheet.contact_never")
    assert row["escalation"] and row["check"] == never


def test_a_plan_that_only_tells_its_staff_prints_what_to_tell_them() -> None:
    """The message on paper is for the audience the plan has, by its own name: a plan whose
    only audience is its staff is not told what to say to clients it does not list."""
    plan = load_plan(ROOT)
    staff = next(a for a in plan.communications.audiences.values() if a.members)
    templates = {"initial": "Staff only: {eta}"}
    plan = replace(
        plan,
        communications=replace(
            plan.communications, audiences={staff.id: replace(staff, templates=templates)}
        ),
    )
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", printsheet.render_html(plan, "A4"))).split())
    t = i18n.translator(plan.site.language)
    assert t.plain("sheet.what_to_tell", name=staff.name) in shown
    assert t.plain("sheet.what_to_tell_clients") not in shown
    assert "Staff only:" in shown
