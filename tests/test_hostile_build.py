"""Careless hands and hostile timing: two builds at once, a site folder that is not a site,
kill -9 at any moment, Ctrl-C, a full disk, a read-only or locked folder. Every case runs the
real `recovery-plan build` in a process of its own and looks at what is left on disk."""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers_site import snapshot
from plan_shapes import TODAY, write_shape

from generator import atomic

TAG = "RECOVERY_PLAN_TEST_TAG"  # every process a build starts inherits it: how survivors are found


def _command(project: Path, site: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator.cli",
        "build",
        str(project),
        "--site-dir",
        str(site),
        "--today",
        TODAY,
        *extra,
    ]


def _env(tag: str = "") -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", TAG: tag or uuid.uuid4().hex}


def build(project: Path, site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(project, site, *extra), env=_env(), capture_output=True, text=True, timeout=600
    )


def start(project: Path, site: Path, tag: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(project, site), env=_env(tag), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def tagged(tag: str) -> list[int]:
    """Every live process that carries `tag` in its environment."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                environ = Path("/proc", entry, "environ").read_bytes().split(b"\0")
                state = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()[0]
                if f"{TAG}={tag}".encode() in environ and state != "Z":
                    found.append(int(entry))
    return found


def wait_until(condition: Callable[[], object], timeout: float = 120) -> bool:
    """Poll `condition` (every 5 ms) until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def no_survivors(tag: str) -> list[int]:
    """The processes of a stopped build still alive after 10 s (none: they end with it)."""
    wait_until(lambda: not tagged(tag), timeout=10)
    return tagged(tag)


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith(atomic.STAGING_PREFIX))


