"""A station's anemometer moved between the seasons (hostile review s12-hostA, W07).

A station with weather rows of its own in both seasons whose anemometer went to a sheltered mast for one season
(its wind × 0.62) stays under the season check's ``meteorology.wind_season_ratio`` (1.61 < 1.7), and the
weather adjustment read a calmer season at that station: xiacun's adjusted change −14.0 → −23.6 %. The county rows
measure the same seasons' weather at one unchanged site: a station's wind level relative to the county's (the
median of its hours above near calm over the county rows') stays nearly the same from one season to the next
when both sites are unchanged, and steps where one moved. A step of ``meteorology.wind_site_step_ratio`` or
more between the two seasons is refused, a judgement check (``weather_wind_site``, season.yaml ``confirmed:``):
two independent sites of one climate come near it (measured in input_limits.csv), and a genuine move may be
kept, knowing that the adjustment then reads the move as weather.
"""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.keys import source_seasons
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a station's wind level against the county's.
CHECK = "weather_wind_site"

#: The key of input_limits.csv: the largest step of a station's wind level against the county's.
STEP_RATIO_LIMIT = "meteorology.wind_site_step_ratio"

#: The fewest hours above near calm of a season of the station and of the county rows compared (as wind_units).
LEAST_HOURS = 1440


def check_wind_site_step(met: pd.DataFrame, fname: str, out: Collector, refused: set) -> None:
    """Refuse (confirmable) each station with its own wind speeds in two seasons whose median against the
    county rows' (hours above near calm) steps by ``meteorology.wind_site_step_ratio`` or more between them,
    on the lower season's first row above near calm, naming both ratios; not the stations in ``refused`` (a
    season of theirs refused as in another unit already)."""
    if "wind_speed_ms" not in met or met.empty:
        return
    values = pd.to_numeric(met["wind_speed_ms"], errors="coerce")
    given = values.notna() & (values > input_limit("meteorology.near_calm_wind_speed_ms")) & met["datetime"].notna()
    if not given.any():
        return
    part = source_seasons(met, values, given)
    part["row"] = part.index
    grouped = part.groupby(["source", "year"], sort=True)
    levels = pd.DataFrame({"median": grouped["v"].median(), "hours": grouped.size(), "first": grouped["row"].min()})
    levels = levels[levels["hours"] >= LEAST_HOURS]
    if "county" not in levels.index.get_level_values("source"):
        return
    county = levels.loc["county", "median"]
    top = input_limit(STEP_RATIO_LIMIT)
    for code, seasons in levels.groupby(level="source", sort=True):
        if code == "county" or code in refused:
            continue
        years = [y for y in seasons.index.get_level_values("year") if y in county.index]
        if len(years) < 2:
            continue
        ratio = {y: seasons.loc[(code, y), "median"] / county[y] for y in years}
        low, high = min(ratio, key=ratio.get), max(ratio, key=ratio.get)
        step = ratio[high] / ratio[low]
        if step < top:
            continue
        message = (f"station '{show(code)}': its wind_speed_ms against the county rows' (median of the hours above "
                   f"near calm) is {ratio[low]:.2f} in the season from {low} and {ratio[high]:.2f} in the season from "
                   f"{high}, a step of {step:.2f} times; at unchanged sites it stays nearly the same from one season to "
                   f"the next (below {top:g}: meteorology.wind_site_step_ratio in zzeval/reference/input_limits.csv): "
                   "was the anemometer moved, sheltered or raised, or the station's wind taken from another source, "
                   "in one season? then leave that season's own weather rows out (the county rows are used) or "
                   "correct them; the weather adjustment would read the move as a change of the weather")
        judge(out, CHECK, f"{code} {min(years)}-{max(years) + 1}",
              (fname, int(seasons.loc[(code, low), "first"]) + 2, "wind_speed_ms"), message)
