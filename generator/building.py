"""Runs MkDocs on a plan: one build, a live preview, or many client plans in parallel."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # before Material is imported

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import MkDocsException  # noqa: E402

from generator import printsheet  # noqa: E402
from generator.loader import shown_path  # noqa: E402
from generator.report import print_findings  # noqa: E402
from generator.validate import validate_project  # noqa: E402

BASE_CONFIG = Path(__file__).with_name("mkdocs-base.yml")
log = logging.getLogger("mkdocs")


@contextmanager
def config_for(root: Path, site_dir: Path | None = None, **plugin_options: object) -> Iterator[MkDocsConfig]:
    """The MkDocs config of `root`: its own mkdocs.yml, or the built-in one when it has none."""
    root = root.resolve()
    with tempfile.TemporaryDirectory(prefix="recovery-plan-") as scratch:
        config_file = root / "mkdocs.yml"
        if not config_file.is_file():
            config_file = Path(scratch) / "mkdocs.yml"
            pages = root / "plans" / "pages"
            config_file.write_text(
                f"INHERIT: {BASE_CONFIG}\n"
                f"docs_dir: {pages if pages.is_dir() else Path(scratch, 'pages')}\n"
                f"site_dir: {root / 'site'}\n"
                f"plugins:\n  - search\n  - recovery-plan:\n      root: {root}\n",
                encoding="utf-8",
            )
            Path(scratch, "pages").mkdir()
        overrides = {"site_dir": str(site_dir.resolve())} if site_dir else {}
        config = load_config(config_file=str(config_file), **overrides)
        plugin = config.plugins["recovery-plan"]
        plugin.config.update({k: v for k, v in plugin_options.items() if v is not None})
        yield config


def build_site(root: Path, site_dir: Path | None = None, today: str | None = None,
               strict: bool = False, output_format: str = "text") -> int:
    """Validate, then build the site, the offline app and the printed sheet. Exit status 0/1/2."""
    _log_to_stderr()
    started = time.monotonic()
    printsheet.prepare()  # WeasyPrint loads in the background while the plan is validated
    validation = validate_project(root, today)
    print_findings(validation, output_format, summary=False)
    if validation.errors or (strict and validation.findings):
        print(f"{validation.summary()}: nothing was built; the previous site is unchanged.",
              file=sys.stderr)
        return 1
    try:
        with config_for(root, site_dir, today=today, strict=strict) as config:
            target = Path(config.site_dir)
            config.plugins["recovery-plan"].validation = validation
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
    except MkDocsException as error:
        print(f"Build failed: {error}", file=sys.stderr)
        return 1
    print(f"Built {shown_path(target)}/ in {time.monotonic() - started:.1f} s "
          f"({validation.summary()}).", file=sys.stderr)
    return 0


def serve_site(root: Path, dev_addr: str, today: str | None = None) -> int:
    """Live preview; rebuilds when a plan file changes."""
    from mkdocs.commands.serve import serve

    _log_to_stderr()
    with config_for(root, today=today) as config:
        serve(config_file=config.config_file_path, dev_addr=dev_addr, livereload=True)
    return 0


@dataclass
class ClientResult:
    name: str
    status: int
    seconds: float
    output: str


def build_many(folder: Path, out: Path, today: str | None, jobs: int) -> int:
    """Build every client plan under `folder` (each a sub-folder with plans/) into out/<client>/."""
    clients = sorted(p for p in folder.iterdir() if (p / "plans").is_dir())
    if not clients:
        print(f"error: {folder} holds no plan (no plans/ folder, nor sub-folders with one)",
              file=sys.stderr)
        return 2
    results: list[ClientResult] = []
    # spawned, not forked: each client's build starts its own helper processes
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_build_client, c, out / c.name, today) for c in clients]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results.append(result)
            mark = "ok" if result.status == 0 else "FAILED"
            print(f"[{done}/{len(clients)}] {_bar(done, len(clients))} {result.name}: {mark} "
                  f"({result.seconds:.1f} s)", file=sys.stderr)
            if result.status:
                print(result.output.rstrip(), file=sys.stderr)
    failed = [r.name for r in results if r.status]
    print(f"{len(results) - len(failed)} of {len(results)} plans built into {shown_path(out)}/"
          + (f"; failed: {', '.join(sorted(failed))}" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


def _build_client(root: Path, site_dir: Path, today: str | None) -> ClientResult:
    import contextlib
    import io

    started = time.monotonic()
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer), contextlib.redirect_stdout(buffer):
        try:
            status = build_site(root, site_dir, today)
        except Exception as error:  # one client's failure must not stop the others
            print(f"{type(error).__name__}: {error}", file=sys.stderr)
            status = 1
    return ClientResult(root.name, status, time.monotonic() - started, buffer.getvalue())


def _bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total)
    return "[" + "#" * filled + "." * (width - filled) + "]"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (so redirecting it captures the log)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def _log_to_stderr() -> None:
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
