"""distributed's own log records stay off the terminal of a Dask build (s11 hostile review B, c10:
a worker's "Failed to communicate with scheduler during heartbeat." and two Python tracebacks on
stderr while the build went on). Each script runs in a process of its own: distributed sets up its
stderr handlers at its import, as in ``zzeval build``, and a worker inherits that process's stderr."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("distributed")

HEARTBEAT = "Failed to communicate with scheduler during heartbeat."

#: a record with a traceback, as distributed's worker logs it (``logger.exception``)
EMIT = textwrap.dedent(f"""
    def emit(_=None):
        import logging
        try:
            raise OSError("Stream is closed")
        except OSError:
            logging.getLogger("distributed.worker").exception({HEARTBEAT!r})
        return 1
""")


def _run(script: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", EMIT + textwrap.dedent(script)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("cluster", ["evaluation", "reports"])
def test_a_worker_record_with_a_traceback_goes_to_the_log_not_stderr(tmp_path, cluster):
    """A record of ``distributed.worker`` in a worker process of the build's local cluster (the
    evaluation's runner, the reports' executor): in ``dask.log`` of the scratch folder, not on stderr."""
    if cluster == "evaluation":
        body = """
            from zzeval.assess.runners import make_runner
            assert list(make_runner("dask", 1, None, scratch).imap(emit, [0])) == [1]
        """
    else:
        body = """
            import types
            import zzeval.build.tasks
            from zzeval.build.run import DaskExecutor
            zzeval.build.tasks.run_task = emit  # the report task replaced by the emitting function
            got = []
            DaskExecutor(jobs=1, tmp_dir=Path(scratch)).run([types.SimpleNamespace(id="t")],
                                                            lambda task, res: got.append(res))
            assert got == [1], got
        """
    res = _run(f"""
        from pathlib import Path
        scratch = {str(tmp_path)!r}
        {textwrap.indent(textwrap.dedent(body), "        ").strip()}
        print("done")
    """, tmp_path)
    assert res.returncode == 0 and "done" in res.stdout, res.stderr[-3000:]
    assert "Traceback" not in res.stderr and HEARTBEAT not in res.stderr, res.stderr[-3000:]
    log = (tmp_path / "dask.log").read_text(encoding="utf-8")
    assert HEARTBEAT in log and "Traceback" in log and "OSError: Stream is closed" in log


def test_the_build_process_records_go_to_the_log_while_a_cluster_lives(tmp_path):
    """In the build's own process (the scheduler, nannies and client of a local cluster): the records
    go to the file while :class:`DaskLogs` is started (nested starts counted), to stderr again after."""
    res = _run(f"""
        import logging
        from zzeval.dask_logs import DaskLogs
        path = {str(tmp_path / "dask.log")!r}
        outer = DaskLogs(path).start()
        inner = DaskLogs(path).start()
        emit()
        logging.getLogger("tornado.application").error("tornado inside")
        inner.stop()
        logging.getLogger("distributed.scheduler").error("still inside")
        outer.stop()
        logging.getLogger("distributed.scheduler").error("after the cluster")
    """, tmp_path)
    assert res.returncode == 0, res.stderr
    log = (tmp_path / "dask.log").read_text(encoding="utf-8")
    assert all(t in log for t in (HEARTBEAT, "Traceback", "tornado inside", "still inside"))
    assert "after the cluster" not in log
    assert res.stderr.strip().endswith("after the cluster") and "Traceback" not in res.stderr, res.stderr


def test_kept_in_the_seasons_cache(tmp_path):
    from zzeval.dask_logs import LOG_NAME, keep_log

    scratch, cache = tmp_path / "scratch", tmp_path / "out" / ".cache"
    scratch.mkdir()
    assert keep_log(scratch, cache) is None and keep_log(None, cache) is None  # no records: no file
    (scratch / LOG_NAME).write_text("one\n", encoding="utf-8")
    keep_log(scratch, cache)
    keep_log(scratch, cache)
    assert (cache / LOG_NAME).read_text(encoding="utf-8") == "one\none\n"


def test_a_local_cluster_that_does_not_start_fails_the_reports_not_the_build(monkeypatch):
    """A report worker killed while the local cluster started: LocalCluster raised "Nanny failed to
    start." out of the build, a Python traceback on the terminal (found while checking the above).
    Every report fails instead (its previous page kept, marked stale), as when workers are lost."""
    import types

    import distributed

    from zzeval.build.run import DaskExecutor

    def no_cluster(*args, **kwargs):
        raise RuntimeError("Nanny failed to start.")

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    got = []
    DaskExecutor(jobs=1).run([types.SimpleNamespace(id="a"), types.SimpleNamespace(id="b")],
                             lambda task, res: got.append((task.id, res)))
    assert [t for t, _ in got] == ["a", "b"]
    assert all(r["status"] == "failed" and r["error"]["ename"] == "ClusterStartError"
               and "Nanny failed to start." in r["error"]["evalue"] for _, r in got)


def test_an_evaluation_cluster_that_does_not_start_is_an_evaluation_error(monkeypatch, tmp_path):
    import distributed

    from zzeval.assess.runners import make_runner
    from zzeval.errors import EvaluationError

    def no_cluster(*args, **kwargs):
        raise RuntimeError("Nanny failed to start.")

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    with pytest.raises(EvaluationError, match="the local Dask cluster did not start: RuntimeError: Nanny"):
        list(make_runner("dask", 1, None, tmp_path).imap(abs, [1]))
