"""Part of a season's wind speed in knots or km/h under ``wind_speed_ms`` (hostile review s12-hostA, W02/W10).

The season check (:mod:`zzeval.season.wind_units`) compares whole seasons: an export that gave knots for October to
December only (the county's adjusted change −9.55 % → −21.0 %) or km/h for one January (→ −14.6 %) moves a season's
median less than ``meteorology.wind_season_ratio``. Each calendar month of a station (or of the county rows) with
at least :data:`LEAST_HOURS` hours above near calm is therefore compared with the same source's other months (the
median of their medians) and with the other season's same calendar month: where its median and upper quartile are
``meteorology.wind_month_ratio`` times or more all of these, the month is refused, a judgement check
(``weather_wind_month_unit``, season.yaml ``confirmed:``; a genuine stormy month may come near, measured in
input_limits.csv). A season the season check refuses is not judged again month by month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.keys import source_months
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a month's wind level against the source's other months.
CHECK = "weather_wind_month_unit"

#: The key of input_limits.csv: the most a month's wind level may be times the source's other months'.
MONTH_RATIO_LIMIT = "meteorology.wind_month_ratio"

#: The fewest hours above near calm of a month judged or used as a reference (10 days).
LEAST_HOURS = 240

#: Above this ratio km/h (3.6) is likelier than knots (1.944): their geometric middle (as wind_units.KMH_FROM).
KMH_FROM = 2.65


def month_wind_ratios(met: pd.DataFrame) -> pd.DataFrame:
    """Each source's calendar months (``source``, ``year``: the season's first year, ``month``) with at least
    :data:`LEAST_HOURS` hours above near calm: ``ratio``, the least of the month's median and upper quartile
    against the median of the source's other months' and against the other season's same month (where it has
    one); ``median``, ``reference`` (the other months' median) and ``first`` (the row of its first such hour)."""
    empty = pd.DataFrame(columns=["source", "year", "month", "ratio", "median", "reference", "first"])
    if "wind_speed_ms" not in met or met.empty:
        return empty
    values = pd.to_numeric(met["wind_speed_ms"], errors="coerce")
    given = values.notna() & (values > input_limit("meteorology.near_calm_wind_speed_ms")) & met["datetime"].notna()
    if not given.any():
        return empty
    grouped = source_months(met, values, given)
    levels = pd.DataFrame({"median": grouped["v"].median(), "q75": grouped["v"].quantile(0.75),
                           "hours": grouped.size(), "first": grouped["row"].min()})
    levels = levels[levels["hours"] >= LEAST_HOURS].reset_index()
    levels["ratio"] = np.nan
    levels["reference"] = np.nan
    for _, months in levels.groupby("source", sort=True):
        if len(months) < 3:
            continue
        med, q75 = months["median"].to_numpy(float), months["q75"].to_numpy(float)
        years, cal = months["year"].to_numpy(), months["month"].to_numpy()
        ratios, references = [], []
        for i in range(len(months)):
            others = np.arange(len(months)) != i
            ref = np.median(med[others])
            ratio = [med[i] / ref, q75[i] / np.median(q75[others])]
            same = others & (cal == cal[i]) & (years != years[i])
            if same.any():
                ratio += [med[i] / med[same][0], q75[i] / q75[same][0]]
            ratios.append(min(ratio))
            references.append(ref)
        levels.loc[months.index, "ratio"] = ratios
        levels.loc[months.index, "reference"] = references
    return levels.dropna(subset=["ratio"])[list(empty.columns)]


def check_wind_speed_months(met: pd.DataFrame, fname: str, out: Collector, refused: set) -> None:
    """Refuse (confirmable) each source's calendar months whose wind level is ``meteorology.wind_month_ratio``
    times or more the source's other months' and the other season's same month (:func:`month_wind_ratios`),
    one refusal per source and season naming the months, on the first month's first row above near calm;
    not the (source, season first year) in ``refused`` (the whole season already refused)."""
    top = input_limit(MONTH_RATIO_LIMIT)
    levels = month_wind_ratios(met)
    high = levels[(levels["ratio"] >= top)]
    for (code, season), months in high.groupby(["source", "year"], sort=True):
        if (code, int(season)) in refused:
            continue
        months = months.sort_values("first")
        named = ", ".join(f"{int(season) + (m < 7)}-{int(m):02d} ({r:.2f} times, median {v:g} against {ref:g} m/s)"
                          for m, r, v, ref in zip(months["month"], months["ratio"], months["median"],
                                                  months["reference"], strict=True))
        unit = ("km/h (3.6 × m/s)? write them in m/s (km/h ÷ 3.6)" if months["ratio"].max() >= KMH_FROM else
                "knots (1.944 × m/s, as METAR/aviation-derived exports give it)? write them in m/s (knots × 0.514)")
        months_key = " ".join(f"{int(season) + (m < 7)}-{int(m):02d}" for m in months["month"])
        message = (f"station '{show(code)}': the wind_speed_ms of {named} is at least {top:g} times the station's "
                   "other months (the median of their medians, of the hours above near calm) and the other season's "
                   f"same month, in median and upper quartile (meteorology.wind_month_ratio in zzeval/reference/"
                   f"input_limits.csv; genuine months stay below it): are these months in {unit}; look at the months next to them too")
        judge(out, CHECK, f"{code} {months_key}", (fname, int(months["first"].iloc[0]) + 2, "wind_speed_ms"),
              message)
