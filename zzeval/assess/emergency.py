"""Performance-graded emergency reductions (绩效分级差异化减排), plan § 三, per township.

Plan 泽政办发〔2020〕28号 § 三: "原则上，评为 A 级和引领性的企业，重污染天气应急响应期间可自主采取减排措施，
B、C 级企业按照 30-50%的比例减排，D 级企业在秋冬季全面停产" — A-grade and leading firms choose their
own measures during a heavy-pollution alert, B and C firms cut 30–50 %, D firms stop for the whole
autumn-winter season. The grades and measures follow the MEE's technical guideline the plan names,
《重污染天气重点行业应急减排措施制定技术指南》(环办大气函〔2020〕340号). § 五 makes each township
answer for the alert response in its area; § 二十 asks for more inspections during alerts.

Counted from the optional ``emergency_inspections`` table (``data/README.md``): one row per firm and
day inspected. Whether an inspection found the firm compliant is our rule [A], in this order:

1. the inspector's finding ``compliant`` (yes/no) when given;
2. else ``stopped`` = yes: compliant (a stopped firm cuts 100 %); a D firm with ``stopped`` = no:
   not compliant;
3. else, for B and C firms, the observed cut against the required one (the emergency reduction list's
   ``required_cut_pct``, or the plan's floor of 30 % when the cell is empty).

Inspections of A and leading firms are not judged (the plan sets them no cut). Validation
(:func:`zzeval.season.emergency_rows.check_emergency_inspections`) ensures every B, C or D row decides and
that the columns do not contradict each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season.data import SeasonData
from zzeval.season.emergency_rows import plan_emergency_cuts

#: The grades whose inspections are judged (the plan sets them a cut or a stop).
JUDGED_GRADES = ("B", "C", "D")


def inspection_compliant(ei: pd.DataFrame) -> pd.Series:
    """Per row of ``emergency_inspections``: True/False whether the inspection found the firm
    compliant (the rule of this module's docstring [A]); NaN for A and leading firms."""
    floor = plan_emergency_cuts()["B"][0]
    required = ei["required_cut_pct"].fillna(floor)
    by_cut = ei["observed_cut_pct"] >= required
    out = pd.Series(np.nan, index=ei.index, dtype=object)
    judged = ei["grade"].isin(JUDGED_GRADES)
    derived = np.where(ei["stopped"] == "yes", True,
                       np.where(ei["grade"] == "D", ei["stopped"] != "no", by_cut))
    decided = np.where(ei["compliant"].isin(["yes", "no"]), ei["compliant"] == "yes", derived)
    out[judged] = decided[judged.to_numpy()]
    return out


def emergency_indicators(season: SeasonData) -> pd.DataFrame:
    """Per township (index ``township``), plan § 三:

    ``emergency_compliance_pct`` — inspections of B, C and D firms that found the required cut or stop
    carried out, of all such inspections [%]; ``emergency_inspections`` and
    ``emergency_inspections_failed`` — their numbers; ``n_emergency_firms`` — the B, C and D firms
    inspected (0: the task is 不涉及 there). All NaN when the season has no ``emergency_inspections``
    table; a table with a header and no rows says the county has no such firm (不涉及 everywhere).
    """
    slugs = pd.Index(season.slugs, name="township")
    ei = season.emergency_inspections
    present = len(ei) > 0 or "emergency_inspections" in season.file_hashes
    columns = ("emergency_compliance_pct", "emergency_inspections", "emergency_inspections_failed",
               "n_emergency_firms")
    if not present:
        return pd.DataFrame({c: np.nan for c in columns}, index=slugs)
    judged = ei[ei["grade"].isin(JUDGED_GRADES)]
    ok = inspection_compliant(judged).astype(bool)
    g = ok.groupby(judged["township"])
    out = pd.DataFrame(index=slugs)
    out["emergency_inspections"] = g.size().reindex(slugs, fill_value=0).astype(float)
    out["emergency_inspections_failed"] = (~ok).groupby(judged["township"]).sum().reindex(slugs, fill_value=0) \
        .astype(float)
    n = out["emergency_inspections"]
    out["emergency_compliance_pct"] = (100.0 * (n - out["emergency_inspections_failed"]) / n.where(n > 0)).astype(float)
    out["n_emergency_firms"] = judged.groupby("township")["firm_id"].nunique().reindex(slugs, fill_value=0) \
        .astype(float)
    return out[list(columns)]
