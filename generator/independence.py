"""Checks that the built site depends on nothing that goes down with the company.

Two rules, run on every build:

- a warning for each link or request to a company domain or an intranet-only host (private
  addresses, ``.local``, ``.lan``, single-label names, UNC paths), unless the plan lists the
  host in ``site.expected_down``;
- an error for each resource a page loads from another origin than the site's own (scripts,
  images, frames, stylesheets, icons, the manifest, CSS ``url()``/``@import``, what the service
  worker precaches): offline means offline. Plain links to other sites are fine.

Only the places that hold links are read (attributes, CSS, whole-URL string literals of scripts
and JSON, sitemap URLs, vCard fields), so plan text that merely mentions a host is left to the
validator, which reports it at its line in the YAML.
"""

from __future__ import annotations

import html
import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator import sanitize
from generator.hosts import (
    HostScope,
    RefKind,
    company_domain_of,
    find_internal_references,
    host_of_url,
    is_intranet_host,
    iter_urls,
    normalize_host,
)
from generator.loader import shown_path
from generator.model import Finding, Plan, Severity

PLAN_FILE = "plans/plan.yaml"
SERVICE_WORKERS = {"sw.js", "service-worker.js", "serviceworker.js"}
HOSTLESS_SCHEMES = {"mailto", "tel", "sms", "data", "blob", "javascript", "about", "geo"}
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}

_ABSOLUTE = r"(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|//|\\\\)"
_ABSOLUTE_RE = re.compile(_ABSOLUTE)
# Every regex starts with a literal character, so scanning a page costs little more than reading
# it: an attribute value that starts with a scheme, `//` or `\\` (relative links never match).
_VALUE_RE = re.compile(r"=\s*[\"']?\s*(?P<url>" + _ABSOLUTE + r"[^\"'\s>]*)")
_NAME_BEFORE_RE = re.compile(r"([a-zA-Z][\w:-]*)\s*\Z")


def _lower_and_upper(word: str, rest: str) -> tuple[re.Pattern[str], ...]:
    """The pattern with `word` in lower and in upper case: a literal first word keeps the scan
    fast, where IGNORECASE would try the pattern at every character of the page."""
    return tuple(re.compile(re.escape(w) + rest) for w in (word, word.upper()))


