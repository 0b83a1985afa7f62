"""What a county clerk does to a table in Excel or WPS, made from a `zzeval sample` season like
tests/input/cases.py: each case must be refused with a message naming the file, row and column and
what to write instead (tests/input/test_clerk.py also checks what must be read right)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tests.input.cases import Case, edit, read, setter


def _lines(name: str, func: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(func(lines)) + "\n", encoding="utf-8")
    return apply


def _totals_row(name: str, label_column: str, summed: tuple[str, ...]) -> Callable[[Path], None]:
    def func(frame: pd.DataFrame) -> pd.DataFrame:
        total = dict.fromkeys(frame.columns, "")
        total[label_column] = "合计"
        total.update({c: str(pd.to_numeric(frame[c]).sum()) for c in summed})
        return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    return edit(name, func)


def _rescaled(name: str, column: str, header: str, factor: float) -> Callable[[Path], None]:
    """``column`` converted to another unit (values × ``factor``) and headed ``header``."""
    def func(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = (pd.to_numeric(frame[column]) * factor).round(2).astype(str)
        return frame.rename(columns={column: header})
    return edit(name, func)


def _target(task: str, value: str, column: str = "target") -> Callable[[Path], None]:
    def func(frame: pd.DataFrame) -> None:
        frame.loc[frame.index[frame["task"] == task][0], column] = value
    return edit("targets.csv", func)


def _percent_cells_in_a_workbook(folder: Path) -> None:
    """targets.xlsx whose % targets are cells formatted as percentages: the cell holds 0.9 for 90 %."""
    frame = read(folder, "targets.csv")
    frame["target"] = pd.to_numeric(frame["target"]).astype(float)
    share = frame["task"].isin(["im_pass_rate_pct", "rail_share_coal_coke_pct"])
    frame.loc[share, "target"] = frame.loc[share, "target"] / 100
    frame.to_excel(folder / "targets.xlsx", index=False)
    (folder / "targets.csv").unlink()


def _renamed(old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / old).rename(folder / new)
    return apply


def _unicode_text(folder: Path) -> None:
    """townships.csv as Excel's 'Unicode text': UTF-16 with a BOM, separated by tabs."""
    frame = read(folder, "townships.csv")
    (folder / "townships.csv").write_bytes(frame.to_csv(index=False, sep="\t").encode("utf-16"))


def _merged_townships(frame: pd.DataFrame) -> None:
    frame.loc[frame["township"].duplicated(), "township"] = ""


#: Spreadsheet rows of the first township's im_pass_rate_pct and rail_share_coal_coke_pct targets in
#: a sample season's targets.csv (tests/input/test_clerk.py checks them).
ROW_IM_PASS_RATE, ROW_RAIL_SHARE = 9, 10


