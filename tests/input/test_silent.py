"""The cases on which `zzeval validate` said OK while a value or verdict came out wrong
(tests/input/cases_silent.py) are refused with a message; what is read instead is read right and said."""

from __future__ import annotations

import pytest

from tests.input.cases import make_case, read, validate_refuses, write
from tests.input.cases_silent import SILENT_CASES
from zzeval.cli import main


@pytest.mark.parametrize("case", SILENT_CASES, ids=[c.name for c in SILENT_CASES])
def test_validate_refuses_what_it_passed_silently(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


def test_a_sheet_named_after_the_table_is_read_and_said(sample_season, tmp_path, capsys):
    from tests.input.cases_silent import _workbook
    from zzeval.season.loading import load_season

    folder = make_case(sample_season, SILENT_CASES[0], tmp_path / "season")  # any case; rewritten below
    write(read(sample_season, "townships.csv"), folder, "townships.csv")
    _workbook({"草稿": "draft", "townships": "table"})(folder)
    assert main(["validate", str(folder)]) == 0
    assert ("Notice: townships.xlsx: read the sheet 'townships' (named after the table); the other sheets with "
            "data are ignored ('草稿')") in capsys.readouterr().out
    households = load_season(folder).townships["households"]
    assert list(households) == [int(v) for v in read(sample_season, "townships.csv")["households"]]


def test_an_unknown_column_is_a_notice_not_an_error(season, capsys):
    tw = read(season, "townships.csv")
    tw.insert(0, "序号", [str(i) for i in range(1, len(tw) + 1)])
    tw["备注"] = "合成"
    write(tw, season, "townships.csv")
    assert main(["validate", str(season)]) == 0
    out = capsys.readouterr().out
    assert "Notice: townships.csv: column A ('序号') is not a column of townships and is ignored" in out
    assert "Notice: townships.csv: column L ('备注') is not a column of townships and is ignored" in out


def test_rows_are_spreadsheet_rows_when_a_cell_holds_a_line_break(season, capsys):
    fr = read(season, "freight.csv")
    fr.loc[0, "enterprise"] = "泽州某煤业公司A\n（合成）"  # one row in a spreadsheet, two lines in a text file
    write(fr, season, "freight.csv")
    assert main(["validate", str(season)]) == 0
    assert ("Notice: freight.csv: cells in row(s) 2 hold line breaks; rows are counted as a spreadsheet shows "
            "them") in capsys.readouterr().out
    fr.loc[1, "haul_km"] = "far"
    write(fr, season, "freight.csv")
    assert main(["validate", str(season)]) == 2
    assert "freight.csv, row 3, column 'haul_km': 'far' is not a number" in capsys.readouterr().err


@pytest.mark.parametrize("case_name", ["rule_unknown_indicator", "rule_threshold_nan", "rules_empty"])
def test_build_with_a_rule_that_never_fires_writes_nothing(case_name, sample_season, tmp_path, capsys):
    case = next(c for c in SILENT_CASES if c.name == case_name)
    data = make_case(sample_season, case, tmp_path / "data")
    out = tmp_path / "out"
    assert main(["build", "--data", str(data), "--out", str(out)]) == 2
    assert case.expect[0] in capsys.readouterr().err
    assert not out.exists()
