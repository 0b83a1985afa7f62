"""Columnar input for big seasons: the hourly tables as Parquet, read and checked chunk by chunk.

A season folder may hold ``air_quality.parquet`` and ``meteorology.parquet`` instead of
their ``.csv``/``.csv.gz``/``.xlsx`` files (:data:`COLUMNAR_TABLES`). A province-size season
has tens of millions of hourly rows; as CSV every cell is first a Python string (about 60 bytes
each) before it is parsed. Parquet keeps the values typed, compressed and in row groups, so
:func:`read_checked_table` reads ``chunk_rows`` rows at a time and keeps only the converted
columns (8 bytes a value or a timestamp).

Columns may be typed (``double``/``int`` values, ``timestamp`` date-times, strings or
dictionary strings) or all strings (a conversion that kept the text). A typed chunk whose values
pass the column's checks is taken as it is; a chunk with a problem, and every string column, goes
through the same conversion as a CSV cell (:mod:`zzeval.season.loading`), so the messages name
the same file, row and column and say the same thing. Row numbers count as in the CSV the
Parquet file was converted from (header = row 1, first data row = row 2).

:func:`convert_to_parquet` writes those files from a season's CSV tables, also chunk by chunk,
checking each chunk as it goes (``zzeval sample --format parquet`` uses it).

References
----------
.. [1] Apache Parquet file format, https://parquet.apache.org/docs/file-format/ (row groups,
   column chunks, dictionary encoding).
.. [2] ``pyarrow.parquet.ParquetFile.iter_batches``, https://arrow.apache.org/docs/python/
   generated/pyarrow.parquet.ParquetFile.html
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zzeval.errors import DataValidationError, Problem, ZzevalError
from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector, check_air_quality
from zzeval.season.headers import map_columns
from zzeval.season.keys import county_code
from zzeval.season.schema import TABLES, Column, TableSpec

#: The tables that may be given as Parquet (the hourly long forms: millions of rows).
COLUMNAR_TABLES = ("air_quality", "meteorology")
PARQUET_SUFFIX = ".parquet"
#: Rows read, converted and checked at a time (about 10 MB of typed air-quality columns).
CHUNK_ROWS = 250_000


def _parquet():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is in the parquet and dev extras
        raise ZzevalError("reading or writing Parquet needs pyarrow (a dependency of zzeval): pip install pyarrow") from exc
    return pa, pq


def parquet_file(data_dir: str | Path, name: str) -> Path | None:
    """``data_dir/<name>.parquet`` when ``name`` is one of :data:`COLUMNAR_TABLES` and the file exists."""
    path = Path(data_dir) / f"{name}{PARQUET_SUFFIX}"
    return path if name in COLUMNAR_TABLES and path.is_file() else None


def iter_chunks(path: str | Path, chunk_rows: int = CHUNK_ROWS,
                rows: tuple[int, int] | None = None) -> Iterator[pd.DataFrame]:
    """The rows of a Parquet file, ``chunk_rows`` at a time, indexed by their 0-based row number
    (so that ``index + 2`` is the row of the CSV export, as for a CSV table). ``rows``: only the
    rows ``start <= row < stop`` (only the row groups that hold them are read).

    Raises
    ------
    DataValidationError
        The file is not a readable Parquet file.
    """
    pa, pq = _parquet()
    path = Path(path)
    try:
        reader = pq.ParquetFile(path)
        groups, offset = None, 0
        if rows is not None:
            sizes = np.array([reader.metadata.row_group(i).num_rows for i in range(reader.num_row_groups)])
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
            groups = [i for i in range(len(sizes)) if starts[i] < rows[1] and starts[i] + sizes[i] > rows[0]]
            offset = int(starts[groups[0]]) if groups else 0
        batches = reader.iter_batches(batch_size=chunk_rows, row_groups=groups)
        for batch in batches:
            lo, hi = offset, offset + batch.num_rows
            offset = hi
            if rows is not None:
                if hi <= rows[0] or lo >= rows[1]:
                    continue
                batch = batch.slice(max(rows[0] - lo, 0), min(hi, rows[1]) - max(lo, rows[0]))
                lo = max(lo, rows[0])
            frame = batch.to_pandas(split_blocks=True, self_destruct=True)
            frame.index = pd.RangeIndex(lo, lo + len(frame))
            yield frame
    except (pa.ArrowException, OSError) as exc:
        raise DataValidationError([Problem(path.name, None, None,
                                           f"cannot read the Parquet file: {exc}")]) from exc


def _typed(values: pd.Series, col: Column) -> pd.Series | None:
    """The column as the CSV reading would give it, when the Parquet values are already of the
    column's kind and pass its checks; None when the chunk must go the CSV way (strings, or a
    value to report)."""
    if col.kind in ("int", "float") and pd.api.types.is_numeric_dtype(values) \
            and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        finite = np.isfinite(numbers.to_numpy())
        if not finite.all() and ((col.required and not col.empty_ok) or not np.isnan(numbers.to_numpy()[~finite]).all()):
            return None  # an empty required cell or an infinite value: let the CSV rules say so
        ok = numbers.isna() | (((numbers >= col.min) if col.min is not None else True)
                               & ((numbers <= col.max) if col.max is not None else True))
        if not ok.all():
            return None
        if col.kind == "int" and ((numbers.dropna() % 1) != 0).any():
            return None
        return numbers
    if col.kind == "datetime" and pd.api.types.is_datetime64_dtype(values):
        if col.required and values.isna().any():
            return None
        return values.astype("datetime64[us]")
    return None


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as the CSV would hold them (empty for a missing value)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):  # with its offset: read as the CSV's, in Beijing time
        text = values.dt.strftime("%Y-%m-%d %H:%M%z")
    elif pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d %H:%M")
    elif pd.api.types.is_float_dtype(values):
        text = values.map(repr)
    else:
        text = values.astype(str)
    return text.where(values.notna(), "").astype(str)


class _AcrossChunks:
    """A loading collector for a table read in chunks: at most ``MAX_ROWS_LISTED`` rows of each
    kind of problem over the whole table (not per chunk), the rest counted in one line; a
    problem without a row (a missing column) once."""

    def __init__(self, out) -> None:
        from zzeval.season.checks import MAX_ROWS_LISTED

        self.out, self.max_rows = out, MAX_ROWS_LISTED
        self.listed: dict = {}
        self.more: dict = {}
        self.seen: set = set()

    def __getattr__(self, name):  # problems, notes, ... of the wrapped collector
        return getattr(self.out, name)

    def add(self, file: str, row, column, message: str) -> None:
        if row is None and (file, column, message) in self.seen:
            return
        self.seen.add((file, column, message))
        self.out.add(file, row, column, message)

    def rows(self, file: str, column, mask: pd.Series, message, *args, **kwargs) -> None:
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if idx.size == 0:
            return
        key = (file, column, message if isinstance(message, str) else message.__code__)
        left = self.max_rows - self.listed.get(key, 0)
        if left > 0:
            keep = np.zeros(len(mask), dtype=bool)
            keep[idx[:left]] = True
            self.out.rows(file, column, pd.Series(keep, index=mask.index), message, *args, **kwargs)
            self.listed[key] = self.listed.get(key, 0) + min(left, idx.size)
        extra = idx.size - max(left, 0)
        if extra > 0:
            n, first = self.more.get(key, (0, None))
            if first is None:
                label = mask.index[idx[max(left, 0)]]
                first = message(label) if callable(message) else message
            self.more[key] = (n + extra, first)

    def finish(self) -> None:
        """The count of the rows not listed, one line per kind of problem."""
        for (file, column, _), (n, first) in self.more.items():
            self.out.add(file, None, column, f"{n} more rows with the same problem ({first})")
        self.more.clear()


def _convert_chunk(raw: pd.DataFrame, spec: TableSpec, fname: str, out) -> pd.DataFrame:
    """One chunk renamed and converted like a CSV table (typed columns that pass taken as they are)."""
    frame = map_columns(raw, spec, fname, out)
    converted = {}
    for col in spec.columns:
        values = frame[col.name]
        typed = _typed(values, col)
        if typed is None:
            if not (pd.api.types.is_string_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype)):
                frame[col.name] = _as_text(values)
            typed = convert_column(frame, col, fname, out)
        converted[col.name] = typed
    return pd.DataFrame(converted, index=frame.index)


def read_checked_table(path: str | Path, spec: TableSpec, out, chunk_rows: int = CHUNK_ROWS) -> pd.DataFrame:
    """A Parquet table converted and checked cell by cell, ``chunk_rows`` rows at a time.

    Parameters
    ----------
    path : path
        The Parquet file (typed or string columns, English or Chinese headers).
    spec : TableSpec
        The table (:data:`zzeval.season.schema.TABLES`).
    out : zzeval.season.loading collector
        Problems go here, with the file name, the row (as in the CSV export) and the column.

    Returns
    -------
    DataFrame
        The columns of ``spec`` with the dtypes the CSV reading gives (``str``, ``float64``,
        ``datetime64[us]``), on a 0-based RangeIndex; the checks that need the whole table
        (duplicate keys, season dates, stations) are left to :func:`zzeval.season.loading.load_season`.
    """
    path = Path(path)
    chunked = _AcrossChunks(out)
    checking = _CHECK_ONLY.get()
    if checking is not None:
        if spec.name in checking.prechecked:
            checking.rows[spec.name], coverage, pm_days, empty, spans = checking.prechecked[spec.name]
            out.coverage.update(coverage)
            out.station_spans.update(spans)
            out.pm_days.extend(pm_days)
            for key, n in empty.items():
                out.empty_values[key] = out.empty_values.get(key, 0) + n
        else:
            checking.rows[spec.name] = _check_in_chunks(path, spec, chunked, checking, chunk_rows)
        chunked.finish()
        return _convert_chunk(pd.DataFrame({c.name: pd.Series(dtype=str) for c in spec.columns}),
                              spec, path.name, out)
    parts = [_convert_chunk(raw, spec, path.name, chunked) for raw in iter_chunks(path, chunk_rows)]
    chunked.finish()
    if not parts:
        return _convert_chunk(pd.DataFrame({c.name: pd.Series(dtype=str) for c in spec.columns}),
                              spec, path.name, out)
    return pd.concat(parts) if len(parts) > 1 else parts[0]


@dataclass
class _CheckOnly:
    """What a check of whole Parquet tables needs besides the rows (see :func:`check_season`)."""

    data_dir: Path
    period: object
    rows: dict = field(default_factory=dict)
    _stations: pd.DataFrame | None = None
    #: called with (table name, checked rows of whole stations) as they are checked, or None
    sink: Callable[[str, pd.DataFrame], None] | None = None
    #: tables already checked elsewhere without a problem (:mod:`zzeval.season.township_rows`,
    #: in parallel tasks): name → (row count, the ``coverage``, PM days and values left empty their rows recorded)
    prechecked: dict = field(default_factory=dict)

    def stations(self) -> pd.DataFrame | None:
        """The season's stations table (read once; None when it cannot be read: its own problems
        are reported by the loading of the folder)."""
        if self._stations is None:
            from zzeval.season import loading

            throwaway = Collector()
            self._stations = loading._read_table(self.data_dir, TABLES["stations"], throwaway)[0]
        return self._stations


#: Set while :func:`check_season` runs: Parquet tables are then checked whole, chunk by chunk,
#: and not kept.
_CHECK_ONLY: ContextVar[_CheckOnly | None] = ContextVar("zzeval_columnar_check_only", default=None)


def _whole_table_checks(frame: pd.DataFrame, spec: TableSpec, fname: str, out, checking: _CheckOnly) -> None:
    """The checks :func:`zzeval.season.loading.load_season` runs on a whole hourly table, on rows
    that hold every row of their stations; the checked rows (air quality: canonical units) go to
    ``checking.sink`` when there is one."""
    from zzeval.season import loading

    loading._check_keys(frame, spec, fname, out)
    loading._check_season_dates(frame, spec, fname, checking.period, out)
    if spec.name == "air_quality":
        frame = check_air_quality(frame, fname, checking.stations(), out)
    if spec.name == "meteorology":
        from zzeval.season.plausible import check_met_values

        check_met_values(frame, fname, out, checking.stations())
    if checking.sink is not None:
        checking.sink(spec.name, frame)


def _station_complete(chunks: Iterator[pd.DataFrame], key: str,
                      station=lambda codes: codes) -> Iterator[tuple[pd.DataFrame, set]]:
    """Converted chunks regrouped so that each holds every row of its stations when the file keeps
    a station's rows together (as an export sorted by station does); also yields the stations
    seen again after their rows had ended (their duplicates are checked in a second pass).
    ``station(codes)``: the station each code stands for (meteorology: empty = ``county``)."""
    done: set = set()
    carry = None
    for chunk in chunks:
        frame = chunk if carry is None else pd.concat([carry, chunk])
        codes = station(frame[key]).to_numpy()
        last = codes[-1] if len(codes) else None
        tail = codes == last
        carry, frame = frame[tail], frame[~tail]
        seen = set(pd.unique(station(frame[key]))) | ({last} if last is not None else set())
        again = seen & done
        done |= set(pd.unique(station(frame[key])))
        yield frame, again
    if carry is not None and len(carry):
        again = {station(carry[key]).iloc[0]} & done
        yield carry, again


def _check_in_chunks(path: Path, spec: TableSpec, out, checking: _CheckOnly, chunk_rows: int) -> int:
    """Convert and check every row of a Parquet hourly table, a few stations at a time; the
    number of rows. Memory: one chunk and the rows of one station."""
    key = spec.key[0]
    station = county_code if spec.name == "meteorology" else (lambda codes: codes)  # '' is county-wide
    converted = (_convert_chunk(raw, spec, path.name, out) for raw in iter_chunks(path, chunk_rows))
    n_rows, revisit = 0, set()
    for frame, again in _station_complete(converted, key, station):
        n_rows += len(frame)
        revisit |= again
        _whole_table_checks(frame, spec, path.name, out, checking)
    if revisit:  # a station's rows are split over the file: its duplicate keys over all its rows
        from zzeval.season import loading

        quiet = Collector()  # the cells were reported in the first pass
        parts = [frame[station(frame[key]).isin(revisit)] for frame in
                 (_convert_chunk(raw, spec, path.name, quiet) for raw in iter_chunks(path, chunk_rows))]
        loading._check_keys(pd.concat(parts).sort_index(), spec, path.name, out)
    return n_rows


def check_season(data_dir: str | Path, season: str | None = None,
                 sink: Callable[[str, pd.DataFrame], None] | None = None, prechecked: dict | None = None):
    """Validate a season folder like :func:`zzeval.season.loading.load_season`, without keeping the
    rows of its Parquet hourly tables: they are converted and checked a chunk (and a station) at a
    time, so the memory does not grow with the number of townships.

    ``sink(table, rows)``, when given, receives the checked rows of the Parquet tables as they
    are checked (whole stations at a time; air quality with its canonical units), e.g. to split
    them by station (:mod:`zzeval.season.township_rows`). ``prechecked``: the Parquet tables
    already checked without a problem (see :class:`_CheckOnly`), not read again.

    Returns
    -------
    (SeasonData, dict)
        The season (its Parquet tables without rows) and the row count of each table.

    Raises
    ------
    DataValidationError
        Every problem found, as :func:`~zzeval.season.loading.load_season` raises them.
    """
    from zzeval.season import loading
    from zzeval.season.data import DEFAULT_SEASON, SeasonPeriod
    from zzeval.season.replacements import PARALLEL_ROWS_KEY
    from zzeval.season.station_weather import SET_ASIDE_KEY

    season = season or DEFAULT_SEASON
    checking = _CheckOnly(Path(data_dir), SeasonPeriod(season), sink=sink, prechecked=dict(prechecked or {}))
    token = _CHECK_ONLY.set(checking)
    try:
        loaded = loading.load_season(data_dir, season)
    finally:
        _CHECK_ONLY.reset(token)
    rows = {name: checking.rows.get(name, len(loaded.table(name))) for name in TABLES}
    if "air_quality" not in checking.rows:  # a replacing station's parallel run, read but counted once
        rows["air_quality"] += int(loaded.meta.get(PARALLEL_ROWS_KEY) or 0)
    if "meteorology" not in checking.rows:  # a station's weather of one season, read but left out
        rows["meteorology"] += sum((loaded.meta.get(SET_ASIDE_KEY) or {}).values())
    return loaded, rows


def _csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """A UTF-8 CSV (gzip allowed) as string chunks indexed by their 0-based data row."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        reader = pd.read_csv(text, dtype=str, keep_default_na=False, skipinitialspace=True,
                             chunksize=chunk_rows)
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise DataValidationError([Problem(path.name, None, None,
                                               "converting to Parquet needs a UTF-8 CSV; save it again as "
                                               "'CSV UTF-8'")]) from exc


