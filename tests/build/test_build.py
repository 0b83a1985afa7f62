"""The build pipeline (issue 6) on a tiny season with tiny notebooks (a second or two each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.build.helpers import build_kwargs
from zzeval.assess.evaluate import data_hash
from zzeval.atomic import BuildLock
from zzeval.build.builder import COUNTY, build_reports
from zzeval.errors import BuildError, DataValidationError
from zzeval.season.loading import load_season

pytestmark = pytest.mark.notebook
SEASON = "2020-2021"


def _files(out: Path) -> dict[str, bytes]:
    root = out / SEASON
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.suffix in (".html", ".json", ".csv") and not p.name.startswith(".")}


def test_baseline_layout(baseline):
    data, out = baseline
    root = out / SEASON
    for rel in ("townships/bagong.html", "townships/liushukou.html", "county.html", "index.html",
                "summary.json", "summary.csv", "notebooks/bagong.ipynb", "notebooks/county.ipynb",
                "build-log.jsonl", ".build-state.json"):
        assert (root / rel).is_file(), rel
    # the notebook got the shared results through results_path: 巴公镇 has 3 retrofit/vehicle
    # rows... 2 retrofits + 3 vehicles + 1 freight + 1 tasks = 7 rows (helpers.tiny_prepare)
    assert "巴公镇" in (root / "townships/bagong.html").read_text(encoding="utf-8")
    assert "rows: 7" in (root / "townships/bagong.html").read_text(encoding="utf-8")
    summary = json.loads((root / "summary.json").read_text(encoding="utf-8"))
    assert [t["township"] for t in summary["townships"]] == ["bagong", "liushukou"]
    assert summary["synthetic"] is True
    index = (root / "index.html").read_text(encoding="utf-8")
    assert 'href="townships/bagong.html"' in index and 'href="county.html"' in index
    assert "合成" in index  # the synthetic-data notice, in Chinese by default
    assert "预警通知函" in index  # liushukou's verdict (warning) through zzeval.i18n
    assert "http://" not in index and "https://" not in index and "<script" not in index
    events = [json.loads(line)["event"] for line in (root / "build-log.jsonl").read_text().splitlines()]
    assert events[0] == "build_start" and events[-1] == "build_end" and events.count("report") == 3


def test_unchanged_rebuild_builds_nothing(built):
    data, out = built
    before = {p: p.stat().st_mtime_ns for p in (out / SEASON).rglob("*") if p.is_file()}
    t0 = time.monotonic()
    summary = build_reports(data, out_dir=out, **build_kwargs())
    elapsed = time.monotonic() - t0
    assert summary.ok and summary.fast_path
    assert summary.built == [] and sorted(summary.up_to_date) == [COUNTY, "bagong", "liushukou"]
    assert elapsed < 1.0
    after = {p: p.stat().st_mtime_ns for p in (out / SEASON).rglob("*") if p.is_file()}
    assert after == before  # not a single file touched


#: Modules a rebuild with nothing to do must not import: the data and notebook stacks (they made it
#: 0.4 s idle, 2.4 s busy), and what only a build with work to do needs (the YAML parser, package
#: metadata, the executors, the publisher, sockets and subprocesses: issue 14, < 0.5 s busy).
HEAVY = ("pandas", "numpy", "matplotlib", "scipy", "nbconvert", "nbclient", "jupyter_client", "papermill",
         "nbformat", "dask", "distributed", "pyarrow", "yaml", "importlib.metadata", "importlib.resources",
         "pickle", "socket", "subprocess", "uuid", "secrets", "zzeval.build.run", "zzeval.build.tasks",
         "zzeval.build.publish", "zzeval.build.lifeline", "zzeval.build.kernels", "zzeval.assess")

_NO_CHANGE_SCRIPT = textwrap.dedent("""
    import json, sys
    import zzeval.cli  # the command line's own imports and its checks of `zzeval build`'s options
    zzeval.cli.build_parser().parse_args(["build"])
    zzeval.cli._check_draws(10_000, central_only=False)
    from zzeval.build.builder import build_reports

    def tiny_prepare(*args, **kwargs):  # the baseline's prepare by name (its key): never called
        raise AssertionError("a rebuild with nothing changed evaluated the season")

    tiny_prepare.__module__ = "tests.build.helpers"
    kwargs = json.loads(sys.argv[1])
    summary = build_reports(prepare=tiny_prepare, **kwargs)
    heavy = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
    print(json.dumps({"fast_path": summary.fast_path, "ok": summary.ok, "heavy": heavy}))
