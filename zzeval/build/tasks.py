"""One report build: parameterise, execute in a warm kernel, export, check, write atomically.

:func:`run_task` is the unit of work of every executor (:mod:`zzeval.build.run`): a local worker
process or a Dask worker runs it on a :class:`ReportTask` and returns a plain result dict
(picklable, JSON-able). It writes its two files itself, atomically, so the coordinating process
never ships HTML around, and only while its build is alive (:func:`zzeval.build.lifeline.owner_alive`):

* ``task.ipynb_path``: the executed notebook, always (it is the log, also of a failure);
* ``task.html_path``: the report, only when the notebook ran without error and the report
  passed its checks. A failed report leaves the previous good one untouched.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass, field

from zzeval.atomic import atomic_write_bytes
from zzeval.build.hashing import sha256_bytes
from zzeval.build.lifeline import owner_alive


@dataclass
class ReportTask:
    """What a worker needs to build one report (plain values only: sent as JSON or pickled).

    ``kernel`` holds the :class:`~zzeval.build.kernels.KernelChoice` fields; ``generation`` is
    the code digest (a warm kernel from older code is not reused); ``owner`` the
    :class:`~zzeval.build.lifeline.Owner` of the build; times in seconds."""

    id: str
    notebook: str
    parameters: dict
    ipynb_path: str
    html_path: str
    rel_html: str
    lang: str
    kernel: dict
    cwd: str
    timeout_s: float = 900
    start_timeout_s: float = 60
    start_retries: int = 1
    kernel_reuse: bool = True
    generation: str = ""
    warm_imports: list | None = None
    exporter: str | None = None
    required_text: list = field(default_factory=list)
    owner: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def failure(ename: str, evalue: str, traceback_text: str = "", *, cell_index: int = -1,
            code_cell_number: int = 0, source_head: str = "") -> dict:
    """The one shape of a report's error (``code_cell_number`` 0: not in a notebook cell); an
    error of too many open files says what to do about it (hostile review 9B, F9)."""
    from zzeval.errors import TOO_MANY_FILES_HINT, is_too_many_files

    if is_too_many_files(f"{ename}: {evalue}\n{traceback_text}") and TOO_MANY_FILES_HINT not in evalue:
        evalue = f"{TOO_MANY_FILES_HINT} ({evalue})"
    return {"cell_index": cell_index, "code_cell_number": code_cell_number, "source_head": source_head,
            "ename": ename, "evalue": str(evalue)[:2000], "traceback": traceback_text[-4000:]}


def failed_result(task_id: str, ename: str, evalue: str, traceback_text: str = "", seconds: float = 0.0) -> dict:
    """The result of a report that failed outside :func:`run_task` (a worker died, a lost Dask task);
    ``seconds``: how long the report was waited for (a worker killed by the watchdog: re-review B, R3)."""
    return {"id": task_id, "status": "failed", "seconds": float(seconds),
            "error": failure(ename, evalue, traceback_text)}


def _export_html(nb, lang: str, exporter: str | None = None) -> str:
    if exporter:
        import importlib

        module, _, name = exporter.partition(":")
        return getattr(importlib.import_module(module), name)(nb, lang)
    from zzeval.report.html_export import notebook_to_html

    return notebook_to_html(nb, lang=lang)


def _check_html(html: str, required: list[str]) -> list[str]:
    """:func:`zzeval.report.htmlcheck.check_report` on a report: a problem fails the report (it is not
    written; the previous good one, if any, is kept and marked stale)."""
    from zzeval.report.htmlcheck import check_report

    return list(check_report(html, required_text=required or ()))


_GONE = ("BuildGone", "the build that started this report is no longer running; nothing was written")


def run_task(task: ReportTask | dict) -> dict:
    """Build one report; never raises for a notebook or export failure (returns ``status``).

    Returns
    -------
    dict
        ``id``, ``status`` ("built" or "failed"), ``error`` (:func:`failure` or None),
        ``seconds``, ``kernel_start_s``, ``execute_s``, ``export_s``, ``kernel_reused``,
        ``html_sha256``, ``html_bytes``, ``finished_at``, ``host``.
    """
    import nbformat

    if isinstance(task, dict):
        task = ReportTask(**task)
    t0 = time.monotonic()
    result = {"id": task.id, "status": "failed", "error": None, "kernel_start_s": 0.0,
              "execute_s": 0.0, "export_s": 0.0, "kernel_reused": False, "html_sha256": None,
              "html_bytes": 0}
    try:
        nb, error = _execute(task, result)
        if nb is None:
            return result
        if not owner_alive(task.owner):
            result["error"] = failure(*_GONE)
            return result
        # a path spelt with surrogate escapes (zzeval.pathnames.for_utf8_mode) is kept as a JSON escape
        atomic_write_bytes(task.ipynb_path, nbformat.writes(nb).encode("utf-8", "backslashreplace"))
        if error is not None:
            result["error"] = failure(error.ename, error.evalue, error.traceback, cell_index=error.cell_index,
                                      code_cell_number=error.code_cell_number, source_head=error.source_head)
            return result
        t1 = time.monotonic()
        html = _export_html(nb, task.lang, task.exporter)
        problems = _check_html(html, task.required_text)
        result["export_s"] = time.monotonic() - t1
        if problems:
            result["error"] = failure("ReportCheckError", "; ".join(problems))
            return result
        data = html.encode("utf-8")
        if not owner_alive(task.owner):
            result["error"] = failure(*_GONE)
            return result
        atomic_write_bytes(task.html_path, data)
        result.update(status="built", html_sha256=sha256_bytes(data), html_bytes=len(data))
        return result
    except Exception as exc:  # noqa: BLE001 - failure isolation: report it, never crash the build
        result["error"] = failure(type(exc).__name__, str(exc), traceback.format_exc())
        return result
    finally:
        result["seconds"] = time.monotonic() - t0
        result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        result["host"] = _host()


def _execute(task: ReportTask, result: dict):
    """Parameterise and run the notebook in this thread's warm kernel: ``(nb, cell error)``, or
    ``(None, None)`` with ``result["error"]`` set when the kernel did not start."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from zzeval.build.kernels import KernelStartError

    nb = load_notebook_node(task.notebook)  # papermill's: adds the metadata it expects
    nb = parameterize_notebook(nb, task.parameters, kernel_name=None, language="python")
    loop, kernel = _session(task)
    since = _stderr_size()
    try:
        nb, error, timings = loop.run_until_complete(kernel.run(nb, task.timeout_s))
    except KernelStartError as exc:  # KernelStartError, NotebookFolderGone
        cause = start_failure_cause(since)  # the open-file limit, said first: the failure line is cut at 200
        result["error"] = failure(type(exc).__name__, f"{cause}; {exc}" if cause else str(exc))
        return None, None
    result.update(timings)
    return nb, error


