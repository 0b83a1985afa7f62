"""Hostile review s11-hostC, the meteorology table: the previous season's wind speed in knots under wind_speed_ms
passed (finding 1, the county's adjusted change −9.6 % → −30.7 %); wind direction as SYNOP tens of degrees passed
(finding 2); 24-hour accumulated precipitation was told "÷ 10", which passed (finding 3); compass-point directions
were refused as "'WNW' is not a number" (finding 4). Tiny tables or the shipped sample's meteorology: no report is
built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector
from zzeval.season.plausible import check_met_values
from zzeval.season.schema import TABLES

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _sample_weather() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "meteorology.csv.gz", parse_dates=["datetime"])


def _checked(met: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    out = Collector()
    out.confirmed = confirmed or {}
    check_met_values(met, "meteorology.csv", out)
    return out


def _previous(met: pd.DataFrame) -> np.ndarray:
    return (met["datetime"] < "2020-07-01").to_numpy()


def test_genuine_sample_weather_has_no_unit_notice():
    out = _checked(_sample_weather())
    assert out.problems == []
    assert not [n for n in out.notes if "knots" in n or "accumulated" in n or "tens of degrees" in n]


def test_previous_season_in_knots_is_refused_and_can_be_confirmed():
    met = _sample_weather()
    previous = _previous(met)
    met.loc[previous, "wind_speed_ms"] = (met.loc[previous, "wind_speed_ms"] * 1.944).round(1)
    assert met["wind_speed_ms"].max() < 25  # the km/h ceiling says nothing
    (problem,) = _checked(met).problems
    assert (problem.column, problem.row) == ("wind_speed_ms", int(np.argmax(met["wind_speed_ms"] > 0.5)) + 2)
    assert "station 'county': the wind_speed_ms of the season from 2019 is 1.8" in problem.message
    assert "times the season from 2020's" in problem.message
    assert "is the season from 2019 in knots" in problem.message and "knots × 0.514" in problem.message
    assert "'confirmed: {weather_wind_unit: [county 2019-2020]}'" in problem.message
    out = _checked(met, {"weather_wind_unit": {"county 2019-2020": 0}})
    assert out.problems == [] and any("confirmed in season.yaml (weather_wind_unit" in n for n in out.notes)


def test_current_season_in_kmh_at_a_calm_site_is_refused_as_kmh():
    met = _sample_weather()
    current = ~_previous(met)
    met["wind_speed_ms"] = met["wind_speed_ms"].clip(upper=6.9)  # a calm site: km/h stays under 25
    met.loc[current, "wind_speed_ms"] = (met.loc[current, "wind_speed_ms"] * 3.6).round(1)
    (problem,) = _checked(met).problems
    assert "the season from 2020 is 3." in problem.message and "km/h ÷ 3.6" in problem.message


def test_wind_direction_in_synop_tens_of_degrees_is_refused():
    met = _sample_weather()
    current = ~_previous(met) & met["wind_dir_deg"].notna().to_numpy()
    met.loc[current, "wind_dir_deg"] = (met.loc[current, "wind_dir_deg"] / 10).round()
    (problem,) = _checked(met).problems
    assert problem.column == "wind_dir_deg" and "season from 2020 is a whole number from 0 to 36" in problem.message
    assert "tens of degrees (the SYNOP/ISD dd code" in problem.message and "degrees = code × 10" in problem.message


def test_24_hour_accumulated_precipitation_is_refused_as_such_also_after_dividing_by_10():
    met = _sample_weather()
    accumulated = met["precip_mm"].rolling(24, min_periods=1).sum().round(1)
    for scale in (1, 10):
        problems = _checked(met.assign(precip_mm=(accumulated / scale).round(1))).problems
        assert [p.column for p in problems] == ["precip_mm", "precip_mm"]
        assert all("running or 24-hour accumulated totals" in p.message for p in problems)
        assert all("write each hour's own precipitation" in p.message and "÷ 10" not in p.message for p in problems)
        assert "weather_precip_accumulated: [county 2019-2020]" in problems[0].message


def test_precipitation_total_message_names_accumulation_too():
    met = _sample_weather()
    previous = _previous(met)
    met.loc[previous, "precip_mm"] = (met.loc[previous, "precip_mm"] * 10).round(1)
    (problem,) = _checked(met).problems
    assert "write it in mm (÷ 10); or are the values running or 24-hour accumulated totals?" in problem.message


def _directions(cells: list[str]) -> tuple[pd.Series, Collector]:
    column = next(c for c in TABLES["meteorology"].columns if c.name == "wind_dir_deg")
    out = Collector()
    frame = pd.DataFrame({"wind_dir_deg": cells, "wind_speed_ms": ["2.0"] * len(cells)})
    return convert_column(frame, column, "meteorology.csv", out), out


def test_compass_points_are_read_as_degrees_with_a_notice():
    values, out = _directions(["N", "NNE", "wnw", "NNW", "C", "西北偏西", "北东北", "东北", "南风", "270"])
    assert out.problems == []
    assert values.fillna(-1).tolist() == [0, 22.5, 292.5, 337.5, -1, 292.5, 22.5, 45, 180, 270]
    assert any("8 cell(s) written as compass points (like 'N') were read as degrees" in n for n in out.notes)


def test_other_text_is_still_not_a_direction():
    _, out = _directions(["NNX"])
    assert [p.column for p in out.problems] == ["wind_dir_deg"]


def test_the_seasons_of_a_source_are_grouped_once():
    """zzeval.season.keys.source_seasons, used by the precipitation and wind-unit checks: an empty station code
    is the county's, the season is named by its first year (October to March, a July-to-June year), the rows
    keep their labels."""
    from zzeval.season.keys import source_seasons

    met = pd.DataFrame({"station_code": ["", "county", "ZZ100", None],
                        "datetime": pd.to_datetime(["2020-03-31 23:00", "2020-10-01 00:00", "2021-01-05 00:00", "2019-12-01 00:00"]),
                        "v": [1.0, 2.0, 3.0, 4.0]}, index=[10, 11, 12, 13])
    part = source_seasons(met, met["v"], met["v"] > 1)
    assert part.index.tolist() == [11, 12, 13]
    assert part["source"].tolist() == ["county", "ZZ100", "county"]
    assert part["year"].tolist() == [2020, 2020, 2019] and part["v"].tolist() == [2.0, 3.0, 4.0]
