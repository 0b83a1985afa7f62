"""Where the evaluation's tasks run: this process, local worker processes, or a Dask cluster.

A :class:`Runner` maps a function over items and gives the results in the order of the items.
:meth:`Runner.start` starts its workers *now* and returns at once: they spawn and import what a
township task needs (:func:`warm_up`: pandas, pyarrow, statsmodels, the weather models) while
the calling process does its own serial work (``zzeval build`` starts them before it splits the
season by station), so that neither the cluster's start nor the imports wait on the critical
path. :meth:`Runner.close` stops them; a runner not started is started by ``imap`` and closed
when ``imap`` is done.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from zzeval.dask_logs import LOCAL_SCHEDULER, LOG_NAME, DaskLogs, worker_settings
from zzeval.errors import EvaluationError
from zzeval.processes import die_with_parent, quiet_resource_tracker

#: The Dask settings of a local cluster of this runner: no statistical profiler in the workers
#: (a thread sampling the worker's stack every 10 ms, taking the GIL from the task; its share
#: was not measured apart). The workers are also started without Dask's
#: ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc hand memory back to the system after
#: every large pandas temporary (17-township evaluation on 1 worker, one run each under load
#: 8: system CPU of the process tree 10.1 s with it, 5.1 s without). Neither changes a number.
#:
#: Nor are the scheduler and workers woken every 20 ms to check their event loop's health, and
#: every 500 ms to sample the process's CPU, memory and I/O for the dashboard
#: (``distributed.admin.tick.interval``, ``distributed.admin.system-monitor.interval`` in
#: distributed's ``distributed.yaml``): 1 s and 5 s here. An idle cluster of this runner (1 worker)
#: then costs this process 0.32 s of CPU in 30 s, not 0.69 s (one run each, load 6–7): the
#: coordinator's CPU while it waits for the tasks was 3.6 % of that wait (100-township
#: evaluation, load 8), CPU that the tasks lack on 2 cores. The workers' memory limits are
#: watched by their own monitor (``distributed.worker.memory.monitor-interval``), not this one.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False,
                        "distributed.admin.tick.interval": "1s",
                        "distributed.admin.system-monitor.interval": "5s"}

#: How long a runner keeps trying to reach the scheduler given by ``--scheduler`` before the address
#: is called unreachable (distributed retries a refused connection until then).
SCHEDULER_CONNECT_TIMEOUT = "30s"


def warm_up() -> None:
    """Import what a township task (:func:`zzeval.assess.tasks.evaluate_batch`) needs."""
    import pyarrow.parquet  # noqa: F401

    import zzeval.airquality.airstats  # noqa: F401
    import zzeval.airquality.validity  # noqa: F401
    import zzeval.airquality.weather  # noqa: F401
    import zzeval.airquality.weather_gam  # noqa: F401
    import zzeval.season.township_rows  # noqa: F401


def _nothing() -> None:
    return None


def _start_worker(parent_pid: int) -> None:
    """A pool process: killed with the build (``kill -9`` of it left the pool's workers running
    under init), quiet on Ctrl-C, with the tasks' imports done."""
    die_with_parent(parent_pid)
    exit_quietly_on_interrupt()
    warm_up()


def exit_quietly_on_interrupt() -> None:
    """In a worker: Ctrl-C (SIGINT, sent to the whole process group by a terminal) ends it at once and
    silently; the build says "interrupted" once (a worker's KeyboardInterrupt printed its traceback)."""
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(128 + signum))


