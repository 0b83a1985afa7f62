"""Hostile review s11-A (data angle): four small findings, each on tiny inline
tables or the shipped files (no season is validated whole, no report built); each test failed before its fix.

* Wrong number 6: "1.000" (1,000 with a thousands dot, a text cell) in a count column was read as 1.
* Wrong number 7: one township's dustfall sheet pasted for another passed.
* Wrong number 9: a verdict_rules.yaml with % thresholds written as fractions (85 → 0.85) was accepted.
* Misleading: ``weather_stuck: [county rh_pct 2020-2021]``, written for a genuine foggy January, also let a later
  stuck spell of the same hygrometer pass unnamed.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.input.test_hostile9_weather import _hours
from zzeval.assess.rulefile import _check_fraction, check_rules_file
from zzeval.errors import ZzevalError
from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed, unused_confirmations
from zzeval.season.dustfall_copy import check_dustfall_copied
from zzeval.season.plausible import check_payments
from zzeval.season.schema import TABLES
from zzeval.season.stuck_weather import check_stuck_weather

ROOT = Path(__file__).resolve().parents[2]


def _confirmed(check: str, subjects: list[str]) -> Collector:
    out = Collector()
    read_confirmed({"confirmed": {check: subjects}}, "season.yaml", out)
    return out


# ---------------------------------------------------------------- wrong number 6: a thousands dot in a count
def _households_done(cells: list[str]) -> tuple[pd.Series, Collector]:
    out = Collector()
    spec = {c.name: c for c in TABLES["heating_retrofits"].columns}
    values = convert_column(pd.DataFrame({"households_done": cells}), spec["households_done"],
                            "heating_retrofits.csv", out)
    return values, out


def test_a_count_written_with_a_thousands_dot_is_refused():
    values, out = _households_done(["1.000", "12.000", "1000", "1000.000", "0.000", "7823.000000000003", "850"])
    assert [(p.row, p.column) for p in out.problems] == [(2, "households_done"), (3, "households_done")]
    assert out.problems[0].message.startswith(
        "'1.000' is ambiguous in a count [households]: '.' as a thousands separator (1000) or a decimal point (1)? "
        "a count has no decimal places: write 1000 without the '.'")
    assert "write 12000 without the '.' (or 12 if that is meant)" in out.problems[1].message
    # 1000.000 and 0.000 hold no thousands dot; a formula's float noise is read with its notice, as before
    assert values.iloc[2:].tolist() == [1000, 1000, 0, 7823, 850]
    assert any("float noise" in n for n in out.notes)


def test_a_count_with_a_thousands_dot_and_other_digits_says_so():
    _, out = _households_done(["1.250", "3.5"])
    assert [p.message for p in out.problems] == [
        "'1.250' must be a whole number (was 1250 written with '.' as a thousands separator? write it without)",
        "'3.5' must be a whole number"]


def test_a_subsidy_too_high_per_household_names_the_households_too():
    rt = pd.DataFrame({"township": ["nancun"], "retrofit_type": ["waste_heat"], "subsidy_yuan": [4_401_400.0],
                       "households_done": [1.0]})
    out = Collector()
    check_payments(rt, "heating_retrofits.csv", None, "vehicles.csv", out)
    (problem,) = out.problems
    assert "is the amount in 分 (fen, 1/100 yuan)?" in problem.message
    assert "and households_done (1) for missing digits (1,000 written as 1?)" in problem.message


# ------------------------------------------------------------- wrong number 7: a dustfall sheet pasted twice
def _dustfall() -> pd.DataFrame:
    dust = pd.read_csv(ROOT / "data" / "sample" / "dustfall.csv", dtype={"township": str})
    dust["month"] = pd.to_datetime(dust["month"])
    return dust


def _pasted(dust: pd.DataFrame, source: str, target: str, retyped: int = 0) -> pd.DataFrame:
    """``target``'s months (both seasons) = ``source``'s, the first ``retyped`` of each season changed by 0.1."""
    dust = dust.copy()
    by_month = dust[dust["township"] == source].set_index("month")["dustfall_t_km2_month"]
    mine = dust["township"] == target
    dust.loc[mine, "dustfall_t_km2_month"] = dust.loc[mine, "month"].map(by_month).to_numpy()
    for first in ("2019-10-01", "2020-10-01"):
        months = pd.date_range(first, periods=retyped, freq="MS")
        dust.loc[mine & dust["month"].isin(months), "dustfall_t_km2_month"] += 0.1
    return dust


def test_genuine_dustfall_passes():
    out = Collector()
    check_dustfall_copied(_dustfall(), "dustfall.csv", out)
    assert out.problems == [] and out.notes == []


def test_a_township_s_dustfall_pasted_for_another_is_refused_and_can_be_confirmed():
    dust = _pasted(_dustfall(), "nancun", "dadonggou")
    out = Collector()
    check_dustfall_copied(dust, "dustfall.csv", out)
    assert len(out.problems) == 2  # one per season
    first = out.problems[0]
    later = dust.index[(dust["township"] == "dadonggou") & (dust["month"] >= "2019-10-01")][0] + 2
    assert (first.file, first.row, first.column) == ("dustfall.csv", later, "dustfall_t_km2_month")
    assert "township dadonggou, season 2019-2020, has the same monthly dustfall as township nancun, season " \
           "2019-2020, in 6 of 6 months (month by month from October; the table is written to 0.1" in first.message
    assert "'confirmed: {dustfall_copy: [nancun 2019-2020 dadonggou 2019-2020]}'" in first.message
    out = _confirmed("dustfall_copy", ["nancun 2019-2020 dadonggou 2019-2020", "nancun 2020-2021 dadonggou 2020-2021"])
    check_dustfall_copied(dust, "dustfall.csv", out)
    assert out.problems == [] and len(out.notes) == 2


@pytest.mark.parametrize("retyped", [1, 2, 3])
def test_a_pasted_sheet_with_months_retyped_is_still_refused(retyped):
    """Months retyped by 0.1 (re-review s11-A W6: two of six passed under the former fixed count of 5 equal
    months): the months within one resolution step (0.1) are improbable by chance (dustfall.copy_chance)."""
    out = Collector()
    check_dustfall_copied(_pasted(_dustfall(), "nancun", "dadonggou", retyped), "dustfall.csv", out)
    assert len(out.problems) == 2  # one per season
    if retyped > 1:
        assert "monthly dustfall within 0.1 as township nancun" in out.problems[0].message


def test_a_sheet_pasted_one_row_down_is_refused():
    """Re-review s11-A N14: dadonggou's November .. March 2020-2021 = nancun's October .. February."""
    dust = _dustfall()
    source = dust[(dust["township"] == "nancun") & (dust["month"] >= "2020-10-01")].set_index("month")
    rows = (dust["township"] == "dadonggou") & (dust["month"] >= "2020-11-01")
    dust.loc[rows, "dustfall_t_km2_month"] = (
        (dust.loc[rows, "month"] - pd.DateOffset(months=1)).map(source["dustfall_t_km2_month"]).to_numpy())
    out = Collector()
    check_dustfall_copied(dust, "dustfall.csv", out)
    assert len(out.problems) == 1
    assert ("township dadonggou, season 2020-2021, has the same monthly dustfall as township nancun, season "
            "2020-2021, in 5 of 5 months (one month apart (a sheet pasted one row off)") in out.problems[0].message


def test_whole_number_dustfall_of_17_townships_passes():
    """Re-review s11-A F2: the sample's dustfall in whole tonnes shares 5 of 6 months by chance in 8 pairs;
    at a month's chance of 0.22 that is expected (dustfall.copy_chance), not refused."""
    dust = _dustfall()
    dust["dustfall_t_km2_month"] = dust["dustfall_t_km2_month"].round(0)
    out = Collector()
    check_dustfall_copied(dust, "dustfall.csv", out)
    assert out.problems == [] and out.notes == []


