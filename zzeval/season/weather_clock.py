"""A season's weather stamped on another clock than Beijing time (hostile review s12-hostA, W01).

Air quality's clock is checked (:mod:`zzeval.season.aq_clock`); the weather's was not: the previous season's
weather exported in UTC without an offset (every stamp 8 hours early) paired each hour's air with the weather of
8 hours later and moved the county's adjusted change −9.55 → −10.70 % (R² 0.87 → 0.76), with nothing refused.

Air temperature peaks in the early afternoon of local solar time (the ground heats until the sun's input falls
below its losses). Zezhou lies at about 112.85° E, so local solar time is Beijing time (120° E) less
:data:`SOLAR_OFFSET_HOURS`. For each station (or the county rows) and season with at least :data:`LEAST_DAYS`
days of temperature, the hour of the peak of the mean daily cycle (each hour's departure from its day's mean, the
phase of the 24-hour harmonic: robust to single hours) is compared with ``meteorology.clock_peak_solar_hour``; a
peak more than ``meteorology.clock_peak_tolerance_hours`` from it is refused, naming the hours to add. Where the
daily cycle is weak (an amplitude below ``meteorology.clock_min_amplitude_c``: a cloudy, foggy or maritime season)
the peak is less certain and the refusal is a judgement check (``weather_clock``, season.yaml ``confirmed:``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.confirm import judge
from zzeval.season.keys import county_code
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a season whose weak daily cycle peaks off the clock.
CHECK = "weather_clock"

#: The key of input_limits.csv: the most hours a season's temperature peak may lie off the expected hour.
PEAK_TOLERANCE = "meteorology.clock_peak_tolerance_hours"

#: Zezhou's longitude (about 112.85° E, the county seat) against Beijing time's 120° E, in hours (4 min a degree).
SOLAR_OFFSET_HOURS = (120 - 112.85) / 15

#: The fewest days with temperature of a season judged.
LEAST_DAYS = 30


def expected_peak_hour() -> float:
    """The Beijing-time hour about which a season's mean daily cycle of temperature should peak:
    ``meteorology.clock_peak_solar_hour`` (local solar time) plus :data:`SOLAR_OFFSET_HOURS`."""
    return input_limit("meteorology.clock_peak_solar_hour") + SOLAR_OFFSET_HOURS


def temperature_peaks(met: pd.DataFrame) -> pd.DataFrame:
    """Each source's season (``source``, ``year``) with at least :data:`LEAST_DAYS` days of temperature: ``peak``,
    the hour of the stamps' clock at which its mean daily cycle of temperature peaks (24-hour harmonic),
    ``amplitude`` (°C, half the harmonic's range), ``days`` and ``first`` (its first row)."""
    columns = ["source", "year", "peak", "amplitude", "days", "first"]
    if "temperature_c" not in met or met.empty:
        return pd.DataFrame(columns=columns)
    values = pd.to_numeric(met["temperature_c"], errors="coerce")
    given = values.notna() & met["datetime"].notna()
    if not given.any():
        return pd.DataFrame(columns=columns)
    t = pd.DatetimeIndex(met.loc[given, "datetime"])
    part = pd.DataFrame({"source": county_code(met["station_code"])[given].to_numpy(),
                         "year": season_first_year(t), "day": t.normalize(), "hour": t.hour,
                         "v": values[given].to_numpy(), "row": met.index[given]})
    part["dev"] = part["v"] - part.groupby(["source", "day"])["v"].transform("mean")
    angle = 2 * np.pi * part["hour"].to_numpy() / 24
    part["c"], part["s"] = part["dev"] * np.cos(angle), part["dev"] * np.sin(angle)
    profile = part.groupby(["source", "year", "hour"], sort=True)[["c", "s"]].mean()
    sums = profile.groupby(level=["source", "year"]).sum()
    grouped = part.groupby(["source", "year"], sort=True)
    out = pd.DataFrame({"peak": (np.degrees(np.arctan2(sums["s"], sums["c"])) / 15) % 24,
                        "amplitude": 2 * np.hypot(sums["c"], sums["s"]) / 24,
                        "days": grouped["day"].nunique(), "first": grouped["row"].min()})
    return out[out["days"] >= LEAST_DAYS].reset_index()[columns]


def check_weather_clock(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse each source's season whose temperature peaks more than ``meteorology.clock_peak_tolerance_hours``
    from ``meteorology.clock_peak_solar_hour`` local solar time (a judgement check where its daily cycle is
    weaker than ``meteorology.clock_min_amplitude_c``), on the season's first row, naming the hours to add."""
    peaks = temperature_peaks(met)
    if peaks.empty:
        return
    expected = expected_peak_hour()
    tolerance = input_limit(PEAK_TOLERANCE)
    weak = input_limit("meteorology.clock_min_amplitude_c")
    peaks["early"] = (expected - peaks["peak"] + 12) % 24 - 12  # hours the stamps are early (negative: late)
    for p in peaks.itertuples(index=False):
        if abs(p.early) <= tolerance:
            continue
        right = peaks[(peaks["source"] == p.source) & (peaks["early"].abs() <= tolerance)]
        # against the source's season on the clock where there is one (its own peak hour), else the expected hour
        early = (right["peak"].iloc[0] - p.peak + 12) % 24 - 12 if len(right) else p.early
        shift = int(round(early))
        what = ("stamped in UTC without an offset (8 hours early)? add 8 hours to every stamp of the season" if
                7 <= shift <= 9 else f"{'add' if shift > 0 else 'subtract'} {abs(shift)} hours to every stamp of "
                                     "the season, so that they are in Beijing time")
        season = int(p.year)
        message = (f"station '{show(p.source)}': the mean daily cycle of temperature_c of the season from {season} "
                   f"peaks at {int(p.peak):02d}:{int(round(p.peak % 1 * 60)) % 60:02d} of its stamps (amplitude "
                   f"{p.amplitude:.1f} °C, {int(p.days)} days); air temperature peaks in the early afternoon, about "
                   f"{int(expected):02d}:{int(round(expected % 1 * 60)):02d} Beijing time here (within "
                   f"{tolerance:g} hours: meteorology.clock_peak_solar_hour in zzeval/reference/input_limits.csv): "
                   f"the weather must be in Beijing time, as air_quality; is the season {what}")
        where = (fname, int(p.first) + 2, "datetime")
        if p.amplitude >= weak:
            out.add(*where, message)
        else:
            judge(out, CHECK, f"{p.source} {season}-{season + 1}", where,
                  message + f" (the daily cycle is weak, below {weak:g} °C: if the stamps are right, confirm it)")
