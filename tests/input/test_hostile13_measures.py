"""Hostile review s13-hostA, the measure/plan tables as a county clerk fills them: C29a (one clean_before_* cell of
a township left empty was summed as 0: coverage published 31 points too low), C16 (im_passes copied from im_tests
in every township: I/M pass rate 100 % everywhere), C14a/C14e (merged township cells: the merged-cell message
followed by cascades telling the clerk to remove genuine rows), M1 (a column refused by its header unit also
called empty / 缺测) and the low ones (C07a, C07b, C08g, C24b, C04c, C23c). Each case is made by a script from the
sample season (tests/input/cases.py) or is tiny inline data, and failed before its fix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.input.cases import Case, edit, read, setter, validate_refuses, write
from zzeval.cli import main


def _validate_ok(folder, capsys) -> str:
    code = main(["validate", str(folder)])
    captured = capsys.readouterr()
    assert code == 0, captured.err[:3000]
    return captured.err + captured.out


# -- C29a: a partly filled heating baseline ------------------------------------------------------------------

def test_one_empty_baseline_cell_is_refused_not_summed_as_zero(sample_season, tmp_path, capsys):
    """C29a: nancun's clean_before_gas empty while electricity and district are filled: refused on that cell."""
    err = validate_refuses(sample_season, Case("baseline_one_blank", setter("townships.csv", 0, "clean_before_gas", ""), (
        "townships.csv, row 2, column 'clean_before_gas': empty cell while the township's other clean_before_* cells "
        "are filled: an empty cell is not 0",
        "write the households heated by this kind before the season, 0 if none",
        "or leave all 3 clean_before_* cells of the township empty (coverage 无数据)")), tmp_path / "case", capsys)
    assert err.count("clean_before") >= 1


def test_a_township_without_any_baseline_passes(season, capsys):
    """C29b: all three cells of a township empty: no baseline (coverage 无数据), accepted as the README says."""
    tw = pd.read_csv(season / "townships.csv", dtype=str, keep_default_na=False)
    tw.loc[0, ["clean_before_electricity", "clean_before_gas", "clean_before_district"]] = ""
    tw.to_csv(season / "townships.csv", index=False)
    _validate_ok(season, capsys)


def test_coverage_of_a_partly_filled_baseline_is_not_computed():
    """Should a partly filled baseline come through, the coverage is NaN rather than the empty kind summed as 0."""
    from types import SimpleNamespace

    from zzeval.assess.progress import _coverage

    tw = pd.DataFrame({"slug": ["a", "b"], "households": [1000, 1000], "clean_before_electricity": [100, 100],
                       "clean_before_gas": [np.nan, 200], "clean_before_district": [300, 300]})
    out = pd.DataFrame({"heating_done_households": [10.0, 10.0]}, index=pd.Index(["a", "b"], name="township"))
    frame = _coverage(SimpleNamespace(townships=tw), out)
    assert np.isnan(frame.loc["a", "clean_heating_coverage_pct"])
    assert frame.loc["b", "clean_heating_coverage_pct"] == 61.0


# -- C16: im_passes copied from im_tests -----------------------------------------------------------------------

def _passes_copied(frame: pd.DataFrame) -> None:
    frame["im_passes"] = frame["im_tests"]


def test_passes_copied_from_tests_in_every_township_is_refused(sample_season, tmp_path, capsys):
    """C16: im_passes = im_tests in both townships (hundreds of tests each): a judgement check naming the first row."""
    validate_refuses(sample_season, Case("im_copied", edit("tasks.csv", _passes_copied), (
        "tasks.csv, row 2, column 'im_passes': im_passes equals im_tests in every one of the 2 townships with at "
        "least 50 tests",
        "Is the passes column a copy of the tests column? write the tests passed (合格数)",
        "im_all_passed: [all]")), tmp_path / "case", capsys)


def test_passes_copied_confirmed_and_small_townships_pass(season, capsys):
    """Confirmed, a notice; a township with fewer than 50 tests all passed (the other genuine) is not refused."""
    tasks = read(season, "tasks.csv")
    tasks.loc[0, "im_tests"] = tasks.loc[0, "im_passes"] = "40"
    write(tasks, season, "tasks.csv")
    _validate_ok(season, capsys)
    tasks = read(season, "tasks.csv").assign(im_tests=["818", "830"])
    _passes_copied(tasks)
    write(tasks, season, "tasks.csv")
    (season / "season.yaml").write_text((season / "season.yaml").read_text(encoding="utf-8")
                                        + "confirmed:\n  im_all_passed: [all]\n", encoding="utf-8")
    text = _validate_ok(season, capsys)
    assert "confirmed in season.yaml (im_all_passed: all), used as written" in text


