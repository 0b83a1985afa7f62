"""An anemometer stuck at calm at the same hours of every day (hostile re-review s10-reA, finding 1: cups iced
every night, wind speed 0.0 m/s from 19:00 to 08:00 for 90 nights and the measured wind by day, passed the
stuck-sensor check, whose measures are those of whole windows: 10 of 24 hours above near calm against 24 of 24
is a ratio of 0.42. The weather adjustment read the nights as calm and moved 南村镇's weather-adjusted PM2.5
change from −11.1 % to −21.9 %, the county's from −9.6 % to −12.6 %).

So the share of hours above near calm (``meteorology.near_calm_wind_speed_ms``) of
:mod:`zzeval.season.stuck_weather` is also measured hour of day by hour of day: for each source, each window of
``meteorology.stuck_window_days`` (30) days from a midnight (one starting each day) and each hour of the day
(00:00 to 23:00) with at least ``meteorology.stuck_window_min_hours`` / 24 (10) days with a value, the share of
those days whose wind speed at that hour is above near calm, against the larger of the median of the other
sources' share at that hour in the same window and the median of the source's calendar months the window does
not touch at that hour (the references of :mod:`zzeval.season.stuck_weather`). A window's hour whose share is at
most ``meteorology.stuck_ratio_wind_share_hour`` times its reference's is refused, where that reference is at
least ``meteorology.calm_hours_reference_share``: a site whose nights are calm on most days anyway (a valley
inversion) is not judged at those hours, as a month of calm nights there is weather, not a fault. Genuine calm
nights leave some nights with wind at every hour (a front, a mountain breeze); a frozen anemometer leaves none.

One problem per spell (a run of refused windows starting on consecutive days, :mod:`zzeval.season.stuck_spells`)
of a source in a season (not when :mod:`zzeval.season.stuck_weather` already refuses its wind speed
in that season), naming the file, the first row of the first refused window at its first refused hour, the
source, the column, the hours of the day and the days refused, the lowest share against its reference and what
to fix or confirm (``weather_stuck`` by the spell's days, as the other stuck checks).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.day_windows import window_blocks, window_sums
from zzeval.season.keys import county_code
from zzeval.season.parsing import show
from zzeval.season.stuck_spells import judge_spell, spell_numbers
from zzeval.season.stuck_weather import median_of_the_others

#: The column judged.
COLUMN = "wind_speed_ms"

#: How a window's reference is named in messages: (other sources in its days, own months apart) -> words.
_REFERENCE = {(True, True): "the larger of the median of the other sources at those hours in the same days and "
                            "the median of its calendar months the window does not touch",
              (True, False): "the median of the other sources at those hours in the same days",
              (False, True): "the median of its calendar months the window does not touch, at those hours"}


def hourly_calm_shares(met: pd.DataFrame | None) -> pd.DataFrame:
    """One row per source, window (``window``: its first day, one a day, ``meteorology.stuck_window_days``
    long) and hour of the day (``hour``) with at least ``meteorology.stuck_window_min_hours`` / 24 days with a
    wind speed at that hour: its ``days``, ``share`` of them above near calm, the reference's (``ref_share``,
    ``reference``: whether other sources and own months were there), the first row label at that hour
    (``label``), ``season`` and whether it is refused (``stuck``)."""
    if met is None or met.empty or "datetime" not in met or COLUMN not in met:
        return pd.DataFrame()
    rows = met[met["datetime"].notna()]
    values = pd.to_numeric(rows[COLUMN], errors="coerce").to_numpy(dtype=float)
    given = np.isfinite(values)
    if not given.any():
        return pd.DataFrame()
    rows, values = rows[given], values[given]
    stamp = pd.to_datetime(rows["datetime"]).to_numpy().astype("datetime64[h]")
    day0 = stamp.min().astype("datetime64[D]")
    day = (stamp.astype("datetime64[D]") - day0).astype(np.int64)
    hour = (stamp - stamp.astype("datetime64[D]").astype("datetime64[h]")).astype(np.int64)
    source = county_code(rows["station_code"]).astype(str).to_numpy()
    days = int(day.max()) + 1
    length = round(input_limit("meteorology.stuck_window_days"))
    least = input_limit("meteorology.stuck_window_min_hours") / 24
    dates = day0 + np.arange(days).astype("timedelta64[D]")
    month = pd.DatetimeIndex(dates).to_period("M")
    months = pd.unique(month)
    month_of_day = np.searchsorted(np.asarray(months.astype(str)), np.asarray(month.astype(str)))
    month_first = np.array([np.flatnonzero(month_of_day == k)[0] for k in range(len(months))])
    month_end = np.append(month_first[1:], days)
    parts = []
    for code in pd.unique(source):
        mine = source == code
        counted, seen = np.zeros((days, 24)), np.zeros((days, 24))
        label = np.full((days, 24), -1, dtype=np.int64)
        seen[day[mine], hour[mine]] = 1
        counted[day[mine], hour[mine]] = values[mine] > input_limit("meteorology.near_calm_wind_speed_ms")
        calm = seen - counted
        label[day[mine], hour[mine]] = rows.index.to_numpy()[mine]
        c_seen = np.vstack([np.zeros((1, 24)), np.cumsum(seen, axis=0)])  # for the calendar months
        c_counted = np.vstack([np.zeros((1, 24)), np.cumsum(counted, axis=0)])
        starts = np.arange(days)
        n = window_sums(seen, length)  # (window, hour)
        share = window_sums(counted, length) / np.where(n > 0, n, 1)
        m_n = c_seen[month_end] - c_seen[month_first]  # (month, hour)
        m_share = np.where(m_n >= least, (c_counted[month_end] - c_counted[month_first]) / np.where(m_n > 0, m_n, 1),
                           np.nan)
        apart = (month_end[None, :] <= starts[:, None]) | (month_first[None, :] >= starts[:, None] + length)
        table = np.where(apart[:, :, None], m_share[None, :, :], np.nan)  # (window, month, hour)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window every month touches: no reference
            own = np.nanmedian(table, axis=1)
        block = window_blocks(calm, length, fill=0.0)  # (window, day, hour)
        first = np.argmax(block, axis=1)  # its first calm day at each hour, and its last
        final = length - 1 - np.argmax(block[:, ::-1, :], axis=1)
        keep = n >= least
        w, h = np.nonzero(keep)
        first_day = starts[w] + first[w, h]
        parts.append(pd.DataFrame({"source": code, "start": starts[w], "hour": h, "days": n[w, h].astype(int),
                                   "share": share[w, h], "own_share": own[w, h], "label": label[first_day, h],
                                   "first_day": first_day, "last_day": starts[w] + final[w, h]}))
    if not parts:
        return pd.DataFrame()
    shares = pd.concat(parts, ignore_index=True)
    shares["window"] = pd.DatetimeIndex(day0 + shares["start"].to_numpy().astype("timedelta64[D]")).strftime(
        "%Y-%m-%d")
    shares["season"] = season_first_year(day0 + shares["first_day"].to_numpy().astype("timedelta64[D]"))
    for name in ("first_day", "last_day"):  # the first and last calm day at that hour in the window
        shares[name.replace("day", "date")] = pd.DatetimeIndex(
            day0 + shares[name].to_numpy().astype("timedelta64[D]")).strftime("%Y-%m-%d")
    return _judged(shares)


def _judged(shares: pd.DataFrame) -> pd.DataFrame:
    """Add the reference (``ref_share``, ``reference``) and whether each window's hour is refused (``stuck``)."""
    others = median_of_the_others(shares["share"].to_numpy(dtype=float),
                                  (shares["start"] * 24 + shares["hour"]).to_numpy())
    own = shares["own_share"].to_numpy(dtype=float)
    shares["ref_share"] = np.fmax(others, own)
    shares["reference"] = list(zip(np.isfinite(others), np.isfinite(own), strict=True))
    with np.errstate(invalid="ignore"):
        shares["stuck"] = (shares["ref_share"] >= input_limit("meteorology.calm_hours_reference_share")) & (
            shares["share"] <= input_limit("meteorology.stuck_ratio_wind_share_hour") * shares["ref_share"] + 1e-12)
    return shares


