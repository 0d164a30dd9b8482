"""Helpers for the site's browser and accessibility tests: one build of the example plan, and
one in every other language, per test run; a hostile copy of the plan, a phone-sized Chromium
context and the page list."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from generator import building, cli, i18n, pages
from generator.model import Plan
from generator.pages.paths import page_url
from generator.validate import validate_project

ROOT = Path(__file__).resolve().parents[1]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# Appended to every text field of the hostile plan: HTML, Markdown, a title breakout.
PAYLOAD = '</title><script>alert(1)</script><img src=x onerror=alert(2)>*b*[x](javascript:alert(3))&"'
TEXT_KEYS = {
    "organisation",
    "name",
    "role",
    "notes",
    "note",
    "provides",
    "account",
    "title",
    "summary",
    "do",
    "expect",
    "if_not",
    "failover",
    "method",
    "impact",
    "root_cause",
}
TEMPLATE_KEYS = {"initial", "update", "resolved"}  # under `templates:` (incidents have `resolved`)
TEXT_LISTS = {"scope", "provider_call", "first_ten_minutes"}


def build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`recovery-plan build PROJECT --site-dir SITE`, as a plan author runs it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "generator.cli", "build", str(project), "--site-dir", str(site)]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


SHARED: list[Path] = []  # the folder this test run's processes share (set by conftest.py)


def built_once(name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name`, made by `make` once per test run: the first test process to ask makes
    it, the others (xdist workers) wait for it, then read the same files. It stays with the
    run's temporary folders, which pytest removes after a few runs."""
    folder = SHARED[0] / name
    with (SHARED[0] / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = SHARED[0] / f"{name}.done"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # left by a process that failed
            make(folder)
            done.touch()
    return folder


def example_site() -> Path:
    """The example plan built once per test run."""
    return built_once("example", _build_example) / "site"


def _build_example(folder: Path) -> None:
    done = build(ROOT, folder / "site")
    assert done.returncode == 0, done.stdout + done.stderr


LANGUAGES = [code for code in i18n.SUPPORTED if code != "en"]


def language_sites() -> dict[str, Path]:
    """The example plan built in each shipped language but English (which `example_site`
    builds), all at once as a folder of client plans, once per test run: language -> site
    folder, with the printed sheet, and what its build printed (its warnings) in `<site>.log`
    beside it."""
    out = built_once("languages", _build_languages) / "sites"
    return {code: out / code for code in LANGUAGES}


def _build_languages(folder: Path) -> None:
    for code in LANGUAGES:
        in_language(folder / "plans" / code, code)
    clients = building.client_plans(folder / "plans")
    for result in building.build_many(clients, folder / "sites", None, os.cpu_count() or 1, cli.build_client):
        assert result.status == 0, result.output
        (folder / "sites" / f"{result.name}.log").write_text(result.output, encoding="utf-8")


def example_copy(target: Path) -> Path:
    """A copy of the example plan's files (plans/ and contacts/, no mkdocs.yml: the built-in
    settings) at `target`, free to change."""
    for part in ("plans", "contacts"):
        shutil.copytree(ROOT / part, target / part)
    return target


def in_language(target: Path, code: str) -> Path:
    """A copy of the example plan at `target` with `site.language: <code>`."""
    plan = example_copy(target) / "plans" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "\n  language: en-GB\n" in text
    plan.write_text(text.replace("\n  language: en-GB\n", f"\n  language: {code}\n"), encoding="utf-8")
    return target


def load_plan(project: Path) -> Plan:
    result = validate_project(project)
    assert result.plan is not None, [str(f) for f in result.errors]
    return result.plan


def page_paths(project: Path, plan: Plan) -> list[str]:
    """Every page of the site (generated and the authors' own), as site-relative URLs."""
    generated = pages.render_paths(plan)
    own = pages.author_pages(project / "plans" / "pages")
    return [page_url(src) for src in dict.fromkeys(generated + own)]


def hostile_copy(target: Path) -> Path:
    """A copy of the example plan with `PAYLOAD` appended to every text field. No scenario goes
    on the printed sheet: with longer text everywhere it would not fit on two pages."""
    example_copy(target)
    for file in [*target.joinpath("plans").rglob("*.yaml"), *target.joinpath("contacts").rglob("*.yaml")]:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        if file.parent.name == "scenarios":
            data["on_paper"] = False
        file.write_text(yaml.safe_dump(_poison(data), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def _poison(value: object, key: str = "", parent: str = "") -> object:
    if isinstance(value, dict):
        return {k: _poison(v, str(k), key) for k, v in value.items()}
    if isinstance(value, list):
        if key in TEXT_LISTS:
            return [f"{item}{PAYLOAD}" for item in value]
        return [_poison(item, key, parent) for item in value]
    is_text = key in TEXT_KEYS or (key in TEMPLATE_KEYS and parent == "templates")
    return value + PAYLOAD if isinstance(value, str) and is_text else value


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# The document's width, and elements of the page content (Material's closed search box waits
# off-screen in the header) that stick out of the viewport, unless they sit inside a box that
# scrolls sideways on its own and itself fits.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    out.push(`document is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const el of document.querySelectorAll(".md-content *")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.checkVisibility()) continue;
    if (box.left >= -1 && box.right <= width + 1) continue;
    let parent = el.parentElement;
    let scrolls = false;
    while (parent && parent !== document.body) {
      const style = getComputedStyle(parent).overflowX;
      if (style === "auto" || style === "scroll") {
        const outer = parent.getBoundingClientRect();
        scrolls = outer.left >= -1 && outer.right <= width + 1;
        break;
      }
      parent = parent.parentElement;
    }
    const where = `${Math.round(box.left)}..${Math.round(box.right)}`;
    if (!scrolls) out.push(`${el.tagName}.${el.getAttribute("class")}: ${where}`);
  }
  return out;
}"""

# Tap targets smaller than 44 x 44 CSS pixels.
SMALL_TARGETS_JS = """() => Array.from(
  document.querySelectorAll("a.rp-call, input.rp-check, label.rp-done, .rp-button, a.rp-scenario")
).filter((el) => el.checkVisibility()).map((el) => [el, el.getBoundingClientRect()])
 .filter(([, box]) => box.width < 44 || box.height < 44)
 .map(([el, box]) => `${el.className} ${Math.round(box.width)}x${Math.round(box.height)}`)"""
