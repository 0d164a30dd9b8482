"""Helper processes that end with the build that started them, however it ends (Ctrl-C, kill -9).

- `end_with`, a pool's `initializer`: the worker leaves Ctrl-C to the build (which stops the
  pool) and watches the build's process, exiting the moment it is gone, through a pidfd (Linux
  5.3+) or, elsewhere, by checking every half second. The build's process is watched, not the
  worker's parent: the sheet's workers are forked from a server process, not from the build.
- `end_with_parent`, for that server (`generator.sheet_server`): the kernel kills it when the
  build ends (Linux `PR_SET_PDEATHSIG`), even while it is still loading WeasyPrint.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def end_with_parent() -> None:
    """Have the kernel kill this process when its parent ends (Linux; elsewhere the server
    ends by itself once its parent has gone and it is idle)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def end_with(build_pid: int) -> None:
    """Make this worker process exit when process `build_pid` ends; ignore Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        watch = os.pidfd_open(build_pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd here
        threading.Thread(target=_poll, args=(build_pid,), daemon=True).start()
        return
    threading.Thread(target=_wait, args=(watch,), daemon=True).start()


def _wait(pidfd: int) -> None:
    select.select([pidfd], [], [])  # readable when the process has ended
    os._exit(1)


def _poll(pid: int) -> None:
    while _alive(pid):
        time.sleep(0.5)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        pass
    return True
