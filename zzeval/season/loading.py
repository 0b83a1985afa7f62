"""Read and validate a season folder.

:func:`load_season` reads every table of :mod:`zzeval.season.schema` from a folder (CSV in
UTF-8, UTF-8 with BOM or GBK/GB18030, optionally gzip-compressed, or ``.xlsx``),
accepts the Chinese column headers as aliases of the English ones, converts types,
and checks units, ranges, allowed values, township references, duplicates and dates.
All problems of a run are collected and raised together as one
:class:`~zzeval.errors.DataValidationError`; nothing is returned from invalid data.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zzeval.errors import DataValidationError, Problem
from zzeval.season.schema import (
    POLLUTANT_UNITS,
    TABLE_EXTENSIONS,
    TABLES,
    UNIT_SPELLINGS,
    Column,
    TableSpec,
)
from zzeval.season.data import DEFAULT_SEASON, SeasonData, SeasonPeriod

#: At most this many problems are listed one by one per (table, column, kind of problem);
#: the rest are summarised in one line with their count.
MAX_ROWS_LISTED = 10

#: Chinese (and other common) spellings accepted for category values.
CATEGORY_ALIASES: dict[str, str] = {
    # township classes
    "城区": "urban", "建成区": "urban", "城镇": "urban", "县城": "urban", "城乡结合部": "fringe", "农村": "rural", "山区": "mountain",
    # retrofit types
    "煤改电": "coal_to_electricity", "煤改气": "coal_to_gas", "工业余热": "waste_heat",
    "余热": "waste_heat", "洁净煤": "clean_coal", "清洁煤": "clean_coal",
    # vehicles
    "重型货车": "heavy_truck", "中型货车": "medium_truck", "轻型货车": "light_truck",
    "公交车": "bus", "出租车": "taxi", "环卫车": "sanitation",
    "柴油": "diesel", "汽油": "gasoline", "燃气": "gas", "天然气": "gas", "电": "electric", "纯电": "electric",
    "国0": "China0", "国一": "China1", "国二": "China2", "国三": "China3", "国四": "China4",
    "国五": "China5", "国六": "China6", "国Ⅰ": "China1", "国Ⅱ": "China2", "国Ⅲ": "China3",
    "国Ⅳ": "China4", "国Ⅴ": "China5", "国Ⅵ": "China6", "新能源": "NEV",
    # freight
    "煤炭": "coal", "煤": "coal", "焦炭": "coke", "其他": "other_bulk", "其他散货": "other_bulk",
    "电力": "electric", "内燃": "diesel",
    # pollutants
    "PM25": "PM2.5", "PM2_5": "PM2.5", "O3_8H": "O3_8h", "O3-8H": "O3_8h",
}


def plausible_limits() -> dict[str, float]:
    """Largest plausible hourly value per pollutant, in its canonical unit
    (``zzeval/reference/plausible_limits.csv``, with the source of each limit)."""
    from importlib import resources

    with resources.files("zzeval.reference").joinpath("plausible_limits.csv").open(encoding="utf-8") as fh:
        table = pd.read_csv(fh)
    return dict(zip(table["pollutant"], table["max_value"].astype(float), strict=True))


def _norm_header(text: str) -> str:
    """Header text without BOM, surrounding blanks and a trailing unit in brackets."""
    text = str(text).replace("\ufeff", "").strip()
    return re.sub(r"\s*[（(][^（）()]*[)）]\s*$", "", text)


def _map_unique(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` computed once per distinct value: the long-form tables repeat a
    few station codes, pollutants, units and timestamps over a million rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array([func(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _strip(values: pd.Series) -> pd.Series:
    return _map_unique(values.astype(str), str.strip).astype(str)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_table_file(data_dir: Path, name: str) -> Path | None:
    """The file holding table ``name`` in ``data_dir`` (``.csv``, ``.csv.gz`` or ``.xlsx``)."""
    for ext in TABLE_EXTENSIONS:
        path = data_dir / f"{name}{ext}"
        if path.exists():
            return path
    return None


def read_table_file(path: Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8-BOM, GBK/GB18030; gzip allowed) or xlsx file as strings.

    Raises
    ------
    DataValidationError
        If the file cannot be decoded or parsed; the message says which encodings were tried.
    """
    if path.suffix.lower() == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many kinds
            raise DataValidationError([Problem(path.name, None, None, f"cannot read the workbook: {exc}")]) from exc
        return frame.map(lambda v: "" if v is None else str(v).strip())
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        raw = gzip.decompress(raw)
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise DataValidationError([Problem(
            path.name, None, None,
            "cannot decode the file as UTF-8 or GBK; save it again as 'CSV UTF-8' from the spreadsheet program",
        )])
    if not text.strip():
        raise DataValidationError([Problem(path.name, None, None,
                                           "the file is empty; it needs a header row and the data rows")])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise DataValidationError([Problem(path.name, None, None, f"not a valid CSV table: {exc}")]) from exc
    return frame


