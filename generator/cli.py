"""The `recovery-plan` command line: validate, build, serve and publish a recovery plan."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from generator import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2

DESCRIPTION = """\
Turn a disaster-recovery plan kept as YAML (plans/ and contacts/) into a website that works
offline on a phone, and a two-page printed sheet.

exit status: 0 = clean, 1 = the plan has errors (or warnings with --strict) or the build failed,
2 = the tool could not run (bad path or arguments, full disk, read-only folder, no permission),
130 = interrupted (Ctrl-C)."""

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
        return EXIT_CANNOT_RUN
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops as Ctrl-C does
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `recovery-plan validate | head`: the reader left; stay quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:
        from generator.report import environment_error

        print(f"error: {environment_error(error)}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN


def _parser() -> argparse.ArgumentParser:
    from generator import publish

    parser = argparse.ArgumentParser(
        prog="recovery-plan", description=DESCRIPTION, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check the plan and report every problem",
        description="Check every file of the plan and report all problems in one run, as "
        "path:line:col: error|warning: message, then a summary line.")
    _common(validate)
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("--format", choices=("text", "github", "json"), default="text",
                          help="text for people (default), github for pull-request "
                          "annotations, json for tools")
    validate.set_defaults(run=_validate)

    build = commands.add_parser(
        "build", help="validate and build the website, offline app and printed sheet",
        description="Validate the plan, then build the site into site/ (or --site-dir). A failed "
        "or interrupted build leaves the previous site exactly as it was; a second build of the "
        "same site waits for the first. Given a folder of client plans "
        "(sub-folders each holding plans/), builds them all in parallel into --out.")
    _common(build)
    build.add_argument("--site-dir", type=Path, help="where to build (default: site/ in PATH): "
                       "a new or empty folder, or a site built before")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--out", type=Path, default=Path("sites"),
                       help="with a folder of client plans: where each client's site goes "
                       "(default: sites/)")
    build.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="with a folder of client plans: parallel builds (default: CPU count)")
    build.set_defaults(run=_build)

    serve = commands.add_parser(
        "serve", help="preview the site; rebuilds when a plan file changes",
        description="Serve a live preview that rebuilds when a file in plans/ or contacts/ changes.")
    _common(serve)
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT",
                       help="address to serve on (default: 127.0.0.1:8000)")
    serve.set_defaults(run=_serve)

    publish_parser = commands.add_parser(
        "publish", help="validate, build and push the site to its git remotes",
        description="Validate and build the site, check it depends on no company server, then "
        "push it to a branch of each git remote (GitHub Pages by default).")
    _common(publish_parser)
    publish.add_arguments(publish_parser)
    publish_parser.set_defaults(run=publish.command)
    _schema_parser(commands)
    return parser


def _schema_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schema = commands.add_parser(
        "schema", help="write the JSON Schemas of the plan's files, for editors",
        description="Write the JSON Schema (draft-07) of every kind of plan file, for editors "
        "that complete keys and show errors while typing (VS Code with the YAML extension).")
    schema.add_argument("--output", type=Path, default=Path("schemas"), metavar="DIR",
                        help="the folder to write them in (default: schemas/)")
    schema.set_defaults(run=_schema)


def _schema(args: argparse.Namespace) -> int:
    from generator.json_schema import write_schemas

    for path in write_schemas(args.output):
        print(path.as_posix())
    return EXIT_OK


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH",
                        help="project root holding plans/ and contacts/ (default: .)")
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="judge staleness as of this date (default: today; also "
                        "RECOVERY_PLAN_TODAY)")


def _validate(args: argparse.Namespace) -> int:
    from generator.report import print_findings
    from generator.validate import ProjectNotFound, validate_project

    try:
        validation = validate_project(args.path, args.today)
    except ProjectNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print_findings(validation, args.format)
    if validation.errors or (args.strict and validation.findings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    if not args.path.is_dir():
        print(f"error: {args.path} is not a folder", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if not (args.path / "plans").is_dir():
        from generator.building import build_many

        return build_many(args.path, args.out, args.today, max(1, args.jobs))
    from generator import printsheet

    printsheet.prepare()  # first: the PDF engine loads in the background while MkDocs loads
    from generator.building import build_site
    from generator.validate import ProjectNotFound

    try:
        return build_site(args.path, args.site_dir, args.today, args.strict)
    except ProjectNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN


def _serve(args: argparse.Namespace) -> int:
    from generator.building import serve_site

    return serve_site(args.path, args.dev_addr, args.today)


if __name__ == "__main__":
    sys.exit(main())
