"""The season's air-quality evaluation as tasks: one per township, then the county.

:func:`air_quality_parts` gives what ``zzeval.assess.evaluate._air_quality_parts`` gives (the
daily values, the season statistics, the township daily values, the weather-adjusted change,
the DiD and the dustfall summary), computed in two steps:

1. **per township** (:func:`evaluate_batch`, a task for a few neighbouring townships): the daily
   values of its stations (GB 3095-2012 §8 validity), their season statistics and the
   township's, its daily values and AQI (HJ 633-2012), and the weather-adjusted change of each
   of its pollutants, unpooled. A task sees only its townships' stations and air-quality rows
   and the meteorology, so tasks run on any :class:`Runner`: in this process, in local worker
   processes, or on a Dask cluster. A task takes a few townships (:func:`batches`, about four
   tasks per worker) because pandas' fixed cost per call would otherwise be paid per township
   (measured: per-township tasks of the 17-township sample cost 1.9× the CPU of one process).
2. **the county** (in the calling process): the tables put together in the order the
   one-process evaluation gives them, the county's weather-adjusted change (the mean of the
   township series) and that series' GB 3095-2012 § 8 validity, the interval calibration pooled
   once over every series (:func:`zzeval.airquality.weather.pool_series`), the across-township
   DiD (from the tasks' daily values) and the dustfall.

Every number equals the one-process evaluation's: a task gives a township's rows exactly as
the whole-season functions compute them (they group by station and township), and the weather
bootstrap of each series keeps its seed (``seed + i``, ``i`` the series' place among all
township × pollutant series, :func:`zzeval.airquality.weather.weather_adjusted_change`).

A task's result is cached on disk (``cache_dir``) under the sha256 of what it reads: the
township's stations and air-quality rows, the meteorology, the parameters (season, seed offset,
bootstrap draws, pollutants) and the code of ``zzeval/airquality`` and this module. A change in
one township's data re-evaluates that township and the county step only.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zzeval.assess.runners import (  # noqa: F401  (re-exported)
    DaskRunner,
    ProcessRunner,
    Runner,
    SerialRunner,
    make_runner,
)
from zzeval.season.data import SeasonData

#: The pollutants of the weather-adjusted change (the default of
#: :func:`zzeval.airquality.weather.weather_adjusted_change`).
#: The pollutant of the across-township DiD (:func:`zzeval.airquality.did.retrofit_did`'s default):
#: the only daily values the county step needs from the tasks.
DID_POLLUTANT = "PM2.5"
#: The most townships one task evaluates (their rows are in its memory together).
MAX_BATCH = 8
_EMPTY_TABLES = ("heating_retrofits", "vehicles", "freight", "dustfall", "targets", "tasks")


@dataclass
class TownshipTask:
    """What one township's task reads (plain data: pickled to a worker)."""

    slug: str
    season: SeasonData  #: the township's stations and air-quality rows, the meteorology
    seed: int  #: the seed of the township's first weather series (``seed + i``)
    n_boot: int
    pollutants: tuple[str, ...]
    cache_dir: str | None = None
    key: str = ""
    #: the files of its air-quality rows (:mod:`zzeval.season.township_rows`), read by the task;
    #: empty: the rows are in ``season``
    row_files: tuple[str, ...] = ()
    #: some station of the season has its own meteorology (the county series' summation order)
    station_met: bool = False
    n_rows: int = 0  #: its air-quality rows (the longest tasks are handed out first)


@dataclass
class TownshipPart:
    """One township's results (the rows of the whole-season tables that belong to it)."""

    slug: str
    daily: pd.DataFrame  #: its stations' daily values of the DiD pollutant (PM2.5)
    air_stats: pd.DataFrame
    township_daily: pd.DataFrame
    weather: pd.DataFrame
    #: its hourly series with a value (``pollutant, datetime, value, unit, late``), the terms of
    #: the county series; ``late``: summed after every township's other terms (see
    #: :class:`CountySeries`); None once added
    county_terms: pd.DataFrame | None = None
    #: its stations' weights within the township at each hour with a value
    #: (:func:`zzeval.airquality.county_mix.station_presence`); None once added
    station_presence: pd.DataFrame | None = None
    hours_without_weather: int = 0  #: its hours without meteorology (``township_series``)
    from_cache: bool = field(default=False, compare=False)


