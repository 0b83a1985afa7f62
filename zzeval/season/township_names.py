"""A township's Chinese name checked against its statistical division code (hostile review s12-C, F4: the
name_zh of 南村镇 and 下村镇 exchanged in townships.csv passed, and every page printed 南村镇's figures under
下村镇's name; the other tables name townships by slug or code).

``zzeval/reference/zezhou_townships.csv`` lists Zezhou's 2020 townships: code (the NBS statistical
division codes), Chinese name (and the name after the 2021 reform) and the slug the sample uses. A row of
``townships.csv`` whose name is one of those names, with a Zezhou code (140525…) other than that name's,
is refused: the name belongs to another code. Rows of other counties (province mode, docs/province.md)
and names not in the list (a synthetic season's 合成镇…) are not checked. The NBS list seen is the one
after the 2021 reform (FACTS.md § 7.1), so a clerk holding a different code list confirms the township
(``township_name``, subject the code, :mod:`zzeval.season.confirm`).
"""

from __future__ import annotations

import csv
from functools import cache

import pandas as pd

from zzeval.resources import reference_path
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``; subject: the township's code as in townships.csv).
CHECK = "township_name"
REFERENCE = "zzeval/reference/zezhou_townships.csv"
COUNTY = "140525"


@cache
def known_townships() -> dict[str, dict[str, str]]:
    """Chinese name (the 2020 name and the later one) -> its row of ``zezhou_townships.csv``."""
    with reference_path("zezhou_townships.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {name: row for row in rows for name in (row["name_zh"], row["also_zh"]) if name}


def check_township_names(tw: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse (confirmable) each Zezhou row whose name_zh is the name of another code."""
    if tw is None or tw.empty or not {"code", "name_zh"} <= set(tw):
        return
    known = known_townships()
    codes = dict(zip(tw["code"].astype(str), tw["slug"].astype(str), strict=True)) if "slug" in tw else {}
    for i, code, name in zip(tw.index, tw["code"].astype(str), tw["name_zh"].astype(str).str.strip(), strict=True):
        ref = known.get(name)
        if ref is None or not ref["code"] or not code.startswith(COUNTY) or code == ref["code"]:
            continue
        own = next((n for n, r in known.items() if r["code"] == code and n == r["name_zh"]), None)
        holder = f" (township {show(codes[ref['code']])} in this table)" if ref["code"] in codes else ""
        message = ((f"code {code} is {own} in the statistical division codes ({REFERENCE}), but this row's name is "
                    if own else f"this row (code {code}) is named ")
                   + f"{name}, the name of code {ref['code']}{holder}: two rows' names exchanged (one column sorted "
                   "on its own)? write each township's name on its own code's row (every report prints the row's "
                   "figures under this name)")
        judge(out, CHECK, code, (fname, int(i) + 2, "name_zh"), message)
