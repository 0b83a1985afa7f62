"""Hostile review s11-C, F5: the national platform's (CNEMC) long export labels the hourly ozone ``O3_1h`` and
carries 24-hour moving means (``PM2.5_24h`` …) beside the hourly rows. zzeval said "did you mean 'O3_8h'?" for
``O3_1h`` (following it loses every hourly O3) and "did you mean 'PM2.5'?" for ``PM2.5_24h`` (following it passes
moving means off as hours); ``<3`` below a detection limit got no hint. Inline rows; no report is built."""

from __future__ import annotations

import pandas as pd
import pytest

from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector
from zzeval.season.parsing import not_number_hint
from zzeval.season.schema import AIR_QUALITY


def _pollutants(*labels: str) -> tuple[pd.Series, Collector]:
    column = next(c for c in AIR_QUALITY.columns if c.name == "pollutant")
    out = Collector()
    return convert_column(pd.DataFrame({"pollutant": list(labels)}), column, "air_quality.csv", out), out


def test_o3_1h_is_the_hourly_ozone():
    values, out = _pollutants("O3_1h", "O3-1H", "PM2.5")
    assert list(values) == ["O3", "O3", "PM2.5"] and out.problems == []


@pytest.mark.parametrize("label", ["PM2.5_24h", "PM10_24h", "O3_24h", "O3_8h_24h", "CO_24h"])
def test_a_24_hour_moving_mean_is_named_not_taken_for_an_hour(label):
    _, out = _pollutants("PM2.5", label)
    (problem,) = out.problems
    assert (problem.row, problem.column) == (3, "pollutant")
    assert "24-hour moving mean" in problem.message and "delete these rows" in problem.message
    assert "did you mean" not in problem.message


def test_below_the_detection_limit_says_what_to_write():
    for text in ("<3", "ND", "未检出"):
        assert "below the detection limit" in not_number_hint(text, "µg/m³")
    assert not_number_hint("ND", "households") == ""  # not a concentration: no such guess
