"""Hostile review s12-C (measures and plan side): vehicles, freight, tasks and the
category vocabulary. Each test works on tiny inline tables or the shipped sample's tables (no season is validated
whole, no report built); each failed before its fix.

* F1b: one township's vehicles sheet (or tasks row) pasted as another's passed.
* F2: a firm's freight row pasted twice, the name once with 有限 in it, passed; F2b: '下村镇煤炭企业小计' was read as
  a firm.
* F3: a scrappage payment written as the per-vehicle standard instead of the row's total passed.
* M3 / R1: '镇' was answered "did you mean 城镇 (urban)?"; LNG / CNG, 洁净型煤 and 已完成 / 未完成 were refused.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zzeval.season.cells import convert_column
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed
from zzeval.season.keys import check_keys, firm_name
from zzeval.season.loading import _without_totals
from zzeval.season.schema import TABLES
from zzeval.season.scrappage import check_scrappage_standard
from zzeval.season.sheet_copy import check_sheets_copied

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def _sample(table: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / f"{table}.csv", dtype={"township": str})


def _copied(table: str, source: str, target: str) -> pd.DataFrame:
    """``table`` of the sample with ``target``'s rows replaced by ``source``'s, only the township changed."""
    frame = _sample(table)
    pasted = frame[frame["township"] == source].assign(township=target)
    return pd.concat([frame[frame["township"] != target], pasted], ignore_index=True)


# ------------------------------------------------------------------- F1b: a sheet pasted for another township
@pytest.mark.parametrize(("table", "source", "target"), [("vehicles", "nancun", "xiacun"),
                                                         ("tasks", "xiacun", "dadonggou")])
def test_a_townships_rows_pasted_as_anothers_are_refused(table, source, target):
    out = Collector()
    check_sheets_copied({table: _copied(table, source, target)}, {}, out)
    (problem,) = out.problems
    assert (problem.file, problem.column) == (f"{table}.csv", "township")
    assert f"township {target} has the same" in problem.message and f"as township {source} in" in problem.message
    assert f"{source}'s {table}" in problem.message and "write each township's own counts" in problem.message
    assert f"confirmed: {{sheet_copy: [{table} {source} {target}]}}" in problem.message


def test_a_pasted_sheet_without_payments_is_refused_too():
    """Empty payments (not reported) are one value, not a row left out."""
    vehicles = _copied("vehicles", "nancun", "xiacun").assign(scrappage_payment_yuan=float("nan"))
    out = Collector()
    check_sheets_copied({"vehicles": vehicles}, {}, out)
    assert len(out.problems) == 1 and "in 27 of 27" in out.problems[0].message


def test_a_pasted_sheet_confirmed_is_a_notice():
    out = Collector()
    read_confirmed({"confirmed": {"sheet_copy": ["vehicles nancun xiacun"]}}, "season.yaml", out)
    check_sheets_copied({"vehicles": _copied("vehicles", "nancun", "xiacun")}, {}, out)
    assert not out.problems and any("confirmed in season.yaml (sheet_copy" in n for n in out.notes)


def test_genuine_sheets_with_small_counts_in_common_pass():
    """The sample's 17 townships: jinmiaopu and liushukou share 14 of 26 vehicles rows (small counts)."""
    out = Collector()
    check_sheets_copied({"vehicles": _sample("vehicles"), "tasks": _sample("tasks")}, {}, out)
    assert not out.problems and not out.notes


# ------------------------------------------------------------------- F2 / F2b: freight rows of one firm twice
def test_a_firm_written_with_and_without_its_legal_form_is_one_key():
    assert firm_name("泽州某煤业有限公司F（合成）") == firm_name("泽州某煤业公司F（合成）")
    assert firm_name("泽州某焦化股份有限公司") == firm_name("泽州某焦化公司")
    assert firm_name("有限") == "有限"  # nothing left: compared as written
    frame = _sample("freight")
    again = frame.iloc[[0]].assign(enterprise=frame["enterprise"][0].replace("公司", "有限公司"))
    out = Collector()
    check_keys(pd.concat([frame, again], ignore_index=True), TABLES["freight"], "freight.csv", out)
    (problem,) = out.problems
    assert problem.row == len(frame) + 2
    assert "apart from the legal form (有限, 股份, 有限责任)" in problem.message
    assert "one firm written two ways" in problem.message


