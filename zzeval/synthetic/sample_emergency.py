"""The sample's optional ``emergency_inspections`` table (plan § 三, performance-graded emergency
reductions).

All of it is synthetic [A]: which township has how many firms of which performance grade, their
names ("…某铸造企业甲（合成）"), the alerts and the inspections. For seed 2020 the alerts sit on the
four most polluted episodes of the sample's 2020-21 season (county daily mean PM2.5 of about
80–120 µg/m³ on 2020-12-04/05, 12-16/18, 12-25/27 and 2021-01-19/20); another seed draws its own
four windows between December and February. Each B and C firm is inspected on the first day of two
of the alerts, each D firm once a month from November to March (stopped), each A and leading firm
once (not judged: the plan leaves their measures to them).

The required cuts are the plan's range (§ 三: 30–50 %): 30 % for B firms, 50 % for C firms [A], 100 %
for D firms; the observed cuts lie 0–15 points above the required one. The seed-2020 sample plants
one shortfall: at 金村's first C firm, 金村镇某铸造企业丙 (YJ-017), the orange alert of 2020-12-25 found a
cut of 20 % against the required 50 % (not compliant): 金村 has 12 of its 13 inspections of B, C and D
firms compliant (92.3 %), a warning under the § 三 rule. Another seed plants one such lapse (a cut of
10 %) at a B or C firm it draws.

These draws use their own random stream, so the other tables and the air quality do not change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season import schema

#: Firms of the emergency reduction list per township, by grade (A, leading, B, C, D) [A]. The
#: mountain townships and 川底, 南岭 have none (不涉及); 山河's only firm is A-grade.
FIRMS = {
    "bagong": {"A": 1, "B": 2, "C": 3, "D": 1}, "jincun": {"B": 2, "C": 2, "D": 1},
    "nancun": {"leading": 1, "B": 1, "C": 2}, "zhoucun": {"B": 1, "C": 2, "D": 1},
    "dayang": {"B": 1, "C": 2}, "xiacun": {"C": 2, "D": 1}, "gaodu": {"B": 1, "C": 1},
    "beiyicheng": {"C": 1}, "daji": {"C": 1}, "dadonggou": {"C": 1, "D": 1}, "lichuan": {"C": 1},
    "shanhe": {"A": 1},
}
#: Industries the firms' synthetic names cycle through.
INDUSTRIES = ("铸造", "水泥", "耐材", "化工", "焦化", "砖瓦", "石灰", "涂装")
#: The seed-2020 alerts: (level, first day, days) on the sample's most polluted episodes [A].
ALERTS_2020 = (("yellow", "2020-12-04", 2), ("orange", "2020-12-16", 3), ("orange", "2020-12-25", 3),
               ("yellow", "2021-01-19", 2))
#: Required cut by grade [%]: B and C within the plan's 30–50 % (which end is ours [A]); D stops.
REQUIRED_CUT = {"B": 30.0, "C": 50.0, "D": 100.0}
#: D firms' monthly checks (the 15th of each month from November to March) [A].
D_CHECK_DAYS = ("2020-11-15", "2020-12-15", "2021-01-15", "2021-02-15", "2021-03-15")
#: The seed-2020 shortfall: (township, firm's grade, observed cut [%]) at the first inspection of
#: the township's first firm of that grade.
SAMPLE_2020_SHORTFALL = ("jincun", "C", 20.0)

_GRADE_ORDER = ("A", "leading", "B", "C", "D")


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), 3]))


def _alerts(seed: int, rng: np.random.Generator) -> tuple[tuple[str, str, int], ...]:
    if seed == 2020:
        return ALERTS_2020
    starts = sorted(rng.choice(np.arange(0, 88), size=4, replace=False))  # days from 1 December
    return tuple((str(rng.choice(["yellow", "orange", "orange", "red"])),
                  (pd.Timestamp("2020-12-01") + pd.Timedelta(days=int(s))).strftime("%Y-%m-%d"), 2)
                 for s in starts)


def _firms(tw: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(tw["slug"], tw["name_zh"], strict=True))
    rows, k = [], 0
    for slug in [s for s in tw["slug"] if s in FIRMS]:
        i = 0
        for grade in _GRADE_ORDER:
            for _ in range(FIRMS[slug].get(grade, 0)):
                k += 1
                rows.append({"township": slug, "firm_id": f"YJ-{k:03d}", "grade": grade,
                             "firm": f"{names[slug]}某{INDUSTRIES[(k - 1) % len(INDUSTRIES)]}企业{'甲乙丙丁戊己庚'[i]}（合成）"})
                i += 1
    return pd.DataFrame(rows, columns=["township", "firm_id", "firm", "grade"])


def _inspection(firm: dict, day: str, alert: str, rng: np.random.Generator) -> dict:
    grade = firm["grade"]
    required = REQUIRED_CUT.get(grade, np.nan)
    row = {**firm, "inspected_on": day, "alert_level": alert, "required_cut_pct": required,
           "observed_cut_pct": np.nan, "stopped": "", "compliant": "yes"}
    if grade in ("B", "C"):
        row["observed_cut_pct"] = float(min(100.0, required + rng.integers(0, 16)))
        row["stopped"] = "no"
    elif grade == "D":
        row["stopped"] = "yes"
    else:  # A and leading: their own measures, no figure
        row["compliant"] = ""
    return row


def inspections_table(tw: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``emergency_inspections`` of the real townships in ``tw`` (synthetic townships have none)."""
    rng = _rng(seed)
    alerts = _alerts(seed, rng)
    alert_of = {pd.Timestamp(start) + pd.Timedelta(days=d): level
                for level, start, days in alerts for d in range(days)}
    rows = []
    for firm in _firms(tw).to_dict("records"):
        if firm["grade"] in ("B", "C"):
            picks = sorted(rng.choice(len(alerts), size=2, replace=False))
            days = [(alerts[j][1], alerts[j][0]) for j in picks]
        elif firm["grade"] == "D":
            days = [(d, alert_of.get(pd.Timestamp(d), "none")) for d in D_CHECK_DAYS]
        else:
            level, start, _ = alerts[int(rng.integers(len(alerts)))]
            days = [(start, level)]
        rows += [_inspection(firm, day, level, rng) for day, level in days]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[c.name for c in schema.EMERGENCY_INSPECTIONS.columns])
    frame = frame.sort_values(["firm_id", "inspected_on"], kind="stable").reset_index(drop=True)
    _plant_shortfall(frame, seed, rng)
    for column in ("required_cut_pct", "observed_cut_pct"):  # whole percentages, empty when not given
        frame[column] = frame[column].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    return frame[[c.name for c in schema.EMERGENCY_INSPECTIONS.columns]]


def _plant_shortfall(frame: pd.DataFrame, seed: int, rng: np.random.Generator) -> None:
    """One inspection of a B or C firm finds the cut not carried out (in place): for seed 2020 the
    first inspection of the township's first firm of the grade :data:`SAMPLE_2020_SHORTFALL` names."""
    bc = frame["grade"].isin(["B", "C"])
    if seed == 2020:
        slug, grade, cut = SAMPLE_2020_SHORTFALL
        hit = frame.index[bc & (frame["township"] == slug) & (frame["grade"] == grade)]
    else:
        hit = frame.index[bc]
        hit = hit[[int(rng.integers(len(hit)))]] if len(hit) else hit
        cut = 10.0
    if len(hit):
        frame.loc[hit[0], ["observed_cut_pct", "compliant"]] = [cut, "no"]
