"""zzeval.season.pm_series: the PM series and recorded days shared by the three air-quality copy checks
(aq_copy, aq_copy_near, aq_copy_scaled); tiny inline data."""

from __future__ import annotations

import pandas as pd

from zzeval.season.checks import Collector
from zzeval.season.pm_series import HOUR_COLUMNS, recorded_days, series_of


def test_series_are_numbered_by_station_pollutant_and_season():
    days = pd.DataFrame({"station": ["ZZ101", "ZZ100", "ZZ101", "ZZ100"], "pollutant": ["PM2.5", "PM10", "PM2.5", "PM10"],
                         "day": pd.to_datetime(["2020-12-02", "2019-12-01", "2019-07-01", "2020-01-01"])})
    series, names, start = series_of(days)
    assert series.tolist() == [2, 0, 1, 0]  # ZZ100 PM10 2019, ZZ101 PM2.5 2019, ZZ101 PM2.5 2020
    assert names.to_dict("list") == {"station": ["ZZ100", "ZZ101", "ZZ101"], "pollutant": ["PM10", "PM2.5", "PM2.5"],
                                     "year": [2019, 2019, 2020]}
    assert start[2] == 0 and start[3] - start[1] == 31 * 24  # hours from 1 July: 1 December to 1 January


def test_recorded_days_are_those_with_their_hours():
    out = Collector()
    assert recorded_days(out) is None
    with_hours = pd.DataFrame({"station": ["ZZ100"], "day": pd.to_datetime(["2020-12-01"]),
                               **{c: [1.0] for c in HOUR_COLUMNS}})
    out.pm_days += [with_hours, pd.DataFrame({"station": ["ZZ101"], "sig": [1]})]
    assert recorded_days(out)["station"].tolist() == ["ZZ100"]
