"""`python benchmarks/run.py --validate-only`: how long validating a plan takes, beside a baseline.

For the example plan and generated plans of growing size, each run is a fresh Python process (so
no cache carries over from one run to the next) that times `validate_project` and, as the baseline
measured in the same process, plain `yaml.safe_load` of the same YAML files. Wall-clock and CPU
seconds are the median of `--repeat` runs; the ratio is validation over baseline (CPU seconds,
which other work on a shared machine disturbs less).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.plangen import TODAY, write_plan  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="system counts (default 100,1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per plan (median)")
    args = parser.parse_args(argv)
    print(f"{'plan':>12} {'files':>6} {'validate_s':>10} {'cpu_s':>6} {'safe_load_cpu_s':>15} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="recovery-validate-bench-") as scratch:
        cases = [("example", REPO)] + [
            (f"{n} systems", write_plan(Path(scratch, f"plan-{n}"), int(n))) for n in args.sizes.split(",")
        ]
        for name, root in cases:
            runs = [_run(root) for _ in range(args.repeat)]
            wall, cpu, base = (statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "baseline"))
            print(
                f"{name:>12} {runs[0]['files']:>6} {wall:>10.3f} {cpu:>6.3f} {base:>15.3f} {cpu / base:>6.2f}"
            )
    return 0


def _run(root: Path) -> dict[str, float]:
    """One measurement in a fresh process (`--child`)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(root)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _child(root: Path) -> None:
    import yaml

    from generator.validate import validate_project

    files = sorted([*root.glob("plans/**/*.yaml"), *root.glob("contacts/*.yaml")])
    started, cpu = time.perf_counter(), time.process_time()
    validation = validate_project(root, TODAY)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert validation.plan is not None, validation.summary()
    baseline = time.process_time()
    for file in files:
        yaml.safe_load(file.read_text(encoding="utf-8"))
    baseline = time.process_time() - baseline
    print(json.dumps({"wall": wall, "cpu": cpu, "baseline": baseline, "files": validation.files}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
