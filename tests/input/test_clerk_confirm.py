"""Review 6b findings 1, 3, 10, 11, 13, 17 and the one way through the
judgement checks (season.yaml ``confirmed:``, zzeval/season/confirm.py): each case made from the
2-township sample (nancun, xiacun) or from a few inline rows, refused without the fix, and a
genuine series or firm that must pass."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.input.cases import edit, read, write
from zzeval.cli import main
from zzeval.season.checks import Collector
from zzeval.season.clerical import check_dustfall_running_total
from zzeval.season.loading import load_season

MONTHS = pd.to_datetime(["2020-10", "2020-11", "2020-12", "2021-01", "2021-02", "2021-03"])


def _dust_problems(values: list[float]) -> list[str]:
    dust = pd.DataFrame({"township": "nancun", "month": MONTHS, "dustfall_t_km2_month": values})
    out = Collector()
    check_dustfall_running_total(dust, "dustfall.csv", out)
    return [p.message for p in out.problems]


@pytest.mark.parametrize("values, refused", [
    ([40.0, 44.0, 48.0, 4.0, 8.0, 12.0], True),     # review 6b D3: 1-N月累计 of a ~4 t/month township
    ([9.2, 15.4, 21.9, 5.4, 12.2, 20.9], True),     # the sample's nancun summed from October and from January
    ([82.8, 89.0, 95.5, 5.4, 12.2, 20.9], True),    # the sample's nancun 2020-21 as 1-N月累计 (Jan-Sep ≈ 73.6)
    ([4.1, 4.5, 5.0, 6.2, 8.5, 13.0], False),       # review 6b finding 8: genuine rise to the spring dust
    ([2.0, 2.4, 3.1, 3.9, 4.8, 6.1], False),
    ([6.5, 7.0, 8.0, 3.0, 4.0, 5.0], False),        # a genuine fall in January: Dec ÷ Jan 2.7, below 3
    ([9.0, 10.0, 12.0, 4.0, 6.0, 7.0], False),      # Dec ÷ Jan 3, but March only 1.75 times January
])
def test_dustfall_as_calendar_year_running_totals(values, refused):
    problems = _dust_problems(values)
    assert bool(problems) == refused, problems
    if refused:
        assert "are these the calendar year's running totals (1-N月累计, restarting in January)? write each " \
               "month's own dustfall" in problems[0]
        assert "'confirmed: {dustfall_year_to_date: [nancun 2020-2021]}'" in problems[0]


def test_the_samples_dustfall_passes(sample_season):
    """The 2-township sample's dustfall (both seasons) and the 3-township one's are genuine monthly series."""
    out = Collector()
    check_dustfall_running_total(load_season(sample_season).dustfall, "dustfall.csv", out)
    assert out.problems == []


def test_year_to_date_case_refused_on_the_sample(season, capsys):
    """D3 on the sample: validate said OK and nancun's season mean was 26 instead of ~4 t/(month·km²)."""
    edit("dustfall.csv", _d3)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert ("dustfall.csv, row 11, column 'dustfall_t_km2_month': township nancun, season from 2020: 40, 44, 48, 4, "
            "8, 12 t/(month·km²): October to December rise, January falls to 4") in err, err[:2000]


def _d3(frame: pd.DataFrame) -> None:
    current = (frame["township"] == "nancun") & (frame["month"] >= "2020-10")
    frame.loc[current, "dustfall_t_km2_month"] = ["40", "44", "48", "4", "8", "12"]


def _small_firm(frame: pd.DataFrame) -> pd.DataFrame:
    """A genuine small firm of 300 t/yr (below the 500 t/yr floor): refused until confirmed."""
    row = frame.iloc[[0]].assign(enterprise="泽州某小型建材公司", cargo="other_bulk", road_t_before="300",
                                 rail_t_before="0", road_t_after="100", rail_t_after="200", siding_date="")
    return pd.concat([frame, row], ignore_index=True)


def _confirm(folder, text: str) -> None:
    with open(folder / "season.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n" + text + "\n")


