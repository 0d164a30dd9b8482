"""The Content-Security-Policy every page of the site carries, so the browser itself refuses
anything from another origin: whatever a future page, template or bypass of the build's checks
holds, scripts, styles, images, fonts, frames, workers and connections come from the site only.

The policy (a <meta http-equiv> at the top of each page's <head>):

- ``default-src 'self'``, and ``script-src``, ``style-src``, ``font-src``, ``connect-src``,
  ``manifest-src``, ``worker-src`` ``'self'``: the site's own files (the search index and worker,
  the service worker, the manifest);
- inline ``<script>`` and ``<style>`` elements only by the SHA-256 hash of their exact text,
  computed here from each built page: the theme's own (Material's ``__md_scope`` and palette
  scripts, the freshness banner's styles). Authors' pages hold none (generator/sanitize.py);
  anything added to a page after the build runs nowhere. No ``style=`` attributes, no inline
  event handlers, no ``eval``;
- ``img-src 'self' data:``: ``data:`` because Material's stylesheet draws its icons from
  ``data:image/svg+xml`` URLs (authors' pages cannot hold ``data:`` images);
- ``frame-src 'none'``, ``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'``.

A meta policy cannot set ``frame-ancestors`` or reporting; the live preview (``serve``) has none,
as its reload script is inline.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
}
JS_TYPES = {"", "text/javascript", "application/javascript", "module"}

_INLINE = re.compile(
    r"<(?P<tag>script|style)\b(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=tag)\s*>", re.IGNORECASE | re.DOTALL
)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
_HEAD_START = re.compile(r"<head\b[^>]*>(\s*<meta\s+charset\s*=[^>]*>)?", re.IGNORECASE)


def policy(page: str) -> str:
    """The policy for one page: the site's own origin, and its inline scripts and styles by
    hash."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for match in _INLINE.finditer(page):
        tag = match["tag"].lower()
        if tag == "script" and (_SRC.search(match["attrs"]) or _script_type(match["attrs"]) not in JS_TYPES):
            continue  # a file of the site, or data (Material's JSON config): not run inline
        digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
        source = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if source not in hashes[tag]:
            hashes[tag].append(source)
    directives = dict(POLICY)
    for tag, sources in hashes.items():
        directives[f"{tag}-src"] = " ".join([directives[f"{tag}-src"], *sources])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _script_type(attrs: str) -> str:
    found = _TYPE.search(attrs)
    return found.group(1).lower() if found else ""


def add_policy(page: str) -> str:
    """The page with its policy as the first element of <head> (after <meta charset>), so that
    it covers everything the page loads."""
    head = _HEAD_START.search(page)
    if head is None:
        return page
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{policy(page)}">'
    return page[: head.end()] + meta + page[head.end() :]


def write(site_dir: Path) -> None:
    """Give every HTML page of the built site its policy."""
    for folder, _, names in os.walk(site_dir):
        for name in names:
            if name.endswith((".html", ".htm")):
                path = Path(folder, name)
                path.write_text(add_policy(path.read_text(encoding="utf-8")), encoding="utf-8")
