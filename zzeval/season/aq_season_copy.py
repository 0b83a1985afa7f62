"""A station's season of PM rebuilt from its other season, rescaled and with noise added (hostile review
s12-hostA A04b).

:mod:`zzeval.season.aq_copy_scaled` finds a rescaled copy day by day, by a residual SD within rounding
(``air_quality.scaled_copy_max_residual_sd``, 0.9 µg/m³; genuine days fit no better than 1.31): the previous
season made of the current one × 1.3 with noise of SD 2.5 µg/m³ added fits no day so well and passed (xiacun's
adjusted change −13.7 → −26.2 %). Over a whole season the copy still shows: two winters' weather is
independent, so a station's hours of one season follow those of the same month, day and hour of its other
season only through the seasonal cycle (correlation at most 0.33 in data/sample, the 3-township samples and the
winter generator), while the copy follows them hour by hour (0.999 for A04b).

For each station's PM2.5 and PM10 with two seasons in a row, the days recorded by
:func:`zzeval.season.aq_copy.record_pm_days` (:mod:`zzeval.season.pm_series`) are paired by the place of their
midnight in a July-to-June year, and the correlation of their hours (at least ``air_quality.window_min_hours``
pairs) is judged: at or above ``air_quality.season_copy_correlation`` it is refused, naming the station, the
pollutant, both seasons and the first row of the earlier one. Station seasons the exact, near or rescaled copy
checks refused already are not reported again.
"""

from __future__ import annotations

import numpy as np

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector
from zzeval.season.parsing import show
from zzeval.season.pm_series import HOUR_COLUMNS, recorded_days, series_of


def season_correlations(days) -> list[tuple]:
    """Per station and pollutant with seasons from ``y`` and ``y + 1`` recorded: (station, pollutant, y, the
    correlation of their hours paired by calendar place, the number of pairs, the first row of season ``y``)."""
    number, names, start = series_of(days)
    values = days[list(HOUR_COLUMNS)].to_numpy(dtype=float)
    found = []
    for i, (station, pollutant, year) in enumerate(names.itertuples(index=False)):
        later = np.flatnonzero((names["station"] == station).to_numpy() & (names["pollutant"] == pollutant).to_numpy()
                               & (names["year"] == year + 1).to_numpy())
        if len(later) == 0:
            continue
        mine, theirs = np.flatnonzero(number == i), np.flatnonzero(number == later[0])
        common, a, b = np.intersect1d(start[mine], start[theirs], return_indices=True)
        if len(common) == 0:
            continue
        x, y = values[mine[a]].ravel(), values[theirs[b]].ravel()
        both = np.isfinite(x) & np.isfinite(y)
        if both.sum() < input_floor("air_quality.window_min_hours") or x[both].std() == 0 or y[both].std() == 0:
            continue
        r = float(np.corrcoef(x[both], y[both])[0, 1])
        found.append((station, pollutant, int(year), r, int(both.sum()), days.iloc[mine]))
    return found


def check_air_quality_season_copied(out: Collector, refused: set) -> None:
    """Refuse each station's PM season that follows its next season hour by hour (module docstring).
    ``refused``: (station, season's first year) refused as a copy already (exact, near or rescaled)."""
    days = recorded_days(out)
    if days is None:
        return
    limit = input_limit("air_quality.season_copy_correlation")
    for station, pollutant, year, r, n, first in season_correlations(days):
        if r < limit or {(station, year), (station, year + 1)} & refused:
            continue
        out.add(first["file"].iloc[0], int(first["row"].min()), "value",
                f"station {show(station)}, {pollutant}: the season from {year} follows the season from {year + 1} "
                f"hour by hour (correlation {r:.3f} over {n:,} hours paired by month, day and hour; two winters' "
                f"weather is independent, so genuine seasons correlate at most about 0.33 through the seasonal "
                f"cycle: air_quality.season_copy_correlation = {limit:g}, zzeval/reference/input_limits.csv): "
                f"one season made from the other, rescaled, with noise added? export the season from {year} again")
