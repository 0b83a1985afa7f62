"""Series and meteorology plumbing shared by the weather estimators: township series
(mean of their stations) joined to the meteorology source they use, per-season design
lookup for the first (``ols``) estimator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.airquality.weather_ols import (
    DEFAULT_POLLUTANTS,
    MET_COLUMNS,
    _design_arrays,
    _local_days,
    _prepare,
)
from zzeval.season.data import SeasonData
from zzeval.season.keys import COUNTY_CODE, county_code
from zzeval.season.station_sets import used_rows

#: ``met_source`` of a series on its station's weather with the county's in the station's gaps
MIXED_SUFFIX = "+county"


def township_series(season: SeasonData, pollutants=DEFAULT_POLLUTANTS,
                    rows: tuple[pd.DataFrame, dict] | None = None) -> tuple[pd.DataFrame, dict]:
    """Hourly concentration per township (mean of its stations) joined to meteorology.

    Returns
    -------
    (DataFrame, dict)
        Long frame ``township, pollutant, datetime, value, unit, <met columns>,
        met_source`` (``"county"`` or the station code whose meteorology the row uses)
        and a report of exclusions: ``stations_without_township`` (list; their rows are
        excluded and counted in ``rows_excluded_no_township``), ``hours_without_weather``.
    Station-specific meteorology is used where ``meteorology.station_code`` matches a
    station, otherwise the county series (``season.meteorology`` holds it: derived from the
    stations' at loading in a season without county rows, :mod:`zzeval.season.weather_county`).
    ``rows``: :func:`township_station_rows` of ``season`` and ``pollutants``, when already built (the
    county's station weights are of the same rows).
    """
    tw, rep = township_hourly(season, pollutants, rows)
    st = season.stations[["station_code", "township"]]
    met = season.meteorology
    cols = [c for c in (*MET_COLUMNS, "blh_m") if c in met.columns]
    county = met[county_code(met["station_code"]) == COUNTY_CODE][["datetime", *cols]]
    county = county.assign(met_source="county")
    # one station-specific series per township, if any (first station listed)
    st_met = met[met["station_code"].isin(st["station_code"])]
    if len(st_met):
        first = st.drop_duplicates("township").set_index("station_code")["township"]
        sm_ = st_met[st_met["station_code"].isin(first.index)].assign(
            township=lambda d: d["station_code"].map(first),
            met_source=lambda d: d["station_code"])[["township", "datetime", *cols,
                                                    "met_source"]]
        a = tw.merge(sm_, on=["township", "datetime"], how="left")
        miss = a[cols[0]].isna()
        b = tw[miss.to_numpy()].merge(county, on="datetime", how="left")
        tw = pd.concat([a[~miss], b], ignore_index=True)
    else:
        tw = tw.merge(county, on="datetime", how="left")
    rep["hours_without_weather"] = int(tw[cols[0]].isna().sum())
    return tw, rep


def township_hourly(season: SeasonData, pollutants=DEFAULT_POLLUTANTS,
                    rows: tuple[pd.DataFrame, dict] | None = None) -> tuple[pd.DataFrame, dict]:
    """The townships' hourly series without meteorology: ``township, pollutant, datetime, value,
    unit``, the mean of the township's stations that have the hour (NaN when none has a value), on
    the stations with data in both seasons (同口径); and the exclusions of :func:`township_series`
    (``stations_without_township``, ``rows_excluded_no_township``). ``rows``:
    :func:`township_station_rows` of ``season`` and ``pollutants``, when already built."""
    m, rep = township_station_rows(season, pollutants) if rows is None else rows
    return township_means(m), dict(rep)


def township_means(rows: pd.DataFrame) -> pd.DataFrame:
    """The township series of :func:`township_station_rows`: per township, pollutant and hour the mean of
    its stations' values (NaN when none has one)."""
    return (rows.groupby(["township", "pollutant", "datetime"], sort=True)
            .agg(value=("value", "mean"), unit=("unit", "first")).reset_index())


def township_station_rows(season: SeasonData, pollutants=DEFAULT_POLLUTANTS) -> tuple[pd.DataFrame, dict]:
    """The station rows the township series are the means of: the air-quality rows of ``pollutants`` with
    their station's ``township``, on the stations with data in both seasons (同口径), and the exclusions of
    :func:`township_series` (``stations_without_township``, ``rows_excluded_no_township``)."""
    aq = season.air_quality
    aq = aq[aq["pollutant"].isin(list(pollutants))]
    st = season.stations[["station_code", "township"]]
    m = aq.merge(st, on="station_code", how="left")
    no_tw = m["township"].isna()
    rep = {"stations_without_township": sorted(m.loc[no_tw, "station_code"].unique().tolist()),
           "rows_excluded_no_township": int(no_tw.sum())}
    m = m[~no_tw]
    return m[used_rows(m, season.station_sets(), across=True)], rep  # 同口径


def county_hourly(season: SeasonData, pollutants=("PM2.5",), series: pd.DataFrame | None = None) -> pd.DataFrame:
    """The county's hourly series: at each hour the mean of the township series that have a value then
    (an hour without any is absent), summed in the rows' order of :func:`township_series` (``series``,
    when already built for ``season`` and ``pollutants``), as :class:`zzeval.assess.tasks.CountySeries`
    sums it. Long form ``station_code`` (``"county"``), ``datetime``, ``pollutant``, ``value``, ``unit``.
    The weather adjustment's county rows are computed on it, and its GB 3095 validity is judged on it."""
    tw = township_series(season, pollutants)[0] if series is None else series
    rows = [pd.DataFrame({"station_code": "county", "datetime": times, "pollutant": p, "value": mean, "unit": unit})
            for p, (unit, times, mean) in _county_means(tw).items()]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("station_code", "datetime", "pollutant", "value", "unit")})


