"""Plans of many shapes for the printed sheet's tests, written as YAML and read by the validator.

Each shape starts from a generated plan (benchmarks/plangen.py) and changes what makes it that
shape: one system, no scenario marked for paper, a Norwegian office, many vendors or roles,
very long steps and addresses, 100 and 1,000 systems, or more on paper than two pages hold.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from benchmarks.plangen import TODAY, write_plan
from generator import i18n, sheetcontent, sheetfit
from generator.model import Plan

LONG_URL = "https://docs.example.org/" + "recovery-procedure-for-the-accounting-server-" * 4 + "x"
LONG_WORD = "Telefonnummerverifiseringsprosedyrebeskrivelsesdokumentasjonsarkivet" * 2


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    data = _load(path)
    change(data)
    _dump(path, data)


def _scenarios(root: Path) -> list[Path]:
    return sorted((root / "plans" / "scenarios").glob("*.yaml"))


def minimal(root: Path) -> None:
    write_plan(root, 1)


def no_on_paper(root: Path) -> None:
    write_plan(root, 30)
    for file in _scenarios(root):
        _edit(file, lambda d: d.pop("on_paper"))


def norwegian(root: Path) -> None:
    """An architecture firm in Oslo: 12 systems, 6 scenarios (3 on paper), 25 contacts."""
    write_plan(root, 12)
    people = [
        ("Ingrid Bakken", "Daglig leder"),
        ("Lars Haugen", "IT-ansvarlig"),
        ("Sigrid Løvås", "Kontorleder"),
    ] + [(f"Medarbeider {i} Østby-Ødegård", "Arkitekt" if i % 2 else "") for i in range(4, 23)]
    contacts = [
        {
            "id": f"person-{i}",
            "name": name,
            **({"role": role} if role else {}),
            "phones": [{"number": f"+47 9{10 + i:02d} 12 345", "label": "mobile"}],
            "email": f"ansatt{i}@arkitektkontor.example",
            "verified": "2026-10-01",
        }
        for i, (name, role) in enumerate(people)
    ]
    _dump(root / "contacts" / "people.yaml", contacts)
    vendors = [
        {
            "id": f"vendor-{i}",
            "name": f"Leverandør {i} AS",
            "provides": f"Drift av system {i}",
            "account": f"Kundenr. {40000 + i}",
            "phones": [
                {"number": f"22 1{i:01d} 34 56" if i < 10 else f"23 2{i - 10} 45 67", "label": "24x7"}
            ],
            "sla": {"callback": "1h", "restore": "1d"},
            "verified": "2026-10-01",
        }
        for i in range(12)
    ]
    _dump(root / "contacts" / "vendors.yaml", vendors)
    _edit(
        root / "plans" / "plan.yaml",
        lambda d: d["site"].update(
            region="NO", timezone="Europe/Oslo", url="https://arkitektkontor.github.io/beredskap/"
        ),
    )
    for file in _scenarios(root):
        file.unlink()
    for n in range(6):
        _dump(
            root / "plans" / "scenarios" / f"hendelse-{n}.yaml",
            {
                "title": f"Hendelse {n}: serveren med tegningene svarer ikke",
                "summary": "Ingen på kontoret får åpnet prosjektmappene; e-post virker.",
                "priority": n + 1,
                **({"on_paper": True} if n < 3 else {}),
                "steps": [
                    {
                        "do": "Sjekk om det gjelder én maskin eller hele kontoret, og noter klokkeslettet.",
                        "who": "incident_lead",
                        "call": f"vendor-{n}",
                        "expect": "Leverandøren gir et saksnummer og ringer tilbake innen en time.",
                        "if_not": "Ring igjen og be om vakthavende tekniker.",
                    }
                    for _ in range(4)
                ],
            },
        )


def many_vendors(root: Path) -> None:
    write_plan(root, 40)


def many_roles(root: Path) -> None:
    write_plan(root, 20)
    _edit(
        root / "plans" / "plan.yaml",
        lambda d: d["roles"].update({f"role_{i}": f"person-{i}" for i in range(2, 20)}),
    )


def long_steps(root: Path) -> None:
    write_plan(root, 30)
    text = (
        "Read the whole of this instruction aloud to the person next to you before you do "
        "anything, because every word of it matters in the first minutes of an outage. "
    ) * 4
    for file in _scenarios(root):
        _edit(
            file,
            lambda d: d.update(
                steps=[{"do": text, "who": "incident_lead", "expect": text[:160]} for _ in range(3)]
            ),
        )


def long_urls(root: Path) -> None:
    write_plan(root, 10)
    _edit(
        _scenarios(root)[0],
        lambda d: d["steps"][0].update(do=f"Open {LONG_URL} and follow the {LONG_WORD} there."),
    )
    _edit(root / "contacts" / "vendors.yaml", lambda d: d[0].update(name=LONG_WORD))


def hundred(root: Path) -> None:
    write_plan(root, 100)


def thousand(root: Path) -> None:
    write_plan(root, 1000)


def must_overflow(root: Path) -> None:
    """Three scenarios on paper, each with 30 long steps: more than two pages must be printed."""
    write_plan(root, 30)
    step = {
        "do": "Walk to the comms cabinet, read every label aloud, and write down each light "
        "that is not green, with the time, in the incident log.",
        "who": "incident_lead",
        "expect": "A full list of lights and times in the log.",
    }
    for file in _scenarios(root)[:3]:
        _edit(file, lambda d: d.update(steps=[dict(step) for _ in range(30)], on_paper=True))


LONG_EXT = "4477889900"  # digits only, as the validator asks; never wrapped
LONG_ACCOUNT = "CUSTOMER-REFERENCE-" + "7" * 40
LONG_EMAIL = "escalations.after-hours.duty-manager@a-vendor-with-a-very-long-domain-name.example"


def long_vendor(root: Path) -> None:
    """The first key vendor with a very long extension, a second number abroad, a long account
    without a space, and escalation to a vendor with a long extension and to a desk with only a
    long email address."""
    write_plan(root, 10)

    def change(vendors: list[dict[str, Any]]) -> None:
        vendors[0].update(
            phones=[
                {"number": "020 7946 0000", "ext": LONG_EXT, "label": "24x7"},
                {"number": "+61 2 9374 4000", "ext": "4321", "label": "work"},
            ],
            account=LONG_ACCOUNT,
            escalation=["vendor-1", "escalation-desk"],
        )
        vendors[1]["phones"][0]["ext"] = LONG_EXT[:6]
        vendors.append({"id": "escalation-desk", "name": "Escalation desk", "email": LONG_EMAIL})

    _edit(root / "contacts" / "vendors.yaml", change)


def must_be_wide(root: Path) -> None:
    """The primary provider's fault line (called from the roles, by its code) with an extension
    of 60 digits: wider than its column even in 8 pt, and a number is never broken."""
    write_plan(root, 10)
    _edit(root / "contacts" / "vendors.yaml", lambda d: d[0]["phones"][0].update(ext="7" * 60))


SHAPES: dict[str, Callable[[Path], None]] = {
    "minimal": minimal,
    "no-on-paper": no_on_paper,
    "norwegian": norwegian,
    "40-vendors": many_vendors,
    "20-roles": many_roles,
    "long-steps": long_steps,
    "long-urls": long_urls,
    "100-systems": hundred,
    "1000-systems": thousand,
    "must-overflow": must_overflow,
    "long-vendor": long_vendor,
    "must-be-wide": must_be_wide,
}


def write_shape(root: Path, shape: str) -> Path:
    SHAPES[shape](root)
    return root


# --- reading a printed sheet -----------------------------------------------------------------------


def page_count(pdf: Path | bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages)


def pdf_text(pdf: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def decode_qr_codes(pdf: Path, workdir: Path) -> list[str]:
    """Every QR payload on every page, rendered at 150 dpi as a desk printer would."""
    return [code for page in codes_by_page(pdf, workdir) for code in page]


def codes_by_page(pdf: Path, workdir: Path) -> list[list[str]]:
    """The QR payloads of each page, rendered at 150 dpi as a desk printer would."""
    for tool in ("pdftoppm", "zbarimg"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install poppler-utils zbar-tools)")
    prefix = workdir / pdf.stem
    subprocess.run(["pdftoppm", "-r", "150", "-png", "--", str(pdf), str(prefix)], check=True)
    images = sorted(workdir.glob(f"{pdf.stem}*.png"))
    pages = []
    for image in images:
        done = subprocess.run(["zbarimg", "--raw", "-q", "--", str(image)], capture_output=True, text=True)
        pages.append([line for line in done.stdout.splitlines() if line])
    return pages


@dataclass(frozen=True)
class Word:
    text: str
    x1: float  # PDF points from the page's top-left corner
    y1: float
    x2: float
    y2: float


def words_by_page(pdf: Path) -> list[list[Word]]:
    """Every word of each page with its box, in the order drawn (pdftotext -bbox)."""
    done = subprocess.run(
        ["pdftotext", "-bbox", "--", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", done.stdout, re.DOTALL):
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
        )
        pages.append(
            [Word(html.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in words]
        )
    return pages


def captions_without_codes(plan: Plan, codes: list[list[str]], words: list[list[Word]]) -> list[str]:
    """What is wrong with the scenarios' codes, page by page (`codes` and `words` of each page):
    a page with more or fewer captions ("Scan: this scenario...") than scenario codes, or a code
    whose scenario's title is not on its page. A scenario split over two pages must keep its code
    with its caption."""
    t = i18n.translator(plan.site.language)
    caption = f"{t.plain('sheet.scan')} {t.plain('sheet.scan_scenario').split()[0]}"
    titles = {sheetcontent.scenario_url(plan, s.id): s.title for s in plan.scenarios}
    wrong = []
    for n, (page_codes, page_words) in enumerate(zip(codes, words, strict=True), 1):
        text = " ".join(w.text for w in page_words)
        scenario_codes = [code for code in page_codes if code in titles]
        captions = text.count(caption)
        if captions != len(scenario_codes):
            wrong.append(f"page {n}: {captions} captions, {len(scenario_codes)} codes")
        wrong += [
            f"page {n}: {code} beside another title" for code in scenario_codes if titles[code] not in text
        ]
    return wrong


def in_the_side_margins(words: list[Word], paper: str) -> list[str]:
    """The words drawn in a page's side margins, outside the printable area."""
    _, right, _, left = sheetfit.MARGIN_MM
    width = sheetfit.PAGE_MM[paper][0]
    mm = 25.4 / 72  # in a PDF point
    return [w.text for w in words if w.x1 * mm < left - 0.2 or w.x2 * mm > width - right + 0.2]


def overlapping(words: list[Word], tolerance: float = 0.3) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other (each word's box taken without the top and bottom
    quarters of its line: a font's ascent and descent may touch the next line)."""
    bands = sorted(
        ((w.y1 + (w.y2 - w.y1) / 4, w.y2 - (w.y2 - w.y1) / 4, w) for w in words), key=lambda b: b[0]
    )
    found = []
    for i, (_, bottom, word) in enumerate(bands):
        for top, _, other in bands[i + 1 :]:
            if top >= bottom:
                break
            if word.x1 < other.x2 - tolerance and other.x1 < word.x2 - tolerance:
                found.append((word.text, other.text))
    return found


__all__ = [
    "LONG_ACCOUNT",
    "LONG_EMAIL",
    "LONG_EXT",
    "LONG_URL",
    "LONG_WORD",
    "SHAPES",
    "TODAY",
    "Word",
    "captions_without_codes",
    "codes_by_page",
    "decode_qr_codes",
    "in_the_side_margins",
    "overlapping",
    "page_count",
    "pdf_text",
    "words_by_page",
    "write_shape",
]
