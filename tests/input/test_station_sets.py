"""A township whose stations differ between the seasons: its change is computed on the stations with data in both
(同口径), or not at all (hostile review 7, finding 2). Inputs made by script from the `zzeval sample` season."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import read, write
from zzeval.airquality.airstats import season_statistics
from zzeval.airquality.did import daily_panel
from zzeval.airquality.weather_data import township_series
from zzeval.assess.comparable import like_with_like
from zzeval.assess.evaluate import headline_air_indicators
from zzeval.assess.verdict import judge, load_rules
from zzeval.cli import main
from zzeval.season.data import season_period
from zzeval.season.loading import load_season
from zzeval.season.station_sets import station_seasons, used_rows


def test_station_seasons_on_a_tiny_table():
    period = season_period("2020-2021")
    stations = pd.DataFrame({"station_code": ["A", "B", "C", "D"], "township": ["t1", "t1", "t2", "t2"]})
    aq = pd.DataFrame({"station_code": ["A", "A", "B", "C", "D", "D"],
                       "datetime": pd.to_datetime(["2019-12-01", "2020-12-01", "2020-12-02", "2019-12-01",
                                                   "2020-12-01", "2020-12-02"]),
                       "value": [60.0, 45.0, 20.0, 50.0, 30.0, np.nan]})
    sets = station_seasons(aq, stations, period).set_index("station_code")
    assert sets["current"].tolist() == [True, True, False, True]
    assert sets["previous"].tolist() == [True, False, True, False]
    assert sets["comparable"].tolist() == [True, True, False, False]
    assert sets["used"].tolist() == [True, False, True, True]  # t2: each season its own station
    assert sets["compared"].tolist() == [True, False, False, False]
    rows = pd.DataFrame({"station_code": ["A", "B", "C", "D", "X"]})
    assert used_rows(rows, sets.reset_index()).tolist() == [True, False, True, True, True]
    assert used_rows(rows, sets.reset_index(), across=True).tolist() == [True, False, False, False, True]


def _second_station(folder, replace: bool) -> None:
    """nancun gets station ZZ9 from 2020-10-01 (half ZZ100's values, an edge-of-town site); ``replace``:
    ZZ100 stops then (the station moved)."""
    stations = read(folder, "stations.csv")
    first = stations[stations["township"] == "nancun"].iloc[0]
    extra = first.copy()
    extra["station_code"], extra["name_zh"] = "ZZ9", "南村镇二站"
    write(pd.concat([stations, extra.to_frame().T], ignore_index=True), folder, "stations.csv")
    aq = read(folder, "air_quality.csv.gz")
    own = (aq["station_code"] == first["station_code"]) & (aq["datetime"] >= "2020-10-01")
    new = aq[own].copy()
    new["station_code"] = "ZZ9"
    # half, with a site's own hour-to-hour noise: an exact multiple of another station is refused as a copy
    noise = np.random.default_rng(9).lognormal(0, 0.2, len(new))
    new["value"] = (pd.to_numeric(new["value"]) * 0.5 * noise).round(2).astype(str)
    aq = pd.concat([aq[~own] if replace else aq, new], ignore_index=True)
    write(aq, folder, "air_quality.csv.gz")


def _nancun_pm25(season) -> tuple[float, float]:
    stats = season_statistics(season)
    rows = stats[(stats["level"] == "township") & (stats["unit_id"] == "nancun")].set_index("season")
    return rows.at["current", "mean_PM2.5"], rows.at["previous", "mean_PM2.5"]


@pytest.fixture(scope="module")
def base_season(sample_season):
    return load_season(sample_season)


def test_a_station_added_is_left_out_of_the_change(base_season, season, capsys):
    _second_station(season, replace=False)
    assert main(["validate", str(season)]) == 0
    err = capsys.readouterr().out + capsys.readouterr().err
    assert ("air_quality.csv.gz: township 南村镇 (nancun): station(s) ZZ9 have data in the current season only; its "
            "change between the seasons is computed on the stations with data in both (ZZ100), like with like") in err
    changed = load_season(season)
    assert _nancun_pm25(changed) == pytest.approx(_nancun_pm25(base_season), abs=1e-9)
    series = township_series(changed, ("PM2.5",))[0]
    before = township_series(base_season, ("PM2.5",))[0]
    pd.testing.assert_series_equal(series["value"].reset_index(drop=True), before["value"].reset_index(drop=True))
    pd.testing.assert_frame_equal(daily_panel(changed), daily_panel(base_season))


def test_a_station_replaced_has_no_change(season, capsys):
    _second_station(season, replace=True)
    assert main(["validate", str(season)]) == 0
    out = capsys.readouterr()
    assert ("station(s) ZZ9 have data in the current season only; station(s) ZZ100 in the previous season only; no "
            "station has data in both seasons, so its change between the seasons cannot be computed (无可比站点)"
            in out.out + out.err)
    changed = load_season(season)
    current, previous = _nancun_pm25(changed)  # each season's own station still gives that season's mean
    assert current < 0.6 * previous
    assert "nancun" not in set(township_series(changed, ("PM2.5",))[0]["township"])
    assert "nancun" not in set(daily_panel(changed)["township"])
    stats = season_statistics(changed)
    ind = headline_air_indicators(stats).set_index("township")
    ind["pm25_change_obs_pct"] = 100 * (ind["pm25_mean_ugm3"] / ind["pm25_mean_ugm3_prev"] - 1)
    assert ind.at["nancun", "pm25_change_obs_pct"] < -40  # the wrong number the sites' change would give
    ind = like_with_like(ind, stats)
    assert np.isnan(ind.at["nancun", "pm25_change_obs_pct"]) and np.isnan(ind.at["nancun", "heavy_days_change"])
    assert not ind.at["nancun", "stations_comparable"] and ind.at["xiacun", "stations_comparable"]
    assert np.isfinite(ind.at["xiacun", "pm25_change_obs_pct"])
    rule = next(r for r in load_rules(None).rules if r.id == "pm25_worse")
    row = ind.reset_index().set_index("township").loc["nancun"].to_dict()
    assert judge(rule, row, 0.0) == ("undecided", "no_common_station")


def test_a_batch_of_a_township_without_a_common_station_evaluates(season):
    """Recheck 7: the build evaluates townships in batches; a batch holding only the township whose
    station was replaced has no weather series at all (a frame without columns), which was a
    KeyError 'township' in the build. Its part is empty where there is no change to compute."""
    from zzeval.assess import tasks

    _second_station(season, replace=True)
    made = tasks.township_tasks(load_season(season), n_boot=0, seed=100)
    (part,) = tasks.evaluate_batch([t for t in made if t.slug == "nancun"])
    assert part.slug == "nancun" and part.weather.empty and part.county_terms.empty
    assert set(part.air_stats["season"]) == {"current", "previous"}  # each season's own level is kept
    (other,) = tasks.evaluate_batch([t for t in made if t.slug == "xiacun"])
    assert set(other.weather["township"]) == {"xiacun"}


def test_a_batch_decides_its_station_sets_once(season, monkeypatch):
    """The stations a township's series is made of (同口径) are decided once per season, not by each of
    the season statistics, the township daily values and the weather-adjusted change (diff review 7:
    the hourly table was scanned for it three times per batch); the result is the same."""
    from zzeval.assess import tasks
    from zzeval.season import station_sets

    _second_station(season, replace=False)
    made = tasks.township_tasks(load_season(season), n_boot=0, seed=100)
    calls = []
    real = station_sets.station_seasons
    monkeypatch.setattr(station_sets, "station_seasons", lambda *a, **k: calls.append(a) or real(*a, **k))
    (part,) = tasks.evaluate_batch([t for t in made if t.slug == "nancun"])
    assert len(calls) == 1
    assert set(part.weather["township"]) == {"nancun"}
    town = part.air_stats[part.air_stats["level"] == "township"]
    assert set(town["stations_current_only"]) == {"ZZ9"} and set(town["stations_common"]) == {"ZZ100"}
