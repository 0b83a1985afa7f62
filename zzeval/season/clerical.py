"""Clerical mistakes that read as valid values but change the published numbers (issue 13, final
review W1, W2, W5, W6): dustfall entered as the season's running total, observed emergency cuts
written as fractions, one firm's freight in 万t, and freight written the wrong way round on every row.

Each check looks at a whole township, season or table, where the mistake leaves a pattern a genuine
table does not have; single values are checked elsewhere (schema limits, :mod:`zzeval.season.plausible`).
The thresholds are data: ``zzeval/reference/input_limits.csv`` (value, unit, basis and source per row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector
from zzeval.season.parsing import show

#: Months of a season (October .. March) whose values a running total accumulates.
SEASON_MONTHS = 6


def check_clerical(tables: dict, fnames: dict, out: Collector) -> None:
    """Run every check of this module on the tables read (``tables``: table name -> frame)."""
    check_dustfall_running_total(tables.get("dustfall"), fnames.get("dustfall", "dustfall.csv"), out)
    check_cut_fractions(tables.get("emergency_inspections"),
                        fnames.get("emergency_inspections", "emergency_inspections.csv"), out)
    freight, fname = tables.get("freight"), fnames.get("freight", "freight.csv")
    check_freight_scale(freight, fname, out)
    check_freight_reversed(freight, fname, out)


def check_dustfall_running_total(dust: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """A township's six months of a season, each strictly above the month before, the last at least
    ``dustfall.running_total_ratio`` times the first: the values are the season's running total (each
    month = the sum so far), not each month's dustfall. A running total of six months of similar
    dustfall ends near 6 times its first month (4.5 times when the later months average 70 % of the
    first); genuine monthly dustfall goes up and down with the weather (snow, wind) and may rise to the
    spring dust (4.1 ... 13.0, 3.2 times, passes), but not 4.5-fold step by step through a winter."""
    if dust is None or dust.empty:
        return
    ratio = input_floor("dustfall.running_total_ratio")
    month = dust["month"]
    season = month.dt.year - (month.dt.month <= 3)
    ordered = dust.assign(_season=season).dropna(subset=["month", "dustfall_t_km2_month"])
    ordered = ordered.sort_values("month", kind="stable")
    for (town, year), part in ordered.groupby(["township", "_season"], sort=False):
        values = part["dustfall_t_km2_month"].to_numpy(dtype=float)
        if len(values) != SEASON_MONTHS or part["month"].duplicated().any():
            continue
        rising = bool(np.all(np.diff(values) > 0))
        if rising and values[0] > 0 and values[-1] >= ratio * values[0]:
            listed = ", ".join(f"{v:g}" for v in values)
            out.add(fname, int(part.index[0]) + 2, "dustfall_t_km2_month",
                    f"township {show(town)}, season from {year:.0f}: the six months rise every month ({listed} "
                    f"t/(month·km²)), the last {values[-1] / values[0]:.1f} times the first (a running total ends "
                    f"near 6 times, at least {ratio:g} here, zzeval/reference/input_limits.csv): are these the "
                    "season's running totals (each month = the sum so far)? write each month's own dustfall (this "
                    "month's total minus last month's)")


def check_cut_fractions(ei: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """``emergency_inspections``: a township whose B and C rows with an observed cut hold at least
    ``emergency_inspections.observed_cut_fraction_share`` (half) rows with an observed cut above 0 and at
    most ``emergency_inspections.observed_cut_fraction`` (1) while 30 % or more was required (plan § 三):
    those cuts are fractions (an Excel percent cell, 0.35 for 35 %), named row by row. Judged per township,
    so one row left in percent does not hide the rest. With ``compliant`` left empty the observed cut
    decides, and every such inspection would count as failed."""
    if ei is None or ei.empty:
        return
    top = input_limit("emergency_inspections.observed_cut_fraction")
    share = input_floor("emergency_inspections.observed_cut_fraction_share")
    observed, required = ei["observed_cut_pct"], ei["required_cut_pct"]
    given = ei["grade"].isin(["B", "C"]) & observed.notna()
    fraction = given & (observed > 0) & (observed <= top) & (required >= 30)
    if not fraction.any():
        return
    town = ei["township"].astype(str)
    counts = pd.DataFrame({"given": given, "fraction": fraction}).groupby(town[given]).sum()
    flagged = counts.index[counts["fraction"] >= share * counts["given"]]
    def message(i) -> str:
        n, of = counts.loc[town[i], "fraction"], counts.loc[town[i], "given"]
        return (f"township {show(town[i])}: observed cut {observed[i]:g} % while {required[i]:g} % was required, "
                f"and {n:.0f} of its {of:.0f} B and C rows with a cut are above 0 and at most {top:g} % "
                f"(zzeval/reference/input_limits.csv): these are fractions (an Excel percent cell); write percent, "
                f"{observed[i] * 100:g} not {observed[i]:g}")

    out.rows(fname, "observed_cut_pct", fraction & town.isin(flagged), message)


#: The tonnage columns of ``freight`` [t/yr].
TONNAGES = ("road_t_before", "rail_t_before", "road_t_after", "rail_t_after")


def check_freight_scale(fr: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """A ``freight`` row whose tonnage (the larger of its totals before and after, road + rail) is above 0
    but below ``freight.row_tonnes`` t/yr, or below ``freight.row_share_of_median`` of the median row's
    (with 3 rows or more): the row is in 万t (10,000 t), 150 for 1,500,000 t/yr; the firm's shift to rail
    would count 10,000 times too little."""
    if fr is None or fr.empty or not set(TONNAGES) <= set(fr):
        return
    floor, share = input_floor("freight.row_tonnes"), input_floor("freight.row_share_of_median")
    total = pd.concat([fr["road_t_before"] + fr["rail_t_before"], fr["road_t_after"] + fr["rail_t_after"]],
                      axis=1).max(axis=1)
    median = float(total[total > 0].median()) if (total > 0).sum() >= 3 else np.nan
    small = (total > 0) & ((total < floor) | (total < share * median))
    def message(i) -> str:
        below = (f"below {floor:,.0f} t/yr" if total[i] < floor
                 else f"below {share:g} of the median row's {median:,.0f} t/yr")
        return (f"{show(fr['enterprise'][i])} ({fr['cargo'][i]}) moves {total[i]:,.6g} t/yr in all, {below} "
                "(zzeval/reference/input_limits.csv): are the tonnages in 万t? write tonnes per year (万t × 10,000) "
                "in all four columns")

    out.rows(fname, "road_t_before", small, message)


def check_freight_reversed(fr: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Every ``freight`` row that shifts at all (2 rows or more; a firm with the same tonnes before and
    after, its siding not built yet, is left out) moving freight from rail to road: road tonnes up and
    rail tonnes down. The plan (§ 十一) shifts bulk freight from road to rail; a shift the wrong way in
    every firm is before and after swapped, or road and rail swapped: the rail share would fall and the
    freight reduction be 0 t. Refused (a genuine reverse shift in one firm, or in some, passes)."""
    if fr is None or len(fr) < 2 or not set(TONNAGES) <= set(fr):
        return
    reverse = (fr["road_t_after"] > fr["road_t_before"]) & (fr["rail_t_after"] < fr["rail_t_before"])
    shifts = (fr["road_t_after"] != fr["road_t_before"]) | (fr["rail_t_after"] != fr["rail_t_before"])
    if shifts.sum() < 2 or not reverse[shifts].all():
        return
    first, still = fr.index[shifts][0], int((~shifts).sum())
    rows = f"{shifts.sum()} rows that shift ({still} row(s) with the same tonnes before and after left out)" \
        if still else f"{len(fr)} rows"
    out.add(fname, int(first) + 2, "road_t_after",
            f"every one of the {rows} moves freight from rail to road (road tonnes rise, rail tonnes fall; "
            f"e.g. {show(fr['enterprise'][first])}: road {fr['road_t_before'][first]:,.0f} → "
            f"{fr['road_t_after'][first]:,.0f} t/yr, rail {fr['rail_t_before'][first]:,.0f} → "
            f"{fr['rail_t_after'][first]:,.0f} t/yr): are the columns before and after, or road and rail, swapped? "
            "'before' is the year before the shift (公转铁), and a firm whose siding entered service carries more by "
            "rail after it; swap the columns back. If the figures are genuine (every firm really moved back to road), "
            "see 'freight' in data/README.md")
