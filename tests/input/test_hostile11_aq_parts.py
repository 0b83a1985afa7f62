"""Hostile review s11-hostA, findings 1, 3 and 5: one station's air quality wrong for part of a season passed the
checks of a whole season. A January with PM2.5 and PM10 swapped (PM2.5 above PM10 in every hour of it), a
December in mg/m³ under the µg/m³ label (every value ÷ 1000) and a PM2.5 analyser flickering 30/31 for 45 days
moved a township's weather-adjusted PM2.5 change from −13.7 % to −8.2 %, −65.2 % and −26.5 %. The PM pair is now
judged over 30-day windows (zzeval.season.aq_months), each station-month's level against its other months and
the other stations' (the same), and each pollutant's spread over 30-day windows against the other stations' and
its own (zzeval.season.stuck_air_quality). The sample's air quality, changed in memory; no report is built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import read
from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed
from zzeval.season.plausible import check_air_quality_series

FNAME = "air_quality.csv.gz"
REALDATA = (Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata"
            / "supplementary_jincheng_city_daily_2015-2017_aqistudy.csv")


@pytest.fixture(scope="module")
def hourly(sample_season) -> pd.DataFrame:
    """The sample's hourly air quality as validate reads it (times and numbers)."""
    aq = read(sample_season, FNAME)[["station_code", "datetime", "pollutant", "value"]]
    return aq.assign(datetime=pd.to_datetime(aq["datetime"]), value=pd.to_numeric(aq["value"]))


def _checked(aq: pd.DataFrame, confirmed: list | None = None) -> Collector:
    out = Collector()
    if confirmed:
        read_confirmed({"confirmed": {"aq_stuck": confirmed}}, "season.yaml", out)
    check_air_quality_series(aq, FNAME, out)
    return out


def _rows(aq: pd.DataFrame, first: str, last: str, pollutants=None, station: str = "ZZ101") -> np.ndarray:
    """The rows of ``station`` from ``first`` up to (not including) ``last``, of ``pollutants`` (all if None)."""
    rows = (aq["station_code"] == station) & (aq["datetime"] >= first) & (aq["datetime"] < last)
    return (rows & (aq["pollutant"].isin(pollutants) if pollutants else rows)).to_numpy()


def _first_row(aq: pd.DataFrame, rows: np.ndarray, pollutant: str) -> int:
    """The spreadsheet row of the first of ``rows`` of ``pollutant``."""
    return int(aq.index[rows & (aq["pollutant"] == pollutant).to_numpy()].min()) + 2


