"""Column headers of a table file matched to the columns of its :class:`~zzeval.season.schema.TableSpec`.

Used by :mod:`zzeval.season.loading`. A header is read as the column it names (English name or
accepted Chinese header, case-insensitive, a trailing unit in brackets set aside). Nothing is
dropped without a word:

* **Two headers for one column** (``households`` twice, or ``households`` and ``户数``) are an
  error naming both columns by spreadsheet letter and header: zzeval cannot know which holds the
  right values.
* **A header close to a column's name** (``housholds``, ``subsidy``) is an error with a "did you
  mean": its values would otherwise be silently lost, even for an optional column.
* **A unit in brackets that is not the column's** (``面积（亩）``, ``补贴金额（万元）``, ``road_t_before（吨/月）``,
  ``haul_km (mi)``) is an error: the values would be read as if in the column's unit. The accepted spellings
  of each unit are an allow-list, ``zzeval/reference/header_units.yaml`` (:mod:`zzeval.season.header_units`);
  a bracket after a column without a unit (text, a category, a date) is a note and ignored.
* **A header row below row 1** (a title row or a two-level header above it) is named as such
  (:func:`header_row_below`) instead of every column being reported missing.
* **A column of validity marks** (``数据标记``, ``标记``, ``flag``: the platform's mark of each hour, N for a
  valid one and codes such as PZ, RM, BB for hours of checks, maintenance or faults) in an hourly table is an
  error (:func:`_validity_marks`): ignored, it would let the hours it marks invalid count as measured (hostile
  review s13-hostB, A26). zzeval reads no marks, and does not guess which codes are valid.
* **Any other header** (``备注``, ``序号``) is not part of the format: its values are ignored and
  ``zzeval validate`` says so in a notice. A column without a header but with values is a notice too.
"""

from __future__ import annotations

import re

import pandas as pd

from zzeval.season.header_units import split_header, unit_problem
from zzeval.season.parsing import closest, show
from zzeval.season.schema import POLLUTANT_UNITS, TableSpec

#: How similar (difflib ratio) an unknown header must be to a column's name or accepted header
#: to be taken for a misspelling of it.
CLOSE_RATIO = 0.8


