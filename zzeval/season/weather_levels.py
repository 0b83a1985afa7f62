"""A month (or a season) of temperature in °F, or of sea-level pressure, or from a moved weather station (hostile
review s13-hostB, M01b, M02, M15, M16).

December to February of the county's temperature written in °F (winter values of 5-50 "°C" sit inside the range
−50..50 °C; the clerk deleted the two rows above 50 the range check named) moved the county's adjusted change −10.9
→ −18.1 % and a township's −11.4 → −42.5 % (OLS weather model). The bureau's sea-level pressure (海平面气压, +105 hPa
at Zezhou's ~800 m) for a season (M02: −10.9 → +52.0 %) or one month (M16: → −22.2 %) instead of station pressure
(本站气压), or the previous season's rows from a site 250 m higher (M15: −27 hPa, → −22.9 %), stayed within
500–1100 hPa. Nothing compared the level of a weather variable of one source between months, as
:mod:`zzeval.season.wind_months` does for the wind.

For each source (a station's own rows, or the county rows) and each of :data:`COLUMNS`, each calendar month with at
least :data:`LEAST_HOURS` values has its mean. Two months are compared where they are

- the same calendar month of the two seasons (a year apart: genuine differences are the year-to-year anomalies of
  a monthly mean), or
- neighbouring months of one season (the climatological step of a month, a few °C or hPa from October to March),

and a pair whose means differ by ``meteorology.temperature_month_step_c`` (°C) or
``meteorology.pressure_month_step_hpa`` (hPa) or more is a step no weather makes (the genuine extremes, measured on
the samples, the winter generator and Jincheng's real monthly data, are in input_limits.csv). The higher month of
each such pair is the suspect: °F is above °C for any temperature above −40 °C, sea-level pressure above station
pressure at any site above the sea. All of a source's suspect months of a column are refused in one message, a
judgement check (``weather_month_level``, season.yaml ``confirmed:``): a weather station genuinely moved between the
seasons steps the pressure too, and may be kept knowing that the weather adjustment then reads the move as weather
(the default GAM takes pressure only as its 24-hour change, the OLS model as a level).

Checked on rows that hold every row of their stations (a table, or a station-complete Parquet chunk).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.keys import source_months
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a month's level against its neighbours and the other
#: season's same month.
CHECK = "weather_month_level"

#: The fewest values of a month compared (10 days of hours, as wind_months.LEAST_HOURS).
LEAST_HOURS = 240

#: The most pairs of months listed in a message (the rest counted): the list is the evidence, and a longer one
#: crowded out the advice and the confirmation key (hostile review s14-hostB N00).
SHOWN_PAIRS = 2

#: The columns judged, their limit (input_limits.csv) and unit.
COLUMNS = {"temperature_c": ("meteorology.temperature_month_step_c", "°C"),
           "pressure_hpa": ("meteorology.pressure_month_step_hpa", "hPa")}


def _label(year: int, month: int) -> str:
    """A calendar month of the season from ``year`` as 'YYYY-MM'."""
    return f"{int(year) + (int(month) < 7)}-{int(month):02d}"


def _spans(labels: list[str]) -> str:
    """Months 'YYYY-MM' as text, a run of consecutive months as 'first..last' ('2019-10..2020-03, 2021-01')."""
    def index(label: str) -> int:
        return int(label[:4]) * 12 + int(label[5:7]) - 1
    runs: list[list[str]] = []
    for label in sorted(set(labels), key=index):
        if runs and index(label) == index(runs[-1][-1]) + 1:
            runs[-1].append(label)
        else:
            runs.append([label])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}..{run[-1]}" for run in runs)


def _order(month: int) -> int:
    """A month's place in its season (July 0 … June 11): October to March are consecutive."""
    return (int(month) - 7) % 12