# ------------------------------------------------- wrong number 9: a verdict rule's % threshold as a fraction
def _rules(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "zzeval" / "reference" / "verdict_rules.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "verdict_rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, said", [
    ("threshold: 85\n", "threshold: 0.85\n",
     "rule 5 (heating_far_behind): threshold 0.85 % for heating_completion_pct looks like a fraction"),
    ("default: -4\n", "default: -0.04\n",
     "rule 2 (pm25_below_target): default -0.04 % for pm25_change_obs_pct looks like a fraction"),
    ("threshold: 2           # [A]", "threshold: 0.02           # [A]",
     "(loose_coal_reburning): threshold 0.02 % for loose_coal_violation_pct looks like a fraction"),
    ("default: 80\n", "default: 1\n", "(rail_share): default 1 % for rail_share_coal_coke_pct looks like a fraction"),
])
def test_a_percentage_threshold_written_as_a_fraction_is_refused(tmp_path, old, new, said):
    path = _rules(tmp_path, old, new)
    with pytest.raises(ZzevalError) as caught:
        check_rules_file(path)
    message = str(caught.value)
    rule = said.split("(")[1].split(")")[0]
    line = path.read_text(encoding="utf-8").splitlines().index(f"  - id: {rule}") + 1
    assert message.startswith(f"{path}, line {line}: rule ") and said in message, message
    key, value = new.split("#")[0].strip().split(": ")
    assert message.endswith(f"write the {key} in %: {100 * float(value):g} ({key}: {100 * float(value):g})")


