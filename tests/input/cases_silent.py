"""Bad season folders on which `zzeval validate` said OK while a value or verdict came out wrong
(second hostile review of issue 13), made from a `zzeval sample` season like tests/input/cases.py.

Each case must now be refused: exit code 2 and a message naming the file (row, column) and what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pandas as pd

from tests.input.cases import Case, edit, read, setter, write

SHIPPED_RULES = resources.files("zzeval.reference").joinpath("verdict_rules.yaml").read_text(encoding="utf-8")


def rule_line(rule_id: str) -> int:
    """The line of the shipped rule file where rule ``rule_id`` starts (found by text search)."""
    return SHIPPED_RULES.splitlines().index(f"  - id: {rule_id}") + 1


def rule_no(rule_id: str) -> str:
    """``rule N (id)`` as the messages name the shipped rule ``rule_id`` (N counted by text search)."""
    ids = [line.split("- id: ")[1] for line in SHIPPED_RULES.splitlines() if line.startswith("  - id: ")]
    return f"rule {ids.index(rule_id) + 1} ({rule_id})"


def _rules(old: str, new: str) -> Callable[[Path], None]:
    """A season whose own verdict_rules.yaml is the shipped one with ``old`` replaced by ``new``."""
    assert SHIPPED_RULES.count(old) == 1, old

    def apply(folder: Path) -> None:
        (folder / "verdict_rules.yaml").write_text(SHIPPED_RULES.replace(old, new), encoding="utf-8")
    return apply


def _add_column(name: str, header: str, source: str) -> Callable[[Path], None]:
    """Add a column ``header`` holding a copy of column ``source`` at the end of table ``name``."""
    def func(frame: pd.DataFrame) -> pd.DataFrame:
        frame.insert(frame.shape[1], header, frame[source], allow_duplicates=True)
        return frame
    return edit(name, func)


def _rename(name: str, old: str, new: str) -> Callable[[Path], None]:
    return edit(name, lambda frame: frame.rename(columns={old: new}))


def _bom_then_gbk(folder: Path) -> None:
    text = (folder / "townships.csv").read_text(encoding="utf-8")
    (folder / "townships.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("gbk"))


def _separated_by(sep: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        write(read(folder, "townships.csv"), folder, "townships.csv", sep=sep)
    return apply


def _workbook(sheets: dict[str, str]) -> Callable[[Path], None]:
    """townships.xlsx in place of townships.csv, with sheets named as the keys: ``"draft"`` holds a
    draft (other households), ``"table"`` the real table."""
    def apply(folder: Path) -> None:
        table = read(folder, "townships.csv")
        draft = table.assign(households="1")
        with pd.ExcelWriter(folder / "townships.xlsx") as writer:
            for name, what in sheets.items():
                (draft if what == "draft" else table).to_excel(writer, sheet_name=name, index=False)
        (folder / "townships.csv").unlink()
    return apply


def _retrofit_2030(frame: pd.DataFrame) -> None:
    frame.loc[0, "completion_date"] = frame.loc[0, "completion_date"].replace("2020", "2030", 1)


SILENT_CASES = (
    # 1. a column given twice
    Case("households_twice", _add_column("townships.csv", "households", "households"),
         ("townships.csv, row 1, column 'households': columns E ('households') and K ('households') both hold "
          "'households'", "delete one of them or give it another header")),
    Case("renamed_onto_an_existing_column", _rename("townships.csv", "clean_before_gas", "clean_before_electricity"),
         ("townships.csv, row 1, column 'clean_before_electricity': columns H ('clean_before_electricity') and "
          "I ('clean_before_electricity') both hold 'clean_before_electricity'",)),
    Case("english_and_chinese_header", _add_column("townships.csv", "户数", "households"),
         ("townships.csv, row 1, column 'households': columns E ('households') and K ('户数') both hold 'households'",)),
    # 2. a workbook with a draft sheet first
    Case("workbook_two_sheets", _workbook({"草稿": "draft", "Sheet2": "table"}),
         ("townships.xlsx: the workbook has 2 sheets with data ('草稿', 'Sheet2'); zzeval cannot tell which holds "
          "the table: delete the other sheets, or name the right one 'townships'",)),
    # 3.-5. verdict rules that never fire
    Case("rule_unknown_indicator", _rules("indicator: im_pass_rate_pct", "indicator: im_pass_rate_pc"),
         (f"verdict_rules.yaml, line {rule_line('im_pass_rate')}: {rule_no('im_pass_rate')}: unknown indicator "
          "'im_pass_rate_pc': the rule could never fire; did you mean 'im_pass_rate_pct'? the indicators "
          "(columns of Evaluation.indicators) are: baobiao_days, baobiao_days_prev,",)),
    Case("rule_threshold_nan", _rules("threshold: target:straw_fire_points", "threshold: .nan"),
         (f"verdict_rules.yaml, line {rule_line('straw_fires')}: {rule_no('straw_fires')}: threshold is nan, not a "
          "finite number",)),
    Case("rule_threshold_inf", _rules("threshold: target:straw_fire_points", "threshold: .inf"),
         (f"{rule_no('straw_fires')}: threshold is inf, not a finite number",)),
    Case("rule_unknown_task", _rules("task: straw_fire_points", "task: straw_fire"),
         (f"{rule_no('straw_fires')}: unknown task 'straw_fire'", "did you mean 'straw_fire_points'?")),
    Case("rule_unknown_target_task", _rules("threshold: target:straw_fire_points", "threshold: target:straw_fires"),
         (f"{rule_no('straw_fires')}: unknown target task 'straw_fires'", "did you mean 'straw_fire_points'?")),
    Case("rule_duplicate_id", _rules("- id: straw_fires", "- id: scattered_firms"),
         (f"{rule_no('straw_fires').replace('straw_fires', 'scattered_firms')}: the id 'scattered_firms' is also "
          f"the id of {rule_no('scattered_firms').split(' (')[0]}",)),
    Case("rules_empty", lambda d: (d / "verdict_rules.yaml").write_text(
        SHIPPED_RULES[:SHIPPED_RULES.index("\nrules:")] + "\nrules: []\n", encoding="utf-8"),
         ("verdict_rules.yaml: 'rules' is empty: no rule could ever fire",)),
    # 6. a retrofit finished after the season
    Case("retrofit_finished_2030", edit("heating_retrofits.csv", _retrofit_2030),
         ("heating_retrofits.csv, row 2, column 'completion_date': 2030-", "is after the end of the season "
          "2020-2021 (2021-03-31); a retrofit finished later does not count for this season")),
    # 7. BOM, then GBK
    Case("bom_then_gbk", _bom_then_gbk,
         ("townships.csv, row 2: the file starts with a UTF-8 byte-order mark (BOM) but row 2 is not UTF-8",
          "'CSV UTF-8', or GBK without the BOM"), ("required column is missing",)),
    # 8. misspelled columns
    Case("misspelled_extra_column", _add_column("townships.csv", "housholds", "households"),
         ("townships.csv, row 1, column 'housholds': unknown column K ('housholds'): did you mean 'households'; "
          "column E ('households') already holds 'households'?",)),
    Case("misspelled_optional_column", _rename("heating_retrofits.csv", "subsidy_yuan", "subsidy_yaun"),
         ("heating_retrofits.csv, row 1, column 'subsidy_yaun': unknown column F ('subsidy_yaun'): did you mean "
          "'subsidy_yuan'? Its values would be ignored: rename the header to 'subsidy_yuan'",)),
    Case("shortened_optional_column", _rename("heating_retrofits.csv", "subsidy_yuan", "subsidy"),
         ("heating_retrofits.csv, row 1, column 'subsidy': unknown column F ('subsidy'): did you mean "
          "'subsidy_yuan'?",)),
    # 9. other separators
    Case("full_width_commas", _separated_by("\uff0c"),
         ("townships.csv, row 1: the columns are separated by full-width commas '，' (U+FF0C), not commas ','",)),
    Case("tabs", _separated_by("\t"), ("townships.csv, row 1: the columns are separated by tabs, not commas",)),
    Case("households_with_a_unit_header", setter("townships.csv", 0, "households", "10454户"),
         ("townships.csv, row 2, column 'households': '10454户' is not a number [households]",)),
)
