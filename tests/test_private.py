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
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from helpers_pwa import CHROMIUM_ARGS, require_chromium, serving
from helpers_site import ROOT, load_plan
from playwright.sync_api import expect
from test_accessibility import RUN_AXE, WCAG_TAGS, axe_script

from generator import private
from generator.i18n import translator
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
        wrapping = PBKDF2HMAC(SHA256(), 32, b64(slots["kdf"]["salt"]), slots["kdf"]["iterations"]).derive(
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


def test_key_slots_use_pbkdf2_with_600000_iterations_and_a_random_salt(site: Path) -> None:
    slots = json.loads((site / private.KEYS).read_text(encoding="utf-8"))
    salt = slots["kdf"].pop("salt")
    assert slots["kdf"] == {"name": "PBKDF2", "hash": "SHA-256", "iterations": 600_000}
    assert len(base64.b64decode(salt)) == 16
    assert len(slots["slots"]) == 2 and len({s["iv"] for s in slots["slots"]}) == 2
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


# --- in the browser -----------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
PASSPHRASE_A = PASSPHRASES["RECOVERY_PLAN_PASSPHRASE"]
PASSPHRASE_B = PASSPHRASES["RECOVERY_PLAN_PASSPHRASE_TOM"]
WORDS = translator().section("private")


@pytest.fixture(scope="module")
def prefix(plan: Plan) -> str:
    return urlsplit(plan.site.url).path  # the unlock page's links start there, as on the host


def page_paths(site_dir: Path) -> list[str]:
    """Every page of the plan, as a reader types it (from the decrypted index)."""
    opened = decrypted(site_dir, PASSPHRASE_A)
    return sorted(p.removesuffix("index.html") for p in opened if p.endswith(".html") and p != "404.html")


def unlock(page, passphrase: str) -> float:
    """Type the passphrase on the unlock page, once its worker is ready (a reader takes longer
    to type); returns, when the plan's page is shown, the time Unlock was tapped."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.fill("#rp-passphrase", passphrase)
    with page.expect_navigation(timeout=30_000):
        tapped = time.monotonic()
        page.get_by_role("button", name=WORDS["unlock"]).click()
    expect(page.locator(".md-content h1")).to_be_visible()
    return tapped


def refused(page, passphrase: str) -> None:
    page.fill("#rp-passphrase", passphrase)
    page.get_by_role("button", name=WORDS["unlock"]).click()
    expect(page.locator("#rp-unlock-status")).to_have_text(WORDS["wrong"], timeout=30_000)
    expect(page.locator("#rp-passphrase")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rp-passphrase")).to_be_focused()


def open_page(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok and response.from_service_worker, url
    return response


def sheet_code(site_dir: Path, tmp_path: Path) -> str:
    """The unlock code of the plaintext sheet, read from the rendered A4 PDF with zbarimg."""
    pdf = site_dir.with_name(site_dir.name + private.SHEET_SUFFIX) / "recovery-plan-A4.pdf"
    subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", "--", str(pdf), str(tmp_path / "sheet")],
        check=True,
    )
    image = next(tmp_path.glob("sheet*.png"))
    read = subprocess.run(["zbarimg", "--raw", "-q", "--", str(image)], capture_output=True, text=True)
    codes = [c for c in read.stdout.splitlines() if "#key=" in c]
    assert len(codes) == 1, read.stdout
    return codes[0]


def test_the_sheets_code_opens_the_plan(browser, site: Path, plan: Plan, prefix: str, tmp_path: Path) -> None:
    code = sheet_code(site, tmp_path)
    assert code.startswith(plan.site.url + "#key=")
    text = subprocess.run(
        ["pdftotext", "--", str(site.with_name("site.sheet") / "recovery-plan-A4.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    built = translator(plan.site.language).date(plan.today)
    assert f"This code unlocks the build of {built}" in " ".join(text.split())
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    with serving(site, prefix) as server:
        with page.expect_navigation(url=server.base, timeout=60_000):  # unlocked, then reloaded
            page.goto(code.replace(plan.site.url, server.base))
        expect(page.locator(".md-content h1")).to_be_visible()  # the plan's home page, decrypted
        assert plan.organisation in page.title()
        assert "#" not in page.url  # the key left the address bar and the history
    context.close()


def test_unlocked_the_plan_works_offline_after_a_restart_until_locked(
    playwright, site: Path, plan: Plan, prefix: str, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"

    def start():
        return playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=require_chromium(),
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            accept_downloads=True,
        )

    context = start()
    page = context.pages[0]
    with serving(site, prefix) as server:
        page.goto(server.url())
        unlock(page, PASSPHRASE_A)
        context.set_offline(True)
        server.stop()
        for path in page_paths(site):
            open_page(page, server.url(path))
            assert page.title(), path
        # incident mode has its facts (incident.json, decrypted by the worker), offline
        scenario = plan.scenarios[0]
        open_page(page, server.url(f"scenarios/{scenario.id}/"))
        expect(page.get_by_role("button", name=f"Start incident: {scenario.title}")).to_be_visible()
        search(page, server.url(), plan)
        save_vcard(page, server.url(), plan)
        context.close()

        context = start()  # the browser restarted, still offline: no passphrase asked
        context.set_offline(True)
        page = context.pages[0]
        open_page(page, server.url("contacts/"))
        expect(page.locator(".md-content")).to_contain_text(plan.people[0].name)
        with page.expect_navigation():
            page.get_by_role("button", name=WORDS["lock"]).click()
        expect(page.locator("#rp-unlock")).to_be_visible()
        for path in ("", "contacts/", f"scenarios/{plan.scenarios[0].id}/"):
            open_page(page, server.url(path))
            expect(page.locator("#rp-unlock")).to_be_visible()
            assert plan.people[0].name not in page.content()
    context.close()


def search(page, base: str, plan: Plan) -> None:
    """Material's search, from the decrypted index, finds the first scenario; its result opens."""
    scenario = plan.scenarios[0]
    word = max(re.findall(r"[A-Za-z]{4,}", scenario.title), key=len)
    open_page(page, base)
    page.locator("label.md-header__button[for=__search]:visible").first.click()
    page.locator("input.md-search__input").press_sequentially(word, delay=20)
    result = page.locator(".md-search-result__item", has_text=scenario.title).first
    result.wait_for(timeout=10_000)
    with page.expect_navigation():
        result.locator("a").first.click()
    assert scenario.title in page.locator("h1").inner_text()


def save_vcard(page, base: str, plan: Plan) -> None:
    person = plan.people[0]
    open_page(page, base + "contacts/")
    with page.expect_download() as download:
        page.locator("a[href$='.vcf']", has_text=person.name).first.click()
    card = Path(download.value.path()).read_text("utf-8")
    assert card.startswith("BEGIN:VCARD") and f"FN:{person.name}" in card


def test_the_second_passphrase_unlocks_a_wrong_one_is_refused_in_under_3_s_on_a_slow_phone(
    browser, site: Path, prefix: str
) -> None:
    """Unlock time with the CPU throttled 4x (a cheap phone): from the tap on Unlock until the
    decrypted page arrives (the passphrase tried on both key slots, the key stored, the worker
    told); and until the page is shown, which adds a page load as any site has."""
    timings: dict[int, tuple[float, float, float]] = {}
    for rate in (1, 4):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        with serving(site, prefix) as server:
            page.goto(server.url())
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})
            if rate == 4:
                refused(page, "oven crater lapel huskies")
            arrived: list[float] = []
            page.on("framenavigated", lambda _frame, arrived=arrived: arrived.append(time.monotonic()))
            tapped = unlock(page, PASSPHRASE_B)
            shown, arrival = time.monotonic(), arrived[-1]
            page.reload()  # the same page again, unlocked: what any page load costs
            expect(page.locator(".md-content h1")).to_be_visible()
            timings[rate] = (arrival - tapped, shown - tapped, time.monotonic() - shown)
        context.close()
    print(
        "\nunlock time (page arrives, page shown; a page load alone): "
        + "; ".join(f"CPU /{r}: {a:.2f} s, {b:.2f} s; {c:.2f} s" for r, (a, b, c) in timings.items())
    )
    assert timings[4][0] <= 3.0