def month_means(met: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each source's calendar months (``source``, ``year``: the season's first year, ``month``) with at least
    :data:`LEAST_HOURS` values of ``column``: ``mean``, ``hours`` and ``first`` (the label of its first row)."""
    empty = pd.DataFrame(columns=["source", "year", "month", "mean", "hours", "first"])
    if column not in met or met.empty:
        return empty
    values = pd.to_numeric(met[column], errors="coerce")
    given = values.notna() & met["datetime"].notna()
    if not given.any():
        return empty
    grouped = source_months(met, values, given)
    levels = pd.DataFrame({"mean": grouped["v"].mean(), "hours": grouped.size(), "first": grouped["row"].min()})
    return levels[levels["hours"] >= LEAST_HOURS].reset_index()[list(empty.columns)]


def month_steps(met: pd.DataFrame, column: str) -> pd.DataFrame:
    """The compared pairs of months of each source (module docstring): ``source``, ``kind`` ('same month' or
    'next month'), ``low`` and ``high`` (the labels of the lower and the higher month), ``low_mean``,
    ``high_mean``, ``step`` (their difference, ≥ 0), ``high_year``, ``high_month`` and ``first`` (the higher
    month's first row)."""
    levels = month_means(met, column)
    rows = []
    for code, months in levels.groupby("source", sort=True):
        at = {(int(y), int(m)): r for y, m, r in zip(months["year"], months["month"], months.itertuples(),
                                                     strict=True)}
        pairs = []
        for (year, month) in at:
            if (year + 1, month) in at:
                pairs.append(("same month", (year, month), (year + 1, month)))
            following = (month % 12) + 1
            if _order(following) == _order(month) + 1 and (year, following) in at:
                pairs.append(("next month", (year, month), (year, following)))
        for kind, a, b in pairs:
            low, high = (a, b) if at[a].mean <= at[b].mean else (b, a)
            rows.append({"source": code, "kind": kind, "low": _label(*low), "high": _label(*high),
                         "low_mean": float(at[low].mean), "high_mean": float(at[high].mean),
                         "step": float(at[high].mean - at[low].mean), "high_year": high[0], "high_month": high[1],
                         "first": int(at[high].first)})
    return pd.DataFrame(rows, columns=["source", "kind", "low", "high", "low_mean", "high_mean", "step", "high_year",
                                       "high_month", "first"])


def _cause(column: str, steps: pd.DataFrame) -> str:
    """What the higher months likely hold, for the message."""
    if column == "temperature_c":
        return ("are the higher months in °F (°C × 9/5 + 32)? write them in °C ((°F − 32) × 5/9); a month in tenths "
                "of a degree or with another station's values steps too")
    seasons = steps["kind"].eq("same month").all()  # no month off its neighbours: a step between the seasons
    moved = ("; a step between the seasons in every month is also a weather station moved (about 1 hPa per 9 m "
             "of height) or the other season from another site: correct them, or confirm a genuine move (the weather "
             "adjustment then reads it as weather)") if seasons else ""
    return ("are the higher months sea-level pressure (海平面气压, about 100 hPa above the station pressure 本站气压 "
            f"at 800 m)? write the station pressure{moved}")


def check_weather_month_levels(met: pd.DataFrame, fname: str, out: Collector, named: set | None = None) -> None:
    """Refuse (confirmable) each source's months of temperature or pressure whose mean steps by the column's limit
    or more from a neighbouring month of its season or from the other season's same month (:func:`month_steps`),
    one refusal per source and column naming the higher months and the steps, on the first such month's first
    row. ``named``: the (source, column, 'YYYY-MM') of the months the day-level check
    (:mod:`zzeval.season.weather_days`) named in another unit; a pair with one of them is left out (it would
    name the good month of the pair when the odd one is the lower: hostile review s14-hostB N20, N36)."""
    if met is None or met.empty:
        return
    named = named or set()
    for column, (key, unit) in COLUMNS.items():
        top = input_limit(key)
        steps = month_steps(met, column)
        steps = steps[steps["step"] >= top]
        if named and len(steps):
            off = [(c, column, a) in named or (c, column, b) in named
                   for c, a, b in zip(steps["source"], steps["low"], steps["high"], strict=True)]
            steps = steps[~np.asarray(off, dtype=bool)]
        for code, found in steps.groupby("source", sort=True):
            found = found.sort_values(["first", "kind"])
            suspects = list(dict.fromkeys(found["high"]))
            pairs = [f"{h} {hm:.1f} against {lo} {lm:.1f} {unit} ({kind}, {s:.1f} {unit} higher)"
                     for h, hm, lo, lm, kind, s in zip(found["high"], found["high_mean"], found["low"],
                                                       found["low_mean"], found["kind"], found["step"], strict=True)]
            shown = "; ".join(pairs[:SHOWN_PAIRS]) + (f"; and {len(pairs) - SHOWN_PAIRS} more pair(s)"
                                                       if len(pairs) > SHOWN_PAIRS else "")
            first = int(found.loc[found["high"] == suspects[0], "first"].min())
            message = (f"station '{show(code)}': the monthly mean {column} of {_spans(suspects)} steps from a "
                       f"neighbouring month or the other season's same month by {top:g} {unit} or more (more "
                       f"than weather steps: {key}): "
                       f"{shown}; {_cause(column, found)}")
            judge(out, CHECK, f"{code} {column} {' '.join(suspects)}", (fname, first + 2, column), message)


def largest_steps(met: pd.DataFrame) -> dict:
    """The largest step of each column and kind of pair in ``met`` (for measuring the limits)."""
    found = {}
    for column in COLUMNS:
        steps = month_steps(met, column)
        for kind, part in steps.groupby("kind"):
            found[(column, kind)] = float(np.max(part["step"])) if len(part) else np.nan
    return found
