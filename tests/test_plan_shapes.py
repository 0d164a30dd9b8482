"""Every shape of plan builds a complete site through `recovery-plan build` (issue 12: optional
parts are optional), or gets a located error saying what is required."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from plan_shapes import SHAPES, TODAY, write_shape
from pypdf import PdfReader

Built = tuple[Path, Path, subprocess.CompletedProcess[str]]  # plan, site, the build's run


def recovery_plan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Every shape written and built (two at a time), each as its author would."""
    folder = tmp_path_factory.mktemp("shapes")

    def one(name: str) -> Built:
        plan = write_shape(name, folder / name)
        return plan, plan / "site", recovery_plan("build", "--today", TODAY, cwd=plan)

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(SHAPES, pool.map(one, SHAPES), strict=True))


def _ids(plan: Path, kind: str) -> list[str]:
    return sorted(p.stem for p in (plan / "plans" / kind).glob("*.yaml"))


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_builds_a_complete_site(builds: dict[str, Built], shape: str) -> None:
    plan, site, run = builds[shape]
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    pages = [
        "index.html",
        "404.html",
        "contacts/index.html",
        "systems/index.html",
        "communications/index.html",
    ]
    pages += [f"scenarios/{s}/index.html" for s in _ids(plan, "scenarios")]
    pages += [f"systems/{s}/index.html" for s in _ids(plan, "systems")]
    pages += [f"{p.stem}/index.html" for p in (plan / "plans" / "pages").glob("*.md")]
    for page in pages:
        html = (site / page).read_text(encoding="utf-8")
        assert 'class="md-header' in html, f"{page} is not a page of the site's theme"
    home = (site / "index.html").read_text(encoding="utf-8")
    organisation = (plan / "plans" / "plan.yaml").read_text(encoding="utf-8").split("\n")[0]
    assert organisation.removeprefix("organisation: ") in home
    worker = (site / "sw.js").read_text(encoding="utf-8")
    assert '"index.html"' in worker and '"print/index.html"' in worker
    assert (site / "manifest.webmanifest").is_file() and (site / "print" / "index.html").is_file()
    for paper in ("A4", "Letter"):
        pdf = site / f"recovery-plan-{paper}.pdf"
        assert 1 <= len(PdfReader(pdf).pages) <= 2, f"{paper}: the sheet is not one or two pages"


def test_a_plan_without_pages_has_no_page_of_its_own(builds: dict[str, Built]) -> None:
    plan, site, run = builds["no-pages"]
    assert not (plan / "plans" / "pages").exists()
    assert run.returncode == 0 and not (site / "where-things-are").exists()
    assert (builds["one-system"][1] / "where-things-are" / "index.html").is_file()


@pytest.mark.parametrize(
    ("mkdocs_yml", "where", "message"),
    [
        (
            "site_name: x\ndocs_dir: our-pages\n",
            "mkdocs.yml:2:1",
            "docs_dir: the folder `our-pages` does not exist",
        ),
        (
            "INHERIT: config/base.yml\nsite_name: x\n",
            "mkdocs.yml:1:1",
            "INHERIT: the file `config/base.yml` does not exist",
        ),
    ],
)
def test_a_mkdocs_yml_that_names_what_is_missing_gets_a_located_error(
    tmp_path: Path, mkdocs_yml: str, where: str, message: str
) -> None:
    plan = write_shape("one-system", tmp_path / "plan")
    (plan / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    run = recovery_plan("build", "--today", TODAY, cwd=plan)
    assert run.returncode == 1
    assert f"{where}: error: {message}" in run.stderr
    assert "Traceback" not in run.stderr and not (plan / "site").exists()
