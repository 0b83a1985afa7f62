"""Checks of ``emergency_inspections`` against plan § 三: the cuts a firm of each performance grade
owes during a heavy-pollution alert, and an inspection row that decides its compliance without
contradicting itself (moved from :mod:`zzeval.season.checks`, unchanged)."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from zzeval.resources import plan_targets

if TYPE_CHECKING:
    from zzeval.season.checks import Collector


@cache
def plan_emergency_cuts() -> dict[str, tuple[float, float]]:
    """The cut plan § 三 sets per performance grade during heavy-pollution alerts [%]:
    ``{"B": (30, 50), "C": (30, 50), "D": (100, 100)}`` (``plan_targets.yaml``, ``emergency_cut_pct``);
    A and leading firms choose their own measures and have no figure."""
    cuts = plan_targets()["emergency_cut_pct"]
    return {grade: (float(v["low"]), float(v["high"])) for grade, v in cuts.items() if grade != "unit"}


def check_emergency_inspections(ei: pd.DataFrame | None, f: str, period, out: Collector) -> None:
    """``emergency_inspections`` (plan § 三): every row of a B, C or D firm decides its compliance
    (``compliant``, or ``stopped``, or for B and C the observed cut) without contradicting itself; B and
    C rows name the alert; required cuts within the plan's (B, C ≥ 30 %; D 100 %); dates in the season."""
    if ei is None or ei.empty:
        return
    cuts = plan_emergency_cuts()
    grade, given = ei["grade"], ei["compliant"].isin(["yes", "no"])
    bc, d = grade.isin(["B", "C"]), grade == "D"
    out.rows(f, "alert_level", bc & ~ei["alert_level"].isin(["yellow", "orange", "red"]),
             lambda i: f"a {grade[i]} firm cuts during a heavy-pollution alert (plan § 三): give the alert in force "
                       "(yellow, orange or red; 黄色/橙色/红色)")
    floor = cuts["B"][0]
    out.rows(f, "required_cut_pct", bc & (ei["required_cut_pct"] < floor),
             lambda i: f"{ei['required_cut_pct'][i]:g} % is below the {floor:g} % the plan sets for B and C firms "
                       f"(plan § 三: {floor:g}–{cuts['B'][1]:g} %); check the emergency reduction list")
    out.rows(f, "required_cut_pct", d & ei["required_cut_pct"].notna() & (ei["required_cut_pct"] != cuts["D"][0]),
             lambda i: f"D firms stop all season (plan § 三: {cuts['D'][0]:g} %), not {ei['required_cut_pct'][i]:g} %; "
                       "write 100 or leave it empty")
    out.rows(f, "compliant", d & ~given & ~ei["stopped"].isin(["yes", "no"]),
             "a D firm's inspection needs stopped (yes/no) or compliant (yes/no)")
    out.rows(f, "compliant", bc & ~given & (ei["stopped"] != "yes") & ei["observed_cut_pct"].isna(),
             lambda i: f"a {grade[i]} firm's inspection needs compliant (yes/no), stopped = yes or the observed cut")
    out.rows(f, "compliant", d & (ei["compliant"] == "yes") & (ei["stopped"] == "no"),
             "compliant = yes but stopped = no: a D firm must be stopped all season (plan § 三)")
    required = ei["required_cut_pct"].fillna(floor)
    short = bc & (ei["compliant"] == "yes") & (ei["observed_cut_pct"] < required)
    out.rows(f, "compliant", short,
             lambda i: f"compliant = yes but the observed cut {ei['observed_cut_pct'][i]:g} % is below the required "
                       f"{required[i]:g} %; correct one of them")
    if period is not None:
        day = ei["inspected_on"]
        outside = day.notna() & ~period.contains(day)
        out.rows(f, "inspected_on", outside,
                 lambda i: f"{day[i]:%Y-%m-%d} lies outside the season assessed ({period.start:%Y-%m-%d} .. "
                           f"{period.end:%Y-%m-%d}); keep only this season's inspections")
