"""A private plan (`site.private: true`): the published site reveals nothing but the
organisation's name, yet opens offline and from the printed sheet.

- **Passphrases** come from the environment of the build (`RECOVERY_PLAN_PASSPHRASE`, and one
  per person as `RECOVERY_PLAN_PASSPHRASE_<NAME>`), never from the repository; each must pass
  `RULE`.
- **One random content key per build** (AES-256-GCM) encrypts every file of the built site but
  the generic ones: each becomes `vault/<random>.bin` (12-byte nonce, then ciphertext and tag;
  the blob's name is its associated data), and `vault/index.bin` maps each site path to its blob
  and media type. The files' sizes and count are all that show.
- **Key slots** (`keys.json`): the content key wrapped with AES-256-GCM once per passphrase,
  under a key derived by PBKDF2-SHA256 (`ITERATIONS`, a 16-byte random salt per build, shared
  by its slots: a phone derives once, however many people have a passphrase). Slots are
  unnamed and shuffled. Removing a passphrase and rebuilding revokes it: the new build has a
  new content key.
- **In the clear**: the unlock page (as `index.html` and `404.html`), `keys.json`, the worker,
  the manifest and icons (the organisation's name and initials), and files byte-identical to
  ones shipped with the tool or its theme (Material's scripts and styles, the page scripts).
- **The printed sheet** carries the plan's URL with the content key in its fragment (never sent
  to the host); its plaintext PDFs are written beside the site folder (`<site>.sheet/`), never
  published.

The browser side: `assets/unlock.js` (unlock page, "Lock this device") and `assets/sw-private.js`
(appended to the worker: decrypts what it serves), both with `assets/keys.js`, the keys kept in
IndexedDB.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import os
import random
import secrets
import shutil
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib.resources import files as package_files
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import get_relative_url

from generator import csp, icons, printsheet, pwa
from generator.i18n import translator
from generator.model import Plan

PASSPHRASE_VARIABLE = "RECOVERY_PLAN_PASSPHRASE"
ITERATIONS = 600_000  # PBKDF2-SHA256, OWASP's figure (2023)
MIN_LENGTH = 14
MIN_DISTINCT = 8
RULE = (
    f"a passphrase needs at least {MIN_LENGTH} characters, at least {MIN_DISTINCT} of them "
    "different: four random words (e.g. `oven crater lapel husky`) are easy to type on a "
    "phone and hard to guess"
)
VAULT = "vault"
INDEX = f"{VAULT}/index.bin"
KEYS = "keys.json"
UNLOCK_SCRIPT = "unlock.js"  # at the site root, beside pwa.js
KEY_STORE = "keys.js"  # the keys on the device, read by unlock.js (after it) and sw-private.js
PAGE_SCRIPTS = (KEY_STORE, UNLOCK_SCRIPT)  # in this order, on every page of a private plan
UNLOCK_PAGES = ("index.html", pwa.OFFLINE_PAGE)  # what a reader without the key opens
DROPPED = ("sitemap.xml", "sitemap.xml.gz")  # every page's address: not published at all
SHEET_SUFFIX = ".sheet"
NONCE = 12
TEMPLATES = Path(__file__).with_name("templates")


class PassphraseProblem(ValueError):
    """A private plan's build has no passphrase, or a weak one; the message says which rule."""


def normalised(passphrase: str) -> str:
    """The passphrase as both the build and the browser use it: NFC, without outer spaces."""
    return unicodedata.normalize("NFC", passphrase).strip()


def weakness(passphrase: str) -> str:
    """Why `passphrase` is too weak ("" when it is strong enough); never repeats it."""
    text = normalised(passphrase)
    if len(text) < MIN_LENGTH:
        return f"it has {len(text)} characters"
    if len(set(text)) < MIN_DISTINCT:
        return f"it has only {len(set(text))} different characters"
    return ""


def passphrases(environ: Mapping[str, str]) -> list[str]:
    """Every passphrase set in `environ` (empty variables are ignored), checked against `RULE`."""
    named = sorted(k for k in environ if k == PASSPHRASE_VARIABLE or k.startswith(PASSPHRASE_VARIABLE + "_"))
    found = {name: environ[name] for name in named if environ[name].strip()}
    if not found:
        raise PassphraseProblem(
            f"this plan is private (`site.private: true` in plans/plan.yaml) but no passphrase "
            f"is set: set {PASSPHRASE_VARIABLE}, or one per person as "
            f"{PASSPHRASE_VARIABLE}_<NAME> (e.g. {PASSPHRASE_VARIABLE}_TOM), in the environment "
            "of the build (a secret of the CI, never a file of the repository); " + RULE
        )
    weak = [f"{name} ({why})" for name, value in found.items() if (why := weakness(value))]
    if weak:
        raise PassphraseProblem(f"too weak a passphrase in {', '.join(weak)}: {RULE}")
    return list(dict.fromkeys(normalised(v) for v in found.values()))


