"""The fit of the printed sheet: how tall each part is at each density, what to print, and
whether a render holds.

Every part and item is laid out once at every density, unbroken, on one tall measuring page.
Their boxes come from WeasyPrint's public `Page.anchors` (element id -> (x1, y1, x2, y2) in CSS
pixels from the page's top-left corner), read through the ids the template gives them
(print.html). The choice is arithmetic: the pieces a page break cannot split are stacked on
pages as the break falls, and the most that fits on two pages is printed at the roomiest
density. A render is checked through the same anchors: at most two pages, every box within the
printable area, no number or code outside its box or over a scenario's code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from generator import i18n
from generator.i18n import Translator
from generator.loader import shown_path
from generator.model import Finding, Plan, Severity
from generator.sheetcontent import Sheet

PAGE_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}  # width, height
MARGIN_MM = (10.0, 11.0, 11.0, 11.0)  # top, right, bottom, left (the page number sits below)
MAX_PAGES = 2
LEVELS = (0, 1, 2)  # 0: 9 pt; 1: dense, 8 pt; 2: dense, vendors in two columns, systems as a list
PACKED = ("vendors", "systems")  # the parts level 2 changes (the others are as at level 1)
SLACK = 0.02  # of a page's height, given up each time a render does not hold
MEASURE_PX = 150_000  # the height of the measuring page: every part at every density, unbroken
LINE_PX = 8 * 1.2 * 96 / 72  # one line of the smallest text (8 pt x 1.2): the unit of "lines over"
MM_PX = 96 / 25.4
TOLERANCE_PX = 0.5  # rounding in WeasyPrint's layout
ITEM_PARTS = ("scenarios", "vendors", "systems", "contacts")  # parts printed item by item
PARTS = ("head", "roles", "first", "scenarios", "vendors", "systems", "contacts", "message")
MUST_PARTS = ("head", "roles", "first")  # and the first `must_scenarios` scenarios
FOOTER = "end"  # the id of the line below the sheet

Rect = tuple[float, ...]  # x1, y1, x2, y2


@dataclass
class LeftOut:
    """What the sheet leaves out for want of room (it is on the site)."""

    scenarios: list[str] = field(default_factory=list)  # scenario ids
    systems: int = 0
    vendors: int = 0
    contacts: int = 0
    message: bool = False

    def __bool__(self) -> bool:
        return bool(self.scenarios or self.systems or self.vendors or self.contacts or self.message)

    def items(self, t: Translator) -> list[str]:
        counts = (
            (len(self.scenarios), "scenarios"),
            (self.systems, "systems"),
            (self.vendors, "vendors"),
            (self.contacts, "contacts"),
        )
        shown = [t.plain(f"sheet.{part}", n) for n, part in counts if n]
        return shown + [t.plain("sheet.the_message")] * self.message

    def line(self, t: Translator) -> str:
        """The sheet's one line: "Also on the site: 3 scenarios, 14 systems."."""
        return t.plain("sheet.also_on_site", items=", ".join(self.items(t))) if self else ""

    def described(self) -> str:
        """For the warning (in English, as the validator's messages): the counts, and which
        scenarios."""
        listed = self.items(i18n.translator())
        if self.scenarios:
            named = self.scenarios[:10] + [f"{len(self.scenarios) - 10} more"] * (len(self.scenarios) > 10)
            listed[0] += f" ({', '.join(named)})"
        return ", ".join(listed)


@dataclass
class ContentBox:
    """The printable area of one page, in CSS pixels from the page's top-left corner."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, paper: str) -> ContentBox:
        width, height = PAGE_MM[paper]
        top, right, bottom, left = MARGIN_MM
        return cls(left * MM_PX, top * MM_PX, (width - right) * MM_PX, (height - bottom) * MM_PX)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def holds(self, document: Any) -> bool:
        """Whether a rendered sheet is at most two pages, every box with an id lies within the
        printable area (nothing off the side, nothing cut at the foot of a page) and no number
        or code sticks out of its box."""
        if len(document.pages) > MAX_PAGES:
            return False
        inside = all(self._inside(rect) for page in document.pages for rect in page.anchors.values())
        return inside and not overflowing(document)

    def spans(self, rect: Rect) -> bool:
        """Whether a box lies within the printable area's width."""
        return rect[0] >= self.left - 1 and rect[2] <= self.right + 1

    def _inside(self, rect: Rect) -> bool:
        return self.spans(rect) and rect[3] <= self.bottom + 1