def check_calm_hours(met: pd.DataFrame | None, fname: str, out: Collector, refused: set | None = None) -> None:
    """Refuse each source's wind speed stuck at calm at fixed hours of the day (module docstring): one problem
    per source and season, not for those in ``refused`` (``(source, season first year)`` whose wind speed
    :mod:`zzeval.season.stuck_weather` already refuses)."""
    shares = hourly_calm_shares(met)
    if shares.empty:
        return
    judged = shares.groupby(["source", "season"])["start"].nunique()
    shares = shares[shares["stuck"]]
    for key, rows in shares.groupby(["source", "season"], sort=True):
        if (str(key[0]), int(key[1])) in (refused or set()):
            continue
        rows = rows.sort_values(["start", "hour"])
        starts = rows["start"].drop_duplicates()
        spell = pd.Series(spell_numbers(rows["window"].drop_duplicates()), index=starts.to_numpy())
        for _, part in rows.groupby(rows["start"].map(spell).to_numpy(), sort=True):
            _report(part, (str(key[0]), int(key[1])), part["start"].nunique() == judged[key], fname, out)


def hour_ranges(hours) -> str:
    """The hours of the day as ranges around midnight: [19, ..., 23, 0, ..., 8] -> '19:00-08:00' (the first four
    ranges, and how many more)."""
    hours = sorted(set(int(h) for h in hours))
    runs: list[list[int]] = []
    for h in hours:
        if runs and h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 23:  # a run across midnight
        runs[0] = runs.pop() + runs[0]
    shown = [f"{r[0]:02d}:00" + (f"-{r[-1]:02d}:00" if len(r) > 1 else "") for r in runs]
    return ", ".join(shown[:4]) + (f" and {len(shown) - 4} more" if len(shown) > 4 else "")  # a short message


