"""Hostile re-review s10-reA, finding 1: an anemometer whose cups iced every night (0.0 m/s and no direction from
19:00 to 08:00 for 90 nights, the measured wind by day) passed the stuck-sensor check (10 of 24 hours above near
calm against 24 of 24, a ratio of 0.42) and moved 南村镇's weather-adjusted PM2.5 change from −11.1 % to −21.9 %.
The share above near calm is now judged hour of day by hour of day (zzeval.season.calm_hours); genuine calm
nights and a calm, foggy January pass. The sample's weather, changed by the test; no report is built."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import read, write
from tests.input.cases_weather import MET
from tests.input.test_weather_layouts import refused_by_validate
from zzeval.season.calm_hours import check_calm_hours, hour_ranges
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed
from zzeval.season.stuck_weather import check_stuck_weather

SUBJECT = "county wind_speed_ms 2021-01-01..2021-03-31"  # the spell: its first and last calm day


def _when(met: pd.DataFrame, first: str, last: str, hours=None) -> np.ndarray:
    """The rows from ``first`` up to (not including) ``last``, at ``hours`` of the day (all if None)."""
    stamp = pd.to_datetime(met["datetime"])
    rows = (stamp >= first) & (stamp < last)
    return (rows & stamp.dt.hour.isin(hours if hours is not None else range(24))).to_numpy()


NIGHT = [19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8]


def _frozen(met: pd.DataFrame, first: str, last: str, hours) -> pd.DataFrame:
    """The wind speed 0.0 m/s (direction empty) at ``hours`` of each day from ``first`` to ``last``."""
    met = met.copy()
    rows = _when(met, first, last, hours)
    met.loc[rows, "wind_speed_ms"], met.loc[rows, "wind_dir_deg"] = "0.0", ""
    return met


def _scaled(met: pd.DataFrame, rows: np.ndarray, factor: float) -> pd.DataFrame:
    """The wind speed times ``factor`` in ``rows`` (calmer weather)."""
    met = met.copy()
    met.loc[rows, "wind_speed_ms"] = (pd.to_numeric(met.loc[rows, "wind_speed_ms"]) * factor).round(1).astype(str)
    return met


def _checked(met: pd.DataFrame, confirmed: list | None = None) -> Collector:
    """The stuck-sensor checks as ``zzeval validate`` runs them (on the table's numbers)."""
    out = Collector()
    if confirmed:
        read_confirmed({"confirmed": {"weather_stuck": confirmed}}, "season.yaml", out)
    stuck_wind = check_stuck_weather(met, "meteorology.csv.gz", out)
    check_calm_hours(met, "meteorology.csv.gz", out, stuck_wind)
    return out


def test_an_anemometer_frozen_every_night_is_refused(sample_season, tmp_path, capsys, monkeypatch):
    """The reviewer's case: 0.0 m/s from 19:00 to 08:00 every night, 1 January to 31 March 2021; refused once,
    naming the file, the first frozen hour's row, the station, the column, the hours, the days, the figures and
    what to fix or confirm, within the command line's 1,000 characters."""
    folder = tmp_path / "night_freeze"
    shutil.copytree(sample_season, folder)
    write(_frozen(read(folder, MET), "2021-01-01", "2021-04-01", NIGHT), folder, MET)
    err, fname, _ = refused_by_validate(folder, False, monkeypatch, capsys)
    (line,) = [line for line in err.splitlines() if "at the same hours" in line]
    assert line.startswith(f"  - {fname}, row 6602, column 'wind_speed_ms': station 'county': wind_speed_ms is at "
                           "or near calm (at most 0.5 m/s) at the same hours of nearly every day, 19:00-08:00, from "
                           "2021-01-01 to 2021-03-31 (")
    assert " 0% of 30 days above near calm against " in line
    assert "meteorology.stuck_ratio_wind_share_hour in zzeval/reference/input_limits.csv" in line
    assert "remove the wind speed of those hours (they become missing) or write the measured values" in line
    assert f"'confirmed: {{weather_stuck: [{SUBJECT}]}}'" in line
    assert "a stuck sensor?" not in err and len(line) < 1000


@pytest.mark.parametrize("first, last, hours, shown, season", [
    ("2021-01-10", "2021-02-09", NIGHT, "19:00-08:00, from 2021-01-10 to 2021-02-08", "2021-01-10..2021-02-08"),  # 30 nights
    ("2020-12-01", "2021-03-01", [2, 3, 4], "02:00-04:00, from 2020-12-01 to 2021-02-28", "2020-12-01..2021-02-28"),
    ("2020-01-01", "2020-04-01", NIGHT, "19:00-08:00, from 2019-12-31 to 2020-03-31", "2019-12-31..2020-03-31"),
])
def test_a_block_of_frozen_hours_is_refused_and_can_be_confirmed(sample_season, first, last, hours, shown, season):
    """Frozen for 30 nights, three hours of 90 nights, the previous season's nights: refused once, naming the first
    calm hour of the refused windows at the refused hours (the first frozen hour, or a genuinely calm hour at those
    hours a day or two before it: 31 December 2019 01:00); confirmed in season.yaml, a notice."""
    met = _frozen(read(sample_season, MET), first, last, hours)
    (problem,) = _checked(met).problems
    assert problem.column == "wind_speed_ms"
    frozen = int(np.flatnonzero(_when(met, first, last, hours))[0])
    assert frozen - 48 <= problem.row - 2 <= frozen and float(met["wind_speed_ms"][problem.row - 2]) <= 0.5
    assert f"at the same hours of nearly every day, {shown} (" in problem.message
    assert f"'confirmed: {{weather_stuck: [county wind_speed_ms {season}]}}'" in problem.message
    out = _checked(met, [f"county wind_speed_ms {season}"])
    assert out.problems == [] and len(out.notes) == 1
    assert f"confirmed in season.yaml (weather_stuck: county wind_speed_ms {season}), used as written" in out.notes[0]


def test_an_anemometer_stuck_all_day_is_refused_once(sample_season):
    """Frozen at calm every hour from 1 January: refused by the whole-window share, not twice."""
    (problem,) = _checked(_frozen(read(sample_season, MET), "2021-01-01", "2021-04-01", None)).problems
    assert "a stuck sensor?" in problem.message and "at the same hours" not in problem.message


def test_genuine_calm_nights_and_a_calm_foggy_month_pass(sample_season):
    """A stagnant, foggy January (every hour's wind × 0.35, RH + 25 capped at 100: the reviewer's s_calm_fog_jan),
    January's nights calm in a valley inversion (19:00-08:00 × 0.35) and a winter of calmer nights (× 0.5,
    December-February of both seasons) vary at each hour from night to night: no problem, no notice."""
    met = read(sample_season, MET)
    assert _checked(met).problems == []
    january = _when(met, "2021-01-01", "2021-02-01")
    foggy = _scaled(met, january, 0.35)
    foggy.loc[january, "rh_pct"] = (pd.to_numeric(foggy.loc[january, "rh_pct"]) + 25).clip(upper=100).astype(str)
    winters = _when(met, "2019-12-01", "2020-03-01", NIGHT) | _when(met, "2020-12-01", "2021-03-01", NIGHT)
    for genuine in (foggy, _scaled(met, _when(met, "2021-01-01", "2021-02-01", NIGHT), 0.35),
                    _scaled(met, winters, 0.5)):
        out = _checked(genuine)
        assert out.problems == [] and out.notes == []


def test_hours_are_named_as_ranges_around_midnight():
    assert hour_ranges(NIGHT) == "19:00-08:00"
    assert hour_ranges([3]) == "03:00"
    assert hour_ranges([0, 2, 4, 6, 8, 10]) == "00:00, 02:00, 04:00, 06:00 and 2 more"
