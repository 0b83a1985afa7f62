"""Converting the cells of one column: numbers, dates and category values, with a message for each
cell that cannot be read (used by :mod:`zzeval.season.loading` and :mod:`zzeval.season.columnar`).

Category values are compared after NFKC normalisation and without regard to letter case (``Rural`` is
``rural``, ``国Ⅳ`` is ``国IV``); other spellings of the same value (``煤改电``, ``国4``) are read through
the synonym table ``zzeval/reference/category_aliases.csv`` (spelling, value, source).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from zzeval.resources import input_limit, reference_path
from zzeval.season.checks import Collector
from zzeval.season.compass import read_compass_points
from zzeval.season.parsing import (
    closest,
    not_number_hint,
    read_dates,
    read_numbers,
    serial_date_hint,
    show,
    target_comparison_hint,
)
from zzeval.season.schema import Column


def _key(value: str) -> str:
    """A category spelling as compared: NFKC (full-width letters, Roman numeral characters) and upper case."""
    return unicodedata.normalize("NFKC", str(value)).strip().upper()


@cache
def category_aliases() -> tuple[tuple[str, str, str], ...]:
    """``zzeval/reference/category_aliases.csv`` as ``(spelling, value, notice)`` rows (spellings as written
    there). A spelling may stand for one value per column (``纯电动``: the fuel ``electric``, the standard
    ``NEV``); ``notice``, when not empty, is what ``zzeval validate`` says of the cells read through it (a
    distinction the tables do not keep, such as the stage of 国六b)."""
    with reference_path("category_aliases.csv").open(encoding="utf-8", newline="") as fh:
        return tuple((row["spelling"], row["value"], row.get("notice") or "") for row in csv.DictReader(fh))


@cache
def _alias_keys() -> dict[str, tuple[tuple[str, str], ...]]:
    keys: dict[str, tuple[tuple[str, str], ...]] = {}
    for spelling, value, notice in category_aliases():
        keys[_key(spelling)] = (*keys.get(_key(spelling), ()), (value, notice))
    return keys


def _alias(value: str, allowed) -> tuple[str, str] | None:
    """``(allowed value, notice)`` of the alias ``value`` spells in a column allowing ``allowed``; else the
    first value it stands for (not allowed there); None when it is no alias."""
    readings = _alias_keys().get(_key(value))
    if not readings:
        return None
    by_key = {_key(a): a for a in allowed}
    return next(((by_key[_key(v)], notice) for v, notice in readings if _key(v) in by_key), readings[0])


@cache
def _misreadings() -> dict[tuple[str, str], str]:
    """``zzeval/reference/category_misreadings.csv``: spellings that mean something else than the column's
    values (镇 in the class column is a rank, not 城镇), keyed by (spelling, a value the column allows), with
    what to write instead: no "did you mean" for them."""
    with reference_path("category_misreadings.csv").open(encoding="utf-8", newline="") as fh:
        return {(_key(row["spelling"]), row["column_allows"]): row["message"] for row in csv.DictReader(fh)}


def misreading(value: str, allowed) -> str | None:
    """What to write instead of ``value`` in a column allowing ``allowed``, when ``value`` means something else."""
    key = _key(value)
    return next((m for (s, a), m in _misreadings().items() if s == key and a in allowed), None)


def category_value(value: str, allowed) -> str:
    """``value`` as the allowed category value it spells (an alias, or the value in another letter case or
    width), else ``value`` unchanged."""
    by_key = {_key(a): a for a in allowed}
    key = _key(value)
    if key in by_key:
        return by_key[key]
    alias = _alias(value, allowed)
    return alias[0] if alias is not None else value


def _alias_notices(values: pd.Series, allowed, fname: str, column: str, out: Collector) -> None:
    """One notice per spelling read through an alias with a notice (``国六b``: the stage is not kept)."""
    keys = {_key(a) for a in allowed}
    for spelling in pd.unique(values):  # a few distinct values, also in a column of a million cells
        alias = None if _key(spelling) in keys else _alias(spelling, allowed)
        if alias is not None and alias[1] and alias[0] in allowed:
            out.notes.append(f"{fname}, column '{column}': {int((values == spelling).sum()):,} cell(s) "
                             f"'{show(spelling)}' were read as {alias[0]}: {alias[1]} "
                             "(zzeval/reference/category_aliases.csv)")


def map_unique(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` computed once per distinct value: the long-form tables repeat a
    few station codes, pollutants, units and timestamps over a million rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array([func(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def strip_values(values: pd.Series) -> pd.Series:
    return map_unique(values.astype(str), str.strip).astype(str)


#: Largest whole number a column may hold: integers are computed in float64, exact up to 2**53.
MAX_EXACT_INT = 2**53


def decimal_comma_fix(text: str) -> str:
    """The number a cell with a decimal comma means, written as zzeval reads it: thousands dots or spaces
    before the comma removed, the comma made the decimal mark ('4.401.400,00' -> 4401400.00, not
    '4.401.400.00', which is no number; re-review s11-A, misleading advice)."""
    whole, _, decimals = text.strip().rpartition(",")
    for mark in (".", " ", "\u00a0", "\u202f", "'"):
        whole = whole.replace(mark, "")
    return f"{whole}.{decimals}"


def _target_hint(text: str, col: Column) -> str:
    """The hint of a ``targets.target`` cell written with its comparison (``<9``, ``≥90``)."""
    return target_comparison_hint(text) if col.name == "target" else ""


def _convert_numbers(values: pd.Series, col: Column, fname: str, out: Collector) -> pd.Series:
    reading = read_numbers(values, integer=col.kind == "int")
    numbers = reading.values
    hint = unit_hint(col)
    out.rows(fname, col.name, reading.not_number,
             lambda i: f"'{show(values[i])}' is not a number{hint}"
                       f"{_target_hint(values[i], col) or not_number_hint(values[i], col.unit, not col.required or col.empty_ok, col.validity_marks)}",
             True)
    out.rows(fname, col.name, reading.non_finite,
             lambda i: f"'{show(values[i])}' is not a finite number; write the measured value{hint} "
                       "or leave the cell empty where that is allowed", True)
    out.rows(fname, col.name, reading.decimal_comma,
             lambda i: f"'{show(values[i])}' has a decimal comma; zzeval reads '.' as the decimal mark: "
                       f"write {decimal_comma_fix(show(values[i]))}", True)
    out.rows(fname, col.name, reading.ambiguous_comma,
             lambda i: f"'{show(values[i])}' is ambiguous (a thousands separator or a decimal comma?); "
                       "write the number without ',' and with '.' as the decimal mark", True)
    if reading.note:
        out.notes.append(f"{fname}, column '{col.name}': {reading.note}")
    if col.kind == "int":
        huge = numbers.abs() >= MAX_EXACT_INT
        out.rows(fname, col.name, huge, lambda i: f"'{show(values[i])}' is far too large for a count{hint}", True)
        numbers = numbers.where(~huge)
        dotted = _dotted_thousands(values)
        out.rows(fname, col.name, dotted,
                 lambda i: f"'{values[i]}' is ambiguous in a count{hint}: '.' as a thousands separator "
                           f"({values[i].replace('.', '')}) or a decimal point ({values[i][:-4]})? a count has no "
                           f"decimal places: write {values[i].replace('.', '')} without the '.' (or {values[i][:-4]} "
                           "if that is meant)", True)
        numbers = numbers.where(~dotted)
        numbers = _whole_within_noise(numbers, values, fname, col.name, out)
        frac = numbers.notna() & (numbers % 1 != 0)
        out.rows(fname, col.name, frac, lambda i: f"'{show(values[i])}' must be a whole number" + (
            f" (was {values[i].replace('.', '')} written with '.' as a thousands separator? write it without)"
            if _DOT_GROUPED.fullmatch(values[i]) else ""), True)
    if col.weather_codes and col.max is not None:
        numbers = _weather_codes(numbers, col, fname, out)
    if col.min is not None:
        out.rows(fname, col.name, numbers < col.min,
                 lambda i: f"{numbers[i]:g} is below the allowed minimum {col.min:g}{hint}"
                           f"{_negative_hint(numbers[i], col)}")
    if col.max is not None:
        out.rows(fname, col.name, numbers > col.max,
                 lambda i: f"{numbers[i]:g} is above the allowed maximum {col.max:g}{hint}")
    return numbers.astype("float64")


#: Numbers that China Meteorological Administration data write for a missing value (缺测): 999999 (and 999998) in
#: its hourly exports, 32766 in the older surface-data files, 99999 / 9999 in others. Read as codes only above a
#: column's maximum, so no genuine value is ever taken for one.
_WEATHER_MISSING = frozenset({999999.0, 999998.0, 99999.0, 9999.0, 32766.0})
#: 32700: the code of a trace of precipitation (微量, less than 0.1 mm) in CMA surface data.
_PRECIP_TRACE = 32700.0
#: Negative numbers platforms write for a missing hour of a concentration.
_AQ_MISSING = frozenset({-99.0, -999.0, -9999.0, -99.9, -1.0})


def _weather_codes(numbers: pd.Series, col: Column, fname: str, out: Collector) -> pd.Series:
    """Code numbers of weather data above the column's maximum refused as codes, not as values out of range, and
    read as empty so that no check of the series (a season's precipitation total, the daily cycle of temperature)
    takes them for values (hostile review s13-hostB, M03: 32700 made "is the season in 0.1 mm? ÷ 10" and 999999 a
    clock shift of 6 hours). 32700 = trace: CMA's surface-data convention (a trace, less than 0.1 mm, is coded
    32700 in its station files)."""
    above = numbers > col.max
    missing = above & numbers.isin(list(_WEATHER_MISSING))
    trace = above & (numbers == _PRECIP_TRACE) & (col.unit == "mm")
    out.rows(fname, col.name, missing,
             lambda i: f"{numbers[i]:g} is a code for a missing value (缺测) of China Meteorological Administration "
                       "data, not a value: leave the cell empty", True)
    out.rows(fname, col.name, trace,
             lambda i: f"{numbers[i]:g} is the China Meteorological Administration's code for a trace of "
                       "precipitation (微量, less than 0.1 mm), not an amount: write 0", True)
    return numbers.where(~(missing | trace))


def _negative_hint(number: float, col: Column) -> str:
    """What a negative concentration is (hostile review s13-hostB, A15/A38: "-99 is below the allowed minimum 0"
    said nothing of what to write): a platform's code for a missing hour, or an analyser's reading below zero."""
    if not col.validity_marks or number >= 0:
        return ""
    if number in _AQ_MISSING:
        return (f"; {number:g} is what platforms write for a missing hour, not a concentration: leave the cell empty "
                "(a missing hour)")
    return ("; a concentration below zero is an analyser's drift below zero or a code: write the value your "
            "network publishes for the hour, or leave the cell empty (a missing hour)")


_DATE_EXAMPLES = {"date": "2020-10-31", "datetime": "2020-12-01 08:00", "month": "2020-12"}
_DATE_ALSO = {"date": "2020/10/31 and 2020年10月31日 are", "datetime": "2020/12/1 8:00 and 2020年12月1日 08:00 are",
              "month": "2020/12, 2020年12月 and 2020-12-01 are"}


def _year_last_message(text, example: str) -> str:
    """``05/09/2020`` puts the year last; ``20-09-12`` has a two-digit year that may be its first or last
    part (re-review of issue 13: it was called "year last")."""
    if re.fullmatch(r"\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2}(\s.*)?", str(text)):
        return (f"'{show(text)}' has a two-digit year: which part is the year, the month and the day cannot be "
                f"told (20-09-12 is 12 September 2020 or 20 September 2012); write the four-digit year first, like "
                f"{example}")
    return (f"'{show(text)}' puts the year last: day-first and month-first dates cannot be told apart "
            f"(05/09/2020 is 5 September or 9 May); write the year first, like {example}")


def _convert_dates(values: pd.Series, col: Column, fname: str, out: Collector) -> pd.Series:
    reading = read_dates(values, col.kind)
    example = _DATE_EXAMPLES[col.kind]
    out.rows(fname, col.name, reading.not_date,
             lambda i: f"'{show(values[i])}' is not a {col.kind}; write it like {example} "
                       f"({_DATE_ALSO[col.kind]} read too){serial_date_hint(values[i])}", True)
    out.rows(fname, col.name, reading.year_last, lambda i: _year_last_message(values[i], example), True)
    out.rows(fname, col.name, reading.fraction,
             lambda i: f"'{show(values[i])}' has a fraction of a second: the tables hold whole hours; write it "
                       f"like {example} (a fraction .000 is read)", True)
    out.rows(fname, col.name, reading.dotted_month,
             lambda i: f"'{show(values[i])}' is ambiguous: a spreadsheet stores {show(values[i])}0 typed as a "
                       f"number as {show(values[i])} too (October read as January); write the month as text, like "
                       f"{values[i][:4]}-10 or {values[i][:4]}-01", True)
    if reading.n_offset:
        out.notes.append(f"{fname}, column '{col.name}': {reading.n_offset:,} time(s) with a UTC offset "
                         "were converted to Beijing time (UTC+8)")
    if reading.n_end_of_day:
        out.notes.append(f"{fname}, column '{col.name}': {reading.n_end_of_day:,} time(s) stamped 24:00 were read as "
                         "the next day's 00:00 (the hour ending at midnight, as the network stamps it)")
    return reading.values


def _code_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _calm_codes(values: pd.Series, frame: pd.DataFrame, col: Column, fname: str, out: Collector) -> pd.Series:
    """A wind direction written as the code of a calm hour (``col.calm_codes``: 999017, said to be the calm code of
    China Meteorological Administration hourly exports; not checked against a CMA format document) read as empty, a calm hour without a direction, where the hour's
    ``wind_speed_ms`` is calm (``meteorology.calm_wind_speed_ms``, as for 'C' or an empty cell), with a notice;
    refused naming the code where the speed is higher or missing (issue 13: it was "above the allowed maximum 360")."""
    code = map_unique(values, lambda v: _code_number(v) in col.calm_codes).astype(bool)
    if not code.any():
        return values
    speed = (pd.to_numeric(strip_values(frame["wind_speed_ms"]), errors="coerce") if "wind_speed_ms" in frame
             else pd.Series(np.nan, index=values.index))
    top = input_limit("meteorology.calm_wind_speed_ms")
    calm = code & (speed <= top)
    if calm.any():
        out.notes.append(f"{fname}, column '{col.name}': {int(calm.sum()):,} cell(s) '{values[calm].iloc[0]}' (the "
                         f"China Meteorological Administration's code for a calm hour, 静风) with a wind speed of at most "
                         f"{top:g} m/s were read as calm hours without a wind direction")
    out.rows(fname, col.name, code & ~calm,
             lambda i: f"'{show(values[i])}' is the China Meteorological Administration's code for a calm hour (静风), but "
                       + (f"the wind speed of this hour is {speed[i]:g} m/s, above the {top:g} m/s of a calm hour"
                          if pd.notna(speed[i]) else "this hour has no wind speed")
                       + " (meteorology.calm_wind_speed_ms, zzeval/reference/input_limits.csv): write the wind direction "
                       "in degrees from north (0-360), or correct the wind speed", True)
    return values.where(~code, "")


def convert_column(frame: pd.DataFrame, col: Column, fname: str, out: Collector) -> pd.Series:
    values = strip_values(frame[col.name])
    if col.calm_codes:
        values = _calm_codes(values, frame, col, fname, out)
    if col.blank_words:
        blank = values.isin(col.blank_words)
        if blank.any():
            out.notes.append(f"{fname}, column '{col.name}': {int(blank.sum()):,} cell(s) '{values[blank].iloc[0]}' "
                             "(no value: a calm hour has no wind direction) were read as empty")
            values = values.where(~blank, "")
    if col.compass_points:
        values = read_compass_points(values, map_unique, fname, col.name, out)
    empty = values == ""
    if col.required and not col.empty_ok and col.name in frame and empty.any():
        above = values.shift(1, fill_value="")
        out.rows(fname, col.name, empty, lambda i: f"empty cell; a {col.kind} value is required" + (
            " (a merged cell? a spreadsheet keeps the value of merged cells in the first row only: unmerge "
            "them and fill in every row)" if above[i] != "" and col.kind in ("str", "category") else ""))
    if col.kind in ("int", "float"):
        return _convert_numbers(values, col, fname, out)
    if col.kind in ("date", "datetime", "month"):
        return _convert_dates(values, col, fname, out)
    if col.kind == "category":
        mapped = map_unique(values, lambda v: category_value(v, col.allowed))
        bad = ~mapped.isin(col.allowed) & ~empty
        allowed = ", ".join(col.allowed)

        def _not_allowed(i) -> str:
            if _MOVING_MEAN.fullmatch(values[i]) and {"PM2.5", "O3"} <= set(col.allowed):
                return (f"'{show(values[i])}' is a 24-hour moving mean (the national platform's export), not an "
                        "hourly value: delete these rows; zzeval reads the hourly rows and computes daily means "
                        "itself (GB 3095-2012 § 8)")
            other = misreading(values[i], col.allowed)
            if other:
                return f"'{show(values[i])}' is not allowed: {other}"
            meant = _meant_category(values[i], col.allowed)
            if meant:
                return f"'{show(values[i])}' is not allowed; {meant}use one of: {allowed}"
            close = closest(values[i], list(col.allowed) + [s for s, v, _ in category_aliases() if v in col.allowed])
            value = category_value(close, col.allowed) if close else None
            meant = (f"did you mean '{show(close)}'{f' ({value})' if value != close else ''}? " if close else "")
            return f"'{show(values[i])}' is not allowed; {meant}use one of: {allowed}"

        out.rows(fname, col.name, bad, _not_allowed, True)
        _alias_notices(values[~bad], col.allowed, fname, col.name, out)
        return mapped.astype(str)
    return values


#: A note in brackets after a value: ``电代煤（空气源热泵）``, ``coal_to_gas (壁挂炉)``.
_BRACKET_NOTE = re.compile(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*$")


def _meant_category(value: str, allowed) -> str:
    """A "did you mean" for a category cell that is a known value once its note in brackets is removed
    (``电代煤（空气源热泵）``: coal_to_electricity), or a retrofit type or a task's Chinese name in the targets'
    task column (``煤改气``: heating_coal_to_gas; labels.yaml ``task.<key>``) (hostile review s14-hostA, N42/N76).
    "" when neither."""
    bare = _BRACKET_NOTE.sub("", value).strip()
    if bare and bare != value:
        reading = category_value(bare, allowed)
        if reading in allowed:
            return f"did you mean '{show(bare)}'{f' ({reading})' if reading != bare else ''}? remove the note in brackets; "
    for text in dict.fromkeys((value, bare)):
        reading = _alias(text, ())
        if reading and f"heating_{reading[0]}" in allowed:
            return f"did you mean 'heating_{reading[0]}' ('{show(text)}' is the retrofit type {reading[0]})? "
        from zzeval.i18n import labels

        for task in allowed:
            words = labels().get(f"task.{task}", {}).get("zh", "")
            if text and _key(text) in (_key(words), _key(words.split("：")[-1])):
                return f"did you mean '{task}' ({words})? "
    return ""


#: ``PM2.5_24h``, ``O3-24H``, ``CO_24``: the 24-hour moving means of the national platform's long export (CNEMC)
#: beside its hourly rows (hostile review s11-C, F5: "did you mean 'PM2.5'?" would pass them off as hours).
_MOVING_MEAN = re.compile(r"(?i)(PM2\.?5|PM10|SO2|NO2|CO|O3(?:[_-]8h)?)[_-]24h?")

#: ``1.000``, ``12.000``, ``-3.000``: one to three digits, a dot, three zeros — in a count a thousands dot
#: (1.000 = 1,000, as written in much of Europe) as likely as three decimal places (hostile review s11-A,
#: wrong number 6: '1.000' households done was read as 1). A spreadsheet's number cell never reaches the
#: reader so (1000.0 and 1.0 come as '1000' and '1'); ``0.000`` and ``1000.000`` cannot hold a thousands dot.
_DOT_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.000")
#: ``1.250``, ``2.100.000``: a count with '.' thousands separators that is not a whole number as written.
_DOT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")


def _dotted_thousands(values: pd.Series) -> pd.Series:
    """The cells of a count column written like ``1.000`` (see :data:`_DOT_THOUSANDS`)."""
    return map_unique(values, lambda v: bool(_DOT_THOUSANDS.fullmatch(v))).astype(bool)


def _whole_within_noise(numbers: pd.Series, values: pd.Series, fname: str, column: str,
                        out: Collector) -> pd.Series:
    """Counts within a relative ``numbers.whole_number_noise`` (input_limits.csv) of a whole number, such as
    7823.000000000003 (a spreadsheet formula's result kept with its binary rounding noise, shown as 7823),
    read as that whole number, with a notice; anything farther off stays refused as not whole."""
    nearest = numbers.round()
    noisy = numbers.notna() & (numbers != nearest) & (
        (numbers - nearest).abs() <= input_limit("numbers.whole_number_noise") * nearest.abs().clip(lower=1))
    if noisy.any():
        first = noisy.idxmax()
        out.notes.append(f"{fname}, column '{column}': {int(noisy.sum()):,} count(s) with float noise of a "
                         f"spreadsheet formula were read as whole numbers ('{show(values[first])}' as "
                         f"{nearest[first]:.0f}; =ROUND(…) or 'paste values' in the sheet avoids it)")
    return numbers.where(~noisy, nearest)


def unit_hint(col: Column) -> str:
    return f" [{col.unit}]" if col.unit else ""
