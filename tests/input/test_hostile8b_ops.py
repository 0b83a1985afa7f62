"""Hostile review 8B (operations: the CLI, notebooks and build bookkeeping), findings B1, B2, B4-B7."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from zzeval.cli import main
from zzeval.errors import BuildError


@pytest.mark.parametrize("timeout", ["0.5", "1.5", "inf", "-inf", "nan", "0", "1e9"])
def test_b6_a_timeout_that_is_not_whole_seconds_is_refused_before_anything_runs(season, tmp_path, capsys,
                                                                                  timeout):
    """B6: nbclient takes whole seconds; 0.5, 1.5 and inf passed the CLI and failed every report after
    the whole evaluation. Now exit 2 before anything is evaluated or written."""
    out = tmp_path / "out"
    rc = main(["build", "--data", str(season), "--out", str(out), "--draws", "200", f"--timeout={timeout}"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "--timeout must be a whole number of seconds from 1 to 86,400" in err
    assert f"got {float(timeout):g}" in err
    assert not out.exists()


def test_b6_the_library_refuses_a_fractional_timeout_too(season, tmp_path):
    from zzeval.build.builder import build_reports

    with pytest.raises(BuildError, match=r"--timeout must be a whole number of seconds .* got 0\.5"):
        build_reports(season, out_dir=tmp_path / "out", timeout=0.5, dry_run=True)
    with pytest.raises(BuildError, match=r"start_timeout must be a whole number of seconds .* got inf"):
        build_reports(season, out_dir=tmp_path / "out", start_timeout=float("inf"), dry_run=True)
    assert not (tmp_path / "out").exists()


def test_b6_a_whole_timeout_is_passed_to_the_notebook_as_an_int():
    from zzeval.build.options import whole_seconds

    assert whole_seconds(900.0, "--timeout") == 900 and isinstance(whole_seconds(900.0, "--timeout"), int)
    assert whole_seconds(86_400, "--timeout") == 86_400
    with pytest.raises(BuildError, match="got 86401"):
        whole_seconds(86_401, "--timeout")


def test_b7_jobs_above_the_limit_per_core_are_refused(season, tmp_path, capsys, monkeypatch):
    """B7: --jobs 100000 started one Python per job. The limit is build.jobs_per_core (4) × the cores."""
    from zzeval.build import options

    monkeypatch.setattr(options, "memory_bytes", lambda: None)  # the cores alone (memory: the next test)
    cores = os.cpu_count() or 1
    out = tmp_path / "out"
    rc = main(["build", "--data", str(season), "--out", str(out), "--draws", "200", "--dry-run",
               "--jobs", "100000"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert (f"--jobs 100,000 is more than {4 * cores:,} workers (4 per core (zzeval/reference/input_limits.csv: "
            f"build.jobs_per_core) × {cores} cores here") in err
    assert not out.exists()
    rc = main(["build", "--data", str(season), "--out", str(out), "--draws", "200", "--dry-run",
               "--jobs", str(4 * cores + 1)])
    assert rc == 2
    assert "is more than" in capsys.readouterr().err


def test_b7_the_limit_is_kept_as_data_and_a_remote_cluster_is_not_bounded(monkeypatch):
    from zzeval.build import options
    from zzeval.build.options import check_jobs, local_jobs_limit
    from zzeval.resources import input_limit

    monkeypatch.setattr(options, "memory_bytes", lambda: 64 * 2**30)  # memory enough for the cores here
    assert input_limit("build.jobs_per_core") == 4 and input_limit("build.worker_memory_mb") == 150
    assert local_jobs_limit() == 4 * (os.cpu_count() or 1)
    check_jobs(local_jobs_limit(), local=True)  # at the limit: accepted
    check_jobs(100_000, local=False)  # a remote Dask cluster has its own size
    with pytest.raises(BuildError, match="at least 1, got 0"):
        check_jobs(0, local=False)


def test_b7_the_memory_bounds_the_workers_too(monkeypatch):
    """``--jobs $(nproc)`` (or the default) on a 256-core host with 16 GB: 256 workers of some 150 MB do
    not fit; 16,384 MB ÷ 150 MB (build.worker_memory_mb) = 109 do."""
    from zzeval.build import options

    monkeypatch.setattr(options.os, "cpu_count", lambda: 256)
    monkeypatch.setattr(options, "memory_bytes", lambda: 16 * 2**30)
    assert options.local_jobs_limit() == 109 and options.default_jobs() == 109
    with pytest.raises(BuildError) as refused:
        options.check_jobs(256, local=True)
    assert str(refused.value) == (
        "--jobs 256 is more than 109 workers (4 per core (zzeval/reference/input_limits.csv: build.jobs_per_core) "
        "× 256 cores here; its 16.0 GB of memory hold 109 workers of 150 MB (build.worker_memory_mb)); each worker "
        "is a Python process: give at most the number of cores")
    monkeypatch.setattr(options, "memory_bytes", lambda: None)  # not known (Windows): the cores alone
    assert options.local_jobs_limit() == 1024 and options.default_jobs() == 256


def test_b7_the_build_warms_no_more_workers_than_reports(monkeypatch, tmp_path):
    """B7: the local executor started ``jobs`` workers whatever the number of reports to build."""
    from zzeval.build import builder
    from zzeval.build.run import LocalExecutor

    started = []
    monkeypatch.setattr(LocalExecutor, "warm", lambda self, like: started.append(self.jobs))
    monkeypatch.setattr(builder, "warm_up_task", lambda ctx: None)
    ctx = SimpleNamespace(runner=object(), options=SimpleNamespace(executor="local", dry_run=False),
                          inputs=SimpleNamespace(jobs=8, selection=["nancun"], county_nb=None),
                          season=SimpleNamespace(slugs=["nancun", "xiacun", "dadonggou"]),
                          season_dir=Path(tmp_path), scratch=None)
    builder._warm_executor(ctx)
    ctx.inputs.selection, ctx.inputs.county_nb = None, Path("county_report.ipynb")
    builder._warm_executor(ctx)
    ctx.inputs.jobs = 2
    builder._warm_executor(ctx)
    assert started == [1, 4, 2]  # one township; three townships and the county; jobs fewer than reports


def test_b4_the_county_report_refuses_a_townships_results_file(tiny30, tmp_path):
    """B4: county_report.ipynb given a township's ``.cache/results/<slug>.pkl`` failed deep inside with
    "cannot convert float NaN to bool"; its first code cell now names the file and the right one."""
    from zzeval.assess.evaluate import load_or_evaluate
    from zzeval.errors import EvaluationError

    data, season, evaluation = tiny30
    slug = str(evaluation.slugs[0])
    results = tmp_path / "results"
    results.mkdir()
    township_file = evaluation.township_slice(slug).save(results / f"{slug}.pkl")
    county_file = evaluation.county_slice().save(results / "county.pkl")
    name = evaluation.season_name
    with pytest.raises(EvaluationError) as refused:
        load_or_evaluate(data, name, township_file, for_county=True)
    assert str(refused.value) == (
        f"results_path {township_file} holds the slice of township {slug} made for a township report; the county "
        f"report needs the whole season's evaluation, {results / 'county.pkl'} (a build's "
        ".cache/results/county.pkl), or leave results_path empty to evaluate the season here")
    # the township report reads its slice, and the county report the whole evaluation, as before
    assert load_or_evaluate(data, name, township_file).verdict(slug)["verdict"] == evaluation.verdict(slug)["verdict"]
    whole = load_or_evaluate(data, name, county_file, for_county=True)
    assert whole.county_summary() == evaluation.county_summary()
    # the county notebook asks for the whole evaluation in its first code cell after the parameters
    import json

    from zzeval.resources import notebook_path

    cells = [c for c in json.loads(notebook_path("county_report.ipynb").read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    assert "load_or_evaluate(data_dir, season, results_path, for_county=True)" in "".join(cells[1]["source"])


def _ran_notebook(path: Path, ran: int, papermill: bool = False) -> Path:
    """A notebook of four code cells of which the first ``ran`` were executed (a run killed after them;
    with ``papermill``: the cell statuses papermill saves after each cell)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    cells = [new_markdown_cell("# 南村镇")]
    for i in range(1, 5):
        cell = new_code_cell(f"print({i})", execution_count=i if i <= ran else None)
        cell.outputs = [new_output("stream", name="stdout", text=f"第 {i} 段\n")] if i <= ran else []
        if papermill:
            cell.metadata["papermill"] = {"status": "completed" if i <= ran else "pending", "exception": None}
        cells.append(cell)
    nbformat.write(new_notebook(cells=cells), path)
    return path


