"""Inputs that are unusual but unambiguous are read to the right values (and the user is told
how), from a `zzeval sample` season edited by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.input.cases import read, write
from zzeval.cli import main
from zzeval.errors import DataValidationError
from zzeval.season.loading import load_season
from zzeval.season.parsing import decode_text, read_dates, read_numbers


def test_chinese_and_slash_dates_read_without_false_duplicates(season):
    rt = read(season, "heating_retrofits.csv")
    original = pd.to_datetime(rt["completion_date"])
    rt.loc[0, "completion_date"] = f"{original[0].year}年{original[0].month}月{original[0].day}日"
    rt.loc[1, "completion_date"] = f"{original[1].year}/{original[1].month}/{original[1].day}"
    write(rt, season, "heating_retrofits.csv")
    loaded = load_season(season).heating_retrofits
    assert list(loaded["completion_date"][:2]) == list(original[:2])


def test_utc_offsets_become_beijing_time(season, capsys):
    met = read(season, "meteorology.csv.gz")
    # 2020-12-01 08:00 Beijing = 00:00 UTC; the same instant written with +08:00 and with Z
    at = met.index[met["datetime"] == "2020-12-01 08:00"][0]
    nxt = met.index[met["datetime"] == "2020-12-01 09:00"][0]
    temp_at, temp_next = float(met.loc[at, "temperature_c"]), float(met.loc[nxt, "temperature_c"])
    met.loc[at, "datetime"] = "2020-12-01T00:00Z"
    met.loc[nxt, "datetime"] = "2020-12-01 09:00+08:00"
    write(met, season, "meteorology.csv.gz")
    loaded = load_season(season).meteorology.set_index("datetime")
    assert loaded.at[pd.Timestamp("2020-12-01 08:00"), "temperature_c"] == temp_at
    assert loaded.at[pd.Timestamp("2020-12-01 09:00"), "temperature_c"] == temp_next
    assert main(["validate", str(season)]) == 0
    assert "2 time(s) with a UTC offset were converted to Beijing time" in capsys.readouterr().out


def test_thousands_separators_in_a_count_are_read_and_said(season, capsys):
    tw = read(season, "townships.csv")
    households = int(tw.loc[0, "households"])
    tw.loc[0, "households"] = f"{households:,}"
    write(tw, season, "townships.csv")
    assert load_season(season).townships["households"].iloc[0] == households
    assert main(["validate", str(season)]) == 0
    assert "'households': 1 value(s) with ',' thousands separators were read" in capsys.readouterr().out


def test_trailing_commas_on_every_row_are_dropped(season):
    path = season / "townships.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0]] + [line + "," for line in lines[1:]]) + "\n", encoding="utf-8")
    tw = load_season(season).townships
    assert list(tw["slug"]) == ["nancun", "xiacun"]
    assert tw["area_km2"].iloc[0] == pytest.approx(95.3)


def test_gbk_season_yaml_is_read(season):
    path = season / "season.yaml"
    text = path.read_text(encoding="utf-8").replace("µ", "u").replace("³", "3").replace("²", "2")
    path.write_bytes(text.encode("gbk"))
    assert load_season(season).meta["title"].startswith("泽州县 2020-2021 年秋冬季示例数据")


def test_synthetic_false_boolean_is_real_data(season):
    path = season / "season.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("synthetic: true", "synthetic: false"),
                    encoding="utf-8")
    assert load_season(season).synthetic is False


def test_a_date_that_is_not_a_date_is_named_once(season):
    rt = read(season, "heating_retrofits.csv")
    rt.loc[0, "completion_date"] = "sometime"
    write(rt, season, "heating_retrofits.csv")
    with pytest.raises(DataValidationError) as info:
        load_season(season)
    (problem,) = info.value.problems  # not also "empty date" or "duplicate row"
    assert (problem.row, problem.column) == (2, "completion_date")


# -- the cell readers on their own ---------------------------------------------------------------
def test_read_numbers_commas_column_by_column():
    ints = read_numbers(pd.Series(["1,234", "12"]), integer=True)
    assert list(ints.values) == [1234, 12] and ints.note
    ambiguous = read_numbers(pd.Series(["1,234", "12"]), integer=False)
    assert list(ambiguous.ambiguous_comma) == [True, False]
    dotted = read_numbers(pd.Series(["1,234", "12.5"]), integer=False)  # '.' is this column's decimal mark
    assert list(dotted.values) == [1234, 12.5]
    grouped = read_numbers(pd.Series(["1,234,567", "2,000"]), integer=False)
    assert list(grouped.values) == [1234567, 2000]
    decimal = read_numbers(pd.Series(["95,3", "7,40", "1e400", "-inf", "NaN", ""]), integer=False)
    assert list(decimal.decimal_comma) == [True, True, False, False, False, False]
    assert list(decimal.non_finite) == [False, False, True, True, True, False]


def test_read_dates_forms():
    reading = read_dates(pd.Series(["2020-09-05", "2020/9/5", "2020年9月5日", "2020.9.5", "05/09/2020",
                                    "2020-02-30", ""]), "date")
    assert list(reading.values[:4]) == [pd.Timestamp("2020-09-05")] * 4
    assert list(reading.year_last) == [False, False, False, False, True, False, False]
    assert list(reading.not_date) == [False, False, False, False, False, True, False]
    times = read_dates(pd.Series(["2020-12-01T03:00+05:00", "2020-12-01 08:00:00", "2020年12月1日 8:00"]),
                       "datetime")
    # 03:00 at UTC+5 = 22:00 UTC the day before = 06:00 Beijing
    assert list(times.values) == [pd.Timestamp("2020-12-01 06:00"), pd.Timestamp("2020-12-01 08:00"),
                                  pd.Timestamp("2020-12-01 08:00")]
    assert times.n_offset == 1


def test_decode_text_names_the_row_of_a_mixed_file():
    utf8_then_gbk = "a,b\n大东沟镇,1\n".encode() + "巴公镇,2\n".encode("gbk")
    failure = decode_text(utf8_then_gbk)
    assert failure.row == 3 and "row 2 is UTF-8" in failure.message
    assert decode_text("a,b\n巴公镇,2\n".encode("gbk")) == ("a,b\n巴公镇,2\n", "gb18030")


def test_header_only_measure_tables_are_a_notice(season, capsys):
    for name in ("vehicles.csv", "freight.csv"):
        write(read(season, name).iloc[0:0], season, name)
    assert main(["validate", str(season)]) == 0
    out = capsys.readouterr().out
    assert "Notice: vehicles.csv has no data rows: the reports take it that none of its measures took place" in out
    assert len(load_season(season).freight) == 0


def test_blank_lines_and_empty_rows_keep_the_spreadsheet_row_numbers(season):
    path = season / "tasks.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header, first, second = lines[0], lines[1], lines[2]
    bad = second.split(",")
    bad[6] = "many"  # im_tests
    # row 2 data, row 3 blank, row 4 ",,,," (an empty spreadsheet row), row 5 the bad one
    path.write_text("\n".join([header, first, "", "," * (len(bad) - 1), ",".join(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_season(season)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("tasks.csv", 5, "im_tests")


def test_problem_text_is_cut_whatever_its_parts():
    from zzeval.errors import Problem

    text = str(Problem("f.csv" * 1000, 2, "c" * 100_000, "m" * 100_000))
    assert len(text) < 1500 and "(100,000 characters)" in text


def test_a_key_given_twice_in_season_yaml_is_refused(tmp_path):
    # yaml.safe_load keeps the last value: 'synthetic: true' then 'synthetic: false' would
    # present synthetic data as real
    import shutil

    from zzeval.errors import DataValidationError
    from zzeval.season.loading import load_season
    from zzeval.season.parsing import load_yaml_strict

    with pytest.raises(Exception, match="the key 'synthetic' is given twice"):
        load_yaml_strict("synthetic: true\nsynthetic: false\n")
    season = tmp_path / "season"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data" / "sample", season)
    text = (season / "season.yaml").read_text(encoding="utf-8")
    (season / "season.yaml").write_text(text + "synthetic: false\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="given twice"):
        load_season(season)
