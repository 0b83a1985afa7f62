"""Air Quality Index per HJ 633-2012 (环境空气质量指数（AQI）技术规定（试行）).

Reference tables live in ``zzeval/reference/``: ``aqi_breakpoints.csv`` (HJ 633 Table 1,
IAQI breakpoints) and ``aqi_levels.csv`` (HJ 633 Table 2: levels, categories, colours).

Equations (HJ 633-2012 §5):

* ``IAQI_P = (IAQI_Hi - IAQI_Lo) / (BP_Hi - BP_Lo) · (C_P - BP_Lo) + IAQI_Lo``
* ``AQI = max(IAQI_1 .. IAQI_n)``; the primary pollutant (首要污染物) is the one with the
  largest IAQI, reported only when AQI > 50; IAQI > 100 means the pollutant exceeds
  Grade II (超标污染物).
* IAQI values are rounded **up** to an integer (进位取整) [L], as aqi-hub and the national
  release do.

Conventions (documented because HJ 633 leaves them to the publisher):

* Hourly (real-time) AQI, by default as the national real-time release computes it: from the
  1-h values only — SO2, NO2, CO and O3 on their 1-h tables, and the 1-h PM2.5 and PM10 values
  on the 24-h table (the only PM table; the national platform has used current 1-h PM values
  since its 2.0 upgrade on 1 January 2014 [2]_ [3]_). The 8-h O3 moving mean is one of the nine
  indicators a real-time report publishes [4]_; it is published beside the AQI (``o3_8h``
  column) but not part of it. ``o3_8h=True`` (``zzeval aqi --o3-8h``) adds its IAQI (8-h table)
  to the AQI instead, the reading of a publisher that does.
* SO2 1-h above 800 µg/m³: no 1-h IAQI; the 24-h moving SO2 mean with the 24-h table is
  used (HJ 633 Table 1 note 2). O3 8-h above 800 µg/m³: no 8-h IAQI; the 1-h O3 IAQI is
  used (note 3).
* A concentration above the top breakpoint has no IAQI; the AQI is then capped at 500 and
  flagged ``aqi_over_500`` ("爆表", an informal term, FACTS.md §5.3 [A]).

References
----------
.. [1] HJ 633-2012, https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/201203/W020120410332725219541.pdf
.. [2] 海峡都市报 (2014-03-18), "两种AQI" — 中国环境监测总站“全国城市空气质量实时发布平台” 2.0 (from
   2014-01-01): PM10 and PM2.5 hourly AQI from the current 1-h concentration, no longer the
   24-h moving mean. http://dzb.hxnews.com/2014-03/18/content_175987.htm
.. [3] 中央社 (2014-01-01), 190 cities' real-time release: particulate AQI from real-time values
   instead of the 24-h moving mean. https://n.yam.com/Article/20140101023938
.. [4] 深圳市生态环境局, 业务知识库 "空气质量实时报的周期及指标是什么?": hourly; the 1-h means of SO2,
   NO2, O3, CO, PM2.5, PM10, plus the 8-h moving O3 mean and the 24-h moving PM means (9 indicators).
   https://meeb.sz.gov.cn/hdjl/ywzsk/ggfwl/content/post_12340768.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from zzeval.airquality import validity
from zzeval.airquality.hj633 import checked_breakpoints
from zzeval.errors import InputError
from zzeval.resources import reference_path
from zzeval.season.schema import AIR_POLLUTANTS

#: Pollutants that take part in the AQI (HJ 633 §5).
AQI_POLLUTANTS = AIR_POLLUTANTS

#: Hourly component -> (pollutant, table averaging)
_HOURLY_TABLES = {
    "PM2.5": ("PM2.5", "24h"), "PM10": ("PM10", "24h"), "SO2": ("SO2", "1h"),
    "NO2": ("NO2", "1h"), "CO": ("CO", "1h"), "O3": ("O3", "1h"), "O3_8h": ("O3", "8h"),
}
#: Daily component -> (pollutant, table averaging)
_DAILY_TABLES = {
    "PM2.5": ("PM2.5", "24h"), "PM10": ("PM10", "24h"), "SO2": ("SO2", "24h"),
    "NO2": ("NO2", "24h"), "CO": ("CO", "24h"), "O3_1h_max": ("O3", "1h"),
    "O3_8h_max": ("O3", "8h"),
}
_EPS = 1e-9


def _read(name: str) -> pd.DataFrame:
    with reference_path(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


@cache
def _aqi_levels() -> pd.DataFrame:
    return _read("aqi_levels.csv")


@cache
def _breakpoints() -> pd.DataFrame:
    return checked_breakpoints(_read("aqi_breakpoints.csv"))  # HJ 633's, or a refusal naming the row


def aqi_levels() -> pd.DataFrame:
    """AQI levels of HJ 633-2012 Table 2.

    Returns
    -------
    pandas.DataFrame
        One row per level (1-6) with columns ``level`` (int), ``aqi_low``, ``aqi_high``
        (AQI, dimensionless, inclusive bounds; level 6 is "> 300", stored as 301-500),
        ``category_zh`` (优/良/轻度污染/中度污染/重度污染/严重污染), ``category_en``,
        ``colour_hex`` (official RGB 0,228,0 / 255,255,0 / 255,126,0 / 255,0,0 /
        153,0,76 / 126,0,35) and ``colour_name_zh``.
    """
    return _aqi_levels().copy()


def aqi_breakpoints() -> pd.DataFrame:
    """IAQI breakpoints of HJ 633-2012 Table 1 (long form).

    Columns ``pollutant`` (PM2.5, PM10, SO2, NO2, CO, O3), ``averaging`` (``1h``, ``8h``,
    ``24h``), ``iaqi`` (0, 50, ..., 500), ``concentration`` (µg/m³; CO mg/m³), ``unit``,
    ``source``, ``notes``.
    """
    return _breakpoints().copy()


@cache
def _table(pollutant: str, averaging: str) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoint concentrations and IAQI of one HJ 633 table (read-only arrays, looked up once)."""
    bp = _breakpoints()
    t = bp[(bp["pollutant"] == pollutant) & (bp["averaging"] == averaging)]
    if t.empty:
        known = sorted(set(zip(bp["pollutant"], bp["averaging"], strict=True)))
        raise ValueError(
            f"no HJ 633 breakpoints for {pollutant!r} {averaging!r}; known: {known}"
        )
    arrays = t["concentration"].to_numpy(float, copy=True), t["iaqi"].to_numpy(float, copy=True)
    for a in arrays:
        a.flags.writeable = False
    return arrays


