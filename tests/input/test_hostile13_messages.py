"""Hostile review s13-hostB, the hourly tables' messages. A26: a platform export's column of validity marks
(数据标记: N, PZ, RM, BB …) was ignored with a notice, so the hours it marks invalid (zero/span checks,
maintenance) counted as measured; it is refused, naming the codes as written (their meaning is the platform's
legend, not guessed). A07/A09: a value with its mark written in (``43BB``) was answered "write the number alone",
which keeps an invalid hour. A17: the Chinese pollutant names are read. The sample season (``zzeval sample``)
changed by a script, or inline rows; no report is built."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import AQ, edit, read, write
from zzeval.cli import main
from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector
from zzeval.season.headers import map_columns
from zzeval.season.parsing import not_number_hint, read_dates
from zzeval.season.plausible import check_air_quality_series
from zzeval.season.schema import AIR_QUALITY, METEOROLOGY


def _marked(frame: pd.DataFrame) -> None:
    """A26: the platform's mark column, N everywhere, PZ/RM/BB at 02-05 h of one station's PM2.5 in December
    2020 with the 1-3 µg/m³ the analyser wrote during the check."""
    frame["数据标记"] = "N"
    t = pd.to_datetime(frame["datetime"])
    hit = ((frame["station_code"] == frame["station_code"].iloc[0]) & (frame["pollutant"] == "PM2.5")
           & (t.dt.month == 12) & (t.dt.hour.isin([2, 3, 4, 5])))
    codes = ["PZ", "RM", "BB"]
    frame.loc[hit, "数据标记"] = [codes[i % 3] for i in range(int(hit.sum()))]
    frame.loc[hit, "value"] = "2"


def test_a_column_of_validity_marks_is_refused(season, capsys):
    edit(AQ, _marked)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert "air_quality.csv.gz, row 1, column '数据标记'" in err, err[:2000]
    assert "column F ('数据标记') holds validity marks of the hours ('N' (" in err
    assert "'PZ' (" in err and "'RM' (" in err and "'BB' (" in err
    assert ("empty the value of every row whose mark your platform's legend gives as invalid, keep those of valid "
            "hours, then delete the column") in err
    assert "is not a column of air_quality and is ignored" not in err


@pytest.mark.parametrize("header", ["数据标记", "标记", "flag", "QC_flag", "质控标识"])
def test_mark_headers_are_recognised_in_both_hourly_tables(header):
    for spec, frame in ((AIR_QUALITY, pd.DataFrame({"station_code": ["A"], "datetime": ["2020-12-01 00:00"],
                                                    "pollutant": ["PM2.5"], "value": ["3"], "unit": ["µg/m³"],
                                                    header: ["PZ"]})),
                        (METEOROLOGY, pd.DataFrame({"datetime": ["2020-12-01 00:00"], "temperature_c": ["1"],
                                                    header: ["H"]}))):
        out = Collector()
        map_columns(frame, spec, f"{spec.name}.csv", out)
        assert any("holds validity marks" in p.message for p in out.problems), (spec.name, out.problems)


def test_other_extra_columns_are_still_only_ignored():
    """站点标识 (a station's identifier), 备注 and an empty 数据标记 are no marks: ignored with a notice."""
    frame = pd.DataFrame({"station_code": ["A"], "datetime": ["2020-12-01 00:00"], "pollutant": ["PM2.5"],
                          "value": ["3"], "unit": ["µg/m³"], "站点标识": ["x"], "备注": ["y"], "数据标记": [""]})
    out = Collector()
    map_columns(frame, AIR_QUALITY, "air_quality.csv", out)
    assert not any("validity marks" in p.message for p in out.problems)
    assert sum("is not a column of air_quality and is ignored" in n for n in out.notes) == 3


@pytest.mark.parametrize(("text", "code", "number"),
                         [("43BB", "BB", "43"), ("37RM", "RM", "37"), ("27PZ", "PZ", "27"), ("24LSp", "LSp", "24"),
                          ("35(H)", "H", "35")])
def test_a_value_with_its_mark_is_not_told_to_keep_the_number(text, code, number):
    hint = not_number_hint(text, "", False, True)
    assert (f"the letter code after the value ('{code}') is a validity mark of the hour (数据标记): where the "
            "platform's legend gives it as invalid") in hint
    assert "leave the cell empty" in hint and hint.endswith(f"write the number alone, {number}")
    assert "validity mark" not in not_number_hint("43 ug", "", False, True)  # a unit word, not a mark


def test_a_marked_value_in_the_sample_is_refused_with_the_word_on_marks(season, capsys):
    frame = read(season, AQ)
    frame.loc[frame.index[(frame["pollutant"] == "PM2.5")][200], "value"] += "BB"
    write(frame, season, AQ)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert "is a validity mark of the hour (数据标记)" in err and "without 'BB'" not in err, err[:2000]


def test_chinese_pollutant_names_are_read():
    column = next(c for c in AIR_QUALITY.columns if c.name == "pollutant")
    out = Collector()
    labels = ["二氧化硫", "二氧化氮", "一氧化碳", "臭氧", "细颗粒物(PM2.5)", "可吸入颗粒物", "臭氧8小时"]
    values = convert_column(pd.DataFrame({"pollutant": labels}), column, "air_quality.csv", out)
    assert list(values) == ["SO2", "NO2", "CO", "O3", "PM2.5", "PM10", "O3_8h"] and out.problems == []


def _cma_codes(frame: pd.DataFrame) -> None:
    """M03: 3 precipitations 32700 (CMA's trace), 2 temperatures 999999 (CMA's missing value), one 微量."""
    frame.loc[frame.index[100:103], "precip_mm"] = "32700"
    frame.loc[frame.index[200:202], "temperature_c"] = "999999"
    frame.loc[frame.index[300], "precip_mm"] = "微量"


def test_weather_codes_are_named_and_no_series_check_takes_them_for_values(season, capsys):
    """M03: 32700 made "is the season in 0.1 mm? ÷ 10" and 999999 a clock refusal "add 6 hours"."""
    edit("meteorology.csv.gz", _cma_codes)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert ("meteorology.csv.gz, row 202, column 'temperature_c': 999999 is a code for a missing value (缺测) of "
            "China Meteorological Administration data, not a value: leave the cell empty") in err, err[:3000]
    assert ("row 102, column 'precip_mm': 32700 is the China Meteorological Administration's code for a trace of "
            "precipitation (微量, less than 0.1 mm), not an amount: write 0") in err
    assert "row 302, column 'precip_mm': '微量' is not a number [mm]; a trace of precipitation" in err
    assert "0.1 mm? " not in err and "hours to every stamp" not in err and "daily cycle" not in err
    assert err.count("\n  - ") == 6, err[:3000]


def test_a_code_within_a_columns_range_is_a_value():
    """9999 is a code only above the column's maximum: a boundary-layer height of 999 m stays a value."""
    column = next(c for c in METEOROLOGY.columns if c.name == "blh_m")
    out = Collector()
    values = convert_column(pd.DataFrame({"blh_m": ["999", "9999"]}), column, "meteorology.csv", out)
    assert values.iloc[0] == 999 and pd.isna(values.iloc[1])
    assert [p.row for p in out.problems] == [3] and "a code for a missing value" in out.problems[0].message


@pytest.mark.parametrize(("text", "said"), [("-99", "-99 is what platforms write for a missing hour, not a "
                                                    "concentration: leave the cell empty"),
                                            ("-1", "-1 is what platforms write for a missing hour"),
                                            ("-3", "a concentration below zero is an analyser's drift below zero "
                                                   "or a code")])
def test_a_negative_concentration_says_what_to_write(text, said):
    column = next(c for c in AIR_QUALITY.columns if c.name == "value")
    out = Collector()
    convert_column(pd.DataFrame({"value": [text]}), column, "air_quality.csv", out)
    (problem,) = out.problems
    assert problem.message.startswith(f"{text} is below the allowed minimum 0; ") and said in problem.message


def _beaufort(frame: pd.DataFrame) -> None:
    """M08: the previous season's wind speed written as the Beaufort force (风力, whole numbers)."""
    before = pd.to_datetime(frame["datetime"]) < pd.Timestamp("2020-04-01")
    speed = pd.to_numeric(frame.loc[before, "wind_speed_ms"])
    frame.loc[before, "wind_speed_ms"] = [str(int(b)) for b in np.digitize(speed, [0.3, 1.6, 3.4, 5.5, 8.0, 10.8, 13.9])]


def test_a_season_of_beaufort_forces_is_named_not_called_a_stuck_sensor(season, capsys):
    """M08: refused 9 times as "a stuck sensor? … or confirm them (weather_stuck)"; confirmed, the county's adjusted
    change moved from -10.9 to -7.2 %."""
    edit("meteorology.csv.gz", _beaufort)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert ("column 'wind_speed_ms': station 'county', season from 2019: every wind_speed_ms is a whole number from 0 "
            "to ") in err, err[:3000]
    assert "a Beaufort force (风力, 级), not a speed in m/s? A force is a range of speeds" in err
    assert "weather_stuck" not in err and "a stuck sensor?" not in err


def test_whole_metres_per_second_are_not_a_force(season, capsys):
    """A genuine record rounded to whole m/s keeps its spread: neither refused as stuck nor as a force."""
    def rounded(frame: pd.DataFrame) -> None:
        frame["wind_speed_ms"] = [f"{x:.0f}" for x in pd.to_numeric(frame["wind_speed_ms"])]
    edit("meteorology.csv.gz", rounded)(season)
    assert main(["validate", str(season)]) == 0, capsys.readouterr().err[:3000]


def _quarter_divided(frame: pd.DataFrame) -> None:
    """A52: PM2.5 and PM10 of every station from 2021-01-01 written ÷ 10 (a quarterly export's decimal slip)."""
    hit = frame["pollutant"].isin(["PM2.5", "PM10"]) & (pd.to_datetime(frame["datetime"]) >= pd.Timestamp("2021-01-01"))
    frame.loc[hit, "value"] = [f"{x / 10:.1f}" if pd.notna(x) else "" for x in
                               pd.to_numeric(frame.loc[hit, "value"], errors="coerce")]


def test_a_quarter_divided_by_10_is_named_not_called_a_stuck_analyser(season, capsys):
    """A52: refused as "a stuck analyser flickering in its last digit? … or confirm (aq_stuck)"."""
    edit(AQ, _quarter_divided)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert "varies far less than in its other months because its level is " in err, err[:3000]
    assert ("are these months' values divided by 10 (a decimal slip, or another unit)? multiply them by 10; not a "
            "stuck analyser") in err
    assert "aq_stuck" not in err and "a stuck analyser flickering" not in err


@pytest.fixture(scope="module")
def three_stations(tmp_path_factory) -> pd.DataFrame:
    """The hourly air quality of ``zzeval sample --seed 7 --townships 3`` (three stations, the review's base)."""
    folder = tmp_path_factory.mktemp("seed7") / "sample"
    assert main(["sample", str(folder), "--seed", "7", "--townships", "3"]) == 0
    aq = read(folder, AQ)[["station_code", "datetime", "pollutant", "value"]]
    return aq.assign(datetime=pd.to_datetime(aq["datetime"]), value=pd.to_numeric(aq["value"]))


def test_a_slip_at_one_station_of_three_names_that_station_only(three_stations):
    """A23: ZZ101's PM2.5 of 10-14 January × 10 (a lost decimal point) also had ZZ100 told "divided by 10?" for
    10-13 January, its reference (the mean of the two others) inflated by ZZ101's slip."""
    aq = three_stations.copy()
    rows = ((aq["station_code"] == "ZZ101") & (aq["pollutant"] == "PM2.5") & (aq["datetime"] >= "2021-01-10")
            & (aq["datetime"] < "2021-01-15")).to_numpy()
    aq.loc[rows, "value"] = aq.loc[rows, "value"] * 10
    out = Collector()
    check_air_quality_series(aq, "air_quality.csv", out)
    level = [p.message for p in out.problems if "the other stations' same days" in p.message]
    assert len(level) == 1 and level[0].startswith("station ZZ101, 5 days from 2021-01-10 to 2021-01-14"), level
    assert "multiplied by 10" in level[0]


def _co_previous_in_micrograms(frame: pd.DataFrame) -> None:
    """A37: every station's CO of the previous season × 1000 (an older export in µg/m³ under the mg/m³ label)."""
    hit = (frame["pollutant"] == "CO") & (pd.to_datetime(frame["datetime"]) < pd.Timestamp("2020-04-01"))
    frame.loc[hit, "value"] = [f"{x * 1000:.0f}" if pd.notna(x) else "" for x in
                               pd.to_numeric(frame.loc[hit, "value"], errors="coerce")]


def test_a_season_in_another_unit_is_named_not_the_right_months(season, capsys):
    """A37: the month messages told to multiply the 12 right current months by 1000 (their reference, the station's
    other months, was the wrong season's), and gave the wrong months either direction."""
    edit(AQ, _co_previous_in_micrograms)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert "station ZZ100, CO: the median of its months is season from 2019 " in err, err[:3000]
    assert ("the season from 2019 is outside the plausible range (zzeval/reference/plausible_limits.csv), the other "
            "season within it: are the season from 2019's values in a unit 1000 times smaller than labelled? divide "
            "them by 1000") in err
    assert "multiply them by 1000" not in err


def test_hours_written_with_shi_are_read(season, capsys):
    """A30: '2019-10-01 00时' (Chinese exports) was refused although 2020年12月1日 08:00 is read."""
    def shi(frame: pd.DataFrame) -> None:
        frame["datetime"] = pd.to_datetime(frame["datetime"]).dt.strftime("%Y-%m-%d %H时")
    edit(AQ, shi)(season)
    assert main(["validate", str(season)]) == 0, capsys.readouterr().err[:2000]

    reading = read_dates(pd.Series(["2019年10月1日 8时30分", "2019-10-01 25时"]), "datetime")
    assert str(reading.values[0]) == "2019-10-01 08:30:00" and bool(reading.not_date[1])


def test_a_unit_with_its_state_in_brackets_is_told_so(season, capsys):
    """A29: 'μg/m³(标况)' was refused on every row naming the characters '(' '标' '况' ')' that differ."""
    def state(frame: pd.DataFrame) -> None:
        frame["unit"] = frame["unit"].str.replace("µg/m³", "μg/m³(标况)")
    edit(AQ, state)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert ("'(标况)' notes the state (temperature and pressure) the values refer to (标况: standard conditions; 实况: "
            "the conditions of the hour), which the unit column does not hold") in err, err[:2000]
    assert "If your export holds the published values, write the unit alone, µg/m³" in err


def test_a_station_recoded_between_the_seasons_is_offered_replaces(season, capsys):
    """A25: nancun's station ZZ100 re-coded 1001A by the platform for the current season (same coordinates,
    `replaces` empty): the 无可比站点 notice did not offer `replaces`."""
    def recode(frame: pd.DataFrame) -> None:
        current = (frame["station_code"] == "ZZ100") & (pd.to_datetime(frame["datetime"]) >= pd.Timestamp("2020-10-01"))
        frame.loc[current, "station_code"] = "1001A"
    edit(AQ, recode)(season)
    stations = read(season, "stations.csv")
    write(pd.concat([stations, stations[stations["station_code"] == "ZZ100"].assign(station_code="1001A")]),
          season, "stations.csv")
    assert main(["validate", str(season)]) == 0
    said = capsys.readouterr()
    assert ("(无可比站点): the reports show it as undecided; ZZ100 and 1001A stand 0.0 km apart: if 1001A continues "
            "ZZ100 (the same site under a new code, or moved within 4 km, stations.replacement_distance_km), write "
            "ZZ100 in 1001A's `replaces` column of stations") in said.out + said.err
