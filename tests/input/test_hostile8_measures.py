"""Hostile review 8A, the measure tables, xlsx sheets and confirmations:
findings 17 (freight in kg), 18 (a fleet typed ×1000), 19 (a township without vehicle rows), 8 (the
per-household subsidy standard as a batch total), 7 (one emergency-list firm in two townships), 2 (a hidden
sheet read) and 13 (confirmed names compared after NFKC). Each case is made by a script from the sample
season (tests/input/cases.py) or is tiny inline data, and failed before its fix."""

from __future__ import annotations

import pandas as pd

from tests.input.cases import Case, edit, validate_refuses
from zzeval.cli import main
from zzeval.season.checks import Collector

TONNAGES = ("road_t_before", "rail_t_before", "road_t_after", "rail_t_after")


def _freight_in_kg(frame: pd.DataFrame) -> None:
    """Finding 17: the first firm's four tonnages from its weighbridge export in kg."""
    for column in TONNAGES:
        frame.loc[0, column] = f"{float(frame.loc[0, column]) * 1000:.0f}"


def test_freight_in_kg_is_refused(sample_season, tmp_path, capsys):
    err = validate_refuses(sample_season, Case("freight_in_kg", edit("freight.csv", _freight_in_kg), (
        "freight.csv, row 2, column 'road_t_before':", "t/yr in all, above 100,000,000 t/yr",
        "are the tonnages in kg (weighbridge records)? write tonnes per year (kg ÷ 1,000)",
        "confirm them in season.yaml with 'confirmed: {freight_scale:")), tmp_path / "case", capsys)
    assert err.count("weighbridge") == 1


def _freight(totals: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"enterprise": [f"firm{i}" for i in range(len(totals))], "cargo": "coal",
                         "road_t_before": totals, "rail_t_before": 0.0,
                         "road_t_after": [t / 2 for t in totals], "rail_t_after": [t / 2 for t in totals]})


