"""How the tool reports: its exit statuses, validation findings for people (text), for GitHub
pull requests and for tools (JSON), and errors of the machine it runs on in words."""

from __future__ import annotations

import errno
import json
import sys
from enum import IntEnum
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # (imported lazily: `recovery-plan --help` loads no validator)
    from generator.model import Finding
    from generator.validate import Validation

FORMATS = ("text", "github", "json")


class ExitStatus(IntEnum):
    """The exit statuses of every command (the CLI's `--help` explains them)."""

    OK = 0
    PROBLEMS = 1  # the plan has errors (or warnings with --strict), the build or a mirror failed
    CANNOT_RUN = 2  # bad path or arguments, full disk, read-only folder, no permission
    INTERRUPTED = 130  # Ctrl-C, or SIGTERM (as the shell reports a process ended by SIGINT)
    BROKEN_PIPE = 141  # the reader of the output left (as the shell reports SIGPIPE)


def print_findings(
    validation: Validation, output_format: str = "text", *, summary: bool = True, out: TextIO | None = None
) -> None:
    """All findings of a run (sorted by file and line), then a one-line summary and the advisory
    plan score (`generator.score`): a line of its own, or a notice on GitHub."""
    from generator.score import score

    out = out or sys.stdout
    health = score(validation.findings)
    if output_format == "json":
        findings = [{**vars(f), "severity": str(f.severity)} for f in validation.findings]
        json.dump(
            {
                "findings": findings,
                "errors": len(validation.errors),
                "warnings": len(validation.warnings),
                "files": validation.files,
                "summary": validation.summary(),
                "score": health.value,
                "score_line": health.line(),
            },
            out,
            indent=2,
        )
        out.write("\n")
        return
    for finding in validation.findings:
        _write(out, (_annotation(finding) if output_format == "github" else str(finding)) + "\n")
    if summary:
        out.write(validation.summary() + "\n")
        notice = f"::notice title=Plan health::{_escape(health.line())}"
        _write(out, (notice if output_format == "github" else health.line()) + "\n")


def _write(out: TextIO, text: str) -> None:
    """Write `text`, spelling out what the output's encoding cannot show (a console or a file in
    a legacy code page): the findings matter more than a perfect arrow."""
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.replace("→", "->").replace("…", "...")
        text = text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    out.write(text)


def _annotation(finding: Finding) -> str:
    """A GitHub Actions workflow command: shown on the file and line in the pull request."""
    message = finding.message + (f"\nHint: {finding.hint}" if finding.hint else "")
    title = f"{finding.severity}: {finding.code}" if finding.code else str(finding.severity)
    props = ",".join(
        f"{k}={_escape(str(v), prop=True)}"
        for k, v in (
            ("file", finding.path),
            ("line", finding.line),
            ("col", finding.column),
            ("title", title),
        )
    )
    return f"::{finding.severity} {props}::{_escape(message)}"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


_FULL = ("the disk is full", "Free some space, or build onto another disk with --site-dir DIR.")
_DENIED = (
    "permission denied",
    "Check who owns the folder and who may write to it (ls -ld), "
    "or build into a folder of your own with --site-dir DIR.",
)
_ENVIRONMENT = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: ("the disk quota is used up", _FULL[1]),
    errno.EROFS: ("it is on a read-only filesystem", "Build into a writable folder with --site-dir DIR."),
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
}


def environment_error(error: OSError, writing: str = "") -> str:
    """An error of the machine the tool runs on (disk full, read-only, no permission) in
    words, with what to do; never a raw `[Errno N]`. `writing`: what the tool was writing
    (e.g. the site folder), named instead of the file the error names."""
    problem, todo = _ENVIRONMENT.get(error.errno or 0, (error.strerror or str(error), ""))
    where = f"cannot write {writing}: " if writing else (f"{error.filename}: " if error.filename else "")
    return f"{where}{problem}. {todo}".strip()
