"""A heating batch pasted again and retouched (review s12-reC, F3): the copy's subsidy written 0 (补贴已在前一批
支付, paid with the first) or its households done one fewer (one household short at acceptance). The
repeated-batch check (:func:`zzeval.season.measure_rows.check_repeated_batches`) needs households planned, done
and subsidy all equal, so such a copy passed and its households counted twice.

Two batches of one township and retrofit type with the same households planned, households done equal or one
apart, and the same subsidy or one of the two 0 (the other given) are a judgement check
(``heating_repeated_batch``, subject the later row's ``township retrofit_type date``, as the repeated-batch
check's). Measured on genuine data: in data/sample (80 batches) and 3-township seeds 0..11 (225 batches), no two
batches of one township and type have the same households planned (the closest: zhoucun coal_to_electricity 93
and 90 planned, 89 and 88 done); two real batches alike are confirmed. Pairs that repeat all three numbers are
left to the repeated-batch check.
"""

from __future__ import annotations

import pandas as pd

from zzeval.season.checks import Collector
from zzeval.season.confirm import judge_rows
from zzeval.season.parsing import show

CHECK = "heating_repeated_batch"


def _alike(a: pd.Series, b: pd.Series) -> bool:
    """``b`` (a later batch) a retouched copy of ``a``: done one apart or a subsidy 0 against one given."""
    done = abs(a["households_done"] - b["households_done"])
    sa, sb = a["subsidy_yuan"], b["subsidy_yuan"]
    same_subsidy = (pd.isna(sa) and pd.isna(sb)) or sa == sb
    zero_one = not pd.isna(sa) and not pd.isna(sb) and (sa == 0) != (sb == 0)
    if done == 0 and same_subsidy:
        return False  # the repeated-batch check's
    return done <= 1 and (zero_one or (same_subsidy and not pd.isna(sa) and sa > 0))


def check_near_copies(rt: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse (confirmable) a later batch that is an earlier one's copy retouched (module docstring)."""
    need = {"township", "retrofit_type", "households_planned", "households_done", "subsidy_yuan", "completion_date"}
    if not need <= set(rt):
        return
    dated = rt[rt["completion_date"].notna() & (rt["households_done"] > 0) & rt["households_planned"].notna()]
    dup = dated.duplicated(["township", "retrofit_type", "households_planned"], keep=False)
    if not dup.any():  # genuine seasons: no planned count repeats, nothing more is looked at
        return
    earlier: dict = {}
    for _, group in dated[dup].sort_values("completion_date", kind="stable").groupby(
            ["township", "retrofit_type", "households_planned"], sort=False):
        rows = list(group.index)
        for k, later in enumerate(rows):
            first = next((e for e in rows[:k] if _alike(rt.loc[e], rt.loc[later])), None)
            if first is not None:
                earlier[later] = first
    if not earlier:
        return
    mask = pd.Series(rt.index.isin(list(earlier)), index=rt.index)
    subject = rt["township"].astype(str) + " " + rt["retrofit_type"].astype(str) + " " + \
        rt["completion_date"].dt.strftime("%Y-%m-%d")

    def said(value) -> str:
        return "empty" if pd.isna(value) else f"{value:,.0f} yuan"

    def message(i) -> str:
        e = earlier[i]
        return (f"the same households planned ({rt['households_planned'][i]:,.0f}) as row {int(e) + 2} (township "
                f"{show(rt['township'][i])}, {rt['retrofit_type'][i]}), households done {rt['households_done'][i]:,.0f}"
                f" against {rt['households_done'][e]:,.0f} and subsidy {said(rt['subsidy_yuan'][i])} against "
                f"{said(rt['subsidy_yuan'][e])}, dated {(rt['completion_date'][i] - rt['completion_date'][e]).days} "
                "days later: that batch pasted again with its subsidy written 0 (paid with the first) or a household "
                "fewer? delete the copy; its households would count twice")
    judge_rows(out, CHECK, fname, "completion_date", mask, subject, message)
