"""Hostile review 9A, finding 3: a weather sensor stuck for part of a season (an anemometer frozen at calm
from 1 January, RH at 100 % for three months, temperature one value but for one hour) passed validation and
moved the weather-adjusted change with a confident interval. Each is refused, naming the file, the run's
first row, the station, the column, its first and last hour and its length; genuine calm spells, fog and
rounding pass; a genuine long run is confirmed in season.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import read, write
from tests.input.cases_weather import MET
from tests.input.test_weather_layouts import refused_by_validate
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed
from zzeval.season.stuck_weather import check_stuck_weather

CONFIRM = "(data/README.md, 'Confirming a judgement check')"


def _stamps(met: pd.DataFrame, first: str, last: str) -> pd.Series:
    stamp = pd.to_datetime(met["datetime"])
    return (stamp >= first) & (stamp <= last)


def calm_from_january(met: pd.DataFrame) -> None:
    """The current season's anemometer frozen at 0 from 1 January, the direction written 'C'."""
    stuck = _stamps(met, "2021-01-01", "2021-04-01")
    met.loc[stuck, "wind_speed_ms"], met.loc[stuck, "wind_dir_deg"] = "0", "C"


def calm_previous(met: pd.DataFrame) -> None:
    """The previous season's anemometer frozen at 0 from 1 January 2020, the direction empty."""
    stuck = _stamps(met, "2020-01-01", "2020-04-01")
    met.loc[stuck, "wind_speed_ms"], met.loc[stuck, "wind_dir_deg"] = "0", ""


def rh_saturated(met: pd.DataFrame) -> None:
    met.loc[_stamps(met, "2021-01-01", "2021-04-01"), "rh_pct"] = "100"


def temperature_but_one_hour(met: pd.DataFrame) -> None:
    """The previous season's temperature 7.0 in every hour but its sixth (7.5: 7.1 is within the band)."""
    previous = _stamps(met, "2019-07-01", "2020-07-01")
    met.loc[previous, "temperature_c"] = "7.0"
    met.loc[met.index[5], "temperature_c"] = "7.5"


CASES = {  # how the table is changed: the row, column, what the run is, its hours and length, the subject
    "calm_from_january": (calm_from_january, 6602, "wind_speed_ms", "calm (wind_speed_ms at most 0.2 m/s)",
                          "2,160 hours in a row (2021-01-01 00:00 to 2021-03-31 23:00)", "county wind_speed_ms 2020-2021"),
    "calm_previous": (calm_previous, 2210, "wind_speed_ms", "calm (wind_speed_ms at most 0.2 m/s)",
                      "2,184 hours in a row (2020-01-01 00:00 to 2020-03-31 23:00)", "county wind_speed_ms 2019-2020"),
    "rh_saturated": (rh_saturated, 6602, "rh_pct", "rh_pct is 100 %",
                     "2,160 hours in a row (2021-01-01 00:00 to 2021-03-31 23:00)", "county rh_pct 2020-2021"),
    "temperature_but_one_hour": (temperature_but_one_hour, 8, "temperature_c", "temperature_c is 7 °C",
                                 "4,386 hours in a row (2019-10-01 06:00 to 2020-03-31 23:00)",
                                 "county temperature_c 2019-2020"),
}


@pytest.mark.parametrize("name, parquet", [(n, False) for n in CASES] + [("rh_saturated", True)])
def test_weather_sensor_stuck_for_part_of_a_season_is_refused(name, parquet, sample_season, tmp_path, capsys,
                                                                monkeypatch):
    change, row, column, what, span, subject = CASES[name]
    folder = tmp_path / name
    shutil.copytree(sample_season, folder)
    met = read(folder, MET)
    change(met)
    write(met, folder, MET)
    if parquet:
        from zzeval.season.columnar import convert_to_parquet

        convert_to_parquet(folder)
    err, fname, _ = refused_by_validate(folder, parquet, monkeypatch, capsys)
    assert (f"{fname}, row {row}, column '{column}': station 'county': {what} in each of {span}; ") in err, err[:3000]
    assert "a stuck sensor? remove these rows (their hours become missing) or write the measured values" in err
    assert f"'confirmed: {{weather_stuck: [{subject}]}}' {CONFIRM}" in err
    assert err.count("a stuck sensor?") == 1


def _hours(n: int, **columns) -> pd.DataFrame:
    """``n`` hours of varying county weather from 1 December 2020, ``columns`` replacing some."""
    rng = np.random.default_rng(1)
    met = pd.DataFrame({"datetime": pd.date_range("2020-12-01", periods=n, freq="h"), "station_code": "county",
                        "temperature_c": rng.normal(0, 4, n).round(1), "rh_pct": rng.uniform(30, 90, n).round(0),
                        "wind_speed_ms": rng.uniform(0.5, 4, n).round(1), "wind_dir_deg": rng.uniform(0, 359, n).round(0),
                        "pressure_hpa": rng.normal(920, 5, n).round(1)})
    for column, values in columns.items():
        met[column] = values
    return met


