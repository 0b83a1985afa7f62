"""A season's wind speed in knots or km/h under ``wind_speed_ms`` (hostile review s11-hostC, finding 1).

METAR/Ogimet and many aviation-derived hourly exports give the wind speed in knots (1.944 × m/s); written under
``wind_speed_ms`` for one season, its strongest hours (16.7 "m/s") stay below the 25 m/s ceiling that catches km/h
in a windy season (``meteorology.wind_speed_ms``), and the weather adjustment read a windy season: the county's
adjusted change moved −9.6 % → −30.7 %. The same happens with km/h at a calm site. The two seasons of one station
(or of the county rows) are compared: the median and the upper quartile of the hours above near calm
(``meteorology.near_calm_wind_speed_ms``). Where both are ``meteorology.wind_season_ratio`` times or more the other
season's, the windier season is refused, a judgement check (``weather_wind_unit``, season.yaml ``confirmed:``):
genuine seasons differ by at most 1.46× (measured, input_limits.csv), a whole unit by 1.94× (knots) or 3.6× (km/h).
"""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.keys import source_seasons
from zzeval.season.parsing import show
from zzeval.season.wind_months import check_wind_speed_months
from zzeval.season.wind_site import check_wind_site_step

#: The judgement check (``season.yaml`` ``confirmed:``) of a season's wind level against the other season's.
CHECK = "weather_wind_unit"

#: The key of input_limits.csv: the most a season's wind level may be times the other season's.
SEASON_RATIO_LIMIT = "meteorology.wind_season_ratio"

#: The fewest hours above near calm of each season compared (60 days: single months differ far more than seasons).
LEAST_HOURS = 1440

#: Above this ratio km/h (3.6) is likelier than knots (1.944): their geometric middle.
KMH_FROM = 2.65


def check_wind_speed_unit(met: pd.DataFrame, fname: str, out: Collector) -> set:
    """Refuse (confirmable) the windier season of each station whose median and upper quartile of the hours
    above near calm are both at least ``meteorology.wind_season_ratio`` times the other season's, on that
    season's first row above near calm, naming the seasons, the ratio and the likely unit. Returns the
    (source, season first year) so judged; then each calendar month (:mod:`zzeval.season.wind_months`)."""
    refused = set()
    if "wind_speed_ms" not in met or met.empty:
        return refused
    values = pd.to_numeric(met["wind_speed_ms"], errors="coerce")
    given = values.notna() & (values > input_limit("meteorology.near_calm_wind_speed_ms")) & met["datetime"].notna()
    if not given.any():
        return refused
    part = source_seasons(met, values, given)
    grouped = part.groupby(["source", "year"], sort=True)["v"]
    levels = pd.DataFrame({"median": grouped.median(), "q75": grouped.quantile(0.75), "hours": grouped.size(),
                           "first": grouped.apply(lambda s: s.index[0])})
    levels = levels[levels["hours"] >= LEAST_HOURS]
    top = input_limit(SEASON_RATIO_LIMIT)
    for code, seasons in levels.groupby(level="source", sort=True):
        if len(seasons) < 2:
            continue
        calm = seasons["median"].idxmin()
        windy = seasons["median"].idxmax()
        ratio = seasons.loc[windy, "median"] / seasons.loc[calm, "median"]
        ratio_q75 = seasons.loc[windy, "q75"] / seasons.loc[calm, "q75"]
        if ratio < top or ratio_q75 < top:
            continue
        season, other = int(windy[1]), int(calm[1])
        refused.add((code, season))
        unit = ("km/h (3.6 × m/s)? write it in m/s (km/h ÷ 3.6)" if ratio >= KMH_FROM else
                "knots (1.944 × m/s, as METAR/aviation-derived exports give it)? write it in m/s (knots × 0.514)")
        message = (f"station '{show(code)}': the wind_speed_ms of the season from {season} is {ratio:.2f} times the "
                   f"season from {other}'s (median of the hours above near calm {seasons.loc[windy, 'median']:g} "
                   f"against {seasons.loc[calm, 'median']:g} m/s, upper quartile {ratio_q75:.2f} times); two seasons "
                   f"of one station differ by less than {top:g} times (meteorology.wind_season_ratio in zzeval/"
                   f"reference/input_limits.csv): is the season from {season} in {unit}")
        judge(out, CHECK, f"{code} {season}-{season + 1}", (fname, int(seasons.loc[windy, "first"]) + 2,
                                                             "wind_speed_ms"), message)
    check_wind_speed_months(met, fname, out, refused)
    check_wind_site_step(met, fname, out, {code for code, _ in refused})
    return refused