def overflowing(document: Any) -> set[str]:
    """The owners (parts and items, "L1-vendors-3") of the pieces that never wrap (numbers,
    codes) sticking out of their box or over a scenario's code. The template names a piece
    "<owner>~<box>~<piece>", its box "<owner>~<box>" and a scenario's code "<item>~scan"."""
    found: set[str] = set()
    for page in document.pages:
        anchors: dict[str, Rect] = page.anchors
        codes = [rect for name, rect in anchors.items() if name.endswith("~scan")]
        for name, rect in anchors.items():
            names = name.split("~")
            if len(names) != 3:
                continue
            owner, room, _ = names
            within = anchors.get(f"{owner}~{room}")  # on this page: a box a page break splits is not one
            outside = within is not None and not _contains(within, rect)
            if outside or (room != "scan" and any(_overlap(rect, code) for code in codes)):
                found.add(owner)
    return found


def _contains(outer: Rect, inner: Rect) -> bool:
    t = TOLERANCE_PX
    return inner[0] >= outer[0] - t and inner[2] <= outer[2] + t and inner[3] <= outer[3] + t


def _overlap(a: Rect, b: Rect) -> bool:
    t = TOLERANCE_PX
    return a[0] < b[2] - t and a[2] > b[0] + t and a[1] < b[3] - t and a[3] > b[1] + t


@dataclass
class Item:
    """One item of a part on the measuring page."""

    bottom: float
    breaks: list[float]  # where a page break may fall inside it (between a scenario's steps)
    wide: bool  # something of it sticks out: not printable at this density


@dataclass
class PartSize:
    """One part at one density on the measuring page."""

    top: float
    bottom: float
    items: list[Item]
    overflows: bool  # something outside its items sticks out sideways: not printable at this density

    def pieces(self, items: int | None = None) -> list[float]:
        """The heights of what a page break cannot split, top to bottom, with the first `items`
        items: the heading stays with the first item, the part's foot with the last."""
        if items is None:
            return [self.bottom - self.top]
        shown = self.items[:items]
        if not shown:
            return []
        end = shown[-1].bottom + self.bottom - self.items[-1].bottom
        cuts = [y for item in shown[:-1] for y in (*item.breaks, item.bottom)] + shown[-1].breaks + [end]
        pieces, previous = [], self.top
        for y in cuts:
            if y > previous:
                pieces.append(y - previous)
                previous = y
        return pieces