def iaqi(concentration, pollutant: str, averaging: str, round_up: bool = True):
    """Individual AQI (空气质量分指数) per HJ 633-2012 §5.1.

    Parameters
    ----------
    concentration : float or array-like
        Concentration [µg/m³; CO mg/m³], for the averaging period of ``averaging``.
    pollutant : {"PM2.5", "PM10", "SO2", "NO2", "CO", "O3"}
    averaging : {"1h", "8h", "24h"}
        Which row of HJ 633 Table 1 (PM2.5/PM10 have ``24h`` only; O3 has ``1h`` and
        ``8h``; SO2/NO2/CO have ``1h`` and ``24h``).
    round_up : bool
        Round the IAQI up to an integer (HJ 633 practice, 进位取整). ``False`` returns the
        exact linear interpolation.

    Returns
    -------
    float or ndarray
        IAQI (dimensionless). NaN where the concentration is NaN, negative, or above the
        table's top breakpoint (e.g. SO2 1-h > 800 µg/m³, O3 8-h > 800 µg/m³, PM2.5 > 500
        µg/m³): HJ 633 defines no IAQI there. Callers handle the notes of Table 1
        (:func:`hourly_aqi`, :func:`daily_aqi`).

    Examples
    --------
    >>> float(iaqi(75, "PM2.5", "24h"))   # upper edge of 良: 75 µg/m³ -> 100
    100.0
    >>> float(iaqi(76, "PM2.5", "24h"))   # 100 + 50/40·1 = 101.25 -> 102
    102.0
    """
    bp_c, bp_i = _table(pollutant, averaging)
    c = np.asarray(concentration, dtype=float)
    out = np.interp(c, bp_c, bp_i)
    out = np.where((c < 0) | (c > bp_c[-1]) | np.isnan(c), np.nan, out)
    if round_up:
        out = np.ceil(out - _EPS) + 0.0
    return out if out.ndim else float(out)


