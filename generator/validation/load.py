"""Phase 1, load: every plan file read safely into a `Document`, or a located error.

Also checks what only the files as a whole can show: missing required files, files and folders
the tool would ignore, file names that are not ids, duplicate ids, secrets anywhere, and the
plan's own Markdown pages (published as they are).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from generator import sanitize
from generator.loader import Document, LoadError, load_file, read_text_safely, safe_files, shown_path
from generator.model import Finding, Severity
from generator.secretscan import is_secret_key, secret_at, secret_hint, secret_in_text, walk
from generator.values import BadValue, describe, did_you_mean, parse_id, suggest_id

PLAN_FILES = {  # the required files of plans/, and what each describes
    "plan.yaml": "the organisation, where the plan is published, its review and its roles",
    "communications.yaml": "the audiences to inform and the message templates",
}
OPTIONAL_FILES = {"maintenance.yaml": "the maintenance tasks"}  # format 1.1
YAML_SUFFIXES = (".yaml", ".yml")
PLAN_FOLDERS = ("systems", "scenarios", "incidents", "pages")  # pages: the site's own Markdown


@dataclass(frozen=True)
class OwnPage:
    """One of the plan's own Markdown pages: where it is, its text and its HTML as published."""

    path: str
    text: str
    cleaned: str


@dataclass(frozen=True)
class Loaded:
    """What the load phase established."""

    plan: Document | None  # a mapping, or None (reported)
    communications: Document | None
    systems: dict[str, Document]  # by id; each a mapping
    scenarios: dict[str, Document]
    incidents: dict[str, Document]
    contacts: list[Document]  # the contacts files that loaded (their shape is not checked yet)
    all_contacts_loaded: bool  # False: a contacts file, or the folder, could not be read
    file_ids: dict[str, frozenset[str]]  # system/scenario/incident: every id a file names
    own_pages: list[OwnPage]
    findings: list[Finding]
    files: int
    maintenance: Document | None = None  # plans/maintenance.yaml, optional (format 1.1)


def load(root: Path) -> Loaded:
    """Read every file of the project at `root`."""
    return _Loader(root).run()