class _Collector:
    """Collects problems, listing at most MAX_ROWS_LISTED rows per kind of problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))

    def rows(self, file: str, column: str | None, mask: pd.Series, message) -> None:
        """Report every row where ``mask`` is True. ``message`` is a str or a function of the row index."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if idx.size == 0:
            return
        for i in idx[:MAX_ROWS_LISTED]:
            label = mask.index[i]
            text = message(label) if callable(message) else message
            self.add(file, int(label) + 2, column, text)
        if idx.size > MAX_ROWS_LISTED:
            first = message(mask.index[idx[0]]) if callable(message) else message
            self.add(file, None, column, f"{idx.size - MAX_ROWS_LISTED} more rows with the same problem ({first})")


def _rename_columns(frame: pd.DataFrame, spec: TableSpec, fname: str, out: _Collector) -> pd.DataFrame:
    lookup: dict[str, str] = {}
    for col in spec.columns:
        lookup[col.name.lower()] = col.name
        for alias in col.aliases:
            lookup.setdefault(alias.lower(), col.name)
    renamed: dict[str, str] = {}
    for header in frame.columns:
        target = lookup.get(_norm_header(header).lower())
        if target is None:
            continue
        if target in renamed.values():
            out.add(fname, None, str(header), f"header names column '{target}' a second time; keep one of them")
            continue
        renamed[header] = target
    frame = frame[list(renamed)].rename(columns=renamed)
    for col in spec.columns:
        if col.name not in frame.columns:
            if col.required:
                accepted = ", ".join((col.name,) + col.aliases)
                out.add(fname, None, col.name, f"required column is missing (accepted headers: {accepted})")
            frame[col.name] = ""
    return frame[[c.name for c in spec.columns]]


def _parse_datetime(values: pd.Series, kind: str) -> pd.Series:
    stripped = _strip(values)
    if kind == "month":
        stripped = stripped.str.replace("/", "-", regex=False).str.slice(0, 7)
        return pd.to_datetime(stripped, format="%Y-%m", errors="coerce")
    fmt = "%Y-%m-%d %H:%M" if kind == "datetime" else "%Y-%m-%d"
    parsed = pd.to_datetime(stripped, format=fmt, errors="coerce")
    retry = parsed.isna() & (stripped != "")
    if retry.any():
        parsed.loc[retry] = pd.to_datetime(
            stripped[retry].str.replace("/", "-", regex=False), format="mixed", errors="coerce"
        )
    return parsed


def _convert_column(frame: pd.DataFrame, col: Column, fname: str, out: _Collector) -> pd.Series:
    values = _strip(frame[col.name])
    empty = values == ""
    if col.required and col.name in frame and empty.any():
        out.rows(fname, col.name, empty, f"empty cell; a {col.kind} value is required")
    if col.kind in ("int", "float"):
        cleaned = values.str.replace(",", "", regex=False)
        numbers = pd.to_numeric(cleaned.where(~empty), errors="coerce")
        bad = numbers.isna() & ~empty
        out.rows(fname, col.name, bad, lambda i: f"'{values[i]}' is not a number{_unit_hint(col)}")
        if col.kind == "int":
            frac = numbers.notna() & (numbers % 1 != 0)
            out.rows(fname, col.name, frac, lambda i: f"'{values[i]}' must be a whole number")
        if col.min is not None:
            low = numbers < col.min
            out.rows(fname, col.name, low,
                     lambda i: f"{numbers[i]:g} is below the allowed minimum {col.min:g}{_unit_hint(col)}")
        if col.max is not None:
            high = numbers > col.max
            out.rows(fname, col.name, high,
                     lambda i: f"{numbers[i]:g} is above the allowed maximum {col.max:g}{_unit_hint(col)}")
        return numbers.astype("float64")
    if col.kind in ("date", "datetime", "month"):
        parsed = _parse_datetime(values, col.kind)
        bad = parsed.isna() & ~empty
        example = {"date": "2020-10-31", "datetime": "2020-12-01 08:00", "month": "2020-12"}[col.kind]
        out.rows(fname, col.name, bad, lambda i: f"'{values[i]}' is not a {col.kind}; write it like {example}")
        return parsed
    if col.kind == "category":
        mapped = _map_unique(values, lambda v: CATEGORY_ALIASES.get(v, CATEGORY_ALIASES.get(v.upper(), v)))
        if col.name == "pollutant":
            upper = {p.upper(): p for p in col.allowed}
            mapped = _map_unique(mapped, lambda v: upper.get(v.upper(), v))
        bad = ~mapped.isin(col.allowed) & ~empty
        allowed = ", ".join(col.allowed)
        out.rows(fname, col.name, bad, lambda i: f"'{values[i]}' is not allowed; use one of: {allowed}")
        return mapped.astype(str)
    return values


