"""The county-wide weather of a season that has only its stations' weather, derived once, where the
season is loaded (:func:`zzeval.season.loading.load_season`, and
:func:`zzeval.season.township_rows.split_season` for a Parquet meteorology table read in chunks).

A season's meteorology holds county-wide rows (``station_code`` ``county``), rows of its stations,
or both (data/README.md, "Hourly meteorology"). Every consumer of the weather (the township series
and designs of :mod:`zzeval.airquality.weather_data`, the per-township tasks and the county row of
:mod:`zzeval.assess.tasks`) reads the county rows of ``SeasonData.meteorology``: for a season
without them they are added here, and the seasons whose county weather was so derived are recorded
once, in ``meta[DERIVED_KEY]`` (:attr:`zzeval.season.data.TownshipsAndMeta.county_weather_from_stations`),
for the notices and the pages to say so. A ``SeasonData`` made by hand is taken as it is: call
:func:`with_derived_county_weather` on it when it has stations' weather only.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from zzeval.season.boundary_layer import measured_blh
from zzeval.season.checks import season_first_year
from zzeval.season.data import DERIVED_KEY, SeasonData
from zzeval.season.keys import county_code
from zzeval.season.station_weather import SET_ASIDE_KEY, without_one_season_weather


def derived_county_seasons(met: pd.DataFrame, stations: pd.DataFrame) -> list[int]:
    """First years of the seasons whose meteorology has no ``county`` rows but rows of stations
    of ``stations`` (per-station weather only): their county weather is derived
    (:func:`with_county_weather`)."""
    if met is None or met.empty:
        return []
    code = county_code(met["station_code"])
    years = season_first_year(met["datetime"])
    county = set(years[(code == "county").to_numpy()].tolist())
    station = set(years[code.isin(stations["station_code"]).to_numpy()].tolist())
    return sorted(int(y) for y in station - county)


def with_county_weather(met: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """``met`` with county-wide rows (``station_code`` ``county``) added for every season that has
    weather of the stations but no county rows (data/README.md, "Hourly meteorology"): the county
    weather of such a season is the mean of its stations' weather hour by hour, over the stations
    reporting that hour. Wind speed is the scalar mean and wind direction the unit-vector mean
    (US EPA, *Meteorological Monitoring Guidance for Regulatory Modeling Applications*,
    EPA-454/R-99-005, 2000, § 6.2.1-6.2.2); temperature [°C], relative humidity [%], pressure [hPa],
    precipitation [mm] and boundary-layer height [m] are arithmetic means. Seasons with county
    rows are left as they are; ``met`` itself is returned when nothing is added.

    Memory: the table once more (the rows added at its end) and a month of the stations' rows
    (:func:`county_rows`; measured on 200 stations × 8,760 hours, 1.75 million rows: a peak of
    13 MB for the means, where a mean over the whole table took 90 MB). The meteorology is one row
    per station and hour, held whole by the loading (also of a Parquet table read in chunks);
    the air quality is not read."""
    years = derived_county_seasons(met, stations)
    return _appended(met, county_rows(met, stations, years)) if years else met


def _appended(met: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([met, derived[[c for c in met.columns if c in derived.columns]]], ignore_index=True)


def county_rows(met: pd.DataFrame, stations: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The derived county rows (``station_code`` ``county``, one per hour, in time order) of the
    seasons ``years`` (:func:`with_county_weather`). A month of hours at a time, a column at a time:
    a province's meteorology holds every station's hours, and a mean over all of them at once would
    need several copies of them (each hour's mean is over the same rows, in the same order)."""
    ours = met["station_code"].isin(stations["station_code"]).to_numpy()
    stamps = met["datetime"].to_numpy()
    numeric = [c for c in met.columns if c not in ("station_code", "datetime", "wind_dir_deg")
               and pd.api.types.is_numeric_dtype(met[c])]
    months = []
    for year in years:  # the July-to-June year of the season (zzeval.season.plausible.season_first_year)
        bounds = pd.date_range(f"{year}-07-01", f"{year + 1}-07-01", freq="MS").to_numpy().astype(stamps.dtype)
        for start, end in zip(bounds[:-1], bounds[1:], strict=True):
            sel = ours & (stamps >= start) & (stamps < end)
            if sel.any():
                months.append(_hour_means(met, sel, numeric))
    return pd.concat(months, ignore_index=True) if months else _hour_means(met, ours & False, numeric)


def _hour_means(met: pd.DataFrame, sel: np.ndarray, numeric: list[str]) -> pd.DataFrame:
    """Per hour of the rows ``sel``: the mean of each ``numeric`` column over the stations reporting it
    (NaN skipped), the unit-vector mean wind direction (EPA-454/R-99-005 § 6.2.2), to 10⁻⁶."""
    codes, hours = pd.factorize(met["datetime"].to_numpy()[sel], sort=True)

    def mean(values: np.ndarray) -> np.ndarray:
        return pd.Series(values).groupby(codes, sort=True).mean().to_numpy()

    values = pd.DataFrame({c: mean((measured_blh(met[c]) if c == "blh_m" else met[c].to_numpy(float))[sel])
                           for c in numeric})  # a station's 0 m boundary layer is one not measured
    rad = np.deg2rad(met["wind_dir_deg"].to_numpy(float)[sel])
    values["wind_dir_deg"] = np.rad2deg(np.arctan2(mean(np.sin(rad)), mean(np.cos(rad)))) % 360.0
    # to 10⁻⁶ (the inputs have one or two decimals): equal stations give their own values back,
    # not a wind direction a rounding error across a sector boundary (44.99999999° for 45°)
    return values.round(6).assign(datetime=hours, station_code="county")


def with_derived_county_weather(season: SeasonData) -> SeasonData:
    """``season`` with the county weather derived from its stations' in every season that has no
    county rows (:func:`with_county_weather`: after the table's rows, in time order), and those
    seasons' names in ``meta[DERIVED_KEY]`` (left out when none); then without the weather of a station
    that has its own in one of the two seasons only (:func:`zzeval.season.station_weather.without_one_season_weather`:
    its township uses the county's in both); ``season`` itself when there is nothing to do."""
    return without_one_season_weather(_with_derived(season))


def _with_derived(season: SeasonData) -> SeasonData:
    met = season.meteorology
    years = derived_county_seasons(met, season.stations)
    meta = {k: v for k, v in season.meta.items() if k not in (DERIVED_KEY, SET_ASIDE_KEY)}
    if not years:
        return season if meta == season.meta else replace(season, meta=meta)
    meta[DERIVED_KEY] = [f"{y}-{y + 1}" for y in years]
    return replace(season, meteorology=_appended(met, county_rows(met, season.stations, years)), meta=meta)
