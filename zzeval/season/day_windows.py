"""Windows of whole days, one starting at each midnight (the stuck-sensor and swapped-rows checks' windows).

:mod:`zzeval.season.stuck_weather`, :mod:`zzeval.season.calm_hours`, :mod:`zzeval.season.stuck_air_quality` and
:mod:`zzeval.season.aq_months` judge a series over every window of ``meteorology.stuck_window_days`` or
``air_quality.window_days`` (30) days from a midnight, one starting each day of the table (day 0 its first
day). Here is that window, for values laid out by day along the first axis (a day's values, or its 24 hours,
along the others): the days ``d`` .. ``d + days − 1`` of each start ``d``.

What the checks do past the table's last day differs and stays theirs: the weather checks and the PM pair
judge a window running past the last day on the days it has (:func:`window_sums`, :func:`window_blocks`, the
days after the last holding nothing), the stuck analysers only whole windows (:func:`window_medians`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def window_sums(daily: np.ndarray, days: int, axis: int = 0) -> np.ndarray:
    """Per day ``d`` along ``axis`` of ``daily``: the sum of its days ``d`` .. ``d + days − 1`` (the days after
    the last count nothing). Cumulative sums: exact for counts."""
    n = daily.shape[axis]
    shape = list(daily.shape)
    shape[axis] = 1
    total = np.concatenate([np.zeros(shape), np.cumsum(daily, axis=axis)], axis=axis)
    starts = np.arange(n)
    return np.take(total, np.minimum(starts + days, n), axis=axis) - np.take(total, starts, axis=axis)


def window_blocks(daily: np.ndarray, days: int, fill: float = np.nan) -> np.ndarray:
    """Per day ``d`` (the first axis of ``daily``): its days ``d`` .. ``d + days − 1`` (the result's second
    axis), ``fill`` after the last day."""
    padded = np.concatenate([daily, np.full((days - 1, *daily.shape[1:]), fill, dtype=daily.dtype)])
    return padded[np.arange(len(daily))[:, None] + np.arange(days)[None, :]]


def window_medians(daily: pd.DataFrame, days: int, least: int) -> pd.DataFrame:
    """Per day ``d`` (the index of ``daily``, one row a day) and column: the median of the column's values of
    the days ``d`` .. ``d + days − 1`` with at least ``least`` of them given; NaN where the window runs past the
    last day (whole windows only)."""
    return daily.rolling(days, min_periods=least).median().shift(-(days - 1))
