"""One station's air quality wrong for part of a season: its PM2.5 and PM10 rows swapped, or its values in a unit
1000 times off (hostile review 8A finding 20; hostile review s11-hostA findings 1 and 5; s12-hostA A01, A02).

The checks of a station's whole season miss a month: PM2.5 above PM10 in more than half the hours of a season,
or a season median below ``min_station_median``, is not reached by one month in six. A station's January with
the PM2.5 and PM10 columns exchanged (PM2.5 above PM10 in all 744 hours) moved a township's weather-adjusted
PM2.5 change from −13.7 to −8.2 %; a December exported in mg/m³ under the µg/m³ label (every value ÷ 1000)
moved it to −65.2 % and the county's from −9.6 to −17.3 %. So:

- **The PM pair** (:func:`check_pm_pair`). PM2.5 is the part of PM10 below 2.5 µm (GB 3095-2012 § 3.3, 3.4), so
  PM2.5 > PM10 (倒挂) at one station and hour is an occasional artefact of the two analysers; PM2.5 = PM10 is an
  isolated hour at most. Above ``air_quality.pm25_above_pm10_share`` of the hours (or
  ``air_quality.pm25_equal_pm10_share`` equal) of a station's season, or of any window of
  ``air_quality.window_days`` (30) days from a midnight (one starting each day) with at least
  ``air_quality.window_min_hours`` hours with both, the rows are swapped (or the PM2.5 rows hold the PM10
  values). A swap of 16 days or more fills more than half a window whatever its dates.
- **The level of a month** (:func:`check_month_levels`). Each station's calendar month of each pollutant with at
  least ``air_quality.window_min_hours`` hours: its median against the median of the station's other months
  (both seasons) and against the median of the other stations' same month (where the rows hold other stations), each
  where it is made of at least two (one other month or station wrong would make a right one's reference wrong).
  Genuine months differ by a factor of a few (Jincheng's city monthly medians of 2015-2017 within 0.21-3.3
  times the other months'); beyond ``air_quality.month_level_ratio`` either way of either reference the month is
  in a unit 1000 times off. A station-season already refused by its season median is not reported again.
  Against the other stations' same month only, beyond ``air_quality.month_station_ratio`` (5) either way is a
  judgement (``aq_month_level``, confirmable): the stations of one county move together (within 2.1 times in
  the samples and the winter generator), so a month ÷ 10 (a decimal slip; hostile re-review s11-reA A31b: −13.7
  → −46.8 %) is beyond it.
- **A few days off the other stations** (:func:`check_day_levels`): 3 days in a row beyond 30 times the other
  stations' same days (a unit 1000 times off); 3 days or more beyond ``air_quality.day_station_ratio`` (5) times
  relative to the station's usual factor, a judgement (``aq_day_level``; hostile review s12-hostA A01/A02: a
  fortnight divided by 10).
- **A short swap** (:mod:`zzeval.season.pm_pair_days`): ``air_quality.pm25_above_pm10_run_days`` (3) days within
  30, each with PM2.5 above PM10 in most of its hours and well above it over the day (or equal to it in most hours).

Checked on rows that hold every row of their stations (a table, or a station-complete Parquet chunk); the
other stations' same month is the reference only where the rows hold other stations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import (
    Collector,
    plausible_limits,
    plausible_station_medians,
    season_first_year,
)
from zzeval.season.confirm import judge
from zzeval.season.day_windows import window_sums
from zzeval.season.parsing import show
from zzeval.season.pm_pair_days import check_pm_pair_days
from zzeval.season.schema import POLLUTANT_UNITS
from zzeval.season.stuck_weather import median_of_the_others

#: The judgement check (``season.yaml`` ``confirmed:``) of a station's month far from the other stations'.
MONTH_CHECK = "aq_month_level"

#: The judgement check of a run of days of a station far from the other stations' same days.
DAY_CHECK = "aq_day_level"

#: The key of input_limits.csv: the most a station's month may be times the other stations' (either way).
MONTH_RATIO_LIMIT = "air_quality.month_station_ratio"

#: The key of input_limits.csv: the most a station's daily median may be times the other stations' (either way).
DAY_RATIO_LIMIT = "air_quality.day_station_ratio"

#: The two pollutants of the PM analyser pair.
PM = ("PM2.5", "PM10")


def check_pm_pair(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse a station whose PM2.5 is above (or equal to) its PM10 in more than the limit's share of the hours
    of a season, or else of a window of ``air_quality.window_days`` days (module docstring): one problem per
    station and season, naming the first row, the days and the share."""
    pm = aq[aq["pollutant"].isin(PM) & aq["value"].notna() & aq["datetime"].notna()]
    if pm.empty:
        return
    wide = pm.pivot_table(index=["station_code", "datetime"], columns="pollutant", values="value", aggfunc="first")
    if not set(PM) <= set(wide.columns):
        return
    wide = wide.dropna()
    if wide.empty:
        return
    times = wide.index.get_level_values(1)
    station, stations = wide.index.codes[0].astype(np.int64), wide.index.levels[0]
    flags = {"above": (wide["PM2.5"] > wide["PM10"]).to_numpy(), "equal": (wide["PM2.5"] == wide["PM10"]).to_numpy()}
    limits = {"above": input_limit("air_quality.pm25_above_pm10_share"),
              "equal": input_limit("air_quality.pm25_equal_pm10_share")}
    year, years = pd.factorize(season_first_year(times))
    key = station * len(years) + year
    size = len(stations) * len(years)
    n = np.bincount(key, minlength=size)
    counts = {which: np.bincount(key, flag, minlength=size) for which, flag in flags.items()}
    refused = set()
    for k in np.flatnonzero(n >= 24):
        which = next((w for w in ("above", "equal") if counts[w][k] > limits[w] * n[k]), None)
        if which is None:
            continue
        code, first_year = stations[k // len(years)], int(years[k % len(years)])
        refused.add((code, first_year))
        start = times[key == k].min()
        _report_pair(pm, (code, first_year), (which, int(counts[which][k]), int(n[k]), limits[which]),
                     f"season from {first_year}", start, fname, out)
    values = {"pm25": wide["PM2.5"].to_numpy(dtype=float), "pm10": wide["PM10"].to_numpy(dtype=float)}
    _check_pm_windows(pm, (station, stations, times.to_numpy()), (flags, values), limits, refused, fname, out)


def _check_pm_windows(pm: pd.DataFrame, hours: tuple, flagged: tuple, limits: dict, refused: set,
                      fname: str, out: Collector) -> None:
    """The PM pair over windows of ``air_quality.window_days`` days (:func:`check_pm_pair`), for the station-seasons
    the season's share did not refuse: ``hours`` the station number, the stations and the time of each hour with
    both; ``flagged`` whether PM2.5 is above and equal to PM10 in it, and its PM2.5 and PM10."""
    station, stations, times = hours
    days, least = round(input_limit("air_quality.window_days")), input_floor("air_quality.window_min_hours")
    stamp = times.astype("datetime64[D]")
    day0 = stamp.min()
    day = (stamp - day0).astype(np.int64)
    span = int(day.max()) + 1
    key, size = station * span + day, len(stations) * span

    def per_day(weights=None) -> np.ndarray:
        return np.bincount(key, weights, minlength=size).reshape(len(stations), span)

    flags, values = flagged
    daily = {"hours": per_day(), **{w: per_day(f.astype(float)) for w, f in flags.items()}}

    sums = {w: window_sums(v, days, axis=1) for w, v in daily.items()}
    daily.update({w: per_day(v) for w, v in values.items()})  # the sums of PM2.5 and PM10 of each day  # the sum of the days from each day on
    grid = pd.date_range(pd.Timestamp(day0), periods=span, freq="D")
    start_years = season_first_year(grid)
    for which in ("above", "equal"):
        bad = (sums["hours"] >= least) & (sums[which] > limits[which] * sums["hours"])
        for s, d in zip(*np.nonzero(bad), strict=True):
            if (stations[s], int(start_years[d])) in refused:
                bad[s, d] = False
        for s in np.flatnonzero(bad.any(axis=1)):
            for year in pd.unique(start_years[bad[s]]):
                starts = np.flatnonzero(bad[s] & (start_years == year))
                refused.add((stations[s], int(year)))
                share = sums[which][s, starts] / sums["hours"][s, starts]
                worst = int(starts[np.argmax(share)])
                cover = np.arange(starts.min(), min(starts.max() + days, span))
                spell = cover[daily[which][s, cover] * 2 > daily["hours"][s, cover]]
                first, last = (grid[spell.min()], grid[spell.max()]) if len(spell) else (grid[worst], grid[worst])
                when = (f"{days} days from {grid[worst]:%Y-%m-%d}"
                        + (f" ({len(starts)} such windows from {grid[starts.min()]:%Y-%m-%d} to "
                           f"{grid[starts.max()]:%Y-%m-%d}; in most hours of the days {first:%Y-%m-%d} to "
                           f"{last:%Y-%m-%d})" if len(starts) > 1 else ""))
                _report_pair(pm, (stations[s], int(year)), (which, int(sums[which][s, worst]),
                             int(sums["hours"][s, worst]), limits[which]), when, first, fname, out, days)
    check_pm_pair_days(pm, (stations, grid, start_years), daily, refused, fname, out)


def _report_pair(pm: pd.DataFrame, subject: tuple, share: tuple, when: str, start, fname: str, out: Collector,
                 days: int | None = None) -> None:
    """One refusal of the PM pair: ``share`` (above/equal, hours so, hours, limit) over ``when``; the row is the
    first PM2.5 row of the station from ``start`` (a time or a day)."""
    station, year = subject
    which, count, n, limit = share
    rows = pm.index[(pm["station_code"] == station) & (pm["pollutant"] == "PM2.5") & (pm["datetime"] >= start)]
    of = (f"the hours of any {days} days: air_quality.pm25_{which}_pm10_share and air_quality.window_days in "
          if days else "the hours, ")
    these = " of these days" if days else ""
    if which == "above":
        what = (f"above PM10 in {count:,} of {n:,} hours ({count / n:.0%}); PM2.5 is part of PM10, so this happens "
                f"only now and then (at most {limit:.0%} of {of}zzeval/reference/input_limits.csv): are the PM2.5 "
                f"and PM10 rows{these} swapped?" + (" exchange them, or export these days again" if days else ""))
    else:
        what = (f"equal to PM10 in {count:,} of {n:,} hours ({count / n:.0%}); PM2.5 is the fine part of PM10 and "
                f"equals it in a few hours at most (at most {limit:.0%} of {of}zzeval/reference/input_limits.csv): "
                f"do the PM2.5 rows{these} hold the PM10 values? export the PM2.5 column{these} again")
    out.add(fname, int(rows.min()) + 2 if len(rows) else None, "pollutant",
            f"station {show(station)}, {when if days else f'season from {year}'}: PM2.5 is {what}")


def series_codes(aq: pd.DataFrame) -> tuple[np.ndarray, pd.MultiIndex]:
    """Of each row of ``aq``: the number of its series (station and pollutant; -1 where either is missing),
    and the (station, pollutant) of each number. Factorized once for the checks of parts of a season (integer
    keys group far faster than the text of two columns)."""
    station, stations = pd.factorize(aq["station_code"])
    pollutant, pollutants = pd.factorize(aq["pollutant"])
    width = max(len(pollutants), 1)
    pair = np.where((station >= 0) & (pollutant >= 0), station * width + pollutant, -1)
    present = np.bincount(pair[pair >= 0], minlength=len(stations) * width) > 0
    number = np.cumsum(present) - 1  # the series' numbers, in the order of (station, pollutant)
    series = np.where(pair >= 0, number[np.maximum(pair, 0)], -1)
    used = np.flatnonzero(present)
    names = pd.MultiIndex.from_arrays([stations[used // width], pollutants[used % width]], names=["station", "pollutant"])
    return series, names


def held_by_others(slipped: set) -> dict:
    """(pollutant, month) -> the stations of ``slipped`` ((station, pollutant, month) refused against their CO,
    :mod:`zzeval.season.pm_co_ratio`): a station's month or days of that pollutant and month are not judged
    against the other stations while another station of them is refused so (its reference is the slipped one)."""
    held: dict = {}
    for station, pollutant, month in slipped:
        held.setdefault((pollutant, np.datetime64(month, "M")), set()).add(station)
    return held


def check_month_levels(aq: pd.DataFrame, fname: str, out: Collector, refused: set, codes: tuple,
                       slipped: set = frozenset()) -> set:
    """Refuse each station's calendar month whose median of a pollutant is beyond ``air_quality.month_level_ratio``
    times either way of the station's other months or of the other stations' same month (module docstring): one
    problem per station and month, naming its rows and the pollutants. ``refused``: (station, pollutant, season's
    first year) refused by their season's median already; ``codes``: :func:`series_codes` of ``aq``; ``slipped``:
    (station, pollutant, month) of a spell refused against the station's CO (:mod:`zzeval.season.pm_co_ratio`):
    the other stations' months of that pollutant and month are not judged against it (their reference is the
    slipped station; hostile review s14-hostB N05, N45b). Returns the (station, pollutant, month) refused, as
    :class:`numpy.datetime64` months."""
    series, names = codes
    usable = ((aq["value"] >= 0) & aq["datetime"].notna()).to_numpy() & (series >= 0)
    if not usable.any():
        return set()
    month = aq["datetime"].to_numpy()[usable].astype("datetime64[M]")
    first_month = month.min()
    index = (month - first_month).astype(np.int64)
    span = int(index.max()) + 1
    key = series[usable] * span + index
    stats = pd.Series(aq["value"].to_numpy(dtype=float)[usable]).groupby(key).agg(["median", "size"])
    stats = stats[stats["size"] >= input_floor("air_quality.window_min_hours")]
    if len(stats) < 2:
        return set()
    key = stats.index.to_numpy()
    station = names.get_level_values(0)[key // span].astype(str)
    pollutant = names.get_level_values(1)[key // span].astype(str)
    when = first_month + (key % span).astype("timedelta64[M]")
    stats = pd.DataFrame({"station": station, "pollutant": pollutant, "month": when, "median": stats["median"].to_numpy(),
                          "hours": stats["size"].to_numpy()})
    values = stats["median"].to_numpy(dtype=float)
    own, same = (_reference(values, groups) for groups in (
        key // span, pd.factorize(pollutant + "\0" + when.astype(str))[0]))
    limit = input_limit("air_quality.month_level_ratio")
    split, named = _split_seasons(stats, key // span, limit, refused, fname, out)
    if split.any():  # its other months of the same season only: the other season's are in another unit
        by_season = _reference(values, pd.factorize((key // span).astype(str) + "\0" +
                                                    season_first_year(when).astype(str))[0])
        own = np.where(split, by_season, own)
    with np.errstate(all="ignore"):
        off = np.zeros(len(stats), dtype=bool)
        for ref in (own, same):
            ratio = values / ref
            off |= (values > 0) & (ref > 0) & ((ratio > limit) | (ratio < 1 / limit))
    years = season_first_year(when)
    fresh = np.array([(s, p, int(y)) not in refused for s, p, y in zip(station, pollutant, years, strict=True)],
                     dtype=bool)
    off &= fresh
    held = held_by_others(slipped)
    against = np.array([not held.get((p, np.datetime64(m, "M")), set()) - {s} for s, p, m in
                        zip(station, pollutant, when, strict=True)], dtype=bool)
    judged = _judge_station_months(aq, stats.assign(same=same)[fresh & ~off & against], fname, out) | named
    if not off.any():
        return judged
    stats = stats.assign(own=own, same=same)[off]
    stamp = aq["datetime"].to_numpy().astype("datetime64[M]")
    for (code, month_of), rows in stats.groupby(["station", "month"], sort=True):
        at = np.flatnonzero((aq["station_code"] == code).to_numpy() & (stamp == np.datetime64(month_of, "M"))
                            & aq["pollutant"].isin(set(rows["pollutant"])).to_numpy())
        _report_month(rows, (code, pd.Timestamp(month_of)), (int(aq.index[at].min()), int(aq.index[at].max())),
                      limit, fname, out)
    return judged | {(s, p, np.datetime64(m, "M")) for s, p, m in zip(stats["station"], stats["pollutant"],
                                                                       stats["month"], strict=True)}


def _split_seasons(stats: pd.DataFrame, series: np.ndarray, limit: float, refused: set, fname: str,
                   out: Collector) -> tuple[np.ndarray, set]:
    """Per month of ``stats``: whether its station's pollutant has two seasons whose medians of monthly medians lie
    beyond ``limit`` (``air_quality.month_level_ratio``) times apart: one season in a unit 1000 times off. Such a
    series is named once, by its seasons (the one whose median is outside the plausible range, where one is:
    ``plausible_limits.csv``), and its months are then judged against the months of their own season: pooled,
    the wrong season's months made the reference of the right ones, which were told "multiply them by 1000"
    (hostile review s13-hostB, A37: a previous season of CO in µg/m³ under mg/m³). ``refused``: (station,
    pollutant, season) refused by their season's median already (not named again). Also returns the (station,
    pollutant, month) of the season named (both, where which cannot be told), which later checks do not judge."""
    split = np.zeros(len(stats), dtype=bool)
    named: set = set()
    years = np.asarray(season_first_year(stats["month"]))
    frame = stats.assign(series=series, year=years)
    tops, floors = plausible_limits(), plausible_station_medians()
    for code, part in frame.groupby("series", sort=True):
        level = part.groupby("year")["median"].median()
        if len(level) < 2 or not (level > 0).all() or level.max() <= limit * level.min():
            continue
        split[(frame["series"] == code).to_numpy()] = True
        station, pollutant = part["station"].iloc[0], part["pollutant"].iloc[0]
        if any((station, pollutant, int(y)) in refused for y in level.index):
            continue
        unit = POLLUTANT_UNITS.get(pollutant, "")
        wrong = [int(y) for y, m in level.items() if m > tops.get(pollutant, np.inf) or m < floors.get(pollutant, 0)]
        skip = part[part["year"].isin(wrong)] if len(wrong) == 1 else part
        named |= {(station, pollutant, np.datetime64(m, "M")) for m in skip["month"]}
        seasons = "; ".join(f"season from {int(y)} {m:.3g} {unit}" for y, m in level.items())
        high = len(wrong) == 1 and level[wrong[0]] > level.min()
        which = (f"the season from {wrong[0]} is outside the plausible range (zzeval/reference/plausible_limits.csv), "
                 f"the other season within it: are the season from {wrong[0]}'s values in a unit 1000 times "
                 + ("smaller than labelled? divide them by 1000" if high else "larger than labelled? multiply them by "
                    "1000") if len(wrong) == 1 else
                 "one season is in a unit 1000 times off: find which from the unit of its export, and write it in "
                 f"{unit}")
        out.add(fname, None, "value",
                f"station {show(station)}, {pollutant}: the median of its months is {seasons}, {level.max() / level.min():.3g} "
                f"times apart; genuine seasons differ by a factor of a few, never more than {limit:g} "
                f"(air_quality.month_level_ratio, zzeval/reference/input_limits.csv): {which}")
    return split, named


def _reference(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The median of the other values of each one's group, where they are at least two (NaN otherwise): with one
    other, a month wrong would make the right one's reference wrong too."""
    others = np.bincount(groups)[groups] - 1
    return np.where(others >= 2, median_of_the_others(values, groups), np.nan)


def _report_month(rows: pd.DataFrame, subject: tuple, span: tuple, limit: float, fname: str, out: Collector) -> None:
    """One refusal of a station's month: ``rows`` its pollutants beyond the limit, ``span`` its first and last row
    labels."""
    station, when = subject
    low = bool((rows["median"] < np.fmax(rows["own"].fillna(0), rows["same"].fillna(0))).all())
    parts = []
    for r in rows.itertuples():
        refs = [f"its other months {ref:.3g}" for ref in [r.own] if np.isfinite(ref)] + \
               [f"the other stations {ref:.3g}" for ref in [r.same] if np.isfinite(ref)]
        parts.append(f"{r.pollutant} {r.median:.3g} {POLLUTANT_UNITS.get(r.pollutant, '')} ({', '.join(refs)})")
    fix = ("in a unit 1000 times larger than labelled (mg/m³ under µg/m³; for CO, g/m³ under mg/m³)? multiply "
           "them by 1000" if low else "in a unit 1000 times smaller than labelled (µg/m³ under mg/m³ for CO, "
           "ng/m³ under µg/m³)? divide them by 1000")
    out.add(fname, span[0] + 2, "value",
            f"station {show(station)}, {when:%Y-%m}: the median of the month's hours (rows {span[0] + 2:,} "
            f"to {span[1] + 2:,}) is {'; '.join(parts)}; genuine months differ by a factor of a few, "
            f"never more than {limit:g} (air_quality.month_level_ratio, zzeval/reference/input_limits.csv): are this "
            f"month's values {fix}")


def _judge_station_months(aq: pd.DataFrame, stats: pd.DataFrame, fname: str, out: Collector) -> set:
    """Refuse (confirmably, ``aq_month_level``) each station's month of a pollutant whose median is beyond
    ``air_quality.month_station_ratio`` times either way of the other stations' same month (``stats``: the months
    within ``air_quality.month_level_ratio``, with ``same`` the other stations' median): genuine stations of one
    county move together (hostile re-review s11-reA finding A31b/N06: a December of ZZ101 ÷ 10 passed). Returns
    the (station, pollutant, month) judged, which the stuck-analyser check does not judge again."""
    limit = input_limit(MONTH_RATIO_LIMIT)
    with np.errstate(all="ignore"):
        ratio = stats["median"].to_numpy(dtype=float) / stats["same"].to_numpy(dtype=float)
        off = (stats["median"].to_numpy() > 0) & (ratio > 0) & ((ratio > limit) | (ratio < 1 / limit))
    if not off.any():
        return set()
    stamp = aq["datetime"].to_numpy().astype("datetime64[M]")
    for r in stats[off].itertuples():
        at = np.flatnonzero((aq["station_code"] == r.station).to_numpy() & (aq["pollutant"] == r.pollutant).to_numpy()
                            & (stamp == np.datetime64(r.month, "M")))
        first, last = int(aq.index[at].min()) + 2, int(aq.index[at].max()) + 2
        unit = POLLUTANT_UNITS.get(r.pollutant, "")
        low = r.median < r.same
        message = (f"station {show(r.station)}, {pd.Timestamp(r.month):%Y-%m}: the median of the month's {r.pollutant} "
                   f"(rows {first:,} to {last:,}) is {r.median:.3g} {unit} against {r.same:.3g} {unit} at the other "
                   f"stations in the same month ({r.median / r.same:.2g} times); the stations of one county move "
                   f"together, within {limit:g} times either way (air_quality.month_station_ratio, "
                   f"zzeval/reference/input_limits.csv): are this month's values "
                   + ("divided by 10 (a decimal slip) or in another unit? write them as measured"
                      if low else "multiplied by 10 or in another unit? write them as measured"))
        judge(out, MONTH_CHECK, f"{r.station} {r.pollutant} {pd.Timestamp(r.month):%Y-%m}", (fname, first, "value"),
              message)
    return {(r.station, r.pollutant, np.datetime64(r.month, "M")) for r in stats[off].itertuples()}


def check_day_levels(aq: pd.DataFrame, fname: str, out: Collector, months: set, codes: tuple,
                     slipped: set = frozenset()) -> set:
    """Refuse a run of ``air_quality.day_level_run_days`` (3) days or more of a station's pollutant whose daily
    median is beyond ``air_quality.month_level_ratio`` (30) times either way of the other stations' same day (at
    least two others; days of ``air_quality.copy_day_min_hours`` hours): a few days exported in a unit 1000
    times off, shorter than a month (hostile re-review s11-reA W2: 14 days in mg/m³ under µg/m³ passed; genuine
    days lie within 4.0 times of the other stations', 3-day runs within 3.4). ``months``: (station, pollutant,
    month) refused already; ``slipped``: as :func:`check_month_levels`'s (a spell judged against its references
    is not said while another station of them is refused against its CO). Returns the (station, pollutant,
    month) of the runs refused (their first and last months)."""
    series, names = codes
    usable = ((aq["value"] >= 0) & aq["datetime"].notna()).to_numpy() & (series >= 0)
    if not usable.any():
        return set()
    stamp = aq["datetime"].to_numpy()[usable].astype("datetime64[D]")
    day0 = stamp.min()
    span = int((stamp.max() - day0).astype(np.int64)) + 1
    key = series[usable] * span + (stamp - day0).astype(np.int64)
    stats = pd.Series(aq["value"].to_numpy(dtype=float)[usable]).groupby(key).agg(["median", "size"])
    stats = stats[stats["size"] >= input_floor("air_quality.copy_day_min_hours")]
    if len(stats) < 3:
        return set()
    key = stats.index.to_numpy()
    pollutant = names.get_level_values(1)[key // span].astype(str)
    values = stats["median"].to_numpy(dtype=float)
    same = _reference(values, pd.factorize(pollutant + "\0" + (key % span).astype(str))[0])
    limit, run_days = input_limit("air_quality.month_level_ratio"), round(input_floor("air_quality.day_level_run_days"))
    with np.errstate(all="ignore"):
        off = (same > 0) & ((values * limit < same) | (values > limit * same))
        far = _far_from_usual(values, same, key // span)
    said = _judge_day_runs((aq, codes, key, span, day0), far, (values, same), off, months, fname, out,
                           held_by_others(slipped))
    if off.sum() < run_days:
        return said
    flags = np.zeros((len(names), span), dtype=np.int8)
    flags[key[off] // span, key[off] % span] = 1
    median = dict(zip(key, values, strict=True))
    reference = dict(zip(key, same, strict=True))
    for k in np.flatnonzero(flags.sum(axis=1) >= run_days):
        station, what = names[k]
        edges = np.diff(np.concatenate([[0], flags[k], [0]]))
        for begin, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            first, last = day0 + np.timedelta64(int(begin), "D"), day0 + np.timedelta64(int(end - 1), "D")
            if end - begin < run_days or {(station, what, first.astype("datetime64[M]")),
                                          (station, what, last.astype("datetime64[M]"))} <= months:
                continue
            at = np.flatnonzero((series == k) & (aq["datetime"].to_numpy() >= first)
                                & (aq["datetime"].to_numpy() < last + np.timedelta64(1, "D")))
            said |= {(station, what, first.astype("datetime64[M]")), (station, what, last.astype("datetime64[M]"))}
            mid = k * span + begin
            unit = POLLUTANT_UNITS.get(what, "")
            low = median[mid] < reference[mid]
            out.add(fname, int(aq.index[at].min()) + 2, "value",
                    f"station {show(station)}, {end - begin} days from {first} to {last}: the daily median of {what} "
                    f"(rows {int(aq.index[at].min()) + 2:,} to {int(aq.index[at].max()) + 2:,}) is beyond "
                    f"{limit:g} times the other stations' same days (on {first}: {median[mid]:.3g} against "
                    f"{reference[mid]:.3g} {unit}; air_quality.month_level_ratio and air_quality.day_level_run_days "
                    "in zzeval/reference/input_limits.csv): are these days' values in a unit 1000 times "
                    + ("larger than labelled (mg/m³ under µg/m³)? multiply them by 1000" if low else
                       "smaller than labelled (µg/m³ under mg/m³ for CO)? divide them by 1000"))
    return said


def _far_from_usual(values: np.ndarray, same: np.ndarray, series: np.ndarray) -> np.ndarray:
    """Whether each day's median (``values``) is beyond ``air_quality.day_station_ratio`` times either way of the
    other stations' same day (``same``) relative to the station's usual factor, the median over its days of its
    series (``series``): a clean mountain station at 0.4 times the valley's every day is at its usual level."""
    distance = _distance_from_usual(values, same, series)
    with np.errstate(all="ignore"):
        return np.isfinite(distance) & (distance > np.log(input_limit(DAY_RATIO_LIMIT)))


def _distance_from_usual(values: np.ndarray, same: np.ndarray, series: np.ndarray) -> np.ndarray:
    """|log(day's median / the other stations') − the station's usual log factor| of each day (NaN where not
    usable): how far a station's day is from its usual level against the others (:func:`_far_from_usual`)."""
    with np.errstate(all="ignore"):
        factor = np.log(values / same)
    usable = np.isfinite(factor)
    if not usable.any():
        return np.full(len(values), np.nan)
    usual = pd.Series(factor[usable]).groupby(series[usable]).median()
    shift = usual.reindex(series).to_numpy()
    with np.errstate(all="ignore"):
        return np.where(usable, np.abs(factor - shift), np.nan)


def _reflections(key: np.ndarray, far: np.ndarray, distance: np.ndarray, span: int, pollutant_of) -> np.ndarray:
    """series × day: True where a flagged day of a station is not the farthest of its pollutant's stations flagged
    that day. With three stations a station's reference is the mean of the two others, so one station's decimal
    slip (× 10) puts a genuine station's day 5 times below its reference too (hostile review s13-hostB, A23: the
    innocent station was told "divided by 10?"); the station farthest from its usual level is the one named."""
    flagged = np.flatnonzero(far)
    day = key[flagged] % span
    group = pd.Series(distance[flagged]).groupby([pollutant_of(key[flagged] // span), day])
    farthest = group.transform("max").to_numpy()
    n = int(key.max() // span) + 1 if len(key) else 0
    out = np.zeros((n, span), dtype=bool)
    shadow = distance[flagged] < farthest
    out[key[flagged][shadow] // span, day[shadow]] = True
    return out


def _spells(flags: np.ndarray, least: int):
    """The spells of each row of ``flags`` (series × day) holding ``least`` flagged days or more, one day at most
    between two (a day of a decimal slip near the other stations' level does not split it): (row, begin, end)."""
    for k in np.flatnonzero(flags.sum(axis=1) >= least):
        flagged = np.flatnonzero(flags[k])
        breaks = np.flatnonzero(np.diff(flagged) > 2)
        for part in np.split(flagged, breaks + 1):
            if len(part) >= least:
                yield int(k), int(part[0]), int(part[-1]) + 1


def _judge_day_runs(days: tuple, far: np.ndarray, levels: tuple, off: np.ndarray, months: set, fname: str,
                    out: Collector, held: dict | None = None) -> set:
    """Refuse (confirmably, ``aq_day_level``) a spell of ``air_quality.day_level_run_days`` days or more (one day at
    most between two) of a station's pollutant whose daily median is beyond ``air_quality.day_station_ratio`` (5)
    times either way of the other stations' same day relative to the station's usual factor
    (:func:`_far_from_usual`), unless it holds a run of as many days beyond ``air_quality.month_level_ratio``
    (refused as a unit 1000 times off): a fortnight divided by 10 (a decimal slip in one export) inside months
    whose medians stay right (hostile review s12-hostA A01, A02). ``days``: the table, its series codes, each
    day's key (series × span + day), the span and the first day; ``levels``: each day's median and the other
    stations'; ``held``: :func:`held_by_others` (a spell whose other stations are refused against their CO is not
    judged). Returns the (station, pollutant, month) of the spells refused (first and last months)."""
    aq, codes, key, span, day0 = days
    series, names = codes
    held, said = held or {}, set()
    run_days = round(input_floor("air_quality.day_level_run_days"))
    if far.sum() < run_days:
        return said
    flags = np.zeros((len(names), span), dtype=np.int8)
    flags[key[far] // span, key[far] % span] = 1
    hard = np.zeros((len(names), span), dtype=bool)
    hard[key[off] // span, key[off] % span] = True
    level = dict(zip(key, zip(*levels, strict=True), strict=True))
    limit = input_limit(DAY_RATIO_LIMIT)
    stamps = aq["datetime"].to_numpy()
    shadowed = _reflections(key, far, _distance_from_usual(levels[0], levels[1], key // span), span,
                            lambda s: np.asarray(names.get_level_values(1)[s]).astype(str))
    for k, begin, end in _spells(flags, run_days):
        station, what = names[k]
        first, last = day0 + np.timedelta64(begin, "D"), day0 + np.timedelta64(end - 1, "D")
        if k < len(shadowed) and shadowed[k, begin:end].sum() * 2 > flags[k, begin:end].sum():
            continue  # most of its days are another station's slip seen from here (_reflections)
        in_row = np.convolve(hard[k, begin:end].astype(int), np.ones(run_days, dtype=int), "valid")
        if in_row.max(initial=0) >= run_days or {(station, what, first.astype("datetime64[M]")),
                                        (station, what, last.astype("datetime64[M]"))} <= months:
            continue
        if any(held.get((what, m.astype("datetime64[M]")), set()) - {station} for m in (first, last)):
            continue  # its references slipped (aq_pm_co_ratio names them; hostile review s14-hostB N45b)
        said |= {(station, what, first.astype("datetime64[M]")), (station, what, last.astype("datetime64[M]"))}
        at = np.flatnonzero((series == k) & (stamps >= first) & (stamps < last + np.timedelta64(1, "D")))
        row, end_row = int(aq.index[at].min()) + 2, int(aq.index[at].max()) + 2
        median, reference = level[k * span + begin]
        unit = POLLUTANT_UNITS.get(what, "")
        low = median < reference
        count = int(flags[k, begin:end].sum())
        message = (f"station {show(station)}, {count} days from {first} to {last}: the daily median of {what} "
                   f"(rows {row:,} to {end_row:,}) is beyond {limit:g} times the other stations' same days relative to its usual factor (on "
                   f"{first}: {median:.3g} against {reference:.3g} {unit}); the stations of one county move together, "
                   f"genuine runs of {run_days} days within 3.4 times (air_quality.day_station_ratio and "
                   "air_quality.day_level_run_days in zzeval/reference/input_limits.csv): are these days' values "
                   + ("divided by 10 (a decimal slip) or in another unit? write them as measured" if low else
                      "multiplied by 10 or in another unit? write them as measured"))
        judge(out, DAY_CHECK, f"{station} {what} {first}..{last}", (fname, row, "value"), message)
    return said
