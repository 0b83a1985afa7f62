"""A clerk's mistakes in the measure tables that `zzeval validate` passed and that changed published
numbers (final hostile review of issue 13 W3, W3b, W8, W9, W10, W12, H3),
each made by a script from the 2-township sample (nancun, xiacun) like tests/input/cases.py, and each
refused now by zzeval/season/measure_rows.py with the file, row, column and what to fix."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.input.cases import Case, edit, validate_refuses
from zzeval.cli import main
from zzeval.season.loading import validate_season

# the 2-township sample's heating_retrofits.csv (spreadsheet rows; the header is row 1):
#   2-3 nancun coal_to_electricity 132 / 126 (2020-09-12), 65 / 62 (2020-11-15); target 197 (targets row 2)
#   4-5 nancun coal_to_gas 144 / 139, 185 / 178; target 329 (targets row 3)
#   6-8 nancun waste_heat 739 / 712, 662 / 632, 400 / 395; target 1,801 (targets row 4)
BATCH = ["township", "retrofit_type"]


def _running_totals(frame: pd.DataFrame) -> None:
    """H3: each later batch of a township and type is the type's total so far."""
    for column in ("households_planned", "households_done", "subsidy_yuan"):
        values = pd.to_numeric(frame[column])
        frame[column] = values.groupby([frame[c] for c in BATCH]).cumsum().astype("int64").astype(str)


def _subtotal_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """W8: one more row per township and type of several batches, with their sums, dated a day after the last."""
    rows = []
    for (slug, kind), group in frame.groupby(BATCH, sort=False):
        if len(group) < 2:
            continue
        sums = {c: str(pd.to_numeric(group[c]).sum()) for c in ("households_planned", "households_done", "subsidy_yuan")}
        last = pd.to_datetime(group["completion_date"]).max() + pd.Timedelta(days=1)
        rows.append({"township": slug, "retrofit_type": kind, **sums, "completion_date": f"{last:%Y-%m-%d}"})
    return pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)


def _batch_typed_twice(frame: pd.DataFrame) -> pd.DataFrame:
    """W9: nancun's first coal-to-electricity batch (row 2) once more, dated a day later (row 14)."""
    copy = frame.iloc[[0]].assign(completion_date="2020-09-13")
    return pd.concat([frame, copy], ignore_index=True)


def _dates_a_year_early(frame: pd.DataFrame) -> None:
    """W10: the dates of October to December 2020 typed with the year 2019 (2020-11-15 as 2019-11-15)."""
    late = frame["completion_date"].str.match(r"2020-1[0-2]-")
    frame.loc[late, "completion_date"] = frame.loc[late, "completion_date"].str.replace("2020-", "2019-", n=1)


def _fleet_after_not_updated(frame: pd.DataFrame) -> None:
    """W3: fleet_after copied from fleet_before on every row."""
    frame["fleet_after"] = frame["fleet_before"]


def _one_fleet_after_not_updated(frame: pd.DataFrame) -> None:
    """W3b: nancun's heavy China III diesel trucks (row 3: 62 before, 62 scrapped) left at 62 after."""
    frame.loc[1, "fleet_after"] = frame.loc[1, "fleet_before"]


def _county_target(frame: pd.DataFrame) -> None:
    """W12: the county's coal-to-electricity target (3,004 households, PLAN.md § 六) put on nancun (row 2)."""
    frame.loc[0, "target"] = "3004"


def _two_townships_target(frame: pd.DataFrame) -> None:
    """W12 as the review made it: nancun's coal-to-electricity target = both townships' (197 + 185)."""
    frame.loc[0, "target"] = "382"


ROWS = "heating_retrofits.csv"

