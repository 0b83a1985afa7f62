"""One township's dustfall sheet pasted for another (hostile review s11-A, wrong number 7: 大东沟's twelve
monthly values were 南村's, to the decimal, and passed; its highest month rose from 8.7 to 9.2 t/(month·km²) and
gave it a verdict reason).

Each township's season (October .. March) is a series of six months. Two series — two townships in a season,
a township's two seasons, or two townships in different seasons — with at least
``dustfall.copy_equal_months`` months equal to the last decimal, month of the season by month of the season
(October with October …, both measured), are one sheet written twice: genuine townships share at most three
(``zzeval/reference/input_limits.csv``: the measurement). A judgement check (``dustfall_copy``,
:mod:`zzeval.season.confirm`): a bureau that genuinely reports one bucket for two townships confirms the pair.
"""

from __future__ import annotations

import itertools

import pandas as pd

from zzeval.resources import input_floor
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``).
CHECK = "dustfall_copy"
LIMITS_FILE = "zzeval/reference/input_limits.csv"


def check_dustfall_copied(dust: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse (confirmable) each pair of township seasons with at least ``dustfall.copy_equal_months`` equal
    months (module docstring): one problem per pair, at the first row of the series later in the file."""
    if dust is None or dust.empty or "month" not in dust:
        return
    least = int(input_floor("dustfall.copy_equal_months"))
    value = pd.to_numeric(dust["dustfall_t_km2_month"], errors="coerce")
    month = dust["month"]
    rows = dust.assign(_season=month.dt.year - (month.dt.month <= 3), _pos=(month.dt.month - 10) % 12,
                       _value=value.round(6), _row=dust.index)
    rows = rows[rows["_value"].notna() & rows["_pos"].between(0, 5)]
    if rows.empty:
        return
    series = rows.pivot_table(index=["township", "_season"], columns="_pos", values="_value", aggfunc="first")
    first = rows.groupby(["township", "_season"])["_row"].min()
    values, keys = series.to_numpy(dtype=float), list(series.index)
    for i, j in itertools.combinations(range(len(keys)), 2):
        equal = values[i] == values[j]  # NaN (a month not measured) is equal to nothing
        if int(equal.sum()) < least:
            continue
        a, b = sorted((keys[i], keys[j]), key=lambda k: first[k])  # b: the series later in the file
        subject = f"{a[0]} {_season(a[1])} {b[0]} {_season(b[1])}"
        listed = ", ".join(f"{v:g}" for v in values[i][equal])
        message = (f"township {show(b[0])}, season {_season(b[1])}, has the same monthly dustfall as township "
                   f"{show(a[0])}, season {_season(a[1])}, in {int(equal.sum())} of 6 months, to the last decimal "
                   f"({listed} t/(month·km²), month by month from October): two townships' or seasons' "
                   f"measurements never agree so (at most 3 months in genuine data; at least {least} here: "
                   f"dustfall.copy_equal_months, {LIMITS_FILE}); one sheet pasted for the other? write each "
                   "township's own measured dustfall for each season")
        judge(out, CHECK, subject, (fname, int(first[b]) + 2, "dustfall_t_km2_month"), message)


def _season(year: float) -> str:
    return f"{year:.0f}-{year + 1:.0f}"

