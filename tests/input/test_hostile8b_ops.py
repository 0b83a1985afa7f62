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


def test_b7_jobs_above_the_limit_per_core_are_refused(season, tmp_path, capsys):
    """B7: --jobs 100000 started one Python per job. The limit is build.jobs_per_core (4) × the cores."""
    cores = os.cpu_count() or 1
    out = tmp_path / "out"
    rc = main(["build", "--data", str(season), "--out", str(out), "--draws", "200", "--dry-run",
               "--jobs", "100000"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert (f"--jobs 100,000 is more than {4 * cores:,} workers (4 per core (zzeval/reference/input_limits.csv: "
            f"build.jobs_per_core) × {cores} cores here)") in err
    assert not out.exists()
    rc = main(["build", "--data", str(season), "--out", str(out), "--draws", "200", "--dry-run",
               "--jobs", str(4 * cores + 1)])
    assert rc == 2
    assert "is more than" in capsys.readouterr().err


def test_b7_the_limit_is_kept_as_data_and_a_remote_cluster_is_not_bounded():
    from zzeval.build.options import check_jobs, local_jobs_limit
    from zzeval.resources import input_limit

    assert input_limit("build.jobs_per_core") == 4
    assert local_jobs_limit() == 4 * (os.cpu_count() or 1)
    check_jobs(local_jobs_limit(), local=True)  # at the limit: accepted
    check_jobs(100_000, local=False)  # a remote Dask cluster has its own size
    with pytest.raises(BuildError, match="at least 1, got 0"):
        check_jobs(0, local=False)


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
