"""Review s12-reC of the s12-C fixes: slugs exchanged (F0), subtotal rows written
another way (F1), township names exchanged and written short, traditional or as the government's (F2), a
firm's name ending in Total (R1), and two firms of one brand in two townships (R2). Tiny inline tables or the
shipped sample's tables, each checked by the one check it concerns; each failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zzeval.season.checks import Collector
from zzeval.season.keys import check_keys
from zzeval.season.loading import _without_totals
from zzeval.season.schema import TABLES
from zzeval.season.township_names import check_township_names, name_key

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _sample(table: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / f"{table}.csv", dtype={"township": str, "code": str, "slug": str})


# ------------------------------------------------------------------------------- F0: two rows' slugs exchanged
def test_swapped_slugs_are_refused():
    tw = _sample("townships")
    tw.loc[[0, 1], "slug"] = tw.loc[[1, 0], "slug"].to_numpy()
    out = Collector()
    check_township_names(tw, "townships.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(2, "slug"), (3, "slug")], out.problems
    said = str(out.problems[0])
    assert "code 140525100 is nancun in the statistical division codes" in said
    assert "this row's slug is xiacun, the slug of code 140525101" in said
    assert "township_slug" in said  # how to confirm


def test_other_counties_and_synthetic_slugs_are_not_checked():
    tw = pd.DataFrame({"code": ["140581100", "140525100", "149000001"], "name_zh": ["甲镇", "乙镇", "丙镇"],
                       "slug": ["xiacun", "hecheng1", "nancun"]})
    out = Collector()
    check_township_names(tw, "townships.csv", out)
    assert out.problems == []


# --------------------------------------------------------------- F2: names swapped and written another way
@pytest.mark.parametrize("names", [("下村", "南村"), ("下村鎮", "南村鎮"), ("下村镇人民政府", "南村镇人民政府")])
def test_swapped_names_written_short_traditional_or_as_the_government_are_refused(names):
    tw = _sample("townships")
    tw.loc[[0, 1], "name_zh"] = list(names)
    out = Collector()
    check_township_names(tw, "townships.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(2, "name_zh"), (3, "name_zh")], out.problems
    assert f"this row's name is {names[0]}, the name of code 140525101" in str(out.problems[0])


def test_own_names_written_another_way_pass():
    tw = _sample("townships")
    tw["name_zh"] = [name_key(n) for n in tw["name_zh"]]
    tw.loc[2, "name_zh"] = "大東溝鎮人民政府"
    out = Collector()
    check_township_names(tw, "townships.csv", out)
    assert out.problems == [] and out.notes == []
    assert name_key("川底乡") == name_key("川底镇") == "川底"


# ------------------------------------------------------------------ F1 / R1: totals rows written another way
@pytest.mark.parametrize("label", ["下村镇煤炭企业小计（2020年）", "小计：下村镇煤炭企业", "煤炭企业（小计）",
                                   "下村镇煤炭企业合計", "下村镇煤企合计数", "總計", "Total:", "grand total",
                                   "Subtotal (coal)"])
def test_totals_words_anywhere_as_a_word_are_totals_rows(label):
    raw = pd.DataFrame({"enterprise": ["泽州某煤业公司A", label], "road_t_before": ["100", "200"]})
    out = Collector()
    kept = _without_totals(raw, "freight.csv", out)
    assert len(kept) == 1 and [p.row for p in out.problems] == [3], label


def test_a_firm_named_total_is_kept():
    raw = pd.DataFrame({"enterprise": ["PetroChina - Total", "Total Coal Ltd", "合计划公司", "泽州某计量公司"],
                        "x": ["1", "2", "3", "4"]})
    out = Collector()
    assert len(_without_totals(raw, "freight.csv", out)) == 4 and not out.problems


# --------------------------------------------------------- R2: one brand, two legal forms, two townships
def test_two_legal_forms_in_two_townships_are_two_firms():
    frame = _sample("freight")
    a, b = frame.index[frame["township"] != frame["township"][0]][0], frame.index[0]
    frame.loc[b, "enterprise"] = "泽州县金达煤业有限公司"
    frame.loc[a, "enterprise"] = "泽州县金达煤业股份有限公司"
    frame.loc[a, "cargo"] = frame.loc[b, "cargo"]
    out = Collector()
    check_keys(frame, TABLES["freight"], "freight.csv", out)
    assert out.problems == []


def test_two_legal_forms_in_one_township_and_one_name_in_two_are_still_one_firm():
    frame = _sample("freight")
    again = frame.iloc[[0]].assign(enterprise=frame["enterprise"][0].replace("公司", "有限公司"))
    other = frame["township"][frame["township"] != frame["township"][0]].iloc[0]
    moved = frame.iloc[[0]].assign(township=other)
    out = Collector()
    check_keys(pd.concat([frame, again, moved], ignore_index=True), TABLES["freight"], "freight.csv", out)
    assert [p.row for p in out.problems] == [len(frame) + 2, len(frame) + 3]
    assert "one firm written two ways" in out.problems[0].message


# ------------------------------------------- F3: a heating batch pasted again and retouched (heating_near_copy)
def _retrofits() -> pd.DataFrame:
    rt = _sample("heating_retrofits")
    rt["completion_date"] = pd.to_datetime(rt["completion_date"])
    return rt


@pytest.mark.parametrize("retouch", [{"subsidy_yuan": 0.0}, {"households_done": -1}])
def test_a_batch_pasted_again_with_subsidy_zero_or_one_household_fewer_is_refused(retouch):
    from zzeval.season.heating_near_copy import check_near_copies

    rt = _retrofits()
    copy = rt.iloc[[0]].copy()
    copy["completion_date"] += pd.Timedelta(days=40)
    for column, change in retouch.items():
        copy[column] = change if column == "subsidy_yuan" else copy[column] + change
    rt = pd.concat([rt, copy], ignore_index=True)
    out = Collector()
    check_near_copies(rt, "heating_retrofits.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(len(rt) + 1, "completion_date")], out.problems
    said = str(out.problems[0])
    assert "the same households planned (132) as row 2 (township nancun, coal_to_electricity)" in said
    assert "dated 40 days later" in said and "heating_repeated_batch" in said


def test_genuine_batches_and_exact_repeats_are_not_near_copies():
    """The sample's 80 batches pass; an exact repeat is the repeated-batch check's, not said twice."""
    from zzeval.season.heating_near_copy import check_near_copies

    rt = _retrofits()
    out = Collector()
    check_near_copies(rt, "heating_retrofits.csv", out)
    assert out.problems == []
    again = rt.iloc[[0]].assign(completion_date=rt["completion_date"][0] + pd.Timedelta(days=40))
    check_near_copies(pd.concat([rt, again], ignore_index=True), "heating_retrofits.csv", out)
    assert out.problems == []
    other = rt.iloc[[0]].assign(completion_date=rt["completion_date"][0] + pd.Timedelta(days=40),
                                households_done=rt["households_done"][0] - 5, subsidy_yuan=0.0)
    check_near_copies(pd.concat([rt, other], ignore_index=True), "heating_retrofits.csv", out)
    assert out.problems == []  # five households apart: another batch of the same plan
