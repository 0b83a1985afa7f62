"""The level step at a declared replacement (``stations.replaces``; hostile re-review s10-reA F2).

A replacement continues the same site, so the series must not jump where one station hands over to the
next. The distance check (:func:`zzeval.season.replacements.check_replacement_distance`) cannot tell a
station moved 3.5 km within its site's air from one moved from a kerbside into a park: a replacing station
reading 0.6 times the old one turned 南村镇's weather-adjusted PM2.5 change from −11.1 % into −46.6 %.

The step is judged on the daily PM2.5 means recorded while the air quality is checked
(:func:`zzeval.season.aq_copy.record_pm_days`, also per Parquet chunk):

- with a parallel run (both stations measuring the same days, at least ``stations.replacement_overlap_min_days``
  of them): the new station's mean over those days divided by the old one's;
- otherwise: the new station's mean over its first ``stations.replacement_step_days`` days with a value, over
  the old one's over its last as many, divided by the same ratio of the county's other stations over the same
  days (the weather and the season change both alike, so they cancel).

A step beyond ``stations.replacement_step_ratio`` either way is a judgement check (``replacement_step``,
confirmable in ``season.yaml`` by the replacing station's code).
"""

from __future__ import annotations

import pandas as pd

from zzeval.season.checks import Collector

POLLUTANT = "PM2.5"

#: The key of input_limits.csv: the largest level step (either way) at a replacement's handover.
STEP_LIMIT = "stations.replacement_step_ratio"


def _daily(out: Collector) -> pd.DataFrame:
    """Day × station daily PM2.5 means of the recorded PM days (empty without)."""
    parts = [p.loc[p["pollutant"] == POLLUTANT, ["station", "day", "mean"]] for p in out.pm_days if "mean" in p]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame()
    days = pd.concat(parts, ignore_index=True)
    return days.groupby(["day", "station"])["mean"].mean().unstack("station").sort_index()


def level_step(daily: pd.DataFrame, old: str, new: str, chained: set[str]) -> tuple[float, str] | None:
    """The new station's level over the old one's at the handover, and how it was measured (None when
    either has too few days)."""
    from zzeval.resources import input_floor, input_limit

    a, b = daily[old].dropna(), daily[new].dropna()
    both = a.index.intersection(b.index)
    if len(both) >= input_floor("stations.replacement_overlap_min_days"):
        return float(b[both].mean() / a[both].mean()), f"over the {len(both)} days both measured (parallel run)"
    n = int(input_limit("stations.replacement_step_days"))
    before, after = a[a.index < b.index.min()].iloc[-n:], b[b.index > a.index.max()].iloc[:n]
    others = daily.drop(columns=[c for c in daily.columns if c in chained]).mean(axis=1)
    if len(before) < n / 2 or len(after) < n / 2 or others.empty:
        return None
    o_before, o_after = others.reindex(before.index).mean(), others.reindex(after.index).mean()
    if not (o_before > 0 and o_after > 0 and before.mean() > 0):
        return None
    step = (after.mean() / o_after) / (before.mean() / o_before)
    span = (f"{after.mean():.1f} µg/m³ over its first {len(after)} days ({after.index.min():%Y-%m-%d} to "
            f"{after.index.max():%Y-%m-%d}) against {before.mean():.1f} over the old one's last {len(before)} "
            f"({before.index.min():%Y-%m-%d} to {before.index.max():%Y-%m-%d}), while the county's other stations "
            f"went from {o_before:.1f} to {o_after:.1f}")
    return float(step), span


def check_replacement_step(stations: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Each declared replacement's level step (module docstring) within ``stations.replacement_step_ratio``
    either way, or a judgement check ``replacement_step`` naming file, row, both stations and the step."""
    from zzeval.resources import input_limit
    from zzeval.season.confirm import judge
    from zzeval.season.replacements import COLUMN, series_codes, successors

    pairs = successors(stations)
    if not pairs:
        return
    daily = _daily(out)
    if daily.empty:
        return
    series = series_codes(stations)
    chained = {*series, *series.values()}
    limit = input_limit(STEP_LIMIT)
    codes = stations["station_code"].astype(str)
    for old, new in sorted(pairs.items()):
        if old not in daily or new not in daily:
            continue
        found = level_step(daily, old, new, chained)
        if found is None or 1 / limit <= found[0] <= limit:
            continue
        step, how = found
        row = int(stations.index[codes == new][0]) + 2
        judge(out, "replacement_step", new, (fname, row, COLUMN),
              f"{new} replaces {old}, but its PM2.5 level is {step:.2f} times the old station's at the handover "
              f"({how}); a station continuing the same site reads alike, and a step beyond ×{limit:g} either way "
              f"(stations.replacement_step_ratio) means another environment (a kerbside site moved into a park), "
              f"whose series would compare two places across the seasons. Check that the two codes belong to the "
              f"same site, or leave `replaces` empty (two stations of the township, compared like with like)")
