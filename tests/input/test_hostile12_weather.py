"""Hostile review s12-hostA, the meteorology table: part of a season's wind in knots or km/h (W02/W10), a station's
anemometer moved in one season (W07), a dry season in 0.1 mm (W09), a season stamped in UTC (W01) and a month of RH
fractions told "a stuck sensor? confirm it" (W06) all passed or misled. Tiny edits of the shipped sample's weather,
checked by check_met_values: no report is built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zzeval.season.checks import Collector
from zzeval.season.plausible import check_met_values

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def sample_met() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "meteorology.csv.gz", parse_dates=["datetime"])


def _checked(met: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    out = Collector()
    out.confirmed = confirmed or {}
    check_met_values(met.reset_index(drop=True), "meteorology.csv", out)
    return out


def _between(met: pd.DataFrame, start: str, end: str) -> np.ndarray:
    return ((met["datetime"] >= start) & (met["datetime"] < end)).to_numpy()


def test_genuine_sample_weather_passes_the_new_checks(sample_met):
    out = _checked(sample_met)
    assert out.problems == []
    station = pd.concat([sample_met, sample_met.assign(station_code="ZZ101")])  # a station beside the county rows
    assert _checked(station).problems == []


def test_three_months_in_knots_are_refused_and_can_be_confirmed(sample_met):
    met = sample_met.copy()
    part = _between(met, "2019-10-01", "2020-01-01")
    met.loc[part, "wind_speed_ms"] = (met.loc[part, "wind_speed_ms"] * 1.944).round(1)
    (problem,) = _checked(met).problems
    assert problem.column == "wind_speed_ms" and "station 'county': the wind_speed_ms of 2019-10 (" in problem.message
    assert "2019-11 (" in problem.message and "in knots" in problem.message
    assert "weather_wind_month_unit: [county 2019-10 2019-11]" in problem.message
    out = _checked(met, {"weather_wind_month_unit": {"county 2019-10 2019-11": 0}})
    assert out.problems == [] and any("weather_wind_month_unit" in n for n in out.notes)


def test_one_january_in_kmh_is_refused(sample_met):
    met = sample_met.copy()
    part = _between(met, "2020-01-01", "2020-02-01")
    met.loc[part, "wind_speed_ms"] = (met.loc[part, "wind_speed_ms"] * 3.6).round(1)
    (problem,) = _checked(met).problems
    assert problem.row == int(np.argmax(part & (met["wind_speed_ms"] > 0.5).to_numpy())) + 2
    assert "2020-01 (" in problem.message and "km/h" in problem.message


def test_a_station_anemometer_sheltered_in_one_season_is_judged(sample_met):
    station = sample_met.assign(station_code="ZZ101")
    current = _between(station, "2020-07-01", "2021-07-01")
    station.loc[current, "wind_speed_ms"] = (station.loc[current, "wind_speed_ms"] * 0.62).round(1)
    (problem,) = _checked(pd.concat([sample_met, station])).problems
    assert "station 'ZZ101': its wind_speed_ms against the county rows'" in problem.message
    assert "was the anemometer moved" in problem.message and "weather_wind_site: [ZZ101 2019-2021]" in problem.message


def test_a_dry_season_in_tenths_of_mm_is_judged(sample_met):
    met = sample_met.copy()
    previous = _between(met, "2019-07-01", "2020-07-01")
    met.loc[previous, "precip_mm"] = (met.loc[previous, "precip_mm"] * 0.55 * 10).round(0)
    assert met.loc[previous, "precip_mm"].sum() < 300  # the season total says nothing
    (problem,) = _checked(met).problems
    assert problem.column == "precip_mm" and "have a precip_mm that is a whole number" in problem.message
    assert "write it in mm (÷ 10)" in problem.message and "weather_precip_tenths: [county 2019-2020]" in problem.message


def _in_utc(met: pd.DataFrame) -> pd.DataFrame:
    met = met.copy()
    previous = _between(met, "2019-07-01", "2020-07-01")
    met.loc[previous, "datetime"] = met.loc[previous, "datetime"] - pd.Timedelta(hours=8)
    return met[met["datetime"] >= "2019-10-01"]


def test_a_season_stamped_in_utc_is_refused(sample_met):
    (problem,) = _checked(_in_utc(sample_met)).problems
    assert (problem.row, problem.column) == (2, "datetime")
    assert "season from 2019 peaks at 07:" in problem.message and "add 8 hours" in problem.message
    assert "confirm" not in problem.message


def test_a_weak_daily_cycle_off_the_clock_is_a_judgement(sample_met):
    met = _in_utc(sample_met)
    daily = met.groupby(met["datetime"].dt.normalize())["temperature_c"].transform("mean")
    met["temperature_c"] = (daily + (met["temperature_c"] - daily) * 0.2).round(1)  # a cloudy, foggy season
    (problem,) = [p for p in _checked(met).problems if p.column == "datetime"]
    assert "the daily cycle is weak" in problem.message and "weather_clock: [county 2019-2020]" in problem.message


def test_a_month_of_rh_fractions_is_refused_as_fractions_not_stuck(sample_met):
    met = sample_met.copy()
    met["rh_pct"] = met["rh_pct"].astype(float)
    december = _between(met, "2019-12-01", "2020-01-01")
    met.loc[december, "rh_pct"] = (met.loc[december, "rh_pct"] / 100).round(2)
    (problem,) = _checked(met).problems
    assert (problem.row, problem.column) == (int(np.argmax(december)) + 2, "rh_pct")
    assert "on 2019-12-01..2019-12-31 (31 day(s))" in problem.message and "× 100" in problem.message
    assert "stuck sensor? " not in problem.message and "confirm them in season.yaml" not in problem.message
