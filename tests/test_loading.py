"""Loading and validation of a season folder: good inputs load, bad ones are named precisely."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.errors import DataValidationError
from zzeval.season.loading import load_season, read_table_file


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return write_tiny_season(tmp_path_factory.mktemp("tiny"), days=3)


@pytest.fixture
def season_copy(tiny_dir, tmp_path):
    dest = tmp_path / "season"
    shutil.copytree(tiny_dir, dest)
    return dest


def problems_of(path):
    with pytest.raises(DataValidationError) as info:
        load_season(path)
    return info.value.problems


def test_tiny_season_loads_with_types_and_slugs(tiny_dir):
    season = load_season(tiny_dir)
    assert season.slugs == ["bagong", "liushukou"]
    assert season.townships["households"].dtype == "int64"
    assert season.heating_retrofits["households_done"].sum() == 3000 + 380 + 210 + 800
    assert pd.api.types.is_datetime64_any_dtype(season.air_quality["datetime"])
    # 2 stations x 6 pollutants x 3 days x 24 h x 2 seasons
    assert len(season.air_quality) == 2 * 6 * 3 * 24 * 2
    assert set(season.meteorology["station_code"]) == {"county"}
    assert season.synthetic
    assert set(season.file_hashes) >= {"townships", "air_quality", "season.yaml"}


def test_chinese_headers_and_values_are_aliases(season_copy):
    frame = pd.read_csv(season_copy / "heating_retrofits.csv")
    frame = frame.rename(columns={"township": "乡镇", "retrofit_type": "改造类型", "households_planned": "计划户数",
                                  "households_done": "完成户数（户）", "completion_date": "完成日期"})
    frame["改造类型"] = frame["改造类型"].replace({"coal_to_gas": "煤改气"})
    frame["乡镇"] = frame["乡镇"].replace({"bagong": "巴公镇", "liushukou": "140525112"})
    frame.to_csv(season_copy / "heating_retrofits.csv", index=False)
    season = load_season(season_copy)
    rt = season.heating_retrofits
    assert list(rt["township"]) == ["bagong", "bagong", "liushukou", "liushukou"]
    assert list(rt["retrofit_type"])[1] == "coal_to_gas"
    assert rt["households_done"].sum() == 4390


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_gbk_and_bom_csv_read(season_copy, encoding):
    for name in ("townships", "stations", "freight"):
        path = season_copy / f"{name}.csv"
        text = path.read_text(encoding="utf-8")
        path.write_bytes(text.encode(encoding))
    season = load_season(season_copy)
    assert season.township("bagong")["name_zh"] == "巴公镇"
    assert "晋城福盛钢铁" in set(season.freight["enterprise"])


def test_xlsx_table_is_read(season_copy):
    frame = pd.read_csv(season_copy / "townships.csv", dtype=str)
    (season_copy / "townships.csv").unlink()
    frame.to_excel(season_copy / "townships.xlsx", index=False)
    assert read_table_file(season_copy / "townships.xlsx").shape == (2, 7)
    assert load_season(season_copy).township("liushukou")["class"] == "mountain"


def test_every_problem_is_reported_together_with_file_row_column(season_copy):
    # 1) missing column  2) non-number  3) unknown township  4) negative households
    rt = pd.read_csv(season_copy / "heating_retrofits.csv", dtype=str).drop(columns=["households_planned"])
    rt.loc[1, "households_done"] = "三百"
    rt.loc[2, "township"] = "atlantis"
    rt.to_csv(season_copy / "heating_retrofits.csv", index=False)
    tw = pd.read_csv(season_copy / "townships.csv", dtype=str)
    tw.loc[1, "households"] = "-5"
    tw.to_csv(season_copy / "townships.csv", index=False)

    found = {(p.file, p.row, p.column) for p in problems_of(season_copy)}
    assert ("heating_retrofits.csv", None, "households_planned") in found
    assert ("heating_retrofits.csv", 3, "households_done") in found  # data row 1 → spreadsheet row 3
    assert ("heating_retrofits.csv", 4, "township") in found
    assert ("townships.csv", 3, "households") in found


def test_messages_say_what_to_fix(season_copy):
    rt = pd.read_csv(season_copy / "heating_retrofits.csv", dtype=str)
    rt.loc[0, "retrofit_type"] = "solar"
    rt.to_csv(season_copy / "heating_retrofits.csv", index=False)
    (message,) = [str(p) for p in problems_of(season_copy)]
    assert message.startswith("heating_retrofits.csv, row 2, column 'retrofit_type'")
    assert "coal_to_electricity" in message


def test_air_quality_bad_unit_pollutant_duplicate_station(season_copy):
    aq = pd.read_csv(season_copy / "air_quality.csv", dtype=str)
    co = aq.index[aq["pollutant"] == "CO"][0]
    aq.loc[co, "unit"] = "µg/m³"
    aq.loc[0, "pollutant"] = "PM1"
    aq.loc[5, "station_code"] = "XX999"
    aq = pd.concat([aq, aq.iloc[[10]]], ignore_index=True)
    aq.to_csv(season_copy / "air_quality.csv", index=False)
    problems = problems_of(season_copy)
    text = "\n".join(map(str, problems))
    assert f"row {co + 2}, column 'unit': CO is given in µg/m³" in text
    assert "row 2, column 'pollutant': 'PM1' is not allowed" in text
    assert "station 'XX999' is not in stations" in text
    assert f"row {len(aq) + 1}, column 'pollutant': duplicate" in text


def test_dates_outside_the_seasons_are_named(season_copy):
    dust = pd.read_csv(season_copy / "dustfall.csv", dtype=str)
    dust.loc[0, "month"] = "2018-12"
    dust.to_csv(season_copy / "dustfall.csv", index=False)
    (problem,) = problems_of(season_copy)
    assert (problem.file, problem.row, problem.column) == ("dustfall.csv", 2, "month")
    assert "outside the seasons" in problem.message


def test_missing_table_and_many_rows_are_summarised(season_copy):
    (season_copy / "tasks.csv").unlink()
    aq = pd.read_csv(season_copy / "air_quality.csv", dtype=str)
    aq["value"] = "n/a"
    aq.to_csv(season_copy / "air_quality.csv", index=False)
    problems = problems_of(season_copy)
    assert any(p.file == "tasks.csv" and "table is missing" in p.message for p in problems)
    value_rows = [p for p in problems if p.column == "value"]
    assert len(value_rows) == 11  # ten listed, one summary line with the count
    assert value_rows[-1].message.startswith(f"{len(aq) - 10} more rows")


def test_cross_table_consistency(season_copy):
    tk = pd.read_csv(season_copy / "tasks.csv", dtype=str)
    tk.loc[0, "im_passes"] = "900"  # more passes than tests (850)
    tk.to_csv(season_copy / "tasks.csv", index=False)
    (problem,) = problems_of(season_copy)
    assert (problem.row, problem.column) == (2, "im_passes")


def test_implausible_values_are_caught_even_with_the_right_unit(season_copy):
    aq = pd.read_csv(season_copy / "air_quality.csv", dtype=str)
    co = aq.index[aq["pollutant"] == "CO"][:3]
    aq.loc[co, "value"] = (aq.loc[co, "value"].astype(float) * 1000).astype(str)  # µg/m³ labelled mg/m³
    aq.to_csv(season_copy / "air_quality.csv", index=False)
    problems = problems_of(season_copy)
    assert [(p.row, p.column) for p in problems] == [(i + 2, "value") for i in co]
    assert "not a plausible CO value (limit 150" in problems[0].message


def test_empty_file_and_typo_in_a_township_name(season_copy):
    (season_copy / "tasks.csv").write_bytes(b"")
    rt = pd.read_csv(season_copy / "heating_retrofits.csv", dtype=str)
    rt.loc[0, "township"] = "巴功镇"
    rt.to_csv(season_copy / "heating_retrofits.csv", index=False)
    text = "\n".join(map(str, problems_of(season_copy)))
    assert "tasks.csv: the file is empty" in text
    assert "unknown township '巴功镇'; did you mean '巴公镇'?" in text
