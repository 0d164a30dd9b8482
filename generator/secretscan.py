"""Finds what looks like a secret in a plan: the plan holds who and how, never passwords."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

SECRET_KEY = re.compile(
    r"(pass(word|wd|phrase|code)?|pwd|pin|pin_?code|secret|client_secret|token|auth_?token|"
    r"access_?token|api_?key|private_?key|credentials?|otp|totp_?seed|recovery_?codes?)",
    re.IGNORECASE,
)

_SECRET_VALUES = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key"),
    (re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_\w{30,}"), "a GitHub token"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\b[sr]k_(live|test)_[A-Za-z0-9]{16,}"), "a Stripe key"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"), "an access token"),
    (re.compile(r"\b(password|passwd|passcode|pwd|pin|wi-?fi key)\s*[:=]\s*[^\s,.;]{3,}",
                re.IGNORECASE), "a password"),
]


def secret_in_text(text: str) -> str:
    """What kind of secret `text` seems to contain, or an empty string."""
    for pattern, kind in _SECRET_VALUES:
        if pattern.search(text):
            return kind
    return ""


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.fullmatch(key.replace("-", "_")))


def walk(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) of a document, keys and containers included."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, (*path, index))
