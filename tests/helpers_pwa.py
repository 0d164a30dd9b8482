"""Helpers for the offline-app tests and benchmark: a stoppable local web server that behaves like
GitHub Pages, the Chromium launcher, and readers of the built worker."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}  # a common phone, for the offline-app tests
GITHUB_PAGES_CACHE = "max-age=600"  # what GitHub Pages sends with every file; nobody can change it


def require_chromium() -> str:
    """Chromium's path; skips the test when it is missing, unless CI demands a browser."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("RECOVERY_PLAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and RECOVERY_PLAN_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is missing")
    return CHROMIUM


def launch(playwright):
    """Debian's Chromium, headless; no downloads, no background traffic."""
    return playwright.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)


class _Handler(SimpleHTTPRequestHandler):
    """Serves `directory` under `prefix` (e.g. "/recovery/"), with GitHub Pages' cache header and
    its custom 404 page."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.prefix):
            return os.path.join(self.directory, ".not-served")
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", GITHUB_PAGES_CACHE)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory, "404.html")
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    """The standard threading server, silent when a browser drops a connection it no longer
    needs (a page left, a stopped test); any other error is printed as usual."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SiteServer:
    """A real HTTP server on 127.0.0.1 (port chosen by the system) that a test can stop."""

    def __init__(self, site_dir: Path, prefix: str = "/") -> None:
        handler = type("Handler", (_Handler,), {"prefix": prefix})
        self.prefix = prefix
        self.httpd = _Server(("127.0.0.1", 0), partial(handler, directory=str(site_dir)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    @property
    def base(self) -> str:
        """The site's address, e.g. ``http://127.0.0.1:41234/recovery/``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def url(self, path: str = "") -> str:
        return self.base + path

    def stop(self) -> None:
        """Stop serving and close the port: every later connection is refused."""
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()
            self.running = False


def open_settled(page, url: str):
    """Open `url` and wait until the page has loaded and the network has been quiet for 0.5 s.

    Playwright's "networkidle" alone does not wait for the load event: on a busy machine the
    parser can still be short of the end of the page when the network falls quiet."""
    response = page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return response


def wait_until(page, condition: str) -> None:
    """Wait until the JavaScript `condition` holds in `page`.

    Playwright evaluates a plain expression with `eval` on every poll, which our pages' CSP
    (no 'unsafe-eval') refuses once a poll runs outside DevTools' own call; a function is
    evaluated once and then only called, so the condition is wrapped in one."""
    page.wait_for_function(f"() => ({condition})")


@contextmanager
def serving(site_dir: Path, prefix: str = "/") -> Iterator[SiteServer]:
    server = SiteServer(site_dir, prefix)
    try:
        yield server
    finally:
        server.stop()


def precache_list(site_dir: Path) -> list[str]:
    """The URLs (relative to the site root) the built worker precaches."""
    text = (site_dir / "sw.js").read_text(encoding="utf-8")
    match = re.search(r"^const PRECACHE = (\[.*?\]);$", text, re.S | re.M)
    assert match, "sw.js has no precache list"
    return json.loads(match.group(1))


def worker_version(site_dir: Path) -> str:
    text = (site_dir / "sw.js").read_text(encoding="utf-8")
    match = re.search(r'^const VERSION = "([^"]+)";$', text, re.M)
    assert match, "sw.js has no version"
    return match.group(1)


def page_urls(site_dir: Path) -> list[str]:
    """Every page of the site as a reader would type it: folders for index pages."""
    pages = [p for p in precache_list(site_dir) if p.endswith(".html") and p != "404.html"]
    return [p.removesuffix("index.html") for p in pages]


WAIT_FOR_OFFLINE_COPY = """async () => {
  const deadline = Date.now() + 60000;
  const registration = await Promise.race([
    navigator.serviceWorker.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker")), 60000)),
  ]);
  while (registration.active.state !== "activated" || !navigator.serviceWorker.controller) {
    if (Date.now() > deadline) throw new Error("the service worker never took control");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (await caches.keys()).filter((name) => name.startsWith("recovery-plan "));
}"""


def install_offline_copy(page, url: str) -> list[str]:
    """Visit `url` and wait until the worker has precached the site and controls the page;
    returns the names of the site's caches."""
    page.goto(url)
    return page.evaluate(WAIT_FOR_OFFLINE_COPY)


@contextmanager
def other_origin() -> Iterator[tuple[str, list[str]]]:
    """A second server on 127.0.0.1 (another port: another origin) that answers every request
    with 404 and records its path: what a request leaving the site would reach."""
    requests: list[str] = []

    class Recorder(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_error(404)

        do_POST = do_HEAD = do_GET  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = _Server(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