def test_freight_ceiling_by_the_median_row():
    from zzeval.season.clerical import check_freight_ceiling

    out = Collector()  # a 60,000 t/yr firm in kg (60,000,000) beside a median of 450,000 t/yr: 133 times
    check_freight_ceiling(_freight([60_000_000, 300_000, 400_000, 500_000]), "freight.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(2, "road_t_before")]
    assert "firm0 (coal) moves 60,000,000 t/yr in all, 133 times the median row's 450,000 t/yr (at most 100 times)" \
        in out.problems[0].message
    # genuine spreads pass: a 30 Mt/yr mine 75 times the median; the sample's 3 Mt beside 1.3 Mt
    for totals in ([30_000_000, 300_000, 400_000, 500_000], [3_000_000, 1_300_000, 900_000, 400_000]):
        out = Collector()
        check_freight_ceiling(_freight(totals), "freight.csv", out)
        assert out.problems == [], totals
    out = Collector()  # two rows only: no median, the absolute ceiling (100 Mt/yr) still holds
    check_freight_ceiling(_freight([150_000_000, 400_000]), "freight.csv", out)
    assert [p.row for p in out.problems] == [2]


def _fleet_times_1000(frame: pd.DataFrame) -> None:
    """Finding 18: the first China III heavy-truck row's counts typed ×1000, the payment left empty."""
    row = frame.index[(frame["vehicle_class"] == "heavy_truck") & (frame["emission_standard"] == "China3")][0]
    for column in ("fleet_before", "scrapped", "replaced_china6", "replaced_nev"):
        frame.loc[row, column] = str(int(frame.loc[row, column]) * 1000)
    frame.loc[row, "scrappage_payment_yuan"] = ""


def test_a_fleet_typed_times_1000_is_refused_and_can_be_confirmed(sample_season, tmp_path, capsys):
    from zzeval.cli import main

    case = Case("fleet_times_1000", edit("vehicles.csv", _fleet_times_1000), (
        "vehicles.csv, row 3, column 'fleet_before': township nancun: 63,", "per household, above 1",
        "heavy_truck, diesel, China3: fleet_before 62,000, scrapped 62,000",
        "are counts typed with extra digits (×10, ×1000)?", "'confirmed: {vehicle_fleet: [nancun]}'"))
    validate_refuses(sample_season, case, tmp_path / "case", capsys)
    with open(tmp_path / "case" / "season.yaml", "a", encoding="utf-8") as f:
        f.write("confirmed: {vehicle_fleet: [nancun]}\n")
    assert main(["validate", str(tmp_path / "case")]) == 0
    assert "confirmed in season.yaml (vehicle_fleet: nancun), used as written" in capsys.readouterr().out


def test_a_township_without_vehicle_rows_has_no_data_not_met(season, capsys):
    """Finding 19: all of xiacun's vehicle rows removed (its sheet not sent): the China III task was
    "≤ 0 辆 | 0 辆 | 完成"; now no data (NaN) like its NEV and OBD tasks, and validate says why."""
    from zzeval.assess.progress import task_progress, township_indicators
    from zzeval.cli import main
    from zzeval.season.loading import load_season

    vehicles = pd.read_csv(season / "vehicles.csv", dtype=str, keep_default_na=False)
    assert (vehicles["township"] == "xiacun").sum() > 0
    vehicles[vehicles["township"] != "xiacun"].to_csv(season / "vehicles.csv", index=False)
    assert main(["validate", str(season)]) == 0
    assert ("vehicles.csv: no row of township(s) xiacun: on the report of each, the vehicle tasks (China III trucks "
            "remaining, new-energy share, OBD) show 无数据 (no data)") in capsys.readouterr().out
    data = load_season(season)
    ind = township_indicators(data).set_index("township")
    assert pd.isna(ind.at["xiacun", "china3_trucks_remaining"]) and pd.isna(ind.at["xiacun", "china3_trucks_before"])
    old = vehicles[(vehicles["township"] == "nancun") & vehicles["vehicle_class"].str.endswith("_truck")
                   & (vehicles["fuel"] == "diesel") & vehicles["emission_standard"].isin(["China0", "China1", "China2", "China3"])]
    assert ind.at["nancun", "china3_trucks_before"] == old["fleet_before"].astype(int).sum() == 282  # unchanged
    progress = task_progress(data, ind.reset_index()).set_index(["township", "task"])
    trucks = progress.loc[("xiacun", "china3_trucks_remaining")]
    assert pd.isna(trucks["value"]) and pd.isna(trucks["met"])


def _subsidy_as_standard(frame: pd.DataFrame) -> None:
    """Finding 8: each coal-to-electricity batch's subsidy_yuan is the per-household standard (its total ÷
    households done), not the batch's total."""
    done = pd.to_numeric(frame["households_done"])
    rows = (frame["retrofit_type"] == "coal_to_electricity") & (done > 0)
    total = pd.to_numeric(frame.loc[rows, "subsidy_yuan"])
    frame.loc[rows, "subsidy_yuan"] = (total / done[rows]).round().astype(int).astype(str)


def test_the_per_household_subsidy_standard_as_a_batch_total_is_refused(sample_season, tmp_path, capsys):
    sample = pd.read_csv(sample_season / "heating_retrofits.csv")
    first = sample.index[(sample["retrofit_type"] == "coal_to_electricity") & (sample["households_done"] > 0)][0]
    standard = round(sample.at[first, "subsidy_yuan"] / sample.at[first, "households_done"])
    done = sample.at[first, "households_done"]
    assert standard > 10_000 and standard / done < 1_000  # e.g. 10,744 yuan for 126 households: 85 per household
    case = Case("subsidy_standard", edit("heating_retrofits.csv", _subsidy_as_standard), (
        f"heating_retrofits.csv, row {first + 2}, column 'subsidy_yuan': {standard:,} yuan for {done:,} households "
        f"done (coal_to_electricity) is {standard / done:,.0f} yuan per household, below the plausible 1,000",
        "is this the subsidy per household (补贴标准) rather than the batch's total?"))
    validate_refuses(sample_season, case, tmp_path / "case", capsys)
    # a genuine first instalment (recheck 8: 900 yuan per household, unconfirmable) is confirmed in season.yaml
    folder = tmp_path / "case"
    towns = sorted(set(sample.loc[sample["retrofit_type"] == "coal_to_electricity", "township"]))
    with open(folder / "season.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"confirmed:\n  subsidy_standard: [{', '.join(f'{t} coal_to_electricity' for t in towns)}]\n")
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err[:2000]
    said = capsys.readouterr()
    assert f"confirmed in season.yaml (subsidy_standard: {towns[0]} coal_to_electricity)" in said.out + said.err


def _firm_in_two_townships(frame: pd.DataFrame) -> None:
    """Finding 7: the last inspection of a firm inspected more than once written under another township."""
    counts = frame["firm_id"].value_counts()
    firm = counts.index[counts > 1][0]
    last = frame.index[frame["firm_id"] == firm][-1]
    other = sorted(set(frame["township"]) - {frame.loc[last, "township"]})[0]
    frame.loc[last, "township"] = other


def test_one_emergency_firm_in_two_townships_is_refused(sample_season, tmp_path, capsys):
    frame = pd.read_csv(sample_season / "emergency_inspections.csv", dtype=str, keep_default_na=False)
    counts = frame["firm_id"].value_counts()
    firm = counts.index[counts > 1][0]
    rows = frame.index[frame["firm_id"] == firm]
    town = frame.loc[rows[0], "township"]
    other = sorted(set(frame["township"]) - {town})[0]
    case = Case("firm_two_townships", edit("emergency_inspections.csv", _firm_in_two_townships), (
        f"emergency_inspections.csv, row {rows[-1] + 2}, column 'township': firm_id {firm} "
        f"({frame.loc[rows[0], 'firm']}) is inspected here under township {other}, but under {town} on row "
        f"{rows[0] + 2}: a firm of the emergency reduction list is in one township",))
    validate_refuses(sample_season, case, tmp_path / "case", capsys)


def _townships_workbook(folder, hidden_data: bool = True) -> None:
    """Finding 2 (X1b): townships.xlsx with the right table on the visible 'Sheet1' and a hidden sheet named
    'townships' holding a draft with 6 % more households (or, ``hidden_data`` False, nothing visible but an
    empty 'Sheet1')."""
    import openpyxl

    frame = pd.read_csv(folder / "townships.csv", dtype=str, keep_default_na=False)
    draft = frame.copy()
    draft["households"] = (pd.to_numeric(frame["households"]) * 1.06).round().astype(int).astype(str)
    wb = openpyxl.Workbook()
    visible = wb.active
    visible.title = "Sheet1"
    if hidden_data:
        for row in [list(frame.columns), *frame.to_numpy().tolist()]:
            visible.append(row)
    hidden = wb.create_sheet("townships")
    for row in [list(draft.columns), *draft.to_numpy().tolist()]:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    wb.save(folder / "townships.xlsx")
    (folder / "townships.csv").unlink()


def test_a_hidden_sheet_is_never_read_silently(sample_season, tmp_path, capsys):
    validate_refuses(sample_season, Case("hidden_sheet", _townships_workbook, (
        "townships.xlsx: the sheet 'townships' that zzeval would read is hidden in the workbook; the visible sheet "
        "'Sheet1' also holds data: unhide 'townships' and compare, then delete the sheet you do not mean",)),
        tmp_path / "one", capsys)
    validate_refuses(sample_season, Case("only_hidden_sheet", lambda f: _townships_workbook(f, hidden_data=False), (
        "townships.xlsx: the sheet 'townships' that zzeval would read is hidden in the workbook: unhide it",)),
        tmp_path / "two", capsys)


def test_a_confirmed_name_is_compared_after_nfkc(season, capsys):
    """Finding 13: 'confirmed: freight_scale: [泽州某煤业公司A(合成)]' (half-width brackets) for the firm written
    with full-width ones in freight.csv: keys are compared after NFKC, and so are confirmed names now."""
    import unicodedata

    from zzeval.cli import main

    frame = pd.read_csv(season / "freight.csv", dtype=str, keep_default_na=False)
    for column in TONNAGES:  # the first firm in 万t (refused as freight_scale unless confirmed)
        frame.loc[0, column] = f"{float(frame.loc[0, column]) / 10_000:g}"
    frame.to_csv(season / "freight.csv", index=False)
    name = frame.loc[0, "enterprise"]
    typed = unicodedata.normalize("NFKC", name)
    assert typed != name and "（" in name  # full-width brackets in the table, half-width in season.yaml
    with open(season / "season.yaml", "a", encoding="utf-8") as f:
        f.write(f"confirmed:\n  freight_scale: [{typed}]\n")
    assert main(["validate", str(season)]) == 0
    out = capsys.readouterr().out
    assert f"confirmed in season.yaml (freight_scale: {name}), used as written" in out
    assert "the check refuses nothing of that name" not in out
