"""s10-hostA, F3: the composite index (综合指数) and the share of good days (优良天数比例) compare WHICH
months are short of GB 3095 § 8 valid days, not how many. PM2.5 out in December and O3 out in January
each had one short month, and both figures were published (good days 93.4 % for 90.7 %). Only a month
short for all of a station's pollutants alike (an outage of the station) leaves them computable.
Tiny synthetic seasons, in process."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from zzeval.airquality.airstats import season_statistics
from zzeval.synthetic.planted import make_season


@pytest.fixture(scope="module")
def six_season():
    """Two townships, one station each, all six pollutants, both whole seasons."""
    data, _ = make_season(2, seed=3, days=None)
    return data


def _cut(data, *outages):
    """``data`` without the hours of each ``(pollutant or None for all, start, end)`` at S01 (t01)."""
    aq = data.air_quality
    drop = pd.Series(False, index=aq.index)
    for pollutant, start, end in outages:
        c = (aq["station_code"] == "S01") & (aq["datetime"] >= start) & (aq["datetime"] < end)
        if pollutant is not None:
            c &= aq["pollutant"] == pollutant
        drop |= c
    return season_statistics(replace(data, air_quality=aq[~drop].reset_index(drop=True)))


def _row(s, slug="t01", season="current"):
    return s[(s["level"] == "township") & (s["unit_id"] == slug) & (s["season"] == season)].iloc[0]


PM_DEC = ("PM2.5", "2020-12-10 01:00", "2021-01-01 01:00")
O3_JAN = ("O3", "2021-01-01 01:00", "2021-02-01 01:00")


def test_pm25_and_o3_short_in_different_months_give_neither_figure(six_season):
    s = _cut(six_season, PM_DEC, O3_JAN)
    r = _row(s)
    assert r["months_insufficient_PM2.5"] == 1 == r["months_insufficient_O3_8h_max"]
    assert pd.isna(r["good_day_ratio"]) and pd.isna(r["comprehensive_index"])
    assert r["good_day_ratio_missing"] == "PM2.5, O3" == r["comprehensive_index_missing"]
    st = s[(s["level"] == "station") & (s["unit_id"] == "S01") & (s["season"] == "current")].iloc[0]
    assert st["good_day_ratio_missing"] == "PM2.5, O3" and pd.isna(st["comprehensive_index"])
    # the other township and the previous season are untouched
    assert np.isfinite(_row(s, "t02")["comprehensive_index"]) and _row(s, "t02")["good_day_ratio_missing"] == ""
    assert np.isfinite(_row(s, "t01", "previous")["good_day_ratio"])


def test_a_month_short_of_pm25_alone_gives_neither_figure(six_season):
    # the AQI of December's days without PM2.5 is of the other five: it could only be too low
    r = _row(_cut(six_season, PM_DEC))
    assert pd.isna(r["good_day_ratio"]) and pd.isna(r["comprehensive_index"])
    assert r["good_day_ratio_missing"] == "PM2.5" == r["comprehensive_index_missing"]


def test_a_month_short_for_every_pollutant_alike_leaves_both(six_season):
    # an outage of the station (as 李寨乡's December in data/sample): days without any value, which the share
    # and the means skip; flagged as every statistic is (statistics_valid), not hidden
    r = _row(_cut(six_season, (None, "2020-12-10 01:00", "2021-01-01 01:00")))
    assert r["months_insufficient"] == 6 and not r["statistics_valid"]
    assert np.isfinite(r["good_day_ratio"]) and np.isfinite(r["comprehensive_index"])
    assert r["good_day_ratio_missing"] == "" == r["comprehensive_index_missing"]


def _days(data, pollutants, days):
    """``(pollutant, start, end)`` outages of ``pollutants`` at S01 on each natural day of ``days``."""
    return [(p, d + pd.Timedelta(hours=1), d + pd.Timedelta(hours=25)) for p in pollutants for d in days]


def test_all_six_short_on_different_days_counts_only_complete_days(six_season):
    # s10-reA F3 (b): PM2.5 and PM10 out on January's 10 dirtiest days, the gases on its 12 cleanest: every
    # pollutant is short in January (the station-outage exemption), but the dirty days kept a gas-only AQI and
    # counted as good days. The share and the index are of days with all six: as if the station were out
    # on those 22 days.
    aq = six_season.air_quality
    pm = aq[(aq["station_code"] == "S01") & (aq["pollutant"] == "PM2.5")]
    day = (pm["datetime"] - pd.Timedelta(hours=1)).dt.normalize()
    jan = pm[(day >= "2021-01-01") & (day < "2021-02-01")]
    daily = jan.groupby((jan["datetime"] - pd.Timedelta(hours=1)).dt.normalize())["value"].mean().sort_values()
    dirty, clean = list(daily.index[-10:]), list(daily.index[:12])
    gases = ("SO2", "NO2", "CO", "O3")
    r = _row(_cut(six_season, *_days(six_season, ("PM2.5", "PM10"), dirty), *_days(six_season, gases, clean)))
    same = _row(_cut(six_season, *_days(six_season, (None,), dirty + clean)))
    assert r["months_insufficient"] == 6 and r["good_day_ratio_missing"] == ""
    assert r["good_day_ratio"] == same["good_day_ratio"] and r["good_days"] == same["good_days"]
    assert r["comprehensive_index"] == pytest.approx(same["comprehensive_index"], rel=1e-12)
    assert r["valid_days"] == same["valid_days"] + 22 and r["complete_days"] == same["complete_days"]


def _ranked_county(**validity):
    """Four townships: a and d with the best figures in every column, b and c valid; ``validity`` the
    per-statistic flags of a (``statistics_valid_<s>``; all True unless given) and d's O3 invalid."""
    from types import SimpleNamespace

    ind = pd.DataFrame({"township": ["a", "b", "c", "d"],
                        "comprehensive_index": [3.7, 4.1, 5.0, 3.9],
                        "comprehensive_index_change_pct": [-31.6, -10.0, -5.0, -20.0],
                        "pm25_mean_ugm3": [40.0, 50.0, 60.0, 45.0], "pm25_change_obs_pct": [-30.0, -20.0, -10.0, -25.0],
                        "pm25_change_adj_pct": [-28.0, -9.0, -4.0, -15.0],
                        "good_day_ratio_pct": [100.0, 98.0, 90.0, 99.0], "heavy_days": [0, 3, 5, 1],
                        "heating_completion_pct": [99.0, 80.0, 70.0, 90.0],
                        "dustfall_mean_t_km2_month": [4.0, 6.0, 7.0, 5.0]})
    flags = [f"statistics_valid_{s}" for s in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h_max")]
    for c in flags:
        ind[c] = True
    for key, value in validity.items():
        ind.loc[0, f"statistics_valid_{key}"] = value
    ind.loc[3, "statistics_valid_O3_8h_max"] = False
    ind["statistics_valid"] = ind[flags].all(axis=1)
    towns = pd.DataFrame({"slug": ["a", "b", "c", "d"], "name_zh": ["甲", "乙", "丙", "丁"]})
    return SimpleNamespace(indicators=ind, townships=towns)


def test_a_township_with_invalid_statistics_is_ranked_on_none_of_them():
    # s10-reA F3 (a): a two-station township with one station present 3 days a month (statistics_valid False)
    # had figures of its other station alone, and was ranked first in every column; s11: left out of the
    # index and good-days ranks, it still came first on PM2.5 and the PM2.5 change
    from zzeval.report.county_views import rankings_table
    from zzeval.report.views import rank_summary, ranking_frame

    ev = _ranked_county(**{s: False for s in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h_max")})
    table = rankings_table(ev, "en")
    assert table.iloc[0]["Township"] == "乙 b" and table.iloc[0]["Rank (index)"] == 1
    a = table.set_index("Township").loc["甲 a"]
    assert a["Composite index"] == 3.7 and a["PM2.5 (µg/m³)"] == 40.0  # shown
    ranks = ("Rank (index)", "Rank (improvement)", "Rank (PM2.5)", "Rank (PM2.5 improvement)", "Rank (good days)")
    assert all(pd.isna(a[r]) for r in ranks)  # ranked on none
    d = table.set_index("Township").loc["丁 d"]  # O3 invalid: not on the index or the share, on PM2.5 first
    assert pd.isna(d["Rank (index)"]) and pd.isna(d["Rank (good days)"]) and d["Rank (PM2.5)"] == 1
    caption = table.attrs["caption"]
    assert "甲 a, 丁 d (Data fail validity rules): an indicator whose pollutants' data fail" in caption
    html = present_table(table)
    assert html.count(">—<") == 8  # a's five ranks and d's three (index, its change, good days)
    # the township page: the same ranks, the same words
    mine = rank_summary(ev, "a", "en")
    assert (mine.set_index("indicator")["rank"].iloc[:7] == "—").all()
    assert list(mine["rank"].iloc[7:]) == ["1 / 4", "1 / 4"]  # heating and dustfall: not GB 3095 statistics
    assert mine.attrs["caption"] == caption[caption.index("甲 a"):].replace("甲 a, 丁 d", "甲 a")
    other = rank_summary(ev, "b", "en").set_index("indicator")["rank"]
    assert other.iloc[0] == "1 / 2" and other.iloc[2] == "2 / 3" and "caption" not in rank_summary(ev, "b", "en").attrs
    assert list(ranking_frame(ev, "pm25_change_adj_pct", "en")["slug"]) == ["b", "c", "d"]  # a not drawn


def test_a_township_short_of_one_pollutant_is_ranked_on_the_others():
    from zzeval.report.views import rank_summary

    ev = _ranked_county(**{"O3_8h_max": False})  # PM2.5 valid: its PM2.5 figures are ranked, as its verdict reads them
    ranks = rank_summary(ev, "a", "en").set_index("indicator")["rank"]
    assert list(ranks) == ["—", "—", "1 / 4", "1 / 4", "1 / 4", "—", "—", "1 / 4", "1 / 4"]


def present_table(table):
    from zzeval.report.present import table as html_table

    return html_table(table, lang="en", decimals=table.attrs["decimals"], caption=table.attrs["caption"]).data
