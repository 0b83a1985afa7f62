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
    """Writes checked air-quality rows a station at a time (a station met again gets a new file)."""

    def __init__(self, root: Path) -> None:
        self.root = root
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
            name = f"s{len(self.stations):06d}-{len(entry['files'])}.parquet"
            rows = rows.reset_index(drop=True)
            rows.to_parquet(self.root / name, index=False)
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


def read_rows(files) -> pd.DataFrame:
    """The air-quality rows in ``files`` (:meth:`RowStore.files`), sorted as ``load_season``
    sorts the table (station, hour, pollutant), on a 0-based index."""
    frames = [pd.read_parquet(f) for f in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) != 1 else frames[0]
    return frame.sort_values(AQ_ORDER, kind="stable").reset_index(drop=True)


def _meteorology(frames: list[pd.DataFrame], like: pd.DataFrame) -> pd.DataFrame:
    """The checked meteorology chunks as ``load_season`` finishes the table."""
    if not frames:
        return like
    met = pd.concat(frames)
    met["station_code"] = met["station_code"].replace("", "county")
    return met.sort_values(["station_code", "datetime"], kind="stable").reset_index(drop=True)


def split_season(data_dir: str | Path, rows_dir: str | Path, season: str = DEFAULT_SEASON
                 ) -> tuple[SeasonData, RowStore]:
    """Validate the season folder and split its air-quality rows by station into ``rows_dir``.

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

    rows_dir = Path(rows_dir)
    existing = RowStore.load(rows_dir)
    tmp = Path(tempfile.mkdtemp(prefix="zzeval-rows-"))
    try:
        writer = _Writer(tmp)
        if parquet_file(data_dir, "air_quality") is not None:
            sink = writer if existing is None else (lambda t, f: writer(t, f) if t == "meteorology" else None)
            loaded, _ = check_season(data_dir, season, sink=sink)
            met = loaded.meteorology if parquet_file(data_dir, "meteorology") is None else \
                _meteorology(writer.meteorology, loaded.meteorology)
            loaded = replace(loaded, meteorology=met)
        else:
            loaded = load_season(data_dir, season)
            if existing is None:
                writer("air_quality", loaded.air_quality)
            loaded = replace(loaded, air_quality=loaded.air_quality.iloc[:0])
        store = existing if existing is not None else writer.finish(rows_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return loaded, store
