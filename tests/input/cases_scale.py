"""Bad season folders of plausible scale that `zzeval validate` still passed after the fourth look at
issue 13 (a station far outside the county, households at or above the population, subsidies in 万元,
dustfall as annual sums, fractional count targets, station codes in another letter case, NO2 in
ppb), made from a `zzeval sample` season like tests/input/cases.py.

Each case must be refused: exit code 2 and a message naming the file, row, column and what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tests.input.cases import Case, edit


def _cells(name: str, row: int, values: dict[str, str]) -> Callable[[Path], None]:
    def func(frame: pd.DataFrame) -> None:
        for column, value in values.items():
            frame.loc[row, column] = value
    return edit(name, func)


def _scale(name: str, column: str, factor: float) -> Callable[[Path], None]:
    def func(frame: pd.DataFrame) -> None:
        values = pd.to_numeric(frame[column].replace("", None))
        frame[column] = (values * factor).round(6).map(lambda v: "" if pd.isna(v) else f"{v:g}")
    return edit(name, func)


def _target(task: str, value: str) -> Callable[[Path], None]:
    """Set the target of ``task`` of the first township (sample row order: nancun first)."""
    def func(frame: pd.DataFrame) -> None:
        frame.loc[frame.index[frame["task"] == task][0], "target"] = value
    return edit("targets.csv", func)


def _station_lower_case(frame: pd.DataFrame) -> None:
    frame["station_code"] = frame["station_code"].replace({"ZZ100": "zz100"})


def _no2_unit(frame: pd.DataFrame) -> None:
    frame.loc[frame["pollutant"] == "NO2", "unit"] = "ppb"


SCALE_CASES = (
    # 1. a station far outside Zezhou County (zzeval/reference/county_extents.csv)
    Case("station_outside_county", _cells("stations.csv", 1, {"lon": "120.1", "lat": "30"}),
         ("stations.csv, row 3, column 'lon': station ZZ101 of township xiacun (code 140525101, 泽州县) is at "
          "120.1 °E, 30 °N, outside 泽州县 (140525: 112.06–113.63 °E, 34.88–36.10 °N with the margin, "
          "zzeval/reference/county_extents.csv); check lon and lat",)),
    Case("station_lat_outside_county", _cells("stations.csv", 0, {"lat": "36.6"}),
         ("stations.csv, row 2, column 'lat': station ZZ100 of township nancun (code 140525100, 泽州县) is at "
          "112.862 °E, 36.6 °N, outside 泽州县",)),
    # a township's area a thousand times too small (review 4): a density no township has
    Case("township_area_too_small", _cells("townships.csv", 0, {"area_km2": "0.02"}),
         ("townships.csv, row 2, column 'area_km2': 38,214 persons on 0.02 km² is 1,910,700 persons per km², "
          "denser than any township can be (at most 100,000",)),
    # 2. households at or above the population; household targets above the households
    Case("households_equal_population", _cells("townships.csv", 0, {"households": "38214"}),
         ("townships.csv, row 2, column 'households': 38,214 households for a population of 38,214: the persons "
          "per household (population ÷ households) are 1 but must be more than 1 (zzeval/reference/input_limits.csv)",)),
    Case("households_and_population_swapped", _cells("townships.csv", 1, {"households": "30162",
                                                                           "population": "7823"}),
         ("townships.csv, row 3, column 'households': 30,162 households for a population of 7,823: the persons "
          "per household (population ÷ households) are 0.26", "are households and population swapped")),
    Case("household_targets_above_households", _target("heating_waste_heat", "18010"),
         ("targets.csv, row 2, column 'target': township nancun: 18,536 households allocated in all (the targets "
          "in households), more than its 10,454 households in townships.csv",)),
    # 3. subsidies and scrappage payments in 万元 under a yuan header
    Case("subsidy_in_wan_yuan", _scale("heating_retrofits.csv", "subsidy_yuan", 1e-4),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': 135.38 yuan for 126 households_done is 1.07 yuan "
          "per household, below the plausible 50 (zzeval/reference/input_limits.csv): is the amount in 万元? write "
          "it in yuan (万元 × 10,000)",)),
    Case("scrappage_in_wan_yuan", _scale("vehicles.csv", "scrappage_payment_yuan", 1e-4),
         ("vehicles.csv, row 2, column 'scrappage_payment_yuan': 33.6 yuan for 12 scrapped is 2.8 yuan per vehicle, "
          "below the plausible 50",)),
    # 4. dustfall as annual (12-month) sums
    Case("dustfall_annual_sums", _scale("dustfall.csv", "dustfall_t_km2_month", 12),
         ("dustfall.csv, row 2, column 'dustfall_t_km2_month': the median monthly dustfall of township nancun in "
          "the season from 2019 is 76.2 t/(month·km²), above the plausible 30 (zzeval/reference/input_limits.csv): "
          "are these annual (12-month) sums?",)),
    # 5. fractional count targets (the county_tasks check, reused)
    Case("target_half_household", _target("heating_coal_to_electricity", "12.5"),
         ("targets.csv, row 2, column 'target': 12.5 households for heating_coal_to_electricity: a count is a whole "
          "number",)),
    Case("target_fraction_of_a_truck", _target("china3_trucks_remaining", "3.3"),
         ("column 'target': 3.3 vehicles for china3_trucks_remaining: a count is a whole number",)),
    # 6. a station code in another letter case
    Case("station_code_lower_case", edit("air_quality.csv.gz", _station_lower_case),
         ("air_quality.csv.gz, row 2, column 'station_code': station 'zz100' is not in stations; did you mean "
          "'ZZ100' (codes are case-sensitive)? add it there with its township",)),
    # 7. NO2 labelled ppb (NO2 in ppb labelled µg/m³ cannot be told reliably: data/README.md, Units)
    Case("no2_in_ppb_labelled", edit("air_quality.csv.gz", _no2_unit),
         ("column 'unit': unit 'ppb' is wrong for NO2; expected µg/m³",)),
)
