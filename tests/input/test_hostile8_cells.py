"""Hostile review 8A (data angle), findings 9-16: genuine exports refused and messages that missed the
cause, each made from a `zzeval sample` season (or tiny inline data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import Case, read, validate_refuses, write
from zzeval.cli import main
from zzeval.season.loading import load_season


def _validate(season, capsys) -> tuple[int, str]:
    code = main(["validate", str(season)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out + captured.err


def _first_cell_refused(season, capsys, fname: str, column: str, value: str) -> str:
    """Write ``value`` into the first row's ``column`` of ``fname``; validate must refuse it: its output."""
    frame = read(season, fname)
    frame.loc[0, column] = value
    write(frame, season, fname)
    code, text = _validate(season, capsys)
    assert code == 2, text
    return text


# -- 10 (A1): ISO datetimes with milliseconds from a database export
def test_milliseconds_of_zero_are_read(season, capsys):
    aq = read(season, "air_quality.csv.gz")
    original = pd.to_datetime(aq["datetime"])
    aq["datetime"] = aq["datetime"] + ":00.000"
    aq.loc[1, "datetime"] = aq.loc[1, "datetime"].replace("-", "/")  # the slow path reads them too
    write(aq, season, "air_quality.csv.gz")
    assert list(load_season(season).air_quality["datetime"]) == list(original)
    assert _validate(season, capsys)[0] == 0


def test_a_fraction_of_a_second_is_refused_by_name(season, capsys):
    aq = read(season, "air_quality.csv.gz")
    aq.loc[4, "datetime"] = aq.loc[4, "datetime"] + ":00.500"
    write(aq, season, "air_quality.csv.gz")
    code, text = _validate(season, capsys)
    assert code == 2
    assert "air_quality.csv.gz, row 6, column 'datetime':" in text
    assert "has a fraction of a second" in text


# -- 9 (X17): an xlsx count that is a formula result with float noise
def _townships_xlsx(season, noisy: float | None = None, fraction: float | None = None) -> int:
    tw = read(season, "townships.csv")
    frame = tw.astype(object)
    frame["households"] = [float(v) for v in tw["households"]]
    households = int(tw.loc[0, "households"])
    if noisy is not None:
        frame.loc[0, "households"] = households + households * noisy  # 7823.000000000003
    if fraction is not None:
        frame.loc[1, "households"] = int(tw.loc[1, "households"]) + fraction
    frame.to_excel(season / "townships.xlsx", index=False)
    (season / "townships.csv").unlink()
    return households


def test_float_noise_of_a_whole_count_is_read_as_the_count(season, capsys):
    households = _townships_xlsx(season, noisy=5e-15)
    code, text = _validate(season, capsys)
    assert code == 0, text
    assert "townships.xlsx, column 'households': 1 count(s) with float noise of a spreadsheet formula" in text
    assert f"as {households};" in text
    assert load_season(season).townships["households"].iloc[0] == households


def test_a_genuine_fraction_of_a_count_stays_refused(season, capsys):
    _townships_xlsx(season, noisy=5e-15, fraction=0.01)
    code, text = _validate(season, capsys)
    assert code == 2
    assert "townships.xlsx, row 3, column 'households':" in text and "must be a whole number" in text
    assert "row 2, column 'households'" not in text


# -- 11 (W1/W2): calm hours with the wind direction 'C' or empty
def _calm(season, how: str, speed: str = "0") -> tuple[int, int]:
    met = read(season, "meteorology.csv.gz")
    rows = [10, 11, 500]
    met.loc[rows, "wind_dir_deg"] = how
    met.loc[rows, "wind_speed_ms"] = speed
    write(met, season, "meteorology.csv.gz")
    return rows[0], len(rows)


def test_calm_code_c_is_read_as_no_direction(season, capsys):
    row, n = _calm(season, "C")
    code, text = _validate(season, capsys)
    assert code == 0, text
    assert f"column 'wind_dir_deg': {n} cell(s) 'C' (no value: a calm hour has no wind direction)" in text
    assert f"meteorology.csv.gz: {n} calm hour(s) without a wind direction (wind speed at most 0.2 m/s)" in text
    met = load_season(season).meteorology
    assert met["wind_dir_deg"].isna().sum() == n


