"""Run: the reports of a plan on an :class:`Executor`, one interface with two implementations.

* :class:`LocalExecutor`: ``jobs`` worker processes on this machine (:mod:`zzeval.build.worker`),
  each driving its own warm Jupyter kernel. Processes, not threads: exporting a report (nbconvert,
  font subsetting) is pure Python and in threads would queue on one GIL. A worker that dies fails
  only its current report and is replaced; every worker dies with the build
  (:mod:`zzeval.build.lifeline`).
* :class:`DaskExecutor`: every report is a task on a ``dask.distributed`` cluster, the one at
  ``scheduler`` or a ``LocalCluster`` of ``jobs`` single-threaded worker processes. Workers keep one
  warm kernel per thread between tasks (and between builds on a long-lived cluster, as long as the
  package code is the same). They read the season and the notebooks and write the reports
  themselves, so all of them must see the data, the notebooks and the output folder under the same
  paths (``docs/pipeline.md``); only small result dicts travel back.

Both call ``on_result(task, result)`` in the calling thread as each report finishes, with the
result of :func:`zzeval.build.tasks.run_task` (or :func:`~zzeval.build.tasks.failed_result`).
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from zzeval.build.tasks import ReportTask, failed_result
from zzeval.build.watchdog import WORKER_SILENCE_S, WorkerLines, report_time_limit
from zzeval.dask_logs import LOCAL_SCHEDULER, LOG_NAME, DaskLogs, worker_settings
from zzeval.errors import BuildError

OnResult = Callable[[ReportTask, dict], None]


class Executor(Protocol):
    """Runs report tasks and reports each result as it arrives."""

    def run(self, tasks: Sequence[ReportTask], on_result: OnResult) -> None: ...


def make_executor(kind: str, jobs: int, scheduler: str | None = None,
                  log_dir: Path | None = None, tmp_dir: Path | None = None) -> Executor:
    """``"local"`` (:class:`LocalExecutor`) or ``"dask"`` (:class:`DaskExecutor`); ``tmp_dir``: the
    ``TMPDIR`` of the workers this machine starts (:func:`zzeval.build.lifeline.scratch_folder`)."""
    if kind == "local":
        return LocalExecutor(jobs=jobs, log_dir=log_dir, tmp_dir=tmp_dir)
    if kind == "dask":
        return DaskExecutor(jobs=jobs, scheduler=scheduler, tmp_dir=tmp_dir)
    raise BuildError(f"unknown executor {kind!r}: use 'local' or 'dask'")


@dataclass
class LocalExecutor:
    """``jobs`` worker processes; their stderr goes to ``log_dir/worker-<i>.log``; their temporary
    files (their kernels' connection files among them) into ``tmp_dir`` when given (``TMPDIR``).

    :meth:`warm` starts the workers before the tasks are known (while the build evaluates the
    season), each preparing a kernel like the tasks' (:func:`zzeval.build.tasks.warm_task`);
    :meth:`run` then hands the tasks to them; :meth:`close` stops workers it did not use."""

    jobs: int
    log_dir: Path | None = None
    tmp_dir: Path | None = None
    #: seconds without a line from a worker after which it is killed (:mod:`zzeval.build.watchdog`)
    silence_s: float = WORKER_SILENCE_S

    def __post_init__(self) -> None:
        self._procs: list[subprocess.Popen] = []
        self._ready: dict[int, subprocess.Popen] = {}  # warmed workers not yet given to a feeder
        self._lock = threading.Lock()

    def warm(self, like: ReportTask) -> None:
        """Start the ``jobs`` workers now and have each warm a kernel for tasks like ``like``
        (answered by one ``warmed`` line, which the feeder skips)."""
        line = json.dumps({"warm": worker_task(like)}, ensure_ascii=False) + "\n"
        for i in range(self.jobs):
            proc = self._spawn(i)
            try:
                proc.stdin.write(line)
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                continue  # a worker that died is replaced by its feeder
            self._ready[i] = proc

    def close(self) -> None:
        """Stop the warmed workers that :meth:`run` did not take."""
        ready, self._ready = list(self._ready.values()), {}
        for proc in ready:
            _close_worker(proc)

    def kill(self) -> None:
        """Kill the warmed workers that :meth:`run` did not take, and their kernels, at once (the
        build was interrupted: a warm-up is not waited for)."""
        ready, self._ready = list(self._ready.values()), {}
        _kill_trees([proc for proc in ready if proc.poll() is None])

    def run(self, tasks: Sequence[ReportTask], on_result: OnResult) -> None:
        self._todo: queue.Queue = queue.Queue()
        for task in tasks:
            self._todo.put(task)
        self._done: queue.Queue = queue.Queue()
        self._stopping = threading.Event()
        threads = [threading.Thread(target=self._feed, args=(i,), name=f"zzeval-feeder-{i}", daemon=True)
                   for i in range(min(self.jobs, len(tasks)))]
        for th in threads:
            th.start()
        received = 0
        try:
            while received < len(tasks):
                task, res = self._done.get()
                if task is None:
                    raise BuildError(f"the local executor failed: {res['error']}")
                received += 1
                on_result(task, res)
        finally:
            self._stopping.set()
            if received < len(tasks):  # interrupted: stop the workers now
                with self._lock:
                    _kill_trees([proc for proc in self._procs if proc.poll() is None])
            for th in threads:
                th.join(timeout=90)
            self.close()

    def _spawn(self, i: int) -> subprocess.Popen:
        import os

        err = subprocess.DEVNULL
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            err = open(self.log_dir / f"worker-{i}.log", "ab")  # noqa: SIM115 - owned by the process
        env = None if self.tmp_dir is None else {**os.environ, "TMPDIR": str(self.tmp_dir)}
        proc = subprocess.Popen(worker_command(os.getpid()), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=err, text=True, encoding="utf-8", errors="surrogateescape",
                                bufsize=1, env=env)
        if err is not subprocess.DEVNULL:
            err.close()
        proc.lines = WorkerLines(proc)  # its stdout, read with a time limit
        with self._lock:
            self._procs.append(proc)
        return proc

    def _feed(self, i: int) -> None:
        """One feeder thread: hands tasks to its worker, one at a time, and collects results."""
        proc = self._ready.pop(i, None)
        try:
            while not self._stopping.is_set():
                try:
                    task = self._todo.get_nowait()
                except queue.Empty:
                    break
                if proc is None or proc.poll() is not None:
                    proc = self._spawn(i)
                started = time.monotonic()
                try:
                    proc.stdin.write(json.dumps(worker_task(task), ensure_ascii=False) + "\n")
                    proc.stdin.flush()
                    line, stuck = proc.lines.next_result(report_time_limit(task), self.silence_s)
                except (BrokenPipeError, OSError):
                    line, stuck = "", None
                if line:
                    self._done.put((task, json.loads(line)))
                    continue
                if stuck is not None:  # stopped, frozen or overdue (hostile review 9B, F6)
                    _kill_trees([proc])
                    self._done.put((task, failed_result(task.id, *stuck, seconds=time.monotonic() - started)))
                    proc = None
                    continue
                code = _wait_or_kill(proc)
                _close_pipes(proc)
                self._done.put((task, failed_result(
                    task.id, "WorkerDied", f"the build worker exited with code {code} while building "
                    "this report (out of memory? killed?)", seconds=time.monotonic() - started)))
                proc = None
        except Exception as exc:  # noqa: BLE001
            self._done.put((None, {"error": exc}))
        finally:
            _close_worker(proc)


def worker_task(task: ReportTask) -> dict:
    """``task`` as a local worker (UTF-8 mode: :func:`worker_command`) reads it: its paths spelt so
    that the worker and its kernel (``PYTHONUTF8=1``) reach the same bytes on disk as this process
    (:func:`zzeval.pathnames.for_utf8_mode`; under a GB18030 locale a Chinese folder name was
    re-encoded as UTF-8 and every report failed "season folder not found": re-review B, R2)."""
    from zzeval.pathnames import for_utf8_mode

    wire = task.to_dict()
    for key in ("notebook", "ipynb_path", "html_path", "cwd"):
        wire[key] = for_utf8_mode(wire[key])
    wire["parameters"] = {k: for_utf8_mode(v) if k in _PATH_PARAMETERS and isinstance(v, str) else v
                          for k, v in wire["parameters"].items()}
    if isinstance(wire["kernel"].get("argv"), list | tuple):  # the interpreter may lie under such a folder too
        wire["kernel"]["argv"] = [for_utf8_mode(a) for a in wire["kernel"]["argv"]]
    return wire


#: The notebook parameters that are paths (:func:`zzeval.build.plan.report_tasks`).
_PATH_PARAMETERS = ("data_dir", "results_path")


def worker_command(parent_pid: int) -> list[str]:
    """The command of a local worker (:mod:`zzeval.build.worker`): this interpreter in UTF-8 mode
    (``-X utf8``), so that the worker reads the tasks' Chinese names and paths as this process
    wrote them, and opens those paths, whatever the locale (a GBK or C locale failed every
    township report: hostile review 9B, F2). The pipes are UTF-8 with ``surrogateescape`` on both
    ends: a path this process read as undecodable bytes reaches the worker as the same bytes."""
    return [sys.executable, "-X", "utf8", "-m", "zzeval.build.worker", str(parent_pid)]


def _wait_or_kill(proc: subprocess.Popen, timeout_s: float = 30.0) -> int:
    """The exit code of a worker that closed its stdout, killed if it does not end within
    ``timeout_s`` (its kernel's shutdown hung)."""
    try:
        return proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_trees([proc])
        return proc.returncode


def _kill_trees(procs: list[subprocess.Popen]) -> None:
    """Kill the workers and, at once, the Jupyter kernels they started (a kernel runs in a session
    of its own and would otherwise live on for a second, long enough to write its connection
    file into the build's scratch folder after the build removed it); wait until all are gone."""
    import psutil

    family = []
    for proc in procs:
        try:
            worker = psutil.Process(proc.pid)
            worker.suspend()  # starts no kernel between the listing and the kill
            family += worker.children(recursive=True)
        except psutil.Error:
            pass
        proc.kill()
    for child in family:
        try:
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(family, timeout=10)
    for proc in procs:
        proc.wait()
        _close_pipes(proc)


def _close_worker(proc: subprocess.Popen | None) -> None:
    """Stop a worker (its stdin closed: it ends after its task) and close its pipes."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.stdin.close()
            proc.wait(timeout=60)
        except Exception:  # noqa: BLE001
            proc.kill()
            proc.wait()
    _close_pipes(proc)


def _close_pipes(proc: subprocess.Popen) -> None:
    """Close the build's ends of a worker's pipes (left open, each was a ResourceWarning, a
    traceback under ``PYTHONWARNINGS=error``: hostile review 9B, F10)."""
    try:
        if proc.stdin is not None:
            proc.stdin.close()
    except OSError:  # a pipe to a dead worker may fail to flush
        pass
    lines = getattr(proc, "lines", None)
    if lines is not None:
        lines.join()  # its thread closes the stdout pipe at its end


@dataclass
class DaskExecutor:
    """Tasks on the Dask cluster at ``scheduler``, or on a new local cluster of ``jobs`` workers (with
    ``TMPDIR`` set to ``tmp_dir`` when given)."""

    jobs: int
    scheduler: str | None = None
    tmp_dir: Path | None = None

    def run(self, tasks: Sequence[ReportTask], on_result: OnResult) -> None:
        from distributed import as_completed

        from zzeval.build.tasks import run_task

        # distributed's records in this process (and in a local cluster's workers) to the scratch
        # folder's dask.log, not the terminal (zzeval.dask_logs)
        logs = DaskLogs(None if self.tmp_dir is None else self.tmp_dir / LOG_NAME).start()
        try:
            client, cluster = self._connect(logs.path)
        except BuildError:
            logs.stop()
            raise
        except Exception as exc:  # noqa: BLE001 - a local cluster that did not start (a worker killed
            logs.stop()  # while it started: "Nanny failed to start."): every report fails, as with lost workers
            for task in tasks:
                on_result(task, failed_result(task.id, "ClusterStartError",
                                              f"the local Dask cluster did not start: {type(exc).__name__}: {exc}"))
            return
        except BaseException:
            logs.stop()
            raise
        try:
            by_key = {}
            for task in tasks:
                fut = client.submit(run_task, task, key=f"zzeval-report-{task.id}-{id(task):x}",
                                    pure=False, retries=0)
                by_key[fut.key] = (task, fut)
            for fut in as_completed([f for _, f in by_key.values()]):
                task = by_key[fut.key][0]
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker fails that report only
                    res = failed_result(task.id, type(exc).__name__, str(exc))
                on_result(task, res)
        finally:
            try:
                if cluster is not None:
                    try:
                        client.run(_shutdown_kernels)
                    except Exception:  # noqa: BLE001
                        pass
                client.close()
                if cluster is not None:
                    cluster.close()
            finally:
                logs.stop()  # after the cluster: its last records go to the file too

    def _connect(self, log_path: Path | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover
            raise BuildError("the Dask executor needs dask.distributed: pip install 'zzeval[dask]'") from exc
        if self.scheduler:
            try:
                return Client(self.scheduler, timeout="30s"), None
            except OSError as exc:
                raise BuildError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from exc
        import dask

        logs_config, logs_env = worker_settings(log_path)
        env = {**logs_env, **({} if self.tmp_dir is None else {"TMPDIR": str(self.tmp_dir)})}  # the nannies' workers'
        # the cluster's scratch space (dask-scratch-space) too, removed with the build's folder
        with dask.config.set({**logs_config, **({} if self.tmp_dir is None else {"temporary-directory": str(self.tmp_dir)})}):
            cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                                   scheduler_kwargs=dict(LOCAL_SCHEDULER), silence_logs=40, env=env or None)
            return Client(cluster), cluster


#: Seconds :func:`check_scheduler_reachable` waits for the scheduler's port to accept a connection,
#: and again for its answer to Dask's handshake and an ``identity`` request.
SCHEDULER_PROBE_TIMEOUT_S = 10.0
#: The port a Dask scheduler listens on by default (8787 is its dashboard, a web page).
SCHEDULER_PORT = 8786


def check_scheduler_reachable(address: str, timeout_s: float | None = None) -> None:
    """Raise :class:`BuildError` unless a Dask scheduler answers at ``address`` (``tcp://host:port``,
    ``tls://host:port`` or ``host:port``) within ``timeout_s`` seconds (default
    :data:`SCHEDULER_PROBE_TIMEOUT_S`): checked before the build evaluates or writes anything into
    ``--out`` (issue 13). A port that accepts the connection is not enough: the dashboard (8787) or
    another service there would leave the Dask client waiting for ever for its handshake
    (``distributed.comm.connect`` reads the peer's handshake without a time limit) or read the
    service's bytes as a frame length; so the scheduler must answer ``identity`` as a scheduler."""
    import socket
    from urllib.parse import urlsplit

    timeout_s = SCHEDULER_PROBE_TIMEOUT_S if timeout_s is None else timeout_s
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        host, port = None, None
    if not host or not port:
        raise BuildError(f"--scheduler {address[:100]!r} is not an address such as tcp://host:{SCHEDULER_PORT}")
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        raise BuildError(f"cannot reach the Dask scheduler at {address}: {exc}; start the scheduler (dask "
                         "scheduler) or fix --scheduler; nothing was written") from exc
    hint = (f"is it the dashboard or another service? A Dask scheduler listens on port {SCHEDULER_PORT} "
            f"by default (--scheduler {parts.scheme}://{host}:{SCHEDULER_PORT}; its dashboard is 8787); "
            "nothing was written")
    try:
        identity = _scheduler_identity(address, timeout_s)
    except TimeoutError as exc:
        raise BuildError(f"{address} accepts connections but did not answer as a Dask scheduler within "
                         f"{timeout_s:g} s: {hint}") from exc
    except Exception as exc:  # noqa: BLE001 - whatever the other end sent, it is not Dask's protocol
        raise BuildError(f"{address} accepts connections but does not speak Dask's protocol "
                         f"({type(exc).__name__}: {str(exc)[:120]}): {hint}") from exc
    kind = identity.get("type") if isinstance(identity, dict) else None
    if not (isinstance(kind, str) and kind.endswith("Scheduler")):
        raise BuildError(f"{address} is a Dask {kind or 'server'}, not the scheduler: give the scheduler's "
                         f"address (the one its workers were started with; port {SCHEDULER_PORT} by default); "
                         "nothing was written")


def _scheduler_identity(address: str, timeout_s: float) -> dict:
    """The answer of the Dask server at ``address`` to ``identity`` (``distributed.core.Server``'s
    handler; a scheduler says ``{"type": "Scheduler", …}``), the connection, the handshake and the
    answer bounded by ``timeout_s`` in all (``TimeoutError`` after it). Run in a thread of its own:
    the caller may be inside an event loop (a notebook)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect
    from distributed.core import send_recv
    from distributed.security import Security

    async def ask() -> dict:
        comm = await connect(address, timeout=timeout_s, **Security().get_connection_args("client"))
        try:
            return await send_recv(comm, op="identity")
        finally:
            comm.abort()

    async def bounded() -> dict:
        return await asyncio.wait_for(ask(), timeout_s)

    with ThreadPoolExecutor(1, thread_name_prefix="zzeval-scheduler-probe") as pool:
        return pool.submit(asyncio.run, bounded()).result()


def _shutdown_kernels() -> None:
    from zzeval.build.kernels import shutdown_all_sessions

    shutdown_all_sessions()