def test_a_new_deploy_asks_once_keeps_the_previous_version_meanwhile_and_revokes_a_removed_passphrase(
    browser, project: Path, site: Path, plan: Plan, prefix: str, tmp_path: Path
) -> None:
    served = tmp_path / "served"
    shutil.copytree(site, served)
    scenario = plan.scenarios[0]
    url = f"scenarios/{scenario.id}/"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    with serving(served, prefix) as server:
        page.goto(server.url(url))
        unlock(page, PASSPHRASE_B)
        assert page.locator("h1").inner_text() == scenario.title
        source = project / "plans" / "scenarios" / f"{scenario.id}.yaml"
        original = source.read_text("utf-8")
        try:
            source.write_text(
                re.sub(r"^title: *.+$", "title: Revised title", original, count=1, flags=re.M), "utf-8"
            )
            done = build(project, served, {"RECOVERY_PLAN_PASSPHRASE": PASSPHRASE_A})  # B removed
        finally:
            source.write_text(original, "utf-8")
        assert done.returncode == 0, done.stderr
        salts = [json.loads((folder / private.KEYS).read_bytes())["kdf"]["salt"] for folder in (site, served)]
        assert salts[0] != salts[1]  # a new salt, as a new key, for every build

        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        reload = page.locator("#rp-update").get_by_role("button", name="Reload")
        reload.wait_for(timeout=30_000)
        with page.expect_navigation():
            reload.click()
        # The new version is active but locked: the previous one is still shown, and says so.
        assert page.locator("h1").inner_text() == scenario.title
        notice = page.locator("#rp-update")
        expect(notice).to_contain_text(WORDS["newer"].strip())
        with page.expect_navigation():
            notice.get_by_role("button", name=WORDS["unlock"]).click()
        refused(page, PASSPHRASE_B)  # revoked: the new build has a new key
        with page.expect_navigation(timeout=30_000):
            page.fill("#rp-passphrase", PASSPHRASE_A)
            page.get_by_role("button", name=WORDS["unlock"]).click()
        open_page(page, server.url(url))
        assert page.locator("h1").inner_text() == "Revised title"
        caches = page.evaluate("caches.keys().then((n) => n.filter((c) => c.startsWith('recovery-plan ')))")
        assert len(caches) == 1  # the previous version, dropped once the new one opened
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_unlock_page_meets_wcag_21_aa_under_its_content_security_policy(
    browser, site: Path, prefix: str, scheme: str
) -> None:
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    refusals: list[str] = []
    page.on("console", lambda m: refusals.append(m.text) if "Content Security Policy" in m.text else None)
    with serving(site, prefix) as server:
        page.goto(server.url("scenarios/no-such-page/"))  # the 404 page: the unlock page, at any depth
        page.get_by_role("button", name=WORDS["unlock"]).click()
        expect(page.locator("#rp-unlock-status")).to_have_text(WORDS["empty"])
        expect(page.locator("#rp-passphrase")).to_be_focused()
        page.evaluate(axe_script().read_text(encoding="utf-8"))  # past the CSP, as a tester does
        assert page.evaluate(RUN_AXE, WCAG_TAGS) == []
    assert 'http-equiv="Content-Security-Policy"' in (site / "index.html").read_text(encoding="utf-8")
    assert refusals == []
    context.close()
