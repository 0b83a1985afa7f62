"""Days of a station whose PM2.5 and PM10 rows are swapped, or whose PM2.5 rows hold the PM10 values, too few to
fill half a window (hostile re-review s11-reA W8; hostile review s12-hostA A06, A07 and F03).

:func:`zzeval.season.aq_months.check_pm_pair` refuses PM2.5 above (or equal to) PM10 in more than half the hours
of a season or of a window of ``air_quality.window_days`` (30) days. Shorter spells are judged by day:

- **A swapped day**: PM2.5 above PM10 in more than half of its hours (at least ``air_quality.copy_day_min_hours``)
  and its PM2.5 at least ``air_quality.swap_day_ratio`` (1.15) times its PM10 over those hours. A swap turns a
  genuine day's PM2.5/PM10 of about 0.5 (0.13-0.94 in Jincheng's daily city means 2015-2017) into about 2; two
  analysers reading close in dense fog (PM2.5 a few per cent above PM10, ratio about 1.0) are not a swap (s12-hostA
  F03 was refused as one).
- **A day of PM10 values in the PM2.5 rows**: PM2.5 equal to PM10 in more than half of its hours (s12-hostA A07:
  14 such days passed).

``air_quality.pm25_above_pm10_run_days`` (3) such days of one kind within a window of 30 days from a midnight are
refused, in a row or not (s12-hostA A06: every Saturday and Sunday of a season swapped, runs of 2 days, passed):
no genuine station-day measured is either (the most hours of a day above PM10 are 5 of 24, equal 2 of 24; the
highest day's median hourly PM2.5/PM10 is 0.80 in data/sample, 0.86 in the winter generator, 0.94 in Jincheng's
daily city means). One problem per station and season, for the station-seasons the season's or a window's share did not
refuse, naming the first row, the days and what to fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector
from zzeval.season.day_windows import window_sums
from zzeval.season.parsing import show

#: What each kind of day is, and what to do about it.
KINDS = {
    "above": ("PM2.5 is above PM10 in most hours of each day and {ratio} times it over the day's hours",
              "are the PM2.5 and PM10 rows of these days swapped? exchange them, or export these days again"),
    "equal": ("PM2.5 is equal to PM10 in most hours of each day",
              "do the PM2.5 rows of these days hold the PM10 values? export the PM2.5 column of these days again"),
}


def pair_day_flags(daily: dict) -> tuple[dict, dict]:
    """Per station × day (``daily``: the hours with both, those with PM2.5 above and equal to PM10, and the sums of
    PM2.5 and PM10 over them): whether the day is a swapped one (``above``) or one of PM10 values in the PM2.5 rows
    (``equal``), module docstring; and the same without the swap's ratio (PM2.5 above PM10 in most hours)."""
    enough = daily["hours"] >= input_floor("air_quality.copy_day_min_hours")
    most = {which: enough & (daily[which] * 2 > daily["hours"]) for which in KINDS}
    swap = daily["pm25"] >= input_floor("air_quality.swap_day_ratio") * daily["pm10"]
    return {"above": most["above"] & swap, "equal": most["equal"]}, most


def check_pm_pair_days(pm: pd.DataFrame, days_of: tuple, daily: dict, refused: set, fname: str,
                       out: Collector) -> None:
    """Refuse ``air_quality.pm25_above_pm10_run_days`` swapped days (or days of PM10 values in the PM2.5 rows)
    within any window of ``air_quality.window_days`` days of a station (module docstring). ``days_of``: the
    stations, the days and the first year of each day's season; ``refused``: (station, season's first year)
    refused already, added to."""
    stations, grid, start_years = days_of
    least, days = round(input_floor("air_quality.pm25_above_pm10_run_days")), round(input_limit("air_quality.window_days"))
    flags, loose = pair_day_flags(daily)
    for which, flag in flags.items():
        many = window_sums(flag.astype(float), days, axis=1) >= least
        for s, d in zip(*np.nonzero(many), strict=True):
            year = int(start_years[d])
            if (stations[s], year) in refused:
                continue
            refused.add((stations[s], year))
            starts = np.flatnonzero(many[s] & (start_years == year))
            inside = np.zeros(flag.shape[1], dtype=bool)
            for start in starts:
                inside[start:start + days] = True
            cover = np.flatnonzero(inside & (flag[s] | loose[which][s]) & (start_years == year))
            _report(pm, (stations[s], grid[cover], which), daily, s, cover, (least, days), fname, out)


def _report(pm: pd.DataFrame, what: tuple, daily: dict, s: int, cover: np.ndarray, limits: tuple, fname: str,
            out: Collector) -> None:
    """One refusal: ``cover`` the station's days of the season (indices of ``grid``) in windows with enough, with
    PM2.5 above (or equal to) PM10 in most hours (a swapped day of a ratio below air_quality.swap_day_ratio among
    swapped ones is named with them)."""
    station, dates, which = what
    least, days = limits
    count, n = int(daily[which][s, cover].sum()), int(daily["hours"][s, cover].sum())
    ratio = daily["pm25"][s, cover].sum() / max(daily["pm10"][s, cover].sum(), 1e-9)
    in_row = len(cover) > 1 and bool((np.diff(cover) == 1).all())
    when = (f"{len(cover)} days in a row from {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}" if in_row else
            f"{len(cover)} days within {days} days from {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d} ("
            + ", ".join(f"{t:%m-%d}" for t in dates[:10]) + (", …" if len(dates) > 10 else "") + ")")
    fact, fix = KINDS[which]
    rows = pm.index[(pm["station_code"] == station) & (pm["pollutant"] == "PM2.5") & (pm["datetime"] >= dates[0])]
    out.add(fname, int(rows.min()) + 2 if len(rows) else None, "pollutant",
            f"station {show(station)}, {when}: {fact.format(ratio=f'{ratio:.2f}')} ({count:,} of {n:,} hours); "
            f"PM2.5 is part of PM10, so this happens only now and then (never on {least} days within {days}: "
            "air_quality.pm25_above_pm10_run_days, air_quality.swap_day_ratio and air_quality.window_days in "
            f"zzeval/reference/input_limits.csv): {fix}")
