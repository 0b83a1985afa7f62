"""Weather copied from a year earlier (issue 13; review 6b findings 5, 6 and 7).

A season's hourly weather that is last season's file with the year changed makes the weather
adjustment credit the measures with the whole change of the air. The copy may be of any source
(the county-wide rows or a station) into any other (last season's county rows written as every
station's rows of this season, or the other way round), of part of the season, and re-exported
at another precision (temperature in whole °C). So each source of a season (a station, or
``county``) is compared hour by hour with every source of the season before, one year earlier:
an hour matches when at least 4 of the 5 inputs of :data:`VARYING_WEATHER` fall in the same bin
(``meteorology.copy_bin_*`` of ``zzeval/reference/input_limits.csv``: 1 °C, 2 %, 0.5 m/s, 10°,
1 hPa). Genuine weather matches a year earlier in a handful of hours at most; a source whose
matches with one earlier source exceed ``meteorology.same_as_year_before_share`` of its hours,
or run for more than ``meteorology.same_as_year_before_hours`` hours in a row, is refused.

The bins are recorded while the meteorology is checked (:func:`record_weather_bins`, also chunk
by chunk for a Parquet table, a station's rows at a time) and compared once the table is read
(:func:`check_weather_copied`). Memory: about 50 bytes per hour of weather and source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector
from zzeval.season.keys import county_code
from zzeval.season.parsing import show

#: The weather model's inputs that vary in any real season (precipitation and the boundary layer height
#: may be missing or 0 all season at a dry station or where they are not measured).
VARYING_WEATHER = ("temperature_c", "rh_pct", "wind_speed_ms", "wind_dir_deg", "pressure_hpa")

#: The unit of each bin width, for messages.
_UNITS = {"temperature_c": "°C", "rh_pct": "%", "wind_speed_ms": "m/s", "wind_dir_deg": "°", "pressure_hpa": "hPa"}

#: A bin number standing for a missing value (bins of real values are far smaller).
_MISSING = np.iinfo(np.int32).min


def bin_widths() -> dict[str, float]:
    """The width of the bins in which two hours' values count as the same, per column of
    :data:`VARYING_WEATHER`, in the column's unit (input_limits.csv ``meteorology.copy_bin_*``)."""
    return {c: input_limit(f"meteorology.copy_bin_{c}") for c in VARYING_WEATHER}


def weather_bins(met: pd.DataFrame) -> pd.DataFrame:
    """The bin of each value of :data:`VARYING_WEATHER` (rounded half up to the bin width; wind
    directions modulo 360°; :data:`_MISSING` for an empty cell) as ``int32`` columns."""
    out = {}
    for column, width in bin_widths().items():
        values = pd.to_numeric(met[column], errors="coerce") if column in met else pd.Series(np.nan, index=met.index)
        number = np.floor(values.to_numpy(dtype=float) / width + 0.5)
        if column == "wind_dir_deg":
            number = np.mod(number, round(360 / width))
        out[column] = np.where(np.isfinite(number), number, _MISSING).astype(np.int32)
    return pd.DataFrame(out, index=met.index)


