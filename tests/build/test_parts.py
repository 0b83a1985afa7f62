"""Units of the build pipeline: atomic writes, the index page, kernels (no full builds)."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from zzeval.atomic import BuildLock, atomic_write_text, remove_stale_temp_files
from zzeval.errors import BuildError
from zzeval.report.index_page import render_index


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    atomic_write_text(target, "<html>old</html>")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "<html>new</html>")
    assert target.read_text() == "<html>old</html>"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # temp file removed


def test_stale_temp_files_are_removed(tmp_path):
    (tmp_path / "townships").mkdir()
    stale = tmp_path / "townships" / ".a.html.123-abcd.tmp"
    stale.write_text("<html>half")
    assert remove_stale_temp_files(tmp_path) == [stale] and not stale.exists()


def test_lock_is_exclusive_within_a_process_too(tmp_path):
    with BuildLock(tmp_path):
        with pytest.raises(BuildError, match="another zzeval build"):
            BuildLock(tmp_path).acquire()
    BuildLock(tmp_path).acquire().release()


def test_index_escapes_data_derived_text():
    rows = [{"slug": "x", "name": '<script>alert(1)</script>镇', "verdict": "warning", "status": "stale",
             "html": "townships/x.html", "log": "notebooks/x.ipynb", "built_at": "2021-04-01",
             "error": {"code_cell_number": 4, "source_head": "plot(<b>)", "ename": "ValueError",
                       "evalue": "bad <img src=x onerror=alert(1)>"}}]
    html = render_index(rows, {"season": "2020-2021", "synthetic": True, "data_dir": "<d>"}, "zh")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;镇" in html
    assert '<html lang="zh-CN">' in html and "第 4 个代码单元" in html and "合成" in html
    en = render_index(rows, {"season": "2020-2021", "synthetic": False}, "en")
    assert '<html lang="en">' in en and "Failed in code cell 4" in en and "SYNTHETIC" not in en


@pytest.mark.notebook
def test_warm_kernel_runs_this_interpreter_and_resets_between_notebooks(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook

    from zzeval.build.kernels import resolve_kernel, session_for_thread, shutdown_thread_session

    loop, kernel = session_for_thread(resolve_kernel("current"), tmp_path, warm_imports=("json",))
    try:
        outs = []
        for _ in range(2):
            nb = new_notebook(cells=[new_code_cell(
                "import sys\nprint(sys.executable, 'leak' in dir())\nleak = 1")])
            nb, error, timings = loop.run_until_complete(kernel.run(nb, 30))
            assert error is None
            outs.append((nb.cells[0].outputs[0]["text"].strip(), timings["kernel_reused"]))
        assert outs[0] == (f"{sys.executable} False", False)
        assert outs[1] == (f"{sys.executable} False", True)  # same kernel, clean namespace
        nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(20)")])
        nb, error, _ = loop.run_until_complete(kernel.run(nb, 2))
        assert error.ename == "Timeout" and error.code_cell_number == 1
    finally:
        shutdown_thread_session()


def test_warmed_local_workers_build_their_first_report_in_the_warm_kernel(tmp_path):
    """LocalExecutor.warm starts the workers and their kernels before the tasks are known (the
    build does it while the season is evaluated): the first report of each worker then starts no
    kernel (kernel_start_s 0, a reused kernel), and the warm-up's answer is not taken for a result."""
    from dataclasses import asdict

    from tests.build.helpers import TOWNSHIP_NB
    from zzeval.build.kernels import resolve_kernel
    from zzeval.build.run import LocalExecutor
    from zzeval.build.tasks import ReportTask

    def task(slug: str) -> ReportTask:
        return ReportTask(id=slug, notebook=str(TOWNSHIP_NB), parameters={"township": slug},
                          ipynb_path=str(tmp_path / f"{slug}.ipynb"), html_path=str(tmp_path / f"{slug}.html"),
                          rel_html=f"{slug}.html", lang="zh", kernel=asdict(resolve_kernel("current")),
                          cwd=str(TOWNSHIP_NB.parent), warm_imports=["json"],
                          exporter="tests.build.helpers:tiny_html", timeout_s=60)

    executor = LocalExecutor(jobs=2, log_dir=tmp_path / "logs")
    executor.warm(replace(task("__warm_up__"), ipynb_path="", html_path=""))
    results = {}
    executor.run([task("bagong"), task("liushukou"), task("nancun")], lambda t, r: results.update({t.id: r}))
    assert sorted(results) == ["bagong", "liushukou", "nancun"]
    assert all(r["status"] == "built" for r in results.values()), results
    assert [r["kernel_start_s"] for r in results.values()] == [0.0, 0.0, 0.0]
    assert all(r["kernel_reused"] for r in results.values())
    assert "liushukou" in (tmp_path / "liushukou.html").read_text(encoding="utf-8")


def test_warmed_workers_that_get_no_task_are_stopped(tmp_path):
    from dataclasses import asdict

    from tests.build.helpers import TOWNSHIP_NB
    from zzeval.build.kernels import resolve_kernel
    from zzeval.build.run import LocalExecutor
    from zzeval.build.tasks import ReportTask

    like = ReportTask(id="__warm_up__", notebook=str(TOWNSHIP_NB), parameters={}, ipynb_path="", html_path="",
                      rel_html="", lang="zh", kernel=asdict(resolve_kernel("current")), cwd=str(TOWNSHIP_NB.parent),
                      warm_imports=["json"], exporter="tests.build.helpers:tiny_html")
    executor = LocalExecutor(jobs=2)
    executor.warm(like)
    procs = list(executor._procs)
    executor.close()
    assert len(procs) == 2 and all(p.poll() is not None for p in procs)
