"""Precipitation in 0.1 mm under the mm header (hostile review s11-hostA, finding 14).

The CMA's raw station files give precipitation in 0.1 mm; written under ``precip_mm`` unconverted, a season's
hourly values are ten times too large and each stays far below the per-hour limit (29 "mm" in an hour), so the
season passed and the weather adjustment read a wet winter (the county's adjusted change −9.55 % → −10.8 %).
An October-March season in south-east Shanxi brings about 75 mm (China Meteorological Administration
1991-2020 normals of the neighbouring Qin and Wuxiang counties, Changzhi: 76.8 and 74.9 mm); ten times that is
far beyond any season. A station's (or the county rows') season whose precipitation adds up to more than
``meteorology.season_precip_mm`` is refused, a judgement check (``weather_precip_total``, season.yaml
``confirmed:``): the record rains of early October 2021 (up to 285 mm in five days in one county of Shanxi)
could bring a genuine season near it. The message says whether every value is a whole number (0.1 mm counts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.confirm import judge
from zzeval.season.keys import county_code
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a season's precipitation total.
CHECK = "weather_precip_total"


def check_season_precipitation(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Refuse (confirmable) each station and season whose ``precip_mm`` adds up to more than
    ``meteorology.season_precip_mm``, on its wettest hour's row, with its total, hours and wettest hour."""
    if "precip_mm" not in met or met.empty:
        return
    values = pd.to_numeric(met["precip_mm"], errors="coerce")
    given = values.notna() & (values > 0) & met["datetime"].notna()
    if not given.any():
        return
    top = input_limit("meteorology.season_precip_mm")
    part = pd.DataFrame({"source": county_code(met["station_code"])[given],
                         "year": np.asarray(season_first_year(met.loc[given, "datetime"])), "v": values[given]})
    for (code, season), rows in part.groupby(["source", "year"], sort=True):
        total = float(rows["v"].sum())
        if total <= top:
            continue
        wettest = rows["v"].idxmax()
        whole = bool((rows["v"] == np.round(rows["v"])).all())
        hint = ("every value is a whole number, as the CMA's raw files give precipitation in 0.1 mm: is it in "
                "0.1 mm? write it in mm (÷ 10)" if whole else
                "is it in 0.1 mm (the CMA's raw files' unit)? write it in mm (÷ 10)")
        message = (f"station '{show(code)}': precip_mm adds up to {total:,.1f} mm over the season from {int(season)} "
                   f"({len(rows):,} hours with precipitation, the most {rows['v'].max():g} mm in the hour of "
                   f"{pd.Timestamp(met.loc[wettest, 'datetime']):%Y-%m-%d %H:%M}); an October-March season here "
                   f"brings about 75 mm, at most {top:g} mm (meteorology.season_precip_mm in zzeval/reference/"
                   f"input_limits.csv): {hint}")
        judge(out, CHECK, f"{code} {int(season)}-{int(season) + 1}", (fname, int(wettest) + 2, "precip_mm"), message)
