"""Bad season folders that `zzeval validate` still passed after the third hostile review of issue 13
(sites done after the season, county counts outside it, negative or mis-unit targets, implausible
areas, humidity and wind), made from a `zzeval sample` season like tests/input/cases.py.

Each case must be refused: exit code 2 and a message naming the file, row, column and what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tests.input.cases import Case, edit, setter


def _first_target(task: str, column: str, value: str) -> Callable[[Path], None]:
    """Set ``column`` of the first targets.csv row of ``task`` (sample row 0 is heating_coal_to_electricity)."""
    def func(frame: pd.DataFrame) -> None:
        frame.loc[frame.index[frame["task"] == task][0], column] = value
    return edit("targets.csv", func)


def _scale(name: str, column: str, factor: float) -> Callable[[Path], None]:
    def func(frame: pd.DataFrame) -> None:
        frame[column] = (pd.to_numeric(frame[column]) * factor).round(4).astype(str)
    return edit(name, func)


LEFTOVER_CASES = (
    # 1. sites.csv
    Case("site_done_after_season", setter("sites.csv", 0, "done_date", "2021-06-30"),
         ("sites.csv, row 2, column 'done_date': 2021-06-30 is after the end of the season 2020-2021 (2021-03-31); "
          "a task done later does not count for this season",)),
    Case("site_not_done_with_date", setter("sites.csv", 0, "done", "no"),
         ("sites.csv, row 2, column 'done_date': done is 'no' but done_date is 2020-12-20: the row contradicts "
          "itself",)),
    # 2. county_tasks.csv
    Case("county_task_after_season", setter("county_tasks.csv", 0, "date", "2022-01-01"),
         ("county_tasks.csv, row 2, column 'date': 2022-01-01 lies outside the season 2020-2021 (2020-10-01 .. "
          "2021-03-31)",)),
    Case("county_task_before_season", setter("county_tasks.csv", 0, "date", "2018-01-01"),
         ("county_tasks.csv, row 2, column 'date': 2018-01-01 lies outside the season",)),
    Case("county_task_fraction", setter("county_tasks.csv", 0, "value", "4.5"),
         ("county_tasks.csv, row 2, column 'value': 4.5 sets for black_smoke_cameras_new: a count is a whole "
          "number",)),
    # 3. targets.csv
    Case("target_dustfall_negative", _first_target("dustfall_t_km2_month", "target", "-9"),
         ("column 'target': -9 t/(month·km²) for dustfall_t_km2_month: this target cannot be negative",)),
    Case("target_households_negative", _first_target("heating_coal_to_electricity", "target", "-197"),
         ("targets.csv, row 2, column 'target': -197 households for heating_coal_to_electricity: this target "
          "cannot be negative",)),
    Case("target_dustfall_in_t", _first_target("dustfall_t_km2_month", "unit", "t"),
         ("column 'unit': 't' is not the unit of dustfall_t_km2_month (t/(month·km²)): was the target written in "
          "t?",)),
    Case("target_unknown_unit", _first_target("heating_coal_to_gas", "unit", "hh"),
         ("targets.csv, row 3, column 'unit': 'hh' is not a unit zzeval knows for heating_coal_to_gas; write its "
          "unit households",)),
    # 4. plausibility upper bounds (zzeval/reference/input_limits.csv)
    Case("area_in_mu", _scale("townships.csv", "area_km2", 1500),
         ("townships.csv, row 2, column 'area_km2': 142950 km² is larger than the whole county (about 2,023 km²)",)),
    Case("rh_as_fraction", _scale("meteorology.csv.gz", "rh_pct", 0.01),
         ("meteorology.csv.gz, row 2, column 'rh_pct': every rh_pct of station 'county' in the season from 2019 is "
          "at most 1.5 %: this looks like a fraction",)),
    Case("wind_in_kmh", _scale("meteorology.csv.gz", "wind_speed_ms", 3.6),
         ("column 'wind_speed_ms':", "m/s is above the plausible maximum of 25 m/s; is the wind speed in km/h?")),
)
