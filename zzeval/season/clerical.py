"""Clerical mistakes that read as valid values but change the published numbers (issue 13, final
review W1, W2, W5, W6; review 6b): dustfall entered as the season's or the calendar year's running
total, observed emergency cuts written as fractions, one firm's freight (or one of its columns) in 万t,
and freight written the wrong way round on every row. Each is a judgement check: a clerk who checked
the values names them under ``confirmed:`` in ``season.yaml`` (:mod:`zzeval.season.confirm`).

Each check looks at a whole township, season or table, where the mistake leaves a pattern a genuine
table does not have; single values are checked elsewhere (schema limits, :mod:`zzeval.season.plausible`).
The thresholds are data: ``zzeval/reference/input_limits.csv`` (value, unit, basis and source per row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge, judge_rows
from zzeval.season.dustfall_copy import check_dustfall_copied
from zzeval.season.parsing import show
from zzeval.season.sheet_copy import check_sheets_copied

#: Months of a season (October .. March) whose values a running total accumulates.
SEASON_MONTHS = 6

#: The key of input_limits.csv: the largest observed cut [%] read as a fraction (``cut_fractions``).
CUT_FRACTION_LIMIT = "emergency_inspections.observed_cut_fraction"

#: The key of input_limits.csv: the least share of a township's B and C cuts at fractions for it to be judged.
CUT_FRACTION_SHARE = "emergency_inspections.observed_cut_fraction_share"


def check_clerical(tables: dict, fnames: dict, out: Collector) -> None:
    """Run every check of this module on the tables read (``tables``: table name -> frame)."""
    check_dustfall_running_total(tables.get("dustfall"), fnames.get("dustfall", "dustfall.csv"), out)
    check_dustfall_copied(tables.get("dustfall"), fnames.get("dustfall", "dustfall.csv"), out)
    check_sheets_copied(tables, fnames, out)
    check_cut_fractions(tables.get("emergency_inspections"),
                        fnames.get("emergency_inspections", "emergency_inspections.csv"), out)
    freight, fname = tables.get("freight"), fnames.get("freight", "freight.csv")
    check_freight_scale(freight, fname, out)
    check_freight_ceiling(freight, fname, out)
    check_freight_reversed(freight, fname, out)
    check_im_all_passed(tables.get("tasks"), fnames.get("tasks", "tasks.csv"), out)


def check_dustfall_running_total(dust: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """A township's six months of a season that never fall (each at least the month before), the last at
    least ``dustfall.running_total_ratio`` times the first: the values are the season's running total
    (each month = the sum so far), not each month's dustfall. A running total of six months of similar
    dustfall ends near 6 times its first month (4.5 times when the later months average 70 % of the
    first; a month with nothing new repeats the month before, review 6b finding 11); genuine monthly
    dustfall goes up and down with the weather (snow, wind) and may rise to the spring dust (4.1 ... 13.0,
    3.2 times, passes), but not 4.5-fold step by step through a winter. Also the calendar year's running
    totals (1-N月累计, :func:`_year_to_date`). Judgement checks (:mod:`zzeval.season.confirm`)."""
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
        listed = ", ".join(f"{v:g}" for v in values)
        subject = f"{town} {year:.0f}-{year + 1:.0f}"
        where = (fname, int(part.index[0]) + 2, "dustfall_t_km2_month")
        rising = bool(np.all(np.diff(values) >= 0))
        if rising and values[0] > 0 and values[-1] >= ratio * values[0]:
            judge(out, "dustfall_running_total", subject, where,
                  f"township {show(town)}, season from {year:.0f}: the six months never fall ({listed} "
                  f"t/(month·km²)), the last {values[-1] / values[0]:.1f} times the first (a running total ends "
                  f"near 6 times, at least {ratio:g} here, zzeval/reference/input_limits.csv): are these the "
                  "season's running totals (each month = the sum so far)? write each month's own dustfall (this "
                  "month's total minus last month's)")
        elif _year_to_date(values):
            judge(out, "dustfall_year_to_date", subject, (fname, int(part.index[3]) + 2, where[2]),
                  f"township {show(town)}, season from {year:.0f}: {listed} t/(month·km²): October to December "
                  f"rise, January falls to {values[3]:g} (December at least "
                  f"{input_floor('dustfall.year_to_date_drop'):g} times January) and January to March rise again "
                  f"(March at least {input_floor('dustfall.year_to_date_rise'):g} times January; "
                  "zzeval/reference/input_limits.csv): are these the calendar year's running totals (1-N月累计, "
                  "restarting in January)? write each month's own dustfall (this month's total minus last "
                  "month's; January as it is)")


def _year_to_date(values: np.ndarray) -> bool:
    """Six months October .. March as the calendar year's running totals (1-N月累计, the usual form of
    Chinese monthly statistics): October to December never fall, January to March never fall and March
    is at least ``dustfall.year_to_date_rise`` times January, and December is at least
    ``dustfall.year_to_date_drop`` times January (the total restarts in January; review 6b finding 1)."""
    drop, rise = input_floor("dustfall.year_to_date_drop"), input_floor("dustfall.year_to_date_rise")
    autumn, spring = values[:3], values[3:]
    return bool(np.all(np.diff(autumn) >= 0) and np.all(np.diff(spring) >= 0) and spring[0] > 0
                and autumn[-1] >= drop * spring[0] and spring[-1] >= rise * spring[0])


def check_cut_fractions(ei: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """``emergency_inspections``: a township whose B and C rows with an observed cut hold at least
    ``emergency_inspections.observed_cut_fraction_share`` (half) rows with an observed cut above 0 and at
    most ``emergency_inspections.observed_cut_fraction`` (1) while 30 % or more was required (plan § 三):
    those cuts are fractions (an Excel percent cell, 0.35 for 35 %), named row by row. Judged per township,
    so one row left in percent does not hide the rest. With ``compliant`` left empty the observed cut
    decides, and every such inspection would count as failed."""
    if ei is None or ei.empty:
        return
    top = input_limit(CUT_FRACTION_LIMIT)
    share = input_floor(CUT_FRACTION_SHARE)
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

    judge_rows(out, "cut_fractions", fname, "observed_cut_pct", fraction & town.isin(flagged), town, message)


#: The tonnage columns of ``freight`` [t/yr].
TONNAGES = ("road_t_before", "rail_t_before", "road_t_after", "rail_t_after")


def check_freight_scale(fr: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """``freight`` in 万t (10,000 t), 150 for 1,500,000 t/yr: the firm's shift to rail would count 10,000
    times too little. Refused (judgement checks, :mod:`zzeval.season.confirm`: a genuine small firm is
    confirmed by name):

    * a row whose tonnage (the larger of its totals before and after, road + rail) is above 0 but below
      ``freight.row_tonnes`` t/yr, or below ``freight.row_share_of_median`` of the median row's (3 rows
      or more): the whole row in 万t;
    * otherwise one of the four tonnage columns above 0 but below the same floor, or below the same share
      of its column's median (3 rows or more above 0), while the other mode (road or rail) of the row
      moves at least ``freight.other_mode_tonnes`` t/yr: that column in 万t (review 6b finding 3: road
      150 / 35 beside rail 600,000 / 1,750,000 t/yr passed the row total).

    Not caught: a whole row in 万t of a firm above 5 Mt/yr (500 万t) that is below twice the median row."""
    if fr is None or fr.empty or not set(TONNAGES) <= set(fr):
        return
    floor, share = input_floor("freight.row_tonnes"), input_floor("freight.row_share_of_median")
    total, median = _row_totals(fr)
    small = (total > 0) & ((total < floor) | (total < share * median))
    def message(i) -> str:
        below = (f"below {floor:,.0f} t/yr" if total[i] < floor
                 else f"below 1/{1 / share:,.0f} of the median row's {median:,.0f} t/yr")
        return (f"{show(fr['enterprise'][i])} ({fr['cargo'][i]}) moves {total[i]:,.6g} t/yr in all, {below} "
                "(zzeval/reference/input_limits.csv): are the tonnages in 万t? write tonnes per year (万t × 10,000) "
                "in all four columns")

    judge_rows(out, "freight_scale", fname, "road_t_before", small, fr["enterprise"], message)
    cells = _wan_t_cells(fr, floor, share).mul(~small, axis=0)  # a whole row in 万t is named above
    def cell_message(i) -> str:
        columns = [c for c in TONNAGES if cells.loc[i, c]]
        mode = columns[0].split("_")[0]
        other = "rail" if mode == "road" else "road"
        shown = " and ".join(f"{c} {fr[c][i]:,.6g}" for c in columns)
        return (f"{show(fr['enterprise'][i])} ({fr['cargo'][i]}): {shown} t/yr beside {other} "
                f"{fr[f'{other}_t_before'][i]:,.0f} → {fr[f'{other}_t_after'][i]:,.0f} t/yr, below {floor:,.0f} "
                f"t/yr or 1/{1 / share:,.0f} of the column's median (zzeval/reference/input_limits.csv): "
                f"{'is this column' if len(columns) == 1 else 'are these columns'} in 万t? write tonnes per year "
                f"(万t × 10,000: {', '.join(f'{fr[c][i] * 10_000:,.0f}' for c in columns)})")

    first = cells.idxmax(axis=1).where(cells.any(axis=1))
    for column in TONNAGES:  # each row named at its first column in 万t
        judge_rows(out, "freight_scale", fname, column, first == column, fr["enterprise"], cell_message)


def _row_totals(fr: pd.DataFrame) -> tuple[pd.Series, float]:
    """Each freight row's tonnage [t/yr] (the larger of its totals before and after, road + rail) and the
    median of the rows above 0 (NaN with fewer than 3 such rows)."""
    total = pd.concat([fr["road_t_before"] + fr["rail_t_before"], fr["road_t_after"] + fr["rail_t_after"]],
                      axis=1).max(axis=1)
    median = float(total[total > 0].median()) if (total > 0).sum() >= 3 else np.nan
    return total, median


def check_freight_ceiling(fr: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """``freight`` in kg (a weighbridge 地磅 export), 1,500,000,000 for 1,500,000 t/yr: the firm's shift to
    rail would count 1,000 times too much (hostile review 8A finding 17: the county's road-to-rail PM2.5 cut
    0.14 -> 74 t). The counterpart of :func:`check_freight_scale`'s 万t floor: a row whose tonnage is above
    ``freight.row_tonnes``'s ceiling (more than any single coal mine in China produces) or above
    ``freight.row_share_of_median``'s ceiling times the median row (3 rows or more) is refused as
    ``freight_scale`` (a judgement check: a genuine giant is confirmed by name, :mod:`zzeval.season.confirm`).
    Not caught: a firm in kg whose tonnes are below both bounds (under 1/10 of the median row's and under
    100,000 t/yr), or one column in kg that leaves the row under both."""
    if fr is None or fr.empty or not set(TONNAGES) <= set(fr):
        return
    ceiling, times = input_limit("freight.row_tonnes"), input_limit("freight.row_share_of_median")
    total, median = _row_totals(fr)
    large = (total > ceiling) | (total > times * median)
    def message(i) -> str:
        above = (f"above {ceiling:,.0f} t/yr (more than any single coal mine in China produces)" if total[i] > ceiling
                 else f"{total[i] / median:,.0f} times the median row's {median:,.0f} t/yr (at most {times:g} times)")
        meant = ", ".join(f"{c} {f'{fr[c][i] / 1000:,.3f}'.rstrip('0').rstrip('.')}" for c in TONNAGES)
        return (f"{show(fr['enterprise'][i])} ({fr['cargo'][i]}) moves {total[i]:,.0f} t/yr in all, {above} "
                f"(zzeval/reference/input_limits.csv): are the tonnages in kg (weighbridge records)? write tonnes per "
                f"year (kg ÷ 1,000) in all four columns, i.e. {meant} (t/yr: the values written ÷ 1,000)")

    judge_rows(out, "freight_scale", fname, "road_t_before", large, fr["enterprise"], message)


def _wan_t_cells(fr: pd.DataFrame, floor: float, share: float) -> pd.DataFrame:
    """Per tonnage column, the cells above 0 but below ``floor`` or ``share`` of the column's median (3
    non-zero values or more) in a row whose other mode moves at least ``freight.other_mode_tonnes``."""
    big = input_floor("freight.other_mode_tonnes")
    mode_max = {mode: fr[[f"{mode}_t_before", f"{mode}_t_after"]].max(axis=1) for mode in ("road", "rail")}
    cells = {}
    for column in TONNAGES:
        value, mode = fr[column], column.split("_")[0]
        given = value[value > 0]
        median = float(given.median()) if len(given) >= 3 else np.nan
        other = mode_max["rail" if mode == "road" else "road"]
        cells[column] = (value > 0) & ((value < floor) | (value < share * median)) & (other >= big)
    return pd.DataFrame(cells, index=fr.index)


def check_freight_reversed(fr: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Every ``freight`` row that shifts at all (2 rows or more; a firm with the same tonnes before and
    after, its siding not built yet, is left out) moving freight from rail to road: road tonnes up and
    rail tonnes down. The plan (§ 十一) shifts bulk freight from road to rail; a shift the wrong way in
    every firm is before and after swapped, or road and rail swapped: the rail share would fall and the
    freight reduction be 0 t. Refused (a genuine reverse shift in one firm, or in some, passes; a table
    where every firm genuinely moved back to road is confirmed as ``freight_reversed: [all]``)."""
    if fr is None or len(fr) < 2 or not set(TONNAGES) <= set(fr):
        return
    reverse = (fr["road_t_after"] > fr["road_t_before"]) & (fr["rail_t_after"] < fr["rail_t_before"])
    shifts = (fr["road_t_after"] != fr["road_t_before"]) | (fr["rail_t_after"] != fr["rail_t_before"])
    if shifts.sum() < 2 or not reverse[shifts].all():
        return
    first, still = fr.index[shifts][0], int((~shifts).sum())
    rows = f"{shifts.sum()} rows that shift ({still} row(s) with the same tonnes before and after left out)" \
        if still else f"{len(fr)} rows"
    judge(out, "freight_reversed", "all", (fname, int(first) + 2, "road_t_after"),
          f"every one of the {rows} moves freight from rail to road (road tonnes rise, rail tonnes fall; "
          f"e.g. {show(fr['enterprise'][first])}: road {fr['road_t_before'][first]:,.0f} → "
          f"{fr['road_t_after'][first]:,.0f} t/yr, rail {fr['rail_t_before'][first]:,.0f} → "
          f"{fr['rail_t_after'][first]:,.0f} t/yr): are the columns before and after, or road and rail, swapped? "
          "'before' is the year before the shift (公转铁), and a firm whose siding entered service carries more by "
          "rail after it; swap the columns back (every firm really moving back to road: see 'freight' in "
          "data/README.md)")