def aqi_level(aqi_values) -> np.ndarray:
    """AQI level (1-6) of HJ 633 Table 2 for AQI values; NaN stays NaN (float array)."""
    a = np.asarray(aqi_values, dtype=float)
    lv = _aqi_levels()
    highs = lv["aqi_high"].to_numpy(float)[:-1]
    out = (np.searchsorted(highs, a, side="left") + 1).astype(float)
    return np.where(np.isnan(a), np.nan, out)


def _labels(level: pd.Series, lang: str) -> pd.Series:
    lv = _aqi_levels().set_index("level")
    col = "category_zh" if lang == "zh" else "category_en"
    return level.map(dict(zip(lv.index.astype(int), lv[col], strict=True))).astype("string")


def _combine(iaqis: pd.DataFrame, tops: pd.DataFrame, lang: str) -> pd.DataFrame:
    """AQI, primary pollutant, level from per-component IAQIs and over-the-top flags."""
    arr = iaqis.to_numpy(float)
    if arr.shape[1] == 0:  # no valid component at all
        arr = np.full((len(iaqis), 1), np.nan)
        iaqis = pd.DataFrame(arr, index=iaqis.index, columns=["none"])
        tops = pd.DataFrame(False, index=iaqis.index, columns=["none"])
    over = tops.to_numpy(bool).any(axis=1)
    allnan = np.isnan(arr).all(axis=1)
    aqi = np.where(allnan, np.nan, np.nanmax(np.where(np.isnan(arr), -1, arr), axis=1))
    aqi = np.where(over, 500.0, aqi)
    aqi = np.where(allnan & ~over, np.nan, aqi)
    names = np.array([c.replace("_max", "") for c in iaqis.columns], dtype=object)
    sel = np.where(over[:, None], tops.to_numpy(bool), arr == aqi[:, None])
    prim = np.full(len(arr), "", dtype=object)
    for j, name in enumerate(names):
        add = sel[:, j]
        prim = np.where(add & (prim != ""), prim + "," + name, np.where(add, name, prim))
    prim = np.where(np.isnan(aqi) | (aqi <= 50) | (prim == ""), None, prim)
    out = pd.DataFrame({"aqi": aqi, "primary_pollutant": pd.array(prim, dtype="string")},
                       index=iaqis.index)
    out["level"] = pd.array(aqi_level(aqi), dtype="Int64")
    out["category"] = _labels(out["level"], lang)
    out["aqi_over_500"] = over
    return out


