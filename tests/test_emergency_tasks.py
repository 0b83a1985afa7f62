"""Plan § 三, performance-graded emergency reductions (zzeval.assess.emergency): inspections counted
from a hand-made inline table, judged by the shipped rule, 不涉及 where a township has no B, C or D
firm, and the optional table validated with file, row and column."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.tiny_season import judge_tasks, write_tiny_season
from zzeval.assess.emergency import emergency_indicators, inspection_compliant
from zzeval.assess.progress import (
    effective_targets,
    task_progress,
    task_status,
    township_indicators,
)
from zzeval.assess.verdict import apply_rules, load_rules
from zzeval.errors import DataValidationError
from zzeval.resources import plan_tasks
from zzeval.season.loading import load_season

REPO = Path(__file__).resolve().parents[1]

# Chinese headers and words, as a clerk's spreadsheet has them. bagong: 8 inspections of its B, C and
# D firms, 7 compliant (87.5 %): YJ-01's cut of 25 % on 2020-12-25 is below its 30 % (the lapse, from the
# figures: no finding written); YJ-02's first check has no required cut: the plan's 30 % applies (32 %
# passes); YJ-03 (D) is stopped or found compliant; YJ-04 (B) stopped in the alert. YJ-05 is A-grade:
# its "否" is not judged (the plan leaves A firms their own measures). liushukou: a leading firm only.
INSPECTIONS = """乡镇,企业编号,企业名称,绩效等级,检查日期,预警级别,要求减排比例,核查减排比例,是否停产,是否落实
巴公镇,YJ-01,某铸造企业,B级,2020-12-16,橙色预警,30,35,否,是
巴公镇,YJ-01,某铸造企业,B级,2020-12-25,橙色,30,25,否,
巴公镇,YJ-02,某水泥企业,C级,2020-12-16,orange,,32,no,
巴公镇,YJ-02,某水泥企业,C,2020-12-25,orange,50,,,是
巴公镇,YJ-03,某焦化企业,D级,2020-11-15,无,100,,是,
巴公镇,YJ-03,某焦化企业,D级,2020-12-15,none,,,yes,
巴公镇,YJ-03,某焦化企业,D级,2021-01-15,,,,,yes
巴公镇,YJ-04,某耐材企业,B,2021-01-19,黄色,30,,是,
巴公镇,YJ-05,某化工企业,A级,2020-12-16,橙色,,,否,否
柳树口镇,YJ-06,某砖瓦企业,引领性,2020-12-16,orange,,,,
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = write_tiny_season(tmp_path_factory.mktemp("emergency"), days=2)
    (out / "emergency_inspections.csv").write_text(INSPECTIONS, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def judged(folder):
    return judge_tasks(folder)


def test_seven_of_eight_inspections_compliant(judged):
    season, ind, _, _ = judged
    assert list(season.emergency_inspections["grade"]) == ["B", "B", "C", "C", "D", "D", "D", "B", "A", "leading"]
    assert list(season.emergency_inspections["alert_level"][:2]) == ["orange", "orange"]
    bg, ls = ind.loc["bagong"], ind.loc["liushukou"]
    assert (bg["emergency_inspections"], bg["emergency_inspections_failed"]) == (8, 1)
    assert bg["emergency_compliance_pct"] == pytest.approx(87.5)
    assert bg["n_emergency_firms"] == 4  # YJ-01 … YJ-04; the A firm is not counted
    assert ls["n_emergency_firms"] == 0 and math.isnan(ls["emergency_compliance_pct"])


def test_the_lapse_is_a_warning_with_its_reason(judged):
    _, _, verdict, rows = judged
    assert verdict.loc["bagong", "verdict"] == "warning"
    fired = list(verdict.loc["bagong", "rules_fired"])
    reason = verdict.loc["bagong", "reasons"][fired.index("emergency_compliance")]
    assert reason == ("重污染天气应急减排现场检查落实率 87.5\u00a0%，未达 100.0\u00a0%"
                      "（B、C 级企业减排 30–50%，D 级企业秋冬季停产）")
    row = rows.loc[("bagong", "emergency_compliance_pct")]
    assert (row["section"], row["value"], row["target"], row["status"]) == ("三", 87.5, 100.0, "reason")
    # liushukou has only a leading firm (its own measures): 不涉及, and no rule fires
    assert rows.loc[("liushukou", "emergency_compliance_pct"), "status"] == "not_applicable"
    assert "emergency_compliance" not in verdict.loc["liushukou", "rules_fired"]
    en = apply_rules(township_indicators(judged[0]), effective_targets(judged[0]), load_rules(None), "en")
    assert "87.5\u00a0%, below 100.0\u00a0%" in " ".join(en.set_index("township").loc["bagong", "reasons"])


def test_the_plan_wording_and_the_row_first():
    spec = plan_tasks()["tasks"]["emergency_compliance_pct"]
    assert list(plan_tasks()["tasks"])[0] == "emergency_compliance_pct"  # § 三 comes before § 六
    assert "B、C 级企业按照 30-50%的比例减排，D 级企业在秋冬季全面停产" in spec["plan_zh"]
    assert spec["responsible_zh"] == "市生态环境局泽州分局、县工业和信息化局，各乡（镇）人民政府"
    assert "重污染天气应急响应期间" in spec["deadline_zh"] and "秋冬季" in spec["deadline_zh"]


def test_row_rule_order():
    ei = pd.DataFrame({
        "grade": ["C", "D", "D", "B", "C", "A"],
        "required_cut_pct": [np.nan, np.nan, 100, 30, 50, np.nan],
        "observed_cut_pct": [29.0, np.nan, np.nan, 40.0, 60.0, np.nan],
        "stopped": ["", "no", "", "", "", ""],
        "compliant": ["", "", "yes", "no", "", "no"],
    })
    # 29 % < the plan's 30 %; a D firm running; a D finding; the finding beats the figures; 60 ≥ 50; A: not judged
    assert list(inspection_compliant(ei)[:5]) == [False, False, True, False, True]
    assert pd.isna(inspection_compliant(ei)[5])


def test_without_the_table_and_with_a_header_only(tmp_path):
    plain = write_tiny_season(tmp_path / "plain", days=2)
    season = load_season(plain)
    ind = township_indicators(season)
    assert ind["n_emergency_firms"].isna().all()
    assert "emergency_compliance_pct" not in set(task_progress(season, ind)["task"])
    # a header and no rows: the county has no firm of the emergency list, 不涉及 everywhere
    (plain / "emergency_inspections.csv").write_text(INSPECTIONS.splitlines()[0] + "\n", encoding="utf-8")
    season = load_season(plain)
    ind = township_indicators(season)
    assert list(emergency_indicators(season)["n_emergency_firms"]) == [0, 0]
    verdict = apply_rules(ind, effective_targets(season), load_rules(None), "zh")
    rows = task_status(task_progress(season, ind), verdict)
    assert list(rows.loc[rows["task"] == "emergency_compliance_pct", "status"]) == ["not_applicable"] * 2


def test_a_season_without_the_table_evaluates(tmp_path):
    from zzeval.assess.evaluate import evaluate_season

    ev = evaluate_season(load_season(write_tiny_season(tmp_path / "s", days=30)), draws=100, n_boot=5)
    assert "emergency_compliance_pct" not in set(ev.progress["task"])
    assert "emergency_compliance" not in {r for fired in ev.verdicts["zh"]["rules_fired"] for r in fired}


def test_bad_rows_named(folder, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    (bad / "emergency_inspections.csv").write_text(
        "township,firm_id,firm,grade,inspected_on,alert_level,required_cut_pct,observed_cut_pct,stopped,compliant\n"
        "bagong,YJ-01,甲,B,2020-12-16,,30,35,no,yes\n"             # 2: a B firm with no alert
        "bagong,YJ-02,乙,C,2020-12-16,orange,20,35,no,yes\n"       # 3: below the plan's 30 %
        "bagong,YJ-03,丙,D,2020-12-16,none,50,,yes,\n"             # 4: a D firm's cut is 100 %
        "bagong,YJ-04,丁,D,2020-12-17,none,,,no,yes\n"             # 5: compliant but running
        "bagong,YJ-05,戊,C,2020-12-16,orange,30,10,no,yes\n"       # 6: compliant but 10 < 30
        "bagong,YJ-06,己,B,2020-12-16,orange,30,,,\n"              # 7: nothing decides
        "bagong,YJ-07,庚,D,2020-12-16,none,,,,\n"                  # 8: nothing decides
        "bagong,YJ-08,辛,C,2021-05-01,orange,30,40,no,yes\n"       # 9: after the season
        "bagongg,YJ-09,壬,E级,2020-12-16,orange,30,40,no,yes\n"    # 10: township, grade
        "bagong,YJ-01,甲,B,2020-12-16,orange,30,35,no,yes\n",      # 11: same firm and day as row 2
        encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_season(bad)
    found = {(p.file, p.row, p.column) for p in info.value.problems}
    f = "emergency_inspections.csv"
    assert {(f, 2, "alert_level"), (f, 3, "required_cut_pct"), (f, 4, "required_cut_pct"), (f, 5, "compliant"),
            (f, 6, "compliant"), (f, 7, "compliant"), (f, 8, "compliant"), (f, 9, "inspected_on"),
            (f, 10, "township"), (f, 10, "grade"), (f, 11, "inspected_on")} <= found
    messages = {(p.row, p.column): p.message for p in info.value.problems}
    assert "below the 30 % the plan sets for B and C firms (plan § 三: 30–50 %)" in messages[(3, "required_cut_pct")]
    assert "observed cut 10 % is below the required 30 %" in messages[(6, "compliant")]
    assert "outside the season assessed (2020-10-01 .. 2021-03-31)" in messages[(9, "inspected_on")]
    assert "A, leading, B, C, D" in messages[(10, "grade")]


def test_sample_inspections_deterministic_with_the_planted_lapse():
    from zzeval.synthetic.sample_emergency import inspections_table

    tw = pd.read_csv(REPO / "data" / "sample" / "townships.csv", dtype=str)
    a = inspections_table(tw, 2020)
    assert a.equals(inspections_table(tw, 2020)) and len(a) == 80 and a["firm_id"].nunique() == 34
    lapse = a[a["compliant"] == "no"]
    assert lapse[["township", "firm_id", "inspected_on", "observed_cut_pct"]].values.tolist() == [
        ["jincun", "YJ-017", "2020-12-25", "20"]]
    jincun = a[(a["township"] == "jincun") & a["grade"].isin(["B", "C", "D"])]
    assert len(jincun) == 13  # 12 of 13 compliant: 92.3 %
    assert set(a["township"]) == {"nancun", "xiacun", "dadonggou", "zhoucun", "lichuan", "jincun", "gaodu",
                                  "bagong", "dayang", "shanhe", "daji", "beiyicheng"}
    other = inspections_table(tw, 7)
    assert (other["compliant"] == "no").sum() == 1 and other.equals(inspections_table(tw, 7))
    # the committed sample holds what the generator writes (as zzeval.synthetic.sample writes CSV)
    text = a.to_csv(index=False, lineterminator="\n")
    assert (REPO / "data" / "sample" / "emergency_inspections.csv").read_text(encoding="utf-8") == text