def _county_means(tw: pd.DataFrame) -> dict[str, tuple[str, np.ndarray, np.ndarray]]:
    """``{pollutant: (unit, hours, mean)}`` of the township series ``tw`` (:func:`township_series`):
    at each hour the mean of the finite values, added in the rows' order (the hours on county
    meteorology after the others when a station has its own)."""
    t_all = np.asarray(tw["datetime"], dtype="datetime64[ns]")
    v_all = tw["value"].to_numpy(float)
    pol_all = tw["pollutant"].to_numpy(object)
    out = {}
    for p in sorted(pd.unique(pol_all)):
        ix = np.flatnonzero((pol_all == p) & np.isfinite(v_all))
        if len(ix):
            times, inv = np.unique(t_all[ix], return_inverse=True)
            out[p] = (str(tw["unit"].to_numpy(object)[ix[0]]), times, np.bincount(inv, weights=v_all[ix]) / np.bincount(inv))
    return out


def _align(a: tuple[list[str], np.ndarray], b: tuple[list[str], np.ndarray]):
    """Keep the design columns two seasons share (e.g. BLH present in one only)."""
    (na, xa), (nb, xb) = a, b
    if na == nb:
        return na, xa, xb
    common = [n for n in na if n in nb]
    return (common, xa[:, [na.index(n) for n in common]], xb[:, [nb.index(n) for n in common]])


class _MetDesign:
    """Design rows of one meteorology source over one period, looked up by stamp."""

    def __init__(self, met: pd.DataFrame, current: bool):
        # a calm hour has no wind direction (weather_ols._design_arrays gives it no wind vector)
        met = met.dropna(subset=[c for c in MET_COLUMNS if c != "wind_dir_deg"]).sort_values("datetime")
        met = met.drop_duplicates("datetime")
        self.names, self.X = _design_arrays(met, current)
        self.t = np.asarray(met["datetime"], dtype="datetime64[ns]")
        self.ok = np.isfinite(self.X).all(axis=1)

    def rows(self, t: np.ndarray, v: np.ndarray):
        """``(X, values, local days)`` of the series rows (sorted stamps) with weather."""
        if not len(self.t):
            return self.X[:0], v[:0], _local_days(t[:0])
        pos = np.searchsorted(self.t, t)
        pc = np.minimum(pos, len(self.t) - 1)
        hit = (pos < len(self.t)) & (self.t[pc] == t) & np.isfinite(v)
        hit &= self.ok[pc]
        return self.X[pc[hit]], v[hit], _local_days(t[hit])


