"""`recovery-plan build` over a folder of client plans: parallel, isolated failures, a summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.plangen import TODAY, write_plan


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_one_broken_client_does_not_stop_the_others(tmp_path: Path) -> None:
    clients = tmp_path / "clients"
    for name, size in (("alpha-dental", 4), ("beta-accounts", 6), ("gamma-broken", 3)):
        write_plan(clients / name, size)
    broken = clients / "gamma-broken" / "plans" / "systems" / "system-1.yaml"
    broken.write_text(broken.read_text().replace("tier:", "teir:"))

    result = _run("build", "clients", "--out", "sites", "--jobs", "2", "--today", TODAY, cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for good in ("alpha-dental", "beta-accounts"):
        assert (tmp_path / "sites" / good / "index.html").is_file()
        assert (tmp_path / "sites" / good / "sw.js").is_file()
    assert not (tmp_path / "sites" / "gamma-broken").exists()
    assert "[3/3]" in result.stderr  # progress for every client
    assert "2 of 3 plans built" in result.stderr and "failed: gamma-broken" in result.stderr
    assert "gamma-broken/plans/systems/system-1.yaml" in result.stderr
    assert "unknown key `teir`" in result.stderr


def test_a_folder_without_plans_cannot_run(tmp_path: Path) -> None:
    result = _run("build", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "holds no plan" in result.stderr
