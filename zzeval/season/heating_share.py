"""A township's heating sheets counted in persons (人) rather than households (户) (hostile review s12-C, F1:
大东沟镇's batches and targets × 3.86, its population ÷ households, passed: every check of the sheet is a
ratio — done over planned, planned over target, target over planned — and the persons stayed below the
township's households; its clean-heating reductions were 3.9 times too large).

The reference is the township's own households (``townships.csv``): the households planned for
clean-heating retrofits in the season (coal to electricity, coal to gas, waste heat: all batches; clean
coal, the mountain areas' fallback, is left out, a mountain township may give it to a third of its
households) above ``heating_retrofits.share_of_households`` of them
(``zzeval/reference/input_limits.csv``, the measurement) are taken as persons. The plan retrofits 17,360
households county-wide (plan_targets.yaml) of about 140,000 (FACTS.md § 7.1), 12 %; a township may do far
more than the county's mean (a township in the coal-free zone), so this is a judgement check
(``heating_share``, :mod:`zzeval.season.confirm`), and the refusal gives the households the persons
would be (÷ the township's population per household).
"""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.measure_rows import CLEAN_TYPES
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``; subject: the township slug).
CHECK = "heating_share"

#: The key of input_limits.csv: the most of a township's households retrofitted to clean heating.
SHARE_LIMIT = "heating_retrofits.share_of_households"


def check_heating_share(rt: pd.DataFrame | None, tw: pd.DataFrame | None, fname: str, townships_fname: str,
                        out: Collector) -> None:
    """Refuse (confirmable) each township whose households planned for clean-heating retrofits in the season exceed
    ``heating_retrofits.share_of_households`` of its households: one problem, at its first batch."""
    if rt is None or rt.empty or tw is None or tw.empty or "households" not in tw or "township" not in rt:
        return
    limit = input_limit(SHARE_LIMIT)
    first = tw.drop_duplicates("slug").set_index("slug")  # a duplicate slug is reported elsewhere
    clean = rt[rt["retrofit_type"].isin(CLEAN_TYPES)]
    planned = clean.groupby("township", sort=False)["households_planned"].sum()
    for slug, total in planned.items():
        if slug not in first.index:
            continue
        households, population = first.at[slug, "households"], first.at[slug, "population"]
        if not (pd.notna(households) and households > 0 and total > limit * households):
            continue
        rows = clean.index[clean["township"] == slug]
        size = population / households if pd.notna(population) and population > households else None
        as_households = (f"; its population per household is {size:.2f} ({population:,.0f} ÷ {households:,.0f}), "
                         f"so {total:,.0f} persons would be {total / size:,.0f} households" if size else "")
        message = (f"township {show(slug)}: {total:,.0f} households planned for clean-heating retrofits in the "
                   f"season ({len(rows)} batches), {total / households:.0%} of its {households:,.0f} households in "
                   f"{townships_fname}, more than {limit:.0%} (heating_retrofits.share_of_households, "
                   "zzeval/reference/input_limits.csv; the plan retrofits 17,360 of the county's about 140,000 "
                   "households, 12 %): is the sheet counted in persons (人) rather than households (户)"
                   f"{as_households}? write households_planned and households_done (and the township's heating "
                   "targets in targets.csv) in households")
        judge(out, CHECK, str(slug), (fname, int(rows[0]) + 2, "households_planned"), message)
