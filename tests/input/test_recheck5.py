"""Cases of the final re-review of issue 13 (notes: recheck5.md) that the current code already handles:
a county clerk's messy cells read right, or refused by file, row and column with what to write. Inputs are
made by script from the `zzeval sample` season, as in tests/input/cases.py."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from tests.input.cases import Case, edit, read, setter, validate_refuses
from zzeval.cli import main
from zzeval.season.loading import load_season


def _cells(name: str, values: dict[tuple[int, str], str]):
    def func(frame):
        for (row, column), value in values.items():
            frame.loc[row, column] = value
    return edit(name, func)


@pytest.mark.parametrize("table, values", [
    # one column, four ways of writing a date (slashes, Chinese, dots, a midnight time from a spreadsheet)
    ("heating_retrofits", {(0, "completion_date"): "2020/9/12", (1, "completion_date"): "2020年11月15日",
                           (2, "completion_date"): "2020.10.9", (3, "completion_date"): "2020-11-15 00:00:00"}),
    # numbers with a trailing space or tab, a sign on a zero
    ("townships", {(0, "households"): "10454 ", (1, "population"): " 30162\t"}),
    ("vehicles", {(2, "scrapped"): "-0", (3, "scrapped"): "+0"}),
], ids=["mixed_date_formats", "spaces_around_numbers", "signed_zero"])
def test_messy_cells_load_like_the_clean_ones(sample_season, season, table, values):
    clean = getattr(load_season(sample_season), table)
    _cells(f"{table}.csv", values)(season)
    assert main(["validate", str(season)]) == 0
    pd.testing.assert_frame_equal(clean, getattr(load_season(season), table))


def _merged_township_cells(folder):
    frame = read(folder, "heating_retrofits.csv")
    for column in ("households_planned", "households_done", "subsidy_yuan"):
        frame[column] = pd.to_numeric(frame[column])
    (folder / "heating_retrofits.csv").unlink()
    path = folder / "heating_retrofits.xlsx"
    frame.to_excel(path, index=False)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row in range(3, 5):
        sheet.cell(row, 1).value = None
    sheet.merge_cells("A2:A4")
    book.save(path)


CASES = (
    Case("unit_written_in_the_cell", setter("townships.csv", 0, "households", "10454户"),
         ("townships.csv, row 2, column 'households': '10454户' is not a number", "write the number alone, 10454",
          "without '户'")),
    Case("chinese_unit_after_dustfall", setter("dustfall.csv", 0, "dustfall_t_km2_month", "8.4吨/平方公里·月"),
         ("dustfall.csv, row 2, column 'dustfall_t_km2_month'", "write the number alone, 8.4",)),
    Case("totals_row_in_tasks", lambda f: (f / "tasks.csv").write_text(
        (f / "tasks.csv").read_text(encoding="utf-8") + "合计,9,9,18,17,0,1648,1551,180,1\n", encoding="utf-8"),
         ("tasks.csv, row 4: looks like a totals row ('合计')",)),
    Case("station_listed_for_two_townships",
         edit("stations.csv", lambda f: pd.concat([f, f.iloc[[0]].assign(township="xiacun")])),
         ("stations.csv, row 4, column 'station_code': duplicate of an earlier row with the same station_code",)),
    Case("humidity_as_a_fraction",
         edit("meteorology.csv.gz", lambda f: f.assign(rh_pct=(pd.to_numeric(f.rh_pct) / 100).round(2).astype(str))),
         ("column 'rh_pct'", "this looks like a fraction (0.63 for 63 %)")),
    # a month written 201911 is read (s13-hostA C23c: tests/input/test_hostile13_measures.py); 2019-13 is not a month
    Case("month_without_separator", setter("dustfall.csv", 1, "month", "201913"),
         ("dustfall.csv, row 3, column 'month': '201913' is not a month",)),
    Case("merged_township_cells_in_a_workbook", _merged_township_cells,
         ("heating_retrofits.xlsx, row 3, column 'township': empty cell", "a merged cell?")),
    Case("season_with_an_en_dash", lambda f: (f / "season.yaml").write_text(
        (f / "season.yaml").read_text(encoding="utf-8").replace("season: 2020-2021", "season: 2020–2021"),
        encoding="utf-8"),
         ("season.yaml, column 'season': '2020–2021' is not a season",)),
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_clerk_mistakes_are_named_by_row_and_column(sample_season, tmp_path, capsys, case):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)
