"""Station replacements: ``stations.replaces`` names the station a station takes over from.

A township's station replaced mid-season (the same site under a new code, or the station moved a short
distance) otherwise splits its series in two: like with like (同口径, :mod:`zzeval.season.station_sets`)
keeps only the stations with data in both seasons, and GB 3095-2012 § 8's valid days per month are
counted per station, so a complete season became "too few valid days" and the county series lost the
township for the months after the change (spot review S3). A replacement declared in ``stations.replaces``
makes the chain one series (in a parallel run, the old station's values until its last hour): the replacing station's rows are evaluated under the code of the first station
of its chain (:func:`as_series`, applied where a season's air-quality rows are loaded or read back), so
the like-with-like sets, the daily and monthly validity, the township and county series and the DiD panel
all see one station. Validation (:func:`check_replacements`, :func:`check_replacement_hours`) requires the
replaced station to be listed in ``stations``, of the same township, with one successor, no cycle, and
its last measured hour before the replacing station's first or at most ``stations.replacement_overlap_days``
after it (a parallel comparison run; two stations reporting side by side longer are two stations, not one
series), the replacing station within ``stations.replacement_distance_km`` of the replaced one
(:func:`check_replacement_distance`, a confirmable judgement) and without a level step at the handover
(:mod:`zzeval.season.replacement_step`, a confirmable judgement). Rows of a chain left empty at
an hour another of its rows has (the platform's export of a replaced code) are dropped as missing hours.
Without the column nothing changes.

:func:`handover_notes`: a notice when, in a township, one station stops and another starts within
``stations.handover_days`` (``zzeval/reference/input_limits.csv``) without ``replaces`` between them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season.schema import AIR_POLLUTANTS

COLUMN = "replaces"

#: The key of input_limits.csv: the farthest a replacing station may stand from the one it replaces [km].
DISTANCE_LIMIT = "stations.replacement_distance_km"

#: The season's ``meta`` key of the air_quality rows of a replacing station's parallel run, left out of the series
#: (the replaced station's values are kept there): ``zzeval validate`` counts them in the OK line.
PARALLEL_ROWS_KEY = "air_quality_parallel_run_rows"


def _replaces(stations: pd.DataFrame) -> pd.Series:
    """``replaces`` per row as stripped text ("" when empty or when the table has no such column)."""
    if stations is None or COLUMN not in stations:
        return pd.Series("", index=getattr(stations, "index", None), dtype=object)
    return stations[COLUMN].astype(object).where(stations[COLUMN].notna(), "").astype(str).str.strip()


def successors(stations: pd.DataFrame | None) -> dict[str, str]:
    """Replaced station → the station replacing it (the declared pairs of a valid table)."""
    if stations is None or COLUMN not in stations:
        return {}
    before = _replaces(stations)
    return {b: str(code) for code, b in zip(stations["station_code"], before, strict=True) if b}


def series_codes(stations: pd.DataFrame | None) -> dict[str, str]:
    """Each replacing station → the code of the first station of its chain (the series' code)."""
    nxt = successors(stations)
    first = set(nxt) - set(nxt.values())
    out = {}
    for root in first:
        code, seen = nxt[root], {root}
        while code not in seen:
            out[code] = root
            seen.add(code)
            if code not in nxt:
                break
            code = nxt[code]
    return out


def chains(stations: pd.DataFrame | None) -> dict[str, list[str]]:
    """Per township, its chains as text ``A → B`` (in order of replacement), ``、``-free list."""
    nxt = successors(stations)
    if not nxt:
        return {}
    township = dict(zip(stations["station_code"], stations["township"], strict=False))
    out: dict[str, list[str]] = {}
    for root in sorted(set(nxt) - set(nxt.values())):
        codes = [root]
        while codes[-1] in nxt and nxt[codes[-1]] not in codes:
            codes.append(nxt[codes[-1]])
        out.setdefault(str(township.get(root)), []).append(" → ".join(codes))
    return out


def as_series(rows: pd.DataFrame, stations: pd.DataFrame | None) -> pd.DataFrame:
    """``rows`` (with ``station_code``) with each replacing station's rows under its series' code, in the
    order a loaded season keeps them (station, time, pollutant); ``rows`` itself without a replacement."""
    codes = series_codes(stations)
    if not codes or not rows["station_code"].isin(list(codes)).any():
        return rows
    rows = rows[~_parallel_run_of_a_successor(rows, stations)]
    chained = rows["station_code"].isin([*codes, *codes.values()]).to_numpy()
    out = rows.assign(station_code=rows["station_code"].map(lambda c: codes.get(c, c)))
    order = [c for c in ("station_code", "datetime", "pollutant") if c in out]
    if "value" in out and {"datetime", "pollutant"} <= set(out):
        out = out[~_empty_hours_of_another_member(out, chained, order)]
    return out.sort_values(order, kind="stable").reset_index(drop=True)


def _parallel_run_of_a_successor(rows: pd.DataFrame, stations: pd.DataFrame) -> np.ndarray:
    """The rows of a replacing station at or before the last hour with a value of the station it replaces
    (a parallel run, :func:`check_replacement_hours`): the series keeps the old station's values there."""
    drop = np.zeros(len(rows), dtype=bool)
    if not {"datetime", "value", "pollutant"} <= set(rows):
        return drop
    measured = rows[rows["pollutant"].isin(AIR_POLLUTANTS) & rows["value"].notna()]
    last = measured.groupby("station_code")["datetime"].max()
    code, when = rows["station_code"].to_numpy(), rows["datetime"]
    for old, new in successors(stations).items():
        if old in last.index:
            drop |= (code == new) & (when <= last[old]).to_numpy()
    return drop


def _empty_hours_of_another_member(out: pd.DataFrame, chained: np.ndarray, order: list[str]) -> np.ndarray:
    """The rows of a chain (``chained``) left empty at an hour another row of the same series has:
    the national platform goes on exporting a replaced code's hours with ``value`` empty (data/README.md),
    and an empty row is a missing hour, not a second measurement. Of an hour whose rows are all empty,
    the first is kept (a missing hour, once). Two values at one hour are refused by
    :func:`check_replacement_hours` before the rows get here."""
    key = out[order]
    dup = key.duplicated(keep=False).to_numpy() & chained
    if not dup.any():
        return np.zeros(len(out), dtype=bool)
    empty = out["value"].isna().to_numpy()
    valued = pd.Series(~empty).groupby([key[c].to_numpy() for c in order], dropna=False).transform("any").to_numpy()
    return dup & empty & (valued | key.duplicated(keep="first").to_numpy())


def record_spans(aq: pd.DataFrame, out) -> None:
    """Keep, on ``out.station_spans``, each station's first and last hour with a value of the six
    pollutants (also over the chunks of a Parquet table: the earliest first, the latest last)."""
    measured = aq[aq["pollutant"].isin(AIR_POLLUTANTS) & aq["value"].notna() & aq["datetime"].notna()]
    if measured.empty:
        return
    spans = measured.groupby("station_code")["datetime"].agg(["min", "max"])
    merge_spans(out.station_spans, {c: (first, last) for c, first, last in spans.itertuples(name=None)})


def merge_spans(into: dict, spans: dict) -> None:
    for code, (first, last) in spans.items():
        had = into.get(code)
        into[code] = (first, last) if had is None else (min(had[0], first), max(had[1], last))


def check_replacements(stations: pd.DataFrame | None, fname: str, out) -> None:
    """``stations.replaces``: a listed station of the same township, not the station itself, replaced by
    one station only, no cycle (file, row, column and what to fix)."""
    if stations is None or COLUMN not in stations:
        return
    before = _replaces(stations)
    codes = stations["station_code"].astype(str)
    township = dict(zip(codes, stations["township"].astype(str), strict=False))
    known = set(codes)
    fix = "; leave `replaces` empty unless this station continues the series of the station it names"
    out.rows(fname, COLUMN, (before != "") & (before == codes),
             lambda i: f"station {codes[i]} names itself; `replaces` is the code of the earlier station it took over from")
    unknown = (before != "") & ~before.isin(known)
    out.rows(fname, COLUMN, unknown,
             lambda i: f"station '{before[i]}' is not in stations; add the replaced station (with its township) "
                       "or write its code as stations.station_code has it" + fix)
    other = (before != "") & before.isin(known) & (before != codes)
    other &= np.array([township.get(b) != t for b, t in zip(before, stations["township"].astype(str), strict=True)],
                      dtype=bool)
    out.rows(fname, COLUMN, other,
             lambda i: f"station {codes[i]} is in township {township[codes[i]]} but {before[i]}, which it replaces, "
                       f"is in {township[before[i]]}; a replacing station continues a station of its own township"
                       + fix)
    taken = before[(before != "") & before.duplicated(keep="first")]
    for i in taken.index:
        first = before.index[before == before[i]][0]
        out.add(fname, int(i) + 2, COLUMN,
                f"{before[i]} is replaced by both {codes[first]} (row {int(first) + 2}) and {codes[i]}; a station has "
                "one successor: the later one replaces the earlier replacement")
    linked = (before != "") & (before != codes)  # a station naming itself is said above
    nxt = dict(zip(before[linked], codes[linked], strict=True))
    for i in before.index[linked]:
        start = code = codes[i]
        seen = [start]
        while code in nxt and nxt[code] not in seen:
            code = nxt[code]
            seen.append(code)
        if nxt.get(code) == start and start == min(seen):  # once per cycle, at its smallest code
            out.add(fname, int(i) + 2, COLUMN,
                    f"the replacements form a cycle ({' → '.join([*seen, start])}); the first station of a chain "
                    "has `replaces` empty")


def check_replacement_distance(stations: pd.DataFrame | None, fname: str, out) -> None:
    """A replacing station within ``stations.replacement_distance_km`` (``input_limits.csv``) of the station
    it replaces, by the coordinates of ``stations``: farther, it measures another place, not the same site
    (a judgement check, ``replacement_distance``, confirmable in ``season.yaml`` by the replacing station's
    code). Pairs without both coordinates are not judged (the columns' own checks say what is wrong)."""
    from zzeval.resources import input_limit
    from zzeval.season.confirm import judge

    if stations is None or COLUMN not in stations or not {"lon", "lat"} <= set(stations):
        return
    before = _replaces(stations)
    codes = stations["station_code"].astype(str)
    lon = pd.to_numeric(stations["lon"], errors="coerce")
    lat = pd.to_numeric(stations["lat"], errors="coerce")
    where = {c: i for i, c in zip(stations.index, codes, strict=True)}
    limit = input_limit(DISTANCE_LIMIT)
    for i in before.index[(before != "") & before.isin(list(where)) & (before != codes)]:
        j = where[before[i]]
        km = distance_km(lon[i], lat[i], lon[j], lat[j])
        if not km > limit:  # also NaN: a coordinate missing
            continue
        judge(out, "replacement_distance", codes[i], (fname, int(i) + 2, COLUMN),
              f"{codes[i]} ({lon[i]:.3f} °E, {lat[i]:.3f} °N, row {int(i) + 2}) replaces {before[i]} ({lon[j]:.3f} °E, "
              f"{lat[j]:.3f} °N, row {int(j) + 2}), {km:.1f} km away: a replacement continues the same site (a new "
              f"code, or moved within {limit:g} km, stations.replacement_distance_km), and a station that far "
              f"measures another place, whose air differs from the first's. Check both stations' lon and lat, or "
              f"leave `replaces` empty (two stations of the township, compared like with like)")


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance between two WGS84 points [km] (haversine, mean Earth radius 6371.0 km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return float(2 * 6371.0 * np.arcsin(np.sqrt(a)))


def check_replacement_hours(stations: pd.DataFrame | None, fname: str, aq_fname: str, out) -> None:
    """A replaced station's last hour with a value comes before its successor's first, or at most
    ``stations.replacement_overlap_days`` after it (a parallel comparison run, usual when a station is
    relocated; :func:`as_series` keeps the old station's values there), and the successor starts after the
    station it replaces and goes on after it (checked per pair with data: ``out.station_spans``)."""
    from zzeval.resources import input_limit

    if stations is None or COLUMN not in stations:
        return
    before = _replaces(stations)
    spans = out.station_spans
    days = input_limit("stations.replacement_overlap_days")
    for i in before.index[before != ""]:
        old, new = before[i], str(stations["station_code"][i])
        if old not in spans or new not in spans or spans[old][1] < spans[new][0]:
            continue
        parallel = spans[old][0] < spans[new][0] and spans[old][1] < spans[new][1]
        if parallel and spans[old][1] - spans[new][0] <= pd.Timedelta(days=days):
            continue
        out.add(fname, int(i) + 2, COLUMN,
                f"{new} replaces {old}, but in {aq_fname} {old} has values from {spans[old][0]:%Y-%m-%d %H:%M} until "
                f"{spans[old][1]:%Y-%m-%d %H:%M} and {new} from {spans[new][0]:%Y-%m-%d %H:%M} until "
                f"{spans[new][1]:%Y-%m-%d %H:%M}: a replacing station starts after the station it replaces starts, "
                f"goes on after it stops, and measures alongside it at most {days:g} days (a parallel run, "
                "stations.replacement_overlap_days). Delete the hours they share beyond that from one of them, or "
                "leave `replaces` empty if both stations measure side by side (two stations of the township)")


def replacement_notes(stations: pd.DataFrame | None, fname: str, names: dict | None = None) -> list[str]:
    """Validate's notice of each township with a declared replacement: the chain is one series."""
    notes = []
    for slug, text in chains(stations).items():
        name = f"{names.get(slug, slug)} ({slug})" if names else slug
        notes.append(f"{fname}: township {name}: stations {'; '.join(text)} are one series (`replaces`): "
                     "the later continues the earlier, counted as one station in both seasons")
    return notes


def handover_notes(stations: pd.DataFrame | None, spans: dict, fname: str, names: dict | None = None) -> list[str]:
    """A notice per pair of stations of one township where one stops and the other starts within
    ``stations.handover_days`` (input_limits.csv) and neither replaces the other: a replacement
    ``replaces`` could declare."""
    from zzeval.resources import input_limit

    if stations is None or len(spans) < 2:
        return []
    days = input_limit("stations.handover_days")
    pairs = set(successors(stations).items())
    notes = []
    for slug, group in stations.groupby("township", sort=True):
        have = [c for c in group["station_code"].astype(str) if c in spans]
        for old in have:
            for new in have:
                gap = spans[new][0] - spans[old][1]
                if old == new or (old, new) in pairs or not (pd.Timedelta(0) < gap <= pd.Timedelta(days=days)):
                    continue
                name = f"{names.get(slug, slug)} ({slug})" if names else slug
                notes.append(f"{fname}: township {name}: station {old} stops at {spans[old][1]:%Y-%m-%d %H:%M} and "
                             f"{new} starts at {spans[new][0]:%Y-%m-%d %H:%M}; if {new} replaced {old} (same site, new "
                             f"code, or moved a short distance), write {old} in {new}'s `replaces` column of "
                             "stations so that they count as one series")
    return notes
