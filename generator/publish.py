"""Publish the built site to a branch of one or more git remotes (GitHub, GitLab, Codeberg Pages).

The commit is made with git's plumbing, from the files of the site folder, through a temporary
index: the user's work tree, index, HEAD and branches are never touched. Its parent is the
remote branch's current tip, so the branch keeps its history and nothing is ever force-pushed.
Each mirror is published on its own: one that fails does not stop the others.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.values import BadValue, parse_branch, parse_remote

NETWORK_TIMEOUT = 300  # seconds for one fetch or push
FALLBACK_IDENTITY = {"NAME": "recovery-plan", "EMAIL": "recovery-plan@localhost"}
SCRATCH_REF = "refs/recovery-plan/publish-{pid}"


@dataclass
class PublishResult:
    """What happened to one mirror."""

    remote: str
    ok: bool
    commit: str = ""  # the branch's tip after publishing
    error: str = ""
    changed: bool = True  # False: the branch already held exactly this site

    def __str__(self) -> str:
        if not self.ok:
            return f"FAILED {self.remote}: {self.error}"
        note = "" if self.changed else " (already up to date)"
        return f"published to {self.remote} at {self.commit}{note}"


class GitError(Exception):
    """A git command failed; the message is git's own explanation."""


class _Git:
    """Runs git on one repository's object store, with a private index, never a work tree."""

    def __init__(self, git_dir: Path, scratch: Path, cwd: Path):
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX")
        }
        self.env.update({"GIT_DIR": str(git_dir), "GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"})
        self.cwd = cwd  # where remote URLs that are relative paths start from
        self.index = scratch / "index"

    def __call__(
        self, *args: str, stdin: str | bytes | None = None, index: bool = False, timeout: float | None = None
    ) -> str:
        env = {**self.env, "GIT_INDEX_FILE": str(self.index)} if index else self.env
        data = stdin.encode() if isinstance(stdin, str) else stdin
        try:
            done = subprocess.run(
                ["git", *args], cwd=self.cwd, env=env, input=data, capture_output=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as error:
            raise GitError(f"git {args[0]} gave no answer in {timeout:.0f} s") from error
        if done.returncode:
            raise GitError(
                _explanation(done.stderr.decode(errors="replace"))
                or f"git {args[0]} failed with status {done.returncode}"
            )
        return done.stdout.decode(errors="replace").strip()

    def ensure_identity(self) -> None:
        """Use the user's name and e-mail for the commit; a neutral one where git has none."""
        for who in ("AUTHOR", "COMMITTER"):
            try:
                self("var", f"GIT_{who}_IDENT")
            except GitError:
                for key, value in FALLBACK_IDENTITY.items():
                    self.env.setdefault(f"GIT_{who}_{key}", value)


def _explanation(stderr: str) -> str:
    """git's reasons (its fatal:, error: and rejection lines), without its hints."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    reasons = [line for line in lines if line.startswith(("fatal:", "error:", "!"))] or lines
    return " ".join(line.removeprefix("fatal: ") for line in reasons[:3])


def publish(
    site_dir: Path,
    remotes: Sequence[str],
    branch: str = "gh-pages",
    message: str | None = None,
    repo: Path | None = None,
) -> list[PublishResult]:
    """Push `site_dir` to `branch` of each remote: a remote name of `repo`, a URL or a path.

    `repo` is the project's git repository: its remote names and git configuration
    (credentials, URL rewrites) apply, and the site's objects are written into it. Without one,
    a scratch repository is used, and remotes must be URLs or paths.

    Every remote and the branch are checked by the validator's own rules (`parse_remote`,
    `parse_branch`: never an option, a helper program or a password) and passed to git after
    `--`; a remote refused is a failed result, and nothing runs for it.
    """
    try:
        branch = parse_branch(branch)
    except BadValue as bad:
        raise ValueError(bad.message) from None
    site_dir = site_dir.resolve()
    if not site_dir.is_dir():
        raise ValueError(f"{site_dir} is not a folder: build the site first")
    with tempfile.TemporaryDirectory(prefix="recovery-plan-publish-") as temp:
        scratch = Path(temp)
        if repo is None:
            git_dir, cwd = scratch / "scratch.git", Path.cwd()
            subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True, capture_output=True)
            names: set[str] = set()
        else:
            git_dir = Path(_run_git(repo, "rev-parse", "--absolute-git-dir"))
            cwd = Path(_run_git(repo, "rev-parse", "--show-toplevel"))
            names = set(_run_git(repo, "remote").split())
        git = _Git(git_dir, scratch, cwd)
        git.ensure_identity()
        tree = _write_tree(git, site_dir)
        message = message or _default_message(repo)
        return [
            _publish_one(
                git,
                remote,
                remote if remote in names else _as_url(remote),
                branch,
                tree,
                message,
                site_has_cname=(site_dir / "CNAME").is_file(),
            )
            if not (refused := remote_problem(remote))
            else PublishResult(remote, False, error=refused)
            for remote in remotes
        ]


def remote_problem(remote: str) -> str:
    """Why `remote` must not be given to git (`parse_remote`'s message), or ""."""
    try:
        parse_remote(remote, paths=True)
    except BadValue as bad:
        return bad.message
    return ""


def _publish_one(
    git: _Git, shown: str, target: str, branch: str, tree: str, message: str, site_has_cname: bool
) -> PublishResult:
    scratch_ref = SCRATCH_REF.format(pid=os.getpid())
    try:
        parent = _remote_tip(git, target, branch, scratch_ref)
        if parent and not site_has_cname:
            tree = _keep_cname(git, tree, parent)
        if parent and git("rev-parse", f"{parent}^{{tree}}") == tree:
            return PublishResult(shown, True, parent, changed=False)
        commit = git("commit-tree", tree, *(["-p", parent] if parent else []), stdin=message)
        git("push", "--quiet", "--", target, f"{commit}:refs/heads/{branch}", timeout=NETWORK_TIMEOUT)
        return PublishResult(shown, True, commit)
    except GitError as error:
        return PublishResult(shown, False, error=str(error))
    finally:
        with contextlib.suppress(GitError):  # there is none when the branch was new
            git("update-ref", "-d", scratch_ref)


def _remote_tip(git: _Git, target: str, branch: str, scratch_ref: str) -> str:
    """The remote branch's tip, fetched so it can be the parent; "" when the branch is new."""
    listed = git("ls-remote", "--", target, f"refs/heads/{branch}", timeout=NETWORK_TIMEOUT)
    if not listed:
        return ""
    git(
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--",
        target,
        f"+refs/heads/{branch}:{scratch_ref}",
        timeout=NETWORK_TIMEOUT,
    )
    return git("rev-parse", "--verify", f"{scratch_ref}^{{commit}}")


def _write_tree(git: _Git, site_dir: Path) -> str:
    """Store every file of the site as it is (no line-ending or attribute filters); the tree id.

    Adds an empty ``.nojekyll`` so that GitHub Pages serves the files as they are (Jekyll would
    hide the folders whose names start with ``_``).
    """
    files: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(site_dir):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            path = Path(folder, name)
            relative = path.relative_to(site_dir).as_posix()
            if "\n" in relative:
                raise ValueError(f"cannot publish a file whose name holds a line break: {path}")
            files.append((relative, path))
    blobs = git(
        "hash-object", "-w", "--no-filters", "--stdin-paths", stdin="".join(f"{path}\n" for _, path in files)
    ).split()
    entries = [
        f"{'100755' if os.access(path, os.X_OK) else '100644'} {blob}\t{relative}\x00"
        for (relative, path), blob in zip(files, blobs, strict=True)
    ]
    if not (site_dir / ".nojekyll").exists():
        empty = git("hash-object", "-w", "--stdin", stdin="")
        entries.append(f"100644 {empty}\t.nojekyll\x00")
    git("update-index", "-z", "--index-info", stdin="".join(entries), index=True)
    return git("write-tree", index=True)


def _keep_cname(git: _Git, tree: str, parent: str) -> str:
    """Carry over the custom-domain file GitHub writes to the branch when the site has none."""
    try:
        cname = git("rev-parse", "--verify", "--quiet", f"{parent}:CNAME")
    except GitError:
        return tree
    listing = git("ls-tree", "-z", tree).rstrip("\x00")
    return git("mktree", "-z", stdin=f"{listing}\x00100644 blob {cname}\tCNAME\x00")


def _as_url(remote: str) -> str:
    """A remote given as a URL stays as it is; a path becomes absolute."""
    if "://" in remote or (":" in remote and not os.path.exists(remote) and not Path(remote).drive):
        return remote  # https://..., ssh://..., git@host:path
    return str(Path(remote).resolve())


def _default_message(repo: Path | None) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = ""
    if repo is not None:
        with contextlib.suppress(GitError):  # a repository without commits has no HEAD
            source = f" from {_run_git(repo, 'rev-parse', '--short', 'HEAD')}"
    return f"Publish the recovery plan site{source}\n\nPublished by recovery-plan on {stamp}.\n"


def _run_git(repo: Path, *args: str, strip: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        raise GitError(_explanation(done.stderr) or f"git {args[0]} failed")
    return done.stdout.strip() if strip else done.stdout


def repository_root(path: Path) -> Path | None:
    """The top folder of the git work tree holding `path`, or None when it is in none."""
    try:
        return Path(_run_git(path, "rev-parse", "--show-toplevel"))
    except (GitError, OSError):
        return None


def dirty_paths(root: Path, site_dir: Path | None = None) -> list[str]:
    """Changed or new files of the project at `root` (as ``git status`` shows them), leaving
    out the built site and the build's staging folders."""
    top = Path(_run_git(root, "rev-parse", "--show-toplevel")).resolve()
    ignored = [Path(root, "site").resolve(), *([site_dir.resolve()] if site_dir else [])]
    output = _run_git(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        str(root.resolve()),
        strip=False,
    )
    records = output.split("\x00")
    paths: list[str] = []
    skip_next = False
    for record in records:
        if skip_next or not record:
            skip_next = False
            continue
        status, path = record[:2], record[3:]
        skip_next = "R" in status or "C" in status  # the original path of a rename follows
        absolute = top / path
        if any(absolute == d or d in absolute.parents for d in ignored):
            continue
        if any(part.startswith(".site-staging-") for part in Path(path).parts):
            continue
        paths.append(path)
    return paths


def work_tree_is_dirty(root: Path, site_dir: Path | None = None) -> bool:
    """True when the project has changes that are not committed (the site folder aside)."""
    return bool(dirty_paths(root, site_dir))


# --- the checks before `recovery-plan publish` builds -------------------------------------------


class PublishRefused(Exception):
    """Publishing cannot start (nothing was built or pushed); the message says what to do."""


def check_repository(root: Path, site_dir: Path, *, allow_dirty: bool, shown: Path) -> None:
    """Refuse a project that is not in a git repository, or (unless `allow_dirty`) has changes
    that are not committed. `shown`: the project's path as the user gave it."""
    if not root.is_dir():
        raise PublishRefused(f"{shown} is not a folder")
    if repository_root(root) is None:
        raise PublishRefused(
            f"{shown} is not in a git repository: publishing pushes the site "
            "to a git remote (run `git init`, commit the plan, and add a remote)"
        )
    if not allow_dirty and (dirty := dirty_paths(root, site_dir)):
        listed = "\n".join(f"  {p}" for p in dirty[:10]) + ("\n  ..." if len(dirty) > 10 else "")
        raise PublishRefused(
            f"these files have changes that are not committed:\n{listed}\n"
            "commit them first, so that the published site matches the plan "
            "in git, or pass --allow-dirty"
        )


def check_targets(root: Path, remotes: Sequence[str], branch: str | None, *, named: bool) -> None:
    """Refuse remotes and a branch that must not be given to git, and (when `named`: the plan
    is valid) remote names the repository does not have."""
    refused = [f"{problem}\n  hint: {_REMOTE_FIX}" for r in remotes if (problem := remote_problem(r))]
    if branch and (problem := _branch_problem(branch)):
        refused.append(problem)
    if refused:
        raise PublishRefused("\n".join(refused) + "\nNothing was published.")
    known = set(_run_git(root, "remote").split())
    missing = [r for r in remotes if r not in known and not _looks_like_location(r)]
    if named and missing:
        raise PublishRefused(
            f"this repository has no remote named {', '.join(missing)}: add it "
            f"(git remote add {missing[0]} URL), or pass --remote NAME_OR_URL"
        )


_REMOTE_FIX = (
    "give a git remote's name (`origin`), an `https://` or `ssh://` address, "
    "`git@host:owner/repo.git`, or a local path"
)


def _branch_problem(branch: str) -> str:
    try:
        parse_branch(branch)
    except BadValue as bad:
        return f"{bad.message}\n  hint: {bad.hint}"
    return ""


def _looks_like_location(remote: str) -> bool:
    """A URL or a path, as opposed to the name of a remote."""
    return any(mark in remote for mark in ("/", ":", "\\")) or remote.endswith(".git")
