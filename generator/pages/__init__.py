"""Plan -> site pages (Markdown holding raw HTML blocks), independent of MkDocs.

The plugin calls `navigation`, `template_context` and `render`. The page modules beside this
one each gather what one kind of page shows; its template (generator/templates/pages/, with the
shared pieces in partials/) lays it out, autoescaped: see `templates`. `paths` says where each
page lives, `wording` holds the words several pages share, `vcard` writes the contact cards.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sized
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.loader import unsafe_reason
from generator.model import Plan, Scenario
from generator.pages import (
    communications,
    contacts,
    health,
    home,
    incident_mode,
    incidents,
    paths,
    prevention,
    scenarios,
    systems,
    vcard,
)
from generator.pages.messages import labels
from generator.pages.paths import incident_page, scenario_page, system_page
from generator.pages.templates import Templates, attr, environment
from generator.pages.wording import tr

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
CSS = "assets/recovery-plan.css"
JS = "assets/recovery-plan.js"
# Above this many scenarios, systems or incidents, the nav lists only their overview page (which
# links each one): MkDocs writes the nav into every page, so 1,000 entries would cost minutes.
NAV_LIST_MAX = 40


def navigation(plan: Plan, author_pages: list[str] | None = None) -> list[Any]:
    """The MkDocs `nav`: Start here, Scenarios, Systems, Contacts, Communications, the authors'
    own pages (src paths under `docs_dir`, e.g. "where things are"), Past incidents, Plan health.

    Titles are HTML (as MkDocs themes treat them), so plan text in them is escaped.
    """
    t = tr(plan)
    nav: list[Any] = [{t("nav.start_here"): paths.HOME}]
    if _long(plan.scenarios):
        nav.append({t("nav.scenarios"): paths.SCENARIOS})
    elif plan.scenarios:
        nav.append({t("nav.scenarios"): [{attr(s.title): scenario_page(s.id)} for s in plan.scenarios]})
    systems = [] if _long(plan.systems) else plan.recovery_order
    nav.append(
        {
            t("nav.systems"): [{t("nav.overview"): paths.SYSTEMS}]
            + [{attr(s.name): system_page(s.id)} for s in systems]
        }
    )
    nav += [{t("nav.contacts"): paths.CONTACTS}, {t("nav.communications"): paths.COMMUNICATIONS}]
    generated = set(render_paths(plan))
    nav += [page for page in author_pages or [] if page not in generated]
    incidents = [] if _long(plan.incidents) else plan.incidents
    nav.append(
        {
            t("nav.incidents"): [{t("nav.all_incidents"): paths.INCIDENTS}]
            + [{attr(i.title): incident_page(i.id)} for i in incidents]
            + [{t("nav.review_template"): paths.REVIEW_TEMPLATE}]
        }
    )
    nav.append({t("nav.health"): paths.HEALTH})
    nav.append({t("nav.prevention"): paths.PREVENTION})
    return nav


def _long(items: Sized) -> bool:
    return len(items) > NAV_LIST_MAX


def author_pages(docs_dir: Path, root: Path | None = None) -> list[str]:
    """The Markdown pages the plan's authors keep in `docs_dir` (plans/pages/), sorted: the
    project's (`root`'s) own regular files only, as the plugin publishes."""
    if not docs_dir.is_dir():
        return []
    return sorted(
        p.relative_to(docs_dir).as_posix()
        for p in docs_dir.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(docs_dir).parts)
        and not unsafe_reason(p, root or docs_dir)
    )


def template_context(plan: Plan) -> dict[str, Any]:
    """Values the theme templates and scripts read from `config.extra.recovery_plan`.

    Stable keys (the freshness banner and service worker rely on them):
    - ``organisation``: str
    - ``built``: when the site was built, ISO 8601 UTC ("2026-10-05T09:30:00Z");
      ``SOURCE_DATE_EPOCH`` fixes it for reproducible builds
    - ``today``: the plan's "today" (YYYY-MM-DD), in its timezone
    - ``timezone``: IANA name of the plan's timezone
    - ``last_reviewed`` / ``next_due``: YYYY-MM-DD; ``review_overdue``: bool
    - ``stale_after_days``: int, the age past which an offline copy warns that it may be old
    - ``plan_hash``: 12 hex digits that change whenever the plan's content changes
    - ``warnings``: int, the number of validation warnings (shown on Plan health)
    - ``language``: BCP 47 tag of the plan's language; ``direction``: "ltr" or "rtl"
    - ``built_label``: "Plan built {date}" split around the date: [before, after]; ``built_date``:
      the build day in the plan's locale and timezone
    - ``words``: the page scripts' words (catalog sections ``banner`` and ``script``) and
      ``placeholders`` (placeholder -> its blank), for the JSON block the scripts read
    """
    t = tr(plan)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    built = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return {
        "organisation": plan.organisation,
        "built": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "today": plan.today.isoformat(),
        "timezone": plan.site.timezone,
        "last_reviewed": plan.review.last_reviewed.isoformat(),
        "next_due": plan.review.next_due.isoformat(),
        "review_overdue": plan.review_overdue,
        "stale_after_days": plan.site.stale_after_days,
        "plan_hash": plan_hash(plan),
        "warnings": len(plan.warnings),
        "language": plan.site.language,
        "direction": t.direction,
        "built_label": str(t.words["banner.built"]).split("{date}", 1),
        "built_date": t.date(built.astimezone(t.timezone)),
        "words": {**t.section("banner"), **t.section("script"), "placeholders": labels(t)},
    }


def plan_hash(plan: Plan) -> str:
    """A short digest of everything the pages show (not of the day the build ran)."""
    content = (
        plan.organisation,
        plan.site,
        plan.review,
        plan.roles,
        plan.first_hour,
        plan.systems,
        plan.scenarios,
        plan.contacts,
        plan.communications,
        plan.incidents,
    )
    return hashlib.sha256(repr(content).encode()).hexdigest()[:12]


def render_paths(plan: Plan) -> list[str]:
    """The src paths of every generated page (not the files)."""
    return (
        [
            paths.HOME,
            paths.SYSTEMS,
            paths.CONTACTS,
            paths.COMMUNICATIONS,
            paths.INCIDENTS,
            paths.REVIEW_TEMPLATE,
            paths.HEALTH,
            paths.PREVENTION,
        ]
        + ([paths.SCENARIOS] if _long(plan.scenarios) else [])
        + [scenario_page(s.id) for s in plan.scenarios]
        + [system_page(s) for s in plan.systems]
        + [incident_page(i.id) for i in plan.incidents]
    )


def render(
    plan: Plan, *, directory_urls: bool = True, overrides: Path | None = None, root: Path | None = None
) -> dict[str, str]:
    """Every generated file of the site: src path (e.g. ``scenarios/internet-down/index.md``)
    -> content. Pages are Markdown made of raw HTML blocks; vCards and assets are files.

    `overrides`: a folder of templates that replace the package's (the project's
    `site_overrides/recovery-plan/`), read only if they are regular files inside `root`; one
    that is not raises `loader.LoadError`."""
    pages = Templates(plan, environment(overrides, root), directory_urls)
    out = {
        paths.HOME: home.render(plan, pages),
        paths.SYSTEMS: systems.render_overview(plan, pages),
        paths.CONTACTS: contacts.render(plan, pages),
        paths.COMMUNICATIONS: communications.render(plan, pages),
        paths.INCIDENTS: incidents.render_index(plan, pages),
        paths.REVIEW_TEMPLATE: incidents.render_template(plan, pages),
        paths.HEALTH: health.render(plan, pages),
        paths.PREVENTION: prevention.render(plan, pages),
    }
    if _long(plan.scenarios):
        out[paths.SCENARIOS] = scenarios.render_index(plan, pages)
    affecting: dict[str, list[Scenario]] = {}
    for scenario in plan.scenarios:
        out[scenario_page(scenario.id)] = scenarios.render(plan, scenario, pages)
        for system_id in scenario.affects:
            affecting.setdefault(system_id, []).append(scenario)
    for system in plan.recovery_order:
        out[system_page(system.id)] = systems.render(plan, system, affecting.get(system.id, []), pages)
    for incident in plan.incidents:
        out[incident_page(incident.id)] = incidents.render(plan, incident, pages)
    for contact in plan.contacts.values():
        out[paths.vcard_file(contact.id)] = vcard.vcard(contact, plan)
    out[paths.ALL_VCARDS] = vcard.vcards(plan)
    for asset in (CSS, JS, incident_mode.JS):
        out[asset] = (ASSETS_DIR / Path(asset).name).read_text(encoding="utf-8")
    out[incident_mode.FACTS] = incident_mode.facts_file(plan)
    return out
