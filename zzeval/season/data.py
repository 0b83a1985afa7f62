"""Seasons: the autumn-winter campaign period and its comparison season.

The plan's season (秋冬季) runs from 1 October to 31 March; the 2020-2021 season is
compared with 2019-2020 (plan digest, ``PLAN.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zzeval.errors import InputError, UnknownTownshipError
from zzeval.season.schema import TABLES

if TYPE_CHECKING:  # pandas is imported where it is used: `zzeval build` with nothing to do never needs it
    import pandas as pd

DEFAULT_SEASON = "2020-2021"
#: ``meta`` key of the seasons (``["2019-2020", ...]``) whose county weather was derived from the
#: stations' when the season was loaded (:mod:`zzeval.season.weather_county`)
DERIVED_KEY = "county_weather_from_stations"


@dataclass(frozen=True)
class SeasonPeriod:
    """An autumn-winter season ``YYYY-YYYY+1``: 1 October .. 31 March (inclusive)."""

    name: str

    def __post_init__(self) -> None:
        m = re.fullmatch(r"(\d{4})-(\d{4})", str(self.name))  # a number (papermill -p season 2020) too
        if not m or int(m.group(2)) != int(m.group(1)) + 1:
            raise InputError(
                f"season must look like '2020-2021' (two consecutive years), got {str(self.name)[:40]!r}"
            )

    @property
    def first_year(self) -> int:
        return int(self.name[:4])

    @property
    def start(self) -> pd.Timestamp:
        """First day, 00:00."""
        import pandas as pd

        return pd.Timestamp(self.first_year, 10, 1)

    @property
    def end(self) -> pd.Timestamp:
        """Last day (31 March), 00:00; the season includes the whole day."""
        import pandas as pd

        return pd.Timestamp(self.first_year + 1, 3, 31)

    @property
    def end_exclusive(self) -> pd.Timestamp:
        """1 April 00:00 of the second year. Hourly values stamped 1 April 00:00 (the mean of
        23:00–24:00 on 31 March) are attributed to 31 March by :func:`zzeval.airquality.aqi` users."""
        import pandas as pd

        return self.end + pd.Timedelta(days=1)

    @property
    def previous(self) -> SeasonPeriod:
        return SeasonPeriod(f"{self.first_year - 1}-{self.first_year}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, ts) -> pd.Series | bool:
        """Whether timestamps fall inside the season (by calendar day)."""
        import pandas as pd

        if isinstance(ts, pd.Series):
            return (ts >= self.start) & (ts < self.end_exclusive)
        ts = pd.Timestamp(ts)
        return self.start <= ts < self.end_exclusive

    def months(self) -> list[str]:
        """The six months as ``YYYY-MM``."""
        import pandas as pd

        return [p.strftime("%Y-%m") for p in pd.period_range(self.start, self.end, freq="M")]


class TownshipsAndMeta:
    """What a season and its evaluation both answer from their ``townships`` table and ``meta``."""

    townships: pd.DataFrame
    meta: dict

    @property
    def synthetic(self) -> bool:
        """True when ``season.yaml`` marks the data as synthetic (every report then says so)."""
        return bool(self.meta.get("synthetic", False))

    @property
    def county_weather_from_stations(self) -> tuple[str, ...]:
        """The seasons (``"2019-2020"``, ...) whose county-wide weather is the hour-by-hour mean of the
        stations' weather (the data had no county rows there), recorded once when the season was
        loaded (:func:`zzeval.season.weather_county.with_derived_county_weather`); empty otherwise."""
        return tuple(self.meta.get(DERIVED_KEY) or ())

    @property
    def slugs(self) -> list[str]:
        return list(self.townships["slug"])


@dataclass
class SeasonData(TownshipsAndMeta):
    """A loaded, validated season folder.

    Every table is a DataFrame with the English column names of :mod:`zzeval.season.schema`;
    township references are normalised to the pinyin slug; the air-quality ``unit``
    column holds the canonical unit; meteorology has ``station_code == "county"`` for a
    county-wide series, in every season with weather: a season given with its stations' weather
    only has the county rows derived from them at loading (:mod:`zzeval.season.weather_county`;
    :attr:`county_weather_from_stations` names those seasons). ``meta`` is the content of
    ``season.yaml`` (title, synthetic flag).
    """

    data_dir: Path
    period: SeasonPeriod
    townships: pd.DataFrame
    heating_retrofits: pd.DataFrame
    vehicles: pd.DataFrame
    freight: pd.DataFrame
    stations: pd.DataFrame
    air_quality: pd.DataFrame
    meteorology: pd.DataFrame
    dustfall: pd.DataFrame
    targets: pd.DataFrame
    tasks: pd.DataFrame
    meta: dict = field(default_factory=dict)
    #: sha256 of each input file, by table name (for provenance and incremental builds)
    file_hashes: dict[str, str] = field(default_factory=dict)
    #: the optional tables (empty, with their columns, when the folder has none)
    sites: pd.DataFrame = field(default_factory=lambda: empty_table("sites"))
    county_tasks: pd.DataFrame = field(default_factory=lambda: empty_table("county_tasks"))
    emergency_inspections: pd.DataFrame = field(default_factory=lambda: empty_table("emergency_inspections"))
    #: :meth:`station_sets` once computed (not an input: left out of comparisons, content digests and
    #: :func:`dataclasses.replace`, so a season made from this one computes its own)
    _station_sets: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    def station_sets(self) -> pd.DataFrame:
        """Which stations form each township's series (同口径), decided once per season from its hourly
        air quality: :func:`zzeval.season.station_sets.station_seasons` (its columns), shared by the
        season statistics, the township daily values and the weather-adjusted change."""
        if self._station_sets is None:
            from zzeval.season.station_sets import station_seasons

            self._station_sets = station_seasons(self.air_quality, self.stations, self.period)
        return self._station_sets

    def township(self, slug: str) -> pd.Series:
        """The townships row of ``slug`` (KeyError with the known slugs otherwise)."""
        rows = self.townships[self.townships["slug"] == slug]
        if rows.empty:
            raise UnknownTownshipError(f"unknown township {slug!r}; known: {', '.join(self.slugs)}")
        return rows.iloc[0]

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)


def empty_table(name: str) -> pd.DataFrame:
    """An empty table ``name`` of :data:`zzeval.season.schema.TABLES` with its columns and the
    types loading gives them (what a season without an optional table holds)."""
    import pandas as pd

    kinds = {"int": "float64", "float": "float64", "date": "datetime64[ns]", "datetime": "datetime64[ns]",
             "month": "datetime64[ns]"}
    return pd.DataFrame({col.name: pd.Series([], dtype=kinds.get(col.kind, "object"))
                         for col in TABLES[name].columns})


def season_period(name: str = DEFAULT_SEASON) -> SeasonPeriod:
    return SeasonPeriod(name)

