"""The county weather derived from the stations' (a season without county rows, issue 12 "the house"):
derived once, where the season is loaded (CSV, and Parquet read in chunks by ``split_season``),
recorded once on the season, and read as it is by the weather model and the per-township tasks."""

from __future__ import annotations

import numpy as np
import pytest

from tests.input.cases_weather import make_layout
from zzeval.airquality.weather import weather_adjusted_change
from zzeval.assess.tasks import air_quality_parts
from zzeval.season import weather_county
from zzeval.season.loading import load_season
from zzeval.season.township_rows import split_season

#: in-season hours (hour-ending stamps 1 Oct 01:00 .. 1 Apr 00:00) of 2019-2020 (with 29 February) and 2020-2021
PREVIOUS, CURRENT = 183 * 24, 182 * 24
BOTH = PREVIOUS + CURRENT


@pytest.fixture
def derivations(monkeypatch) -> list[int]:
    """The number of hours of each derivation of county rows, as it happens."""
    calls: list[int] = []
    real = weather_county.county_rows

    def counted(met, stations, years):
        rows = real(met, stations, years)
        calls.append(len(rows))
        return rows
    monkeypatch.setattr(weather_county, "county_rows", counted)
    return calls


@pytest.fixture(scope="module")
def county_layout(sample_season):
    """The sample (county rows in both seasons): its county weather row and its weather rows."""
    season = load_season(sample_season)
    assert season.county_weather_from_stations == ()
    whole = weather_adjusted_change(season, ("PM2.5",), n_boot=0)
    return whole, air_quality_parts(season, n_boot=0, seed=0)["weather"]


def _county(weather):
    return weather[(weather["township"] == "county") & (weather["pollutant"] == "PM2.5")].iloc[0]


def test_derived_once_per_load_and_recorded_on_the_season(sample_season, tmp_path, derivations, county_layout):
    """M9 (each station has the county's weather, no county rows): one derivation, at loading, of
    the hours of both seasons (1 Oct 01:00 .. 1 Apr 00:00: 4,392 in 2019-2020 with 29 February, 4,368
    in 2020-2021); the weather model
    and the tasks (a sub-season per township) derive nothing again and give the county layout's figures."""
    season = load_season(make_layout(sample_season, "M9_station_weather_every_station", tmp_path / "m9"))
    assert derivations == [BOTH]
    assert season.county_weather_from_stations == ("2019-2020", "2020-2021")
    county = season.meteorology[season.meteorology["station_code"] == "county"]
    assert len(county) == BOTH and county["datetime"].is_monotonic_increasing
    whole = weather_adjusted_change(season, ("PM2.5",), n_boot=0)
    tasks = air_quality_parts(season, n_boot=0, seed=0)["weather"]
    assert derivations == [BOTH]  # no consumer derived it again
    want_whole, want_tasks = county_layout
    for got, want in ((whole, want_whole), (tasks, want_tasks)):
        got, want = _county(got), _county(want)
        assert got["n_obs_previous"] == want["n_obs_previous"] > 4000
        assert got["mean_current"] == pytest.approx(want["mean_current"], rel=1e-12)
        assert got["adjusted_change_pct"] == pytest.approx(want["adjusted_change_pct"], abs=1e-9)
    assert np.isfinite(_county(tasks)["adjusted_change_pct"])


def test_one_season_derived_the_other_kept(sample_season, tmp_path, derivations):
    """M12: county rows in the previous season, the stations' weather only in the current one."""
    season = load_season(make_layout(sample_season, "M12_county_prev_station_current", tmp_path / "m12"))
    assert derivations == [CURRENT]
    assert season.county_weather_from_stations == ("2020-2021",)


def test_parquet_read_in_chunks_derives_it_once(sample_season, tmp_path, derivations, county_layout):
    """The build's path for Parquet tables (``split_season``: the meteorology checked in chunks, the
    air quality split by station): the county weather derived once, after the chunks are put together,
    and the tasks reading their rows from the store give the county layout's county row."""
    folder = make_layout(sample_season, "M9_station_weather_every_station", tmp_path / "m9pq", parquet=True)
    season, store = split_season(folder, tmp_path / "rows")
    assert derivations == [BOTH]
    assert season.county_weather_from_stations == ("2019-2020", "2020-2021")
    assert season.air_quality.empty  # the rows are in the store
    got = _county(air_quality_parts(season, n_boot=0, seed=0, rows=store)["weather"])
    assert derivations == [BOTH]
    want = _county(county_layout[1])
    assert got["mean_previous"] == pytest.approx(want["mean_previous"], rel=1e-12)
    assert got["adjusted_change_pct"] == pytest.approx(want["adjusted_change_pct"], abs=1e-9)


def test_a_user_key_does_not_claim_a_derivation(sample_season, tmp_path):
    """``county_weather_from_stations`` written in season.yaml is not taken as the record."""
    folder = make_layout(sample_season, "W13c_county_one_week_missing", tmp_path / "own")
    with open(folder / "season.yaml", "a", encoding="utf-8") as fh:
        fh.write("\ncounty_weather_from_stations: [2020-2021]\n")
    assert load_season(folder).county_weather_from_stations == ()
