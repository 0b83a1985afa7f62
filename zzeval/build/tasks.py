"""One report build: parameterise, execute in a warm kernel, export, check, write atomically.

:func:`run_task` is the unit of work of both executors: local threads call it directly, Dask
workers receive it as a task. It takes and returns plain dicts (picklable, JSON-able) and writes
its two files itself, atomically, so the coordinating process never ships HTML around:

* ``task["ipynb_path"]``: the executed notebook, always (it is the log, also of a failure);
* ``task["html_path"]``: the report, only when the notebook ran without error and the report
  passed its checks. A failed report leaves the previous good one untouched.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path

from zzeval.build.atomic import atomic_write_bytes, atomic_write_text
from zzeval.build.hashing import sha256_bytes
from zzeval.build.kernels import KernelChoice, KernelStartError, session_for_thread


def _export_html(nb, lang: str, exporter: str | None = None) -> str:
    if exporter:
        import importlib

        module, _, name = exporter.partition(":")
        return getattr(importlib.import_module(module), name)(nb, lang)
    try:
        from zzeval.report.html_export import notebook_to_html
    except ImportError:
        notebook_to_html = None
    if notebook_to_html is not None:
        return notebook_to_html(nb, lang=lang)
    from nbconvert import HTMLExporter  # fallback until zzeval.report.html_export exists

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    html, _ = exporter.from_notebook_node(nb)
    return html


def _check_html(html: str, required: list[str]) -> list[str]:
    """:func:`zzeval.report.htmlcheck.check_report` on a report: a problem fails the report (it is not
    written; the previous good one, if any, is kept and marked stale)."""
    from zzeval.report.htmlcheck import check_report

    return list(check_report(html, required_text=required or ()))


def run_task(task: dict) -> dict:
    """Build one report; never raises for a notebook or export failure (returns ``status``).

    Parameters
    ----------
    task : dict
        ``id``, ``notebook`` (path), ``parameters`` (dict), ``ipynb_path``, ``html_path``,
        ``lang``, ``kernel`` (:class:`KernelChoice` fields), ``cwd``, ``timeout_s``,
        ``start_timeout_s``, ``start_retries``, ``kernel_reuse``, ``generation`` (code digest:
        a warm kernel from older code is not reused), ``required_text``.

    Returns
    -------
    dict
        ``id``, ``status`` ("built" or "failed"), ``error`` (dict or None), ``seconds``,
        ``kernel_start_s``, ``execute_s``, ``export_s``, ``kernel_reused``, ``html_sha256``,
        ``html_bytes``, ``finished_at``.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    t0 = time.monotonic()
    result = {"id": task["id"], "status": "failed", "error": None, "kernel_start_s": 0.0,
              "execute_s": 0.0, "export_s": 0.0, "kernel_reused": False, "html_sha256": None,
              "html_bytes": 0}
    try:
        nb = load_notebook_node(task["notebook"])  # papermill's: adds the metadata it expects
        nb = parameterize_notebook(nb, task["parameters"], kernel_name=None, language="python")
        choice = KernelChoice(**task["kernel"])
        loop, kernel = session_for_thread(
            choice, task["cwd"], generation=task.get("generation", ""),
            start_timeout=task["start_timeout_s"], start_retries=task["start_retries"],
            reuse=task["kernel_reuse"],
            **({"warm_imports": tuple(task["warm_imports"])} if task.get("warm_imports") is not None else {}))
        try:
            nb, error, timings = loop.run_until_complete(kernel.run(nb, task["timeout_s"]))
        except KernelStartError as exc:
            result["error"] = {"cell_index": -1, "code_cell_number": 0, "source_head": "",
                               "ename": "KernelStartError", "evalue": str(exc), "traceback": ""}
            return result
        result.update(timings)
        atomic_write_text(task["ipynb_path"], nbformat.writes(nb))
        if error is not None:
            result["error"] = error.to_dict()
            return result
        t1 = time.monotonic()
        html = _export_html(nb, task["lang"], task.get("exporter"))
        problems = _check_html(html, task.get("required_text") or [])
        result["export_s"] = time.monotonic() - t1
        if problems:
            result["error"] = {"cell_index": -1, "code_cell_number": 0, "source_head": "",
                               "ename": "ReportCheckError", "evalue": "; ".join(problems)[:2000],
                               "traceback": ""}
            return result
        data = html.encode("utf-8")
        atomic_write_bytes(task["html_path"], data)
        result.update(status="built", html_sha256=sha256_bytes(data), html_bytes=len(data))
        return result
    except Exception as exc:  # noqa: BLE001 - failure isolation: report it, never crash the build
        result["error"] = {"cell_index": -1, "code_cell_number": 0, "source_head": "",
                           "ename": type(exc).__name__, "evalue": str(exc)[:2000],
                           "traceback": traceback.format_exc()[-4000:]}
        return result
    finally:
        result["seconds"] = time.monotonic() - t0
        result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        result["host"] = _host()


def _host() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def notebook_exists(path: str | Path) -> bool:
    return Path(path).is_file()
