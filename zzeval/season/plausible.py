"""Checks of values that read fine but cannot be right for the season (issue 13, third review):
a site done after the season, a county count outside it or fractional, a negative count target,
a township larger than the county, humidity as a fraction, wind in km/h.

The limits are data: ``zzeval/reference/input_limits.csv`` (value, unit, basis and source per row).
"""

from __future__ import annotations

import pandas as pd

from zzeval.season.checks import Collector


def check_site_dates(sites: pd.DataFrame | None, fname: str, period, out: Collector) -> None:
    """``sites``: a task done after the season's end does not count for it (as for heating retrofits);
    a date on a task marked not done contradicts the ``done`` column."""
    if sites is None or sites.empty or "done_date" not in sites:
        return
    date = sites["done_date"]
    late = (sites["done"] == "yes") & date.notna() & (date > period.end)
    out.rows(fname, "done_date", late,
             lambda i: f"{date[i]:%Y-%m-%d} is after the end of the season {period.name} ({period.end:%Y-%m-%d}); "
                       "a task done later does not count for this season: correct the date, or set done to 'no' "
                       "and leave the date empty")
    contradictory = (sites["done"] == "no") & date.notna()
    out.rows(fname, "done_date", contradictory,
             lambda i: f"done is 'no' but done_date is {date[i]:%Y-%m-%d}: the row contradicts itself; set done to "
                       "'yes' if the task was done then, or leave done_date empty")
