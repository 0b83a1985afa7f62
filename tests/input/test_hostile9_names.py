"""Hostile review 9A M5: one heating_retrofits row with a misspelt township
gave, besides the right "unknown township", a cascade refusal of the township's correct targets.csv
row (its target against the planned households without the misspelt row). Made from the sample season
(tests/input/cases.py); failed before the fix."""

from __future__ import annotations

import pandas as pd

from tests.input.cases import Case, edit, validate_refuses


def _misspelt_first_batch(frame: pd.DataFrame) -> None:
    """The township's largest batch of its first type, with a full-width space in the name."""
    first = frame["township"].iloc[0]
    kind = frame["retrofit_type"].iloc[0]
    mine = frame[(frame["township"] == first) & (frame["retrofit_type"] == kind)]
    frame.loc[mine["households_planned"].astype(int).idxmax(), "township"] = first[:1] + "\u3000" + first[1:]


def test_a_misspelt_township_is_the_only_refusal(sample_season, tmp_path, capsys):
    err = validate_refuses(sample_season, Case("misspelt", edit("heating_retrofits.csv", _misspelt_first_batch), (
        "heating_retrofits.csv, row", "column 'township': unknown township"),
        absent=("targets.csv",)), tmp_path / "case", capsys)
    assert "1 problem in the season folder" in err, err
