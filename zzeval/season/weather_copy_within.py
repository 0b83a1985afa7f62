"""Weather copied within a season (hostile review s10-hostA, finding 6a).

A gap in a season's hourly weather filled with other days of the same season (January written with
December's rows, the dates changed) passed: :mod:`zzeval.season.weather_copy` compares a season only with
earlier seasons. January 2020 filled with December 2019 moved the county's weather-adjusted PM2.5 change from
−9.6 % to −14.1 % (R² 0.87 → 0.60).

Here each source of a season (a station, or ``county``) is compared with itself at every shift of whole hours
of at least ``meteorology.copy_within_min_shift_days`` (a source against itself only, so that the cost grows
with the sources, not with their pairs: every station may hold the county's weather): an
hour matches an earlier hour when at least 4 of the 5 inputs of
:data:`zzeval.season.weather_copy.VARYING_WEATHER` fall in the same bins (``meteorology.copy_bin_*``, as for
a copy from a year earlier). One hash join of the season's hours with themselves per left-out column
(:func:`zzeval.season.weather_copy.same_bin_pairs`), counted per pair of sources and shift. Weather a few
days apart is not a copy of itself: genuine weather matches at any one such shift in a few hours, one or two
in a row (input_limits.csv), so a source whose matches with one source at one shift exceed
``meteorology.copied_within_season_hours`` hours, or run for more than
``meteorology.copied_within_season_run_hours`` hours in a row, is refused, naming the file, the first copied
row, the source, the shift and the first and last copied hour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.parsing import show
from zzeval.season.runs import run_labels, run_lengths
from zzeval.season.weather_copy import (
    CHANGE_LAG_H,
    KINDS,
    VARYING_WEATHER,
    _hashes,
    copy_rows,
    same_bin_pairs,
)


def within_season_matches(now: pd.DataFrame, fewest: int = 2) -> pd.DataFrame:
    """Per source (``source_then`` the same: a source against itself) and shift [h] of at least
    ``meteorology.copy_within_min_shift_days``: the hours of ``now`` (one season's recorded bins, see
    :func:`zzeval.season.weather_copy.record_weather_bins`) whose bins match that source's hour ``shift``
    hours earlier in at least 4 of the 5 columns (``hours``), the longest run of them (``run``), the
    positions of those rows in ``now`` (``rows``, in time order) and of the first of the longest run (``run_row``);
    of the sources and shifts with at least ``fewest`` such hours (those with fewer cannot be refused: the
    caller's limits, and a run is no longer than its hours)."""
    least = round(input_limit("meteorology.copy_within_min_shift_days") * 24)
    code = pd.factorize(now["source"].to_numpy(dtype=object))[0]
    rows = pd.DataFrame({"hour": now["hour"].to_numpy(), "source": code, "at": np.arange(len(now))})
    pairs = same_bin_pairs((_hashes(now), rows), None, keep=lambda shift: shift >= least)
    columns = ["source", "source_then", "shift", "hours", "run", "rows", "run_row"]
    pairs = pairs.drop_duplicates(["source", "source_then", "shift", "hour"])
    pairs = pairs[pairs.groupby(["source", "source_then", "shift"])["hour"].transform("size") >= fewest]
    names = now["source"].to_numpy(dtype=object)
    first = pd.Series(np.arange(len(now))).groupby(code).first()
    out = []
    for (source, then, shift), part in pairs.groupby(["source", "source_then", "shift"], sort=True):
        part = part.sort_values("hour", kind="stable")
        lengths = run_lengths(run_labels(part["hour"].to_numpy()))
        start = int(np.argmax(lengths == lengths.max()))  # the copied block (the first longest run): its first row
        out.append((names[first[source]], names[first[then]], int(shift), len(part),
                    int(lengths.max()), part["at"].to_numpy(), int(part["at"].iloc[start])))
    return pd.DataFrame(out, columns=columns)


def check_weather_copied_within(out: Collector) -> None:
    """Refuse each source of a season whose hours match its own hours at one shift
    (:func:`within_season_matches`) in more than ``meteorology.copied_within_season_hours`` hours, or for
    more than ``meteorology.copied_within_season_run_hours`` hours in a row: one problem per source and
    season, the shift with the most matched hours. Uses the bins the checks of meteorology recorded
    (``out.weather_bins``, also chunk by chunk for a Parquet table)."""
    if not out.weather_bins:
        return
    limits = (input_limit("meteorology.copied_within_season_hours"),
              input_limit("meteorology.copied_within_season_run_hours"))
    refused: set = set()
    for kind in KINDS:  # the values, then their changes over a day (a copy with a constant added)
        rows = copy_rows(out, kind)
        years = np.asarray(season_first_year(pd.to_datetime(rows["hour"], unit="h")))
        for year in sorted(set(years.tolist())):
            now = rows[years == year].reset_index(drop=True)
            matches = within_season_matches(now, fewest=int(min(limits)) + 1)
            over = matches[(matches["hours"] > limits[0]) | (matches["run"] > limits[1])]
            for source, found in over.groupby("source", sort=True):
                if (source, year) in refused:
                    continue
                refused.add((source, year))
                worst = found.sort_values(["hours", "shift"], ascending=[False, True], kind="stable").iloc[0]
                part = now.iloc[worst["rows"]]
                _report(out, (part, now.iloc[worst["run_row"]]), (str(source), int(worst["shift"]), kind),
                        int(year), (int(worst["hours"]), int(worst["run"])), limits)


def _report(out: Collector, rows: tuple[pd.DataFrame, pd.Series], subject: tuple[str, int, str], year: int,
            counts: tuple[int, int], limits: tuple[float, float]) -> None:
    """One refusal: ``rows`` the matched rows (in time order) and the first of their longest run (named);
    ``subject`` the source, the shift and the kind of :data:`zzeval.season.weather_copy.KINDS`."""
    (part, named), (source, shift, kind), (hours, run) = rows, subject, counts
    have = "its own weather" if kind == "values" else \
        f"the changes over {CHANGE_LAG_H} h of its own weather (with a constant added to some columns?)"
    first, last = (pd.Timestamp(part["hour"].iloc[i] * 3600, unit="s") for i in (0, -1))
    start = pd.Timestamp(named["hour"] * 3600, unit="s")
    days, rest = divmod(shift, 24)
    ago = f"{days} day{'s' if days != 1 else ''}" + (f" {rest} h" if rest else "")
    out.add(named["file"], int(named["row"]), "datetime",
            f"station '{show(source)}': {hours:,} hours of the season from {year} ({first:%Y-%m-%d %H:%M} to "
            f"{last:%Y-%m-%d %H:%M}; {run:,} in a row from {start:%Y-%m-%d %H:%M}) have {have} {ago} "
            f"earlier in the same season ({', '.join(VARYING_WEATHER)} within the same bins in at least 4 of the 5, "
            "meteorology.copy_bin_*; genuine weather a few days apart does so in at most "
            f"{limits[0]:g} hours and {limits[1]:g} in a row at one shift, meteorology.copied_within_season_hours "
            "and meteorology.copied_within_season_run_hours in zzeval/reference/input_limits.csv): were missing "
            "days filled with other days of the season? write the measured weather, or leave those hours out")
