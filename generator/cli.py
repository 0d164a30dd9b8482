"""The `recovery-plan` command line: validate, build, serve and publish a recovery plan."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.report import FORMATS, ExitStatus, environment_error

DESCRIPTION = f"""\
Turn a disaster-recovery plan kept as YAML (plans/ and contacts/) into a website that works
offline on a phone, and a two-page printed sheet.

exit status: {ExitStatus.OK} = clean, {ExitStatus.PROBLEMS} = the plan has errors (or warnings \
with --strict) or the build failed,
{ExitStatus.CANNOT_RUN} = the tool could not run (bad path or arguments, full disk, read-only \
folder, no permission),
{ExitStatus.INTERRUPTED} = interrupted (Ctrl-C)."""
UNCHANGED = "the previous site is unchanged"

if TYPE_CHECKING:
    from generator.printsheet import Printer
    from generator.validate import Validation

EXAMPLES = """\
examples:
  recovery-plan validate                  check the plan in the current folder
  recovery-plan validate --format github  annotate a pull request (GitHub Actions)
  recovery-plan validate --today 2027-01-01   what will be stale by the new year?
  recovery-plan build                     build site/ (website, offline app, printed sheet)
  recovery-plan build clients/ --out sites/   build every client plan under clients/
  recovery-plan serve                     preview at http://127.0.0.1:8000
  recovery-plan publish                   push site/ to the git remotes in plan.yaml
  recovery-plan schema                    write schemas/ for editors (VS Code YAML extension)"""


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitStatus.CANNOT_RUN
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops as Ctrl-C does
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:  # e.g. `recovery-plan validate | head`: the reader left; stay quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitStatus.BROKEN_PIPE
    except OSError as error:
        return _cannot_run(environment_error(error))
    except ValueError as error:
        return _cannot_run(str(error))


def _cannot_run(message: str) -> ExitStatus:
    print(f"error: {message}", file=sys.stderr)
    return ExitStatus.CANNOT_RUN


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recovery-plan",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str, run: Callable[[argparse.Namespace], int], summary: str, description: str
    ) -> argparse.ArgumentParser:
        """A command, with the options every command has (PATH and --today)."""
        sub = commands.add_parser(name, help=summary, description=description)
        sub.set_defaults(run=run)
        sub.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=Path("."),
            metavar="PATH",
            help="project root holding plans/ and contacts/ (default: .)",
        )
        sub.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="judge staleness as of this date (default: today; also RECOVERY_PLAN_TODAY)",
        )
        return sub

    def strict(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--strict", action="store_true", help="treat warnings as errors")

    validate = command(
        "validate",
        _validate,
        "check the plan and report every problem",
        "Check every file of the plan and report all problems in one run, as "
        "path:line:col: error|warning: message, then a summary line.",
    )
    strict(validate)
    validate.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text for people (default), github for pull-request annotations, json for tools",
    )

    build = command(
        "build",
        _build,
        "validate and build the website, offline app and printed sheet",
        "Validate the plan, then build the site into site/ (or --site-dir). A failed or "
        "interrupted build leaves the previous site exactly as it was; a second build of the "
        "same site waits for the first. Given a folder of client plans (sub-folders each "
        "holding plans/), builds them all in parallel into --out.",
    )
    build.add_argument(
        "--site-dir",
        type=Path,
        help="where to build (default: site/ in PATH): a new or empty folder, or a site built before",
    )
    strict(build)
    build.add_argument(
        "--out",
        type=Path,
        default=Path("sites"),
        help="with a folder of client plans: where each client's site goes (default: sites/)",
    )
    build.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="with a folder of client plans: parallel builds (default: CPU count)",
    )

    serve = command(
        "serve",
        _serve,
        "preview the site; rebuilds when a plan file changes",
        "Serve a live preview that rebuilds when a file in plans/ or contacts/ changes.",
    )
    serve.add_argument(
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar="HOST:PORT",
        help="address to serve on (default: 127.0.0.1:8000)",
    )

    publish = command(
        "publish",
        _publish,
        "validate, build and push the site to its git remotes",
        "Validate and build the site, check it depends on no company server, then push it to "
        "a branch of each git remote (GitHub Pages by default).",
    )
    publish.add_argument(
        "--remote",
        action="append",
        dest="remotes",
        metavar="NAME_OR_URL",
        help="a git remote name, URL or path to publish to; repeat for mirrors "
        "(default: site.mirrors in plans/plan.yaml, else origin)",
    )
    publish.add_argument(
        "--branch", help="branch to push the site to (default: site.branch in plans/plan.yaml, else gh-pages)"
    )
    publish.add_argument("--message", help="commit message of the published site")
    publish.add_argument("--site-dir", type=Path, help="where to build (default: site/ in PATH)")
    publish.add_argument(
        "--allow-dirty", action="store_true", help="publish even though plan files have uncommitted changes"
    )
    schema = commands.add_parser(
        "schema",
        help="write the JSON Schemas of the plan's files, for editors",
        description="Write the JSON Schema (draft-07) of every kind of plan file, for editors "
        "that complete keys and show errors while typing (VS Code with the YAML extension).",
    )
    schema.add_argument(
        "--output",
        type=Path,
        default=Path("schemas"),
        metavar="DIR",
        help="the folder to write them in (default: schemas/)",
    )
    schema.set_defaults(run=_schema)
    return parser


def _schema(args: argparse.Namespace) -> int:
    from generator.json_schema import write_schemas

    for path in write_schemas(args.output):
        print(path.as_posix())
    return ExitStatus.OK


def _validate(args: argparse.Namespace) -> int:
    from generator.report import print_findings
    from generator.validate import ProjectNotFound, validate_project

    try:
        validation = validate_project(args.path, args.today)
    except ProjectNotFound as error:
        return _cannot_run(str(error))
    print_findings(validation, args.format)
    if validation.errors or (args.strict and validation.findings):
        return ExitStatus.PROBLEMS
    return ExitStatus.OK


def _build(args: argparse.Namespace) -> int:
    if not args.path.is_dir():
        return _cannot_run(f"{args.path} is not a folder")
    if not (args.path / "plans").is_dir():
        return _build_many(args.path, args.out, args.today, max(1, args.jobs))
    from generator import printsheet
    from generator.validate import ProjectNotFound

    try:
        printer = printsheet.prepare()  # first: the PDF engine loads while MkDocs is imported
        return build_one(args.path, args.site_dir, args.today, args.strict, printer)
    except ProjectNotFound as error:
        return _cannot_run(str(error))
    except KeyboardInterrupt:  # before the build began (e.g. while MkDocs was imported)
        print(f"Interrupted: nothing was built; {UNCHANGED}.", file=sys.stderr)
        return ExitStatus.INTERRUPTED


def build_one(
    root: Path, site_dir: Path | None, today: str | None, strict: bool = False, printer: Printer | None = None
) -> int:
    """Build one plan, printing its findings, then what was built or why nothing was."""
    from mkdocs.exceptions import MkDocsException

    from generator import atomic, building
    from generator.loader import shown_path
    from generator.report import print_findings

    def validated(validation: Validation) -> None:
        print_findings(validation, summary=False)

    try:
        built = building.build_site(
            root, site_dir, today, strict, validated=validated, waiting=_say, printer=printer
        )
    except building.PlanHasProblems as problems:
        print(f"{problems.validation.summary()}: nothing was built; {UNCHANGED}.", file=sys.stderr)
        return ExitStatus.PROBLEMS
    except atomic.SiteDirRefused as refused:
        print(f"error: {refused}.", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    except building.ConfigProblem as problem:
        print(problem.finding, file=sys.stderr)
        return ExitStatus.PROBLEMS
    except MkDocsException as error:
        print(f"Build failed: {error}", file=sys.stderr)
        return ExitStatus.PROBLEMS
    except building.CannotWrite as failed:
        writing = f"the site into {shown_path(failed.site_dir)}" if failed.site_dir else ""
        print(
            f"error: {environment_error(failed.error, writing)} Nothing was built; {UNCHANGED}.",
            file=sys.stderr,
        )
        return ExitStatus.CANNOT_RUN
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see main)
        print(f"Interrupted: nothing was built; {UNCHANGED}.", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    print(
        f"Built {shown_path(built.site_dir)}/ in {built.seconds:.1f} s ({built.validation.summary()}).",
        file=sys.stderr,
    )
    return ExitStatus.OK


def _say(message: str) -> None:
    """A note while the command works (e.g. that it waits for another build)."""
    print(message, file=sys.stderr, flush=True)


def build_client(root: Path, site_dir: Path, today: str | None) -> int:
    """One client's build of `recovery-plan build FOLDER` (run in a process of its own)."""
    try:
        return build_one(root, site_dir, today)
    except Exception as error:  # one client's failure must not stop the others
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return ExitStatus.PROBLEMS


