"""Words about the plan that the pages and the printed sheet share: role labels, and what a
system's restore status says. One definition each, in the plan's language (plain text)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.i18n import Translator, translator
from generator.model import Plan, RestoreStatus, System

_RESULT_KIND = {"pass": "tested", "partial": "stale", "fail": "failed"}  # badge colours


def tr(plan: Plan) -> Translator:
    """The words and date formats of the plan's language, in its timezone."""
    return translator(plan.site.language, plan.site.timezone)


def role_name(plan: Plan, who: str) -> str:
    """A role's label in the plan's language ("Incident lead"); "" for a contact id."""
    if who not in plan.roles:
        return ""
    t = tr(plan)
    return t.plain(f"roles.{who}") if f"roles.{who}" in t.words else plan.role_label(who)


def role_names(plan: Plan) -> dict[str, list[str]]:
    """Contact id -> the labels of the roles they hold, in the plan's order."""
    held: dict[str, list[str]] = {}
    for role, contact_id in plan.roles.items():
        held.setdefault(contact_id, []).append(role_name(plan, role))
    return held


@dataclass(frozen=True)
class Badge:
    kind: str  # its colour: tested, stale, failed, never, no-backup
    badge: str  # its words


def restore_badge(status: RestoreStatus, t: Translator) -> Badge:
    """A restore status as a badge: "Restore test failed"."""
    return Badge(status.value.replace(" ", "-"), t.plain("status." + status.value.replace(" ", "_")))


def result_words(result: str, t: Translator) -> str:
    """A restore test's result ("pass", "partial", "fail") in the plan's language."""
    key = f"systems.result_{result}"
    return t.plain(key) if key in t.words else result


def result_kind(result: str) -> str:
    """The badge colour of a restore test's result."""
    return _RESULT_KIND.get(result, "failed")


@dataclass(frozen=True)
class RestoreWords:
    """What a system's restore status says (plain text)."""

    finding: str  # "The last restore test, on 14 Sep 2026, did not fully work (failed)."
    advice: str  # what to do about it; "" when the last test worked in time
    check: str  # the printed sheet's one line; "" when tested in time or without a backup


def restore_words(plan: Plan, system: System, t: Translator) -> RestoreWords:
    """What the site and the sheet say about whether the system's backup restores."""
    status = system.restore_status
    last = system.backup.last_test if system.backup else None
    if system.backup is None:
        return RestoreWords(t.plain("systems.no_backup"), "", "")
    if status is RestoreStatus.NEVER or last is None:
        return RestoreWords(
            t.plain("systems.never_tested"),
            t.plain("systems.never_tested_do"),
            t.plain("sheet.restore_never"),
        )
    on = t.date(last.date)
    if status is RestoreStatus.STALE:
        days = t.number(plan.review.restore_test_every_days)
        return RestoreWords(
            t.plain("systems.test_stale", date=on, days=days),
            t.plain("systems.test_stale_do"),
            t.plain("sheet.restore_stale", date=on, days=days),
        )
    if status is RestoreStatus.FAILED:
        result = result_words(last.result, t)
        return RestoreWords(
            t.plain("systems.test_failed", date=on, result=result),
            t.plain("systems.test_failed_do"),
            t.plain("sheet.restore_failed", date=on, result=result),
        )
    return RestoreWords(t.plain("systems.test_ok", date=on), "", "")
