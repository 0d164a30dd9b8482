"""Publishing the built site to git remotes: real repositories, no mocks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_publish import copy_checkout, git, init_repo, isolate_git, tree_files

from generator.publish import dirty_paths, publish, work_tree_is_dirty

PNG = bytes(range(256)) * 4 + b"\r\n\x00\x1a"  # every byte value, CR LF and NUL included


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)


def _write(folder: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
    return folder


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "site",
        {
            "index.html": "<!doctype html>\r\n<title>Plan</title>\r\n",  # CR LF kept as is
            "assets/stylesheets/site.css": "body { color: #222 }\n",
            "assets/images/icon.png": PNG,
            "_internal/hidden-by-jekyll.js": "// served only with .nojekyll\n",
            "contacts/vcards/zoë.vcf": "BEGIN:VCARD\r\nFN:Zoë\r\nEND:VCARD\r\n",
            "print/plan sheet.pdf": b"%PDF-1.7\n" + PNG,
            "sw.js": "self.addEventListener('install', () => {});\n",
        },
    )


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(bare))
    return bare


def _clone(remote: Path, into: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    git("clone", "-q", "--branch", branch, str(remote), str(into))
    return tree_files(into)


def _history(remote: Path, branch: str = "gh-pages") -> list[list[str]]:
    """[[commit, parents...], ...], newest first."""
    log = git("--git-dir", str(remote), "log", "--format=%H %P", branch)
    return [line.split() for line in log.splitlines()]


def test_published_branch_holds_the_site_byte_for_byte(site: Path, remote: Path, tmp_path: Path) -> None:
    [result] = publish(site, [str(remote)])
    assert result.ok, result.error
    assert _history(remote) == [[result.commit]]
    assert _clone(remote, tmp_path / "clone") == {**tree_files(site), ".nojekyll": b""}
    assert str(result) == f"published to {remote} at {result.commit}"


def test_bytes_are_kept_whatever_the_users_line_ending_settings(
    site: Path, remote: Path, tmp_path: Path
) -> None:
    config = tmp_path / "crlf-gitconfig"
    config.write_text("[core]\n\tautocrlf = true\n\tsafecrlf = true\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(config)  # restored by monkeypatch (isolate_git)
    [result] = publish(site, [str(remote)])
    assert result.ok, result.error
    for name, content in tree_files(site).items():
        blob = subprocess.run(
            ["git", "--git-dir", str(remote), "show", f"gh-pages:{name}"], capture_output=True, check=True
        ).stdout
        assert blob == content, name


def test_publishing_again_adds_a_commit_on_top(site: Path, remote: Path, tmp_path: Path) -> None:
    [first] = publish(site, [str(remote)], message="First")
    (site / "index.html").write_text("<!doctype html>\n<title>Plan, revised</title>\n")
    (site / "sw.js").unlink()
    _write(site, {"systems/new/index.html": "<p>new</p>"})
    [second] = publish(site, [str(remote)], message="Second")
    assert first.ok and second.ok and second.changed
    assert _history(remote) == [[second.commit, first.commit], [first.commit]]
    assert _clone(remote, tmp_path / "clone") == {**tree_files(site), ".nojekyll": b""}
    subjects = git("--git-dir", str(remote), "log", "--format=%s", "gh-pages").splitlines()
    assert subjects == ["Second", "First"]

    [third] = publish(site, [str(remote)])  # nothing changed: no empty commit
    assert third.ok and not third.changed and third.commit == second.commit
    assert len(_history(remote)) == 2
    assert "already up to date" in str(third)


def test_an_unreachable_mirror_fails_visibly_and_the_others_are_published(
    site: Path, remote: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-mirror.git"
    second = tmp_path / "second.git"
    git("init", "-q", "--bare", str(second))
    results = publish(site, [str(missing), str(remote), str(second)])
    assert [r.ok for r in results] == [False, True, True]
    assert str(missing) in results[0].error
    assert str(results[0]).startswith(f"FAILED {missing}: ")
    assert _history(remote) == [[results[1].commit]]
    assert _history(second) == [[results[2].commit]]
    assert not missing.exists()


def test_a_branch_moved_by_someone_else_is_built_upon(site: Path, remote: Path, tmp_path: Path) -> None:
    [first] = publish(site, [str(remote)])
    other = tmp_path / "other-site"
    [theirs] = publish(_write(other, {"index.html": "theirs"}), [str(remote)])
    [ours] = publish(site, [str(remote)])
    assert ours.ok
    assert _history(remote) == [[ours.commit, theirs.commit], [theirs.commit, first.commit], [first.commit]]


def test_the_custom_domain_file_on_the_branch_is_kept(site: Path, remote: Path, tmp_path: Path) -> None:
    with_domain = _write(tmp_path / "with-domain", {"index.html": "x", "CNAME": "plan.example.org\n"})
    assert publish(with_domain, [str(remote)])[0].ok  # as GitHub does when a domain is set
    assert publish(site, [str(remote)])[0].ok
    files = _clone(remote, tmp_path / "clone")
    assert files["CNAME"] == b"plan.example.org\n"
    assert files == {**tree_files(site), ".nojekyll": b"", "CNAME": b"plan.example.org\n"}
    _write(site, {"CNAME": "recovery.example.net\n"})  # the site's own CNAME wins
    assert publish(site, [str(remote)])[0].ok
    assert git("--git-dir", str(remote), "show", "gh-pages:CNAME") == "recovery.example.net"


def test_publishing_from_a_project_never_touches_its_work_tree_index_or_branches(
    site: Path, remote: Path, tmp_path: Path
) -> None:
    project = _write(tmp_path / "project", {"plans/plan.yaml": "organisation: X\n", ".gitignore": "site/\n"})
    init_repo(project)
    git("remote", "add", "origin", os.path.relpath(remote, project), cwd=project)  # ../remote.git
    _write(project, {"plans/plan.yaml": "organisation: X (edited)\n", "notes.txt": "draft"})
    git("add", "notes.txt", cwd=project)  # staged, so the index holds something of the user's

    def state() -> tuple:
        return (
            git("rev-parse", "HEAD", cwd=project),
            git("status", "--porcelain", cwd=project),
            (project / ".git" / "index").read_bytes(),
            git(
                "for-each-ref",
                "--format=%(refname)",
                "refs/heads",
                "refs/tags",
                "refs/recovery-plan",
                cwd=project,
            ),
            (project / "plans/plan.yaml").read_text(),
        )

    before = state()
    [result] = publish(site, ["origin"], repo=project)
    assert result.ok, result.error
    assert state() == before
    head = git("rev-parse", "--short", "HEAD", cwd=project)
    assert (
        git("--git-dir", str(remote), "log", "-1", "--format=%s", "gh-pages")
        == f"Publish the recovery plan site from {head}"
    )
    assert result.remote == "origin"


def test_a_neutral_identity_is_used_when_git_has_none(
    site: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        for key in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{who}_{key}")
    monkeypatch.setenv("EMAIL", "")
    [result] = publish(site, [str(remote)])
    assert result.ok, result.error
    assert git("--git-dir", str(remote), "log", "-1", "--format=%an", "gh-pages") == "recovery-plan"


def test_dirty_paths_see_plan_changes_but_not_the_built_site(tmp_path: Path) -> None:
    project = _write(
        tmp_path / "project", {"plans/plan.yaml": "organisation: X\n", "contacts/people.yaml": "[]\n"}
    )
    init_repo(project)
    assert dirty_paths(project) == [] and not work_tree_is_dirty(project)
    _write(
        project,
        {
            "site/index.html": "built",
            "public/index.html": "built",
            ".site-staging-site/index.html": "half built",
        },
    )
    assert dirty_paths(project, project / "public") == []
    _write(project, {"plans/plan.yaml": "organisation: Y\n", "plans/systems/new.yaml": "x"})
    assert dirty_paths(project, project / "public") == ["plans/plan.yaml", "plans/systems/new.yaml"]
    git("mv", "contacts/people.yaml", "contacts/staff.yaml", cwd=project)
    assert "contacts/staff.yaml" in dirty_paths(project)
    assert work_tree_is_dirty(project)


# --- the `recovery-plan publish` command, on a copy of the example plan --------------------------

cli = pytest.importorskip("generator.cli", reason="the CLI is written by the lead")
pytest.importorskip("generator.building", reason="build_site is written by the lead")


@pytest.fixture
def example(tmp_path: Path, remote: Path) -> Path:
    project = init_repo(copy_checkout(tmp_path / "example"))
    git("remote", "add", "origin", str(remote), cwd=project)
    return project


def test_publish_command_builds_and_publishes_the_example(
    example: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreachable = tmp_path / "gone.git"
    status = cli.main(["publish", str(example), "--remote", "origin", "--remote", str(unreachable)])
    out, err = capsys.readouterr()
    tip = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    assert f"published to origin at {tip}" in out.splitlines()
    assert f"FAILED {unreachable}: " in err
    assert status == 1  # one mirror failed
    assert _clone(remote, tmp_path / "clone") == {**tree_files(example / "site"), ".nojekyll": b""}
    assert git("status", "--porcelain", cwd=example) == ""


def test_a_plan_with_errors_is_never_published(
    example: Path, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = example / "plans" / "plan.yaml"
    plan.write_text(plan.read_text() + "\ncolour_scheme: red\n")  # an unknown key: an error
    assert cli.main(["publish", str(example)]) == 2  # uncommitted change: refused
    status = cli.main(["publish", str(example), "--allow-dirty"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "colour_scheme" in err + out
    assert "Nothing was published." in err
    assert git("--git-dir", str(remote), "for-each-ref") == ""
    assert not (example / "site").exists()


def test_publish_command_refuses_what_it_cannot_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_repo = copy_checkout(tmp_path / "plain")
    assert cli.main(["publish", str(not_a_repo)]) == 2
    assert "not in a git repository" in capsys.readouterr().err
    no_remote = init_repo(copy_checkout(tmp_path / "no-remote"))
    assert cli.main(["publish", str(no_remote)]) == 2
    assert "no remote named origin" in capsys.readouterr().err
    assert not (no_remote / "site").exists()
