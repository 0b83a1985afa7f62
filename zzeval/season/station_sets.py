"""Like with like (同口径): the stations a township's change between the two seasons is computed on.

A township's concentration on a day (or hour) is the mean of its stations' values
(:mod:`zzeval.airquality.airstats`). When its set of stations differs between the seasons (a station
added in the current season, one replaced or closed), that mean compares different sites and the
change mixes the change of sites into the measures' effect: a second station at the edge of town,
half as polluted, turns nancun's −26 % into −45 % (hostile review 7, finding 2). So the change is
computed like with like (同口径), on the same stations in both seasons. (A design choice of zzeval: no
rule of the national network on changed site sets was found to cite.)

Here a station *has data* in a season when it has at least one measured value (any pollutant) in it.
Per township:

* stations with data in both seasons (*common*) form the township's series in both seasons; the
  others (data in one season only) are named, and left out of every township series: the season
  statistics, the weather-adjusted change (and the county's series built from the townships') and the
  DiD panel;
* a township without a common station keeps each season's own stations for each season's statistics,
  but its change between the seasons cannot be computed (``comparable`` False): it drops out of the
  series that compare the seasons (the weather-adjusted change, the county's series, the DiD panel).

:func:`station_seasons` decides it, once per season (:meth:`zzeval.season.data.SeasonData.station_sets`)
for the season statistics, the township daily values and the weather-adjusted change; the DiD panel
decides it on its own rows, the valid days of its one pollutant; :func:`used_rows` applies it to any
frame with ``station_code`` and a time column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season.replacements import chains, handover_notes, replacement_notes, series_codes
from zzeval.season.schema import AIR_POLLUTANTS

#: the columns :func:`station_seasons` returns
COLUMNS = ("station_code", "township", "current", "previous", "used", "compared", "comparable")


def station_seasons(air_quality: pd.DataFrame, stations: pd.DataFrame, period, time: str = "datetime") -> pd.DataFrame:
    """Per station of a township: whether it has data in the current and the previous season,
    whether it forms its township's series (``used``), and whether its township's change is
    computable (``comparable``: the township has a station with data in both seasons).

    ``air_quality``: ``station_code, value`` and the ``time`` column (hourly rows, any pollutant; or
    daily values); ``stations``: ``station_code, township``; ``period``: the current
    :class:`~zzeval.season.data.SeasonPeriod`. A township none of whose stations has data in both
    seasons keeps them all (``used``), also when the rows are not at hand (an empty table).
    """
    measured = air_quality[np.isfinite(pd.to_numeric(air_quality["value"], errors="coerce").to_numpy(float))]
    seen = {}
    for column, p in (("current", period), ("previous", period.previous)):
        seen[column] = set(pd.unique(measured.loc[p.contains(measured[time]).to_numpy(), "station_code"]))
    return _sets(stations, seen["current"], seen["previous"])


def station_seasons_of_coverage(coverage: set, stations: pd.DataFrame, period) -> pd.DataFrame:
    """:func:`station_seasons` from what the checks of the hourly table recorded (``Collector.coverage``:
    ``(station, pollutant, first year of the season)`` with values), as validate has it also for a
    Parquet table it never holds whole."""
    years = {period.first_year: set(), period.previous.first_year: set()}
    series = series_codes(stations)  # a replacing station's data are its series' (season.replacements)
    for station, _, year in coverage:
        if year in years:
            years[year].add(series.get(station, station))
    return _sets(stations, years[period.first_year], years[period.previous.first_year])


def _sets(stations: pd.DataFrame, current: set, previous: set) -> pd.DataFrame:
    st = stations[["station_code", "township"]].dropna(subset=["township"]).drop_duplicates("station_code")
    out = st.reset_index(drop=True).copy()
    out["current"] = out["station_code"].isin(current)
    out["previous"] = out["station_code"].isin(previous)
    common = out["current"] & out["previous"]
    out["comparable"] = common.groupby(out["township"]).transform("any").astype(bool)
    out["used"] = common | ~out["comparable"]
    out["compared"] = common
    return out[list(COLUMNS)]


def used_rows(frame: pd.DataFrame, sets: pd.DataFrame, across: bool = False) -> np.ndarray:
    """True for the rows of ``frame`` (with ``station_code``) whose station forms its township's
    series (:func:`station_seasons`): ``used`` for each season's statistics; ``across`` (a series that
    compares the two seasons: the weather-adjusted change, the DiD panel) only the stations with data
    in both (``compared``), so that a township without one drops out of it. Rows of stations ``sets``
    does not list (without a township) are kept, their exclusion is the caller's."""
    unused = set(sets.loc[~sets["compared" if across else "used"], "station_code"])
    if not unused:
        return np.ones(len(frame), dtype=bool)
    return ~frame["station_code"].isin(unused).to_numpy()


