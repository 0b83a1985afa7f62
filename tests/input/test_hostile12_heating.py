"""Hostile review s12-C (measures and plan inputs), the findings fixed on branch
s12-fixC1; each test on the shipped sample's tables or tiny inline ones (no season validated whole, no report
built) and each failed before its fix.

* F1: a township's heating sheet counted in persons (人) rather than households (户) passed.
* F4: two townships' ``name_zh`` exchanged in townships.csv passed.
* F5 / M1: dustfall with the decimal point one place left, or in kg/(m²·month), passed (and in kg in both
  seasons it was refused as one sheet pasted twice, not for its unit).
* M2: the subsidy column headed 补贴资金（元） was ignored (the reports said 补贴金额未填报).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed
from zzeval.season.dustfall import check_dustfall_scale
from zzeval.season.dustfall_copy import check_dustfall_copied
from zzeval.season.headers import map_columns
from zzeval.season.heating_share import check_heating_share
from zzeval.season.schema import TABLES
from zzeval.season.township_names import check_township_names

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def _confirmed(check: str, subjects: list[str]) -> Collector:
    out = Collector()
    read_confirmed({"confirmed": {check: subjects}}, "season.yaml", out)
    return out


def _sample(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / name, dtype={"township": str, "code": str, "slug": str}, **kwargs)


# ------------------------------------------------------------------- F5 / M1: dustfall ten or 1,000 times small
def _dustfall(scale: float = 1.0, seasons: tuple[str, ...] = ("2020",), township: str = "nancun") -> pd.DataFrame:
    dust = _sample("dustfall.csv")
    dust["month"] = pd.to_datetime(dust["month"])
    season = (dust["month"].dt.year - (dust["month"].dt.month <= 3)).astype(str)
    mine = (dust["township"] == township) & season.isin(seasons)
    dust.loc[mine, "dustfall_t_km2_month"] = (dust.loc[mine, "dustfall_t_km2_month"] * scale).round(6)
    return dust


def test_genuine_dustfall_is_not_too_low():
    out = Collector()
    check_dustfall_scale(_dustfall(), "dustfall.csv", out)
    assert out.problems == [] and out.notes == []


def test_a_genuinely_clean_township_of_1_5_passes():
    dust = _dustfall()
    dust.loc[dust["township"] == "nancun", "dustfall_t_km2_month"] = 1.5  # Shanxi's cleanest county (2025-02)
    out = Collector()
    check_dustfall_scale(dust, "dustfall.csv", out)
    assert out.problems == []


@pytest.mark.parametrize("scale", [0.1, 0.001], ids=["decimal_point", "kg_per_m2"])
def test_dustfall_ten_or_a_thousand_times_small_is_refused(scale):
    out = Collector()
    check_dustfall_scale(_dustfall(scale), "dustfall.csv", out)
    assert len(out.problems) == 1, out.problems
    said = str(out.problems[0])
    assert "dustfall.csv, row " in said and "column 'dustfall_t_km2_month'" in said
    assert "township nancun in the season from 2020" in said and "below the plausible 1" in said
    assert "the decimal point one place left" in said and "kg/(m²·month)" in said
    assert "in the season from 2019" in said  # the other season's median, for comparison
    assert "confirmed: {dustfall_low: [nancun 2020-2021]}" in said
    out = _confirmed("dustfall_low", ["nancun 2020-2021"])
    check_dustfall_scale(_dustfall(scale), "dustfall.csv", out)
    assert out.problems == [] and len(out.notes) == 1


def test_dustfall_in_kg_in_both_seasons_is_refused_for_its_unit_not_as_a_copy():
    dust = _dustfall(0.001, seasons=("2019", "2020"))
    out = Collector()
    check_dustfall_copied(dust, "dustfall.csv", out)
    assert out.problems == []
    check_dustfall_scale(dust, "dustfall.csv", out)
    assert len(out.problems) == 2 and all("kg/(m²·month)" in str(p) for p in out.problems)


# ---------------------------------------------------------------------- F1: a heating sheet counted in persons
def _heating(township: str = "", factor: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    tw = _sample("townships.csv")
    rt = _sample("heating_retrofits.csv")
    mine = rt["township"] == township
    rt.loc[mine, "households_planned"] = (rt.loc[mine, "households_planned"] * factor).round()
    return rt, tw


def test_genuine_heating_shares_pass():
    out = Collector()
    check_heating_share(*_heating(), "heating_retrofits.csv", "townships.csv", out)
    assert out.problems == [] and out.notes == []


def test_a_heating_sheet_in_persons_is_refused_naming_persons_and_households():
    rt, tw = _heating("dadonggou", 35870 / 9303)
    out = Collector()
    check_heating_share(rt, tw, "heating_retrofits.csv", "townships.csv", out)
    assert len(out.problems) == 1, out.problems
    said = str(out.problems[0])
    assert said.startswith("heating_retrofits.csv, row ") and "column 'households_planned'" in said
    assert "township dadonggou" in said and "of its 9,303 households in townships.csv" in said
    assert "persons (人) rather than households (户)" in said and "population per household is 3.86" in said
    assert "confirmed: {heating_share: [dadonggou]}" in said
    out = _confirmed("heating_share", ["dadonggou"])
    check_heating_share(rt, tw, "heating_retrofits.csv", "townships.csv", out)
    assert out.problems == [] and len(out.notes) == 1


# ----------------------------------------------------------------------------- F4: two townships' names swapped
def test_genuine_township_names_pass():
    out = Collector()
    check_township_names(_sample("townships.csv"), "townships.csv", out)
    assert out.problems == [] and out.notes == []


def test_swapped_township_names_are_refused():
    tw = _sample("townships.csv")
    tw.loc[[0, 1], "name_zh"] = tw.loc[[1, 0], "name_zh"].to_numpy()
    out = Collector()
    check_township_names(tw, "townships.csv", out)
    assert len(out.problems) == 2, out.problems
    said = str(out.problems[0])
    assert said.startswith("townships.csv, row 2, column 'name_zh': code 140525100 is 南村镇")
    assert "this row's name is 下村镇, the name of code 140525101 (township xiacun in this table)" in said


def test_other_counties_and_synthetic_names_are_not_checked():
    tw = pd.DataFrame({"code": ["140581100", "140525100", "149000001", "140525114"],
                       "name_zh": ["下村镇", "合成镇1", "南村镇", "川底镇"], "slug": ["a", "b", "c", "chuandi"]})
    out = Collector()
    check_township_names(tw, "townships.csv", out)
    assert out.problems == []


# ----------------------------------------------------------------- M2: the subsidy headed 补贴资金（元）
def test_the_subsidy_headed_as_in_the_ledger_is_read():
    rt = pd.DataFrame({"township": ["nancun"], "retrofit_type": ["coal_to_gas"], "households_planned": ["10"],
                       "households_done": ["10"], "completion_date": ["2020-10-20"], "补贴资金（元）": ["50000"]})
    out = Collector()
    mapped = map_columns(rt, TABLES["heating_retrofits"], "heating_retrofits.csv", out)
    assert "subsidy_yuan" in mapped and out.problems == [] and out.notes == []


def test_validate_runs_the_persons_and_the_names_checks():
    """Both checks are wired into the plausibility checks of ``zzeval validate``."""
    from zzeval.season.plausible import check_plausible_values

    rt, tw = _heating("dadonggou", 35870 / 9303)
    tw.loc[[0, 1], "name_zh"] = tw.loc[[1, 0], "name_zh"].to_numpy()
    out = Collector()
    check_plausible_values({"townships": tw, "heating_retrofits": rt},
                           {"townships": "townships.csv", "heating_retrofits": "heating_retrofits.csv"}, out)
    said = "\n".join(str(p) for p in out.problems)
    assert "persons (人) rather than households (户)" in said and "the name of code 140525101" in said


# ------------------------------------------------------- F7: the same batch pasted again 5 days later
def _batches(rt: pd.DataFrame) -> pd.DataFrame:
    rt = rt.copy()
    rt["completion_date"] = pd.to_datetime(rt["completion_date"])
    return rt


def test_genuine_batches_are_no_repeats():
    from zzeval.season.measure_rows import check_repeated_batches

    out = Collector()
    check_repeated_batches(_batches(_sample("heating_retrofits.csv")), "heating_retrofits.csv", out)
    assert out.problems == [] and out.notes == []


def test_a_batch_pasted_again_days_later_is_refused_and_can_be_confirmed():
    from zzeval.season.measure_rows import check_repeated_batches

    rt = _sample("heating_retrofits.csv")
    copy = rt.iloc[[1]].assign(completion_date="2020-11-20")
    assert pd.to_datetime(copy["completion_date"].iloc[0]) - pd.to_datetime(rt["completion_date"][1]) > \
        pd.Timedelta(days=3)
    rt = _batches(pd.concat([rt, copy], ignore_index=True))
    out = Collector()
    check_repeated_batches(rt, "heating_retrofits.csv", out)
    assert len(out.problems) == 1, out.problems
    said = str(out.problems[0])
    assert said.startswith(f"heating_retrofits.csv, row {len(rt) + 1}, column 'completion_date'")
    assert "as row 3" in said and "pasted again" in said
    subject = f"{rt['township'][1]} {rt['retrofit_type'][1]} 2020-11-20"
    assert f"confirmed: {{heating_repeated_batch: [{subject}]}}" in said
    out = _confirmed("heating_repeated_batch", [subject])
    check_repeated_batches(rt, "heating_retrofits.csv", out)
    assert out.problems == [] and len(out.notes) == 1


def test_province_size_sample_tables_pass_the_share_and_the_names():
    """``zzeval sample``'s province-size tables (docs/province.md): the synthetic extra townships (codes 149…,
    names 合成镇…; a mountain township's clean coal up to 40 % of its households) are refused by neither."""
    from zzeval.synthetic import sample_tables

    tw = sample_tables._townships(400, 0)
    rt = sample_tables._retrofits(tw, 0)
    out = Collector()
    check_heating_share(rt, tw, "heating_retrofits.csv", "townships.csv", out)
    check_township_names(tw, "townships.csv", out)
    assert out.problems == [] and out.notes == []
