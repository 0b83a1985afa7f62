"""The evaluation as per-township tasks (zzeval.assess.tasks) gives the one-process numbers."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.assess import tasks
from zzeval.assess.evaluate import evaluate_season
from zzeval.season.loading import load_season

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
TABLES = ("indicators", "progress", "air_stats", "dustfall", "weather", "daily", "county_validity")


def assert_same_evaluation(a, b) -> None:
    """Every table, the DiD, the verdicts and the summary (summary.json) equal."""
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    assert a.weather.attrs == b.weather.attrs and a.air_stats.attrs == b.air_stats.attrs
    for lang in ("zh", "en"):
        pd.testing.assert_frame_equal(a.verdicts[lang], b.verdicts[lang], check_exact=True)
        pd.testing.assert_frame_equal(a.summary_table(lang), b.summary_table(lang), check_exact=True)
    if a.did is None:
        assert b.did is None
    else:
        assert a.did.summary() == b.did.summary()
        pd.testing.assert_frame_equal(a.did.event_study, b.did.event_study, check_exact=True)


@pytest.fixture(scope="module")
def tiny(tiny30):
    return tiny30[1]  # the session's loaded 30-day season (tests/conftest.py)


@pytest.fixture(scope="module")
def tiny_one(tiny30):
    """``evaluate_season(tiny, draws=200, n_boot=10)``: the session's, computed once."""
    return tiny30[2]


def test_tasks_give_the_one_process_evaluation_tiny(tiny, tiny_one):
    one = tiny_one
    split = evaluate_season(tiny, draws=200, n_boot=10, runner=tasks.SerialRunner())
    assert_same_evaluation(one, split)
    assert list(split.weather["township"]) == ["bagong"] * 6 + ["liushukou"] * 6 + ["county"] * 6


def test_tasks_give_the_one_process_evaluation_sample(tmp_path, sample_evaluation500):
    """The sample's 17 townships: summary.json's numbers and verdicts, and every table, equal,
    evaluated as the build does it: split by station once, every task reading its own rows, on
    2 local processes."""
    from zzeval.season.township_rows import split_season

    one = sample_evaluation500  # evaluate_season(load_season(SAMPLE), draws=500, n_boot=30)
    light, store = split_season(SAMPLE, tmp_path / "rows")
    runner = tasks.ProcessRunner(jobs=2).start()  # started, as the build does: the emissions are a task too
    try:
        split = evaluate_season(light, draws=500, n_boot=30, rows=store, runner=runner)
    finally:
        runner.close()
    assert_same_evaluation(one, split)
    pd.testing.assert_frame_equal(split.emissions.table, one.emissions.table, check_exact=True)
    assert split.did is not None and split.did.n_clusters == 17


def test_local_processes_give_the_same_parts(tiny):
    serial = tasks.air_quality_parts(tiny, n_boot=10, seed=3)
    local = tasks.air_quality_parts(tiny, n_boot=10, seed=3, runner=tasks.ProcessRunner(jobs=2))
    for name in ("air_stats", "weather", "daily", "dustfall"):
        pd.testing.assert_frame_equal(serial[name], local[name], check_exact=True)


def test_a_dask_cluster_gives_the_same_parts(tiny):
    pytest.importorskip("distributed")
    serial = tasks.air_quality_parts(tiny, n_boot=10, seed=3)
    runner = tasks.DaskRunner(jobs=2).start()  # as the build starts it: before the split
    try:
        dask = tasks.air_quality_parts(tiny, n_boot=10, seed=3, runner=runner)
        assert runner.map(abs, [-1, -2]) == [1, 2]  # the cluster is the caller's until it closes it
        assert runner.submit(os.getpid).result() != os.getpid()  # a submitted call runs on a worker
    finally:
        runner.close()
    for name in ("air_stats", "weather", "daily"):
        pd.testing.assert_frame_equal(serial[name], dask[name], check_exact=True)


