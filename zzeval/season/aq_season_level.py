"""A whole season of PM2.5 and PM10 divided (or multiplied) by 10 at every station (hostile review s13-hostB, A44).

The previous season's PM2.5 and PM10 exported with a decimal slip at every station (÷ 10) passed validate: every
station moves together, so the checks against the other stations' same month or days (``aq_month_level``,
``aq_day_level``) see nothing, the check against the station's own other months allows 30 times
(``air_quality.month_level_ratio``, a unit 1000 times off), and a winter median of 5-6 µg/m³ is above the floor of a
station's median. The county's measured change −19.5 % became +705 % and every township's verdict 约谈.

Each pollutant of :data:`POLLUTANTS` is compared between the two seasons over the stations measured in both (at
least :data:`LEAST_HOURS` hours of each): the mean of the stations' season means. Genuine winters of one county
differ by tens of percent (measured on the samples, the winter generator and Jincheng's real PM2.5 in
input_limits.csv); at ``air_quality.season_level_ratio`` or more the season is refused, a judgement check
(``aq_season_level``, season.yaml ``confirmed:``), naming the pollutant, both seasons' means, the ratio and each
station's. The gases are not compared: SO2 genuinely fell severalfold between winters in Shanxi (coal-to-gas), and a
gas in a unit 1000 times off is refused by its season median.

Checked on rows that hold every row of their stations (a table, or a station-complete Parquet chunk): the stations of
a chunk are its own.
"""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.confirm import judge
from zzeval.season.schema import POLLUTANT_UNITS

#: The judgement check (``season.yaml`` ``confirmed:``) of a pollutant's season level against the other season's.
CHECK = "aq_season_level"

#: The key of input_limits.csv: the most a pollutant's season level may be times the other season's.
SEASON_RATIO_LIMIT = "air_quality.season_level_ratio"

#: The pollutants compared (module docstring: not the gases).
POLLUTANTS = ("PM2.5", "PM10")

#: The fewest hours of a station's season compared (60 days, as wind_units.LEAST_HOURS).
LEAST_HOURS = 1440


def season_levels(aq: pd.DataFrame) -> pd.DataFrame:
    """Per pollutant of :data:`POLLUTANTS` and season (its first year) with another season: ``mean`` (the mean of
    the season means of the stations with at least :data:`LEAST_HOURS` hours in both), ``stations`` (station ->
    season mean) and ``first`` (the label of its first row)."""
    columns = ["pollutant", "year", "mean", "stations", "first"]
    if aq is None or aq.empty:
        return pd.DataFrame(columns=columns)
    usable = aq["pollutant"].isin(POLLUTANTS) & aq["value"].notna() & (aq["value"] >= 0) & aq["datetime"].notna()
    part = aq.loc[usable, ["station_code", "pollutant", "value"]]
    part = part.assign(year=season_first_year(aq.loc[usable, "datetime"]), row=part.index)
    stats = part.groupby(["pollutant", "station_code", "year"]).agg(mean=("value", "mean"), hours=("value", "size"),
                                                                     first=("row", "min"))
    stats = stats[stats["hours"] >= LEAST_HOURS].reset_index()
    rows = []
    for pollutant, per in stats.groupby("pollutant", sort=True):
        years = sorted(per["year"].unique())
        if len(years) < 2:
            continue
        both = per.groupby("station_code")["year"].nunique() == len(years)
        per = per[per["station_code"].isin(both.index[both])]
        for year, season in per.groupby("year", sort=True):
            rows.append({"pollutant": pollutant, "year": int(year), "mean": float(season["mean"].mean()),
                         "stations": dict(zip(season["station_code"], season["mean"], strict=True)),
                         "first": int(season["first"].min())})
    return pd.DataFrame(rows, columns=columns)


def season_ratios(aq: pd.DataFrame) -> pd.DataFrame:
    """Per pollutant: the ratio of the higher season's mean to the lower's (:func:`season_levels`), with ``low``
    and ``high`` (their rows of :func:`season_levels`)."""
    rows = []
    for pollutant, seasons in season_levels(aq).groupby("pollutant", sort=True):
        if len(seasons) < 2 or not seasons["stations"].iloc[0]:
            continue
        low, high = seasons.loc[seasons["mean"].idxmin()], seasons.loc[seasons["mean"].idxmax()]
        if low["mean"] <= 0:
            continue
        rows.append({"pollutant": pollutant, "ratio": high["mean"] / low["mean"], "low": low, "high": high})
    return pd.DataFrame(rows, columns=["pollutant", "ratio", "low", "high"])


def check_aq_season_levels(aq: pd.DataFrame, fname: str, out: Collector, refused: set = frozenset()) -> None:
    """Refuse (confirmable) a pollutant of :data:`POLLUTANTS` whose season mean over the stations is
    ``air_quality.season_level_ratio`` times or more the other season's, on the lower season's first row; not a
    pollutant of which a station's season is in ``refused`` ((station, pollutant, season first year) refused by
    its season median as in a unit 1000 times off: said already)."""
    top = input_limit(SEASON_RATIO_LIMIT)
    said = {pollutant for _, pollutant, _ in refused}
    for _, r in season_ratios(aq).iterrows():
        if r["ratio"] < top or r["pollutant"] in said:
            continue
        low, high, pollutant = r["low"], r["high"], r["pollutant"]
        unit = POLLUTANT_UNITS[pollutant]
        each = ", ".join(f"{code} {low['stations'][code]:.3g} → {high['stations'][code]:.3g}"
                         for code in sorted(low["stations"]))
        message = (f"{pollutant}: the mean of the stations' season means is {low['mean']:.3g} {unit} in the season "
                   f"from {low['year']} and {high['mean']:.3g} {unit} in the season from {high['year']}, "
                   f"{r['ratio']:.2f} times ({each}); two winters of one county differ by tens of percent (below "
                   f"{top:g} times: air_quality.season_level_ratio in zzeval/reference/input_limits.csv): are the "
                   f"season from {low['year']}'s values divided by 10 (a decimal slip of the export), or the season "
                   f"from {high['year']}'s multiplied by 10 (tenths of a µg/m³, the platform's raw integers), or one "
                   f"season in mg/m³ labelled {unit}? write both seasons in {unit}")
        judge(out, CHECK, f"{pollutant} {min(low['year'], high['year'])}-{max(low['year'], high['year']) + 1}",
              (fname, int(low["first"]) + 2, "value"), message)
