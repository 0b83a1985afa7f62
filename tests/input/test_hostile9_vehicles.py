"""Hostile review 9A, the vehicles table: F5 (fuel diesel with standard NEV
counted as new-energy; electric with China3 accepted) and M2 (replacements above the scrapped vehicles
reported against the wrong column). Tiny inline tables and one sample case; each failed before its fix."""

from __future__ import annotations

import pandas as pd

from tests.input.cases import Case, edit, validate_refuses
from zzeval.season.checks import Collector
from zzeval.season.measure_rows import check_fuel_and_standard


def _vehicles(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"township": "nancun", "vehicle_class": "bus", "fuel": [r[0] for r in rows],
                         "emission_standard": [r[1] for r in rows], "fleet_before": 10, "fleet_after": 10})


def test_contradictory_fuel_and_standard_are_refused():
    out = Collector()
    check_fuel_and_standard(_vehicles([("diesel", "China5"), ("diesel", "NEV"), ("electric", "China3"),
                                       ("electric", "NEV"), ("gasoline", "NEV"), ("gas", "China5")]), "vehicles.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(4, "emission_standard"), (3, "emission_standard")]
    text = " ".join(p.message for p in out.problems)
    assert "fuel electric with emission standard China3: an electric vehicle has no China emission stage; write NEV" in text
    assert "fuel diesel with emission standard NEV: the row would be counted as electric" in text


def _nev_diesel_bus(frame: pd.DataFrame) -> None:
    """F5: a diesel bus row's standard written NEV (10 buses counted as new-energy)."""
    row = frame.index[(frame["vehicle_class"] == "bus") & (frame["fuel"] != "electric")][0]
    frame.loc[row, ["fuel", "emission_standard"]] = ["diesel", "NEV"]


def test_a_diesel_nev_row_is_refused(sample_season, tmp_path, capsys):
    validate_refuses(sample_season, Case("nev_diesel", edit("vehicles.csv", _nev_diesel_bus), (
        "column 'emission_standard': fuel diesel with emission standard NEV",)), tmp_path / "case", capsys)


def _replaced_china6_900(frame: pd.DataFrame) -> None:
    """M2: replaced_china6 900 on a row of fewer scrapped vehicles."""
    frame.loc[frame.index[frame["scrapped"].astype(int) > 0][0], "replaced_china6"] = "900"


def test_replacements_above_the_scrapped_name_the_right_column(sample_season, tmp_path, capsys):
    err = validate_refuses(sample_season, Case("replaced", edit("vehicles.csv", _replaced_china6_900), (
        "column 'replaced_china6': replacements exceed the vehicles scrapped: replaced_china6 900 + replaced_nev",),
        absent=("column 'replaced_nev'",)), tmp_path / "case", capsys)
    assert err.count("replacements exceed") == 1
