"""Hostile review s14-C (operations): published files damaged between builds, the lock and the log
tampered, the season folder changed during a build, unexpanded shell paths, a CJK font that is not
a font, the Dask dashboard."""

from __future__ import annotations

import json

import pytest

from tests.build.helpers import build_kwargs
from zzeval.build.builder import build_reports
from zzeval.build.records import STATE_FILE, load_state
from zzeval.errors import BuildError


def _cut(path, keep: float = 0.5) -> int:
    """Cut ``path`` to ``keep`` of its bytes (a full disk, a copy stopped half-way); its old size."""
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    return len(data)


def test_a_cut_page_and_a_cut_summary_are_written_again_not_vouched_up_to_date(built, capsys):
    """N02: a page cut in half and summary.json cut were answered "nothing to build: up to date"
    (the fast path only checked that they exist). They differ from what the last build wrote (its
    state records their digests): said in one line, the page rebuilt, the summary written again."""
    data, out = built
    season = out / "2020-2021"
    summary_before = (season / "summary.json").read_text(encoding="utf-8")
    page_size = _cut(season / "townships" / "bagong.html")
    _cut(season / "summary.json", 0.3)
    dry = build_reports(data, out_dir=out, **build_kwargs(dry_run=True, quiet=False))
    assert not dry.fast_path and dry.planned == ["bagong"]
    assert "the report file is not the page the last build wrote" in dry.reports[-1].reason
    err = capsys.readouterr().err
    assert "zzeval build: nothing changed, but the published files are not all those the last build wrote" in err
    assert "summary.json is not the file the last build wrote" in err and "townships/bagong.html is not the page" in err
    assert "would be written again (dry run)" in err
    summary = build_reports(data, out_dir=out, **build_kwargs(quiet=False))
    assert summary.ok and summary.built == ["bagong"] and sorted(summary.up_to_date) == ["__county__", "liushukou"]
    assert "they are written again" in capsys.readouterr().err
    assert (season / "townships" / "bagong.html").stat().st_size == page_size
    again = json.loads((season / "summary.json").read_text(encoding="utf-8"))
    assert again == json.loads(summary_before)
    log = [json.loads(line) for line in (season / "build-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["damaged"] for e in log if e["event"] == "republish"][-1][0].startswith("summary.json is not the file")
    assert build_reports(data, out_dir=out, **build_kwargs()).fast_path  # all as written again


def test_a_summary_hand_edited_or_the_index_removed_is_written_again(built, capsys):
    """N02: summary.json edited (its data hash changed by hand) and the index removed: written again."""
    data, out = built
    season = out / "2020-2021"
    doc = json.loads((season / "summary.json").read_text(encoding="utf-8"))
    (season / "summary.json").write_text(json.dumps({**doc, "data_sha256": "deadbeef"}), encoding="utf-8")
    (season / "index.html").unlink()
    summary = build_reports(data, out_dir=out, **build_kwargs(quiet=False))
    err = capsys.readouterr().err
    assert "index.html is missing; summary.json is not the file the last build wrote" in err
    assert summary.ok and summary.built == [] and not summary.fast_path
    assert json.loads((season / "summary.json").read_text(encoding="utf-8"))["data_sha256"] == doc["data_sha256"]
    assert (season / "index.html").is_file()


def test_a_state_naming_another_file_as_a_page_is_set_aside(built, capsys):
    """N35: the state's page of bagong hand-edited to liushukou's page, bagong's page deleted: the
    fast path vouched for it ("up to date") and the index linked a missing page. The state is set
    aside (like any hand-edited state of a wrong shape) and every report rebuilt once."""
    data, out = built
    season = out / "2020-2021"
    state = json.loads((season / STATE_FILE).read_text(encoding="utf-8"))
    state["reports"]["bagong"]["html"] = "townships/liushukou.html"
    (season / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    (season / "townships" / "bagong.html").unlink()
    problem = 'report "bagong" names "townships/liushukou.html" as its page, not townships/bagong.html'
    assert load_state(season / STATE_FILE)[1] == problem
    summary = build_reports(data, out_dir=out, **build_kwargs(quiet=False))
    assert problem in capsys.readouterr().err
    assert summary.ok and sorted(summary.built) == ["__county__", "bagong", "liushukou"]
    assert (season / "townships" / "bagong.html").is_file()


def test_a_lock_file_that_is_a_symbolic_link_is_refused_by_name(built, tmp_path):
    """N17: ``.build.lock`` a symbolic link (to a file elsewhere): filelock opens it with O_NOFOLLOW,
    an ELOOP OSError traceback and exit 1. Refused (exit 2) saying to remove the link; its target
    untouched; without the link the build runs."""
    data, out = built
    season = out / "2020-2021"
    precious = tmp_path / "precious.txt"
    precious.write_text("PRECIOUS\n", encoding="utf-8")
    (season / ".build.lock").unlink(missing_ok=True)
    (season / ".build.lock").symlink_to(precious)
    (season / "townships" / "bagong.html").unlink()  # work to do: the lock is taken
    with pytest.raises(BuildError) as err:
        build_reports(data, out_dir=out, **build_kwargs())
    assert str(err.value) == (f"{season / '.build.lock'} is a symbolic link (to {precious}); remove it (the build "
                              "makes its own lock file there; what the link points to is not touched)")
    assert precious.read_text(encoding="utf-8") == "PRECIOUS\n"
    (season / ".build.lock").unlink()
    assert build_reports(data, out_dir=out, **build_kwargs()).built == ["bagong"]


def test_a_build_log_cut_mid_line_is_continued_on_a_new_line(built):
    """N01: build-log.jsonl cut in its first line (a full disk, a kill during an append): the next
    build's ``build_start`` was glued onto the cut line, so it was lost too and a JSON-lines reader
    refused the file. The cut line stays as it was; every line after it is whole."""
    data, out = built
    season = out / "2020-2021"
    log = season / "build-log.jsonl"
    cut = log.read_text(encoding="utf-8")[:150]
    log.write_text(cut, encoding="utf-8")
    (season / "townships" / "bagong.html").unlink()
    assert build_reports(data, out_dir=out, **build_kwargs()).built == ["bagong"]
    first, *rest = log.read_text(encoding="utf-8").splitlines()
    assert first == cut
    events = [json.loads(line) for line in rest]
    assert events[0]["event"] == "build_start" and events[0]["data_dir"] == str(data)
    assert events[-1]["event"] == "build_end" and events[-1]["built"] == ["bagong"]


def _fail_as_the_notebook_does(monkeypatch, tasks=None):
    """Every report's result a failure as a report notebook gives it when its ``data_dir`` no longer
    holds the data the build evaluated (:func:`zzeval.assess.slices.check_same_data`); with
    ``tasks`` (the season's tasks.csv), the table is saved with other data just before the first
    report is recorded (a clerk's save while the build runs)."""
    from tests.build.test_stopped_publish import NEW_ROW, OLD_ROW
    from zzeval.build.publish import Publisher
    from zzeval.build.tasks import failed_result

    real = Publisher.record

    def record(self, task, res):
        if tasks is not None and OLD_ROW in tasks.read_text(encoding="utf-8"):
            tasks.write_text(tasks.read_text(encoding="utf-8").replace(OLD_ROW, NEW_ROW), encoding="utf-8")
        real(self, task, failed_result(task.id, "InputError", "results_path x.pkl was evaluated from other data "
                                       "than the files now in data_dir …: pass the evaluation a build made from …"))

    monkeypatch.setattr(Publisher, "record", record)


def test_a_season_saved_during_the_build_is_named_as_the_cause(built, monkeypatch, capsys):
    """N20: tasks.csv saved while the reports are built: every report failed with the notebook's
    advice for a papermill user ("pass the evaluation a build made from …"), never the plain cause.
    Each failure and the end of the build now say the season folder changed and to run again."""
    data, out = built
    _fail_as_the_notebook_does(monkeypatch, data / "tasks.csv")
    summary = build_reports(data, out_dir=out, **build_kwargs(force=True))
    assert sorted(summary.failed) == ["__county__", "bagong", "liushukou"]
    said = f"SeasonChanged: the season folder {data} changed during the build (tasks.csv): run the build again"
    assert all(said in r.failure_line() for r in summary.reports)
    assert all(r.error["cause"].startswith("InputError: results_path x.pkl was evaluated") for r in summary.reports)
    err = capsys.readouterr().err
    assert (f"zzeval build: the season folder {data} changed during the build (tasks.csv): the pages built show "
            "the data as it was when the build started; run the build again") in err
    monkeypatch.undo()
    assert build_reports(data, out_dir=out, **build_kwargs()).ok  # run again: built from the saved data


def test_a_notebook_input_error_with_the_season_unchanged_is_kept_as_it_is(built, monkeypatch, capsys):
    """The same error with the season folder as the build read it: the notebook's own message."""
    data, out = built
    _fail_as_the_notebook_does(monkeypatch)
    summary = build_reports(data, out_dir=out, **build_kwargs(force=True, townships=["bagong"]))
    assert summary.failed == ["bagong"] and summary.reports[-1].error["ename"] == "InputError"
    assert "changed during the build" not in capsys.readouterr().err


def test_a_local_cluster_leaves_port_8787_alone(monkeypatch, tmp_path):
    """N09: two Dask builds at once: the second printed distributed's "UserWarning: Port 8787 is
    already in use" on stderr once per cluster, although zzeval passes ``dashboard_address=None``:
    distributed starts the scheduler's HTTP server anyway, on 8787. Both local clusters (the build's
    and the evaluation's) now put it on a free port, and no warning is given while 8787 is taken."""
    import socket
    import types
    import warnings

    import distributed

    from zzeval.assess.runners import make_runner
    from zzeval.build.run import DaskExecutor
    from zzeval.dask_logs import LOCAL_SCHEDULER
    from zzeval.errors import EvaluationError

    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:  # another build's scheduler (or someone else's, which does as well)
            taken.bind(("127.0.0.1", 8787))
            taken.listen(1)
        except OSError:
            pass
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cluster = distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None,
                                               scheduler_kwargs=dict(LOCAL_SCHEDULER))
            port = cluster.scheduler.http_server.port
            cluster.close()
    assert port != 8787
    assert not [w for w in caught if "8787" in str(w.message)], [str(w.message) for w in caught]

    asked = []

    def no_cluster(*args, **kwargs):
        asked.append(kwargs.get("scheduler_kwargs"))
        raise RuntimeError("Nanny failed to start.")

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    DaskExecutor(jobs=1).run([types.SimpleNamespace(id="a")], lambda task, res: None)
    with pytest.raises(EvaluationError):
        list(make_runner("dask", 1, None, tmp_path).imap(abs, [1]))
    assert asked == [LOCAL_SCHEDULER, LOCAL_SCHEDULER]


_KERNEL_LOG_SCRIPT = """
import os, sys
from zzeval.build.tasks import _stderr_size, failure, start_failure_cause
print("zmq.error.ZMQError: Too many open files  (an earlier build's kernel)", file=sys.stderr, flush=True)
since = _stderr_size()
print(sys.argv[1], file=sys.stderr, flush=True)  # what this kernel printed while it died
cause = start_failure_cause(since)
print(failure("KernelStartError", f"{cause}; did not start" if cause else "did not start")["evalue"])
"""


@pytest.mark.parametrize(("kernel_said", "expected"), [
    ("zmq.error.ZMQError: Too many open files",
     "too many open files: raise the limit (ulimit -n) or lower --jobs (Too many open files: the kernel could not "
     "open its sockets (the limit (ulimit -n) is {limit}, see {log}); did not start)"),
    ("RuntimeError: Kernel died before replying to kernel_info", "did not start"),
])
def test_a_kernel_stopped_by_the_open_file_limit_is_said_to_be(tmp_path, kernel_said, expected):
    """N19: under ``ulimit -n 24`` every report failed "KernelStartError: … Kernel died before replying
    to kernel_info"; "Too many open files" was only in the worker's log (its kernels' stderr). The
    failure now names it, with the limit and the log, from what the log gained during this start
    only (an earlier build's lines do not count)."""
    import resource
    import subprocess
    import sys
    from pathlib import Path

    log = tmp_path / "worker-0.log"
    with open(log, "ab") as err:
        proc = subprocess.run([sys.executable, "-c", _KERNEL_LOG_SCRIPT, kernel_said], stderr=err, stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).resolve().parents[2], check=True)
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert proc.stdout.strip() == expected.format(limit=limit, log=log)
