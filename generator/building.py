"""Runs MkDocs on a plan: one build, a live preview, or many client plans in parallel."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # before Material is imported

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import MkDocsException  # noqa: E402
from mkdocs.utils.yaml import get_yaml_loader, yaml_load  # noqa: E402

from generator import atomic, lifetime, printsheet  # noqa: E402
from generator.loader import shown_path  # noqa: E402
from generator.model import Finding, Severity  # noqa: E402
from generator.report import environment_error, print_findings  # noqa: E402
from generator.validate import validate_project  # noqa: E402

BASE_CONFIG = Path(__file__).with_name("mkdocs-base.yml")
PLUGIN = "recovery-plan"
OWN_PAGES = Path("plans", "pages")  # the plan's own pages (optional)
OWN_OVERRIDES = Path("site_overrides")  # the example's own template overrides (optional)
EXIT_INTERRUPTED = 130
log = logging.getLogger("mkdocs")


class ConfigProblem(Exception):
    """The project's mkdocs.yml cannot be used; carries the located finding."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


@contextmanager
def config_for(root: Path, site_dir: Path | None = None, *, building: bool = False,
               **plugin_options: object) -> Iterator[MkDocsConfig]:
    """The MkDocs config of `root`: the tool's settings (mkdocs-base.yml) with the project's
    own mkdocs.yml over them, if it has one. Everything in mkdocs.yml is optional. `building`:
    refuse a site folder that may not be built into (`atomic.SiteDirRefused`)."""
    root = root.resolve()
    with tempfile.TemporaryDirectory(prefix="recovery-plan-") as scratch:
        config_file = Path(scratch, "mkdocs.yml")
        merged = settings(root, Path(scratch))
        if site_dir:
            merged["site_dir"] = str(site_dir.resolve())
        if building and (problem := atomic.site_dir_problem(Path(merged["site_dir"]), root)):
            raise atomic.SiteDirRefused(problem)
        config_file.write_text(yaml.dump(merged), encoding="utf-8")
        config = load_config(config_file=str(config_file))
        plugin = config.plugins[PLUGIN]
        plugin.config.update({k: v for k, v in plugin_options.items() if v is not None})
        yield config


def settings(root: Path, scratch: Path) -> dict[str, Any]:
    """The project's MkDocs settings, to be written outside the project: the base, then the
    project's mkdocs.yml over it (the base's plugins and Markdown extensions are kept), with
    every path made absolute. Without pages of its own, the site gets an empty folder."""
    own_file = root / "mkdocs.yml"
    own = _own_settings(own_file, root) if own_file.is_file() else {}
    with BASE_CONFIG.open("rb") as base_file:
        base = yaml_load(base_file)
    merged = _merged(base, own)
    for key in ("plugins", "markdown_extensions"):
        merged[key] = _union(base.get(key, []), own.get(key, []))
    plugin = next(i for i, entry in enumerate(merged["plugins"]) if _name(entry) == PLUGIN)
    options = dict(merged["plugins"][plugin].get(PLUGIN) or {}) if isinstance(
        merged["plugins"][plugin], dict) else {}
    merged["plugins"][plugin] = {PLUGIN: {**options, "root": str(root / options.get("root", "."))}}
    merged["site_dir"] = str(root / merged.get("site_dir", "site"))
    if "custom_dir" in merged["theme"]:
        overrides = root / merged["theme"].pop("custom_dir")
        if overrides.is_dir() or overrides != root / OWN_OVERRIDES:  # MkDocs reports others
            merged["theme"]["custom_dir"] = str(overrides)
    for key in ("hooks", "watch"):
        merged[key] = [str(root / path) for path in merged.get(key, [])]
    docs = root / own.get("docs_dir", OWN_PAGES)
    if not docs.is_dir():
        if docs != root / OWN_PAGES:
            raise ConfigProblem(_config_finding(
                own_file, "docs_dir", f"docs_dir: the folder `{own['docs_dir']}` does not exist",
                f"create it, or remove the line to use {OWN_PAGES.as_posix()}/ (optional)"))
        docs = scratch / "pages"  # the plan has no pages of its own
        docs.mkdir()
    merged["docs_dir"] = str(docs)
    return merged


