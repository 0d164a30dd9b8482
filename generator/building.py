"""Runs MkDocs on a plan: one build, a live preview, or many client plans in parallel.

Results are returned and failures raised; what is shown to people is the CLI's (`cli.py`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # before Material is imported

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.utils.yaml import get_yaml_loader, yaml_load  # noqa: E402

from generator import atomic, lifetime, printsheet  # noqa: E402
from generator.loader import shown_path  # noqa: E402
from generator.model import Finding, Severity  # noqa: E402
from generator.plugin import RecoveryPlanPlugin  # noqa: E402
from generator.report import ExitStatus  # noqa: E402
from generator.validate import Validation, validate_project  # noqa: E402

BASE_CONFIG = Path(__file__).with_name("mkdocs-base.yml")
PLUGIN = "recovery-plan"
OWN_PAGES = Path("plans", "pages")  # the plan's own pages (optional)
OWN_OVERRIDES = Path("site_overrides")  # the example's own template overrides (optional)
log = logging.getLogger("mkdocs")


class ConfigProblem(Exception):
    """The project's mkdocs.yml cannot be used; carries the located finding."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


class PlanHasProblems(Exception):
    """The plan has errors (or, in a strict build, warnings): nothing was built."""

    def __init__(self, validation: Validation):
        super().__init__(validation.summary())
        self.validation = validation


class CannotWrite(Exception):
    """The machine refused to write the site (disk full, read-only, no permission): nothing
    was built. `site_dir`: where the site was being built, once known."""

    def __init__(self, error: OSError, site_dir: Path | None):
        super().__init__(str(error))
        self.error = error
        self.site_dir = site_dir


@dataclass(frozen=True)
class Built:
    """A finished build."""

    site_dir: Path
    seconds: float
    validation: Validation


@contextmanager
def config_for(
    root: Path, site_dir: Path | None = None, *, building: bool = False, **plugin_options: object
) -> Iterator[MkDocsConfig]:
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
    options = (
        dict(merged["plugins"][plugin].get(PLUGIN) or {})
        if isinstance(merged["plugins"][plugin], dict)
        else {}
    )
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
            raise ConfigProblem(
                _config_finding(
                    own_file,
                    "docs_dir",
                    f"docs_dir: the folder `{own['docs_dir']}` does not exist",
                    f"create it, or remove the line to use {OWN_PAGES.as_posix()}/ (optional)",
                )
            )
        docs = scratch / "pages"  # the plan has no pages of its own
        docs.mkdir()
    merged["docs_dir"] = str(docs)
    return merged