def test_a_slack_written_as_a_fraction_is_refused(tmp_path):
    """Re-review s11-A W7: heating_coverage's slack of 2 points written 0.02 added two verdict reasons."""
    path = _rules(tmp_path, "slack: 2               # [A]", "slack: 0.02               # [A]")
    with pytest.raises(ZzevalError) as caught:
        check_rules_file(path)
    message = str(caught.value)
    assert "(heating_coverage): slack 0.02 percentage points for clean_heating_coverage_pct looks like a " \
           "fraction" in message, message
    assert message.endswith("write the slack in percentage points: 2 (slack: 2)")


@pytest.mark.parametrize("old, new", [
    ("threshold: 2           # [A]", "threshold: 0.5         # bureau: 0.5 %"),  # F08: loose coal tightened to 0.5 %
    ("slack: 2               # [A]", "slack: 0.5               # [A]"),  # half a point of slack: 50 would be wrong
])
def test_a_genuine_small_threshold_or_slack_is_accepted(tmp_path, old, new):
    """Re-review s11-A F1: 0.5 % and 0.5 percentage points were refused with the advice 'write 50'."""
    assert check_rules_file(_rules(tmp_path, old, new)).rules


def test_a_threshold_in_percentage_points_is_never_a_fraction():
    """Re-review s11-A F9: good days up at least 0.5 percentage points (a change: a cell formatted as % never
    gives it) was refused with the advice 'write 50'."""
    rule = {"id": "good_days_gain", "indicator": "good_day_ratio_change_pp", "op": "<", "threshold": 0.5}
    _check_fraction("verdict_rules.yaml, line 78: rule 4 (good_days_gain)", rule, [rule])


@pytest.mark.parametrize("old, new", [(None, None), ("threshold: 2           # [A]", "threshold: 1           # [A]"),
                                      ("default: -4\n", "default: -1\n")])
def test_a_percentage_threshold_of_1_or_more_either_way_is_accepted(tmp_path, old, new):
    """The shipped rules (0 for no worsening), a violation share of 1 % and a change of −1 % are accepted."""
    path = ROOT / "zzeval" / "reference" / "verdict_rules.yaml" if old is None else _rules(tmp_path, old, new)
    assert check_rules_file(path).rules


# ------------------------------------------- misleading: a confirmation of one stuck spell covers only that one
def _foggy_january_then_stuck(stuck: bool = True) -> pd.DataFrame:
    """County weather of the season 2020-2021: a genuine foggy January (RH 90-100 %, slowly varying) and, if
    ``stuck``, a hygrometer flickering 97/98 % from 20 February to 31 March (the reviewer's case C09)."""
    met = _hours(n=4368)  # 1 October 2020 .. 31 March 2021
    rng = np.random.default_rng(3)
    stamp = met["datetime"]
    january = ((stamp >= "2021-01-01") & (stamp < "2021-02-01")).to_numpy()
    walk = np.cumsum(rng.normal(0, 0.6, january.sum())).clip(-3, 3)
    met.loc[january, "rh_pct"] = np.clip(np.round(97 + walk), 90, 100)
    if stuck:
        spell = ((stamp >= "2021-02-20") & (stamp < "2021-04-01")).to_numpy()
        met.loc[spell, "rh_pct"] = 97.0 + np.arange(spell.sum()) % 2
    return met