def record_weather_bins(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Keep, on ``out``, the source, hour, row and bins of each meteorology row of ``met`` (whole
    stations: a table, or a station-complete chunk of a Parquet table)."""
    if met is None or met.empty:
        return
    given = met["datetime"].notna()
    rows = met[given]
    if rows.empty:
        return
    source = county_code(rows["station_code"]).astype(str)
    hour = pd.to_datetime(rows["datetime"]).to_numpy().astype("datetime64[h]").astype(np.int64)
    kept = weather_bins(rows).assign(source=source.to_numpy(), hour=hour,
                                     row=rows.index.to_numpy(dtype=np.int64) + 2, file=fname)
    out.weather_bins.append(kept.reset_index(drop=True))


def _keys(frame: pd.DataFrame, skip: str, own: bool = False) -> np.ndarray:
    """A key per row of its day and hour of the year and the bins of every column but ``skip``
    (and its source when ``own``)."""
    stamp = pd.to_datetime(frame["hour"], unit="h")
    parts = pd.DataFrame({"when": (stamp.dt.month * 32 + stamp.dt.day) * 24 + stamp.dt.hour})
    for column in VARYING_WEATHER:
        if column != skip:
            parts[column] = frame[column].to_numpy()
    if own:
        parts["source"] = frame["source"].to_numpy()
    return pd.util.hash_pandas_object(parts, index=False).to_numpy()


def _matches(now: pd.DataFrame, before: pd.DataFrame) -> pd.Series:
    """For each row of ``now``, the source of ``before`` whose hour a year earlier has the same bins
    in at least 4 of the 5 columns: its own source if that matches, else the county rows, else the
    first station by code; empty where none matches."""
    before = before.assign(order=before["source"] != "county").sort_values(["order", "source"], kind="stable")
    found = pd.Series(pd.NA, index=now.index, dtype="object")
    for own in (True, False):
        for skip in VARYING_WEATHER:
            lookup = pd.Series(before["source"].to_numpy(), index=_keys(before, skip, own))
            lookup = lookup[~lookup.index.duplicated()]
            found = found.fillna(pd.Series(_keys(now, skip, own), index=now.index).map(lookup))
    return found


def _longest_run(hours: np.ndarray) -> int:
    """The most consecutive hours in the sorted hour numbers ``hours``."""
    if hours.size == 0:
        return 0
    breaks = np.flatnonzero(np.diff(hours) != 1)
    edges = np.concatenate(([-1], breaks, [hours.size - 1]))
    return int(np.diff(edges).max())


def check_weather_copied(out: Collector) -> None:
    """Refuse each source of a season whose hours match those of one source of the season before
    (:func:`_matches`) in more than ``meteorology.same_as_year_before_share`` of its hours (at least
    24), or for more than ``meteorology.same_as_year_before_hours`` hours in a row; the message names
    the file, the first copied row, both sources, the season, the first and last copied hour."""
    if not out.weather_bins:
        return
    rows = pd.concat(out.weather_bins, ignore_index=True)
    rows = rows[(rows[list(VARYING_WEATHER)] != _MISSING).sum(axis=1) >= 4]
    stamp = pd.to_datetime(rows["hour"], unit="h")
    rows = rows.assign(year=(stamp.dt.year - (stamp.dt.month < 7)).to_numpy())
    share = input_limit("meteorology.same_as_year_before_share")
    most = input_limit("meteorology.same_as_year_before_hours")
    for year in sorted(set(rows["year"])):
        now, before = rows[rows["year"] == year], rows[rows["year"] == year - 1]
        if before.empty:
            continue
        now = now.assign(match=_matches(now, before))
        hours = now.groupby("source").size()
        for (source, earlier), part in now.dropna(subset=["match"]).groupby(["source", "match"], sort=True):
            part = part.sort_values("hour")
            run = _longest_run(np.unique(part["hour"].to_numpy()))
            if (len(part) >= 24 and len(part) > share * hours[source]) or run > most:
                _report(out, part, source, earlier, int(year), int(hours[source]), run, (share, most))


def _report(out: Collector, part: pd.DataFrame, source: str, earlier: str, year: int, hours: int, run: int,
            limits: tuple[float, float]) -> None:
    first, last = (pd.Timestamp(part["hour"].iloc[i] * 3600, unit="s") for i in (0, -1))
    same = "the same station" if earlier == source else f"station '{show(earlier)}'"
    bins = ", ".join(f"{w:g}{'' if _UNITS[c] == '°' else ' '}{_UNITS[c]}" for c, w in bin_widths().items())
    out.add(part["file"].iloc[0], int(part["row"].iloc[0]), "datetime",
            f"station '{show(source)}': {len(part):,} of {hours:,} hours of the season from {year} "
            f"({first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}, up to {run:,} in a row) have the weather of {same} "
            f"a year earlier ({', '.join(VARYING_WEATHER)} within the same {bins} in at least 4 of the 5; genuine "
            f"weather does so in at most {limits[0]:.0%} of the hours and {limits[1]:g} hours in a row, "
            "zzeval/reference/input_limits.csv): is this last season's weather with the year changed? write this "
            "season's measured weather")
