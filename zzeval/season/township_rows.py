"""A season's air-quality rows split by station, written once, read back a township at a time.

A province has tens of millions of hourly air-quality rows; the evaluation needs them only a
township at a time (:mod:`zzeval.assess.tasks`). :func:`split_season` validates the season folder
like :func:`zzeval.season.loading.load_season` and writes each station's checked rows (canonical
units) to a Parquet file of its own in ``rows_dir``, with a manifest; it returns the season
*without* its air-quality rows, and a :class:`RowStore` from which a task reads its stations'
rows (:func:`read_rows`), in the order and with the dtypes ``load_season`` gives them.

* A Parquet ``air_quality`` table is read, converted and checked a chunk and a station at a time
  (:func:`zzeval.season.columnar.check_season`): the calling process never holds more than a
  chunk of it, so its memory does not grow with the number of townships. The meteorology is kept
  (the county series, and the station series if any: it grows with the stations that have one).
* A CSV or xlsx table is read whole once (as ``load_season`` reads it), split, and dropped.

The split is written into a temporary folder (the system's) and moved into place once the whole
season is valid, so that nothing is written where it goes before; a folder whose manifest exists
is reused (the caller names it after the data's content).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from zzeval.season.data import DEFAULT_SEASON, SeasonData
from zzeval.season.keys import county_code

MANIFEST = "manifest.json"
#: The sort of the air-quality table :func:`zzeval.season.loading.load_season` returns.
AQ_ORDER = ["station_code", "datetime", "pollutant"]


@dataclass
class RowStore:
    """The air-quality rows of a season, one Parquet file (or a few) per station.

    ``stations``: station code → ``{"files": [...], "pollutants": [...], "digest": sha256 of its
    rows, "rows": count}``; file names are relative to ``root``."""

    root: Path
    stations: dict[str, dict] = field(default_factory=dict)

    def files(self, codes) -> list[str]:
        """The absolute paths of the files holding the rows of the stations ``codes``."""
        return [str(self.root / f) for c in codes if c in self.stations for f in self.stations[c]["files"]]

    def pollutants(self, codes) -> set[str]:
        """The pollutants with rows at any of ``codes``."""
        return {p for c in codes if c in self.stations for p in self.stations[c]["pollutants"]}

    def digest(self, codes) -> str:
        """sha256 over the row digests of ``codes`` (a change in any of their rows changes it)."""
        h = hashlib.sha256()
        for c in codes:
            h.update(f"{c}={self.stations.get(c, {}).get('digest', '')}\n".encode())
        return h.hexdigest()

    @staticmethod
    def load(root: str | Path) -> RowStore | None:
        """The store in ``root`` (None without a manifest)."""
        path = Path(root) / MANIFEST
        if not path.is_file():
            return None
        return RowStore(Path(root), json.loads(path.read_text(encoding="utf-8"))["stations"])


def _frame_digest(frame: pd.DataFrame) -> str:
    h = hashlib.sha256(repr(list(zip(frame.columns, map(str, frame.dtypes), strict=True))).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


class _Writer:
    """Writes checked air-quality rows a station at a time (a station met again gets a new file);
    ``prefix``: of its file names (a writer per parallel task)."""

    def __init__(self, root: Path, prefix: str = "") -> None:
        self.root, self.prefix = root, prefix
        self.stations: dict[str, dict] = {}
        self.meteorology: list[pd.DataFrame] = []

    def __call__(self, table: str, frame: pd.DataFrame) -> None:
        if table == "meteorology":
            self.meteorology.append(frame)
            return
        if table != "air_quality" or not len(frame):
            return
        for code, rows in frame.groupby("station_code", sort=False):
            entry = self.stations.setdefault(str(code), {"files": [], "pollutants": [], "digest": "", "rows": 0})
            name = f"{self.prefix}s{len(self.stations):06d}-{len(entry['files'])}.parquet"
            rows = rows.reset_index(drop=True)
            with open(self.root / name, "wb") as fh:  # Python opens the path: pyarrow encodes a str path as UTF-8
                rows.to_parquet(fh, index=False)     # whatever the file system's encoding (re-review B, R1)
            entry["files"].append(name)
            entry["pollutants"] = sorted(set(entry["pollutants"]) | set(pd.unique(rows["pollutant"])))
            entry["rows"] += len(rows)
            entry["digest"] = hashlib.sha256((entry["digest"] + _frame_digest(rows)).encode()).hexdigest()

    def finish(self, target: Path) -> RowStore:
        """Moved into ``target`` (a store another process put there meanwhile is kept)."""
        (self.root / MANIFEST).write_text(json.dumps({"stations": self.stations}), encoding="utf-8")
        if (other := RowStore.load(target)) is not None:
            return other
        if target.exists():  # a split that did not finish
            shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(self.root), str(target))  # a rename on the same file system
        return RowStore(target, self.stations)


def _read_parquet(path) -> pd.DataFrame:
    """One Parquet file, opened by Python (a path in the file system's encoding, a non-UTF-8 locale
    included: pyarrow would encode a str path as UTF-8; re-review B, R1)."""
    with open(path, "rb") as fh:
        return pd.read_parquet(fh)


def read_rows(files) -> pd.DataFrame:
    """The air-quality rows in ``files`` (:meth:`RowStore.files`), sorted as ``load_season``
    sorts the table (station, hour, pollutant), on a 0-based index."""
    frames = [_read_parquet(f) for f in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) != 1 else frames[0]
    return frame.sort_values(AQ_ORDER, kind="stable").reset_index(drop=True)


@dataclass
class _RangeJob:
    """One task of the parallel check of a Parquet air-quality table: its rows
    ``start <= row < stop`` (whole stations), written by station into ``root`` when it is set."""

    data_dir: str
    season: str
    start: int
    stop: int
    root: str | None
    prefix: str


def station_ranges(path: str | Path, n: int) -> list[tuple[int, int]] | None:
    """About ``n`` row ranges ``(start, stop)`` of equal size, cut between stations, of a Parquet
    air-quality table; None when it cannot be cut so (no ``station_code`` column, an empty code,
    a station whose rows are not together, an unreadable file): it is then checked in one pass,
    which reports whatever is wrong. Reads only the ``station_code`` column."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        if "station_code" not in pq.ParquetFile(path).schema_arrow.names:
            return None
        column = pq.read_table(path, columns=["station_code"]).column(0).combine_chunks()
    except (pa.ArrowException, OSError):
        return None
    if not len(column) or column.null_count:
        return None
    encoded = pc.dictionary_encode(column)
    codes = encoded.indices.to_numpy()
    cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    if len(cuts) + 1 != len(encoded.dictionary):  # a station met again further down
        return None
    targets = np.arange(1, max(n, 1)) * len(codes) / max(n, 1)
    chosen = sorted({int(cuts[min(i, len(cuts) - 1)]) for i in np.searchsorted(cuts, targets)} if len(cuts) else set())
    bounds = [0, *chosen, len(codes)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def check_range(job: _RangeJob) -> dict:
    """A task of the parallel check: the rows of ``job`` converted and checked as the one-pass
    check converts and checks them (:func:`zzeval.season.columnar.check_season`), whole stations
    at a time, and written by station when ``job.root`` is set. Returns ``ok`` (no problem and no
    note), the row count, the ``coverage`` recorded, the stations written (as
    :attr:`RowStore.stations`) and its CPU seconds."""
    import time

    from zzeval.season import columnar
    from zzeval.season.checks import Collector
    from zzeval.season.data import SeasonPeriod
    from zzeval.season.schema import TABLES

    c0 = time.process_time()
    spec = TABLES["air_quality"]
    path = columnar.parquet_file(job.data_dir, "air_quality")
    out = Collector()
    chunked = columnar._AcrossChunks(out)
    writer = _Writer(Path(job.root), job.prefix) if job.root else None
    checking = columnar._CheckOnly(Path(job.data_dir), SeasonPeriod(job.season), sink=writer)
    chunks = columnar.iter_chunks(path, rows=(job.start, job.stop))
    n_rows = 0
    for frame, _ in columnar._station_complete((columnar._convert_chunk(raw, spec, path.name, chunked)
                                                 for raw in chunks), spec.key[0]):
        n_rows += len(frame)
        columnar._whole_table_checks(frame, spec, path.name, chunked, checking)
    chunked.finish()
    return {"ok": not (out.problems or out.notes or out.unreadable), "rows": n_rows, "coverage": out.coverage,
            "pm_days": out.pm_days,  # compared across the ranges by check_season (zzeval.season.aq_copy)
            "empty_values": out.empty_values,  # said once by check_season (zzeval.season.outages)
            "spans": out.station_spans,  # a replaced station's hours before its successor's (season.replacements)
            "stations": writer.stations if writer is not None else {}, "cpu_s": time.process_time() - c0}


def _check_in_parallel(data_dir, season: str, writer: _Writer | None, mapper, n_tasks: int) -> dict | None:
    """The Parquet air-quality table checked (and written by ``writer``'s folder) by tasks of
    ``mapper`` over ranges of whole stations; what :func:`~zzeval.season.columnar.check_season`
    takes as ``prechecked``. None when it cannot be cut or a task found anything to say: the
    caller then checks it in one pass, which gives every problem with its file, row and column
    exactly as without tasks (only a season with a problem pays the check twice)."""
    from zzeval.errors import ZzevalError
    from zzeval.season.columnar import parquet_file
    from zzeval.season.replacements import merge_spans

    ranges = station_ranges(parquet_file(data_dir, "air_quality"), n_tasks)
    if ranges is None or len(ranges) < 2:
        return None
    root = str(writer.root) if writer is not None else None
    jobs = [_RangeJob(str(data_dir), season, a, b, root, f"t{i:04d}-") for i, (a, b) in enumerate(ranges)]
    try:
        results = mapper(check_range, jobs)
    except ZzevalError:
        results = [{"ok": False}]
    if not all(r["ok"] for r in results):
        if writer is not None:
            for name in Path(writer.root).glob("t????-*.parquet"):
                name.unlink()
        return None
    if writer is not None:
        for r in results:
            writer.stations.update(r["stations"])
    coverage = set().union(*(r["coverage"] for r in results))
    pm_days = [days for r in results for days in r["pm_days"]]
    empty: dict = {}
    for r in results:  # a station lies in one range, but sum anyway
        for key, n in r["empty_values"].items():
            empty[key] = empty.get(key, 0) + n
    spans: dict = {}
    for r in results:
        merge_spans(spans, r["spans"])
    return {"air_quality": (sum(r["rows"] for r in results), coverage, pm_days, empty, spans)}


def _meteorology(frames: list[pd.DataFrame], like: pd.DataFrame) -> pd.DataFrame:
    """The checked meteorology chunks as ``load_season`` finishes the table."""
    if not frames:
        return like
    met = pd.concat(frames)
    met["station_code"] = county_code(met["station_code"])
    return met.sort_values(["station_code", "datetime"], kind="stable").reset_index(drop=True)


def split_season(data_dir: str | Path, rows_dir: str | Path, season: str = DEFAULT_SEASON,
                 mapper=None, n_tasks: int = 8, scratch: str | Path | None = None) -> tuple[SeasonData, RowStore]:
    """Validate the season folder and split its air-quality rows by station into ``rows_dir``
    (written first into a new folder in ``scratch``, default ``$TMPDIR``, removed afterwards).

    ``mapper(fn, items) -> list`` (e.g. a runner's ``map``: its workers must see this machine's
    temporary folder): a Parquet air-quality table is then checked and split by ``n_tasks``
    tasks of ranges of whole stations (:func:`check_range`), the rest of the folder here.

    Returns
    -------
    (SeasonData, RowStore)
        The season with an empty ``air_quality`` table (its columns and dtypes kept) and every
        other table loaded as :func:`~zzeval.season.loading.load_season` loads it; the store of
        the air-quality rows (reused when ``rows_dir`` already holds one).

    Raises
    ------
    DataValidationError
        As ``load_season`` raises it; nothing is left in ``rows_dir`` then.
    """
    from zzeval.season.columnar import check_season, parquet_file
    from zzeval.season.loading import load_season
    from zzeval.season.weather_county import with_derived_county_weather

    rows_dir = Path(rows_dir)
    existing = RowStore.load(rows_dir)
    tmp = Path(tempfile.mkdtemp(prefix="zzeval-rows-", dir=scratch))
    try:
        writer = _Writer(tmp)
        if parquet_file(data_dir, "air_quality") is not None:
            prechecked = None if mapper is None else \
                _check_in_parallel(data_dir, season, writer if existing is None else None, mapper, n_tasks)
            sink = writer if existing is None and prechecked is None else \
                (lambda t, f: writer(t, f) if t == "meteorology" else None)
            loaded, _ = check_season(data_dir, season, sink=sink, prechecked=prechecked)
            if parquet_file(data_dir, "meteorology") is not None:  # checked in chunks, not kept by the loading
                loaded = with_derived_county_weather(
                    replace(loaded, meteorology=_meteorology(writer.meteorology, loaded.meteorology)))
        else:
            loaded = load_season(data_dir, season)
            if existing is None:
                writer("air_quality", loaded.air_quality)
            loaded = replace(loaded, air_quality=loaded.air_quality.iloc[:0])
        store = existing if existing is not None else writer.finish(rows_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return loaded, store
