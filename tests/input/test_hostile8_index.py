"""The eighth hostile review of issue 13 (data angle, notes: hostile8A.md), finding 23: the composite
index (环境空气质量综合指数) of a township whose station measures PM2.5 and PM10 only was the sum of 2 of
its 6 sub-indices (2.61 for 4.95) and ranked first. Inputs are made by script from the `zzeval sample`
season, as in tests/input/cases.py."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from tests.input.cases import Case, edit, make_case
from zzeval.cli import main
from zzeval.i18n import t

GASES = ("SO2", "NO2", "CO", "O3", "O3_8h")


def _micro_station(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101 (the second township's station) reports PM2.5 and PM10 only (a micro-station, 微型站)."""
    return frame[~((frame["station_code"] == "ZZ101") & frame["pollutant"].isin(GASES))]


MICRO = Case("micro_station_pm_only", edit("air_quality.csv.gz", _micro_station), ())


def test_the_index_without_a_pollutant_is_not_computable():
    """Hand-worked: PM2.5 35 and PM10 70 µg/m³ are 1 + 1 = 2 of the sum; without the four gases the index
    is NaN, not 2; with them (SO2 6/60, NO2 20/40, CO 95th pct 2/4, O3 90th pct 80/160) it is 3.6."""
    from zzeval.airquality.airstats import comprehensive_index

    days = pd.DataFrame({"PM2.5": [35.0] * 20, "PM10": [70.0] * 20})
    value, sub = comprehensive_index(days)
    assert np.isnan(value) and sub["PM2.5"] == 1.0 and sub["PM10"] == 1.0 and np.isnan(sub["SO2"])
    full = days.assign(SO2=6.0, NO2=20.0, CO=2.0, O3_8h_max=80.0)
    assert comprehensive_index(full)[0] == 3.6


def test_a_pm_only_township_has_no_index_and_validate_says_so(sample_season, tmp_path, capsys):
    from zzeval.airquality.airstats import season_statistics
    from zzeval.assess.evaluate import headline_air_indicators
    from zzeval.season.loading import load_season

    folder = make_case(sample_season, MICRO, tmp_path / "case")
    assert main(["validate", str(folder)]) == 0
    notices = capsys.readouterr().out
    assert "has no SO2, NO2, CO, O3 values in the current season 2020-2021; its composite index (综合指数, the sum " \
           "over the six pollutants) is shown as not computable (不可计算) and left out of the index ranking" in notices
    season = load_season(folder)
    slug = season.stations.set_index("station_code")["township"]["ZZ101"]
    ind = headline_air_indicators(season_statistics(season)).set_index("township")
    assert np.isnan(ind.loc[slug, "comprehensive_index"]) and np.isnan(ind.loc[slug, "comprehensive_index_prev"])
    assert ind.loc[slug, "comprehensive_index_missing"] == "SO2, NO2, CO, O3"
    others = ind.drop(index=slug)
    assert others["comprehensive_index"].notna().all() and (others["comprehensive_index_missing"] == "").all()


def test_the_reason_is_said_in_the_same_words_on_every_page_and_the_rank_is_empty():
    from zzeval.report.county_views import (
        composite_index_note,
        composite_index_notes,
        rankings_table,
    )
    from zzeval.report.views import rank_summary

    ind = pd.DataFrame({"township": ["a", "b"], "comprehensive_index": [np.nan, 5.0],
                        "comprehensive_index_prev": [np.nan, 6.0], "comprehensive_index_change_pct": [np.nan, -16.7],
                        "comprehensive_index_missing": ["SO2, NO2, CO, O3", ""],
                        "comprehensive_index_missing_prev": ["SO2, NO2, CO, O3", ""],
                        "pm25_mean_ugm3": [40.0, 50.0], "pm25_change_obs_pct": [-10.0, -5.0],
                        "good_day_ratio_pct": [90.0, 80.0]})
    ev = SimpleNamespace(indicators=ind, townships=pd.DataFrame({"slug": ["a", "b"], "name_zh": ["甲镇", "乙镇"]}))
    reason = t("ci.not_computable", "zh", missing="SO2、NO2、CO、O3")
    assert reason == ("综合指数不可计算：综合指数为 SO2、NO2、PM10、PM2.5、CO、O3 六项分指数之和，本乡镇站点 "
                      "SO2、NO2、CO、O3 的有效监测数据不足（全季没有，或有月份的有效日数不足 GB 3095-2012 第 8 章的要求："
                      "每月 ≥ 27 天，2 月 ≥ 25 天），缺项不以 0 计，也不以其余月份代替，不参加综合指数排名")
    assert composite_index_note(ind.iloc[0]) == reason and composite_index_note(ind.iloc[1]) is None
    assert composite_index_notes(ev) == "甲镇：" + reason
    table = rankings_table(ev)
    assert reason in table.attrs["caption"]
    assert table.set_index(t("rankings.name", "zh")).loc["甲镇", t("rankings.comprehensive_index_rank", "zh")] is pd.NA
    ranks = rank_summary(ev, "a").set_index("indicator")["rank"]
    assert ranks[t("rank.ci_level", "zh")] == "—" and ranks[t("rank.pm25_level", "zh")] == "1 / 2"