def start(plan: Plan, environ: Mapping[str, str] | None = None) -> PrivateBuild | None:
    """The private build of `plan` with a new content key, or None for a public plan.
    Raises PassphraseProblem before anything is built."""
    if not plan.site.private:
        return None
    return PrivateBuild(plan, passphrases(os.environ if environ is None else environ))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_slot(
    content_key: bytes, passphrase: str, salt: bytes, iterations: int = ITERATIONS
) -> dict[str, str]:
    """The content key wrapped under a key derived from `passphrase` (AES-256-GCM)."""
    nonce = secrets.token_bytes(NONCE)
    wrapping = PBKDF2HMAC(SHA256(), 32, salt, iterations).derive(passphrase.encode("utf-8"))
    return {"iv": _b64(nonce), "key": _b64(AESGCM(wrapping).encrypt(nonce, content_key, None))}


@dataclass
class PrivateBuild:
    """One private build: its content key, and the steps that seal the built site with it."""

    plan: Plan
    passphrases: list[str]
    key: bytes = field(default_factory=lambda: AESGCM.generate_key(256), repr=False)
    build: str = field(default_factory=lambda: secrets.token_hex(8))
    sheet: dict[str, bytes] = field(default_factory=dict, repr=False)  # the plaintext PDFs

    @property
    def unlock_url(self) -> str:
        """The plan's URL with the content key in its fragment: the printed sheet's code."""
        key = base64.urlsafe_b64encode(self.key).decode("ascii").rstrip("=")
        return f"{self.plan.site.url.split('#')[0]}#key={key}"

    def inject(self, page: str, page_url: str) -> str:
        """A page of the plan with the words and script of "Lock this device" before </body>."""
        words = json.dumps(self.words(), ensure_ascii=False).replace("<", "\\u003c")
        tags = [f'<script type="application/json" id="rp-private-words">{words}</script>']
        for script in PAGE_SCRIPTS:
            tags.append(f'<script src="{escape(get_relative_url(script, page_url))}"></script>')
        return page.replace("</body>", "\n".join([*tags, "</body>"]), 1)

    def words(self) -> dict[str, str]:
        return {k: str(v) for k, v in translator(self.plan.site.language).section("private").items()}

    def seal(self, site_dir: Path, config: MkDocsConfig) -> None:
        """Encrypt the built site in place (after every other file is written, worker included):
        plan files into the vault, the unlock page and key slots in the clear, a new worker."""
        wanted = set(pwa.precache_files(site_dir))  # before the search index is encrypted
        self.sheet = {
            paper: pdf.read_bytes()
            for paper in printsheet.PAPERS
            if (pdf := site_dir / printsheet.pdf_name(paper)).is_file()
        }
        for name in DROPPED:
            (site_dir / name).unlink(missing_ok=True)
        generic = _generic_digests(config, self.plan.root)
        aead = AESGCM(self.key)
        index: dict[str, list[str]] = {}
        precache = {*PAGE_SCRIPTS, KEYS, INDEX, *UNLOCK_PAGES}
        built = sorted(p for p in site_dir.rglob("*") if p.is_file())  # an author's vault/ too
        (site_dir / VAULT).mkdir(exist_ok=True)
        for path in built:
            rel = path.relative_to(site_dir).as_posix()
            if rel == pwa.WORKER or _clear(rel, path, generic):
                precache |= {rel} & wanted
                continue
            blob = f"{VAULT}/{secrets.token_hex(16)}.bin"
            (site_dir / blob).write_bytes(_encrypt(aead, path.read_bytes(), blob))
            index[rel] = [blob, _media_type(rel)]
            path.unlink()
            if rel in wanted:
                precache.add(blob)
        _remove_empty_folders(site_dir)
        listing = json.dumps({"files": index}, separators=(",", ":")).encode("utf-8")
        (site_dir / INDEX).write_bytes(_encrypt(aead, listing, INDEX))
        (site_dir / KEYS).write_text(json.dumps(self.key_slots(), indent=1) + "\n", encoding="utf-8")
        for script in PAGE_SCRIPTS:
            (site_dir / script).write_bytes(_asset(script))
        page = self.unlock_page(config)
        for name in UNLOCK_PAGES:
            (site_dir / name).write_text(page, encoding="utf-8")
        paths = sorted(precache)
        script = pwa.worker_script(pwa.content_version(site_dir, paths), paths)
        private = (
            (_asset(KEY_STORE) + _asset("sw-private.js")).decode("utf-8").replace("__BUILD__", self.build)
        )
        (site_dir / pwa.WORKER).write_text(f"{script}\n{private}", encoding="utf-8")

    def key_slots(self) -> dict[str, object]:
        """keys.json: the build's id, a check of the content key, and one slot per passphrase."""
        salt = secrets.token_bytes(16)
        slots = [key_slot(self.key, p, salt) for p in self.passphrases]
        random.SystemRandom().shuffle(slots)
        check = secrets.token_bytes(NONCE)
        return {
            "format": 1,
            "build": self.build,
            "kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": ITERATIONS, "salt": _b64(salt)},
            "check": {
                "iv": _b64(check),
                "tag": _b64(AESGCM(self.key).encrypt(check, b"", self.build.encode())),
            },
            "slots": slots,
        }

    def unlock_page(self, config: MkDocsConfig) -> str:
        """The one page in the clear: the organisation's name, a passphrase field, and "scan
        the code on the printed sheet". Its links start at the site's path (it is also the 404
        page, served at any depth)."""
        t = translator(self.plan.site.language)
        words = self.words()
        page = _template().render(
            lang=t.code,
            dir=t.direction,
            base=urlsplit(self.plan.site.url).path or "/",
            title=t.plain("app.name", organisation=self.plan.organisation),
            organisation=self.plan.organisation,
            w=words,
            words=Markup(json.dumps(words, ensure_ascii=False).replace("<", "\\u003c")),
            colour=pwa.theme_colours(config)[0][1],
            icon=icons.APPLE_TOUCH_ICON.path,
        )
        return csp.add_policy(pwa.inject_head(page, "", config))

    def write_sheet(self, final_site: Path) -> Path:
        """The plaintext sheet (both PDFs) in `<site>.sheet/` beside the published site, for the
        binder; replaces the previous build's. Returns the folder."""
        folder = final_site.with_name(final_site.name + SHEET_SUFFIX)
        fresh = final_site.with_name(f".{final_site.name}{SHEET_SUFFIX}-new")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(mode=0o700)
        for paper, pdf in self.sheet.items():
            (fresh / printsheet.pdf_name(paper)).write_bytes(pdf)
        shutil.rmtree(folder, ignore_errors=True)
        fresh.rename(folder)
        return folder


