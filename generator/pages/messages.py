"""Message templates: the placeholders and how they are filled before a person edits them."""

from __future__ import annotations

import re

from generator.model import PLACEHOLDERS

# What an unfilled placeholder shows, so the sender sees what is still missing.
BLANKS = {
    "organisation": "[organisation]",
    "time": "[time]",
    "eta": "[expected time]",
    "status": "[status]",
    "next_update": "[next update]",
    "system": "[what is down]",
}

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def fill(template: str, organisation: str, **values: str) -> str:
    """The template with the organisation and any given values filled, the rest as blanks."""
    values = {"organisation": organisation, **{k: v for k, v in values.items() if v}}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), BLANKS[m.group(1)]), template)
