"""Weather hours against air-quality hours per season (validate = buildable, review 6b finding 14):
the weather adjustment fits only the hours that have weather, so a season whose weather covers
part of it (October-December only) would give that part's adjusted change beside the whole
season's measured change. The hours are counted while the hourly tables are checked (also chunk
by chunk for Parquet tables, a station's rows at a time) and compared once all are read."""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_floor
from zzeval.season.checks import Collector, season_year
from zzeval.season.keys import county_code


def _hours(out: Collector) -> dict:
    """``{(table, code, first year): distinct hours}`` recorded on ``out``."""
    return out.weather_hours


def record_hours(frame: pd.DataFrame, table: str, out: Collector) -> None:
    """Count the distinct hours per station (or ``county``) and season of the rows of
    ``air_quality`` (with a value) or ``meteorology`` in ``frame`` (whole stations)."""
    if table not in ("air_quality", "meteorology") or frame.empty:
        return
    rows = frame
    if table == "air_quality":
        rows = frame[frame["value"].notna()]
    code = county_code(rows["station_code"])
    pairs = pd.DataFrame({"c": code, "y": season_year(rows["datetime"]), "t": rows["datetime"]})
    counts = pairs.dropna().drop_duplicates().groupby(["c", "y"]).size()
    hours = _hours(out)
    for (c, y), n in counts.items():
        key = (table, str(c), int(y))
        hours[key] = hours.get(key, 0) + int(n)


def check_weather_hours(fnames: dict, period, out: Collector) -> None:
    """Refuse a season whose county weather (its ``county`` rows, or when it has none the
    stations' weather it is derived from) covers fewer hours than
    ``meteorology.hours_share_of_air_quality`` (input_limits.csv) times the hours of the station
    with the most hours of air quality in that season. A township's own station weather has its
    gaps filled from the county weather hour by hour, so the county weather bounds every series."""
    hours = _hours(out)
    share = input_floor("meteorology.hours_share_of_air_quality")
    fname = fnames.get("meteorology", "meteorology.csv")
    for which, p in {"current": period, "previous": period.previous}.items():
        year = p.first_year
        aq = {c: n for (t, c, y), n in hours.items() if t == "air_quality" and y == year}
        met = {c: n for (t, c, y), n in hours.items() if t == "meteorology" and y == year}
        if not aq or not met:
            continue  # no weather at all in the season: check_buildable says so
        station, expected = max(aq.items(), key=lambda kv: (kv[1], kv[0]))
        source, found = ("county", met["county"]) if "county" in met else max(
            met.items(), key=lambda kv: (kv[1], kv[0]))
        if found < share * expected:
            what = ("the county-wide rows (station_code 'county')" if source == "county" else
                    f"the weather of station '{source}' (the most of any station; the season has no county rows)")
            out.add(fname, None, "datetime",
                    f"{what} cover {found:,} hours of the {which} season {p.name}, but station '{station}' has air "
                    f"quality in {expected:,} hours: below {share:.0%} of them (meteorology.hours_share_of_air_quality, "
                    "zzeval/reference/input_limits.csv), the season's weather-adjusted change would be that of part "
                    "of the season only. Add the hourly weather of the missing months")
