"""The PM series the three air-quality copy checks compare, and why each check chooses its own candidates
(diff review: one candidates function only if it is the same choice; it is not).

A series is one station's PM2.5 or PM10 in one season (station, pollutant, first year of the season), made of
the days :func:`zzeval.season.aq_copy.record_pm_days` keeps (``air_quality.copy_day_min_hours`` hours or more,
not all one value) with their 24 hourly values (:data:`HOUR_COLUMNS`). Shared here: those days
(:func:`recorded_days`), the numbering of their series and where each day's midnight falls in a July-to-June
year (:func:`series_of`).

The candidates, the pairs of series and shifts compared, differ because what each check compares differs:

* :mod:`zzeval.season.aq_copy` (the same values at the same hours of the day) has no pairs or shifts: a day's
  signature leaves its date out, and every day of every series is looked up among all others in one group-by,
  so two stations, two seasons, or days of one season days apart are all found at once, at any distance.
* :mod:`zzeval.season.aq_copy_near` (values within ``air_quality.near_copy_tolerance``, stamps moved by some
  hours) compares every pair of series of a pollutant, another station in any season included, at every shift
  within ``air_quality.copy_shift_window_days`` (±183 days: about 8,800 shifts a pair), and a series with itself
  from ``air_quality.copy_within_min_shift_hours`` on: far too many to compare hour by hour, so the data name
  the candidates: the pairs and shifts at which :data:`~zzeval.season.aq_copy_near.LEAST_RUNS` rounded 3-hour
  runs are equal (one hash join).
* :mod:`zzeval.season.aq_copy_scaled` (values × k + c) cannot be pointed to by equal runs (a rescaled copy has
  none), and fits a regression on each day of each candidate, so it enumerates a few: another station of the
  same season at the same hours, the station's other season at the same day and hour of the year ± 24 h (a
  copy moved by a year, stamped up to a day off), and the season itself 28..31 days earlier (a month filled
  with the month before). A rescaled copy of another station in another season is not looked for.

One candidates function would either compare the near check's thousands of shifts with regressions, or give the
scaled check's few enumerated shifts to the near check and lose its copies moved by some days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season.checks import Collector, season_first_year
from zzeval.season.weather_copy import _calendar_hours

#: The columns of a recorded PM day (:func:`zzeval.season.aq_copy.record_pm_days`) holding its hourly values.
HOUR_COLUMNS = tuple(f"h{h:02d}" for h in range(24))

#: What makes a series.
SERIES = ["station", "pollutant", "year"]


def recorded_days(out: Collector) -> pd.DataFrame | None:
    """The PM days recorded on ``out.pm_days`` with their hourly values, one table (``None``: none)."""
    parts = [p for p in out.pm_days if HOUR_COLUMNS[0] in p]
    return pd.concat(parts, ignore_index=True) if parts else None


def series_of(days: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """Per recorded day of ``days``: its series' number (the series sorted by station, pollutant and season);
    the series (``station``, ``pollutant``, ``year``: the first year of the season), by number; and the place of
    the day's midnight in a July-to-June year [h] (:func:`~zzeval.season.weather_copy._calendar_hours`)."""
    stamps = pd.DatetimeIndex(days["day"])
    keyed = days.assign(year=season_first_year(stamps)).groupby(SERIES, sort=True)
    names = keyed.size().reset_index()[SERIES]
    start = _calendar_hours(stamps.to_numpy().astype("datetime64[h]").astype(np.int64))
    return keyed.ngroup().to_numpy(), names, start
