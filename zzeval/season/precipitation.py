"""Precipitation in 0.1 mm under the mm header (hostile review s11-hostA, finding 14).

The CMA's raw station files give precipitation in 0.1 mm; written under ``precip_mm`` unconverted, a season's
hourly values are ten times too large and each stays far below the per-hour limit (29 "mm" in an hour), so the
season passed and the weather adjustment read a wet winter (the county's adjusted change −9.55 % → −10.8 %).
An October-March season in south-east Shanxi brings about 75 mm (China Meteorological Administration
1991-2020 normals of the neighbouring Qin and Wuxiang counties, Changzhi: 76.8 and 74.9 mm); ten times that is
far beyond any season. A station's (or the county rows') season whose precipitation adds up to more than
``meteorology.season_precip_mm`` is refused, a judgement check (``weather_precip_total``, season.yaml
``confirmed:``): the record rains of early October 2021 (up to 285 mm in five days in one county of Shanxi)
could bring a genuine season near it. The message says whether every value is a whole number (0.1 mm counts).

Hourly rows carrying the 24-hour (or running) accumulated precipitation (CMA 过去24小时降水量, a common column of
hourly exports) were told "÷ 10" too, and following it passed (hostile review s11-hostC, finding 3). Such a column
stays above 0 for 24 hours after every rain: a season whose wet spells (consecutive hours above 0) last 24 hours or
more in at least ``meteorology.precip_long_spell_share`` of them (at least :data:`LEAST_LONG_SPELLS`) is refused as
accumulated totals, a judgement check (``weather_precip_accumulated``); genuine hourly precipitation comes in spells
of hours (none of 24 hours in the samples and the winter generator). The total's message names both causes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.confirm import judge
from zzeval.season.keys import county_code, source_seasons
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a season's precipitation total.
CHECK = "weather_precip_total"

#: The key of input_limits.csv: the most precipitation of a season [mm].
SEASON_TOTAL_LIMIT = "meteorology.season_precip_mm"

#: The judgement check of a season's precipitation written as 24-hour or running accumulated totals.
ACCUMULATED = "weather_precip_accumulated"

#: Hours of a wet spell that an accumulated total reaches after any rain (a 24-hour total stays up 23 hours more).
LONG_SPELL_HOURS = 24

#: The fewest long wet spells judged (one or two long rains may be genuine).
LEAST_LONG_SPELLS = 3

#: The judgement check of a season's precipitation whose values are all whole numbers (0.1 mm counts).
TENTHS = "weather_precip_tenths"

#: The fewest hours with precipitation of a season judged by the whole numbers (a few wet hours may all be whole).
LEAST_WET_HOURS = 10

#: What to write instead of accumulated totals.
EACH_HOUR = ("write each hour's own precipitation (the hour's amount, 小时降水量), not running or 24-hour accumulated "
             "totals (过去24小时降水量)")


def check_season_precipitation(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse (confirmable) each station and season whose ``precip_mm`` adds up to more than
    ``meteorology.season_precip_mm``, on its wettest hour's row, with its total, hours and wettest hour."""
    if "precip_mm" not in met or met.empty:
        return
    values = pd.to_numeric(met["precip_mm"], errors="coerce")
    given = values.notna() & (values > 0) & met["datetime"].notna()
    if not given.any():
        return
    accumulated = _check_accumulated(met, values, fname, out)
    top = input_limit(SEASON_TOTAL_LIMIT)
    part = source_seasons(met, values, given)
    for (code, season), rows in part.groupby(["source", "year"], sort=True):
        total = float(rows["v"].sum())
        if (code, season) in accumulated:
            continue
        if total <= top:
            _check_whole_numbers(part, code, season, met, fname, out)
            continue
        wettest = rows["v"].idxmax()
        whole = bool((rows["v"] == np.round(rows["v"])).all())
        hint = ("every value is a whole number, as the CMA's raw files give precipitation in 0.1 mm: is it in "
                "0.1 mm? write it in mm (÷ 10)" if whole else
                "is it in 0.1 mm (the CMA's raw files' unit)? write it in mm (÷ 10)")
        message = (f"station '{show(code)}': precip_mm adds up to {total:,.1f} mm over the season from {int(season)} "
                   f"({len(rows):,} hours with precipitation, the most {rows['v'].max():g} mm in the hour of "
                   f"{pd.Timestamp(met.loc[wettest, 'datetime']):%Y-%m-%d %H:%M}); an October-March season here "
                   f"brings about 75 mm, at most {top:g} mm (meteorology.season_precip_mm in zzeval/reference/"
                   f"input_limits.csv): {hint}; or are the values running or 24-hour accumulated totals? then "
                   f"{EACH_HOUR}")
        judge(out, CHECK, f"{code} {int(season)}-{int(season) + 1}", (fname, int(wettest) + 2, "precip_mm"), message)


