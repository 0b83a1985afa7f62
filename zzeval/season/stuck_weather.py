"""Weather sensors stuck for part of a season (hostile review 9A, finding 3).

A sensor that stops measuring keeps writing one value: an anemometer frozen at 0 (calm hour after calm
hour), a hygrometer saturated at 100 %, a thermometer repeating its last reading. Each value is valid,
so such hours passed when the sensor stuck for part of a season (only a whole season of one value was
refused, :func:`zzeval.season.plausible._check_constant_weather`), and the weather adjustment read them
as weather: three months of 'calm' from 1 January moved the county's weather-adjusted PM2.5 change from
−9.6 % to −19.1 % with a confident interval.

Here each source of the table (a station, or the county rows) is looked at column by column of
:data:`zzeval.season.weather_copy.VARYING_WEATHER`: the longest run of hours whose values stay within a small
band (``meteorology.stuck_band_<column>``: 0.1 °C, 1 %, 0.1 m/s, 0.1 hPa, one step of the usual resolution, so
a sensor flickering in its last digit, 0.3/0.4 m/s or 99/100 %, is one run; wind direction exactly one value),
and for the wind speed also of calm (at most ``meteorology.calm_wind_speed_ms``, whatever the direction: an
anemometer stuck near 0 may flicker between 0.0 and 0.2). Missing hours (absent rows or empty cells) in gaps
of up to ``meteorology.stuck_gap_hours`` do not end a run, and a run's length is counted from its first to its
last hour (review reA N1: one hour missing every 70 hours split three months of calm into runs under the
limit); a reading outside the band, or a gap longer than that, ends it. A run longer than the column's limit
(``meteorology.unchanged_hours_<column>`` and ``meteorology.calm_hours`` of
``zzeval/reference/input_limits.csv``, each several times the longest run of genuine weather measured) is
refused, naming the file, the run's first row, the source, the column, its first and last hour, its length
and the hours missing in it. A long genuine run (a week of fog) can be confirmed in season.yaml
(``weather_stuck``, :mod:`zzeval.season.confirm`).

Checked on rows that hold every row of their sources (a table, or a station-complete Parquet chunk).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.confirm import judge
from zzeval.season.keys import county_code
from zzeval.season.parsing import show
from zzeval.season.weather_copy import VARYING_WEATHER

#: The judgement check (``season.yaml`` ``confirmed:``) of a long run.
CHECK = "weather_stuck"

#: The units of the columns, for messages.
_UNITS = {"temperature_c": " °C", "rh_pct": " %", "wind_speed_ms": " m/s", "wind_dir_deg": "°", "pressure_hpa": " hPa"}

#: Float slack for the band comparisons (0.4 - 0.3 is 0.10000000000000003).
_TOLERANCE = 1e-9


def check_stuck_weather(met: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse each run of one value (within the column's band) or of calm of a weather column of one source
    longer than its limit (module docstring). A source whose column holds one value all season is left to
    :func:`zzeval.season.plausible._check_constant_weather` (refused there, not confirmable)."""
    if met is None or met.empty:
        return
    rows = met[met["datetime"].notna()]
    if rows.empty:
        return
    source = county_code(rows["station_code"]).astype(str).to_numpy()
    hour = pd.to_datetime(rows["datetime"]).to_numpy().astype("datetime64[h]").astype(np.int64)
    year = np.asarray(season_first_year(pd.to_datetime(rows["datetime"])))
    order = np.lexsort((hour, source))
    where = (rows.index.to_numpy()[order], source[order], hour[order], year[order])
    calm_top = input_limit("meteorology.calm_wind_speed_ms")
    for column in VARYING_WEATHER:
        if column not in rows:
            continue
        values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float)[order]
        given = np.isfinite(values)  # an empty cell is a missing hour: it does not end a run
        flat = _whole_season_flat(where[1], where[3], values, given)
        band = input_limit(f"meteorology.stuck_band_{column}")
        if column == "wind_speed_ms":
            calm = given & (values <= calm_top)
            _runs(where, given, calm, (np.zeros(len(values)), np.inf), (column, "calm"), flat, fname, out)
            # a run within calm is the calm check's; one reaching above calm (0.2/0.3 m/s) is this one's
            _runs(where, given, given, (values, band), (column, "value"), flat, fname, out, skip_below=calm_top)
        else:
            _runs(where, given, given, (values, band), (column, "value"), flat, fname, out)


def _whole_season_flat(source: np.ndarray, year: np.ndarray, values: np.ndarray, given: np.ndarray) -> set:
    """The (source, season) pairs whose values are one value all season (more than one hour)."""
    frame = pd.DataFrame({"s": source[given], "y": year[given], "v": values[given]})
    stats = frame.groupby(["s", "y"])["v"].agg(["min", "max", "size"])
    return set(stats.index[(stats["min"] == stats["max"]) & (stats["size"] > 1)])