_SRCSET_RES = _lower_and_upper("srcset", r"\s*=\s*(?:\"(?P<a>[^\"]*)\"|'(?P<b>[^']*)')")
_STYLE_ATTR_RES = _lower_and_upper("style", r"\s*=\s*(?:\"(?P<a>[^\"]*)\"|'(?P<b>[^']*)')")
_STYLE_BLOCK_RE = re.compile(r"<style\b[^>]*>(?P<css>.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_BLOCK_RE = re.compile(r"<script\b[^>]*>(?P<js>.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_CSS_URL_RE = re.compile(
    r"url\(\s*(?:[\"']|&quot;|&#0*39;|&apos;)?\s*(?P<url>" + _ABSOLUTE + r"[^\"')\s]*)"
    r"|@import\s+(?:[\"']|&quot;)(?P<import>" + _ABSOLUTE + r"[^\"'&]*)",
    re.IGNORECASE,
)
# A string literal that is a URL from its first character to its last (``"https://..."``):
# prose in a search index or a script's messages is not a link.
_STRING_URL_RE = re.compile(
    r"(?P<q>[\"'`])(?P<url>(?:[a-zA-Z][a-zA-Z0-9+.\-]*:)?(?:\\?/){2}(?:[^\"'`\s\\]|\\/)*)(?P=q)"
)
_TAG_NAME_RE = re.compile(r"[a-zA-Z][\w:-]*")
_REL_RE = re.compile(r"(?<![\w:-])rel\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))", re.IGNORECASE)

LINK_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "cite",
    "background",
    "xlink:href",
    "manifest",
    "longdesc",
    "codebase",
}
# (element, attribute) pairs whose URL the browser fetches as the page loads.
LOADING_ATTRIBUTES = {
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("source", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
    ("object", "data"),
    ("object", "codebase"),
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
    ("feimage", "href"),
    ("feimage", "xlink:href"),
    ("html", "manifest"),
    ("base", "href"),
    ("body", "background"),
    ("table", "background"),
    ("td", "background"),
    ("th", "background"),
}
LOADING_RELS = {
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
}


@dataclass(frozen=True)
class Hit:
    """A URL found where a browser follows or fetches it."""

    offset: int
    url: str  # as written in the file (entities decoded for HTML)
    loads: bool  # fetched as the page loads (vs. followed when a reader taps it)


def check_site(
    site_dir: Path, plan: Plan, author_pages: dict[str, tuple[str, str]] | None = None
) -> list[Finding]:
    """Errors for the site URL and for resources loaded from elsewhere; warnings for every
    page, manifest, worker or card that links to or requests a company-only host.

    `author_pages` maps the site files made from the authors' Markdown to (its path, its
    text): what is found in one of them is reported at the Markdown line that wrote it."""
    site = plan.site
    findings = _site_url_findings(site.url, site.company_domains, shown_path(plan.root / PLAN_FILE))
    checker = _Checker(HostScope(site.company_domains, site.expected_down), site.url)
    for path in _files(site_dir):
        scan = SCANNERS.get(path.suffix.lower())
        if scan is None:
            continue
        relative = path.relative_to(site_dir).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        markdown = (author_pages or {}).get(relative)
        findings += checker.check(relative, text, scan(text, path.name), markdown)
    return _merge_repeats(findings)


def check_author_page(
    page_html: str, page: str, source: str, scope: HostScope, site_url: str
) -> list[Finding]:
    """What `check_site` finds in the content of an author's page (its cleaned HTML), at the
    lines of its Markdown `source`: the validator's view of the same check."""
    return _Checker(scope, site_url).check(page, page_html, _scan_html(page_html, page), (page, source))


def _site_url_findings(url: str, company_domains: list[str], plan_file: str) -> list[Finding]:
    host = urlsplit(url).hostname or ""
    domain = company_domain_of(host, company_domains) if host else None
    if domain:
        problem = f"on the company domain {domain}, which goes down with the company's servers"
    elif host and is_intranet_host(host):
        problem = "an intranet-only address that phones outside the office cannot reach"
    else:
        return []
    return [
        Finding(
            plan_file,
            1,
            1,
            Severity.ERROR,
            f"the plan is published at {url}, {problem}",
            "publish it on a host that shares nothing with the company, such as "
            "GitHub Pages (https://your-org.github.io/recovery/)",
            code="company-dependence",
        )
    ]


def _files(site_dir: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(site_dir):
        dirs.sort()
        for name in sorted(names):
            yield Path(folder, name)


class _Checker:
    """Turns the hits of one file into findings, with line and column."""

    def __init__(self, scope: HostScope, site_url: str):
        self.scope = scope
        self.site_scheme = urlsplit(site_url).scheme or "https"
        self.site_origin = _origin(site_url, self.site_scheme)

    def check(
        self, path: str, text: str, hits: Iterator[Hit], markdown: tuple[str, str] | None = None
    ) -> list[Finding]:
        """The findings of one file; of an author's page (`markdown`: its path and text), at the
        Markdown line that writes the URL (the theme's links around the content stay put)."""
        findings: list[Finding] = []
        lines: list[int] = []  # offsets of line starts, computed at the first finding

        def at(hit: Hit, severity: Severity, message: str, hint: str, code: str) -> None:
            if markdown and (where := sanitize.locate(markdown[1], hit.url)):
                findings.append(Finding(markdown[0], *where, severity, message, hint, code))
                return
            offset = hit.offset
            if not lines:
                lines.extend([0, *(m.end() for m in re.finditer("\n", text))])
            line = bisect_right(lines, offset)
            column = offset - lines[line - 1] + 1
            findings.append(Finding(path, line, column, severity, message, hint, code))

        for hit in hits:
            host, kind = self._classify(hit.url)
            if hit.loads and self._foreign(hit.url):
                why = f" ({kind.value} host)" if kind else ""
                at(
                    hit,
                    Severity.ERROR,
                    f"loads {hit.url} from another site{why}: the offline copy cannot load it",
                    "ship the file with the site (put it in plans/pages/ or site_overrides/) "
                    "instead of loading it from elsewhere",
                    "remote-resource",
                )
            elif kind is not None:
                at(
                    hit,
                    Severity.WARNING,
                    f"links to {hit.url}: {_why(kind, host)}",
                    "link to a copy that does not depend on the company (a cloud service, the "
                    "vendor's site), or list the host in `site.expected_down` in plans/plan.yaml "
                    "if readers know it will be down",
                    "company-dependence",
                )
        return findings

    def _classify(self, url: str) -> tuple[str, RefKind | None]:
        if url.startswith("\\\\"):
            server = url.lstrip("\\").split("\\", 1)[0]
            if server.strip(".") and not self.scope.is_expected_down(server):
                return server, RefKind.UNC
            return server, None
        host = host_of_url(url)
        if not host or _scheme(url) in HOSTLESS_SCHEMES:
            return "", None
        found = self.scope.classify(host)
        return host, (found[0] if found else None)

    def _foreign(self, url: str) -> bool:
        scheme = _scheme(url)
        if scheme in HOSTLESS_SCHEMES:
            return False
        if url.startswith("\\\\"):
            return True
        if scheme is None and not url.startswith("//"):
            return False  # relative: our own origin
        return _origin(url, self.site_scheme) != self.site_origin


def _why(kind: RefKind, host: str) -> str:
    if kind is RefKind.COMPANY:
        return f"{normalize_host(host)} is on a company domain, down with the company's servers"
    if kind is RefKind.UNC:
        return "a file share on the office network, out of reach from a phone or when the office is down"
    return f"{normalize_host(host)} is only reachable inside the office network"


def _scheme(url: str) -> str | None:
    head, sep, _ = url.partition(":")
    if sep and head and re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.\-]*", head):
        return head.lower()
    return None


def _origin(url: str, default_scheme: str) -> tuple[str, str, int | None]:
    scheme = _scheme(url) or default_scheme
    try:
        parts = urlsplit(url if _scheme(url) else f"{default_scheme}:{url}")
        port = parts.port
    except ValueError:
        return scheme, url, None
    host = normalize_host(host_of_url(url) or "")
    return scheme, host, port or DEFAULT_PORTS.get(scheme)


# --- where each kind of file keeps its links --------------------------------------------------


def _scan_html(text: str, name: str) -> Iterator[Hit]:
    scripts = [m.span("js") for m in _SCRIPT_BLOCK_RE.finditer(text)] if "<script" in text else []
    comments = [m.span() for m in _COMMENT_RE.finditer(text)] if "<!--" in text else []
    for match in _VALUE_RE.finditer(text):
        start = match.start()
        if any(begin <= start < end for begin, end in scripts + comments):
            continue  # scripts are read below; comments are not loaded
        opening = text.rfind("<", 0, start)
        if opening < text.rfind(">", 0, start):
            continue  # not inside a tag: text that happens to read href=...
        attribute = _NAME_BEFORE_RE.search(text, max(opening, start - 40), start)
        tag = _TAG_NAME_RE.match(text, opening + 1)
        tag_name = tag.group().lower() if tag else ""
        attribute_name = attribute.group(1).lower() if attribute else ""
        if attribute_name not in LINK_ATTRIBUTES and (tag_name, attribute_name) != ("meta", "url"):
            continue  # ("url" is the target of <meta http-equiv="refresh" content="0; url=...">)
        loads = (tag_name, attribute_name) in LOADING_ATTRIBUTES
        if tag_name == "link":
            rel = _REL_RE.search(text, opening, text.find(">", start) + 1)
            loads = bool(
                rel
                and LOADING_RELS & set((rel.group(1) or rel.group(2) or rel.group(3) or "").lower().split())
            )
        yield Hit(match.start("url"), html.unescape(match.group("url")), loads)
    for begin, end in scripts:
        for hit in _scan_script(text[begin:end], name):
            yield Hit(begin + hit.offset, hit.url, hit.loads)
    for match in (m for regex in _SRCSET_RES for m in regex.finditer(text)):
        group = "a" if match.group("a") is not None else "b"
        offset = match.start(group)
        for candidate in match.group(group).split(","):
            url = candidate.split()[0] if candidate.split() else ""
            if _ABSOLUTE_RE.match(url):
                yield Hit(offset + candidate.find(url), html.unescape(url), True)
            offset += len(candidate) + 1
    if any(marker in text for marker in ("url(", "URL(", "@import")):
        for regex in (_STYLE_BLOCK_RE, *_STYLE_ATTR_RES):
            for match in regex.finditer(text):
                group = next(g for g, value in match.groupdict().items() if value is not None)
                for hit in _scan_css(match.group(group), name):
                    yield Hit(match.start(group) + hit.offset, html.unescape(hit.url), True)


def _scan_css(text: str, name: str) -> Iterator[Hit]:
    for match in _CSS_URL_RE.finditer(text):
        group = "url" if match.group("url") is not None else "import"
        yield Hit(match.start(group), match.group(group).split("&quot;")[0], True)


def _scan_script(text: str, name: str) -> Iterator[Hit]:
    """Whole-URL string literals; a service worker or manifest fetches every one of them."""
    loads = name in SERVICE_WORKERS or name.endswith(".webmanifest")
    for match in _STRING_URL_RE.finditer(text):
        yield Hit(match.start("url"), match.group("url").replace("\\/", "/"), loads)


def _scan_xml(text: str, name: str) -> Iterator[Hit]:
    for offset, url in iter_urls(text):
        yield Hit(offset, url, False)


def _scan_card(text: str, name: str) -> Iterator[Hit]:
    """vCards and calendars: every URL, host name or share their fields mention."""
    for reference in find_internal_references(text, [], []):
        if reference.kind is RefKind.UNC:
            yield Hit(reference.offset, "\\\\" + reference.text.lstrip("\\"), False)
    for offset, url in iter_urls(text):
        yield Hit(offset, url, False)


SCANNERS: dict[str, Callable[[str, str], Iterator[Hit]]] = {
    ".html": _scan_html,
    ".htm": _scan_html,
    ".svg": _scan_html,
    ".css": _scan_css,
    ".js": _scan_script,
    ".mjs": _scan_script,
    ".json": _scan_script,
    ".webmanifest": _scan_script,
    ".xml": _scan_xml,
    ".vcf": _scan_card,
    ".ics": _scan_card,
}


def _merge_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per problem: a link in the site's navigation or footer is on every page."""
    first: dict[tuple[Severity, str], int] = {}
    merged: list[Finding] = []
    repeats: list[int] = []
    for finding in findings:
        key = (finding.severity, finding.message)
        if key in first:
            repeats[first[key]] += 1
            continue
        first[key] = len(merged)
        merged.append(finding)
        repeats.append(0)
    return [
        f
        if not n
        else Finding(
            f.path,
            f.line,
            f.column,
            f.severity,
            f"{f.message} (and in {n} other file{'s' if n > 1 else ''})",
            f.hint,
            f.code,
        )
        for f, n in zip(merged, repeats, strict=True)
    ]
