"""Weather sensors stuck for part of a season (hostile review 9A, finding 3).

A sensor that stops measuring keeps writing one value: an anemometer frozen at 0 (calm hour after calm
hour), a hygrometer saturated at 100 %, a thermometer repeating its last reading. Each value is valid,
so such hours passed when the sensor stuck for part of a season (only a whole season of one value was
refused, :func:`zzeval.season.plausible._check_constant_weather`), and the weather adjustment read them
as weather: three months of 'calm' from 1 January moved the county's weather-adjusted PM2.5 change from
−9.6 % to −19.1 % with a confident interval.

Here each source of the table (a station, or the county rows) is looked at column by column of
:data:`zzeval.season.weather_copy.VARYING_WEATHER`: the longest run of consecutive hours (a missing hour
or an empty cell ends it, :mod:`zzeval.season.runs`) with one value, and for the wind speed also of calm
(at most ``meteorology.calm_wind_speed_ms``, whatever the direction: an anemometer stuck near 0 may flicker
between 0.0 and 0.2). A run longer than the column's limit (``meteorology.unchanged_hours_<column>`` and
``meteorology.calm_hours`` of ``zzeval/reference/input_limits.csv``, each several times the longest run of
genuine weather measured) is refused, naming the file, the run's first row, the source, the column, its
first and last hour and its length. A long genuine run (a week of fog) can be confirmed in season.yaml
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
from zzeval.season.runs import run_labels, run_lengths
from zzeval.season.weather_copy import VARYING_WEATHER

#: The judgement check (``season.yaml`` ``confirmed:``) of a long run.
CHECK = "weather_stuck"

#: The units of the columns, for messages.
_UNITS = {"temperature_c": " °C", "rh_pct": " %", "wind_speed_ms": " m/s", "wind_dir_deg": "°", "pressure_hpa": " hPa"}


def check_stuck_weather(met: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse each run of one value (or of calm) of a weather column of one source longer than its limit
    (module docstring). A source whose column holds one value all season is left to
    :func:`zzeval.season.plausible._check_constant_weather` (refused there, not confirmable)."""
    if met is None or met.empty:
        return
    rows = met[met["datetime"].notna()]
    if rows.empty:
        return
    source = county_code(rows["station_code"]).astype(str).to_numpy()
    hour = pd.to_datetime(rows["datetime"]).to_numpy().astype("datetime64[h]").astype(np.int64)
    year = np.asarray(season_first_year(pd.to_datetime(rows["datetime"])))
    calm_top = input_limit("meteorology.calm_wind_speed_ms")
    for column in VARYING_WEATHER:
        if column not in rows:
            continue
        values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float)
        given = np.isfinite(values)
        flat = _whole_season_flat(source, year, values, given)
        if column == "wind_speed_ms":
            calm = given & (values <= calm_top)
            _runs(rows, (source, hour, year), calm, np.zeros(len(values)), column, "calm", flat, fname, out)
            given &= ~calm  # a calm run is the calm check's, not one of the same value
        _runs(rows, (source, hour, year), given, values, column, "value", flat, fname, out)


def _whole_season_flat(source: np.ndarray, year: np.ndarray, values: np.ndarray, given: np.ndarray) -> set:
    """The (source, season) pairs whose values are one value all season (more than one hour)."""
    frame = pd.DataFrame({"s": source[given], "y": year[given], "v": values[given]})
    stats = frame.groupby(["s", "y"])["v"].agg(["min", "max", "size"])
    return set(stats.index[(stats["min"] == stats["max"]) & (stats["size"] > 1)])


def _runs(rows: pd.DataFrame, where: tuple[np.ndarray, np.ndarray, np.ndarray], keep: np.ndarray, key: np.ndarray,
          column: str, kind: str, flat: set, fname: str, out: Collector) -> None:
    """Refuse the runs of consecutive hours of one ``key`` among the rows ``keep`` longer than the limit of
    ``column`` (``kind`` 'value') or of calm (``kind`` 'calm')."""
    source, hour, year = (w[keep] for w in where)
    if not len(hour):
        return
    limit = input_limit("meteorology.calm_hours" if kind == "calm" else f"meteorology.unchanged_hours_{column}")
    index, values = rows.index.to_numpy()[keep], key[keep]
    order = np.lexsort((hour, source))
    labels = run_labels(hour[order], source[order], values[order])
    lengths = run_lengths(labels)
    for label in np.unique(labels[lengths > limit]):
        at = order[labels == label]
        first, last = at[0], at[-1]
        if (source[first], year[first]) in flat:
            continue
        _report((int(index[first]), source[first], int(year[first])), (hour[first], hour[last], len(at)),
                (column, kind, float(values[first])), limit, fname, out)


def _report(start: tuple[int, str, int], span: tuple[int, int, int], what: tuple[str, str, float], limit: float,
            fname: str, out: Collector) -> None:
    """One refusal (confirmable) of a run: ``start`` its first row label, source and season; ``span`` its
    first and last hour numbers and length; ``what`` the column, the kind of run and its value."""
    (label, source, year), (column, kind, value) = start, what
    (first, last), n = (pd.Timestamp(h * 3600, unit="s") for h in span[:2]), span[2]
    if kind == "calm":
        what, key = (f"calm (wind_speed_ms at most {input_limit('meteorology.calm_wind_speed_ms'):g} m/s) in each of",
                     "meteorology.calm_hours")
        genuine = "genuine calm is taken to end within"
    else:
        what, key = f"{column} is {value:g}{_UNITS[column]} in each of", f"meteorology.unchanged_hours_{column}"
        genuine = f"a genuine {column} is taken to change within"
    season = f"{year}-{year + 1}"
    message = (f"station '{show(source)}': {what} {n:,} hours in a row ({first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}); "
               f"{genuine} for at most {limit:g} hours ({key}, zzeval/reference/input_limits.csv): a stuck sensor? "
               "remove these rows (their hours become missing) or write the measured values")
    judge(out, CHECK, f"{source} {column} {season}", (fname, label + 2, column), message)
