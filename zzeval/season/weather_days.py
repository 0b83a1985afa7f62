"""Days of temperature or pressure in another unit: a run of days whose level steps from the days around it
(hostile review s14-hostB N01, N06, N06d, N20, N20b, N36).

The month check (:mod:`zzeval.season.weather_levels`) compares monthly means, so part of a month in another unit
was missed (16 December to 15 February in °F: only January named; the clerk who converted the whole of the months
named then wrote 1-15 December's genuine °C as if °F, and validate passed), and it named the *higher* months of a
step, the good months when the odd month was the low one (February in mmHg, January in tenths of a degree). This
check works on days:

- each source's (a station's, or the county rows') day means of :data:`COLUMNS` (days with at least
  :data:`DAY_HOURS` values), season by season;
- at each day, the mean of the ``meteorology.day_step_window_days`` days from it against the mean of as many days
  before it (at least :data:`WINDOW_LEAST_DAYS` days on each side); a step of the column's limit
  (``meteorology.temperature_day_step_c``, ``meteorology.pressure_day_step_hpa``) or more is a change no weather
  makes in a week's mean (the genuine extremes, measured on the samples and the winter generator, are in
  input_limits.csv); the day of the largest step of a run of such days is a *change day*;
- a run of days entered by a step up and left by a step down (or the reverse), or a season's first or last days
  up to a change day when they are the shorter part, is named as *off*, with the unit whose conversion brings
  its level and daily range back to the days around it (:data:`UNITS`: °F, tenths of a degree; mmHg, sea-level
  pressure); a change day that bounds no such run is named by itself;
- a day whose temperatures span ``meteorology.temperature_day_range_c`` or more (the genuine daily ranges are a
  few °C to under 20) is in tenths of a degree or mixes units: those days outside the runs named are named by
  their first and last day (the clerk who deleted the rows out of range of a January in tenths left the hours
  within ±5 °C, whose ×10 values stay within range: s14-hostB N20b).

One judgement check (``weather_day_level``, season.yaml ``confirmed:``): a run's subject is its source, column
and days as written ('county temperature_c 2020-12-16..2021-02-15'). The months of a run named here are left out
of the month check. Checked on rows that hold every row of their stations (a table, or a station-complete Parquet
chunk).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge
from zzeval.season.keys import source_seasons
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a run of days against the days around it.
CHECK = "weather_day_level"

#: The fewest values of a day whose mean is used (half its hours).
DAY_HOURS = 12

#: The fewest days with a mean on each side of a day compared.
WINDOW_LEAST_DAYS = 3

#: The columns judged, their limit of a week's step (input_limits.csv) and unit.
COLUMNS = {"temperature_c": ("meteorology.temperature_day_step_c", "°C"),
           "pressure_hpa": ("meteorology.pressure_day_step_hpa", "hPa")}

#: The unit errors recognised, per column: name, the conversion back (applied to the day means and ranges) and
#: what to write. Conversions: °F to °C ((°F − 32) ÷ 1.8); tenths of a degree (the CMA's raw integers) ÷ 10;
#: mmHg × 1.33322 (1 mmHg = 133.322 Pa); sea-level pressure (海平面气压) about 100 hPa above the station pressure
#: (本站气压) at Zezhou's ~800 m.
UNITS: dict[str, list[tuple[str, Callable[[float], float], float, str]]] = {
    "temperature_c": [
        ("°F", lambda x: (x - 32) / 1.8, 1 / 1.8, "in °F? write them in °C: (°F − 32) ÷ 1.8"),
        ("tenths of a degree", lambda x: x / 10, 0.1, "in tenths of a degree (the CMA's raw integers)? write them "
                                                      "in °C: divide them by 10")],
    "pressure_hpa": [
        ("mmHg", lambda x: x * 1.33322, 1.33322, "in mmHg (a barometer sheet)? write them in hPa: multiply "
                                                 "them by 1.333"),
        ("sea-level pressure", lambda x: x - 100, 1.0, "sea-level pressure (海平面气压, about 100 hPa above the "
                                                       "station pressure 本站气压 at 800 m)? write the station "
                                                       "pressure")],
}


def day_levels(met: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each source's days with at least :data:`DAY_HOURS` values of ``column``: ``source``, ``year`` (the
    season's first year), ``day``, ``mean``, ``low``, ``high`` (the day's lowest and highest value) and
    ``first`` (the row label of its first row)."""
    names = ["source", "year", "day", "mean", "low", "high", "first"]
    if column not in met or met.empty:
        return pd.DataFrame(columns=names)
    values = pd.to_numeric(met[column], errors="coerce")
    given = values.notna() & met["datetime"].notna()
    if not given.any():
        return pd.DataFrame(columns=names)
    part = source_seasons(met, values, given)
    part["day"] = pd.DatetimeIndex(met.loc[given, "datetime"]).normalize()
    part["row"] = part.index
    grouped = part.groupby(["source", "year", "day"], sort=True)
    days = pd.DataFrame({"mean": grouped["v"].mean(), "low": grouped["v"].min(), "high": grouped["v"].max(),
                         "n": grouped.size(), "first": grouped["row"].min()})
    return days[days["n"] >= DAY_HOURS].reset_index()[names]


