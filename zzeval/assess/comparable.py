"""A township's changes between the seasons only where they compare like with like (同口径).

:func:`zzeval.airquality.airstats.season_statistics` computes a township's rows on its stations with
data in both seasons (:mod:`zzeval.season.station_sets`). A township without such a station keeps each
season's own stations, so its two seasons are different sites: every change between the seasons
(measured, weather-adjusted, the composite index's, the good-day ratio's, the heavy days') is then left
empty, and ``stations_comparable`` False makes the verdict's air-quality change rules undecided with the
reason (:func:`zzeval.assess.verdict.judge`) instead of judging a number that compares other sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: the indicators that compare the two seasons (left empty without a station common to both)
CHANGE_SUFFIXES = ("_change_obs_pct", "_change_adj_pct", "_change_adj_low_pct", "_change_adj_high_pct",
                   "_weather_effect_pct", "_change", "_change_pct", "_change_pp")


def like_with_like(indicators: pd.DataFrame, stats: pd.DataFrame) -> pd.DataFrame:
    """``indicators`` (indexed by township) with ``stations_comparable`` (from the township rows of
    ``stats``) and every change between the seasons NaN where it is False."""
    rows = stats[(stats["level"] == "township") & (stats["season"] == "current")]
    if "stations_comparable" not in rows:
        return indicators
    flag = rows.set_index("township")["stations_comparable"].reindex(indicators.index)
    out = indicators.copy()
    out["stations_comparable"] = flag.fillna(True).astype(bool)
    changes = [c for c in out.columns if c.endswith(CHANGE_SUFFIXES) and pd.api.types.is_numeric_dtype(out[c])]
    out.loc[~out["stations_comparable"], changes] = np.nan
    return out
