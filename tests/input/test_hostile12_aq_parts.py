"""Hostile review s12-hostA, air quality: parts of a station's season wrong in ways the checks of months, of
half-windows and of stuck analysers let pass. A01/A02: a fortnight of PM ÷ 10 (a decimal slip) is judged against
the other stations' same days (air_quality.day_station_ratio, confirmable: aq_day_level). A06: PM2.5 and PM10
swapped every weekend (2-day runs) and A07: PM2.5 = PM10 for 14 days are refused as 3 such days within 30
(air_quality.pm25_above_pm10_run_days); F03: fog days with PM2.5 a few per cent above PM10 are not a swap
(air_quality.swap_day_ratio). A09: an analyser writing noise and A16: 24-hour moving means are judged by their
hour-to-hour change against the other stations' (air_quality.hour_change_ratio, confirmable: aq_persistence).
A04b: a previous season made from the current × 1.3 with noise is found by the correlation of the two seasons'
hours (air_quality.season_copy_correlation).
The sample's air quality with a third station (the first one's × 1.3), changed in memory; no report is built.

Genuine data measured (by one-off scripts, not kept; the figures are in input_limits.csv): the smallest factor of 3 days
in a row against the other stations' PM 1.99 (data/sample), 1.47 (winter generator); no genuine station-day is
swapped-like or equal in most hours; the hour-change factor 0.45-2.72 in data/sample, 0.54-2.55 in the samples
of seeds 0-7, 0.49-3.85 in the winter generator (w0, w+20, seeds 0-1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import read
from zzeval.season.aq_copy import record_pm_days
from zzeval.season.aq_season_copy import check_air_quality_season_copied
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed
from zzeval.season.plausible import check_air_quality_series

FNAME = "air_quality.csv.gz"


@pytest.fixture(scope="module")
def hourly(sample_season) -> pd.DataFrame:
    """The sample's hourly air quality (two stations) and a third station, the first one's values × 1.3."""
    aq = read(sample_season, FNAME)[["station_code", "datetime", "pollutant", "value"]]
    aq = aq.assign(datetime=pd.to_datetime(aq["datetime"]), value=pd.to_numeric(aq["value"]))
    third = aq[aq["station_code"] == "ZZ100"].assign(station_code="ZZ199")
    third["value"] = np.where(third["pollutant"] == "CO", (third["value"] * 1.3).round(2), (third["value"] * 1.3).round())
    return pd.concat([aq, third], ignore_index=True)


def _checked(aq: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    out = Collector()
    if confirmed:
        read_confirmed({"confirmed": confirmed}, "season.yaml", out)
    check_air_quality_series(aq, FNAME, out)
    return out


def _rows(aq: pd.DataFrame, first: str, last: str, pollutants, station: str = "ZZ101") -> np.ndarray:
    return ((aq["station_code"] == station) & (aq["datetime"] >= first) & (aq["datetime"] < last)
            & aq["pollutant"].isin(pollutants)).to_numpy()


def test_a_fortnight_divided_by_10_is_refused_against_the_other_stations(hourly):
    """A01: ZZ101's PM2.5 and PM10 of 1-14 December ÷ 10: refused (confirmably) once a pollutant, naming the first
    row, the days and the fix; confirmed, a notice."""
    aq = hourly.copy()
    rows = _rows(aq, "2020-12-01", "2020-12-15", ["PM2.5", "PM10"])
    aq.loc[rows, "value"] = (aq.loc[rows, "value"] / 10).round(1)
    problems = _checked(aq).problems
    assert len(problems) == 2 and all("aq_day_level" in p.message for p in problems)
    pm25 = next(p for p in problems if "median of PM2.5" in p.message)
    assert pm25.row == int(aq.index[rows].min()) + 2 and pm25.column == "value"
    assert "from 2020-12-01 to 2020-12-14" in pm25.message and "divided by 10" in pm25.message
    subjects = [p.message.split("aq_day_level: [")[1].split("]")[0] for p in problems]
    out = _checked(aq, {"aq_day_level": subjects})
    assert out.problems == [] and len([n for n in out.notes if "aq_day_level" in n]) == 2


def test_pm25_and_pm10_swapped_every_weekend_are_refused(hourly):
    """A06: every Saturday and Sunday of ZZ101's previous season swapped (2-day runs): refused once."""
    aq = hourly.copy()
    weekend = (aq["datetime"].dt.day_of_week >= 5).to_numpy()
    rows = _rows(aq, "2019-10-01", "2020-04-01", ["PM2.5", "PM10"]) & weekend
    aq.loc[rows, "pollutant"] = aq.loc[rows, "pollutant"].map({"PM2.5": "PM10", "PM10": "PM2.5"})
    (problem,) = _checked(aq).problems
    assert problem.column == "pollutant" and problem.message.startswith("station ZZ101, ")
    assert "days within 30 days from 2019-10-05" in problem.message and "swapped?" in problem.message