""")


def test_unchanged_rebuild_imports_no_data_or_notebook_stack(built):
    """A no-change ``zzeval build`` answers from its state: no pandas, matplotlib or Jupyter."""
    data, out = built
    kwargs = {k: (str(v) if isinstance(v, Path) else v)
              for k, v in build_kwargs(data_dir=data, out_dir=out).items() if k != "prepare"}
    proc = subprocess.run([sys.executable, "-c", _NO_CHANGE_SCRIPT, json.dumps(kwargs), json.dumps(HEAVY)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result == {"fast_path": True, "ok": True, "heavy": []}


def test_changed_input_rebuilds_only_what_depends_on_it(built):
    data, out = built
    tasks = data / "tasks.csv"
    # liushukou's straw fire points 1 -> 3: its row of tasks.csv, its results row, the county
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("liushukou,1,0,2,2,1,", "liushukou,1,0,2,2,3,"),
                     encoding="utf-8")
    root = out / SEASON
    old_bagong = (root / "townships/bagong.html").read_bytes()
    old_hash = json.loads((root / ".build-state.json").read_text(encoding="utf-8"))["data_sha256"]
    plan = build_reports(data, out_dir=out, **build_kwargs(dry_run=True))
    assert sorted(plan.planned) == [COUNTY, "liushukou"] and plan.up_to_date == ["bagong"]
    reason = next(r.reason for r in plan.reports if r.slug == "liushukou")
    assert reason == "its data changed (table)"  # the slice of TinyEvaluation it reads
    summary = build_reports(data, out_dir=out, **build_kwargs())
    assert summary.ok
    assert sorted(summary.built) == [COUNTY, "liushukou"] and summary.up_to_date == ["bagong"]
    csv = (root / "summary.csv").read_text(encoding="utf-8-sig")
    assert "liushukou,柳树口镇,5,3,warning" in csv

    # one data hash, the season's input files as loaded, on every page after the incremental build:
    # bagong's page is the old one with the new hash written over the old
    new_hash = data_hash(load_season(data))
    assert new_hash != old_hash and old_hash.encode() in old_bagong
    assert (root / "townships/bagong.html").read_bytes() == old_bagong.replace(old_hash.encode(),
                                                                               new_hash.encode())
    for page in ("townships/bagong.html", "townships/liushukou.html", "county.html"):
        text = (root / page).read_text(encoding="utf-8")
        assert f"data: {new_hash}" in text and old_hash not in text, page
    assert new_hash[:16] in (root / "index.html").read_text(encoding="utf-8")
    assert json.loads((root / "summary.json").read_text(encoding="utf-8"))["data_sha256"] == new_hash
    state = json.loads((root / ".build-state.json").read_text(encoding="utf-8"))
    assert state["data_sha256"] == new_hash
    assert {e["data_sha256"] for e in state["reports"].values()} == {new_hash}


def test_touching_a_file_is_not_a_change(built):
    data, out = built
    os.utime(data / "tasks.csv", (time.time() + 100, time.time() + 100))
    assert build_reports(data, out_dir=out, **build_kwargs()).built == []


def test_one_failing_township_others_built_old_report_kept(built, monkeypatch):
    data, out = built
    old = (out / SEASON / "townships/liushukou.html").read_bytes()
    monkeypatch.setenv("ZZEVAL_TEST_FAIL", "liushukou")
    summary = build_reports(data, out_dir=out, **build_kwargs(force=True))
    assert not summary.ok  # the CLI exits 1
    assert sorted(summary.built) == [COUNTY, "bagong"] and summary.failed == ["liushukou"]
    failed = next(r for r in summary.reports if r.slug == "liushukou")
    assert failed.status == "stale"
    # code cell 3 of the executed notebook (the log): parameters, injected parameters, the failing one
    assert failed.error["ename"] == "RuntimeError" and failed.error["code_cell_number"] == 3
    assert (out / SEASON / "townships/liushukou.html").read_bytes() == old  # previous good kept
    log_nb = json.loads((out / SEASON / "notebooks/liushukou.ipynb").read_text(encoding="utf-8"))
    assert any(o.get("output_type") == "error" for c in log_nb["cells"] for o in c.get("outputs", []))
    index = (out / SEASON / "index.html").read_text(encoding="utf-8")
    assert "status-stale" in index and "planted failure in liushukou" in index
    assert "第 3 个代码单元" in index and 'href="notebooks/liushukou.ipynb"' in index
    assert "FAILED liushukou in code cell 3" in summary.text()
    # the failure is not "up to date": the next build retries it, and it now succeeds
    monkeypatch.delenv("ZZEVAL_TEST_FAIL")
    again = build_reports(data, out_dir=out, **build_kwargs())
    assert again.ok and again.built == ["liushukou"]


def test_failure_without_previous_report(baseline, tmp_path, monkeypatch):
    monkeypatch.setenv("ZZEVAL_TEST_FAIL", "bagong")
    summary = build_reports(baseline[0], out_dir=tmp_path, **build_kwargs(county_notebook=None))
    assert summary.failed == ["bagong"] and summary.built == ["liushukou"]
    assert next(r for r in summary.reports if r.slug == "bagong").status == "failed"
    assert not (tmp_path / SEASON / "townships/bagong.html").exists()
    assert "status-failed" in (tmp_path / SEASON / "index.html").read_text(encoding="utf-8")


def test_invalid_data_builds_nothing(baseline, tmp_path):
    data = tmp_path / "data"
    import shutil

    shutil.copytree(baseline[0], data)
    (data / "townships.csv").write_text("code,name_zh\n1,x\n", encoding="utf-8")
    with pytest.raises(DataValidationError):
        build_reports(data, out_dir=tmp_path / "out", **build_kwargs())
    assert not (tmp_path / "out" / SEASON / "index.html").exists()


def test_lock_refuses_a_second_build(built):
    data, out = built
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from zzeval.atomic import BuildLock
        with BuildLock({str(out / SEASON)!r}):
            print("locked", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildError, match=r"another zzeval build is already writing .*pid"):
            build_reports(data, out_dir=out, **build_kwargs(force=True))
    finally:
        holder.kill()
        holder.wait()
    with BuildLock(out / SEASON):  # released by the OS when its holder died
        pass


def test_dask_local_cluster_gives_the_same_summary(baseline, tmp_path):
    data, _ = baseline
    local = build_reports(data, out_dir=tmp_path / "local", **build_kwargs(jobs=2))
    dask = build_reports(data, out_dir=tmp_path / "dask", **build_kwargs(executor="dask", jobs=2))
    assert local.ok and dask.ok
    assert ({r.slug: r.status for r in local.reports} == {r.slug: r.status for r in dask.reports})
    a, b = _files(tmp_path / "local"), _files(tmp_path / "dask")
    assert sorted(a) == sorted(b)
    for rel in a:
        if rel != "index.html":  # carries the build time
            assert a[rel] == b[rel], rel


def test_missing_named_kernel_says_what_to_run(baseline, tmp_path):
    # a kernel name that is registered nowhere (the project kernel itself is registered by make)
    with pytest.raises(BuildError, match=r"'no-such-kernel' is not registered\. Run: jupyter kernelspec list"):
        build_reports(baseline[0], out_dir=tmp_path, **build_kwargs(kernel="no-such-kernel"))
    assert not (tmp_path / "2020-2021" / "index.html").exists()  # nothing was built