def check_im_all_passed(tk: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Every township with at least ``tasks.im_all_passed_min_tests`` I/M tests, and at least
    ``tasks.im_all_passed_townships`` of them, with ``im_passes`` equal to ``im_tests``: the passes column
    copied from the tests column (hostile review s13-hostA C16: the pass rate became 100 % everywhere and the
    I/M task flipped to met). Diesel I/M tests fail some vehicles: data/sample's 17 townships (109-1,000+
    tests each) and zzeval sample's seeds 0..11 and 2020 (3 and 17 townships) pass 84.5-96.9 %, never all;
    a small township's few tests may all pass and are left out. Confirmable (``im_all_passed: [all]``)."""
    if tk is None or tk.empty or not {"im_tests", "im_passes"} <= set(tk):
        return
    big = tk[tk["im_tests"] >= input_floor("tasks.im_all_passed_min_tests")]
    if len(big) < input_floor("tasks.im_all_passed_townships") or not (big["im_passes"] == big["im_tests"]).all():
        check_im_township_all_passed(tk, fname, out)
        return
    first = big.index[0]
    judge(out, "im_all_passed", "all", (fname, int(first) + 2, "im_passes"),
          f"im_passes equals im_tests in every one of the {len(big)} townships with at least "
          f"{input_floor('tasks.im_all_passed_min_tests'):,.0f} tests (e.g. {show(tk['township'][first])}: "
          f"{tk['im_passes'][first]:,.0f} of {tk['im_tests'][first]:,.0f}): not one vehicle failed, an I/M pass rate "
          "of 100 % everywhere. Is the passes column a copy of the tests column? write the tests passed (合格数) "
          "from the I/M station's records")


