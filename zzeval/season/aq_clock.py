"""One season's air quality stamped on another clock than the other season's (hostile review s11-C, F7).

A platform that exports UTC without an offset stamps every hour 8 hours early. With the weather in
Beijing time, the weather model of that season pairs each hour's air with the weather 8 hours later: the
previous season in UTC moved the county's weather-adjusted change from −9.55 to −13.75 % and nothing was
refused (the measured change hardly moves, so nothing else notices).

The mean diurnal cycle of a pollutant at a station (ozone's afternoon peak, the morning and evening
peaks of NO2, CO and PM2.5: traffic, heating and the boundary layer) keeps its hours from one winter to
the next. For every station, each earlier season against the assessed one, the standardised mean profiles by hour of the day of
:data:`POLLUTANTS`, summed over the pollutants, are correlated at every circular lag of −12..+12 hours;
the lag that aligns them best is how many hours one season's stamps are shifted against the other's, judged
only where that best alignment is clear (a mean correlation of at least ``air_quality.clock_min_correlation``:
profiles without a daily cycle, pure noise or a few weeks, align somewhere by chance).
A lag of at least ``air_quality.clock_lag_hours`` (genuine data: 0) is refused as a judgement check
(``aq_clock``, subject the season's years; :mod:`zzeval.season.confirm`). The season shifted is the one
whose ozone peaks further from the afternoon (:data:`OZONE_PEAK_HOUR`); the message says how many hours
to add or subtract ("stamped in UTC? add 8 hours" for a season 8 hours early). One groupby of the table:
cheap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.confirm import judge
from zzeval.season.parsing import show

CHECK = "aq_clock"
#: The key of input_limits.csv: the least lag [h] of the diurnal cycle that is refused.
LAG_FLOOR = "air_quality.clock_lag_hours"
LIMITS_FILE = "zzeval/reference/input_limits.csv"
#: The pollutants whose diurnal cycle is compared.
POLLUTANTS = ("O3", "NO2", "CO", "PM2.5")
#: The local hour around which a winter's mean ozone peaks (photochemistry, 13-17 h).
OZONE_PEAK_HOUR = 15
LAGS = np.arange(-12, 13)


def check_air_quality_clock(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse (confirmable) a station whose two seasons' diurnal cycles align best at a lag of at least
    ``air_quality.clock_lag_hours`` (module docstring)."""
    if aq is None or aq.empty or not {"station_code", "pollutant", "datetime", "value"} <= set(aq):
        return
    part = aq.loc[aq["pollutant"].isin(POLLUTANTS) & aq["value"].notna() & aq["datetime"].notna(),
                  ["station_code", "pollutant", "datetime", "value"]]
    if part.empty:
        return
    times = pd.DatetimeIndex(part["datetime"])
    year = season_first_year(times)
    years = sorted(np.unique(year).tolist())
    if len(years) < 2:
        return
    # the mean by station, pollutant, season and hour of the day: one bincount (cheap on 10⁶ rows)
    station, stations = pd.factorize(part["station_code"])
    pollutant, pollutants = pd.factorize(part["pollutant"])
    shape = (len(stations), len(pollutants), len(years), 24)
    key = np.ravel_multi_index((station, pollutant, np.searchsorted(years, year), times.hour.to_numpy()), shape)
    count = np.bincount(key, minlength=int(np.prod(shape))).reshape(shape)
    total = np.bincount(key, weights=part["value"].to_numpy(dtype=float), minlength=count.size).reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    least = input_floor(LAG_FLOOR)
    first_rows = part.assign(year=year).groupby("year").head(1)
    for k in range(len(years) - 1):  # each earlier season against the assessed (last) one
        pair = [years[k], years[-1]]
        found: dict[int, list] = {}
        for i, code in enumerate(stations):
            lag, peaks = _best_lag(mean[i][:, [k, -1]], count[i][:, [k, -1]], list(pollutants), pair)
            if lag is not None and abs(lag) >= least:
                found.setdefault(lag, []).append((code, peaks))
        for lag, found_stations in found.items():
            _refuse(lag, found_stations, pair, first_rows, (fname, least), out)


def _best_lag(mean: np.ndarray, count: np.ndarray, pollutants: list, years: list) -> tuple[int | None, dict]:
    """The circular lag (hours the previous season's profile is moved forward) that best aligns the two
    seasons' standardised mean profiles (``mean``: pollutant × season × hour), summed over the pollutants
    with every hour of both seasons on ``air_quality.clock_min_days`` days; and the hour of each season's ozone peak
    (empty where ozone is missing)."""
    score = np.zeros(len(LAGS))
    used, least_days = 0, input_floor("air_quality.clock_min_days")
    peaks = {}
    for j, pollutant in enumerate(pollutants):
        before, after = mean[j]
        if count[j].min() < least_days or before.std() <= 0 or after.std() <= 0:
            continue
        if pollutant == "O3":
            peaks = {years[0]: int(np.argmax(before)), years[1]: int(np.argmax(after))}
        before, after = (before - before.mean()) / before.std(), (after - after.mean()) / after.std()
        score += np.array([np.mean(np.roll(before, lag) * after) for lag in LAGS])
        used += 1
    if not used:
        return None, peaks
    best = int(np.argmax(score))
    if score[best] / used < input_floor("air_quality.clock_min_correlation"):
        return None, peaks  # no clear daily cycle to align (noise, a few weeks): nothing to judge
    return int(LAGS[best]), peaks


def _refuse(lag: int, stations: list, years: list, first_rows: pd.DataFrame, where: tuple[str, float],
            out: Collector) -> None:
    """One refusal for the stations whose seasons are ``lag`` hours apart (the previous season's profile
    moved forward by ``lag`` hours matches the current one)."""
    fname, least = where
    peaks = stations[0][1]
    label = {y: f"{y}-{y + 1}" for y in years}

    def off(year: int) -> int:  # how far a season's ozone peak is from the afternoon, circularly
        d = abs(peaks[year] - OZONE_PEAK_HOUR) % 24
        return min(d, 24 - d)

    # the shifted season: the one whose ozone peaks away from the afternoon (the previous without ozone)
    shifted = years[1] if peaks and off(years[1]) > off(years[0]) else years[0]
    hours = lag if shifted == years[0] else -lag  # hours to add to the shifted season's stamps
    early = f"{abs(hours)} hours {'early' if hours > 0 else 'late'}"
    fix = f"add {hours} hours to its stamps" if hours > 0 else f"subtract {-hours} hours from its stamps"
    utc = "stamped in UTC without an offset? " if hours == 8 else ""
    ozone = (f"; its ozone peaks at {peaks[shifted]:02d}:00, the other season's at {peaks[years[years[0] == shifted]]:02d}:00"
             if peaks else "")
    names = ", ".join(show(s) for s, _ in stations[:8]) + (" …" if len(stations) > 8 else "")
    row = first_rows[first_rows["year"] == shifted]
    message = (f"station{'s' if len(stations) > 1 else ''} {names}: the mean daily cycle of {', '.join(POLLUTANTS)} "
               f"in season {label[shifted]} is the other season's moved by {abs(hours)} hours (best alignment at a "
               f"lag of {abs(hours)} h, genuine seasons align at 0; at least {least:g} h is refused: "
               f"air_quality.clock_lag_hours, {LIMITS_FILE}){ozone}: the air quality of {label[shifted]} looks "
               f"stamped {early}, {utc}{fix} (the weather is paired with the air hour by hour)")
    judge(out, CHECK, label[shifted], (fname, int(row.index[0]) + 2 if len(row) else None, "datetime"), message)
