"""What the fourth hostile review of issue 13 found (notes: hostile4.md): each case is refused with a
message, never a traceback, and a refused command writes nothing. Inputs are made by script from the
`zzeval sample` season, as in tests/input/cases.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.input.cases import Case, edit, make_case, read, setter, validate_refuses, write
from zzeval.cli import main


def _run(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


# -- the hint after "is not a number" must not suggest another number than the one meant
HINT_CASES = (
    Case("superscript_unit", setter("townships.csv", 0, "area_km2", "95.3²"),
         ("townships.csv, row 2, column 'area_km2': '95.3²' is not a number [km²]; write the number alone, 95.3 "
          "(the column is in km²), without '²'",), ("95.32",)),
    Case("arabic_indic_digits", setter("townships.csv", 0, "area_km2", "٩٥.٣"),
         ("townships.csv, row 2, column 'area_km2': '٩٥.٣' is not a number [km²]; digits of another script: "
          "write 95.3 with the digits 0-9",)),
    Case("underscore_grouping", setter("townships.csv", 0, "population", "38_214"),
         ("townships.csv, row 2, column 'population': '38_214' is not a number [persons]",),
         ("write the number alone, 38 ",)),
    Case("hex_number", setter("townships.csv", 0, "population", "0x9546"),
         ("townships.csv, row 2, column 'population': '0x9546' is not a number",), ("write the number alone, 0 ",)),
    Case("leading_apostrophe", setter("townships.csv", 0, "population", "'38214"),
         ("townships.csv, row 2, column 'population': ''38214' is not a number [persons]; remove the leading "
          "apostrophe (a spreadsheet's mark for text): 38214",)),
    Case("full_width_digits", setter("townships.csv", 0, "population", "３８２１４"),
         ("'３８２１４' is not a number [persons]; full-width digits or signs: write 38214 in half-width characters",)),
    # re-review: "write the number alone, 3.8" would store 3.8 persons for 38,000
    Case("wan_suffix", setter("townships.csv", 0, "population", "3.8万"),
         ("townships.csv, row 2, column 'population': '3.8万' is not a number [persons]; 万 is 10,000: write 38000 "
          "(persons)",), ("write the number alone, 3.8",)),
)


def _radians(frame):
    frame["wind_dir_deg"] = (frame["wind_dir_deg"].astype(float) / 57.2958).round(3).astype(str)


# -- meteorology validate passed but the weather adjustment could not use (every township's adjusted change NaN)
MET_CASES = (
    Case("met_station_not_in_stations", edit("meteorology.csv.gz", lambda f: f.assign(station_code="ZZ999")),
         ("meteorology.csv.gz, row 2, column 'station_code': station 'ZZ999' is not in stations, so the weather "
          "adjustment would not use this weather: write the code of a station in stations.csv, or 'county'",)),
    Case("wind_direction_in_radians", edit("meteorology.csv.gz", _radians),
         ("meteorology.csv.gz, row 2, column 'wind_dir_deg': every wind_dir_deg of station 'county' in the season "
          "from 2019 is at most 6.3°: this looks like radians; write degrees",)),
)


@pytest.mark.parametrize("case", MET_CASES, ids=[c.name for c in MET_CASES])
def test_meteorology_the_weather_adjustment_cannot_use(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


#: a "billion laughs" document: 9 levels of 9 aliases, 9**9 values once expanded, a few hundred bytes
_BOMB = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['x'] * 9)}]\n"
                for p, a in zip(["", *"abcdefgh"], "abcdefghi", strict=True))


def _prepend(name: str, text: str):
    def apply(folder):
        path = folder / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(text + old, encoding="utf-8")
    return apply


@pytest.mark.parametrize("key, meant", [("weather_modle: ols", "weather_model"), ("synthetc: true", "synthetic"),
                                        ("seasn: 2020-2021", "season")])
def test_a_misspelt_season_yaml_key_is_refused(key, meant, sample_season, tmp_path, capsys):
    """Re-review of issue 13: validate said OK and the key was ignored (gam instead of the ols asked
    for; data marked synthetic shown as real)."""
    case = Case(f"season_yaml_{meant}", _prepend("season.yaml", key + "\n"),
                (f"season.yaml, column '{key.split(':')[0]}': unknown key '{key.split(':')[0]}': did you mean '{meant}'?",))
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


def test_a_key_of_ones_own_in_season_yaml_is_kept(sample_season, tmp_path, capsys):
    case = Case("season_yaml_own_key", _prepend("season.yaml", "notes: 经办人 张三\n"), ())
    assert main(["validate", str(make_case(sample_season, case, tmp_path / case.name))]) == 0, capsys.readouterr().err


def test_a_yaml_bomb_in_season_yaml_is_refused_at_once(sample_season, tmp_path, capsys):
    """validate said OK, and the build spun for over 100 s of CPU after the evaluation (killed at 300 s)."""
    case = Case("season_yaml_bomb", _prepend("season.yaml", _BOMB),
                ("season.yaml: not valid YAML: the document expands to more than 100,000 values (aliases such as *a",))
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


def test_a_yaml_bomb_in_verdict_rules_is_refused(sample_season, tmp_path, capsys):
    rules = Path(__file__).resolve().parents[2] / "zzeval" / "reference" / "verdict_rules.yaml"
    case = Case("rules_bomb", _prepend("verdict_rules.yaml", _BOMB + rules.read_text(encoding="utf-8")),
                ("verdict_rules.yaml: not valid YAML: the document expands to more than 100,000 values",))
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


@pytest.mark.parametrize("case", HINT_CASES, ids=[c.name for c in HINT_CASES])
def test_not_a_number_hints_name_the_number_meant(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


# -- command-line options that ended in a traceback
@pytest.mark.parametrize(("argv", "expect"), [
    (["estimate", "{data}", "--draws", "5"],
     "--draws must be 0 (central values only) or between 100 and 50,000 (zzeval/reference/input_limits.csv: "
     "memory grows with the draws), got 5"),
    (["estimate", "{data}", "--draws", "1000000000000"], "got 1,000,000,000,000"),
    (["build", "--data", "{data}", "--out", "{out}", "--draws", "1"],
     "--draws must be between 100 and 50,000 (zzeval/reference/input_limits.csv"),
    (["build", "--data", "{data}", "--out", "{out}", "--draws", "0"], "--draws must be between 100 and 50,000"),
    (["kernel", "install", "--prefix", "{out}", "--name", "../../x"],
     "kernel name '../../x' is not allowed: use ASCII letters, digits and '-', '.', '_' only"),
])
def test_options_out_of_range_are_messages(argv, expect, sample_season, tmp_path, capsys):
    out = tmp_path / "out"
    code, err = _run([a.format(data=sample_season, out=out) for a in argv], capsys)
    assert code == 2 and expect in err, err
    assert not out.exists()


# -- `zzeval sample` over a county's own season replaced its tables without a word
def test_sample_refuses_a_folder_that_is_not_a_sample(season, capsys):
    text = (season / "season.yaml").read_text(encoding="utf-8").replace("synthetic: true", "synthetic: false")
    (season / "season.yaml").write_text(text, encoding="utf-8")
    townships = read(season, "townships.csv")
    townships.loc[0, "population"] = "40000"  # the county's own number
    write(townships, season, "townships.csv")
    before = {p.name: p.read_bytes() for p in season.iterdir()}
    code, err = _run(["sample", str(season), "--townships", "1"], capsys)
    assert code == 2
    assert (f"DIR {season} already holds files and is not a sample written by `zzeval sample` (its season.yaml "
            "does not say synthetic: true, generator: zzeval.synthetic.sample.write_sample)") in err
    assert {p.name: p.read_bytes() for p in season.iterdir()} == before


def test_sample_refuses_a_folder_of_tables_without_season_yaml(tmp_path, capsys):
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "townships.csv").write_text("code,name_zh\n140525100,南村镇\n", encoding="utf-8")
    code, err = _run(["sample", str(folder)], capsys)
    assert code == 2 and "already holds files and is not a sample" in err
    assert [p.name for p in folder.iterdir()] == ["townships.csv"]


def test_sample_writes_over_an_earlier_sample(season, capsys):
    code, _ = _run(["sample", str(season), "--townships", "1"], capsys)
    assert code == 0
    assert len(read(season, "townships.csv")) == 1


# -- a Parquet time column with a time zone was read without it: UTC hours taken as Beijing hours (8 h off)
def test_parquet_times_with_a_time_zone_are_read_in_beijing_time(sample_season, season):
    pytest.importorskip("pyarrow")
    from zzeval.season.loading import load_season

    met = read(season, "meteorology.csv.gz")
    for column in met.columns.drop(["datetime", "station_code"]):
        met[column] = pd.to_numeric(met[column])
    met["datetime"] = pd.to_datetime(met["datetime"]).dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    (season / "meteorology.csv.gz").unlink()
    met.to_parquet(season / "meteorology.parquet", index=False)
    loaded = load_season(season).meteorology
    expected = load_season(sample_season).meteorology
    assert loaded["datetime"].min() == pd.Timestamp("2019-10-01 00:00")  # not 2019-09-30 16:00
    pd.testing.assert_frame_equal(loaded.reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)


# -- files that are not what their names say: the message said what pandas needed, not what the clerk must do
def _replace(name: str, new_name: str, content: bytes | None = None, link: str | None = None):
    def apply(folder):
        (folder / name).unlink()
        if link is not None:
            (folder / new_name).symlink_to(link)
        else:
            (folder / new_name).write_bytes(content)
    return apply


FILE_CASES = (
    Case("xlsx_empty", _replace("sites.csv", "sites.xlsx", b""),
         ("sites.xlsx: the workbook file is empty (0 bytes)",), ("engine",)),
    Case("xlsx_that_is_text", _replace("sites.csv", "sites.xlsx", b"site_id,name\nKS-01,x\n"),
         ("sites.xlsx: is not an .xlsx workbook (an .xlsx file is a zip archive; this one is not",), ("engine",)),
    Case("xlsx_with_a_password", _replace("sites.csv", "sites.xlsx",
                                          b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000),
         ("sites.xlsx: is not an .xlsx workbook but an older container: a workbook protected by a password",),
         ("calamine", "pip")),
    Case("link_to_a_missing_file", _replace("townships.csv", "townships.csv", link="/nonexistent/townships.csv"),
         ("townships.csv: is a link to '/nonexistent/townships.csv', which does not exist",),
         ("is not read as table",)),
    Case("link_loop", _replace("sites.csv", "sites.csv", link="sites.csv"),
         ("sites.csv: is a link to 'sites.csv', which does not exist (or the links go round in a loop)",),
         ("is not read as table",)),
)


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.name for c in FILE_CASES])
def test_files_that_are_not_what_their_names_say(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


# -- township names with invisible characters passed: they show as the same name but match no other table
NAME_CASES = (
    Case("name_with_a_line_break", setter("townships.csv", 0, "name_zh", "南村\n镇"),
         ("townships.csv, row 2, column 'name_zh': '南村\\u000a镇' holds the invisible character U+000A (a line "
          "break) at position 3",)),
    Case("name_with_right_to_left_override", setter("townships.csv", 0, "name_zh", "南村\u202e镇"),
         ("'南村\\u202e镇' holds the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 3",), ("\u202e",)),
    Case("name_with_zero_width_space", setter("townships.csv", 1, "name_zh", "下村\u200b镇"),
         ("townships.csv, row 3, column 'name_zh': '下村\\u200b镇' holds the invisible character U+200B (ZERO WIDTH "
          "SPACE) at position 3: the name would not match the same name typed in other tables",)),
)


@pytest.mark.parametrize("case", NAME_CASES, ids=[c.name for c in NAME_CASES])
def test_township_names_with_invisible_characters(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


# -- a season's own verdict_rules.yaml: a traceback (slack: lots), a reason text that formats into a gigabyte or
#    shows Python's insides, and two levels of one rank (the verdict is the level of the highest rank) passed
_SHIPPED = (Path(__file__).resolve().parents[2] / "zzeval" / "reference" / "verdict_rules.yaml").read_text(
    encoding="utf-8")
_FIRST = "    op: \">\"\n    threshold: 0\n"


def _rules(old: str, new: str):
    assert old in _SHIPPED

    def apply(folder):
        (folder / "verdict_rules.yaml").write_text(_SHIPPED.replace(old, new, 1), encoding="utf-8")
    return apply


RULE_CASES = (
    Case("slack_not_a_number", _rules(_FIRST, _FIRST + "    slack: lots\n"),
         ("verdict_rules.yaml, line 44: rule 1 (pm25_worse): slack must be a number of 0 or more (a tolerance in the "
          "indicator's unit), got 'lots'",)),
    Case("slack_negative", _rules(_FIRST, _FIRST + "    slack: -5\n"),
         ("rule 1 (pm25_worse): slack must be a number of 0 or more", "got '-5'")),
    Case("reason_with_a_format_code", _rules(_FIRST, _FIRST + "    zh: '{value:>999999999}'\n    en: '{value}'\n"),
         ("rule 1 (pm25_worse): the zh text may use only {value} and {threshold}, as they are (the numbers come "
          "formatted), got '{value:>999999999}'",)),
    Case("reason_with_an_attribute", _rules(_FIRST, _FIRST + "    zh: '{value}'\n    en: '{threshold.__class__}'\n"),
         ("rule 1 (pm25_worse): the en text may use only {value} and {threshold}", "got '{threshold.__class__}'")),
    Case("two_levels_one_rank", _rules("interview: {rank: 2", "interview: {rank: 1"),
         ("verdict_rules.yaml: two levels share a rank (on_track: 0, warning: 1, interview: 1); give each level its "
          "own rank",)),
    Case("ranks_swapped", _rules("interview: {rank: 2", "interview: {rank: -1"),
         ("verdict_rules.yaml: the ranks must rise from on_track to warning to interview, got on_track: 0, "
          "warning: 1, interview: -1",)),
)


@pytest.mark.parametrize("case", RULE_CASES, ids=[c.name for c in RULE_CASES])
def test_verdict_rules_the_build_could_not_use(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


# -- Ctrl-C during the evaluation: the evaluation's worker processes printed KeyboardInterrupt tracebacks
def _sigint_handler(_) -> str:
    import signal

    handler = signal.getsignal(signal.SIGINT)
    return getattr(handler, "__qualname__", str(handler))


def test_evaluation_workers_end_quietly_on_ctrl_c():
    from zzeval.assess.tasks import ProcessRunner

    handlers = list(ProcessRunner(jobs=2).imap(_sigint_handler, [1, 2]))
    assert handlers == ["exit_quietly_on_interrupt.<locals>.<lambda>"] * 2  # not default_int_handler


def _season_written(value: str):
    def apply(folder):
        path = folder / "season.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("season: 2020-2021", f"season: {value}"),
                        encoding="utf-8")
    return apply


@pytest.mark.parametrize("value", ["2021-2020", "2020-2023", "2020"])
def test_season_yaml_with_a_season_that_is_none(value, sample_season, tmp_path, capsys):
    """It said 'the folder holds season 2021-2020 but season 2020-2021 was asked for'."""
    case = Case(f"season_{value}", _season_written(value),
                (f"season.yaml, column 'season': '{value}' is not a season: write the autumn-winter season as two "
                 "consecutive years, the first one first, like 2020-2021",), ("was asked for",))
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)
