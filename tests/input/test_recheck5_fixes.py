"""Findings 1, 4, 6 and 8 of the final re-review of issue 13, made from the
2-township `zzeval sample` season (nancun row 2 of heating_retrofits.csv: 126 households done, 1,353,800 yuan;
vehicles.csv row 2: 12 scrapped, 336,000 yuan). Row numbers are spreadsheet rows: the header is row 1."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.input.cases import Case, setter, validate_refuses
from tests.input.cases_scale import _scale
from zzeval.cli import main
from zzeval.season.parsing import read_numbers


def _replace_text(name: str, old: str, new: str):
    def apply(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


FIXES_CASES = (
    # 1. amounts far above any plausible subsidy / scrappage payment (in 分, an extra digit) passed validate
    Case("subsidy_in_fen", setter("heating_retrofits.csv", 0, "subsidy_yuan", "135380000"),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': 135,380,000 yuan for 126 households_done is "
          "1,074,444 yuan per household, above the plausible 50,000 (zzeval/reference/input_limits.csv): is the "
          "amount in 分 (fen, 1/100 yuan)? write it in yuan (分 ÷ 100)",)),
    Case("every_subsidy_in_fen", _scale("heating_retrofits.csv", "subsidy_yuan", 100),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': 135,380,000 yuan for 126 households_done",
          "above the plausible 50,000")),
    Case("subsidy_1e15", setter("heating_retrofits.csv", 0, "subsidy_yuan", "9.99e14"),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': 999,000,000,000,000 yuan for 126 households_done",
          "above the plausible 50,000")),
    Case("scrappage_huge", setter("vehicles.csv", 0, "scrappage_payment_yuan", "3360000000"),
         ("vehicles.csv, row 2, column 'scrappage_payment_yuan': 3,360,000,000 yuan for 12 scrapped is 280,000,000 "
          "yuan per vehicle, above the plausible 200,000 (zzeval/reference/input_limits.csv): is the amount in 分",)),
    Case("subsidy_just_above", setter("heating_retrofits.csv", 0, "subsidy_yuan", str(126 * 50_001)),
         ("row 2, column 'subsidy_yuan': 6,300,126 yuan for 126 households_done is 50,001 yuan per household",)),
    # 4. a currency sign with thousands separators was called a decimal comma ("write ¥1.338.800")
    Case("yen_with_thousands", setter("heating_retrofits.csv", 0, "subsidy_yuan", "¥1,338,800"),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': '¥1,338,800' is not a number [yuan]; write the "
          "number alone, 1338800 (the column is in yuan), without '¥'",), ("decimal comma", "1.338.800")),
    # re-review s11-A (misleading): thousands dots before a decimal comma were advised as "write 1.353.800.00"
    Case("thousands_dots_and_decimal_comma", setter("heating_retrofits.csv", 0, "subsidy_yuan", "1.353.800,00"),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': '1.353.800,00' has a decimal comma; zzeval reads '.' "
          "as the decimal mark: write 1353800.00",), ("1.353.800.00",)),
    Case("full_width_yen_with_thousands_and_cents",
         setter("heating_retrofits.csv", 0, "subsidy_yuan", "￥1,105,800.00"),
         ("'￥1,105,800.00' is not a number [yuan]; write the number alone, 1105800.00 (the column is in yuan), "
          "without '￥'",), ("decimal comma",)),
    Case("yuan_after_thousands", setter("vehicles.csv", 0, "scrappage_payment_yuan", "1,336,000元"),
         ("vehicles.csv, row 2, column 'scrappage_payment_yuan': '1,336,000元' is not a number [yuan]; write the "
          "number alone, 1336000 (the column is in yuan), without '元'",), ("decimal comma",)),
    # 6. an invisible character in a township reference: "unknown township 'nancun​'; did you mean 'nancun'?"
    Case("zero_width_in_township_reference", setter("targets.csv", 0, "township", "nancun\u200b"),
         ("targets.csv, row 2, column 'township': unknown township 'nancun\\u200b' holds the invisible character "
          "U+200B (ZERO WIDTH SPACE) at position 7: delete the character; did you mean 'nancun'?",)),
    # 8. a tab for indentation: PyYAML's four lines, never "indent with spaces"
    Case("tab_in_season_yaml", _replace_text("season.yaml", "\nsynthetic: true", "\n\tsynthetic: true"),
         ("season.yaml: not valid YAML: line 3, column 1: found character '\\t' that cannot start any token "
          "(while scanning for the next token): indent with spaces, not tabs",)),
)


@pytest.mark.parametrize("case", FIXES_CASES, ids=[c.name for c in FIXES_CASES])
def test_validate_refuses(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


@pytest.mark.parametrize("name, row, column, value", [
    ("heating_retrofits.csv", 0, "subsidy_yuan", str(126 * 50_000)),  # 50,000 yuan per household
    ("vehicles.csv", 0, "scrappage_payment_yuan", str(12 * 200_000)),  # 200,000 yuan per vehicle
    ("heating_retrofits.csv", 0, "subsidy_yuan", str(126 * 1_000)),  # a coal-to-electricity batch's floor (review 8)
])
def test_amounts_at_the_bounds_pass(name, row, column, value, season, capsys):
    setter(name, row, column, value)(season)
    assert main(["validate", str(season)]) == 0, capsys.readouterr().err[:2000]


def test_a_lone_group_beside_a_unit_is_still_ambiguous():
    """``1,234 km`` may be 1.234 km written with a decimal comma: only a currency sign or two groups make
    the commas sure thousands separators."""
    reading = read_numbers(pd.Series(["1,234 km", "¥1,234", "1,234,567 km", "95,3"]), integer=False)
    assert reading.decimal_comma.tolist() == [True, False, False, True]
    assert reading.not_number.tolist() == [False, True, True, False]


def test_a_tab_in_verdict_rules_names_the_line_and_says_spaces(tmp_path):
    from importlib.resources import files

    from zzeval.assess.rulefile import check_rules_file
    from zzeval.errors import ZzevalError

    text = files("zzeval.reference").joinpath("verdict_rules.yaml").read_text(encoding="utf-8")
    line = text.splitlines().index("  - id: pm25_worse") + 1
    path = tmp_path / "verdict_rules.yaml"
    path.write_text(text.replace("  - id: pm25_worse", "\t- id: pm25_worse", 1), encoding="utf-8")
    with pytest.raises(ZzevalError) as caught:
        check_rules_file(path)
    assert str(caught.value) == (
        f"{path}: not valid YAML: line {line}, column 1: found character '\\t' that cannot start any token "
        "(while scanning for the next token): indent with spaces, not tabs (YAML does not allow tabs for "
        "indentation)")