CASES = (
    Case("running_totals", edit(ROWS, _running_totals),
         ("heating_retrofits.csv, row 6, column 'households_planned': township nancun, waste_heat: 3,941 households "
          "planned and 3,795 done in rows 6, 7, 8, more than 1.5 × the township's target of 1,801 households "
          "(targets.csv row 4, heating_waste_heat",
          "each later batch is larger than the one before: running totals (each row the type's total so far)?",
          "heating_retrofits.csv, row 2, column 'households_planned': township nancun, coal_to_electricity: 329 "
          "households planned")),
    Case("subtotal_rows", edit(ROWS, _subtotal_rows),
         ("heating_retrofits.csv, row 6, column 'households_planned': township nancun, waste_heat: 3,602 households "
          "planned and 3,478 done in rows 6, 7, 8, 16, more than 1.5 × the township's target of 1,801",
          "rows 6, 7, 8, 16, more than 1.5 × the township's target of 1,801 households (targets.csv row 4, "
          "heating_waste_heat; the factor is in zzeval/reference/input_limits.csv): row 16 holds the sums of the other "
          "rows: a subtotal row? delete it",
          "township xiacun, waste_heat: 2,160 households planned")),
    Case("batch_typed_twice", edit(ROWS, _batch_typed_twice),
         ("heating_retrofits.csv, row 14, column 'completion_date': the same batch as row 2 (township nancun, "
          "coal_to_electricity, 132 planned, 126 done, subsidy 1,353,800 yuan), dated 1 day(s) later: one batch "
          "typed twice? delete the copy",
          "township nancun, coal_to_electricity: 329 households planned and 314 done in rows 2, 3, 14",
          "is a batch typed twice? give each batch once")),
    Case("dates_in_previous_season", edit(ROWS, _dates_a_year_early),
         ("heating_retrofits.csv, row 3, column 'completion_date': 2019-11-15 lies in the previous season 2019-2020 "
          "(2019-10-01 .. 2020-03-31), the season 2020-2021 is compared with",
          "check the year (2020-11-15?)",
          "heating_retrofits.csv, row 13, column 'completion_date': 2019-10-22 lies in the previous season")),
    Case("fleet_after_not_updated", edit("vehicles.csv", _fleet_after_not_updated),
         ("vehicles.csv, row 2, column 'fleet_after': fleet_after is 12 (heavy_truck, China2), but fleet_before 12 "
          "less 12 scrapped leaves 0: no new vehicle of China III or an older standard is registered",
          "vehicles.csv, row 3, column 'fleet_after': fleet_after is 62 (heavy_truck, China3)")),
    Case("one_fleet_after_not_updated", edit("vehicles.csv", _one_fleet_after_not_updated),
         ("vehicles.csv, row 3, column 'fleet_after': fleet_after is 62 (heavy_truck, China3), but fleet_before 62 "
          "less 62 scrapped leaves 0", "was fleet_after left at fleet_before after the scrapping?"),
         ("vehicles.csv, row 2,",)),
    Case("county_target_on_one_township", edit("targets.csv", _county_target),
         ("targets.csv, row 2, column 'target': township nancun, heating_coal_to_electricity: the target of 3,004 "
          "households is the whole county's (3,004 households of coal_to_electricity in the plan, PLAN.md § 六",
          "while 1 other township(s) hold a share of it too",
          "targets.csv, row 2, column 'target': township nancun, heating_coal_to_electricity: the target of 3,004 "
          "households is more than 1.2 × the 197 households the township planned")),
    Case("two_townships_target_on_one", edit("targets.csv", _two_townships_target),
         ("targets.csv, row 2, column 'target': township nancun, heating_coal_to_electricity: the target of 382 "
          "households is more than 1.2 × the 197 households the township planned for coal_to_electricity",
          "is it the county's target, or several townships', put on this one?"),
         ("is the whole county's",)),
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_refuses_the_clerks_mistake(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


def _over_delivered(frame: pd.DataFrame) -> None:
    """Review 6b H1: nancun's coal-to-electricity batches 170 / 166 and 86 / 84: 256 planned, 250 done
    against its target of 197 (1.3 ×), a township that did more than the plan asked."""
    frame.loc[0, ["households_planned", "households_done"]] = ["170", "166"]
    frame.loc[1, ["households_planned", "households_done"]] = ["86", "84"]


def test_a_township_that_over_delivered_passes(sample_season, tmp_path, capsys):
    import shutil

    folder = tmp_path / "season"
    shutil.copytree(sample_season, folder)
    edit(ROWS, _over_delivered)(folder)
    frame = pd.read_csv(folder / ROWS, dtype=str)
    assert frame.loc[:1, "households_planned"].astype(int).sum() == 256
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err


def test_a_surplus_above_the_factor_says_what_to_do_if_genuine():
    """Two unrelated batches (neither a running total nor a subtotal) 1.6 × the target: refused, and the
    message says what a township that really did that many does (not: correct the target)."""
    from zzeval.season.checks import Collector
    from zzeval.season.data import SeasonPeriod
    from zzeval.season.measure_rows import check_measure_rows

    targets = pd.DataFrame({"township": ["a"], "task": ["heating_coal_to_gas"], "target": [100.0]})
    out = Collector()
    check_measure_rows({"heating_retrofits": _batches([90, 70]), "targets": targets}, {}, SeasonPeriod("2020-2021"),
                       out)
    assert [p.message for p in out.problems] == [
        "township a, coal_to_gas: 160 households planned and 160 done in rows 2, 3, more than 1.5 × the township's "
        "target of 100 households (targets.csv row 2, heating_coal_to_gas; the factor is in "
        "zzeval/reference/input_limits.csv): are the batches running totals (each row the total so far), is there a "
        "subtotal row, or is a batch typed twice? give each batch once with its own households; if the batches are "
        "right and the township really retrofitted that many more households than its target (more than 1.5 ×), do "
        "not change the batches or write a target the plan did not set: write a raised target in targets.csv only if "
        "the county bureau raised the township's allocation, else check the batches against the acceptance records "
        "(验收); if the figures are genuine (checked against the records), confirm them in season.yaml with "
        "'confirmed: {heating_over_target: [a coal_to_gas]}' (data/README.md, 'Confirming a judgement check')"]
    out = Collector()  # 1.4 ×: a genuine surplus passes
    check_measure_rows({"heating_retrofits": _batches([80, 60]), "targets": targets}, {}, SeasonPeriod("2020-2021"),
                       out)
    assert out.problems == []


def test_the_sample_of_17_townships_passes(tmp_path):
    folder = tmp_path / "s17"
    assert main(["sample", str(folder), "--townships", "17"]) == 0
    assert validate_season(folder) == []


def _batches(planned: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"township": "a", "retrofit_type": "coal_to_gas", "households_planned": planned,
                         "households_done": planned, "subsidy_yuan": [float(n) * 8000 for n in planned],
                         "completion_date": pd.date_range("2020-08-20", periods=len(planned), freq="10D")})


def test_without_a_target_a_township_may_not_exceed_the_countys_allocation():
    """No heating_coal_to_gas target: 600 + 2,000 households of coal to gas are more than the county's 2,350
    (PLAN.md § 六); 300 + 2,000 are not. The plan's figures are its own season's only."""
    from zzeval.season.checks import Collector
    from zzeval.season.data import SeasonPeriod
    from zzeval.season.measure_rows import check_measure_rows

    def problems(planned, season="2020-2021", targets=None):
        out = Collector()
        check_measure_rows({"heating_retrofits": _batches(planned), "targets": targets}, {}, SeasonPeriod(season), out)
        return [p.message for p in out.problems]

    assert problems([600, 2000]) == [
        "township a, coal_to_gas: 2,600 households planned and 2,600 done in rows 2, 3, more than the whole county's "
        "2,350 households of coal_to_gas in the plan (PLAN.md § 六, zzeval/reference/plan_targets.yaml): each later "
        "batch is larger than the one before: running totals (each row the type's total so far)? write each batch's "
        "own households"]
    assert problems([300, 2000]) == []
    assert problems([600, 2000], season="2021-2022") == []
    empty = pd.DataFrame({"township": [], "task": [], "target": []})
    assert len(problems([600, 2000], targets=empty)) == 1
