"""Hostile review 9B (operations): the build under hostile environments and damaged caches (issue 13).

Each test is fast: a worker process answering one line, a cache file checked, a key computed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _worker(env_extra: dict) -> subprocess.Popen:
    """A build worker started as the build starts it (:func:`zzeval.build.run.worker_command`)."""
    from zzeval.build.run import worker_command

    env = {**os.environ, **env_extra}
    return subprocess.Popen(worker_command(os.getpid()), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"PYTHONIOENCODING": "gbk"},
                                 {"LC_ALL": "C", "LANG": "", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}],
                         ids=["ascii", "gbk", "C-locale"])
def test_f2_the_worker_reads_its_utf8_tasks_whatever_the_locale(env):
    """The build writes its tasks in UTF-8 (township names in Chinese); a worker that decoded its
    stdin in the locale's encoding died on them (ascii), or read other names (GBK, a C locale's
    surrogates), and every township report failed. A warm-up line that is not a task is answered
    ``{"warmed": false}``; the name is checked through a task the worker cannot build: its error
    names the notebook path as the worker read it and tried to open it (a C locale's file system
    encoding is ASCII: the worker runs in UTF-8 mode)."""
    proc = _worker(env)
    task = {"id": "南村镇", "notebook": "/nonexistent/南村镇.ipynb", "parameters": {}, "ipynb_path": "",
            "html_path": "", "rel_html": "", "lang": "zh", "kernel": {}, "cwd": "/"}
    lines = json.dumps({"warm": {"名": "南村镇"}}, ensure_ascii=False) + "\n" + json.dumps(task, ensure_ascii=False) + "\n"
    out, err = proc.communicate(lines.encode("utf-8"), timeout=120)
    answers = [json.loads(line) for line in out.decode("utf-8").splitlines() if not line.startswith('{"beat"')]
    assert proc.returncode == 0, err.decode("utf-8", "replace")[-2000:]
    assert answers[0]["warmed"] is False
    assert answers[1]["id"] == "南村镇" and answers[1]["status"] == "failed"
    assert "南村镇.ipynb" in answers[1]["error"]["evalue"]


_UNCLOSED = r'''
from zzeval.build.run import LocalExecutor
from zzeval.build.tasks import ReportTask
from zzeval.report.fonts import webfont_subset

webfont_subset("南村镇 abc")  # the page font, parsed once per worker and kept
task = ReportTask(id="nancun", notebook="/nonexistent/nancun.ipynb", parameters={}, ipynb_path="",
                  html_path="", rel_html="", lang="zh", kernel={}, cwd="/")
got = []
LocalExecutor(jobs=1).run([task], lambda t, r: got.append(r["status"]))
print(got)
'''


def test_f10_the_build_leaves_no_file_or_pipe_open(tmp_path):
    """Under PYTHONWARNINGS=error (or python -X dev) a build printed two ResourceWarning tracebacks:
    the workers' stdout pipes and the CJK font file were never closed. A worker here fails its
    report at once (no notebook: no kernel is started)."""
    proc = subprocess.run([sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", _UNCLOSED],
                          capture_output=True, encoding="utf-8", errors="replace", timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "['failed']"
    assert "ResourceWarning" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-3000:]


def _bogus_task(**fields):
    from zzeval.build.tasks import ReportTask

    return ReportTask(**{"id": "nancun", "notebook": "/nonexistent/nancun.ipynb", "parameters": {}, "ipynb_path": "",
                         "html_path": "", "rel_html": "", "lang": "zh", "kernel": {}, "cwd": "/", **fields})


def test_f6_a_stopped_worker_is_killed_and_its_report_failed(monkeypatch):
    """A worker stopped for good (SIGSTOP) made the build wait for ever: --timeout bounds only the
    notebook. The build now kills a worker silent (no heartbeat) beyond its limit, with its kernel,
    and fails the report with a message saying so; nothing of the worker is left."""
    import signal

    import psutil

    from zzeval.build import run, watchdog

    monkeypatch.setattr(watchdog, "GRACE_S", 0.5)
    spawn = run.LocalExecutor._spawn
    pids = []

    def spawn_stopped(self, i):
        proc = spawn(self, i)
        os.kill(proc.pid, signal.SIGSTOP)
        pids.append(proc.pid)
        return proc

    monkeypatch.setattr(run.LocalExecutor, "_spawn", spawn_stopped)
    got = []
    run.LocalExecutor(jobs=1, silence_s=2).run([_bogus_task()], lambda t, r: got.append(r))
    assert got[0]["status"] == "failed" and got[0]["error"]["ename"] == "WorkerStopped"
    assert "no sign of life for 2 s" in got[0]["error"]["evalue"]
    assert got[0]["seconds"] >= 2.0, got[0]  # the time it waited, not "(after 0.0 s)" (re-review B, R3)
    assert not psutil.pid_exists(pids[0])


def _talker(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, encoding="utf-8")


@pytest.mark.parametrize(("code", "limit_s", "ename"), [
    ("import time\nwhile True:\n    print('{\"beat\": 1}', flush=True)\n    time.sleep(0.1)", 1.0, "WorkerTimeout"),
    ("import time; time.sleep(60)", 30.0, "WorkerStopped"),
    ("print('{\"warmed\": true}', flush=True); print('{\"id\": 1}', flush=True)", 1.0, None),
], ids=["beats-but-overdue", "silent", "answers"])
def test_f6_the_watchdog_tells_a_result_from_silence_and_overtime(monkeypatch, code, limit_s, ename):
    from zzeval.build import watchdog

    monkeypatch.setattr(watchdog, "GRACE_S", 0.3)
    proc = _talker(code)
    try:
        line, stuck = watchdog.WorkerLines(proc).next_result(limit_s=limit_s, silence_s=1.0)
    finally:
        proc.kill()
        proc.wait()
    if ename is None:
        assert (line, stuck) == ('{"id": 1}\n', None)
    else:
        assert line == "" and stuck[0] == ename


def test_f6_the_time_limit_of_a_report_covers_its_own_limits():
    from zzeval.build.watchdog import WORK_MARGIN_S, report_time_limit

    task = _bogus_task(timeout_s=20, start_timeout_s=60, start_retries=1)
    assert report_time_limit(task) == 20 + 2 * (3 * 60 + 120) + WORK_MARGIN_S
    assert report_time_limit(_bogus_task(timeout_s=0)) is None


def _cache_ctx(tmp_path, force=False):
    from types import SimpleNamespace

    log = []
    ctx = SimpleNamespace(options=SimpleNamespace(force=force, dry_run=False, quiet=True), data_sha256="ours",
                          log=SimpleNamespace(write=lambda event, **f: log.append((event, f))))
    return ctx, log, tmp_path / "evaluation-0123.pkl"


def _evaluation(data_sha256: str, value: float):
    from types import SimpleNamespace

    return SimpleNamespace(provenance={"data_sha256": data_sha256}, pm25=value)


def test_f4_f7_a_kept_evaluation_is_used_only_as_written(tmp_path):
    """.cache/evaluation-<key>.pkl replaced by another season's evaluation was published (even
    with --force); a truncated one was an UnpicklingError traceback (even with --force). It is
    now checked against the hash written beside it and the data hash inside it: computed again
    otherwise, with a notice in the build log; --force always computes it again."""
    import pickle

    from zzeval.build.evaluation_cache import cached_evaluation, keep_evaluation

    ctx, log, path = _cache_ctx(tmp_path)
    keep_evaluation(ctx, path, _evaluation("ours", 48.3))
    assert cached_evaluation(ctx, path).pm25 == 48.3 and not log

    path.write_bytes(pickle.dumps(_evaluation("theirs", 49.5)))  # another season's, .json unchanged
    assert cached_evaluation(ctx, path) is None
    assert log[-1][0] == "evaluation_discarded" and "damaged or replaced" in log[-1][1]["reason"]

    keep_evaluation(ctx, path, _evaluation("ours", 48.3))
    path.write_bytes(path.read_bytes()[:40])  # truncated by an interrupted copy
    assert cached_evaluation(ctx, path) is None

    ctx.data_sha256 = "theirs"  # a .json naming the data, a file holding another's evaluation
    keep_evaluation(ctx, path, _evaluation("ours", 48.3))
    assert cached_evaluation(ctx, path) is None and "other data" in log[-1][1]["reason"]

    ctx, log, _ = _cache_ctx(tmp_path, force=True)
    keep_evaluation(ctx, path, _evaluation("ours", 48.3))
    assert cached_evaluation(ctx, path) is None and log[-1][1]["reason"] == "--force"


def test_f7_a_truncated_township_result_is_computed_again(tmp_path):
    from types import SimpleNamespace

    from zzeval.assess.tasks import cached_part

    (tmp_path / "k.pkl").write_bytes(b"\x80\x05\x95")
    assert cached_part(SimpleNamespace(cache_dir=str(tmp_path), key="k")) is None


@pytest.mark.parametrize("dist", ["scikit_learn", "statsmodels", "patsy", "pyarrow"])
def test_f5_an_upgraded_number_library_makes_the_kept_results_stale(tmp_path, monkeypatch, dist):
    """The build's key had statsmodels' version but not scikit-learn's (the gbm weather model): a
    build after its upgrade said 'up to date'. An upgrade is a newer ``<dist>-<version>.dist-info``
    first on ``sys.path``: the build's key and a township's cache key change with it."""
    from zzeval.assess import tasks
    from zzeval.build import hashing

    before = hashing.code_digest(), tasks.code_digest.__wrapped__()
    (tmp_path / f"{dist}-99.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    after = hashing.code_digest(), tasks.code_digest.__wrapped__()
    assert after[0] != before[0] and after[1] != before[1]


def test_f13_a_folder_that_refuses_new_files_is_named_with_what_to_fix(tmp_path, monkeypatch):
    """.cache/results owned by another user: the message named a temporary file that never
    existed (``.shared-….pkl.<pid>-<hex>.tmp: Permission denied``). It names the folder and the
    fix, and is a ZzevalError (the CLI exits 2) and still a PermissionError. Simulated: tests run
    as root, whom permissions do not stop."""
    import builtins

    import zzeval.atomic as atomic
    from zzeval.errors import ZzevalError

    def refused(file, mode="r", *args, **kwargs):
        if "w" in mode:
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(atomic, "open", refused, raising=False)
    target = tmp_path / "results" / ".shared-nancun.pkl"
    with pytest.raises(ZzevalError) as info:
        atomic.atomic_write_bytes(target, b"x")
    message = str(info.value)
    assert isinstance(info.value, PermissionError)
    assert f"cannot create files in the folder {target.parent}: Permission denied" in message
    assert "write permission" in message and ".tmp" not in message
    assert list(target.parent.iterdir()) == []


def test_f9_a_kernel_out_of_file_descriptors_is_named_with_what_to_do():
    """Under ``ulimit -n 64`` every report failed with "the notebook failed (no error output
    found)": the kernel could not send its error output, only its reply named the error. The
    report's error is now the reply's, and says what to do."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    from zzeval.build.kernels import _execution_error
    from zzeval.build.tasks import failure

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import zzeval"),
                                         nbformat.v4.new_code_cell("import matplotlib.pyplot")])
    exc = CellExecutionError("Traceback ...", "OSError",
                             "[Errno 24] Too many open files: '.../PIL/BmpImagePlugin.py'")
    error = _execution_error(nb, exc, 1)
    assert (error.code_cell_number, error.ename) == (2, "OSError")
    shown = failure(error.ename, error.evalue, error.traceback)["evalue"]
    assert shown.startswith("too many open files: raise the limit (ulimit -n) or lower --jobs")
    assert "BmpImagePlugin" in shown