@pytest.mark.parametrize("label", ["下村镇煤炭企业小计", "货车小计", "南村镇合计", "Xiacun subtotal", "coal firms subtotal"])
def test_a_cell_ending_in_a_totals_word_is_a_totals_row(label):
    raw = pd.DataFrame({"enterprise": ["泽州某煤业公司A", label], "road_t_before": ["100", "200"]})
    out = Collector()
    kept = _without_totals(raw, "freight.csv", out)
    assert len(kept) == 1 and [p.row for p in out.problems] == [3]
    assert out.problems[0].message.startswith(f"looks like a totals row ('{label}')")


def test_names_holding_a_totals_word_inside_are_kept():
    raw = pd.DataFrame({"enterprise": ["泽州某计量公司", "Totalenergies 泽州", "合计划公司"], "x": ["1", "2", "3"]})
    out = Collector()
    assert len(_without_totals(raw, "freight.csv", out)) == 3 and not out.problems


# ------------------------------------------------------------------- F3: the per-vehicle standard as the total
def test_a_scrappage_payment_written_as_the_standard_is_refused():
    vh = _sample("vehicles")
    row = vh.index[(vh["township"] == "nancun") & (vh["vehicle_class"] == "heavy_truck")
                   & (vh["emission_standard"] == "China3")][0]
    vh.loc[row, "scrappage_payment_yuan"] = 28_000
    out = Collector()
    check_scrappage_standard(vh, "vehicles.csv", out)
    (problem,) = out.problems
    assert (problem.row, problem.column) == (row + 2, "scrappage_payment_yuan")
    assert "28,000 yuan for 62 heavy_truck scrapped is 452 yuan per vehicle, below the plausible 1,000" in problem.message
    assert "28,000 × 62 = 1,736,000 if 28,000 is the standard" in problem.message
    assert "confirmed: {scrappage_standard: [nancun heavy_truck China3]}" in problem.message


def test_genuine_scrappage_payments_pass():
    out = Collector()
    check_scrappage_standard(_sample("vehicles"), "vehicles.csv", out)
    assert not out.problems and not out.notes


# ------------------------------------------------------------------- M3 / R1: the vocabulary
def _cells(table: str, column: str, cells: list[str]) -> tuple[pd.Series, Collector]:
    out = Collector()
    spec = {c.name: c for c in TABLES[table].columns}
    values = convert_column(pd.DataFrame({column: cells}), spec[column], f"{table}.csv", out)
    return values, out


def test_an_administrative_rank_in_the_class_column_is_said_to_be_one():
    _, out = _cells("townships", "class", ["镇", "乡", "街道"])
    assert len(out.problems) == 3
    for problem in out.problems:
        assert "administrative rank" in problem.message and "did you mean" not in problem.message
        assert "urban (城区" in problem.message and "rural (农村)" in problem.message


def test_briquettes_alone_are_refused_with_what_to_write():
    values, out = _cells("heating_retrofits", "retrofit_type", ["型煤", "洁净型煤", "清洁型煤"])
    (problem,) = out.problems
    assert "'型煤' (briquettes) alone is not a retrofit type" in problem.message
    assert "write clean_coal (洁净型煤)" in problem.message and "did you mean" not in problem.message
    assert values.tolist()[1:] == ["clean_coal", "clean_coal"]


def test_lng_and_cng_are_gas_with_a_notice():
    values, out = _cells("vehicles", "fuel", ["LNG", "CNG", "lng"])
    assert not out.problems and values.tolist() == ["gas", "gas", "gas"]
    assert any("'LNG' were read as gas" in n for n in out.notes)


def test_done_and_not_done_as_a_register_writes_them():
    values, out = _cells("sites", "done", ["已完成", "未完成"])
    assert not out.problems and values.tolist() == ["yes", "no"]
