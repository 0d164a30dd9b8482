"""The plan's language: the words the tool writes, and dates and durations in the plan's locale.

The words live in one YAML catalog per language, `generator/locales/<code>.yaml` (see
docs/translating.md). A key missing from a catalog falls back to English. Dates, times and
durations come from Babel (CLDR), in the plan's timezone.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.units import format_unit

from generator.values import did_you_mean

LOCALES_DIR = Path(__file__).with_name("locales")
DEFAULT = "en"
SUPPORTED = tuple(sorted(p.stem for p in LOCALES_DIR.glob("*.yaml")))
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_FIELD = re.compile(r"\{(\w+)\}")


class UnsupportedLanguage(ValueError):
    """`site.language` names no shipped catalog; `hint` suggests one."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def parse_language(value: str) -> str:
    """A BCP 47 tag of a shipped language, normalised ("en-gb" -> "en-GB", "nb_NO" -> "nb-NO").

    The language picks the catalog; a region or script only changes how dates are written.
    Raises UnsupportedLanguage with a did-you-mean hint."""
    supported = ", ".join(f"`{code}`" for code in SUPPORTED)
    try:
        locale = Locale.parse(value.strip().replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        locale = None
    if locale is not None and locale.language in SUPPORTED:
        return str(locale).replace("_", "-")
    raise UnsupportedLanguage(
        f"`{value}` is not a language the site can be written in (supported: {supported})",
        _suggest(value, locale),
    )


def _suggest(value: str, locale: Locale | None) -> str:
    """ "did you mean `nb`?" for `no`, `Norwegian`, `norsk` or `nbb`."""
    if locale is not None:  # a real language we do not ship: a close one we do (no -> nb)
        close = {"no": "nb", "nn": "nb"}.get(locale.language)
        if close:
            return f"did you mean `{close}`?"
    names = {}
    for code in SUPPORTED:
        known = Locale.parse(code)
        names[str(known.english_name).lower()] = code
        names[str(known.get_display_name(known)).lower()] = code
    word = value.strip().lower()
    code = names.get(word) or next((c for n, c in names.items() if n.split(" ")[0] == word), "")
    if code:
        return f"did you mean `{code}`?"
    guess = did_you_mean(value.strip().lower(), SUPPORTED)
    return guess or "write a language code such as `en`, `de` or `nb`"


@cache
def catalog(code: str) -> dict[str, Any]:
    """One language's catalog as flat keys ("home.start_here") -> text or plural forms."""
    data = yaml.safe_load((LOCALES_DIR / f"{code}.yaml").read_text(encoding="utf-8")) or {}
    return dict(_flatten(data))


def _flatten(data: dict[str, Any], prefix: str = "") -> Any:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not set(value) <= set(PLURAL_CATEGORIES):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


class Translator:
    """The words and formats of one language. `t("key", name=...)` gives HTML (the catalog's
    text escaped, the values inserted as given: pass them escaped); `t.plain` gives text."""

    def __init__(self, language: str = DEFAULT, timezone: str = "UTC") -> None:
        self.language = language
        self.locale = Locale.parse(language, sep="-")
        self.code = self.locale.language
        self.timezone = ZoneInfo(timezone)
        self.words = {**catalog(DEFAULT), **catalog(self.code)}

    @property
    def direction(self) -> str:
        """ "rtl" or "ltr"."""
        return "rtl" if self.locale.text_direction == "rtl" else "ltr"

    def __call__(self, key: str, count: int | None = None, **values: object) -> str:
        """HTML: the catalog's text escaped, the `values` (already HTML) put in as they are."""
        return self._fill(html.escape(self._entry(key, count), quote=True), count, values)

    def plain(self, key: str, count: int | None = None, **values: object) -> str:
        """Text: the entry with its `{name}` fields filled; with `count`, its plural form."""
        return self._fill(self._entry(key, count), count, values)

    def _entry(self, key: str, count: int | None) -> str:
        entry = self.words[key]
        if isinstance(entry, dict):
            if count is None:
                raise TypeError(f"{key} has plural forms: give a count")
            entry = entry.get(str(self.locale.plural_form(count))) or entry["other"]
        return str(entry)

    def _fill(self, template: str, count: int | None, values: dict[str, object]) -> str:
        if count is not None:
            values = {"count": self.number(count), **values}
        return _FIELD.sub(lambda m: str(values[m.group(1)]), template)

    def section(self, prefix: str) -> dict[str, Any]:
        """Every entry under `prefix.` (e.g. the page script's words), keys without the prefix."""
        start = f"{prefix}."
        return {k[len(start) :]: v for k, v in self.words.items() if k.startswith(start)}

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def date(self, value: date | None) -> str:
        """ "1 Dec 2026", "1. des. 2026", "01.12.2026": the locale's medium date."""
        return format_date(value, "medium", locale=self.locale) if value else ""

    def time(self, value: datetime) -> str:
        """ "09:10", "9:10 AM": the locale's short time."""
        return format_time(value.replace(tzinfo=None), "short", locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        """A date and time ("3 Jun 2026, 09:10") in the plan's timezone (naive values are
        taken as already in it)."""
        if value is None:
            return ""
        if value.tzinfo is not None:
            value = value.astimezone(self.timezone)
        pattern = str(self.locale.datetime_formats["medium"])
        return pattern.replace("{1}", self.date(value)).replace("{0}", self.time(value))

    def duration(self, value: timedelta | None) -> str:
        """ "1 hr 30 min", "1 t 30 min", "2 Tg.": CLDR's short units; "" for None."""
        if value is None:
            return ""
        minutes = int(value.total_seconds() // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        parts = [
            format_unit(amount, unit, length="short", locale=self.locale)
            for amount, unit in ((days, "duration-day"), (hours, "duration-hour"), (mins, "duration-minute"))
            if amount
        ]
        return " ".join(parts) or format_unit(0, "duration-minute", length="short", locale=self.locale)


@cache
def translator(language: str = DEFAULT, timezone: str = "UTC") -> Translator:
    """The shared Translator of a language and timezone."""
    return Translator(language, timezone)