def _swapped(aq: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    aq = aq.copy()
    rows = _rows(aq, first, last, ["PM2.5", "PM10"])
    aq.loc[rows, "pollutant"] = aq.loc[rows, "pollutant"].map({"PM2.5": "PM10", "PM10": "PM2.5"})
    return aq


def test_genuine_air_quality_passes(hourly):
    """The sample's air quality passes all the checks of parts of a season, with no notice."""
    out = _checked(hourly)
    assert out.problems == [] and out.notes == []


@pytest.mark.parametrize("first, last, shown", [
    ("2021-01-01", "2021-02-01", "2021-01-01 to 2021-01-31"),  # the reviewer's case: one calendar month
    ("2021-01-20", "2021-02-09", "2021-01-20 to 2021-02-08"),  # 20 days across two months
])
def test_pm25_and_pm10_swapped_for_weeks_are_refused(hourly, first, last, shown):
    """PM2.5 and PM10 rows swapped for a month (finding 1), or for 20 days across two months: refused once,
    naming the first swapped row, the station, the days and what to fix; the season's share alone passed."""
    out = _checked(_swapped(hourly, first, last))
    (problem,) = out.problems
    assert (problem.file, problem.row, problem.column) == (FNAME, _first_row(hourly, _rows(hourly, first, last),
                                                                             "PM10"), "pollutant")
    assert problem.message.startswith("station ZZ101, 30 days from ")
    assert f"in most hours of the days {shown})" in problem.message
    assert "air_quality.pm25_above_pm10_share and air_quality.window_days" in problem.message
    assert "are the PM2.5 and PM10 rows of these days swapped?" in problem.message
    assert len(problem.message) < 1000


def test_pm25_above_pm10_for_two_days_passes(hourly):
    """Two days of PM2.5 above PM10 are under air_quality.pm25_above_pm10_run_days (3; a week is refused since
    the hostile re-review s11-reA W8, tests/input/test_hostile11_aq_short.py): they pass."""
    assert _checked(_swapped(hourly, "2021-01-01", "2021-01-03")).problems == []


def test_a_month_in_mg_is_refused(hourly):
    """Finding 5: December 2020 of a station in mg/m³ under the µg/m³ label: refused once for the month, naming its
    rows, every pollutant so, the medians against the references and the fix."""
    aq = hourly.copy()
    rows = _rows(aq, "2020-12-01", "2021-01-01", ["PM2.5", "PM10", "SO2", "NO2", "O3"])
    aq.loc[rows, "value"] = (aq.loc[rows, "value"] / 1000).round(3)
    out = _checked(aq)
    (problem,) = out.problems
    first = int(aq.index[rows].min()) + 2
    assert (problem.file, problem.row, problem.column) == (FNAME, first, "value")
    assert problem.message.startswith(f"station ZZ101, 2020-12: the median of the month's hours (rows {first:,} to ")
    for pollutant in ("PM2.5", "PM10", "SO2", "NO2", "O3"):
        assert f"{pollutant} 0.0" in problem.message
    assert "PM2.5 0.057 µg/m³ (its other months 45);" in problem.message  # one other station: no reference
    assert "air_quality.month_level_ratio" in problem.message and "multiply them by 1000" in problem.message
    assert "CO " not in problem.message and len(problem.message) < 1000


def test_a_month_1000_times_too_high_is_refused(hourly):
    """The other way: a month of CO in µg/m³ under the mg/m³ label (× 1000)."""
    aq = hourly.copy()
    rows = _rows(aq, "2021-02-01", "2021-03-01", ["CO"])
    aq.loc[rows, "value"] = aq.loc[rows, "value"] * 1000
    (problem,) = _checked(aq).problems
    assert problem.message.startswith("station ZZ101, 2021-02: ") and "divide them by 1000" in problem.message


def test_a_genuinely_clean_month_passes(hourly):
    """A month a quarter of the station's usual level (a clean, windy month) is a factor of 4, as genuine months
    differ; and its spread, a quarter of the others', is not a stuck analyser."""
    aq = hourly.copy()
    rows = _rows(aq, "2020-12-01", "2021-01-01")
    aq.loc[rows, "value"] = aq.loc[rows, "value"] * 0.25
    assert _checked(aq).problems == []


def _flicker(aq: pd.DataFrame, first: str = "2020-12-01", last: str = "2021-01-15") -> tuple[pd.DataFrame, np.ndarray]:
    aq = aq.copy()
    rows = _rows(aq, first, last, ["PM2.5"]) & aq["value"].notna().to_numpy()
    aq.loc[rows, "value"] = 30 + (np.arange(rows.sum()) % 2)
    return aq, rows


def test_a_pm25_analyser_flickering_for_weeks_is_refused(hourly):
    """Finding 3: PM2.5 at 30, 31, 30 … from 1 December to 14 January: refused once (confirmably), naming the
    first flickering row, the station, the windows, the days, the spreads and what to fix or confirm."""
    aq, rows = _flicker(hourly)
    (problem,) = _checked(aq).problems
    assert (problem.file, problem.row, problem.column) == (FNAME, _first_row(aq, rows, "PM2.5"), "value")
    assert problem.message.startswith("station ZZ101: PM2.5 varies far less in ")
    assert "day(s) from 2020-12-01 to 2021-01-14 vary so little" in problem.message
    assert "air_quality.stuck_ratio" in problem.message
    assert "'confirmed: {aq_stuck: [ZZ101 PM2.5 2020-11-16..2021-01-28]}'" in problem.message
    assert len(problem.message) < 1000


def test_a_confirmed_flicker_is_a_notice(hourly):
    aq, _ = _flicker(hourly)
    out = _checked(aq, ["ZZ101 PM2.5 2020-11-16..2021-01-28"])
    assert out.problems == []
    assert any("confirmed in season.yaml (aq_stuck: ZZ101 PM2.5 2020-11-16..2021-01-28)" in note
               for note in out.notes)


def test_a_confirmation_covers_its_spell_only(hourly):
    """As weather_stuck (hostile review s11-A, C09): a confirmation written for one stuck spell of a station's
    pollutant does not let a later spell of the same season pass, nor does the season form for a part of it."""
    aq, _ = _flicker(hourly)
    aq, _ = _flicker(aq, "2021-02-20", "2021-03-31")
    (later,) = _checked(aq, ["ZZ101 PM2.5 2020-11-16..2021-01-28"]).problems
    assert "2021-02" in later.message and "aq_stuck: [ZZ101 PM2.5 2021-" in later.message
    assert len(_checked(aq, ["ZZ101 PM2.5 2020-2021"]).problems) == 2


def test_a_flicker_is_refused_at_a_station_alone(hourly):
    """Rows of one station only (a station-complete Parquet chunk): its own other days are the reference."""
    aq, _ = _flicker(hourly[hourly["station_code"] == "ZZ101"])
    (problem,) = _checked(aq).problems
    assert "PM2.5 varies far less" in problem.message


def test_a_stuck_value_is_said_once(hourly):
    """PM2.5 at 30 in every hour for 45 days: the run of one value is refused (per run), not the spread again."""
    aq = hourly.copy()
    rows = _rows(aq, "2020-12-01", "2021-01-15", ["PM2.5"]) & aq["value"].notna().to_numpy()
    aq.loc[rows, "value"] = 30.0
    problems = _checked(aq).problems
    assert problems and all("hours in a row" in p.message for p in problems)


@pytest.mark.skipif(not REALDATA.exists(), reason="the real Jincheng data is not on this machine")
def test_real_months_and_pm_ratio_are_within_the_limits():
    """Jincheng's daily city means 2015-2017: each month's median within a factor of 5 of the median of its other
    months (the limit is 30), and PM2.5 never above PM10 on a day (the limit is half the hours of 30 days)."""
    real = pd.read_csv(REALDATA, parse_dates=["date"]).pivot_table(index="date", columns="pollutant", values="value")
    for pollutant in ("PM2.5", "PM10", "SO2", "NO2", "CO"):
        monthly = real[pollutant].resample("MS").agg(["median", "count"])
        medians = monthly.loc[monthly["count"] >= 20, "median"]
        ratio = np.array([medians[m] / medians.drop(m).median() for m in medians.index])
        assert (ratio < 5).all() and (ratio > 1 / 5).all() and 5 * 5 < input_limit("air_quality.month_level_ratio")
    share = (real["PM2.5"] > real["PM10"]).rolling(30).mean().max()
    assert share < input_limit("air_quality.pm25_above_pm10_share") / 5
