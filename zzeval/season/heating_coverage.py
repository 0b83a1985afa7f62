"""Clean-heating coverage inputs that cannot both be right (plan § 六, issue 13).

A township's clean-heating coverage is (households heated cleanly before the season + households
retrofitted this season, clean coal excluded) / households (:func:`zzeval.assess.progress.township_indicators`).
The baseline ``townships.clean_before_*`` is the count BEFORE the season. A clerk who copies it from a
台账 updated as each batch of retrofits finishes gives the count at the season's end, which already holds
this season's retrofits: they are then counted twice, and the coverage passes 100 % (or, in a township
far from full coverage, is silently too high). When the sum exceeds the township's households the two
inputs contradict each other and the season is refused; below it the double count cannot be told from
the data.
"""

from __future__ import annotations

import pandas as pd

from zzeval.season.parsing import show

#: the baseline columns (households heated cleanly before the season, by kind)
BASELINE_COLUMNS = ("clean_before_electricity", "clean_before_gas", "clean_before_district")


def retrofits_done(retrofits: pd.DataFrame) -> pd.Series:
    """Households retrofitted to clean heating this season per township (clean coal excluded: it is
    the mountain areas' fallback, not clean heating), as the coverage counts them."""
    clean = retrofits[retrofits["retrofit_type"] != "clean_coal"]
    return clean.groupby("township")["households_done"].sum()


def check_coverage_inputs(townships: pd.DataFrame | None, retrofits: pd.DataFrame | None, fnames: dict,
                          out) -> None:
    """Refuse a township whose baseline plus this season's retrofits exceed its households, naming
    the townships.csv row, the baseline columns, the three numbers and the likely cause."""
    if townships is None or retrofits is None or "slug" not in townships:
        return
    columns = [c for c in BASELINE_COLUMNS if c in townships]
    if not columns:
        return
    f_tw = fnames.get("townships", "townships.csv")
    f_rt = fnames.get("heating_retrofits", "heating_retrofits.csv")
    baseline = townships[columns].sum(axis=1, min_count=1)
    done = townships["slug"].map(retrofits_done(retrofits)).fillna(0)
    households = townships["households"]
    over = baseline.notna() & households.notna() & (households > 0) & (baseline + done > households)
    over &= ~(baseline > households)  # the baseline alone over the households is reported by checks.py

    def message(i) -> str:
        total = baseline[i] + done[i]
        return (f"township {show(townships['slug'][i])}: households heated cleanly before the season "
                f"({' + '.join(columns)} = {baseline[i]:,.0f}) plus the households retrofitted this season "
                f"({f_rt} households_done, clean coal excluded: {done[i]:,.0f}) = {total:,.0f}, more than its "
                f"{households[i]:,.0f} households (a coverage of {100 * total / households[i]:.1f} %). "
                f"Did the baseline already count this season's retrofits? {', '.join(columns)} must be the "
                "households heated cleanly BEFORE the season started (not at its end); correct the baseline "
                "or the retrofits")

    out.rows(f_tw, columns[0], over, message)
