"""A township's Chinese name and slug checked against its statistical division code (hostile review s12-C, F4:
the name_zh of 南村镇 and 下村镇 exchanged in townships.csv passed, and every page printed 南村镇's figures under
下村镇's name; review s12-reC: the same with the slugs exchanged (F0), by which the other tables name townships,
and with names written short, traditional or as the government's, 下村 / 下村鎮 / 下村镇人民政府 (F2)).

``zzeval/reference/zezhou_townships.csv`` lists Zezhou's 2020 townships: code (the NBS statistical
division codes), Chinese name (and the name after the 2021 reform) and the slug the sample uses. A row of
``townships.csv`` with a Zezhou code (140525…) whose name is one of those names, or whose slug is one of those
slugs, of another code is refused: the name (slug) belongs to another code. Names are compared as a clerk may
write them (:func:`name_key`): without 人民政府 / 政府, traditional 鎮 / 鄉 (and the names' other traditional
characters) as simplified, and without the closing 镇 / 乡 / 街道. Rows of other counties (province mode,
docs/province.md) and names or slugs not in the list (a synthetic season's 合成镇…) are not checked. The NBS list
seen is the one after the 2021 reform (FACTS.md § 7.1), so a clerk holding a different code list confirms the
township (``township_name`` or ``township_slug``, subject the code, :mod:`zzeval.season.confirm`).
"""

from __future__ import annotations

import csv
import re
from functools import cache

import pandas as pd

from zzeval.resources import reference_path
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.parsing import show

#: The judgement checks (``season.yaml`` ``confirmed:``; subject: the township's code as in townships.csv).
CHECK = "township_name"
SLUG_CHECK = "township_slug"
REFERENCE = "zzeval/reference/zezhou_townships.csv"
COUNTY = "140525"

#: The traditional forms of the characters of Zezhou's township names and ranks.
_SIMPLIFIED = str.maketrans("鎮鄉東溝廟鋪陽嶺義樹莊", "镇乡东沟庙铺阳岭义树庄")
#: What a clerk adds to or leaves off a township's name: the government, the rank.
_GOVERNMENT = re.compile(r"(人民政府|政府|办事处)$")
_RANK = re.compile(r"(镇|乡|街道)$")


def name_key(name: str) -> str:
    """A township's name as compared: 下村镇, 下村, 下村鎮 and 下村镇人民政府 are one name."""
    text = re.sub(r"\s+", "", str(name)).translate(_SIMPLIFIED)
    bare = _RANK.sub("", _GOVERNMENT.sub("", text))
    return bare or text


@cache
def _reference() -> list[dict[str, str]]:
    with reference_path("zezhou_townships.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def known_townships() -> dict[str, dict[str, str]]:
    """Chinese name (the 2020 name and the later one, as :func:`name_key` compares it) -> its reference row."""
    return {name_key(name): row for row in _reference() for name in (row["name_zh"], row["also_zh"]) if name}


@cache
def known_slugs() -> dict[str, dict[str, str]]:
    """Slug -> its row of ``zezhou_townships.csv``."""
    return {row["slug"]: row for row in _reference() if row["slug"]}


def _refused(code: str, own: str | None, what: str, value: str, holder: str, ref_code: str) -> str:
    return ((f"code {code} is {own} in the statistical division codes ({REFERENCE}), but this row's {what} is "
             if own else f"this row's (code {code}) {what} is ")
            + f"{value}, the {what} of code {ref_code}{holder}: two rows' {what}s exchanged (one column sorted on "
            f"its own)? write each township's {what} on its own code's row (every report prints the row's "
            + ("figures under this name)" if what == "name" else "code and name with the figures the other tables "
               "give under this slug)"))


def check_township_names(tw: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse (confirmable) each Zezhou row whose name_zh is the name, or whose slug the slug, of another code."""
    if tw is None or tw.empty or "code" not in tw:
        return
    by_code = {row["code"]: row for row in _reference() if row["code"]}
    slugs = dict(zip(tw["code"].astype(str), tw["slug"].astype(str), strict=True)) if "slug" in tw else {}
    columns = [(c, check) for c, check in (("name_zh", CHECK), ("slug", SLUG_CHECK)) if c in tw]
    for column, check in columns:
        known, what = (known_townships(), "name") if column == "name_zh" else (known_slugs(), "slug")
        for i, code, value in zip(tw.index, tw["code"].astype(str).str.strip(), tw[column].astype(str).str.strip(),
                                  strict=True):
            ref = known.get(name_key(value) if column == "name_zh" else value)
            if ref is None or not ref["code"] or not code.startswith(COUNTY) or code == ref["code"]:
                continue
            own = by_code[code]["name_zh" if column == "name_zh" else "slug"] if code in by_code else None
            holder = f" (township {show(slugs[ref['code']])} in this table)" if ref["code"] in slugs else ""
            judge(out, check, code, (fname, int(i) + 2, column),
                  _refused(code, own, what, value, holder, ref["code"]))


#: A cell naming the whole county, not a township (全县, 泽州县, 县): a county-wide row in a per-township table.
_COUNTY_WORDS = frozenset({"全县", "全 县", "泽州县", "泽州", "县", "县级", "县本级", "county", "全县合计"})


def county_word(value: str) -> bool:
    """A cell naming the county (全县, 泽州县), not a township (hostile review s13-hostA C07b)."""
    return re.sub(r"\s+", "", str(value)).lower() in {w.replace(" ", "") for w in _COUNTY_WORDS}


def zezhou_township(value: str) -> dict[str, str] | None:
    """The row of ``zezhou_townships.csv`` named by ``value`` (its slug, code or Chinese name), or None."""
    text = str(value).strip()
    for row in known_slugs().values():
        if text in (row["slug"], row["code"]):
            return row
    return known_townships().get(name_key(text)) if text else None
