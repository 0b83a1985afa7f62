"""One township's rows of a count table pasted as another's (hostile review s12-C, F1b: 南村's 27 vehicles rows
pasted as 下村's, only the township changed, lifted 下村's OBD coverage from 68 % to 100 % and took a verdict
reason away; 下村's tasks row pasted as 大东沟's took away its coal boiler left standing).

A township's sheet is a series of units: in ``vehicles`` a row (vehicle class, fuel, emission standard) with
its seven counts, equal when all seven are; in ``tasks`` a count. Two townships are compared unit by unit over
the units either of them fills with a number other than 0 (two zeros say nothing: most townships scrapped no
China VI truck), counting the equal ones. As in :mod:`zzeval.season.dustfall_copy`, a fixed count of equal units
would be wrong both ways (small counts agree by chance: three coal boilers in two townships), so the chance that
two townships' units agree is measured on the table's own values (all pairs of townships, the pair tested and
the pairs already judged copies left out), and a pair is refused when the binomial tail of its count, times the
number of pairs, is below ``sheet_copy.copy_chance`` (``zzeval/reference/input_limits.csv``: the measurement).
A judgement check (``sheet_copy``, ``table township township``, :mod:`zzeval.season.confirm`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``).
CHECK = "sheet_copy"
LIMITS_FILE = "zzeval/reference/input_limits.csv"
#: The tables compared: the columns naming a unit within a township, and the counts compared.
TABLES = {
    "vehicles": (("vehicle_class", "fuel", "emission_standard"),
                 ("fleet_before", "fleet_after", "scrapped", "replaced_china6", "replaced_nev", "obd_fitted",
                  "scrappage_payment_yuan")),
    "tasks": ((), ("coal_boilers_start", "coal_boilers_removed", "scattered_firms_found",
                   "scattered_firms_rectified", "straw_fire_points", "im_tests", "im_passes", "loose_coal_checks",
                   "loose_coal_violations")),
}


def _units(frame: pd.DataFrame, unit: tuple, counts: tuple) -> tuple[list, np.ndarray]:
    """The townships (in the order of their first row) and their units as an array [township, unit, cell]."""
    counts = [c for c in counts if c in frame]
    towns = list(dict.fromkeys(frame["township"].astype(str)))
    rows = frame.assign(township=frame["township"].astype(str))
    rows = rows.drop_duplicates(["township", *unit])  # duplicate keys are refused by the key check
    if unit:
        cells = rows.set_index(["township", *unit])[counts].apply(pd.to_numeric, errors="coerce").unstack(list(unit))
        cells = cells.reindex(towns)
        values = cells.to_numpy(dtype=float).reshape(len(towns), len(counts), -1).transpose(0, 2, 1)
    else:
        cells = rows.set_index("township")[counts].apply(pd.to_numeric, errors="coerce").reindex(towns)
        values = cells.to_numpy(dtype=float)[:, :, None]
    return towns, values


def agreement(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every pair of townships [i, j] and unit [u]: compared (a number other than 0 in either; an empty
    cell, such as a payment not reported, is one value), equal (every cell the same, or empty in both), the
    unit's size (its largest count in the two, the last cell, a payment, left out: it follows the counts) and
    the relative difference |a − b| / max(a, b) of that count."""
    a, b = values[:, None], values[None, :]
    compared = (np.nan_to_num(a) != 0).any(axis=3) | (np.nan_to_num(b) != 0).any(axis=3)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    equal = compared & same.all(axis=3)
    counts = values if values.shape[2] == 1 else values[:, :, :-1]
    big = np.argmax(np.nan_to_num(np.abs(counts)), axis=2)  # each township's largest count of the unit
    top = np.take_along_axis(np.nan_to_num(counts), big[:, :, None], axis=2)[:, :, 0]
    size = np.maximum(np.abs(top)[:, None], np.abs(top)[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(top[:, None] - top[None, :]) / size
    return compared, equal, size, rel


def tail_at_least(k: int, p: np.ndarray) -> float:
    """P(at least ``k`` of the independent events of chances ``p`` happen) (the Poisson binomial tail)."""
    dist = np.zeros(len(p) + 1)
    dist[0] = 1.0
    for q in p:
        dist[1:] = dist[1:] * (1 - q) + dist[:-1] * q
        dist[0] *= 1 - q
    return float(dist[k:].sum())


def chance(values: np.ndarray, limit: float) -> list[tuple]:
    """Every pair of townships (i < j) with its chance: (tail × pairs, i, j, k equal, n compared, spread), least
    probable first. The chance a unit of size m agrees by chance is 1 / (1 + spread × m), the spread being the
    median relative difference of the units of the other pairs (the pairs judged copies left out, at most three
    rounds: several sheets pasted): two counts near 800 that differ by 30 % in other townships agree by chance
    about once in 240 pairs, two counts of 2 about once in 1.6."""
    count = len(values)
    if count < 2:
        return []
    compared, equal, size, rel = agreement(values)
    upper = np.triu(np.ones((count, count), dtype=bool), 1)
    pairs = int(upper.sum())
    copies = np.zeros_like(upper)
    for _ in range(3):
        found = []
        kept = upper & ~copies
        spreads = _medians_leaving_out(rel, compared, kept)
        for i, j in zip(*np.nonzero(upper), strict=True):
            spread = spreads[i, j]
            units = compared[i, j]
            k, n = int(equal[i, j].sum()), int(units.sum())
            p = 1.0 / (1.0 + spread * size[i, j][units])
            tail = tail_at_least(k, p) * pairs if k > 0 else float(pairs)
            found.append((tail, int(i), int(j), k, n, spread))
        judged = np.zeros_like(upper)
        for tail, i, j, *_ in found:
            judged[i, j] = tail < limit
        if (judged == copies).all():
            break
        copies = judged
    return sorted(found)


def _medians_leaving_out(rel: np.ndarray, compared: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """For each pair [i, j] of ``kept`` (upper triangle), the median of the relative differences of the compared
    units of the kept pairs other than [i, j] (``np.median`` of that pool; 0 when it is empty, NaN when it holds
    one). Exact, without building the pool again for every pair: the pool of all kept pairs is sorted once, and
    the rank-q value of the pool less one pair's m values lies among its values at ranks q .. q + m."""
    pool = np.sort(rel[kept][compared[kept]])  # NaN last
    nan_all = int(np.isnan(pool).sum())
    out = np.zeros(rel.shape[:2])
    whole = float(np.median(pool)) if pool.size else 0.0
    for i, j in zip(*np.nonzero(np.triu(np.ones(rel.shape[:2], dtype=bool), 1)), strict=True):
        if not kept[i, j]:
            out[i, j] = whole
            continue
        own = np.sort(rel[i, j][compared[i, j]])
        size = pool.size - own.size
        if size == 0:
            continue
        if nan_all - int(np.isnan(own).sum()) > 0:
            out[i, j] = np.nan
            continue
        ranks = (size // 2,) if size % 2 else (size // 2 - 1, size // 2)
        out[i, j] = np.mean([_rank_value(pool, own, q) for q in ranks])
    return out


def _rank_value(pool: np.ndarray, own: np.ndarray, q: int) -> float:
    """The value of rank ``q`` (from 0) of the sorted ``pool`` with the values of sorted ``own`` taken out once."""
    candidates = pool[q:q + own.size + 1]
    below = np.searchsorted(pool, candidates, "right") - np.searchsorted(own, candidates, "right")
    return float(candidates[np.argmax(below >= q + 1)])


def check_sheets_copied(tables: dict, fnames: dict, out: Collector) -> None:
    """Refuse (confirmable) each pair of townships whose rows of ``vehicles`` or ``tasks`` agree more than
    chance allows (module docstring): one problem per pair, at the later township's first row."""
    limit = input_limit("sheet_copy.copy_chance")
    for table, (unit, counts) in TABLES.items():
        frame = tables.get(table)
        if frame is None or frame.empty or "township" not in frame:
            continue
        towns, values = _units(frame, unit, counts)
        first = frame.reset_index().groupby(frame["township"].astype(str).to_numpy())["index"].min()
        what = "rows (vehicle class, fuel, standard) with all counts" if unit else "counts"
        for tail, i, j, k, n, spread in chance(values, limit):
            if tail >= limit:
                break
            a, b = towns[i], towns[j]
            message = (f"township {show(b)} has the same {what} as township {show(a)} in {k} of {n} (those not 0 in "
                       f"both); counts differ by a median {spread:.0%} between townships in this table, so large "
                       f"counts rarely agree and {k} of {n} equal by chance is improbable ({tail:.1g} over all pairs, "
                       f"below sheet_copy.copy_chance {limit:g}, {LIMITS_FILE}); {show(a)}'s {table} "
                       f"{'rows' if unit else 'row'} pasted as {show(b)}'s? write each township's own counts")
            judge(out, CHECK, f"{table} {a} {b}", (fnames.get(table, f"{table}.csv"), int(first[b]) + 2, "township"),
                  message)
