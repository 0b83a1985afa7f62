"""The mix of townships in the county's hourly series, month by month, between the two seasons.

The county series is at each hour the mean of the township series that have a value then
(:func:`zzeval.airquality.weather_data.county_hourly`). A township with fewer hours in a month of one
season than in the same month of the other weighs less in that month's county mean: the seasons' means
are then of different mixes of townships, and their difference holds a part that is no change of the air
(hostile re-review A, N2; spot review S2, issue #13: a dirty township present only the last 3 days of
three months moved the county's measured change from −21.4 % to −32.0 %).

Each township's share of a month is its hours with a value over the sum of every township's; the
mix change of a month is the total variation distance between the two seasons' shares,
``½ Σ |share_current − share_previous|``. With the townships' month means ``L``, the change moves the
county's month mean by ``Σ Δshare · L ≤ mix_change · (L_max − L_min)``; the limit
(``county.township_mix_change`` in ``input_limits.csv``) follows from that bound. A township absent
for a whole month is the extreme case: its share falls to 0 (1 of 17 townships: 5.9 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.airquality.validity import attributed_day
from zzeval.resources import input_limit

#: the key of the limit in ``zzeval/reference/input_limits.csv`` (in %)
LIMIT_KEY = "county.township_mix_change"


def mix_limit() -> float:
    """The largest mix change of a month that leaves the county series comparable (a fraction)."""
    return input_limit(LIMIT_KEY) / 100


def month_hours(hourly: pd.DataFrame) -> pd.DataFrame:
    """Each township's hours with a value per pollutant and month: ``township, pollutant, month`` (``YYYY-MM``
    of the natural day the hour belongs to, :func:`zzeval.airquality.validity.attributed_day`), ``hours``.

    ``hourly`` has ``township, pollutant, datetime, value`` (the township series, or a township's terms of the
    county series); hours without a finite value are not counted."""
    h = hourly[np.isfinite(hourly["value"].to_numpy(float))]
    if not len(h):
        return pd.DataFrame({"township": [], "pollutant": [], "month": [], "hours": []}).astype({"hours": int})
    month = attributed_day(h["datetime"]).dt.strftime("%Y-%m")
    return (h.assign(month=month.to_numpy()).groupby(["township", "pollutant", "month"], sort=True)
            .size().reset_index(name="hours"))


def mix_changes(hours: pd.DataFrame, months_current, months_previous, statistic: str = "PM2.5") -> pd.DataFrame:
    """The mix change of each month pair (a current-season month and the same month of the previous season).

    Parameters
    ----------
    hours : DataFrame
        :func:`month_hours` of the township series.
    months_current, months_previous : sequence of str
        The seasons' calendar months (``YYYY-MM``), in the same order.

    Returns
    -------
    DataFrame
        One row per month of either season: ``month``, ``mix_change`` (the pair's total variation distance,
        a fraction; NaN when one of the two months has no hour), ``townships_share_fell`` (when the change is
        above :func:`mix_limit`: the townships with fewer hours in this month than in the other season's whose
        shortfall alone, the other townships' hours unchanged, moves the mix at least half as much as the
        pair's largest such shortfall does; comma-separated in slug order; else ``""``).
    """
    h = hours[hours["pollutant"] == statistic].set_index(["month", "township"])["hours"]
    limit = mix_limit()
    rows = []
    for cur, prev in zip(months_current, months_previous, strict=True):
        hc = h.xs(cur, level="month") if cur in h.index.get_level_values("month") else pd.Series(dtype=float)
        hp = h.xs(prev, level="month") if prev in h.index.get_level_values("month") else pd.Series(dtype=float)
        slugs = hc.index.union(hp.index)
        hc, hp = hc.reindex(slugs, fill_value=0).astype(float), hp.reindex(slugs, fill_value=0).astype(float)
        if hc.sum() == 0 or hp.sum() == 0:  # no mix to compare: the month fails GB 3095 § 8 anyway
            rows += [{"month": cur, "mix_change": np.nan, "townships_share_fell": ""},
                     {"month": prev, "mix_change": np.nan, "townships_share_fell": ""}]
            continue
        sc, sp = hc / hc.sum(), hp / hp.sum()
        change = float(0.5 * (sc - sp).abs().sum())
        # each township's own part: the mix change its hours alone make (the others' as in the other season)
        own = {cur: _alone(hc, hp), prev: _alone(hp, hc)}
        largest = max(float(v.max()) for v in own.values())
        for month in (cur, prev):
            fell = [t for t in slugs if change > limit and own[month][t] > 0 and own[month][t] >= largest / 2]
            rows.append({"month": month, "mix_change": change, "townships_share_fell": ", ".join(fell)})
    return pd.DataFrame(rows)


def _alone(own: pd.Series, other: pd.Series) -> pd.Series:
    """Per township with fewer hours in ``own`` than in ``other``: the mix change if only its hours were
    those of ``own`` and every other township's those of ``other`` (its share then falls from
    ``h_other / (h_other + R)`` to ``h_own / (h_own + R)``, ``R`` the others' hours); 0 for the rest."""
    rest = other.sum() - other
    with np.errstate(invalid="ignore", divide="ignore"):
        fall = other / (other + rest) - own / (own + rest)
    return fall.where(own < other, 0.0).fillna(0.0)