def test_a_changed_township_is_the_only_one_evaluated_again(tiny, tmp_path):
    cache = tmp_path / "cache"
    first = tasks.air_quality_parts(tiny, n_boot=10, seed=3, cache_dir=cache)
    assert first["evaluated_townships"] == {"bagong": False, "liushukou": False}
    again = tasks.air_quality_parts(tiny, n_boot=10, seed=3, cache_dir=cache)
    assert again["evaluated_townships"] == {"bagong": True, "liushukou": True}
    pd.testing.assert_frame_equal(first["weather"], again["weather"], check_exact=True)

    aq = tiny.air_quality.copy()
    row = aq.index[(aq["station_code"] == "ZZ112") & (aq["pollutant"] == "PM2.5")][100]
    aq.loc[row, "value"] += 40.0  # one hour of liushukou's PM2.5 (previous season)
    changed = dataclasses.replace(tiny, air_quality=aq)
    after = tasks.air_quality_parts(changed, n_boot=10, seed=3, cache_dir=cache)
    assert after["evaluated_townships"] == {"bagong": True, "liushukou": False}
    fresh = tasks.air_quality_parts(changed, n_boot=10, seed=3)
    for name in ("air_stats", "weather", "daily"):
        pd.testing.assert_frame_equal(after[name], fresh[name], check_exact=True)
    w = after["weather"].set_index(["township", "pollutant"])["mean_previous"]
    w0 = first["weather"].set_index(["township", "pollutant"])["mean_previous"]
    assert w[("bagong", "PM2.5")] == w0[("bagong", "PM2.5")]
    assert w[("liushukou", "PM2.5")] != w0[("liushukou", "PM2.5")]


def test_batches_are_runs_of_stale_neighbours():
    made = [tasks.TownshipTask(slug=s, season=None, seed=0, n_boot=0, pollutants=()) for s in "abcdefg"]
    cut = tasks.batches(made, stale=set("abdefg"), n_batches=2)
    assert [[t.slug for t in b] for b in cut] == [["a", "b"], ["d", "e", "f"], ["g"]]
    assert tasks.batches(made, stale=set(), n_batches=4) == []


def test_seed_offsets_follow_the_series_before():
    # bagong's six pollutants come first, so liushukou's first weather series has seed + 6
    season = load_season(write_tiny_season(Path(pytest.importorskip("tempfile").mkdtemp()) / "s", days=5))
    made = tasks.township_tasks(season, n_boot=0, seed=100)
    assert [(t.slug, t.seed, len(t.season.air_quality)) for t in made] == [
        ("bagong", 100, 6 * 2 * 5 * 24), ("liushukou", 106, 6 * 2 * 5 * 24)]


def test_station_meteorology_keeps_the_county_sums_exact(tiny):
    """With one station on its own meteorology for part of the hours, the whole-season series put
    the other hours last: the county series (summed a township at a time) is still the same."""
    met = tiny.meteorology
    own = met[met["station_code"] == "county"].iloc[::2].assign(station_code="ZZ112")
    own = own.assign(temperature_c=own["temperature_c"] + 1.5)
    season = dataclasses.replace(tiny, meteorology=pd.concat([met, own], ignore_index=True))
    one = evaluate_season(season, draws=200, n_boot=10)
    split = evaluate_season(season, draws=200, n_boot=10, runner=tasks.SerialRunner())
    assert_same_evaluation(one, split)
    assert split.weather.attrs["exclusions"]["hours_without_weather"] == \
        one.weather.attrs["exclusions"]["hours_without_weather"]


def test_the_one_process_evaluation_builds_the_county_series_once(tiny, monkeypatch):
    """The county series' validity and its weather-adjusted change are computed on one series, built
    once from the township series (which the weather adjustment reuses), as the tasks do."""
    from zzeval.airquality import weather_data
    from zzeval.assess import evaluate

    built, hourly = [], weather_data.township_hourly

    def counted(season, *args, **kwargs):
        built.append(sorted(season.stations["station_code"]))
        return hourly(season, *args, **kwargs)

    monkeypatch.setattr(weather_data, "township_hourly", counted)
    parts = evaluate._air_quality_parts(tiny, n_boot=2, seed=1)
    # the townships' series once; the county's weather rows from its one series (a season of one 'station')
    assert built == [sorted(tiny.stations["station_code"]), ["county"]]
    assert set(parts["weather"]["township"]) == {*tiny.slugs, "county"} and len(parts["county_validity"]) == 12


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tasks_reading_their_own_rows_give_the_one_process_evaluation(tiny, tiny_one, tmp_path, fmt):
    """The build's way: the season split by station once, each task reading its own rows."""
    from zzeval.season.columnar import convert_to_parquet
    from zzeval.season.township_rows import read_rows, split_season

    folder = write_tiny_season(tmp_path / "season", days=30)
    if fmt == "parquet":
        convert_to_parquet(folder)
    light, store = split_season(folder, tmp_path / "rows")
    assert len(light.air_quality) == 0 and sorted(store.stations) == ["ZZ108", "ZZ112"]
    pd.testing.assert_frame_equal(light.meteorology, tiny.meteorology, check_exact=True)
    aq = tiny.air_quality
    pd.testing.assert_frame_equal(read_rows(store.files(["ZZ112"])),
                                  aq[aq["station_code"] == "ZZ112"].reset_index(drop=True), check_exact=True)
    one = tiny_one
    split = evaluate_season(light, draws=200, n_boot=10, rows=store, cache_dir=tmp_path / "cache")
    assert_same_evaluation(one, split)
    again, reused = split_season(folder, tmp_path / "rows")  # the split is written once
    assert reused.stations == store.stations