@dataclass
class Sizes:
    """Every part at every density, from one layout of the measuring page."""

    parts: dict[tuple[int, str], PartSize]
    footer: float  # the line below the sheet, with the gap above it

    @classmethod
    def measure(cls, document: Any, box: ContentBox) -> Sizes:
        anchors: dict[str, Rect] = {}
        for page in document.pages:  # one page, unless a plan is immense
            anchors = {**page.anchors, **anchors}
        wide = overflowing(document)
        parts = {}
        for level in LEVELS:
            for part in PARTS:
                rect = anchors.get(f"L{level}-{part}")
                if rect is None:
                    continue
                items: list[Item] = []
                while (item := anchors.get(name := f"L{level}-{part}-{len(items) + 1}")) is not None:
                    items.append(Item(item[3], _breaks(anchors, name), name in wide or not box.spans(item)))
                overflows = f"L{level}-{part}" in wide or not box.spans(rect)
                parts[(level, part)] = PartSize(rect[1], rect[3], items, overflows)
        last = anchors.get(f"L{LEVELS[-1]}")
        footer = anchors.get(FOOTER)
        return cls(parts, footer[3] - last[3] if footer and last else 0.0)

    def size(self, level: int, part: str) -> PartSize | None:
        """A part at a level; level 2 changes only the `PACKED` parts, the rest is as at 1."""
        if level == LEVELS[-1] and part not in PACKED:
            level -= 1
        return self.parts.get((level, part))

    def pieces(self, level: int, part: str, items: int | None = None) -> list[float]:
        size = self.size(level, part)
        if size is None:
            return []
        return size.pieces(items) if part in ITEM_PARTS else size.pieces()

    def fits_sideways(self, level: int, part: str, items: int | None = None) -> bool:
        """Whether nothing of a part (with its first `items` items; None: all) sticks out."""
        size = self.size(level, part)
        if size is None:
            return True
        return not size.overflows and not any(item.wide for item in size.items[:items])

    @property
    def levels(self) -> list[int]:
        return sorted({level for level, _ in self.parts})


def _breaks(anchors: dict[str, Rect], item: str) -> list[float]:
    """Where a page break may fall inside a scenario: below its code, after a step but the
    first and the last but one (print.css keeps those with the next)."""
    steps: list[float] = []
    while (step := anchors.get(f"{item}~s{len(steps) + 1}")) is not None:
        steps.append(step[3])
    code = anchors.get(f"{item}~scan")
    below = code[3] if code else 0.0
    return [y for y in steps[1:-2] if y >= below]


def pages_needed(pieces: list[float], page: float) -> int:
    """How many pages of height `page` the pieces take, each moved to the next page when it
    does not fit on the rest of this one (one taller than a page is broken anyway)."""
    pages, used = 1, 0.0
    for height in pieces:
        if used and used + height > page:
            pages, used = pages + 1, 0.0
        used += height
        while used > page:
            pages, used = pages + 1, used - page
    return pages


@dataclass
class Choice:
    """What one sheet prints: the density and how many items of each part."""

    level: int
    scenarios: int
    vendors: int
    systems: int
    contacts: int
    message: bool

    @classmethod
    def everything(cls, shown: Sheet) -> Choice:
        return cls(0, len(shown.scenarios), len(shown.vendors), len(shown.systems), len(shown.contacts), True)

    def counts(self) -> dict[str, int | None]:
        return {
            "head": None,
            "roles": None,
            "first": None,
            "scenarios": self.scenarios,
            "vendors": self.vendors,
            "systems": self.systems,
            "contacts": self.contacts,
            "message": None if self.message else 0,
        }

    def pieces(self, sizes: Sizes) -> list[float]:
        pieces = [p for part, n in self.counts().items() if n != 0 for p in sizes.pieces(self.level, part, n)]
        return pieces + [sizes.footer]

    def height(self, sizes: Sizes) -> float:
        return sum(self.pieces(sizes))

    def fits(self, sizes: Sizes, page: float) -> bool:
        """Whether it takes at most two pages of height `page`."""
        return pages_needed(self.pieces(sizes), page) <= MAX_PAGES

    def rank(self) -> tuple[int, ...]:
        """How much it prints, in the order of importance (more is better), then roomier."""
        return (self.vendors, self.systems, self.scenarios, self.contacts, self.message, -self.level)

    def left_out(self, shown: Sheet) -> LeftOut:
        return LeftOut(
            scenarios=shown.scenario_ids[self.scenarios :],
            systems=shown.totals["systems"] - self.systems,
            vendors=shown.totals["vendors"] - self.vendors,
            contacts=shown.totals["contacts"] - self.contacts,
            message=not self.message,
        )