@contextlib.contextmanager
def _interrupts_ignored():
    """SIGINT ignored while the pool's processes are started: a new program keeps the signals its starter
    ignored, while handled ones go back to the default (GNU C Library manual, "Initial Signal Actions"),
    and Python installs its KeyboardInterrupt handler only when SIGINT is not ignored; so they ignore
    Ctrl-C until their initializer runs. The block lasts the few milliseconds the pool takes to start
    them; a Ctrl-C in them is lost, the next one stops the build."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Runner(Protocol):
    """Runs a function over items, possibly elsewhere; results in the order of the items
    (``imap``: as they can be taken in that order, so that the caller need not hold them all).
    ``jobs``: how many run at the same time."""

    jobs: int
    running: bool  #: started (by :meth:`start`) and not closed

    def start(self) -> Runner: ...

    def close(self) -> None: ...

    def map(self, fn: Callable, items: Sequence) -> list: ...

    def imap(self, fn: Callable, items: Sequence) -> Iterator: ...

    def submit(self, fn: Callable, *args): ...


class _Deferred:
    """A call made when its result is asked for (``submit`` of a runner that is not started)."""

    def __init__(self, fn: Callable, args: tuple) -> None:
        self.fn, self.args = fn, args

    def result(self):
        return self.fn(*self.args)


class _Mapping:
    """``map`` of every runner: its ``imap``, all results taken; ``submit``: one call, in this
    process when its result is asked for (runners with workers send it to them once started)."""

    def map(self, fn: Callable, items: Sequence) -> list:
        return list(self.imap(fn, items))  # type: ignore[attr-defined]

    def submit(self, fn: Callable, *args):
        """``fn(*args)`` as a task; an object whose ``result()`` gives its value (or raises)."""
        return _Deferred(fn, args)


class SerialRunner(_Mapping):
    """Every task in this process, one after the other."""

    jobs = 1
    running = False

    def start(self) -> SerialRunner:
        return self

    def close(self) -> None:
        pass

    def imap(self, fn: Callable, items: Sequence) -> Iterator:
        return (fn(item) for item in items)


@dataclass
class ProcessRunner(_Mapping):
    """``jobs`` local worker processes (started fresh: ``spawn``; each imports
    :func:`warm_up`'s modules as it starts)."""

    jobs: int = 2
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False, compare=False)

    @property
    def running(self) -> bool:
        return self._pool is not None

    def start(self) -> ProcessRunner:
        """Spawn the workers now (returns at once)."""
        import multiprocessing

        if self._pool is None and self.jobs > 1:
            quiet_resource_tracker()  # no "leaked semaphore" warning after a kill of the build
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=_start_worker,
                                             initargs=(os.getpid(),))
            with _interrupts_ignored():  # the workers inherit Ctrl-C ignored while they import
                for _ in range(self.jobs):  # a pool spawns a worker per task while none is idle
                    self._pool.submit(_nothing)
        return self

    def close(self) -> None:
        """Stop the workers; the tasks not yet started are dropped (cancelled by the pool's own
        thread: :meth:`imap` never cancels a future itself, see there)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(cancel_futures=True)

    def submit(self, fn: Callable, *args):
        """``fn(*args)`` on a worker when started (queued before the tasks mapped after it)."""
        if self._pool is None:
            return _Deferred(fn, args)
        with _interrupted_when_workers_were(self._pool):
            return _Watched(self._pool, self._pool.submit(fn, *args))

    def imap(self, fn: Callable, items: Sequence) -> Iterator:
        if len(items) <= 1 or self.jobs <= 1:
            yield from SerialRunner().imap(fn, items)
            return
        owned = self._pool is None
        self.start()
        try:
            # not ``Executor.map``: on Ctrl-C its generator cancels the pending futures from this
            # thread while the pool's manager thread, finding the workers gone
            # (:func:`exit_quietly_on_interrupt`), sets BrokenProcessPool on the same futures;
            # CPython 3.11's ``terminate_broken`` does not skip cancelled ones and printed
            # "Exception in thread … InvalidStateError: CANCELLED". :meth:`close` cancels them
            # through ``shutdown(cancel_futures=True)``, in the manager thread itself.
            pool = self._pool
            with _interrupted_when_workers_were(pool):
                futures = [pool.submit(fn, item) for item in items][::-1]
            while futures:  # in order; a result is not held once given
                with _interrupted_when_workers_were(pool):
                    result = futures.pop().result()
                yield result
        finally:
            if owned:
                self.close()


@contextlib.contextmanager
def _interrupted_when_workers_were(pool: ProcessPoolExecutor):
    """A pool broken because its workers ended on Ctrl-C (exit status 130,
    :func:`exit_quietly_on_interrupt`) raises KeyboardInterrupt: the build then says "interrupted"
    once, whether this process's own SIGINT or the pool's thread noticing the dead workers came
    first (a BrokenProcessPool traceback otherwise, from a result or from the next submit)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        yield
    except BrokenProcessPool:
        workers = list((getattr(pool, "_processes", None) or {}).values())
        deadline = time.monotonic() + 2.0  # dead already or terminated by the pool: their status comes soon
        while not all(w.exitcode is not None for w in workers) and time.monotonic() < deadline:
            for worker in workers:
                worker.join(timeout=0.05)
            # the pool's thread may have reaped one: this join then returns at once without its status,
            # which that thread sets a moment later (a busy machine: a fixed count of joins ran out first)
            time.sleep(0.01)
        if any(w.exitcode == 128 + signal.SIGINT for w in workers):
            raise KeyboardInterrupt from None
        raise


class _Watched:
    """A future of :meth:`ProcessRunner.submit`: its ``result()`` reads workers ended on Ctrl-C as
    an interruption (:func:`_interrupted_when_workers_were`)."""

    def __init__(self, pool: ProcessPoolExecutor, future: Future) -> None:
        self.pool, self.future = pool, future

    def result(self):
        with _interrupted_when_workers_were(self.pool):
            return self.future.result()


class _Released:
    """A Dask future whose result is released on the cluster once taken."""

    def __init__(self, future) -> None:
        self.future = future

    def result(self):
        try:
            return self.future.result()
        finally:
            self.future.release()