def _arrow_table(frame: pd.DataFrame, spec: TableSpec):
    pa, _ = _parquet()
    fields = []
    for col in spec.columns:
        if col.kind in ("int", "float"):
            fields.append(pa.field(col.name, pa.float64()))
        elif col.kind == "datetime":
            fields.append(pa.field(col.name, pa.timestamp("us")))
        else:
            fields.append(pa.field(col.name, pa.string()))
    data = {c.name: (frame[c.name].astype(object) if c.kind not in ("int", "float", "datetime")
                     else frame[c.name]) for c in spec.columns}
    return pa.Table.from_pandas(pd.DataFrame(data), schema=pa.schema(fields), preserve_index=False)


def convert_to_parquet(data_dir: str | Path, tables=COLUMNAR_TABLES, remove_source: bool = True,
                       chunk_rows: int = CHUNK_ROWS) -> list[Path]:
    """Write ``<table>.parquet`` for the hourly tables of a season folder given as UTF-8 CSV.

    The CSV is read and converted ``chunk_rows`` rows at a time (the checks of
    :func:`zzeval.season.loading.load_season` on each cell); the Parquet file holds typed columns
    (float64 values, timestamp[us] date-times, strings), dictionary-encoded and zstd-compressed,
    in row groups of ``chunk_rows`` rows, in the order of the CSV.

    Raises
    ------
    DataValidationError
        A cell that cannot be converted (nothing is written for that table).
    """
    from zzeval.season import loading

    _, pq = _parquet()
    data_dir = Path(data_dir)
    written = []
    for name in tables:
        spec = TABLES[name]
        source = loading.find_table_file(data_dir, name)
        if source is None or source.suffix.lower() == ".xlsx":
            continue
        target = data_dir / f"{name}{PARQUET_SUFFIX}"
        partial = target.with_suffix(".parquet.partial")
        out = _AcrossChunks(Collector())
        writer = None
        try:
            for raw in _csv_chunks(source, chunk_rows):
                table = _arrow_table(_convert_chunk(raw, spec, source.name, out), spec)
                if writer is None:
                    writer = pq.ParquetWriter(partial, table.schema, compression="zstd", use_dictionary=True)
                writer.write_table(table, row_group_size=chunk_rows)
        finally:
            if writer is not None:
                writer.close()
        out.finish()
        if out.problems:
            partial.unlink(missing_ok=True)
            raise DataValidationError(out.problems, context=f"converting {source}")
        partial.replace(target)
        if remove_source:
            source.unlink()
        written.append(target)
    return written
