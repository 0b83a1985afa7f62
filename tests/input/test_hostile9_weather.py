"""Hostile review 9A, finding 3: a weather sensor stuck for part of a season (an anemometer frozen at calm
from 1 January, RH at 100 % for three months, temperature one value but for one hour) passed validation and
moved the weather-adjusted change with a confident interval; spot review S1: a sensor flickering across a limit,
or stuck but for one reading every 70 hours or a gap every 60 hours, dodged the run check that refused them.
Each source's month is now compared with the other sources' same month or its own other months
(zzeval.season.stuck_weather): a stuck month is refused, naming the file, the month's first row, the station,
the column and the spreads; a genuine week of calm or fog passes; a genuine stuck-looking month is confirmed in
season.yaml."""

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


CASES = {  # how the table is changed: the row, column, the months refused, the subject (the spell's days: from
    # the first window refused, up to two weeks before the sensor stuck, to the season's end)
    "calm_from_january": (calm_from_january, 6602, "wind_speed_ms", "from 2021-01-01 0 against",
                          "county wind_speed_ms 2020-12-25..2021-03-31"),
    "calm_previous": (calm_previous, 2210, "wind_speed_ms", "from 2020-01-01 0 against",
                      "county wind_speed_ms 2019-12-25..2020-03-31"),
    "rh_saturated": (rh_saturated, 6602, "rh_pct", "from 2021-01-01 0 against", "county rh_pct 2020-12-25..2021-03-31"),
    "temperature_but_one_hour": (temperature_but_one_hour, 2, "temperature_c", "from 2019-10-01 0 against",
                                 "county temperature_c 2019-10-01..2020-03-31"),
}


@pytest.mark.parametrize("name, parquet", [(n, False) for n in CASES] + [("rh_saturated", True)])
def test_weather_sensor_stuck_for_part_of_a_season_is_refused(name, parquet, sample_season, tmp_path, capsys,
                                                                monkeypatch):
    change, row, column, month, subject = CASES[name]
    folder = tmp_path / name
    shutil.copytree(sample_season, folder)
    met = read(folder, MET)
    change(met)
    write(met, folder, MET)
    if parquet:
        from zzeval.season.columnar import convert_to_parquet

        convert_to_parquet(folder)
    err, fname, _ = refused_by_validate(folder, parquet, monkeypatch, capsys)
    assert (f"{fname}, row {row}, column '{column}': station 'county': {column} varies far less in ") in err, err[:3000]
    assert " window(s) of 30 days (the days " in err
    assert month in err
    assert "a stuck sensor? remove these rows (their hours become missing) or write the measured values" in err
    assert f"'confirmed: {{weather_stuck: [{subject}]}}' {CONFIRM}" in err
    assert err.count("a stuck sensor?") == 1


def _hours(n: int = 2952, **columns) -> pd.DataFrame:
    """``n`` hours of varying county weather from 1 October 2020 (four months), ``columns`` replacing some."""
    rng = np.random.default_rng(1)
    met = pd.DataFrame({"datetime": pd.date_range("2020-10-01", periods=n, freq="h"), "station_code": "county",
                        "temperature_c": rng.normal(0, 4, n).round(1), "rh_pct": rng.uniform(30, 90, n).round(0),
                        "wind_speed_ms": rng.uniform(0.5, 4, n).round(1), "wind_dir_deg": rng.uniform(0, 359, n).round(0),
                        "pressure_hpa": rng.normal(920, 5, n).round(1)})
    for column, values in columns.items():
        met[column] = values
    return met


#: The rows of December 2020 in :func:`_hours`.
DECEMBER = slice(1464, 2208)


def in_december(row: int, days_before: int = 15) -> bool:
    """Whether the row named (a table row: index + 2) is December's of :func:`_hours`, or up to ``days_before``
    days before it: a 30-day window three quarters stuck (or half, at a value in the middle of the others) has
    no interquartile range, so the window that varies least may start up to two weeks before the sensor stuck."""
    return DECEMBER.start + 2 - days_before * 24 <= row < DECEMBER.stop + 2


def _stuck(met: pd.DataFrame, column: str, values, rows: slice = DECEMBER) -> pd.DataFrame:
    """``met`` with ``column`` cycling through ``values`` in ``rows`` (a calm anemometer without a direction)."""
    met = met.copy()
    index = met.index[rows]
    met.loc[index, column] = [values[i % len(values)] for i in range(len(index))]
    if column == "wind_speed_ms" and max(values) <= 0.2:
        met.loc[index, "wind_dir_deg"] = np.nan
    return met