def choose(shown: Sheet, sizes: Sizes, page: float) -> Choice:
    """The most the sheet can print on two pages of height `page`, in the order of importance,
    at the roomiest density that prints it. Arithmetic on the measured heights, no layout."""
    best: Choice | None = None
    for level in sizes.levels:
        if not all(sizes.fits_sideways(level, p) for p in MUST_PARTS) or not sizes.fits_sideways(
            level, "scenarios", shown.must_scenarios
        ):
            continue
        choice = Choice(level, shown.must_scenarios, 0, 0, 0, False)
        for part, most in (
            ("vendors", len(shown.vendors)),
            ("systems", len(shown.systems)),
            ("scenarios", len(shown.scenarios)),
            ("contacts", len(shown.contacts)),
        ):
            while getattr(choice, part) < most:
                setattr(choice, part, getattr(choice, part) + 1)
                if not choice.fits(sizes, page) or not sizes.fits_sideways(
                    level, part, getattr(choice, part)
                ):
                    setattr(choice, part, getattr(choice, part) - 1)
                    break
        choice.message = sizes.fits_sideways(level, "message")
        if choice.message and not choice.fits(sizes, page):
            choice.message = False
        if best is None or choice.rank() > best.rank():
            best = choice
    return best or Choice(LEVELS[-1], shown.must_scenarios, 0, 0, 0, False)


def must_fit_error(plan: Plan, shown: Sheet, sizes: Sizes, box: ContentBox, paper: str) -> Finding | None:
    """The error when what must be printed cannot fit on two pages even at the densest print:
    naming each must-print part with its lines, longest first, and the lines over."""
    level = LEVELS[-1]
    must = Choice(level, shown.must_scenarios, 0, 0, 0, False)
    wide = [p for p in MUST_PARTS if not sizes.fits_sideways(level, p)]
    wide += ["scenarios"] * (not sizes.fits_sideways(level, "scenarios", shown.must_scenarios))
    too_long = not must.fits(sizes, box.height)
    if not too_long and not wide:
        return None
    scenarios = sizes.size(level, "scenarios")
    lines: list[tuple[int, str, str]] = []  # lines, what, file
    plan_file = shown_path(plan.root / "plans" / "plan.yaml")
    names = {
        "head": "the heading (organisation and site address)",
        "roles": "who leads (the holders of `roles`)",
        "first": "the first ten minutes (`first_hour`)",
    }
    for part in MUST_PARTS:
        lines.append((math.ceil(sum(sizes.pieces(level, part)) / LINE_PX), names[part], plan_file))
    previous = scenarios.top if scenarios else 0.0
    for i, block in enumerate(shown.scenarios[: shown.must_scenarios]):
        bottom = scenarios.items[i].bottom if scenarios else previous
        path = shown_path(plan.root / "plans" / "scenarios" / f"{block.id}.yaml")
        lines.append((math.ceil((bottom - previous) / LINE_PX), f"scenario {block.id}", path))
        previous = bottom
    lines.sort(key=lambda item: -item[0])
    listed = ", ".join(f"{what} {n} lines" for n, what, _ in lines)
    n_over = max(1, math.ceil((must.height(sizes) - MAX_PAGES * box.height) / LINE_PX))
    too_wide = (
        f"Too wide for the page: {', '.join(names.get(p, p) for p in wide)} (a number or a word "
        "there is wider than its column; numbers are never broken)."
    )
    if not too_long:
        message = f"What must be printed does not fit on {paper} paper, even in 8 pt. {too_wide}"
    else:
        message = (
            f"What must be printed does not fit on two pages of {paper} paper, even in 8 pt: "
            f"about {n_over} line{'s' if n_over != 1 else ''} over. Longest first: {listed}."
        ) + (f" {too_wide}" if wide else "")
    longest_scenario = next((item for item in lines if item[1].startswith("scenario ")), None)
    path = longest_scenario[2] if longest_scenario else plan_file
    return Finding(
        path=path,
        line=1,
        column=1,
        severity=Severity.ERROR,
        message=message,
        hint="Shorten the longest of these, or remove `on_paper: true` from a scenario: it is then "
        "printed only if it fits, and stays on the website. Nothing is printed below 8 pt.",
        code="print-too-long",
    )
