"""Days of relative humidity written as a fraction (0.55 for 55 %) (hostile review s12-hostA, W06).

A whole season of fractions is refused in :mod:`zzeval.season.plausible` (every value at most
``meteorology.rh_pct_fraction``). A month of them inside a season in percent was refused by the stuck-sensor check
instead (its spread is 1/100 of the other days'), with the advice to confirm the figures if genuine: confirmed, the
fractions would be read as percent. Each run of whole days (a station's or the county rows' calendar days) whose
every rh_pct is at most ``meteorology.rh_pct_fraction`` is therefore refused as fractions, plainly (genuine air is
never that dry all day: the lowest daily maximum of the samples and the winter generator is far above it), and its
rows are left out of the stuck-sensor check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.keys import county_code
from zzeval.season.parsing import show


def check_rh_fraction_days(met: pd.DataFrame, fname: str, out: Collector, skip: pd.Series) -> pd.Series:
    """Refuse each run of days of a source whose every ``rh_pct`` is at most ``meteorology.rh_pct_fraction``, on
    the run's first row, naming the days and what to write; ``skip``: rows of a season refused as a whole already.
    Returns the rows of such days (True), to be left out of the stuck-sensor check."""
    flagged = pd.Series(False, index=met.index)
    if "rh_pct" not in met or met.empty:
        return flagged
    values = pd.to_numeric(met["rh_pct"], errors="coerce")
    given = values.notna() & met["datetime"].notna() & ~skip
    if not given.any():
        return flagged
    top = input_limit("meteorology.rh_pct_fraction")
    days = pd.DataFrame({"source": county_code(met["station_code"])[given],
                         "day": pd.DatetimeIndex(met.loc[given, "datetime"]).normalize(), "v": values[given]})
    highest = days.groupby(["source", "day"])["v"].transform("max")
    low = days[(highest <= top) & (highest > 0)]  # a day of zeros is a code or an outage (outages.py), not fractions
    if low.empty:
        return flagged
    flagged[low.index] = True
    spells = low.assign(row=low.index).groupby(["source", "day"], sort=True)["row"].min().reset_index()
    step = (spells["source"] != spells["source"].shift()) | (spells["day"].diff() != pd.Timedelta(days=1))
    for _, spell in spells.groupby(np.cumsum(step.to_numpy()), sort=True):
        first, last = spell["day"].iloc[0], spell["day"].iloc[-1]
        shown = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
        out.add(fname, int(spell["row"].min()) + 2, "rh_pct",
                f"every rh_pct of station '{show(spell['source'].iloc[0])}' on {shown} ({len(spell)} day(s)) is at "
                f"most {top:g} % while its other days are in percent: these days hold relative humidity as a "
                f"fraction (0.55 for 55 %; meteorology.rh_pct_fraction in zzeval/reference/input_limits.csv): write "
                "them in percent (× 100); they are not a stuck sensor, do not confirm them")
    return flagged
