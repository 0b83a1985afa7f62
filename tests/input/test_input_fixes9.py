"""Issue 13 (bad input), known gaps closed in session 9: spellings of the vehicle tables, the cause of a
township's missing dustfall, CMA's calm code, notices for values left empty, a data-entry template's hidden
list sheet, the freight-in-kg hint. Each case is tiny inline data or made by a script from the sample
season (tests/input/cases.py), and failed before its fix."""

from __future__ import annotations

import pandas as pd

from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector
from zzeval.season.schema import TABLES


def _column(table: str, column: str, cells: list[str]) -> tuple[list, Collector]:
    col = next(c for c in TABLES[table].columns if c.name == column)
    out = Collector()
    values = convert_column(pd.DataFrame({column: cells}), col, f"{table}.csv", out)
    return list(values), out


# -- 1: 国六b, China VI, 纯电动 in the vehicle tables
def test_china_vi_stages_english_and_battery_electric_spellings_are_read():
    standards, out = _column("vehicles", "emission_standard", ["国六b", "国6A", "China VI", "China IV", "纯电动", "国Ⅵb"])
    assert standards == ["China6", "China6", "China6", "China4", "NEV", "China6"]
    assert out.problems == []
    assert ("vehicles.csv, column 'emission_standard': 1 cell(s) '国六b' were read as China6: stage b of China VI "
            "(国六b); the emission factors have one China VI class, so stages a and b are not told apart") in out.notes[0]
    assert len(out.notes) == 3  # 国六b, 国6A, 国Ⅵb; 'China VI' and 纯电动 mean what they are read as
    fuels, out = _column("vehicles", "fuel", ["纯电动", "电动", "柴油"])
    assert fuels == ["electric", "electric", "diesel"]
    assert out.problems == [] and out.notes == []


def test_a_refused_category_value_names_the_accepted_spellings_without_an_echo():
    _, out = _column("vehicles", "emission_standard", ["China6x"])
    assert [p.message for p in out.problems] == [
        "'China6x' is not allowed; did you mean 'China6'? use one of: China0, China1, China2, China3, China4, "
        "China5, China6, NEV"]
    _, out = _column("vehicles", "fuel", ["混合动力"])  # a hybrid: no fuel class of the emission model
    assert out.problems[0].message == "'混合动力' is not allowed; use one of: diesel, gasoline, gas, electric"


# -- 2: a township's six months present as rows, every value empty (缺测): not "no dustfall"
def test_dustfall_rows_all_empty_are_named_as_such_not_as_missing():
    from zzeval.season.data import SeasonPeriod
    from zzeval.season.dustfall import check_dustfall_measured

    months = pd.to_datetime(["2020-10-01", "2020-11-01", "2020-12-01", "2021-01-01", "2021-02-01", "2021-03-01"])
    dust = pd.DataFrame({"township": ["bagong"] * 6 + ["nancun"] * 6, "month": list(months) * 2,
                         "dustfall_t_km2_month": [7.0, 8.1, 6.5, 5.9, 9.2, 10.4] + [float("nan")] * 6})
    out = Collector()
    check_dustfall_measured({"dustfall": dust}, {"dustfall": "dustfall.csv"},
                            {"bagong": "巴公镇", "nancun": "南村镇", "xiacun": "下村镇"}, SeasonPeriod("2020-2021"), out)
    assert [(p.row, p.column) for p in out.problems] == [(8, "dustfall_t_km2_month"), (None, "township")]
    assert out.problems[0].message.startswith(
        "township 南村镇 (nancun) has 6 month(s) of the season 2020-2021 as rows (rows 8, 9, 10, 11, 12, 13), but every "
        "dustfall value is empty (缺测, as for a lost sample)")
    assert "no dustfall" not in out.problems[0].message
    assert out.problems[1].message.startswith("no dustfall for township 下村镇 (xiacun)")  # no rows at all