def test_an_empty_direction_with_wind_is_refused(season, capsys):
    row, _ = _calm(season, "", speed="3.1")
    code, text = _validate(season, capsys)
    assert code == 2
    assert (f"meteorology.csv.gz, row {row + 2}, column 'wind_dir_deg': no wind direction although the wind "
            "speed is 3.1 m/s") in text


def test_weather_features_put_calm_hours_in_a_sector_of_their_own():
    from zzeval.airquality.weather_features import CALM_SECTOR, met_features

    hours = pd.date_range("2020-12-01", periods=6, freq="h")
    met = pd.DataFrame({"datetime": hours, "temperature_c": 1.0, "rh_pct": 50.0,
                        "wind_speed_ms": [2.0, 0.0, 2.0, 0.0, 2.0, 2.0],
                        "wind_dir_deg": [0.0, np.nan, 90.0, np.nan, 180.0, 350.0],
                        "pressure_hpa": 930.0, "precip_mm": 0.0})
    feat = met_features(met)
    assert len(feat) == 6  # calm hours are kept, not dropped
    assert list(feat["sector"]) == [0, CALM_SECTOR, 2, CALM_SECTOR, 4, 0]


def test_ols_design_gives_calm_hours_no_wind_vector():
    from zzeval.airquality.weather_ols import _design_arrays

    frame = pd.DataFrame({"datetime": pd.date_range("2020-12-01", periods=2, freq="h"),
                          "wind_dir_deg": [np.nan, 90.0], "wind_speed_ms": [0.1, 2.0], "temperature_c": 1.0,
                          "rh_pct": 50.0, "pressure_hpa": 930.0, "precip_mm": 0.0})
    names, X = _design_arrays(frame, current=False)
    u, v = X[:, names.index("u_ms")], X[:, names.index("v_ms")]
    assert np.isfinite(X).all()
    assert (u[0], v[0]) == (0.0, 0.0)
    assert u[1] == pytest.approx(-2.0) and v[1] == pytest.approx(0.0, abs=1e-12)


__all__ = ["Case", "validate_refuses"]


# -- 12 (V1/V2/V3/K1): other spellings of the same category value
def test_standard_class_and_retrofit_spellings_are_read(season, capsys):
    vehicles = read(season, "vehicles.csv")
    original = load_season(season)
    spelled = {"China3": "国III", "China4": "国4", "China5": "国v", "China6": "国Ⅵ"}
    vehicles["emission_standard"] = vehicles["emission_standard"].map(lambda v: spelled.get(v, v))
    write(vehicles, season, "vehicles.csv")
    tw = read(season, "townships.csv")
    tw["class"] = tw["class"].str.capitalize()  # Rural, Fringe
    write(tw, season, "townships.csv")
    heating = read(season, "heating_retrofits.csv")
    heating["retrofit_type"] = heating["retrofit_type"].replace({"coal_to_electricity": "电代煤",
                                                                 "coal_to_gas": "气代煤"})
    write(heating, season, "heating_retrofits.csv")
    loaded = load_season(season)
    assert list(loaded.vehicles["emission_standard"]) == list(original.vehicles["emission_standard"])
    assert list(loaded.townships["class"]) == list(original.townships["class"])
    assert list(loaded.heating_retrofits["retrofit_type"]) == list(original.heating_retrofits["retrofit_type"])
    assert {"China3", "China4"} <= set(loaded.vehicles["emission_standard"])


def test_an_unknown_category_value_gets_a_did_you_mean(season, capsys):
    text = _first_cell_refused(season, capsys, "heating_retrofits.csv", "retrofit_type", "煤改点")  # typo of 煤改电
    assert ("heating_retrofits.csv, row 2, column 'retrofit_type': '煤改点' is not allowed; did you mean '煤改电' "
            "(coal_to_electricity)?") in text


