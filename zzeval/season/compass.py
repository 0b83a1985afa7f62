"""Wind directions written as compass points (hostile review s11-hostC, finding 4).

Many Chinese station exports write the wind direction (风向) as one of the 16 compass points, in letters (N, NNE,
…, NNW) or in Chinese (北, 北东北 or 东北偏北, …); under ``wind_dir_deg`` every such hour was refused as "'WNW' is
not a number" with no hint. The 16 points are unambiguous, so they are read as the degrees of their centres
(N = 0, NNE = 22.5, …, NNW = 337.5), with a notice, as the calm code 'C' is read as a calm hour.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from zzeval.season.checks import Collector
from zzeval.season.parsing import show

#: The 16 points clockwise from north, 22.5° apart.
POINTS = "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()

#: Chinese names of the 16 points, clockwise from north: the three-character form (北东北) and the "偏" form
#: (东北偏北: north-east towards north), both in use.
CHINESE = (("北",), ("北东北", "东北偏北"), ("东北",), ("东东北", "东北偏东"), ("东",), ("东东南", "东南偏东"),
           ("东南",), ("南东南", "东南偏南"), ("南",), ("南西南", "西南偏南"), ("西南",), ("西西南", "西南偏西"),
           ("西",), ("西西北", "西北偏西"), ("西北",), ("北西北", "西北偏北"))

DEGREES = {name: i * 22.5 for i, name in enumerate(POINTS)}
DEGREES.update({name: i * 22.5 for i, names in enumerate(CHINESE) for name in names})


def point_degrees(text: str) -> float | None:
    """The degrees of a compass point as written ('WNW', 'wnw', '西北偏西', '西北风'), or None."""
    key = unicodedata.normalize("NFKC", str(text)).strip().upper()
    if key.endswith("风"):  # 北风: the north wind
        key = key[:-1]
    return DEGREES.get(key)


def read_compass_points(values: pd.Series, map_unique, fname: str, column: str, out: Collector) -> pd.Series:
    """``values`` (cell texts) with each compass point replaced by its degrees as text, with one notice."""
    degrees = map_unique(values, point_degrees)
    points = degrees.notna()
    if not points.any():
        return values
    first = points.idxmax()
    out.notes.append(f"{fname}, column '{column}': {int(points.sum()):,} cell(s) written as compass points (like "
                     f"'{show(values[first])}') were read as degrees from north, the centre of each of the 16 points "
                     "(N = 0, NNE = 22.5, NE = 45, …, NNW = 337.5)")
    return values.where(~points, degrees.map(lambda d: f"{d:g}" if pd.notna(d) else ""))
