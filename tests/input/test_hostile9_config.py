"""Hostile review 9A, targets and verdict rules: F4 (a target for a task
whose rules have fixed thresholds: "≥ 70 % | 78 % | 未完成"), F7 (a rule's task not its indicator's),
F6 (impossible or wrong-scale targets) and M4 (a quoted number as a threshold). Each case edits a copy
of the sample season (tests/input/cases.py) or a copy of the shipped rules, and failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.input.cases import Case, edit, validate_refuses
from zzeval.assess.progress import task_status
from zzeval.assess.rulefile import check_rules_file, check_targets_read
from zzeval.assess.verdict import load_rules
from zzeval.cli import main
from zzeval.errors import ZzevalError

RULES = Path(__file__).resolve().parents[2] / "zzeval" / "reference" / "verdict_rules.yaml"


def _rules(tmp_path: Path, old: str, new: str) -> Path:
    text = RULES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "verdict_rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _add_target(task: str, target: str, unit: str):
    def apply(frame: pd.DataFrame) -> pd.DataFrame:
        township = frame["township"].iloc[0]
        extra = pd.DataFrame([{"township": township, "task": task, "target": target, "unit": unit,
                               "deadline": "2020-10-31"}])
        return pd.concat([frame, extra], ignore_index=True)
    return apply


def test_a_target_the_rules_do_not_read_is_refused(sample_season, tmp_path, capsys):
    """F4: heating_total 70 % beside the fixed 85/95 % rules showed "≥ 70 % | 78 % | 未完成（理由 1）"."""
    n = len(pd.read_csv(sample_season / "targets.csv"))
    validate_refuses(sample_season, Case("heating_total_70", edit("targets.csv", _add_target("heating_total", "70", "%")), (
        f"targets.csv, row {n + 2}, column 'task': a target of 70 % for heating_total, but the verdict rules judge "
        "heating_total by fixed thresholds (heating_far_behind < 85, heating_behind < 95;",
        "Remove the row", "'target:heating_total' with a 'default'")),
        tmp_path / "case", capsys)


def test_a_season_whose_rules_read_the_target_keeps_the_row(tmp_path):
    targets = pd.DataFrame({"township": ["nancun", "nancun"], "task": ["heating_total", "loose_coal_violation_pct"],
                            "target": [70.0, 5.0]})
    with pytest.raises(ZzevalError, match=r"row 3, column 'task': a target of 5 % for loose_coal_violation_pct"):
        check_targets_read(targets, load_rules(), "targets.csv")
    own = _rules(tmp_path, "threshold: 2           # [A]\n    task: loose_coal_violation_pct",
                 "threshold: target:loose_coal_violation_pct\n    default: 2\n    task: loose_coal_violation_pct")
    with pytest.raises(ZzevalError) as err:  # heating_total is still judged by 85/95 only
        check_targets_read(targets, check_rules_file(own), "targets.csv")
    assert "row 2" in str(err.value) and "loose_coal" not in str(err.value)
    check_targets_read(targets.iloc[1:], check_rules_file(own), "targets.csv")  # read by the rule: accepted


def test_a_met_row_made_a_reason_by_a_stricter_rule_says_why():
    """F4, task_status: a row whose own target is met is a reason only when a rule of its own threshold
    fired (pm25_worse: worse than last season, whatever the target); the row names that rule."""
    progress = pd.DataFrame({"township": ["a", "a"], "task": ["pm25_change_pct", "heating_total"],
                             "judged_by": ["pm25_change_pct", "heating_total"], "met": [True, False],
                             "applicable": [True, True]})
    checks = [{"rule": "pm25_worse", "task": "pm25_change_pct", "outcome": "fired", "level": "interview"},
              {"rule": "heating_behind", "task": "heating_total", "outcome": "fired", "level": "warning"}]
    verdict = pd.DataFrame({"township": ["a"], "checks": [checks],
                            "reason_tasks": [["pm25_change_pct", "heating_total"]],
                            "rules_fired": [["pm25_worse", "heating_behind"]]})
    rows = task_status(progress, verdict).set_index("task")
    assert rows.loc["pm25_change_pct", ["status", "reason_rule"]].tolist() == ["reason", "pm25_worse"]
    assert rows.loc["heating_total", ["status", "reason_rule", "reason_index"]].tolist() == ["reason", "heating_behind", 2]
    from zzeval.i18n import t
    assert t("status.reason_met", "zh", n=1, rule="高于 0 %即约谈") == "达到本行目标，但考核规则高于 0 %即约谈（理由 1）"


def test_a_rule_on_another_tasks_row_is_refused(tmp_path):
    """F7: heating_far_behind with task straw_fire_points marked the straw-fire row 未完成."""
    path = _rules(tmp_path, "threshold: 85\n    task: heating_total", "threshold: 85\n    task: straw_fire_points")
    with pytest.raises(ZzevalError, match=r"rule 5 \(heating_far_behind\): task 'straw_fire_points' does not match "
                                          r"indicator 'heating_completion_pct'.*did you mean task: heating_total\?"):
        check_rules_file(path)
    check_rules_file(RULES)  # the shipped rules pass (clean coal: its rule reads the completion rate)


def test_a_quoted_number_as_a_threshold_is_named_as_text(tmp_path):
    """M4: threshold: "85" said "must be a number, got '85'"."""
    path = _rules(tmp_path, "threshold: 85", 'threshold: "85"')
    with pytest.raises(ZzevalError, match=r'threshold is "85", a number in quotes: YAML reads it as text, not a '
                                          r"number; remove the quotes \(threshold: 85\)"):
        check_rules_file(path)


def _set_target(task: str, value: str):
    def apply(frame: pd.DataFrame) -> None:
        frame.loc[frame.index[frame["task"] == task][0], "target"] = value
    return apply


@pytest.mark.parametrize(("task", "value", "expect"), [
    ("pm25_change_pct", "-150", "a target of -150 % for pm25_change_pct is below -100 % (targets.pm25_change_pct, "
     "zzeval/reference/input_limits.csv): no township can reach it, every one would miss it; the plan's target is -4 %"),
    ("dustfall_t_km2_month", "90", "a target of 90 t/(month·km²) for dustfall_t_km2_month is above 30"),
    ("dustfall_t_km2_month", "0.9", "a target of 0.9 t/(month·km²) for dustfall_t_km2_month is below 2"),
])
def test_impossible_or_wrong_scale_targets_are_refused(sample_season, tmp_path, capsys, task, value, expect):
    """F6: −150 % and a dustfall target of 90 or 0.9 (the plan's 9) were accepted."""
    frame = pd.read_csv(sample_season / "targets.csv")
    row = int(frame.index[frame["task"] == task][0]) + 2
    err = validate_refuses(sample_season, Case(task, edit("targets.csv", _set_target(task, value)),
                                               (f"targets.csv, row {row}, column 'target': {expect}",)),
                           tmp_path / "case", capsys)
    assert ("confirmed: {target_scale:" in err) == task.startswith("dustfall")


def test_a_confirmed_dustfall_target_is_a_notice(sample_season, tmp_path, capsys):
    import shutil

    folder = tmp_path / "season"
    shutil.copytree(sample_season, folder)
    edit("targets.csv", _set_target("dustfall_t_km2_month", "40"))(folder)
    township = pd.read_csv(folder / "targets.csv")["township"].iloc[0]
    with open(folder / "season.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"confirmed: {{target_scale: [{township} dustfall_t_km2_month]}}\n")
    assert main(["validate", str(folder)]) == 0
    assert "confirmed in season.yaml (target_scale:" in capsys.readouterr().out


@pytest.mark.parametrize(("task", "value", "refused"), [
    ("pm25_change_pct", -0.04, True), ("pm25_change_pct", -0.5, True), ("pm25_change_adj_pct", -0.5, True),
    ("pm25_change_pct", 0.0, False), ("pm25_change_pct", -1.0, False), ("pm25_change_adj_pct", -4.0, False),
    ("dustfall_t_km2_month", 9.0, False)])
def test_a_change_target_written_as_a_fraction_is_a_judgement_check(task, value, refused):
    """Review reA N6: a PM2.5 change target of −0.04 (meant −4 %) was accepted silently; a target between −1
    and 1 % but not 0 is taken as a fraction (target_fraction.<task>), confirmable as target_scale."""
    from zzeval.season.checks import Collector
    from zzeval.season.confirm import read_confirmed
    from zzeval.season.target_values import check_target_values

    targets = pd.DataFrame({"township": ["nancun"], "task": [task], "target": [value]})
    out = Collector()
    check_target_values(targets, "targets.csv", out)
    assert len(out.problems) == int(refused), out.problems
    if refused:
        (problem,) = out.problems
        assert (problem.row, problem.column) == (2, "target")
        assert problem.message.startswith(
            f"a target of {value:g} % for {task} is a change of less than 1 % either way (target_fraction.{task}, "
            f"zzeval/reference/input_limits.csv): a fraction ({value:g} for {100 * value:g} %)? write the change in %")
        assert f"confirmed: {{target_scale: [nancun {task}]}}" in problem.message
        out = Collector()
        read_confirmed({"confirmed": {"target_scale": [f"nancun {task}"]}}, "season.yaml", out)
        check_target_values(targets, "targets.csv", out)
        assert out.problems == [] and any("confirmed in season.yaml (target_scale" in n for n in out.notes)


@pytest.mark.parametrize(("task", "value"), [("pm25_change_pct", 4.0), ("pm25_change_pct", 0.04),
                                             ("pm25_change_adj_pct", 2.0)])
def test_a_positive_target_of_a_decrease_is_refused(task, value):
    """Hostile review s11-C, F8: ``4`` written for the plan's "PM2.5 下降4%" was accepted, so the warning
    reason (change above the target) disappeared. The plan states the change as a decrease: refused."""
    from zzeval.season.checks import Collector
    from zzeval.season.confirm import read_confirmed
    from zzeval.season.target_values import check_target_values

    targets = pd.DataFrame({"township": ["nancun", "xiacun"], "task": [task, task], "target": [-4.0, value]})
    out = Collector()
    read_confirmed({"confirmed": {"target_scale": [f"xiacun {task}"]}}, "season.yaml", out)
    check_target_values(targets, "targets.csv", out)
    (problem,) = out.problems
    assert (problem.file, problem.row, problem.column) == ("targets.csv", 3, "target")
    assert f"a target of {value:g} % for {task} allows a rise of {value:g} %" in problem.message
    assert f"write {-value:g} (a decrease of {value:g} %)" in problem.message
    assert ("is a fraction" in problem.message) == (value < 1)
