"""Wind direction written as 16-point sector codes under the degree header (hostile review s11-hostA, H10).

Some station exports give the wind direction as the number of its 16-point compass sector (1-16, or 0-15)
rather than in degrees. Under ``wind_dir_deg`` such a season varied so little (a circular spread of 4° against
69° of genuine winds) that the stuck-sensor check refused it as a stuck vane and offered a confirmation, which
would have put the codes in as degrees. A season of a station whose wind directions are all whole numbers
within 0-16 is a coding, not a wind: refused here, plainly, and left out of the stuck-sensor check. Genuine
directions of a whole season all within 16° of north do not happen at a surface station
(``meteorology.wind_dir_sector_code_max``; the same reasoning as ``meteorology.wind_dir_radians``).

The SYNOP/ISD ``dd`` code, tens of degrees (0-36: 27 for 270°), is the neighbouring coding (hostile review
s11-hostC, finding 2: every wind "from N to NE", the weather-adjusted changes moved). A season whose directions are
all whole numbers up to ``meteorology.wind_dir_tens_code_max`` (36), some above 16, is refused as tens of degrees;
genuine seasons have directions up to 359-360°.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.keys import county_code
from zzeval.season.parsing import show

#: The fewest directions of a station and season judged (a few hours of north winds are no season).
LEAST_HOURS = 24


def check_wind_sectors(met: pd.DataFrame, fname: str, out: Collector) -> pd.Series:
    """Refuse each station and season whose ``wind_dir_deg`` values (at least :data:`LEAST_HOURS`) are all
    whole numbers from 0 to ``meteorology.wind_dir_sector_code_max`` (16: sector codes) or to
    ``meteorology.wind_dir_tens_code_max`` (36: SYNOP tens of degrees), on its first row. Returns the rows
    of the stations and seasons so refused (the stuck-sensor check leaves their directions alone)."""
    flagged = pd.Series(False, index=met.index)
    if "wind_dir_deg" not in met or met.empty:
        return flagged
    values = pd.to_numeric(met["wind_dir_deg"], errors="coerce")
    given = values.notna() & met["datetime"].notna()
    if not given.any():
        return flagged
    sectors = input_limit("meteorology.wind_dir_sector_code_max")
    top = input_limit("meteorology.wind_dir_tens_code_max")
    source = county_code(met["station_code"])
    year = pd.Series(season_first_year(met["datetime"]), index=met.index)
    part = pd.DataFrame({"source": source[given], "year": year[given], "v": values[given]})
    coded = (part["v"] == np.round(part["v"])) & (part["v"] >= 0) & (part["v"] <= top)
    groups = part.assign(coded=coded).groupby(["source", "year"], sort=True)
    stats = groups.agg(all_coded=("coded", "all"), hours=("v", "size"), low=("v", "min"), high=("v", "max"))
    for (code, season), r in stats[stats["all_coded"] & (stats["hours"] >= LEAST_HOURS)].iterrows():
        rows = (source == code) & (year == season)
        flagged |= rows
        first = int(part.index[(part["source"] == code) & (part["year"] == season)][0])
        head = (f"station '{show(code)}': every wind_dir_deg of the season from {int(season)} is a whole number from "
                f"{r['low']:g} to {r['high']:g} ({int(r['hours']):,} hours): ")
        if r["high"] <= sectors:
            advice = ("wind direction holds 16-point sector codes, not degrees (a season of winds all within 16° of "
                      "north does not happen); convert them with the export's code table (degrees = code × 22.5 where "
                      "16 or 0 is north, (code − 1) × 22.5 where 1 is north)")
        else:
            advice = ("wind direction holds tens of degrees (the SYNOP/ISD dd code, 27 for 270°), not degrees (a "
                      f"season of winds all within {top:g}° of north does not happen); convert them: degrees = code × "
                      "10")
        out.add(fname, first + 2, "wind_dir_deg",
                head + advice + " and write degrees from north, 0-360 (calm hours empty or 'C')")
    return flagged