def day_steps(days: pd.DataFrame, window: int) -> pd.Series:
    """For one source's season (``days`` indexed by day, ``mean``): at each day the mean of the ``window`` days
    from it less the mean of the ``window`` days before it (NaN with fewer than :data:`WINDOW_LEAST_DAYS` days
    on a side)."""
    full = days["mean"].asfreq("D")
    present = full.notna().astype(float)
    sums = full.fillna(0.0)
    after_sum = sums[::-1].rolling(window, min_periods=1).sum()[::-1]
    after_n = present[::-1].rolling(window, min_periods=1).sum()[::-1]
    before_sum = sums.shift(1).rolling(window, min_periods=1).sum()
    before_n = present.shift(1).rolling(window, min_periods=1).sum()
    ok = (after_n >= WINDOW_LEAST_DAYS) & (before_n >= WINDOW_LEAST_DAYS)
    step = (after_sum / after_n.where(ok)) - (before_sum / before_n.where(ok))
    return step.reindex(days.index)


def change_days(step: pd.Series, top: float) -> list[tuple[pd.Timestamp, float]]:
    """The change days of a season's ``step`` (:func:`day_steps`): the day of the largest step of each run of
    consecutive days stepping by ``top`` or more in one direction."""
    found = []
    big = step.abs() >= top
    run: list[pd.Timestamp] = []
    for day in step.index:
        if big.get(day, False) and (not run or (np.sign(step[day]) == np.sign(step[run[-1]])
                                                and (day - run[-1]).days <= 1)):
            run.append(day)
            continue
        if run:
            found.append(max(run, key=lambda d: abs(step[d])))
        run = [day] if big.get(day, False) else []
    if run:
        found.append(max(run, key=lambda d: abs(step[d])))
    return [(d, float(step[d])) for d in found]


def off_runs(days: pd.DataFrame, changes: list[tuple[pd.Timestamp, float]]) -> tuple[list, list]:
    """The runs of days named off (first day, last day, direction +1 higher / −1 lower) between the ``changes``
    of one source's season (``days`` indexed by day), and the change days that bound none of them."""
    if not changes:
        return [], []
    start, end = days.index.min(), days.index.max()
    half = (end - start).days / 2
    one = pd.Timedelta(days=1)
    runs, used = [], set()
    for k in range(1, len(changes)):  # entered by a step one way, left by a step the other way
        (enter, up), (leave, down) = changes[k - 1], changes[k]
        if np.sign(up) == -np.sign(down):
            runs.append((enter, leave - one, int(np.sign(up))))
            used.update({k - 1, k})
    (first, up), (last, down) = changes[0], changes[-1]
    if 0 not in used and (first - start).days < half:  # a season's first days, up to its first change
        runs.insert(0, (start, first - one, -int(np.sign(up))))
        used.add(0)
    if len(changes) - 1 not in used and (end - last).days + 1 < half:  # its last days, from its last change
        runs.append((last, end, int(np.sign(down))))
        used.add(len(changes) - 1)
    return runs, [changes[i] for i in range(len(changes)) if i not in used]


def _span(first: pd.Timestamp, last: pd.Timestamp) -> str:
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"


def _around(days: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp, window: int) -> pd.DataFrame:
    """The days within twice ``window`` days before ``first`` and after ``last``."""
    reach = pd.Timedelta(days=2 * window)
    return days[((days.index < first) & (days.index >= first - reach)) | ((days.index > last) & (days.index <= last + reach))]


def _unit(column: str, inside: pd.DataFrame, around: pd.DataFrame, top: float) -> str | None:
    """The unit of :data:`UNITS` whose conversion brings the days ``inside`` within half the limit ``top`` of the
    mean of the days ``around`` and their mean daily range within a factor 2.5 (None: no unit fits)."""
    if inside.empty or around.empty:
        return None
    level, spread = float(around["mean"].mean()), float((around["high"] - around["low"]).mean())
    best = None
    for _, back, scale, advice in UNITS[column]:
        gap = abs(float(inside["mean"].map(back).mean()) - level)
        ratio = float((inside["high"] - inside["low"]).mean()) * scale / spread if spread > 0 else 1.0
        if gap <= top / 2 and 1 / 2.5 <= ratio <= 2.5 and (best is None or gap < best[0]):
            best = (gap, advice)
    return None if best is None else best[1]


