"""The advisory plan score: "Plan health 82/100 (stale restore tests: 2, missing exercises: 1)".

It never blocks anything (errors do that); it says in one line how well the plan is kept. The
score starts at 100 and each warning takes off the points of its kind (`KINDS`), down to 0:

    a restore test failed 10, a backup never restored 8, a restore test stale 6,
    the plan's review overdue 8, a system out of support 8, an exercise missing 6,
    an exercise not passed 6, a replacement overdue 5, an exercise stale 4, a patch overdue 4,
    a maintenance task overdue or never done 4, an action overdue 3,
    support ending within 180 days 3, a contact not checked 2, any other warning 1.

Errors are not counted: a plan with errors is not built at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from generator.i18n import Translator, translator
from generator.model import Finding, Severity

PERFECT = 100


@dataclass(frozen=True)
class Kind:
    """A kind of warning the score counts: its words are `score.<key>` in the catalogs."""

    key: str
    points: int
    codes: tuple[str, ...]


KINDS = (
    Kind("restore_failed", 10, ("restore-failed",)),
    Kind("restore_never", 8, ("restore-never",)),
    Kind("restore_stale", 6, ("restore-stale",)),
    Kind("review_overdue", 8, ("review-overdue",)),
    Kind("support_ended", 8, ("support-ended",)),
    Kind("exercise_missing", 6, ("exercise-missing",)),
    Kind("exercise_failed", 6, ("exercise-failed",)),
    Kind("replace_overdue", 5, ("replace-overdue",)),
    Kind("exercise_stale", 4, ("exercise-stale",)),
    Kind("patching_overdue", 4, ("patching-overdue",)),
    Kind("maintenance_overdue", 4, ("maintenance-overdue", "maintenance-never")),
    Kind("action_overdue", 3, ("action-overdue",)),
    Kind("support_ending", 3, ("support-ending",)),
    Kind("contact_stale", 2, ("contact-stale", "contact-unverified")),
)
OTHER = Kind("other", 1, ())


@dataclass(frozen=True)
class Score:
    value: int  # 0 to 100
    counts: tuple[tuple[Kind, int], ...]  # the kinds found, heaviest first, with how many

    def line(self, t: Translator | None = None) -> str:
        """ "Plan health 82/100 (stale restore tests: 2, missing exercises: 1)", in `t`'s
        language (English by default)."""
        t = t or translator()
        head = t.plain("score.line", score=t.number(self.value), out_of=t.number(PERFECT))
        return f"{head} ({', '.join(self.items(t))})" if self.counts else head

    def items(self, t: Translator) -> list[str]:
        """ "stale restore tests: 2" for each kind of warning found."""
        return [
            t.plain("score.item", label=t.plain(f"score.{kind.key}"), number=t.number(count))
            for kind, count in self.counts
        ]


def score(findings: Iterable[Finding]) -> Score:
    """The score of a plan from its findings (its warnings count)."""
    by_code = {code: kind for kind in KINDS for code in kind.codes}
    found = Counter(by_code.get(f.code, OTHER) for f in findings if f.severity is Severity.WARNING)
    counts = tuple((kind, found[kind]) for kind in (*KINDS, OTHER) if found[kind])
    lost = sum(kind.points * count for kind, count in counts)
    return Score(max(0, PERFECT - lost), counts)
