"""Data validity of air-quality statistics per GB 3095-2012 §8 and HJ 663-2013.

Every aggregate computed here carries the number of values it was computed from and a
``valid`` flag; invalid periods are kept (flagged and counted), never silently averaged
into a statistic. The thresholds are reference data in
``zzeval/reference/data_validity.csv``.

Time convention (CNEMC): the hourly value stamped ``H`` is the mean of ``(H-1, H]``.
A natural day ``D`` therefore consists of the values stamped ``D 01:00 .. D+1 00:00``;
:func:`attributed_day` implements that shift.

References
----------
.. [1] GB 3095-2012 环境空气质量标准, §8 and Table 4 (数据统计的有效性规定).
.. [2] HJ 663-2013 环境空气质量评价技术规范（试行）, §4 and Appendix A (percentiles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from zzeval.errors import DataValidationError, Problem
from zzeval.season.schema import AIR_POLLUTANTS, POLLUTANT_UNITS
from zzeval.season.unit_spelling import canonical_unit

#: pollutants whose 24-h mean is a daily statistic (GB 3095-2012 Table 4)
DAILY_MEAN_POLLUTANTS = AIR_POLLUTANTS


@cache
def _rules() -> dict[str, float]:
    with resources.files("zzeval.reference").joinpath("data_validity.csv").open(
        "r", encoding="utf-8"
    ) as fh:
        df = pd.read_csv(fh)
    return dict(zip(df["rule"], df["value"].astype(float), strict=True))


def validity_rules() -> dict[str, float]:
    """The validity thresholds of ``data_validity.csv`` as ``{rule: value}``.

    Keys: ``daily_mean_min_hours`` (20 h), ``o3_8h_min_hours`` (6 h),
    ``o3_mda8_min_windows`` (14 windows), ``month_min_valid_days`` (27 d),
    ``february_min_valid_days`` (25 d), ``dustfall_target_t_km2_month`` (9 t/(month·km²)).
    """
    return dict(_rules())


@dataclass
class AirQualityCheck:
    """What :func:`check_air_quality` found and did (nothing is dropped silently).

    Attributes
    ----------
    n_rows : int
        Rows read.
    n_out_of_order : int
        Rows that were not in (station_code, datetime) order; the frame was sorted.
    n_missing_value : int
        Rows with an empty value (kept as NaN: a missing hour, counted by validity).
    problems : list of Problem
        Problems that make the data unusable (raised as :class:`DataValidationError`).
    """

    n_rows: int = 0
    n_out_of_order: int = 0
    n_missing_value: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "n_rows": self.n_rows,
            "n_out_of_order": self.n_out_of_order,
            "n_missing_value": self.n_missing_value,
        }


def check_air_quality(
    long_df: pd.DataFrame, file: str = "air_quality", max_problems: int = 200
) -> tuple[pd.DataFrame, AirQualityCheck]:
    """Check the air-quality long form and return it sorted, with a report.

    Parameters
    ----------
    long_df : DataFrame
        Columns ``station_code, datetime, pollutant, value, unit`` (see
        :data:`zzeval.season.schema.AIR_QUALITY`). Row numbers in messages are spreadsheet rows
        (header = row 1) computed from a 0-based RangeIndex.
    file : str
        Name used in error messages.

    Returns
    -------
    (DataFrame, AirQualityCheck)
        The frame with ``datetime`` as datetime64, canonical ``unit``, sorted by
        station_code, pollutant, datetime; and the report.

    Raises
    ------
    DataValidationError
        Missing columns; unknown pollutant; a unit that does not match the pollutant (for
        example CO in µg/m³ — CO must be mg/m³, HJ 633 Table 1); negative values;
        unparsable or non-whole-hour datetimes; duplicated (station, hour, pollutant).
    """
    rep = AirQualityCheck(n_rows=len(long_df))
    probs = rep.problems
    need = ["station_code", "datetime", "pollutant", "value", "unit"]
    missing = [c for c in need if c not in long_df.columns]
    if missing:
        raise DataValidationError(
            [Problem(file, None, c, "required column is missing") for c in missing]
        )
    df = long_df[need].copy().reset_index(drop=True)
    rows = pd.Series(np.arange(len(df)) + 2)

    def add(mask: pd.Series, column: str, msg) -> None:
        for i in np.flatnonzero(np.asarray(mask))[:max_problems]:
            probs.append(Problem(file, int(rows.iloc[i]), column, msg(i)))

    pol = df["pollutant"].astype("string").str.strip()
    bad_pol = ~pol.isin(list(POLLUTANT_UNITS))
    add(bad_pol, "pollutant", lambda i: f"unknown pollutant {pol.iloc[i]!r}; use one of "
        + ", ".join(POLLUTANT_UNITS))
    unit_raw = df["unit"].astype("string").fillna("").str.strip()
    unit = unit_raw.map(lambda u: canonical_unit(u)[0])  # full-width forms too (zzeval.season.unit_spelling)
    expected = pol.map(POLLUTANT_UNITS)
    bad_unit = ~bad_pol & (unit.isna() | (unit != expected))
    add(bad_unit, "unit", lambda i: (
        f"{pol.iloc[i]} given in {unit_raw.iloc[i]!r}; it must be {expected.iloc[i]}"
        + (" (CO is reported in mg/m³: divide µg/m³ by 1000)" if pol.iloc[i] == "CO" else "")))
    dt = pd.to_datetime(df["datetime"], errors="coerce")
    bad_dt = dt.isna()
    add(bad_dt, "datetime", lambda i: f"cannot read {df['datetime'].iloc[i]!r} as a date and hour")
    off_hour = ~bad_dt & (dt != dt.dt.floor("h"))
    add(off_hour, "datetime", lambda i: f"{dt.iloc[i]} is not on the hour; hourly values are "
        "stamped at the end of the hour (HH:00)")
    val = pd.to_numeric(df["value"], errors="coerce")
    bad_num = val.isna() & df["value"].notna() & (df["value"].astype("string").str.strip() != "")
    add(bad_num, "value", lambda i: f"{df['value'].iloc[i]!r} is not a number")
    neg = val < 0
    add(neg, "value", lambda i: f"negative concentration {val.iloc[i]}")
    rep.n_missing_value = int((val.isna() & ~bad_num).sum())
    df = df.assign(pollutant=pol, unit=unit.fillna(unit_raw), datetime=dt, value=val,
                   station_code=df["station_code"].astype("string").str.strip())
    dup = df.duplicated(["station_code", "datetime", "pollutant"], keep=False) & ~bad_dt
    add(dup, "datetime", lambda i: (
        f"duplicated hour: station {df['station_code'].iloc[i]}, {dt.iloc[i]}, "
        f"{pol.iloc[i]} appears more than once; keep one value per station, hour and pollutant"))
    if probs:
        raise DataValidationError(probs, context=file)
    # out of order: an hour earlier than the previous row of the same station and pollutant
    prev = df.groupby(["station_code", "pollutant"], sort=False)["datetime"].shift()
    rep.n_out_of_order = int((df["datetime"] < prev).sum())
    df = df.sort_values(["station_code", "pollutant", "datetime"], kind="stable",
                        ignore_index=True)
    return df, rep


def attributed_day(datetime: pd.Series) -> pd.Series:
    """Natural day of hour-ending stamps: ``(datetime - 1 h)`` floored to the day.

    The value stamped ``2021-04-01 00:00`` is the mean of 23:00-24:00 on 31 March and
    belongs to 31 March (CNEMC convention; GB 3095-2012 defines the 24-h mean over a
    natural day).
    """
    return (datetime - pd.Timedelta(hours=1)).dt.floor("D")


def wide_hourly(long_df: pd.DataFrame, pollutants=None) -> pd.DataFrame:
    """Pivot a checked long form to one row per station and hour.

    Returns columns ``station_code, datetime`` and one column per pollutant present
    (units as in the long form). Missing hours inside each station's range are not
    inserted here (see :func:`regular_hours`).
    """
    d = long_df if pollutants is None else long_df[long_df["pollutant"].isin(pollutants)]
    w = d.pivot(index=["station_code", "datetime"], columns="pollutant", values="value")
    w.columns = [str(c) for c in w.columns]
    return w.reset_index()


def regular_hours(wide: pd.DataFrame) -> pd.DataFrame:
    """Reindex a wide hourly frame onto a complete hourly grid per station.

    Missing hours become NaN rows so that moving windows (8-h O3, 24-h SO2) span
    clock time, not row counts.
    """
    parts = []
    for st, g in wide.groupby("station_code", sort=True):
        idx = pd.date_range(g["datetime"].min(), g["datetime"].max(), freq="h")
        g2 = g.set_index("datetime").drop(columns="station_code").reindex(idx)
        g2.index.name = "datetime"
        g2.insert(0, "station_code", st)
        parts.append(g2.reset_index())
    if not parts:
        return wide.copy()
    return pd.concat(parts, ignore_index=True)


def moving_mean(wide: pd.DataFrame, column: str, hours: int, min_hours: int) -> pd.Series:
    """Moving mean over the ``hours`` hours ending at each stamp, per station.

    Requires a regular hourly grid (:func:`regular_hours`). Windows with fewer than
    ``min_hours`` valid values give NaN.
    """
    return (
        wide.groupby("station_code", sort=False)[column]
        .rolling(hours, min_periods=min_hours)
        .mean()
        .reset_index(level=0, drop=True)
        .sort_index()
    )


def o3_8h(wide: pd.DataFrame) -> pd.Series:
    """8-h moving O3 mean [µg/m³] ending at each stamp, valid with ≥ 6 hours (GB 3095 Table 4)."""
    return moving_mean(wide, "O3", 8, int(_rules()["o3_8h_min_hours"]))


def daily_values(long_df: pd.DataFrame, pollutants=DAILY_MEAN_POLLUTANTS) -> pd.DataFrame:
    """Daily statistics per station with validity flags.

    Parameters
    ----------
    long_df : DataFrame
        Checked long form (:func:`check_air_quality`).
    pollutants : sequence of str
        Pollutants to aggregate (hourly series in the long form).

    Returns
    -------
    DataFrame
        One row per station × day × statistic with columns ``station_code``, ``date``
        (natural day, datetime64), ``statistic`` (``PM2.5``, ``PM10``, ``SO2``, ``NO2``,
        ``CO`` = 24-h means; ``O3_1h_max`` = daily max hourly O3; ``O3_8h_max`` = daily max
        8-h moving mean per HJ 663, windows ending 08:00..24:00), ``value`` (µg/m³, CO
        mg/m³; NaN when not computable), ``n`` (valid hours, or valid 8-h windows for
        ``O3_8h_max``), ``valid`` (bool).

    Notes
    -----
    24-h means need ≥ 20 valid hours [1]_. ``O3_1h_max`` uses the same 20-hour rule
    (assumption [A]: HJ 663 gives no separate rule for the 1-h maximum). ``O3_8h_max``
    needs ≥ 14 valid windows; with fewer, it is still valid if it exceeds the 8-h
    Grade II limit (160 µg/m³) [2]_. Days with too few values keep ``valid=False`` and a
    NaN ``value`` only when nothing was measured; otherwise the incomplete value is kept
    for inspection but must not be used (statistics here filter on ``valid``).

    References
    ----------
    .. [1] GB 3095-2012 Table 4. .. [2] HJ 663-2013 §4.
    """
    r = _rules()
    min_h = int(r["daily_mean_min_hours"])
    d = long_df[long_df["pollutant"].isin(list(pollutants))]
    d = d.assign(date=attributed_day(d["datetime"]))
    g = d.groupby(["station_code", "date", "pollutant"], sort=True)["value"]
    agg = g.agg(["mean", "count", "max"]).reset_index()
    out = [
        pd.DataFrame({
            "station_code": agg["station_code"], "date": agg["date"],
            "statistic": agg["pollutant"], "value": agg["mean"], "n": agg["count"],
            "valid": agg["count"] >= min_h,
        })
    ]
    o3 = agg[agg["pollutant"] == "O3"]
    if len(o3):
        out.append(pd.DataFrame({
            "station_code": o3["station_code"], "date": o3["date"], "statistic": "O3_1h_max",
            "value": o3["max"], "n": o3["count"], "valid": o3["count"] >= min_h,
        }))
        out.append(daily_max_8h(long_df))
    res = pd.concat(out, ignore_index=True)
    res["statistic"] = res["statistic"].astype(str)
    return res.sort_values(["station_code", "date", "statistic"], ignore_index=True)


def daily_max_8h(long_df: pd.DataFrame, limit_ugm3: float | None = None) -> pd.DataFrame:
    """Daily maximum 8-h moving O3 mean per HJ 663-2013.

    Windows ending at 08:00 .. 24:00 of the natural day (stamps ``D 08:00 .. D+1 00:00``,
    17 windows); each window needs ≥ 6 hourly values; the day needs ≥ 14 valid windows,
    or fewer if its maximum exceeds ``limit_ugm3`` (default: the GB 3095 Grade II 8-h
    limit, 160 µg/m³, from ``gb3095_limits.csv``).

    Returns
    -------
    DataFrame
        ``station_code, date, statistic="O3_8h_max", value [µg/m³], n (valid windows), valid``.
    """
    if limit_ugm3 is None:
        lim = gb3095_limits()
        limit_ugm3 = float(lim.query("pollutant == 'O3' and averaging == '8h_max' and grade == 'II'")
                           ["limit"].iloc[0])
    o3 = long_df[long_df["pollutant"] == "O3"]
    if o3.empty:
        return pd.DataFrame(columns=["station_code", "date", "statistic", "value", "n", "valid"])
    w = regular_hours(o3.pivot(index=["station_code", "datetime"], columns="pollutant",
                               values="value").reset_index())
    w["o3_8h"] = o3_8h(w)
    shifted = w["datetime"] - pd.Timedelta(hours=1)
    w["date"] = shifted.dt.floor("D")
    w = w[shifted.dt.hour >= 7]  # windows ending 08:00 .. 24:00
    g = w.groupby(["station_code", "date"], sort=True)["o3_8h"].agg(["max", "count"]).reset_index()
    min_w = int(_rules()["o3_mda8_min_windows"])
    valid = (g["count"] >= min_w) | (g["max"] > limit_ugm3)
    return pd.DataFrame({
        "station_code": g["station_code"], "date": g["date"], "statistic": "O3_8h_max",
        "value": g["max"], "n": g["count"], "valid": valid,
    })


@cache
def _limits() -> pd.DataFrame:
    with resources.files("zzeval.reference").joinpath("gb3095_limits.csv").open(
        "r", encoding="utf-8"
    ) as fh:
        return pd.read_csv(fh)


def gb3095_limits() -> pd.DataFrame:
    """GB 3095-2012 Table 1 limits: ``pollutant, averaging, grade (I/II), limit, unit, source``."""
    return _limits().copy()


def month_validity(daily: pd.DataFrame, by=("station_code", "statistic"), months=None) -> pd.DataFrame:
    """Valid days per month and whether the month meets GB 3095 Table 4.

    Parameters
    ----------
    daily : DataFrame
        Output of :func:`daily_values` (columns ``date``, ``valid`` and ``by``).
    months : sequence of str, optional
        The calendar months (``YYYY-MM``) of the assessed period, e.g.
        :meth:`zzeval.season.data.SeasonPeriod.months`. Every group of ``by`` (a station's
        statistic) is then counted in every one of these months: a month without any row (the
        export ended in February, a station stopped before March) has 0 valid days and fails,
        as a month with a few days does (hostile review 9A, F1). Rows of other months are left
        out. None: only the months that have rows.

    Returns
    -------
    DataFrame
        ``*by, month (YYYY-MM), days_in_month, valid_days, min_valid_days, month_valid``.
        ``min_valid_days`` is 27 (25 in February), capped at the days of the month.
    """
    r = _rules()
    d = daily.assign(month=daily["date"].dt.strftime("%Y-%m"))
    g = d.groupby([*by, "month"], sort=True)["valid"].sum().reset_index(name="valid_days")
    if months is not None:
        groups = g[list(by)].drop_duplicates()
        grid = groups.merge(pd.DataFrame({"month": list(months)}), how="cross")
        g = (grid.merge(g, on=[*by, "month"], how="left").fillna({"valid_days": 0})
             .astype({"valid_days": int}).sort_values([*by, "month"], ignore_index=True))
    per = pd.PeriodIndex(g["month"], freq="M")
    g["days_in_month"] = per.days_in_month
    need = np.where(per.month == 2, r["february_min_valid_days"], r["month_min_valid_days"])
    g["min_valid_days"] = np.minimum(need, g["days_in_month"]).astype(int)
    g["month_valid"] = g["valid_days"] >= g["min_valid_days"]
    return g


def hj663_percentile(values, p: float) -> float:
    """Percentile per HJ 663-2013 Appendix A.

    Sort ascending ``X(1..n)``; ``k = 1 + (n-1)·p/100``; ``s = floor(k)``;
    ``m_p = X(s) + (X(s+1) - X(s))·(k - s)``. Worked example (FACTS.md §5.4): the 90th
    percentile of {3, 4, 8, 2, 5, 4} is 6.5. NaN values are ignored; empty → NaN.
    """
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return float("nan")
    k = 1 + (n - 1) * p / 100.0
    s = int(np.floor(k))
    if s >= n:
        return float(x[-1])
    return float(x[s - 1] + (x[s] - x[s - 1]) * (k - s))