def column_letter(position: int) -> str:
    """The spreadsheet letter of the 0-based column ``position`` (0 → A, 26 → AA).

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def bracket_unit(text: str) -> str:
    """The unit written in brackets at the end of a header (``面积（亩）`` → ``亩``), or ``""``."""
    return split_header(text)[1].replace(" ", "")


def norm_header(text: str) -> str:
    """Header text without BOM, surrounding blanks and a trailing unit in brackets."""
    return split_header(text)[0]


def _lookup(spec: TableSpec) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for col in spec.columns:
        lookup[col.name.lower()] = col.name
        for alias in col.aliases:
            lookup.setdefault(alias.lower(), col.name)
    return lookup


def close_column(header: str, spec: TableSpec) -> str | None:
    """The column of ``spec`` that ``header`` (unknown) looks like a misspelling of, or None:
    a name or accepted header at least :data:`CLOSE_RATIO` similar, or one that starts with the
    header or the header with it (``subsidy`` for ``subsidy_yuan``; at least 5 letters)."""
    key = header.lower()
    lookup = _lookup(spec)
    close = closest(key, lookup, CLOSE_RATIO)
    if close:
        return lookup[close]
    if len(key) >= 5 and key.isascii():
        for name in lookup:
            if name.isascii() and len(name) >= 5 and (name.startswith(key) or key.startswith(name)):
                return lookup[name]
    return None


def _where(position: int, header: str) -> str:
    return f"{column_letter(position)} ('{show(header)}')"


def map_columns(frame: pd.DataFrame, spec: TableSpec, fname: str, out) -> pd.DataFrame:
    """``frame`` (strings, headers as in the file, duplicates kept) with the columns of ``spec`` in
    order; missing optional columns empty. Problems (two headers for one column, a misspelled
    header, a missing required column) and notices (ignored columns) go to ``out``."""
    lookup = _lookup(spec)
    taken: dict[str, int] = {}  # column name -> position of the header that names it
    unknown: list[int] = []
    for position, header in enumerate(frame.columns):
        target = lookup.get(norm_header(header).lower())
        if target is None:
            unknown.append(position)
        elif target in taken:
            first = taken[target]
            out.add(fname, 1, target, f"columns {_where(first, frame.columns[first])} and "
                                      f"{_where(position, header)} both hold '{target}'; zzeval cannot tell which "
                                      "is right: delete one of them or give it another header")
        else:
            taken[target] = position
            _check_unit(header, position, spec, spec.column(target), fname, out)
    for position in unknown:
        _unknown_column(frame, position, spec, taken, fname, out)
    _layout_hints(frame, unknown, spec, taken, fname, out)
    mapped = frame.iloc[:, list(taken.values())].copy()
    mapped.columns = list(taken)
    for col in spec.columns:
        if col.name not in mapped.columns:
            if col.required:
                accepted = ", ".join((col.name,) + col.aliases)
                out.add(fname, None, col.name, f"required column is missing (accepted headers: {accepted})")
            else:
                out.absent_columns.add((fname, col.name))
            mapped[col.name] = ""
    return mapped[[c.name for c in spec.columns]]


#: Headers of a column holding the hour of a day apart from the date (hostile review s13-hostB A31).
_HOUR_HEADERS = frozenset({"hour", "hours", "hh", "时", "小时", "时次", "时刻"})

#: The wind force in Beaufort numbers (风力, 级; GB/T 28591-2012 风力等级) in a header (hostile review s13-hostB M09).
_FORCE_HEADER = re.compile(r"风力|级|beaufort", re.IGNORECASE)


def _layout_hints(frame: pd.DataFrame, unknown: list[int], spec: TableSpec, taken: dict, fname: str, out) -> None:
    """What an ignored column says about the table's layout: one column per pollutant (a wide export: the
    table is read in long form), the hour in a column apart from the date (join them), the wind force in
    Beaufort numbers (not a speed). Hostile review s13-hostB A18, A31, M09: each was only "ignored"."""
    names = {position: norm_header(frame.columns[position]) for position in unknown}
    if spec.name == "air_quality" and not {"pollutant", "value"} & set(taken):
        pollutants = {key: header for key in POLLUTANT_UNITS for header in names.values()
                      if norm_header(key).lower() == split_header(header)[0].strip().lower()}
        if len(pollutants) >= 2:
            out.add(fname, 1, None, f"the table is in wide form, a column per pollutant "
                                    f"({', '.join(show(h) for h in pollutants.values())}): zzeval reads it in long "
                                    f"form, one row per station, hour and pollutant, with columns 'pollutant' (the "
                                    f"pollutant's name) and 'value' (and 'unit'): unpivot the pollutant columns into "
                                    f"rows (Excel: Power Query 'Unpivot Columns'; pandas: melt) (data/README.md)")
    if spec.name in _HOURLY_TABLES and "datetime" in taken:
        for position, name in names.items():
            if split_header(name)[0].strip().lower() in _HOUR_HEADERS:
                out.add(fname, 1, show(frame.columns[position]),
                        f"column {_where(position, frame.columns[position])} holds the hour apart from the date in "
                        f"'datetime': zzeval reads one column of date and hour, so every hour of a day reads as the "
                        f"same time (the duplicates below): join them into 'datetime' as 'YYYY-MM-DD HH:00' and "
                        f"delete this column")
    if spec.name == "meteorology":
        for position, name in names.items():
            if _FORCE_HEADER.search(name):
                out.add(fname, 1, show(frame.columns[position]),
                        f"column {_where(position, frame.columns[position])} holds the wind force in Beaufort "
                        f"numbers (风力, 级; GB/T 28591-2012 风力等级), not a wind speed: write the mean wind speed "
                        f"(风速) in m/s in a column 'wind_speed_ms' (the weather bureau's hourly sheet has it)")


def _check_unit(header: str, position: int, spec: TableSpec, col, fname: str, out) -> None:
    problem = unit_problem(header, spec, col)
    if problem is not None:
        out.add(fname, 1, col.name, f"the header of column {_where(position, header)} {problem}")


def refused_units(columns, spec: TableSpec) -> list[str]:
    """The columns of ``spec`` whose header in ``columns`` names a unit that is not theirs
    (:func:`~zzeval.season.header_units.unit_problem`): their values are in another unit, and checks
    of their size would only mislead."""
    lookup = _lookup(spec)
    refused = []
    for header in columns:
        target = lookup.get(norm_header(header).lower())
        if target is not None and unit_problem(header, spec, spec.column(target)) is not None:
            refused.append(target)
    return refused


def _unknown_column(frame: pd.DataFrame, position: int, spec: TableSpec, taken: dict, fname: str, out) -> None:
    header = str(frame.columns[position])
    name = norm_header(header)
    values = frame.iloc[:, position].astype(str).str.strip()
    if name == "":
        if (values != "").any():
            out.notes.append(f"{fname}: column {column_letter(position)} has no header; its "
                             f"{int((values != '').sum()):,} value(s) are ignored")
        return
    if spec.name in _HOURLY_TABLES and _MARK_HEADER.fullmatch(name.lower()) and (values != "").any():
        out.add(fname, 1, show(header), _validity_marks(values, position, header, spec))
        return
    close = close_column(name, spec)
    if close is None:
        out.notes.append(f"{fname}: column {_where(position, header)} is not a column of {spec.name} "
                         "and is ignored (see data/README.md)")
        return
    if close in taken:
        already = f"; column {_where(taken[close], frame.columns[taken[close]])} already holds '{close}'"
        fix = "delete the column, or give it its right header if it holds another column"
    else:
        already = ""
        fix = f"rename the header to '{close}'"
    out.add(fname, 1, show(header), f"unknown column {_where(position, header)}: did you mean '{close}'"
                                    f"{already}? Its values would be ignored: {fix}")


#: Tables of hourly values where a platform export may carry a column of validity marks.
_HOURLY_TABLES = frozenset({"air_quality", "meteorology"})
#: Headers of a column of validity marks (数据标记, 标记, 数据标识, 质控标记, 有效性标识, flag, data_flag, qc_flag,
#: mark …). Not 标识 after another word (站点标识 is a station's identifier).
_MARK_HEADER = re.compile(r"(数据|质控|有效性|审核|状态)?(标记|标识|标志)(位|码)?|(data|qc|quality|validity)?[ _]?"
                          r"(flags?|marks?)|数据状态|有效性")


def _validity_marks(values: pd.Series, position: int, header: str, spec: TableSpec) -> str:
    """The refusal of a column of validity marks: what the column holds (its codes and how many rows
    each) and what to do. The codes are named as written, not interpreted: their meaning is the
    platform's (HJ 818 and the network's own lists differ), and the clerk has the export's legend."""
    counts = values[values != ""].value_counts()
    shown = ", ".join(f"'{show(code, 12)}' ({n:,} row{'s' if n != 1 else ''})" for code, n in counts.head(8).items())
    more = f" and {len(counts) - 8} other code(s)" if len(counts) > 8 else ""
    cells = "value" if spec.name == "air_quality" else "values"
    return (f"column {_where(position, header)} holds validity marks of the hours ({shown}{more}); zzeval "
            "reads no marks, so every value would count as measured, also those of hours marked invalid "
            f"(checks, calibration, maintenance, faults): empty the {cells} of every row whose mark your "
            "platform's legend gives as invalid, keep those of valid hours, then delete the column")


