"""Which townships a ranking ranks: the values of an indicator that take part in its ranking."""

from __future__ import annotations

import pandas as pd

#: Indicators of all six pollutants: a township whose statistics fail GB 3095 § 8 (``statistics_valid``
#: False) is not ranked on them (its figures show with the validity flag). A two-station township with one
#: station out has an index and a share of the other station alone (s10-reA F3: ranked first in every column).
VALID_ONLY_RANKINGS = ("comprehensive_index", "comprehensive_index_change_pct", "good_day_ratio_pct")


def ranked_values(indicators: pd.DataFrame, column: str) -> pd.Series:
    """The values of ``column`` (indexed by township) that a ranking ranks: NaN for a township whose
    statistics are not valid when the column is one of :data:`VALID_ONLY_RANKINGS`."""
    ind = indicators.set_index("township") if "township" in indicators else indicators
    values = ind[column]
    if column in VALID_ONLY_RANKINGS and "statistics_valid" in ind:
        values = values.where(ind["statistics_valid"].fillna(True).astype(bool))
    return values