# -- C14a/X3/C14e: merged township (and class) cells -----------------------------------------------------------

def _merged(*columns: str):
    """A spreadsheet's merged cells saved as CSV: a cell equal to the one above is left blank."""
    def func(frame: pd.DataFrame) -> None:
        for column in columns:
            same = frame[column] == frame[column].shift(1)
            frame.loc[same, column] = ""
    return func


def test_merged_township_cells_in_heating_say_the_cause_not_the_cascade(sample_season, tmp_path, capsys):
    """C14a: the merged-cell refusal, one line that the township sums wait, and none of the cascades (duplicate
    rows, targets above the households planned, targets without batches)."""
    err = validate_refuses(sample_season, Case("merged_heating", edit("heating_retrofits.csv", _merged("township")), (
        "heating_retrofits.csv, row 3, column 'township': empty cell; a str value is required (a merged cell?",
        "row(s) without a township (the empty cells): the checks of a township's rows taken together",
    ), ("duplicate of an earlier row", "more than 1.2 ×", "no row of township")), tmp_path / "case", capsys)
    assert err.count("row(s) without a township") == 1
    # a notice beside the refused cells, not a problem of its own (it counts in no refusal total)
    assert "notice: heating_retrofits.csv, column 'township': " in err


def test_merged_township_and_class_in_vehicles_are_not_called_duplicates(sample_season, tmp_path, capsys):
    """C14e: merged township and vehicle_class cells: no "duplicate of an earlier row … remove or merge one"."""
    validate_refuses(sample_season, Case("merged_vehicles",
                                         edit("vehicles.csv", _merged("township", "vehicle_class")), (
        "vehicles.csv, row 3, column 'township': empty cell; a str value is required (a merged cell?",
        "row(s) without a township (the empty cells)"),
        ("duplicate of an earlier row",)), tmp_path / "case", capsys)


def test_a_genuine_duplicate_is_still_refused_beside_merged_cells(sample_season, tmp_path, capsys):
    """An independent problem is not hidden: a row pasted twice (keys filled) beside a blank township cell."""
    def func(frame: pd.DataFrame) -> pd.DataFrame:
        frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
        frame.loc[5, "township"] = ""
        return frame
    validate_refuses(sample_season, Case("dup_and_blank", edit("heating_retrofits.csv", func), (
        "column 'completion_date': duplicate of an earlier row with the same township, retrofit_type, "
        "completion_date (row 2)",)), tmp_path / "case", capsys)


# -- M1: a column refused for its header's unit, or an unreadable cell, is not "empty" ---------------------------

def _header(name: str, old: str, new: str):
    def apply(folder) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def test_subsidy_column_refused_by_its_header_is_not_called_empty(sample_season, tmp_path, capsys):
    """C01: 补贴金额（千元）: the conversion is asked for; no notice that the (filled) cells are empty."""
    validate_refuses(sample_season, Case("subsidy_qianyuan", _header("heating_retrofits.csv", "subsidy_yuan",
                                                                     "补贴金额（千元）"), (
        "says the values are in 千元, but 'subsidy_yuan' is in yuan: convert the values to yuan (千元 × 1,000)",),
        ("empty on row(s)", "not reported")), tmp_path / "case", capsys)


def test_dustfall_column_refused_by_its_header_is_not_called_lost_samples(sample_season, tmp_path, capsys):
    """C05: 降尘量（kg/m²·月）: refused for its unit; not "36 month(s) left empty were read as missing (缺测)"."""
    validate_refuses(sample_season, Case("dustfall_kg", _header("dustfall.csv", "dustfall_t_km2_month",
                                                                "降尘量（kg/m²·月）"), (
        "the header of column C ('降尘量（kg/m²·月）') says the values are in kg/m²·月",),
        ("left empty were read as missing",)), tmp_path / "case", capsys)


def test_an_unreadable_subsidy_cell_is_not_called_empty(sample_season, tmp_path, capsys):
    """C13a: a subsidy written with no-break spaces is refused as such, not also listed as an empty cell."""
    def func(frame: pd.DataFrame) -> None:
        frame.loc[0, "subsidy_yuan"] = f"{int(frame.loc[0, 'subsidy_yuan']):,}".replace(",", "\u00a0")
    validate_refuses(sample_season, Case("subsidy_nbsp", edit("heating_retrofits.csv", func), (
        "heating_retrofits.csv, row 2, column 'subsidy_yuan':", "write it without spaces"),
        ("empty on row(s)",)), tmp_path / "case", capsys)


