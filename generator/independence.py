"""Checks that the built site depends on nothing that goes down with the company. STUB: being written."""

from __future__ import annotations

from pathlib import Path

from generator.model import Finding, Plan


def check_site(site_dir: Path, plan: Plan) -> list[Finding]:
    """Warnings for every page, manifest or worker that requests or links to a company-only host."""
    return []