def hourly_aqi(long_df: pd.DataFrame, lang: str = "zh", o3_8h: bool = False,
               checked: bool = False) -> pd.DataFrame:
    """Hourly (real-time) AQI per HJ 633-2012, as the national real-time release computes it.

    Parameters
    ----------
    long_df : DataFrame
        Long form ``station_code, datetime, pollutant, value, unit`` (µg/m³; CO mg/m³).
        Checked with :func:`zzeval.airquality.validity.check_air_quality` unless ``checked``.
    lang : {"zh", "en"}
        Language of ``category``.
    o3_8h : bool
        ``False`` (the national real-time convention): the AQI from the 1-h values only, the
        8-h O3 moving mean beside it. ``True``: the IAQI of the 8-h O3 mean (8-h table) takes
        part in the AQI too.

    Returns
    -------
    DataFrame
        One row per station and hour: ``station_code, datetime, aqi`` (integer-valued
        float, capped at 500), ``primary_pollutant`` (None when AQI ≤ 50; comma-joined on
        ties), ``level`` (1-6), ``category``, ``aqi_over_500`` (爆表 flag), one
        ``iaqi_<component>`` column per component (PM2.5, PM10, SO2, NO2, CO, O3[, O3_8h]),
        ``so2_24h_used`` (SO2 1-h > 800 → 24-h IAQI used), ``o3_8h`` (the 8-h O3 moving mean
        [µg/m³]: the published ``O3_8h`` rows, else computed from the 1-h O3 values with ≥ 6 hours
        in the window, GB 3095-2012 Table 4; NaN otherwise), and ``published_aqi`` when the
        input has ``AQI`` rows.
    """
    if not checked:
        long_df, _ = validity.check_air_quality(long_df)
    w = validity.wide_hourly(long_df)
    w["O3_8h"] = _o3_8h_mean(w)
    comps = [c for c in _HOURLY_TABLES if c in w.columns]
    if not o3_8h:
        comps.remove("O3_8h")
    iaqis = pd.DataFrame(index=w.index)
    tops = pd.DataFrame(index=w.index)
    so2_24h_used = pd.Series(False, index=w.index)
    for comp in comps:
        pol, avg = _HOURLY_TABLES[comp]
        c = w[comp]
        top = _table(pol, avg)[0][-1]
        iaqis[comp] = iaqi(c, pol, avg)
        tops[comp] = c > top
        if comp == "SO2":
            # HJ 633 Table 1 note 2: SO2 1-h > 800 → report the 24-h SO2 IAQI instead
            tops[comp] = False
            over = (c > top).to_numpy()
            so2_24h_used = pd.Series(over, index=w.index)
            if over.any():
                reg = validity.regular_hours(w[["station_code", "datetime", "SO2"]])
                reg["so2_24h"] = validity.moving_mean(
                    reg, "SO2", 24, int(validity.validity_rules()["daily_mean_min_hours"]))
                m = w[["station_code", "datetime"]].merge(
                    reg[["station_code", "datetime", "so2_24h"]], how="left")
                c24 = m["so2_24h"].to_numpy()
                i24 = iaqi(c24, "SO2", "24h")
                iaqis.loc[over, comp] = i24[over]
                tops.loc[over, comp] = c24[over] > _table("SO2", "24h")[0][-1]
        if comp == "O3_8h":
            # note 3: O3 8-h > 800 → the 1-h O3 IAQI is used (already a component)
            tops[comp] = False
    res = _combine(iaqis, tops, lang)
    out = pd.concat([w[["station_code", "datetime"]], res], axis=1)
    for comp in comps:
        out[f"iaqi_{comp}"] = iaqis[comp]
    out["so2_24h_used"] = so2_24h_used.to_numpy()
    out["o3_8h"] = w["O3_8h"].to_numpy()
    if "AQI" in w.columns:
        out["published_aqi"] = w["AQI"]
    valid = iaqis.notna().any(axis=1) | tops.any(axis=1)
    return out[valid.to_numpy() | out.get("published_aqi", pd.Series(False)).notna().to_numpy()
               ].reset_index(drop=True)


def _o3_8h_mean(w: pd.DataFrame) -> pd.Series:
    """The 8-h O3 moving mean of each row of a wide hourly frame: published ``O3_8h`` values
    where the input has them, else the mean of the 8 hours ending at the stamp (≥ 6 valid)."""
    published = w["O3_8h"] if "O3_8h" in w.columns else pd.Series(np.nan, index=w.index)
    if "O3" not in w.columns:
        return published
    reg = validity.regular_hours(w[["station_code", "datetime", "O3"]])
    reg["o3_8h"] = validity.o3_8h(reg)
    computed = w[["station_code", "datetime"]].merge(reg[["station_code", "datetime", "o3_8h"]], how="left")
    return published.fillna(pd.Series(computed["o3_8h"].to_numpy(), index=w.index))


