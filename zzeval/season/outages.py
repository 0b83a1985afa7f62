"""Analyser outages written as 0 in the hourly air quality (hostile review 7, finding 12; closing note 7).

An hour of an analyser outage (calibration, upkeep, power or link failure) is missing (缺测) in the
published series: Beijing's monitoring centre on its first PM2.5 hours (2012-09-29, reported by
markspestcontrol.com/kexue/kxts/2012-09-29/75020_2.html) says calibration, upkeep, communication, power
or analyser faults leave hours missing, and its cleanest hours were 3-9 µg/m³, not 0. An export that
fills such hours with 0 makes them count as measured and pulls the season mean down (12 outages of
30 h moved a township's change from −26.3 to −32.5 %).

PM2.5 and PM10 come from one analyser (or one pair), the four gases from one rack: every pollutant
of a group that a station reports exactly 0 at the same hour is an outage. A station that reports
only one of PM2.5 and PM10 has no partner to compare: there a run of
``air_quality.zero_run_hours_one_analyser`` hours or more of exactly 0 is the outage (a genuine PM
reading of 0 below the detection limit is an isolated hour). Not so for a lone gas: O3 is genuinely 0
for whole nights where NO titrates it, SO2 near its detection limit for days in clean air. Low values
that are not 0, and one pollutant of a group alone at 0 while the others are measured, pass.

Outages written as an invalid-data code (hostile review 8A, finding 1: 999 in 10 outages of 20 h moved a
township's change from −26.3 to +42.2 %): a code is written for PM2.5 and PM10 alike, so the hours show
PM2.5 = PM10, the same value hour after hour. A measured hour has PM2.5 below PM10 (PM2.5 is part of
PM10, GB 3095-2012 § 3.3, 3.4) apart from the analysers' scatter, so PM2.5 = PM10 at one value is an
isolated hour at most; ``air_quality.code_run_hours`` hours of it in a row (at
``air_quality.code_run_value_min`` µg/m³ or more: clean air near an analyser's detection limit reads
equal for hours), or such an hour at
``air_quality.code_value_min`` µg/m³ or more (where dust, the only source of so much PM10, is mostly
coarse) that stands ``air_quality.code_jump_ratio`` times above the station's PM10 of the
``air_quality.code_neighbour_hours`` hours around it (or has none measured there), is a code
(:func:`check_code_hours`). A genuine heavy-pollution hour (爆表) lies within an episode of hours near its
level, and two analysers' scatter makes PM2.5 = PM10 there by chance now and then: it passes.

Outages written as they should be, the values left empty, are missing hours (缺测): counted while the table is
checked (:func:`record_empty_values`) and said once in a notice (:func:`note_empty_values`).
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit, reference_path
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.parsing import show
from zzeval.season.runs import in_runs_of

#: Pollutants measured by one analyser (PM) or one rack of gas analysers (CO is never 0: its background
#: is 0.1-0.2 mg/m³).
ZERO_GROUPS = (("PM2.5", "PM10"), ("SO2", "NO2", "CO", "O3"))
#: The group whose one pollutant, reported alone, is never genuinely 0 for hours in a row.
NEVER_ZERO_ALONE = ("PM2.5", "PM10")


def check_zero_hours(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse a station's outage hours written as 0 (module docstring), one message per station and
    group, naming the rows and hours. ``aq``: hourly rows of whole stations (``station_code, pollutant,
    datetime, value``)."""
    zero = aq.loc[aq["value"] == 0, ["station_code", "pollutant", "datetime"]]
    if zero.empty:
        return
    reported = aq.loc[aq["value"].notna() & aq["station_code"].isin(set(zero["station_code"])),
                      ["station_code", "pollutant"]].drop_duplicates()
    run_hours = input_limit("air_quality.zero_run_hours_one_analyser")
    for group in ZERO_GROUPS:
        part = zero[zero["pollutant"].isin(group)]
        if part.empty:
            continue
        kinds = reported[reported["pollutant"].isin(group)].groupby("station_code")["pollutant"].nunique()
        n = part["station_code"].map(kinds).to_numpy()
        every = part.groupby(["station_code", "datetime"])["pollutant"].transform("nunique").to_numpy() == n
        lone = (n == 1) & (group == NEVER_ZERO_ALONE) & _in_long_runs(part, run_hours)
        for station, hours in part[(every & (n > 1)) | lone].groupby("station_code", sort=True):
            _report(out, fname, station, hours, [p for p in group if p in set(hours["pollutant"])], int(kinds[station]),
                    run_hours)