def _runs(where: tuple[np.ndarray, ...], given: np.ndarray, member: np.ndarray, key: tuple[np.ndarray, float],
          what: tuple[str, str], flat: set, fname: str, out: Collector, skip_below: float | None = None) -> None:
    """Refuse the runs of the rows ``member`` (among the rows with a value, ``given``; sorted by source and
    hour) longer than the limit of the column (``what``: column, kind 'value' or 'calm'): hours of one source
    whose values (``key``: values and band) stay within the band, bridging missing hours (gaps of at most
    ``meteorology.stuck_gap_hours``), broken by a row with a value that is not a member. A run whose values
    all lie at or below ``skip_below`` is left to the calm check."""
    (column, kind), (values, band) = what, key
    index, source, hour, year = (w[given] for w in where)
    member, values = member[given], values[given]
    if not member.any():
        return
    limit = input_limit("meteorology.calm_hours" if kind == "calm" else f"meteorology.unchanged_hours_{column}")
    gap = input_limit("meteorology.stuck_gap_hours")
    step = np.diff(hour)
    breaks = np.ones(len(hour), dtype=bool)
    breaks[1:] = ((source[1:] != source[:-1]) | (step < 1) | (step > gap + 1) | ~member[1:] | ~member[:-1]
                  | (np.abs(np.diff(values)) > band + _TOLERANCE))  # a superset of the band's breaks
    starts = np.flatnonzero(breaks)
    ends = np.append(starts[1:], len(hour)) - 1
    for first, last in zip(starts, ends, strict=True):
        if not member[first] or hour[last] - hour[first] + 1 <= limit:
            continue
        for a, b in _within_band(values, first, last, band):
            span = int(hour[b] - hour[a] + 1)
            if span <= limit or (source[a], year[a]) in flat:
                continue
            low, high = float(values[a: b + 1].min()), float(values[a: b + 1].max())
            if skip_below is not None and high <= skip_below:
                continue
            _report((int(index[a]), source[a], int(year[a])), (hour[a], hour[b], span, span - (b - a + 1)),
                    (column, kind, low, high), limit, fname, out)


def _within_band(values: np.ndarray, first: int, last: int, band: float) -> list[tuple[int, int]]:
    """The runs (first and last position) of ``values[first:last + 1]`` whose highest and lowest value are at
    most ``band`` apart, each as long as it goes from where the one before ended."""
    if band == 0 or not np.isfinite(band):
        return [(first, last)]
    runs, start, low, high = [], first, values[first], values[first]
    for at in range(first + 1, last + 1):
        value = values[at]
        if max(high, value) - min(low, value) > band + _TOLERANCE:
            runs.append((start, at - 1))
            start, low, high = at, value, value
        else:
            low, high = min(low, value), max(high, value)
    runs.append((start, last))
    return runs


def _report(start: tuple[int, str, int], span: tuple[int, int, int, int], what: tuple[str, str, float, float],
            limit: float, fname: str, out: Collector) -> None:
    """One refusal (confirmable) of a run: ``start`` its first row label, source and season; ``span`` its
    first and last hour numbers, its length in hours and the hours missing in it; ``what`` the column, the
    kind of run and its lowest and highest value."""
    (label, source, year), (column, kind, low, high) = start, what
    (first, last), (n, missing) = (pd.Timestamp(h * 3600, unit="s") for h in span[:2]), span[2:]
    unit = _UNITS[column]
    if kind == "calm":
        what, key = (f"calm (wind_speed_ms at most {input_limit('meteorology.calm_wind_speed_ms'):g} m/s) in each of",
                     "meteorology.calm_hours")
        genuine = "genuine calm is taken to end"
    else:
        band = input_limit(f"meteorology.stuck_band_{column}")
        what = (f"{column} is {low:g}{unit} in each of" if low == high else
                f"{column} stays between {low:g} and {high:g}{unit} (at most {band:g}{unit} apart, "
                f"meteorology.stuck_band_{column}) in each of")
        key = f"meteorology.unchanged_hours_{column}"
        genuine = f"a genuine {column} is taken to change"
    gaps = (f", {missing:,} of them missing (gaps of at most {input_limit('meteorology.stuck_gap_hours'):g} hours "
            "do not end a run: meteorology.stuck_gap_hours)") if missing else ""
    season = f"{year}-{year + 1}"
    message = (f"station '{show(source)}': {what} {n:,} hours in a row ({first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"
               f"{gaps}); {genuine} within at most {limit:g} hours ({key}, zzeval/reference/input_limits.csv): "
               "a stuck sensor? remove these rows (their hours become missing) or write the measured values")
    judge(out, CHECK, f"{source} {column} {season}", (fname, label + 2, column), message)
