"""Hostile and careless input (issue 11): files from outside the project, values that would run
a command or leak a secret, numbers off the edge. Each case asserts the exact finding (file,
line, column, message) or proves that nothing harmful happened (no command run, no file read
from outside, no hang)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
from helpers_publish import git, init_repo, isolate_git
from helpers_validate import TODAY, Case, materialise, run_cli

from generator.loader import LoadError, read_bytes_safely, safe_files, unsafe_author_pages
from generator.model import Finding, Severity
from generator.publish import publish, remote_problem
from generator.validate import validate_project
from generator.values import BadValue, parse_email, parse_phone, parse_remote

UNSAFE_LINK_HINT = (
    "the plan reads and publishes only its own files: copy the file into the "
    "project instead of linking to it, or remove the link"
)
NOT_A_FILE_HINT = "remove it: plan files and pages are ordinary files saved in the project"
OPTION = "--upload-pack=touch pwned;:x"


@pytest.fixture
def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the corpus's valid plan, the working folder (messages show relative paths)."""
    root = materialise(Case("base", "none", ""), tmp_path / "plan")
    monkeypatch.chdir(root)
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def findings(root: Path) -> list[Finding]:
    return validate_project(root, TODAY).findings


def only(root: Path) -> Finding:
    [finding] = findings(root)
    return finding


def error(path: str, line: int, column: int, message: str, hint: str, code: str) -> Finding:
    return Finding(path, line, column, Severity.ERROR, message, hint, code)


def in_thread(work, seconds: float = 20):
    """`work()`'s result, failing (not hanging) when it takes longer than `seconds`."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(_outcome(work)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    outcome, value = result[0]
    if outcome == "raised":
        raise value
    return value


def _outcome(work):
    try:
        return "returned", work()
    except BaseException as raised:  # handed to the test's thread
        return "raised", raised


# -- files: only the project's own regular files are read --------------------------------------


def test_page_linked_to_the_environment_is_refused_and_never_published(plan: Path) -> None:
    pages = plan / "plans" / "pages"
    pages.mkdir()
    (pages / "env.md").symlink_to("/proc/self/environ")
    assert only(plan) == error(
        "plans/pages/env.md",
        1,
        1,
        "the file is a symbolic link to /proc/self/environ, outside the project: it is not read",
        UNSAFE_LINK_HINT,
        "unsafe-file",
    )
    # what the plugin keeps out of the site, among everything MkDocs found
    found = [str(pages / "env.md"), "/usr/share/theme/assets/site.js"]
    assert unsafe_author_pages(pages, found, plan) == {str(pages / "env.md")}


def test_a_link_out_that_appears_after_validation_is_never_published(
    plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin's own guard: the build's file list, not only the validator, keeps host files
    (here the environment, holding a canary token) and FIFOs out of the site."""
    from mkdocs.commands.build import build

    from generator.building import config_for

    monkeypatch.setenv("RECOVERY_PLAN_CANARY", "canary-7f3a9c")
    pages = plan / "plans" / "pages"
    pages.mkdir()
    (pages / "where.md").write_text("# Where things are\n")
    validation = validate_project(plan, TODAY)
    assert validation.errors == []
    (pages / "environment.md").symlink_to("/proc/self/environ")
    (pages / "environment.txt").symlink_to("/proc/self/environ")
    os.mkfifo(pages / "pipe.md")
    site = tmp_path / "site"
    with config_for(plan, site, today=TODAY) as config:
        config.plugins["recovery-plan"].validation = validation
        config.plugins.on_startup(command="build", dirty=False)
        try:
            in_thread(lambda: build(config), 300)
        finally:
            config.plugins.on_shutdown()
    published = [p for p in site.rglob("*") if p.is_file()]
    assert site / "where" / "index.html" in published
    assert not [p for p in published if "environment" in p.name or "pipe" in p.name]
    assert not [p for p in published if b"canary-7f3a9c" in p.read_bytes()]


