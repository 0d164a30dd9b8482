"""`recovery-plan serve`: a live preview that rebuilds when a plan file changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpers_site import example_copy


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait_for(predicate, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_serve_rebuilds_when_a_yaml_file_changes(tmp_path: Path) -> None:
    example_copy(tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "serve", str(tmp_path), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: "Harbour Dental Group" in _get(base)), "the preview never came up"
        worker = _get(base + "sw.js")
        assert "unregister" in worker and "PRECACHE" not in worker  # a preview keeps no offline copy

        plan = tmp_path / "plans" / "plan.yaml"
        plan.write_text(
            plan.read_text().replace(
                "organisation: Harbour Dental Group", "organisation: Harbour Dental Renamed"
            )
        )
        assert _wait_for(lambda: "Harbour Dental Renamed" in _get(base)), "no rebuild after a change"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output