def check_weather_day_levels(met: pd.DataFrame, fname: str, out: Collector) -> set:
    """Refuse (confirmable) each run of days of temperature or pressure whose week's level steps from the days
    around it, and each day of temperatures spanning ``meteorology.temperature_day_range_c`` or more (module
    docstring). Returns the (source, column, 'YYYY-MM') of the months half or more of whose days a run named
    (the month check leaves them out)."""
    covered: set = set()
    if met is None or met.empty:
        return covered
    window = int(input_limit("meteorology.day_step_window_days"))
    for column, (key, unit) in COLUMNS.items():
        top = input_limit(key)
        levels = day_levels(met, column)
        for (code, _), season in levels.groupby(["source", "year"], sort=True):
            days = season.set_index("day")
            changes = change_days(day_steps(days, window), top)
            named = _check_day_ranges(days, code, fname, out) if column == "temperature_c" else []
            for first, last in named:  # the steps at the edges of (and inside) days in tenths: said by those
                reach = pd.Timedelta(days=window)
                changes = [(d, v) for d, v in changes if not first - reach <= d <= last + reach]
            runs, lone = off_runs(days, changes)
            fits = [_unit(column, days.loc[first:last], _around(days, first, last, window), top)
                    for first, last, _ in runs]
            for k, (first, last, sign) in enumerate(runs):
                if fits[k] is None and 0 < k < len(runs) - 1 and fits[k - 1] and fits[k + 1] \
                        and runs[k - 1][1] + pd.Timedelta(days=1) == first and runs[k + 1][0] == last + pd.Timedelta(days=1):
                    continue  # the genuine days between two runs in another unit (both named)
                inside, near, fit = days.loc[first:last], _around(days, first, last, window), fits[k]
                level, beside = float(inside["mean"].mean()), float(near["mean"].mean()) if len(near) else np.nan
                advice = (f"are they {fit}" if fit else "check them against the records (another unit, another "
                          "station's values?)")
                message = (f"station '{show(code)}': the {column} of the days {_span(first, last)} is "
                           f"{'higher' if sign > 0 else 'lower'} than the days around them by {top:g} {unit} or more "
                           f"in a week's mean, more than weather steps ({key}): a mean of {level:.1f} against "
                           f"{beside:.1f} {unit} in the {2 * window} days before and after; {advice}")
                judge(out, CHECK, f"{code} {column} {_span(first, last)}",
                      (fname, int(inside["first"].min()) + 2, column), message)
                named.append((first, last))
            for day, step in lone:
                message = (f"station '{show(code)}': the {column} steps {'up' if step > 0 else 'down'} by "
                           f"{abs(step):.1f} {unit} at {day:%Y-%m-%d} (the mean of the {window} days from it against "
                           f"the {window} days before; {key}: {top:g} {unit}), more than weather steps in a week: "
                           f"are the days from there (or before it) in another unit, or converted when they were "
                           f"not? check them against the records")
                judge(out, CHECK, f"{code} {column} {day:%Y-%m-%d}", (fname, int(days.loc[day, "first"]) + 2, column),
                      message)
            for first, last in named:
                inside = pd.date_range(first, last, freq="D")
                for month, count in pd.Series(1, index=inside).groupby(inside.to_period("M")).sum().items():
                    if count * 2 >= month.days_in_month:
                        covered.add((code, column, f"{month}"))
    return covered


def _check_day_ranges(days: pd.DataFrame, code: str, fname: str, out: Collector) -> list:
    """The days of one source's season whose temperatures span ``meteorology.temperature_day_range_c`` or more:
    one refusal naming the first and last of them, returned as [(first, last)] (empty: none)."""
    top = input_limit("meteorology.temperature_day_range_c")
    spans = days["high"] - days["low"]
    wide = spans >= top
    if not wide.any():
        return []
    found = days[wide]
    first, last = found.index.min(), found.index.max()
    message = (f"station '{show(code)}': the temperature_c of {len(found)} day(s) of {_span(first, last)} spans "
               f"{top:g} °C or more within the day (up to {float(spans[wide].max()):.0f} °C; "
               f"meteorology.temperature_day_range_c), more than a day's weather: are the days {_span(first, last)} "
               f"in tenths of a degree (the CMA's raw integers)? write them in °C (divide by 10), and check the "
               f"days around them")
    judge(out, CHECK, f"{code} temperature_c {_span(first, last)}", (fname, int(found["first"].min()) + 2,
                                                                      "temperature_c"), message)
    return [(first, last)]