# -- 15 (X5): months typed 2020.10 that a spreadsheet stored as the number 2020.1
def test_a_month_2020_1_for_october_is_refused_as_ambiguous(season, capsys):
    dust = read(season, "dustfall.csv")
    dust["month"] = dust["month"].str.replace("-", ".").map(lambda m: m[:-1] if m.endswith(".10") else m)
    first = dust.index[dust["month"].str.fullmatch(r"\d{4}\.1")][0]
    write(dust, season, "dustfall.csv")
    code, text = _validate(season, capsys)
    assert code == 2
    head = text.split("\n  - ", 2)[1]  # the first message names the cause
    assert head.startswith(f"dustfall.csv, row {first + 2}, column 'month': '{dust.loc[first, 'month']}' is "
                           "ambiguous: a spreadsheet stores"), head
    assert "lies outside the seasons compared" not in text


def test_months_with_dots_and_a_kept_trailing_zero_are_read(season, capsys):
    dust = read(season, "dustfall.csv")
    original = load_season(season).dustfall["month"]
    dust["month"] = dust["month"].str.replace("-", ".")  # 2020.10, 2020.11, 2021.01 ... as text
    write(dust, season, "dustfall.csv")
    assert list(load_season(season).dustfall["month"]) == list(original)


# -- 16 (V8): the network's hour-ending stamps 24:00
def test_24_00_is_the_next_days_midnight(season, capsys):
    aq = read(season, "air_quality.csv.gz")
    original = pd.to_datetime(aq["datetime"])
    midnight = original.dt.hour == 0
    aq.loc[midnight, "datetime"] = (original[midnight] - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d 24:00")
    write(aq, season, "air_quality.csv.gz")
    assert list(load_season(season).air_quality["datetime"]) == list(original)
    code, text = _validate(season, capsys)
    assert code == 0, text
    assert f"{int(midnight.sum()):,} time(s) stamped 24:00 were read as the next day's 00:00" in text


# -- 14 (V10): a note row and a totals row under the table: the first message says so
def _refused_with_a_line_added(season, capsys, line: str) -> tuple[str, list[str]]:
    """Add ``line`` below townships.csv's rows; validate must refuse: its output and its messages."""
    path = season / "townships.csv"
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")
    code, text = _validate(season, capsys)
    assert code == 2, text
    return text, text.split("\n  - ")[1:]


def test_a_note_row_below_the_table_is_named_first(season, capsys):
    text, messages = _refused_with_a_line_added(season, capsys, "\n数据来源：泽州县统计局，2020年12月\n")
    assert len(messages) == 1, text
    assert messages[0].startswith("townships.csv, row 5: looks like a note below the table ('数据来源：泽州县统计局")
    assert "delete the row" in messages[0]
    assert "empty cell" not in text and "is not a township code" not in text


def test_a_totals_row_with_a_colon_is_named_as_totals(season, capsys):
    text, messages = _refused_with_a_line_added(season, capsys, "全县合计：,,,,30000,100000,300,,,\n")
    assert messages[0].startswith("townships.csv, row 4: looks like a totals row ('全县合计：'): delete it"), text
    assert "empty cell" not in text


# -- 16: causes named (A6 day numbers, N1 NULL, X3 units row, S2 degrees-minutes-seconds) or read (V4 U+2212)
def test_excel_day_numbers_in_a_datetime_column_are_named(season, capsys):
    met = read(season, "meteorology.csv.gz")
    met.loc[1, "datetime"] = "43739.041667"  # 2019-10-01 01:00 as a spreadsheet number
    write(met, season, "meteorology.csv.gz")
    code, text = _validate(season, capsys)
    assert code == 2
    assert ("meteorology.csv.gz, row 3, column 'datetime': '43739.041667' is not a datetime" in text
            and "spreadsheet date-and-time number (2019-10-01 01:00?)" in text)


def test_the_minus_sign_u2212_is_read_as_minus(season, capsys):
    targets = read(season, "targets.csv")
    row = targets.index[targets["task"] == "pm25_change_pct"][0]
    value = float(targets.loc[row, "target"])
    assert value < 0
    targets.loc[row, "target"] = "\u2212" + targets.loc[row, "target"].lstrip("-")
    write(targets, season, "targets.csv")
    assert load_season(season).targets["target"].iloc[row] == value
    code, text = _validate(season, capsys)
    assert code == 0, text
    assert "targets.csv, column 'target': 1 value(s) with the minus sign '−' (U+2212) were read as negative" in text


def test_sql_null_in_an_optional_column_says_leave_it_empty(season, capsys):
    text = _first_cell_refused(season, capsys, "heating_retrofits.csv", "subsidy_yuan", "NULL")
    assert ("heating_retrofits.csv, row 2, column 'subsidy_yuan': 'NULL' is not a number [yuan]; 'NULL' is a "
            "database's mark for no value: leave the cell empty (the column allows it)") in text


def test_a_units_row_under_the_header_is_named(season, capsys):
    dust = read(season, "dustfall.csv")
    units = pd.DataFrame([{"township": "", "month": "", "dustfall_t_km2_month": "吨/(平方公里·月)"}])
    write(pd.concat([units, dust], ignore_index=True), season, "dustfall.csv")
    code, text = _validate(season, capsys)
    assert code == 2
    messages = text.split("\n  - ")[1:]
    assert len(messages) == 1, text
    assert messages[0].startswith("dustfall.csv, row 2: looks like a units row under the header ('吨/(平方公里·月)')")


def test_degrees_minutes_seconds_get_the_decimal_degrees(season, capsys):
    stations = read(season, "stations.csv")
    stations.loc[0, "lon"] = "112°51′43″"
    write(stations, season, "stations.csv")
    code, text = _validate(season, capsys)
    assert code == 2
    assert ("stations.csv, row 2, column 'lon': '112°51′43″' is not a number [°E]; degrees, minutes and seconds: "
            "write decimal degrees, 112.861944") in text


# -- 21: zzeval aqi reads a Parquet file as the season folder does
def test_aqi_reads_parquet_like_the_csv(sample_season, tmp_path, capsys):
    aq = read(sample_season, "air_quality.csv.gz")
    typed = aq.assign(datetime=pd.to_datetime(aq["datetime"]), value=pd.to_numeric(aq["value"]).astype("float32"))
    typed.to_parquet(tmp_path / "air_quality.parquet", index=False)
    assert main(["aqi", str(sample_season / "air_quality.csv.gz"), "--out", str(tmp_path / "csv.csv")]) == 0
    assert main(["aqi", str(tmp_path / "air_quality.parquet"), "--out", str(tmp_path / "pq.csv")]) == 0
    capsys.readouterr()
    from_csv, from_parquet = pd.read_csv(tmp_path / "csv.csv"), pd.read_csv(tmp_path / "pq.csv")
    assert len(from_parquet) == len(from_csv) > 0
    pd.testing.assert_frame_equal(from_parquet, from_csv)


# -- 22: zzeval aqi --period daily writes no rows for days without any measured hour
def test_daily_aqi_has_no_rows_for_days_without_data(sample_season, tmp_path, capsys):
    out = tmp_path / "daily.csv"
    assert main(["aqi", str(sample_season / "air_quality.csv.gz"), "--period", "daily", "--out", str(out)]) == 0
    report = capsys.readouterr().err
    daily = pd.read_csv(out, parse_dates=["datetime"])
    aq = read(sample_season, "air_quality.csv.gz")
    stamps = pd.to_datetime(aq["datetime"])
    # hour-ending stamps: 00:00 is the last hour of the day before (GB 3095 / HJ 663 natural day)
    days = (stamps - pd.Timedelta(hours=1)).dt.normalize()
    measured = pd.DataFrame({"station_code": aq["station_code"], "datetime": days}).drop_duplicates()
    assert len(daily) == len(measured)
    assert not ((daily["datetime"] > "2020-04-01") & (daily["datetime"] < "2020-09-30")).any()
    n_empty = int(daily["aqi"].isna().sum())
    assert n_empty < 12  # the two 1-hour days per station (30 September 24:00) and a few genuine ones
    assert f"{len(daily)} daily AQI rows" in report and f"{n_empty} rows without an AQI" in report
    assert "empty values (missing hours)" not in report