def header_row_below(frame: pd.DataFrame, spec: TableSpec, rows: int = 5) -> int | None:
    """The spreadsheet row of the real header when the file's row 1 is not it (a title row such as
    ``泽州县乡镇基本情况表`` or the upper row of a two-level header above it): the first of the next
    ``rows`` rows whose cells name more of the table's required columns than row 1 does, and at
    least two. None when row 1 is the header."""
    lookup = _lookup(spec)
    required = {c.name for c in spec.columns if c.required}

    def named(cells) -> int:
        return len({lookup.get(norm_header(c).lower()) for c in cells} & required)

    in_header = named(frame.columns)
    if in_header == len(required):
        return None
    for label, row in frame.head(rows).iterrows():
        if named(row.astype(str)) > max(in_header, 1):
            return int(label) + 2
    return None


#: A unit as written in a units row: letters, CJK characters or unit signs (吨/(平方公里·月), t/km², %, m/s).
_UNIT_TEXT = re.compile("[A-Za-z\u4e00-\u9fff%°/³²µμ]")


def units_row_below(frame: pd.DataFrame, spec: TableSpec) -> str | None:
    """The text of a units row right under the header (``吨/(平方公里·月)`` under ``dustfall_t_km2_month``,
    a second header row that some templates carry), else None: the first data row fills no required text
    column, and every cell it fills under a number column is text that holds no digit-only number."""
    if len(frame) < 2:
        return None
    lookup = _lookup(spec)
    kinds = {c.name: c for c in spec.columns}
    first = frame.iloc[0]
    units = []
    for header, cell in first.items():
        column = kinds.get(lookup.get(norm_header(header).lower(), ""))
        text = "" if pd.isna(cell) else str(cell).strip()
        if column is None or not text:
            continue
        if column.kind not in ("int", "float") or not _UNIT_TEXT.search(text) or text.upper() in ("N/A", "#N/A"):
            return None  # a value under a text column, a number or a placeholder: a data row
        units.append(text)
    return units[0] if units else None
