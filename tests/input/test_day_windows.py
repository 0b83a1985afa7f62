"""zzeval.season.day_windows: the windows of whole days from each midnight shared by the stuck-sensor checks
(stuck_weather, calm_hours, stuck_air_quality) and the PM pair's windows (aq_months); tiny inline data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season.day_windows import window_blocks, window_medians, window_sums


def test_window_sums_add_the_days_from_each_day_on():
    daily = np.arange(1.0, 8.0)  # 7 days: 1..7
    assert window_sums(daily, 3).tolist() == [6, 9, 12, 15, 18, 13, 7]  # past the last day: nothing
    by_station = np.vstack([daily, 10 * daily])
    assert window_sums(by_station, 3, axis=1).tolist() == [[6, 9, 12, 15, 18, 13, 7], [60, 90, 120, 150, 180, 130, 70]]
    hours = np.stack([daily, daily], axis=1)  # (day, hour of the day)
    assert window_sums(hours, 2)[:, 1].tolist() == [3, 5, 7, 9, 11, 13, 7]


def test_window_blocks_hold_the_days_of_each_window():
    daily = np.arange(4.0).reshape(4, 1)
    blocks = window_blocks(daily, 3)
    assert blocks.shape == (4, 3, 1)
    assert blocks[1, :, 0].tolist() == [1, 2, 3]
    assert np.isnan(blocks[3, 1:, 0]).all()
    assert window_blocks(daily, 3, fill=0.0)[2, :, 0].tolist() == [2, 3, 0]


def test_window_medians_judge_whole_windows_only():
    days = pd.date_range("2020-12-01", periods=6, freq="D")
    daily = pd.DataFrame({"a": [1.0, 5.0, np.nan, 3.0, 2.0, 8.0]}, index=days)
    medians = window_medians(daily, 3, 2)["a"]
    assert medians.iloc[:4].tolist() == [3.0, 4.0, 2.5, 3.0]  # the days given of each window
    assert medians.iloc[4:].isna().all()  # windows running past the last day
    assert np.isnan(window_medians(daily, 3, 3)["a"].iloc[0])  # fewer days given than asked
