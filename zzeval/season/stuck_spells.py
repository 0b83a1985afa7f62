"""The spells of a stuck weather sensor, and what a confirmation (``weather_stuck``) covers (hostile review s11-A:
``weather_stuck: [county rh_pct 2020-2021]``, written for a genuine foggy January, also let a hygrometer stuck
from 20 February to 31 March of the same season pass unnamed).

The refused windows of a source's column in a season (:mod:`zzeval.season.stuck_weather`, and the window-hours
of :mod:`zzeval.season.calm_hours`) fall into spells: runs of windows starting on consecutive days. Each spell
is refused (or, confirmed, noticed) on its own, named by its days (``county rh_pct 2020-12-27..2021-02-24``), and
a confirmation covers the spell whose days it names, so a later spell of the same sensor is refused again. The
season form (``county rh_pct 2020-2021``) confirms only a spell that holds every window of the season judged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season.checks import Collector
from zzeval.season.confirm import is_confirmed, judge

#: The judgement check (``season.yaml`` ``confirmed:``) of a stuck sensor.
CHECK = "weather_stuck"


def spell_numbers(starts) -> np.ndarray:
    """The spell of each window, ``starts`` their first days (sorted, ``YYYY-MM-DD`` or dates): a new spell where
    a window starts more than a day after the one before."""
    days = pd.to_datetime(pd.Series(starts)).to_numpy().astype("datetime64[D]")
    if len(days) == 0:
        return np.zeros(0, dtype=int)
    return np.concatenate([[0], np.cumsum(np.diff(days).astype(np.int64) > 1)])


def season_end(year: int) -> str:
    """The last day of the season from ``year`` (31 March), the most a spell's days run to."""
    return f"{year + 1}-03-31"


def judge_spell(out: Collector, subject: tuple[str, str, int], days: tuple[str, str], whole_season: bool,
                where: tuple[str, int | None, str | None], message: str, check: str = CHECK) -> None:
    """One spell of a source's column refused (confirmable by its days), or noticed when ``season.yaml`` confirms
    it: by its days, or by the season when the spell holds every window of the season judged (``whole_season``).
    ``check``: ``weather_stuck``, or ``aq_stuck`` for a station's pollutant (:mod:`zzeval.season.stuck_air_quality`)."""
    source, column, year = subject
    season = f"{source} {column} {year}-{year + 1}"
    spell = f"{source} {column} {days[0]}..{days[1]}"
    judge(out, check, season if whole_season and is_confirmed(out, check, season) else spell, where, message)
