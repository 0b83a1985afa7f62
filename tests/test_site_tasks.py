"""The plan tasks of §§ 九, 十, 十一, 十二, 十四, 十五 (zzeval.assess.sites): counted from hand-made
inline tables, judged by the shipped rules, 不涉及 where a township has no such site, and the
optional tables validated with file, row and column."""

from __future__ import annotations

import math

import pytest

from tests.tiny_season import judge_tasks, write_tiny_season
from zzeval.assess.progress import (
    county_task_progress,
    effective_targets,
    task_progress,
    task_status,
    township_indicators,
)
from zzeval.assess.verdict import apply_rules, load_rules
from zzeval.errors import DataValidationError
from zzeval.i18n import t
from zzeval.season.loading import load_season

# bagong (urban): 12 open-pit mines, 11 rectified; 4 kiln firms, 3 done; 2 VOCs firms, both done;
# one steel plant assessed. liushukou (mountain): 3 gangue hills, one not inventoried, one burning.
SITES = "township,site_id,name,kind,done,done_date,self_ignition\n" + "".join(
    f"bagong,KS-{i:02d},矿{i},露天矿山,{'是,2020-12-01' if i < 12 else '否,'},\n" for i in range(1, 13)) + """\
bagong,LY-01,炉窑甲,kiln_firm,yes,2020-12-20,
bagong,LY-02,炉窑乙,kiln_firm,yes,2020-12-20,
bagong,LY-03,炉窑丙,kiln_firm,yes,2020-12-20,
bagong,LY-04,炉窑丁,kiln_firm,no,,
bagong,VO-01,涂装甲,vocs_firm,yes,,
bagong,VO-02,印刷乙,vocs_firm,yes,,
bagong,GT-01,晋城福盛钢铁,steel_plant,yes,2020-12-31,
liushukou,GS-01,矸石山甲,gangue_hill,yes,,no
liushukou,GS-02,矸石山乙,煤矸石山,否,,否
liushukou,GS-03,矸石山丙,gangue_hill,yes,,是
"""

