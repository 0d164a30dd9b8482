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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

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


class Mark(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based

    @classmethod
    def of(cls, event: yaml.Event) -> Mark:
        """Where `event` starts (the top of the file for an event that carries no position)."""
        mark = event.start_mark
        return cls(mark.line + 1, mark.column + 1) if mark else cls(1, 1)


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
        self,
        path: Path_,
        message: str,
        hint: str = "",
        *,
        code: str,
        key: bool = False,
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

_UNSAFE_HINTS = {  # by what the reason says
    "outside the project": "the plan reads and publishes only its own files: copy the file into "
    "the project instead of linking to it, or remove the link",
    "symbolic link": "remove the link, or make it point to a file of the project",
    "": "remove it: plan files and pages are ordinary files saved in the project",
}
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def _inside(path: Path | str, root: Path | str) -> bool:
    path, root = os.fspath(path), os.fspath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def unsafe_reason(path: Path, root: Path, *, folder: bool = False) -> str:
    """Why `path` must not be read as a plan file (or, with `folder`, listed as a plan folder);
    "" for a regular file (folder) whose real location is inside `root`.

    Symbolic links are followed only to see where they lead: one that leads out of the project,
    to nothing, or round in a loop is refused, and so is anything that is not a regular file
    (a FIFO would hang the reader, a device such as /dev/zero would never end). Nothing is opened.
    """
    return _real_location(path, root, folder)[0]


def _real_location(path: Path, root: Path, folder: bool = False) -> tuple[str, str]:
    """`unsafe_reason`, and the real location of `path` (its one resolution; "" when unsafe)."""
    name = "the folder" if folder else "the file"
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
        real = os.path.realpath(path, strict=True)
        mode = os.stat(real).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"{name} is a symbolic link that loops back on itself", ""
        if error.errno == errno.ENOENT and os.path.islink(path):
            return f"{name} is a symbolic link to {os.readlink(path)}, which does not exist", ""
        return f"cannot read {name}: {error.strerror}", ""
    if not _inside(real, os.path.realpath(root)):
        target = os.readlink(path) if is_link else f"in a folder linked to {real}"
        return (
            f"{name} is a symbolic link to {target}, outside the project: it is not read"
            if is_link
            else f"{name} is {target}, outside the project: it is not read"
        ), ""
    if folder and stat.S_ISDIR(mode):
        return "", real
    if folder:
        return f"this is {_path_kind(mode)}, where a folder should be", ""
    if stat.S_ISREG(mode):
        return "", real
    return f"{name} is {_path_kind(mode)}, not a regular file: it is not read", ""


def _path_kind(mode: int) -> str:
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _unsafe_error(shown_as: str, reason: str) -> LoadError:
    hint = next(h for words, h in _UNSAFE_HINTS.items() if words in reason)
    return _error(shown_as, 1, 1, reason, hint, code="unsafe-file")


def read_bytes_safely(file: Path, root: Path, shown_as: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `file`, a regular file inside `root` of at most `limit` bytes; else LoadError.

    Checked before opening (a FIFO or device is never opened), then opened without following a
    link and without blocking, and checked again on the open file.
    """
    reason, real = _real_location(file, root)
    if reason:
        raise _unsafe_error(shown_as, reason)
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        descriptor = os.open(real, flags)
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
            shown_as,
            1,
            1,
            f"the file is {max(size, len(raw)):,} bytes; plan files are limited to 1 MiB ({limit:,} bytes)",
            "split it into several files, or remove pasted content",
            code="file-too-large",
        )
    return raw


def read_text_safely(file: Path, root: Path, shown_as: str) -> str:
    """`read_bytes_safely`, decoded as UTF-8 (a located LoadError when it is not)."""
    return _decode(read_bytes_safely(file, root, shown_as), shown_as)


def safe_files(
    root: Path, folder: Path, suffixes: tuple[str, ...] = (), recursive: bool = False
) -> tuple[list[Path], list[Finding]]:
    """The files of `folder` (and, with `recursive`, of its sub-folders) whose names end in one of
    `suffixes` (any name when empty) and that are safe to read, and a located error for each
    one, or each folder, that is not (see `unsafe_reason`). Sorted; each folder listed once."""
    if not os.path.lexists(folder) or folder.is_file():  # none, or a file: reported elsewhere
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
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:  # a link loop: reported as a file below
                is_dir = False
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
    return {
        path
        for path in paths
        if os.path.abspath(path).startswith(docs + os.sep) and unsafe_reason(Path(path), root)
    }


def _error(path: str, line: int, column: int, message: str, hint: str = "", *, code: str) -> LoadError:
    return LoadError(Finding(path, line, column, Severity.ERROR, message, hint, code))


def _decode(raw: bytes, shown_as: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error(
            shown_as,
            1,
            1,
            "the file is saved as UTF-16, not UTF-8",
            "save it again as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
            code="not-utf8",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise _error(
            shown_as,
            line,
            column,
            f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x} here)",
            "save it again as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
            code="not-utf8",
        ) from None


def _refuse_tabs(text: str, shown_as: str) -> None:
    if "\t" not in text:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            raise _error(
                shown_as,
                number,
                indent.index("\t") + 1,
                "a tab is used for indentation",
                "YAML indentation must use spaces: replace the tab with spaces "
                "(most editors have a 'convert tabs to spaces' setting)",
                code="tab-indent",
            )


class _Composer:
    """Turns libyaml events into plain dicts, lists and scalars, recording positions."""

    def __init__(self, text: str, shown_as: str):
        self.text = text
        self.doc = Document(shown_as, None)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.count = 0
        self.next: Callable[[], yaml.Event]

    def document(self) -> Document:
        try:
            self.next = _Loader(self.text).get_event
            self.next()  # StreamStart
            if type(self.next()) is yaml.StreamEndEvent:
                return self.doc
            self.doc.data = self._node(self.next(), (), 0)
            self.next()  # DocumentEnd
            event = self.next()
            if type(event) is yaml.DocumentStartEvent:
                raise self._at(
                    event,
                    "the file holds more than one YAML document",
                    "remove the `---` line: one file holds one document",
                    code="multiple-documents",
                )
        except yaml.MarkedYAMLError as error:
            raise _syntax_error(error, self.doc.path, self.text) from None
        except yaml.YAMLError as error:  # e.g. a reader error without a mark
            raise _error(self.doc.path, 1, 1, f"YAML syntax error: {error}", code="yaml-syntax") from None
        return self.doc

    def _at(self, event: yaml.Event, message: str, hint: str = "", *, code: str) -> LoadError:
        mark = Mark.of(event)
        return _error(self.doc.path, mark.line, mark.column, message, hint, code=code)

    def _node(self, event: yaml.Event, path: Path_, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self._at(
                event,
                f"values are nested more than {MAX_DEPTH} levels deep",
                "a plan needs only a few levels: look for pasted data, or for `[` or `{` "
                "that are opened again and again",
                code="too-deep",
            )
        # A file's top level is "at line 1", even when comments come first.
        self.doc.values.setdefault(path, Mark.of(event) if path else Mark(1, 1))
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event)
        event = cast("yaml.ScalarEvent | yaml.CollectionStartEvent", event)  # what libyaml gives here
        tag = event.tag
        if tag is not None and tag != "!":
            written = "!!" + tag.removeprefix(_STANDARD_TAGS) if tag.startswith(_STANDARD_TAGS) else tag
            raise self._at(
                event,
                f"YAML tags such as `{written}` are not allowed in a plan",
                "remove the tag; if the value must stay text, put it in quotes",
                code="yaml-tag",
            )
        start = self.count
        if isinstance(event, yaml.ScalarEvent):
            try:
                value: Any = _scalar(event)
            except ValueError:  # more digits than Python turns into a number (4,300)
                raise self._at(
                    event,
                    f"this number has {len(event.value):,} digits: no value in a plan needs so many",
                    "check the value; if it is a reference, put it in quotes",
                    code="out-of-range",
                ) from None
            self._count(event)
        elif isinstance(event, yaml.SequenceStartEvent):
            value = self._sequence(path, depth)
        else:
            value = self._mapping(path, depth)
        if event.anchor:
            self.anchors[event.anchor] = (value, self.count - start)
        return value

    def _count(self, event: yaml.Event, n: int = 1) -> None:
        self.count += n
        if self.count > MAX_VALUES:
            raise self._at(
                event,
                f"the file expands to more than {MAX_VALUES:,} values",
                "aliases (`*name`) may repeat a value, but not build huge documents",
                code="too-many-values",
            )

    def _alias(self, event: yaml.AliasEvent) -> Any:
        if event.anchor not in self.anchors:
            raise self._at(
                event,
                f"the alias `*{event.anchor}` names no anchor defined above",
                f"a value starting with `*` is an alias in YAML: if you meant the text, "
                f'put it in quotes (`"*{event.anchor}"`)',
                code="yaml-alias",
            )
        value, size = self.anchors[event.anchor]
        self._count(event, size)
        return value

    def _sequence(self, path: Path_, depth: int) -> list[Any]:
        items: list[Any] = []
        self.count += 1
        while type(event := self.next()) is not yaml.SequenceEndEvent:
            items.append(self._node(event, (*path, len(items)), depth + 1))
        return items

    def _mapping(self, path: Path_, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        merged: list[tuple[dict[str, Any], Mark]] = []
        self.count += 1
        while type(event := self.next()) is not yaml.MappingEndEvent:
            if type(event) is not yaml.ScalarEvent:
                raise self._at(
                    event,
                    "a key must be a simple word, not a list or mapping",
                    "write the key as a word, e.g. `deputy:`; a value that starts with "
                    "`[` or `{` must be in quotes",
                    code="complex-key",
                )
            key = event.value
            mark = Mark.of(event)
            value_event = self.next()
            if key == "<<" and event.implicit[0]:
                value = self._node(value_event, path, depth + 1)
                for part in value if isinstance(value, list) else [value]:
                    if not isinstance(part, dict):
                        raise self._at(
                            value_event,
                            "`<<` merges only mappings",
                            "`<<: *name` must name `key: value` lines marked `&name`",
                            code="yaml-merge",
                        )
                    merged.append((part, mark))
                continue
            at = (*path, key)
            if key in mapping:
                first = self.doc.keys[at]
                raise _error(
                    self.doc.path,
                    mark.line,
                    mark.column,
                    f"duplicate key `{key}` (first written on line {first.line})",
                    "keep one of the two: YAML would silently drop the first",
                    code="duplicate-key",
                )
            self.doc.keys[at] = mark
            mapping[key] = self._node(value_event, at, depth + 1)
        for part, mark in merged:
            for key, value in part.items():
                if key not in mapping:
                    mapping[key] = value
                    self.doc.keys[(*path, key)] = self.doc.values[(*path, key)] = mark
        return mapping


def _scalar(event: yaml.ScalarEvent) -> Any:
    """YAML 1.2 core schema for plain scalars; anything else stays the text that was written."""
    text = event.value
    if not event.implicit[0] or event.tag == "!":  # quoted or block scalar: always text
        return text
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


_SYNTAX_HINTS = {
    "mapping values are not allowed": "a value contains `: `; put the whole value in quotes",
    "could not find expected ':'": "a line is missing the `:` after its key, or is indented "
    "differently from the lines around it",
    "did not find expected key": "check the indentation of this line against the lines above",
    "did not find expected '-' indicator": "list items must line up under each other, each "
    "starting with `- `",
    "found unexpected end of stream": "a quote or bracket opened above is never closed",
    "found character that cannot start any token": "a value starts with a character YAML "
    "reserves (`@`, `` ` ``, `%`); put the value in quotes",
    "found undefined alias": "`*` starts an alias in YAML; put the value in quotes",
    "control characters are not allowed": "remove the invisible control character (often "
    "pasted from a PDF or a spreadsheet)",
}


def _syntax_error(error: yaml.MarkedYAMLError, shown_as: str, text: str) -> LoadError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "invalid YAML"
    hint = (
        _unclosed_quote_hint(text, mark)
        or _flow_value_hint(error, text)
        or next((h for k, h in _SYNTAX_HINTS.items() if k in problem), "")
    )
    line, column = _within(text, mark.line, mark.column) if mark else (1, 1)
    return _error(shown_as, line, column, f"YAML syntax error: {problem}", hint, code="yaml-syntax")


def _within(text: str, line: int, column: int) -> tuple[int, int]:
    """A 0-based libyaml position as a 1-based one inside the text (libyaml may point one line
    past the end of a file that does not end with a newline)."""
    lines = text.split("\n")
    if line >= len(lines):
        line, column = len(lines) - 1, len(lines[-1])
    return line + 1, min(column, len(lines[line])) + 1


_FLOW_VALUE = re.compile(r":\s+[{\[][^}\]]*[}\]]\s*[^\s#,}\]]")


def _flow_value_hint(error: yaml.MarkedYAMLError, text: str) -> str:
    """A value such as `resolved: {organisation} fixed it` starts with a brace YAML reads as a mapping."""
    lines = text.splitlines()
    for mark in (error.context_mark, error.problem_mark):
        if mark is not None and mark.line < len(lines) and _FLOW_VALUE.search(lines[mark.line]):
            return (
                "a value that starts with `{` or `[` is read as a YAML mapping or list: "
                "put the whole value in quotes"
            )
    return ""


def _unclosed_quote_hint(text: str, mark: yaml.Mark | None) -> str:
    """When the error follows a quote that closed a value left open on an earlier line, say so.

    A value such as `initial: "We are closed.` without its closing quote runs on into the next
    lines until the next quote, and the error appears there, far from the mistake.
    """
    if mark is None or mark.column == 0:
        return ""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return ""
    quote = lines[mark.line][: mark.column].rstrip()[-1:]
    if quote not in ('"', "'"):
        return ""
    for number in range(mark.line - 1, -1, -1):
        if lines[number].count(quote) % 2:
            return (
                f"the {quote} before this closes a quote opened on line {number + 1}: check "
                f"that the value on line {number + 1} ends with its closing {quote}"
            )
    return ""
