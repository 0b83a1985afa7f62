"""Duplicate keys: two rows of a table that describe the same thing (issue 13).

Keys are compared as a person reads them, not byte by byte:

* text is compared after Unicode NFKC normalisation, outer white space removed and inner runs of
  white space collapsed to one space, so that a firm, site or inspection typed twice, once with a
  Chinese input method's full-width characters (``（合成）``, ``KS－01``, ``ＹＪ-003``) and once
  half-width, is one key. NFKC is the compatibility normalisation of Unicode Standard Annex #15
  ("Unicode Normalization Forms"), which maps the full-width forms U+FF01..U+FF5E to ASCII and the
  ideographic space U+3000 to a space;
* in ``meteorology`` an empty ``station_code`` means county-wide (data/README.md), the same as
  ``county``: the county rows of one hour given once with an empty code and once with ``county``
  (an older export with a newer one appended) are the same weather twice.

* in ``freight`` the enterprise's legal form is left out (:func:`firm_name`): 泽州某煤业公司F and
  泽州某煤业有限公司F, one firm as the transport bureau's and the township's sheets write it, are one key
  (hostile review s12-C, F2: the row pasted from both sheets doubled a township's shift to rail). Names
  that differ only in the legal form are one firm within one township; in two townships they are two firms
  (review s12-reC, R2: 金达煤业有限公司 in one township and 金达煤业股份有限公司 in another were refused as one).

The values in the tables are left as typed; only the comparison is normalised.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from zzeval.season.checks import season_first_year
from zzeval.season.parsing import show

_SPACES = re.compile(r"\s+")

#: the station code that an empty ``station_code`` of the meteorology table stands for
COUNTY_CODE = "county"


def key_text(value) -> str:
    """``value`` as a key is compared: NFKC-normalised, outer white space removed, inner runs of
    white space (also the ideographic space) collapsed to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


#: The words of a Chinese firm's legal form (有限责任公司, 股份有限公司, 有限公司: the Company Law's two forms)
#: and their English spellings: a firm's name is compared without them.
_LEGAL_FORM = re.compile(r"有限责任|股份有限|有限|股份|\bco\.?,?\s*ltd\.?|\blimited\b|\bltd\.?|\binc\.?",
                         re.IGNORECASE)


def firm_name(value) -> str:
    """A firm's name as compared (``key_text`` without the words of its legal form, :data:`_LEGAL_FORM`)."""
    text = key_text(value)
    bare = _SPACES.sub(" ", _LEGAL_FORM.sub("", text)).strip(" ,")
    return bare or text


def county_code(values: pd.Series) -> pd.Series:
    """Meteorology station codes with an empty (or missing) code written ``county``."""
    return values.fillna("").replace("", COUNTY_CODE)


def source_seasons(met: pd.DataFrame, values: pd.Series, given: pd.Series) -> pd.DataFrame:
    """The ``given`` rows of the meteorology table ``met`` as ``source`` (:func:`county_code`), ``year`` (the
    first year of their season) and ``v`` (their ``values``), in the table's order and with its row labels:
    to be grouped by source and season (a station's, or the county rows', season)."""
    return pd.DataFrame({"source": county_code(met["station_code"])[given],
                         "year": np.asarray(season_first_year(met.loc[given, "datetime"])), "v": values[given]})



def source_months(met: pd.DataFrame, values: pd.Series, given: pd.Series):
    """:func:`source_seasons` with ``month`` (calendar month) and ``row`` (the row label), grouped by source,
    season and month: the month levels of a weather column (wind_months, weather_levels)."""
    part = source_seasons(met, values, given)
    part["month"] = pd.DatetimeIndex(met.loc[given, "datetime"]).month
    part["row"] = part.index
    return part.groupby(["source", "year", "month"], sort=True)

def _compared(frame: pd.DataFrame, table: str, key: tuple[str, ...]) -> pd.DataFrame:
    """The key columns as they are compared (text normalised; see the module docstring)."""
    cols = {}
    for name in key:
        values = frame[name]
        if table == "meteorology" and name == "station_code":
            values = county_code(values)
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            uniques = pd.unique(values.dropna())
            compare = firm_name if (table, name) == ("freight", "enterprise") else key_text
            mapping = {u: compare(u) for u in uniques}
            if any(mapping[u] != u for u in uniques):
                values = values.map(mapping)
        cols[name] = values
    return pd.DataFrame(cols, index=frame.index)


