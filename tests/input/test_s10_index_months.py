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