def daily_aqi(long_df: pd.DataFrame, lang: str = "zh", checked: bool = False,
              daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """Daily AQI per HJ 633-2012 from daily values with GB 3095 validity.

    Components: 24-h means of PM2.5, PM10, SO2, NO2, CO (24-h tables), the daily maximum
    1-h O3 (1-h table) and the daily maximum 8-h O3 (8-h table; above 800 µg/m³ dropped
    in favour of the 1-h IAQI, HJ 633 note 3). Only **valid** daily values
    (:func:`zzeval.airquality.validity.daily_values`) enter; a day with no valid component has NaN AQI.

    Returns
    -------
    DataFrame
        ``station_code, datetime`` (the natural day, 00:00), ``aqi``, ``primary_pollutant``,
        ``level``, ``category``, ``aqi_over_500``, ``n_components`` (valid components used,
        of 7), ``complete`` (all six pollutants valid), ``iaqi_<component>`` columns, and
        ``published_aqi`` (mean of the day's AQI rows when the input carries daily AQI
        rows stamped at 00:00 — a daily file — else absent).
    """
    if not checked:
        long_df, _ = validity.check_air_quality(long_df)
    if daily is None:
        daily = validity.daily_values(long_df)
    dv = daily[daily["valid"]]
    w = dv.pivot(index=["station_code", "date"], columns="statistic", values="value")
    w.columns = [str(c) for c in w.columns]
    w = w.reset_index()
    # Days with a measured hour but no valid component stay in the output with NaN AQI; days without any
    # measured hour (between two seasons, before a station's first hour) are no days of the data at all
    alldays = daily.loc[daily["n"] > 0, ["station_code", "date"]].drop_duplicates()
    w = alldays.merge(w, how="left").sort_values(["station_code", "date"], ignore_index=True)
    comps = [c for c in _DAILY_TABLES if c in w.columns]
    iaqis = pd.DataFrame(index=w.index)
    tops = pd.DataFrame(index=w.index)
    for comp in comps:
        pol, avg = _DAILY_TABLES[comp]
        iaqis[comp] = iaqi(w[comp], pol, avg)
        tops[comp] = (w[comp] > _table(pol, avg)[0][-1]) & (comp != "O3_8h_max")
    res = _combine(iaqis, tops, lang)
    out = pd.concat([w[["station_code", "date"]].rename(columns={"date": "datetime"}), res],
                    axis=1)
    out["n_components"] = iaqis.notna().sum(axis=1).to_numpy()
    have = set(comps)
    six = [c for c in ("PM2.5", "PM10", "SO2", "NO2", "CO") if c in have]
    o3 = [c for c in ("O3_8h_max", "O3_1h_max") if c in have]
    complete = pd.Series(len(six) == 5 and bool(o3), index=w.index)
    if six:
        complete &= w[six].notna().all(axis=1)
    if o3:
        complete &= w[o3].notna().any(axis=1)
    out["complete"] = complete.to_numpy()
    for comp in comps:
        out[f"iaqi_{comp}"] = iaqis[comp]
    pub = long_df[long_df["pollutant"] == "AQI"]
    if len(pub) and (long_df["datetime"].dt.hour == 0).all():
        p = pub.groupby(["station_code", "datetime"])["value"].mean().rename("published_aqi")
        out = out.merge(p.reset_index(), how="left", on=["station_code", "datetime"])
    return out


@dataclass
class AqiReport:
    """Summary of :func:`aqi_table`: counts the bureau needs for a data-quality check."""

    period: str
    n_input_rows: int
    n_output_rows: int
    n_out_of_order: int
    n_missing_value: int
    n_aqi_over_500: int
    n_no_aqi: int = 0
    n_published: int = 0
    n_published_disagree: int = 0
    tolerance: float = 0.0
    disagreements: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "disagreements"}

    def __str__(self) -> str:
        return self.text()

    def text(self) -> str:
        s = (f"{self.n_output_rows} {self.period} AQI rows from {self.n_input_rows} input rows; "
             f"{self.n_aqi_over_500} with AQI > 500 (爆表); {self.n_out_of_order} rows were out of "
             f"order (sorted)")
        if self.n_missing_value:
            s += f"; {self.n_missing_value} empty values (missing hours)"
        if self.n_no_aqi:
            s += (f"; {self.n_no_aqi} rows without an AQI (no valid value of any pollutant: "
                  + ("fewer than 20 valid hours in the day, GB 3095-2012 Table 4; days without any measured "
                     "hour have no row)" if self.period == "daily"
                     else "no value in that hour)"))
        if self.n_published:
            s += (f"; {self.n_published_disagree} of {self.n_published} published AQI values "
                  f"differ from HJ 633 by more than {self.tolerance:g}")
        return s


