"""Pages of the plan's own (plans/pages/*.md) join the site; one that takes a generated page's
address is left out with a warning that names it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers_site import example_copy


def test_own_pages_are_published_and_clashes_are_named(tmp_path: Path) -> None:
    example_copy(tmp_path)
    own = tmp_path / "plans" / "pages"
    (own / "index.md").write_text("# My own start page\n", encoding="utf-8")
    (own / "floor-plan.md").write_text(
        "# Floor plan\n\nThe comms cabinet is under the stairs.\n", encoding="utf-8"
    )

    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", ".", "--site-dir", "site"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stderr
    assert (
        "plans/pages/index.md:1:1: warning: this page has the address of a generated page "
        "(index.md) and is left out"
    ) in result.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "My own start page" not in home and "Start here" in home
    floor = (tmp_path / "site" / "floor-plan" / "index.html").read_text(encoding="utf-8")
    assert "under the stairs" in floor
    assert 'href="floor-plan/"' in home  # in the navigation