def test_pm25_equal_to_pm10_for_two_weeks_is_refused(hourly):
    """A07: ZZ101's PM2.5 rows holding the PM10 values for 14 days (under half a window): refused once."""
    aq = hourly.copy()
    pm10 = aq[_rows(aq, "2020-12-10", "2020-12-24", ["PM10"])]
    pm25 = _rows(aq, "2020-12-10", "2020-12-24", ["PM2.5"])
    aq.loc[pm25, "value"] = aq.loc[pm25, ["datetime"]].merge(pm10[["datetime", "value"]], how="left")["value"].to_numpy()
    (problem,) = _checked(aq).problems
    assert "14 days in a row from 2020-12-10 to 2020-12-23" in problem.message
    assert "hold the PM10 values" in problem.message


def test_fog_days_with_pm25_a_little_above_pm10_pass(hourly):
    """F03: four foggy days of ZZ100 with PM2.5 = PM10 × 0.97-1.06 (above it in most hours, but not a swap's
    ratio of about 2): not refused."""
    aq = hourly.copy()
    pm10 = aq[_rows(aq, "2021-01-06", "2021-01-10", ["PM10"], "ZZ100")]
    pm25 = _rows(aq, "2021-01-06", "2021-01-10", ["PM2.5"], "ZZ100")
    factor = np.random.default_rng(4).uniform(0.97, 1.06, pm25.sum())
    values = aq.loc[pm25, ["datetime"]].merge(pm10[["datetime", "value"]], how="left")["value"].to_numpy()
    aq.loc[pm25, "value"] = np.round(values * factor)
    assert _checked(aq).problems == []


def test_an_analyser_writing_noise_is_refused(hourly):
    """A09: ZZ101's PM2.5 random 20-50 for 45 days: refused (confirmably) as noise, the other stations not."""
    aq = hourly.copy()
    rows = _rows(aq, "2020-12-01", "2021-01-15", ["PM2.5"]) & aq["value"].notna().to_numpy()
    aq.loc[rows, "value"] = np.random.default_rng(5).integers(20, 51, rows.sum()).astype(float)
    (problem,) = _checked(aq).problems
    assert problem.message.startswith("station ZZ101: PM2.5 changes from one hour to the next far more")
    assert "aq_persistence" in problem.message and "writing noise" in problem.message


def test_24_hour_moving_means_are_refused(hourly):
    """A16: ZZ101's previous-season PM2.5 as 24-hour moving means: refused (confirmably) as too smooth."""
    aq = hourly.copy()
    rows = _rows(aq, "2019-10-01", "2020-04-01", ["PM2.5"])
    part = aq[rows].sort_values("datetime")
    aq.loc[part.index, "value"] = part["value"].rolling(24, min_periods=1).mean().round().to_numpy()
    (problem,) = _checked(aq).problems
    assert problem.message.startswith("station ZZ101: PM2.5 changes from one hour to the next far less")
    assert "24-hour moving means" in problem.message and "aq_persistence" in problem.message


def test_genuine_hours_pass(hourly):
    out = _checked(hourly)
    assert out.problems == [] and out.notes == []


def test_confirmed_moving_means_are_a_notice(hourly):
    """aq_persistence is a judgement: the spell the refusal names, confirmed in season.yaml, becomes a notice."""
    aq = hourly.copy()
    rows = _rows(aq, "2019-10-01", "2020-04-01", ["PM2.5"])
    part = aq[rows].sort_values("datetime")
    aq.loc[part.index, "value"] = part["value"].rolling(24, min_periods=1).mean().round().to_numpy()
    (problem,) = _checked(aq).problems
    subject = problem.message.split("aq_persistence: [")[1].split("]")[0]
    out = _checked(aq, {"aq_persistence": [subject]})
    assert out.problems == [] and any("aq_persistence" in n for n in out.notes)


def _season_copied(aq: pd.DataFrame) -> Collector:
    out = Collector()
    record_pm_days(aq, FNAME, out)
    check_air_quality_season_copied(out, set())
    return out


def test_a_previous_season_made_from_the_current_with_noise_is_refused(hourly):
    """A04b: ZZ101's previous-season PM2.5 = its current season's, the year set back, × 1.3 + noise SD 2.5
    (every day's residual above the rescaled-copy limit): refused, naming the station, pollutant and seasons."""
    aq = hourly[~_rows(hourly, "2019-10-01", "2020-04-01", ["PM2.5"])]
    now = aq[_rows(aq, "2020-10-01", "2021-04-01", ["PM2.5"])].dropna(subset=["value"])
    noise = np.random.default_rng(6).normal(0, 2.5, len(now))
    before = now.assign(datetime=now["datetime"] - pd.DateOffset(years=1), value=(now["value"] * 1.3 + noise).round())
    (problem,) = _season_copied(pd.concat([aq, before], ignore_index=True)).problems
    assert problem.message.startswith("station ZZ101, PM2.5: the season from 2019 follows the season from 2020")
    assert "air_quality.season_copy_correlation" in problem.message


def test_genuine_seasons_are_not_copies(hourly):
    assert _season_copied(hourly).problems == []