def township_station_sets(sets: pd.DataFrame, stations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per township: ``township, comparable`` and the stations as text (``、``-separated):
    ``stations_common`` (both seasons), ``stations_current_only``, ``stations_previous_only``, and
    ``stations_replaced``: the chains of ``stations.replaces`` (``ZZ100 → ZZ103``), one series each."""
    def joined(mask: pd.Series) -> pd.Series:
        return sets[mask].groupby("township")["station_code"].agg(lambda s: "、".join(sorted(map(str, s))))

    both = sets["current"] & sets["previous"]
    out = pd.DataFrame({"township": pd.unique(sets["township"])}).set_index("township")
    out["comparable"] = sets.groupby("township")["comparable"].first()
    out["stations_common"] = joined(both)
    out["stations_current_only"] = joined(sets["current"] & ~sets["previous"])
    out["stations_previous_only"] = joined(sets["previous"] & ~sets["current"])
    replaced = {k: "、".join(v) for k, v in chains(stations).items()}
    out["stations_replaced"] = pd.Series([replaced.get(k, "") for k in out.index], index=out.index, dtype="str")
    return out.fillna({"stations_common": "", "stations_current_only": "", "stations_previous_only": ""}).reset_index()


def station_set_notes(sets: pd.DataFrame, fname: str, names: dict | None = None,
                      stations: pd.DataFrame | None = None) -> list[str]:
    """Validate's notices: per township whose stations differ between the seasons, which stations the
    change is computed on, or that it cannot be computed; then, where a station of the previous season only and
    one of the current season only stand within ``stations.replacement_distance_km`` of each other (``stations``'
    coordinates), the way through: ``replaces`` (hostile review s13-hostB, A25: a station re-coded by the
    platform between the seasons, same coordinates, was only called 无可比站点)."""
    notes = []
    for r in township_station_sets(sets).itertuples(index=False):
        if not (r.stations_current_only or r.stations_previous_only):
            continue
        name = f"{names.get(r.township, r.township)} ({r.township})" if names else r.township
        only = "; ".join(s for s in (
            f"station(s) {r.stations_current_only} have data in the current season only" if r.stations_current_only
            else "", f"station(s) {r.stations_previous_only} in the previous season only"
            if r.stations_previous_only else "") if s)
        if r.comparable:
            notes.append(f"{fname}: township {name}: {only}; its change between the seasons is computed on the "
                         f"stations with data in both ({r.stations_common}), like with like (同口径)")
        else:
            notes.append(f"{fname}: township {name}: {only}; no station has data in both seasons, so its change "
                         "between the seasons cannot be computed (无可比站点): the reports show it as undecided"
                         + _same_site(r.stations_previous_only, r.stations_current_only, stations))
    return notes


def _same_site(previous: str, current: str, stations: pd.DataFrame | None) -> str:
    """The ``replaces`` a township without a common station could declare: a station of the previous season only
    and one of the current season only within ``stations.replacement_distance_km`` of each other."""
    from zzeval.resources import input_limit
    from zzeval.season.replacements import DISTANCE_LIMIT, distance_km

    if stations is None or not previous or not current or not {"lon", "lat"} <= set(stations):
        return ""
    at = stations.drop_duplicates("station_code").set_index(stations.drop_duplicates("station_code")["station_code"]
                                                            .astype(str))
    lon, lat = pd.to_numeric(at["lon"], errors="coerce"), pd.to_numeric(at["lat"], errors="coerce")
    limit = input_limit(DISTANCE_LIMIT)
    for old in previous.split("、"):
        for new in current.split("、"):
            if old in lon.index and new in lon.index:
                km = distance_km(lon[old], lat[old], lon[new], lat[new])
                if km <= limit:
                    return (f"; {old} and {new} stand {km:.1f} km apart: if {new} continues {old} (the same site under "
                            f"a new code, or moved within {limit:g} km, stations.replacement_distance_km), write {old} "
                            f"in {new}'s `replaces` column of stations, and the change is computed on the one series")
    return ""


def validate_notes(tables: dict, fnames: dict, period, coverage: set, spans: dict | None = None) -> list[str]:
    """:func:`station_set_notes` of a season folder being validated (the stations' data as the checks
    of the hourly table recorded them), and those of the replacements (:mod:`zzeval.season.replacements`:
    the declared ones; a station stopping as another of its township starts, ``spans``)."""
    stations, townships = tables.get("stations"), tables.get("townships")
    if stations is None:
        return []
    names = dict(zip(townships["slug"], townships["name_zh"], strict=True)) if townships is not None else None
    sets = station_seasons_of_coverage(coverage, stations, period)
    fname = fnames.get("stations", "stations.csv")
    return [*replacement_notes(stations, fname, names), *handover_notes(stations, spans or {}, fname, names),
            *station_set_notes(sets, fnames.get("air_quality", "air_quality.csv"), names, stations)]


def index_pollutant_notes(names: dict, have: set, seasons: dict, fname: str) -> list[str]:
    """A notice for each township whose stations lack one of the six pollutants of the composite index
    in a season (a PM-only micro-station): its index is shown as not computable and left out of the
    index ranking (zzeval.airquality.airstats.comprehensive_index), never summed with the others as 0."""
    notes = []
    for slug, name in names.items():
        for which, p in seasons.items():
            if not any((slug, pollutant, p.first_year) in have for pollutant in ("PM2.5", "PM10")):
                continue  # no PM either: refused above
            missing = [q for q in AIR_POLLUTANTS if (slug, q, p.first_year) not in have]
            if missing:
                notes.append(f"{fname}: township {name} ({slug}) has no {', '.join(missing)} values in the {which} "
                             f"season {p.name}; its composite index (综合指数, the sum over the six pollutants) is "
                             "shown as not computable (不可计算) and left out of the index ranking"
                             + ("; without O3 in the AQI the share of good days (优良天数比例) is not computed either"
                                if "O3" in missing else ""))
    return notes
