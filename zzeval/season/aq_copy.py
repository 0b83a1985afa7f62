"""Hourly air quality copied from another station or another season (hostile review 8A, findings 4 and 5).

The air-quality analogue of :mod:`zzeval.season.weather_copy`. Two mistakes of an export give numbers
that look right one by one: a station's file that is another station's export saved again under its code
(its township then has that township's PM2.5: a change of −21.9 % became −26.3 %), and a previous season
that is the current season's export with the year set back (the change became 0.00 %). Hourly PM2.5 and
PM10 are means of a varying quantity; two stations, or one station a year apart, never report the same
values hour by hour through a whole day. So each day of a station's PM2.5 and of its PM10 (at least
``air_quality.copy_day_min_hours`` hours, not all of one value: a stuck analyser is
:func:`zzeval.season.plausible._check_stuck_values`'s) is reduced to a 64-bit signature of its
(hour of the day, value) pairs, the date left out; days of two stations, or of two seasons of one
station, with the same signature in at least ``air_quality.copied_days`` days are refused, naming both.

The gases are left out: SO2 near its detection limit, or O3 at 0 through a night, can repeat a value
for a day at two stations in clean air. The signatures are recorded while the air quality is checked
(:func:`record_pm_days`, also per station-complete Parquet chunk) and compared once the table is read
(:func:`check_air_quality_copied`). Cost: two 64-bit hashes per PM hour and one group-by; memory about
140 bytes per station-day (the day's 24 hourly values are kept as well, for the copies moved by some hours
or re-exported at another precision that :mod:`zzeval.season.aq_copy_near` looks for). The three copy checks
choose their candidates each its own way (:mod:`zzeval.season.pm_series` says why); the days they share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.util import hash_array

from zzeval.resources import input_floor
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.parsing import show
from zzeval.season.pm_series import HOUR_COLUMNS
from zzeval.season.weather_copy import HASH_MIX

#: The pollutants whose days are compared (module docstring: the gases can repeat a value at two stations).
COMPARED = ("PM2.5", "PM10")



def record_pm_days(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Keep, on ``out.pm_days``, the signature of each day of PM2.5 and PM10 of each station of ``aq``
    (whole stations: a table, or a station-complete chunk of a Parquet table) with its first row."""
    pm = aq.loc[aq["pollutant"].isin(COMPARED) & aq["value"].notna() & aq["datetime"].notna(),
                ["station_code", "pollutant", "datetime", "value"]]
    if pm.empty:
        return
    stamp = pd.to_datetime(pm["datetime"])
    mixed = hash_array(stamp.dt.hour.to_numpy()) * HASH_MIX ^ hash_array(pm["value"].to_numpy(dtype=float))
    days = pd.DataFrame({"station": pm["station_code"].astype(str).to_numpy(), "pollutant": pm["pollutant"].astype(str).to_numpy(),
                         "day": stamp.dt.normalize().to_numpy(), "sig": mixed, "value": pm["value"].to_numpy(dtype=float),
                         "row": pm.index.to_numpy(dtype=np.int64) + 2})
    grouped = days.groupby(["station", "pollutant", "day"], sort=False)
    per_day = grouped.agg(sig=("sig", "sum"), hours=("sig", "size"), low=("value", "min"), high=("value", "max"),
                          row=("row", "min"), mean=("value", "mean"))
    # the hourly values, for the copies moved by some hours or at another precision (zzeval.season.aq_copy_near)
    values = np.full((len(per_day), 24), np.nan, dtype=np.float32)
    values[grouped.ngroup().to_numpy(), stamp.dt.hour.to_numpy()] = days["value"].to_numpy()
    per_day = per_day.assign(**dict(zip(HOUR_COLUMNS, values.T, strict=True)))
    per_day = per_day[(per_day["hours"] >= input_floor("air_quality.copy_day_min_hours")) & (per_day["low"] < per_day["high"])]
    if not per_day.empty:
        # the daily mean: the level step at a replacement (zzeval.season.replacement_step)
        out.pm_days.append(per_day[["sig", "row", "mean", *HOUR_COLUMNS]].reset_index().assign(file=fname))


def check_air_quality_copied(out: Collector) -> dict:
    """Refuse each pair of a station's season and another station's season (or another season of the
    same station) whose PM days recorded by :func:`record_pm_days` have the same signature in at least
    ``air_quality.copied_days`` days: one message per pair, naming both, the pollutants, the days and
    the first row of the copy (the later of the two stations' rows, or the earlier season's). Returns the
    pairs refused, (station, season, station copied, its season), with their number of days."""
    refused: dict = {}
    if not out.pm_days:
        return refused
    days = pd.concat(out.pm_days, ignore_index=True)
    days = days.assign(year=season_first_year(days["day"]))
    days = days[days.duplicated(["pollutant", "sig"], keep=False)]
    if days.empty:
        return refused
    # the day each copy is compared with: the first station's, of the latest season (a previous season is
    # the copy of the current one, not the other way round)
    first = days.sort_values(["station", "year", "day"], ascending=[True, False, True]).groupby(
        ["pollutant", "sig"], sort=False).head(1)
    pairs = days.merge(first, on=["pollutant", "sig"], suffixes=("", "_like"))
    pairs = pairs[(pairs["station"] != pairs["station_like"]) | (pairs["year"] != pairs["year_like"])]
    least = input_floor("air_quality.copied_days")
    for pair, part in pairs.groupby(["station", "year", "station_like", "year_like"], sort=True):
        if part["day"].nunique() >= least:
            _report(out, part.sort_values("day"), least)
            refused[tuple(pair)] = part["day"].nunique()
    return refused


def _report(out: Collector, part: pd.DataFrame, least: float) -> None:
    """One message for the copied days ``part`` of one pair (:func:`check_air_quality_copied`)."""
    r = part.iloc[0]
    station, like, year = show(r["station"]), show(r["station_like"]), int(r["year"])
    n, pollutants = part["day"].nunique(), " and ".join(sorted(set(part["pollutant"]), key=COMPARED.index))
    span = f"{part['day'].min():%Y-%m-%d} to {part['day'].max():%Y-%m-%d}"
    if r["station"] == r["station_like"]:
        whose = (f"its own season from {int(r['year_like'])}: that season's export with the dates set back? "
                 f"export the season from {year} again")
    else:
        when = "" if r["year"] == r["year_like"] else f" in the season from {int(r['year_like'])}"
        whose = (f"station {like}{when}: the same export given for both stations ({like} and {station})? export "
                 f"each station's own data")
    out.add(r["file"], int(part["row"].min()), "value",
            f"station {station}, season from {year}: {pollutants} of {n:,} day{'s' if n != 1 else ''} ({span}) have hour by hour the values "
            f"of {whose} (two stations, or one station a year apart, never agree through a whole day; "
            f"air_quality.copied_days = {least:g}, zzeval/reference/input_limits.csv)")