def _stderr_size() -> int | None:
    """The size of this process's stderr when it is a file (a local worker's ``worker-<i>.log``, where
    its kernels' stderr goes too), else None."""
    import os
    import stat

    try:
        info = os.fstat(2)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


#: What a kernel's process prints when the open-file limit stops it (pyzmq's ZMQError, Python's OSError EMFILE).
_EMFILE = b"Too many open files"


def start_failure_cause(since: int | None) -> str:
    """The cause of a kernel start failure that only the worker's log shows, said before the error:
    a kernel that could not open its sockets under a low open-file limit (``ulimit -n``, a container's
    or systemd unit's LimitNOFILE) died "before replying to kernel_info", and "Too many open files"
    was only in ``.cache/worker-<i>.log`` (hostile review s14-C, N19). ``since``: the log's size before
    the start (:func:`_stderr_size`), so that an earlier build's lines do not count. "" when not found."""
    import errno
    import os

    if since is None:
        return ""
    try:
        log = os.readlink("/proc/self/fd/2")
        with open("/proc/self/fd/2", "rb") as fh:  # Linux: the worker's log, however it was opened
            fh.seek(since)
            said = fh.read(1 << 20)
    except OSError as exc:  # no /proc (not Linux); EMFILE: the limit strikes here too
        if exc.errno != errno.EMFILE:
            return ""
        log, said = "the worker's log", _EMFILE
    if _EMFILE not in said:
        return ""
    try:
        import resource

        limit = f"the limit (ulimit -n) is {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}, "
    except (ImportError, OSError, ValueError):
        limit = ""
    # failure() puts TOO_MANY_FILES_HINT ("raise the limit (ulimit -n) or lower --jobs") before it
    return f"Too many open files: the kernel could not open its sockets ({limit}see {log})"


def _session(task: ReportTask):
    """This thread's event loop and warm kernel for ``task`` (:func:`~zzeval.build.kernels.session_for_thread`)."""
    from zzeval.build.kernels import KernelChoice, session_for_thread

    warm = {"warm_imports": tuple(task.warm_imports)} if task.warm_imports is not None else {}
    return session_for_thread(KernelChoice(**task.kernel), task.cwd, generation=task.generation,
                              start_timeout=task.start_timeout_s, start_retries=task.start_retries,
                              reuse=task.kernel_reuse, **warm)


#: The page a worker exports while it warms up (never written): the exporter's template compiled,
#: the CJK font loaded and subset once, the report check's parser imported.
_WARM_PAGE = "<h1>预热 warm-up</h1><p>乡镇 township 0123456789 µg/m³</p>"


def warm_task(task: ReportTask | dict) -> dict:
    """Prepare this thread to build reports like ``task`` before any is ready (the build's
    evaluation is still running): start and warm its kernel (:meth:`~zzeval.build.kernels.WarmKernel.start`,
    the very kernel the first report will reuse), import the notebook machinery and export a small
    page, so that the first report pays none of it. Writes nothing; never raises (a failure here
    is met again, and reported, by the first report). Returns ``{"warmed": ok, "seconds": ...}``."""
    t0 = time.monotonic()
    ok = True
    try:
        if isinstance(task, dict):
            task = ReportTask(**task)
        import nbformat  # noqa: F401
        from papermill.parameterize import parameterize_notebook  # noqa: F401

        loop, kernel = _session(task)
        if not kernel.alive:
            loop.run_until_complete(kernel.start())
        if not task.exporter:
            from zzeval.report.html_export import html_page

            _check_html(html_page([_WARM_PAGE], title="warm-up", lang=task.lang), [])
    except Exception:  # noqa: BLE001 - the first report meets (and reports) the same failure
        ok = False
    return {"warmed": ok, "seconds": time.monotonic() - t0}


def _host() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
