"""What the fifth hostile review of issue 13 found (notes: hostile5.md). Inputs are made by script from
the `zzeval sample` season, as in tests/input/cases.py; faults are made for real (a file-size limit,
``ulimit -f``, in a child process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from tests.input.cases import Case, edit, validate_refuses

# -- a full disk: the write fails with EFBIG under a file-size limit (as ENOSPC on a full disk)
_FULL_DISK = ("import resource, sys\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n")


def _child(body: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _FULL_DISK + textwrap.dedent(body)], capture_output=True, text=True,
                          timeout=300)


def test_a_full_disk_keeps_the_old_file_whole_and_says_so(tmp_path):
    old = tmp_path / "county.html"
    old.write_text("<p>the report built yesterday</p>", encoding="utf-8")
    res = _child(f"""
    from zzeval.atomic import atomic_write_bytes
    from zzeval.errors import NoSpaceError
    try:
        atomic_write_bytes({str(old)!r}, b"x" * 100_000)
    except NoSpaceError as exc:
        print(exc)
    """)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"cannot write {old}: File too large — the disk, a quota or the file-size "
                                 "limit is full. Files already there are unchanged"), res.stdout
    assert old.read_text(encoding="utf-8") == "<p>the report built yesterday</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["county.html"]  # no temporary file left


def test_a_full_disk_is_a_message_and_exit_1_not_a_traceback(tmp_path):
    """Any command whose output does not fit (here `zzeval sample`, which writes with pandas) ends with
    the message and exit code 1 (a fault of the machine, not of the input: 2 would say 'fix your data')."""
    res = _child(f"""
    from zzeval.cli import main
    sys.exit(main(["sample", {str(tmp_path / "s")!r}, "--townships", "1"]))
    """)
    assert "Traceback" not in res.stderr, res.stderr[-2000:]
    assert res.returncode == 1, res.stderr
    assert "File too large — the disk, a quota or the file-size limit is full" in res.stderr
    assert "Wrote" not in res.stdout + res.stderr


# -- hourly series valid value by value but wrong as a series: validate said OK and the numbers moved
def _swap_pm(frame):
    pollutant = frame["pollutant"].copy()
    frame.loc[pollutant == "PM2.5", "pollutant"] = "PM10"
    frame.loc[pollutant == "PM10", "pollutant"] = "PM2.5"


def _stuck(frame):
    first = frame["station_code"].iloc[0]
    hours = pd.to_datetime(frame["datetime"])
    stuck = ((frame["station_code"] == first) & (frame["pollutant"] == "PM2.5")
             & (hours >= "2020-12-01") & (hours < "2020-12-21"))
    frame.loc[stuck, "value"] = "35"


def _flat(column, value):
    def func(frame):
        frame[column] = value
    return func


SERIES_CASES = (
    Case("pm25_and_pm10_rows_swapped", edit("air_quality.csv.gz", _swap_pm),
         ("air_quality.csv.gz, row 3, column 'pollutant': station ZZ100, season from 2019: PM2.5 is above PM10 in ",
          "hours (100%); PM2.5 is part of PM10, so this happens only now and then (at most 50% of the hours, "
          "zzeval/reference/input_limits.csv): are the PM2.5 and PM10 rows swapped?")),
    Case("stuck_pm25_analyser", edit("air_quality.csv.gz", _stuck),
         ("column 'value': station ZZ100: PM2.5 is 35 in each of ",
          "hours in a row (2020-12-0", "at most 48, zzeval/reference/input_limits.csv): a stuck analyser repeating "
          "its last value? remove these rows")),
    Case("all_calm_season", edit("meteorology.csv.gz", _flat("wind_speed_ms", "0")),
         ("meteorology.csv.gz, row 2, column 'wind_speed_ms': every wind_speed_ms of station 'county' in the season "
          "from 2019 is 0: one value all season is a frozen sensor or a filled column, and the weather adjustment "
          "cannot use it",)),
    # the build failed with "ValueError: need at least one array to concatenate" (traceback, exit 1)
    Case("constant_temperature", edit("meteorology.csv.gz", _flat("temperature_c", "7")),
         ("meteorology.csv.gz, row 2, column 'temperature_c': every temperature_c of station 'county' in the season "
          "from 2019 is 7: one value all season",)),
)


@pytest.mark.parametrize("case", SERIES_CASES, ids=[c.name for c in SERIES_CASES])
def test_series_wrong_as_a_whole_are_refused(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


# -- the analyst's path: wrong notebook parameters stop in the first cell, before any computation
@pytest.mark.parametrize(("season", "lang", "message"), [
    ("2020-2021", "fr", "lang 'fr' is not a report language: pass -p lang zh (Chinese) or -p lang en (English)"),
    ("2020-2021", "ZH", "lang 'ZH' is not a report language"),
    ("2021", "zh", "season must look like '2020-2021' (two consecutive years), got '2021'; pass it like -p season "
                   "2020-2021"),
    # papermill -p season 2020 passes a number: it was "TypeError: expected string or bytes-like object"
    (2020, "zh", "got '2020'; pass it like -p season 2020-2021"),
])
def test_notebook_parameters_are_checked_first(season, lang, message):
    from zzeval.season.locate import ParameterError, check_parameters

    with pytest.raises(ParameterError) as caught:
        check_parameters(season, lang)
    assert message in str(caught.value)


def test_notebook_parameters_that_are_right_pass_through():
    from zzeval.season.locate import check_parameters

    assert check_parameters("2020-2021", "en") == ("2020-2021", "en")
    assert check_parameters(" 2019-2020 ") == ("2019-2020", "zh")


def test_a_data_dir_that_is_a_file_says_so(sample_season):
    from zzeval.season.locate import ParameterError, resolve_data_dir

    with pytest.raises(ParameterError) as caught:  # it said "season folder … not found"
        resolve_data_dir(sample_season / "townships.csv")
    assert str(caught.value) == (f"data_dir '{sample_season / 'townships.csv'}' is a file "
                                 f"({sample_season / 'townships.csv'}), not a folder: pass the season folder that "
                                 f"holds it, e.g. -p data_dir {sample_season}")


def test_papermill_with_a_wrong_lang_fails_in_the_first_cell(sample_season, tmp_path):
    import nbformat

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "fr.ipynb"
    run = subprocess.run([sys.executable, "-m", "papermill", str(root / "notebooks" / "township_report.ipynb"),
                          str(out), "--no-progress-bar", "-p", "lang", "fr", "-p", "data_dir", str(sample_season),
                          "-p", "township", "nancun"], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode != 0
    code = [c for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]
    failed = [i for i, c in enumerate(code) for o in c.outputs if o.get("output_type") == "error"]
    error = next(o for o in code[failed[0]].outputs if o.get("output_type") == "error")
    assert len(failed) == 1 and error["ename"] == "ParameterError", error
    assert "lang 'fr' is not a report language" in error["evalue"]
    source = code[failed[0]].source  # the first cell after the parameters, before the evaluation
    assert source.index("check_parameters(season, lang)") < source.index("load_or_evaluate(")
    assert all(c.execution_count is None for c in code[failed[0] + 1:])


def test_an_undecided_rule_names_the_season_whose_data_fail():
    """A previous season with only October measured: the reason said "本季有效 182 天" (this season, which
    was complete) and never the 31 days of the season that failed."""
    from zzeval.assess.verdict import apply_rules, load_rules

    ind = pd.DataFrame({"township": ["nancun"], "pm25_change_obs_pct": [37.1], "statistics_valid": [False],
                        "valid_days": [182], "valid_days_prev": [31], "longest_gap_days": [0]})
    targets = pd.DataFrame(columns=["township", "task", "target", "unit", "deadline"])
    for lang, text in (("zh", "监测数据有效性不足（本季有效 182\u00a0天，上一季 31\u00a0天）"),
                       ("en", "(182\u00a0days valid this season, 31\u00a0days last season)")):
        undecided = apply_rules(ind, targets, load_rules(), lang).iloc[0]["undecided"]
        assert undecided and text in undecided[0], undecided


# -- Excel: what the user sees is not what zzeval read
def _dustfall_workbook(change):
    def apply(folder):
        import openpyxl

        frame = pd.read_csv(folder / "dustfall.csv", dtype=str)
        (folder / "dustfall.csv").unlink()
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(frame.columns))
        for township, month, value in frame.itertuples(index=False):
            sheet.append([township, month, float(value)])
        change(sheet)
        book.save(folder / "dustfall.xlsx")
    return apply


def _hide_row_3(sheet):  # a real month, hidden (or filtered out) in the spreadsheet: it was counted silently
    sheet.row_dimensions[3].hidden = True


def _formula_without_value(sheet):  # openpyxl, like many exporters, saves a formula without its value
    sheet["C4"] = "=6.0+1.4"


EXCEL_CASES = (
    Case("hidden_row", _dustfall_workbook(_hide_row_3),
         ("dustfall.xlsx, row 3: the row is hidden in the workbook (or filtered out), but zzeval reads hidden rows "
          "like any other: unhide it (or clear the filter) and check it, and delete it if it must not count",)),
    Case("formula_without_saved_value", _dustfall_workbook(_formula_without_value),
         ("dustfall.xlsx, row 4, column 'dustfall_t_km2_month': the cell holds the formula =6.0+1.4 but no saved "
          "value (the workbook was written by a program that does not calculate): open and save it in Excel or WPS",),
         ("empty cell",)),
)


@pytest.mark.parametrize("case", EXCEL_CASES, ids=[c.name for c in EXCEL_CASES])
def test_workbook_cells_read_otherwise_than_shown_are_refused(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)
