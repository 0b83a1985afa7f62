"""Bad season folders made from a `zzeval sample` season, one per case of issue 13.

Each case edits a copy of a sample season (``apply(folder)``) and says what ``zzeval validate``
must answer: exit code 2 and the texts the message must hold (file, row, column, what to fix).
Run ``python -m tests.input.cases SAMPLE_DIR OUT_DIR`` to write every case as a folder for a
look by hand.
"""

from __future__ import annotations

import gzip
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


def read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    return pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer")


def write(frame: pd.DataFrame, folder: Path, name: str, **kwargs) -> None:
    frame.to_csv(folder / name, index=False, compression="infer", **kwargs)


def edit(name: str, func: Callable[[pd.DataFrame], pd.DataFrame | None]) -> Callable[[Path], None]:
    """A case that edits one table: ``func`` changes the frame in place (or returns a new one)."""
    def apply(folder: Path) -> None:
        frame = read(folder, name)
        result = func(frame)
        write(frame if result is None else result, folder, name)
    return apply


def setter(name: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def func(frame):
        frame.loc[row, column] = value
    return edit(name, func)


def _gbk_with_one_utf8_row(folder: Path) -> None:
    lines = (folder / "townships.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    raw = b"".join(line.encode("utf-8" if n == 2 else "gbk") for n, line in enumerate(lines))
    (folder / "townships.csv").write_bytes(raw)


def _pm_in_mg(frame: pd.DataFrame) -> None:
    pm = frame["pollutant"] == "PM2.5"
    frame.loc[pm, "value"] = (pd.to_numeric(frame.loc[pm, "value"]) / 1000).round(4).astype(str)


def _truncate_gz(folder: Path) -> None:
    path = folder / "air_quality.csv.gz"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _plain_csv_named_gz(folder: Path) -> None:
    path = folder / "meteorology.csv.gz"
    path.write_bytes(gzip.decompress(path.read_bytes()))


def _semicolons(folder: Path) -> None:
    write(read(folder, "townships.csv"), folder, "townships.csv", sep=";")


def _table_is_folder(folder: Path) -> None:
    (folder / "stations.csv").unlink()
    (folder / "stations.csv").mkdir()


def _text(name: str, content: str | bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return apply


def _synthetic_string(folder: Path) -> None:
    path = folder / "season.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("synthetic: true", 'synthetic: "false"'),
                    encoding="utf-8")


def _header_only(name: str) -> Callable[[Path], None]:
    return edit(name, lambda frame: frame.iloc[0:0])


def _drop_station(folder: Path) -> None:
    stations = read(folder, "stations.csv")
    gone = stations.loc[stations["township"] == "xiacun", "station_code"]
    write(stations[stations["township"] != "xiacun"], folder, "stations.csv")
    aq = read(folder, "air_quality.csv.gz")
    write(aq[~aq["station_code"].isin(gone)], folder, "air_quality.csv.gz")


def _rows_where(name: str, keep: Callable[[pd.DataFrame], pd.Series]) -> Callable[[Path], None]:
    return edit(name, lambda frame: frame[keep(frame)])


def _both_csv_and_xlsx(folder: Path) -> None:
    read(folder, "townships.csv").to_excel(folder / "townships.xlsx", index=False)


def _extra_field(folder: Path) -> None:
    path = folder / "stations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",oops"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    apply: Callable[[Path], None]
    #: texts the stderr of `zzeval validate` must contain
    expect: tuple[str, ...]
    #: texts it must not contain (consequences reported instead of the cause)
    absent: tuple[str, ...] = ()


# row numbers are spreadsheet rows: the header is row 1, data row 0 is row 2
CASES = (
    # -- no silent misreading
    Case("decimal_comma_area", setter("townships.csv", 0, "area_km2", "95,3"),
         ("townships.csv, row 2, column 'area_km2': '95,3' has a decimal comma", "write 95.3")),
    Case("decimal_comma_dustfall", setter("dustfall.csv", 3, "dustfall_t_km2_month", "7,4"),
         ("dustfall.csv, row 5, column 'dustfall_t_km2_month': '7,4' has a decimal comma",)),
    Case("households_1e20", setter("townships.csv", 1, "households", "1e20"),
         ("townships.csv, row 3, column 'households': '1e20' is far too large",)),
    Case("households_1e308", setter("townships.csv", 1, "households", "1e308"),
         ("townships.csv, row 3, column 'households': '1e308' is far too large",)),
    Case("day_first_dates", setter("heating_retrofits.csv", 0, "completion_date", "05/09/2020"),
         ("heating_retrofits.csv, row 2, column 'completion_date': '05/09/2020' puts the year last",
          "write the year first")),
    Case("gbk_with_one_utf8_row", _gbk_with_one_utf8_row,
         ("townships.csv, row 2:", "mixes two text encodings", "row 3 is UTF-8")),
    Case("inf_area", setter("townships.csv", 0, "area_km2", "inf"),
         ("townships.csv, row 2, column 'area_km2': 'inf' is not a finite number",)),
    Case("infinity_target", setter("targets.csv", 2, "target", "Infinity"),
         ("targets.csv, row 4, column 'target': 'Infinity' is not a finite number",)),
    Case("nan_text_value", setter("tasks.csv", 0, "im_tests", "nan"),
         ("tasks.csv, row 2, column 'im_tests': 'nan' is not a finite number",)),
    Case("pm_in_mg_labelled_ug", edit("air_quality.csv.gz", _pm_in_mg),
         ("column 'value': station ZZ100, season from 2019: the median PM2.5 value of its",
          "station ZZ100, season from 2020: the median PM2.5 value", "mg/m³ labelled µg/m³")),
    Case("synthetic_string", _synthetic_string,
         ("season.yaml, column 'synthetic': must be true or false without quotes, got 'false' (str)",)),
    Case("header_only_tasks", _header_only("tasks.csv"), ("tasks.csv: has a header but no data rows",)),
    # -- tracebacks before
    Case("truncated_gz", _truncate_gz, ("air_quality.csv.gz: the compressed file is truncated or damaged",)),
    Case("plain_csv_named_gz", _plain_csv_named_gz,
         ("meteorology.csv.gz: is named .gz but is not gzip-compressed",)),
    Case("semicolons", _semicolons, ("townships.csv, row 1: the columns are separated by semicolons",)),
    Case("extra_field", _extra_field, ("stations.csv, row 3: has 7 fields but the header has 6",)),
    Case("table_is_folder", _table_is_folder, ("stations.csv: is a folder, not a table file",)),
    Case("season_yaml_list", _text("season.yaml", "- season: 2020-2021\n- synthetic: true\n"),
         ("season.yaml: must be a mapping of keys to values", "got a list")),
    Case("season_yaml_bare_word", _text("season.yaml", "synthetic\n"),
         ("season.yaml: must be a mapping of keys to values", "got a str")),
    Case("season_yaml_broken", _text("season.yaml", "title: [unclosed\n"), ("season.yaml: not valid YAML",)),
    Case("verdict_rules_list", _text("verdict_rules.yaml", "- just\n- a list\n"),
         ("verdict_rules.yaml: must be a mapping with 'levels' (a mapping) and 'rules' (a list)",)),
    Case("verdict_rules_bad_rule", _text("verdict_rules.yaml", (
        "levels:\n  on_track: {rank: 0, zh: 正常, en: ok}\n  warning: {rank: 1, zh: 预警, en: w}\n"
        "  interview: {rank: 2, zh: 约谈, en: i}\nrules:\n  - just a string\n")),
         ("verdict_rules.yaml, line 6: rule 1 must be a mapping",)),
    Case("verdict_rules_bad_placeholder", _text("verdict_rules.yaml", (
        "levels:\n  on_track: {rank: 0, zh: 正常, en: ok}\n  warning: {rank: 1, zh: 预警, en: w}\n"
        "  interview: {rank: 2, zh: 约谈, en: i}\nrules:\n  - {id: r1, level: warning, indicator: heavy_days,"
        " op: '>', threshold: 3, zh: '{valu}', en: '{value}'}\n")),
         ("verdict_rules.yaml, line 6: rule 1 (r1): the zh text may use only {value} and {threshold}",)),
    # -- validate = buildable
    Case("township_without_station", _drop_station,
         ("stations.csv, column 'township': township 下村镇 (xiacun) has no monitoring station",)),
    Case("township_without_dustfall", _rows_where("dustfall.csv", lambda f: f["township"] != "nancun"),
         ("dustfall.csv, column 'township': no dustfall for township 南村镇 (nancun) in the season 2020-2021",)),
    Case("no_previous_air_quality", _rows_where("air_quality.csv.gz", lambda f: f["datetime"] >= "2020-10-01"),
         ("air_quality.csv.gz, column 'pollutant': no PM2.5 values for township 南村镇 (nancun) in the "
          "previous season 2019-2020",)),
    Case("no_current_weather", _rows_where("meteorology.csv.gz", lambda f: f["datetime"] < "2020-10-01"),
         ("meteorology.csv.gz, column 'datetime': no meteorology in the current season 2020-2021",)),
    Case("no_pm25_rows", _rows_where("air_quality.csv.gz", lambda f: f["pollutant"] != "PM2.5"),
         ("no PM2.5 values for township 南村镇 (nancun) in the current season",)),
    Case("no_pm10_rows", _rows_where("air_quality.csv.gz", lambda f: f["pollutant"] != "PM10"),
         ("no PM10 values for township 下村镇 (xiacun) in the previous season",)),
    Case("no_measure_rows", lambda d: [_header_only(n)(d) for n in ("heating_retrofits.csv", "vehicles.csv",
                                                                    "freight.csv")],
         ("heating_retrofits.csv, column 'township': township 南村镇 (nancun) has no row in heating_retrofits, "
          "vehicles or freight",)),
    # -- slugs
    Case("slug_county", edit("townships.csv", lambda f: f.replace({"xiacun": "county"})),
         ("townships.csv, row 3, column 'slug': slug 'county' is reserved",)),
    Case("slug_250_characters", edit("townships.csv", lambda f: f.replace({"xiacun": "x" * 250})),
         ("townships.csv, row 3, column 'slug': slug 'xxxxxxxxxx", "is longer than 64 characters")),
    # -- messages that point at the cause
    Case("header_only_townships", _header_only("townships.csv"),
         ("townships.csv: has a header but no data rows", "fix this first"),
         ("unknown township", "duplicate of an earlier row")),
    Case("name_equals_other_slug", setter("townships.csv", 1, "name_zh", "nancun"),
         ("townships.csv, row 3, column 'name_zh': 'nancun' is also the slug of the township in row 2",),
         ("unknown township", "duplicate of an earlier row")),
    Case("huge_value", setter("townships.csv", 0, "population", "9" * 100_000),
         ("townships.csv, row 2, column 'population': '9999999999", "(100,000 characters)")),
    Case("header_twice", edit("tasks.csv", lambda f: f.assign(**{"IM合格数": f["im_passes"]})),
         ("tasks.csv, row 1, column 'im_passes': columns H ('im_passes') and K ('IM合格数') both hold 'im_passes'", "delete one of them")),
    Case("two_files_for_one_table", _both_csv_and_xlsx,
         ("townships.csv: table townships is given twice (townships.csv, townships.xlsx)",)),
)


def make_case(sample: Path, case: Case, dest: Path) -> Path:
    shutil.copytree(sample, dest)
    case.apply(dest)
    return dest


def validate_refuses(sample: Path, case: Case, dest: Path, capsys) -> str:
    """Build ``case`` from the sample and run ``zzeval validate`` on it: exit 2, no traceback, every
    text of ``case.expect`` in the messages and none of ``case.absent``. Returns the messages."""
    from zzeval.cli import main

    code = main(["validate", str(make_case(sample, case, dest))])
    captured = capsys.readouterr()
    assert code == 2, captured.out
    assert "Traceback" not in captured.err
    for text in case.expect:
        assert text in captured.err, captured.err[:3000]
    for text in case.absent:
        assert text not in captured.err, captured.err[:3000]
    return captured.err


#: The air-quality table of a season folder.
AQ = "air_quality.csv.gz"


def pm_copy_messages(frame: pd.DataFrame, scaled: bool = True) -> list[str]:
    """The PM copy checks' messages on ``frame`` (the air-quality table, values numeric), run as
    ``zzeval validate`` runs them: the exact and near copies, and (``scaled``) the linear copies."""
    from zzeval.season.aq_copy import check_air_quality_copied, record_pm_days
    from zzeval.season.aq_copy_near import check_air_quality_near_copied
    from zzeval.season.aq_copy_scaled import check_air_quality_scaled_copied
    from zzeval.season.checks import Collector

    out = Collector()
    record_pm_days(frame, AQ, out)
    check_air_quality_near_copied(out, check_air_quality_copied(out))
    if scaled:
        check_air_quality_scaled_copied(out)
    return [p.message for p in out.problems]


def build_refuses(sample: Path, case: Case, dest: Path, capsys, jobs: str = "1") -> None:
    """Build ``case`` from the sample and run ``zzeval build`` on it: exit 2 with the first text of
    ``case.expect``, no traceback, nothing written into ``--out``. One process by default (``jobs``
    "1"): the refusal is the same, without spawning the evaluation's workers only to stop them (4 s
    CPU a case); test_scale.py's first case builds with the default --jobs, its workers started."""
    from zzeval.cli import main

    data, out = make_case(sample, case, dest / "data"), dest / "out"
    assert main(["build", "--data", str(data), "--out", str(out), *(["--jobs", jobs] if jobs else [])]) == 2
    err = capsys.readouterr().err
    assert case.expect[0] in err, err[:3000]
    assert "Traceback" not in err
    assert not out.exists()

if __name__ == "__main__":  # pragma: no cover
    sample, out = Path(sys.argv[1]), Path(sys.argv[2])
    for case in CASES:
        make_case(sample, case, out / case.name)
        print(out / case.name)