@dataclass
class _Loader:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    files: int = 0

    def run(self) -> Loaded:
        plans = self.root / "plans"
        plan_doc = self.required(plans / "plan.yaml")
        comms_doc = self.required(plans / "communications.yaml")
        maintenance = self.optional(plans / "maintenance.yaml")
        self.warn_unknown_files(plans)
        own_pages = self.own_pages(plans / "pages")
        ids: dict[str, frozenset[str]] = {}
        systems, ids["system"] = self.load_kind("systems", "system")
        scenarios, ids["scenario"] = self.load_kind("scenarios", "scenario")
        incidents, ids["incident"] = self.load_kind("incidents", "incident")
        contacts: list[Document] = []
        all_loaded = (self.root / "contacts").is_dir()
        if not all_loaded:
            self.missing_contacts()
        for file in self.safe_files(self.root / "contacts", YAML_SUFFIXES):
            if doc := self.load(file):
                contacts.append(doc)
            else:  # its contacts are unknown
                all_loaded = False
        return Loaded(
            plan_doc,
            comms_doc,
            systems,
            scenarios,
            incidents,
            contacts,
            all_loaded,
            ids,
            own_pages,
            self.findings,
            self.files,
            maintenance,
        )

    def report(self, doc: Document, message: str, hint: str = "", *, code: str) -> None:
        self.findings.append(doc.finding((), message, hint, code=code))

    def load(self, file: Path) -> Document | None:
        self.files += 1
        try:
            doc = load_file(file, shown_path(file), self.root)
        except LoadError as error:
            self.findings.append(error.finding)
            return None
        self.scan_secrets(doc)
        return doc

    def load_kind(self, folder: str, kind: str) -> tuple[dict[str, Document], frozenset[str]]:
        """The documents of one folder by id, and every id the file names stand for."""
        docs: dict[str, Document] = {}
        named: set[str] = set()
        for file in self.safe_files(self.root / "plans" / folder, YAML_SUFFIXES):
            doc = self.load(file)
            if doc is None:
                named.add(file.stem)
                continue
            try:
                ident = parse_id(file.stem, kind)
            except BadValue as bad:
                suggestion = suggest_id(file.stem)
                self.report(
                    doc,
                    f"the file name `{file.name}`: {bad.message}",
                    f"rename the file to `{suggestion}{file.suffix}`" if suggestion else "",
                    code="bad-id",
                )
                named.add(suggestion)  # references use the id it will have
                continue
            if ident in docs:
                self.report(
                    doc,
                    f"another file already defines the {kind} `{ident}`",
                    f"remove one of {docs[ident].path} and {doc.path}",
                    code="duplicate-id",
                )
                continue
            if self.mapping(doc, f"a {kind}"):
                docs[ident] = doc
            named.add(ident)
        return docs, frozenset(named)

    def mapping(self, doc: Document, what: str) -> bool:
        if isinstance(doc.data, dict):
            return True
        if doc.data is None:
            self.report(
                doc,
                f"the file is empty, but should describe {what}",
                "copy the example plan's file of the same kind and fill it in",
                code="empty-file",
            )
        else:
            self.report(
                doc,
                f"the file should be a mapping of `key: value` lines describing "
                f"{what}, not {describe(doc.data)}",
                code="wrong-type",
            )
        return False

    def scan_secrets(self, doc: Document) -> None:
        for path, value in walk(doc.data):
            if path and isinstance(path[-1], str) and is_secret_key(path[-1]):
                self.findings.append(
                    doc.finding(
                        path,
                        f"`{path[-1]}` looks like a secret; a plan must never hold passwords, PINs or tokens",
                        "remove it; say where the secret is kept instead (e.g. 'in "
                        "the password manager, entry Router')",
                        code="secret",
                        key=True,
                    )
                )
            elif isinstance(value, str) and (kind := secret_in_text(value)):
                self.findings.append(
                    doc.finding(
                        path,
                        f"this text seems to contain {kind}; the plan is published and "
                        "printed, so it must never hold secrets",
                        secret_hint(kind),
                        code="secret",
                    )
                )

    def required(self, file: Path) -> Document | None:
        if not os.path.lexists(file):
            self.findings.append(
                Finding(
                    shown_path(file),
                    1,
                    1,
                    Severity.ERROR,
                    f"the plan needs {file.name}, and it is missing",
                    "copy it from the example plan and fill it in",
                    "missing-file",
                )
            )
            return None
        doc = self.load(file)
        return doc if doc is not None and self.mapping(doc, PLAN_FILES[file.name]) else None

    def optional(self, file: Path) -> Document | None:
        """An optional plan file (`OPTIONAL_FILES`), when it is there."""
        if not os.path.lexists(file):
            return None
        doc = self.load(file)
        return doc if doc is not None and self.mapping(doc, OPTIONAL_FILES[file.name]) else None

    def missing_contacts(self) -> None:
        folders = [f.name for f in self.root.iterdir() if f.is_dir()]
        close = difflib.get_close_matches("contacts", folders, n=1, cutoff=0.6)
        self.findings.append(
            Finding(
                shown_path(self.root / "contacts") + "/",
                1,
                1,
                Severity.ERROR,
                "the project has no contacts/ folder, so no one the plan names can be found",
                f"rename `{close[0]}/` to `contacts/`"
                if close
                else "create contacts/ next to plans/, with files such as contacts/people.yaml",
                "missing-file",
            )
        )

    def safe_files(
        self,
        folder: Path,
        suffixes: tuple[str, ...] = (),
        recursive: bool = False,
    ) -> list[Path]:
        """The files of `folder` safe to read; each unsafe one is reported (and counted)."""
        files, problems = safe_files(self.root, folder, suffixes, recursive)
        self.findings += problems
        self.files += len(problems)
        return files

    def own_pages(self, folder: Path) -> list[OwnPage]:
        """The plan's own pages are published too: every file in them must be the project's own
        regular file (MkDocs copies them all), and the Markdown ones UTF-8, at most 1 MiB, with
        no secrets; what the build removes from their HTML is found here too."""
        pages = []
        for page in self.safe_files(folder, recursive=True):
            if page.suffix.lower() != ".md":
                continue
            self.files += 1
            try:
                text = read_text_safely(page, self.root, shown_path(page))
            except LoadError as error:
                self.findings.append(error.finding)
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if found := secret_at(line):
                    self.findings.append(
                        Finding(
                            shown_path(page),
                            number,
                            found[1] + 1,
                            Severity.ERROR,
                            f"this line seems to contain {found[0]}; the page is published, so it "
                            "must never hold secrets",
                            secret_hint(found[0]),
                            "secret",
                        )
                    )
            cleaned, found_html = sanitize.check_page(text, shown_path(page))
            self.findings += found_html
            pages.append(OwnPage(shown_path(page), text, cleaned))
        return pages

    def warn_unknown_files(self, plans: Path) -> None:
        where = "systems, scenarios and incidents go in plans/systems/, plans/scenarios/ and plans/incidents/"
        for file in sorted(plans.iterdir()):
            if file.suffix.lower() in YAML_SUFFIXES and file.name not in PLAN_FILES | OPTIONAL_FILES:
                guess = did_you_mean(file.name, PLAN_FILES | OPTIONAL_FILES)
                self.findings.append(
                    Finding(
                        shown_path(file),
                        1,
                        1,
                        Severity.WARNING,
                        f"{file.name} is not a plan file and is ignored",
                        guess or where,
                        "unknown-file",
                    )
                )
            elif file.is_dir() and file.name not in PLAN_FOLDERS and (inside := _yaml_files(file)):
                guess = did_you_mean(file.name, PLAN_FOLDERS)
                self.findings.append(
                    Finding(
                        shown_path(inside[0]),
                        1,
                        1,
                        Severity.WARNING,
                        f"the folder plans/{file.name}/ is not a plan folder: the files in it are ignored",
                        guess.replace("`?", "/`?") or where,
                        "unknown-file",
                    )
                )
        for folder in sorted(self.root.glob("contacts/*/")):
            if inside := _yaml_files(folder):
                self.findings.append(
                    Finding(
                        shown_path(inside[0]),
                        1,
                        1,
                        Severity.WARNING,
                        f"contacts/{folder.name}/ is a folder: the files in it are ignored",
                        "contacts are read only from the files directly in contacts/",
                        "unknown-file",
                    )
                )


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir() if f.suffix.lower() in YAML_SUFFIXES and f.is_file())
