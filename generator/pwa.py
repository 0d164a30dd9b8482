"""The installable offline app: manifest, icons, service worker, and the head tags pointing to them.

Every URL is relative (to the page, or to the manifest and worker at the site root), so one build
works at a domain root and under a sub-path such as ``/recovery/``.

Versioning: the worker's version is a hash of every precached file. The page banner embeds the
build time (``config.extra.recovery_plan["built"]``), which would give every rebuild a new version
and every reader a pointless "newer version" prompt; so that value is left out of the hash. An
unchanged plan rebuilt later yields a byte-identical ``sw.js``: readers keep their copy, whose
banner still shows when that content was first built (``SOURCE_DATE_EPOCH`` pins the time).

Freshness is revalidated per version, not per page: pages come from the cache at once, and the
page script asks for a new ``sw.js`` on every visit and whenever the page comes back into view.
A new version is precached completely, then offered ("A newer version of the plan is available
— Reload"); refreshing single pages in the background would mix two versions of the plan in one
cache and swap content without asking.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from html import escape
from importlib.resources import files as package_files
from pathlib import Path
from urllib.parse import quote

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import get_relative_url

from generator import icons
from generator.i18n import Translator, translator
from generator.model import Plan

THEME_DIR = Path(__file__).with_name("theme")  # main.html: the freshness banner, update prompt
MANIFEST = "manifest.webmanifest"
WORKER = "sw.js"
PAGE_SCRIPT = "pwa.js"  # at the site root: it finds the worker and the scope next to itself
OFFLINE_PAGE = "404.html"  # served for a page that is not in the offline copy
BACKGROUND = "#ffffff"  # the splash screen while the app starts (Material's page background)
LUNR = "assets/javascripts/lunr/"
NEVER_PRECACHED = {WORKER, "sitemap.xml", "sitemap.xml.gz"}  # the worker itself; crawler files

# Material's header colours (--md-primary-fg-color), by `theme.palette.primary`.
MATERIAL_PRIMARY = {
    "red": "#ef5552", "pink": "#e92063", "purple": "#ab47bd", "deep-purple": "#7e56c2",
    "indigo": "#4051b5", "blue": "#2094f3", "light-blue": "#02a6f2", "cyan": "#00bdd6",
    "teal": "#009485", "green": "#4cae4f", "light-green": "#8bc34b", "lime": "#cbdc38",
    "yellow": "#ffec3d", "amber": "#ffc105", "orange": "#ffa724", "deep-orange": "#ff6e42",
    "brown": "#795649", "grey": "#757575", "blue-grey": "#546d78", "black": "#14151a",
    "white": "#ffffff",
}  # fmt: skip
DEFAULT_PRIMARY = "indigo"


CSS_RULE = re.compile(r"((?:\[data-md-color-(?:scheme|primary)=\"?[\w-]+\"?\])+)\s*\{([^}]*)\}")
CSS_ATTR = re.compile(r"\[data-md-color-(scheme|primary)=\"?([\w-]+)\"?\]")
CSS_PRIMARY = re.compile(r"--md-primary-fg-color\s*:\s*(#[0-9a-fA-F]{6})\b")


def _css_primaries(config: MkDocsConfig) -> dict[tuple[str, str], str]:
    """Header colours the site's own stylesheets set: (scheme or "", primary) -> colour."""
    found: dict[tuple[str, str], str] = {}
    for css in config.extra_css:
        path = Path(config.site_dir, str(css))
        if path.is_file():
            found.update(_primaries_in(str(path), path.stat().st_mtime_ns))
    return found


@lru_cache(maxsize=16)
def _primaries_in(path: str, _mtime_ns: int) -> dict[tuple[str, str], str]:
    """The header colours one stylesheet sets (cached: every page's head asks)."""
    found = {}
    for selector, body in CSS_RULE.findall(Path(path).read_text(encoding="utf-8")):
        colour = CSS_PRIMARY.search(body)
        attrs = dict(CSS_ATTR.findall(selector))
        if colour and "primary" in attrs:
            found[(attrs.get("scheme", ""), attrs["primary"])] = colour.group(1).lower()
    return found


def theme_colours(config: MkDocsConfig) -> list[tuple[str, str]]:
    """(media query or "", header colour) for each colour scheme of the theme, the default first:
    Material's colour for `primary`, unless the site's stylesheets change it."""
    palette = config.theme.get("palette") or {}
    overrides = _css_primaries(config)
    colours = []
    for scheme in palette if isinstance(palette, list) else [palette]:
        primary = scheme.get("primary") or DEFAULT_PRIMARY
        colour = (
            overrides.get((scheme.get("scheme") or "default", primary))
            or overrides.get(("", primary))
            or MATERIAL_PRIMARY.get(primary, MATERIAL_PRIMARY[DEFAULT_PRIMARY])
        )
        colours.append((scheme.get("media", ""), colour))
    return colours or [("", MATERIAL_PRIMARY[DEFAULT_PRIMARY])]


def add_theme_overrides(config: MkDocsConfig) -> None:
    """Put this package's theme templates (main.html) after the project's own `custom_dir`, so
    every build has them, including plans built without a mkdocs.yml."""
    dirs = config.theme.dirs
    if str(THEME_DIR) not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))