# -- 3: CMA's numeric calm code 999017 in the wind direction
def test_cma_calm_code_is_a_calm_hour_where_the_speed_is_calm_and_named_otherwise():
    col = next(c for c in TABLES["meteorology"].columns if c.name == "wind_dir_deg")
    frame = pd.DataFrame({"wind_dir_deg": ["999017", "999017.0", "999017", "999017", "180"],
                          "wind_speed_ms": ["0.1", "0.0", "1.9", "", "2"]})
    out = Collector()
    values = convert_column(frame, col, "meteorology.csv", out)
    assert values.isna().tolist() == [True, True, True, True, False]
    assert out.notes == ["meteorology.csv, column 'wind_dir_deg': 2 cell(s) '999017' (the China Meteorological "
                         "Administration's code for a calm hour, 静风) with a wind speed of at most 0.2 m/s were read as "
                         "calm hours without a wind direction"]
    assert [(p.row, p.column) for p in out.problems] == [(4, "wind_dir_deg"), (5, "wind_dir_deg")]
    assert out.problems[0].message.startswith(
        "'999017' is the China Meteorological Administration's code for a calm hour (静风), but the wind speed of this "
        "hour is 1.9 m/s, above the 0.2 m/s of a calm hour")
    assert "this hour has no wind speed" in out.problems[1].message
    assert "write the wind direction in degrees from north (0-360), or correct the wind speed" in out.problems[1].message


def test_a_refused_calm_code_is_reported_once(season, capsys):
    from tests.input.cases import read, write
    from zzeval.cli import main

    met = read(season, "meteorology.csv.gz")
    met.loc[5, "wind_dir_deg"] = "999017"  # a windy hour
    write(met, season, "meteorology.csv.gz")
    assert main(["validate", str(season)]) == 2
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert text.count("meteorology.csv.gz, row 7, column 'wind_dir_deg'") == 1, text
    assert "is the China Meteorological Administration's code for a calm hour" in text
    assert "above the allowed maximum 360" not in text


# -- 4: values left empty (缺测) said in one notice each: a dustfall month, air-quality hours
def test_a_dustfall_month_left_empty_gets_one_counted_notice():
    from zzeval.season.data import SeasonPeriod
    from zzeval.season.dustfall import check_dustfall_months

    months = pd.to_datetime(["2020-10-01", "2020-11-01", "2020-12-01", "2021-01-01", "2021-02-01", "2021-03-01"])
    dust = pd.DataFrame({"township": ["bagong"] * 6 + ["nancun"] * 6, "month": list(months) * 2,
                         "dustfall_t_km2_month": [7.0, None, 6.5, 5.9, None, 10.4] + [8.0, 7.0, None, 6.0, 9.0, 9.5]})
    out = Collector()
    check_dustfall_months(dust, "dustfall.csv", SeasonPeriod("2020-2021"), out)
    assert out.problems == []
    assert out.notes == ["dustfall.csv, column 'dustfall_t_km2_month': 3 month(s) left empty were read as missing "
                         "(缺测, a lost sample): bagong 2020-11, bagong 2021-02, nancun 2020-12; the reports show them as "
                         "缺测 and take the township's season mean and highest month over its measured months"]


def _with_empty_values(aq: pd.DataFrame) -> pd.DataFrame:
    """Hours of an outage left empty at both stations of the tiny season (as they should be written)."""
    first = aq.index[aq["station_code"] == aq["station_code"].iloc[0]][:7]
    last = aq.index[aq["station_code"] == aq["station_code"].iloc[-1]][-4:]
    aq.loc[first.union(last), "value"] = None
    return aq


def test_air_quality_values_left_empty_get_one_notice_also_from_split_tasks(tmp_path):
    from tests.tiny_season import write_tiny_season
    from zzeval.season.columnar import convert_to_parquet
    from zzeval.season.loading import load_season
    from zzeval.season.township_rows import split_season

    folder = write_tiny_season(tmp_path / "season", days=20)
    path = folder / "air_quality.csv"
    _with_empty_values(pd.read_csv(path, dtype=str, keep_default_na=False)).to_csv(path, index=False)
    notices = [n for n in load_season(folder).meta["notices"] if "left empty" in n]
    assert notices == [
        "air_quality.csv, column 'value': 11 value(s) left empty were read as missing hours (缺测, e.g. an analyser "
        "outage; by station: ZZ108 7, ZZ112 4): they count neither as measured nor as 0, and a day's mean needs 20 "
        "valid hours of a pollutant (zzeval/reference/data_validity.csv)"]
    convert_to_parquet(folder)
    one, _ = split_season(folder, tmp_path / "one")
    tasks, store = split_season(folder, tmp_path / "tasks", mapper=lambda fn, items: [fn(i) for i in items], n_tasks=4)
    assert [f[:5] for c in store.stations.values() for f in c["files"]] == ["t0000", "t0001"]  # checked by two tasks
    expected = [notices[0].replace("air_quality.csv", "air_quality.parquet")]
    assert [n for n in one.meta["notices"] if "left empty" in n] == expected
    assert [n for n in tasks.meta["notices"] if "left empty" in n] == expected


