"""One page per scenario: the checklist of steps, and who to tell."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from generator.model import Plan, Scenario
from generator.pages.html import (
    COMMUNICATIONS_PAGE,
    Linker,
    front_matter,
    heading,
    scenario_page,
    steps,
    system_page,
    text,
    tr,
)
from generator.pages.messages import fill

INDEX = "scenarios/index.md"  # only for plans with too many scenarios to list in the nav


def render_index(plan: Plan, link: Linker) -> str:
    t = tr(plan)
    return (
        heading(1, "scenarios", t("scenarios.title"))
        + f'\n\n<p class="rp-lead">{t("scenarios.pick")}</p>\n\n'
        + scenario_buttons(plan, link)
        + "\n"
    )


def scenario_buttons(plan: Plan, link: Linker) -> str:
    """Every scenario as a big button: its title and summary."""
    buttons = []
    for scenario in plan.scenarios:
        summary = (
            f'<span class="rp-scenario__summary">{text(scenario.summary)}</span>'
            if scenario.summary
            else ""
        )
        buttons.append(
            f'<li><a class="rp-scenario" href="{link(scenario_page(scenario.id))}">'
            f'<span class="rp-scenario__title">{text(scenario.title)}</span>{summary}</a></li>'
        )
    return f'<ul class="rp-scenarios">{"".join(buttons)}</ul>'


def checklist_key(scenario: Scenario) -> str:
    """`<id>:<hash of the steps>`: ticks reset by themselves when the steps change."""
    digest = hashlib.sha256(repr((scenario.id, scenario.steps)).encode()).hexdigest()[:12]
    return f"{scenario.id}:{digest}"


def render(plan: Plan, scenario: Scenario, link: Linker) -> str:
    t = tr(plan)
    blocks = [front_matter(scenario.title), heading(1, "scenario", text(scenario.title))]
    if scenario.summary:
        blocks.append(f'<p class="rp-lead">{text(scenario.summary)}</p>')
    affected = [plan.systems[s] for s in scenario.affects if s in plan.systems]
    if affected:
        names = ", ".join(f'<a href="{link(system_page(s.id))}">{text(s.name)}</a>' for s in affected)
        blocks.append(f"<p><strong>{t('scenarios.affects')}</strong> {names}</p>")
    blocks += [
        heading(2, "steps", t("scenarios.steps")),
        f'<p class="rp-progress" data-rp-progress aria-live="polite">'
        f'{t("scenarios.step_count", len(scenario.steps))}</p>',
        f"<p>{t('scenarios.tick_help')}</p>",
        steps(plan, scenario.steps, link, checklist=checklist_key(scenario)),
        '<p><button type="button" class="rp-button rp-button--secondary" data-rp-reset>'
        f"{t('scenarios.clear')}</button></p>",
    ]
    blocks += _notify(plan, scenario, [s.name for s in affected], link)
    return "\n\n".join(blocks) + "\n"


def _notify(plan: Plan, scenario: Scenario, systems: list[str], link: Linker) -> list[str]:
    known = plan.communications.audiences
    audiences = [known[a] for a in scenario.notify if a in known]
    if not audiences:
        return []
    system = ", ".join(systems)
    query = f"?system={quote(system)}" if system else ""
    t = tr(plan)
    items = []
    for audience in audiences:
        message = fill(audience.templates["initial"], plan.organisation, t, system=system)
        compose = link(COMMUNICATIONS_PAGE, f"audience-{audience.id}", query)
        items.append(
            f'<li><p><strong>{text(audience.name)}</strong> <span class="rp-muted">'
            f"({text(audience.channel)})</span></p>"
            f'<blockquote class="rp-quote">{text(message)}</blockquote>'
            f'<p><a class="rp-button rp-button--secondary" href="{compose}">'
            f"{t('scenarios.write_to', name=text(audience.name))}</a></p></li>"
        )
    return [heading(2, "tell-people", t("scenarios.tell_people")),
            f'<ul class="rp-notify">{"".join(items)}</ul>']