def _stuck(met: pd.DataFrame, column: str, value, start: int, hours: int) -> pd.DataFrame:
    met = met.copy()
    met.loc[start: start + hours - 1, column] = value
    if column == "wind_speed_ms" and value <= 0.2:
        met.loc[start: start + hours - 1, "wind_dir_deg"] = np.nan
    return met


@pytest.mark.parametrize("column, value, hours", [
    ("wind_speed_ms", 0.0, 72), ("rh_pct", 100.0, 120), ("temperature_c", 30.0, 72), ("pressure_hpa", 950.0, 72),
    ("wind_dir_deg", 270.0, 72)])
def test_genuine_runs_pass_and_one_hour_more_is_refused(column, value, hours):
    """A calm spell, fog at 100 % and a temperature held by rounding or melting snow up to the limits of
    input_limits.csv pass (a few hours of each pass by far); one hour more is refused."""
    base = _hours(400)
    for n in (6, 48, hours):
        out = Collector()
        check_stuck_weather(_stuck(base, column, value, 100, n), "m.csv", out)
        assert out.problems == [], (n, out.problems)
    out = Collector()
    check_stuck_weather(_stuck(base, column, value, 100, hours + 1), "m.csv", out)
    (problem,) = out.problems
    assert (problem.row, problem.column) == (102, column)
    assert f"{hours + 1:,} hours in a row (2020-12-05 04:00 to " in problem.message


def test_calm_flickering_and_a_missing_hour():
    """Calm counts whatever its speed up to 0.2 m/s (a stuck anemometer may flicker); a missing hour does not
    end a run (review reA N1: one hour missing every 70 hours split three months of calm), a gap of more than
    meteorology.stuck_gap_hours (12) does."""
    met = _stuck(_hours(400), "wind_speed_ms", 0.0, 100, 100)
    met.loc[100:199:3, "wind_speed_ms"] = 0.2
    out = Collector()
    check_stuck_weather(met, "m.csv", out)
    assert len(out.problems) == 1 and "calm (wind_speed_ms at most 0.2 m/s) in each of 100 hours" in out.problems[0].message
    for gap in (met.drop(index=150), met.assign(wind_speed_ms=met["wind_speed_ms"].where(met.index != 150))):
        out = Collector()
        check_stuck_weather(gap, "m.csv", out)
        (problem,) = out.problems
        assert "in each of 100 hours in a row (2020-12-05 04:00 to 2020-12-09 07:00, 1 of them missing" in problem.message
    out = Collector()
    check_stuck_weather(met.drop(index=range(150, 163)), "m.csv", out)
    assert out.problems == []  # 50 and 37 hours either side of 13 missing


def test_a_sensor_stuck_with_a_gap_every_70_hours_is_refused():
    """Review reA N1 (a): three months of calm with one hour missing (a dropped row, or an empty cell) every
    70 hours is one run."""
    base = _hours(2400)
    met = _stuck(base, "wind_speed_ms", 0.0, 100, 2200)
    for gappy in (met.drop(index=range(100, 2300, 70)),
                  met.assign(wind_speed_ms=met["wind_speed_ms"].where(~met.index.isin(range(100, 2300, 70))))):
        out = Collector()
        check_stuck_weather(gappy, "m.csv", out)
        (problem,) = out.problems
        assert problem.column == "wind_speed_ms" and "of them missing" in problem.message


@pytest.mark.parametrize("column, low, high", [
    ("wind_speed_ms", 0.3, 0.4), ("wind_speed_ms", 0.2, 0.3), ("rh_pct", 99.0, 100.0),
    ("temperature_c", -2.0, -2.1), ("pressure_hpa", 921.3, 921.4)])
