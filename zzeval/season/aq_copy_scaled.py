"""Hourly PM copied and transformed linearly (hostile review s11-reA, findings W1, W3, W4 and N12).

:mod:`zzeval.season.aq_copy` and :mod:`zzeval.season.aq_copy_near` compare values: a copy multiplied by a
factor, or with an offset added, passes both. A previous season that is the current one × 1.6 (the county's
adjusted change −9.55 → −22.1 %), one station's PM2.5 that is another's × 1.05 or touched by ±1 in every hour,
a month filled with the month before × 1.05.

So each day of a station's PM2.5 and PM10 (the days :func:`zzeval.season.aq_copy.record_pm_days` keeps) is
compared with the hours of another series at a few candidate shifts: every other station's of the same season
and pollutant at the same hours, its own other season at the same day and hour of the year ± 0..24 h, its own
season at 28..31 days earlier ± 24 h. Per day, one series is regressed on the other (both directions; the
smaller residual): a copy a + b·x rounded as exported leaves the rounding (about 0.3 µg/m³ SD; ±1 noise about
0.8), two genuine series far more. A day counts when it varies (its SD at least
``air_quality.scaled_copy_day_min_sd``), has ``air_quality.copy_day_min_hours`` hours in both, the slope is
positive and the residual SD at most ``air_quality.scaled_copy_max_residual_sd``; a pair with
``air_quality.scaled_copied_days`` such days at one shift is refused. Days of a plain copy (slope 1, offset 0)
are the other two checks' and are left out. Its candidates (:func:`_candidates`, enumerated: nothing points to
the shift of a rescaled copy) are its own: :mod:`zzeval.season.pm_series` says why, and holds the series it shares
with the other two copy checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.aq_copy_near import UNIT, _duration, stamp_words
from zzeval.season.checks import Collector
from zzeval.season.parsing import show
from zzeval.season.pm_series import HOUR_COLUMNS, recorded_days, series_of

#: The shifts [h] of a station's season against its other season (the same day and hour of the year ± a day).
YEAR_SHIFTS = tuple(range(-24, 25))

#: The shifts [h] of a station's season against itself: a month filled with the month before (28..31 whole days).
WITHIN_SHIFTS = tuple(24 * d for d in range(28, 32))

#: Candidates compared at once (memory: about 6 arrays of this many × the season's hours, float64).
BATCH = 256


def _grid(days: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, int]:
    """The hourly values as a grid (series × hours from the first day, a July-to-June calendar), the series
    (station, pollutant, year), the row of ``days`` of each (series, day of the grid) (−1: none), and the place
    of the grid's first hour."""
    series, names, start = series_of(days)
    first = int(start.min())
    day = (start - first) // 24
    n_days = int(day.max()) + 1
    grid = np.full((len(names), n_days, 24), np.nan)
    grid[series, day] = days[list(HOUR_COLUMNS)].to_numpy(dtype=float)
    at = np.full((len(names), n_days), -1, dtype=np.int64)
    at[series, day] = np.arange(len(days))
    return grid.reshape(len(names), n_days * 24), names, at, first


def _candidates(names: pd.DataFrame) -> pd.DataFrame:
    """The pairs (``a``, ``b``) and shifts [h] compared (``a``'s hour t with ``b``'s hour t − shift)."""
    station, pollutant, year = (names[c].to_numpy() for c in ("station", "pollutant", "year"))
    found = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            if pollutant[a] != pollutant[b]:
                continue
            if station[a] != station[b] and year[a] == year[b]:
                found.append((a, b, 0))
            elif station[a] == station[b] and year[a] != year[b]:
                early, late = (a, b) if year[a] < year[b] else (b, a)
                found += [(early, late, s) for s in YEAR_SHIFTS]
        found += [(a, a, s) for s in WITHIN_SHIFTS]
    return pd.DataFrame(found, columns=["a", "b", "shift"])


