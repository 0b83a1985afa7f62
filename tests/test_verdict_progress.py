"""Task progress counted from the tables, and the § 二十二 verdict rules applied to it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.assess.progress import county_progress, plan_targets, task_progress, township_indicators
from zzeval.assess.verdict import apply_rules, load_rules
from zzeval.errors import ZzevalError
from zzeval.season.loading import load_season


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    return load_season(write_tiny_season(tmp_path_factory.mktemp("tiny"), days=2))


@pytest.fixture(scope="module")
def indicators(season):
    return township_indicators(season).set_index("township")


def test_indicators_are_counted_from_the_tables(indicators):
    bg, ls = indicators.loc["bagong"], indicators.loc["liushukou"]
    # bagong: waste heat 3000/3000 + gas 380/400 → 3380 / 3400 = 99.41 %; clean coal excluded
    assert bg["heating_completion_pct"] == pytest.approx(100 * 3380 / 3400)
    # liushukou: electricity 210/300 = 70 %
    assert ls["heating_completion_pct"] == pytest.approx(70.0)
    # China III trucks: bagong 40 before, 0 after; liushukou medium China3 10 before, 2 after
    assert (bg["china3_trucks_before"], bg["china3_trucks_remaining"]) == (40, 0)
    assert ls["china3_trucks_remaining"] == 2
    # OBD: bagong China5 heavy trucks, 180 fitted of 230 in service = 78.26 %
    assert bg["obd_coverage_pct"] == pytest.approx(100 * 180 / 230)
    assert math.isnan(ls["obd_coverage_pct"])  # no China IV/V trucks there
    # I/M 790/850 = 92.94 %, 100/120 = 83.33 %
    assert bg["im_pass_rate_pct"] == pytest.approx(92.941, abs=1e-3)
    assert ls["im_pass_rate_pct"] == pytest.approx(83.333, abs=1e-3)
    # rail share after: Fusheng coke 850k rail of 1,000k = 85 %; the coal firm 200k of 500k = 40 %
    assert bg["rail_share_coal_coke_pct"] == pytest.approx(85.0)
    assert ls["rail_share_coal_coke_pct"] == pytest.approx(40.0)
    assert ls["coal_boilers_remaining"] == 1 and ls["straw_fire_points"] == 1


def test_task_progress_against_targets(season, indicators):
    progress = task_progress(season, indicators.reset_index()).set_index(["township", "task"])
    assert progress.at[("bagong", "heating_waste_heat"), "met"]
    assert not progress.at[("bagong", "heating_coal_to_gas"), "met"]   # 380 < 400
    assert progress.at[("bagong", "heating_coal_to_gas"), "value"] == 380
    assert not progress.at[("liushukou", "im_pass_rate_pct"), "met"]  # 83.3 < 90


def test_county_progress_uses_the_plans_totals(season):
    plan = plan_targets()["clean_heating_households"]
    assert plan["total"] == 17360 == sum(plan["by_type"].values())
    frame = county_progress(season).set_index("retrofit_type")
    assert frame.at["total", "plan_households"] == 17360
    assert frame.at["waste_heat", "done_households"] == 3000
    assert frame.at["waste_heat", "completion_pct"] == pytest.approx(100 * 3000 / 12006)


def test_verdicts_follow_the_rules(season, indicators):
    ind = indicators.reset_index()
    ind["pm25_change_obs_pct"] = [-10.0, 2.5]
    ind["pm25_change_adj_pct"] = [-3.0, 1.0]
    ind["baobiao_days"] = [0, 0]
    rules = load_rules()
    zh = apply_rules(ind, season.targets, rules, "zh").set_index("township")
    # bagong: only the OBD gap (78.3 % < 100 %) → warning letter
    assert zh.at["bagong", "verdict"] == "warning"
    assert zh.at["bagong", "rules_fired"] == ["obd_behind"]
    assert "78.3\u00a0%" in zh.at["bagong", "reasons"][0]
    # liushukou: PM2.5 got worse, heating 70 % < 85 % and 2 China III trucks → interview, most severe first
    assert zh.at["liushukou", "verdict"] == "interview"
    assert zh.at["liushukou", "verdict_label"] == "约谈"
    fired = zh.at["liushukou", "rules_fired"]
    assert set(fired[:3]) == {"pm25_worse", "heating_far_behind", "china3_remaining"}
    # the I/M target comes from targets.csv (90 %), the rail share from the default (80 %)
    assert {"im_pass_rate", "rail_share"} <= set(fired)
    en = apply_rules(ind, season.targets, rules, "en").set_index("township")
    assert en.at["liushukou", "reasons"][0].startswith("PM2.5 rose by +2.5\u00a0%")


def test_on_track_when_no_rule_fires(season):
    ind = pd.DataFrame({"township": ["bagong"], "heating_completion_pct": [100.0], "pm25_change_obs_pct": [-9.0]})
    out = apply_rules(ind, season.targets, load_rules(), "zh")
    assert out.loc[0, "verdict"] == "on_track" and out.loc[0, "reasons"] == []


def test_a_changed_threshold_in_a_rules_file_changes_the_verdict(season, tmp_path):
    text = load_rules().source
    from importlib import resources
    yaml_text = resources.files("zzeval.reference").joinpath("verdict_rules.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "rules.yaml"
    custom.write_text(yaml_text.replace("threshold: 85", "threshold: 99.5"), encoding="utf-8")
    ind = pd.DataFrame({"township": ["bagong"], "heating_completion_pct": [93.0]})
    assert apply_rules(ind, season.targets, load_rules(), "zh").loc[0, "verdict"] == "warning"
    assert apply_rules(ind, season.targets, load_rules(custom), "zh").loc[0, "verdict"] == "interview"
    assert text.endswith("verdict_rules.yaml")


def test_bad_rules_file_is_named(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("levels: {on_track: {rank: 0}, warning: {rank: 1}, interview: {rank: 2}}\nrules:\n"
                   "  - {id: x, level: warning, indicator: y, op: '=>', threshold: 1, task: y, zh: z, en: z}\n",
                   encoding="utf-8")
    with pytest.raises(ZzevalError, match=r"rules.yaml: rule 1 \(x\): op must be one of"):
        load_rules(bad)


def test_a_season_folder_can_carry_its_own_rules(tmp_path):
    from importlib import resources

    from zzeval.assess.evaluate import SEASON_RULES_FILE

    folder = write_tiny_season(tmp_path / "season", days=2)
    text = resources.files("zzeval.reference").joinpath("verdict_rules.yaml").read_text(encoding="utf-8")
    (folder / SEASON_RULES_FILE).write_text(text.replace("threshold: 85", "threshold: 99.5"), encoding="utf-8")
    season = load_season(folder)
    assert "verdict_rules.yaml" in season.file_hashes  # a changed rule file rebuilds the reports


def test_values_print_with_the_typographic_minus_and_a_no_break_space():
    from zzeval.assess.verdict import format_value

    assert format_value(-4, "%", signed=True) == "\u22124.0\u00a0%"
    assert format_value(2.5, "%", signed=True) == "+2.5\u00a0%"
    assert format_value(12, "辆") == "12\u00a0辆"


def test_english_singular_units_come_from_the_catalogue(season):
    ind = pd.DataFrame({"township": ["bagong"], "coal_boilers_remaining": [1.0], "straw_fire_points": [2.0]})
    reasons = apply_rules(ind, season.targets, load_rules(), "en").loc[0, "reasons"]
    assert "Coal boilers below 35 t/h still in service: 1\u00a0boiler (target: zero)" in reasons
    assert "Straw fire points detected: 2\u00a0fire points" in reasons


# --- rules that respect uncertainty and data validity ------------------------------------------

def _one(**columns) -> pd.DataFrame:
    return pd.DataFrame({"township": ["bagong"], **{k: [v] for k, v in columns.items()}})


def test_rules_on_an_invalid_statistic_are_undecided_not_passed(season):
    # 李寨乡-like: PM2.5 rose 3 % (would be an interview) but the data fail GB 3095 validity
    ind = _one(pm25_change_obs_pct=3.0, statistics_valid=False, valid_days=173, valid_days_prev=183,
               longest_gap_days=7, heating_completion_pct=100.0)
    out = apply_rules(ind, season.targets, load_rules(), "zh").iloc[0]
    assert out["verdict"] == "on_track" and out["reasons"] == []
    assert out["rules_undecided"] == ["pm25_worse"] and not out["data_valid"]
    assert "本季有效 173\u00a0天" in out["undecided"][0] and "GB 3095-2012" in out["undecided"][0]
    outcomes = {c["rule"]: c["outcome"] for c in out["checks"]}
    assert outcomes["pm25_worse"] == outcomes["pm25_below_target"] == "undecided"
    assert outcomes["heating_behind"] == "passed"


@pytest.mark.parametrize("low,high,expected", [(0.5, 9.0, "fired"), (-6.0, 4.0, "undecided"), (-9.0, -0.5, "passed")])
def test_the_weather_adjusted_rule_needs_the_whole_interval(season, low, high, expected):
    # the point (+2.0 %) is above 0 in all three cases; only the 95 % interval decides
    ind = _one(pm25_change_adj_pct=2.0, pm25_change_adj_low_pct=low, pm25_change_adj_high_pct=high)
    out = apply_rules(ind, season.targets, load_rules(), "zh").iloc[0]
    outcome = {c["rule"]: c["outcome"] for c in out["checks"]}["pm25_adjusted_no_gain"]
    assert outcome == expected
    assert out["verdict"] == ("warning" if expected == "fired" else "on_track")
    if expected == "undecided":
        assert "−6.0\u00a0% … +4.0\u00a0%" in out["undecided"][0] and "跨过阈值 0.0\u00a0%" in out["undecided"][0]


def test_a_change_the_weather_model_cannot_separate_is_undecided(season):
    ind = _one(pm25_change_adj_pct=12.0, pm25_change_adj_low_pct=5.0, pm25_change_adj_high_pct=20.0,
               pm25_change_adj_pct_separable=False, pm25_change_adj_pct_separable_reason="weather_difference_too_large")
    out = apply_rules(ind, season.targets, load_rules(), "en").iloc[0]
    assert out["verdict"] == "on_track" and out["rules_undecided"] == ["pm25_adjusted_no_gain"]
    assert "weather differs too much" in out["undecided"][0]


def test_every_rule_has_reason_words_and_a_task_row_in_both_languages():
    from zzeval.i18n import labels
    from zzeval.resources import plan_tasks

    tasks = plan_tasks()["tasks"]
    for rule in load_rules().rules:
        assert f"reason.{rule.id}" in labels(), rule.id
        assert rule.task in tasks, f"rule {rule.id} judges task {rule.task}, which has no row"
    for task, spec in tasks.items():
        assert f"task.{task}" in labels(), task
        assert spec.get("judged_by", task) in tasks


def test_task_status_reason_tolerance_and_undecided(season, indicators):
    from zzeval.assess.progress import task_status

    ind = indicators.reset_index()
    ind["pm25_change_obs_pct"], ind["statistics_valid"] = [-10.0, 2.5], [True, False]
    verdict = apply_rules(ind, season.targets, load_rules(), "zh")
    rows = task_status(task_progress(season, ind), verdict).set_index(["township", "task"])
    # bagong gas 380/400 missed, but the total 3,380/3,400 = 99.4 % ≥ 95 %: inside the tolerance
    assert rows.at[("bagong", "heating_coal_to_gas"), "status"] == "tolerance"
    assert rows.at[("bagong", "heating_coal_to_gas"), "tolerance_rule"] == "heating_behind"
    # bagong's OBD gap is its only reason (reason 1)
    assert rows.at[("bagong", "obd_coverage_pct"), "status"] == "reason"
    assert rows.at[("bagong", "obd_coverage_pct"), "reason_index"] == 1
    # liushukou: heating 70 % is a reason, its electricity row (210/300) points to the same reason;
    # its PM2.5 rose but its data are invalid: undecided, not passed
    assert rows.at[("liushukou", "heating_total"), "status"] == "reason"
    assert rows.at[("liushukou", "heating_coal_to_electricity"), "status"] == "reason"
    assert rows.at[("liushukou", "pm25_change_pct"), "status"] == "undecided"
    assert not (rows["status"] == "unjudged").any()
    # every reason of every township is a row of its task table
    for r in verdict.itertuples():
        assert all((r.township, task) in rows.index for task in r.reason_tasks), r.reason_tasks


def test_clean_heating_coverage_and_public_fleet_are_counted(tmp_path):
    folder = write_tiny_season(tmp_path / "season", days=2)
    tw = pd.read_csv(folder / "townships.csv")
    tw["clean_before_electricity"], tw["clean_before_gas"], tw["clean_before_district"] = [1000, 600], [5000, 0], [11000, 0]
    tw.to_csv(folder / "townships.csv", index=False)
    with open(folder / "vehicles.csv", "a", encoding="utf-8") as fh:
        fh.write("bagong,bus,electric,NEV,3,15,0,0,0,0,\nbagong,taxi,gasoline,China5,10,4,6,0,6,0,\n"
                 "bagong,taxi,electric,NEV,0,6,0,0,0,0,\n")
    ind = township_indicators(load_season(folder)).set_index("township")
    # bagong: 17,000 clean before + 3,380 retrofitted (clean coal excluded) of 21,000 households
    assert ind.at["bagong", "clean_heating_coverage_pct"] == pytest.approx(100 * 20380 / 21000)
    # liushukou (mountain): 600 + 210 of 5,200
    assert ind.at["liushukou", "clean_heating_coverage_pct"] == pytest.approx(100 * 810 / 5200)
    # buses: diesel 0 + electric 15 after; taxis: 4 petrol + 6 electric → (15 + 6) / (15 + 10) = 84 %
    assert ind.at["bagong", "nev_public_fleet_pct"] == pytest.approx(84.0)
    assert ind.at["bagong", "nev_share_taxi_pct"] == pytest.approx(60.0)
    # dustfall is judged month by month: the highest month
    assert "dustfall_max_month_t_km2_month" in ind
