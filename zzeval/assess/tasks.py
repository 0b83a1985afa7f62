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
   township series), the interval calibration pooled once over every series
   (:func:`zzeval.airquality.weather.pool_series`), the across-township DiD (from the tasks'
   daily values) and the dustfall.

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
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from zzeval.season.data import SeasonData

#: The pollutants of the weather-adjusted change (the default of
#: :func:`zzeval.airquality.weather.weather_adjusted_change`).
_EMPTY_TABLES = ("heating_retrofits", "vehicles", "freight", "dustfall", "targets", "tasks")


class Runner(Protocol):
    """Runs a function over items, possibly elsewhere; results in the order of the items.
    ``jobs``: how many run at the same time."""

    jobs: int

    def map(self, fn: Callable, items: Sequence) -> list: ...


class SerialRunner:
    """Every task in this process, one after the other."""

    jobs = 1

    def map(self, fn: Callable, items: Sequence) -> list:
        return [fn(item) for item in items]


@dataclass
class ProcessRunner:
    """``jobs`` local worker processes (started fresh: ``spawn``)."""

    jobs: int = 2

    def map(self, fn: Callable, items: Sequence) -> list:
        import multiprocessing

        if len(items) <= 1 or self.jobs <= 1:
            return SerialRunner().map(fn, items)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(self.jobs, len(items)), mp_context=ctx) as pool:
            return list(pool.map(fn, items))


