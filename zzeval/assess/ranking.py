"""Which townships a ranking ranks: the values of an indicator that take part in its ranking.

One rule for every ranked column, on every page (the county rankings, the township's rank table and
ranking chart): a township is ranked on an air-quality indicator only when the GB 3095-2012 § 8
statistics the indicator is computed from (:func:`zzeval.assess.verdict.air_statistics`: PM2.5's for a
PM2.5 figure, all six for the composite index, the share of good days and the heavy days) are valid in
both seasons, as the verdict rules read them (:func:`zzeval.assess.verdict.invalid_statistics`). Its
value is still shown, its rank is "—", and the caption (``caption.rankings_invalid``) says why. A
two-station township with one station present 3 days a month has figures of its other station alone
(s10-reA F3: ranked first in every column, PM2.5 included)."""

from __future__ import annotations

import pandas as pd

from zzeval.assess.verdict import STATISTICS, air_statistics

#: Ranked indicators that are not GB 3095 air-quality statistics (no § 8 validity): every township with a
#: value is ranked on them. Any other ranked column is taken for an air-quality one.
NOT_AIR_QUALITY = ("heating_completion_pct", "dustfall_mean_t_km2_month")
#: The indicator columns the rule reads (a township report's slice keeps them of every township).
VALIDITY_COLUMNS = ("statistics_valid", *(f"statistics_valid_{s}" for s in STATISTICS))


def _by_township(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators.set_index("township") if "township" in indicators else indicators


def statistics_valid(indicators: pd.DataFrame, column: str) -> pd.Series:
    """Per township (index), whether the statistics ``column`` is computed from are valid (True for a
    column that is not an air-quality statistic, and where the indicators carry no validity)."""
    ind = _by_township(indicators)
    valid = pd.Series(True, index=ind.index)
    if column in NOT_AIR_QUALITY:
        return valid
    per_statistic = [f"statistics_valid_{s}" for s in air_statistics(column)]
    columns = per_statistic if all(c in ind for c in per_statistic) else \
        ["statistics_valid"] if "statistics_valid" in ind else []
    for c in columns:  # a missing flag is no evidence of invalid data (as invalid_statistics reads it)
        valid &= ind[c].astype("boolean").fillna(True).astype(bool)
    return valid


def ranked_values(indicators: pd.DataFrame, column: str) -> pd.Series:
    """The values of ``column`` (indexed by township) that its ranking ranks: NaN for a township whose
    statistics of ``column`` are not valid (:func:`statistics_valid`)."""
    ind = _by_township(indicators)
    return ind[column].where(statistics_valid(ind, column))


def left_out(indicators: pd.DataFrame, columns) -> list[str]:
    """The townships (in order) with a value of one of ``columns`` that its ranking leaves out."""
    ind = _by_township(indicators)
    out = pd.Series(False, index=ind.index)
    for column in columns:
        if column in ind:
            out |= ind[column].notna() & ~statistics_valid(ind, column)
    return [s for s in ind.index if out[s]]