def _series(season: SeasonData, pollutants, county: bool, built: tuple[pd.DataFrame, dict] | None = None):
    """``{(township, pollutant): (met_source, unit, stamps, values, frame)}``, exclusions.

    ``frame`` is the series' own rows (with their meteorology) when it mixes sources
    (a station's meteorology with county gaps; ``met_source`` is then ``"<station>+county"``,
    the key :meth:`_Designs.feature_met` gives its weather: the station's with the county's in
    its gaps), else ``None``. ``built``: :func:`township_series` of ``season`` and ``pollutants``,
    when already built.
    """
    tw, rep = township_series(season, pollutants) if built is None else built
    out = {}
    t_all = np.asarray(tw["datetime"], dtype="datetime64[ns]")
    v_all = tw["value"].to_numpy(float)
    src_all = tw["met_source"].to_numpy(object)
    unit_all = tw["unit"].to_numpy(object)
    for (t, p), ix in tw.groupby(["township", "pollutant"], sort=True).indices.items():
        ix = ix[np.argsort(t_all[ix], kind="stable")]
        src = pd.unique(src_all[ix][pd.notna(src_all[ix])])
        out[(t, p)] = (_source_label(src), str(unit_all[ix[0]]),
                       t_all[ix], v_all[ix],
                       tw.iloc[ix] if len(src) > 1 else None)
    if county and len(tw):
        for p, (unit, times, mean) in _county_means(tw).items():
            out[("county", p)] = ("county", unit, times, mean, None)
    return out, rep


def _source_label(sources) -> str:
    """The ``met_source`` of a series whose rows use ``sources``: the one source, or
    ``"<station>+county"`` for a station's weather with county hours in its gaps (``"county"``
    for a series without any weather: its hours are counted as without weather)."""
    if len(sources) <= 1:
        return str(sources[0]) if len(sources) else "county"
    station = next(str(s) for s in sources if s != "county")
    return f"{station}{MIXED_SUFFIX}"


def _in_period(t: np.ndarray, period) -> np.ndarray:
    day = _local_days(t)
    return (day >= np.datetime64(period.start.date())) & (day <= np.datetime64(period.end.date()))


class _Designs:
    """Design matrices per meteorology source and period, built once and shared."""

    def __init__(self, season: SeasonData):
        met = season.meteorology  # with the county rows (derived at loading when the data had none)
        cols = [c for c in ("datetime", *MET_COLUMNS, "blh_m") if c in met.columns]
        code = county_code(met["station_code"])
        self.sources = {str(k): g[cols] for k, g in
                        met.assign(_src=code).groupby("_src", sort=False)}
        self.cache: dict = {}

    def get(self, src: str, period, current: bool) -> _MetDesign:
        key = (src, str(period.start), current)
        if key not in self.cache:
            m = self.sources.get(src, self.sources.get("county"))
            if m is None:  # no meteorology at all: every hour is counted as without weather
                m = pd.DataFrame({c: pd.Series(dtype=float) for c in MET_COLUMNS}).assign(
                    datetime=pd.Series(dtype="datetime64[ns]"))
            t = np.asarray(m["datetime"], dtype="datetime64[ns]")
            self.cache[key] = _MetDesign(m[_in_period(t, period)], current=current)
        return self.cache[key]

    def feature_met(self, entry) -> tuple[str, pd.DataFrame | None]:
        """``(key, hourly meteorology)`` the joint models (``gam``, ``gbm``) build a series'
        features from, over both seasons: its one source, or for a series that mixes sources
        (its station's weather with county hours) the station's rows with the hours it lacks
        filled from the county rows, hour by hour (data/README.md, "Hourly meteorology": a
        township uses its station's weather where that station has rows, the county-wide rows
        for its other hours). Filled before the features, as their 6-72 h memory terms need one
        continuous series; built once per station."""
        src, _, _, _, frame = entry
        if frame is None:
            return src, self.sources.get(src, self.sources.get("county"))
        station = str(next(s for s in pd.unique(frame["met_source"].dropna()) if s != "county"))
        key = ("county-filled", station)  # src is f"{station}+county" (_source_label)
        if key not in self.cache:
            own = self.sources[station]
            own = own[own[MET_COLUMNS[0]].notna()].drop_duplicates("datetime")
            county = self.sources.get("county", own.iloc[:0])
            gaps = county[~county["datetime"].isin(own["datetime"])]
            self.cache[key] = pd.concat([own, gaps], ignore_index=True).sort_values(
                "datetime", kind="stable").reset_index(drop=True)
        return src, self.cache[key]

    def arrays(self, entry, period, current: bool):
        """``(names, X, values, local days)`` of one series within ``period``."""
        src, _, ts, v, frame = entry
        if frame is not None:
            sub = frame[_in_period(ts, period)]
            X, names, vals, days = _prepare(sub, current)
            return names, X, vals, days
        d = self.get(src, period, current)
        X, vals, days = d.rows(ts, v)
        return d.names, X, vals, days