def _spell(message: str) -> str:
    (subject,) = re.findall(r"weather_stuck: \[(.*?)\]", message)
    return subject


def test_each_stuck_spell_is_named_and_confirmed_on_its_own():
    met = _foggy_january_then_stuck()
    out = Collector()
    check_stuck_weather(met, "meteorology.csv", out)
    january, march = (_spell(p.message) for p in out.problems)  # two spells, each refused with its days
    assert january.startswith("county rh_pct 2020-12-") and "..2021-02-" in january
    assert march.startswith("county rh_pct 2021-02-") and march.endswith("..2021-03-31")
    assert f"(the days {march.removeprefix('county rh_pct ')}) than in the reference" in out.problems[1].message
    # the genuine January confirmed: the March spell is still refused, named
    out = _confirmed("weather_stuck", [january])
    check_stuck_weather(met, "meteorology.csv", out)
    assert [_spell(p.message) for p in out.problems] == [march]
    assert len(out.notes) == 1 and f"confirmed in season.yaml (weather_stuck: {january}), used as written" in out.notes[0]
    # the season form written for the January covers neither spell (it is for a spell of the whole season)
    out = _confirmed("weather_stuck", ["county rh_pct 2020-2021"])
    check_stuck_weather(met, "meteorology.csv", out)
    unused_confirmations(out, "season.yaml")
    assert len(out.problems) == 2 and "refuses nothing of that name" in out.notes[-1]


def test_the_genuine_foggy_january_alone_confirmed_passes_with_a_notice():
    met = _foggy_january_then_stuck(stuck=False)
    out = Collector()
    check_stuck_weather(met, "meteorology.csv", out)
    (problem,) = out.problems
    out = _confirmed("weather_stuck", [_spell(problem.message)])
    check_stuck_weather(met, "meteorology.csv", out)
    assert out.problems == [] and len(out.notes) == 1 and "used as written" in out.notes[0]


def test_a_sensor_stuck_all_season_is_confirmed_by_the_season():
    """A spell holding every window of the season judged is confirmed by the season form as before."""
    met = pd.concat([_hours(n=4368).assign(datetime=lambda f: f["datetime"] - pd.DateOffset(years=1)), _hours(n=4368)],
                    ignore_index=True)
    previous = (met["datetime"] < "2020-07-01").to_numpy()
    met.loc[previous, "rh_pct"] = 97.0 + np.arange(previous.sum()) % 2
    out = Collector()
    check_stuck_weather(met, "meteorology.csv", out)
    (problem,) = out.problems
    assert _spell(problem.message) == "county rh_pct 2019-10-01..2020-03-31"
    out = _confirmed("weather_stuck", ["county rh_pct 2019-2020"])
    check_stuck_weather(met, "meteorology.csv", out)
    assert out.problems == [] and "(weather_stuck: county rh_pct 2019-2020), used as written" in out.notes[0]


def test_each_spell_of_frozen_nights_is_named_and_confirmed_on_its_own():
    """The same for the anemometer frozen at calm every night (zzeval.season.calm_hours, confirmed as weather_stuck):
    November's nights confirmed, the nights of February are still refused."""
    from tests.input.test_calm_hours import NIGHT, _checked, _frozen

    met = _hours(n=4368).astype({"wind_speed_ms": object, "wind_dir_deg": object})
    met = _frozen(_frozen(met, "2020-11-01", "2020-12-01", NIGHT), "2021-01-20", "2021-03-01", NIGHT)
    november, february = (_spell(p.message) for p in _checked(met).problems)
    assert november.startswith("county wind_speed_ms 2020-1") and november.endswith("..2020-11-30")
    assert february.startswith("county wind_speed_ms 2021-01-") and february.endswith("..2021-02-28")
    out = _checked(met, [november])
    assert [_spell(p.message) for p in out.problems] == [february] and len(out.notes) == 1
