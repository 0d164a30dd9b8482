"""`make bench`: validation, build, size, offline payload and print figures for plans of growing size.

Every figure is measured in this run, on this machine, beside its baseline: a plain `mkdocs build`
(Material, search, no recovery-plan plugin) of the very same generated pages. Results are printed
as tables and written to benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from benchmarks import pwa_bench, validate_bench  # noqa: E402
from benchmarks.plangen import TODAY, write_plan  # noqa: E402
from generator import pages, printsheet  # noqa: E402
from generator.validate import validate_project  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="system counts (default 10,100,1000)")
    parser.add_argument("--repeat", type=int, default=3, help="validation runs per size (median)")
    parser.add_argument(
        "--validate-only", action="store_true", help="only validation, beside plain yaml.safe_load"
    )
    args = parser.parse_args()
    if args.validate_only:
        return validate_bench.main(["--sizes", args.sizes, "--repeat", str(args.repeat)])
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"mkdocs {version('mkdocs')}, mkdocs-material {version('mkdocs-material')}, "
        f"weasyprint {version('weasyprint')}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="recovery-bench-") as scratch:
        cases = [("example", REPO)] + [
            (f"{n} systems", write_plan(Path(scratch, f"plan-{n}"), int(n))) for n in args.sizes.split(",")
        ]
        for name, root in cases:
            rows.append(measure(name, root, Path(scratch, name.replace(" ", "-")), args.repeat))
            print_row(rows[-1], header=len(rows) == 1)
    example = rows[0]
    print(
        f"\nexample offline (service worker, server stopped): first paint "
        f"{example.get('offline_first_paint_ms')} ms, DOMContentLoaded "
        f"{example.get('offline_dom_content_loaded_ms')} ms (median of 10 navigations)"
    )
    out = REPO / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"cores": os.cpu_count(), "rows": rows}, indent=2))
    print(f"\nresults: {out / 'latest.json'}")
    return 0


def measure(name: str, root: Path, work: Path, repeat: int) -> dict[str, object]:
    """Every figure for one plan."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        validation = validate_project(root, TODAY)
        times.append(time.perf_counter() - started)
    plan = validation.plan
    assert plan is not None, f"{name}: {validation.summary()}"
    ours_site, plain_site = work / "site", work / "plain-site"
    ours = _timed(
        [str(BIN / "recovery-plan"), "build", str(root), "--site-dir", str(ours_site), "--today", TODAY]
    )
    plain = _timed(
        [str(BIN / "mkdocs"), "build", "-q", "-f", str(_plain_project(plan, work)), "-d", str(plain_site)]
    )
    started = time.perf_counter()
    printsheet.write(work / "print-only", plan)
    print_seconds = time.perf_counter() - started
    files = [p for p in ours_site.rglob("*") if p.is_file()]
    offline = pwa_bench.offline_first_content(ours_site) if name == "example" else {}
    return {
        "plan": name,
        "systems": len(plan.systems),
        "pages": sum(1 for p in files if p.suffix == ".html"),
        "validate_s": round(statistics.median(times), 3),
        "build_s": round(ours, 2),
        "plain_mkdocs_s": round(plain, 2),
        "ratio": round(ours / plain, 2),
        "site_bytes": sum(p.stat().st_size for p in files),
        "plain_site_bytes": sum(p.stat().st_size for p in plain_site.rglob("*") if p.is_file()),
        "files": len(files),
        **pwa_bench.payload(ours_site),
        "print_s": round(print_seconds, 2),
        **offline,
    }


def _plain_project(plan, work: Path) -> Path:
    """The same generated pages as a plain MkDocs project (no recovery-plan plugin)."""
    docs = work / "plain-docs"
    shutil.rmtree(docs, ignore_errors=True)
    for uri, content in pages.render(plan).items():
        target = docs / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
    base = yaml.safe_load((REPO / "generator" / "mkdocs-base.yml").read_text())
    base.update(
        site_name=plan.organisation, docs_dir=str(docs), plugins=["search"], nav=pages.navigation(plan)
    )
    config = work / "plain-mkdocs.yml"
    config.write_text(yaml.safe_dump(base, sort_keys=False))
    return config


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def print_row(row: dict[str, object], header: bool) -> None:
    columns = [
        ("plan", 12),
        ("pages", 6),
        ("validate_s", 10),
        ("build_s", 8),
        ("plain_mkdocs_s", 14),
        ("ratio", 6),
        ("site_bytes", 11),
        ("files", 6),
        ("precache_bytes", 14),
        ("precache_gzip_bytes", 19),
        ("print_s", 8),
    ]
    if header:
        print("\n" + " ".join(f"{c:>{w}}" for c, w in columns))
    print(" ".join(f"{row[c]!s:>{w}}" for c, w in columns))


if __name__ == "__main__":
    sys.exit(main())