def _own_settings(own_file: Path, root: Path) -> dict[str, Any]:
    """The project's mkdocs.yml, and the file it inherits from. A missing `mkdocs-base.yml` (a
    copy of the example outside this repository) is skipped: the base always applies."""
    own = yaml_load(own_file.read_text(encoding="utf-8")) or {}  # a string: INHERIT is kept
    if not isinstance(own, dict):
        raise ConfigProblem(_config_finding(own_file, "", "mkdocs.yml must be a mapping of "
                                            "settings", "e.g. `site_name: Recovery plan`"))
    if isinstance(own.get("theme"), str):
        own["theme"] = {"name": own["theme"]}
    parent = root / str(own.pop("INHERIT", ""))
    if parent != root and parent.is_file():
        with parent.open("rb") as parent_file:
            own = _merged(yaml_load(parent_file) or {}, own)
    elif parent != root and parent.name != BASE_CONFIG.name:
        raise ConfigProblem(_config_finding(
            own_file, "INHERIT", f"INHERIT: the file `{parent.relative_to(root).as_posix()}` "
            "does not exist", "correct the path, or remove the line"))
    return own


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`, mappings merged key by key (as MkDocs' INHERIT does)."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        merged[key] = _merged(below, value) if isinstance(below, dict) and isinstance(
            value, dict) else value
    return merged


def _union(base: list[Any] | dict[str, Any], own: list[Any] | dict[str, Any]) -> list[Any]:
    """The project's plugins (or Markdown extensions), after the base's that it does not name."""
    def entries(value: list[Any] | dict[str, Any]) -> list[Any]:
        return [{k: v} for k, v in value.items()] if isinstance(value, dict) else list(value)

    named = {_name(entry) for entry in entries(own)}
    return [e for e in entries(base) if _name(e) not in named] + entries(own)


def _name(entry: Any) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def _config_finding(config_file: Path, key: str, message: str, hint: str) -> Finding:
    """A finding at `key` of mkdocs.yml (at its top when the key is not found)."""
    line = column = 1
    try:
        node = yaml.compose(config_file.read_text(encoding="utf-8"), Loader=get_yaml_loader())
    except (OSError, yaml.YAMLError):
        node = None
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if key_node.value == key:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
    return Finding(shown_path(config_file), line, column, Severity.ERROR, message, hint,
                   "mkdocs-config")


def build_site(root: Path, site_dir: Path | None = None, today: str | None = None,
               strict: bool = False, output_format: str = "text") -> int:
    """Validate, then build the site, the offline app and the printed sheet. Exit status 0/1/2."""
    _log_to_stderr()
    started = time.monotonic()
    printsheet.prepare()  # WeasyPrint loads in the background while the plan is validated
    unchanged = "the previous site is unchanged"
    target: Path | None = None
    try:
        with config_for(root, site_dir, building=True, today=today, strict=strict) as config:
            target = Path(config.site_dir)
            validation = validate_project(root, today)
            print_findings(validation, output_format, summary=False)
            if validation.errors or (strict and validation.findings):
                print(f"{validation.summary()}: nothing was built; {unchanged}.", file=sys.stderr)
                return 1
            config.plugins[PLUGIN].validation = validation
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
    except atomic.SiteDirRefused as refused:
        print(f"error: {refused}.", file=sys.stderr)
        return 2
    except ConfigProblem as problem:
        print(problem.finding, file=sys.stderr)
        return 1
    except MkDocsException as error:
        print(f"Build failed: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        writing = f"the site into {shown_path(target)}" if target else ""
        print(f"error: {environment_error(error, writing)} Nothing was built; {unchanged}.",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see cli.main)
        print(f"Interrupted: nothing was built; {unchanged}.", file=sys.stderr)
        return EXIT_INTERRUPTED
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
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_client_worker, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(_build_client, c, out / c.name, today) for c in clients]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results.append(result)
            mark = "ok" if result.status == 0 else "FAILED"
            print(f"[{done}/{len(clients)}] {_bar(done, len(clients))} {result.name}: {mark} "
                  f"({result.seconds:.1f} s)", file=sys.stderr)
            if result.status:
                print(result.output.rstrip(), file=sys.stderr)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():
            worker.terminate()  # each stops its build as Ctrl-C would: staging removed
        pool.shutdown()
        print(f"Interrupted: {len(results)} of {len(clients)} plans were built; each site in "
              f"{shown_path(out)}/ is either as it was or complete.", file=sys.stderr)
        return EXIT_INTERRUPTED
    pool.shutdown()
    failed = [r.name for r in results if r.status]
    print(f"{len(results) - len(failed)} of {len(results)} plans built into {shown_path(out)}/"
          + (f"; failed: {', '.join(sorted(failed))}" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


def _client_worker(build_pid: int) -> None:
    """Start of a client's build process: it ends with the build, and stops its own build
    cleanly (as Ctrl-C would) when the build terminates it."""
    lifetime.end_with(build_pid)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


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
    if status == EXIT_INTERRUPTED:  # the build stopped this one (Ctrl-C): take no other client
        os._exit(status)
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


def _without_os_errors(record: logging.LogRecord) -> bool:
    """MkDocs logs a failed page write as a raw `[Errno N]`; `build_site` explains it once."""
    return "[Errno " not in record.getMessage()


def _log_to_stderr() -> None:
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.addFilter(_without_os_errors)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
