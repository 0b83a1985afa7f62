"""Parquet hourly tables (zzeval.season.columnar): the same season, the same problems, in chunks."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.errors import DataValidationError
from zzeval.season import columnar
from zzeval.season.loading import load_season

pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def csv_season(tmp_path_factory):
    # 2 stations x 6 pollutants x 2 x 10 days x 24 h = 5,760 air-quality rows
    return write_tiny_season(tmp_path_factory.mktemp("col") / "csv", days=10)


@pytest.fixture()
def parquet_season(csv_season, tmp_path):
    data = tmp_path / "pq"
    shutil.copytree(csv_season, data)
    written = columnar.convert_to_parquet(data, chunk_rows=1000)
    assert [p.name for p in written] == ["air_quality.parquet", "meteorology.parquet"]
    assert not (data / "air_quality.csv").exists()
    return data


def _edit_air_quality(data, edit) -> None:
    path = data / "air_quality.parquet"
    frame = pq.read_table(path).to_pandas()
    frame = edit(frame)
    import pyarrow as pa

    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=700)


def test_parquet_season_loads_to_the_same_frames(csv_season, parquet_season):
    a, b = load_season(csv_season), load_season(parquet_season)
    for name in ("air_quality", "meteorology", "stations"):
        pd.testing.assert_frame_equal(a.table(name), b.table(name))
    assert len(b.air_quality) == 5760
    assert b.file_hashes["air_quality"] != a.file_hashes["air_quality"]  # the file it came from


def test_typed_parquet_is_typed(parquet_season):
    schema = pq.read_schema(parquet_season / "air_quality.parquet")
    assert str(schema.field("value").type) == "double"
    assert str(schema.field("datetime").type) == "timestamp[us]"
    assert pq.ParquetFile(parquet_season / "air_quality.parquet").metadata.num_row_groups == 6


def test_problems_name_file_row_and_column_across_chunks(parquet_season):
    def edit(frame):
        frame.loc[[3, 2500], "value"] = [-5.0, -7.0]  # two chunks apart (chunk_rows=1000 below)
        frame.loc[4000, "datetime"] = frame.loc[3999, "datetime"]  # duplicate hour, same station
        frame.loc[4000, "pollutant"] = frame.loc[3999, "pollutant"]
        return frame

    _edit_air_quality(parquet_season, edit)
    for check in (lambda: load_season(parquet_season), lambda: columnar.check_season(parquet_season)):
        with pytest.raises(DataValidationError) as err:
            check()
        found = {(p.file, p.row, p.column) for p in err.value.problems}
        # rows as in the CSV export: header row 1, data row i (0-based) is row i + 2
        assert ("air_quality.parquet", 5, "value") in found
        assert ("air_quality.parquet", 2502, "value") in found
        assert ("air_quality.parquet", 4002, "pollutant") in found


def test_listing_is_capped_over_the_whole_table_not_per_chunk(parquet_season):
    _edit_air_quality(parquet_season, lambda f: f.assign(value=-f["value"].abs() - 1))
    with pytest.raises(DataValidationError) as err:
        columnar.check_season(parquet_season)
    value = [p for p in err.value.problems if p.column == "value"]
    listed = [p for p in value if p.row is not None]
    assert len(listed) == 10
    assert [p.row for p in listed] == list(range(2, 12))
    (more,) = [p for p in value if p.row is None]
    assert more.message.startswith("5750 more rows with the same problem")


def test_a_station_split_over_the_file_still_finds_its_duplicates(parquet_season):
    def edit(frame):
        dup = frame.iloc[[10]]  # ZZ108's 11th row again, after every ZZ112 row
        return pd.concat([frame, dup], ignore_index=True)

    _edit_air_quality(parquet_season, edit)
    with pytest.raises(DataValidationError) as err:
        columnar.check_season(parquet_season)
    rows = [p.row for p in err.value.problems if p.column == "pollutant"]
    assert rows == [5760 + 2]


def test_check_season_keeps_no_rows_and_counts_them(parquet_season):
    season, rows = columnar.check_season(parquet_season)
    assert rows["air_quality"] == 5760 and rows["meteorology"] == 2 * 10 * 24
    assert len(season.air_quality) == 0
    assert rows["stations"] == 2


def test_string_parquet_goes_the_csv_way(csv_season, tmp_path):
    data = tmp_path / "str"
    shutil.copytree(csv_season, data)
    frame = pd.read_csv(data / "air_quality.csv", dtype=str, keep_default_na=False)
    frame.loc[7, "value"] = "n/a"  # a text cell, as a spreadsheet export may hold
    frame.columns = ["站点编码", "时间", "污染物", "浓度", "单位"]
    import pyarrow as pa

    pq.write_table(pa.Table.from_pandas(frame.astype(object), preserve_index=False),
                   data / "air_quality.parquet")
    (data / "air_quality.csv").unlink()
    with pytest.raises(DataValidationError) as err:
        load_season(data)
    (problem,) = err.value.problems
    assert (problem.file, problem.row, problem.column) == ("air_quality.parquet", 9, "value")
    assert "'n/a' is not a number" in problem.message
