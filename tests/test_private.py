"""A private plan (`site.private: true`) on a public host: no byte of the published site tells
anything of the plan but the organisation's name; the build refuses a missing or weak
passphrase and leaves the previous site as it was."""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import phonenumbers
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from helpers_site import ROOT, load_plan

from generator import private
from generator.model import Plan

PASSPHRASES = {
    "RECOVERY_PLAN_PASSPHRASE": "oven crater lapel husky",
    "RECOVERY_PLAN_PASSPHRASE_TOM": "  tidal mango violin stapler ",
}


def build(project: Path, site: Path, passphrases: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`recovery-plan build` with exactly `passphrases` in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(private.PASSPHRASE_VARIABLE)}
    env.update(passphrases, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "generator.cli", "build", str(project), "--site-dir", str(site)]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


def private_copy(target: Path) -> Path:
    """A copy of the example plan with `site.private: true`."""
    for part in ("plans", "contacts"):
        shutil.copytree(ROOT / part, target / part)
    plan_file = target / "plans" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(text.replace("\nsite:\n", "\nsite:\n  private: true\n", 1), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return private_copy(tmp_path_factory.mktemp("private") / "project")


@pytest.fixture(scope="module")
def plan(project: Path) -> Plan:
    loaded = load_plan(project)
    assert loaded.site.private
    return loaded


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    """The example built as a private plan with two passphrases."""
    site_dir = project.parent / "site"
    done = build(project, site_dir, PASSPHRASES)
    assert done.returncode == 0, done.stderr
    return site_dir


# --- what the published files hold ------------------------------------------------------------


def plan_secrets(plan: Plan) -> set[str]:
    """What must not be readable without the key: names, phone numbers in every format, emails,
    account references and the scenarios' steps."""
    found = set()
    for contact in plan.contacts.values():
        found.add(contact.name)
        if not contact.is_vendor:  # a person's first name or surname alone
            found |= {word for word in re.split(r"\W+", contact.name) if len(word) >= 5}
        found |= {contact.email, contact.account}
        for phone in contact.phones:
            number = phonenumbers.parse(phone.e164)
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            found |= {
                phone.e164,
                phone.display,
                national,
                re.sub(r"\D", "", national),
                phone.e164.lstrip("+"),
            }
    for scenario in plan.scenarios:
        found.add(scenario.title)
        for step in scenario.steps:
            found |= {step.do, step.expect, step.if_not}
    return {text for text in found if len(text) >= 5}


def readable_forms(data: bytes) -> list[bytes]:
    """The bytes of a file and every way to read more of them: gunzipped, every compressed PDF
    stream inflated, JSON strings and HTML entities unescaped."""
    forms = [data]
    if data[:2] == b"\x1f\x8b":
        forms.append(gzip.decompress(data))
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            forms.append(zlib.decompress(stream))
    with contextlib.suppress(ValueError):
        forms.append(json.dumps(json.loads(data), ensure_ascii=False).encode("utf-8"))
    forms.append(html.unescape(data.decode("utf-8", "replace")).encode("utf-8"))  # &quot;
    return [f.lower() for f in forms]


def leaks(files: dict[str, bytes], secrets: set[str]) -> dict[str, list[str]]:
    """For each secret, the files (by name) that hold it or are named after it."""
    found: dict[str, list[str]] = {}
    for name, data in files.items():
        forms = readable_forms(data) + [name.lower().encode("utf-8")]
        for secret in secrets:
            needle = secret.lower().encode("utf-8")
            if any(needle in form for form in forms):
                found.setdefault(secret, []).append(name)
    return found


def published(site_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes() for p in sorted(site_dir.rglob("*")) if p.is_file()
    }


def decrypted(site_dir: Path, passphrase: str) -> dict[str, bytes]:
    """The site as the reader's browser sees it, decrypted here with `passphrase`."""
    slots = json.loads((site_dir / private.KEYS).read_text(encoding="utf-8"))
    b64 = base64.b64decode
    key = None
    for slot in slots["slots"]:
        wrapping = PBKDF2HMAC(SHA256(), 32, b64(slot["salt"]), slots["kdf"]["iterations"]).derive(
            private.normalised(passphrase).encode("utf-8")
        )
        try:
            key = AESGCM(wrapping).decrypt(b64(slot["iv"]), b64(slot["key"]), None)
        except Exception:
            continue
    assert key is not None, "no key slot opens with this passphrase"

    def open_blob(name: str) -> bytes:
        data = (site_dir / name).read_bytes()
        return AESGCM(key).decrypt(data[:12], data[12:], name.encode("utf-8"))

    index = json.loads(open_blob(private.INDEX))["files"]
    return {path: open_blob(blob) for path, (blob, _type) in index.items()}


def test_no_plan_text_in_any_published_byte(site: Path, plan: Plan) -> None:
    """Search every byte, inflated, unescaped, and every file name: nothing of the plan. The
    same search over the decrypted site finds every one of them (the search can fail)."""
    secrets = plan_secrets(plan)
    assert len(secrets) > 40
    files = published(site)
    assert leaks(files, secrets) == {}
    opened = decrypted(site, PASSPHRASES["RECOVERY_PLAN_PASSPHRASE_TOM"])
    shown = {c.name for c in plan.contacts.values()} | {
        p.e164 for c in plan.contacts.values() for p in c.phones
    }
    shown |= {c.email for c in plan.contacts.values() if c.email}
    shown |= {step.do for scenario in plan.scenarios for step in scenario.steps}
    assert shown <= set(leaks(opened, secrets))  # the search finds what is there
    assert plan.organisation.encode() in files["index.html"]  # the one thing shown


def test_only_generic_files_are_in_the_clear(site: Path, plan: Plan) -> None:
    """Every published file is a blob of the vault, or one the unlock page, the worker and the
    installed app need, or the exact bytes of a file shipped with the tool or its theme."""
    material = Path(__import__("material").__file__).parent / "templates"
    shipped = {
        hashlib.sha256(p.read_bytes()).digest()
        for folder in (material, ROOT / "generator")
        for p in folder.rglob("*")
        if p.is_file()
    }
    own = {"index.html", "404.html", "keys.json", "sw.js", "manifest.webmanifest", ".recovery-plan-site"}
    for name, data in published(site).items():
        if name.startswith("vault/"):
            assert re.fullmatch(r"vault/([0-9a-f]{32}|index)\.bin", name), name
        elif name not in own and not name.startswith("assets/pwa/"):
            assert hashlib.sha256(data).digest() in shipped, f"{name} is neither generic nor sealed"
    manifest = json.loads((site / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert plan.organisation in manifest["name"]
    assert not (site / "sitemap.xml").exists() and not (site / "search").exists()


def test_key_slots_use_pbkdf2_with_600000_iterations_and_a_salt_each(site: Path) -> None:
    slots = json.loads((site / private.KEYS).read_text(encoding="utf-8"))
    assert slots["kdf"] == {"name": "PBKDF2", "hash": "SHA-256", "iterations": 600_000}
    assert len(slots["slots"]) == 2
    salts = {base64.b64decode(s["salt"]) for s in slots["slots"]}
    assert len(salts) == 2 and all(len(s) == 16 for s in salts)
    assert "TOM" not in json.dumps(slots)  # slots are not named


def test_the_plaintext_sheet_is_written_beside_the_site_never_in_it(site: Path, plan: Plan) -> None:
    sheet = site.with_name(site.name + private.SHEET_SUFFIX)
    assert sorted(p.name for p in sheet.iterdir()) == ["recovery-plan-A4.pdf", "recovery-plan-Letter.pdf"]
    assert not any(p.name.endswith(".pdf") for p in site.rglob("*"))


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passphrases", "told"),
    [
        ({}, "no passphrase is set: set RECOVERY_PLAN_PASSPHRASE"),
        ({"RECOVERY_PLAN_PASSPHRASE": "   "}, "no passphrase is set"),
        (
            {"RECOVERY_PLAN_PASSPHRASE_ANA": "Tr0ub4dor&3"},
            "too weak a passphrase in RECOVERY_PLAN_PASSPHRASE_ANA (it has 11 characters)",
        ),
        ({"RECOVERY_PLAN_PASSPHRASE": "abcabcabcabcabcabc"}, "(it has only 3 different characters)"),
    ],
)
def test_a_private_build_without_a_good_passphrase_fails_and_keeps_the_old_site(
    project: Path, site: Path, passphrases: dict[str, str], told: str
) -> None:
    before = published(site)
    done = build(project, site, passphrases)
    assert done.returncode == 1
    assert "plans/plan.yaml: error: " in done.stderr and told in done.stderr
    assert "at least 14 characters, at least 8 of them different" in done.stderr
    assert "Nothing was built; the previous site is unchanged." in done.stderr
    assert "Traceback" not in done.stderr
    for value in passphrases.values():
        assert value.strip() == "" or value not in done.stderr + done.stdout
    assert published(site) == before


def test_passphrase_rule() -> None:
    assert private.weakness("correct horse battery staple") == ""
    assert private.weakness(" 13 characters ") == "it has 13 characters"
    assert private.weakness("aaaaaaaaaaaaaaaaaaaa") == "it has only 1 different characters"
    assert private.passphrases(
        {
            "RECOVERY_PLAN_PASSPHRASE_A": "oven crater lapel husky ",
            "RECOVERY_PLAN_PASSPHRASE_B": "oven crater lapel husky",
            "RECOVERY_PLAN_PASSPHRASEX": "not one of ours",
        }
    ) == ["oven crater lapel husky"]
