"""A PM analyser saturated at the end of its range (hostile review s11-A, wrong number 13).

An analyser whose range ends at, say, 100 µg/m³ (or an export that clips at it) writes every hour above
as 100: the season's highest value then comes back hour after hour, with nothing above it. Each hour
is plausible and the runs are short (a day or two, under ``air_quality.pm_unchanged_hours``), but the
season mean and the heavy-pollution days are too low: a station's previous season clipped at 100 µg/m³
in 13 % of its hours moved its township's measured change from −21.9 % to −10.9 %.

A genuine season's highest hourly value is an extreme, reached in one hour or a few: at most 3 hours
per station, PM2.5 or PM10 and season in the samples and the winter generator, and the real Jincheng
city daily means reach their season's highest once (``zzeval/reference/input_limits.csv``,
``air_quality.ceiling_hours``); and a measured distribution thins out towards its highest value, so the
hours at it are fewer than those in the band just below it (``air_quality.ceiling_band_fraction`` of the
value). A station, pollutant and season whose highest value is reached in at least
``air_quality.ceiling_hours`` hours AND in more than ``air_quality.ceiling_over_band`` times the hours of
that band is refused, naming the value, the hours and, where other stations of the table measured at those
hours, how often they measured more (the hours the analyser could not see). The hours above the range
left empty instead, as they should be, pass: the highest value is then one among its neighbours (the
reviewer's K13: 12 hours at 100 µg/m³, 180 in 90-99).

PM2.5 and PM10 only: the gases are measured near their detection limits in clean air and at coarser
steps (CO in 0.1 mg/m³), where the highest step can come back for hours. Whole stations are needed,
as every check of :func:`zzeval.season.plausible.check_air_quality_series` (a table, or a
station-complete Parquet chunk). Cost: one group-by of the PM hours.
"""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.parsing import show
from zzeval.season.schema import POLLUTANT_UNITS

#: The pollutants judged (module docstring: the gases can reach their highest step for hours).
JUDGED = ("PM2.5", "PM10")
LIMITS_FILE = "zzeval/reference/input_limits.csv"


def check_pm_ceiling(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse each station, pollutant (:data:`JUDGED`) and season whose highest value is reached in at least
    ``air_quality.ceiling_hours`` hours and in more than ``air_quality.ceiling_over_band`` times the hours of
    the band below it (module docstring): one problem at the first of those rows."""
    pm = aq.loc[aq["pollutant"].isin(JUDGED) & (aq["value"] > 0) & aq["datetime"].notna(),
                ["station_code", "pollutant", "datetime", "value"]]
    if pm.empty:
        return
    pm = pm.assign(year=season_first_year(pm["datetime"]))
    key = ["station_code", "pollutant", "year"]
    top = pm.groupby(key, sort=False)["value"].transform("max")
    at_top = pm["value"] == top
    below = pm["value"].between((1 - input_limit("air_quality.ceiling_band_fraction")) * top, top, inclusive="left")
    counts = pd.DataFrame({"top": at_top, "band": below}).groupby([pm[k] for k in key], sort=False).sum()
    least, ratio = input_floor("air_quality.ceiling_hours"), input_limit("air_quality.ceiling_over_band")
    for (station, pollutant, year), n in counts[(counts["top"] >= least)
                                                & (counts["top"] > ratio * counts["band"])].iterrows():
        mine = (pm["station_code"] == station) & (pm["pollutant"] == pollutant) & (pm["year"] == year)
        hours = pm[mine & at_top].sort_values("datetime")
        if not _code_hours(pm, hours):
            _report(out, fname, pm, hours, (int(mine.sum()), int(n["band"])), least)


def _code_hours(pm: pd.DataFrame, hours: pd.DataFrame) -> bool:
    """Whether the other PM pollutant of the station has the same value in most of ``hours``: an invalid-data
    code written for both (999 …), refused as such by :func:`zzeval.season.outages.check_code_hours`."""
    first = hours.iloc[0]
    partner = pm[(pm["station_code"] == first["station_code"]) & (pm["pollutant"] != first["pollutant"])
                 & pm["datetime"].isin(hours["datetime"])]
    return int((partner["value"] == first["value"]).sum()) * 2 > len(hours)


def _report(out: Collector, fname: str, pm: pd.DataFrame, hours: pd.DataFrame, counts: tuple[int, int],
            least: float) -> None:
    """One problem for the ``hours`` at the ceiling of one station, pollutant and season (``counts``: its hours,
    and those in the band below the ceiling)."""
    total, band = counts
    first = hours.iloc[0]
    station, pollutant, ceiling = first["station_code"], first["pollutant"], float(first["value"])
    unit = POLLUTANT_UNITS[pollutant]
    n, days = len(hours), hours["datetime"].dt.normalize().nunique()
    fraction, ratio = input_limit("air_quality.ceiling_band_fraction"), input_limit("air_quality.ceiling_over_band")
    others = pm[(pm["pollutant"] == pollutant) & (pm["station_code"] != station)
                & pm["datetime"].isin(hours["datetime"])].groupby("datetime")["value"].max()
    seen = ""
    if len(others):
        above = others[others > ceiling]
        seen = (f"; at {len(others):,} of these hours other stations measured too, and more than {ceiling:g} at "
                f"{len(above):,}" + (f" (up to {above.max():g} {unit})" if len(above) else ""))
    out.add(fname, int(hours.index.min()) + 2, "value",
            f"station {show(station)}, season from {int(first['year'])}: {pollutant} reaches its highest value, "
            f"{ceiling:g} {unit}, in {n:,} of its {total:,} hours ({n / total:.0%}; on {days:,} days from "
            f"{hours['datetime'].min():%Y-%m-%d %H:%M} to {hours['datetime'].max():%Y-%m-%d %H:%M}) and is never above it"
            f", more than the {band:,} hours in the {fraction:.0%} below it{seen}: an analyser saturated at the end of "
            "its range, or an export clipping the values there? A genuine season reaches its highest value in a few "
            f"hours, fewer than just below it (at most 3 hours in genuine data; at least {least:g} here, and more than "
            f"{ratio:g} × the band below: air_quality.ceiling_hours, ceiling_over_band and ceiling_band_fraction, "
            f"{LIMITS_FILE}). Write the measured values of these hours, "
            "or leave the cells empty (missing, 缺测) where the analyser could not measure; as they are, the season "
            "mean and the heavy-pollution days are too low")
