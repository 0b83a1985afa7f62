"""Runs of consecutive hours in the hourly tables: the rows of a station (and pollutant, or value) whose
hours follow one another without a gap. One way of counting them for the checks that look for runs: weather
copied from a year earlier (:mod:`zzeval.season.weather_copy`), outage hours written as 0 or as a code
(:mod:`zzeval.season.outages`), a PM analyser repeating its last value (:mod:`zzeval.season.plausible`)."""

from __future__ import annotations

import numpy as np


def run_labels(positions: np.ndarray, *groups: np.ndarray, step=1) -> np.ndarray:
    """For rows sorted by their groups and then by ``positions`` (hour numbers, or times with ``step`` an hour):
    the number (1, 2, …) of the run each row lies in. A run breaks where a position is not the one before plus
    ``step`` (a gap, a repeated hour, a missing time) or where any of ``groups`` (station, pollutant, value …)
    changes."""
    starts = np.ones(len(positions), dtype=bool)
    if len(positions) > 1:
        starts[1:] = np.diff(positions) != step
        for group in groups:
            starts[1:] |= np.asarray(group)[1:] != np.asarray(group)[:-1]
    return np.cumsum(starts)


def run_lengths(labels: np.ndarray) -> np.ndarray:
    """The length of the run of each row, from its :func:`run_labels`."""
    return np.bincount(labels)[labels] if len(labels) else np.zeros(0, dtype=np.int64)


def longest_run(positions: np.ndarray) -> int:
    """The most consecutive hours in the sorted hour numbers ``positions`` (0 for none)."""
    return int(run_lengths(run_labels(positions)).max()) if len(positions) else 0


def in_runs_of(hours: np.ndarray, groups: tuple[np.ndarray, ...], least: float) -> np.ndarray:
    """True for the rows (in any order) that lie in a run of at least ``least`` consecutive ``hours`` (hour
    numbers) of their ``groups`` (e.g. station and pollutant)."""
    order = np.lexsort((hours, *groups[::-1]))
    long = np.empty(len(hours), dtype=bool)
    long[order] = run_lengths(run_labels(hours[order], *(g[order] for g in groups))) >= least
    return long
