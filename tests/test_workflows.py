"""The GitHub Actions workflows: valid, calling only commands that exist, and runnable locally."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from helpers_publish import ROOT, copy_checkout

from generator.validate import validate_project

WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("pr.yml", "deploy.yml", "staleness.yml")


def _load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true; GitHub reads it as "on"
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _uses(workflow: dict, action: str) -> list[dict]:
    return [s for s in _steps(workflow) if s.get("uses", "").split("@")[0] == action]


def _commands(workflow: dict) -> list[list[str]]:
    """Every `recovery-plan ...` command line the workflow runs, as argv."""
    found = []
    for step in _steps(workflow):
        for line in step.get("run", "").splitlines():
            for part in line.split("&&"):
                argv = shlex.split(part, comments=True)
                if argv and argv[0] == "recovery-plan":
                    found.append(argv)
    return found


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _executable() -> list[str]:
    script = Path(sys.executable).with_name("recovery-plan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "generator.cli"]


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a workflow's command line as the workflow does, with this environment's tool."""
    return subprocess.run(
        _executable() + argv[1:],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
    )


@pytest.mark.parametrize("name", NAMES)
def test_workflow_is_well_formed(name: str) -> None:
    workflow = _load(name)
    assert workflow["name"] and workflow["on"] and workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        assert job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"actions/[\w-]+@v\d+", step["uses"]), step["uses"]
    assert workflow["permissions"] == {"contents": "read"}  # least privilege by default


def test_pull_requests_are_validated_with_annotations_built_and_attached() -> None:
    workflow = _load("pr.yml")
    assert "pull_request" in workflow["on"]
    commands = _commands(workflow)
    validate = next(c for c in commands if c[1] == "validate")
    build = next(c for c in commands if c[1] == "build")
    assert _option(validate, "--format") == "github"
    assert commands.index(validate) < commands.index(build)
    [upload] = _uses(workflow, "actions/upload-artifact")
    assert Path(upload["with"]["path"]) == Path(_option(build, "--site-dir"))
    [python] = _uses(workflow, "actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"


def test_main_is_deployed_with_the_official_pages_actions() -> None:
    workflow = _load("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    [build] = [c for c in _commands(workflow) if c[1] == "build"]
    assert "--strict" not in build  # a stale contact must not block publishing a fix
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert len(_uses(workflow, action)) == 1, action
    [artifact] = _uses(workflow, "actions/upload-pages-artifact")
    assert Path(artifact["with"]["path"]) == Path(_option(build, "--site-dir"))
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    [step] = deploy["steps"]
    assert step["id"] in deploy["environment"]["url"]


def test_freshness_runs_weekly_and_fails_on_warnings() -> None:
    workflow = _load("staleness.yml")
    [schedule] = workflow["on"]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # once a week
    assert "workflow_dispatch" in workflow["on"]
    [validate] = _commands(workflow)
    assert validate[1] == "validate" and "--strict" in validate


def test_every_command_the_workflows_run_exists() -> None:
    from generator.cli import _parser

    commands = [c for name in NAMES for c in _commands(_load(name))]
    assert {c[1] for c in commands} == {"validate", "build"}
    for argv in commands:
        assert (
            subprocess.run(
                _executable() + [argv[1], "--help"],
                capture_output=True,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            ).returncode
            == 0
        )
        _parser().parse_args(argv[1:])  # every option is one the CLI knows (exits otherwise)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_checkout(tmp_path_factory.mktemp("checkout"))


def test_the_workflows_commands_run_locally(checkout: Path) -> None:
    """What CI runs, run here on a fresh copy of the repository, with the same outcome."""
    validation = validate_project(checkout)
    assert not validation.errors
    seen = set()
    for name in NAMES:
        for argv in _commands(_load(name)):
            if tuple(argv) in seen:
                continue
            seen.add(tuple(argv))
            done = _run(argv, checkout)
            strict_fails = "--strict" in argv and bool(validation.findings)
            assert done.returncode == (1 if strict_fails else 0), (argv, done.stderr[-3000:])
            if argv[1] == "build":
                site = checkout / _option(argv, "--site-dir")
                assert (site / "index.html").is_file()
                assert list(site.glob("*.pdf")), "the printed sheet's PDFs go into the artifact"
            if "--format" in argv and validation.findings:
                assert done.stdout.startswith(("::warning ", "::error ")), done.stdout[:500]


def test_the_freshness_check_fails_once_contacts_go_stale(checkout: Path) -> None:
    plan = validate_project(checkout).plan
    assert plan is not None
    later = plan.today + timedelta(days=plan.review.contacts_every_days + 1)
    [argv] = _commands(_load("staleness.yml"))
    done = _run([*argv, "--today", later.isoformat()], checkout)
    assert done.returncode == 1
    assert "::warning file=contacts/" in done.stdout


def test_a_broken_plan_is_annotated_on_the_changed_line(checkout: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(checkout, broken, ignore=shutil.ignore_patterns("site"))
    system = sorted((broken / "plans" / "systems").glob("*.yaml"))[0]
    lines = system.read_text(encoding="utf-8").splitlines()
    lines.append("depnds_on: [power]")
    system.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [validate] = [c for c in _commands(_load("pr.yml")) if c[1] == "validate"]
    done = _run(validate, broken)
    assert done.returncode == 1
    relative = system.relative_to(broken).as_posix()
    assert any(
        line.startswith(f"::error file={relative},line={len(lines)},") for line in done.stdout.splitlines()
    ), done.stdout
