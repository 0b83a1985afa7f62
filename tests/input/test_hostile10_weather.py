"""Hostile review s10-hostA, findings 1 and 6: a boundary-layer height of 0 in part of a season was read as a
10 m boundary layer (the county's weather-adjusted change −9.6 % → −22.0 %; 0 all the previous season: +128.3 %),
a BLH frozen at 300 m passed, and a sensor stuck 42 days across two calendar months (9 January-19 February)
passed the month-by-month stuck check. Tiny inline tables: no report is built."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.airquality.weather_features import met_features
from zzeval.airquality.weather_ols import _design_arrays
from zzeval.season.boundary_layer import check_boundary_layer
from zzeval.season.checks import Collector
from zzeval.season.stuck_weather import check_stuck_weather
from zzeval.season.weather_copy import record_weather_bins
from zzeval.season.weather_copy_within import check_weather_copied_within


def _two_seasons(seed: int = 1) -> pd.DataFrame:
    """County weather of two winter seasons (October-March 2019-2020 and 2020-2021), every hour, with a
    boundary-layer height that follows the day (about 150 m at night, 900 m by day) and varies day to day."""
    stamps = pd.date_range("2019-10-01", "2020-03-31 23:00", freq="h").append(
        pd.date_range("2020-10-01", "2021-03-31 23:00", freq="h"))
    n, rng = len(stamps), np.random.default_rng(seed)
    day = np.sin(np.pi * np.clip((stamps.hour.to_numpy() - 7) / 10, 0, 1))
    return pd.DataFrame({"datetime": stamps, "station_code": "county",
                         "temperature_c": rng.normal(0, 4, n).round(1), "rh_pct": rng.uniform(30, 90, n).round(0),
                         "wind_speed_ms": rng.uniform(0.5, 4, n).round(1), "wind_dir_deg": rng.uniform(0, 359, n).round(0),
                         "pressure_hpa": rng.normal(920, 5, n).round(1), "precip_mm": 0.0,
                         "blh_m": ((150 + 750 * day) * np.exp(rng.normal(0, 0.3, n))).round(0)})


def _checked(met: pd.DataFrame) -> Collector:
    out = Collector()
    check_boundary_layer(met, "meteorology.csv", out)
    check_stuck_weather(met, "meteorology.csv", out)
    return out


def _between(met: pd.DataFrame, first: str, last: str) -> pd.Series:
    return (met["datetime"] >= first) & (met["datetime"] < last)


def test_genuine_weather_passes_without_notice():
    out = _checked(_two_seasons())
    assert out.problems == [] and out.notes == []


def test_a_boundary_layer_of_zero_in_part_of_a_season_is_refused():
    """Finding 1: blh_m 0 from 1 January 2021 (the other hours hold heights) is refused once, naming the first row."""
    met = _two_seasons()
    zero = _between(met, "2021-01-01", "2021-04-01")
    met.loc[zero, "blh_m"] = 0.0
    out = _checked(met)
    (problem,) = [p for p in out.problems if p.column == "blh_m"]
    assert problem.row == int(np.flatnonzero(zero)[0]) + 2
    assert "station 'county': blh_m is below 10 m in 2,160 hour(s) (2,160 of them 0) of the season from 2020 " \
           "(2021-01-01 00:00 to 2021-03-31 23:00, the first 0 m)" in problem.message
    assert "leave the cell empty where the height is not available" in problem.message


def test_a_season_without_boundary_layer_is_left_out_of_the_model_in_both_seasons():
    """Finding 1: blh_m 0 all the previous season (not measured) is accepted with a notice; the weather model
    reads 0 as missing, so neither season has a boundary-layer term (it read 0 as a 10 m boundary layer)."""
    met = _two_seasons()
    met.loc[met["datetime"] < "2020-07-01", "blh_m"] = 0.0
    out = _checked(met)
    assert out.problems == []
    (note,) = out.notes
    assert "station 'county' has no boundary-layer height (blh_m 0 or empty in every hour) in the season 2019-2020" \
           in note and "leaves the boundary-layer height out in both seasons" in note
    features = met_features(met)
    assert (features["log_blh"] == 0).all()  # log(1): no BLH term (it was log(10 m) beside log(heights))
    previous = met[met["datetime"] < "2020-07-01"]
    names, _ = _design_arrays(previous, current=False)
    assert "log_blh_m" not in names  # the OLS drops a column the two seasons do not share


def test_a_boundary_layer_frozen_for_three_months_is_refused():
    """Finding 1: blh_m frozen at 300 m from 1 January 2021 varies far less than the source's other months."""
    met = _two_seasons()
    met.loc[_between(met, "2021-01-01", "2021-04-01"), "blh_m"] = 300.0
    (problem,) = _checked(met).problems
    assert problem.column == "blh_m"
    assert "station 'county': blh_m varies far less in " in problem.message and " 0 against " in problem.message
    assert "(the days 2020-12-" in problem.message  # half a window at 300 m (amid the heights) has no IQR