# bagong: Fusheng (steel, siding 2020-11-30, due 2020-11-30) 850,000 t by rail of 1,000,000; the
# power plant 2,000,000 rail + 500,000 road of which 300,000 clean; a steel firm without siding
# (due 2020-11-30: overdue); liushukou: a coal firm without a siding.
FREIGHT = """enterprise,township,cargo,road_t_before,rail_t_before,road_t_after,rail_t_after,haul_km,rail_traction,siding_date,firm_class,siding_due_date,clean_road_t_after
晋城福盛钢铁,bagong,coke,800000,200000,150000,850000,60,electric,2020-11-30,钢铁,2020-11-30,
热电厂,bagong,coal,1500000,1000000,500000,2000000,35,electric,2020-10-01,电厂,,300000
某钢铁,bagong,other_bulk,300000,0,300000,0,20,electric,,steel,2020-11-30,
泽州某煤业公司（合成）,liushukou,coal,500000,0,300000,200000,45,electric,,coal_mine,,
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = write_tiny_season(tmp_path_factory.mktemp("sites"), days=2)
    (out / "sites.csv").write_text(SITES, encoding="utf-8")
    (out / "freight.csv").write_text(FREIGHT, encoding="utf-8")
    (out / "county_tasks.csv").write_text("任务,数量,统计日期\nblack_smoke_cameras_new,4,2020-12-31\n",
                                          encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def judged(folder):
    return judge_tasks(folder)


def test_site_shares_counted(judged):
    _, ind, _, _ = judged
    bg, ls = ind.loc["bagong"], ind.loc["liushukou"]
    assert bg["open_pit_mines_rectified_pct"] == pytest.approx(100 * 11 / 12)  # 91.7 %
    assert bg["kiln_fugitive_done_pct"] == pytest.approx(75.0)
    assert bg["vocs_bypass_inventoried_pct"] == pytest.approx(100.0)
    assert bg["steel_ule_assessed_pct"] == pytest.approx(100.0)
    assert ls["gangue_hills_issues"] == 2  # one not in the register, one self-ignited
    assert (ls["n_open_pit_mine"], ls["n_kiln_firm"], ls["n_vocs_firm"]) == (0, 0, 0)
    assert math.isnan(ls["open_pit_mines_rectified_pct"]) and math.isnan(bg["gangue_hills_issues"])


def test_freight_tasks_counted(judged):
    _, ind, _, _ = judged
    bg, ls = ind.loc["bagong"], ind.loc["liushukou"]
    # firms with a siding in service: Fusheng and the power plant: (850,000 + 2,000,000) / 3,500,000
    assert bg["siding_firms_rail_pct"] == pytest.approx(100 * 2_850_000 / 3_500_000)  # 81.4 %
    assert bg["power_clean_transport_pct"] == pytest.approx(100 * 2_300_000 / 2_500_000)  # 92.0 %
    assert (bg["sidings_overdue"], bg["n_sidings_due"]) == (1, 2)
    assert ls["n_siding_firms"] == 0 and math.isnan(ls["siding_firms_rail_pct"])


def test_rules_fire_with_the_plan_thresholds(judged):
    _, _, verdict, rows = judged
    fired = verdict.loc["bagong", "rules_fired"]
    for rule in ("open_pit_mines", "kiln_fugitive", "siding_firms_rail", "power_clean_transport", "sidings_overdue"):
        assert rule in fired
    assert "vocs_bypass" not in fired and "steel_ule" not in fired
    reasons = dict(zip(verdict.loc["bagong", "rules_fired"], verdict.loc["bagong", "reasons"], strict=True))
    assert reasons["open_pit_mines"] == "露天矿山综合整治完成 91.7\u00a0%，未达 100.0\u00a0%"
    # urban township: the plan's 90 %, not the 80 % elsewhere
    assert "81.4\u00a0%" in reasons["siding_firms_rail"] and "90.0\u00a0%" in reasons["siding_firms_rail"]
    assert rows.loc[("bagong", "siding_firms_rail_pct"), "target"] == 90
    assert rows.loc[("liushukou", "siding_firms_rail_pct"), "target"] == 80
    assert "gangue_hills" in verdict.loc["liushukou", "rules_fired"]
    assert verdict.loc["liushukou", "reasons"][verdict.loc["liushukou", "rules_fired"].index("gangue_hills")] \
        == "煤矸石山未建台账或发生自燃冒烟 2\u00a0处"
    for task in ("open_pit_mines_rectified_pct", "kiln_fugitive_done_pct", "power_clean_transport_pct"):
        assert rows.loc[("bagong", task), "status"] == "reason"
    assert rows.loc[("bagong", "vocs_bypass_inventoried_pct"), "status"] == "met"


def test_not_applicable_rows(judged):
    _, _, _, rows = judged
    # liushukou has no mines, kiln or VOCs firms, and no firm with a siding: 不涉及, not 无数据
    for task in ("open_pit_mines_rectified_pct", "kiln_fugitive_done_pct", "vocs_bypass_inventoried_pct",
                 "siding_firms_rail_pct"):
        assert rows.loc[("liushukou", task), "status"] == "not_applicable"
    assert rows.loc[("bagong", "gangue_hills_issues"), "status"] == "not_applicable"
    # the tasks of named firms show only where the firm is
    for task in ("steel_ule_assessed_pct", "power_clean_transport_pct", "sidings_overdue"):
        assert ("liushukou", task) not in rows.index and ("bagong", task) in rows.index
    assert t("status.not_applicable", "zh") == "不涉及" and t("status.not_applicable", "en") == "not applicable"


def test_county_tasks(judged):
    season, *_ = judged
    county = county_task_progress(season).set_index("task")
    assert county.loc["black_smoke_cameras_new", "value"] == 4 and not county.loc["black_smoke_cameras_new", "met"]
    # steel and power firms: Fusheng and the power plant have a siding, 某钢铁 none: 2 of 3
    assert county.loc["steel_power_siding_access_pct", "value"] == pytest.approx(100 * 2 / 3)
    assert not county.loc["steel_power_siding_access_pct", "met"]


def test_without_the_optional_tables(tmp_path):
    season = load_season(write_tiny_season(tmp_path / "plain", days=2))
    ind = township_indicators(season)
    tasks = set(task_progress(season, ind)["task"])
    assert not tasks & {"open_pit_mines_rectified_pct", "gangue_hills_issues", "kiln_fugitive_done_pct",
                        "vocs_bypass_inventoried_pct", "steel_ule_assessed_pct", "power_clean_transport_pct",
                        "sidings_overdue"}
    assert county_task_progress(season).empty
    # a register with a header only: the county has no such sites, every township 不涉及
    (tmp_path / "plain" / "sites.csv").write_text("township,site_id,name,kind,done\n", encoding="utf-8")
    season = load_season(tmp_path / "plain")
    ind = township_indicators(season)
    verdict = apply_rules(ind, effective_targets(season), load_rules(None), "zh")
    rows = task_status(task_progress(season, ind), verdict)
    mines = rows[rows["task"] == "open_pit_mines_rectified_pct"]
    assert list(mines["status"]) == ["not_applicable", "not_applicable"]


def test_bad_rows_named(folder, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    (bad / "sites.csv").write_text(
        "township,site_id,name,kind,done,done_date,self_ignition\n"
        "bagong,KS-01,矿1,open_pit_mine,yes,,是\n"       # row 2: self-ignition on a mine
        "bagong,KS-01,矿2,open_pit_mine,yes,,\n"          # row 3: duplicate site_id
        "bagongg,KS-03,矿3,露天煤矿,maybe,,\n",            # row 4: township, kind, done
        encoding="utf-8")
    text = FREIGHT.replace("500000,2000000,35,electric,2020-10-01,电厂,,300000",
                           "500000,2000000,35,electric,2020-10-01,电厂,,600000")
    text += "热电厂,bagong,coke,1000,0,1000,0,35,electric,2020-10-01,other,,\n"
    (bad / "freight.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_season(bad)
    found = {(p.file, p.row, p.column) for p in info.value.problems}
    assert {("sites.csv", 2, "self_ignition"), ("sites.csv", 3, "site_id"), ("sites.csv", 4, "township"),
            ("sites.csv", 4, "kind"), ("sites.csv", 4, "done"), ("freight.csv", 3, "clean_road_t_after"),
            ("freight.csv", 6, "firm_class")} <= found
    messages = "\n".join(str(p) for p in info.value.problems)
    assert "did you mean 'bagong'" in messages
    assert "open_pit_mine, gangue_hill, kiln_firm, vocs_firm, steel_plant" in messages


def test_county_tasks_table_words(judged):
    from types import SimpleNamespace

    from zzeval.report.county_views import county_tasks_table

    season, *_ = judged
    table, labels, tints = county_tasks_table(SimpleNamespace(county_tasks=county_task_progress(season)), "zh")
    cameras = table.set_index("task").loc["新增黑烟车抓拍设备（县级）"]
    assert (cameras["target"], cameras["value"], cameras["status"]) == ("≥ 5\u00a0套", "4\u00a0套", "未完成")
    assert cameras["deadline"] == "2020年底前" and "方案未指定牵头单位" in cameras["responsible"]
    assert tints == ["warning", "warning"] and labels["responsible"] == "责任单位"


def test_sample_sites_deterministic_and_seeded():
    import pandas as pd

    from zzeval.synthetic.sample_sites import county_tasks_table, sites_table
    from zzeval.synthetic.sample_tables import TOWNSHIPS_2020

    tw = pd.DataFrame({"slug": [r[2] for r in TOWNSHIPS_2020], "name_zh": [r[1] for r in TOWNSHIPS_2020]})
    a, b = sites_table(tw, 2020), sites_table(tw, 2020)
    assert a.equals(b) and len(a) == 12 + 7 + 10 + 5 + 3
    mines = a[a["kind"] == "open_pit_mine"]
    assert len(mines) == 12 and list(mines.loc[mines["done"] == "no", "township"]) == ["jinmiaopu"]
    assert list(a.loc[a["self_ignition"] == "yes", "township"]) == ["zhoucun"]
    assert county_tasks_table(2020)["value"].tolist() == [4]
    assert sites_table(tw, 7).equals(sites_table(tw, 7))
