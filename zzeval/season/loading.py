"""Read and validate a season folder.

:func:`load_season` reads every table of :mod:`zzeval.season.schema` from a folder (CSV in
UTF-8, UTF-8 with BOM or GBK/GB18030, optionally gzip-compressed, or ``.xlsx``),
accepts the Chinese column headers as aliases of the English ones, converts types,
and checks units, ranges, allowed values, township references, duplicates and dates.
All problems of a run are collected and raised together as one
:class:`~zzeval.errors.DataValidationError`; nothing is returned from invalid data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from zzeval.atomic import file_sha256  # the one file hash (re-exported here)
from zzeval.errors import DataValidationError, Problem
from zzeval.season.aq_copy import check_air_quality_copied
from zzeval.season.aq_copy_near import check_air_quality_near_copied
from zzeval.season.aq_copy_scaled import check_air_quality_scaled_copied
from zzeval.season.aq_season_copy import check_air_quality_season_copied
from zzeval.season.cells import MAX_EXACT_INT, convert_column, strip_values
from zzeval.season.checks import (
    Collector,
    _escaped,
    _invisible,
    check_air_quality,
    check_buildable,
    check_cross_tables,
    check_townships,
    empty_table_problem,
    plausible_limits,  # noqa: F401  (re-exported: zzeval.season.loading.plausible_limits)
    read_season_yaml,
    season_year,
    season_years,
)
from zzeval.season.confirm import (
    IN_FORCE,
    confirmations_in_force,
    read_confirmed,
    unused_confirmations,
)
from zzeval.season.data import DEFAULT_SEASON, SeasonData, SeasonPeriod, empty_table
from zzeval.season.dustfall import check_dustfall_months
from zzeval.season.headers import header_row_below, map_columns, refused_units, units_row_below
from zzeval.season.keys import check_keys, county_code
from zzeval.season.measure_rows import check_measure_rows
from zzeval.season.outages import note_empty_values
from zzeval.season.parsing import closest, not_a_regular_file, show
from zzeval.season.plausible import (
    check_county_tasks,
    check_plausible_values,
    check_site_dates,
    check_station_weather,
    check_target_deadlines,
    check_target_signs,
    check_whole_counts,
    plan_task_table,
)
from zzeval.season.replacement_step import check_replacement_step
from zzeval.season.replacements import (
    PARALLEL_ROWS_KEY,
    as_series,
    check_replacement_distance,
    check_replacement_hours,
    check_replacements,
)
from zzeval.season.schema import TABLE_EXTENSIONS, TABLES, TableSpec
from zzeval.season.station_sets import validate_notes as station_set_notes
from zzeval.season.station_weather import note_one_season_weather
from zzeval.season.tablefile import (
    archive_only,
    read_table_file,
    read_table_file_noted,
    stray_table_copies,
)
from zzeval.season.township_names import county_word, zezhou_township
from zzeval.season.weather_copy import check_weather_copied
from zzeval.season.weather_copy_within import check_weather_copied_within
from zzeval.season.weather_county import with_derived_county_weather
from zzeval.season.weather_hours import check_weather_hours, record_hours


def table_files(data_dir: Path, name: str) -> list[Path]:
    """Every file in ``data_dir`` that could hold table ``name`` (``.csv``, ``.csv.gz``, ``.xlsx``)."""
    return [data_dir / f"{name}{ext}" for ext in TABLE_EXTENSIONS if (data_dir / f"{name}{ext}").exists()]


def find_table_file(data_dir: Path, name: str) -> Path | None:
    """The file holding table ``name`` in ``data_dir`` (``.csv``, ``.csv.gz`` or ``.xlsx``)."""
    found = table_files(Path(data_dir), name)
    return found[0] if found else None


def data_fingerprint(file_hashes: dict[str, str]) -> str:
    """One sha256 over a season's file hashes (``SeasonData.file_hashes``, sorted by name): the data
    hash an evaluation records (``provenance["data_sha256"]``) and the pages show."""
    import hashlib

    h = hashlib.sha256()
    for name, digest in sorted(file_hashes.items()):
        h.update(f"{name}={digest}\n".encode())
    return h.hexdigest()


def folder_file_hashes(data_dir: str | Path) -> dict[str, str]:
    """The ``file_hashes`` :func:`load_season` would record for ``data_dir``, without reading the
    tables: the file of every table found, ``season.yaml`` and ``verdict_rules.yaml``. A file's hash
    is kept while its size, time and inode stay (a kernel that shows several reports hashes once)."""
    from zzeval.season import columnar

    data_dir = Path(data_dir)
    files = {name: (table_files(data_dir, name) or [columnar.parquet_file(data_dir, name)])[0] for name in TABLES}
    files.update({name: data_dir / name for name in ("season.yaml", "verdict_rules.yaml")})
    hashes = {}
    for name, path in files.items():
        if path is not None and path.is_file():
            st = path.stat()
            key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
            hashes[name] = _HASHED.get(key) or _HASHED.setdefault(key, file_sha256(path))
    return hashes


_HASHED: dict[tuple, str] = {}


def _read_table(data_dir: Path, spec: TableSpec, out: Collector) -> tuple[pd.DataFrame | None, str, str]:
    from zzeval.season import columnar  # the hourly tables may be Parquet, read in chunks

    parquet = columnar.parquet_file(data_dir, spec.name)
    paths = table_files(data_dir, spec.name) + ([parquet] if parquet is not None else [])
    if not paths:
        others = sorted(p.name for p in data_dir.iterdir() if p.name.lower().startswith(f"{spec.name}.")
                        and not p.name.startswith("."))
        broken = [p for p in others if p in {f"{spec.name}{ext}" for ext in TABLE_EXTENSIONS}
                  and (data_dir / p).is_symlink()]
        if broken:  # .exists() is False for a link to a missing file, or a link loop
            out.add(broken[0], None, None, f"is a link to '{show(os.readlink(data_dir / broken[0]), 80)}', which "
                                           "does not exist (or the links go round in a loop); put the table file "
                                           "itself into the season folder")
            return None, broken[0], ""
        if others:  # townships.xls, townships.et (WPS), townships.CSV: not read, but meant as the table
            out.add(others[0], None, None, f"is not read as table {spec.name}: zzeval reads "
                                           f"{_table_forms(spec.name)} (lower-case); save it as .xlsx or 'CSV UTF-8' "
                                           "(an .xls or WPS .et workbook too) or rename it")
            return None, others[0], ""
        if spec.required:
            out.add(f"{spec.name}.csv", None, None,
                    f"table is missing from {data_dir}; expected {_table_forms(spec.name)} (see data/README.md)")
        return None, f"{spec.name}.csv", ""
    path = paths[0]
    if len(paths) > 1:
        out.add(path.name, None, None, f"table {spec.name} is given twice ({', '.join(p.name for p in paths)}); "
                                       "keep one file per table and move the other out of the folder")
        return None, path.name, ""
    special = not_a_regular_file(path)
    if special:  # a FIFO, /dev/zero: read_table_file_noted refuses it too, but Parquet is read elsewhere
        out.add(path.name, None, None, special)
        return None, path.name, ""
    if parquet is not None:
        return columnar.read_checked_table(parquet, spec, out), parquet.name, file_sha256(parquet)
    try:
        raw, notes = read_table_file_noted(path)
    except DataValidationError as exc:
        out.problems.extend(exc.problems)
        return None, path.name, ""
    out.notes.extend(notes)
    if raw.empty:
        message = empty_table_problem(spec.name, path.name)
        if message:
            out.add(path.name, None, None, message)
            return None, path.name, ""
        out.notes.append(f"{path.name} has no data rows: the reports take it that none of its measures took "
                         "place (no reductions)")
    header_row = header_row_below(raw, spec)
    if header_row is not None:
        out.add(path.name, header_row, None, f"the header (the column names) is on row {header_row}, not row 1: "
                                             f"delete the {header_row - 1} row(s) above it (a title, or the upper "
                                             "row of a two-level header; merged cells included)")
        return None, path.name, ""
    unit_text = units_row_below(raw, spec)
    if unit_text is not None:
        out.add(path.name, 2, None, f"looks like a units row under the header ('{show(unit_text)}'): delete it; "
                                    "a unit may stand in brackets after the column name instead (see data/README.md)")
        return None, path.name, ""
    raw = _without_notes(_without_totals(raw, path.name, out), path.name, out)
    frame = map_columns(raw, spec, path.name, out)
    # values in another unit (refused): no checks of their size; times in another zone are still times
    refused = set(refused_units(raw.columns, spec)) - {c.name for c in spec.columns if c.kind == "datetime"}
    out.refused_columns.update((path.name, name) for name in refused)
    converted = {col.name: pd.Series(float("nan"), index=frame.index) if col.name in refused
                 else convert_column(frame, col, path.name, out) for col in spec.columns}
    return pd.DataFrame(converted, index=frame.index), path.name, file_sha256(path)


#: Labels of a totals row (合计 / 总计 / 小计) that spreadsheets add below the data.
TOTALS_LABELS = frozenset({"合计", "总计", "小计", "合 计", "总 计", "全县合计", "total", "totals", "subtotal"})


#: The Chinese totals words, simplified and traditional (合計, 總計, 小計).
_TOTAL_WORD = r"(合\s*[计計]|[总總]\s*[计計]|小\s*[计計])"

#: 下村镇煤炭企业小计, 小计：下村镇煤炭企业, 煤炭企业（小计）, 合计数, 小计（2020年）: a cell holding a Chinese totals word,
#: followed by nothing, 数, a colon or a bracketed note, is a totals row of the group it names (hostile review s12-C,
#: F2b: a freight row '下村镇煤炭企业小计' holding the sums of the township's coal firms doubled its shift to rail;
#: review s12-reC, F1: the word first, in brackets, traditional or with a note after passed); no firm, site,
#: township or category is named so (a word such as 合计划 is not followed by one of these).
_HAS_TOTAL = re.compile(r".*?[(（]?\s*" + _TOTAL_WORD + r"\s*[数數]?\s*[)）]?\s*([:：].*|[(（].*[)）])?", re.IGNORECASE)

#: total, Total:, subtotal, grand total, Xiacun subtotal, totals (2020): an English cell that is a totals label;
#: a firm's name ending in Total (PetroChina - Total, review s12-reC R1) is not one.
_EN_TOTAL = re.compile(r"((.*\S[\s_-]+)?sub-?totals?|(grand\s+)?totals?)\s*([:：].*|[(（].*[)）])?", re.IGNORECASE)


def _is_total(value) -> bool:
    text = str(value).strip()
    if "计" not in text and "計" not in text and "total" not in text.lower():  # timestamps of an hourly table
        return False
    return text.lower() in TOTALS_LABELS or bool(_HAS_TOTAL.fullmatch(text)) or bool(_EN_TOTAL.fullmatch(text))


def _without_totals(raw: pd.DataFrame, fname: str, out: Collector) -> pd.DataFrame:
    """Refuse totals rows (a first filled cell such as 合计), which would count everything twice; they
    are left out of the other checks so that their empty cells are not listed too."""
    if raw.empty or raw.shape[1] == 0:
        return raw
    totals = pd.Series(False, index=raw.index)
    for position in range(raw.shape[1]):  # on the distinct values: an hourly table repeats a few
        column = raw.iloc[:, position]
        labels = [u for u in pd.unique(column) if _is_total(u)]
        if labels:
            totals |= column.isin(labels)
    out.rows(fname, None, totals, lambda i: "looks like a totals row ('" + show(
        next(v for v in raw.loc[i].astype(str).str.strip() if _is_total(v))) +
        "'): delete it, zzeval adds up the rows itself (it would count them twice)", True)
    return raw[~totals]


#: How a note under a table starts: 数据来源：…, 注：…, 备注, 说明, 制表人, 填表人, 审核, Source:, Note:
_NOTE_START = re.compile(r"\s*(数据来源|资料来源|来源|注|备注|说明|制表|填表|填报|审核|联系人|单位[:：]|source|note)",
                         re.IGNORECASE)
#: A lone text of this many characters or more in a row below the data is a note, whatever it starts with.
_NOTE_LENGTH = 12
#: How many rows at the bottom of a table are looked at for notes.
_NOTE_ROWS = 20


def _without_notes(raw: pd.DataFrame, fname: str, out: Collector) -> pd.DataFrame:
    """Refuse note rows below the table (数据来源：泽州县统计局, 注：…): rows after the last row with two or
    more filled cells whose one filled cell is a note (it starts like one, or is a long text); they are
    left out of the other checks, so that their empty cells are not listed before the cause."""
    if raw.empty or raw.shape[1] < 2:
        return raw
    bottom = raw.tail(_NOTE_ROWS)  # notes stand at the bottom: an hourly table is not read whole again
    texts = bottom.astype(str).apply(lambda column: column.str.strip())
    filled = (texts != "") & (texts != "nan") & bottom.notna()
    count = filled.sum(axis=1).to_numpy()
    full = np.flatnonzero(count >= 2)
    notes = pd.Series(False, index=raw.index)
    for position in range(full[-1] + 1 if len(full) else 0, len(bottom)):
        if count[position] != 1:
            continue
        text = texts.iloc[position][filled.iloc[position]].iloc[0]
        notes.loc[bottom.index[position]] = bool(_NOTE_START.match(text)) or len(text) >= _NOTE_LENGTH
    out.rows(fname, None, notes, lambda i: "looks like a note below the table ('" + show(
        texts.loc[i][filled.loc[i]].iloc[0]) + "'): delete the row (zzeval reads every row under the header as "
        "data; keep notes in another file or sheet)", True)
    return raw[~notes]


def _check_keys(frame: pd.DataFrame, spec: TableSpec, fname: str, out: Collector) -> None:
    check_keys(frame, spec, fname, out)  # normalised keys: zzeval.season.keys


def _resolve_townships(frame: pd.DataFrame, column: str, townships: pd.DataFrame, fname: str,
                       out: Collector) -> pd.Series:
    lookup: dict[str, str] = {}
    for row in townships.itertuples(index=False):
        lookup[str(row.slug)] = row.slug
        lookup[str(row.code)] = row.slug
        lookup[str(row.name_zh)] = row.slug
    values = strip_values(frame[column])
    mapped = values.map(lookup)
    bad = mapped.isna() & (values != "")
    known = "、".join(f"{n} ({s})" for n, s in zip(townships["name_zh"], townships["slug"], strict=True))
    known = show(known, 300)

    def _message(i) -> str:
        county = county_word(values[i])
        if county:
            return (f"'{show(values[i])}' is the county (a county-wide row), not a township: {fname} holds each "
                    f"township's own figures; delete the row (a totals row), or give each township's share on its "
                    f"own row (townships.csv: {known})")
        zezhou = zezhou_township(values[i])
        if zezhou is not None and zezhou["slug"] not in set(townships["slug"].astype(str)):
            return (f"'{show(values[i])}' is {zezhou['name_zh']} ({zezhou['code']}, {zezhou['slug']}), a Zezhou "
                    f"township, but townships.csv has no row of it: add its row to townships.csv, or delete these "
                    f"rows if the township is not part of this evaluation (townships.csv: {known})")
        close = closest(values[i], lookup)
        hint = f"did you mean '{show(close)}'? " if close else ""
        hidden = _invisible(values[i])  # nancun + U+200B looks like nancun (re-review 5 of issue 13)
        hidden = f" holds {hidden}: delete the character" if hidden else ""
        return (f"unknown township '{show(_escaped(values[i]))}'{hidden}; {hint}use a name, slug or code from "
                f"townships.csv: {known}")

    out.rows(fname, column, bad, _message)
    out.leave_out_of_sums(fname, frame.index[bad])
    empty = values == ""
    # a row without its township (refused as an empty cell by convert_column: a merged cell?) is missing from
    # its township's sums too
    out.leave_out_of_sums(fname, frame.index[empty])
    if empty.any() and not empty.all():  # said once, as a notice (the empty cells are the problems)
        out.notes.append(f"{fname}, column '{column}': {int(empty.sum())} row(s) without a township (the empty "
                         "cells): the checks of a township's rows taken together (sums against its targets, "
                         "duplicate rows, the six months of dustfall) are made once every row names its township")
    return mapped.fillna(values)


def _check_season_dates(frame: pd.DataFrame, spec: TableSpec, fname: str, period: SeasonPeriod,
                        out: Collector) -> None:
    first = period.previous.start
    # the hour stamped 1 April 00:00 is the mean of the last hour of 31 March
    last = period.end_exclusive
    record_hours(frame, spec.name, out)
    if spec.name == "meteorology":  # which seasons have weather (validate = buildable)
        out.met_seasons.update(season_years(frame["datetime"]))
        pairs = pd.DataFrame({"c": county_code(frame["station_code"]),
                              "y": season_year(frame["datetime"])}).dropna().drop_duplicates()
        out.met_stations.update((c, int(y)) for c, y in pairs.itertuples(index=False, name=None))
    if spec.name == "heating_retrofits":
        _check_completion_dates(frame, fname, period, out)
    for column in spec.season_dated:
        ts = frame[column]
        outside = ts.notna() & ((ts < first) | (ts > last))
        out.rows(fname, column, outside,
                 lambda i, ts=ts: f"{ts[i]:%Y-%m-%d %H:%M} lies outside the seasons compared "
                           f"({first:%Y-%m-%d} .. {period.end:%Y-%m-%d}); is the season ({period.name}) right?")


def _check_completion_dates(frame: pd.DataFrame, fname: str, period: SeasonPeriod, out: Collector) -> None:
    """A retrofit finished after the season's end (a typo such as 2030 for 2020, or next year's batch)
    does not count for the season: refused, so that it is never counted as done (data/README.md)."""
    done = frame["completion_date"]
    early = done.notna() & (done < period.previous.start)
    out.rows(fname, "completion_date", early,
             lambda i: f"{done[i]:%Y-%m-%d} is before the previous season began ({period.previous.start:%Y-%m-%d}): "
                       f"a retrofit of the {period.name} plan finished then? check the year")
    late = done.notna() & (done > period.end)
    out.rows(fname, "completion_date", late,
             lambda i: f"{done[i]:%Y-%m-%d} is after the end of the season {period.name} ({period.end:%Y-%m-%d}); "
                       "a retrofit finished later does not count for this season: correct the date, or remove "
                       "the row (or leave the date empty and households_done 0 if it is not finished)")


def _check_counts(frame: pd.DataFrame, spec: TableSpec, fname: str, out: Collector) -> None:
    """Whole-number columns that a typed (Parquet) column brought in beyond what int64 holds exactly
    (CSV cells are refused when read, :func:`_convert_numbers`)."""
    for col in spec.columns:
        if col.kind == "int":
            huge = frame[col.name].abs() >= MAX_EXACT_INT
            out.rows(fname, col.name, huge, lambda i, c=col.name: f"{frame[c][i]:g} is far too large for a count")


def _table_forms(name: str) -> str:
    """The file forms zzeval reads for table ``name``: ``townships.csv, .csv.gz or .xlsx`` (``.parquet``
    too for the hourly tables)."""
    from zzeval.season.columnar import COLUMNAR_TABLES, PARQUET_SUFFIX

    forms = [f"{name}.csv", ".csv.gz", ".xlsx"] + ([PARQUET_SUFFIX] if name in COLUMNAR_TABLES else [])
    return ", ".join(forms[:-1]) + f" or {forms[-1]}"


def _refuse_tables_one_level_down(data_dir: Path) -> None:
    """No table in ``data_dir`` but a subfolder holding them (the parent of the season folder was
    passed): one message naming that subfolder, instead of "table is missing" for every table."""
    from zzeval.season.columnar import PARQUET_SUFFIX

    forms = (*TABLE_EXTENSIONS, PARQUET_SUFFIX)

    def holds_tables(folder: Path) -> bool:
        return any((folder / f"{name}{ext}").is_file() for name in TABLES for ext in forms)

    if holds_tables(data_dir):
        return
    try:
        below = sorted(p for p in data_dir.iterdir() if p.is_dir() and not p.name.startswith(".") and holds_tables(p))
    except OSError:
        return
    if not below:
        archive = archive_only(data_dir, holds_tables=False)  # a zipped season, not unpacked
        if archive is not None:
            raise DataValidationError([archive])
        return
    if len(below) == 1:
        what = f"the tables are in {below[0]}: pass --data {below[0]} (or zzeval validate {below[0]})"
    else:
        what = (f"the tables are in its subfolders {', '.join(p.name for p in below[:5])}: pass one of them as "
                f"--data (e.g. --data {below[0]})")
    raise DataValidationError([Problem(str(data_dir), None, None,
                                       f"holds no season table (such as {_table_forms('townships')}; "
                                       f"{_table_forms('air_quality')}) but {what}")])


def _read_tables(data_dir: Path, out: Collector) -> tuple[dict, dict, dict]:
    tables: dict[str, pd.DataFrame] = {}
    fnames: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for name, spec in TABLES.items():
        frame, fname, digest = _read_table(data_dir, spec, out)
        fnames[name] = fname
        if frame is not None:
            hashes[name] = digest
            tables[name] = frame
        elif not spec.required and not table_files(data_dir, name):
            tables[name] = empty_table(name)  # an optional table left out: no hash, no rows
    out.notes.extend(stray_table_copies(data_dir, fnames))
    return tables, fnames, hashes


def _check_references(tables: dict, fnames: dict, period: SeasonPeriod, out: Collector) -> None:
    townships = tables.get("townships")
    if townships is not None:
        before = len(out.problems)
        check_townships(townships, fnames["townships"], out)
        if len(out.problems) > before:  # the root cause first: other tables' references wait for it
            out.add(fnames["townships"], None, None, "the other tables' township references are checked once "
                                                     "the problems above in this table are fixed")
            townships = None
    for name, spec in TABLES.items():
        frame = tables.get(name)
        if frame is None:
            continue
        _check_counts(frame, spec, fnames[name], out)
        _check_season_dates(frame, spec, fnames[name], period, out)
        if spec.township_column and townships is None:
            continue  # neither references nor keys can be checked without a usable townships table
        if spec.township_column:
            frame[spec.township_column] = _resolve_townships(frame, spec.township_column, townships,
                                                             fnames[name], out)
        _check_keys(frame, spec, fnames[name], out)
    if "meteorology" in tables:
        met = tables["meteorology"]
        met["station_code"] = county_code(met["station_code"])
    if "air_quality" in tables:
        tables["air_quality"] = check_air_quality(tables["air_quality"], fnames["air_quality"],
                                                  tables.get("stations"), out)
    check_cross_tables(tables, fnames, out, period)
    check_replacements(tables.get("stations"), fnames.get("stations", "stations.csv"), out)
    check_replacement_distance(tables.get("stations"), fnames.get("stations", "stations.csv"), out)
    tasks = plan_task_table()
    check_site_dates(tables.get("sites"), fnames.get("sites", "sites.csv"), period, out)
    check_dustfall_months(tables.get("dustfall"), fnames.get("dustfall", "dustfall.csv"), period, out)
    check_county_tasks(tables.get("county_tasks"), fnames.get("county_tasks", "county_tasks.csv"), period, tasks, out)
    check_target_signs(tables.get("targets"), fnames.get("targets", "targets.csv"), tasks, out)
    check_target_deadlines(tables.get("targets"), fnames.get("targets", "targets.csv"), period, out)
    check_whole_counts(tables.get("targets"), "target", fnames.get("targets", "targets.csv"), tasks, out)
    check_plausible_values(tables, fnames, out)
    check_measure_rows(tables, fnames, period, out)
    check_weather_copied(out)  # the weather recorded by the checks of meteorology (CSV, or Parquet chunks)
    check_weather_copied_within(out)  # the same, each season against itself days apart
    refused = check_air_quality_copied(out)  # the PM days recorded by the checks of air quality (the same)
    near = check_air_quality_near_copied(out, refused)  # the same days' hours, moved by some hours or at another precision
    scaled = check_air_quality_scaled_copied(out)  # the same days' hours, multiplied by a factor or offset
    copies = near | {(s, int(y)) for s, y, *_ in refused} | {(s, y) for s, _, y in scaled}
    check_air_quality_season_copied(out, copies)  # a season following the other hour by hour, with noise
    note_empty_values(out)  # the values left empty, counted by the checks of air quality (the same)
    check_replacement_hours(tables.get("stations"), fnames.get("stations", "stations.csv"),
                            fnames.get("air_quality", "air_quality.csv"), out)  # the hours recorded by those checks
    check_replacement_step(tables.get("stations"), fnames.get("stations", "stations.csv"), out)  # their PM days


def load_season(data_dir: str | Path = "data/sample", season: str = DEFAULT_SEASON) -> SeasonData:
    """Load and validate the season folder ``data_dir``.

    Parameters
    ----------
    data_dir : path
        Folder with one file per table of :mod:`zzeval.season.schema` (see ``data/README.md``).
    season : str
        The assessed season, ``"2020-2021"`` by default; its previous season is the comparison.

    Returns
    -------
    SeasonData
        ``meta["notices"]`` lists what the user should know (values read in a way worth saying,
        townships assessed without their own station, …).

    Raises
    ------
    DataValidationError
        Listing every problem found (file, row, column, what to fix). Nothing is returned
        from a folder with problems.
    """
    data_dir = Path(data_dir)
    period = SeasonPeriod(season)
    out = Collector()
    if not data_dir.is_dir():
        what = "is a file, not a season folder" if data_dir.exists() else "season folder does not exist"
        raise DataValidationError([Problem(str(data_dir), None, None, what)])
    _refuse_tables_one_level_down(data_dir)
    tables, fnames, hashes = _read_tables(data_dir, out)
    meta: dict = {}
    meta_path = data_dir / "season.yaml"
    if meta_path.exists():
        meta = read_season_yaml(meta_path, season, out)
        read_confirmed(meta, meta_path.name, out)  # judgement checks the clerk confirmed (zzeval.season.confirm)
        hashes["season.yaml"] = file_sha256(meta_path) if meta_path.is_file() else ""
    rules_path = data_dir / "verdict_rules.yaml"
    if not_a_regular_file(rules_path):
        out.add(rules_path.name, None, None, not_a_regular_file(rules_path))
    elif rules_path.is_file():  # the season's own verdict rules (zzeval.assess.verdict) take part in the data hash
        hashes["verdict_rules.yaml"] = file_sha256(rules_path)
    _check_references(tables, fnames, period, out)
    unused_confirmations(out, "season.yaml")
    if not out.problems:
        out.notes.extend(check_buildable(tables, fnames, period, out))
        check_station_weather(tables, fnames, period, out)
        check_weather_hours(fnames, period, out)
        note_one_season_weather(fnames, period, tables.get("stations"), out)  # left out when loaded
        out.notes.extend(station_set_notes(tables, fnames, period, out.coverage, out.station_spans))
    if out.problems:
        raise DataValidationError(out.problems, context=f"season folder {data_dir}", notes=out.notes)
    meta = dict(meta)
    meta["notices"] = [*meta.get("notices", []), *out.notes]
    meta[IN_FORCE] = confirmations_in_force(out.confirmed, tables)  # summary.json and the pages say so
    read = len(tables["air_quality"])
    tables["air_quality"] = as_series(tables["air_quality"], tables["stations"])  # stations.replaces
    if read > len(tables["air_quality"]):  # a parallel run's hours counted once (zzeval validate's OK line)
        meta[PARALLEL_ROWS_KEY] = read - len(tables["air_quality"])
    _finish_tables(tables)
    loaded = SeasonData(data_dir=data_dir.resolve(), period=period, meta=meta, file_hashes=hashes,
                        **{name: tables[name] for name in TABLES})
    return with_derived_county_weather(loaded)  # once, here (a Parquet one read in chunks: split_season)


def _finish_tables(tables: dict) -> None:
    for name in TABLES:
        tables[name] = tables[name].reset_index(drop=True)
    for name in ("air_quality", "meteorology"):
        tables[name] = tables[name].sort_values(
            ["station_code", "datetime"] + (["pollutant"] if name == "air_quality" else []),
            kind="stable",
        ).reset_index(drop=True)
    for name, spec in TABLES.items():
        for col in spec.columns:
            if col.kind == "int" and col.required:
                frame = tables[name]
                frame[col.name] = frame[col.name].fillna(0).astype("int64")


def validate_season(data_dir: str | Path, season: str = DEFAULT_SEASON) -> list[Problem]:
    """All problems of the season folder (empty list when it is valid)."""
    try:
        load_season(data_dir, season)
    except DataValidationError as exc:
        return exc.problems
    return []


def read_air_quality_file(path: str | Path) -> pd.DataFrame:
    """Read and validate one file in the national network's long form
    (``station_code, datetime, pollutant, value, unit``), without a season folder around it: CSV,
    CSV.GZ, XLSX or Parquet (read as ``air_quality.parquet`` in a season folder).

    The same checks as in :func:`load_season` apply (units, pollutants, duplicates, hourly
    stamps), except station membership and season dates.
    """
    path = Path(path)
    spec = TABLES["air_quality"]
    out = Collector()
    if not path.exists():
        raise DataValidationError([Problem(str(path), None, None, "file does not exist")])
    if not_a_regular_file(path):
        raise DataValidationError([Problem(str(path), None, None, not_a_regular_file(path))])
    if path.name.lower().endswith(".parquet"):  # as air_quality.parquet in a season folder
        from zzeval.season import columnar

        converted = columnar.read_checked_table(path, spec, out)
    else:
        raw = read_table_file(path)
        if raw.empty:
            raise DataValidationError([Problem(path.name, None, None, "has a header but no data rows")])
        frame = map_columns(raw, spec, path.name, out)
        converted = pd.DataFrame({c.name: convert_column(frame, c, path.name, out) for c in spec.columns},
                                 index=frame.index)
    if converted.empty and not out.problems:
        raise DataValidationError([Problem(path.name, None, None, "has no data rows")])
    _check_keys(converted, spec, path.name, out)
    converted = check_air_quality(converted, path.name, None, out)
    if out.problems:
        raise DataValidationError(out.problems, context=f"file {path}")
    return converted.sort_values(["station_code", "datetime", "pollutant"], kind="stable").reset_index(drop=True)
