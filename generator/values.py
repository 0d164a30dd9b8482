"""Parsing of the plan's value types (date, duration, phone, id, template) with actionable errors."""

from __future__ import annotations

import difflib
import re
import string
from datetime import date, datetime, timedelta

import phonenumbers

from generator.model import PLACEHOLDERS, Phone


class BadValue(ValueError):
    """A value that cannot be used, with what is wrong and how to fix it."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
ROLE_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")
_EMAIL = re.compile(r"[^@\s<>\":/]+@[^@\s<>\":/]+\.[^@\s<>\".:/]+")


def did_you_mean(word: str, choices: object) -> str:
    """`did you mean `x`?` for the closest choice, or an empty string."""
    options = [str(c) for c in choices]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        close = [lowered[str(word).lower()]] if str(word).lower() in lowered else []
    return f"did you mean `{close[0]}`?" if close else ""


def describe(value: object) -> str:
    """How a value reads to a plan author, for messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (true/false)"
    if isinstance(value, dict):
        return "a mapping (`key: value` lines)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number `{value}`"
    text = str(value)
    if re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?", text):
        return f"the text `{text}`"  # quoted, or with a leading zero: not a number
    return f"`{text[:60]}…`" if len(text) > 60 else f"`{text}`"


def suggest_id(value: object) -> str:
    """The id a bad one most likely meant: `Internet` -> `internet`, `Tom O` -> `tom-o`."""
    return re.sub(r"[^a-z0-9-]+", "-", str(value).lower()).strip("-")


def parse_id(value: object, what: str) -> str:
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return value
    suggestion = suggest_id(value)
    raise BadValue(
        f"{describe(value)} is not a valid {what} id: ids use lowercase letters, digits and dashes",
        f"write it as `{suggestion}`" if suggestion else "",
    )


def parse_date(value: object, today: date, *, allow_future: bool = False) -> date:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        parsed = date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{describe(value)} is not a date", "write dates as YYYY-MM-DD, e.g. "
                       f"`{today.isoformat()}`") from None
    if not allow_future and parsed > today:
        raise BadValue(f"the date {parsed.isoformat()} is in the future (today is {today.isoformat()})",
                       "a date records when something happened; check the year and month")
    return parsed


def parse_datetime(value: object, today: date) -> datetime:
    text = str(value).strip() if isinstance(value, str) else ""
    try:
        if not _DATETIME.fullmatch(text):
            raise ValueError
        parsed = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise BadValue(f"{describe(value)} is not a date and time",
                       "write it as YYYY-MM-DDTHH:MM, e.g. `2026-06-03T09:10`") from None
    if parsed.date() > today:
        raise BadValue(f"{text} is in the future (today is {today.isoformat()})",
                       "check the year and month")
    return parsed


def parse_duration(value: object) -> timedelta:
    if (value == 0 and not isinstance(value, bool)) or (isinstance(value, str) and value.strip() == "0"):
        return timedelta(0)
    text = value.strip().lower() if isinstance(value, str) else ""
    match = _DURATION.fullmatch(text) if text else None
    if not match or not any(match.groups()):
        raise BadValue(
            f"{describe(value)} is not a duration",
            "write a number and a unit: `30m` (minutes), `4h` (hours), `2d` (days), "
            "`1h30m`, or `0`",
        )
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def format_duration(value: timedelta) -> str:
    """The inverse of parse_duration, for display: ``1h30m``, ``2d``, ``0``."""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return "".join(parts) or "0"


def human_duration(value: timedelta | None) -> str:
    """`timedelta(hours=1, minutes=30)` -> "1 h 30 min"; None -> ""."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes == 0:
        return "0"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day" + ("s" if days > 1 else ""))
    if hours:
        parts.append(f"{hours} h")
    if mins:
        parts.append(f"{mins} min")
    return " ".join(parts)


def parse_phone(number: object, region: str, label: str = "other", ext: object = "") -> Phone:
    text = str(number).strip() if isinstance(number, (str, int)) and not isinstance(number, bool) else ""
    if not text:
        raise BadValue(f"{describe(number)} is not a phone number", "write it as you would dial it")
    if not text.startswith("+") and not region:
        raise BadValue(f"`{text}` has no country code and the plan has no `site.region`",
                       "write it with its country code (`+44 20 7946 0958`) or set `site.region`")
    try:
        parsed = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        where = f" for region {region}" if region and not text.startswith("+") else ""
        raise BadValue(f"`{text}` is not a valid phone number{where}",
                       "check the digits; a number from another country needs its `+` code")
    extension = str(ext).strip() if ext not in (None, "") else (parsed.extension or "")
    if extension and not extension.isdigit():
        raise BadValue(f"the extension `{extension}` must be digits only")
    parsed.extension = None
    return Phone(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        display=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        label=label,
        ext=extension,
    )


def parse_email(value: object) -> str:
    if isinstance(value, str) and _EMAIL.fullmatch(value.strip()):
        return value.strip()
    hint = "write it as name@example.com"
    if isinstance(value, str) and value.strip().lower().startswith("mailto:"):
        hint += ", without `mailto:`"
    raise BadValue(f"{describe(value)} is not an email address", hint)


def check_template(text: str) -> None:
    """Raise BadValue for unbalanced braces or placeholders the message composer cannot fill."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion
                  in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise BadValue("the template has an unbalanced `{` or `}`",
                       "placeholders look like `{eta}`; write `{{` or `}}` for a literal brace") from None
    known = [f"{{{p}}}" for p in PLACEHOLDERS]
    for name, spec, conversion in fields:
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name not in PLACEHOLDERS:
            guess = did_you_mean(shown, known)
            raise BadValue(f"unknown placeholder `{shown}` in the template",
                           f"{guess + ' ' if guess else ''}the placeholders are {', '.join(known)}")
        if spec or conversion:
            raise BadValue(f"the placeholder `{shown}` has more than a name in its braces",
                           f"write it as `{{{name}}}`: the site fills it in as it is")


def fill_template(text: str, values: dict[str, str]) -> str:
    """A template with its placeholders filled (unknown ones left as written)."""
    return string.Formatter().vformat(text, (), _Defaults(values))


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
