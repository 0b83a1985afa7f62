"""A station's own weather in one season and not in the other (hostile review s11-hostA, finding 10).

A township's weather adjustment uses its station's own weather where the station has rows, the county-wide
rows elsewhere (data/README.md, "Hourly meteorology"). A station with its own weather in one season only (a
sensor installed for the assessed season at a sheltered site: wind × 0.6, 1 °C colder) then had the
station's microclimate this season compared with the county's weather last season: the calmer site read as
worse weather, credited to the measures (xiacun's weather-adjusted PM2.5 change −13.7 % → −28.9 %, no notice).
Like with like (同口径), as for the stations measured in both seasons and a boundary-layer height given in one
season only: a station whose own weather covers fewer than ``meteorology.station_weather_season_share`` of
the hours it covers in the other season compared is left out in both, and its township uses the county's
weather in both seasons, with a notice naming the station and its hours (:func:`note_one_season_weather`, at
validation, from the hours the checks of the meteorology counted, also chunk by chunk). The rows are left out
where the season is loaded (:func:`without_one_season_weather`, called by
:func:`zzeval.season.weather_county.with_derived_county_weather` after a county weather is derived from the
stations': their weather stays in that mean), so the one-process evaluation and the build's batch tasks read
the same weather.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from zzeval.resources import input_floor
from zzeval.season.checks import Collector, season_year
from zzeval.season.keys import COUNTY_CODE, county_code
from zzeval.season.parsing import show

#: ``meta`` key of the stations whose own weather was left out (:func:`without_one_season_weather`).
SET_ASIDE_KEY = "station_weather_one_season"


def one_season_stations(hours: dict, years: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """The stations (not ``county``) whose own weather covers fewer than
    ``meteorology.station_weather_season_share`` of the hours it covers in the other of the two seasons
    ``years`` (first years: previous, current), with their hours in each; ``hours``: ``{(code, first year):
    distinct hours with a weather row}``."""
    share = input_floor("meteorology.station_weather_season_share")
    codes = sorted({code for code, _ in hours if code != COUNTY_CODE})
    out = {}
    for code in codes:
        counts = tuple(int(hours.get((code, year), 0)) for year in years)
        if max(counts) > 0 and min(counts) < share * max(counts):
            out[code] = counts
    return out


def note_one_season_weather(fnames: dict, period, stations: pd.DataFrame | None, out: Collector) -> None:
    """A notice per station of :func:`one_season_stations` (its hours counted by
    :func:`zzeval.season.weather_hours.record_hours`), naming its township and its hours in each season."""
    hours = {(code, year): n for (table, code, year), n in out.weather_hours.items() if table == "meteorology"}
    years = (period.previous.first_year, period.first_year)
    township = {} if stations is None else dict(zip(stations["station_code"], stations["township"], strict=False))
    fname = fnames.get("meteorology", "meteorology.csv")
    share = input_floor("meteorology.station_weather_season_share")
    for code, counts in one_season_stations(hours, years).items():
        where = f" ({show(township[code])})" if code in township else ""
        out.notes.append(
            f"{fname}: station '{show(code)}'{where} has its own weather in {counts[0]:,} hours of the previous season "
            f"{period.previous.name} and {counts[1]:,} of the current season {period.name}: one season's weather of "
            "the station would be compared with the county's in the other (a sheltered site's calmer wind read as "
            "a change of the weather), so its township's weather adjustment uses the county-wide weather in both "
            f"seasons and leaves the station's own out (fewer than {share:.0%} "
            "of the other season's hours, meteorology.station_weather_season_share in zzeval/reference/"
            "input_limits.csv; data/README.md, meteorology); to use it, add the station's weather of the other season")


def station_weather_hours(met: pd.DataFrame) -> dict:
    """``{(code, first year): distinct hours}`` of the rows of ``met``, as
    :func:`zzeval.season.weather_hours.record_hours` counts them at validation."""
    if met is None or met.empty:
        return {}
    pairs = pd.DataFrame({"c": county_code(met["station_code"]), "y": season_year(met["datetime"]),
                          "t": met["datetime"]}).dropna().drop_duplicates()
    return {(str(c), int(y)): int(n) for (c, y), n in pairs.groupby(["c", "y"]).size().items()}


def without_one_season_weather(season):
    """``season`` (a :class:`zzeval.season.data.SeasonData`) without the meteorology rows of the stations of
    :func:`one_season_stations` (their townships then use the county's weather in both seasons), their codes
    and rows left out in ``meta[SET_ASIDE_KEY]`` (the rows counted as read: ``zzeval validate``'s count of the
    table's rows); ``season`` itself when there are none."""
    met = season.meteorology
    years = (season.period.previous.first_year, season.period.first_year)
    aside = one_season_stations(station_weather_hours(met), years)
    if not aside:
        return season
    left_out = county_code(met["station_code"]).isin(list(aside)).to_numpy()
    counts = pd.Series(county_code(met["station_code"])[left_out]).value_counts()
    meta = {**season.meta, SET_ASIDE_KEY: {str(code): int(n) for code, n in sorted(counts.items())}}
    return replace(season, meteorology=met[~left_out].reset_index(drop=True), meta=meta)
