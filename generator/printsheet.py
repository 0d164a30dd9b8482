"""The two-page printed sheet: print/index.html and the A4 / Letter PDFs, fitted to two pages.

The sheet is one standalone HTML page (inline CSS, system fonts, no scripts) rendered by
WeasyPrint at both paper sizes. It fills itself in the format's order of importance: the
heading, the holders of the plan's roles, the first ten minutes and the scenarios marked
`on_paper: true` must be printed; then the key vendors, the recovery order, the other scenarios,
the other contacts with a role and the message template, as many as fit. What it shows comes
from `sheetcontent`; each part is laid out once at every density (one tall measuring page), the
parts are chosen by arithmetic (`sheetfit`), and the final render is checked: two layouts in
all, unless the check fails. What does not fit is named on the sheet and in one warning; only a
must-print part that cannot fit is an error.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import lifetime
from generator.loader import shown_path
from generator.model import Finding, Plan, Severity
from generator.sheetcontent import PAPERS, Sheet, papers_first, pdf_name, sheet
from generator.sheetfit import (
    LEVELS,
    MARGIN_MM,
    MEASURE_PX,
    PACKED,
    PAGE_MM,
    SLACK,
    Choice,
    ContentBox,
    LeftOut,
    Sizes,
    choose,
    must_fit_error,
)

__all__ = [  # with what other modules use from `sheetcontent` and `sheetfit`
    "PAPERS",
    "LeftOut",
    "Layout",
    "PendingSheet",
    "Printer",
    "left_out_finding",
    "pdf_name",
    "prepare",
    "render_html",
    "sheet",
    "write",
]

HERE = Path(__file__).parent
log = logging.getLogger("mkdocs.plugins.recovery-plan.printsheet")  # in the build log (-v)


@dataclass(frozen=True)
class Printer:
    """Lays out sheets in processes started from `context` (made ready by `prepare`)."""

    context: BaseContext

    def start(self, plan: Plan, unlock_url: str = "") -> PendingSheet:
        """Begin laying out the sheet at both paper sizes, each in a process of its own, so
        that it runs while the rest of the site is built. `unlock_url`: a private plan's code
        (the URL with the build's key), drawn instead of the plain URL."""
        return PendingSheet(plan, ThreadPoolExecutor(1).submit(_lay_out, plan, self.context, unlock_url))


def prepare() -> Printer:
    """Start the server the layout processes are forked from, loading WeasyPrint while the rest
    of the build goes on (where the platform has one; elsewhere each process starts afresh).
    Called once, as early as possible, by whatever builds; it passes on the printer."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return Printer(multiprocessing.get_context("spawn"))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["generator.sheet_server", "weasyprint", __name__])
    forkserver.ensure_running()
    return Printer(context)


def write(site_dir: Path, plan: Plan) -> list[Finding]:
    """Write the sheet into `site_dir`; return the warning naming what was left out, or the
    error when what must be printed does not fit (then nothing is written)."""
    return prepare().start(plan).write(site_dir)


def _lay_out(plan: Plan, context: BaseContext, unlock_url: str = "") -> dict[str, Layout]:
    """Both paper sizes, in parallel processes (run from a thread: starting them waits for the
    fork server to finish loading WeasyPrint, and the build must not wait with it)."""
    papers = papers_first(plan.site.paper)
    try:
        with ProcessPoolExecutor(
            max_workers=len(papers),
            mp_context=context,
            initializer=lifetime.end_with,
            initargs=(os.getpid(),),
        ) as pool:
            jobs = {paper: pool.submit(_render, plan, paper, unlock_url) for paper in papers}
            return {paper: job.result() for paper, job in jobs.items()}
    except BrokenProcessPool:  # e.g. the main module cannot be re-imported: lay out here
        return {paper: _render(plan, paper, unlock_url) for paper in papers}


@dataclass
class Layout:
    """The sheet at one paper size."""

    html: str
    pdf: bytes | None  # None: what must be printed does not fit
    left_out: LeftOut
    renders: int  # the layouts it took: the measuring page and the final render, in the common case
    error: Finding | None = None


@dataclass
class PendingSheet:
    plan: Plan
    layouts: Future[dict[str, Layout]]

    def write(self, site_dir: Path) -> list[Finding]:
        """Wait for the layouts; write print/index.html and the PDFs, and return the one warning
        naming what was left out; or, when what must be printed does not fit, write nothing and
        return the error."""
        results = self.layouts.result()
        for paper, layout in results.items():
            log.debug("Printed sheet on %s: %d layouts", paper, layout.renders)
        errors = [layout.error for layout in results.values() if layout.error]
        if errors:
            return errors[:1]
        page = site_dir / "print" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(results[self.plan.site.paper].html, encoding="utf-8")
        for paper, layout in results.items():
            assert layout.pdf is not None
            (site_dir / pdf_name(paper)).write_bytes(layout.pdf)
        finding = left_out_finding(self.plan, {p: r.left_out for p, r in results.items()})
        return [finding] if finding else []


def left_out_finding(plan: Plan, left_out: dict[str, LeftOut]) -> Finding | None:
    """One warning naming what each paper size leaves out, the configured size first."""
    told = {paper: lost.described() for paper, lost in left_out.items() if lost}
    if not told:
        return None
    papers = papers_first(plan.site.paper)
    if len(set(told.values())) == 1 and len(told) == len(papers):
        listed = f"{next(iter(told.values()))} (A4 and Letter)"
    else:
        listed = "; ".join(f"on {paper}: {told[paper]}" for paper in papers if paper in told)
    return Finding(
        path=shown_path(plan.root / "plans" / "plan.yaml"),
        line=1,
        column=1,
        severity=Severity.WARNING,
        message=f"The printed sheet leaves out what does not fit on two pages (the sheet says it is "
        f"on the site): {listed}.",
        hint="Mark a scenario `on_paper: true` to make sure it is printed, or shorten steps to make room.",
        code="print-left-out",
    )


def _render(plan: Plan, paper: str, unlock_url: str = "") -> Layout:
    """The sheet at one paper size: each part measured at every density, the most that fits
    chosen by arithmetic, and the result checked (with a little less room if it fails)."""
    from weasyprint import HTML  # imported here: loading Pango costs time only when printing

    shown = sheet(plan, unlock_url)
    box = ContentBox.of(paper)
    sizes = Sizes.measure(HTML(string=_measuring_page(shown, paper)).render(), box)
    error = must_fit_error(plan, shown, sizes, box, paper)
    if error:
        return Layout("", None, LeftOut(), 1, error)
    for attempt in range(3):
        choice = choose(shown, sizes, box.height * (1 - SLACK * attempt))
        page = _page(shown, paper, choice)
        document = HTML(string=page).render()
        if box.holds(document):
            return Layout(page, document.write_pdf(), choice.left_out(shown), 2 + attempt)
    choice = choose(shown, sizes, 0.0)  # what must be printed, and nothing else
    page = _page(shown, paper, choice)
    return Layout(page, HTML(string=page).render().write_pdf(), choice.left_out(shown), 5)


# --- the page ------------------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(plan: Plan, paper: str) -> str:
    """The standalone sheet for one paper size (A4 or Letter), with everything it could print."""
    shown = sheet(plan)
    return _page(shown, paper, Choice.everything(shown))


def _page(shown: Sheet, paper: str, choice: Choice) -> str:
    return _template(
        shown,
        paper,
        choice=choice,
        also=choice.left_out(shown).line(shown.t),
        page_size=PAPERS[paper],
        levels=[choice.level],
        packed_only=(),
    )


def _measuring_page(shown: Sheet, paper: str) -> str:
    """Every part at every level, all its items, on one tall page of the sheet's width (level 2
    only with the parts it changes), with the longest line of what is left out."""
    worst = LeftOut([s.id for s in shown.scenarios], 999, 999, 999, True).line(shown.t)
    return _template(
        shown,
        paper,
        choice=Choice.everything(shown),
        also=worst,
        page_size=f"{PAGE_MM[paper][0]}mm {MEASURE_PX}px",
        levels=list(LEVELS),
        packed_only=PACKED,
    )


def _template(shown: Sheet, paper: str, **values: Any) -> str:
    css = Markup((HERE / "assets" / "print.css").read_text(encoding="utf-8"))
    template = _environment().get_template("print.html")
    margin = " ".join(f"{m}mm" for m in MARGIN_MM)
    t = shown.t

    def w(key: str, count: int | None = None, **words: object) -> str:
        """One of the sheet's words, as text (the template escapes it)."""
        return t.plain(f"sheet.{key}", count, **words)

    def bold(key: str, **words: object) -> Markup:
        """One of the sheet's words with its fields in bold."""
        return Markup(t(f"sheet.{key}", None, **{k: Markup("<b>{}</b>").format(v) for k, v in words.items()}))

    return template.render(s=shown, t=t, w=w, bold=bold, css=css, margin=margin, **values)
