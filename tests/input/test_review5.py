"""What the re-review after the fourth hostile review of issue 13 found: each case is refused with a
message naming file, row, column and what to fix (or, where the data stay usable, a notice), `zzeval
build` refuses alike and writes nothing into --out. Inputs are made by script from the `zzeval sample`
season (tests/input/cases.py); the cases are in tests/input/cases_review5.py."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.emissions.season_factory import make_season
from tests.input.cases import build_refuses, setter, validate_refuses
from tests.input.cases_review5 import REVIEW5_CASES
from zzeval.cli import main
from zzeval.emissions import estimate_season
from zzeval.report import views


# -- 1. an empty subsidy or scrappage payment is "not reported": the cost is unknown, never 0 yuan
def _unknown_subsidy_season():
    return make_season([("a", "rural", 1000), ("b", "rural", 1000)],
                       heating=[("a", "coal_to_gas", 100, 100, "2020-10-20", 500_000.0),
                                ("a", "coal_to_gas", 50, 50, "2020-10-20", np.nan),
                                ("b", "coal_to_gas", 100, 100, "2020-10-20", 400_000.0),
                                ("b", "clean_coal", 80, 80, "2020-10-20", 0.0)])


def test_an_empty_subsidy_makes_the_cost_unknown_for_the_township_and_the_county():
    """Before: the empty subsidy counted as 0 yuan, township a's cost per tonne 500,000 / 1.36 t (too
    small by a third, as 50 of its 150 households were paid nothing) and the county's 900,000 yuan."""
    ce = estimate_season(_unknown_subsidy_season(), draws=0).cost_effectiveness
    pm = ce[(ce.pollutant == "PM2.5") & (ce.scope == "in_county")].set_index("township")
    assert np.isnan(pm.at["a", "cost_yuan"]) and np.isnan(pm.at["a", "yuan_per_t"])
    assert np.isnan(pm.at["county", "cost_yuan"]) and np.isnan(pm.at["county", "yuan_per_t"])
    assert pm.at["a", "basis"] == pm.at["county", "basis"] == "cost not reported"
    # b: 400,000 yuan (its clean briquettes: 0, none paid) over its reduction, as before
    assert pm.at["b", "cost_yuan"] == 400_000
    assert pm.at["b", "yuan_per_t"] == pytest.approx(400_000 / pm.at["b", "reduction_t"])


@pytest.mark.parametrize("lang, dash", [("zh", "—（补贴金额未填报）"), ("en", "— (subsidy not reported)")])
def test_the_pages_show_a_dash_and_the_reason(lang, dash):
    ev = SimpleNamespace(emissions=estimate_season(_unknown_subsidy_season(), draws=0))
    county = views.cost_table(ev, lang).set_index(views.t("col.measure", lang))
    row = county.loc[views.measure_label("clean_heating", lang)]
    assert set(row) == {dash}  # the money spent and every cost per tonne
    known = views.cost_table(ev, lang, township="b").set_index(views.t("col.measure", lang))
    assert known.loc[views.measure_label("clean_heating", lang), views.t("col.spent_10k_yuan", lang)] == "40"


def test_summary_json_says_why_in_the_same_words():
    from zzeval.assess.county import cost_figures

    ev = SimpleNamespace(emissions=estimate_season(_unknown_subsidy_season(), draws=0))
    assert cost_figures(ev) == {"clean_heating": {
        "spent_yuan": None, "yuan_per_t_pm25": None,
        "cost_unknown": {"zh": "补贴金额未填报", "en": "subsidy not reported"}}}


def test_validate_names_the_rows_in_a_notice(season, capsys):
    """Not an error: the rest of the report is usable; the notice names file, rows and what to write."""
    setter("heating_retrofits.csv", 1, "subsidy_yuan", "")(season)
    setter("vehicles.csv", 0, "scrappage_payment_yuan", "")(season)
    assert main(["validate", str(season)]) == 0
    err = capsys.readouterr().out
    assert ("heating_retrofits.csv, column 'subsidy_yuan': empty on row(s) 3 with households_done > 0 — an empty "
            "cell means \"not reported\", so the cost per tonne of that measure is not shown for nancun "
            "nor for the county; write the amount paid in yuan, or 0 if none was paid") in err, err
    assert "vehicles.csv, column 'scrappage_payment_yuan': empty on row(s) 2 with scrapped > 0" in err, err


# -- 2, 5, 6, 7: refused by validate and by build (nothing written into --out)
@pytest.mark.parametrize("case", REVIEW5_CASES, ids=[c.name for c in REVIEW5_CASES])
def test_validate_refuses(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


@pytest.mark.parametrize("case", REVIEW5_CASES[::4], ids=[c.name for c in REVIEW5_CASES[::4]])
def test_build_refuses_alike_and_writes_nothing(case, sample_season, tmp_path, capsys):
    build_refuses(sample_season, case, tmp_path, capsys)


# -- 3. the parent of the season folder passed: one message naming the subfolder, not ten "missing"
def test_the_parent_of_the_season_folder_is_named_once(sample_season, tmp_path, capsys):
    import shutil

    shutil.copytree(sample_season, tmp_path / "parent" / "2020-21")
    assert main(["validate", str(tmp_path / "parent")]) == 2
    err = capsys.readouterr().err
    inner = tmp_path / "parent" / "2020-21"
    assert (f"{tmp_path / 'parent'}: holds no season table (such as townships.csv, .csv.gz or .xlsx; air_quality.csv, "
            f".csv.gz, .xlsx or .parquet) but the tables are in {inner}: pass --data {inner}") in err, err
    assert "table is missing" not in err and err.count("\n  - ") == 1
    out = tmp_path / "out"
    assert main(["build", "--data", str(tmp_path / "parent"), "--out", str(out)]) == 2
    assert f"the tables are in {inner}: pass --data {inner}" in capsys.readouterr().err
    assert not out.exists()


def test_a_missing_hourly_table_lists_parquet(season, capsys):
    (season / "meteorology.csv.gz").unlink()
    assert main(["validate", str(season)]) == 2
    assert ("meteorology.csv: table is missing from " in (err := capsys.readouterr().err)
            and "expected meteorology.csv, .csv.gz, .xlsx or .parquet (see data/README.md)" in err), err