def _report(rows: pd.DataFrame, subject: tuple[str, int], whole_season: bool, fname: str, out: Collector) -> None:
    """One refusal (confirmable) of a spell of a source's wind speed in a season (:mod:`zzeval.season.stuck_spells`):
    ``rows`` its refused window-hours (``first_date``, ``last_date``: their first and last calm days, the spell's
    days); ``whole_season``: every window of the season judged is in the spell."""
    source, year = subject
    days = round(input_limit("meteorology.stuck_window_days"))
    near = input_limit("meteorology.near_calm_wind_speed_ms")
    first, last = rows["first_date"].min(), rows["last_date"].max()
    lowest = rows.assign(r=rows["share"] / rows["ref_share"]).sort_values(["r", "start", "hour"], kind="stable").iloc[0]
    earliest = rows.sort_values(["first_day", "hour"], kind="stable").iloc[0]  # the first calm hour refused
    message = (f"station '{show(source)}': {COLUMN} is at or near calm (at most {near:g} m/s) at the same hours of "
               f"nearly every day, {hour_ranges(rows['hour'])}, from {first} to {last} ({rows['window'].nunique()} "
               f"window(s) of {days} days): at {int(lowest.hour):02d}:00 in the {days} days from {lowest.window} "
               f"{lowest.share:.0%} of {int(lowest.days)} days above near calm against {lowest.ref_share:.0%} in the "
               f"reference ({_REFERENCE[lowest.reference]}; meteorology.stuck_ratio_wind_share_hour in "
               "zzeval/reference/input_limits.csv); an anemometer frozen (iced) at those hours? remove the wind speed "
               "of those hours (they become missing) or write the measured values")
    judge_spell(out, (source, COLUMN, year), (first, last), whole_season, (fname, int(earliest.label) + 2, COLUMN),
                message)
