"""Hourly PM copied with its stamps moved, or re-exported at another precision (hostile review s11-hostA,
findings 2, 4 and 8).

:mod:`zzeval.season.aq_copy` refuses a day of PM2.5 (or PM10) that equals another station's day, or the same
station's day in another season, hour by hour at the same stamps. Three copies beat that exact comparison:
a previous season that is the current one with the year set back *and* an hour off (hour-beginning vs
hour-ending stamps: the measured change of a township became 0.0 %), one station's PM2.5 that is another's
re-exported at one decimal or with one hour a day touched (a township carried another's series), and a month
of a station filled with the month before, moved by 31 days.

So each station's hourly PM2.5 and PM10 of each season (the days :func:`zzeval.season.aq_copy.record_pm_days`
keeps: 20 hours or more, not all one value, with their hourly values) is compared with every other such
series of the same pollutant (another station, another season, or itself days apart) at every shift of whole
hours within ``air_quality.copy_shift_window_days`` of the same day and hour of the year, itself at shifts of
at least ``air_quality.copy_within_min_shift_hours``. One hash join finds the shifts worth comparing: runs of
:data:`RUN_HOURS` consecutive hours, rounded to whole µg/m³ and not all one value, equal in two series
(the date left out), counted per pair of series and shift; genuine series share at most 11 such runs at any
one shift (:data:`LEAST_RUNS`), so a shift with :data:`LEAST_RUNS` or more is compared hour by hour: an hour
matches when the two values differ by at most ``air_quality.near_copy_tolerance`` (the same whole number, or
within the rounding of another precision), a day is copied when at least ``air_quality.copy_day_min_hours``
of its hours match, and a pair with ``air_quality.near_copied_days`` copied days at one shift is refused,
one message per copied station and season naming both stations (or seasons), the pollutants, the days and
the shift. A copy that the exact check refused is said again only when more of its days are found here.
Its candidates (the pairs and shifts the join finds) are its own: :mod:`zzeval.season.pm_series` says why, and
holds the series it shares with the other two copy checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.util import hash_array

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector
from zzeval.season.parsing import show
from zzeval.season.pm_series import HOUR_COLUMNS, recorded_days, series_of
from zzeval.season.weather_copy import HASH_MIX

#: The consecutive hours whose rounded values make one key of the join (:func:`_runs`).
RUN_HOURS = 3

#: The fewest equal runs of :data:`RUN_HOURS` hours at one shift of a pair of series for the shift to be
#: compared hour by hour. Measured (session 11): genuine series share at most 7 (data/sample, 17 stations,
#: 2 seasons; the 3-township samples of seeds 0-11 at most 6) or 11 (the winter generator, w0 seed 1) at any
#: one shift; a copied day gives about 20. A genuine pair above it is only compared (the hours decide).
LEAST_RUNS = 16

#: A run key found in more than this many places of the table is left out of the join (a run of low values
#: in clean air, found at every station; it would pair every hour with every other).
COMMON_RUN_HOURS = 48

#: The most shifts of one pair of series compared hour by hour (those with the most equal runs).
MAX_SHIFTS = 3

#: The units of a PM value, for messages.
UNIT = "µg/m³"


def _hourly(days: pd.DataFrame, series: np.ndarray, start: np.ndarray) -> pd.DataFrame:
    """One row per hour of the recorded ``days`` with a value: ``series`` (its number,
    :func:`~zzeval.season.pm_series.series_of`), ``place`` (its hour in a July-to-June year: ``start``, the
    day's midnight, and the hour), ``value``, ``at`` (the row of its day in ``days``); sorted by series and place."""
    values = days[list(HOUR_COLUMNS)].to_numpy(dtype=float)
    at, hour = np.nonzero(np.isfinite(values))
    hours = pd.DataFrame({"series": series[at], "place": start[at] + hour, "value": values[at, hour], "at": at})
    return hours.sort_values(["series", "place"], kind="stable").drop_duplicates(["series", "place"])


def _runs(hours: pd.DataFrame, pollutant: np.ndarray) -> pd.DataFrame:
    """The key of each run of :data:`RUN_HOURS` consecutive hours of one series (its first row ``i``), of the
    values rounded to whole µg/m³ and the pollutant, but runs all of one rounded value and keys found in more
    than :data:`COMMON_RUN_HOURS` places."""
    n = len(hours) - RUN_HOURS + 1
    if n <= 0:
        return pd.DataFrame({"key": np.zeros(0, dtype=np.uint64), "i": np.zeros(0, dtype=np.int64)})
    series, place = hours["series"].to_numpy(), hours["place"].to_numpy()
    whole = np.floor(hours["value"].to_numpy() + 0.5)
    hashed = hash_array(whole)
    key, ok, flat = hash_array(pollutant[:n].astype(object)), np.ones(n, dtype=bool), np.ones(n, dtype=bool)
    for k in range(RUN_HOURS):
        ok &= (series[k:k + n] == series[:n]) & (place[k:k + n] == place[:n] + k)
        flat &= whole[k:k + n] == whole[:n]
        key = key * HASH_MIX ^ hashed[k:k + n]
    runs = pd.DataFrame({"key": key, "i": np.arange(n)})[ok & ~flat]
    found = runs["key"].value_counts()
    return runs[~runs["key"].isin(found.index[found > COMMON_RUN_HOURS])]


def _shifts_to_compare(hours: pd.DataFrame, pollutant: np.ndarray) -> pd.DataFrame:
    """The pairs of series (``a``, ``b``) and shifts [h] (``a``'s place minus ``b``'s) at which at least
    :data:`LEAST_RUNS` runs are equal (:func:`_runs`): two series of the same pollutant within
    ``air_quality.copy_shift_window_days``, a series and itself from ``air_quality.copy_within_min_shift_hours``
    on (``a`` the later hours); at most :data:`MAX_SHIFTS` per pair."""
    runs = _runs(hours, pollutant)
    series, place = hours["series"].to_numpy(), hours["place"].to_numpy()
    pairs = runs.merge(runs, on="key", suffixes=("_a", "_b"))
    i, j = pairs["i_a"].to_numpy(), pairs["i_b"].to_numpy()
    a, b, shift = series[i], series[j], place[i] - place[j]
    window = round(input_limit("air_quality.copy_shift_window_days") * 24)
    keep = ((a < b) & (np.abs(shift) <= window)) | ((a == b) & (shift >= input_floor("air_quality.copy_within_min_shift_hours")))
    found = pd.DataFrame({"a": a[keep], "b": b[keep], "shift": shift[keep]}).value_counts()
    found = found[found >= LEAST_RUNS].rename("runs").reset_index()
    return found.sort_values("runs", ascending=False, kind="stable").groupby(["a", "b"]).head(MAX_SHIFTS)


def _copied_days(hours: pd.DataFrame, shifts: pd.DataFrame) -> pd.DataFrame:
    """Per pair and shift of ``shifts`` (``a``, ``b``, ``shift``): the rows (``at``) of the days of ``a`` with at
    least ``air_quality.copy_day_min_hours`` hours within ``air_quality.near_copy_tolerance`` of ``b``'s hour
    ``shift`` hours earlier in the year, as ``a``, ``b``, ``shift``, ``at``."""
    series, place, value = (hours[c].to_numpy() for c in ("series", "place", "value"))
    first = np.searchsorted(series, np.arange(series.max() + 2))
    span = 1 << 16  # places of a year (8,784) fit below
    code = series.astype(np.int64) * span + place
    tolerance = input_limit("air_quality.near_copy_tolerance") + 1e-6
    found = []
    for a, b, shift in shifts[["a", "b", "shift"]].itertuples(index=False):
        rows = np.arange(first[a], first[a + 1])
        other = np.searchsorted(code, b * span + place[rows] - shift).clip(max=len(code) - 1)
        near = (code[other] == b * span + place[rows] - shift) & (np.abs(value[other] - value[rows]) <= tolerance)
        at = hours["at"].to_numpy()[rows[near]]
        per_day = pd.Series(at).value_counts()
        days = per_day.index[per_day >= input_floor("air_quality.copy_day_min_hours")]
        found.append(pd.DataFrame({"a": a, "b": b, "shift": shift, "at": np.sort(days.to_numpy())}))
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["a", "b", "shift", "at"])


