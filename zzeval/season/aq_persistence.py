"""A PM analyser writing noise, or PM rows holding 24-hour moving means, for part of a season (hostile review
s12-hostA A09 and A16).

Hourly PM2.5 and PM10 persist: an hour is close to the one before, and changes over the day's cycle and the
weather. An analyser writing random values (20-50 µg/m³ each hour for 45 days, s12-hostA A09: xiacun's adjusted
change −13.7 → −24.3 %) has a spread like a genuine one and is not stuck (:mod:`zzeval.season.stuck_air_quality`),
but no persistence; the platform's 24-hour moving mean exported under the PM2.5 label (A16: −13.7 → −18.1 %)
has a daily spread a third of genuine's, but hardly changes from one hour to the next.

Each station's PM2.5 and PM10 is judged over every window of ``air_quality.window_days`` (30) days from a
midnight (whole windows with at least ``air_quality.window_min_hours`` hours) by the von Neumann ratio of its
hours: the mean squared change from one hour to the next (over pairs of consecutive hours both given) over the
window's variance, about 2 for noise, near 0 for a smooth series. The reference is the median of every
station's ratio in the same window, its own included (at least three; a table of one or two stations is not
judged): one station writing noise leaves it at a genuine station's. A
ratio beyond ``air_quality.hour_change_ratio`` either way of the reference (more than its upper limit: noise;
less than its lower: too smooth) is a judgement (``aq_persistence``, confirmable in season.yaml), one problem per
spell (windows starting on consecutive days, :mod:`zzeval.season.stuck_spells`) as for ``aq_stuck``. Station
seasons refused as stuck, a run of one value, or a month in another unit are not judged again.

Cost: one grid of the PM hours (series × hours) and window sums of its days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.day_windows import window_sums
from zzeval.season.parsing import show
from zzeval.season.stuck_spells import judge_spell, season_end, spell_numbers

#: The judgement check (``season.yaml`` ``confirmed:``).
CHECK = "aq_persistence"

#: The pollutants judged.
PM = ("PM2.5", "PM10")


def hour_change_ratios(aq: pd.DataFrame, codes: tuple) -> pd.DataFrame:
    """Per window start (a day) × (station, pollutant) of PM: the window's von Neumann ratio (module docstring),
    NaN where the window is not whole or has too few hours."""
    series, names = codes
    pm = np.flatnonzero(names.get_level_values(1).isin(PM))
    if len(pm) == 0:
        return pd.DataFrame()
    number = np.full(len(names), -1)
    number[pm] = np.arange(len(pm))
    given = (series >= 0) & aq["value"].notna().to_numpy() & aq["datetime"].notna().to_numpy()
    given[given] = number[series[given]] >= 0
    if not given.any():
        return pd.DataFrame()
    stamp = aq["datetime"].to_numpy()[given].astype("datetime64[h]")
    day0 = stamp.min().astype("datetime64[D]")
    hour = (stamp - day0.astype("datetime64[h]")).astype(np.int64)
    span = int(hour.max()) // 24 + 1
    value = aq["value"].to_numpy(dtype=float)[given]
    row = number[series[given]]
    grid = np.full((len(pm), span * 24), np.nan)
    grid[row, hour] = value
    grid -= np.nanmean(grid, axis=1, keepdims=True)
    change = np.concatenate([np.full((len(pm), 1), np.nan), np.diff(grid, axis=1) ** 2], axis=1)
    by_day = {}
    for name, a in (("x", grid), ("x2", grid * grid), ("d2", change)):
        by_day[name] = np.nansum(a.reshape(len(pm), span, 24), axis=2)
    by_day["n"] = np.isfinite(grid).reshape(len(pm), span, 24).sum(axis=2).astype(float)
    by_day["pairs"] = np.isfinite(change).reshape(len(pm), span, 24).sum(axis=2).astype(float)
    days = round(input_limit("air_quality.window_days"))
    w = {k: window_sums(v, days, axis=1) for k, v in by_day.items()}
    with np.errstate(all="ignore"):
        variance = (w["x2"] - w["x"] ** 2 / w["n"]) / (w["n"] - 1)
        ratio = (w["d2"] / w["pairs"]) / variance
    whole = np.arange(span) + days <= span
    ratio[:, ~whole] = np.nan
    ratio[(w["n"] < input_floor("air_quality.window_min_hours")) | ~(variance > 0)] = np.nan
    grid_days = pd.date_range(pd.Timestamp(day0), periods=span, freq="D")
    return pd.DataFrame(ratio.T, index=grid_days, columns=names[pm])


def _references(ratio: pd.DataFrame) -> pd.DataFrame:
    """The median of every station's ratio of the same pollutant and window, the station's own included (at least
    three): one station writing noise leaves the median at a genuine one's, where the median of the other two
    would be the mean of a genuine and a noisy one and make the genuine one look smooth."""
    ref = np.full(ratio.shape, np.nan)
    pollutants = ratio.columns.get_level_values(1)
    values = ratio.to_numpy()
    for pollutant in pd.unique(pollutants):
        columns = np.flatnonzero(pollutants == pollutant)
        block = values[:, columns]
        enough = np.isfinite(block).sum(axis=1) >= 3
        if enough.any():
            with np.errstate(all="ignore"):
                middle = np.nanmedian(block[enough], axis=1)
            ref[np.ix_(np.flatnonzero(enough), columns)] = middle[:, None]
    return pd.DataFrame(ref, index=ratio.index, columns=ratio.columns)


def check_aq_persistence(aq: pd.DataFrame, fname: str, out: Collector, codes: tuple, judged: set) -> None:
    """Refuse (confirmably) each station's PM with windows far noisier or smoother from hour to hour than the
    other stations' (module docstring). ``codes``: :func:`zzeval.season.aq_months.series_codes` of ``aq``;
    ``judged``: (station, pollutant, season's first year) refused already by another check of the series."""
    ratio = hour_change_ratios(aq, codes)
    if ratio.empty:
        return
    ref = _references(ratio)
    low, high = input_floor("air_quality.hour_change_ratio"), input_limit("air_quality.hour_change_ratio")
    with np.errstate(all="ignore"):
        factor = ratio / ref
    seasons = season_first_year(ratio.index)
    for column in ratio.columns:
        f = factor[column].to_numpy()
        judged_here = np.isfinite(f)
        for kind, bad in (("noisy", f > high), ("smooth", f < low)):
            for year in pd.unique(seasons[bad]):
                if (*column, int(year)) in judged:
                    continue
                starts = ratio.index[bad & (seasons == year)]
                for _, spell in pd.Series(starts, index=starts).groupby(spell_numbers(starts)):
                    worst = (factor.loc[spell.index, column].idxmax() if kind == "noisy"
                             else factor.loc[spell.index, column].idxmin())
                    whole = len(spell) == int((judged_here & (seasons == year)).sum())
                    _report(aq, column, (int(year), spell.index, worst, whole, kind),
                            (ratio.loc[worst, column], ref.loc[worst, column]), fname, out)


def _report(aq: pd.DataFrame, column: tuple, when: tuple, values: tuple, fname: str, out: Collector) -> None:
    """One judgement refusal: a spell of windows of a station's pollutant."""
    station, pollutant = column
    year, starts, worst, whole, kind = when
    mine, reference = values
    days = round(input_limit("air_quality.window_days"))
    low, high = input_floor("air_quality.hour_change_ratio"), input_limit("air_quality.hour_change_ratio")
    last = min(str((starts.max() + pd.Timedelta(days=days - 1)).date()), season_end(year))
    rows = aq.index[(aq["station_code"] == station).to_numpy() & (aq["pollutant"] == pollutant).to_numpy()
                    & (aq["datetime"] >= starts.min()).to_numpy() & aq["value"].notna().to_numpy()]
    starting = f"{starts.min():%Y-%m-%d}" + ("" if len(starts) == 1 else f" to {starts.max():%Y-%m-%d}")
    what = (f"far more than the county's stations (more than {high:g} times their median" if kind == "noisy" else
            f"far less than the county's stations (less than {low:g} times their median")
    cause = ("an analyser writing noise (values unrelated from one hour to the next)? remove these rows (their hours "
             "become missing) or write the measured values" if kind == "noisy" else
             "24-hour moving means (the PM2.5_24h / PM10_24h columns) or another average under the hourly label? "
             "export the hourly values")
    message = (f"station {show(station)}: {pollutant} changes from one hour to the next {what}) in {len(starts)} "
               f"window(s) of {days} days (starting {starting}): from {worst:%Y-%m-%d} the mean squared hour-to-hour "
               f"change over the window's variance is {mine:.3g} against {reference:.3g}, the median of the stations "
               f"(air_quality.hour_change_ratio in zzeval/reference/input_limits.csv): {cause}")
    judge_spell(out, (station, pollutant, year), (f"{starts.min():%Y-%m-%d}", last), whole,
                (fname, int(rows.min()) + 2 if len(rows) else None, "value"), message, CHECK)