def test_fifo_page_does_not_hang_validation(plan: Path) -> None:
    pages = plan / "plans" / "pages"
    pages.mkdir()
    os.mkfifo(pages / "pipe.md")
    run = run_cli("validate", ".", "--today", TODAY, cwd=plan)  # its own timeout: 120 s
    assert run.body == (
        "plans/pages/pipe.md:1:1: error: the file is a named pipe (FIFO), not a "
        f"regular file: it is not read\n  hint: {NOT_A_FILE_HINT}\n"
    )
    assert run.code == 1


def test_fifo_is_never_opened_even_when_read_directly(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(LoadError) as refused:
        in_thread(lambda: read_bytes_safely(tmp_path / "pipe.yaml", tmp_path, "pipe.yaml"))
    assert refused.value.finding.code == "unsafe-file"


def test_page_linked_to_dev_zero_is_refused_without_reading(plan: Path) -> None:
    (plan / "plans" / "pages").mkdir()
    (plan / "plans" / "pages" / "zero.md").symlink_to("/dev/zero")
    assert in_thread(lambda: only(plan)) == error(
        "plans/pages/zero.md",
        1,
        1,
        "the file is a symbolic link to /dev/zero, outside the project: it is not read",
        UNSAFE_LINK_HINT,
        "unsafe-file",
    )


def test_device_inside_the_project_is_not_a_file(tmp_path: Path) -> None:
    # /dev itself as the "project": the link resolves inside, but a device is never a plan file
    with pytest.raises(LoadError) as refused:
        in_thread(lambda: read_bytes_safely(Path("/dev/zero"), Path("/dev"), "zero.yaml"))
    assert refused.value.finding.message == "the file is a device, not a regular file: it is not read"


def test_folder_linked_from_outside_is_refused_and_its_files_not_read(plan: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secrets.md").write_text("password: Hunter22!\n")
    (plan / "plans" / "pages").mkdir()
    (plan / "plans" / "pages" / "shared").symlink_to(outside)
    assert only(plan) == error(
        "plans/pages/shared",
        1,
        1,
        f"the folder is a symbolic link to {outside}, outside the project: it is not read",
        UNSAFE_LINK_HINT,
        "unsafe-file",
    )
    inside_link = plan / "plans" / "pages" / "shared" / "secrets.md"
    assert unsafe_author_pages(plan / "plans" / "pages", [str(inside_link)], plan) == {str(inside_link)}


def test_contacts_folder_linked_from_outside(plan: Path, tmp_path: Path) -> None:
    (plan / "contacts").rename(tmp_path / "elsewhere")
    (plan / "contacts").symlink_to(tmp_path / "elsewhere")
    found = findings(plan)
    assert found[0] == error(
        "contacts",
        1,
        1,
        f"the folder is a symbolic link to {tmp_path / 'elsewhere'}, outside the project: it is not read",
        UNSAFE_LINK_HINT,
        "unsafe-file",
    )
    assert all(
        f.code in ("unsafe-file", "unknown-reference") or f.severity is Severity.WARNING for f in found
    )


def test_symlink_loop_is_a_located_error(plan: Path) -> None:
    contacts = plan / "contacts"
    (contacts / "a.yaml").symlink_to("b.yaml")
    (contacts / "b.yaml").symlink_to("a.yaml")
    loop = "the file is a symbolic link that loops back on itself"
    hint = "remove the link, or make it point to a file of the project"
    assert [f for f in findings(plan) if f.code == "unsafe-file"] == [
        error("contacts/a.yaml", 1, 1, loop, hint, "unsafe-file"),
        error("contacts/b.yaml", 1, 1, loop, hint, "unsafe-file"),
    ]


def test_folder_linked_to_its_own_parent_is_a_loop_not_a_hang(plan: Path) -> None:
    (plan / "plans" / "pages").mkdir()
    (plan / "plans" / "pages" / "again").symlink_to("..")
    assert in_thread(lambda: only(plan)) == error(
        "plans/pages/again",
        1,
        1,
        "the folder is a symbolic link to a folder that holds it (a loop)",
        "remove the link, or make it point to a file of the project",
        "unsafe-file",
    )


def test_dangling_link(plan: Path) -> None:
    (plan / "contacts" / "gone.yaml").symlink_to("nowhere.yaml")
    assert [f for f in findings(plan) if f.code == "unsafe-file"] == [
        error(
            "contacts/gone.yaml",
            1,
            1,
            "the file is a symbolic link to nowhere.yaml, which does not exist",
            "remove the link, or make it point to a file of the project",
            "unsafe-file",
        )
    ]


def test_links_that_stay_inside_the_project_are_read(plan: Path) -> None:
    (plan / "shared").mkdir()
    (plan / "contacts" / "people.yaml").rename(plan / "shared" / "people.yaml")
    (plan / "contacts" / "people.yaml").symlink_to("../shared/people.yaml")
    (plan / "plans" / "pages").mkdir()
    (plan / "shared" / "where.md").write_text("# Where things are\n")
    (plan / "plans" / "pages" / "where.md").symlink_to("../../shared/where.md")
    assert findings(plan) == []
    files, problems = safe_files(plan, plan / "plans" / "pages", (".md",), recursive=True)
    assert (files, problems) == ([plan / "plans" / "pages" / "where.md"], [])


def test_page_over_one_mebibyte(plan: Path) -> None:
    (plan / "plans" / "pages").mkdir()
    (plan / "plans" / "pages" / "big.md").write_bytes(b"# Big\n" + b"x" * (1024 * 1024))
    assert only(plan) == error(
        "plans/pages/big.md",
        1,
        1,
        "the file is 1,048,582 bytes; plan files are limited to 1 MiB (1,048,576 bytes)",
        "split it into several files, or remove pasted content",
        "file-too-large",
    )


def test_huge_number_is_located_not_a_traceback(plan: Path) -> None:
    edit(plan, "plans/systems/power.yaml", "tier: ", "tier: " + "9" * 5000 + "\n# ")
    assert only(plan) == error(
        "plans/systems/power.yaml",
        2,
        7,
        "this number has 5,000 digits: no value in a plan needs so many",
        "check the value; if it is a reference, put it in quotes",
        "out-of-range",
    )


# -- values that would leak or mislead ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message", "hint"),
    [
        (
            "alice@example.com?bcc=spy@evil.example",
            "the email address holds `?`, which a mailto link "
            "reads as the start of other fields (a hidden copy to someone else, a prepared message)",
            "write one plain address, e.g. `name@example.com`",
        ),
        (
            "alice?bcc=spy@evil.example",
            "the email address holds `?`, which a mailto link reads as the "
            "start of other fields (a hidden copy to someone else, a prepared message)",
            "write one plain address, e.g. `name@example.com`",
        ),
        (
            "alice@example.com, bob@example.com",
            "`alice@example.com, bob@example.com` is more than one email address",
            "give one address in `email:`; put the others in `notes`",
        ),
        (
            "Alice <alice@example.com>",
            "`Alice <alice@example.com>` has a name around the email address",
            "write only the address: `alice@example.com`",
        ),
        (
            "alice@ex ample.com",
            "`alice@ex ample.com` is not an email address",
            "write it as name@example.com",
        ),
    ],
)
def test_email_is_one_plain_address(written: str, message: str, hint: str) -> None:
    with pytest.raises(BadValue) as bad:
        parse_email(written)
    assert (bad.value.message, bad.value.hint) == (message, hint)


def test_password_in_site_url_is_a_secret_and_not_repeated(plan: Path) -> None:
    edit(plan, "plans/plan.yaml", "https://ledger-co", "https://deploy:s3cr3t-Pw@ledger-co")
    found = only(plan)
    assert (found.path, found.line, found.column, found.code) == ("plans/plan.yaml", 5, 8, "secret")
    assert "s3cr3t-Pw" not in str(found) and "deploy" not in str(found)


def test_token_as_user_name_in_a_step_link_is_a_secret(plan: Path) -> None:
    edit(
        plan,
        "plans/scenarios/internet-down.yaml",
        "Report the fault",
        "Open https://tok3n-abc@status.netco.example/ and report the fault",
    )
    found = only(plan)
    assert (found.path, found.line, found.column, found.code) == (
        "plans/scenarios/internet-down.yaml",
        9,
        9,
        "secret",
    )
    assert "tok3n" not in str(found)


def test_ssh_user_name_alone_is_not_a_secret(plan: Path) -> None:
    edit(
        plan,
        "plans/plan.yaml",
        "  timezone: Europe/London\n",
        '  timezone: Europe/London\n  mirrors: ["ssh://git@codeberg.org/ledger/site.git", '
        '"git@github.com:ledger/site.git"]\n',
    )
    assert findings(plan) == []


@pytest.mark.parametrize(
    ("domain", "url"),
    [
        ("bücher.example", "https://plan.xn--bcher-kva.example/"),
        ("xn--bcher-kva.example", "https://plan.BÜCHER.example/"),
        ("LedgerCo.Example.", "https://ledgerco.example./recovery/"),
        ('"*.ledgerco.example"', "https://ledgerco.example/"),
    ],
)
def test_company_domain_spellings_are_one_domain(plan: Path, domain: str, url: str) -> None:
    edit(plan, "plans/plan.yaml", "[ledgerco.example]", f"[{domain}]")
    edit(plan, "plans/plan.yaml", "https://ledger-co.github.io/recovery/", url)
    errors = [f for f in findings(plan) if f.severity is Severity.ERROR]
    assert [(f.path, f.line, f.code) for f in errors] == [("plans/plan.yaml", 5, "company-dependence")]


def test_host_that_only_ends_like_a_company_domain_is_not_on_it(plan: Path) -> None:
    edit(
        plan,
        "plans/plan.yaml",
        "https://ledger-co.github.io/recovery/",
        "https://notledgerco.example/recovery/",
    )
    assert findings(plan) == []


def test_role_named_like_a_contact(plan: Path) -> None:
    edit(plan, "plans/plan.yaml", "  deputy: bob\n", "  deputy: bob\n  carol: bob\n")
    assert only(plan) == error(
        "plans/plan.yaml",
        19,
        3,
        "the role `carol` has the name of the contact `carol`: every "
        "`carol` in the plan would mean the role's holder `bob`",
        "give the role a name that says what it does, e.g. `deputy` or `it_lead`",
        "role-shadows-contact",
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "plans/plan.yaml",
            "contacts_every_days: 90",
            "contacts_every_days: 99999999999999999999",
            "`contacts_every_days` is 99999999999999999999, but must be between 1 and 3650",
        ),
        (
            "plans/plan.yaml",
            "restore_test_every_days: 90",
            "restore_test_every_days: 4000",
            "`restore_test_every_days` is 4000, but must be between 1 and 3650",
        ),
        (
            "plans/plan.yaml",
            "  timezone: Europe/London\n",
            "  timezone: Europe/London\n  stale_after_days: 1000000\n",
            "`stale_after_days` is 1000000, but must be between 1 and 3650",
        ),
        (
            "plans/systems/internet.yaml",
            "rpo: 0",
            "rpo: 5000d",
            "`5000d` is longer than ten years: durations are at most `3650d`",
        ),
        (
            "plans/communications.yaml",
            "update_every: 30m",
            "update_every: 9999999999h",
            "`9999999999h` is longer than ten years: durations are at most `3650d`",
        ),
    ],
)
def test_numbers_off_the_edge_are_located_errors(
    plan: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(plan, file, old, new)
    run = run_cli("validate", ".", "--today", TODAY, cwd=plan)
    assert "Traceback" not in run.stderr + run.stdout
    [found] = findings(plan)
    assert (found.path, found.severity, found.message, found.code) == (
        file,
        Severity.ERROR,
        message,
        "out-of-range",
    )


@pytest.mark.parametrize(
    ("number", "region", "message"),
    [
        (
            "112",
            "NO",
            "112 is an emergency number (in NO): write it in a step's text, not as a contact's phone",
        ),
        (
            "113",
            "NO",
            "113 is an emergency number (in NO): write it in a step's text, not as a contact's phone",
        ),
        (
            "110",
            "DE",
            "110 is an emergency number (in DE): write it in a step's text, not as a contact's phone",
        ),
        (
            "1177",
            "SE",
            "1177 is a short number (in SE), which dials only inside its country and not "
            "from every phone: a contact's phone must be a full number",
        ),
        (
            "116 117",
            "DE",
            "116117 is a short number (in DE), which dials only inside its country and "
            "not from every phone: a contact's phone must be a full number",
        ),
    ],
)
def test_short_and_emergency_numbers_are_explained(number: str, region: str, message: str) -> None:
    with pytest.raises(BadValue) as bad:
        parse_phone(number, region)
    assert bad.value.message == message
    assert "check the digits" not in bad.value.hint


# -- values passed to git -------------------------------------------------------------------------

HOSTILE_REMOTES = [
    OPTION,
    "-oProxyCommand=touch pwned",
    "ext::sh -c touch% pwned",
    "origin --force",
    "fd::3",
    "git@-oProxyCommand=x:repo",
    "http://example.org/x.git",
    "origin\x07",
    "https://ci:tok@git.example.org/x.git",
]


@pytest.mark.parametrize("remote", HOSTILE_REMOTES)
def test_validate_refuses_every_remote_publish_refuses(plan: Path, remote: str) -> None:
    edit(
        plan,
        "plans/plan.yaml",
        "  timezone: Europe/London\n",
        f"  timezone: Europe/London\n  mirrors: [{json.dumps(remote)}]\n",
    )
    assert remote_problem(remote)
    found = [f for f in findings(plan) if f.severity is Severity.ERROR]
    assert [(f.path, f.line) for f in found] == [("plans/plan.yaml", 10)]
    assert "tok" not in found[0].message


def test_remotes_that_are_fine() -> None:
    for remote in (
        "origin",
        "codeberg",
        "https://github.com/ledger/site.git",
        "ssh://git@codeberg.org/ledger/site.git",
        "git@github.com:ledger/site.git",
    ):
        assert parse_remote(remote) == remote
    assert parse_remote("../mirror.git", paths=True) == "../mirror.git"
    with pytest.raises(BadValue):
        parse_remote("../mirror.git")  # a path only from the command line, never from the plan


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path)
    git("init", "-q", "--bare", str(tmp_path / "remote.git"))
    return tmp_path / "remote.git"


