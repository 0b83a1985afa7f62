"""Hostile review s13-hostB: level steps that passed validate and changed the published figures.

- A44: the previous season's PM2.5 and PM10 divided by 10 at every station (the county's measured change −19.5 % →
  +705 %): judged by the season mean over the stations against the other season's (air_quality.season_level_ratio,
  confirmable: aq_season_level).
- M01b: December to February of the temperature in °F, the two rows above 50 deleted (county adjusted change −10.9
  → −18.1 %); M02 / M16: a season or a month of sea-level pressure; M15: the previous season's weather from a site
  250 m higher (−27 hPa, −1.5 °C): judged by a month's mean against its neighbouring months and the other season's
  same month (meteorology.temperature_month_step_c, meteorology.pressure_month_step_hpa, confirmable:
  weather_month_level).

Each case is planted by a script into the shipped sample (or the 2-township sample of the session); genuine seasons
(data/sample, `zzeval sample` seeds 1 and 4, the winter generator's w−15 and w+85) pass. The limits were measured on
these and more (a one-off script; the figures are in input_limits.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import AQ, read, write
from tests.input.cases_weather import MET, between, checked
from zzeval.cli import main
from zzeval.resources import input_limit
from zzeval.season.aq_season_level import check_aq_season_levels, season_ratios
from zzeval.season.checks import Collector
from zzeval.season.weather_levels import check_weather_month_levels, largest_steps

_checked, _between = checked, between  # tests/input/cases_weather.py (sample_met: conftest.py)


def _numeric_aq(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(datetime=pd.to_datetime(frame["datetime"]), value=pd.to_numeric(frame["value"]))


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> dict:
    """Genuine seasons other than data/sample: `zzeval sample` seeds 1 and 4 (3 townships; seed 4 has the largest
    same-month pressure step measured, 8.55 hPa) and the winter generator's w-15 and w+85 (seed 0, 3 townships)."""
    from zzeval.synthetic.winter import write_winter_season
    root = tmp_path_factory.mktemp("genuine13")
    folders = {}
    for seed in (1, 4):
        folder = root / f"seed{seed}"
        assert main(["sample", str(folder), "--seed", str(seed), "--townships", "3"]) == 0
        folders[f"seed {seed}"] = folder
    for scenario in ("w-15", "w+85"):
        folder = root / scenario
        write_winter_season(folder, scenario, 0, n_townships=3, cache_dir=root / "cache")
        folders[scenario] = folder
    return {name: (pd.read_csv(folder / MET, parse_dates=["datetime"]), _numeric_aq(read(folder, AQ)))
            for name, folder in folders.items()}


def test_genuine_seasons_pass_the_level_checks(sample_met, genuine, air):
    seasons = {"data/sample": (sample_met, None), "2-township sample": (None, air), **genuine}
    top_t, top_p = input_limit("meteorology.temperature_month_step_c"), input_limit("meteorology.pressure_month_step_hpa")
    for name, (met, aq) in seasons.items():
        out = Collector()
        if met is not None:
            check_weather_month_levels(met, "meteorology.csv", out)
            steps = largest_steps(met)
            assert max(v for (c, _), v in steps.items() if c == "temperature_c") < top_t / 1.4, name
            assert max(v for (c, _), v in steps.items() if c == "pressure_hpa") < top_p / 1.7, name
        if aq is not None:
            check_aq_season_levels(aq, AQ, out)
            assert season_ratios(aq)["ratio"].max() < input_limit("air_quality.season_level_ratio") / 1.6, name
        assert out.problems == [], name


def _fahrenheit_winter(met: pd.DataFrame) -> pd.DataFrame:
    """M01b: December 2020 to February 2021 in °F, and the rows above 50 (which the range check names) deleted."""
    met = met.copy()
    winter = _between(met, "2020-12-01", "2021-03-01")
    met.loc[winter, "temperature_c"] = (met.loc[winter, "temperature_c"] * 9 / 5 + 32).round(1)
    return met[~(met["temperature_c"] > 50)]


