"""The build's watch over its local workers: a worker that stops answering is killed.

A local worker (:mod:`zzeval.build.worker`) writes a ``{"beat": n}`` line every
:data:`zzeval.build.worker.HEARTBEAT_S` seconds besides its results. ``--timeout`` bounds a
notebook inside the worker, not the worker itself: a worker stopped (``SIGSTOP``), frozen or
deadlocked made the build wait for ever, silently (hostile review 9B, F6). Here the build reads a
worker's lines in a thread of its own (:class:`WorkerLines`, a pipe cannot be read with a time
limit on every platform) and gives up on the worker when

* it wrote nothing, not even a heartbeat, for :data:`WORKER_SILENCE_S` seconds, or
* it did not finish its report within :func:`report_time_limit` (the report's ``--timeout``, its
  kernel's start and :data:`WORK_MARGIN_S` for the rest),

each after a last :data:`GRACE_S` seconds (a build stopped with its workers, Ctrl-Z, hears them
again once continued); the caller then kills the worker and its kernel, and fails the report.
"""

from __future__ import annotations

import math
import queue
import subprocess
import threading
import time

#: Seconds without a line (the heartbeat comes every 2 s) after which a worker is given up.
WORKER_SILENCE_S = 120.0
#: Seconds a worker that seems stopped or overdue is still listened to before it is given up.
GRACE_S = 10.0
#: Seconds allowed for a report's export, check and kernel reset on top of its notebook's
#: ``--timeout`` and its kernel's start (:func:`report_time_limit`).
WORK_MARGIN_S = 300.0
#: Seconds a kernel's warm-up code may take beyond its start timeout (:mod:`zzeval.build.kernels`).
KERNEL_WARM_S = 120.0


def report_time_limit(task) -> float | None:
    """The longest a worker may take for ``task`` (a :class:`~zzeval.build.tasks.ReportTask`) by
    its own limits: the notebook's ``timeout_s``, every start attempt of its kernel (ready, kernel
    info, warm-up: :meth:`~zzeval.build.kernels.WarmKernel.start`) and :data:`WORK_MARGIN_S`;
    None when the notebook has no time limit."""
    if not task.timeout_s:
        return None
    start = (1 + task.start_retries) * (3 * task.start_timeout_s + KERNEL_WARM_S)
    return task.timeout_s + start + WORK_MARGIN_S


class WorkerLines:
    """The lines a worker writes on its stdout, read by a thread of its own into a queue (which
    closes the pipe when the worker closes its end)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.pid = proc.pid
        self._lines: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(proc.stdout,),
                                        name=f"zzeval-worker-{proc.pid}-lines", daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        try:
            for line in stream:
                self._lines.put(line)
        except (OSError, ValueError):
            pass
        finally:
            self._lines.put("")
            try:
                stream.close()
            except OSError:
                pass

    def join(self, timeout: float = 5.0) -> None:
        """Wait until the pipe is closed (the worker is gone)."""
        self._thread.join(timeout)

    def _get(self, timeout: float) -> str | None:
        try:
            return self._lines.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None

    def next_result(self, limit_s: float | None,
                    silence_s: float = WORKER_SILENCE_S) -> tuple[str, tuple[str, str] | None]:
        """The worker's next result line, past its heartbeats and the answer to a warm-up (which
        restarts the time limit: the task waited for it); ``("", None)`` when the worker is gone;
        ``("", (error name, message))`` when it was silent for ``silence_s`` or took longer than
        ``limit_s`` (the caller kills it)."""
        heard = time.monotonic()
        deadline = heard + limit_s if limit_s else math.inf
        while True:
            line = self._get(min(deadline, heard + silence_s) - time.monotonic())
            if line is None:  # a last chance: the build itself may have been stopped (Ctrl-Z)
                line = self._get(GRACE_S)
                if line is None:
                    return "", self._why(time.monotonic() >= deadline, limit_s, silence_s)
            heard = time.monotonic()
            if not line:
                return "", None
            if line.startswith('{"beat"'):
                if heard >= deadline + GRACE_S:  # alive but overdue
                    return "", self._why(True, limit_s, silence_s)
                continue
            if line.startswith('{"warmed"'):
                deadline = heard + limit_s if limit_s else math.inf
                continue
            return line, None

    def _why(self, overdue: bool, limit_s: float | None, silence_s: float) -> tuple[str, str]:
        if overdue:
            return "WorkerTimeout", (f"the build worker (process {self.pid}) did not finish this report within {limit_s:g} s "
                    "(the notebook's --timeout, its kernel's start and the export): it was killed with its "
                    "kernel")
        return "WorkerStopped", (f"the build worker (process {self.pid}) gave no sign of life for {silence_s:g} s (stopped, "
                "e.g. by SIGSTOP, or frozen): it was killed with its kernel")
