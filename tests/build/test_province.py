"""A build evaluates the season as per-township tasks that read their own rows (issue 14), and
its summary.json is the one-process evaluation's."""

from __future__ import annotations

import json

import pytest

from tests.build.helpers import TOWNSHIP_NB
from tests.tiny_season import write_tiny_season
from zzeval.assess.evaluate import data_hash, evaluate_season
from zzeval.build.builder import build_reports
from zzeval.build.publish import write_summary_files
from zzeval.errors import DataValidationError
from zzeval.season.loading import load_season


def _build(data, out, jobs=1, **extra):
    return build_reports(data, out_dir=out, draws=200, jobs=jobs, townships=["bagong"], county_notebook=None,
                         notebook=TOWNSHIP_NB, quiet=True, kernel="current", timeout=60, start_timeout=60,
                         warm_imports=("json",), exporter="tests.build.helpers:tiny_html", **extra)


def test_the_build_evaluates_as_tasks_and_writes_the_one_process_summary(tmp_path):
    data = write_tiny_season(tmp_path / "season", days=20)
    out = tmp_path / "out"
    _build(data, out)
    cache = out / "2020-2021" / ".cache"
    (rows,) = cache.glob("rows-*")
    assert (rows / "manifest.json").is_file() and len(list(rows.glob("*.parquet"))) == 2
    assert len(list((cache / "townships").glob("*.pkl"))) == 2  # one cached result per township
    season = load_season(data)
    one = evaluate_season(season, draws=200)
    write_summary_files(tmp_path / "ref", "2020-2021", one.summary_table(lang="zh"), one.county_summary(),
                        season.synthetic, data_hash(season))
    built = json.loads((out / "2020-2021" / "summary.json").read_text(encoding="utf-8"))
    assert built == json.loads((tmp_path / "ref" / "summary.json").read_text(encoding="utf-8"))


def test_a_dask_build_evaluates_on_early_started_workers_and_writes_the_same_summary(tmp_path):
    """The evaluation's 2 Dask workers (plan.early_runner: started before the split, closed
    before the reports) check and split the Parquet season and evaluate the townships:
    summary.json as the one process's. A rebuild with the evaluation kept starts no workers; a
    bad value found by a worker's check stops the build with its file, row and column, and
    leaves nothing in --out."""
    import pandas as pd

    from zzeval.assess.runners import DaskRunner
    from zzeval.build.plan import BuildOptions, early_runner, resolve_inputs
    from zzeval.season.columnar import convert_to_parquet

    data = write_tiny_season(tmp_path / "season", days=20)
    convert_to_parquet(data)
    _build(data, tmp_path / "one")
    options = dict(data_dir=data, out_dir=tmp_path / "dask", draws=200, executor="dask", jobs=2)
    runner = early_runner(resolve_inputs(BuildOptions(**options)))
    assert isinstance(runner, DaskRunner) and runner.jobs == 2 and not runner.running
    _build(data, tmp_path / "dask", executor="dask", jobs=2)
    cache = tmp_path / "dask" / "2020-2021" / ".cache"
    assert len(list((cache / "townships").glob("*.pkl"))) == 2  # both townships evaluated as tasks
    (rows,) = cache.glob("rows-*")
    assert sorted(p.name for p in rows.glob("*.parquet")) == ["t0000-s000001-0.parquet", "t0001-s000001-0.parquet"]
    one, dask = (json.loads((tmp_path / name / "2020-2021" / "summary.json").read_text(encoding="utf-8"))
                 for name in ("one", "dask"))
    assert dask == one
    assert early_runner(resolve_inputs(BuildOptions(**options))) is None  # the evaluation is kept
    aq = pd.read_parquet(data / "air_quality.parquet")
    aq.loc[len(aq) - 1, "value"] = -5.0  # in the second station's range: the second task's
    aq.to_parquet(data / "air_quality.parquet", index=False)
    with pytest.raises(DataValidationError, match=f"air_quality.parquet, row {len(aq) + 1}, column 'value'"):
        _build(data, tmp_path / "bad", executor="dask", jobs=2)
    assert not (tmp_path / "bad").exists()


def test_an_invalid_season_leaves_nothing_in_out(tmp_path):
    data = write_tiny_season(tmp_path / "season", days=2)
    aq = data / "air_quality.csv"
    lines = aq.read_text(encoding="utf-8").splitlines()
    station, stamp, pollutant, _, unit = lines[5].split(",")
    lines[5] = ",".join([station, stamp, pollutant, "not a number", unit])
    aq.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError):
        _build(data, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_rebuild_prunes_the_township_results_it_no_longer_uses(tmp_path):
    data = write_tiny_season(tmp_path / "season", days=20)
    out = tmp_path / "out"
    _build(data, out)
    cache = out / "2020-2021" / ".cache"
    first = {p.stem for p in (cache / "townships").glob("*.pkl")}
    (first_rows,) = cache.glob("rows-*")
    assert len(first) == 2
    # one PM2.5 value of bagong's station changes: bagong is evaluated again, liushukou is not
    aq = data / "air_quality.csv"
    lines = aq.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("ZZ108,") and ",PM2.5," in line)
    station, stamp, pollutant, value, unit = lines[i].split(",")
    lines[i] = ",".join([station, stamp, pollutant, str(float(value) + 7), unit])
    aq.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (cache / "townships" / f"{'0' * 64}.pkl").write_bytes(b"a result of older code")
    (cache / "townships" / f".{'0' * 64}.pkl.123-abcd.tmp").write_bytes(b"a killed writer's")
    _build(data, out)
    second = {p.stem for p in (cache / "townships").glob("*.pkl")}
    assert len(second) == 2 and len(first & second) == 1  # liushukou's kept, bagong's replaced
    assert not list((cache / "townships").glob("*.tmp"))
    (rows,) = cache.glob("rows-*")  # the split of the old data removed
    assert rows != first_rows
    events = [json.loads(line) for line in (out / "2020-2021" / "build-log.jsonl").read_text().splitlines()]
    assert [e["removed"] for e in events if e["event"] == "prune"] == [2]


def test_a_dask_build_leaves_nothing_in_tmpdir(tmp_path, monkeypatch):
    """The local Dask cluster's scratch space (dask-scratch-space, its lock files) lies in the build's own
    temporary folder and goes with it (hostile review 8B, B13: every Dask build left it in $TMPDIR)."""
    import tempfile

    data = write_tiny_season(tmp_path / "season", days=20)
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    _build(data, tmp_path / "dask", executor="dask", jobs=2)
    assert (tmp_path / "dask" / "2020-2021" / "summary.json").is_file()
    assert sorted(p.name for p in private.iterdir()) == []
