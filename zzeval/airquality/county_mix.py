"""The mix of stations in the county's hourly series, month by month, between the two seasons.

The county series is at each hour the mean of the township series that have a value then
(:func:`zzeval.airquality.weather_data.county_hourly`), each the mean of its stations that have one. At an
hour a station therefore weighs ``1 / (townships with a value) × 1 / (its township's stations with a
value)`` in the county mean. A station (or a whole township) with fewer hours in a month of one season
than in the same month of the other weighs less in that month's county mean: the seasons' means are then
of different mixes of places, and their difference holds a part that is no change of the air (hostile
re-review A, N2; spot review S2, issue #13: a dirty township present only the last 3 days of three months
moved the county's measured change from −21.4 % to −32.0 %; hostile review s10-hostA F4: a township's
dirty station of two present 3 days a month left the township's series, and so the townships' mix,
complete, and moved it from −22.0 % to −24.8 %).

Each station's share of a month is the sum of its weights over the month's hours over the sum of every
station's (:func:`month_weights`; a township's share is the sum of its stations'); the mix change of a
month is the total variation distance between the two seasons' shares, ``½ Σ |share_current −
share_previous|`` (``mix_change``, shown in the text). What the change can do to the county's month mean
depends on the stations' levels: with ``L`` a station's mean level in the pair's two months (its hours of
both), the month mean of the current mix differs from that of the previous mix, at the same levels, by
``Σ Δshare · L``; relative to the county's level of the pair ``L̄ = Σ ½ (share_current + share_previous)
· L`` that is the mix bias ``Σ Δshare · L / L̄`` (``mix_bias``). A month pair whose ``|mix_bias|`` is above
``county.station_mix_bias`` (``input_limits.csv``) is not comparable (hostile re-review s10-reA F4: a
10-day outage of one of a township's two near-equal stations changes the mix by 5.6 % but the county's
change by 0.03 points; the mix change alone flagged it). A station with a value in neither month of a pair
has no share in either and no part in the bias.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.airquality.validity import attributed_day
from zzeval.resources import input_limit

#: the key of the limit in ``zzeval/reference/input_limits.csv`` (in %)
LIMIT_KEY = "county.station_mix_bias"


def mix_limit() -> float:
    """The largest mix bias (``|Σ Δshare · L| / L̄``) of a month pair that leaves the county series
    comparable (a fraction)."""
    return input_limit(LIMIT_KEY) / 100


def station_presence(rows: pd.DataFrame) -> pd.DataFrame:
    """Each station's weight within its township at each hour it has a value: ``township, station_code,
    pollutant, datetime, within`` (``1 / the township's stations with a value then``) and ``value``, sorted.

    ``rows`` has ``township, station_code, pollutant, datetime, value``: the station rows the township
    series are the means of (:func:`zzeval.airquality.weather_data.township_station_rows`, 同口径); rows
    without a finite value are not counted."""
    h = rows[np.isfinite(rows["value"].to_numpy(float))][["township", "station_code", "pollutant", "datetime",
                                                          "value"]]
    n = h.groupby(["township", "pollutant", "datetime"], sort=False)["station_code"].transform("size")
    out = h.assign(within=1.0 / n.to_numpy(float))
    return out.sort_values(["township", "station_code", "pollutant", "datetime"], kind="stable",
                           ignore_index=True)


def month_weights(presence: pd.DataFrame) -> pd.DataFrame:
    """Each station's weight in the county series per pollutant and month: ``township, station_code,
    pollutant, month`` (``YYYY-MM`` of the natural day the hour belongs to,
    :func:`zzeval.airquality.validity.attributed_day`), ``weight`` (the sum over the month's hours of
    ``within / townships with a value then``), ``hours`` (its hours with a value) and ``level_sum`` (the
    sum of its values over those hours).

    ``presence`` is :func:`station_presence` of every township (or the concatenation of each township's:
    the rows are sorted first, so the sums are the same to the last bit)."""
    cols = ["township", "station_code", "pollutant", "month"]
    if not len(presence):
        return (pd.DataFrame({c: [] for c in cols} | {"weight": [], "hours": [], "level_sum": []})
                .astype({"hours": int}))
    p = presence.sort_values(["township", "station_code", "pollutant", "datetime"], kind="stable",
                             ignore_index=True)
    townships = p.groupby(["pollutant", "datetime"], sort=False)["township"].transform("nunique")
    month = attributed_day(p["datetime"]).dt.strftime("%Y-%m")
    p = p.assign(month=month.to_numpy(), weight=p["within"].to_numpy(float) / townships.to_numpy(float))
    return (p.groupby(cols, sort=True).agg(weight=("weight", "sum"), hours=("weight", "size"),
                                           level_sum=("value", "sum"))
            .reset_index())


def mix_changes(weights: pd.DataFrame, months_current, months_previous, statistic: str = "PM2.5") -> pd.DataFrame:
    """The mix change of each month pair (a current-season month and the same month of the previous season).

    Parameters
    ----------
    weights : DataFrame
        :func:`month_weights` of the stations of the county series.
    months_current, months_previous : sequence of str
        The seasons' calendar months (``YYYY-MM``), in the same order.

    Returns
    -------
    DataFrame
        One row per month of either season: ``month``, ``mix_change`` (the pair's total variation distance
        of the stations' shares, a fraction; NaN when one of the two months has no hour), ``mix_bias``
        (``Σ Δshare · L / L̄``, current minus previous, a fraction; NaN likewise), ``stations_share_fell``
        (when ``|mix_bias|`` is above :func:`mix_limit`: the stations with fewer hours
        in this month than in the other season's whose shortfall alone, the other stations' weights
        unchanged, moves the mix at least half as much as the pair's largest such shortfall does, each as
        ``"<township> <station_code>"``, comma-separated, by township and code; else ``""``) and
        ``townships_share_fell`` (their townships, comma-separated).
    """
    w = (weights[weights["pollutant"] == statistic].set_index(["month", "township", "station_code"])
         [["weight", "hours", "level_sum"]])
    months = w.index.get_level_values("month")
    limit = mix_limit()
    rows = []
    empty = {"mix_change": np.nan, "mix_bias": np.nan, "townships_share_fell": "", "stations_share_fell": ""}
    for cur, prev in zip(months_current, months_previous, strict=True):
        wc = w.xs(cur, level="month") if cur in months else w.iloc[:0].droplevel("month")
        wp = w.xs(prev, level="month") if prev in months else w.iloc[:0].droplevel("month")
        keys = wc.index.union(wp.index)
        wc, wp = wc.reindex(keys, fill_value=0), wp.reindex(keys, fill_value=0)
        if wc["weight"].sum() == 0 or wp["weight"].sum() == 0:  # no mix to compare: the month fails § 8 anyway
            rows += [{"month": cur, **empty}, {"month": prev, **empty}]
            continue
        sc, sp = wc["weight"] / wc["weight"].sum(), wp["weight"] / wp["weight"].sum()
        change = float(0.5 * (sc - sp).abs().sum())
        # each station's level over both months' hours (every station here has an hour in one of them)
        level = (wc["level_sum"] + wp["level_sum"]) / (wc["hours"] + wp["hours"])
        bias = float(((sc - sp) * level).sum() / (0.5 * (sc + sp) * level).sum())
        flagged = abs(bias) > limit
        # each station's own part: the mix change its hours alone make (the others' weights as in the other season)
        own = {cur: _alone(wc["hours"], wp["hours"], sp), prev: _alone(wp["hours"], wc["hours"], sc)}
        largest = max(float(v.max()) for v in own.values())
        for month in (cur, prev):
            fell = [k for k in keys if flagged and own[month][k] > 0 and own[month][k] >= largest / 2]
            rows.append({"month": month, "mix_change": change, "mix_bias": bias,
                         "townships_share_fell": ", ".join(dict.fromkeys(t for t, _ in fell)),
                         "stations_share_fell": ", ".join(f"{t} {c}" for t, c in fell)})
    return pd.DataFrame(rows)


def _alone(own: pd.Series, other: pd.Series, share_other: pd.Series) -> pd.Series:
    """Per station with fewer hours in ``own`` than in ``other``: the mix change if only its hours were those
    of ``own`` and every other station's weight that of the other month (its share ``S`` there then falls
    to ``S r / (S r + 1 − S)``, ``r = own / other`` its hours' ratio: for one station per township and every
    township at every hour, ``h_own / (h_own + R)`` with ``R`` the others' hours); 0 for the rest."""
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = share_other * (own / other)
        fall = share_other - kept / (kept + 1 - share_other)
    return fall.where(own < other, 0.0).fillna(0.0)
