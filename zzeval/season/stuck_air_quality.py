"""Air-quality analysers stuck for part of a season, flickering in their last digit (hostile review s11-hostA,
finding 3).

The air-quality counterpart of :mod:`zzeval.season.stuck_weather`. An analyser that stops measuring repeats its
last value (refused by :func:`zzeval.season.plausible._check_stuck_values` after
``air_quality.pm_unchanged_hours`` hours in a row) or flickers in its last digit: PM2.5 at 30, 31, 30, 31 … for 45
days passed, and moved a township's weather-adjusted PM2.5 change from −13.7 to −26.5 %.

Each station's pollutant is judged over every window of ``air_quality.window_days`` (30) days from a midnight, one
starting each day, by its spread: the median over the window's days of each day's standard deviation of the hourly
values (days with at least ``air_quality.copy_day_min_hours`` hours; a window needs
``air_quality.stuck_window_min_days`` such days). The median of days, so that a few spikes written among stuck
days do not hide them. The reference is the larger of the median of the other stations' spread in the same
window (where the rows hold other stations) and the median of the station's own days of both seasons: a spread
at most ``air_quality.stuck_ratio`` times the reference's is refused (a judgement check, ``aq_stuck``: confirmable in
season.yaml), one problem per spell (windows starting on consecutive days, :mod:`zzeval.season.stuck_spells`)
naming the first row of the window that varies least, the first and last refused window and the spreads; a
confirmation names the spell's days (``ZZ101 PM2.5 2020-12-01..2021-02-12``) and covers that spell only, the
season form (``ZZ101 PM2.5 2020-2021``) only a spell of every window of the season judged. A stuck spell of 16 days or more fills more than half of a
window. Pollutants a run of one value refused already, and months refused as in another unit
(:mod:`zzeval.season.aq_months`), are not judged again.

Checked on rows that hold every row of their stations (a table, or a station-complete Parquet chunk).
Cost: one group-by of the hourly rows by station, pollutant and day, and rolling medians of the days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.day_windows import window_medians
from zzeval.season.parsing import show
from zzeval.season.schema import POLLUTANT_UNITS
from zzeval.season.stuck_spells import judge_spell, season_end, spell_numbers

#: The judgement check (``season.yaml`` ``confirmed:``) of a stuck analyser.
CHECK = "aq_stuck"


def day_spreads(aq: pd.DataFrame, skip: set, months: set, codes: tuple) -> pd.DataFrame:
    """Day × (station, pollutant) standard deviations of the hourly values: days with at least
    ``air_quality.copy_day_min_hours`` hours, NaN otherwise and in the ``months`` (station, pollutant, month)
    given. ``skip``: (station, pollutant) left out; ``codes``: :func:`zzeval.season.aq_months.series_codes` of
    ``aq``. Counted with :func:`numpy.bincount` on integer keys (the
    values less their series' mean, so that the sums of squares lose no precision)."""
    series, names = codes
    given = (aq["value"].notna() & aq["datetime"].notna()).to_numpy() & (series >= 0)
    if not given.any():
        return pd.DataFrame()
    series = series[given]
    stamp = aq["datetime"].to_numpy()[given].astype("datetime64[D]")
    day0 = stamp.min()
    day = (stamp - day0).astype(np.int64)
    span = int(day.max()) + 1
    key = series * span + day
    value = aq["value"].to_numpy(dtype=float)[given]
    with np.errstate(all="ignore"):
        value = value - (np.bincount(series, value, minlength=len(names)) / np.bincount(series, minlength=len(names)))[series]
    size = len(names) * span
    n = np.bincount(key, minlength=size).astype(float)
    total, squares = np.bincount(key, value, minlength=size), np.bincount(key, value * value, minlength=size)
    with np.errstate(all="ignore"):
        sd = np.sqrt(np.maximum(squares - total * total / n, 0.0) / (n - 1))
    sd[n < input_floor("air_quality.copy_day_min_hours")] = np.nan
    grid = pd.date_range(pd.Timestamp(day0), periods=span, freq="D")
    spread = pd.DataFrame(sd.reshape(len(names), span).T, index=grid, columns=names)
    month = grid.to_numpy().astype("datetime64[M]")
    for column in names:
        if column in skip:
            spread[column] = np.nan
        for m in {m for s, p, m in months if (s, p) == column}:
            spread.loc[month == m, column] = np.nan
    return spread.dropna(axis=1, how="all")


def window_ratios(spread: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per window start (a day) × (station, pollutant): the window's spread (the median of its days') and its
    reference's (module docstring)."""
    days = round(input_limit("air_quality.window_days"))
    window = window_medians(spread, days, round(input_floor("air_quality.stuck_window_min_days")))
    own = spread.median().to_numpy()
    ref = np.full(window.shape, np.nan)
    values = window.to_numpy()
    pollutants = window.columns.get_level_values(1)
    for pollutant in pd.unique(pollutants):
        columns = np.flatnonzero(pollutants == pollutant)
        if len(columns) == 1:
            ref[:, columns[0]] = own[columns[0]]
            continue
        others = np.array([columns[columns != c] for c in columns])  # per column, the other stations' columns
        ref[:, columns] = np.fmax(_nan_median(values[:, others]), own[columns])
    return window, pd.DataFrame(ref, index=window.index, columns=window.columns)


def _nan_median(block: np.ndarray) -> np.ndarray:
    """The median over the last axis of ``block``, NaN ignored (NaN where none): sorted, NaN last."""
    ordered = np.sort(block, axis=-1)
    n = np.isfinite(ordered).sum(axis=-1)
    low = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    high = np.take_along_axis(ordered, np.maximum(n // 2, 0).clip(max=block.shape[-1] - 1)[..., None], axis=-1)[..., 0]
    return np.where(n > 0, (low + high) / 2, np.nan)


def check_stuck_air_quality(aq: pd.DataFrame, fname: str, out: Collector, skip: set, months: set,
                            codes: tuple) -> set:
    """Refuse (confirmably) each station's pollutant with a window that varies far less than its reference
    (module docstring). ``skip``: (station, pollutant) refused as a run of one value; ``months``: (station,
    pollutant, month) refused as in another unit; ``codes``: :func:`zzeval.season.aq_months.series_codes`.
    Returns the (station, pollutant, season's first year) refused."""
    spread = day_spreads(aq, skip, months, codes)
    refused = set()
    if spread.empty:
        return refused
    window, ref = window_ratios(spread)
    said: set = set()  # (station, pollutant, months) refused as a fallen level
    limit, days = input_limit("air_quality.stuck_ratio"), round(input_limit("air_quality.window_days"))
    with np.errstate(all="ignore"):
        stuck = (window <= limit * ref + 1e-12) & window.notna() & ref.notna() & (ref > 0)
    judged = window.notna() & ref.notna() & (ref > 0)
    for column in window.columns[stuck.any().to_numpy()]:
        bad = window.index[stuck[column].to_numpy()]
        seasons = season_first_year(window.index)
        for year, in_season in pd.Series(bad, index=bad).groupby(season_first_year(bad)):
            refused.add((*column, int(year)))
            spells = in_season.groupby(spell_numbers(in_season.index))
            for _, starts in spells:
                ratio = (window.loc[starts.index, column] / ref.loc[starts.index, column]).sort_values(kind="stable")
                least = ratio.index[0]
                cover = spread.loc[starts.index.min():starts.index.max() + pd.Timedelta(days=days - 1), column]
                spell = cover.index[(cover <= limit * ref.loc[least, column] + 1e-12).to_numpy()]
                row = _first_row(aq, column, spell.min() if len(spell) else least)
                whole = len(spells) == 1 and len(starts) == int((judged[column].to_numpy() & (seasons == year)).sum())
                days_in = spell if len(spell) else pd.date_range(starts.min(), starts.max() + pd.Timedelta(days=days - 1))
                if _report_level(aq, column, days_in, (fname, row), out, said):
                    continue
                _report(column, (int(year), starts.index, least, spell, whole),
                        (window.loc[least, column], ref.loc[least, column]), (fname, row), out)
    return refused


def _report_level(aq: pd.DataFrame, column: tuple, days_in: pd.DatetimeIndex, where: tuple, out: Collector,
                  said: set) -> bool:
    """Refuse (not confirmably) a spell whose level fell with its spread: the median of the daily medians of the
    calendar months it touches at most ``air_quality.stuck_level_ratio`` times that of the station's other months
    (both seasons), values in another scale (÷ 10, a decimal slip), not a stuck analyser (hostile review s13-hostB,
    A52: a quarter of PM ÷ 10 at every station was "a stuck analyser?" with an offer to confirm; the other
    stations, slipped alike, could not tell). One message per station, pollutant and months (``said``). True when
    refused so."""
    station, pollutant = column
    rows = aq[(aq["station_code"] == station).to_numpy() & (aq["pollutant"] == pollutant).to_numpy()
              & aq["value"].notna().to_numpy() & aq["datetime"].notna().to_numpy()]
    daily = rows.groupby(pd.to_datetime(rows["datetime"]).dt.normalize())["value"].median()
    months = sorted({f"{d:%Y-%m}" for d in days_in})
    inside = daily.index.strftime("%Y-%m").isin(months)
    level, other = daily[inside].median(), daily[~inside].median()
    if not (np.isfinite(level) and np.isfinite(other) and other > 0
            and level <= input_limit("air_quality.stuck_level_ratio") * other):
        return False
    if (station, pollutant, tuple(months)) in said:
        return True
    said.add((station, pollutant, tuple(months)))
    factor = other / level if level > 0 else np.inf
    scale = next((k for k in (10, 100, 1000) if k / 1.5 <= factor <= k * 1.5), None)
    unit = POLLUTANT_UNITS.get(pollutant, "")
    cause = (f"divided by {scale} (a decimal slip, or another unit)? multiply them by {scale}" if scale else
             "in another scale or unit? write them as measured")
    named = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
    out.add(where[0], where[1], "value",
            f"station {show(station)}: {pollutant} of {named} varies far less than in its other months because its "
            f"level is {factor:.3g} times lower: the median of its days' medians is {level:.3g} against {other:.3g} "
            f"{unit} in its other months (at most {input_limit('air_quality.stuck_level_ratio'):g} times, "
            "air_quality.stuck_level_ratio in zzeval/reference/input_limits.csv): are these months' values "
            f"{cause}; not a stuck analyser")
    return True


def _first_row(aq: pd.DataFrame, column: tuple, start: pd.Timestamp) -> int | None:
    """The spreadsheet row of the first hour with a value of a station's pollutant (``column``) from ``start``."""
    rows = aq[(aq["station_code"] == column[0]).to_numpy() & (aq["pollutant"] == column[1]).to_numpy()
              & (aq["datetime"] >= start).to_numpy() & aq["value"].notna().to_numpy()]
    return int(rows.assign(row=rows.index).sort_values(["datetime", "row"])["row"].iloc[0]) + 2 if len(rows) else None


def _report(column: tuple, when: tuple, values: tuple, where: tuple, out: Collector) -> None:
    """One judgement refusal of a station's pollutant in a season."""
    station, pollutant = column
    year, starts, least, spell, whole_season = when
    spread, reference = values
    days, limit = round(input_limit("air_quality.window_days")), input_limit("air_quality.stuck_ratio")
    unit = POLLUTANT_UNITS.get(pollutant, "")
    starting = f"{starts.min():%Y-%m-%d}" + ("" if len(starts) == 1 else f" to {starts.max():%Y-%m-%d}")
    message = (f"station {show(station)}: {pollutant} varies far less in {len(starts)} window(s) of {days} days "
               f"(starting {starting}) than the other stations in the same days or its own other days: the median of "
               f"its days' hourly standard deviation from {least:%Y-%m-%d} is {spread:.3g} against {reference:.3g} "
               f"{unit} (at most {limit:g} times, air_quality.stuck_ratio in zzeval/reference/input_limits.csv)"
               + (f"; {len(spell)} day(s) from {spell.min():%Y-%m-%d} to {spell.max():%Y-%m-%d} vary so little"
                  if len(spell) else "")
               + ": a stuck analyser flickering in its last digit? remove these rows (their hours become missing) or "
               "write the measured values")
    last = min(str((starts.max() + pd.Timedelta(days=days - 1)).date()), season_end(year))
    judge_spell(out, (station, pollutant, year), (f"{starts.min():%Y-%m-%d}", last), whole_season,
                (where[0], where[1], "value"), message, CHECK)
