"""The boundary-layer height (``blh_m``) of the hourly meteorology: what a height of 0 means (hostile review
s10-hostA, finding 1).

The weather model takes ``log(max(BLH, 10 m))`` (:mod:`zzeval.airquality.weather_features`,
:mod:`zzeval.airquality.weather_ols`), so a height of 0 was read as a 10 m boundary layer, extreme
stagnation: ``blh_m`` written 0 from 1 January moved the county's weather-adjusted PM2.5 change from −9.6 %
to −22.0 %, and 0 all the previous season to +128.3 %. A boundary layer is never 0 m deep: ERA5's ``blh``
"can be as low as a few tens of metres, such as in cooling air at night" (ECMWF's ERA5 parameter
documentation), so a height below ``meteorology.blh_floor_m`` (10 m, input_limits.csv) is not a measured
height. The rules:

* a source (a station, or the county rows) whose heights in a season are 0 or empty in every hour has no
  boundary-layer height there (not measured: data/README.md); :func:`measured_blh` reads its 0 as missing;
* a source whose season holds heights (the median of those above 0 above ``meteorology.blh_km``, else the
  column is in km: :func:`_check_blh_km`) may not have heights below the floor in other hours of that season:
  they are refused (:func:`_check_blh_below_floor`), one problem per source and season naming the file, the
  first such row, the column, how many and the first and last such hour (an hour without a height is left
  empty);
* a source with heights in one season and none in the other: the weather model of each series on that
  source's weather has no boundary-layer term in either season (the OLS drops a column the two seasons do
  not share, the joint models use BLH only where every hour has it), and validate says so
  (:func:`_note_blh_one_season`);
* a source with heights in some hours and none (empty) in others of its hours with weather, its seasons
  not wholly without: the same (the joint models use BLH only where every hour has it), and validate says
  so too, naming how many hours and the first and last (:func:`_note_blh_part`; hostile re-review s10-reA
  finding 6: an ERA5 download that failed from 1 January was dropped from the model silently).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.keys import county_code
from zzeval.season.parsing import show


def measured_blh(values) -> np.ndarray:
    """The boundary-layer heights [m] of ``values`` with 0 (not measured: module docstring) as NaN."""
    blh = np.asarray(values, dtype=float)
    return np.where(blh > 0, blh, np.nan)


def check_boundary_layer(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """The checks of ``blh_m`` (module docstring) on rows that hold every row of their sources."""
    if "blh_m" not in met or met["blh_m"].isna().all():
        return
    sources = pd.Series(county_code(met["station_code"]), index=met.index).astype(str)
    years = pd.Series(season_first_year(met["datetime"]), index=met.index)
    _check_blh_km(met, sources, years, fname, out)
    _check_blh_below_floor(met, sources, years, fname, out)
    noted = _note_blh_one_season(met, sources, years, fname, out)
    _note_blh_part(met, sources, noted, fname, out)


def _check_blh_km(met: pd.DataFrame, sources: pd.Series, years: pd.Series, fname: str, out: Collector) -> None:
    """The median of the boundary-layer heights above 0 of a station in a season at most 10: the
    column holds km, not m (the weather model clips heights below 10 m to 10 m, so the term would
    vanish). The median, not the highest, so that one stray hour in m does not hide a season in km
    (review 6b finding 12). A column of zeros (not measured) is not refused."""
    top = input_limit("meteorology.blh_km")
    positive = met["blh_m"].where(met["blh_m"] > 0)
    grouped = positive.groupby([sources, years])
    median, count = grouped.transform("median"), grouped.transform("count")
    low = (positive <= top).groupby([sources, years]).transform("sum")
    given = positive.notna()
    first = given & ~pd.DataFrame({"station": sources, "year": years}).where(given).duplicated()
    out.rows(fname, "blh_m", first & (median <= top),
             lambda i: f"{low[i]:,.0f} of the {count[i]:,.0f} blh_m above 0 of station '{show(sources[i])}' in the "
                       f"season from {years[i]} are at most {top:g} m (the median {median[i]:g} m): this looks like km; "
                       "write the boundary-layer height in metres (km × 1,000)")


def _check_blh_below_floor(met: pd.DataFrame, sources: pd.Series, years: pd.Series, fname: str,
                           out: Collector) -> None:
    """Heights below ``meteorology.blh_floor_m`` (0 among them) in a source's season that holds heights in
    metres (the median of its heights above 0 above ``meteorology.blh_km``): one problem per source and season."""
    floor, top = input_floor("meteorology.blh_floor_m"), input_limit("meteorology.blh_km")
    blh = met["blh_m"]
    median = blh.where(blh > 0).groupby([sources, years]).transform("median")
    low = blh.notna() & (blh < floor) & (median > top)
    if not low.any():
        return
    rows = pd.DataFrame({"source": sources[low], "year": years[low], "stamp": pd.to_datetime(met["datetime"][low]),
                         "value": blh[low]})
    for (source, year), part in rows.groupby(["source", "year"], sort=True):
        part = part.sort_values("stamp", kind="stable")
        zeros = int((part["value"] == 0).sum())
        what = f"{len(part):,} hour(s)" + (f" ({zeros:,} of them 0)" if zeros else "")
        out.add(fname, int(part.index[0]) + 2, "blh_m",
                f"station '{show(source)}': blh_m is below {floor:g} m in {what} of the season from {year} "
                f"({part['stamp'].iloc[0]:%Y-%m-%d %H:%M} to {part['stamp'].iloc[-1]:%Y-%m-%d %H:%M}, the first "
                f"{part['value'].iloc[0]:g} m) while its other hours hold heights (median {median[part.index[0]]:,.0f} m): "
                "a boundary layer is at least a few tens of metres deep (meteorology.blh_floor_m in "
                "zzeval/reference/input_limits.csv), and the weather model would read these hours as extreme "
                "stagnation; leave the cell empty where the height is not available, or write the height in metres")


def _note_blh_one_season(met: pd.DataFrame, sources: pd.Series, years: pd.Series, fname: str,
                         out: Collector) -> set[str]:
    """A notice per source with boundary-layer heights in one season of the table and none (0 or empty in
    every hour) in another: its series are adjusted without the boundary-layer height in both seasons. The
    sources noted."""
    noted = set()
    has = pd.Series(measured_blh(met["blh_m"]), index=met.index).notna().groupby([sources, years]).any()
    for source, by_year in has.groupby(level=0, sort=True):
        with_blh = sorted(int(y) for (_, y), v in by_year.items() if v)
        without = sorted(int(y) for (_, y), v in by_year.items() if not v)
        if with_blh and without:
            noted.add(str(source))
            seasons = ", ".join(f"{y}-{y + 1}" for y in without)
            out.notes.append(f"{fname}: station '{show(source)}' has no boundary-layer height (blh_m 0 or empty in "
                             f"every hour) in the season {seasons} but has heights in another season: the weather "
                             "adjustment of the series on its weather leaves the boundary-layer height out in both "
                             "seasons (data/README.md, meteorology)")
    return noted


#: The weather the weather model needs in an hour (:func:`zzeval.airquality.weather_features.met_features`).
_NEEDED = ("temperature_c", "rh_pct", "wind_speed_ms", "pressure_hpa", "precip_mm")


def _note_blh_part(met: pd.DataFrame, sources: pd.Series, noted: set[str], fname: str, out: Collector) -> None:
    """A notice per source (not noted by :func:`_note_blh_one_season`) with boundary-layer heights in some
    hours and none in others of its hours with the weather the model needs: the joint weather models use the
    height only where every hour has it, so its series are adjusted without it in both seasons."""
    needed = [c for c in _NEEDED if c in met]
    weather = met[needed].apply(pd.to_numeric, errors="coerce").notna().all(axis=1)
    has = pd.Series(measured_blh(pd.to_numeric(met["blh_m"], errors="coerce")), index=met.index).notna()
    lacking = weather & ~has
    for source, rows in lacking.groupby(sources, sort=True):
        if str(source) in noted or not rows.any() or not has[rows.index].any():
            continue
        stamps = pd.to_datetime(met.loc[rows.index[rows.to_numpy()], "datetime"]).sort_values()
        out.notes.append(f"{fname}: station '{show(source)}' has no boundary-layer height (blh_m 0 or empty) in "
                         f"{len(stamps):,} of its hours with weather ({stamps.iloc[0]:%Y-%m-%d %H:%M} to "
                         f"{stamps.iloc[-1]:%Y-%m-%d %H:%M}) but has heights in its other hours: the weather "
                         "adjustment of the series on its weather leaves the boundary-layer height out in both "
                         "seasons (data/README.md, meteorology); write the missing heights to keep it")
