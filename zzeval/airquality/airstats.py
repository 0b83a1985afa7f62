"""Season air-quality statistics per station and township, current vs previous season.

Daily values follow GB 3095-2012 §8 validity (:mod:`zzeval.airquality.validity`); a township's daily
value is the mean of its stations' valid daily values (as a city value is the mean of its
sites, HJ 663-2013), and its daily AQI is computed from those means (HJ 633-2012).

References
----------
.. [1] GB 3095-2012 Table 1 (limits) and §8 (validity).
.. [2] HJ 633-2012 (AQI). HJ 663-2013 (percentiles, Appendix A).
.. [3] 城市环境空气质量排名技术规定 (环办监测〔2018〕19号): comprehensive index
   I_sum = Σ C_i / S_i (FACTS.md §5.5).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from zzeval.airquality import aqi as _aqi
from zzeval.airquality import validity
from zzeval.season.data import SeasonData, season_period
from zzeval.season.station_sets import township_station_sets, used_rows

_MEAN_STATS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h_max")
#: The pollutant each statistic is of, as the reports name it (the AQI's six)
_AQI_NAME = {"SO2": "SO2", "NO2": "NO2", "PM10": "PM10", "PM2.5": "PM2.5", "CO": "CO", "O3_8h_max": "O3"}


@cache
def _grade2(pollutant: str, averaging: str) -> float:
    """The GB 3095-2012 Table 1 Grade II limit (read once per pollutant and averaging)."""
    lim = validity.gb3095_limits()
    r = lim[(lim["pollutant"] == pollutant) & (lim["averaging"] == averaging)
            & (lim["grade"] == "II")]
    return float(r["limit"].iloc[0])


def comprehensive_index(daily_wide: pd.DataFrame) -> tuple[float, dict]:
    """环境空气质量综合指数 I_sum of a period from valid daily values.

    Parameters
    ----------
    daily_wide : DataFrame
        One row per valid day; columns ``PM2.5, PM10, SO2, NO2`` (µg/m³), ``CO`` (mg/m³),
        ``O3_8h_max`` (µg/m³); NaN for invalid values.

    Returns
    -------
    (float, dict)
        ``I_sum = Σ_i C_i / S_i`` and the sub-indices ``I_i``. C is the period mean for
        SO2, NO2, PM10, PM2.5 (S = annual Grade II: 60, 40, 70, 35 µg/m³), the HJ 663 95th
        percentile of daily CO (S = 4 mg/m³), and the 90th percentile of daily max 8-h O3
        (S = 160 µg/m³); limits from ``gb3095_limits.csv``. The index is the sum over all six:
        without a valid value of one of them it is NaN (not computable), never the sum of the
        others with the missing one taken as 0 (hostile review 8A, finding 23: a PM-only
        micro-station's 2 of 6 sub-indices, 2.61 for 4.95, ranked first).
    """
    sub = {}
    for p in ("SO2", "NO2", "PM10", "PM2.5"):
        sub[p] = daily_wide[p].mean() / _grade2(p, "annual") if p in daily_wide else np.nan
    sub["CO"] = (validity.hj663_percentile(daily_wide["CO"], 95) / _grade2("CO", "24h")
                 if "CO" in daily_wide else np.nan)
    sub["O3"] = (validity.hj663_percentile(daily_wide["O3_8h_max"], 90) / _grade2("O3", "8h_max")
                 if "O3_8h_max" in daily_wide else np.nan)
    values = np.array(list(sub.values()), dtype=float)
    return (float(values.sum()) if np.isfinite(values).all() else np.nan), sub


def _short_apart(bad: pd.DataFrame) -> list[str]:
    """The statistics (keys of :data:`_AQI_NAME`, in its order) with a month short of GB 3095 § 8 valid days that is
    not short for all of its station's statistics alike.

    ``bad`` holds the short rows of :func:`zzeval.airquality.validity.month_validity` (``station_code,
    statistic, month``, and ``n_statistics``: how many statistics the station has in the season). A month
    short for one pollutant but not for the others (O3 out in January; PM2.5 out in December, O3 in
    January: the months differ, not only their number, s10-hostA F3) leaves the AQI of those days without
    it; an outage of the whole station leaves days without any value, which the share and the means skip.
    """
    if not len(bad):
        return []
    key = ["station_code", "month"]
    n_short = bad.groupby(key)["statistic"].transform("nunique")
    apart = bad.loc[n_short < bad["n_statistics"], "statistic"]
    return [s for s in _AQI_NAME if s in set(apart)]


def _summarise(wide: pd.DataFrame, aqi_daily: pd.DataFrame, n_days: int,
               month_ok: pd.DataFrame | None) -> dict:
    row: dict = {}
    for s in _MEAN_STATS:
        row[f"mean_{s}"] = wide[s].mean() if s in wide else np.nan
        row[f"valid_days_{s}"] = int(wide[s].notna().sum()) if s in wide else 0
    ex = {"PM2.5": ("PM2.5", "24h"), "PM10": ("PM10", "24h"), "SO2": ("SO2", "24h"),
          "NO2": ("NO2", "24h"), "CO": ("CO", "24h"), "O3_8h_max": ("O3", "8h_max")}
    for s, (p, a) in ex.items():
        row[f"exceed_days_{s}"] = int((wide[s] > _grade2(p, a)).sum()) if s in wide else 0
    a = aqi_daily["aqi"]
    row["valid_days"] = int(a.notna().sum())
    row["days_in_period"] = n_days
    row["heavy_days"] = int((a > 200).sum())
    row["severe_days"] = int((a > 300).sum())
    row["over_500_days"] = int(aqi_daily["aqi_over_500"].sum())
    for lv in range(1, 7):
        row[f"level_{lv}_days"] = int((aqi_daily["level"] == lv).sum())
    # the share of good days and the composite index are of days with all six (a complete AQI, HJ 633): a day
    # whose AQI lacks PM2.5 is no good day, only a day without it (s10-reA F3: PM out on the dirty days, the
    # gases on the clean ones, every pollutant short in the same month, made 5 polluted days "good")
    complete = aqi_daily["complete"].to_numpy(bool) & a.notna().to_numpy()
    row["complete_days"] = int(complete.sum())
    row["good_days"] = int((a[complete] <= 100).sum())
    days = set(pd.to_datetime(aqi_daily["datetime"].to_numpy()[complete]))
    in_complete = (pd.to_datetime(wide["date"]).isin(days) if "date" in wide and len(wide)
                   else pd.Series(False, index=wide.index))
    _, own = comprehensive_index(wide)  # each pollutant over its own valid days: which of the six has none
    row["comprehensive_index"], sub = comprehensive_index(wide[in_complete.to_numpy(bool)])
    if not row["complete_days"]:  # no day with all six (a PM-only station): the sub-indices of what it has
        sub = own
    for k, v in sub.items():
        row[f"index_{k}"] = v
    if month_ok is not None and len(month_ok):
        n_stats = month_ok.groupby("station_code")["statistic"].transform("nunique")
        bad = month_ok.assign(n_statistics=n_stats)[~month_ok["month_valid"]]
    else:
        bad = pd.DataFrame({"station_code": [], "statistic": [], "month": [], "n_statistics": []})
    row["months_insufficient"] = len(bad)
    for s in _MEAN_STATS:  # GB 3095-2012 § 8 validity is per pollutant (hostile re-review A, N3)
        row[f"months_insufficient_{s}"] = int((bad["statistic"] == s).sum())
    row["statistics_valid"] = row["months_insufficient"] == 0 and row["valid_days"] > 0
    # 优良天数比例 is of the AQI of the six pollutants. Not computed (as the composite index is not; hostile
    # review 9A, M1; re-review A, N3, N5; s10-hostA, F3) when a pollutant has a station-month of too few valid
    # days that is not short for all the station's pollutants alike (a month without O3, or without PM2.5: the
    # AQI of those days could only be too low, the sub-index is of a season without that month), without valid
    # O3, or from fewer valid days than one month's minimum (19-hour days: 2 valid days are no 0.0 %). Months
    # short for every pollutant at once (an outage of the station) leave a share over days whose AQI lacks none,
    # flagged as every statistic is (statistics_valid). good_day_ratio_missing: the pollutants that stop it.
    missing = [_AQI_NAME[s] for s in _short_apart(bad)]
    if not np.isfinite(own["O3"]) and "O3" not in missing:
        missing.append("O3")
    least = validity.validity_rules()["month_min_valid_days"]
    if row["valid_days"] < least:  # too few days of every pollutant
        missing = [p for s, p in _AQI_NAME.items() if row[f"months_insufficient_{s}"]] or list(_AQI_NAME.values())
    elif row["complete_days"] < least and not missing:  # too few days with all six: those without a value
        missing = [_AQI_NAME[s] for s, v in zip(_AQI_NAME, own.values(), strict=True) if not np.isfinite(v)] or list(
            _AQI_NAME.values())
    row["good_day_ratio_missing"] = ", ".join(missing)
    row["good_day_ratio"] = row["good_days"] / row["complete_days"] if not missing else np.nan
    # the composite index likewise: its O3 sub-index without a winter month is no season's (spot review, N3)
    ci_missing = [p for p in sub if p in missing or not np.isfinite(own[p])]
    if not np.isfinite(row["comprehensive_index"]) and not ci_missing:  # too few complete days: name all six
        ci_missing = list(sub)
    row["comprehensive_index_missing"] = ", ".join(ci_missing)
    if ci_missing:
        row["comprehensive_index"] = np.nan
    return row


def township_daily_values(valid_daily: pd.DataFrame) -> pd.DataFrame:
    """A township's daily value of each statistic: the mean of its stations' valid daily values.

    ``valid_daily`` has ``township, date, statistic, value`` (valid days only). Returns the
    :func:`zzeval.airquality.validity.daily_values` layout with the township slug in ``station_code``
    (``n=1, valid=True``), so that :func:`zzeval.airquality.aqi.daily_aqi` computes the township's AQI
    from these means.
    """
    dvt = valid_daily[valid_daily["township"].notna()]
    return (dvt.groupby(["township", "date", "statistic"])["value"].mean().reset_index()
            .rename(columns={"township": "station_code"}).assign(n=1, valid=True))


def comparable_daily(daily: pd.DataFrame, season: SeasonData) -> pd.DataFrame:
    """The rows of ``daily`` (with ``station_code``) of the stations that form their township's series:
    those with data in both seasons, like with like (:mod:`zzeval.season.station_sets`)."""
    return daily[used_rows(daily, season.station_sets())]


def township_daily(season: SeasonData, daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """Daily values per township for both seasons, as the season statistics count them.

    Parameters
    ----------
    season : SeasonData
    daily : DataFrame, optional
        :func:`zzeval.airquality.validity.daily_values` of ``season.air_quality`` if already computed.

    Returns
    -------
    DataFrame
        ``township, season, date, statistic`` (PM2.5, PM10, SO2, NO2, CO, O3_8h_max, …, and
        ``AQI`` of the township's daily means, HJ 633-2012), ``value`` (µg/m³; mg/m³ for CO; AQI
        dimensionless). Invalid days are absent; ``season`` is the season's name.
    """
    if daily is None:
        daily = validity.daily_values(season.air_quality)
    st = season.stations[["station_code", "township"]]
    dv = daily[daily["valid"]].merge(st, on="station_code", how="left")
    tw_daily = township_daily_values(comparable_daily(dv, season))
    aqi = _aqi.daily_aqi(season.air_quality, checked=True, daily=tw_daily)
    aqi_rows = (aqi[["station_code", "datetime", "aqi"]]
                .rename(columns={"datetime": "date", "aqi": "value"}).dropna(subset=["value"])
                .assign(statistic="AQI"))
    out = pd.concat([tw_daily[["station_code", "date", "statistic", "value"]], aqi_rows], ignore_index=True)
    out = out.rename(columns={"station_code": "township"})
    per = season.period
    out["season"] = np.where(per.contains(out["date"]), per.name,
                             np.where(per.previous.contains(out["date"]), per.previous.name, ""))
    return out[out["season"] != ""].reset_index(drop=True)


def longest_gap_days(daily: pd.DataFrame, season_name: str, statistic: str = "PM2.5") -> pd.Series:
    """Longest run of consecutive days without a valid daily ``statistic`` in the season
    (1 October – 31 March), per township [days]."""
    period = season_period(season_name)
    days = pd.date_range(period.start, period.end, freq="D")
    sub = daily[(daily["statistic"] == statistic) & (daily["season"] == season_name) & daily["value"].notna()]
    out = {}
    for slug, group in sub.groupby("township"):
        missing = ~days.isin(pd.to_datetime(group["date"]).dt.normalize())
        runs = pd.Series(missing).groupby((~pd.Series(missing)).cumsum()).sum()
        out[slug] = int(runs.max()) if len(runs) else 0
    return pd.Series(out, name="longest_gap_days", dtype="float")


def season_statistics(season: SeasonData, lang: str = "zh", daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """Season statistics per station and township, for the current and previous season.

    Parameters
    ----------
    season : SeasonData
    lang : {"zh", "en"}
    daily : DataFrame, optional
        :func:`zzeval.airquality.validity.daily_values` of ``season.air_quality`` if the caller already
        has it (the evaluation computes it once for the statistics and the figures).

    Returns
    -------
    DataFrame
        One row per ``level`` (``"station"``/``"township"``) × ``unit_id`` (station code or
        township slug) × ``season`` (``"current"``/``"previous"``), with ``township``,
        ``period`` (e.g. ``2020-2021``), ``mean_<s>`` for PM2.5, PM10, SO2, NO2 (µg/m³), CO
        (mg/m³), O3_8h_max (µg/m³; mean of daily max 8-h) over valid days,
        ``valid_days_<s>``, ``exceed_days_<s>`` (days above the GB 3095 Grade II 24-h limit;
        O3: daily max 8-h > 160), ``valid_days`` (days with an AQI), ``days_in_period``,
        ``heavy_days`` (AQI > 200), ``severe_days`` (AQI > 300), ``over_500_days`` (爆表),
        ``level_1_days`` … ``level_6_days``, ``complete_days`` (AQI of all six), ``good_days`` (of those, AQI ≤ 100),
        ``good_day_ratio`` (of those; NaN without O3 or a month short for some, not all, of a station's six),
        ``comprehensive_index`` (of those; NaN as it, or without one of six), ``index_<p>`` sub-indices, ``*_missing`` (those pollutants, e.g. ``"SO2, NO2, CO, O3"``), ``months_insufficient``
        (station/pollutant-months below GB 3095 Table 4's 27 valid days, 25 in February;
        the means are still reported but ``statistics_valid`` is False), ``statistics_valid``.
        ``attrs["exclusions"]``: stations without a township (counted, excluded from
        township rows).
    """
    aq = season.air_quality
    if daily is None:
        aq_chk, _ = validity.check_air_quality(aq)
        daily = validity.daily_values(aq_chk)
    else:  # a loaded season is checked; the daily AQI reads only its published AQI rows
        aq_chk = aq
    st = season.stations[["station_code", "township"]]
    no_tw = sorted(set(daily["station_code"]) - set(st["station_code"]))
    daily = daily.merge(st, on="station_code", how="left")
    per = season.period
    sets = season.station_sets()
    same = used_rows(daily, sets)  # a township's rows: its stations with data in both seasons (同口径)
    rows = []
    for label, p in (("current", per), ("previous", per.previous)):
        in_season = p.contains(daily["date"]).to_numpy()
        d = daily[in_season]
        d_tw = daily[in_season & same]
        n_days = p.days
        mv = validity.month_validity(d[d["statistic"].isin(_MEAN_STATS)], months=p.months())
        dv = d[d["valid"]]
        # stations
        aqi_st = _aqi.daily_aqi(aq_chk, lang=lang, checked=True, daily=d.drop(columns="township"))
        wide_st = dv.pivot_table(index=["station_code", "date"], columns="statistic",
                                 values="value").reset_index()
        for code, g in wide_st.groupby("station_code"):
            tw = st.set_index("station_code")["township"].get(code)
            rows.append({"level": "station", "unit_id": code, "township": tw, "season": label,
                         "period": p.name,
                         **_summarise(g, aqi_st[aqi_st["station_code"] == code], n_days,
                                      mv[mv["station_code"] == code])})
        # townships: mean of station daily values, AQI of those means
        tw_daily = township_daily_values(d_tw[d_tw["valid"]])
        aqi_tw = _aqi.daily_aqi(aq_chk, lang=lang, checked=True, daily=tw_daily)
        wide_tw = tw_daily.pivot_table(index=["station_code", "date"], columns="statistic",
                                       values="value").reset_index()
        mvt = mv[mv["station_code"].isin(set(d_tw["station_code"]))].merge(st, on="station_code")
        # every township with rows in the season, also one without a single valid day (its row says
        # 0 valid days and the months that fail, not nothing: hostile review 9A, M6)
        for slug in sorted(set(d_tw["township"].dropna()) | set(wide_tw.get("station_code", ()))):
            g = wide_tw[wide_tw["station_code"] == slug] if len(wide_tw) else wide_tw
            rows.append({"level": "township", "unit_id": slug, "township": slug,
                         "season": label, "period": p.name,
                         **_summarise(g, aqi_tw[aqi_tw["station_code"] == slug], n_days,
                                      mvt[mvt["township"] == slug])})
    out = pd.DataFrame(rows)
    if len(out):  # which stations the township rows are on (同口径), and whether its change is computable
        info = township_station_sets(sets, season.stations).rename(columns={"comparable": "stations_comparable"})
        out = out.merge(info.rename(columns={"township": "unit_id"}).assign(level="township"),
                        on=["level", "unit_id"], how="left")
    out.attrs["exclusions"] = {"stations_without_township": no_tw}
    return out


def county_validity(season: SeasonData, county_hourly: pd.DataFrame | None = None,
                    statistic: str = "PM2.5", station_weights: pd.DataFrame | None = None,
                    station_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """GB 3095-2012 § 8 validity of the county's own series, by the rules of the townships' figures, and
    whether its mix of stations is the same in both seasons.

    ``county_hourly`` is the county's hourly series, by default computed from ``season``
    (:func:`zzeval.airquality.weather_data.county_hourly`; the per-township evaluation passes its
    :class:`zzeval.assess.tasks.CountySeries`): at each hour the mean of the township series that
    have a value then, each the mean of its stations (同口径) — the series whose measured and
    weather-adjusted change the county page and summary.json give. Its hours become
    natural days by :func:`zzeval.airquality.validity.daily_values` (a day valid with ≥ 20 hours,
    ``data_validity.csv``) and months by :func:`zzeval.airquality.validity.month_validity` over each
    season's six calendar months (≥ 27 valid days, 25 in February; a month without an hour has 0).
    ``station_weights`` is :func:`zzeval.airquality.county_mix.month_weights` of the stations whose
    township series make ``county_hourly`` (by default computed from ``season``; the per-township
    evaluation passes :meth:`zzeval.assess.tasks.CountySeries.station_weights`). The defaults are computed
    from ``station_rows``, the station rows the township series are the means of
    (:func:`zzeval.airquality.weather_data.township_station_rows` of ``season``, of any pollutants with
    ``statistic``; built here when not given: the evaluation passes those of its township series).

    Returns
    -------
    DataFrame
        ``season`` (``"current"``/``"previous"``), ``period``, ``month`` (``YYYY-MM``),
        ``days_in_month``, ``valid_days``, ``min_valid_days``, ``mix_change`` (how much the stations'
        shares of the series' weight differ between the month and the same month of the other season:
        :func:`zzeval.airquality.county_mix.mix_changes`; hostile re-review A, N2, spot review S2, hostile
        review s10-hostA F4), ``mix_bias`` (what that change does to the county's month mean at the
        stations' levels, ``Σ Δshare · L / L̄``, s10-reA F4), ``townships_share_fell`` and
        ``stations_share_fell`` (when ``|mix_bias|`` is above ``county.station_mix_bias``,
        ``input_limits.csv``: the stations whose share fell in this month and their townships,
        comma-separated), ``month_valid`` (False also when it is, on both months of the pair): twelve rows;
        the county's statistics are valid when every ``month_valid`` is True.
    """
    from zzeval.airquality import county_mix

    if county_hourly is None or station_weights is None:
        from zzeval.airquality.weather_data import county_hourly as hourly_of
        from zzeval.airquality.weather_data import township_means, township_station_rows

        rows = township_station_rows(season, (statistic,))[0] if station_rows is None else station_rows
        rows = rows[rows["pollutant"] == statistic]
        if county_hourly is None:
            county_hourly = hourly_of(season, (statistic,), series=township_means(rows))
        if station_weights is None:
            station_weights = county_mix.month_weights(county_mix.station_presence(rows))
    hours = county_hourly[county_hourly["pollutant"] == statistic] if len(county_hourly) else county_hourly
    daily = (validity.daily_values(hours, pollutants=(statistic,)) if len(hours)
             else pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]")}))
    rows = []
    for label, p in (("current", season.period), ("previous", season.period.previous)):
        d = daily[p.contains(daily["date"]).to_numpy()]
        if d.empty:  # not one hour in the season: every month is one of 0 valid days
            d = pd.DataFrame({"station_code": ["county"], "statistic": [statistic], "date": [p.start],
                              "valid": [False]})
        mv = validity.month_validity(d, months=p.months())
        rows.append(mv.drop(columns=["station_code", "statistic"]).assign(season=label, period=p.name))
    out = pd.concat(rows, ignore_index=True)
    mix = county_mix.mix_changes(station_weights, season.period.months(), season.period.previous.months(),
                                 statistic)
    out = out.merge(mix, on="month", how="left")
    out["month_valid"] = out["month_valid"].astype(bool) & ~(out["mix_bias"].abs() > county_mix.mix_limit())
    return out[["season", "period", "month", "days_in_month", "valid_days", "min_valid_days", "mix_change",
                "mix_bias", "townships_share_fell", "stations_share_fell", "month_valid"]]


def dustfall_summary(season: SeasonData, target_t_km2_month: float | None = None) -> pd.DataFrame:
    """Monthly dustfall per township against the plan's target.

    Parameters
    ----------
    season : SeasonData
    target_t_km2_month : float, optional
        Target [t/(month·km²)]; default 9 from ``data_validity.csv`` (plan § 十六; 打赢蓝天
        保卫战三年行动计划 for the Fenwei Plain).

    Returns
    -------
    DataFrame
        One row per township (and ``township="county"``, the mean of townships) × season:
        ``township, season, months_reported, mean_dustfall_t_km2_month,
        max_dustfall_t_km2_month, months_above_target, target_t_km2_month, meets_target``
        (season mean below the target), and ``change_pct`` (current vs previous mean; on
        the current rows).
    """
    tgt = (validity.validity_rules()["dustfall_target_t_km2_month"]
           if target_t_km2_month is None else target_t_km2_month)
    d = season.dustfall.copy()
    m = pd.PeriodIndex(d["month"].astype(str), freq="M").strftime("%Y-%m")
    per = season.period
    d["season"] = np.where(m.isin(per.months()), "current",
                           np.where(m.isin(per.previous.months()), "previous", "other"))
    d = d[d["season"] != "other"]
    cty = d.groupby(["season", "month"])["dustfall_t_km2_month"].mean().reset_index()
    d = pd.concat([d, cty.assign(township="county")], ignore_index=True)
    v = d.groupby(["township", "season"])["dustfall_t_km2_month"]
    out = pd.DataFrame({
        "months_reported": v.count(), "mean_dustfall_t_km2_month": v.mean(),
        "max_dustfall_t_km2_month": v.max(),
        "months_above_target": d.assign(a=d["dustfall_t_km2_month"] > tgt)
        .groupby(["township", "season"])["a"].sum().astype(int),
    }).reset_index()
    out["target_t_km2_month"] = tgt
    out["meets_target"] = out["mean_dustfall_t_km2_month"] < tgt
    piv = out.pivot(index="township", columns="season", values="mean_dustfall_t_km2_month")
    if {"current", "previous"} <= set(piv.columns):
        ch = (100 * (piv["current"] / piv["previous"] - 1)).rename("change_pct")
        out = out.merge(ch.reset_index(), on="township", how="left")
        out.loc[out["season"] != "current", "change_pct"] = np.nan
    else:
        out["change_pct"] = np.nan
    return out