# -- C07a/C07b: a Zezhou township missing from townships.csv; a county row ---------------------------------------

def _append_row(name: str, values: dict):
    def func(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([frame, pd.DataFrame([values])], ignore_index=True).fillna("")
    return edit(name, func)


def test_a_zezhou_township_missing_from_townships_csv_is_named_as_such(sample_season, tmp_path, capsys):
    """C07a: 'bagong' (巴公镇, 140525108) is not "did you mean 'dadonggou'?" but a Zezhou township without a row."""
    rows = len(read(sample_season, "heating_retrofits.csv"))
    validate_refuses(sample_season, Case("bagong", _append_row("heating_retrofits.csv", {
        "township": "bagong", "retrofit_type": "coal_to_gas", "households_planned": "100", "households_done": "95",
        "completion_date": "2020-10-01", "subsidy_yuan": "700000"}), (
        f"heating_retrofits.csv, row {rows + 2}, column 'township': 'bagong' is 巴公镇 (140525108, bagong), a Zezhou "
        "township, but townships.csv has no row of it: add its row to townships.csv",), ("did you mean",)),
        tmp_path / "case", capsys)


def test_a_county_row_in_targets_is_named_the_county_without_cascades(sample_season, tmp_path, capsys):
    """C07b: 全县 in targets: "is the county … not a township"; no "add the township's batches" for 全县, no
    "other township(s) hold a share"."""
    err = validate_refuses(sample_season, Case("county_row", _append_row("targets.csv", {
        "township": "全县", "task": "heating_coal_to_gas", "target": "2350", "unit": "households",
        "deadline": "2020-10-31"}), (
        "'全县' is the county (a county-wide row), not a township: targets.csv holds each township's own figures",),
        ("no row of township 全县", "hold a share", "did you mean")), tmp_path / "case", capsys)
    assert err.count("全县") == 1


# -- C08g, C24b: what to write instead of 下降4% and 缺测 --------------------------------------------------------

def test_a_fall_in_words_is_answered_with_the_signed_number(sample_season, tmp_path, capsys):
    """C08g: a pm25_change_pct target written 下降4%: write -4."""
    def func(frame: pd.DataFrame) -> None:
        frame.loc[frame["task"] == "pm25_change_pct", "target"] = "下降4%"
    validate_refuses(sample_season, Case("fall_in_words", edit("targets.csv", func), (
        "'下降4%' is not a number", "a fall is written as a negative number: write -4 (a change in %, without '%')")),
        tmp_path / "case", capsys)


def test_lost_sample_word_in_dustfall_says_leave_the_cell_empty(sample_season, tmp_path, capsys):
    """C24b: 缺测 in a dustfall cell: leave the cell empty (the column allows it; the reports show 缺测)."""
    validate_refuses(sample_season, Case("queche", setter("dustfall.csv", 3, "dustfall_t_km2_month", "缺测"), (
        "dustfall.csv, row 5, column 'dustfall_t_km2_month': '缺测' is not a number",
        "marks a lost sample or a value not measured (缺测): leave the cell empty")), tmp_path / "case", capsys)


# -- C04c, C23c: g/m²·月 without brackets; months written 201910 ----------------------------------------------------

def test_dustfall_header_in_g_per_m2_month_without_brackets_is_accepted(season, capsys):
    """C04c: 降尘量（g/m²·月） is the accepted g/(m²·月) without brackets (1 g/m² = 1 t/km²)."""
    _header("dustfall.csv", "dustfall_t_km2_month", "降尘量（g/m²·月）")(season)
    _validate_ok(season, capsys)


def test_months_written_yyyymm_are_read(season, capsys):
    """C23c: dustfall months written 201910 (a statistics system's export) are read as 2019-10."""
    dust = read(season, "dustfall.csv")
    dust["month"] = dust["month"].str.replace("-", "", regex=False)
    write(dust, season, "dustfall.csv")
    _validate_ok(season, capsys)
    from zzeval.season.parsing import _parse_one
    assert _parse_one("201913", "month") is None and _parse_one("201910", "month")[0] == pd.Timestamp("2019-10-01")