def test_a_confirmed_judgement_passes_with_a_notice(season, capsys):
    edit("freight.csv", _small_firm)(season)
    edit("dustfall.csv", _d3)(season)
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert "泽州某小型建材公司 (other_bulk) moves 300 t/yr in all, below 500 t/yr" in err
    assert "confirm them in season.yaml with 'confirmed: {freight_scale: [泽州某小型建材公司]}'" in err
    _confirm(season, "confirmed: {freight_scale: [泽州某小型建材公司]}")
    assert main(["validate", str(season)]) == 2  # the dustfall is not confirmed yet
    err = capsys.readouterr().err
    assert "moves 300 t/yr" not in err.split("problem")[-1]
    assert "notice: freight.csv, row 5, column 'road_t_before': confirmed in season.yaml (freight_scale: " \
           "泽州某小型建材公司), used as written" in err
    _confirm(season, "  dustfall_year_to_date: [nancun 2020-2021]")
    (season / "season.yaml").write_text((season / "season.yaml").read_text(encoding="utf-8").replace(
        "confirmed: {freight_scale: [泽州某小型建材公司]}", "confirmed:\n  freight_scale: [泽州某小型建材公司]"),
        encoding="utf-8")
    assert main(["validate", str(season)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Notice: dustfall.csv, row 11, column 'dustfall_t_km2_month': confirmed in season.yaml " \
           "(dustfall_year_to_date: nancun 2020-2021), used as written: township nancun" in out
    assert "(freight_scale: 泽州某小型建材公司), used as written: 泽州某小型建材公司 (other_bulk) moves 300 t/yr" in out
    # what summary.json, the build log and the pages say rests on the bureau's word (the firm's township: freight.csv)
    firm_township = read(season, "freight.csv")["township"].iloc[0]
    assert load_season(season).meta["confirmations"] == [
        {"check": "freight_scale", "subject": "泽州某小型建材公司", "townships": [firm_township]},
        {"check": "dustfall_year_to_date", "subject": "nancun 2020-2021", "townships": ["nancun"]}]


def test_confirmations_that_name_nothing(season, capsys):
    _confirm(season, "confirmed:\n  freight_scal: [x]")
    assert main(["validate", str(season)]) == 2
    assert "season.yaml, column 'confirmed': 'freight_scal' is not a check that can be confirmed: did you mean " \
           "'freight_scale'?" in capsys.readouterr().err
    (season / "season.yaml").write_text((season / "season.yaml").read_text(encoding="utf-8").replace(
        "freight_scal:", "dustfall_running_total:"), encoding="utf-8")
    assert main(["validate", str(season)]) == 0
    assert "Notice: season.yaml: 'confirmed' lists dustfall_running_total: x, but the check refuses nothing of " \
           "that name" in capsys.readouterr().out
    assert load_season(season).meta["confirmations"] == []  # confirming nothing changes nothing


def test_running_totals_without_heating_targets_are_refused(season, capsys):
    """Review 6b H4: nancun's coal-to-gas batches as running totals (144 / 139, 329 / 317) and no heating
    rows of nancun in targets.csv: bounded only by the county's 2,350 households before. Its 10,454
    households less 8,127 heated cleanly before leave 2,327; 2,383 done are more."""
    rt = read(season, "heating_retrofits.csv")
    gas = rt.index[(rt["township"] == "nancun") & (rt["retrofit_type"] == "coal_to_gas")]
    rt.loc[gas[1], ["households_planned", "households_done"]] = ["329", "317"]
    write(rt, season, "heating_retrofits.csv")
    targets = read(season, "targets.csv")
    write(targets[~((targets["township"] == "nancun") & targets["task"].str.startswith("heating_"))], season,
          "targets.csv")
    assert main(["validate", str(season)]) == 2
    err = capsys.readouterr().err
    assert ("heating_retrofits.csv, row 4, column 'households_done': township nancun: 2,383 households done of "
            "clean-heating retrofits (coal_to_electricity 188, coal_to_gas 456, waste_heat 1,739) plus 8,127 heated "
            "cleanly before the season (townships.csv row 2") in err, err[:2000]
    assert "coal_to_gas (rows 4, 5): each later batch is larger than the one before: running totals" in err


def test_ignored_column_is_said_before_the_problems(sample_season, tmp_path, capsys):
    """Review 6b finding 17: completion_date written 完工时间 (not an accepted header): the notice that
    names the ignored column comes before the "completion date is empty" problems, in validate and build."""
    folder = tmp_path / "data"
    shutil.copytree(sample_season, folder)
    path = folder / "heating_retrofits.csv"
    lines = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(lines[0].replace("completion_date", "完工时间") + "\n" + lines[1], encoding="utf-8")
    notice = ("notice: heating_retrofits.csv: column E ('完工时间') is not a column of heating_retrofits and is "
              "ignored")
    for argv in (["validate", str(folder)], ["build", "--data", str(folder), "--out", str(tmp_path / "out")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert notice in err, err[:2000]
        assert err.index(notice) < err.index("problems in the season folder")
        assert "completion date is empty" in err
    assert not (tmp_path / "out").exists()


def test_confirmed_rows_of_other_judgement_checks():
    """The same mechanism for the row-wise check (cut fractions, per township) and a heating surplus."""
    from zzeval.season.clerical import check_cut_fractions
    from zzeval.season.data import SeasonPeriod
    from zzeval.season.measure_rows import check_measure_rows

    ei = pd.DataFrame({"township": ["a", "a", "b"], "grade": ["B", "C", "C"], "required_cut_pct": [30.0, 50.0, 50.0],
                       "observed_cut_pct": [0.35, 0.5, 0.4]})
    out = Collector()
    out.confirmed = {"cut_fractions": {"a": 0}}
    check_cut_fractions(ei, "ei.csv", out)
    assert [p.row for p in out.problems] == [4]  # b stays refused
    assert "'confirmed: {cut_fractions: [b]}'" in out.problems[0].message
    assert len(out.notes) == 1 and out.notes[0].startswith("ei.csv, row 2, column 'observed_cut_pct': confirmed in "
                                                           "season.yaml (cut_fractions: a), used as written")
    targets = pd.DataFrame({"township": ["a"], "task": ["heating_coal_to_gas"], "target": [100.0]})
    batches = pd.DataFrame({"township": "a", "retrofit_type": "coal_to_gas", "households_planned": [90, 70],
                            "households_done": [90, 70], "subsidy_yuan": [720_000.0, 560_000.0],
                            "completion_date": pd.to_datetime(["2020-08-20", "2020-08-30"])})
    for confirmed, problems in (({}, 1), ({"heating_over_target": {"a coal_to_gas": 0}}, 0)):
        out = Collector()
        out.confirmed = confirmed
        check_measure_rows({"heating_retrofits": batches, "targets": targets}, {}, SeasonPeriod("2020-2021"), out)
        assert len(out.problems) == problems and len(out.notes) == 1 - problems
