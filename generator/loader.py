"""Safe YAML loading that remembers where every key and value was written.

Built on libyaml's event stream (no PyYAML constructors run), so it controls exactly what a
plan file may contain: no tags, no multi-document files, bounded alias expansion, no duplicate
keys, and YAML 1.2-style scalars (``NO``, ``on`` and ``0123`` stay the text that was written).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.model import Finding, Severity

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 20_000  # per file, counting every value an alias expands to
MAX_DEPTH = 40

Path_ = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(0|[1-9][0-9]*)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+")
_STANDARD_TAGS = "tag:yaml.org,2002:"  # what `!!` abbreviates
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: same events, slower
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """One YAML file: its plain-Python data and the position of every value and key in it."""

    path: str  # as shown in messages, e.g. "plans/systems/internet.yaml"
    data: Any
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)

    def value_at(self, path: Path_) -> Mark:
        """Where the value at `path` was written (or its nearest enclosing value)."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Mark(1, 1))

    def key_at(self, path: Path_) -> Mark:
        """Where the key of `path` was written (the value's position for list items)."""
        return self.keys.get(path) or self.value_at(path)

    def finding(
        self, path: Path_, message: str, hint: str = "", *, code: str, key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> Finding:
        mark = self.key_at(path) if key else self.value_at(path)
        return Finding(self.path, mark.line, mark.column, severity, message, hint, code)


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it (what GitHub
    annotations and editors expect), else absolute."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


class LoadError(Exception):
    """The file cannot be read as a plan file; carries the finding to report."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def load_file(file: Path, shown_as: str, root: Path | None = None) -> Document:
    """Read one YAML file safely. Raises LoadError with a located, actionable finding.

    The file must be a regular file inside `root` (default: its own folder): see `unsafe_reason`.
    """
    text = read_text_safely(file, root or file.parent, shown_as)
    _refuse_tabs(text, shown_as)
    return _Composer(text, shown_as).document()


# -- reading only the project's own regular files ------------------------------------------------

_UNSAFE_HINT = ("the plan reads and publishes only its own files: copy the file into the "
                "project instead of linking to it, or remove it")
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def unsafe_reason(path: Path, root: Path, *, folder: bool = False) -> str:
    """Why `path` must not be read as a plan file (or, with `folder`, listed as a plan folder);
    "" for a regular file (folder) whose real location is inside `root`.

    Symbolic links are followed only to see where they lead: one that leads out of the project,
    to nothing, or round in a loop is refused, and so is anything that is not a regular file
    (a FIFO would hang the reader, a device such as /dev/zero would never end). Nothing is opened.
    """
    name = "the folder" if folder else "the file"
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
        real = path.resolve(strict=True)
        mode = os.stat(real).st_mode
    except RuntimeError:  # Python < 3.13 reports a symlink loop this way
        return f"{name} is a symbolic link that loops back on itself"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"{name} is a symbolic link that loops back on itself"
        if error.errno == errno.ENOENT and os.path.islink(path):
            return f"{name} is a symbolic link to {os.readlink(path)}, which does not exist"
        return f"cannot read {name}: {error.strerror}"
    real_root = root.resolve()
    if not _inside(real, real_root):
        how = "a symbolic link to" if is_link else "in a folder linked to"
        return f"{name} is {how} {real}, outside the project: it is not read"
    if folder and stat.S_ISDIR(mode):
        return ""
    if folder:
        return f"{_path_kind(mode)} is where a folder should be"
    if stat.S_ISREG(mode):
        return ""
    return f"{name} is {_path_kind(mode)}, not a regular file: it is not read"


def _path_kind(mode: int) -> str:
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _unsafe_error(shown_as: str, reason: str) -> LoadError:
    return _error(shown_as, 1, 1, reason, _UNSAFE_HINT, code="unsafe-file")


def read_bytes_safely(file: Path, root: Path, shown_as: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `file`, a regular file inside `root` of at most `limit` bytes; else LoadError.

    Checked before opening (a FIFO or device is never opened), then opened without following a
    link and without blocking, and checked again on the open file.
    """
    if reason := unsafe_reason(file, root):
        raise _unsafe_error(shown_as, reason)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(file.resolve(), flags)
    except OSError as error:
        raise _error(shown_as, 1, 1, f"cannot read the file: {error.strerror}", code="unreadable") from None
    with os.fdopen(descriptor, "rb") as opened:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):  # replaced between the check and the open
            raise _unsafe_error(shown_as, f"the file is {_path_kind(mode)}, not a regular file")
        size = os.fstat(descriptor).st_size
        raw = opened.read(limit + 1) if size <= limit else b""  # /proc reports 0: count too
    if size > limit or len(raw) > limit:
        raise _error(
            shown_as, 1, 1, f"the file is {max(size, len(raw)):,} bytes; plan files are limited "
            f"to 1 MiB ({limit:,} bytes)",
            "split it into several files, or remove pasted content", code="file-too-large",
        )
    return raw


def read_text_safely(file: Path, root: Path, shown_as: str) -> str:
    """`read_bytes_safely`, decoded as UTF-8 (a located LoadError when it is not)."""
    return _decode(read_bytes_safely(file, root, shown_as), shown_as)


def safe_files(root: Path, folder: Path, suffixes: tuple[str, ...] = (),
               recursive: bool = False) -> tuple[list[Path], list[Finding]]:
    """The files of `folder` (and, with `recursive`, of its sub-folders) whose names end in one of
    `suffixes` (any name when empty) and that are safe to read, and a located error for each
    one, or each folder, that is not (see `unsafe_reason`). Sorted; each folder listed once."""
    if not os.path.lexists(folder):
        return [], []
    if reason := unsafe_reason(folder, root, folder=True):
        return [], [_unsafe_error(shown_path(folder), reason).finding]
    files: list[Path] = []
    problems: list[Finding] = []
    seen = {folder.resolve()}
    stack = [folder]
    while stack:
        directory = stack.pop()
        real = directory.resolve()
        for entry in sorted(os.scandir(directory), key=lambda e: e.name, reverse=True):
            path = Path(entry.path)
            is_dir = entry.is_dir()  # follows links; False for a loop or a dangling link
            if is_dir and recursive:
                reason = unsafe_reason(path, root, folder=True)
                if not reason and _inside(real, path.resolve()):
                    reason = "the folder is a symbolic link to a folder that holds it (a loop)"
                if reason:
                    problems.append(_unsafe_error(shown_path(path), reason).finding)
                elif path.resolve() not in seen:  # a second link to a folder: listed once
                    seen.add(path.resolve())
                    stack.append(path)
            elif not is_dir and (not suffixes or entry.name.lower().endswith(suffixes)):
                if reason := unsafe_reason(path, root):
                    problems.append(_unsafe_error(shown_path(path), reason).finding)
                else:
                    files.append(path)
    return sorted(files), sorted(problems)


def unsafe_author_pages(docs_dir: Path, paths: Iterable[str], root: Path) -> set[str]:
    """Of the files MkDocs found (absolute source paths, theme files included), those written in
    `docs_dir` that must not be published: not regular files, or really outside the project
    `root`. The validator has reported each one; this keeps out one that appeared since."""
    docs = os.path.abspath(docs_dir)
    return {path for path in paths
            if os.path.abspath(path).startswith(docs + os.sep) and unsafe_reason(Path(path), root)}