def inject_head(html: str, page_url: str, config: MkDocsConfig) -> str:
    """Add the manifest, theme-color and icon links to a page's <head> (URLs relative to it)."""
    manifest = get_relative_url(MANIFEST, page_url)
    touch_icon = get_relative_url(icons.APPLE_TOUCH_ICON.path, page_url)
    tags = [f'<link rel="manifest" href="{escape(manifest)}">']
    for media, colour in theme_colours(config):
        media_attr = f' media="{escape(media)}"' if media else ""
        tags.append(f'<meta name="theme-color"{media_attr} content="{colour}">')
    tags.append(f'<link rel="apple-touch-icon" sizes="180x180" href="{escape(touch_icon)}">')
    head = "\n    ".join(tags) + "\n  </head>"
    return html.replace("</head>", head, 1)


def short_name(organisation: str, t: Translator | None = None) -> str:
    """A home-screen label of at most 12 characters: "Acme plan", "HDG plan", or "Recovery"."""
    t = t or translator()
    for name in (organisation, icons.initials(organisation)):
        label = t.plain("app.short_name", name=name)
        if name and len(label) <= 12:
            return label
    return t.plain("app.short_fallback")[:12]


def manifest(plan: Plan, config: MkDocsConfig) -> dict[str, object]:
    """The web app manifest, in the plan's language. Its URLs resolve against its own URL."""
    t = translator(plan.site.language)
    return {
        "name": t.plain("app.name", organisation=plan.organisation),
        "short_name": short_name(plan.organisation, t),
        "description": t.plain("app.description", organisation=plan.organisation),
        "id": "./",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "lang": plan.site.language,
        "dir": t.direction,
        "theme_color": theme_colours(config)[0][1],
        "background_color": BACKGROUND,
        "icons": [
            {"src": i.path, "sizes": f"{i.size}x{i.size}", "type": "image/png", "purpose": i.purpose}
            for i in icons.ICONS
            if i.purpose in ("any", "maskable")
        ],
    }


def _search_languages(site_dir: Path) -> list[str]:
    index = site_dir / "search" / "search_index.json"
    if not index.is_file():
        return []
    return list(json.loads(index.read_text(encoding="utf-8")).get("config", {}).get("lang", []))


def _lunr_files(languages: list[str]) -> set[str]:
    """The search language scripts Material's search worker loads for `languages`."""
    needed = set()
    for lang in languages:
        if lang == "ja":
            needed.add("tinyseg.js")
        if lang in ("hi", "th"):
            needed.add("wordcut.js")
        if lang != "en":
            needed.add(f"min/lunr.{lang}.min.js")
    if len(languages) > 1:
        needed.add("min/lunr.multi.min.js")
    if needed:
        needed.add("min/lunr.stemmer.support.min.js")
    return {LUNR + name for name in needed}


def precache_files(site_dir: Path) -> list[str]:
    """Every file of the site the reader may need offline, as sorted paths from the site root.

    Left out: the worker itself, source maps, crawler sitemaps, hidden files, and the search
    language packs the site's search languages do not load."""
    lunr = _lunr_files(_search_languages(site_dir))
    found = []
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        if (
            not path.is_file()
            or rel in NEVER_PRECACHED
            or rel.endswith(".map")
            or any(part.startswith(".") for part in rel.split("/"))
            or (rel.startswith(LUNR) and rel not in lunr)
        ):
            continue
        found.append(rel)
    return sorted(found)


def content_version(site_dir: Path, paths: Iterable[str], volatile: Iterable[str] = ()) -> str:
    """A hash of the worker's code and of the files' names and contents, with each `volatile`
    string (the build time) removed first: it changes exactly when the site's content does."""
    digest = hashlib.sha256(_asset("sw.js"))
    drop = [v.encode("utf-8") for v in volatile if v]
    for rel in paths:
        data = (site_dir / rel).read_bytes()
        for value in drop:
            data = data.replace(value, b"")
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:20]


def worker_script(version: str, paths: list[str]) -> str:
    """sw.js: the template with its version and precache list filled in."""
    urls = json.dumps([quote(p) for p in paths], indent=2)
    return (
        _asset("sw.js")
        .decode("utf-8")
        .replace("__VERSION__", version)
        .replace("__PRECACHE__", urls)
        .replace("__OFFLINE_PAGE__", OFFLINE_PAGE)
    )


def write(site_dir: Path, plan: Plan, config: MkDocsConfig, *, preview: bool = False) -> None:
    """Write the icons, manifest.webmanifest, pwa.js and sw.js (precaching every file of the
    site): call after every other file of the site has been written. A live `preview` gets a
    worker that clears any offline copy instead, so each reload shows the files as they are."""
    icons.write(site_dir, plan.organisation, theme_colours(config)[0][1])
    text = json.dumps(manifest(plan, config), indent=2, ensure_ascii=False) + "\n"
    (site_dir / MANIFEST).write_text(text, encoding="utf-8")
    (site_dir / PAGE_SCRIPT).write_bytes(_asset(PAGE_SCRIPT))
    if preview:
        (site_dir / WORKER).write_bytes(_asset("sw-preview.js"))
        return
    paths = precache_files(site_dir)
    built = str(config.extra.get("recovery_plan", {}).get("built", ""))
    version = content_version(site_dir, paths, volatile=[built])
    (site_dir / WORKER).write_text(worker_script(version, paths), encoding="utf-8")


def _asset(name: str) -> bytes:
    return package_files("generator").joinpath("assets", name).read_bytes()
