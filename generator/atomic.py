"""Build into a staging folder beside the site, then swap it into place, so a failed build changes nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

STAGING_PREFIX = ".site-staging-"


def staging_dir(final: Path) -> str:
    """A fresh, empty staging folder next to `final` (same filesystem, so the swap is a rename)."""
    final = final.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    discard_staging(final)
    staging = final.parent / f"{STAGING_PREFIX}{final.name}"
    staging.mkdir()
    return str(staging)


def swap_into_place(staging: Path, final: Path) -> None:
    """Replace `final` with `staging`: two renames, the old site removed only afterwards."""
    final = final.resolve()
    old = final.parent / f"{STAGING_PREFIX}{final.name}-old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def discard_staging(final: Path) -> None:
    """Remove a staging folder left by a failed or interrupted build."""
    final = final.resolve()
    shutil.rmtree(final.parent / f"{STAGING_PREFIX}{final.name}", ignore_errors=True)