@dataclass
class DaskRunner(_Mapping):
    """Tasks on a ``dask.distributed`` cluster: the one at ``scheduler``, or a local cluster of
    ``jobs`` single-threaded worker processes (:data:`LOCAL_CLUSTER_CONFIG`; closed by
    :meth:`close`)."""

    jobs: int = 2
    scheduler: str | None = None
    #: the folder of the local cluster's scratch space (dask's ``temporary-directory``, where its
    #: ``dask-scratch-space`` lock files go): the build's own temporary folder, removed with it; None:
    #: dask's default, ``$TMPDIR``
    local_directory: str | None = None
    _connecting: Future | None = field(default=None, repr=False, compare=False)
    _logs: DaskLogs = field(default_factory=lambda: DaskLogs(None), repr=False, compare=False)

    @property
    def running(self) -> bool:
        return self._connecting is not None

    def start(self) -> DaskRunner:
        """Connect (or start the local cluster) in a thread of this process, and import
        :func:`warm_up`'s modules on every worker; returns at once."""
        if self._connecting is None:
            pool = ThreadPoolExecutor(1, thread_name_prefix="zzeval-dask-start")
            self._connecting = pool.submit(self._connect)
            pool.shutdown(wait=False)  # the thread ends with the connection
        return self

    def _connect(self):
        from distributed import Client

        cluster = None
        # distributed's records in this process (and in a local cluster's workers) to the scratch
        # folder's dask.log, not the terminal (zzeval.dask_logs); stopped by close
        self._logs = DaskLogs(None if self.local_directory is None else Path(self.local_directory) / LOG_NAME).start()
        if self.scheduler:
            try:
                client = Client(self.scheduler, timeout=SCHEDULER_CONNECT_TIMEOUT)
            except OSError as exc:  # refused, unknown host, timed out
                raise EvaluationError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from exc
        else:
            import dask
            from distributed import LocalCluster

            scratch = {} if self.local_directory is None else {"temporary-directory": self.local_directory}
            logs_config, logs_env = worker_settings(self._logs.path)
            with dask.config.set({**LOCAL_CLUSTER_CONFIG, **scratch, **logs_config}):  # the nannies pass it on
                env = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ").items()
                       if k != "MALLOC_TRIM_THRESHOLD_"}
                with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
                    try:
                        cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                               dashboard_address=None, scheduler_kwargs=dict(LOCAL_SCHEDULER),
                                               silence_logs=40, env=logs_env)
                    except Exception as exc:  # a worker killed while it started: "Nanny failed to start."
                        raise EvaluationError(f"the local Dask cluster did not start: {type(exc).__name__}: "
                                              f"{exc}; nothing of this evaluation was published") from exc
            client = Client(cluster)
        try:
            client.run(warm_up)
        except Exception:
            client.close()
            if cluster is not None:
                cluster.close()
            raise
        return client, cluster

    def close(self) -> None:
        if self._connecting is None:
            return
        connecting, self._connecting = self._connecting, None
        try:
            client, cluster = connecting.result()
        except Exception:  # noqa: BLE001 - nothing was left open
            self._logs.stop()
            return
        try:
            client.close()
            if cluster is not None:
                cluster.close()
        finally:
            self._logs.stop()  # after the cluster: its last records go to the file too

    def submit(self, fn: Callable, *args):
        """``fn(*args)`` on a worker when started (queued before the tasks mapped after it)."""
        if self._connecting is None:
            return _Deferred(fn, args)
        client, _ = self._connecting.result()
        return _Released(client.submit(fn, *args, pure=False))

    def imap(self, fn: Callable, items: Sequence) -> Iterator:
        if not items:  # every township cached: no cluster to start
            return
        owned = self._connecting is None
        self.start()
        try:
            client, _ = self._connecting.result()
            # sent one at a time (not scattered all first): the first task runs while the
            # rest are pickled and sent
            futures = [client.submit(fn, item, pure=False) for item in items]
            for future in futures:  # in order; a result stays on its worker until taken
                yield future.result()
                future.release()
        finally:
            if owned:
                self.close()


def split_tasks(runner: Runner | None) -> dict:
    """The ``mapper`` and ``n_tasks`` arguments of :func:`zzeval.season.township_rows.split_season`
    that check and split a Parquet season on ``runner``'s workers (four tasks a worker) when it
    has local ones and is started; ``{}`` (in this process) for a serial runner and for a cluster
    at a ``scheduler`` address (its workers may not see this machine's temporary folder)."""
    if runner is None or not runner.running or getattr(runner, "scheduler", None):
        return {}
    return {"mapper": runner.map, "n_tasks": 4 * runner.jobs}


def make_runner(kind: str = "serial", jobs: int = 2, scheduler: str | None = None,
                tmp_dir: str | None = None) -> Runner:
    """``"serial"``, ``"local"`` (:class:`ProcessRunner`) or ``"dask"`` (:class:`DaskRunner`; ``tmp_dir``: its
    local cluster's scratch folder)."""
    runners = {"serial": SerialRunner, "local": lambda: ProcessRunner(jobs),
               "dask": lambda: DaskRunner(jobs, scheduler, None if tmp_dir is None else str(tmp_dir))}
    if kind not in runners:
        raise ValueError(f"unknown runner {kind!r}: use serial, local or dask")
    return runners[kind]()
