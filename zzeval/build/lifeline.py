"""Workers die with their build, and never write for a build that is gone.

Two guards, so that a ``kill -9`` of ``zzeval build`` leaves no worker running on or writing:

* **Parent-death signal** (Linux, :func:`zzeval.processes.die_with_parent`): a local worker asks the kernel to send it ``SIGKILL`` when its
  parent dies (``prctl(PR_SET_PDEATHSIG)``, man 2 prctl, called through :mod:`ctypes`), and exits
  at once if the parent is already gone. The Jupyter kernel a worker drives exits by itself
  within a second of its worker (ipykernel's parent poller, ``JPY_PARENT_PID``).
* **Owner check before every write** (all platforms, also Dask workers on other machines): each
  task carries its build's :class:`Owner`; :func:`owner_alive` is asked before a report or its
  log is written. On the build's machine it checks the build's process (id and start time, so a
  reused process id does not count, :mod:`psutil`); elsewhere the build's lease file, which the
  build touches every :data:`LEASE_BEAT_S` seconds (:class:`Lease`), must be fresh.

And nothing of a build stays behind in ``$TMPDIR``: its temporary files (the kernels' connection
files among them) go to a scratch folder of its own (:func:`scratch_folder`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

#: Seconds between two touches of the lease file; a lease older than LEASE_STALE_S is dead.
LEASE_BEAT_S = 2.0
LEASE_STALE_S = 30.0


@dataclass(frozen=True)
class Owner:
    """The build a task belongs to: its process (``pid`` started at ``created``, seconds since
    the epoch, on ``host``), its id and its lease file."""

    pid: int
    created: float
    host: str
    build_id: str
    lease: str

    @classmethod
    def this_process(cls, build_id: str, lease: Path) -> Owner:
        import psutil

        return cls(pid=os.getpid(), created=psutil.Process().create_time(), host=socket.gethostname(),
                   build_id=build_id, lease=str(lease))

    def to_dict(self) -> dict:
        return asdict(self)


def owner_alive(owner: Owner | dict | None) -> bool:
    """Whether the build that owns a task still runs (True when the task names no owner)."""
    if owner is None:
        return True
    if isinstance(owner, dict):
        owner = Owner(**owner)
    if owner.host == socket.gethostname():
        import psutil

        try:
            return abs(psutil.Process(owner.pid).create_time() - owner.created) < 1.0
        except psutil.Error:
            return False
    lease = Path(owner.lease)
    try:
        fresh = time.time() - lease.stat().st_mtime < LEASE_STALE_S
        return fresh and lease.read_text(encoding="utf-8").strip() == owner.build_id
    except OSError:
        return False


class Lease:
    """The build's lease file, touched every :data:`LEASE_BEAT_S` s by a daemon thread while
    the reports run, removed by :meth:`stop`; a killed build leaves it to go stale."""

    def __init__(self, path: Path, build_id: str):
        self.path = Path(path)
        self.build_id = build_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="zzeval-lease", daemon=True)

    def start(self) -> Lease:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.build_id, encoding="utf-8")
        self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.wait(LEASE_BEAT_S):
            try:
                os.utime(self.path)
            except OSError:  # pragma: no cover - the folder went away
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.path.unlink(missing_ok=True)


#: The name the build's scratch folders are made beside in ``$TMPDIR`` (:func:`scratch_folder`).
SCRATCH_NAME = "zzeval-build"


def scratch_folder() -> Path:
    """A new private folder for this build's temporary files, ``$TMPDIR/.zzeval-build.<pid>-<hex>.tmp``:
    the local workers and their Jupyter kernels use it as ``TMPDIR`` (a kernel's connection file,
    holding its ports and message key, is written there), the season's rows are split in it. The
    build removes it on every way out (:func:`remove_scratch`; ``zzeval build`` turns SIGTERM and
    SIGHUP into an interrupt, so they unwind too); the folders of builds killed by ``SIGKILL`` are
    removed here by the next build, as ``zzeval sample`` removes its own
    (:func:`zzeval.atomic.remove_dead_temp_folders`: the process id in the name no longer runs)."""
    import tempfile

    from zzeval.atomic import remove_dead_temp_folders, temp_path_for

    beside = Path(tempfile.gettempdir()) / SCRATCH_NAME
    remove_dead_temp_folders(beside)
    folder = temp_path_for(beside)
    folder.mkdir(mode=0o700)
    return folder


def remove_scratch(folder: Path | None) -> None:
    """Remove the build's scratch folder (:func:`scratch_folder`), if any."""
    import shutil

    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def tracker_survives_hangup() -> None:
    """Start :mod:`multiprocessing`'s resource tracker (the process that the evaluation's process
    pool registers its semaphores with) now, with SIGHUP ignored, which it keeps across its
    ``exec``: it ignores SIGINT and SIGTERM itself but not SIGHUP, so a closed terminal would kill
    it while the build unwinds, and the pool's shutdown would then print the new tracker's
    ``KeyError`` tracebacks. It still ends with the build (when its pipe closes). POSIX, main
    thread only; a no-op elsewhere."""
    import signal

    if not hasattr(signal, "SIGHUP") or threading.current_thread() is not threading.main_thread():
        return
    from multiprocessing import resource_tracker

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        resource_tracker.ensure_running()
    finally:
        signal.signal(signal.SIGHUP, previous)
