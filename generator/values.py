"""Parsing of the plan's value types (date, duration, phone, id, template) with actionable errors."""

from __future__ import annotations

import difflib
import functools
import re
import string
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import idna
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import shortnumberinfo

from generator.model import PLACEHOLDERS, Phone


class BadValue(ValueError):
    """A value that cannot be used, with what is wrong and how to fix it."""

    def __init__(self, message: str, hint: str = "", code: str = "bad-value"):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
ROLE_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")
MAX_DAYS = 3650  # any `*_days` setting: ten years
MAX_DURATION = timedelta(days=MAX_DAYS)  # any duration: an RTO, an SLA, how often updates go out
_MAX_DIGITS = 9  # of one number in a duration, before it is compared with MAX_DURATION


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
        raise BadValue(
            f"{describe(value)} is not a date", f"write dates as YYYY-MM-DD, e.g. `{today.isoformat()}`"
        ) from None
    if not allow_future and parsed > today:
        raise BadValue(
            f"the date {parsed.isoformat()} is in the future (today is {today.isoformat()})",
            "a date records when something happened; check the year and month",
        )
    return parsed


def parse_datetime(value: object, today: date) -> datetime:
    text = str(value).strip() if isinstance(value, str) else ""
    try:
        if not _DATETIME.fullmatch(text):
            raise ValueError
        parsed = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise BadValue(
            f"{describe(value)} is not a date and time",
            "write it as YYYY-MM-DDTHH:MM, e.g. `2026-06-03T09:10`",
        ) from None
    if parsed.date() > today:
        raise BadValue(f"{text} is in the future (today is {today.isoformat()})", "check the year and month")
    return parsed


def parse_duration(value: object) -> timedelta:
    if (value == 0 and not isinstance(value, bool)) or (isinstance(value, str) and value.strip() == "0"):
        return timedelta(0)
    text = value.strip().lower() if isinstance(value, str) else ""
    match = _DURATION.fullmatch(text) if text else None
    if not match or not any(match.groups()):
        raise BadValue(
            f"{describe(value)} is not a duration",
            "write a number and a unit: `30m` (minutes), `4h` (hours), `2d` (days), `1h30m`, or `0`",
        )
    if any(len(g or "") > _MAX_DIGITS for g in match.groups()):
        raise _too_long(text)
    days, hours, minutes = (int(g or 0) for g in match.groups())
    duration = timedelta(days=days, hours=hours, minutes=minutes)
    if duration > MAX_DURATION:
        raise _too_long(text)
    return duration


def _too_long(text: str) -> BadValue:
    return BadValue(
        f"`{text}` is longer than ten years: durations are at most `{MAX_DAYS}d`",
        "check the number and its unit: `m` is minutes, `h` hours, `d` days",
        code="out-of-range",
    )


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
        raise BadValue(
            f"`{text}` has no country code and the plan has no `site.region`",
            "write it with its country code (`+44 20 7946 0958`) or set `site.region`",
        )
    e164, display, written_extension = _dialled(text, region)
    extension = str(ext).strip() if ext not in (None, "") else written_extension
    if extension and not extension.isdigit():
        raise BadValue(f"the extension `{extension}` must be digits only")
    return Phone(e164=e164, display=display, label=label, ext=extension)


@functools.lru_cache(maxsize=4096)
def _dialled(text: str, region: str) -> tuple[str, str, str]:
    """A valid number's E.164 and international forms and the extension written in it; a pure
    function, so each distinct number is parsed once (libphonenumber is slow)."""
    try:
        parsed = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        _explain_short_number(text, region)
        where = f" for region {region}" if region and not text.startswith("+") else ""
        raise BadValue(
            f"`{text}` is not a valid phone number{where}",
            "check the digits; a number from another country needs its `+` code",
        )
    written_extension = parsed.extension or ""
    parsed.extension = None
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        written_extension,
    )


_MAIN_REGIONS = {regions[0] for regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.values()}


def _short_number_regions(digits: str, test: Callable[[str], bool]) -> str:
    """The regions (main countries first, by calling code) where `test` holds, for messages."""
    found = sorted(
        (r for r in shortnumberinfo.SUPPORTED_SHORT_REGIONS if test(r)),
        key=lambda r: (r not in _MAIN_REGIONS, phonenumbers.country_code_for_region(r), r),
    )
    return ", ".join(found[:3]) + (" and other countries" if len(found) > 3 else "")


