"""Processes that end with the process that started them.

A worker of ``zzeval build`` (a report worker, :mod:`zzeval.build.worker`, or a process of the
evaluation's pool, :class:`zzeval.assess.runners.ProcessRunner`) must not outlive its build: a
``kill -9`` of the build would otherwise leave it running, holding its memory, under init.
"""

from __future__ import annotations

import os
import sys

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int | None = None) -> None:
    """Have this process killed when its parent dies (Linux; a no-op elsewhere, where the owner
    check before each write stands alone). Exits at once when ``parent_pid`` is given and is no
    longer the parent (it died before the signal was armed).

    The signal comes when the *thread* that started this process ends (man 2 prctl): start
    workers from a thread that lives as long as the build (the main thread)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
            pass
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(3)


#: The warning filter given to multiprocessing's resource tracker (:func:`quiet_resource_tracker`).
TRACKER_WARNINGS = "ignore::UserWarning:multiprocessing.resource_tracker"


def quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (if not running yet) with its "leaked semaphore"
    warnings off. The tracker is a process of its own that outlives a build killed by ``kill -9`` or
    SIGTERM; it then cleans up the pool's semaphores itself and printed "resource_tracker: There appear
    to be 5 leaked semaphore objects to clean up at shutdown" on the user's terminal after the build
    had gone (hostile review 6, finding 9). It takes its warning filters from the environment when it
    starts (``PYTHONWARNINGS``, Python's -W syntax), so the filter is set for that start only; the
    workers and the rest of the build keep theirs."""
    from multiprocessing import resource_tracker

    before = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [before, TRACKER_WARNINGS]))
    try:
        resource_tracker.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = before
