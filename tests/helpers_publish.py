"""Shared by the publishing, independence and workflow tests: minimal plans and git sandboxes."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

from generator.model import Communications, FirstHour, Plan, Review, SiteSettings

ROOT = Path(__file__).resolve().parents[1]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Plan Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.invalid",
    "GIT_COMMITTER_NAME": "Plan Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


def isolate_git(monkeypatch, tmp_path: Path) -> None:
    """Git in tests: a fixed identity, and none of the user's or the machine's git config."""
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    for name, value in {**GIT_ENV, "GIT_CONFIG_GLOBAL": str(empty)}.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=os.environ
    ).stdout.strip()


def init_repo(path: Path) -> Path:
    """A fresh repository at `path` with one commit of whatever is in it."""
    git("init", "-q", "-b", "main", str(path))
    git("add", "-A", cwd=path)
    git("commit", "-q", "--allow-empty", "-m", "Initial plan", cwd=path)
    return path


def copy_checkout(target: Path) -> Path:
    """What a fresh clone of this repository holds (its tracked and new, not ignored, files)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def tree_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (but .git/), by relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def minimal_plan(
    url: str = "https://harbour-dental.github.io/recovery/",
    company_domains: list[str] | None = None,
    expected_down: list[str] | None = None,
) -> Plan:
    """A plan with only what the site checks read: its site settings."""
    return Plan(
        organisation="Harbour Dental Group",
        site=SiteSettings(url=url, company_domains=company_domains or [], expected_down=expected_down or []),
        review=Review(last_reviewed=date(2026, 10, 1)),
        roles={},
        first_hour=FirstHour(),
        systems={},
        scenarios=[],
        contacts={},
        communications=Communications(update_every=None, audiences={}, templates={}),
        incidents=[],
        today=date(2026, 11, 1),
    )