def _problems(met: pd.DataFrame) -> list:
    out = Collector()
    check_stuck_weather(met, "m.csv", out)
    return out.problems


@pytest.mark.parametrize("column, values", [
    ("wind_speed_ms", [0.0]), ("rh_pct", [100.0]), ("temperature_c", [30.0]), ("pressure_hpa", [950.0]),
    ("wind_dir_deg", [270.0])])
def test_a_genuine_week_passes_and_a_stuck_month_is_refused(column, values):
    """A week of one value (a calm spell, fog, a temperature held by melting snow) passes; a calendar month of
    it is refused, naming its first row, the month, its spread and the reference's."""
    base = _hours()
    assert _problems(base) == []
    assert _problems(_stuck(base, column, values, slice(1500, 1667))) == []
    (problem,) = _problems(_stuck(base, column, values))
    assert problem.column == column and in_december(problem.row)
    assert f"station 'county': {column} varies far less in " in problem.message
    assert "(the median of its calendar months the window does not touch): " in problem.message
    assert " 0 against " in problem.message


def _spike(met: pd.DataFrame) -> pd.DataFrame:
    """Frozen at 0 with one good reading (1.5 m/s) every 70 hours."""
    met = _stuck(met, "wind_speed_ms", [0.0])
    met.loc[met.index[DECEMBER][::70], ["wind_speed_ms", "wind_dir_deg"]] = [1.5, 200.0]
    return met


def _gap13(met: pd.DataFrame) -> pd.DataFrame:
    """Frozen at 0 with 13 hours missing every 73 hours."""
    met = _stuck(met, "wind_speed_ms", [0.0])
    index = met.index[DECEMBER]
    return met.drop(index=[i for k, i in enumerate(index) if k % 73 >= 60])


SPOT_S1 = {  # spot review S1: stuck sensors that dodged the run check, the column refused
    "wind 0.1/0.3": (lambda m: _stuck(m, "wind_speed_ms", [0.1, 0.3]), "wind_speed_ms"),
    "wind 0.0/0.3/0.2": (lambda m: _stuck(m, "wind_speed_ms", [0.0, 0.3, 0.2]), "wind_speed_ms"),
    "calm, 1.5 m/s every 70 h": (_spike, "wind_speed_ms"),
    "calm, a 13-h gap every 60 h": (_gap13, "wind_speed_ms"),
    "RH 98/100/99": (lambda m: _stuck(m, "rh_pct", [98.0, 100.0, 99.0]), "rh_pct"),
    "temperature -2.0/-2.2/-2.1": (lambda m: _stuck(m, "temperature_c", [-2.0, -2.2, -2.1]), "temperature_c"),
    "pressure 921.3/921.4": (lambda m: _stuck(m, "pressure_hpa", [921.3, 921.4]), "pressure_hpa"),
}


@pytest.mark.parametrize("name", list(SPOT_S1))
def test_a_sensor_flickering_or_interrupted_is_refused(name):
    """Spot review S1: an anemometer flickering across the calm limit, frozen at 0 but for one good reading
    every 70 hours or with a 13-hour gap every 60 hours, a hygrometer cycling 98/100/99 %: the month varies
    far less than the source's other months."""
    change, column = SPOT_S1[name]
    (problem,) = _problems(change(_hours()))
    assert problem.column == column and in_december(problem.row)
    assert "varies far less in " in problem.message and "from 2020-1" in problem.message
    if column == "wind_speed_ms":
        assert "% of hours above near calm against 99%" in problem.message


def test_a_genuine_fog_week_passes_and_a_month_is_confirmed():
    """A week of fog (RH 99-100 %) passes; a month of it checked against the station's records is confirmed
    in season.yaml, a notice."""
    assert _problems(_stuck(_hours(), "rh_pct", [100.0, 100.0, 99.0], slice(1500, 1667))) == []
    out = Collector()
    read_confirmed({"confirmed": {"weather_stuck": ["county rh_pct 2020-11-24..2021-01-07"]}}, "season.yaml", out)
    check_stuck_weather(_stuck(_hours(), "rh_pct", [100.0]), "m.csv", out)
    assert out.problems == []
    assert any("confirmed in season.yaml (weather_stuck: county rh_pct 2020-11-24..2021-01-07), used as written" in n
               for n in out.notes)


