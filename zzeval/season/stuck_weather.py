"""Weather sensors stuck for part of a season (hostile review 9A, finding 3; spot review S1, issue #13).

A sensor that stops measuring keeps writing one value, or flickers in its last digits: an anemometer frozen at
0 or at its noise floor (0.1/0.3 m/s), a hygrometer saturated at 98-100 %, a thermometer repeating its last
reading. Each value is valid, so such hours passed when the sensor stuck for part of a season (a whole season
of one value is refused by :func:`zzeval.season.plausible._check_constant_weather`), and the weather
adjustment read them as weather: three months of 'calm' from 1 January moved a township's weather-adjusted
PM2.5 change from −11.1 % to −31 %. Runs of one value (the check before this one) were dodged by a flicker
across a limit, one good reading every 70 hours or a gap every 60 hours.

Here each source of the table (a station, or the county rows) is compared, column by column of
:data:`zzeval.season.weather_copy.VARYING_WEATHER`, calendar month by calendar month, with a reference: how
much its values vary in the month (the spread of the month's hourly values: the interquartile range / 1.349,
a robust standard deviation a few outliers do not move; for the wind direction the circular standard
deviation) against the larger of the median of the other sources' spread in the same month (where the table
holds other sources) and the median of the same source's other months. The larger, so that a month is refused
when it varies far less than either: one frozen sensor written as the county rows and every station's rows,
or every station's anemometer at its noise floor from January, makes the other sources' reference stuck too
(spot review S1 follow-up). For the wind speed also the share of the month's hours above near calm
(``meteorology.near_calm_wind_speed_ms``) is compared so, and for the relative humidity the share of hours
below near saturation (``meteorology.near_saturation_rh_pct``): a hygrometer flickering over 94-100 % varies
too much to be told by its spread alone. A month whose spread (or share) is at most
``meteorology.stuck_ratio_<column>`` (``meteorology.stuck_ratio_wind_share``, ``_rh_share``) times its
reference's is refused (``zzeval/reference/input_limits.csv``, each several times below the lowest ratio of
genuine weather measured), naming the file, the first row of the first such month, the source, the column and
each month with its spread and the reference's. A month with fewer than ``meteorology.stuck_window_min_hours``
hours with a value is not judged (nor used as a reference). A calendar month, not a week: a genuine foggy or
calm week varies as little as a flickering sensor (the measurements in input_limits.csv), so a sensor stuck
for less than about six weeks (one whole calendar month) is not found; nor is one stuck in most months of the
table in every source at once (both references are then stuck). A genuine month this still refuses (a month
of fog) is confirmed in season.yaml (``weather_stuck``, :mod:`zzeval.season.confirm`).

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

#: The judgement check (``season.yaml`` ``confirmed:``) of a stuck sensor.
CHECK = "weather_stuck"

#: The units of the columns, for messages.
_UNITS = {"temperature_c": " °C", "rh_pct": " %", "wind_speed_ms": " m/s", "wind_dir_deg": "°", "pressure_hpa": " hPa"}

#: How a month's reference is named in messages.
_REFERENCE = {"other sources": "the median of the other sources in the same month",
              "other months": "the median of its other months",
              "both": "the larger of the median of the other sources in the same month and the median of its other months"}

#: Which reference a month has: (other sources in the month, own other months) -> its name in _REFERENCE.
_KIND = {(True, True): "both", (True, False): "other sources", (False, True): "other months", (False, False): ""}

#: The columns judged also by a share of hours: the limit of its ratio, the limit of the hours counted, whether
#: the hours counted are above it (wind: above near calm) or below it (RH: below near saturation), the words.
_SHARES = {"wind_speed_ms": ("meteorology.stuck_ratio_wind_share", "meteorology.near_calm_wind_speed_ms", True,
                             "above near calm"),
           "rh_pct": ("meteorology.stuck_ratio_rh_share", "meteorology.near_saturation_rh_pct", False,
                      "below near saturation")}

#: The robust standard deviation of a normal distribution from its interquartile range.
_IQR_TO_SD = 1.349


def check_stuck_weather(met: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse each source's column whose month varies far less than its reference (module docstring): one
    problem per source, column and season, naming each such month. A source whose column holds one value all
    season is left to :func:`zzeval.season.plausible._check_constant_weather` (refused there, not
    confirmable)."""
    months = month_spreads(met)
    if months.empty:
        return
    months = months[months["stuck"] & ~months["flat"]]
    for (source, column, year), rows in months.groupby(["source", "column", "season"], sort=True):
        _report(rows.sort_values("month"), (str(source), str(column), int(year)), fname, out)


