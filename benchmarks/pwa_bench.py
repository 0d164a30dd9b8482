"""The offline app's figures for a built site: precache payload and time to first content offline.

    python benchmarks/pwa_bench.py [SITE_DIR]     (default: build the example plan first)

`measure(site_dir)` returns the figures as a dict for `make bench`.
"""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from helpers_pwa import PHONE_VIEWPORT as PHONE  # noqa: E402
from helpers_pwa import install_offline_copy, launch, serving  # noqa: E402

from generator.pwa import precache_files  # noqa: E402

FIRST_CONTENT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return { fcp: paint ? paint.startTime : null, dcl: nav.domContentLoadedEventEnd };
}"""


def payload(site_dir: Path) -> dict[str, int]:
    """What a phone downloads and stores on its first visit."""
    files = [site_dir / p for p in precache_files(site_dir)]
    return {
        "precache_files": len(files),
        "precache_bytes": sum(f.stat().st_size for f in files),
        "precache_gzip_bytes": sum(len(gzip.compress(f.read_bytes(), 6)) for f in files),
    }


def offline_first_content(
    site_dir: Path, pages: tuple[str, ...] = ("", "contacts/"), runs: int = 5
) -> dict[str, float]:
    """Median ms from navigation start to first contentful paint (and to DOMContentLoaded) for
    fresh navigations with the network off and the server stopped, after one online visit."""
    from playwright.sync_api import sync_playwright

    fcp: list[float] = []
    dcl: list[float] = []
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        with serving(site_dir) as server:
            install_offline_copy(page, server.url())
            context.set_offline(True)
            server.stop()
            for _ in range(runs):
                for path in pages:
                    fresh = context.new_page()  # a new tab: no in-memory state of the last one
                    fresh.goto(server.url(path))
                    timing = fresh.evaluate(FIRST_CONTENT)
                    if timing["fcp"] is not None:
                        fcp.append(timing["fcp"])
                    dcl.append(timing["dcl"])
                    fresh.close()
        browser.close()
    return {
        "offline_first_paint_ms": round(statistics.median(fcp), 1) if fcp else -1.0,
        "offline_dom_content_loaded_ms": round(statistics.median(dcl), 1),
    }


def measure(site_dir: Path) -> dict[str, float | int]:
    """Every figure of the offline app for the site built in `site_dir`."""
    return {**payload(site_dir), **offline_first_content(site_dir)}


def main() -> int:
    if len(sys.argv) > 1:
        print(json.dumps(measure(Path(sys.argv[1])), indent=2))
        return 0
    with tempfile.TemporaryDirectory(prefix="pwa-bench-") as scratch:
        site = Path(scratch, "site")
        subprocess.run(
            [sys.executable, "-m", "generator.cli", "build", str(REPO), "--site-dir", str(site)],
            check=True,
            capture_output=True,
        )
        print(json.dumps(measure(site), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