def _months(met: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    """The month check alone (in check_met_values the day-level check, s14-hostB, names runs of days in another
    unit first, and their months are left out of this one)."""
    out = Collector()
    out.confirmed = confirmed or {}
    check_weather_month_levels(met.reset_index(drop=True), "meteorology.csv", out)
    return out


def test_winter_months_in_fahrenheit_are_refused_and_can_be_confirmed(sample_met):
    met = _fahrenheit_winter(sample_met)
    (problem,) = _months(met).problems
    assert problem.column == "temperature_c"
    assert problem.row == int(np.argmax(_between(met.reset_index(drop=True), "2020-12-01", "2021-01-01"))) + 2
    assert "the monthly mean temperature_c of 2020-12..2021-02 steps" in problem.message
    assert "; and 3 more pair(s); " in problem.message  # the evidence listed is cut short (s14-hostB N00)
    assert "2020-12 30.6 against 2020-11 4.8 °C (next month, 25.9 °C higher)" in problem.message
    assert "are the higher months in °F" in problem.message and "(°F − 32) × 5/9" in problem.message
    subject = "county temperature_c 2020-12 2021-01 2021-02"
    assert f"weather_month_level: [{subject}]" in problem.message
    out = _months(met, {"weather_month_level": {subject: 0}})
    assert out.problems == [] and any("weather_month_level" in n for n in out.notes)
    (problem,) = _checked(met).problems  # named by its days (s14-hostB N06), and confirmable so
    assert "the days 2020-12-01..2021-02-28 is higher" in problem.message and "in °F?" in problem.message
    out = _checked(met, {"weather_day_level": {"county temperature_c 2020-12-01..2021-02-28": 0}})
    assert out.problems == [] and any("weather_day_level" in n for n in out.notes)


def test_a_season_of_sea_level_pressure_is_refused(sample_met):
    met = sample_met.copy()
    previous = _between(met, "2019-07-01", "2020-07-01")
    met.loc[previous, "pressure_hpa"] = met.loc[previous, "pressure_hpa"] + 105
    (problem,) = _checked(met).problems
    assert problem.column == "pressure_hpa" and problem.row == 2
    assert "pressure_hpa of 2019-10..2020-03 steps" in problem.message
    assert "sea-level pressure (海平面气压" in problem.message and "write the station pressure" in problem.message


def test_one_month_of_sea_level_pressure_is_refused(sample_met):
    met = sample_met.copy()
    january = _between(met, "2021-01-01", "2021-02-01")
    met.loc[january, "pressure_hpa"] = met.loc[january, "pressure_hpa"] + 105
    (problem,) = _months(met).problems
    assert problem.row == int(np.argmax(january)) + 2
    assert "pressure_hpa of 2021-01 steps" in problem.message and "(next month, " in problem.message
    assert "a weather station moved" not in problem.message  # a month, not a season: not a move
    assert "weather_month_level: [county pressure_hpa 2021-01]" in problem.message
    (problem,) = _checked(met).problems  # named by its days (s14-hostB)
    assert problem.row == int(np.argmax(january)) + 2
    assert "the days 2021-01-01..2021-01-31 is higher" in problem.message and "sea-level pressure" in problem.message


def test_a_weather_station_moved_between_the_seasons_is_judged(sample_met):
    met = sample_met.copy()
    previous = _between(met, "2019-07-01", "2020-07-01")
    met.loc[previous, "pressure_hpa"] = met.loc[previous, "pressure_hpa"] - 27
    met.loc[previous, "temperature_c"] = met.loc[previous, "temperature_c"] - 1.5
    (problem,) = _checked(met).problems  # the pressure; 1.5 °C is a genuine year-to-year difference
    assert problem.column == "pressure_hpa"
    assert "pressure_hpa of 2020-10..2021-03 steps" in problem.message
    assert "a weather station moved (about 1 hPa per 9 m" in problem.message


def test_a_station_s_own_rows_are_judged_apart_from_the_county_rows(sample_met):
    station = sample_met.assign(station_code="ZZ101")
    january = _between(station, "2020-01-01", "2020-02-01")
    station.loc[january, "temperature_c"] = (station.loc[january, "temperature_c"] * 9 / 5 + 32).round(1)
    (problem,) = _months(pd.concat([sample_met, station])).problems
    assert "station 'ZZ101': the monthly mean temperature_c of 2020-01 steps" in problem.message
    (problem,) = _checked(pd.concat([sample_met, station])).problems
    assert "station 'ZZ101': the temperature_c of the days 2020-01-01..2020-01-31 is higher" in problem.message


def _pm_divided(aq: pd.DataFrame) -> pd.DataFrame:
    """A44: every PM2.5 and PM10 value of the previous season divided by 10 (one decimal)."""
    aq = aq.copy()
    slip = aq["pollutant"].isin(["PM2.5", "PM10"]).to_numpy() & _between(aq, "2019-07-01", "2020-07-01")
    aq.loc[slip, "value"] = (aq.loc[slip, "value"] / 10).round(1)
    return aq


def test_a_season_of_pm_divided_by_ten_is_refused_and_can_be_confirmed(air):
    aq = _pm_divided(air)
    out = Collector()
    check_aq_season_levels(aq, AQ, out)
    assert [p.message.split(":")[0] for p in out.problems] == ["PM10", "PM2.5"]
    pm25 = out.problems[1]
    ratio = season_ratios(aq).set_index("pollutant")["ratio"]
    assert 5 < ratio["PM2.5"] < 10 and pm25.row == 2 and pm25.column == "value"
    assert f"{ratio['PM2.5']:.2f} times" in pm25.message and "in the season from 2019 and" in pm25.message
    assert "divided by 10 (a decimal slip of the export)" in pm25.message and "mg/m³" in pm25.message
    assert "aq_season_level: [PM2.5 2019-2021]" in pm25.message
    out = Collector()
    out.confirmed = {"aq_season_level": {"PM2.5 2019-2021": 0, "PM10 2019-2021": 0}}
    check_aq_season_levels(aq, AQ, out)
    assert out.problems == [] and len(out.notes) == 2


def test_validate_refuses_the_decimal_slip_of_every_station(season, capsys):
    aq = read(season, AQ)
    slip = aq["pollutant"].isin(["PM2.5", "PM10"]) & (aq["datetime"] < "2020-07-01") & (aq["value"] != "")
    aq.loc[slip, "value"] = (pd.to_numeric(aq.loc[slip, "value"]) / 10).round(1).astype(str)
    write(aq, season, AQ)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert "air_quality.csv.gz, row 2, column 'value': PM2.5: the mean of the stations' season means is" in err
    assert "aq_season_level: [PM10 2019-2021]" in err and "Traceback" not in err