def aqi_table(long_df: pd.DataFrame, period: str = "hourly", lang: str = "zh",
              tolerance: float = 0.0, o3_8h: bool = False) -> tuple[pd.DataFrame, AqiReport]:
    """AQI table for the CLI ``zzeval aqi INPUT --period hourly|daily [--out FILE]``.

    Parameters
    ----------
    long_df : DataFrame
        Long form ``station_code, datetime, pollutant, value, unit``.
    period : {"hourly", "daily"}
    lang : {"zh", "en"}
        Language of ``category``.
    tolerance : float
        A published AQI disagrees when ``|published - computed| > tolerance``.
    o3_8h : bool
        Hourly only: include the 8-h O3 IAQI in the AQI (:func:`hourly_aqi`); by default the
        8-h O3 mean is a column beside the AQI (``o3_8h``, µg/m³), as the real-time release shows it.

    Returns
    -------
    (DataFrame, AqiReport)
        Columns ``station_code, datetime, aqi, primary_pollutant, level, category`` plus
        ``published_aqi`` when the input has ``AQI`` rows (for ``daily``: AQI rows stamped
        00:00, i.e. a daily file) and ``aqi_over_500``; and the report (counts of
        disagreeing published values, of 爆表 values, of re-ordered rows).

    Raises
    ------
    DataValidationError
        Bad input (see :func:`zzeval.airquality.validity.check_air_quality`).
    ValueError
        Unknown ``period``.
    """
    if period not in ("hourly", "daily"):
        raise InputError(f"period must be 'hourly' or 'daily', got {period!r}")
    df, chk = validity.check_air_quality(long_df)
    if period == "hourly":
        t = hourly_aqi(df, lang=lang, checked=True, o3_8h=o3_8h)
    else:
        is_daily_file = (df["datetime"].dt.hour == 0).all()
        if is_daily_file:
            t = _daily_from_daily_file(df, lang)
        else:
            t = daily_aqi(df, lang=lang, checked=True)
    cols = ["station_code", "datetime", "aqi", "primary_pollutant", "level", "category",
            "aqi_over_500"]
    rep = AqiReport(period, chk.n_rows, len(t), chk.n_out_of_order, chk.n_missing_value,
                    int(t["aqi_over_500"].sum()), n_no_aqi=int(t["aqi"].isna().sum()), tolerance=tolerance)
    if "published_aqi" in t.columns:
        cols.append("published_aqi")
        both = t["published_aqi"].notna() & t["aqi"].notna()
        dis = both & ((t["published_aqi"] - t["aqi"]).abs() > tolerance)
        rep.n_published = int(both.sum())
        rep.n_published_disagree = int(dis.sum())
        rep.disagreements = t.loc[dis, cols].reset_index(drop=True)
    if period == "hourly":
        cols.append("o3_8h")
    out = t[cols].reset_index(drop=True)
    out["aqi"] = out["aqi"].round().astype("Int64")
    return out, rep


def _daily_from_daily_file(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Daily AQI from a file of daily values (stamped 00:00, one per day).

    Pollutant rows are taken as the day's statistics: PM2.5, PM10, SO2, NO2, CO = 24-h
    means; O3_8h = daily max 8-h; O3 = daily max 1-h. Validity cannot be checked (no
    hours) and is assumed.
    """
    ren = {"O3_8h": "O3_8h_max", "O3": "O3_1h_max"}
    d = df[df["pollutant"] != "AQI"]
    daily = pd.DataFrame({
        "station_code": d["station_code"], "date": d["datetime"],
        "statistic": d["pollutant"].map(lambda p: ren.get(p, p)), "value": d["value"],
        "n": 1, "valid": d["value"].notna(),
    })
    return daily_aqi(df, lang=lang, checked=True, daily=daily)