def test_a_sensor_flickering_at_its_floor_is_refused(column, low, high):
    """Review reA N1 (b): a sensor alternating between two readings one step apart (an anemometer at its
    noise floor, a saturated hygrometer, a thermometer's last digit) keeps one value within the column's band
    (meteorology.stuck_band_*); a run that drifts further is not one."""
    met = _stuck(_hours(400), column, low, 100, 200)
    met.loc[101:299:2, column] = high
    if column == "wind_speed_ms":
        met["wind_dir_deg"] = _hours(400)["wind_dir_deg"]  # the vane still turns
    out = Collector()
    check_stuck_weather(met, "m.csv", out)
    (problem,) = out.problems
    assert problem.column == column and "in each of 200 hours in a row" in problem.message
    assert f"stays between {min(low, high):g} and {max(low, high):g}" in problem.message
    steps = {"wind_speed_ms": 0.1, "rh_pct": 1.0, "temperature_c": 0.1, "pressure_hpa": 0.1}[column]
    drift = _hours(400)
    drift.loc[100:299, column] = low + steps * (np.arange(200) // 20)  # one step every 20 hours
    out = Collector()
    check_stuck_weather(drift, "m.csv", out)
    assert out.problems == []


def test_a_genuine_long_run_is_confirmed():
    """A week of fog checked against the station's records: confirmed in season.yaml, a notice."""
    met = _stuck(_hours(400), "rh_pct", 100.0, 100, 168)
    out = Collector()
    read_confirmed({"confirmed": {"weather_stuck": ["county rh_pct 2020-2021"]}}, "season.yaml", out)
    check_stuck_weather(met, "m.csv", out)
    assert out.problems == []
    assert any("confirmed in season.yaml (weather_stuck: county rh_pct 2020-2021), used as written" in n
               for n in out.notes)


def test_a_station_stuck_is_named(tmp_path: Path):
    """Runs are per source: a station's stuck hygrometer is named with its code; the county rows pass."""
    county = _hours(400)
    station = _stuck(_hours(400).assign(station_code="ZZ100"), "rh_pct", 55.0, 10, 200)
    out = Collector()
    check_stuck_weather(pd.concat([county, station], ignore_index=True), "m.csv", out)
    (problem,) = out.problems
    assert problem.row == 400 + 10 + 2
    assert problem.message.startswith("station 'ZZ100': rh_pct is 55 % in each of 200 hours in a row")
    assert "; a genuine rh_pct is taken to change within at most 120 hours (" in problem.message  # reA N7 wording


# Hostile review 9A, finding 8: weather copied from a year earlier was looked for only at shifts of 0, ±1,
# ±8 and ±24 hours; a copy moved by a week (or by 52 weeks, October-February) passed.

def _moved(folder: Path, offset) -> None:
    """The current season's county weather is the previous season's stamped ``offset`` later (the hours
    the copy does not cover keep their own weather)."""
    met = read(folder, MET)
    stamp = pd.to_datetime(met["datetime"])
    previous, current = met[stamp < "2020-07-01"], met[stamp >= "2020-07-01"]
    moved = pd.to_datetime(previous["datetime"]) + offset
    copy = previous.assign(datetime=moved.dt.strftime("%Y-%m-%d %H:%M"))
    copy = copy[copy["datetime"].isin(set(current["datetime"]))].drop_duplicates("datetime")
    write(pd.concat([previous, copy, current[~current["datetime"].isin(set(copy["datetime"]))]]), folder, MET)


MOVED = {  # how the copy is stamped, then the row, hours and the lag the message names
    "a_year_and_a_week": (pd.DateOffset(years=1, days=7), 4394,
                          "4,032 of 4,368 hours of the season from 2020 (2020-10-08 00:00 to 2021-03-31 23:00",
                          "a year + 7 days"),
    "52_weeks_october_to_february": (pd.Timedelta(days=364), 4394,
                                     "3,625 of 4,368 hours of the season from 2020 (2020-10-01 00:00 to "
                                     "2021-03-24 20:00", "a year - 2 days"),
}


@pytest.mark.parametrize("name", list(MOVED))
def test_weather_copied_and_moved_by_days_is_refused(name, sample_season, tmp_path, capsys, monkeypatch):
    offset, row, hours, ago = MOVED[name]
    folder = tmp_path / name
    shutil.copytree(sample_season, folder)
    _moved(folder, offset)
    err, fname, _ = refused_by_validate(folder, False, monkeypatch, capsys)
    assert f"{fname}, row {row}, column 'datetime': station 'county': {hours}" in err, err[:3000]
    assert f"have the weather of the same station {ago} earlier (" in err
    assert err.count("have the weather of") == 1


def _season(first_year: int, seed: int) -> pd.DataFrame:
    """Independent hourly county weather of a season (random values at an export's precision)."""
    hours = pd.date_range(f"{first_year}-10-01", f"{first_year + 1}-03-31 23:00", freq="h")
    met = _hours(len(hours))
    rng = np.random.default_rng(seed)
    return met.assign(datetime=hours, temperature_c=rng.normal(0, 6, len(hours)).round(1),
                      rh_pct=rng.uniform(20, 95, len(hours)).round(0))


@pytest.mark.parametrize("days, hours, refused", [
    (-30, 0, True), (19, 5, True), (31, 0, True), (33, 0, False)])
def test_a_block_moved_within_a_month_is_found(days, hours, refused):
    """200 hours of the previous season pasted into the current one a year + ``days`` days + ``hours`` h
    later are refused up to ±31 days (meteorology.copy_shift_window_days); genuine seasons pass."""
    from zzeval.season.weather_copy import check_weather_copied, record_weather_bins

    previous, current = _season(2019, 1), _season(2020, 2)
    out = Collector()
    record_weather_bins(pd.concat([previous, current], ignore_index=True), "m.csv", out)
    check_weather_copied(out)
    assert out.problems == []
    block = previous.iloc[1000:1200].copy()
    block["datetime"] = block["datetime"] + pd.DateOffset(years=1) + pd.Timedelta(days=days, hours=hours)
    pasted = current.set_index("datetime")
    pasted.loc[block["datetime"], block.columns.drop("datetime")] = block.set_index("datetime").to_numpy()
    out = Collector()
    record_weather_bins(pd.concat([previous, pasted.reset_index()], ignore_index=True), "m.csv", out)
    check_weather_copied(out)
    assert bool(out.problems) == refused, out.problems
    if refused:
        (problem,) = out.problems
        assert "of 4,368 hours of the season from 2020" in problem.message  # 200, or one more by chance
        assert "up to 200 in a row) have the weather of the same station a year " in problem.message