def _check_accumulated(met: pd.DataFrame, values: pd.Series, fname: str, out: Collector) -> set:
    """Refuse (confirmable) each station and season whose wet spells last :data:`LONG_SPELL_HOURS` or more in
    at least ``meteorology.precip_long_spell_share`` of them (at least :data:`LEAST_LONG_SPELLS`), on the first
    row of its first long spell. Returns the (station, season first year) so refused."""
    known = values.notna() & met["datetime"].notna()
    hours = pd.DataFrame({"source": county_code(met["station_code"])[known],
                          "t": pd.to_datetime(met.loc[known, "datetime"]), "v": values[known]})
    hours = hours.sort_values(["source", "t"], kind="stable")
    wet = (hours["v"] > 0).to_numpy()
    same = (hours["source"].to_numpy()[1:] == hours["source"].to_numpy()[:-1]) & (
        np.diff(hours["t"].to_numpy()) == np.timedelta64(1, "h"))
    follows = np.concatenate([[False], same & wet[:-1]])
    spell = np.cumsum(wet & ~follows)
    spells = hours[wet].assign(spell=spell[wet]).groupby("spell", sort=False).agg(
        source=("source", "first"), start=("t", "first"), row=("t", lambda t: t.index[0]), hours=("v", "size"))
    if spells.empty:
        return set()
    spells["year"] = np.asarray(season_first_year(spells["start"]))
    spells["long"] = spells["hours"] >= LONG_SPELL_HOURS
    share = input_limit("meteorology.precip_long_spell_share")
    refused = set()
    for (code, season), s in spells.groupby(["source", "year"], sort=True):
        long = s[s["long"]]
        if len(long) < LEAST_LONG_SPELLS or len(long) < share * len(s):
            continue
        refused.add((code, season))
        first = long.iloc[0]
        message = (f"station '{show(code)}': precip_mm of the season from {int(season)} stays above 0 for "
                   f"{LONG_SPELL_HOURS} hours or more in {len(long):,} of its {len(s):,} wet spells (the first from "
                   f"{pd.Timestamp(first['start']):%Y-%m-%d %H:%M}, {int(first['hours'])} hours; the longest "
                   f"{int(s['hours'].max())} hours): these look like running or 24-hour accumulated totals, which rise "
                   "and stay up for 24 hours after every rain, where hourly precipitation comes in spells of a few "
                   f"hours (meteorology.precip_long_spell_share in zzeval/reference/input_limits.csv): {EACH_HOUR}")
        judge(out, ACCUMULATED, f"{code} {int(season)}-{int(season) + 1}", (fname, int(first["row"]) + 2, "precip_mm"),
              message)
    return refused


def _check_whole_numbers(part: pd.DataFrame, code: str, season: int, met: pd.DataFrame, fname: str,
                         out: Collector) -> None:
    """Refuse (confirmable) the season of ``code`` (at most ``meteorology.season_precip_mm``, at least
    :data:`LEAST_WET_HOURS` wet hours) whose wet hours are whole numbers in at least
    ``meteorology.precip_whole_share`` of them: counts of 0.1 mm (hostile review s12-hostA W09: a dry winter of
    26 mm written as 265), on its wettest hour's row, against the source's other season."""
    rows = part[(part["source"] == code) & (part["year"] == season)]["v"]
    share = float((rows == np.round(rows)).mean())
    if len(rows) < LEAST_WET_HOURS or share < input_limit("meteorology.precip_whole_share"):
        return
    other = part[(part["source"] == code) & (part["year"] != season)]["v"]
    against = (f"; the season from {int(part.loc[other.index[0], 'year'])} adds up to {other.sum():,.1f} mm, its "
               f"smallest wet hour {other.min():g} mm, {(other == np.round(other)).mean():.0%} of its wet hours whole "
               "numbers" if len(other) else "")
    wettest = rows.idxmax()
    message = (f"station '{show(code)}': {share:.0%} of the {len(rows):,} wet hours of the season from {int(season)} "
               f"have a precip_mm that is a whole number (the smallest {rows.min():g} mm, the most {rows.max():g} mm "
               f"in the hour of {pd.Timestamp(met.loc[wettest, 'datetime']):%Y-%m-%d %H:%M}, {rows.sum():,.1f} mm in "
               f"all{against}); precipitation in mm comes in tenths (0.1, 0.3 mm: at most 13 % of a genuine season's "
               "wet hours are whole numbers, meteorology.precip_whole_share in zzeval/reference/input_limits.csv), "
               "counts of 0.1 mm (the CMA's raw files' unit) are whole numbers: is it in 0.1 mm? write it in mm "
               "(÷ 10); a gauge that reads whole millimetres only may be confirmed")
    judge(out, TENTHS, f"{code} {int(season)}-{int(season) + 1}", (fname, int(wettest) + 2, "precip_mm"), message)