def check_code_hours(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse hours of a station where PM2.5 and PM10 are both one invalid-data code (module docstring):
    one message per station and value, naming the rows and hours. ``aq`` as for :func:`check_zero_hours`."""
    pm = aq.loc[aq["pollutant"].isin(NEVER_ZERO_ALONE) & aq["value"].notna() & (aq["value"] != 0),
                ["station_code", "pollutant", "datetime", "value"]]
    if pm.empty:
        return
    pair = pm.assign(row=pm.index).pivot_table(index=["station_code", "datetime"], columns="pollutant",
                                               values=["value", "row"], aggfunc="first")
    if ("value", "PM10") not in pair or ("value", "PM2.5") not in pair:
        return
    pair = pair[pair[("value", "PM2.5")].notna() & pair[("value", "PM10")].notna()]
    equal_hour = pair[("value", "PM2.5")] == pair[("value", "PM10")]
    # a season mostly equal is PM10 in the PM2.5 rows (aq_months.check_pm_pair says so), not codes
    season = [pair.index.get_level_values(0), season_first_year(pair.index.get_level_values(1))]
    copied = equal_hour.groupby(season).transform("mean") > input_limit("air_quality.pm25_equal_pm10_share")
    same = pair[equal_hour & ~copied]
    if same.empty:
        return
    equal = pd.DataFrame({"station_code": same.index.get_level_values(0),
                          "pollutant": same[("value", "PM10")].astype(str).to_numpy(),
                          "datetime": same.index.get_level_values(1), "value": same[("value", "PM10")].to_numpy()},
                         index=same[("row", "PM2.5")].astype(int).to_numpy())
    run_hours, high = input_limit("air_quality.code_run_hours"), input_floor("air_quality.code_value_min")
    low = input_floor("air_quality.code_run_value_min")  # clean air at an analyser's floor reads equal
    ratio = input_floor("air_quality.code_jump_ratio")
    high_hour = (equal["value"] >= high).to_numpy()
    code = _in_long_runs(equal, run_hours) & (equal["value"] >= low).to_numpy()
    code[high_hour] |= _stand_out(equal[high_hour], pm, ratio)
    for (station, value), hours in equal[code].groupby(["station_code", "value"], sort=True):
        rows, times = hours.index, hours["datetime"]
        out.add(fname, int(rows.min()) + 2, "value",
                f"station {show(station)}: PM2.5 and PM10 are both {value:g} in {len(hours):,} "
                f"hour{'s' if len(hours) != 1 else ''} (rows "
                f"{int(rows.min()) + 2:,} to {int(rows.max()) + 2:,}, {times.min():%Y-%m-%d %H:%M} to "
                f"{times.max():%Y-%m-%d %H:%M}): an invalid-data code written for an outage? PM2.5 is part of PM10 "
                f"and equals it in an isolated hour at most, never {run_hours:g} hours in a row at {low:g} µg/m³ or more, nor "
                f"at {high:g} µg/m³ or more {ratio:g} times above the station's PM10 of the {_window_hours():g} hours on each "
                "side (a pollution episode builds up over hours) (zzeval/reference/input_limits.csv); leave these hours "
                "missing (the values empty, or the rows left out)")


def _window_hours() -> float:
    return input_limit("air_quality.code_neighbour_hours")


def _stand_out(high: pd.DataFrame, pm: pd.DataFrame, ratio: float) -> np.ndarray:
    """True for the hours of ``high`` (PM2.5 = PM10 at ``air_quality.code_value_min`` or more: ``station_code,
    datetime, value``) that stand out of their station's PM10 like a code written into the series: at least
    ``ratio`` times the highest PM10 of the ``air_quality.code_neighbour_hours`` hours before and after their
    run of such hours, or with no PM10 measured in those hours. A genuine heavy-pollution hour (爆表: PM2.5 above
    500, where two analysers' scatter makes PM2.5 = PM10 by chance now and then) lies within an episode that
    builds up and clears over hours (hostile review s12: the winter generator's w+85 season, PM2.5 = PM10 =
    500 between hours of PM10 480 to 568, was refused)."""
    window = _window_hours()
    hours = pd.to_datetime(high["datetime"]).to_numpy().astype("datetime64[h]").astype(np.int64)
    pm10 = pm[(pm["pollutant"] == "PM10") & pm["station_code"].isin(set(high["station_code"]))]
    pm10_hours = pd.to_datetime(pm10["datetime"]).to_numpy().astype("datetime64[h]").astype(np.int64)
    result = np.zeros(len(high), dtype=bool)
    stations = high["station_code"].to_numpy(dtype=object)
    for station in pd.unique(stations):
        mine = np.flatnonzero(stations == station)
        run_hours = set(hours[mine].tolist())
        at = (pm10["station_code"] == station).to_numpy()
        keep = ~np.isin(pm10_hours[at], list(run_hours))
        t, v = pm10_hours[at][keep], pm10["value"].to_numpy(dtype=float)[at][keep]
        for i in mine:
            start = end = hours[i]
            while start - 1 in run_hours:
                start -= 1
            while end + 1 in run_hours:
                end += 1
            near = ((t >= start - window) & (t < start)) | ((t > end) & (t <= end + window))
            result[i] = not near.any() or float(high["value"].iloc[i]) >= ratio * float(v[near].max())
    return result


def _in_long_runs(part: pd.DataFrame, least: float) -> np.ndarray:
    """True for the rows of ``part`` (0 values; or hours of one value, its text in ``pollutant``) that lie in a
    run of at least ``least`` consecutive hours of their station and pollutant."""
    hour = pd.to_datetime(part["datetime"]).to_numpy().astype("datetime64[h]").astype(np.int64)
    groups = tuple(part[c].to_numpy(dtype=object).astype(str) for c in ("station_code", "pollutant"))
    return in_runs_of(hour, groups, least)


def _report(out: Collector, fname: str, station, hours: pd.DataFrame, names: list[str], kinds: int,
            run_hours: float) -> None:
    rows, times = hours.index, hours["datetime"]
    if kinds > 1:
        what = f"{' and '.join([', '.join(names[:-1]), names[-1]])} are {'both' if kinds == 2 else 'all'} 0"
    else:
        what = (f"{names[0]} (the only one of its analyser the station reports) is 0 for {run_hours:g} hours or "
                "more in a row")
    out.add(fname, int(rows.min()) + 2, "value",
            f"station {show(station)}: {what} in {times.nunique():,} hours (rows {int(rows.min()) + 2:,} to "
            f"{int(rows.max()) + 2:,}, {times.min():%Y-%m-%d %H:%M} to {times.max():%Y-%m-%d %H:%M}): hours of an "
            "analyser outage filled with 0? write missing hours empty, not 0 (a measured hour is never 0 for all of "
            "them; low values such as 2 are fine)")


def record_empty_values(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Count, on ``out.empty_values``, the rows of ``aq`` (whole stations, also a Parquet chunk's) whose value is
    left empty, per (file, station); cells that could not be read are problems of their own."""
    if (fname, "value") in getattr(out, "refused_columns", ()):  # refused for its header's unit: not empty
        return
    empty = aq["value"].isna() & out.readable(fname, aq.index)
    for station, n in aq.loc[empty, "station_code"].astype(str).value_counts(sort=False).items():
        out.empty_values[(fname, station)] = out.empty_values.get((fname, station), 0) + int(n)


def note_empty_values(out: Collector) -> None:
    """One notice per file for its air-quality values left empty (issue 13: the pages counted them as missing
    hours, validate said nothing), with the stations that have the most."""
    files: dict[str, dict[str, int]] = {}
    for (fname, station), n in out.empty_values.items():
        files.setdefault(fname, {})[station] = n
    for fname, stations in files.items():
        most = sorted(stations.items(), key=lambda kv: (-kv[1], kv[0]))
        listed = ", ".join(f"{show(s)} {n:,}" for s, n in most[:5]) + (
            f" and {len(most) - 5:,} more station(s)" if len(most) > 5 else "")
        out.notes.append(f"{fname}, column 'value': {sum(stations.values()):,} value(s) left empty were read as missing "
                         f"hours (缺测, e.g. an analyser outage; by station: {listed}): they count neither as measured "
                         f"nor as 0, and a day's mean needs {_daily_mean_min_hours()} valid hours of a pollutant "
                         "(zzeval/reference/data_validity.csv)")


def _daily_mean_min_hours() -> int:
    """``daily_mean_min_hours`` of ``data_validity.csv`` (GB 3095-2012 Table 4: 20)."""
    with reference_path("data_validity.csv").open(encoding="utf-8", newline="") as fh:
        return next(int(float(row["value"])) for row in csv.DictReader(fh) if row["rule"] == "daily_mean_min_hours")