def _build_many(folder: Path, out: Path, today: str | None, jobs: int) -> int:
    """Build every client plan under `folder` (each a sub-folder with plans/) into out/<client>/."""
    from generator import building
    from generator.loader import shown_path

    clients = building.client_plans(folder)
    if not clients:
        return _cannot_run(f"{folder} holds no plan (no plans/ folder, nor sub-folders with one)")
    results: list[building.ClientResult] = []
    try:
        with contextlib.closing(building.build_many(clients, out, today, jobs, build_client)) as builds:
            for done, result in enumerate(builds, start=1):
                results.append(result)
                mark = "ok" if result.status == ExitStatus.OK else "FAILED"
                print(
                    f"[{done}/{len(clients)}] {_bar(done, len(clients))} {result.name}: {mark} "
                    f"({result.seconds:.1f} s)",
                    file=sys.stderr,
                )
                if result.status:
                    print(result.output.rstrip(), file=sys.stderr)
    except KeyboardInterrupt:
        print(
            f"Interrupted: {len(results)} of {len(clients)} plans were built; each site in "
            f"{shown_path(out)}/ is either as it was or complete.",
            file=sys.stderr,
        )
        return ExitStatus.INTERRUPTED
    failed = [r.name for r in results if r.status]
    print(
        f"{len(results) - len(failed)} of {len(results)} plans built into {shown_path(out)}/"
        + (f"; failed: {', '.join(sorted(failed))}" if failed else ""),
        file=sys.stderr,
    )
    return ExitStatus.PROBLEMS if failed else ExitStatus.OK