def test_a_station_stuck_is_named_against_the_other_sources():
    """Sources are compared month by month: a station's stuck hygrometer (two months at 55 %) is named with its
    code, against the county rows of the same months; the county rows pass."""
    county = _hours()
    station = _stuck(_hours().assign(station_code="ZZ100"), "rh_pct", [55.0], slice(1464, 2952))
    (problem,) = _problems(pd.concat([county, station], ignore_index=True))
    assert in_december(problem.row - 2952)
    assert problem.message.startswith("station 'ZZ100': rh_pct varies far less in ")
    assert " 0 against " in problem.message
    assert ("(the larger of the median of the other sources in the same days and the median of its calendar months "
            "the window does not touch)" in problem.message)


# Spot review S1, follow-up: the other sources stuck in the same months (one frozen sensor written as every
# station's rows, or every station's anemometer at its noise floor) were a stuck reference, so nothing was
# refused; a hygrometer flickering 94-100 % varied too much (spread ratio 0.25) to be refused by its spread.

@pytest.mark.parametrize("column, values", [("rh_pct", [98.0, 100.0, 99.0]), ("temperature_c", [-2.0, -2.2, -2.1]),
                                            ("pressure_hpa", [921.3, 921.4])])
def test_every_source_stuck_in_the_same_month_is_refused(column, values):
    """The county rows and two stations written from one sensor that flickers in December: each source's
    December is judged against the larger of the other sources' December (stuck too) and its own other months."""
    sources = [_stuck(_hours().assign(station_code=code), column, values) for code in ("county", "ZZ100", "ZZ101")]
    problems = _problems(pd.concat(sources, ignore_index=True))
    assert sorted(p.column for p in problems) == [column] * 3
    assert all(in_december(p.row - k * 2952) for k, p in enumerate(sorted(problems, key=lambda p: p.row)))
    for problem in problems:
        assert "than in the reference (the larger of the median of the other sources in the same days and the " \
               "median of its calendar months the window does not touch): " in problem.message
        assert "from 2020-1" in problem.message


def _humid(n: int = 2952) -> pd.DataFrame:
    """:func:`_hours` with humid air: RH about 80 % (spread about 10 %), near saturation in some hours."""
    rng = np.random.default_rng(2)
    return _hours(n, rh_pct=np.clip(rng.normal(80, 10, n), 5, 100).round(0))


@pytest.mark.parametrize("low", [94, 97])
def test_a_hygrometer_flickering_near_saturation_is_refused(low):
    """A hygrometer cycling ``low``-100 % in December: 94-100 % varies too much to be refused by its spread
    (0.30 of the other months'), but none of its hours is below near saturation (90 %) against 84 %."""
    met = _humid()
    assert _problems(met) == []
    (problem,) = _problems(_stuck(met, "rh_pct", [float(v) for v in range(low, 101)]))
    assert problem.column == "rh_pct" and in_december(problem.row)
    assert "% of hours below near saturation against 84%" in problem.message
    assert "(meteorology.stuck_ratio_rh_pct, meteorology.stuck_ratio_rh_share, meteorology.stuck_ratio_persistence in " in problem.message


@pytest.mark.parametrize("column, values", [("wind_speed_ms", [0.1, 0.3]), ("rh_pct", [98.0, 100.0, 99.0]),
                                            ("temperature_c", [-2.0, -2.2, -2.1])])
def test_a_sensor_stuck_all_the_current_season_is_refused(column, values, sample_season):
    """The sample's county rows (the only source) stuck from 1 July 2020: the six months of the current
    season are judged against the median of the other eleven months, the previous season's lowest month."""
    met = read(sample_season, MET)
    current = pd.to_datetime(met["datetime"]) >= "2020-07-01"
    met.loc[current, column] = [str(values[i % len(values)]) for i in range(int(current.sum()))]
    (problem,) = _problems(met)
    assert problem.column == column and "than in the reference (the median of its calendar months the window does " \
                                        "not touch): " in problem.message
    assert "(the days 2020-09-1" in problem.message and "and 1" in problem.message


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
    (-30, 0, True), (19, 5, True), (31, 0, True), (33, 0, True), (-40, 7, True), (95, 0, True)])
def test_a_block_moved_within_a_month_is_found(days, hours, refused):
    """200 hours of the previous season pasted into the current one a year + ``days`` days + ``hours`` h
    later are refused at any shift within the season (±183 days, meteorology.copy_shift_window_days; review
    reA N4: a copy moved by 32 days or more passed at ±31); genuine seasons pass."""
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
