"""Weather sensors stuck for part of a season (hostile review 9A, finding 3; spot review S1, issue #13; hostile
review s10-hostA, findings 1 and 6).

A sensor that stops measuring keeps writing one value, or flickers in its last digits: an anemometer frozen at
0 or at its noise floor (0.1/0.3 m/s), a hygrometer saturated at 98-100 %, a thermometer repeating its last
reading. Each value is valid, so such hours passed when the sensor stuck for part of a season (a whole season
of one value is refused by :func:`zzeval.season.plausible._check_constant_weather`), and the weather
adjustment read them as weather: three months of 'calm' from 1 January moved a township's weather-adjusted
PM2.5 change from −11.1 % to −31 %. Runs of one value (the check before this one) were dodged by a flicker
across a limit, one good reading every 70 hours or a gap every 60 hours.

Here each source of the table (a station, or the county rows) is compared, column by column of
:data:`STUCK_COLUMNS` (:data:`zzeval.season.weather_copy.VARYING_WEATHER` and the boundary-layer height where
measured: hostile review s10-hostA finding 1, a BLH frozen at 300 m for three months), over every window of
``meteorology.stuck_window_days`` (30) days from a midnight, one starting each day, with a reference: how much
its values vary in the window (the spread of its hourly values: the interquartile range / 1.349, a robust
standard deviation a few outliers do not move; for the wind direction the circular standard deviation) against
the larger of the median of the other sources' spread in the same window (where the table holds other sources)
and the median of the same source's calendar months that the window does not touch. The larger, so that a
window is refused when it varies far less than either: one frozen sensor written as the county rows and every
station's rows, or every station's anemometer at its noise floor from January, makes the other sources'
reference stuck too (spot review S1 follow-up); the calendar months apart from the window, so that a sensor
stuck a whole season is still compared with the other season's months. For the wind speed also the share of
the window's hours above near calm (``meteorology.near_calm_wind_speed_ms``) is compared so, and for the
relative humidity the share of hours below near saturation (``meteorology.near_saturation_rh_pct``): a
hygrometer flickering over 94-100 % varies too much to be told by its spread alone. A window whose spread (or
share) is at most ``meteorology.stuck_ratio_<column>`` (``meteorology.stuck_ratio_wind_share``, ``_rh_share``)
times its reference's is refused (``zzeval/reference/input_limits.csv``, each several times below the lowest
ratio of genuine weather measured), one problem per spell (a run of refused windows starting on consecutive days,
:mod:`zzeval.season.stuck_spells`) of a source's column in a season naming the file, the first row of
the window that varies least, the source, the column, the first and last refused window and the three that vary
least with their spreads and the reference's. A window with fewer than ``meteorology.stuck_window_min_hours``
hours with a value is not judged (nor a calendar month with fewer used as a reference). Windows a day apart, not
calendar months: a sensor stuck for 30 days or more in a row fills at least one window whatever its dates (by
calendar month, one stuck 42 days from 9 January to 19 February, under three quarters of each month, passed:
hostile review s10-hostA finding 6). A shorter spell is found where enough of a window is one value to leave
it no interquartile range (measured on the 3-township sample from 9 January 2021: BLH frozen at 300 m from 14
days, temperature from 18, RH and pressure from 23, the anemometer at 0.1/0.3/0.2 m/s from 29); one of 13 days
or less is not. A month, not a week: a
genuine foggy or calm week varies as little as a flickering sensor (the measurements in input_limits.csv). Nor
is a sensor found that is stuck in most months of the table in every source at once (both references are then
stuck). A genuine spell this still refuses (a month of fog) is confirmed in season.yaml by its days
(``weather_stuck``, ``county rh_pct 2020-12-27..2021-02-24``; :mod:`zzeval.season.stuck_spells`). An anemometer at calm at the same hours of every day and measuring the others
(cups iced every night) keeps half its window's hours above near calm: the share is also judged hour of day by
hour of day, by :mod:`zzeval.season.calm_hours`.

Checked on rows that hold every row of their sources (a table, or a station-complete Parquet chunk).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.boundary_layer import measured_blh
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.day_windows import window_blocks
from zzeval.season.keys import county_code
from zzeval.season.parsing import show
from zzeval.season.stuck_spells import judge_spell, season_end, spell_numbers
from zzeval.season.weather_copy import VARYING_WEATHER

#: The units of the columns, for messages.
_UNITS = {"temperature_c": " °C", "rh_pct": " %", "wind_speed_ms": " m/s", "wind_dir_deg": "°", "pressure_hpa": " hPa",
          "blh_m": " m"}

#: The columns judged: the weather model's inputs that vary in any season, and the boundary-layer height
#: (where measured: a height of 0 is none, :mod:`zzeval.season.boundary_layer`).
STUCK_COLUMNS = (*VARYING_WEATHER, "blh_m")

#: How a month's reference is named in messages.
_REFERENCE = {"other sources": "the median of the other sources in the same days",
              "other months": "the median of its calendar months the window does not touch",
              "both": "the larger of the median of the other sources in the same days and the median of its "
                      "calendar months the window does not touch"}

#: Which reference a window has: (other sources in its days, own months apart) -> its name in _REFERENCE.
_KIND = {(True, True): "both", (True, False): "other sources", (False, True): "other months", (False, False): ""}

#: The columns judged also by a share of hours: the limit of its ratio, the limit of the hours counted, whether
#: the hours counted are above it (wind: above near calm) or below it (RH: below near saturation), the words.
_SHARES = {"wind_speed_ms": ("meteorology.stuck_ratio_wind_share", "meteorology.near_calm_wind_speed_ms", True,
                             "above near calm"),
           "rh_pct": ("meteorology.stuck_ratio_rh_share", "meteorology.near_saturation_rh_pct", False,
                      "below near saturation")}

#: The columns judged also by their persistence (the lag-1 autocorrelation of the hourly values: hostile
#: re-review s10-reA finding 1): an anemometer writing noise varies as much as the wind but not hour by hour.
#: Not the wind direction (circular).
PERSISTENT = ("temperature_c", "rh_pct", "wind_speed_ms", "pressure_hpa", "blh_m")

#: The robust standard deviation of a normal distribution from its interquartile range.
_IQR_TO_SD = 1.349


def check_stuck_weather(met: pd.DataFrame | None, fname: str, out: Collector) -> set[tuple[str, int]]:
    """Refuse each source's column with a window that varies far less than its reference (module docstring):
    one problem per spell of a source's column in a season, naming the days its refused windows cover. A source whose
    column holds one value all season is left to :func:`zzeval.season.plausible._check_constant_weather`
    (refused there, not confirmable). Returns the sources and seasons (first year) whose wind speed is refused
    here or one value all season (:func:`zzeval.season.calm_hours.check_calm_hours` leaves them out)."""
    windows = window_spreads(met)
    if windows.empty:
        return set()
    wind = windows[(windows["column"] == "wind_speed_ms") & (windows["stuck"] | windows["flat"])]
    judged = windows.groupby(["source", "column", "season"]).size()
    windows = windows[windows["stuck"] & ~windows["flat"]]
    force = _beaufort_seasons(met, windows, fname, out)
    for key, rows in windows.groupby(["source", "column", "season"], sort=True):
        if key[1] == "wind_speed_ms" and (str(key[0]), int(key[2])) in force:
            continue  # refused as a Beaufort force, not as a stuck anemometer
        rows = rows.sort_values("window")
        for _, spell in rows.groupby(spell_numbers(rows["window"]), sort=True):
            _report(spell, (str(key[0]), str(key[1]), int(key[2])), len(spell) == judged[key], fname, out)
    return set(zip(wind["source"].astype(str), wind["season"].astype(int), strict=True))


#: The Beaufort scale's highest force (风力 0-12 级, GB/T 28591-2012): a force is a whole number up to it.
_BEAUFORT_MAX = 12


def _beaufort_seasons(met: pd.DataFrame, stuck: pd.DataFrame, fname: str, out: Collector) -> set[tuple[str, int]]:
    """The sources and seasons whose wind speed varies far less than its reference (``stuck`` windows) and holds
    only whole numbers from 0 to 12: a Beaufort force (风力, 级) written as the speed, refused as such, not as a
    stuck anemometer with an offer to confirm (hostile review s13-hostB, M08: a season of forces 0-4 was called a
    stuck sensor, and confirming it moved the county's weather-adjusted change by 3.6 points). A force compresses
    the speeds (force 2 is 1.6-3.3 m/s), hence the low spread; whole metres per second of a genuine record
    (rounded as some exports do) keep their spread and are not refused by the window check, so not here either."""
    wind = stuck[stuck["column"] == "wind_speed_ms"]
    if wind.empty or "wind_speed_ms" not in met:
        return set()
    rows = met[met["datetime"].notna()]
    speed = pd.to_numeric(rows["wind_speed_ms"], errors="coerce")
    frame = pd.DataFrame({"source": county_code(rows["station_code"]).astype(str).to_numpy(),
                          "season": np.asarray(season_first_year(pd.to_datetime(rows["datetime"]))),
                          "speed": speed.to_numpy(dtype=float), "label": rows.index.to_numpy()})
    frame = frame[np.isfinite(frame["speed"])]
    found = set()
    for (source, year), part in frame.groupby(["source", "season"], sort=True):
        if (str(source), int(year)) not in set(zip(wind["source"].astype(str), wind["season"].astype(int),
                                                    strict=True)):
            continue
        values = part["speed"].to_numpy()
        if not ((values % 1 == 0).all() and values.max() <= _BEAUFORT_MAX):
            continue
        found.add((str(source), int(year)))
        counts = pd.Series(values).value_counts().sort_index()
        shown = ", ".join(f"{v:g} ({n:,} h)" for v, n in counts.items())
        out.add(fname, int(part["label"].iloc[0]) + 2, "wind_speed_ms",
                f"station '{show(str(source))}', season from {int(year)}: every wind_speed_ms is a whole number from 0 "
                f"to {values.max():g} ({shown}) and varies far less than the reference: a Beaufort force (风力, 级), "
                "not a speed in m/s? A force is a range of speeds (force 2 is 1.6-3.3 m/s): write the measured "
                "speeds in m/s (the weather bureau's 风速 record), or remove these rows (their hours become missing)")
    return found


def window_spreads(met: pd.DataFrame | None) -> pd.DataFrame:
    """One row per source, column and window (``meteorology.stuck_window_days`` days from a midnight, one a
    day) with at least ``meteorology.stuck_window_min_hours`` hours with a value: its start (``window``, a
    date), first row label, season, hours, spread, share (wind speed, RH), the reference's spread and share,
    where the reference comes from, whether the window is refused (``stuck``) and whether its source's column
    is one value all season (``flat``)."""
    if met is None or met.empty or "datetime" not in met:
        return pd.DataFrame()
    rows = met[met["datetime"].notna()]
    if rows.empty:
        return pd.DataFrame()
    stamp = pd.to_datetime(rows["datetime"]).to_numpy().astype("datetime64[h]")
    day0 = stamp.min().astype("datetime64[D]")
    hour = (stamp - day0.astype("datetime64[h]")).astype(np.int64)
    source = county_code(rows["station_code"]).astype(str).to_numpy()
    labels = rows.index.to_numpy()
    frames = []
    for column in STUCK_COLUMNS:
        if column not in rows:
            continue
        values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float)
        values = measured_blh(values) if column == "blh_m" else values  # 0 m: not measured (boundary_layer)
        frame = _column_windows((source, hour, labels, day0), column, values)
        if not frame.empty:
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _column_windows(where: tuple, column: str, values: np.ndarray) -> pd.DataFrame:
    """:func:`window_spreads` of one column: ``where`` the rows' sources, hour numbers from ``day0``'s
    midnight, labels and ``day0``."""
    source, hour, labels, day0 = where
    days = round(input_limit("meteorology.stuck_window_days"))
    length = days * 24
    least = input_limit("meteorology.stuck_window_min_hours")
    span = int(hour.max()) + 1
    starts = np.arange(0, span, 24)
    months = pd.date_range(pd.Timestamp(day0).to_period("M").to_timestamp(), periods=span // 672 + 2, freq="MS")
    month_start = np.maximum(((months - pd.Timestamp(day0)) // pd.Timedelta(hours=1)).to_numpy(), 0)
    inside = month_start[:-1] < span
    month_bounds = (month_start[:-1][inside], month_start[1:][inside])
    parts = []
    for code in pd.unique(source):
        mine = (source == code) & np.isfinite(values)
        if not mine.any():
            continue
        grid = np.full(span + 800, np.nan)  # padded beyond the last hour by more than a window or a month
        grid[hour[mine]] = values[mine]
        label = np.full(span + 800, -1, dtype=np.int64)
        label[hour[mine]] = labels[mine]
        by_day = grid[:len(starts) * 24].reshape(len(starts), 24)  # the hours of each day from day0
        windows = _block_measures(window_blocks(by_day, days).reshape(len(starts), length), column)
        keep = windows["hours"] >= least
        if not keep.any():
            continue
        part = windows[keep].assign(source=code, start=starts[keep])
        part["window"] = day0 + (part["start"].to_numpy() // 24).astype("timedelta64[D]")
        part["label"] = label[part["start"].to_numpy() + part["first"].to_numpy()]
        part["season"] = np.asarray(season_first_year(pd.Series(
            day0.astype("datetime64[h]") + part["start"].to_numpy() + part["first"].to_numpy())))
        own = _measures(grid, month_bounds[0], month_bounds[1] - month_bounds[0], column)
        own = own.assign(start=month_bounds[0], end=month_bounds[1])[own["hours"] >= least]
        for m in _measures_of(column):  # the median of the source's calendar months the window does not touch
            apart = (own["end"].to_numpy()[None, :] <= part["start"].to_numpy()[:, None]) | \
                    (own["start"].to_numpy()[None, :] >= part["start"].to_numpy()[:, None] + length)
            table = np.where(apart, own[m].to_numpy()[None, :], np.nan)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a window every month touches: no reference
                part[f"own_{m}"] = np.nanmedian(table, axis=1) if table.shape[1] else np.nan
        flat = {}
        for year in pd.unique(part["season"]):
            season_values = values[mine][np.asarray(season_first_year(pd.Series(
                day0.astype("datetime64[h]") + hour[mine]))) == year]
            flat[year] = len(season_values) > 0 and season_values.min() == season_values.max()
        part["flat"] = part["season"].map(flat).astype(bool)
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    windows = pd.concat(parts, ignore_index=True)
    windows["window"] = pd.to_datetime(windows["window"]).dt.strftime("%Y-%m-%d")
    windows["column"] = column
    return _judged(windows, column)


def _measures_of(column: str) -> list[str]:
    """The measures a column is judged by: its spread, for the wind speed and the RH a share of hours, and
    (:data:`PERSISTENT`) its persistence."""
    return ["spread"] + (["share"] if column in _SHARES else []) + (["persistence"] if column in PERSISTENT else [])


def _measures(grid: np.ndarray, starts: np.ndarray, lengths: np.ndarray, column: str) -> pd.DataFrame:
    """Per span of ``lengths`` hours from each of ``starts`` of the hourly ``grid`` (NaN without a value): its
    hours with a value, the place of the first, its spread and (wind speed, RH) its share of hours counted."""
    width = int(lengths.max()) if len(lengths) else 1
    block = np.lib.stride_tricks.sliding_window_view(grid, width)[starts].copy()
    block[np.arange(width)[None, :] >= lengths[:, None]] = np.nan
    return _block_measures(block, column)


def _block_measures(block: np.ndarray, column: str) -> pd.DataFrame:
    """:func:`_measures` of the spans of hours given as the rows of ``block`` (NaN without a value)."""
    given = np.isfinite(block)
    out = pd.DataFrame({"hours": given.sum(axis=1), "first": np.argmax(given, axis=1)})
    out["spread"] = _circular_sd(block) if column == "wind_dir_deg" else _robust_sd(block)
    if column in _SHARES:
        _, limit, above, _ = _SHARES[column]
        counted = (block > input_limit(limit)) if above else (block < input_limit(limit))
        with np.errstate(all="ignore"):
            out["share"] = counted.sum(axis=1) / out["hours"].to_numpy()
    if column in PERSISTENT:
        out["persistence"] = _lag1_autocorrelation(block)
    return out


def _lag1_autocorrelation(block: np.ndarray) -> np.ndarray:
    """The correlation of each hour's value with the next hour's, per row of ``block`` (pairs of consecutive
    hours that both hold a value); NaN where fewer than ``meteorology.stuck_window_min_hours`` pairs or
    either side holds one value."""
    now, nxt = block[:, :-1], block[:, 1:]
    pair = np.isfinite(now) & np.isfinite(nxt)
    n = pair.sum(axis=1)
    a, b = np.where(pair, now, 0.0), np.where(pair, nxt, 0.0)
    with np.errstate(all="ignore"):
        ma, mb = a.sum(axis=1) / n, b.sum(axis=1) / n
        da, db = np.where(pair, a - ma[:, None], 0.0), np.where(pair, b - mb[:, None], 0.0)
        va, vb = (da * da).sum(axis=1), (db * db).sum(axis=1)
        r = (da * db).sum(axis=1) / np.sqrt(va * vb)
    enough = (n >= input_limit("meteorology.stuck_window_min_hours")) & (va > 1e-12) & (vb > 1e-12)
    return np.where(enough, r, np.nan)


def _robust_sd(block: np.ndarray) -> np.ndarray:
    """The interquartile range / 1.349 of each row of ``block`` over its values (NaN ignored), as
    :meth:`pandas.Series.quantile` interpolates it (linearly)."""
    ordered = np.sort(block, axis=1)  # NaN last
    n = np.isfinite(ordered).sum(axis=1)
    rows = np.arange(len(ordered))

    def quantile(q: float) -> np.ndarray:
        position = q * (n - 1)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, n - 1)
        return ordered[rows, low] + (position - low) * (ordered[rows, high] - ordered[rows, low])

    return (quantile(0.75) - quantile(0.25)) / _IQR_TO_SD


def _circular_sd(block: np.ndarray) -> np.ndarray:
    """The circular standard deviation [°] of each row of ``block`` (degrees; NaN ignored); 0 for one value."""
    angle = np.deg2rad(block)
    n = np.maximum(np.isfinite(block).sum(axis=1), 1)
    length = np.hypot(np.nansum(np.cos(angle), axis=1) / n, np.nansum(np.sin(angle), axis=1) / n)
    length = np.clip(length, 1e-12, 1.0)
    return np.where(length > 1 - 1e-9, 0.0, np.rad2deg(np.sqrt(-2 * np.log(length))))


def _judged(windows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Add each window's reference (``ref_spread``, ``ref_share``; ``reference``: 'other sources', 'other
    windows' or 'both') and whether it is refused (``stuck``). Where both references exist the larger is used,
    so that a window is refused when it varies far less than either: the other sources stuck in the same days
    (one frozen sensor written as every station's rows) no longer hide it, nor do its own other windows stuck."""
    source, window = windows["source"].to_numpy(), windows["window"].to_numpy()
    sources_in_window = pd.Series(source).groupby(window).transform("size").to_numpy()
    own_months = np.isfinite(windows["own_spread"].to_numpy(dtype=float))
    kind = np.array([_KIND[(bool(o > 1), bool(w))] for o, w in zip(sources_in_window, own_months, strict=True)],
                    dtype=object)
    stuck = np.zeros(len(windows), dtype=bool)
    for m in _measures_of(column):
        values = windows[m].to_numpy(dtype=float)
        ref = np.fmax(median_of_the_others(values, window), windows[f"own_{m}"].to_numpy(dtype=float))
        windows[f"ref_{m}"] = ref
        key = {"share": _SHARES.get(column, ("",))[0], "persistence": "meteorology.stuck_ratio_persistence"}.get(
            m, f"meteorology.stuck_ratio_{column}")
        judged = np.isfinite(ref)
        if m == "persistence":  # a reference that is itself not persistent (noise, or a table of it) says nothing
            judged &= ref >= input_limit("meteorology.persistent_weather_lag1")
        with np.errstate(invalid="ignore"):
            stuck |= judged & (values <= input_limit(key) * ref + 1e-12)
    windows["reference"], windows["stuck"] = kind, stuck
    return windows


def median_of_the_others(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For each row, the median of ``values`` of the other rows of its group (NaN where it is alone): of the
    group sorted, leaving out the row's own place."""
    out = np.full(len(values), np.nan)
    for rows in pd.Series(np.arange(len(values))).groupby(groups).indices.values():
        n = len(rows)
        if n < 2:
            continue
        order = np.argsort(values[rows], kind="stable")
        ordered = values[rows][order]
        place = np.empty(n, dtype=int)
        place[order] = np.arange(n)
        m = n - 1  # the others
        out[rows] = (_of_the_others(ordered, place, (m - 1) // 2) if m % 2 else
                     (_of_the_others(ordered, place, m // 2 - 1) + _of_the_others(ordered, place, m // 2)) / 2)
    return out


def _of_the_others(ordered: np.ndarray, place: np.ndarray, j: int) -> np.ndarray:
    """For each value of a group (``ordered`` its values sorted, ``place`` each value's place in it), the
    ``j``-th smallest (from 0) of the others."""
    return np.where(j < place, ordered[j], ordered[min(j + 1, len(ordered) - 1)])


def _report(windows: pd.DataFrame, subject: tuple[str, str, int], whole_season: bool, fname: str,
            out: Collector) -> None:
    """One refusal (confirmable) of a spell of a source's column in a season (:mod:`zzeval.season.stuck_spells`):
    ``windows`` its refused windows, in time order (the first and last named, and the two that vary least against
    their reference, to keep the message short), the days they cover; ``whole_season``: every window judged.
    The row is the first of the window that varies least (by its spread, then its share of hours), the earliest
    of equals: the first of a sensor's stuck days, or up to two weeks before them where three quarters of a
    window at one value (half, at a value amid the others) already has no interquartile range."""
    source, column, year = subject
    unit, days = _UNITS[column], round(input_limit("meteorology.stuck_window_days"))
    spread = "circular SD" if column == "wind_dir_deg" else "spread (IQR/1.349)"
    share = windows["share"] / windows["ref_share"] if column in _SHARES else 0.0
    lowest = windows.assign(r=windows["spread"] / windows["ref_spread"], s=share).sort_values(
        ["r", "s", "window"], kind="stable")
    least = lowest.iloc[0]
    parts = []
    for row in lowest.head(2).itertuples():
        text = f"from {row.window} {row.spread:.3g} against {row.ref_spread:.3g}{unit}"
        if column in _SHARES:
            text += f", {row.share:.0%} of hours {_SHARES[column][3]} against {row.ref_share:.0%}"
        if column in PERSISTENT:
            text += f", lag-1 autocorrelation {row.persistence:.2f} against {row.ref_persistence:.2f}"
        parts.append(text + f" ({row.hours:,} h)")
    if len(windows) > 2:
        parts.append(f"and {len(windows) - 2} more")
    keys = f"meteorology.stuck_ratio_{column}" + (f", {_SHARES[column][0]}" if column in _SHARES else "") + \
        (", meteorology.stuck_ratio_persistence" if column in PERSISTENT else "")
    last = min(str((pd.Timestamp(windows["window"].iloc[-1]) + pd.Timedelta(days=days - 1)).date()), season_end(year))
    covered = (windows["window"].iloc[0], last)
    message = (f"station '{show(source)}': {column} varies far less in {len(windows)} window(s) of {days} days "
               f"(the days {covered[0]}..{covered[1]}) than in the reference "
               f"({_REFERENCE[least.reference]}): {spread} {'; '.join(parts)} ({keys} in zzeval/reference/"
               "input_limits.csv); a stuck sensor? remove these rows (their hours become missing) or write the "
               "measured values")
    judge_spell(out, subject, covered, whole_season, (fname, int(least.label) + 2, column), message)