def test_a_sensor_stuck_six_weeks_across_two_months_is_refused():
    """Finding 6: an anemometer at its noise floor (0.1/0.3/0.2 m/s) from 9 January to 19 February 2021, under
    three quarters of each calendar month, fills the 30-day windows from 9 January to 21 January."""
    met = _two_seasons()
    stuck = _between(met, "2021-01-09", "2021-02-20")
    met.loc[stuck, "wind_speed_ms"] = np.resize([0.1, 0.3, 0.2], int(stuck.sum()))
    (problem,) = _checked(met).problems
    assert problem.column == "wind_speed_ms" and problem.row == int(np.flatnonzero(stuck)[0]) + 2
    assert "from 2021-01-09 " in problem.message and "0% of hours above near calm" in problem.message


def _copied_within(met: pd.DataFrame) -> list:
    out = Collector()
    record_weather_bins(met, "meteorology.csv", out)
    check_weather_copied_within(out)
    return out.problems


def test_genuine_weather_is_not_a_copy_of_itself():
    assert _copied_within(_two_seasons()) == []


def test_weather_copied_within_a_season_is_refused():
    """Finding 6a: January 2020 filled with December 2019's rows (the dates changed) is refused, naming the
    first copied row, the shift and the copied hours; a single day copied (24 hours) passes."""
    met = _two_seasons()
    january = _between(met, "2020-01-01", "2020-02-01")
    columns = ["temperature_c", "rh_pct", "wind_speed_ms", "wind_dir_deg", "pressure_hpa", "precip_mm", "blh_m"]
    met.loc[january, columns] = met.loc[_between(met, "2019-12-01", "2020-01-01"), columns].to_numpy()
    (problem,) = _copied_within(met)
    assert (problem.row, problem.column) == (int(np.flatnonzero(january)[0]) + 2, "datetime")
    assert problem.message.startswith("station 'county': 744 hours of the season from 2019 (2020-01-01 00:00 to "
                                      "2020-01-31 23:00; 744 in a row from 2020-01-01 00:00) have its own weather "
                                      "31 days earlier in the same season")
    one_day = _two_seasons()
    one_day.loc[_between(one_day, "2021-01-20", "2021-01-21"), columns] = \
        one_day.loc[_between(one_day, "2021-01-10", "2021-01-11"), columns].to_numpy()
    assert _copied_within(one_day) == []


def _persistent_winter(seed: int = 3) -> pd.DataFrame:
    """:func:`_two_seasons` with weather that persists hour to hour as genuine weather does (AR(1) anomalies,
    lag-1 autocorrelation about 0.9) around a daily cycle."""
    met = _two_seasons(seed)
    n, rng = len(met), np.random.default_rng(seed)
    walk = np.zeros((n, 3))
    shocks = rng.normal(0, 1, (n, 3))
    for i in range(1, n):
        walk[i] = 0.92 * walk[i - 1] + shocks[i]
    hour = met["datetime"].dt.hour.to_numpy()
    met["wind_speed_ms"] = np.clip(2.2 + 0.5 * np.sin(np.pi * (hour - 9) / 12) + 0.45 * walk[:, 0], 0.0, None).round(1)
    met["temperature_c"] = (1 + 4 * np.sin(np.pi * (hour - 9) / 12) + 1.5 * walk[:, 1]).round(1)
    met["rh_pct"] = np.clip(60 - 10 * np.sin(np.pi * (hour - 9) / 12) + 6 * walk[:, 2], 5, 100).round(0)
    return met


def test_persistent_weather_passes_without_notice():
    out = _checked(_persistent_winter())
    assert out.problems == [] and out.notes == []


def test_an_anemometer_writing_noise_below_one_metre_per_second_is_refused():
    """Re-review s10-reA finding 1: wind speed replaced by noise of 0.0-0.9 m/s from 1 January to 31 March 2021
    varies (spread and share above near calm within the limits) but does not persist from hour to hour."""
    met = _persistent_winter()
    noise = _between(met, "2021-01-01", "2021-04-01")
    met.loc[noise, "wind_speed_ms"] = np.random.default_rng(7).integers(0, 10, int(noise.sum())) / 10
    out = _checked(met)
    (problem,) = out.problems
    assert problem.column == "wind_speed_ms"
    assert "station 'county': wind_speed_ms varies far less" in problem.message
    assert "lag-1 autocorrelation" in problem.message and "meteorology.stuck_ratio_persistence" in problem.message


def test_boundary_layer_empty_from_january_is_noted():
    """Re-review s10-reA finding 6: blh_m left empty from 1 January 2021 (a failed ERA5 download) drops the
    boundary-layer term from the model in both seasons, as 0 all the previous season does: say so."""
    met = _two_seasons()
    met.loc[met["datetime"] >= "2021-01-01", "blh_m"] = np.nan
    out = _checked(met)
    assert out.problems == []
    (note,) = out.notes
    assert "station 'county' has no boundary-layer height (blh_m 0 or empty) in 2,160 of its hours with weather " \
           "(2021-01-01 00:00 to 2021-03-31 23:00)" in note and "leaves the boundary-layer height out in both" in note
    assert (met_features(met)["log_blh"] == 0).all()  # the model indeed has no BLH term