def _explain_short_number(text: str, region: str) -> None:
    """Raise BadValue saying what a short number is (112, 999, 911, 1177, 116117...): an
    emergency number, or a service's short number, which only dials inside its country."""
    digits = re.sub(r"[\s().-]", "", text)
    if not digits.isdigit() or len(digits) > 6:
        return

    def short(r: str) -> bool:
        try:
            number = phonenumbers.parse(digits, r)
        except phonenumbers.NumberParseException:  # too short to be a number there ("3")
            return False
        return shortnumberinfo.is_valid_short_number_for_region(number, r)

    emergency_here = bool(region) and shortnumberinfo.is_emergency_number(digits, region)
    if emergency_here or not (region and short(region)):
        where = (
            region
            if emergency_here
            else _short_number_regions(digits, lambda r: shortnumberinfo.is_emergency_number(digits, r))
        )
        if where:
            raise BadValue(
                f"{digits} is an emergency number (in {where}): write it in a step's "
                "text, not as a contact's phone",
                f"e.g. `- do: Call {digits} if anyone is hurt or in danger.`; a "
                "contact's phone reaches that person or company",
            )
    where = region if region and short(region) else _short_number_regions(digits, short)
    if where:
        raise BadValue(
            f"{digits} is a short number (in {where}), which dials only inside its "
            "country and not from every phone: a contact's phone must be a full number",
            "give the service's full number (with its `+` code), or write the short number in a step's text",
        )


# Characters that an address may hold by the letter of RFC 5322 but that a `mailto:` link
# reads as the start of other fields (`?bcc=`, `&body=`) or as an escape.
_MAILTO_SPECIAL = "?&#%"


def parse_email(value: object) -> str:
    """One plain email address (syntax only, no DNS): no display name, no `?bcc=`, no list."""
    text = value.strip() if isinstance(value, str) else ""
    hint = "write it as name@example.com"
    if text.lower().startswith("mailto:"):
        raise BadValue(f"{describe(value)} is not an email address", hint + ", without `mailto:`")
    if (special := next((c for c in _MAILTO_SPECIAL if c in text), "")) and "@" in text:
        raise BadValue(
            f"the email address holds `{special}`, which a mailto link reads as the "
            "start of other fields (a hidden copy to someone else, a prepared message)",
            "write one plain address, e.g. `name@example.com`",
        )
    if "@" in text and any(mark in text for mark in ",;") or text.count("@") > 1:
        raise BadValue(
            f"{describe(value)} is more than one email address",
            "give one address in `email:`; put the others in `notes`",
        )
    if "<" in text:
        inner = text[text.find("<") + 1 : text.rfind(">")].strip() if ">" in text else ""
        raise BadValue(
            f"{describe(value)} has a name around the email address",
            f"write only the address: `{inner}`" if inner else hint,
        )
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise BadValue(f"{describe(value)} is not an email address", hint) from None
    return text


def parse_company_domain(value: str) -> tuple[str, bool]:
    """A company domain as IDNA (`xn--`) text, lower case, without a trailing dot, and whether it
    was written as a wildcard (`*.example.no`, which means the same here: the domain and every
    host under it)."""
    text = value.strip()
    wildcard = text.startswith("*.")
    name = text[2:] if wildcard else text
    if "://" in name or "/" in name or "@" in name:
        host = urlsplit(name if "://" in name else "//" + name.rpartition("@")[2]).hostname or ""
        raise BadValue(
            f"`{text}` is not a domain name",
            f"write only the domain, e.g. `{host}`"
            if host
            else "write only the domain, e.g. `example.co.uk`",
        )
    try:
        ascii_name = idna.encode(name.rstrip(".").rstrip("\u3002"), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise BadValue(
            f"`{text}` is not a domain name",
            "write the domain the company's email and website use, e.g. `example.co.uk`",
        ) from None
    if "." not in ascii_name:
        raise BadValue(
            f"`{text}` is a single word, not a domain name", "write the whole domain, e.g. `example.co.uk`"
        )
    return ascii_name.lower(), wildcard


def show_domain(ascii_name: str) -> str:
    """A normalised domain as people read it: `xn--bcher-kva.example` -> `bücher.example`."""
    try:
        return idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError):
        return ascii_name


# -- values passed to git: a remote, a branch ----------------------------------------------------

REMOTE_SCHEMES = ("https", "ssh")  # in site.mirrors; `--remote` may also be a local path
_REMOTE_HINT = (
    "write the name of a git remote (`origin`, as `git remote -v` lists it), an "
    "`https://` or `ssh://` address, or `git@host:owner/repo.git`"
)
_SCP_LIKE = re.compile(r"(?:(?P<user>[A-Za-z0-9._~-]+)@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^:].*)")


