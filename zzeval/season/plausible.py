"""Checks of values that read fine but cannot be right for the season (issue 13, third review):
a site done after the season, a county count outside it or fractional, a negative count target,
a township larger than the county, humidity as a fraction, wind in km/h.

The limits are data: ``zzeval/reference/input_limits.csv`` (value, unit, basis and source per row).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd
import yaml

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, _plan_tasks, share_tasks
from zzeval.season.parsing import show

#: Units (``plan_tasks.yaml`` ``unit``) of tasks that count whole things: their values and targets are
#: whole, non-negative numbers.
COUNT_UNITS = frozenset({"households", "fire points", "firms", "vehicles", "boilers", "sites", "days", "sets"})


def plan_task_table() -> dict:
    """The township and county tasks of ``zzeval/reference/plan_tasks.yaml`` (key -> its fields: unit,
    direction …)."""
    return {**_plan_tasks(), **_county_tasks()}


@cache
def _county_tasks() -> dict:
    text = resources.files("zzeval.reference").joinpath("plan_tasks.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text).get("county_tasks") or {}


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


def check_county_tasks(ct: pd.DataFrame | None, fname: str, period, tasks: dict, out: Collector) -> None:
    """``county_tasks``: the value is counted within the season assessed; a count (cameras …) is whole."""
    if ct is None or ct.empty:
        return
    if "date" in ct:
        date = ct["date"]
        outside = date.notna() & ((date < period.start) | (date > period.end))
        out.rows(fname, "date", outside,
                 lambda i: f"{date[i]:%Y-%m-%d} lies outside the season {period.name} ({period.start:%Y-%m-%d} .. "
                           f"{period.end:%Y-%m-%d}): a county task's value is counted within the season; check the "
                           "year")
    counts = ct["task"].map(lambda t: tasks.get(t, {}).get("unit") in COUNT_UNITS)
    value = ct["value"]
    fractional = counts & value.notna() & (value != value.round())
    out.rows(fname, "value", fractional,
             lambda i: f"{value[i]:g} {tasks[ct['task'][i]]['unit']} for {ct['task'][i]}: a count is a whole number; "
                       "write the number counted")


def check_target_signs(targets: pd.DataFrame | None, fname: str, tasks: dict, out: Collector) -> None:
    """``targets``: a count, a dustfall or a share to reach cannot be negative (only a change in %, such
    as ``pm25_change_pct``, can)."""
    if targets is None or targets.empty:
        return
    unit = targets["task"].map(lambda t: tasks.get(t, {}).get("unit"))
    never_negative = (unit != "%") | targets["task"].isin(share_tasks())
    negative = never_negative & unit.notna() & (targets["target"] < 0)
    out.rows(fname, "target", negative,
             lambda i: f"{targets['target'][i]:g} {unit[i]} for {targets['task'][i]}: this target cannot be negative; "
                       "write the target itself (a number of 0 or more), not a change")


def check_plausible_values(tables: dict, fnames: dict, out: Collector) -> None:
    """Upper bounds of ``input_limits.csv``: township area, wind speed (km/h for m/s), humidity as a fraction."""
    tw = tables.get("townships")
    if tw is not None and "area_km2" in tw:
        top = input_limit("townships.area_km2")
        out.rows(fnames["townships"], "area_km2", tw["area_km2"] > top,
                 lambda i: f"{tw['area_km2'][i]:g} km² is larger than the whole county (about {top:,.0f} km²); "
                           "is the area in another unit (mu, ha, m²)? write it in km²")
    check_met_values(tables.get("meteorology"), fnames.get("meteorology", "meteorology.csv"), out,
                     tables.get("stations"))


def check_met_values(met: pd.DataFrame | None, fname: str, out: Collector,
                     stations: pd.DataFrame | None = None) -> None:
    """Wind speed in km/h, relative humidity as a fraction, wind direction in radians and station codes
    the weather adjustment would not use, on rows that hold every row of their stations (a whole
    table, or a chunk of a Parquet table, :mod:`zzeval.season.columnar`)."""
    if met is None or met.empty:
        return
    if stations is not None:  # the weather of a code neither 'county' nor a station is never used
        codes = met["station_code"].fillna("")
        unknown = ~codes.isin(["", "county", *stations["station_code"]])
        out.rows(fname, "station_code", unknown,
                 lambda i: f"station '{show(codes[i])}' is not in stations, so the weather adjustment would not use "
                           "this weather: write the code of a station in stations.csv, or 'county' (or leave it "
                           "empty) for the county-wide series")
    top = input_limit("meteorology.wind_speed_ms")
    out.rows(fname, "wind_speed_ms", met["wind_speed_ms"] > top,
             lambda i: f"{met['wind_speed_ms'][i]:g} m/s is above the plausible maximum of {top:g} m/s; is the wind "
                       "speed in km/h? write it in m/s (km/h ÷ 3.6)")
    _check_rh_fraction(met, fname, out)
    _check_direction_radians(met, fname, out)


def _station_seasons_at_most(met: pd.DataFrame, column: str, top: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The first row of each station and season whose ``column`` is at most ``top`` all season (a
    column in another unit: a fraction for percent, radians for degrees), the stations and the
    seasons' first years."""
    stations = met["station_code"].fillna("").replace("", "county")
    years = met["datetime"].dt.year - (met["datetime"].dt.month < 7)
    highest = met[column].groupby([stations, years]).transform("max")
    first = ~pd.DataFrame({"station": stations, "year": years}).duplicated()
    return (highest <= top) & met[column].notna() & first, stations, years


def _check_rh_fraction(met: pd.DataFrame, fname: str, out: Collector) -> None:
    top = input_limit("meteorology.rh_pct_fraction")
    flagged, stations, years = _station_seasons_at_most(met, "rh_pct", top)
    out.rows(fname, "rh_pct", flagged,
             lambda i: f"every rh_pct of station '{show(stations[i])}' in the season from {years[i]} is at most "
                       f"{top:g} %: this looks like a fraction (0.63 for 63 %); write relative humidity in percent")


def _check_direction_radians(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Every wind direction of a station in a season at most 2π: the column holds radians (the weather
    model's wind sectors would all be north to north-east)."""
    top = input_limit("meteorology.wind_dir_radians")
    flagged, stations, years = _station_seasons_at_most(met, "wind_dir_deg", top)
    out.rows(fname, "wind_dir_deg", flagged,
             lambda i: f"every wind_dir_deg of station '{show(stations[i])}' in the season from {years[i]} is at most "
                       f"{top:g}°: this looks like radians; write degrees (radians × 57.2958, 0-360)")