def _unit_hint(col: Column) -> str:
    return f" [{col.unit}]" if col.unit else ""


def _read_table(data_dir: Path, spec: TableSpec, out: _Collector) -> tuple[pd.DataFrame | None, str, str]:
    from zzeval.season import columnar  # the hourly tables may be Parquet, read in chunks

    if (parquet := columnar.parquet_file(data_dir, spec.name)) is not None:
        return columnar.read_checked_table(parquet, spec, out), parquet.name, file_sha256(parquet)
    path = find_table_file(data_dir, spec.name)
    if path is None:
        if spec.required:
            out.add(f"{spec.name}.csv", None, None,
                    f"table is missing from {data_dir}; expected {spec.name}.csv, .csv.gz or .xlsx "
                    "(see data/README.md)")
        return None, f"{spec.name}.csv", ""
    try:
        raw = read_table_file(path)
    except DataValidationError as exc:
        out.problems.extend(exc.problems)
        return None, path.name, ""
    frame = _rename_columns(raw, spec, path.name, out)
    converted = {col.name: _convert_column(frame, col, path.name, out) for col in spec.columns}
    return pd.DataFrame(converted, index=frame.index), path.name, file_sha256(path)


def _check_keys(frame: pd.DataFrame, spec: TableSpec, fname: str, out: _Collector) -> None:
    if not spec.key:
        return
    dup = frame.duplicated(list(spec.key), keep="first")
    if dup.any():
        keys = ", ".join(spec.key)
        out.rows(fname, spec.key[-1], dup,
                 lambda i: f"duplicate of an earlier row with the same {keys}; remove or merge one of them")