def _bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _serve(args: argparse.Namespace) -> int:
    from generator.building import serve_site

    serve_site(args.path, args.dev_addr, args.today)
    return ExitStatus.OK


def _publish(args: argparse.Namespace) -> int:
    """Validate, build (with the independence check), then publish to every mirror: OK when
    every mirror was published; PROBLEMS when the plan has errors, the build failed or a
    mirror failed; CANNOT_RUN when it could not start (not a git repository, uncommitted
    changes, no remote)."""
    from generator import publish
    from generator.validate import ProjectNotFound, validate_project

    root = Path(args.path).resolve()
    site_dir = (args.site_dir or root / "site").resolve()
    try:
        publish.check_repository(root, site_dir, allow_dirty=args.allow_dirty, shown=args.path)
        plan = validate_project(root, args.today).plan  # None when there are errors
        remotes = args.remotes or (plan.site.mirrors if plan else []) or ["origin"]
        publish.check_targets(root, remotes, args.branch, named=plan is not None)
    except (publish.PublishRefused, ProjectNotFound) as refused:
        return _cannot_run(str(refused))
    status = build_one(root, site_dir, args.today)  # reports the plan's problems
    if status or plan is None:
        print("Nothing was published.", file=sys.stderr)
        return status or ExitStatus.PROBLEMS
    results = publish.publish(
        site_dir, remotes, args.branch or plan.site.branch or "gh-pages", args.message, repo=root
    )
    for result in results:
        print(result, file=sys.stdout if result.ok else sys.stderr)
    return ExitStatus.OK if all(r.ok for r in results) else ExitStatus.PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