def check_im_township_all_passed(tk: pd.DataFrame, fname: str, out: Collector) -> None:
    """A township with at least ``tasks.im_township_all_passed_min_tests`` I/M tests whose ``im_passes`` equal
    its ``im_tests`` (the whole-table copy is :func:`check_im_all_passed`): the passes of some townships copied
    from their tests (hostile review s14-hostA, N08: two of three townships copied, the third genuine, passed
    silently; nancun's I/M task flipped from 未达 90 % to 完成). Assumes every vehicle passes a test
    independently at a rate of at most about 97 %: data/sample's 17 townships pass 87.6-96.9 %, zzeval sample's
    tables for seeds 0..29 and 2020 with 3, 17 and 40 townships (1,860 township rows, 106-4,039 tests) 83.9-96.9 %,
    never all; at 97 %, 200 tests all pass with probability 0.97^200 = 0.2 %. Confirmable per township
    (``im_township_all_passed: [nancun]``)."""
    least = input_floor("tasks.im_township_all_passed_min_tests")
    mask = (tk["im_tests"] >= least) & (tk["im_passes"] == tk["im_tests"])
    judge_rows(out, "im_township_all_passed", fname, "im_passes", mask, tk["township"].astype(str), lambda i: (
        f"im_passes equals im_tests ({tk['im_tests'][i]:,.0f}) in township {show(tk['township'][i])}: not one "
        f"vehicle of {tk['im_tests'][i]:,.0f} failed its I/M test, a pass rate of 100 % (diesel I/M tests fail some "
        f"vehicles, and a township of {least:,.0f} tests or more with none failed is improbable). Is the cell a copy "
        "of the tests cell? write the tests passed (合格数) from the I/M station's records"))