def _resolve_townships(frame: pd.DataFrame, column: str, townships: pd.DataFrame, fname: str,
                       out: _Collector) -> pd.Series:
    lookup: dict[str, str] = {}
    for row in townships.itertuples(index=False):
        lookup[str(row.slug)] = row.slug
        lookup[str(row.code)] = row.slug
        lookup[str(row.name_zh)] = row.slug
    values = _strip(frame[column])
    mapped = values.map(lookup)
    bad = mapped.isna() & (values != "")
    known = "、".join(f"{n} ({s})" for n, s in zip(townships["name_zh"], townships["slug"], strict=True))

    def _message(i) -> str:
        close = difflib.get_close_matches(values[i], list(lookup), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown township '{values[i]}'; {hint}use a name, slug or code from townships.csv: {known}"

    out.rows(fname, column, bad, _message)
    return mapped.fillna(values)


def _check_season_dates(frame: pd.DataFrame, spec: TableSpec, fname: str, period: SeasonPeriod,
                        out: _Collector) -> None:
    first = period.previous.start
    # the hour stamped 1 April 00:00 is the mean of the last hour of 31 March
    last = period.end_exclusive
    for column in spec.season_dated:
        ts = frame[column]
        outside = ts.notna() & ((ts < first) | (ts > last))
        out.rows(fname, column, outside,
                 lambda i, ts=ts: f"{ts[i]:%Y-%m-%d %H:%M} lies outside the seasons compared "
                           f"({first:%Y-%m-%d} .. {period.end:%Y-%m-%d}); is the season ({period.name}) right?")


def _check_air_quality(aq: pd.DataFrame, fname: str, stations: pd.DataFrame | None, out: _Collector) -> pd.DataFrame:
    unit = _map_unique(aq["unit"], lambda u: UNIT_SPELLINGS.get(u.strip(), UNIT_SPELLINGS.get(u.strip().lower())))
    expected = aq["pollutant"].map(POLLUTANT_UNITS)
    bad_unit = expected.notna() & (unit != expected)
    def _msg(i):
        if aq["pollutant"][i] == "CO" and unit[i] == "µg/m³":
            return "CO is given in µg/m³; the network reports CO in mg/m³: divide by 1000 and write mg/m³"
        return f"unit '{aq['unit'][i]}' is wrong for {aq['pollutant'][i]}; expected {expected[i]}"
    out.rows(fname, "unit", bad_unit, _msg)
    aq = aq.assign(unit=unit.fillna(aq["unit"]).astype(str))
    limits = plausible_limits()
    high = aq["value"] > aq["pollutant"].map(limits).astype(float)
    out.rows(fname, "value", high,
             lambda i: f"{aq['value'][i]:g} {aq['unit'][i]} is not a plausible {aq['pollutant'][i]} value "
                       f"(limit {limits[aq['pollutant'][i]]:g}, zzeval/reference/plausible_limits.csv); "
                       "check the unit (CO in mg/m³, the rest in µg/m³) and the decimal point")
    ts = aq["datetime"]
    off_hour = ts.notna() & ((ts.dt.minute != 0) | (ts.dt.second != 0))
    out.rows(fname, "datetime", off_hour,
             lambda i: f"{ts[i]} is not on the hour; the long form holds hourly means stamped HH:00")
    if stations is not None:
        known = set(stations["station_code"])
        unknown = ~aq["station_code"].isin(known)
        out.rows(fname, "station_code", unknown,
                 lambda i: f"station '{aq['station_code'][i]}' is not in stations; add it there with its township")
    return aq


def _cross_checks(tables: dict[str, pd.DataFrame], fnames: dict[str, str], out: _Collector) -> None:
    rt = tables.get("heating_retrofits")
    if rt is not None:
        over = rt["households_done"] > 1.2 * rt["households_planned"]
        out.rows(fnames["heating_retrofits"], "households_done", over,
                 lambda i: f"{rt['households_done'][i]:g} done is more than 120 % of the "
                           f"{rt['households_planned'][i]:g} planned; check the numbers")
        missing_date = (rt["households_done"] > 0) & rt["completion_date"].isna()
        out.rows(fnames["heating_retrofits"], "completion_date", missing_date,
                 "households are marked done but the completion date is empty; add the date")
    vh = tables.get("vehicles")
    if vh is not None:
        f = fnames["vehicles"]
        out.rows(f, "scrapped", vh["scrapped"] > vh["fleet_before"],
                 lambda i: f"{vh['scrapped'][i]:g} scrapped exceeds the {vh['fleet_before'][i]:g} in service before")
        out.rows(f, "replaced_nev", vh["replaced_china6"] + vh["replaced_nev"] > vh["scrapped"],
                 "replacements (China VI + new-energy) exceed the vehicles scrapped")
    tk = tables.get("tasks")
    if tk is not None:
        f = fnames["tasks"]
        pairs = (("im_passes", "im_tests"), ("coal_boilers_removed", "coal_boilers_start"),
                 ("scattered_firms_rectified", "scattered_firms_found"),
                 ("loose_coal_violations", "loose_coal_checks"))
        for part, whole in pairs:
            out.rows(f, part, tk[part] > tk[whole],
                     lambda i, p=part, w=whole: f"{tk[p][i]:g} is more than {w} ({tk[w][i]:g})")
    fr = tables.get("freight")
    if fr is not None:
        f = fnames["freight"]
        total_before = fr["road_t_before"] + fr["rail_t_before"]
        total_after = fr["road_t_after"] + fr["rail_t_after"]
        out.rows(f, "haul_km", (fr["haul_km"] <= 0) & (total_before > 0), "haul distance must be positive")
        odd = (total_before > 0) & ((total_after / total_before > 3) | (total_after / total_before < 1 / 3))
        out.rows(f, "rail_t_after", odd,
                 "total tonnage after differs from before by more than a factor 3; check the units (t/yr)")


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

    Raises
    ------
    DataValidationError
        Listing every problem found (file, row, column, what to fix). Nothing is returned
        from a folder with problems.
    """
    data_dir = Path(data_dir)
    period = SeasonPeriod(season)
    out = _Collector()
    if not data_dir.is_dir():
        raise DataValidationError([Problem(str(data_dir), None, None, "season folder does not exist")])
    tables: dict[str, pd.DataFrame] = {}
    fnames: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for name, spec in TABLES.items():
        frame, fname, digest = _read_table(data_dir, spec, out)
        fnames[name] = fname
        if frame is None:
            continue
        hashes[name] = digest
        tables[name] = frame
    meta: dict = {}
    meta_path = data_dir / "season.yaml"
    if meta_path.exists():
        try:
            meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            out.add("season.yaml", None, None, f"not valid YAML: {exc}")
        hashes["season.yaml"] = file_sha256(meta_path)
        if meta.get("season") and str(meta["season"]) != season:
            out.add("season.yaml", None, "season",
                    f"the folder holds season {meta['season']} but season {season} was asked for")

    rules_path = data_dir / "verdict_rules.yaml"
    if rules_path.exists():  # the season's own verdict rules (zzeval.assess.verdict) take part in the data hash
        hashes["verdict_rules.yaml"] = file_sha256(rules_path)
    townships = tables.get("townships")
    if townships is not None:
        bad_slug = ~townships["slug"].str.fullmatch(r"[a-z][a-z0-9_-]*")
        out.rows(fnames["townships"], "slug", bad_slug,
                 "slug must be lower-case ASCII letters, digits, '-' or '_' (it becomes a file name)")
        for column in ("code", "name_zh"):
            out.rows(fnames["townships"], column, townships.duplicated(column),
                     f"duplicate {column}; every township needs its own")
    for name, spec in TABLES.items():
        frame = tables.get(name)
        if frame is None:
            continue
        if spec.township_column and townships is not None:
            frame[spec.township_column] = _resolve_townships(frame, spec.township_column, townships,
                                                             fnames[name], out)
        _check_keys(frame, spec, fnames[name], out)
        _check_season_dates(frame, spec, fnames[name], period, out)
    if "meteorology" in tables:
        met = tables["meteorology"]
        met["station_code"] = met["station_code"].replace("", "county")
    if "air_quality" in tables:
        tables["air_quality"] = _check_air_quality(tables["air_quality"], fnames["air_quality"],
                                                   tables.get("stations"), out)
    _cross_checks(tables, fnames, out)
    if out.problems:
        raise DataValidationError(out.problems, context=f"season folder {data_dir}")

    notices = []
    with_station = set(tables["stations"]["township"])
    for slug in tables["townships"]["slug"]:
        if slug not in with_station:
            notices.append(f"township {slug} has no monitoring station; its air-quality figures will be missing")
    meta.setdefault("notices", notices)
    for name in ("air_quality", "meteorology"):
        tables[name] = tables[name].sort_values(
            ["station_code", "datetime"] + (["pollutant"] if name == "air_quality" else []),
            kind="stable",
        ).reset_index(drop=True)
    for name, spec in TABLES.items():
        for col in spec.columns:
            if col.kind == "int":
                frame = tables[name]
                frame[col.name] = frame[col.name].fillna(0).astype("int64") if col.required else frame[col.name]
    return SeasonData(data_dir=data_dir.resolve(), period=period, meta=meta, file_hashes=hashes,
                      **{name: tables[name] for name in TABLES})


def validate_season(data_dir: str | Path, season: str = DEFAULT_SEASON) -> list[Problem]:
    """All problems of the season folder (empty list when it is valid)."""
    try:
        load_season(data_dir, season)
    except DataValidationError as exc:
        return exc.problems
    return []


def read_air_quality_file(path: str | Path) -> pd.DataFrame:
    """Read and validate one file in the national network's long form
    (``station_code, datetime, pollutant, value, unit``), without a season folder around it.

    The same checks as in :func:`load_season` apply (units, pollutants, duplicates, hourly
    stamps), except station membership and season dates.
    """
    path = Path(path)
    spec = TABLES["air_quality"]
    out = _Collector()
    if not path.exists():
        raise DataValidationError([Problem(str(path), None, None, "file does not exist")])
    raw = read_table_file(path)
    frame = _rename_columns(raw, spec, path.name, out)
    converted = pd.DataFrame({c.name: _convert_column(frame, c, path.name, out) for c in spec.columns},
                             index=frame.index)
    _check_keys(converted, spec, path.name, out)
    converted = _check_air_quality(converted, path.name, None, out)
    if out.problems:
        raise DataValidationError(out.problems, context=f"file {path}")
    return converted.sort_values(["station_code", "datetime", "pollutant"], kind="stable").reset_index(drop=True)
