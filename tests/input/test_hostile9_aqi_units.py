"""Hostile review 9A M3: an AQI row's unit left empty (national platform
exports) was refused as "empty cell … a merged cell?", and 无量纲 as "expected 1". Tiny inline tables
through the air-quality check; failed before the fix."""

from __future__ import annotations

import pandas as pd

from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector, check_air_quality
from zzeval.season.schema import TABLES


def _aq(pollutant: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame({"station_code": ["ZZ101"] * 2, "datetime": pd.to_datetime(["2020-12-01 08:00", "2020-12-01 09:00"]),
                         "pollutant": [pollutant] * 2, "value": [120.0, 130.0], "unit": [unit] * 2})


def _unit_problems(pollutant: str, unit: str) -> list[str]:
    out = Collector()
    spec = {c.name: c for c in TABLES["air_quality"].columns}
    convert_column(pd.DataFrame({"unit": [unit, unit]}), spec["unit"], "air_quality.csv", out)
    check_air_quality(_aq(pollutant, unit), "air_quality.csv", None, out)
    return [p.message for p in out.problems if p.column == "unit"]


def test_the_aqi_may_have_no_unit():
    for unit in ("", "无量纲", "dimensionless", "1"):
        assert _unit_problems("AQI", unit) == [], unit


def test_a_wrong_aqi_unit_and_an_empty_pollutant_unit_say_what_to_write():
    assert _unit_problems("AQI", "µg/m³")[0] == ("unit 'µg/m³' is wrong for AQI: the AQI has no unit; leave the cell "
                                                 "empty or write 1 (or 无量纲)")
    assert _unit_problems("PM2.5", "") == ["the unit is empty; write µg/m³ for PM2.5"] * 2


def test_an_aqi_above_500_says_the_scale_ends_there():
    """Review reA N7: an AQI of 520 was refused with "check the decimal point"; an hour beyond the scale (爆表)
    is real but published as 500, so the message says so."""
    out = Collector()
    check_air_quality(_aq("AQI", "1").assign(value=[520.0, 500.0]), "air_quality.csv", None, out)
    (problem,) = [p for p in out.problems if p.column == "value"]
    assert problem.row == 2
    assert problem.message == (
        "520 is not a plausible AQI value (limit 500, zzeval/reference/plausible_limits.csv); the AQI is at most 500 "
        "(HJ 633-2012: the scale ends at 500; the national platform reports an hour beyond it, 爆表, as 500), so a "
        "higher figure is a typo or an index computed past the scale: write 500 for an hour at the top of the scale, "
        "or the published value")
