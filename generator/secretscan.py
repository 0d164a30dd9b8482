"""Finds what looks like a secret in a plan: the plan holds who and how, never passwords."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import urlsplit

_SECRET_WORDS = {
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "pwd",
    "pw",
    "pin",
    "pincode",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
    "otp",
    "totp",
    "seed",
}
_SECRET_PAIRS = {
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("secret", "key"),
    ("door", "code"),
    ("alarm", "code"),
    ("access", "code"),
    ("safe", "code"),
    ("lock", "code"),
    ("recovery", "codes"),
    ("recovery", "code"),
}
_KEY_PARTS = re.compile(r"[a-z]+|[0-9]+")

_SECRET_VALUES = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key"),
    (re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_\w{30,}"), "a GitHub token"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\b[sr]k_(live|test)_[A-Za-z0-9]{16,}"), "a Stripe key"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"), "an access token"),
    # `password: hunter22`, or a value of one word: `PIN: letmein`; not `password: see the safe`.
    (
        re.compile(
            r"\b(password|passwd|passcode|passphrase|pwd|pw|pin|wi-?fi key)\s*[:=]\s*"
            r"((?=[^\s,.;]*[0-9!@#$%^&*_+=?~])[^\s,.;]{3,}|[^\s,.;]{3,}[.!]?[ \t]*$)",
            re.IGNORECASE | re.MULTILINE,
        ),
        "a password",
    ),
    (re.compile(r"\b(password|passcode|passphrase)\s+(is|was)\s+\S*\d\S*", re.IGNORECASE), "a password"),
    (
        re.compile(
            r"\b(pin|(door|alarm|safe|lock|access|entry|key ?safe) ?code)\s*(is\s+|[:=]\s*)?\d{4,}\b",
            re.IGNORECASE,
        ),
        "a PIN or access code",
    ),
]


URL_CREDENTIALS = "a user name or password in a web address"
_HINTS = {
    URL_CREDENTIALS: "remove the user name and password (from `//` to `@`); say where the "
    "login is kept instead"
}


def secret_hint(kind: str) -> str:
    """How to fix a secret of this kind."""
    return _HINTS.get(kind, "remove the secret; say where it is kept instead")


def secret_in_text(text: str) -> str:
    """What kind of secret `text` seems to contain, or an empty string."""
    found = secret_at(text)
    return found[0] if found else ""


def secret_at(text: str) -> tuple[str, int] | None:
    """The kind of the first thing in `text` that looks like a secret, and where it starts."""
    for pattern, kind in _SECRET_VALUES:
        if match := pattern.search(text):
            return kind, match.start()
    if (at := credentials_in_url(text)) is not None:
        return URL_CREDENTIALS, at
    return None


_URL_CANDIDATE = re.compile(r"[a-z][a-z0-9+.-]*://[^\s<>\"'`]+", re.IGNORECASE)
_USER_NAME_SCHEMES = ("ssh", "sftp")  # `ssh://git@host/...`: a user name, not a secret


def credentials_in_url(text: str) -> int | None:
    """Where the first URL holding credentials starts: any user name or password (often a
    token), except a bare user name of an ssh address."""
    if "@" not in text:
        return None
    for match in _URL_CANDIDATE.finditer(text):
        try:
            parts = urlsplit(match.group())
            user, password = parts.username, parts.password
        except ValueError:
            continue
        if password or (user and parts.scheme.lower() not in _USER_NAME_SCHEMES):
            return match.start()
    return None


@cache
def is_secret_key(key: str) -> bool:
    """`wifi_password`, `adminPassword`, `door-code`, `api_key`: keys a plan must never have."""
    parts = _KEY_PARTS.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", key).lower())
    return bool(
        _SECRET_WORDS & set(parts)
        or set(zip(parts, parts[1:], strict=False)) & _SECRET_PAIRS
        or "".join(parts) in _SECRET_WORDS | {"apikey", "privatekey"}
    )


def walk(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) of a document, keys and containers included."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, (*path, index))
