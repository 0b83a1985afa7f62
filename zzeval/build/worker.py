"""A local build worker: ``python -m zzeval.build.worker PARENT_PID`` reads one JSON task per
line on stdin, runs it (:func:`zzeval.build.tasks.run_task`, with this process's warm kernel)
and writes one JSON result per line on stdout, both in UTF-8 whatever the locale. The
coordinating build starts ``jobs`` of these with its own interpreter (``sys.executable``), so no
``if __name__ == "__main__"`` guard is needed in scripts that call
:func:`zzeval.build.builder.build_reports`, and exporting reports (pure Python) runs in parallel
instead of queueing on one GIL.

A line ``{"warm": task}`` instead of a task prepares the worker for tasks like it
(:func:`zzeval.build.tasks.warm_task`: its kernel started and warmed, the exporter ready) while
the build is still evaluating; it is answered with one ``{"warmed": ...}`` line.

A worker dies with its build (:func:`zzeval.processes.die_with_parent`), and stops when its
stdin closes. It writes a ``{"beat": n}`` line every :data:`HEARTBEAT_S` seconds, by which its
build knows it is alive (:class:`zzeval.build.run.LocalExecutor` kills a silent one).
"""

from __future__ import annotations

import io
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from zzeval.processes import die_with_parent

    die_with_parent(int(argv[0]) if argv else None)
    _unwind_on_hangup()
    # both ends of the pipes are UTF-8 whatever the locale (a GBK or C locale decoded the tasks'
    # Chinese names wrongly or not at all: hostile review 9B, F2); started in UTF-8 mode
    # (zzeval.build.run.worker_command), the worker opens their paths as UTF-8 too
    tasks = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="surrogateescape", buffering=1)
    sys.stdout = sys.stderr  # anything a library prints must not corrupt the result stream
    from zzeval.build.tasks import run_task, warm_task

    send = _Sender(out)
    try:
        for line in tasks:
            if not line.strip():
                continue
            message = json.loads(line)
            result = warm_task(message["warm"]) if "warm" in message else run_task(message)
            send(json.dumps(result, ensure_ascii=False, default=str))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the build says it was interrupted
        return 130
    finally:
        send.stop()
        _stop_kernel()
    return 0


def _stop_kernel() -> None:
    """Shut this worker's kernel down with Ctrl-C ignored meanwhile, and end quietly when SIGTERM
    or SIGHUP cuts it short (the kernel's process is then killed at exit): an interrupted build left
    a ``KeyboardInterrupt`` traceback in ``.cache/worker-N.log`` (s10 hostile review B, B5)."""
    import signal

    from zzeval.build.kernels import shutdown_thread_session

    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            shutdown_thread_session()
        finally:
            signal.signal(signal.SIGINT, previous)
    except KeyboardInterrupt:
        pass


#: Seconds between two ``{"beat": n}`` lines of a worker: its build kills a worker silent for
#: :data:`zzeval.build.run.WORKER_SILENCE_S` (stopped, frozen: hostile review 9B, F6).
HEARTBEAT_S = 2.0


class _Sender:
    """Writes the worker's result lines, and a ``{"beat": n}`` line every :data:`HEARTBEAT_S`
    seconds from a thread of its own: whole lines only (one lock)."""

    def __init__(self, out) -> None:
        import threading

        self.out, self._lock, self._stop = out, threading.Lock(), threading.Event()
        threading.Thread(target=self._beat, name="zzeval-heartbeat", daemon=True).start()

    def __call__(self, line: str) -> None:
        with self._lock:
            self.out.write(line + "\n")
            self.out.flush()

    def _beat(self) -> None:
        n = 0
        while not self._stop.wait(HEARTBEAT_S):
            n += 1
            try:
                self(json.dumps({"beat": n}))
            except (OSError, ValueError):  # the build is gone (a closed pipe)
                return

    def stop(self) -> None:
        self._stop.set()


def _unwind_on_hangup() -> None:
    """SIGHUP and SIGTERM (a closed terminal signals the whole process group) end the worker as
    Ctrl-C does, through its ``finally``: its kernel is shut down and its connection file removed."""
    import signal

    for name in ("SIGHUP", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.default_int_handler)


if __name__ == "__main__":
    sys.exit(main())
