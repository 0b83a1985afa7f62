"""Hostile review s11-C, F7: the previous season's air quality stamped in UTC without an offset (8 hours
early) passed validation and moved the county's weather-adjusted change from −9.55 to −13.75 %.
zzeval.season.aq_clock compares the two seasons' mean daily cycles (tiny inline data: fast)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zzeval.season.aq_clock import check_air_quality_clock
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed


def _season(start: str, shift_hours: int, rng: np.random.Generator) -> pd.DataFrame:
    """30 days of two stations' hourly O3 (afternoon peak), NO2 and PM2.5 (morning and evening peaks),
    stamped ``shift_hours`` off local time."""
    local = pd.date_range(start, periods=30 * 24, freq="h")
    h = local.hour.to_numpy()
    cycles = {"O3": 40 + 30 * np.exp(-((h - 15) ** 2) / 8),
              "NO2": 30 + 15 * np.exp(-((h - 8) ** 2) / 3) + 20 * np.exp(-((h - 20) ** 2) / 6),
              "PM2.5": 60 + 20 * np.exp(-((h - 9) ** 2) / 4) + 30 * np.exp(-((h - 22) ** 2) / 8)}
    frames = [pd.DataFrame({"station_code": station, "pollutant": pollutant, "datetime": local + pd.Timedelta(hours=shift_hours),
                            "value": np.round(cycle * rng.lognormal(0, 0.35, len(local)))})
              for station in ("ZZ100", "ZZ101") for pollutant, cycle in cycles.items()]
    return pd.concat(frames)


def _table(prev_shift: int, cur_shift: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.concat([_season("2019-12-01", prev_shift, rng), _season("2020-12-01", cur_shift, rng)], ignore_index=True)


@pytest.mark.parametrize(("prev", "cur", "season", "fix"), [
    (-8, 0, "2019-2020", "stamped 8 hours early, stamped in UTC without an offset? add 8 hours to its stamps"),
    (0, -8, "2020-2021", "stamped 8 hours early, stamped in UTC without an offset? add 8 hours to its stamps"),
    (4, 0, "2019-2020", "stamped 4 hours late, subtract 4 hours from its stamps"),
])
def test_a_season_stamped_on_another_clock_is_refused(prev, cur, season, fix):
    aq = _table(prev, cur)
    out = Collector()
    check_air_quality_clock(aq, "air_quality.csv", out)
    (problem,) = out.problems
    assert (problem.file, problem.column) == ("air_quality.csv", "datetime")
    assert problem.message.startswith(f"stations ZZ100, ZZ101: the mean daily cycle of O3, NO2, CO, PM2.5 in season "
                                      f"{season} is the other season's moved by {abs(prev or cur)} hours")
    assert fix in problem.message
    assert f"confirmed: {{aq_clock: [{season}]}}" in problem.message
    out = Collector()
    read_confirmed({"confirmed": {"aq_clock": [season]}}, "season.yaml", out)
    check_air_quality_clock(aq, "air_quality.csv", out)
    assert out.problems == [] and any("confirmed in season.yaml (aq_clock" in n for n in out.notes)


@pytest.mark.parametrize("prev", [0, 1, -1])
def test_seasons_on_one_clock_pass(prev):
    """Genuine seasons align at 0 (data/sample, seeds 0..11, the winter generator: input_limits.csv); an hour
    either way is within the limit of 3."""
    out = Collector()
    check_air_quality_clock(_table(prev), "air_quality.csv", out)
    assert out.problems == [] and out.notes == []


def test_each_earlier_season_is_compared_with_the_assessed_one():
    """A table holding two seasons before the assessed one: the one two years earlier in UTC is named."""
    rng = np.random.default_rng(3)
    aq = pd.concat([_season("2018-12-01", -8, rng), _season("2019-12-01", 0, rng), _season("2020-12-01", 0, rng)],
                   ignore_index=True)
    out = Collector()
    check_air_quality_clock(aq, "air_quality.csv", out)
    (problem,) = out.problems
    assert "in season 2018-2019 is the other season's moved by 8 hours" in problem.message
    assert "add 8 hours to its stamps" in problem.message


def test_profiles_without_a_daily_cycle_are_not_judged():
    """Hourly noise with no daily cycle (the tiny test season, a few weeks) aligns somewhere by chance: the
    fresh-clone test run found it refused as 'shifted 5 hours'; below air_quality.clock_min_correlation at its
    best lag it is not judged."""
    rng = np.random.default_rng(3)
    frames = []
    for start in ("2019-12-01", "2020-12-01"):
        local = pd.date_range(start, periods=30 * 24, freq="h")
        frames += [pd.DataFrame({"station_code": "ZZ108", "pollutant": p, "datetime": local,
                                 "value": np.round(40 * rng.lognormal(0, 0.3, len(local)))})
                   for p in ("O3", "NO2", "CO", "PM2.5")]
    out = Collector()
    check_air_quality_clock(pd.concat(frames, ignore_index=True), "air_quality.csv", out)
    assert out.problems == []


def test_the_fewest_days_of_a_profile_is_a_row_of_input_limits(monkeypatch):
    """``air_quality.clock_min_days`` (20, zzeval/reference/input_limits.csv) is read as the other limits: the
    30-day seasons 8 hours apart are refused at 20 and not judged when 31 days are asked for."""
    from zzeval.season import aq_clock

    assert aq_clock.input_floor("air_quality.clock_min_days") == 20
    real = aq_clock.input_floor
    monkeypatch.setattr(aq_clock, "input_floor", lambda key: 31.0 if key == "air_quality.clock_min_days" else real(key))
    out = Collector()
    check_air_quality_clock(_table(-8), "air_quality.csv", out)
    assert out.problems == []