def test_publish_runs_no_option_given_as_a_remote(
    tmp_path: Path, bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<title>Plan</title>\n")
    monkeypatch.chdir(tmp_path)
    results = publish(site, [OPTION, str(bare)])
    assert [r.ok for r in results] == [False, True]
    assert results[0].error == (
        "the mirror `--upload-pack=touch pwned;:x` is not a git remote: "
        "it starts with `-`, so git would read it as an option (one can "
        "run a command)"
    )
    assert not list(tmp_path.rglob("pwned"))


def test_publish_command_refuses_an_option_as_remote_and_runs_nothing(tmp_path: Path, bare: Path) -> None:
    root = materialise(Case("base", "none", ""), tmp_path / "plan")
    init_repo(root)
    git("remote", "add", "origin", str(bare), cwd=root)
    run = run_cli(
        "publish",
        ".",
        "--today",
        TODAY,
        "--remote",
        OPTION,
        cwd=root,
        env={k: v for k, v in os.environ.items() if k.startswith("GIT_")},
    )
    assert run.code == 2
    assert run.stderr.startswith(
        "error: the mirror `--upload-pack=touch pwned;:x` is not a git remote: it starts with `-`"
    )
    assert "Nothing was published." in run.stderr
    assert not list(tmp_path.rglob("pwned"))
    assert git("--git-dir", str(bare), "for-each-ref") == ""


def test_git_itself_runs_nothing_after_double_dash(tmp_path: Path, bare: Path) -> None:
    """The second defence: even unvalidated, a value after `--` is a repository, not an option."""
    done = subprocess.run(
        ["git", "ls-remote", "--", OPTION],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=60,
    )
    assert done.returncode != 0
    assert not list(tmp_path.rglob("pwned"))


def test_no_traceback_for_a_branch_given_as_an_option(tmp_path: Path, bare: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(ValueError, match="cannot be a branch name: it starts with `-`"):
        publish(site, [str(bare)], branch="--delete")
    assert git("--git-dir", str(bare), "for-each-ref") == ""
