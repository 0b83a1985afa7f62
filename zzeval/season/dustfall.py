"""Checks of the monthly dustfall table (降尘量, plan § 十六): the six months of each season, values that are
not a measurement (0) or not monthly (annual sums), and a township without dustfall in the assessed season
(validate = buildable). The running totals a clerk may enter are :mod:`zzeval.season.clerical`'s."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge_rows
from zzeval.season.parsing import show

#: The judgement check of a township season's dustfall too low to be t/(month·km²) (``season.yaml`` ``confirmed:``).
CHECK_LOW = "dustfall_low"

#: The key of input_limits.csv bounding a township season's median dustfall (both sides; ``dustfall_low`` below).
TOWNSHIP_MEDIAN = "dustfall.township_median"


def check_dustfall_months(dust: pd.DataFrame | None, fname: str, period, out: Collector) -> None:
    """``dustfall``: no month between the previous season and the assessed one (April .. September: it
    would be dropped without a word), and a township with dustfall in a season has all six months of it
    (its mean and months over the 9 t/(month·km²) target would otherwise be taken on the months present):
    a lost sample is a row with the value left empty (缺测: the mean is then over the measured months, and
    the pages say so), never 0, which is refused (hostile review 8A, finding 6).
    A township without any dustfall in the assessed season is named by ``check_buildable``."""
    if dust is None or dust.empty:
        return
    month = dust["month"]
    seasons = (period.previous, period)
    # between the two seasons (April .. September): months before or after both are named by the loader
    between = (month > period.previous.end) & (month < period.start)
    months = " and ".join(f"{p.months()[0]} .. {p.months()[-1]} (season {p.name})" for p in seasons)
    out.rows(fname, "month", between,
             lambda i: f"{month[i]:%Y-%m} is in neither season compared: the months are {months}; correct the year "
                       "or month, or remove the row")
    value = dust["dustfall_t_km2_month"]
    out.rows(fname, "dustfall_t_km2_month", value == 0,
             lambda i: "0 t/(month·km²) is not a measurement (dustfall is weighed after a month of exposure, "
                       "GB/T 15265-1994 gravimetric method, and a month always collects some dust): a lost sample (bucket knocked over, stolen or frozen)? leave the value "
                       "empty: the month is then shown as missing (缺测) and the mean taken over the measured months")
    in_season = np.logical_or.reduce([p.contains(month).to_numpy(dtype=bool) for p in seasons])
    if not out.sums_wait(fname):  # rows without a (known) township or month: the months of a township wait (N25)
        _check_six_months(dust, fname, period, in_season, out)
    _note_lost_samples(dust, fname, in_season, out)


def _check_six_months(dust: pd.DataFrame, fname: str, period, in_season: np.ndarray, out: Collector) -> None:
    """A township with dustfall in a season has all six months of it. Made only once every row names its township
    and month (:meth:`Collector.sums_wait`): a merged township column left rows under a blank township, and the
    clerk was told "township  has 5 of the 6 months … add the missing months" for months that were all there
    (hostile review s14-hostA, N25)."""
    seasons = (period.previous, period)
    named = ~in_season  # already a problem of its own row
    given = dust[~dust["township"].isin(set(dust["township"][named]))]
    for p in seasons:
        wanted = p.months()
        present = given[p.contains(given["month"])]
        have = present.groupby("township")["month"].agg(lambda m: set(m.dt.strftime("%Y-%m")))
        for town, got in have.items():
            missing = [m for m in wanted if m not in got]
            if missing:
                out.add(fname, int(present.index[present["township"] == town][0]) + 2, "month",
                        f"township {show(town)} has dustfall for {len(got)} of the 6 months of the season {p.name}: "
                        f"{', '.join(missing)} missing; its mean and months over the target would be taken on the "
                        "months present: add the missing months' dustfall (t/(month·km²)); for a lost sample, a row "
                        "with the value left empty (the month is then shown as missing, 缺测)"
                        + (", or remove the township's rows of that season (its mean there is then unknown)"
                           if p != period else ""))


def _note_lost_samples(dust: pd.DataFrame, fname: str, in_season: np.ndarray, out: Collector) -> None:
    """One notice for the months of the two seasons whose value is left empty (缺测, a lost sample; issue 13: the
    pages said so, validate did not), counted and the first few named."""
    if (fname, "dustfall_t_km2_month") in out.refused_columns:  # refused for its header's unit: not 缺测 (M1)
        return
    lost = dust["dustfall_t_km2_month"].isna() & in_season & out.readable(fname, dust.index)
    if not lost.any():
        return
    shown = [f"{show(town)} {month:%Y-%m}" for town, month in zip(dust["township"][lost], dust["month"][lost],
                                                                   strict=True)]
    listed = ", ".join(shown[:5]) + (f" and {len(shown) - 5:,} more" if len(shown) > 5 else "")
    out.notes.append(f"{fname}, column 'dustfall_t_km2_month': {len(shown):,} month(s) left empty were read as missing "
                     f"(缺测, a lost sample): {listed}; the reports show them as 缺测 and take the township's season mean "
                     "and highest month over its measured months")


def check_dustfall_scale(dust: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """The median of a township's monthly dustfall in a season above ``dustfall.township_median`` of
    ``input_limits.csv``: the values are annual (12-month) sums entered as monthly ones; below its lower
    limit: the decimal point one place left (7.4 written 0.74) or kg/(m²·month) under the t/(km²·month)
    header (hostile review s12-C, F5), a judgement check (``dustfall_low``; a genuinely clean township's
    season is confirmed)."""
    if dust is None or dust.empty:
        return
    top = input_limit(TOWNSHIP_MEDIAN)
    month = dust["month"]
    season = month.dt.year - (month.dt.month <= 3)
    value = dust["dustfall_t_km2_month"]
    median = value.groupby([dust["township"], season]).transform("median")
    first = ~pd.DataFrame({"township": dust["township"], "season": season}).duplicated() & value.notna()
    out.rows(fname, "dustfall_t_km2_month", first & (median > top),
             lambda i: f"the median monthly dustfall of township {show(dust['township'][i])} in the season from "
                       f"{season[i]:.0f} is {median[i]:.3g} t/(month·km²), above the plausible {top:g} "
                       "(zzeval/reference/input_limits.csv): are these annual (12-month) sums? write each month's "
                       "dustfall in t/(month·km²) (annual ÷ 12)")
    _check_dustfall_low(dust, season, median, first, fname, out)


def low_series(dust: pd.DataFrame) -> pd.Series:
    """Per row: its township's season median below ``dustfall.township_median`` 's lower limit (the
    series :func:`check_dustfall_scale` refuses for their unit; the copy check leaves them out)."""
    month = dust["month"]
    season = month.dt.year - (month.dt.month <= 3)
    value = pd.to_numeric(dust["dustfall_t_km2_month"], errors="coerce")
    return value.groupby([dust["township"], season]).transform("median") < input_floor(TOWNSHIP_MEDIAN)


def _check_dustfall_low(dust: pd.DataFrame, season: pd.Series, median: pd.Series, first: pd.Series, fname: str,
                        out: Collector) -> None:
    low = input_floor(TOWNSHIP_MEDIAN)
    subject = dust["township"].astype(str) + " " + season.map(lambda y: f"{y:.0f}-{y + 1:.0f}")
    other = {(t, s): m for t, s, m in zip(dust["township"], season, median, strict=True)}

    def message(i) -> str:
        town, year = dust["township"][i], season[i]
        then = [f"{other[(town, y)]:.3g} in the season from {y:.0f}" for y in (year - 1, year + 1)
                if (town, y) in other and other[(town, y)] >= low]
        return (f"the median monthly dustfall of township {show(town)} in the season from {year:.0f} is "
                f"{median[i]:.3g} t/(month·km²), below the plausible {low:g} (zzeval/reference/input_limits.csv: "
                "the lowest of Shanxi's 117 counties was 1.5)" + (f"; its median was {', '.join(then)}" if then else "")
                + ": the decimal point one place left (7.4 written 0.74)? or the values in kg/(m²·month) (the "
                "laboratory sheet's unit: 0.0074 kg/(m²·month) = 7.4 t/(month·km²), multiply by 1,000)? write each "
                "month's dustfall in t/(month·km²)")

    judge_rows(out, CHECK_LOW, fname, "dustfall_t_km2_month", first & (median < low), subject, message)


def check_dustfall_measured(tables, fnames, names: dict, period, out: Collector) -> None:
    """Each township of ``names`` (slug: name) has dustfall in the assessed season ``period`` (validate =
    buildable, :func:`zzeval.season.checks.check_buildable`): the reports compare it with the plan's target."""
    dust = tables.get("dustfall")
    if dust is None:
        return
    rows = dust[period.contains(dust["month"])]
    measured = set(rows.loc[rows["dustfall_t_km2_month"].notna(), "township"])
    for slug, name in names.items():
        if slug in measured:
            continue
        empty = rows.index[rows["township"] == slug]
        if len(empty):  # the rows are there, every value left empty: not "no dustfall" (issue 13)
            out.add(fnames["dustfall"], int(empty[0]) + 2, "dustfall_t_km2_month",
                    f"township {name} ({slug}) has {len(empty)} month(s) of the season {period.name} as rows (rows "
                    f"{', '.join(str(int(i) + 2) for i in empty)}), but every dustfall value is empty (缺测, as for a "
                    "lost sample); the reports compare its monthly dustfall with the plan's target and need at least one "
                    "measured month: write the measured values (t/(month·km²)) in these rows (a column lost in the "
                    "export or the copy?)")
        else:
            out.add(fnames["dustfall"], None, "township",
                    f"no dustfall for township {name} ({slug}) in the season {period.name}; the reports compare "
                    "its monthly dustfall with the plan's target: add the monthly values")