def _oriented(pairs: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` (``a``, ``b``, ``shift``) with ``a`` the copy and ``b`` what it copies, as
    :mod:`zzeval.season.aq_copy` says them: the later hours of one series; of two stations, the first by code
    is copied; of two seasons of one station, the later one."""
    later = names["year"].to_numpy()
    a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
    code = names["station"].to_numpy(dtype=object)
    swap = (a != b) & ((code[a] < code[b]) | ((code[a] == code[b]) & (later[a] > later[b])))
    return pairs.assign(a=np.where(swap, b, a), b=np.where(swap, a, b),
                        shift=np.where(swap, -pairs["shift"], pairs["shift"]))


def check_air_quality_near_copied(out: Collector, refused: dict | None = None) -> set:
    """Refuse each pair of PM series (a station, pollutant and season; another station's, another season's,
    or its own hours days apart) with ``air_quality.near_copied_days`` or more copied days at one shift
    (module docstring): one message per copied station and season, naming the series and shift with the most
    copied days.
    ``refused``: the pairs (station, season, station copied, its season) :mod:`zzeval.season.aq_copy`
    refused already, with their days: a copy is not said again unless more of its days are copied. Returns the
    copies refused here, (station, season's first year)."""
    days = recorded_days(out)
    if days is None:
        return set()
    series, names, start = series_of(days)
    hours = _hourly(days, series, start)
    if hours.empty:
        return set()
    shifts = _shifts_to_compare(hours, names["pollutant"].to_numpy(dtype=object)[hours["series"].to_numpy()])
    if shifts.empty:
        return set()
    copied = _copied_days(hours, _oriented(shifts, names))
    least = input_floor("air_quality.near_copied_days")
    counted = copied.groupby(["a", "b", "shift"]).size()
    copied = copied.set_index(["a", "b", "shift"]).loc[counted.index[counted >= least]].reset_index()
    if copied.empty:
        return set()
    copied = copied.assign(station=names["station"].to_numpy()[copied["a"]], year=names["year"].to_numpy()[copied["a"]],
                           like=names["station"].to_numpy()[copied["b"]], year_like=names["year"].to_numpy()[copied["b"]],
                           pollutant=names["pollutant"].to_numpy()[copied["a"]], day=days["day"].to_numpy()[copied["at"]])
    said: dict = {}  # the copies refused by the exact check, with their days
    for (station, year, *_), n in (refused or {}).items():
        said[station, year] = max(n, said.get((station, year), 0))
    worst: dict = {}  # per copy (station, season): the pair and shift with the most copied days
    for subject, part in copied.groupby(["station", "year", "like", "year_like"], sort=True):
        per_shift = part.groupby("shift")["day"].nunique().sort_values(ascending=False, kind="stable")
        if per_shift.iloc[0] > max(said.get(subject[:2], 0), worst.get(subject[:2], (0, None))[0]):
            worst[subject[:2]] = (per_shift.iloc[0], part[part["shift"] == per_shift.index[0]])
    for _, best in sorted(worst.values(), key=lambda found: (found[1]["station"].iloc[0], found[1]["year"].iloc[0])):
        _report(out, days, best, (least, input_limit("air_quality.near_copy_tolerance")))
    return {(str(station), int(year)) for station, year in worst}


def stamp_words(shift: int, years: int) -> str:
    """How the copy's stamps stand to the hours it has the values of (``years`` between their seasons):
    'the year set back, stamped 1 h later'."""
    moved = f"stamped {_duration(abs(shift))} {'later' if shift > 0 else 'earlier'}" if shift else ""
    if years == 0:
        return moved or "at the same hours"
    year = f"the year set {'back' if years < 0 else 'forward'}"
    return f"{year}, {moved}" if moved else year


def _duration(hours: int) -> str:
    """``hours`` as said in a message: '1 h', '31 days', '2 days 3 h'."""
    if hours < 24:
        return f"{hours} h"
    days, rest = divmod(hours, 24)
    return f"{days} day{'s' if days > 1 else ''}" + (f" {rest} h" if rest else "")


def _report(out: Collector, days: pd.DataFrame, part: pd.DataFrame, limits: tuple[float, float]) -> None:
    """One message for the copied days ``part`` of one pair at one shift (:func:`check_air_quality_near_copied`)."""
    (least, tolerance), r = limits, part.iloc[0]
    station, like, year, year_like, shift = show(r["station"]), show(r["like"]), int(r["year"]), int(r["year_like"]), int(r["shift"])
    rows = days.iloc[np.unique(part["at"].to_numpy())]
    n, span = rows["day"].nunique(), f"{rows['day'].min():%Y-%m-%d} to {rows['day'].max():%Y-%m-%d}"
    pollutants = " and ".join(p for p in ("PM2.5", "PM10") if p in set(part["pollutant"]))
    if r["station"] == r["like"] and year == year_like:
        whose = f"its own hours {_duration(shift)} earlier in the same season"
        fix = "were missing days filled with other days? leave them missing, or write the measured values"
    elif r["station"] == r["like"]:
        whose = f"its own season from {year_like}, {stamp_words(shift, year - year_like)}"
        fix = f"that season's export with the dates moved? export the season from {year} again"
    else:
        when = f" in the season from {year_like}" if year != year_like else ""
        whose = f"station {like}{when}, {stamp_words(shift, year - year_like)}"
        fix = f"the same export given for both stations ({like} and {station})? export each station's own data"
    out.add(rows["file"].iloc[0], int(rows["row"].min()), "value",
            f"station {station}, season from {year}: {pollutants} of {n:,} day{'s' if n != 1 else ''} ({span}) "
            f"have, within {tolerance:g} {UNIT} in {input_floor('air_quality.copy_day_min_hours'):g} or more hours "
            f"of each day, the hourly values of {whose} (two stations, or one station at two times, never agree so "
            f"through whole days; air_quality.near_copied_days = {least:g}, zzeval/reference/input_limits.csv): "
            f"{fix}")
