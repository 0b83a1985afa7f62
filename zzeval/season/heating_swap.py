"""A township's ``households_planned`` and ``households_done`` exchanged (hostile review s11-A, wrong number 11).

A batch is planned, then finished: its households done are at most those planned (a batch left short, or
one not started yet, has fewer). A sheet exported with the two columns in the other order has every batch
of the township done above planned, within the 120 % the row check allows, and its completion (done ÷
planned) above 100 %: 南村's 96.4 % was published as 103.7 %.

A township with at least ``heating_retrofits.swapped_batches_over`` batches done above planned and none
below is refused as the two columns exchanged. A batch genuinely finished with more households than
planned is possible (households joining during the works), so this is a judgement check
(``heating_swapped``, :mod:`zzeval.season.confirm`): one batch done above planned, up to 120 %, is
accepted (the row check); what the generated genuine data never has is a township whose batches are all at
or above their plan, several above (``zzeval/reference/input_limits.csv``: the measurement; data/README.md
tells the same story, hostile review s11-C, F9). Where ``targets`` gives the township's
households of a type, the message says whether the done households, not the planned, add up to them
(the plan allocates the households planned).
"""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_floor
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``); its subject is the township slug.
CHECK = "heating_swapped"
LIMITS_FILE = "zzeval/reference/input_limits.csv"
#: The most row numbers the message lists.
ROWS_SHOWN = 8


def check_heating_columns_swapped(rt: pd.DataFrame | None, targets: pd.DataFrame | None, fname: str,
                                  targets_fname: str, out: Collector) -> None:
    """Refuse (confirmable) each township whose batches are all done at or above planned, at least
    ``heating_retrofits.swapped_batches_over`` of them above (module docstring)."""
    if rt is None or rt.empty or not {"households_planned", "households_done"} <= set(rt):
        return
    planned, done = rt["households_planned"], rt["households_done"]
    rows = rt[planned.notna() & done.notna() & out.readable(fname, rt.index)]
    least = input_floor("heating_retrofits.swapped_batches_over")
    for slug, part in rows.groupby("township", sort=False):
        over = part["households_done"] > part["households_planned"]
        if (part["households_done"] < part["households_planned"]).any() or over.sum() < least:
            continue
        first = part.index[over][0]
        shown = ", ".join(str(int(i) + 2) for i in part.index[over][:ROWS_SHOWN]) + (
            " …" if over.sum() > ROWS_SHOWN else "")
        sums = part[["households_planned", "households_done"]].sum()
        message = (f"township {show(slug)}: {int(over.sum())} of its {len(part)} batches have more households done "
                   f"than planned (rows {shown}; e.g. row {int(first) + 2}: {part['households_planned'][first]:,.0f} "
                   f"planned, {part['households_done'][first]:,.0f} done) and none fewer, so its completion would be "
                   f"{sums['households_done'] / sums['households_planned']:.1%} (done ÷ planned){_targets_said(part, targets, targets_fname)}. "
                   "A batch done above its plan is accepted (up to 120 % of planned: households joining during the "
                   "works), but a township's batches are not all at or above their plan with none short (the genuine "
                   f"data never has that; at least {least:g} batches above and none below here: "
                   f"heating_retrofits.swapped_batches_over, {LIMITS_FILE}): are the columns households_planned and "
                   "households_done swapped? put the planned households in households_planned and those finished "
                   "in households_done")
        judge(out, CHECK, str(slug), (fname, int(first) + 2, "households_done"), message)


def _targets_said(part: pd.DataFrame, targets: pd.DataFrame | None, targets_fname: str) -> str:
    """What ``targets`` says of the township's batches: the types whose done households, not the planned,
    equal the township's target (the plan allocates the planned households), or '' when it says nothing."""
    if targets is None or targets.empty or not {"township", "task", "target"} <= set(targets):
        return ""
    slug = part["township"].iloc[0]
    mine = targets[(targets["township"] == slug) & targets["task"].astype(str).str.startswith("heating_")]
    target = mine.drop_duplicates("task").set_index(mine["task"].drop_duplicates().astype(str).str.slice(8))["target"]
    sums = part.groupby("retrofit_type")[["households_planned", "households_done"]].sum()
    matched = [kind for kind, row in sums.iterrows() if kind in target and pd.notna(target[kind])
               and row["households_done"] == target[kind] != row["households_planned"]]
    if not matched:
        return ""
    return (f"; and the done households, not the planned, add up to the township's targets in {targets_fname} "
            f"({', '.join(f'{k} {target[k]:,.0f}' for k in matched)}), which are the households planned")
