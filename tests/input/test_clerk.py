"""What a county clerk does to a table in Excel or WPS (tests/input/cases_clerk.py): refused with a
message that says what to write instead, or read to the same values as the sample."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.input.cases import read, validate_refuses, write
from tests.input.cases_clerk import CLERK_CASES, ROW_IM_PASS_RATE, ROW_RAIL_SHARE
from zzeval.cli import main
from zzeval.season.loading import load_season


@pytest.mark.parametrize("case", CLERK_CASES, ids=[c.name for c in CLERK_CASES])
def test_validate_says_what_to_write_instead(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


def test_the_target_rows_the_cases_name(sample_season):
    targets = read(sample_season, "targets.csv")
    assert targets.index[targets["task"] == "im_pass_rate_pct"][0] + 2 == ROW_IM_PASS_RATE
    assert targets.index[targets["task"] == "rail_share_coal_coke_pct"][0] + 2 == ROW_RAIL_SHARE


def _same(sample_season, season, table: str) -> None:
    pd.testing.assert_frame_equal(getattr(load_season(sample_season), table), getattr(load_season(season), table),
                                  check_dtype=False)


def test_workbook_cells_typed_as_numbers_and_dates_read_the_same(sample_season, season):
    tw = read(season, "townships.csv")
    for column in ("code", "households", "population", "clean_before_electricity"):
        tw[column] = tw[column].astype(int)
    tw["area_km2"] = tw["area_km2"].astype(float)
    tw.to_excel(season / "townships.xlsx", index=False)
    (season / "townships.csv").unlink()
    rt = read(season, "heating_retrofits.csv")
    rt["completion_date"] = pd.to_datetime(rt["completion_date"])
    rt.to_excel(season / "heating_retrofits.xlsx", index=False)
    (season / "heating_retrofits.csv").unlink()
    _same(sample_season, season, "townships")
    _same(sample_season, season, "heating_retrofits")


def test_wps_times_blank_rows_and_padded_names_read_the_same(sample_season, season):
    met = read(season, "meteorology.csv.gz")
    met["datetime"] = pd.to_datetime(met["datetime"]).dt.strftime("%Y/%-m/%-d %-H:%M")  # 2019/10/1 0:00
    write(met, season, "meteorology.csv.gz")
    rt = read(season, "heating_retrofits.csv")
    rt["township"] = rt["township"].replace({"nancun": "南村镇 ", "xiacun": "\u3000下村镇"})
    write(rt, season, "heating_retrofits.csv")
    path = season / "vehicles.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:3] + ["", ",,,,,,,,,,"] + lines[3:]) + "\n", encoding="utf-8")
    for table in ("meteorology", "heating_retrofits", "vehicles"):
        _same(sample_season, season, table)


def test_old_mac_line_ends_read_the_same(sample_season, season):
    path = season / "townships.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))  # 'CSV (Macintosh)': CR only
    _same(sample_season, season, "townships")


def test_excels_separator_line_is_skipped_and_said(sample_season, season, capsys):
    path = season / "townships.csv"
    path.write_text("sep=,\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    _same(sample_season, season, "townships")
    assert main(["validate", str(season)]) == 0
    assert "Notice: townships.csv: the first line 'sep=,' (Excel's separator hint) was skipped" in capsys.readouterr().out
