"""Hostile review s14-hostB, weather: what the weather checks say and what they let through.

- N00: a ``weather_month_level`` message (the previous season from a site 250 m higher, s13's M15) was cut at
  1,000 characters (errors.MAX_MESSAGE) inside its advice: the "station moved" advice and the confirmation key never
  showed. The months' evidence is now listed shortly and a long message loses its middle, never its end.
- N36 / N20 / N06: one month of pressure in mmHg, of temperature in tenths of a degree, °F from 16 December to 15
  February: the month check named the good months ("sea-level pressure?", "°F?") or whole months, and following
  it (or deleting the rows out of range) passed with wrong numbers. The day-level check
  (zzeval.season.weather_days, weather_day_level) names the days and their unit; after the clerk follows it the
  data are right, and a half-corrected table is refused again.
- N56: ten days of the county weather missing moved the county's *measured* PM2.5 change (−19.48 → −20.06 %)
  while the townships' stayed: the county's measured figures are now over every hour of its series.

Each case is planted by a script into the shipped sample (data/sample) or a 3-township `zzeval sample`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases_weather import MET, between, checked
from zzeval.cli import main
from zzeval.errors import MAX_MESSAGE, MESSAGE_TAIL, Problem
from zzeval.season.checks import Collector

_checked, _between = checked, between  # tests/input/cases_weather.py (sample_met: conftest.py)


def test_a_moved_station_s_message_shows_its_advice_and_confirmation_key(sample_met):
    """N00 (s13 M15): the previous season from a site 250 m higher (−27 hPa): the printed problem holds the
    "station moved" advice and the whole confirmation key, uncut."""
    met = sample_met.copy()
    previous = _between(met, "2019-07-01", "2020-07-01")
    met.loc[previous, "pressure_hpa"] = met.loc[previous, "pressure_hpa"] - 27
    (problem,) = _checked(met).problems
    printed = str(problem)
    assert "left out" not in printed and len(problem.message) <= MAX_MESSAGE
    assert "write the station pressure" in printed and "a weather station moved (about 1 hPa per 9 m" in printed
    assert ("'confirmed: {weather_month_level: [county pressure_hpa 2020-10 2020-11 2020-12 2021-01 2021-02 "
            "2021-03]}'") in printed
    assert "; and 4 more pair(s); " in printed  # the evidence is what is shortened


def test_a_long_message_keeps_its_end():
    """Any message over MAX_MESSAGE keeps its beginning and its last MESSAGE_TAIL characters (what to do)."""
    advice = "; write them in °C; confirm them in season.yaml with 'confirmed: {weather_month_level: [county x]}'"
    problem = Problem("meteorology.csv", 5, "temperature_c", "evidence " * 300 + advice)
    printed = str(problem)
    assert printed.endswith(advice) and "characters left out) … " in printed
    assert len(printed) < MAX_MESSAGE + 100 and MESSAGE_TAIL >= len(advice)


def _fahrenheit(values: pd.Series) -> pd.Series:
    return (values * 9 / 5 + 32).round(1)


def _only(out: Collector, check: str = "weather_day_level"):
    (problem,) = out.problems
    assert f"{{{check}: [" in problem.message
    return problem


def test_a_month_of_pressure_in_mmhg_names_that_month_and_its_unit(sample_met):
    """N36: February 2021 in mmHg (×0.750062): the month named is February (not its good neighbours), in mmHg;
    multiplying it by 1.33322 as told leaves nothing refused."""
    met = sample_met.copy()
    february = _between(met, "2021-02-01", "2021-03-01")
    met.loc[february, "pressure_hpa"] = (met.loc[february, "pressure_hpa"] * 0.750062).round(1)
    problem = _only(_checked(met))
    assert problem.column == "pressure_hpa" and problem.row == int(np.argmax(february)) + 2
    assert "the pressure_hpa of the days 2021-02-01..2021-02-28 is lower than the days around them" in problem.message
    assert "in mmHg" in problem.message and "multiply them by 1.333" in problem.message
    assert "weather_day_level: [county pressure_hpa 2021-02-01..2021-02-28]" in problem.message
    assert "2021-01" not in problem.message and "2021-03" not in problem.message
    met.loc[february, "pressure_hpa"] = (met.loc[february, "pressure_hpa"] * 1.33322).round(1)
    assert _checked(met).problems == []


def test_a_month_in_tenths_of_a_degree_is_named_so_even_with_its_rows_out_of_range_deleted(sample_met):
    """N20 / N20b: January 2021 in tenths of a degree (the CMA's raw integers): named as tenths (÷ 10), not the
    good months as °F; after the rows out of range (−50..50) are deleted it is refused again."""
    met = sample_met.copy()
    january = _between(met, "2021-01-01", "2021-02-01")
    met.loc[january, "temperature_c"] = (met.loc[january, "temperature_c"] * 10).round(0)
    problem = _only(_checked(met))
    assert "of 2021-01-01..2021-01-31 spans 40 °C or more within the day" in problem.message
    assert "in tenths of a degree" in problem.message and "divide by 10" in problem.message
    deleted = met[~(met["temperature_c"].abs() > 50)]
    problem = _only(_checked(deleted))
    assert "in tenths of a degree" in problem.message and "2021-01-" in problem.message
    fixed = met.copy()
    fixed.loc[january, "temperature_c"] = fixed.loc[january, "temperature_c"] / 10
    assert _checked(fixed).problems == []


def test_days_in_fahrenheit_across_months_are_named_by_their_days(sample_met):
    """N06: 16 December to 15 February in °F: the days are named (not January alone), with °F; converting those
    days as told leaves nothing refused; N06d (the whole of December converted, 1-15 December's genuine °C too,
    and 1-15 February left in °F) is refused again."""
    met = sample_met.copy()
    days = _between(met, "2020-12-16", "2021-02-16")
    met.loc[days, "temperature_c"] = _fahrenheit(met.loc[days, "temperature_c"])
    problem = _only(_checked(met))
    assert "the temperature_c of the days 2020-12-16..2021-02-15 is higher than the days around them" in problem.message
    assert "are they in °F? write them in °C: (°F − 32) ÷ 1.8" in problem.message
    fixed = met.copy()
    fixed.loc[days, "temperature_c"] = ((fixed.loc[days, "temperature_c"] - 32) / 1.8).round(1)
    assert _checked(fixed).problems == []
    half = met.copy()
    december, february = _between(half, "2020-12-01", "2021-01-01"), _between(half, "2021-01-01", "2021-02-01")
    half.loc[december | february, "temperature_c"] = ((half.loc[december | february, "temperature_c"] - 32)
                                                      / 1.8).round(1)
    messages = " ".join(p.message for p in _checked(half).problems)
    assert "the temperature_c of the days 2021-02-01..2021-02-15 is higher" in messages and "°F" in messages
    assert "2020-12-01" in messages  # 1-15 December converted as if °F: refused too


def test_a_confirmed_run_of_days_is_used_as_written(sample_met):
    met = sample_met.copy()
    days = _between(met, "2021-01-01", "2021-01-16")
    met.loc[days, "temperature_c"] = _fahrenheit(met.loc[days, "temperature_c"])
    problem = _only(_checked(met))  # N01: the first half of January in °F
    assert "the days 2021-01-01..2021-01-15" in problem.message
    out = _checked(met, {"weather_day_level": {"county temperature_c 2021-01-01..2021-01-15": 0}})
    assert out.problems == [] and any("weather_day_level" in n for n in out.notes)


def test_genuine_weather_passes_the_day_check(sample_met, tmp_path):
    """data/sample and the 3-township sample of seed 0 (the largest genuine week's step measured, 8.8 °C)."""
    from zzeval.resources import input_limit
    from zzeval.season.weather_days import COLUMNS, change_days, day_levels, day_steps
    folder = tmp_path / "seed0"
    assert main(["sample", str(folder), "--seed", "0", "--townships", "3"]) == 0
    window = int(input_limit("meteorology.day_step_window_days"))
    for met in (sample_met, pd.read_csv(folder / MET, parse_dates=["datetime"])):
        assert _checked(met).problems == []
        for column, (key, _) in COLUMNS.items():
            for _, season in day_levels(met, column).groupby(["source", "year"]):
                steps = day_steps(season.set_index("day"), window)
                assert steps.abs().max() < input_limit(key) / 2 and not change_days(steps, input_limit(key))


def test_a_county_weather_gap_leaves_the_county_s_measured_change(sample_season):
    """N56: ten days of the county weather missing (2021-01-05..14, air quality complete, within the 90 % coverage
    rule): the county's measured PM2.5 means and change are over every hour of its series, as the townships'
    are, and stay those of the complete weather; the model's hours drop by the gap."""
    from dataclasses import replace

    from zzeval.airquality.weather import weather_adjusted_change
    from zzeval.season.loading import load_season

    season = load_season(sample_season)
    met = season.meteorology
    gap = ((met["datetime"] >= "2021-01-05") & (met["datetime"] < "2021-01-15")).to_numpy()
    holed = replace(season, meteorology=met[~gap].reset_index(drop=True))
    rows = {name: weather_adjusted_change(s, ("PM2.5",), n_boot=0, method="ols").set_index("township").loc["county"]
            for name, s in (("complete", season), ("gap", holed))}
    complete, holed_row = rows["complete"], rows["gap"]
    assert holed_row["n_obs_current"] <= complete["n_obs_current"] - 200  # the model lost the gap's hours
    for figure in ("mean_previous", "mean_current", "observed_change_pct"):
        assert holed_row[figure] == pytest.approx(complete[figure], rel=1e-12), figure
    aq = season.air_quality
    pm = aq[(aq["pollutant"] == "PM2.5") & (aq["datetime"] >= "2020-10-01") & (aq["datetime"] < "2021-04-01")]
    hourly = pm.groupby("datetime")["value"].mean()  # the county series: the stations' hourly mean (2 townships,
    assert complete["mean_current"] == pytest.approx(hourly.mean(), rel=0.02)  # one station each), near enough


def test_temperature_and_rh_swapped_for_a_month_are_said_to_be_swapped(sample_met):
    """s13 M10: February 2021's temperature_c and rh_pct swapped: one problem says the columns look swapped on
    those rows (the cells' range problems alone never said it)."""
    met = sample_met.astype({"rh_pct": float})
    february = _between(met, "2021-02-01", "2021-03-01")
    met.loc[february, ["temperature_c", "rh_pct"]] = met.loc[february, ["rh_pct", "temperature_c"]].to_numpy()
    swapped = [p for p in _checked(met).problems if "swapped" in p.message]
    (problem,) = swapped
    assert problem.column == "temperature_c" and problem.row == int(np.argmax(february)) + 2
    assert "are the columns temperature_c and rh_pct swapped on these rows" in problem.message
    assert "from 2021-02-01 00:00:00 to 2021-02-28" in problem.message
    assert not [p for p in _checked(sample_met).problems if "swapped" in p.message]


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """s13 A18: the platform's wide export, a column per pollutant."""
    wide = frame.pivot_table(index=["station_code", "datetime"], columns="pollutant", values="value",
                             aggfunc="first").reset_index()
    wide.columns.name = None
    return wide


def _date_and_hour(frame: pd.DataFrame) -> pd.DataFrame:
    """s13 A31: the date in 'datetime' and the hour in a column of its own."""
    stamps = pd.to_datetime(frame["datetime"])
    return frame.assign(datetime=stamps.dt.strftime("%Y-%m-%d"), hour=stamps.dt.hour.astype(str))[
        ["station_code", "datetime", "hour", "pollutant", "value", "unit"]]


@pytest.mark.parametrize(("table", "change", "said"), [
    ("air_quality.csv.gz", _wide, "row 1: the table is in wide form, a column per pollutant (PM2.5, PM10"),
    ("air_quality.csv.gz", _date_and_hour, "column 'hour': column C ('hour') holds the hour apart from the date in "
                                           "'datetime'"),
    (MET, lambda f: f.rename(columns={"wind_speed_ms": "风力（级）"}),
     "holds the wind force in Beaufort numbers (风力, 级; GB/T 28591-2012 风力等级), not a wind speed"),
], ids=["A18_wide", "A31_date_hour", "M09_force_header"])
def test_an_ignored_column_says_what_the_layout_is(table, change, said, season, capsys):
    """s13 A18, A31, M09: a wide export, the hour apart from the date and a header of the Beaufort force were
    only 'ignored' (then thousands of missing cells or duplicates): one problem now says what the layout is."""
    from tests.input.cases import read, write

    write(change(read(season, table)), season, table)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
