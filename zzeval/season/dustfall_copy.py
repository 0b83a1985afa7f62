"""One township's dustfall sheet pasted for another (hostile review s11-A, wrong number 7: 大东沟's twelve
monthly values were 南村's, to the decimal, and passed; its highest month rose from 8.7 to 9.2 t/(month·km²) and
gave it a verdict reason).

Each township's season (October .. March) is a series of six months. Two series — two townships in a season,
a township's two seasons, or two townships in different seasons — are compared month by month at a shift of
0 (October with October …) and of ±1 month (a sheet pasted one row down, re-review s11-A N14), counting the
months equal to the values' resolution (the finest decimal the table is written to: 0.1, or 1 for whole
tonnes) and the months within one resolution step (a pasted sheet with months retyped by 0.1, re-review s11-A
W6). A fixed count of equal months was wrong both ways (re-review s11-A F2: whole-number dustfall in 17
townships shares 5 of 6 months by chance): the chance that two township-months agree is measured on the
table's own values (all pairs of months of different series at the same shifts), and a pair is refused when
its count is improbable by chance — the binomial tail of the count, times the number of comparisons (pairs ×
3 shifts × 2 tolerances), below ``dustfall.copy_chance`` (``zzeval/reference/input_limits.csv``: the
measurement). A judgement check (``dustfall_copy``, :mod:`zzeval.season.confirm`): a bureau that genuinely
reports one bucket for two townships confirms the pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.dustfall import low_series
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``).
CHECK = "dustfall_copy"
LIMITS_FILE = "zzeval/reference/input_limits.csv"
#: Month shifts compared: the same month, and one row up or down.
SHIFTS = (0, 1, -1)


def resolution(values: np.ndarray) -> float:
    """The finest decimal step the values are written to (1 for whole numbers, 0.1, 0.01 …, at most 0.001)."""
    for digits in range(4):
        scaled = values * 10**digits
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return 10.0**-digits
    return 1e-3


def _series(dust: pd.DataFrame) -> tuple[np.ndarray, list, pd.Series]:
    value = pd.to_numeric(dust["dustfall_t_km2_month"], errors="coerce")
    month = dust["month"]
    rows = dust.assign(_season=month.dt.year - (month.dt.month <= 3), _pos=(month.dt.month - 10) % 12,
                       _value=value.round(6), _row=dust.index)
    rows = rows[rows["_value"].notna() & rows["_pos"].between(0, 5)]
    if rows.empty:
        return np.empty((0, 6)), [], pd.Series(dtype=int)
    series = rows.pivot_table(index=["township", "_season"], columns="_pos", values="_value", aggfunc="first")
    series = series.reindex(columns=range(6))
    first = rows.groupby(["township", "_season"])["_row"].min()
    return series.to_numpy(dtype=float), list(series.index), first


def agreement(values: np.ndarray, step: float, copies: np.ndarray | None = None) -> dict:
    """For every ordered pair of series (i, j), shift s and tolerance (``equal``: the same value; ``near``:
    within one ``step``): the months compared ``n`` and agreeing ``k`` (arrays [shift, i, j]), and ``p``, the
    share of the compared month pairs of different series, the pair (i, j) itself and the pairs already judged
    ``copies`` (a boolean array [i, j]) left out, that agree (the chance of one month agreeing; array [i, j])."""
    kept = ~np.eye(len(values), dtype=bool) if copies is None else ~(np.eye(len(values), dtype=bool) | copies | copies.T)
    out = {}
    for name, tol in (("equal", step * 1e-3), ("near", step * (1 + 1e-3))):
        ks, ns = [], []
        for s in SHIFTS:
            a = values[:, max(0, -s):6 - max(0, s)]
            b = values[:, max(0, s):6 - max(0, -s)]
            diff = np.abs(a[:, None, :] - b[None, :, :])
            both = np.isfinite(diff)
            ks.append((both & (diff <= tol)).sum(axis=2))
            ns.append(both.sum(axis=2))
        k, n = np.array(ks), np.array(ns)
        # the chance for pair (i, j) leaves the pair itself out: a pasted sheet must not raise its own chance
        k_pair = np.where(kept, k.sum(axis=0), 0)
        n_pair = np.where(kept, n.sum(axis=0), 0)
        p = (k_pair.sum() - k_pair - k_pair.T + 1) / (n_pair.sum() - n_pair - n_pair.T + 1)
        out[name] = (k, n, p)
    return out


def chance(dust: pd.DataFrame, limit: float) -> list[tuple]:
    """Every pair of series with its least probable agreement: (chance × comparisons, i, j, shift, tolerance
    name, k, n, p, step), keys and first rows; least probable first. The pairs below ``limit`` are left out of
    the chance of the others, and the chance measured again (at most three times)."""
    values, keys, first = _series(dust)
    if len(keys) < 2:
        return []
    step = resolution(values[np.isfinite(values)])
    pairs = len(keys) * (len(keys) - 1) // 2
    copies = np.zeros((len(keys), len(keys)), dtype=bool)
    for _ in range(3):  # the pairs judged copies leave the chance of the others (several sheets pasted)
        best = _least(agreement(values, step, copies), len(keys), pairs * len(SHIFTS) * 2, step)
        judged = np.zeros_like(copies)
        for tail, i, j, *_ in best:
            judged[i, j] = tail < limit
        if (judged == copies).all():
            break
        copies = judged
    return [(b, keys, first) for b in best]


def _least(found: dict, count: int, comparisons: int, step: float) -> list[tuple]:
    best = []
    for i in range(count):
        for j in range(i + 1, count):
            worst = None
            for name, (k, n, p) in found.items():
                for si, s in enumerate(SHIFTS):
                    kk, nn = int(k[si, i, j]), int(n[si, i, j])
                    if kk == 0:
                        continue
                    tail = float(binom.sf(kk - 1, nn, p[i, j])) * comparisons
                    if worst is None or tail < worst[0]:
                        worst = (tail, i, j, s, name, kk, nn, float(p[i, j]), step)
            if worst is not None:
                best.append(worst)
    best.sort()
    return best


def check_dustfall_copied(dust: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse (confirmable) each pair of township seasons whose agreement (module docstring) is improbable by
    chance: one problem per pair, at the first row of the series later in the file."""
    if dust is None or dust.empty or "month" not in dust:
        return
    # township seasons too low to be t/(month·km²) are refused for their unit (dustfall.check_dustfall_scale):
    # two seasons in kg/(m²·month) agree to 0.001 by their size, not as one sheet pasted twice (s12-C, M1)
    dust = dust[~low_series(dust)]
    limit = input_limit("dustfall.copy_chance")
    for (tail, i, j, shift, name, k, n, p, step), keys, first in chance(dust, limit):
        if tail >= limit:
            break
        a, b = sorted((keys[i], keys[j]), key=lambda key: first[key])  # b: the series later in the file
        subject = f"{a[0]} {_season(a[1])} {b[0]} {_season(b[1])}"
        how = "the same monthly dustfall" if name == "equal" else f"monthly dustfall within {step:g}"
        moved = {0: "month by month from October",
                 1: "one month apart (a sheet pasted one row off)",
                 -1: "one month apart (a sheet pasted one row off)"}[shift]
        message = (f"township {show(b[0])}, season {_season(b[1])}, has {how} as township {show(a[0])}, season "
                   f"{_season(a[1])}, in {k} of {n} months ({moved}; the table is written to {step:g} "
                   f"t/(month·km²)): two months of different townships or seasons agree so in this table with a "
                   f"chance of {p:.2g}, so {k} of {n} by chance is improbable ({tail:.1g} over all pairs, below "
                   f"dustfall.copy_chance {limit:g}, {LIMITS_FILE}); one sheet pasted for the other? write each "
                   "township's own measured dustfall for each season")
        judge(out, CHECK, subject, (fname, int(first[b]) + 2, "dustfall_t_km2_month"), message)


def _season(year: float) -> str:
    return f"{year:.0f}-{year + 1:.0f}"