@cache
def code_digest() -> str:
    """sha256 of the code a township task runs (``zzeval/airquality/*.py`` and this module) and of
    the versions of the libraries that compute its numbers (:data:`zzeval.libraries.NUMBER_DISTS`)."""
    from zzeval.libraries import NUMBER_DISTS, versions_digest

    here = Path(__file__).resolve()
    # and what the models read the meteorology through (a boundary-layer height of 0 is none)
    files = sorted((here.parents[1] / "airquality").glob("*.py")) + [here, here.parents[1] / "season" / "boundary_layer.py"]
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(versions_digest(NUMBER_DISTS).encode())
    return h.hexdigest()


def _frame_digest(frame: pd.DataFrame) -> bytes:
    h = hashlib.sha256(repr(list(zip(frame.columns, map(str, frame.dtypes), strict=True))).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.digest()


def task_key(task: TownshipTask, meteorology_digest: bytes, rows_digest: str | None = None) -> str:
    """The cache key of a task: its data (``rows_digest``: of its air-quality rows when they are
    not in ``task.season``), the meteorology, the parameters and the code."""
    h = hashlib.sha256()
    for frame in (task.season.townships, task.season.stations):
        h.update(_frame_digest(frame))
    h.update(rows_digest.encode() if rows_digest is not None else _frame_digest(task.season.air_quality))
    h.update(meteorology_digest)
    h.update(repr((task.slug, task.season.period.name, dict(sorted(task.season.meta.items())),
                   task.seed, task.n_boot, task.pollutants, task.station_met)).encode())
    h.update(code_digest().encode())
    return h.hexdigest()


def _cache_path(task: TownshipTask) -> Path | None:
    return Path(task.cache_dir) / f"{task.key}.pkl" if task.cache_dir and task.key else None


def cached_part(task: TownshipTask) -> TownshipPart | None:
    """The township's cached result, if its key is in the cache."""
    path = _cache_path(task)
    if path is None or not path.is_file():
        return None
    try:
        part = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - truncated or damaged (an interrupted copy): computed again
        return None
    part.from_cache = True
    return part


def _batch_season(batch: list[TownshipTask]) -> SeasonData:
    if len(batch) == 1:
        return batch[0].season
    seasons = [t.season for t in batch]
    return replace(seasons[0], **{name: pd.concat([getattr(x, name) for x in seasons], ignore_index=True)
                                  for name in ("townships", "stations", "air_quality")})


def _with_rows(task: TownshipTask) -> TownshipTask:
    """The task with its air-quality rows in its season (read from its files when it has them)."""
    if not task.row_files:
        return task
    from zzeval.season.replacements import as_series
    from zzeval.season.township_rows import read_rows

    # a replacing station's rows under its series' code, as load_season keeps them (stations.replaces)
    rows = as_series(read_rows(task.row_files), task.season.stations)
    return replace(task, season=replace(task.season, air_quality=rows))


def _county_terms(sub: SeasonData, pollutants, station_met: bool,
                  series: tuple[pd.DataFrame, dict] | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """The hourly township series with a value (the terms of the county series) and each
    township's hours without meteorology, as :func:`zzeval.airquality.weather.township_series`
    counts them (``series``: that of ``sub`` and ``pollutants``, when already built)."""
    from zzeval.airquality.weather import township_series

    tw, _ = township_series(sub, pollutants) if series is None else series
    met_cols = [c for c in tw.columns if c in set(sub.meteorology.columns) - {"datetime", "station_code"}]
    no_weather = (tw[met_cols[0]].isna() if met_cols else pd.Series(False, index=tw.index))
    hours = no_weather.groupby(tw["township"]).sum()
    value = tw["value"].to_numpy(float)
    keep = np.isfinite(value)
    terms = pd.DataFrame({"township": tw["township"].to_numpy()[keep], "pollutant": tw["pollutant"].to_numpy()[keep],
                          "datetime": np.asarray(tw["datetime"], dtype="datetime64[ns]")[keep],
                          "value": value[keep], "unit": tw["unit"].to_numpy()[keep],
                          # the whole season's series put the hours on county meteorology last
                          "late": station_met & (tw["met_source"].to_numpy()[keep] == "county")})
    return terms, hours


def _station_presence(sub: SeasonData, pollutants, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The stations' weights within their townships at each hour (the county series' mix of stations,
    :func:`zzeval.airquality.county_mix.station_presence`), of the rows the township series are means of
    (``rows``: :func:`zzeval.airquality.weather_data.township_station_rows` of ``sub`` and ``pollutants``,
    when already built)."""
    from zzeval.airquality.county_mix import station_presence
    from zzeval.airquality.weather_data import township_station_rows

    return station_presence(township_station_rows(sub, pollutants)[0] if rows is None else rows)


def _own_rows(frame: pd.DataFrame, slug: str) -> pd.DataFrame:
    """The rows of township ``slug``."""
    return frame[frame["township"] == slug].reset_index(drop=True)


def evaluate_batch(batch: list[TownshipTask]) -> list[TownshipPart]:
    """The station daily values, season statistics and township daily values of a few
    townships that follow each other in slug order (computed together, one part each; every part
    cached under its township's key when the tasks have a cache). A task with ``row_files``
    reads its own air-quality rows here."""
    from zzeval.airquality import airstats, validity, weather, weather_data

    batch = [_with_rows(t) for t in batch]
    first = batch[0]
    sub = _batch_season(batch)
    daily = validity.daily_values(sub.air_quality)
    stats = airstats.season_statistics(sub, daily=daily)
    tw_daily = airstats.township_daily(sub, daily=daily)
    # the station rows of the township series and the series, built once: the weather, the county's terms
    # and its station weights
    rows = weather_data.township_station_rows(sub, first.pollutants)
    series = weather_data.township_series(sub, first.pollutants, rows=rows)
    # each series unpooled, with its seed in the whole season; pooled once in the county step
    adjusted = weather.weather_adjusted_change(sub, pollutants=first.pollutants, n_boot=first.n_boot,
                                               seed=first.seed, county=False, pooled=False, series=series)
    terms, hours = _county_terms(sub, first.pollutants, first.station_met, series)
    presence = _station_presence(sub, first.pollutants, rows[0])
    did_daily = daily[daily["statistic"] == DID_POLLUTANT]
    parts = []
    for task in batch:
        own = task.season.stations["station_code"]
        part = TownshipPart(
            slug=task.slug, daily=did_daily[did_daily["station_code"].isin(own)].reset_index(drop=True),
            air_stats=_own_rows(stats, task.slug), township_daily=_own_rows(tw_daily, task.slug),
            weather=_own_rows(adjusted, task.slug),
            county_terms=_own_rows(terms, task.slug).drop(columns="township", errors="ignore"),
            station_presence=_own_rows(presence, task.slug),
            hours_without_weather=int(hours.get(task.slug, 0)))
        if (path := _cache_path(task)) is not None:
            from zzeval.atomic import atomic_write_bytes

            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
        parts.append(part)
    return parts


def batches(tasks: list[TownshipTask], stale: set[str], n_batches: int) -> list[list[TownshipTask]]:
    """The stale townships in runs of neighbours (slug order: their weather seeds follow each
    other), cut into about ``n_batches`` batches of equal size."""
    todo = [t for t in tasks if t.slug in stale]
    size = max(1, -(-len(todo) // max(n_batches, 1)))
    out: list[list[TownshipTask]] = []
    run: list[TownshipTask] = []
    for task in tasks:
        if task.slug in stale and len(run) < size:
            run.append(task)
            continue
        if run:
            out.append(run)
        run = [task] if task.slug in stale else []
    if run:
        out.append(run)
    return out


def longest_first(todo: list[list[TownshipTask]], window: int) -> list[list[TownshipTask]]:
    """Each run of ``window`` batches (in slug order) sorted longest first by air-quality rows
    (ties kept in slug order): the last batches to finish are short ones, while a result waits
    for the batches before it in slug order (the county series is summed in that order) at most a
    window long, so that the calling process does not hold the province's results."""
    out: list[list[TownshipTask]] = []
    for start in range(0, len(todo), max(window, 1)):
        out += sorted(todo[start:start + window], key=lambda batch: -sum(t.n_rows for t in batch))
    return out


def _weather_pollutants(pollutants) -> tuple[str, ...]:
    if pollutants is None:
        from zzeval.airquality.weather import DEFAULT_POLLUTANTS

        pollutants = DEFAULT_POLLUTANTS
    return tuple(pollutants)


def _row_index(season: SeasonData) -> dict:
    """Station code → the positions of its rows in ``season.air_quality``."""
    aq = season.air_quality
    township_of = season.stations.set_index("station_code")["township"]
    unknown = set(pd.unique(aq["station_code"])) - set(township_of.index)
    if unknown:  # load_season refuses such a season; a hand-made one is evaluated in one process
        raise ValueError(f"air-quality rows of stations without a township: {sorted(unknown)[:5]}")
    codes, uniques = pd.factorize(aq["station_code"])
    rows_of = pd.Series(np.arange(len(aq))).groupby(codes).indices
    return {uniques[c]: ix for c, ix in rows_of.items()}


def township_tasks(season: SeasonData, n_boot: int, seed: int, pollutants=None,
                   cache_dir: str | Path | None = None, rows=None) -> list[TownshipTask]:
    """One task per township with a station, in the order of their slugs (the weather's order).

    ``rows``: a :class:`zzeval.season.township_rows.RowStore` holding the air-quality rows
    (``season.air_quality`` is then not read): each task reads its own stations' rows."""
    pollutants = _weather_pollutants(pollutants)
    stations, aq = season.stations, season.air_quality
    station_rows = _row_index(season) if rows is None else {}
    in_weather = aq["pollutant"].isin(list(pollutants)).to_numpy()
    met = season.meteorology
    station_met = bool(met["station_code"].isin(stations["station_code"]).any())
    # with the county rows (derived from all the stations at loading in a season without them)
    met_digest = _frame_digest(met)
    empty = {name: getattr(season, name).iloc[:0] for name in _EMPTY_TABLES}
    tasks, offset = [], 0
    for slug in sorted(pd.unique(stations["township"].dropna())):
        own = stations[stations["township"] == slug]
        codes = list(own["station_code"])
        if rows is not None:
            files = tuple(rows.files(codes))
            if not files:
                continue
            series = len(rows.pollutants(codes) & set(pollutants))
            own_rows, digest = aq.iloc[:0], rows.digest(codes)
            n_rows = sum(rows.stations[c]["rows"] for c in codes if c in rows.stations)
        else:
            ix = [station_rows[c] for c in codes if c in station_rows]
            if not ix:
                continue
            ix = np.sort(np.concatenate(ix))
            series = len(pd.unique(aq["pollutant"].to_numpy()[ix][in_weather[ix]]))
            own_rows, files, digest = aq.iloc[ix].reset_index(drop=True), (), None
            n_rows = len(ix)
        sub = replace(season, townships=season.townships[season.townships["slug"] == slug],
                      stations=own, air_quality=own_rows, **empty)
        task = TownshipTask(slug=slug, season=sub, seed=seed + offset, n_boot=n_boot, pollutants=pollutants,
                            cache_dir=str(cache_dir) if cache_dir else None, row_files=files,
                            station_met=station_met, n_rows=n_rows)
        if cache_dir:
            task.key = task_key(task, met_digest, digest)
        tasks.append(task)
        offset += series
    return tasks


def _air_stats(parts: list[TownshipPart], season: SeasonData, rows=None) -> pd.DataFrame:
    """The season statistics in the one-process order: per season, the stations by code, then
    the townships by slug."""
    stats = pd.concat([p.air_stats for p in parts], ignore_index=True)
    blocks = []
    for label in ("current", "previous"):
        for level in ("station", "township"):
            block = stats[(stats["season"] == label) & (stats["level"] == level)]
            blocks.append(block.sort_values("unit_id", kind="stable"))
    out = pd.DataFrame(pd.concat(blocks, ignore_index=True).to_dict("records"))
    known = set(season.stations["station_code"])
    measured = set(rows.stations) if rows is not None else set(pd.unique(season.air_quality["station_code"]))
    out.attrs["exclusions"] = {"stations_without_township": sorted(measured - known)}
    return out


def _township_daily(parts: list[TownshipPart]) -> pd.DataFrame:
    """Every township's daily values first, then every township's AQI (the one-process order)."""
    frames = [p.township_daily for p in parts]
    values = [f[f["statistic"] != "AQI"] for f in frames]
    aqi = [f[f["statistic"] == "AQI"] for f in frames]
    return pd.concat(values + aqi, ignore_index=True)


class CountySeries:
    """The county's hourly series of each pollutant, the mean of the township series, summed a
    township at a time in slug order (:meth:`add`), so that only the sums are held.

    The sums are those of the one-process evaluation to the last bit: it adds the township
    values of an hour in the order of the township series (slug order), starting from 0; when
    some station has its own meteorology, the hours on the county's meteorology come after all
    others there (:func:`zzeval.airquality.weather.township_series`), so such terms (``late``)
    are kept and added after every township's other terms."""

    def __init__(self) -> None:
        self.sums: dict[str, pd.Series] = {}
        self.counts: dict[str, pd.Series] = {}
        self.units: dict[str, tuple[int, str]] = {}
        self.late: list[pd.DataFrame] = []
        self.hours_without_weather = 0
        self._presence: list[pd.DataFrame] = []

    def _add(self, terms: pd.DataFrame, rank: int) -> None:
        for pollutant, group in terms.groupby("pollutant", sort=False):
            values = pd.Series(group["value"].to_numpy(float), index=pd.DatetimeIndex(group["datetime"]))
            ones = pd.Series(1.0, index=values.index)
            if pollutant in self.sums:
                self.sums[pollutant] = self.sums[pollutant].add(values, fill_value=0.0)
                self.counts[pollutant] = self.counts[pollutant].add(ones, fill_value=0.0)
            else:  # 0 + value, as a sum from zero gives it
                self.sums[pollutant], self.counts[pollutant] = values + 0.0, ones
            if pollutant not in self.units or self.units[pollutant][0] > rank:
                self.units[pollutant] = (rank, str(group["unit"].iloc[0]))

    def add(self, part: TownshipPart) -> None:
        """Add a township's terms (the next township in slug order); drops them from the part."""
        terms, part.county_terms = part.county_terms, None
        presence, part.station_presence = part.station_presence, None
        self.hours_without_weather += part.hours_without_weather
        if presence is not None and len(presence):
            self._presence.append(presence)
        if terms is None or not len(terms):
            return
        late = terms["late"].to_numpy(bool)
        self._add(terms[~late], 0)
        if late.any():
            self.late.append(terms[late])

    def station_weights(self) -> pd.DataFrame:
        """Each station's weight in the series per pollutant and month
        (:func:`zzeval.airquality.county_mix.month_weights`: the county series' mix of stations), from the
        townships' :func:`~zzeval.airquality.county_mix.station_presence` added so far."""
        from zzeval.airquality.county_mix import month_weights

        if not self._presence:
            return month_weights(pd.DataFrame({"township": [], "station_code": [], "pollutant": [],
                                               "datetime": [], "within": [], "value": []}))
        return month_weights(pd.concat(self._presence, ignore_index=True))

    def frame(self) -> pd.DataFrame:
        """``station_code`` (``"county"``), ``datetime``, ``pollutant``, ``value``, ``unit``."""
        for terms in self.late:
            self._add(terms, 1)
        self.late = []
        self.sums = {p: v.sort_index() for p, v in self.sums.items()}
        self.counts = {p: v.reindex(self.sums[p].index) for p, v in self.counts.items()}
        rows = [pd.DataFrame({"station_code": "county", "datetime": self.sums[p].index.to_numpy("datetime64[ns]"),
                              "pollutant": p, "value": (self.sums[p] / self.counts[p]).to_numpy(),
                              "unit": self.units[p][1]}) for p in sorted(self.sums)]
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _county_weather(season: SeasonData, county_aq: pd.DataFrame, hours_without_weather: int, n_series: int,
                    pollutants, n_boot: int, seed: int) -> pd.DataFrame:
    """The county rows: the mean of the township series (``county_aq``: :meth:`CountySeries.frame`;
    county meteorology), each pollutant with the seed that follows the township series, as the
    one-process evaluation computes them (:func:`zzeval.airquality.weather.county_change`)."""
    from zzeval.airquality import weather

    rep = {"stations_without_township": [], "rows_excluded_no_township": 0,
           "hours_without_weather": hours_without_weather}
    if not len(county_aq):
        return pd.DataFrame()
    out = weather.county_change(season, county_aq, seed + n_series, pollutants=pollutants, n_boot=n_boot)
    out.attrs["exclusions"] = rep
    return out


def _parts_in_order(tasks: list[TownshipTask], runner: Runner, series: CountySeries) -> list[TownshipPart]:
    """Every township's part in slug order: from the cache, else from the runner's batches as
    they come; each added to the county series as soon as the townships before it are."""
    cached = {t.slug for t in tasks if (p := _cache_path(t)) is not None and p.is_file()}
    # a few batches per worker: pandas' fixed cost per call is paid per batch, not per township;
    # at most MAX_BATCH townships each, so that a worker's memory does not grow with the province
    stale = {t.slug for t in tasks} - cached
    n_batches = max(1 if runner.jobs <= 1 else 4 * runner.jobs, -(-len(stale) // MAX_BATCH))
    todo = batches(tasks, stale, n_batches)
    if runner.jobs > 1:
        todo = longest_first(todo, 2 * runner.jobs)
    results = runner.imap(evaluate_batch, todo)
    pending: dict[str, TownshipPart] = {}
    parts = []
    for task in tasks:
        part = cached_part(task) if task.slug in cached else None
        while part is None:
            if task.slug not in pending:
                pending.update((p.slug, p) for p in next(results))
            part = pending.pop(task.slug, None)
        series.add(part)
        parts.append(part)
    for _ in results:  # none left: closes the runner
        pass
    return parts


def air_quality_parts(season: SeasonData, n_boot: int, seed: int, runner: Runner | None = None,
                      cache_dir: str | Path | None = None, rows=None) -> dict[str, Any]:
    """The air-quality parts of the evaluation (the keys of ``evaluate._air_quality_parts``:
    ``air_stats, dustfall, daily, weather, did`` and ``did_note`` when there is no DiD), with the
    per-township work run as tasks on ``runner`` (default: in this process). ``rows``: a
    :class:`zzeval.season.township_rows.RowStore` with the air-quality rows, which each task reads
    for its own stations (``season.air_quality`` is then empty, and this process holds no rows)."""
    from zzeval.airquality import airstats, did
    from zzeval.airquality.weather import pool_series

    pollutants = _weather_pollutants(None)
    runner = runner or SerialRunner()
    tasks = township_tasks(season, n_boot=n_boot, seed=seed, pollutants=pollutants, cache_dir=cache_dir,
                           rows=rows)
    series = CountySeries()
    parts = _parts_in_order(tasks, runner, series)
    daily = pd.concat([p.daily for p in parts], ignore_index=True).sort_values(
        ["station_code", "date", "statistic"], ignore_index=True)
    county_aq = series.frame()
    county = _county_weather(season, county_aq, series.hours_without_weather, sum(len(p.weather) for p in parts),
                             pollutants, n_boot, seed)
    # the interval calibration pools every series (zzeval.airquality.weather_intervals): once, here
    weather_rows = pool_series([p.weather for p in parts] + [county], n_boot=n_boot)
    weather_rows.attrs["exclusions"] = county.attrs.get("exclusions", {})
    township_daily = _township_daily(parts)
    out: dict[str, Any] = {
        "air_stats": _air_stats(parts, season, rows), "dustfall": airstats.dustfall_summary(season),
        "daily": township_daily, "weather": weather_rows,
        # GB 3095-2012 § 8 of the county series itself (the one the county's change is computed on) and its
        # mix of stations month by month, from the weights each station had in it, as in the one process
        "county_validity": airstats.county_validity(season, county_aq, station_weights=series.station_weights()),
        "evaluated_townships": {p.slug: p.from_cache for p in parts},
    }
    try:
        out["did"] = did.retrofit_did(season, seed=seed, daily=daily)
    except ValueError as exc:  # too few townships for a cross-township estimate
        out["did"] = None
        out["did_note"] = str(exc)
    return out
