"""The installable offline app: manifest, icons, service worker, head tags. STUB: being written."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from generator.model import Plan


def inject_head(html: str, page_url: str, config: MkDocsConfig) -> str:
    """Add the manifest, theme-color and icon links to a page's <head>."""
    return html


def write(site_dir: Path, plan: Plan, config: MkDocsConfig) -> None:
    """Write manifest.webmanifest, the icons and sw.js (precaching every file of the site)."""