def _encrypt(aead: AESGCM, data: bytes, name: str) -> bytes:
    nonce = secrets.token_bytes(NONCE)
    return nonce + aead.encrypt(nonce, data, name.encode("utf-8"))


def _clear(rel: str, path: Path, generic: frozenset[str]) -> bool:
    """Whether a built file may stay in the clear: the manifest, the icons, or the exact bytes
    of a file shipped with the tool or its theme."""
    if rel == pwa.MANIFEST or rel in {icon.path for icon in icons.ICONS}:
        return True
    return hashlib.sha256(path.read_bytes()).hexdigest() in generic


def _generic_digests(config: MkDocsConfig, root: Path) -> frozenset[str]:
    """The SHA-256 of every static file of the theme (its folders outside the project) and of
    the tool's own assets: files that say nothing about any plan."""
    folders = [Path(d) for d in config.theme.dirs if not Path(d).resolve().is_relative_to(root)]
    folders.append(Path(str(package_files("generator").joinpath("assets"))))
    return frozenset(_digests(tuple(str(f) for f in folders)))


@cache
def _digests(folders: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in Path(folder).rglob("*")
        if p.is_file() and p.suffix != ".html"
    )


def _media_type(rel: str) -> str:
    if rel.endswith(".vcf"):
        return "text/vcard; charset=utf-8"
    guessed = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    return (
        f"{guessed}; charset=utf-8"
        if guessed.startswith("text/") or guessed.endswith(("json", "javascript", "xml"))
        else guessed
    )


def _remove_empty_folders(site_dir: Path) -> None:
    for folder in sorted((p for p in site_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return environment.get_template("unlock.html")


def _asset(name: str) -> bytes:
    return package_files("generator").joinpath("assets", name).read_bytes()