def set_organisation(project: Path, name: str) -> None:
    plan = project / "plans" / "plan.yaml"
    text = plan.read_text(encoding="utf-8").splitlines()
    text[0] = f"organisation: {name}"
    plan.write_text("\n".join(text) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_shape("one-system", tmp_path_factory.mktemp("hostile") / "plan")
    assert (root / "plans" / "plan.yaml").read_text().startswith("organisation: ")
    return root


@pytest.fixture(scope="module")
def built(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan's site, built once: a finished site to compare with."""
    site = tmp_path_factory.mktemp("reference") / "site"
    done = build(project, site)
    assert done.returncode == 0, done.stderr
    return site


def copy_site(source: Path, target: Path) -> Path:
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return target


# --- the site folder --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site_dir", "why"),
    [
        ("contacts", "it is inside the plan's contacts/ folder"),
        ("plans/out", "it is inside the plan's plans/ folder"),
        ("README.md", "it is a file, not a folder"),
        (".", "it holds the plan itself"),
        ("..", "it holds the plan itself"),
        ("notes", "it holds files that recovery-plan did not build"),
    ],
)
def test_a_site_folder_that_is_not_a_site_is_refused(project: Path, site_dir: str, why: str) -> None:
    (project / "README.md").write_text("Our plan.\n", encoding="utf-8")
    (project / "notes").mkdir(exist_ok=True)
    (project / "notes" / "todo.txt").write_text("Call the landlord.\n", encoding="utf-8")
    before = snapshot(project.parent)

    done = subprocess.run(
        _command(project, Path(site_dir)),
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )

    shown = str(project.parent) if site_dir == ".." else site_dir  # outside: shown in full
    assert done.returncode == 2, done.stderr
    assert f"error: cannot build the site into {shown}: {why}" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(project.parent) == before  # nothing touched, nothing left


def test_an_empty_folder_is_built_into(project: Path, built: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = build(project, empty)
    assert done.returncode == 0, done.stderr
    assert (empty / atomic.MARKER).is_file()
    assert sorted(snapshot(empty)) == sorted(snapshot(built))
    assert leftovers(empty) == []


# --- two builds, kill -9, Ctrl-C --------------------------------------------------------------


def test_two_builds_at_once_both_finish_one_after_the_other(
    project: Path, built: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    tags = [uuid.uuid4().hex, uuid.uuid4().hex]
    runs = [start(project, site, tag) for tag in tags]
    outputs = [run.communicate(timeout=600) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    waited = [err for _, err in outputs if "Another build of" in err]
    assert len(waited) == 1 and "waiting for it to finish" in waited[0]
    assert sorted(snapshot(site)) == sorted(snapshot(built))  # complete: every file
    assert leftovers(site) == []


def _moments(staging: Path, seed: int = 11) -> list[Callable[[float], object]]:
    """Moments of a build (given the time it started), from its start to its swap: steps
    seen on disk, then random times."""
    rng = random.Random(seed)
    delays = [rng.uniform(0.5, 8) for _ in range(2)]
    return [
        lambda _: staging.with_name(staging.name + ".lock").exists(),
        lambda _: (staging / "index.html").exists(),
        lambda _: (staging / "recovery-plan-A4.pdf").exists(),
        lambda _: (staging / "sw.js").exists(),
        *(lambda started, d=delay: time.monotonic() > started + d for delay in delays),
    ]


def test_kill_9_at_any_moment_leaves_the_old_or_the_new_site_and_no_process(
    project: Path, built: Path, tmp_path: Path
) -> None:
    site = copy_site(built, tmp_path / "site")
    old = snapshot(site)
    newer = copy_site(project, tmp_path / "newer")
    set_organisation(newer, "Fjord Arkitekter Oslo")  # the same files, with other contents
    new_files = sorted(old)
    outcomes = []
    for moment in _moments(site.with_name(atomic.STAGING_PREFIX + site.name)):
        tag = uuid.uuid4().hex
        started = time.monotonic()
        run = start(newer, site, tag)
        wait_until(lambda: moment(started) or run.poll() is not None)  # noqa: B023
        run.kill()
        run.communicate()
        assert no_survivors(tag) == []
        now = snapshot(site)
        if now == old:
            outcomes.append("old")
        else:
            assert sorted(now) == new_files
            assert "Fjord Arkitekter Oslo" in (site / "index.html").read_text(encoding="utf-8")
            outcomes.append("new")
            old = now  # the next kill must leave this one or a newer one
    assert "old" in outcomes, outcomes
    done = build(newer, site)  # the next build tidies whatever the kills left
    assert done.returncode == 0, done.stderr
    assert sorted(snapshot(site)) == new_files and leftovers(site) == []


@contextlib.contextmanager
def running_with_workers(
    project: Path, site: Path, *extra: str, workers: int
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A build started and caught while it runs at least `workers` processes of its own."""
    tag = uuid.uuid4().hex
    run = subprocess.Popen(
        _command(project, site, *extra),
        env=_env(tag),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_until(lambda: len(tagged(tag)) > workers or run.poll() is not None)
        assert run.poll() is None, "the build ended before its workers were seen"
        yield run, tag
    finally:
        run.kill()
        run.communicate()


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_many_plan_build_stopped_ends_every_worker(tmp_path: Path, stop: signal.Signals) -> None:
    clients = tmp_path / "clients"
    for name in ("alpha", "beta", "gamma"):
        write_shape("one-system", clients / name)
    sites = tmp_path / "sites"
    # the build, two client builds, each with its resource tracker and PDF server
    with running_with_workers(
        clients, tmp_path / "unused", "--out", str(sites), "--jobs", "2", workers=7
    ) as (run, tag):
        run.send_signal(stop)
        _, err = run.communicate(timeout=120)
    assert no_survivors(tag) == []
    if stop == signal.SIGINT:
        assert run.returncode == 130, err
        assert "Interrupted: 0 of 3 plans were built" in err and "Traceback" not in err
        assert not sites.exists() or leftovers(sites / "alpha") == []
        assert not (sites / "gamma").exists()  # not started after Ctrl-C


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly(project: Path, built: Path, tmp_path: Path, stop: signal.Signals) -> None:
    site = copy_site(built, tmp_path / "site")
    before = snapshot(site)
    # the build, its resource tracker, the PDF server and its two layout processes
    with running_with_workers(project, site, workers=4) as (run, tag):
        run.send_signal(stop)
        _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert "Interrupted: nothing was built; the previous site is unchanged." in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert snapshot(site) == before
    assert leftovers(site) == []
    assert no_survivors(tag) == []


# --- the machine: a full disk, a read-only folder, a folder nobody may write ------------------


@contextlib.contextmanager
def tmpfs(where: Path, size_kib: int) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def _size_kib(folder: Path) -> int:
    """What `folder` takes on a disk of 4 KiB blocks."""
    return sum(4 * -(-p.stat().st_size // 4096) + 4 for p in folder.rglob("*"))


def _environment_failure(done: subprocess.CompletedProcess[str], says: str) -> None:
    assert done.returncode == 2, done.stderr
    assert says in done.stderr
    assert "Nothing was built; the previous site is unchanged." in done.stderr
    assert "[Errno" not in done.stderr and "Traceback" not in done.stderr


def test_a_full_disk_is_explained_and_the_site_kept(project: Path, built: Path, tmp_path: Path) -> None:
    # room for one site and a half: the old one stays, the new one cannot be made
    with tmpfs(tmp_path / "disk", _size_kib(built) * 3 // 2) as disk:
        site = copy_site(built, disk / "site")
        before = snapshot(site)
        done = build(project, site)
        _environment_failure(
            done,
            f"error: cannot write the site into {site}: the disk is full. "
            "Free some space, or build onto another disk with --site-dir DIR.",
        )
        assert snapshot(site) == before
        assert leftovers(site) == []


def test_a_read_only_folder_is_explained_and_the_site_kept(
    project: Path, built: Path, tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "disk", _size_kib(built) * 3) as disk:
        site = copy_site(built, disk / "site")
        before = snapshot(site)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        done = build(project, site)
        _environment_failure(
            done, "it is on a read-only filesystem. Build into a writable folder with --site-dir DIR."
        )
        assert snapshot(site) == before


def test_a_folder_nobody_may_write_is_explained(project: Path, built: Path, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    site = copy_site(built, folder / "site")
    before = snapshot(site)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i is not permitted here (needs root on ext4, xfs or btrfs)")
    try:
        done = build(project, site)
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    _environment_failure(done, "permission denied. Check who owns the folder")
    assert snapshot(site) == before


# --- the swap itself --------------------------------------------------------------------------


def _site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / atomic.MARKER).write_text("", encoding="utf-8")
    (folder / "index.html").write_text(text, encoding="utf-8")
    return folder


def test_the_swap_is_one_exchange_and_leaves_nothing_behind(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "old")
    staging = atomic.Staging(site, tmp_path / "project")
    lock = staging.path.with_name(staging.path.name + ".lock")
    assert lock.read_text() == f"{os.getpid()}\n"
    with open(lock) as other, pytest.raises(BlockingIOError):  # held: another build waits
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    (staging.path / "index.html").write_text("new", encoding="utf-8")
    assert atomic._exchange(staging.path, site)  # this filesystem exchanges in one step
    assert (staging.path / "index.html").read_text() == "old"
    assert atomic._exchange(staging.path, site)  # and back
    staging.commit()
    assert (site / "index.html").read_text() == "new" and (site / atomic.MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_swap_cut_between_two_renames_is_repaired_by_the_next_build(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "old")
    aside = site.with_name(f"{atomic.STAGING_PREFIX}site-old")
    os.rename(site, aside)  # the crash: the old site aside, the new one not yet in place
    staging = atomic.Staging(site, tmp_path / "project")
    assert (site / "index.html").read_text() == "old" and not aside.exists()
    staging.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