@dataclass
class DaskRunner:
    """Tasks on a ``dask.distributed`` cluster: the one at ``scheduler``, or a local cluster of
    ``jobs`` single-threaded worker processes (closed after the run)."""

    jobs: int = 2
    scheduler: str | None = None

    def map(self, fn: Callable, items: Sequence) -> list:
        from distributed import Client, LocalCluster

        cluster = None
        if self.scheduler:
            client = Client(self.scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        try:
            data = client.scatter(list(items))  # the townships' rows go to the workers once
            futures = client.map(fn, data, pure=False)
            return client.gather(futures)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def make_runner(kind: str = "serial", jobs: int = 2, scheduler: str | None = None) -> Runner:
    """``"serial"``, ``"local"`` (:class:`ProcessRunner`) or ``"dask"`` (:class:`DaskRunner`)."""
    runners = {"serial": SerialRunner, "local": lambda: ProcessRunner(jobs),
               "dask": lambda: DaskRunner(jobs, scheduler)}
    if kind not in runners:
        raise ValueError(f"unknown runner {kind!r}: use serial, local or dask")
    return runners[kind]()


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


@dataclass
class TownshipPart:
    """One township's results (the rows of the whole-season tables that belong to it)."""

    slug: str
    daily: pd.DataFrame
    air_stats: pd.DataFrame
    township_daily: pd.DataFrame
    weather: pd.DataFrame
    from_cache: bool = field(default=False, compare=False)


@cache
def code_digest() -> str:
    """sha256 of the code a township task runs (``zzeval/airquality/*.py`` and this module)."""
    here = Path(__file__).resolve()
    files = sorted((here.parents[1] / "airquality").glob("*.py")) + [here]
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _frame_digest(frame: pd.DataFrame) -> bytes:
    h = hashlib.sha256(repr(list(zip(frame.columns, map(str, frame.dtypes), strict=True))).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.digest()


def task_key(task: TownshipTask, meteorology_digest: bytes) -> str:
    """The cache key of a task: its data, the meteorology, the parameters and the code."""
    h = hashlib.sha256()
    for frame in (task.season.townships, task.season.stations, task.season.air_quality):
        h.update(_frame_digest(frame))
    h.update(meteorology_digest)
    h.update(repr((task.slug, task.season.period.name, dict(sorted(task.season.meta.items())),
                   task.seed, task.n_boot, task.pollutants)).encode())
    h.update(code_digest().encode())
    return h.hexdigest()


def _cache_path(task: TownshipTask) -> Path | None:
    return Path(task.cache_dir) / f"{task.key}.pkl" if task.cache_dir and task.key else None


def cached_part(task: TownshipTask) -> TownshipPart | None:
    """The township's cached result, if its key is in the cache."""
    path = _cache_path(task)
    if path is None or not path.is_file():
        return None
    part = pickle.loads(path.read_bytes())
    part.from_cache = True
    return part


def _batch_season(batch: list[TownshipTask]) -> SeasonData:
    if len(batch) == 1:
        return batch[0].season
    seasons = [t.season for t in batch]
    return replace(seasons[0], **{name: pd.concat([getattr(x, name) for x in seasons], ignore_index=True)
                                  for name in ("townships", "stations", "air_quality")})


def evaluate_batch(batch: list[TownshipTask]) -> list[TownshipPart]:
    """The station daily values, season statistics and township daily values of a few
    townships that follow each other in slug order (computed together, one part each; every part
    cached under its township's key when the tasks have a cache)."""
    from zzeval.airquality import airstats, validity, weather

    first = batch[0]
    sub = _batch_season(batch)
    daily = validity.daily_values(sub.air_quality)
    stats = airstats.season_statistics(sub, daily=daily)
    tw_daily = airstats.township_daily(sub, daily=daily)
    # each series unpooled, with its seed in the whole season; pooled once in the county step
    adjusted = weather.weather_adjusted_change(sub, pollutants=first.pollutants, n_boot=first.n_boot,
                                               seed=first.seed, county=False, pooled=False)
    parts = []
    for task in batch:
        own = task.season.stations["station_code"]
        part = TownshipPart(
            slug=task.slug, daily=daily[daily["station_code"].isin(own)].reset_index(drop=True),
            air_stats=stats[stats["township"] == task.slug].reset_index(drop=True),
            township_daily=tw_daily[tw_daily["township"] == task.slug].reset_index(drop=True),
            weather=adjusted[adjusted["township"] == task.slug].reset_index(drop=True))
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


def _weather_pollutants(pollutants) -> tuple[str, ...]:
    if pollutants is None:
        from zzeval.airquality.weather import DEFAULT_POLLUTANTS

        pollutants = DEFAULT_POLLUTANTS
    return tuple(pollutants)


def township_tasks(season: SeasonData, n_boot: int, seed: int, pollutants=None,
                   cache_dir: str | Path | None = None) -> list[TownshipTask]:
    """One task per township with a station, in the order of their slugs (the weather's order)."""
    pollutants = _weather_pollutants(pollutants)
    aq = season.air_quality
    stations = season.stations
    township_of = stations.set_index("station_code")["township"]
    unknown = set(pd.unique(aq["station_code"])) - set(township_of.index)
    if unknown:  # load_season refuses such a season; a hand-made one is evaluated in one process
        raise ValueError(f"air-quality rows of stations without a township: {sorted(unknown)[:5]}")
    codes, uniques = pd.factorize(aq["station_code"])
    rows_of = pd.Series(np.arange(len(aq))).groupby(codes).indices
    station_rows = {uniques[c]: ix for c, ix in rows_of.items()}
    pollutant = aq["pollutant"].to_numpy()
    in_weather = aq["pollutant"].isin(list(pollutants)).to_numpy()
    met_digest = _frame_digest(season.meteorology)
    empty = {name: getattr(season, name).iloc[:0] for name in _EMPTY_TABLES}
    tasks, offset = [], 0
    for slug in sorted(pd.unique(stations["township"].dropna())):
        own = stations[stations["township"] == slug]
        ix = [station_rows[c] for c in own["station_code"] if c in station_rows]
        if not ix:
            continue
        ix = np.sort(np.concatenate(ix))
        sub = replace(season, townships=season.townships[season.townships["slug"] == slug],
                      stations=own, air_quality=aq.iloc[ix].reset_index(drop=True), **empty)
        task = TownshipTask(slug=slug, season=sub, seed=seed + offset, n_boot=n_boot,
                            pollutants=pollutants, cache_dir=str(cache_dir) if cache_dir else None)
        if cache_dir:
            task.key = task_key(task, met_digest)
        tasks.append(task)
        offset += len(pd.unique(pollutant[ix][in_weather[ix]]))
    return tasks


def _air_stats(parts: list[TownshipPart], season: SeasonData) -> pd.DataFrame:
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
    out.attrs["exclusions"] = {"stations_without_township":
                               sorted(set(pd.unique(season.air_quality["station_code"])) - known)}
    return out


def _township_daily(parts: list[TownshipPart]) -> pd.DataFrame:
    """Every township's daily values first, then every township's AQI (the one-process order)."""
    frames = [p.township_daily for p in parts]
    values = [f[f["statistic"] != "AQI"] for f in frames]
    aqi = [f[f["statistic"] == "AQI"] for f in frames]
    return pd.concat(values + aqi, ignore_index=True)


def _county_weather(season: SeasonData, parts: list[TownshipPart], pollutants, n_boot: int,
                    seed: int) -> pd.DataFrame:
    """The county rows: the mean of the township series (county meteorology), each pollutant with
    the seed that follows the township series, as the one-process evaluation computes them."""
    from zzeval.airquality import weather

    tw, rep = weather.township_series(season, pollutants)
    n_series = sum(len(p.weather) for p in parts)
    t_all = np.asarray(tw["datetime"], dtype="datetime64[ns]")
    v_all = tw["value"].to_numpy(float)
    pol_all = tw["pollutant"].to_numpy(object)
    rows = []
    for p in sorted(pd.unique(pol_all)):
        ix = np.flatnonzero((pol_all == p) & np.isfinite(v_all))
        times, inv = np.unique(t_all[ix], return_inverse=True)
        mean = np.bincount(inv, weights=v_all[ix]) / np.bincount(inv)
        rows.append(pd.DataFrame({"station_code": "county", "datetime": times, "pollutant": p,
                                  "value": mean, "unit": str(tw["unit"].to_numpy()[ix[0]])}))
    if not rows:
        return pd.DataFrame()
    county = replace(season, stations=pd.DataFrame({"station_code": ["county"], "township": ["county"]}),
                     air_quality=pd.concat(rows, ignore_index=True),
                     meteorology=season.meteorology[season.meteorology["station_code"] == "county"])
    out = weather.weather_adjusted_change(county, pollutants=pollutants, n_boot=n_boot,
                                          seed=seed + n_series, county=False, pooled=False)
    out.attrs["exclusions"] = rep
    return out


def air_quality_parts(season: SeasonData, n_boot: int, seed: int, runner: Runner | None = None,
                      cache_dir: str | Path | None = None) -> dict[str, Any]:
    """The air-quality parts of the evaluation (the keys of ``evaluate._air_quality_parts``:
    ``air_stats, dustfall, daily, weather, did`` and ``did_note`` when there is no DiD), with the
    per-township work run as tasks on ``runner`` (default: in this process)."""
    from zzeval.airquality import airstats, did
    from zzeval.airquality.weather import pool_series

    pollutants = _weather_pollutants(None)
    runner = runner or SerialRunner()
    tasks = township_tasks(season, n_boot=n_boot, seed=seed, pollutants=pollutants, cache_dir=cache_dir)
    done = {t.slug: part for t in tasks if (part := cached_part(t)) is not None}
    # a few batches per worker: pandas' fixed cost per call is paid per batch, not per township
    todo = batches(tasks, {t.slug for t in tasks} - set(done), 1 if runner.jobs <= 1 else 4 * runner.jobs)
    for result in runner.map(evaluate_batch, todo):
        done.update((part.slug, part) for part in result)
    parts = [done[t.slug] for t in tasks]
    daily = pd.concat([p.daily for p in parts], ignore_index=True).sort_values(
        ["station_code", "date", "statistic"], ignore_index=True)
    county = _county_weather(season, parts, pollutants, n_boot, seed)
    # the interval calibration pools every series (zzeval.airquality.weather_intervals): once, here
    weather_rows = pool_series([p.weather for p in parts] + [county], n_boot=n_boot)
    weather_rows.attrs["exclusions"] = county.attrs.get("exclusions", {})
    out: dict[str, Any] = {
        "air_stats": _air_stats(parts, season), "dustfall": airstats.dustfall_summary(season),
        "daily": _township_daily(parts), "weather": weather_rows,
        "evaluated_townships": {p.slug: p.from_cache for p in parts},
    }
    try:
        out["did"] = did.retrofit_did(season, seed=seed, daily=daily)
    except ValueError as exc:  # too few townships for a cross-township estimate
        out["did"] = None
        out["did_note"] = str(exc)
    return out