def month_spreads(met: pd.DataFrame | None) -> pd.DataFrame:
    """One row per source, column and calendar month with at least ``meteorology.stuck_window_min_hours``
    hours with a value: its first row label, season, hours, spread, share of hours above near calm (wind
    speed), the reference's spread and share, where the reference comes from, whether the month is refused
    (``stuck``) and whether its source's column is one value all season (``flat``)."""
    if met is None or met.empty or "datetime" not in met:
        return pd.DataFrame()
    rows = met[met["datetime"].notna()]
    if rows.empty:
        return pd.DataFrame()
    stamp = pd.to_datetime(rows["datetime"])
    base = pd.DataFrame({"label": rows.index.to_numpy(), "source": county_code(rows["station_code"]).astype(str).to_numpy(),
                         "month": stamp.dt.strftime("%Y-%m").to_numpy(), "stamp": stamp.to_numpy(),
                         "season": np.asarray(season_first_year(stamp))})
    frames = [_column_months(base, column, pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float))
              for column in VARYING_WEATHER if column in rows]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _column_months(base: pd.DataFrame, column: str, values: np.ndarray) -> pd.DataFrame:
    """:func:`month_spreads` of one column."""
    given = base[np.isfinite(values)].assign(v=values[np.isfinite(values)])
    if given.empty:
        return pd.DataFrame()
    season = given.groupby(["source", "season"])["v"].agg(["min", "max"])
    flat = set(season.index[season["min"] == season["max"]])
    grouped = given.sort_values("stamp", kind="stable").groupby(["source", "month"], sort=True)
    months = grouped.agg(label=("label", "first"), season=("season", "first"), hours=("v", "size")).reset_index()
    if column == "wind_dir_deg":
        angle = np.deg2rad(given["v"].to_numpy())
        trig = given.assign(c=np.cos(angle), s=np.sin(angle)).groupby(["source", "month"], sort=True)[["c", "s"]].mean()
        length = np.clip(np.hypot(trig["c"], trig["s"]).to_numpy(), 1e-12, 1.0)
        months["spread"] = np.where(length > 1 - 1e-9, 0.0, np.rad2deg(np.sqrt(-2 * np.log(length))))  # one value: 0
    else:
        quartiles = grouped["v"].quantile([0.25, 0.75]).unstack()
        months["spread"] = ((quartiles[0.75] - quartiles[0.25]) / _IQR_TO_SD).to_numpy()
    if column in _SHARES:
        _, limit, above, _ = _SHARES[column]
        counted = given["v"] > input_limit(limit) if above else given["v"] < input_limit(limit)
        months["share"] = given.assign(a=counted).groupby(["source", "month"], sort=True)["a"].mean().to_numpy()
    months = months[months["hours"] >= input_limit("meteorology.stuck_window_min_hours")].reset_index(drop=True)
    months["column"] = column
    months["flat"] = [(s, y) in flat for s, y in zip(months["source"], months["season"], strict=True)]
    return _judged(months, column)


def _judged(months: pd.DataFrame, column: str) -> pd.DataFrame:
    """Add each month's reference (``ref_spread``, ``ref_share``; ``reference``: 'other sources', 'other
    months' or 'both') and whether it is refused (``stuck``). Where both references exist the larger is used,
    so that a month is refused when it varies far less than either: the other sources stuck in the same months
    (one frozen sensor written as every station's rows) no longer hide it, nor do its own other months stuck."""
    measures = ["spread", "share"] if column in _SHARES else ["spread"]
    source, month = months["source"].to_numpy(), months["month"].to_numpy()
    sources_in_month = pd.Series(source).groupby(month).transform("size").to_numpy()
    months_of_source = pd.Series(month).groupby(source).transform("size").to_numpy()
    kind = np.array([_KIND[(bool(o > 1), bool(w > 1))] for o, w in zip(sources_in_month, months_of_source, strict=True)],
                    dtype=object)
    stuck = np.zeros(len(months), dtype=bool)
    for m in measures:
        values = months[m].to_numpy()
        ref = np.fmax(_median_of_the_others(values, month), _median_of_the_others(values, source))
        months[f"ref_{m}"] = ref
        key = _SHARES[column][0] if m == "share" else f"meteorology.stuck_ratio_{column}"
        with np.errstate(invalid="ignore"):
            stuck |= np.isfinite(ref) & (values <= input_limit(key) * ref + 1e-12)
    months["reference"], months["stuck"] = kind, stuck
    return months


def _median_of_the_others(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For each row, the median of ``values`` of the other rows of its group (NaN where it is alone)."""
    out = np.full(len(values), np.nan)
    for rows in pd.Series(np.arange(len(values))).groupby(groups).indices.values():
        if len(rows) > 1:
            group = values[rows]
            out[rows] = [float(np.median(np.delete(group, k))) for k in range(len(rows))]
    return out


def _report(months: pd.DataFrame, subject: tuple[str, str, int], fname: str, out: Collector) -> None:
    """One refusal (confirmable) of a source's column in a season: ``months`` its refused months (the first
    three named, to keep the message short)."""
    source, column, year = subject
    unit, first = _UNITS[column], months.iloc[0]
    spread = "circular SD" if column == "wind_dir_deg" else "spread (IQR/1.349)"
    parts = []
    for row in months.head(3).itertuples():
        text = f"{row.month} {row.spread:.3g} against {row.ref_spread:.3g}{unit}"
        if column in _SHARES:
            text += f", {row.share:.0%} of hours {_SHARES[column][3]} against {row.ref_share:.0%}"
        parts.append(text + f" ({row.hours:,} h)")
    if len(months) > 3:
        parts.append(f"and {len(months) - 3} more")
    keys = f"meteorology.stuck_ratio_{column}" + (f", {_SHARES[column][0]}" if column in _SHARES else "")
    message = (f"station '{show(source)}': {column} varies far less in {len(months)} month(s) than in the reference "
               f"({_REFERENCE[first.reference]}): "
               f"{spread} {'; '.join(parts)} ({keys} in zzeval/reference/input_limits.csv); a stuck sensor? remove "
               "these rows (their hours become missing) or write the measured values")
    judge(out, CHECK, f"{source} {column} {year}-{year + 1}", (fname, int(first.label) + 2, column), message)