def _day_fits(grid: np.ndarray, cand: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per candidate and day of ``a``: the hours both have, ``a``'s and ``b``'s SD, the smaller residual SD of
    the two regressions, the slope and offset of ``a`` on ``b`` (arrays candidates × days)."""
    n_series, n_hours = grid.shape
    pad = max(abs(s) for s in (*YEAR_SHIFTS, *WITHIN_SHIFTS, 0))
    padded = np.full((n_series, n_hours + 2 * pad), np.nan)
    padded[:, pad:pad + n_hours] = grid
    out: dict[str, list] = {k: [] for k in ("n", "sd_a", "sd_b", "resid", "slope", "offset")}
    a_all, b_all, s_all = (cand[c].to_numpy() for c in ("a", "b", "shift"))
    hours = np.arange(n_hours)
    for lo in range(0, len(cand), BATCH):
        a, b, s = a_all[lo:lo + BATCH], b_all[lo:lo + BATCH], s_all[lo:lo + BATCH]
        x = grid[a]
        y = padded[b[:, None], pad - s[:, None] + hours]
        m = np.isfinite(x) & np.isfinite(y)
        x, y = np.where(m, x, 0.0).reshape(len(a), -1, 24), np.where(m, y, 0.0).reshape(len(a), -1, 24)
        n = m.reshape(len(a), -1, 24).sum(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            sx, sy = x.sum(-1), y.sum(-1)
            vxx = (x * x).sum(-1) - sx * sx / n
            vyy = (y * y).sum(-1) - sy * sy / n
            cxy = (x * y).sum(-1) - sx * sy / n
            left = 1 - cxy * cxy / (vxx * vyy)
            slope = cxy / vyy
            out["n"].append(n)
            out["sd_a"].append(np.sqrt(vxx / (n - 1)))
            out["sd_b"].append(np.sqrt(vyy / (n - 1)))
            out["resid"].append(np.sqrt(np.clip(np.minimum(vxx, vyy) * left, 0, None) / (n - 2)))
            out["slope"].append(slope)
            out["offset"].append((sx - slope * sy) / n)
    return {k: np.concatenate(v) for k, v in out.items()}


def scaled_days(days: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict, np.ndarray, pd.DataFrame]:
    """The grid's series, the candidates, their per-day fits (:func:`_day_fits`), the rows of the days and the
    flag of each (candidate, day): a day of a linear copy (module docstring)."""
    grid, names, at, _ = _grid(days)
    cand = _candidates(names)
    fits = _day_fits(grid, cand)
    with np.errstate(invalid="ignore"):
        varies = np.minimum(fits["sd_a"], fits["sd_b"]) >= input_floor("air_quality.scaled_copy_day_min_sd")
        plain = (np.abs(fits["slope"] - 1) < 0.005) & (np.abs(fits["offset"]) < 0.25)
        flag = ((fits["n"] >= input_floor("air_quality.copy_day_min_hours")) & varies & (fits["slope"] > 0)
                & (fits["resid"] <= input_limit("air_quality.scaled_copy_max_residual_sd")) & ~plain)
    return names, cand, fits, at, flag


def check_air_quality_scaled_copied(out: Collector) -> set:
    """Refuse each pair of PM series with ``air_quality.scaled_copied_days`` or more days that are a linear copy
    of the other's at one candidate shift (module docstring): one message per copied series, at its best shift.
    Returns the series refused, (station, pollutant, season's first year)."""
    days = recorded_days(out)
    if days is None:
        return set()
    names, cand, fits, at, flag = scaled_days(days)
    counts = flag.sum(1)
    least = input_floor("air_quality.scaled_copied_days")
    hit = cand.assign(days=counts)[counts >= least]
    if hit.empty:
        return set()
    best = hit.sort_values("days", ascending=False, kind="stable").drop_duplicates(["a", "b"])
    for i, r in best.sort_values(["a", "b"]).iterrows():
        _report(out, days, names, r, at[r["a"]][flag[i]], fits["slope"][i][flag[i]], fits["offset"][i][flag[i]])
    return {(n.station, n.pollutant, int(n.year)) for n in names.iloc[best["a"].astype(int)].itertuples(index=False)}


def _report(out: Collector, days: pd.DataFrame, names: pd.DataFrame, r: pd.Series, rows: np.ndarray,
            slope: np.ndarray, offset: np.ndarray) -> None:
    """One message for the copied days (their rows of ``days``) of the pair and shift ``r``."""
    a, b, shift = names.iloc[int(r["a"])], names.iloc[int(r["b"])], int(r["shift"])
    picked = days.iloc[rows[rows >= 0]]
    n, span = picked["day"].nunique(), f"{picked['day'].min():%Y-%m-%d} to {picked['day'].max():%Y-%m-%d}"
    k, c = float(np.median(slope)), float(np.median(offset))
    station, like = show(a["station"]), show(b["station"])
    if a["station"] != b["station"]:
        whose, fix = f"station {like}'s at the same hours", f"export each station's own data ({station} and {like})"
    elif a["year"] != b["year"]:
        whose = f"its own season from {int(b['year'])}'s, {stamp_words(shift, -1)}"
        fix = f"export the season from {int(a['year'])} again (not the later season's, rescaled)"
    else:
        whose, fix = f"its own hours {_duration(shift)} earlier", "leave missing days missing, or write the measured values"
    out.add(picked["file"].iloc[0], int(picked["row"].min()), "value",
            f"station {station}, season from {int(a['year'])}: {a['pollutant']} of {n:,} days ({span}) is, hour by hour, "
            f"{k:.3f} × {whose}{_offset(c)}, within rounding (residual SD ≤ "
            f"{input_limit('air_quality.scaled_copy_max_residual_sd'):g} {UNIT}; two genuine series never follow each "
            f"other so through a day; air_quality.scaled_copied_days = {least_days():g}, "
            f"zzeval/reference/input_limits.csv): a copy rescaled or offset? {fix}")


def _offset(c: float) -> str:
    """The offset found, as said after the factor: ' + 1.0 µg/m³' (nothing below 0.05)."""
    return f" {'+' if c >= 0 else '−'} {abs(c):.1f} {UNIT}" if abs(c) >= 0.05 else ""


def least_days() -> float:
    """``air_quality.scaled_copied_days``."""
    return input_floor("air_quality.scaled_copied_days")
