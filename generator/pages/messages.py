"""Message templates: the placeholders and how they are filled before a person edits them.

One definition serves the site, the sheet and the page script: `labels` (placeholder -> what
an unfilled one shows, in the plan's language) goes to the script as JSON, and `segments`
splits a template for a filler that marks the blanks (the printed sheet).
"""

from __future__ import annotations

import re

from generator.i18n import Translator
from generator.model import PLACEHOLDERS

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def labels(t: Translator) -> dict[str, str]:
    """Every placeholder but `organisation` -> its blank, e.g. "eta" -> "[expected time]"."""
    return {
        name: t.plain("placeholders.blank", label=t.plain(f"placeholders.{name}"))
        for name in PLACEHOLDERS
        if name != "organisation"
    }


def segments(template: str, organisation: str, t: Translator, **values: str) -> list[tuple[str, bool]]:
    """The template as (text, is_blank) pieces: the organisation and the given values filled,
    every other placeholder as its label ("expected time"), marked as a blank."""
    filled = {"organisation": organisation, **{k: v for k, v in values.items() if v}}
    out: list[tuple[str, bool]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        out.append((template[last : match.start()], False))
        name = match.group(1)
        if name in filled:
            out.append((filled[name], False))
        else:
            out.append((t.plain(f"placeholders.{name}"), True))
        last = match.end()
    out.append((template[last:], False))
    return [(piece, blank) for piece, blank in out if piece]


def fill(template: str, organisation: str, t: Translator, **values: str) -> str:
    """The template with the organisation and any given values filled, the rest as blanks
    ("[expected time]"), as the page script fills it."""
    return "".join(
        t.plain("placeholders.blank", label=piece) if blank else piece
        for piece, blank in segments(template, organisation, t, **values)
    )