def test_f9_the_cli_says_what_to_do_when_the_build_runs_out_of_file_descriptors(monkeypatch, capsys):
    import errno

    from zzeval import cli

    def out_of_files(args):
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(cli, "_cmd_factors", out_of_files)
    assert cli.main(["factors"]) == 2
    err = capsys.readouterr().err
    assert "too many open files: raise the limit (ulimit -n) or lower --jobs" in err and "Traceback" not in err


def test_r2_a_worker_reaches_the_folder_the_build_named_under_a_gb18030_locale(tmp_path, monkeypatch):
    """Under a GB18030 locale a Chinese folder name is GB18030 bytes on disk; the build sent it to its
    workers (UTF-8 mode) as text, which they encoded as UTF-8: another folder, and every report failed
    "season folder not found" (re-review B, R2). The build's view is emulated here: its file-system
    encoding is GB18030 (``os.fsencode`` as that locale's). The worker must reach the notebook file
    in that folder: it reads it and fails on its content, not "No such file"."""
    from zzeval.build import run

    folder = os.path.join(os.fsencode(tmp_path), "数据".encode("gb18030"))
    os.mkdir(folder)
    with open(os.path.join(folder, b"bad.ipynb"), "w") as fh:
        fh.write("not a notebook")
    as_the_build_names_it = str(tmp_path / "数据" / "bad.ipynb")  # decoded by a GB18030 locale
    got = []
    monkeypatch.setattr(os, "fsencode", lambda p: os.fspath(p).encode("gb18030", "surrogateescape"))
    run.LocalExecutor(jobs=1).run([_bogus_task(notebook=as_the_build_names_it)], lambda t, r: got.append(r))
    monkeypatch.undo()
    error = got[0]["error"]
    assert got[0]["status"] == "failed" and error["ename"] != "FileNotFoundError", error
    assert "No such file" not in error["evalue"] and "bad.ipynb" not in error["evalue"], error
