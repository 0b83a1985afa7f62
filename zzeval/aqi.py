"""Air Quality Index per HJ 633-2012 (环境空气质量指数（AQI）技术规定（试行）).

Reference tables live in ``zzeval/reference/``: ``aqi_levels.csv`` (HJ 633 Table 2:
AQI levels, categories and colours).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

_REFERENCE = "zzeval.reference"


@cache
def _aqi_levels() -> pd.DataFrame:
    with resources.files(_REFERENCE).joinpath("aqi_levels.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def aqi_levels() -> pd.DataFrame:
    """AQI levels of HJ 633-2012 Table 2.

    Returns
    -------
    pandas.DataFrame
        One row per level (1-6) with columns ``level`` (int), ``aqi_low``, ``aqi_high``
        (AQI, dimensionless, inclusive bounds; level 6 is "> 300", stored as 301-500),
        ``category_zh`` (优/良/轻度污染/中度污染/重度污染/严重污染), ``category_en``,
        ``colour_hex`` (official RGB 0,228,0 / 255,255,0 / 255,126,0 / 255,0,0 /
        153,0,76 / 126,0,35) and ``colour_name_zh``.
    """
    return _aqi_levels().copy()