def _own_settings(own_file: Path, root: Path) -> dict[str, Any]:
    """The project's mkdocs.yml, and the file it inherits from. A missing `mkdocs-base.yml` (a
    copy of the example outside this repository) is skipped: the base always applies."""
    own = yaml_load(own_file.read_text(encoding="utf-8")) or {}  # a string: INHERIT is kept
    if not isinstance(own, dict):
        raise ConfigProblem(
            _config_finding(
                own_file, "", "mkdocs.yml must be a mapping of settings", "e.g. `site_name: Recovery plan`"
            )
        )
    if isinstance(own.get("theme"), str):
        own["theme"] = {"name": own["theme"]}
    parent = root / str(own.pop("INHERIT", ""))
    if parent != root and parent.is_file():
        with parent.open("rb") as parent_file:
            own = _merged(yaml_load(parent_file) or {}, own)
    elif parent != root and parent.name != BASE_CONFIG.name:
        raise ConfigProblem(
            _config_finding(
                own_file,
                "INHERIT",
                f"INHERIT: the file `{parent.relative_to(root).as_posix()}` does not exist",
                "correct the path, or remove the line",
            )
        )
    return own


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`, mappings merged key by key (as MkDocs' INHERIT does)."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        merged[key] = _merged(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
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
    return Finding(shown_path(config_file), line, column, Severity.ERROR, message, hint, "mkdocs-config")


def build_site(
    root: Path,
    site_dir: Path | None = None,
    today: str | None = None,
    strict: bool = False,
    *,
    validated: Callable[[Validation], None] = lambda _: None,
    waiting: Callable[[str], None] | None = None,
    printer: printsheet.Printer | None = None,
) -> Built:
    """Validate, then build the site, the offline app and the printed sheet. `validated` is
    given the validation as soon as it is done (before the long part of the build); `waiting`
    is told when another build of the site runs (this one waits for it); `printer`: the printed
    sheet's, if the caller prepared it already.

    Raises `PlanHasProblems`, `ConfigProblem`, `atomic.SiteDirRefused`, `CannotWrite` or
    MkDocs' own `MkDocsException`; in each case, and when interrupted, nothing was built and
    the previous site is unchanged.
    """
    _log_to_stderr()
    started = time.monotonic()
    printer = printer or printsheet.prepare()  # WeasyPrint loads while the plan is validated
    target: Path | None = None
    try:
        with config_for(root, site_dir, building=True, today=today, strict=strict) as config:
            target = Path(config.site_dir)
            validation = validate_project(root, today)
            validated(validation)
            if validation.errors or (strict and validation.findings):
                raise PlanHasProblems(validation)
            plugin = config.plugins[PLUGIN]
            assert isinstance(plugin, RecoveryPlanPlugin)
            plugin.validation, plugin.printer = validation, printer
            if waiting:
                plugin.waiting = waiting
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
    except OSError as error:
        raise CannotWrite(error, target) from error
    return Built(target, time.monotonic() - started, validation)


def serve_site(root: Path, dev_addr: str, today: str | None = None) -> None:
    """Live preview; rebuilds when a plan file changes."""
    from mkdocs.commands.serve import serve

    _log_to_stderr()
    with config_for(root, today=today) as config:
        serve(config_file=config.config_file_path, dev_addr=dev_addr, livereload=True)


@dataclass(frozen=True)
class ClientResult:
    """One client's build: its exit status, and what it printed (stdout and stderr)."""

    name: str
    status: int
    seconds: float
    output: str


BuildOne = Callable[[Path, Path, "str | None"], int]  # (root, site_dir, today) -> exit status


def client_plans(folder: Path) -> list[Path]:
    """The client plans under `folder`: its sub-folders that hold plans/, by name."""
    return sorted(p for p in folder.iterdir() if (p / "plans").is_dir())


def build_many(
    clients: list[Path], out: Path, today: str | None, jobs: int, build_one: BuildOne
) -> Generator[ClientResult, None, None]:
    """Build each client plan into out/<client>/ with `build_one` (a module-level function:
    each runs in a process of its own, its output captured); the results as they finish.
    Closed early (Ctrl-C), every build still running stops as Ctrl-C would stop it."""
    # spawned, not forked: each client's build starts its own helper processes
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_client_worker,
        initargs=(os.getpid(),),
    )
    finished = False
    try:
        futures = [pool.submit(_build_client, build_one, c, out / c.name, today) for c in clients]
        for future in as_completed(futures):
            yield future.result()
        finished = True
    finally:
        if not finished:
            pool.shutdown(wait=False, cancel_futures=True)
            for worker in multiprocessing.active_children():
                worker.terminate()  # each stops its build as Ctrl-C would: staging removed
        pool.shutdown()


def _client_worker(build_pid: int) -> None:
    """Start of a client's build process: it ends with the build, and stops its own build
    cleanly (as Ctrl-C would) when the build terminates it."""
    lifetime.end_with(build_pid)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _build_client(build_one: BuildOne, root: Path, site_dir: Path, today: str | None) -> ClientResult:
    started = time.monotonic()
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer), contextlib.redirect_stdout(buffer):
        status = build_one(root, site_dir, today)
    if status == ExitStatus.INTERRUPTED:  # the build stopped this one: take no other client
        os._exit(status)
    return ClientResult(root.name, status, time.monotonic() - started, buffer.getvalue())


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is at the time (so redirecting it captures the log)."""

    @property
    def stream(self) -> TextIO:
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
