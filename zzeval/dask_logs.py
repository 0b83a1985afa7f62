"""Dask's own log records (scheduler, nanny, workers, comm; tornado, bokeh) kept off the terminal.

``distributed`` sets up its loggers when it is imported (``distributed.config.initialize_logging``):
a handler writing to stderr on ``distributed``, ``tornado`` and ``bokeh``, in every process, the
worker processes a local cluster spawns among them. ``LocalCluster(silence_logs=logging.ERROR)``
only raises that handler's level, so errors still reached the terminal: a worker whose heartbeat met
a closed connection printed "distributed.worker - ERROR - Failed to communicate with scheduler
during heartbeat." and two Python tracebacks while the build went on (s11 hostile review B, c10).

A build's local cluster sends these records to a log file instead: :class:`DaskLogs` in this process
(the scheduler, the nannies and the client of a local cluster run here) while the cluster lives,
and :func:`dask_setup`, a worker preload (``distributed.worker.preload``, passed on by the nannies
with the rest of the configuration), in every worker process, the restarted ones too
(:func:`worker_settings`). The build keeps the file as ``.cache/dask.log`` of its season
(:func:`keep_log`). What a lost worker or a failed task means for a report is told by the build
itself (the report's failure line); the records only explain it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

#: The environment variable that gives a worker process the log file (set by :func:`worker_settings`).
LOG_ENV = "ZZEVAL_DASK_LOG"
#: The loggers whose terminal handlers are replaced (with their children).
ROOTS = ("distributed", "tornado", "bokeh")
#: In a worker process also asyncio's (an event-loop task's exception), which would reach stderr
#: through Python's last-resort handler.
WORKER_ROOTS = (*ROOTS, "asyncio")
#: The file's name in the build's scratch folder and in the season's ``.cache``.
LOG_NAME = "dask.log"
_FORMAT = "%(asctime)s pid %(process)d %(name)s %(levelname)s: %(message)s"
#: ``scheduler_kwargs`` of the local clusters zzeval starts (the build's and the evaluation's): no
#: dashboard, and the scheduler's HTTP server (its health and metrics routes, which distributed
#: 2026.8 starts even with ``dashboard_address=None``, then on the default port 8787) on a free
#: port of this machine. On 8787 a second build at the same time printed distributed's
#: "UserWarning: Port 8787 is already in use" (a Python warning, not a log record) on stderr,
#: once per cluster (hostile review s14-C, N09).
LOCAL_SCHEDULER = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}


class _FileHandler(logging.FileHandler):
    """Appends the warnings and errors to the file, created at the first one (distributed's INFO
    records, a worker's start and stop, were 8 kB a build of the 3-township sample); a record that
    cannot be written (disk full, folder removed) is dropped without logging's own traceback on
    stderr."""

    def __init__(self, path: str | Path):
        super().__init__(path, mode="a", encoding="utf-8", delay=True)
        self.setFormatter(logging.Formatter(_FORMAT))
        self.setLevel(logging.WARNING)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass


def _on_terminal(handler: logging.Handler) -> bool:
    return (type(handler) is logging.StreamHandler
            and getattr(handler, "stream", None) in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__))


def _loggers(roots: tuple[str, ...]) -> list[logging.Logger]:
    names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in roots]
    return [logging.getLogger(n) for n in sorted(set(names) | set(roots))]


def _redirect(handler: logging.Handler, roots: tuple[str, ...]) -> list[tuple[logging.Logger, list, bool]]:
    """Replace the terminal handlers of the loggers under ``roots`` with ``handler`` (the roots
    without a handler of their own get it, and stop passing records up); returns what to restore."""
    saved = []
    for logger in _loggers(roots):
        terminal = [h for h in logger.handlers if _on_terminal(h)]
        if not terminal and not (logger.name in roots and not logger.handlers):
            continue
        saved.append((logger, list(logger.handlers), logger.propagate))
        logger.handlers[:] = [h for h in logger.handlers if h not in terminal] + [handler]
        logger.propagate = False
    return saved


class DaskLogs:
    """While started (:meth:`start` … :meth:`stop`, nested starts counted): the records of this
    process's distributed, tornado and bokeh loggers go to ``path`` instead of the terminal; the
    first start's path is used until the last stop, which puts the handlers back."""

    _lock = threading.Lock()
    _users = 0
    _saved: list = []
    _handler: logging.Handler | None = None

    def __init__(self, path: str | Path | None):
        self.path = path
        self.started = False

    def start(self) -> DaskLogs:
        if self.path is None or self.started:
            return self
        import distributed  # noqa: F401 - its handlers are made at its import: replace those

        cls = type(self)
        with cls._lock:
            if cls._users == 0:
                cls._handler = _FileHandler(self.path)
                cls._saved = _redirect(cls._handler, ROOTS)
            cls._users += 1
        self.started = True
        return self

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        cls = type(self)
        with cls._lock:
            cls._users -= 1
            if cls._users == 0:
                for logger, handlers, propagate in cls._saved:
                    logger.handlers[:] = handlers
                    logger.propagate = propagate
                cls._saved = []
                if cls._handler is not None:
                    cls._handler.close()
                cls._handler = None


def worker_settings(path: str | Path | None) -> tuple[dict, dict]:
    """``(dask config, worker environment)`` of a local cluster whose workers send their records to
    ``path`` (:func:`dask_setup`); nothing when ``path`` is None."""
    if path is None:
        return {}, {}
    import dask

    preload = [p for p in dask.config.get("distributed.worker.preload", []) if p != __name__]
    return {"distributed.worker.preload": [*preload, __name__]}, {LOG_ENV: str(path)}


def dask_setup(worker=None) -> None:
    """Worker preload (:func:`worker_settings`): this worker process's distributed, tornado, bokeh
    and asyncio records go to the file named by :data:`LOG_ENV`, for the rest of the process; and it
    ignores Ctrl-C (:func:`ignore_interrupts`)."""
    path = os.environ.get(LOG_ENV)
    if path:
        _redirect(_FileHandler(path), WORKER_ROOTS)
    ignore_interrupts()


def ignore_interrupts() -> None:
    """In a local cluster's worker process: SIGINT ignored. A terminal's Ctrl-C reaches the whole
    process group, the workers of the build's local cluster among them; asyncio's runner turned it
    into a KeyboardInterrupt that multiprocessing printed, ~30 lines per worker on the build's
    stderr (hostile review s13-C, C31). The build itself handles the Ctrl-C: it says "interrupted"
    once and closes the cluster, which stops these workers (and their kernels) as on any close."""
    import signal

    if threading.current_thread() is threading.main_thread():  # where a handler may be set
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def keep_log(scratch: Path | None, cache_dir: Path) -> Path | None:
    """Append the records of the build's clusters (``scratch/dask.log``) to ``cache_dir/dask.log``;
    the kept file, or None when there were none."""
    source = None if scratch is None else Path(scratch) / LOG_NAME
    try:
        if source is None or not source.is_file() or source.stat().st_size == 0:
            return None
        cache_dir.mkdir(parents=True, exist_ok=True)
        target = cache_dir / LOG_NAME
        with open(source, "rb") as src, open(target, "ab") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        return target
    except OSError:  # the records are an aid, not a result: a full disk does not fail the build
        return None