def _explain(raw: pd.DataFrame, table: str, key: tuple[str, ...], row, first) -> str:
    """What makes row ``row`` the same as the earlier row ``first`` when their cells differ."""
    if table == "meteorology" and "station_code" in key:
        codes = (str(raw.at[first, "station_code"]).strip(), str(raw.at[row, "station_code"]).strip())
        if codes[0] != codes[1] and COUNTY_CODE in codes and "" in codes:
            when = raw.at[row, "datetime"] if "datetime" in key else ""
            when = when.strftime("%Y-%m-%d %H:%M") if hasattr(when, "strftime") else when
            shown = ("station_code empty" if c == "" else f"station_code '{c}'" for c in codes)
            return (f"the county-wide weather of {when} is given twice (row {int(first) + 2} has "
                    f"{next(shown)}, this row {next(shown)}; both mean county-wide): keep one of the two rows")
    differ = [n for n in key if str(raw.at[first, n]) != str(raw.at[row, n])]
    if not differ:
        return ""
    pairs = "; ".join(f"{n} '{show(raw.at[row, n], 60)}' = '{show(raw.at[first, n], 60)}'" for n in differ)
    legal = (table == "freight" and "enterprise" in differ
             and key_text(raw.at[row, "enterprise"]) != key_text(raw.at[first, "enterprise"]))
    return f"{pairs} apart from " + ("the legal form (有限, 股份, 有限责任), full-width characters or spaces: "
                                     "one firm written two ways" if legal else "full-width characters or spaces")


def _first_rows(compared: pd.DataFrame, key: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """Which rows repeat an earlier row's ``key`` and, for each row, the first row with its key."""
    dup = compared.duplicated(list(key), keep="first")
    groups = compared.groupby(list(key), sort=False, dropna=False).ngroup()
    first = pd.Series(compared.index, index=compared.index).groupby(groups.to_numpy()).transform("first")
    return dup, first


def _empty_key(frame: pd.DataFrame, spec, key: tuple[str, ...]) -> pd.Series:
    """Rows with an empty cell in a required key column (refused as an empty cell, often a merged cell:
    :func:`zzeval.season.cells.convert_column`): two such rows would be called duplicates of each other when
    they are different townships' or classes' rows whose merged cell was left blank (hostile review
    s13-hostA C14e: "remove or merge one of them" for genuine rows)."""
    empty = pd.Series(False, index=frame.index)
    for name in key:
        col = next((c for c in spec.columns if c.name == name), None)
        if col is not None and col.required and not col.empty_ok and name in frame:
            values = frame[name]
            empty |= values.isna() | (values.astype(str).str.strip() == "")
    return empty


def _undated_batches(frame: pd.DataFrame, table: str) -> pd.Series | None:
    """For heating_retrofits, each row's households_planned where it has no completion_date (a batch not done
    yet, as data/README.md tells to write one), else NaN: two such rows of one township and type are two
    scheduled batches when their households planned differ (hostile review s14-hostA, N48: dadonggou's waste-heat
    batches of 572 and 508 households were refused as "duplicate … remove or merge one", and removing one would
    lose its households from the completion rate); with the same households planned, one batch written twice is
    as likely, and the refusal says both ways out. None for the other tables."""
    if table != "heating_retrofits" or not {"completion_date", "households_planned"} <= set(frame):
        return None
    planned = pd.to_numeric(frame["households_planned"], errors="coerce")
    return planned.where(frame["completion_date"].isna())


def check_keys(frame: pd.DataFrame, spec, fname: str, out) -> None:
    """Refuse the rows of ``frame`` whose key (``spec.key``) repeats an earlier row's, each named
    with the earlier row (rows as in the file: header row 1); cells that could not be read, and rows with a
    required key cell empty, are left out (their problem is already reported)."""
    if not spec.key:
        return
    key = tuple(spec.key)
    readable = frame[out.readable(fname, frame.index) & ~_empty_key(frame, spec, key)]
    compared = _compared(readable, spec.name, key)
    undated = _undated_batches(readable, spec.name)
    if undated is not None:  # two batches not done yet, of different sizes, are two batches (N48)
        dup, first = _first_rows(compared.assign(_planned=undated), (*key, "_planned"))
    else:
        dup, first = _first_rows(compared, key)
    if spec.name == "freight" and "township" in readable and "enterprise" in key:
        # the legal form is left out only within one township (module docstring)
        exact = compared.assign(enterprise=readable["enterprise"].map(key_text, na_action="ignore"))
        exact_dup, exact_first = _first_rows(exact, key)
        local = compared.assign(_township=readable["township"].map(key_text, na_action="ignore"))
        local_dup, local_first = _first_rows(local, (*key, "_township"))
        dup = exact_dup | local_dup
        first = exact_first.where(exact_dup, local_first)
    if not dup.any():
        return
    names = ", ".join(key)

    def message(i) -> str:
        why = _explain(readable, spec.name, key, i, first[i])
        if why.startswith("the county-wide"):
            return why
        if undated is not None and pd.notna(undated[i]):
            return (f"a second batch not done yet (no completion_date) with the same township, retrofit_type and "
                    f"households_planned as row {int(first[i]) + 2} ({undated[i]:g}): if it is the same batch "
                    "written twice, remove this row; if they are two batches, give them as one row (the households "
                    "planned added up), or give each its completion date once it is done")
        return (f"duplicate of an earlier row with the same {names} (row {int(first[i]) + 2}"
                + (f": {why}" if why else "") + "); remove or merge one of them")

    out.rows(fname, key[-1], dup.reindex(frame.index, fill_value=False), message)