def _in_process(fn, items):
    return [fn(item) for item in items]


def test_a_parquet_season_checked_and_split_by_tasks_gives_the_one_pass_store(tiny, tmp_path):
    """Checked and split by tasks over ranges of whole stations (a runner's ``map``): the same
    season, the same rows and digests per station (the township cache keys) as in one pass."""
    from zzeval.season.columnar import convert_to_parquet
    from zzeval.season.township_rows import read_rows, split_season, station_ranges

    folder = write_tiny_season(tmp_path / "season", days=30)
    convert_to_parquet(folder)
    ranges = station_ranges(folder / "air_quality.parquet", 4)
    n = len(tiny.air_quality)
    first = int((tiny.air_quality["station_code"] == "ZZ108").sum())
    assert ranges == [(0, first), (first, n)]  # two stations: one range each
    one, one_store = split_season(folder, tmp_path / "one")
    light, store = split_season(folder, tmp_path / "tasks", mapper=_in_process, n_tasks=4)
    assert [f for c in store.stations.values() for f in c["files"]] == \
        ["t0000-s000001-0.parquet", "t0001-s000001-0.parquet"]  # written by the two tasks
    assert {c: {k: v for k, v in e.items() if k != "files"} for c, e in store.stations.items()} == \
        {c: {k: v for k, v in e.items() if k != "files"} for c, e in one_store.stations.items()}
    assert light.meta == one.meta
    for name in ("townships", "stations", "meteorology", "air_quality", "targets"):
        pd.testing.assert_frame_equal(getattr(light, name), getattr(one, name), check_exact=True)
    aq = tiny.air_quality
    pd.testing.assert_frame_equal(read_rows(store.files(["ZZ108"])),
                                  aq[aq["station_code"] == "ZZ108"].reset_index(drop=True), check_exact=True)


def test_a_problem_found_by_a_split_task_is_reported_as_in_one_pass(tmp_path):
    """A bad value in the second station's range: the same message (file, CSV row, column) as the
    one-pass check, and nothing left in the rows folder."""
    from zzeval.errors import DataValidationError
    from zzeval.season.columnar import convert_to_parquet
    from zzeval.season.township_rows import split_season

    folder = write_tiny_season(tmp_path / "season", days=30)
    convert_to_parquet(folder)
    aq = pd.read_parquet(folder / "air_quality.parquet")
    last = len(aq) - 1
    aq.loc[last, "value"] = -5.0
    aq.to_parquet(folder / "air_quality.parquet", index=False)
    messages = []
    for name, kwargs in (("one", {}), ("tasks", {"mapper": _in_process, "n_tasks": 4})):
        with pytest.raises(DataValidationError) as err:
            split_season(folder, tmp_path / name, **kwargs)
        messages.append(str(err.value))
        assert not (tmp_path / name).exists()
    assert messages[0] == messages[1]
    assert f"air_quality.parquet, row {last + 2}, column 'value': -5 is below the allowed minimum 0" in messages[1]