# -- 5: a data-entry template: the table on its one visible sheet, dropdown lists on a hidden sheet
def _template(path, visible_sheets: int = 1):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "填报表"
    for row in (["township", "retrofit_type", "households_done"], ["bagong", "煤改电", 120], ["nancun", "煤改气", 80]):
        wb.active.append(row)
    if visible_sheets > 1:
        wb.create_sheet("草稿").append(["township", "retrofit_type"])
    lists = wb.create_sheet("lists")
    for row in (["煤改电"], ["煤改气"], ["工业余热"], ["洁净煤"]):
        lists.append(row)
    lists.sheet_state = "hidden"
    wb.save(path)
    return path


def test_a_template_with_a_hidden_list_sheet_is_read_from_its_one_visible_sheet(tmp_path):
    from zzeval.season.tablefile import read_table_file_noted

    frame, notes = read_table_file_noted(_template(tmp_path / "heating_retrofits.xlsx"))
    assert list(frame.columns) == ["township", "retrofit_type", "households_done"]
    assert frame["retrofit_type"].tolist() == ["煤改电", "煤改气"]
    assert notes == ["heating_retrofits.xlsx: read the sheet '填报表', the only visible one with data; the hidden "
                     "sheet(s) 'lists' (a template's dropdown lists?) were not read"]


def test_two_visible_sheets_with_data_stay_refused(tmp_path):
    import pytest

    from zzeval.errors import DataValidationError
    from zzeval.season.tablefile import read_table_file_noted

    with pytest.raises(DataValidationError) as err:
        read_table_file_noted(_template(tmp_path / "heating_retrofits.xlsx", visible_sheets=2))
    assert ("the workbook has 3 sheets with data ('填报表', '草稿', 'lists'); zzeval cannot tell which holds the "
            "table") in str(err.value)


# -- 6: the freight-in-kg hint lists the values meant (÷ 1,000), not those written
def test_the_freight_in_kg_hint_lists_the_values_divided_by_1000():
    from zzeval.season.clerical import check_freight_ceiling

    fr = pd.DataFrame({"enterprise": ["firm0", "firm1"], "cargo": "coal", "road_t_before": [1_500_000_000.0, 400_000.0],
                       "rail_t_before": [600_000_000.0, 0.0], "road_t_after": [350_000_000.0, 200_000.0],
                       "rail_t_after": [1_750_000_500.0, 200_000.0]})
    out = Collector()
    check_freight_ceiling(fr, "freight.csv", out)
    message = out.problems[0].message
    assert ("write tonnes per year (kg ÷ 1,000) in all four columns, i.e. road_t_before 1,500,000, rail_t_before "
            "600,000, road_t_after 350,000, rail_t_after 1,750,000.5 (t/yr: the values written ÷ 1,000)") in message
    assert "1,500,000,000" not in message


# -- 7: one way of counting runs of consecutive hours (season/runs.py)
def test_runs_of_consecutive_hours_break_at_gaps_repeats_and_group_changes():
    import numpy as np

    from zzeval.season.runs import in_runs_of, longest_run, run_labels, run_lengths

    hours = np.array([1, 2, 3, 3, 4, 7, 8, 9, 10])
    station = np.array(["a"] * 7 + ["b"] * 2)
    labels = run_labels(hours, station)
    assert labels.tolist() == [1, 1, 1, 2, 2, 3, 3, 4, 4]
    assert run_lengths(labels).tolist() == [3, 3, 3, 2, 2, 2, 2, 2, 2]
    assert longest_run(np.unique(hours)) == 4 and longest_run(np.array([], dtype=int)) == 0
    order = np.array([8, 0, 5, 1, 2, 6, 3, 7, 4])  # any order: the rows are sorted inside
    assert in_runs_of(hours[order], (station[order],), 3).tolist() == [False, True, False, True, True, False,
                                                                     False, False, False]
    times = np.array(["2020-12-01T00", "2020-12-01T01", "NaT", "2020-12-01T03"], dtype="datetime64[h]")
    assert run_labels(times, step=np.timedelta64(1, "h")).tolist() == [1, 1, 2, 3]
