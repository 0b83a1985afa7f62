"""The county page of a province-size season (issue 14): above PROVINCE_TOWNSHIPS townships it
lists every township due an interview or a warning, the ends of the rankings and the worst rows
of the heat map, and links the full table (summary.csv); a county-size season is shown whole.

The province is planted: the tiny season's evaluation copied to 70 townships, with the verdicts,
the composite index and the heat-map rules that fire set by hand, so every expected row is known."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.assess.evaluate import evaluate_season
from zzeval.assess.ranking import VALIDITY_COLUMNS
from zzeval.assess.verdict import load_rules
from zzeval.report import county_views, heatmap, views
from zzeval.season.loading import load_season

N = 70
#: planted: every 7th township to an interview, the next two to a warning letter, the rest on track
PLANTED = ["interview" if i % 7 == 0 else "warning" if i % 7 in (1, 2) else "on_track" for i in range(N)]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    data = write_tiny_season(tmp_path_factory.mktemp("tiny") / "season", days=20)
    return evaluate_season(load_season(data), draws=200)


def _copies(frame: pd.DataFrame, key: str, slugs: list[str], base: list[str]) -> pd.DataFrame:
    rows = [frame[frame[key] == base[i % len(base)]].assign(**{key: slug}) for i, slug in enumerate(slugs)]
    return pd.concat(rows, ignore_index=True)


def _heatmap_rule(level: str):
    return next(r for r in load_rules(None).rules if r.level == level and r.indicator in heatmap.HEATMAP_INDICATORS)


@pytest.fixture(scope="module")
def province(county):
    base = [str(s) for s in county.slugs]
    slugs = [f"t{i:03d}" for i in range(N)]
    towns = _copies(county.townships, "slug", slugs, base)
    towns["name_zh"] = [f"乡镇{i:03d}" for i in range(N)]
    ind = _copies(county.indicators, "township", slugs, base)
    ind["comprehensive_index"] = np.arange(N, 0, -1) / 10.0  # t069 best (0.1), t000 worst (7.0)
    verdicts = {}
    for lang, table in county.verdicts.items():
        v = _copies(table, "township", slugs, base)
        v["verdict"] = PLANTED
        fired = {"interview": [_heatmap_rule("interview").id], "warning": [_heatmap_rule("warning").id]}
        v["rules_fired"] = [fired.get(x, []) for x in PLANTED]
        v.loc[3, "rules_fired"] = [_heatmap_rule("warning").id]  # on track, yet one warning cell
        verdicts[lang] = v
    dust = _copies(county.dustfall_monthly, "township", slugs, base)
    dust["dustfall_t_km2_month"] = 5.0
    dust.loc[dust["township"].isin(["t010", "t020"]), "dustfall_t_km2_month"] = 12.0  # above 9
    return replace(county, townships=towns, indicators=ind, verdicts=verdicts, dustfall_monthly=dust)


def test_a_county_size_season_is_shown_whole(county):
    assert not county_views.province_scale(county)
    assert county_views.province_note(county) == ""
    table = views.county_table(county, "zh")
    # every township, without the province caption (a note on the tiny season's few valid days may be there)
    assert len(table) == len(county.slugs) and county_views.SUMMARY_CSV not in table.attrs.get("caption", "")
    assert len(views.rankings_table(county, "zh")) == len(county.slugs)
    assert views.county_dustfall(county, "zh")[2] is None
    assert "summary.csv" not in views.county_verdicts(county, "zh").data


def test_the_province_page_lists_every_township_officials_act_on(province):
    assert county_views.province_scale(province)
    html = views.county_verdicts(province, "zh").data
    due = [f"乡镇{i:03d}" for i, v in enumerate(PLANTED) if v != "on_track"]
    assert len(due) == 30 and all(f"<strong>{name}</strong>" in html for name in due)
    assert "<strong>乡镇003</strong>" not in html  # on track
    assert 'href="summary.csv"' in html and "共 70 个乡镇：约谈 10 个，预警 20 个，正常 40 个" in html
    table = views.county_table(province, "zh")
    assert sorted(table["township"]) == sorted(f"t{i:03d}" for i, v in enumerate(PLANTED) if v != "on_track")
    assert list(table["verdict"][:10]) == ["interview"] * 10
    assert "30 个，共 70 个乡镇" in table.attrs["caption"] and "summary.csv" in table.attrs["caption"]


def test_the_province_rankings_show_their_ends(province):
    # valid statistics (the short test seasons are not): a township without is not ranked on the index (s10-reA F3)
    valid = province.indicators.assign(**dict.fromkeys(VALIDITY_COLUMNS, True))
    table = views.rankings_table(replace(province, indicators=valid), "en")
    names = list(table.iloc[:, 0])
    assert len(names) == 20
    assert names[:3] == ["乡镇069 t069", "乡镇068 t068", "乡镇067 t067"]  # lowest composite index = rank 1
    assert names[-1] == "乡镇000 t000"
    ranks = list(table.iloc[:, 2])
    assert ranks[:10] == list(range(1, 11)) and ranks[10:] == list(range(61, 71))
    assert "first and last 10" in table.attrs["caption"] and table.attrs["caption"].startswith("Rank 1 = best")


def test_the_province_heat_map_shows_the_worst_rows(province):
    worst = heatmap.worst_townships(province, county_views.PROVINCE_HEATMAP_ROWS)
    interviews = [f"t{i:03d}" for i, v in enumerate(PLANTED) if v == "interview"]
    assert len(worst) == 40 and worst[:10] == interviews  # interview cells first
    assert "t003" in worst[:31]  # its one warning cell puts it among the warnings, before the clean rows
    frame = heatmap.county_task_heatmap(province, "zh", slugs=worst)
    assert frame["township"].nunique() == 40
    html = heatmap.county_heatmap_figure(province, "zh").data
    assert "只列问题最多的 40 个" in html and "summary.csv" in html


def test_the_province_dustfall_lists_the_townships_above_the_limit(province):
    table, tints, caption = views.county_dustfall(province, "zh")
    assert list(table.iloc[:, 0]) == ["乡镇010", "乡镇020"] and tints == ["warning", "warning"]
    assert "共 70 个乡镇" in caption and "2 个乡镇" in caption