CLERK_CASES = (
    # layout of the sheet
    Case("title_row_above_header", _lines("townships.csv", lambda lines: ["泽州县乡镇基本情况表,,,,,,,,,", *lines]),
         ("townships.csv, row 2: the header (the column names) is on row 2, not row 1: delete the 1 row(s) above it",),
         ("required column is missing",)),
    Case("two_level_header", _lines("heating_retrofits.csv", lambda lines: [",,户数,,,", *lines]),
         ("heating_retrofits.csv, row 2: the header (the column names) is on row 2, not row 1",),
         ("required column is missing", "empty cell")),
    Case("totals_row_retrofits", _totals_row("heating_retrofits.csv", "township",
                                             ("households_planned", "households_done")),
         ("heating_retrofits.csv, row 14: looks like a totals row ('合计'): delete it, zzeval adds up the rows itself",),
         ("unknown township", "empty cell")),
    Case("totals_row_townships", _totals_row("townships.csv", "name_zh", ("households", "population")),
         ("townships.csv, row 4: looks like a totals row ('合计')",), ("empty cell",)),
    Case("merged_township_cells", edit("heating_retrofits.csv", _merged_townships),
         ("heating_retrofits.csv, row 3, column 'township': empty cell; a str value is required (a merged cell? "
          "a spreadsheet keeps the value of merged cells in the first row only: unmerge them and fill in every row)",)),
    # units of another scale in a header
    Case("area_in_mu", _rescaled("townships.csv", "area_km2", "面积（亩）", 1500),
         ("townships.csv, row 1, column 'area_km2': the header of column G ('面积（亩）') says the values are in 亩, "
          "but 'area_km2' is in km²: convert the values to km²",)),
    Case("subsidy_in_wan_yuan", _rescaled("heating_retrofits.csv", "subsidy_yuan", "补贴金额(万元)", 1e-4),
         ("heating_retrofits.csv, row 1, column 'subsidy_yuan': the header of column F ('补贴金额(万元)') says the "
          "values are in 万元, but 'subsidy_yuan' is in yuan",)),
    Case("road_freight_in_wan_tonnes", _rescaled("freight.csv", "road_t_before", "road_t_before (万吨)", 1e-4),
         ("freight.csv, row 1, column 'road_t_before': the header of column D ('road_t_before (万吨)') says the "
          "values are in 万吨, but 'road_t_before' is in t/yr",)),
    # township codes a spreadsheet changed
    Case("code_scientific", setter("townships.csv", 0, "code", "1.40525E+08"),
         ("townships.csv, row 2, column 'code': '1.40525E+08' is not a township code (6 to 12 digits",
          "scientific notation and lost its last digits")),
    Case("code_dot_zero", setter("townships.csv", 1, "code", "140525101.0"),
         ("townships.csv, row 3, column 'code': '140525101.0' is not a township code",
          "wrote the code as a decimal number: write 140525101")),
    Case("code_apostrophe", setter("townships.csv", 0, "code", "'140525100"),
         ("townships.csv, row 2, column 'code': ''140525100' is not a township code",
          "remove the leading apostrophe: write 140525100")),
    # percentages
    Case("percent_target_as_fraction", _target("im_pass_rate_pct", "0.9"),
         (f"targets.csv, row {ROW_IM_PASS_RATE}, column 'target': 0.9 % for im_pass_rate_pct looks "
          "like a fraction", "write the target in %: 90")),
    Case("percent_cells_in_a_workbook", _percent_cells_in_a_workbook,
         (f"targets.xlsx, row {ROW_IM_PASS_RATE}, column 'target': 0.9 % for im_pass_rate_pct",
          f"targets.xlsx, row {ROW_RAIL_SHARE}, column 'target': 0.8 % for "
          "rail_share_coal_coke_pct looks like a fraction")),
    Case("percent_sign", _target("im_pass_rate_pct", "90%"),
         (f"targets.csv, row {ROW_IM_PASS_RATE}, column 'target': '90%' is not a number; "
          "write 90 without '%'",)),
    # cells that are not numbers or dates, with what to write instead
    Case("unit_in_cell", setter("townships.csv", 0, "area_km2", "95.3 km²"),
         ("townships.csv, row 2, column 'area_km2': '95.3 km²' is not a number [km²]; write the number alone, 95.3 "
          "(the column is in km²), without 'km²'",)),
    Case("note_in_cell", setter("heating_retrofits.csv", 0, "households_done", "126（含补报）"),
         ("heating_retrofits.csv, row 2, column 'households_done': '126（含补报）' is not a number [households]; "
          "write the number alone, 126",)),
    Case("full_width_digits", setter("townships.csv", 0, "households", "１０４５４"),
         ("townships.csv, row 2, column 'households': '１０４５４' is not a number [households]; full-width digits "
          "or signs: write 10454 in half-width characters",)),
    Case("space_thousands", setter("townships.csv", 0, "population", "38\u00a0214"),
         ("townships.csv, row 2, column 'population': '38\u00a0214' is not a number [persons]; write it without "
          "spaces: 38214",)),
    Case("dash_for_no_value", setter("heating_retrofits.csv", 0, "subsidy_yuan", "—"),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': '—' is not a number [yuan]; leave the cell empty",)),
    Case("excel_serial_date", setter("heating_retrofits.csv", 0, "completion_date", "44086"),
         ("heating_retrofits.csv, row 2, column 'completion_date': '44086' is not a date",
          "a spreadsheet date number (2020-09-12?) that lost its date format")),
    # files saved in a format zzeval does not read
    Case("old_excel_workbook", _renamed("townships.csv", "townships.xls"),
         ("townships.xls: is not read as table townships: zzeval reads townships.csv, .csv.gz or .xlsx",),
         ("table is missing",)),
    Case("optional_table_as_wps_workbook", _renamed("sites.csv", "sites.et"),
         ("sites.et: is not read as table sites", "WPS .et workbook")),
    Case("upper_case_extension", _renamed("stations.csv", "stations.CSV"),
         ("stations.CSV: is not read as table stations: zzeval reads stations.csv, .csv.gz or .xlsx (lower-case)",)),
    Case("unicode_text", _unicode_text,
         ("townships.csv, row 1: the file is UTF-16 (what Excel saves as 'Unicode text', separated by tabs)",)),
    # a year typed wrong, a share over 100 %
    Case("retrofit_finished_2002", setter("heating_retrofits.csv", 0, "completion_date", "2002-09-12"),
         ("heating_retrofits.csv, row 2, column 'completion_date': 2002-09-12 is before the previous season began "
          "(2019-10-01)", "check the year")),
    Case("share_target_over_100", _target("im_pass_rate_pct", "900"),
         (f"targets.csv, row {ROW_IM_PASS_RATE}, column 'target': 900 % for im_pass_rate_pct: a share cannot "
          "exceed 100 %",)),
    Case("target_in_another_unit", _target("im_pass_rate_pct", "辆", column="unit"),
         (f"targets.csv, row {ROW_IM_PASS_RATE}, column 'unit': '辆' is not the unit of im_pass_rate_pct (%)",)),
    Case("more_retrofits_than_households", lambda d: [setter("heating_retrofits.csv", 0, c, "99999")(d)
                                                      for c in ("households_planned", "households_done")],
         ("heating_retrofits.csv, row 2, column 'households_planned': township nancun: 102,194 households planned "
          "for retrofits in all, more than its 10,454 households in townships.csv",)),
    Case("township_row_pasted_twice", _lines("townships.csv", lambda lines: [*lines, lines[1]]),
         ("townships.csv, row 4, column 'slug': duplicate slug 'nancun'; every township needs its own",)),
    Case("day_in_a_month_column", setter("dustfall.csv", 0, "month", "2019-10-15"),
         ("dustfall.csv, row 2, column 'month': '2019-10-15' is not a month; write it like 2020-12 "
          "(2020/12, 2020年12月 and 2020-12-01 are read too)",)),
)