@pytest.mark.parametrize("papermill", [False, True])
def test_b5_export_refuses_a_notebook_whose_run_stopped_part_way(tmp_path, capsys, papermill):
    """B5: a papermill run killed after some cells (or a notebook saved from JupyterLab after running
    half of it) was exported as a complete report, exit 0."""
    notebook = _ran_notebook(tmp_path / "killed.ipynb", ran=2, papermill=papermill)
    target = tmp_path / "killed.html"
    assert main(["export", str(notebook), "--out", str(target)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"zzeval export: error: {notebook}: 2 of 4 code cells did not run (the first is code cell 3; 2 ran): the "
        "run stopped part-way (killed or timed out?), and its page would end there without saying so; run the "
        "notebook to the end first, e.g. with papermill")
    assert not target.exists()
    complete = _ran_notebook(tmp_path / "complete.ipynb", ran=4, papermill=papermill)
    assert main(["export", str(complete), "--out", str(target)]) == 0
    assert "第 4 段" in target.read_text(encoding="utf-8")


def test_b5_a_cell_papermill_marks_as_not_completed_is_refused(tmp_path, capsys):
    import nbformat

    notebook = _ran_notebook(tmp_path / "running.ipynb", ran=4, papermill=True)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[-1].metadata["papermill"]["status"] = "running"  # killed while its last cell ran
    nbformat.write(nb, notebook)
    assert main(["export", str(notebook)]) == 2
    assert "1 of 4 code cells did not run (the first is code cell 4; 3 ran)" in capsys.readouterr().err
    assert not notebook.with_suffix(".html").exists()


def test_b9_export_to_a_folder_names_the_folder_not_a_temporary_file(tmp_path, capsys):
    notebook = _ran_notebook(tmp_path / "nancun.ipynb", ran=4)
    folder = tmp_path / "cli"
    folder.mkdir()
    assert main(["export", str(notebook), "--out", str(folder)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"zzeval export: error: --out {folder} is a folder; give the HTML file name (e.g. {folder / 'nancun.html'})")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("where", ["same", "inside", "season_dir"])
def test_b1_out_in_the_season_folder_is_refused(season, tmp_path, capsys, where):
    """B1: ``--out`` = ``--data`` (or inside it) wrote the reports, cache and log among the tables: every
    build then saw its own reports as changed data and evaluated again."""
    if where == "season_dir":  # --data reports/2020-2021 --out reports: the season's reports folder is --data
        data = tmp_path / "reports" / "2020-2021"
        data.parent.mkdir()
        season.rename(data)
        out = tmp_path / "reports"
    else:
        data = season
        out = season if where == "same" else season / "reports"
    before = sorted(p.name for p in data.rglob("*"))
    rc = main(["build", "--data", str(data), "--out", str(out), "--draws", "200"])
    err = capsys.readouterr().err
    assert rc == 2, err
    head = {"same": f"--out {out} is the season folder", "inside": f"--out {out} lies inside the season folder",
            "season_dir": f"--out {out}: its folder of the season's reports {data} is the season folder"}[where]
    assert (f"zzeval build: error: {head} --data {data}: the reports, the build's cache and log would be "
            "written among the season's tables and become part of its data; give --out a folder outside the "
            f"season folder (e.g. {data.parent / 'reports'})") in err
    assert sorted(p.name for p in data.rglob("*")) == before  # nothing written: no lock, no log, no folder


def test_b10_a_scheduler_without_the_dask_executor_is_refused(season, tmp_path, capsys):
    """B10: ``--scheduler ADDRESS`` without ``--executor dask`` was silently ignored (local workers ran)."""
    out = tmp_path / "out"
    rc = main(["build", "--data", str(season), "--out", str(out), "--dry-run", "--scheduler", "tcp://127.0.0.1:8786"])
    assert rc == 2
    assert capsys.readouterr().err.strip() == (
        "zzeval build: error: --scheduler tcp://127.0.0.1:8786 needs --executor dask (without it the reports run "
        "on local workers and the scheduler is not used)")
    assert not out.exists()


def test_b11_a_dry_run_may_look_at_a_read_only_reports_folder(season, tmp_path, capsys, monkeypatch):
    """B11: ``--dry-run`` writes nothing, but was refused on a read-only ``--out`` (a monitoring host with
    the reports mounted read-only). The real build is still refused before anything is written."""
    import zzeval.build.builder as builder
    import zzeval.cli as cli

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)  # as on a read-only mount (root may write)
    asked = []
    monkeypatch.setattr(builder, "build_reports", lambda **kw: asked.append(kw) or SimpleNamespace(ok=True))
    assert main(["build", "--data", str(season), "--out", str(out), "--dry-run"]) == 0
    assert asked and asked[0]["dry_run"] is True
    assert main(["build", "--data", str(season), "--out", str(out)]) == 2
    assert f"--out {out}: {out} is not writable; choose a folder you may write to" in capsys.readouterr().err
    assert len(asked) == 1


@pytest.mark.parametrize("option", ["--out", "--data"])
def test_an_empty_folder_option_is_refused_not_taken_as_the_working_folder(season, tmp_path, capsys, monkeypatch,
                                                                           option):
    """Hostile review 8B's observation: ``--out ''`` (an unset cron or Airflow variable) wrote the reports
    into the working folder."""
    monkeypatch.chdir(tmp_path)
    args = {"--data": str(season), "--out": str(tmp_path / "out"), option: ""}
    assert main(["build", "--dry-run", *[x for kv in args.items() for x in kv]]) == 2
    assert f"zzeval build: error: {option} is empty (an unset variable?): give the folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [season]