def _ref_problem(name: str) -> str:
    """What git's `check-ref-format` rules (which remote and branch names follow) find wrong."""
    if not name:
        return "it is empty"
    if name.startswith("-"):
        return "it starts with `-`, so git would read it as an option (one can run a command)"
    if bad := next((c for c in name if unicodedata.category(c) == "Cc" or c.isspace()), ""):
        return "it holds a space" if bad == " " else "it holds an invisible control character"
    if bad := next((c for c in "~^:?*[\\" if c in name), ""):
        return f"it holds `{bad}`, which git does not allow in a name"
    if ".." in name or "@{" in name or "//" in name or name == "@":
        return "it holds `..`, `//` or `@{`, which git does not allow in a name"
    if name.endswith(("/", ".", ".lock")) or any(p.startswith(".") for p in name.split("/")):
        return "a part of it starts with `.` or it ends with `/`, `.` or `.lock`"
    return ""


def parse_branch(value: object) -> str:
    """A branch name git accepts, never one that reads as an option."""
    text = value if isinstance(value, str) else ""
    if problem := _ref_problem(text):
        raise BadValue(
            f"{describe(value)} cannot be a branch name: {problem}",
            "use a plain branch name such as `gh-pages` or `pages`",
        )
    return text


def parse_remote(value: object, *, paths: bool = False) -> str:
    """A git remote to publish to: a remote's name, an https:// or ssh:// URL, or an scp-like
    `user@host:path`; with `paths`, also a local path or file:// URL (given on the command line,
    never from a plan file). Never a value git would read as an option or a helper to run, and
    never one holding a password (the message does not repeat it)."""
    text = value if isinstance(value, str) else ""
    if text.startswith("-") or not text:
        raise BadValue(
            f"the mirror {describe(value)} is not a git remote: {_ref_problem(text)}", _REMOTE_HINT
        )
    if any(unicodedata.category(c) == "Cc" or c.isspace() for c in text) or "::" in text:
        raise BadValue(
            f"the mirror {describe(value)} is not a git remote: it holds a space, a "
            "control character or `::` (which names a helper program to git)",
            _REMOTE_HINT,
        )
    if "://" in text:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if parts.password or (parts.username and scheme != "ssh"):
            raise BadValue(
                "the mirror's address holds a user name or password (not repeated "
                "here): the plan is published, so it must never hold credentials",
                "remove the part before `@`; let git's credential helper or a deploy key supply the password",
                code="secret",
            )
        if scheme == "file" and paths:
            return text
        if scheme not in REMOTE_SCHEMES or not parts.hostname:
            raise BadValue(
                f"the mirror {describe(value)} is not an `https://` or `ssh://` address", _REMOTE_HINT
            )
        return text
    if ":" in text.partition("@")[0] and "@" in text:
        raise BadValue(
            "the mirror's address holds a user name and password (not repeated here):"
            " the plan is published, so it must never hold credentials",
            "remove the part before `@`; let git's credential helper or a deploy key supply the password",
            code="secret",
        )
    if scp := _SCP_LIKE.fullmatch(text):
        if scp["host"].startswith(("-", ".")) or scp["path"].startswith("-"):
            raise BadValue(
                f"the mirror {describe(value)} is not a git remote: its host or path starts with `-` or `.`",
                _REMOTE_HINT,
            )
        return text
    if paths and ("/" in text or text.startswith(".")):
        return text
    if problem := _ref_problem(text):
        where = " or a local path (on the command line only)" if paths else ""
        raise BadValue(f"the mirror {describe(value)} is not a git remote: {problem}", _REMOTE_HINT + where)
    return text


def check_template(text: str) -> None:
    """Raise BadValue for unbalanced braces or placeholders the message composer cannot fill."""
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        raise BadValue(
            "the template has an unbalanced `{` or `}`",
            "placeholders look like `{eta}`; write `{{` or `}}` for a literal brace",
        ) from None
    known = [f"{{{p}}}" for p in PLACEHOLDERS]
    for name, spec, conversion in fields:
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name not in PLACEHOLDERS:
            guess = did_you_mean(shown, known)
            raise BadValue(
                f"unknown placeholder `{shown}` in the template",
                f"{guess + ' ' if guess else ''}the placeholders are {', '.join(known)}",
            )
        if spec or conversion:
            raise BadValue(
                f"the placeholder `{shown}` has more than a name in its braces",
                f"write it as `{{{name}}}`: the site fills it in as it is",
            )


def fill_template(text: str, values: dict[str, str]) -> str:
    """A template with its placeholders filled (unknown ones left as written)."""
    return string.Formatter().vformat(text, (), _Defaults(values))


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