def test_a_province_is_cut_into_batches_of_at_most_max_batch_townships():
    made = [tasks.TownshipTask(slug=f"t{i:04d}", season=None, seed=0, n_boot=0, pollutants=())
            for i in range(1000)]
    n = -(-1000 // tasks.MAX_BATCH)
    cut = tasks.batches(made, stale={t.slug for t in made}, n_batches=n)
    assert len(cut) == n and max(len(b) for b in cut) == tasks.MAX_BATCH
    assert [t.slug for b in cut for t in b] == [t.slug for t in made]


class _RecordingRunner:
    """Two 'workers'; records the batches in the order they are handed out and answers each
    township with an empty part (the order, not the numbers, is under test)."""

    jobs = 2

    def __init__(self):
        self.handed = []

    def imap(self, fn, items):
        for batch in items:
            self.handed.append([t.slug for t in batch])
            yield [tasks.TownshipPart(slug=t.slug, daily=None, air_stats=None, township_daily=None, weather=None)
                   for t in batch]


def test_the_longest_batches_are_handed_out_first_and_taken_in_slug_order():
    rows = {"a": 10, "b": 10, "c": 500, "d": 10, "e": 300, "f": 10, "g": 10, "h": 10, "i": 10}
    made = [tasks.TownshipTask(slug=s, season=None, seed=0, n_boot=0, pollutants=(), n_rows=n)
            for s, n in rows.items()]
    runner, series = _RecordingRunner(), tasks.CountySeries()
    parts = tasks._parts_in_order(made, runner, series)
    # 9 townships, 2 workers: 8 batches wanted, so runs of 2 (the last one alone)
    assert runner.handed == [["c", "d"], ["e", "f"], ["a", "b"], ["g", "h"], ["i"]]
    assert [p.slug for p in parts] == list(rows)  # the county series is summed in slug order


def test_longest_first_reorders_within_a_window_only():
    # 17 townships of 3: the last one is the longest, but stays in the last window (2 jobs: 4 batches)
    made = [tasks.TownshipTask(slug=f"t{i:02d}", season=None, seed=0, n_boot=0, pollutants=(),
                               n_rows=10_000 if i == 16 else 100 + i) for i in range(17)]
    cut = tasks.batches(made, stale={t.slug for t in made}, n_batches=8)
    order = [[t.slug for t in b] for b in tasks.longest_first(cut, window=4)]
    assert order == [["t09", "t10", "t11"], ["t06", "t07", "t08"], ["t03", "t04", "t05"], ["t00", "t01", "t02"],
                     ["t15", "t16"], ["t12", "t13", "t14"]]


def test_a_started_runner_serves_several_maps_until_closed():
    runner = tasks.ProcessRunner(jobs=2).start()
    try:
        assert runner.map(abs, [-1, -2, -3]) == [1, 2, 3]
        assert runner.running  # not closed by a map it did not start
        assert runner.map(abs, [-4, -5]) == [4, 5]
        assert runner.submit(os.getpid).result() != os.getpid()  # a submitted call runs on a worker
    finally:
        runner.close()
    assert not runner.running
    assert runner.submit(os.getpid).result() == os.getpid()  # not started: here, when asked for
    assert tasks.SerialRunner().submit(divmod, 7, 2).result() == (3, 1)
    assert tasks.ProcessRunner(jobs=2).map(abs, [-6, -7]) == [6, 7]  # started and closed by the map


def test_the_samples_undecided_reasons_name_the_failing_pollutants_once_per_count(sample_evaluation500):
    """李寨乡 (the sample's gappy township): its PM2.5 rules name PM2.5's valid days; its 爆表 rule, of the
    six pollutants' AQI, names them once with their common valid days instead of six repeats."""
    reasons = sample_evaluation500.verdicts["zh"].set_index("township").loc["lizhai", "undecided"]
    text = " ".join(reasons)
    assert "监测数据有效性不足（PM2.5 本季有效 173\xa0天，上一季 183\xa0天）" in text
    assert "监测数据有效性不足（PM2.5/PM10/SO2/NO2/CO/O3 本季有效 173\xa0天，上一季 183\xa0天）" in text


def test_a_replaced_station_is_one_series_in_tasks_reading_their_own_rows(tiny_one, tmp_path):
    """stations.replaces (spot review S3): ZZ108's rows from 2020-10-16 under ZZ109, which replaces it, split
    into the row store by station (a Parquet table checked by tasks over ranges of whole stations): the tasks
    read both stations' rows as one series, as the one-process evaluation does, and the numbers are those of
    the season without the new code (the county series, its validity and the township statistics)."""
    from zzeval.season.columnar import convert_to_parquet
    from zzeval.season.township_rows import split_season

    folder = write_tiny_season(tmp_path / "season", days=30)
    aq = pd.read_csv(folder / "air_quality.csv", dtype=str, keep_default_na=False)
    aq.loc[(aq["station_code"] == "ZZ108") & (aq["datetime"] >= "2020-10-16"), "station_code"] = "ZZ109"
    aq.to_csv(folder / "air_quality.csv", index=False)
    st = pd.read_csv(folder / "stations.csv", dtype=str, keep_default_na=False)
    new = st[st["station_code"] == "ZZ108"].assign(station_code="ZZ109", replaces="ZZ108")
    pd.concat([st.assign(replaces=""), new], ignore_index=True).to_csv(folder / "stations.csv", index=False)
    convert_to_parquet(folder)
    one = evaluate_season(load_season(folder), draws=200, n_boot=10)
    light, store = split_season(folder, tmp_path / "rows", mapper=_in_process, n_tasks=4)
    assert sorted(store.stations) == ["ZZ108", "ZZ109", "ZZ112"]  # stored under their own codes
    assert_same_evaluation(one, evaluate_season(light, draws=200, n_boot=10, rows=store))
    for name in ("county_validity", "weather", "daily"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(tiny_one, name), check_exact=True, obj=name)
    stats = one.air_stats.drop(columns="stations_replaced")
    pd.testing.assert_frame_equal(stats, tiny_one.air_stats.drop(columns="stations_replaced"), check_exact=True)
    assert set(one.air_stats["stations_replaced"].dropna()) == {"", "ZZ108 → ZZ109"}
