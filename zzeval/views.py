"""What a report shows, selected from an :class:`~zzeval.evaluate.Evaluation`.

Each function returns a tidy DataFrame (or a list of key figures) for one township or for
the county, in the shape :mod:`zzeval.plots` and :mod:`zzeval.present` take, with display
labels in the report's language. No computation of results happens here — only selection,
joining and labelling — so the notebooks stay a readable sequence of calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.evaluate import Evaluation
from zzeval.i18n import measure_label, pollutant_label, t_or
from zzeval.present import KeyFigure
from zzeval.schema import POLLUTANT_UNITS

POLLUTANTS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")
#: Measures shown in the reports, in this order.
MEASURES = ("clean_heating", "diesel_trucks", "nev_fleet", "obd_im", "road_to_rail")
EMISSION_POLLUTANTS = ("PM2.5", "PM10", "SO2", "NOx", "CO", "VOC", "BC", "CO2")


def pick(lang: str, zh: str, en: str) -> str:
    """The Chinese or the English text, by the report's language (notebooks use it for headings)."""
    return zh if lang == "zh" else en


def signed(value: float, decimals: int = 1) -> str:
    """``+3.2`` / ``−4.0`` with the typographic minus sign (U+2212), as the figures print it."""
    return f"{value:+.{decimals}f}".replace("-", "\u2212")


def unsigned(value: float, decimals: int = 1) -> str:
    """``1,234.5`` / ``−3.0``; a value that rounds to zero prints as ``0.00``, never ``−0.00``."""
    return f"{round(value, decimals) + 0.0:,.{decimals}f}".replace("-", "\u2212")


NBSP = "\u00a0"


def township_title(ev: Evaluation, slug: str, lang: str = "zh") -> str:
    name = ev.name_zh(slug)
    season = ev.season_name.replace("-", "–")
    if lang == "zh":
        return f"{name} {season} 年秋冬季大气污染综合治理攻坚行动 季末评估报告"
    return f"{name} ({slug}): end-of-season evaluation, autumn–winter {season} air pollution control plan"


def _ind(ev: Evaluation, slug: str) -> pd.Series:
    return ev.indicators.set_index("township").loc[slug]


def key_figures(ev: Evaluation, slug: str, lang: str = "zh") -> list[KeyFigure]:
    """Headline numbers of a township: PM2.5 and PM10 (measured and weather-adjusted change),
    heavy-pollution and 爆表 days, dustfall against 9 t/(month·km²), households retrofitted."""
    ind = _ind(ev, slug)
    cards = []
    for tag, pollutant in (("pm25", "PM2.5"), ("pm10", "PM10")):
        change = ind.get(f"{tag}_change_obs_pct")
        adj, lo, hi = (ind.get(f"{tag}_change_adj_pct"), ind.get(f"{tag}_change_adj_low_pct"),
                       ind.get(f"{tag}_change_adj_high_pct"))
        cards.append(KeyFigure(
            label=pick(lang, f"{pollutant} 本季均值", f"{pollutant} season mean"),
            value=ind.get(f"{tag}_mean_ugm3"), unit="µg/m³",
            comparison=pick(lang, f"上一季 {ind.get(f'{tag}_mean_ugm3_prev'):.1f}，实测变化 {signed(change)} %",
                           f"previous {ind.get(f'{tag}_mean_ugm3_prev'):.1f}, measured change {signed(change)} %"),
            tone="good" if change < 0 else "bad"))
        cards.append(KeyFigure(
            label=pick(lang, f"{pollutant} 气象调整后变化", f"{pollutant} change, weather-adjusted"),
            value=adj, unit="%", interval=(lo, hi) if pd.notna(lo) else None,
            comparison=pick(lang, f"实测 {signed(change)} %；其余为气象影响", f"measured {signed(change)} %; the rest is weather"),
            tone="good" if pd.notna(hi) and hi < 0 else ("bad" if pd.notna(lo) and lo > 0 else "neutral")))
    cards.append(KeyFigure(
        label=pick(lang, "重污染天数（AQI>200）", "Heavy-pollution days (AQI > 200)"),
        value=int(ind.get("heavy_days", 0)), unit=pick(lang, "天", "days"), decimals=0,
        comparison=pick(lang, f"上一季 {int(ind.get('heavy_days_prev', 0))} 天", f"previous {int(ind.get('heavy_days_prev', 0))}"),
        tone="good" if ind.get("heavy_days", 0) <= ind.get("heavy_days_prev", 0) else "bad"))
    cards.append(KeyFigure(
        label=pick(lang, "“爆表”天数（AQI>500）", "Off-scale (爆表) days (AQI > 500)"),
        value=int(ind.get("baobiao_days", 0)), unit=pick(lang, "天", "days"), decimals=0,
        comparison=pick(lang, f"上一季 {int(ind.get('baobiao_days_prev', 0))} 天", f"previous {int(ind.get('baobiao_days_prev', 0))}"),
        tone="bad" if ind.get("baobiao_days", 0) > 0 else "good"))
    dust = ind.get("dustfall_mean_t_km2_month")
    months_over = int(ind.get("dustfall_months_over_9", 0))
    cards.append(KeyFigure(
        label=pick(lang, "平均降尘量", "Mean dustfall"), value=dust, unit=pick(lang, "t/(月·km²)", "t/(month·km²)"),
        comparison=pick(lang, f"目标 < 9；超标 {months_over} 个月",
                       f"target < 9; {months_over} month{'' if months_over == 1 else 's'} above"),
        tone="good" if pd.notna(dust) and dust < 9 else "bad"))
    done, planned = ind.get("heating_done_households"), ind.get("heating_planned_households")
    cards.append(KeyFigure(
        label=pick(lang, "清洁取暖改造完成", "Clean-heating retrofits done"), value=int(done),
        unit=pick(lang, "户", "households"), decimals=0,
        comparison=pick(lang, f"任务 {int(planned):,} 户，完成 {ind.get('heating_completion_pct', np.nan):.1f} %",
                       f"of {int(planned):,} allocated ({ind.get('heating_completion_pct', np.nan):.1f} %)"),
        tone="good" if ind.get("heating_completion_pct", 0) >= 95 else "bad",
        note=_clean_coal_note(ind, lang)))
    return cards


def _clean_coal_note(ind: pd.Series, lang: str) -> str | None:
    """Clean briquettes (mountain areas, plan § 六) are not among the 17,360 retrofits; say so
    where a township has them."""
    planned = ind.get("heating_planned_clean_coal", 0)
    if not planned or pd.isna(planned):
        return None
    done = ind.get("heating_done_clean_coal", 0)
    return pick(lang, f"另有洁净型煤替代 {int(done):,} / {int(planned):,} 户（不计入上述任务）",
               f"plus clean briquettes for {int(done):,} of {int(planned):,} households (not part of the above)")


def daily_frame(ev: Evaluation, slug: str, statistic: str) -> pd.DataFrame:
    """``season, date, value`` of one daily statistic (``PM2.5`` … ``O3_8h_max``, ``AQI``) of a
    township, both seasons; for :func:`zzeval.plots.daily_series` and ``aqi_calendar``."""
    d = ev.daily
    sub = d[(d["township"] == slug) & (d["statistic"] == statistic)]
    return sub[["season", "date", "value"]].reset_index(drop=True)


def calendar_frame(ev: Evaluation, slug: str) -> pd.DataFrame:
    """``date, aqi`` of a township, both seasons (for :func:`zzeval.plots.aqi_calendar`)."""
    return daily_frame(ev, slug, "AQI").rename(columns={"value": "aqi"})[["date", "aqi"]]


def season_means(ev: Evaluation, slug: str) -> dict[str, tuple[float, float, str]]:
    """``pollutant → (previous mean, current mean, basis)`` as the reports show them.

    PM2.5, PM10, SO2, NO2 and CO: the mean of valid daily means (GB 3095-2012 § 8, HJ 663-2013),
    the official season statistic. O3: the mean of hourly values, the quantity the weather
    model explains (the daily max 8-h statistic is in the season statistics). The county has
    no station of its own: its means are those of the county-mean hourly series.
    """
    w = ev.weather[ev.weather["township"] == slug].set_index("pollutant")
    out = {p: (float(w.at[p, "mean_previous"]), float(w.at[p, "mean_current"]), "hourly") for p in w.index}
    stats = ev.air_stats[(ev.air_stats["level"] == "township") & (ev.air_stats["unit_id"] == slug)]
    if len(stats) == 2:
        cur = stats[stats["season"] == "current"].iloc[0]
        prev = stats[stats["season"] == "previous"].iloc[0]
        for p in ("PM2.5", "PM10", "SO2", "NO2", "CO"):
            if pd.notna(cur.get(f"mean_{p}")) and pd.notna(prev.get(f"mean_{p}")):
                out[p] = (float(prev[f"mean_{p}"]), float(cur[f"mean_{p}"]), "daily")
    return out


def adjusted_frame(ev: Evaluation, slug: str) -> pd.DataFrame:
    """Measured change (of the means :func:`season_means` gives) and weather-adjusted change per
    pollutant (for ``plots.adjusted_comparison``)."""
    w = ev.weather[ev.weather["township"] == slug]
    means = season_means(ev, slug)
    measured = [100 * (means[p][1] / means[p][0] - 1) for p in w["pollutant"]]
    observed = pd.DataFrame({"pollutant": w["pollutant"], "kind": "observed", "change_pct": measured,
                             "ci_low_pct": np.nan, "ci_high_pct": np.nan})
    adjusted = pd.DataFrame({"pollutant": w["pollutant"], "kind": "adjusted", "change_pct": w["adjusted_change_pct"],
                             "ci_low_pct": w["adjusted_change_low_pct"], "ci_high_pct": w["adjusted_change_high_pct"]})
    return pd.concat([observed, adjusted], ignore_index=True)


def pollutant_table(ev: Evaluation, slug: str, lang: str = "zh") -> tuple[pd.DataFrame, dict, dict]:
    """All six pollutants: season means, measured and weather-adjusted change with its 95 %
    interval, the model's cross-validated skill, and valid days. Returns (table, labels, units)."""
    w = ev.weather[ev.weather["township"] == slug].set_index("pollutant")
    means = season_means(ev, slug)
    stats = ev.air_stats[(ev.air_stats["level"] == "township") & (ev.air_stats["unit_id"] == slug)]
    cur = stats[stats["season"] == "current"].iloc[0]
    rows = []
    for p in POLLUTANTS:
        if p not in w.index:
            continue
        r = w.loc[p]
        previous, current, basis = means[p]
        key = "O3_8h_max" if p == "O3" else p
        rows.append({
            "pollutant": pollutant_label(p, lang) + (pick(lang, "（小时均值）", " (hourly mean)") if basis == "hourly" else ""),
            "unit": POLLUTANT_UNITS[p],
            "mean_previous": previous, "mean_current": current,
            "observed_change_pct": 100 * (current / previous - 1), "adjusted_change_pct": r["adjusted_change_pct"],
            "interval": f"{signed(r['adjusted_change_low_pct'])}{NBSP}…{NBSP}{signed(r['adjusted_change_high_pct'])}",
            "r2_cv": r["r2_cv"], "rmse_cv": r["rmse_cv"],
            "valid_days": int(cur.get(f"valid_days_{key}", cur.get("valid_days", 0))),
            "exceed_days": int(cur.get(f"exceed_days_{key}", 0)),
        })
    labels = {
        "pollutant": pick(lang, "污染物", "Pollutant"), "unit": pick(lang, "单位", "Unit"),
        "mean_previous": pick(lang, "上一季均值", "Previous mean"), "mean_current": pick(lang, "本季均值", "This season"),
        "observed_change_pct": pick(lang, "实测变化", "Measured change"),
        "adjusted_change_pct": pick(lang, "气象调整后变化", "Weather-adjusted change"),
        "interval": pick(lang, "95% 区间", "95 % interval"), "r2_cv": pick(lang, "模型 R²（交叉验证）", "Model R² (CV)"),
        "rmse_cv": pick(lang, "模型 RMSE", "Model RMSE"), "valid_days": pick(lang, "有效天数", "Valid days"),
        "exceed_days": pick(lang, "超二级标准天数", "Days above Grade II"),
    }
    units = {"observed_change_pct": "%", "adjusted_change_pct": "%", "interval": "%",
             "valid_days": pick(lang, "天", "days"), "exceed_days": pick(lang, "天", "days")}
    return pd.DataFrame(rows), labels, units




def unit_text(unit: str, lang: str = "zh") -> str:
    """A unit of targets.csv as readers see it (``households`` → 户), from labels.yaml."""
    return t_or(f"unit.{unit}", unit, lang)


def _amount(value: float, unit: str) -> str:
    if pd.isna(value):
        return "—"
    if unit in ("%", "t/(month·km²)") or not float(value).is_integer():
        return unsigned(value, 1)
    return unsigned(value, 0)


def progress_table(ev: Evaluation, slug: str, lang: str = "zh") -> tuple[pd.DataFrame, dict, list]:
    """Task progress of a township against its share of the plan; returns (table, labels, row tints)."""
    p = ev.progress[ev.progress["township"] == slug]
    rows = []
    for r in p.itertuples(index=False):
        unit = unit_text(r.unit, lang)
        if pd.isna(r.met):
            status = pick(lang, "无数据", "no data")
        else:
            status = pick(lang, "完成", "met") if r.met else pick(lang, "未完成", "not met")
        rows.append({"task": t_or(f"task.{r.task}", r.task, lang),
                     "target": f"{'≤' if r.direction == 'max' else '≥'} {_amount(r.target, r.unit)} {unit}".strip(),
                     "value": f"{_amount(r.value, r.unit)} {unit}".strip() if pd.notna(r.value) else "—",
                     "status": status})
    tints = ["good" if m is True else ("interview" if m is False else None) for m in p["met"]]
    labels = {"task": pick(lang, "任务", "Task"), "target": pick(lang, "目标", "Target"),
              "value": pick(lang, "完成情况", "Achieved"), "status": pick(lang, "状态", "Status")}
    return pd.DataFrame(rows), labels, tints


def emissions_frame(ev: Evaluation, slug: str, pollutants=("PM2.5", "SO2", "NOx", "CO2")) -> pd.DataFrame:
    """In-county reductions of a township by measure and pollutant [t/season], with the 95 %
    Monte Carlo interval (for :func:`zzeval.plots.emission_reductions`)."""
    t = ev.emissions.table
    sub = t[(t["township"] == slug) & (t["scope"] == "in_county") & t["pollutant"].isin(pollutants)]
    sub = sub[(sub["central"].abs() > 0) | (sub["high"].abs() > 0)]
    return sub.rename(columns={"central": "reduction_t", "low": "ci_low_t", "high": "ci_high_t"})[
        ["measure", "pollutant", "reduction_t", "ci_low_t", "ci_high_t"]].reset_index(drop=True)


def emissions_table(ev: Evaluation, slug: str, lang: str = "zh", scope: str = "in_county") -> pd.DataFrame:
    """Reductions per measure × pollutant as "central (low – high)" text [t/season], with a
    total row; ``slug="county"`` for the county (draws summed over townships)."""
    per_measure = ev.emissions.county if slug == "county" else ev.emissions.table
    t = pd.concat([per_measure, ev.emissions.totals], ignore_index=True)
    sub = t[(t["township"] == slug) & (t["scope"] == scope)].drop_duplicates(["measure", "pollutant"])
    sub = sub[sub["pollutant"].isin(EMISSION_POLLUTANTS)]

    def fmt(r):
        d = 0 if abs(r["central"]) >= 100 else (1 if abs(r["central"]) >= 1 else 2)
        return (f"{unsigned(r['central'], d)}{NBSP}({unsigned(r['low'], d)}{NBSP}–{NBSP}"
                f"{unsigned(r['high'], d)})")

    sub = sub.assign(text=sub.apply(fmt, axis=1))
    wide = sub.pivot(index="measure", columns="pollutant", values="text")
    order = [m for m in (*MEASURES, "total") if m in wide.index] + [m for m in wide.index if m not in (*MEASURES, "total")]
    wide = wide.loc[order, [p for p in EMISSION_POLLUTANTS if p in wide.columns]]
    wide.index = [measure_label(m, lang) if m != "total" else t_or("measure.total", "合计", lang) for m in wide.index]
    return wide.reset_index(names=pick(lang, "措施", "Measure"))


def ranking_frame(ev: Evaluation, column: str, lang: str = "zh") -> pd.DataFrame:
    """``township`` (display name), ``slug``, ``value`` of one indicator for every township."""
    ind = ev.indicators[["township", column]].rename(columns={"township": "slug", column: "value"})
    names = ev.townships.set_index("slug")["name_zh"]
    ind["township"] = ind["slug"].map(names) if lang == "zh" else ind["slug"].map(
        lambda s: f"{names[s]} {s}")
    return ind.dropna(subset=["value"])


def rank_summary(ev: Evaluation, slug: str, lang: str = "zh") -> pd.DataFrame:
    """Where the township ranks in the county (1 = best) on the headline indicators."""
    specs = [("pm25_change_obs_pct", True, pick(lang, "PM2.5 实测变化", "PM2.5 measured change"), "%"),
             ("pm25_change_adj_pct", True, pick(lang, "PM2.5 气象调整后变化", "PM2.5 weather-adjusted change"), "%"),
             ("pm25_mean_ugm3", True, pick(lang, "PM2.5 本季均值", "PM2.5 season mean"), "µg/m³"),
             ("heavy_days", True, pick(lang, "重污染天数", "Heavy-pollution days"), pick(lang, "天", "days")),
             ("heating_completion_pct", False, pick(lang, "清洁取暖完成率", "Clean-heating completion"), "%"),
             ("dustfall_mean_t_km2_month", True, pick(lang, "平均降尘量", "Mean dustfall"),
              pick(lang, "t/(月·km²)", "t/(month·km²)"))]
    ind = ev.indicators.set_index("township")
    n = len(ind)
    rows = []
    for column, ascending, label, unit in specs:
        values = ind[column]
        rank = values.rank(ascending=ascending, method="min")
        rows.append({"indicator": label, "value": values.get(slug), "unit": unit,
                     "rank": f"{int(rank[slug])} / {n}" if pd.notna(rank.get(slug)) else "–",
                     "county_median": values.median()})
    return pd.DataFrame(rows)


def county_table(ev: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """Every township side by side, ranked by the weather-adjusted PM2.5 change (best first);
    ``attrs["units"]`` maps the display columns to their units."""
    ind = ev.indicators.merge(ev.verdicts[lang][["township", "verdict", "verdict_label"]], on="township")
    ind = ind.merge(ev.townships[["slug", "name_zh"]], left_on="township", right_on="slug")
    ind = ind.sort_values("pm25_change_adj_pct").reset_index(drop=True)
    cols = {"name_zh": pick(lang, "乡镇", "Township"), "verdict_label": pick(lang, "考核结论", "Verdict"),
            "pm25_mean_ugm3": "PM2.5", "pm25_change_obs_pct": pick(lang, "PM2.5 实测变化", "PM2.5 measured"),
            "pm25_change_adj_pct": pick(lang, "PM2.5 气象调整后", "PM2.5 adjusted"),
            "heavy_days": pick(lang, "重污染天", "Heavy days"), "baobiao_days": pick(lang, "爆表天", "Off-scale (爆表) days"),
            "heating_completion_pct": pick(lang, "清洁取暖完成率", "Heating done"),
            "dustfall_mean_t_km2_month": pick(lang, "降尘", "Dustfall"),
            "im_pass_rate_pct": pick(lang, "I/M 合格率", "I/M pass")}
    out = ind[["township", "verdict", *cols]].rename(columns=cols)
    days = pick(lang, "天", "days")
    out.attrs["units"] = {cols["pm25_mean_ugm3"]: "µg/m³", cols["pm25_change_obs_pct"]: "%",
                          cols["pm25_change_adj_pct"]: "%", cols["heavy_days"]: days, cols["baobiao_days"]: days,
                          cols["heating_completion_pct"]: "%", cols["im_pass_rate_pct"]: "%",
                          cols["dustfall_mean_t_km2_month"]: pick(lang, "t/(月·km²)", "t/(month·km²)")}
    return out


def county_heatmap_frame(ev: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """Township × task, each as % of the task done (0–100, higher is better): clean-heating
    retrofits, I/M pass rate, OBD fitted, rail share of coal and coke. Air-quality changes have
    another scale and direction; they are in the ranked table beside it."""
    ind = ev.indicators.set_index("township")
    names = ev.townships.set_index("slug")["name_zh"]
    specs = [("heating_completion_pct", pick(lang, "清洁取暖改造完成率", "Heating retrofits done")),
             ("im_pass_rate_pct", pick(lang, "I/M 合格率", "I/M pass rate")),
             ("obd_coverage_pct", pick(lang, "OBD 安装率", "OBD fitted")),
             ("rail_share_coal_coke_pct", pick(lang, "煤焦铁路运输比例", "Coal & coke by rail"))]
    rows = []
    for slug in ev.slugs:
        for column, label in specs:
            value = ind.at[slug, column] if column in ind.columns else np.nan
            rows.append({"township": names[slug] if lang == "zh" else slug, "indicator": label, "value": value})
    return pd.DataFrame(rows)


def validity_notice(ev: Evaluation, slug: str, lang: str = "zh"):
    """A caution when the township's air-quality data do not meet the GB 3095-2012 Table 4
    completeness rules in either season (its season statistics are then indicative only)."""
    from zzeval.present import esc

    ind = ev.indicators.set_index("township").loc[slug]
    if bool(ind.get("statistics_valid", True)):
        return None
    text = pick(lang,
               f"数据有效性提示：本乡镇监测数据有月份的有效日数不足 GB 3095-2012 表 4 的要求（每月 ≥27 天，2 月 ≥25 天）"
               f"（本季有效 {int(ind.get('valid_days', 0))} 天，上一季 {int(ind.get('valid_days_prev', 0))} 天），"
               "季均值和超标天数仅供参考。",
               f"Data validity: some months have fewer valid days than GB 3095-2012 Table 4 requires (≥ 27 a month, "
               f"≥ 25 in February) ({int(ind.get('valid_days', 0))} valid days this season, "
               f"{int(ind.get('valid_days_prev', 0))} last season); season means and exceedance days are indicative only.")
    return _html(f'<p class="zz-note zz-validity">{esc(text)}</p>')


def factors_table(ev: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """The emission factors the estimate used: key, central, low, high, unit, quality and source."""
    f = ev.emissions.factors_used
    key = f["group"] + "/" + f["item"] + np.where(f["pollutant"].isin(["-", ""]), "", "/" + f["pollutant"])
    out = pd.DataFrame({"key": key, "central": f["central"], "low": f["low"], "high": f["high"],
                        "unit": f["unit"], "quality": f.get("quality", ""), "source": f["source"]})
    return out.rename(columns={
        "key": pick(lang, "因子", "Factor"), "central": pick(lang, "中值", "Central"), "low": pick(lang, "低值", "Low"),
        "high": pick(lang, "高值", "High"), "unit": pick(lang, "单位", "Unit"),
        "quality": pick(lang, "可靠性", "Quality"), "source": pick(lang, "来源", "Source")})


def factors_details(ev: Evaluation, lang: str = "zh"):
    """The factor table folded under a summary line (opens with a click, no script needed).
    It stays folded on paper: unfolded it would add some eight A4 pages."""
    from zzeval.present import esc, table

    inner = table(factors_table(ev, lang), lang=lang, decimals=3).data
    n = len(ev.emissions.factors_used)
    summary = pick(lang, f"本报告使用的 {n} 个排放因子及活动水平假设（中值、范围、单位、来源）：点击展开（打印版从略，"
                  "可用 zzeval factors 命令查看全表）",
                  f"The {n} emission factors and activity assumptions used (central, range, unit, source): click to "
                  "open (left out of print; `zzeval factors` lists them all)")
    return _html(f'<details class="zz-factors"><summary>{esc(summary)}</summary>{inner}</details>')

def now() -> str:
    """Build time, Beijing time, to the second."""
    from datetime import datetime

    from zzeval.evaluate import BEIJING

    return datetime.now(BEIJING).isoformat(timespec="seconds")


def _html(body: str):
    from IPython.display import HTML

    return HTML(body)


def county_key_figures(ev: Evaluation, lang: str = "zh") -> list[KeyFigure]:
    """County headline numbers: households retrofitted against 17,360, PM2.5 measured and
    weather-adjusted change (county series), townships due a warning letter or an interview."""
    cp = ev.county_progress.set_index("retrofit_type")
    w = ev.weather[(ev.weather["township"] == "county") & (ev.weather["pollutant"] == "PM2.5")]
    counts = ev.verdicts[lang]["verdict"].value_counts()
    cards = [KeyFigure(label=pick(lang, "清洁取暖改造完成（全县）", "Clean-heating retrofits done (county)"),
                       value=int(cp.at["total", "done_households"]), unit=pick(lang, "户", "households"), decimals=0,
                       comparison=pick(lang, f"方案目标 {int(cp.at['total', 'plan_households']):,} 户（{cp.at['total', 'completion_pct']:.1f} %）",
                                      f"plan {int(cp.at['total', 'plan_households']):,} ({cp.at['total', 'completion_pct']:.1f} %)"),
                       tone="good" if cp.at["total", "completion_pct"] >= 95 else "bad")]
    if not w.empty:
        r = w.iloc[0]
        cards.append(KeyFigure(label=pick(lang, "PM2.5 实测变化（全县）", "PM2.5 measured change (county)"),
                               value=r["observed_change_pct"], unit="%",
                               comparison=pick(lang, f"{r['mean_previous']:.1f} → {r['mean_current']:.1f} µg/m³",
                                              f"{r['mean_previous']:.1f} → {r['mean_current']:.1f} µg/m³"),
                               tone="good" if r["observed_change_pct"] < 0 else "bad"))
        cards.append(KeyFigure(label=pick(lang, "PM2.5 气象调整后变化（全县）", "PM2.5 weather-adjusted change (county)"),
                               value=r["adjusted_change_pct"], unit="%",
                               interval=(r["adjusted_change_low_pct"], r["adjusted_change_high_pct"]),
                               comparison=pick(lang, f"模型交叉验证 R² = {r['r2_cv']:.2f}", f"model CV R² = {r['r2_cv']:.2f}"),
                               tone="good" if r["adjusted_change_high_pct"] < 0 else "neutral"))
    cards.append(KeyFigure(label=pick(lang, "应发预警通知函的乡镇", "Townships due a warning letter"),
                           value=int(counts.get("warning", 0)), unit=pick(lang, "个", ""), decimals=0,
                           tone="bad" if counts.get("warning", 0) else "good"))
    cards.append(KeyFigure(label=pick(lang, "应约谈的乡镇", "Townships due an interview (约谈)"),
                           value=int(counts.get("interview", 0)), unit=pick(lang, "个", ""), decimals=0,
                           tone="bad" if counts.get("interview", 0) else "good"))
    return cards


def county_verdicts(ev: Evaluation, lang: str = "zh"):
    """The list of townships due an interview (约谈) or a warning letter (预警通知函), with reasons."""
    from zzeval.present import esc

    v = ev.verdicts[lang]
    parts = []
    for level, title in (("interview", pick(lang, "建议公开约谈主要负责人（约谈）", "Due a public interview of leaders (约谈)")),
                         ("warning", pick(lang, "建议下发预警通知函", "Due a warning letter (预警通知函)"))):
        sub = v[v["verdict"] == level]
        colon, sep, count = pick(lang, "：", ": "), pick(lang, "；", "; "), pick(lang, f"（{len(sub)}）", f" ({len(sub)})")
        items = "".join(
            f"<li><strong>{esc(ev.name_zh(r.township))}{esc('' if lang == 'zh' else f' ({r.township})')}</strong>"
            f"{esc(colon)}{esc(sep.join(r.reasons[:3]))}{esc('…' if len(r.reasons) > 3 else '')}</li>"
            for r in sub.itertuples())
        body = f"<ul>{items}</ul>" if items else f"<p>{esc(pick(lang, '无', 'None'))}</p>"
        parts.append(f'<div class="zz-verdict-list zz-{level}"><h3>{esc(title)}{esc(count)}</h3>{body}</div>')
    return _html("".join(parts))


def did_summary(did, lang: str = "zh"):
    """One paragraph on the across-township difference-in-differences estimate."""
    from zzeval.present import esc

    if did is None:
        return _html(f"<p>{esc(pick(lang, '乡镇数量不足，未做跨乡镇双重差分估计。', 'Too few townships for the across-township difference-in-differences estimate.'))}</p>")
    text = pick(
        lang,
        f"跨乡镇双重差分（乡镇与日期固定效应，按乡镇聚类稳健标准误，{did.n_clusters} 个乡镇）：清洁取暖改造强度每从 0 增至 1（全部住户改造），"
        f"PM2.5 变化 {signed(did.effect_pct_full)} %（95% 区间按野聚类自助法 {signed(100 * (np.exp(did.ci_low) - 1))} … {signed(100 * (np.exp(did.ci_high) - 1))} %）。"
        f"事前趋势检验 p = {did.pretrend_p:.2f}（p 较大说明改造前各乡镇走势无明显差异）。",
        f"Across townships (difference-in-differences with township and date fixed effects, township-clustered errors, "
        f"{did.n_clusters} townships): going from no to full retrofit intensity changes PM2.5 by {signed(did.effect_pct_full)} % "
        f"(95 % wild-cluster-bootstrap interval {signed(100 * (np.exp(did.ci_low) - 1))} … {signed(100 * (np.exp(did.ci_high) - 1))} %). "
        f"Pre-trend test p = {did.pretrend_p:.2f} (a large p means no visible difference in trends before the retrofits).")
    return _html(f'<p class="zz-note">{esc(text)}</p>')


def county_progress_table(ev: Evaluation, lang: str = "zh") -> tuple[pd.DataFrame, dict]:
    cp = ev.county_progress.copy()
    cp["retrofit_type"] = [measure_label(k, lang) if k != "total" else t_or("measure.total", "合计", lang)
                           for k in cp["retrofit_type"]]
    labels = {"retrofit_type": pick(lang, "改造类型", "Type"), "plan_households": pick(lang, "方案目标（户）", "Plan (households)"),
              "allocated_households": pick(lang, "分解到乡镇（户）", "Allocated (households)"),
              "done_households": pick(lang, "完成（户）", "Done (households)"), "completion_pct": pick(lang, "完成率 %", "Done %")}
    return cp, labels


def input_label(key: str, lang: str = "zh") -> str:
    """A factor key ``group/item/pollutant`` in words (``民用散煤排放因子 · 无烟原煤 · NOx``);
    parts without a label keep their code."""
    group, item, pollutant = (key.split("/") + ["-", "-"])[:3]
    parts = [t_or(f"factor_group.{group}", group, lang),
             t_or(f"factor_item.{item}", t_or(f"submeasure.{item}", item.replace("_", " "), lang), lang)]
    if pollutant not in ("-", ""):
        parts.append(pollutant_label(pollutant, lang))
    return " · ".join(parts)


def cost_table(ev: Evaluation, lang: str = "zh", township: str = "county",
               pollutants=("PM2.5", "SO2", "NOx", "CO2")) -> pd.DataFrame:
    """Cost-effectiveness where the data give costs (subsidies, scrappage payments): yuan per
    tonne removed (net of power plants), central (95 % interval), per measure and pollutant.

    One season's reduction carries the whole one-off cost, so these figures overstate the cost
    per tonne over the assets' lifetimes (see docs/methods_emissions.md)."""
    c = ev.emissions.cost_effectiveness
    c = c[(c["township"] == township) & (c["scope"] == "net") & c["pollutant"].isin(pollutants)]
    c = c[c["reduction_t"] > 0]

    def fmt(r) -> str:
        return (f"{unsigned(r['yuan_per_t'], 0)}{NBSP}({unsigned(r['yuan_per_t_low'], 0)}{NBSP}–{NBSP}"
                f"{unsigned(r['yuan_per_t_high'], 0)})")

    c = c.assign(text=c.apply(fmt, axis=1) if len(c) else [])
    wide = c.pivot(index="measure", columns="pollutant", values="text")
    wide = wide[[p for p in pollutants if p in wide.columns]]
    costs = c.groupby("measure")["cost_yuan"].first()
    wide.insert(0, pick(lang, "投入（万元）", "Spent (10,000 yuan)"), (costs / 1e4).map(lambda v: unsigned(v, 0)))
    wide.index = [measure_label(m, lang) for m in wide.index]
    return wide.reset_index(names=pick(lang, "措施", "Measure"))


def sensitivity_table(ev: Evaluation, lang: str = "zh", top: int = 3) -> pd.DataFrame:
    """The inputs that drive each measure's spread (county, net), top ``top`` per measure for PM2.5 and NOx."""
    s = ev.emissions.sensitivity
    s = s[s["pollutant"].isin(("PM2.5", "NOx")) & (s["rank"] <= top)].sort_values(["measure", "pollutant", "rank"])
    s = s.assign(measure=s["measure"].map(lambda m: measure_label(m, lang)),
                 input=s["input"].map(lambda k: input_label(k, lang)))
    return s[["measure", "pollutant", "rank", "input", "contribution"]].rename(columns={
        "measure": pick(lang, "措施", "Measure"), "pollutant": pick(lang, "污染物", "Pollutant"),
        "rank": pick(lang, "排序", "Rank"), "input": pick(lang, "输入参数", "Input"),
        "contribution": pick(lang, "方差贡献", "Share of variance")})


def methods_note(ev: Evaluation, lang: str = "zh"):
    """Methods, assumptions and data sources, in plain words, with the model skill and data validity."""
    from zzeval.present import esc

    w = ev.weather
    r2 = w["r2_cv"].median() if "r2_cv" in w else np.nan
    synthetic = ev.synthetic
    method = str(w["method"].iloc[0]) if "method" in w and len(w) else "ols"
    if method == "gam":
        weather_zh = f"气象调整：对两季全部小时数据联合拟合对数浓度的回归（statsmodels OLS）：气温、湿度、通风系数（风速 × 边界层高度）及静稳时长的平滑项，过去 6–72 小时的通风、降水与温湿记忆（污染累积），风向扇区 × 风速（区域传输），24 小时气压与气温变化（冷锋），小时、星期、季内日序与节假日，另加本季的阶跃与渐变项；去掉本季项后的本季预测即为对照，变化 = 实测 ÷ 对照 − 1。95% 区间：如果气象模型的误差与上季相当，真实变化有 95% 的可能落在此范围内（按日分块自助法，再按上季内“假分组”检验测得的模型残留误差加宽）。两季气象差异过大、无法与治理效果可靠分离时，结果单独标注。模型交叉验证 R² 中位数 {r2:.2f}。"
        weather_en = f"Weather adjustment: one regression (statsmodels OLS) of log hourly concentration over both seasons on smooth terms of temperature, humidity, ventilation (wind speed × mixing height) and hours since the air was last ventilated, the past 6–72 h of ventilation, rain, temperature and humidity (build-up), wind sector × speed (transport), 24-h pressure and temperature changes (cold fronts), hour, weekday, day of the season and holidays, plus a step and a ramp for this season; this season predicted without them is the counterfactual, and change = observed ÷ counterfactual − 1. 95 % interval: if the weather model errs as much as it did in the previous season, the true change lies in this range with 95 % probability (a day-block bootstrap, widened by the model error measured with fake splits inside the previous season). Where the two seasons' weather differs too much to be separated from the plan's effect, the result is flagged. Median cross-validated R² of the models: {r2:.2f}."
    else:
        weather_zh = f"气象调整：以上一季小时数据拟合对数浓度对风（u/v 分量）、气温、湿度、气压、降水、边界层高度及日序、小时、星期、春节的线性回归（statsmodels OLS），预测本季在实际气象下的浓度；变化 = 实测 − 预测，95% 区间用分块自助法（块长按残差自相关确定），含季内随机波动与模型不确定性，不含非治理措施造成的季际变化；在合成数据上实测覆盖率约 95%。臭氧冬季光化学变化模型未能刻画，其结果可靠性较低。模型交叉验证 R² 中位数 {r2:.2f}。"
        weather_en = f"Weather adjustment: an OLS regression (statsmodels) of log concentration on wind (u/v), temperature, humidity, pressure, precipitation, boundary-layer height and day of year, hour, weekday and Spring Festival, fitted on the previous season, predicts this season under the weather that occurred; change = observed − predicted, with a 95 % block-bootstrap interval (block length set from the residual autocorrelation) that covers within-season noise and model uncertainty, not season-level changes that are not the plan\'s; measured coverage on synthetic seasons about 95 %. The model cannot follow ozone\'s late-winter photochemical rise: treat the O3 result as less reliable. Median cross-validated R² of the models: {r2:.2f}."
    items_zh = [
        "空气质量指数按《环境空气质量指数（AQI）技术规定》HJ 633-2012 计算；日均值须有 ≥20 个有效小时值，日最大 8 小时臭氧按 HJ 663-2013，数据不足的时段单独计数，不参与平均（GB 3095-2012 第 8 章）。",
        "重污染天：AQI > 200；严重污染：AQI > 300；“爆表”：AQI > 500（非标准术语，按惯例计）。综合指数按《城市环境空气质量排名技术规定》。",
        weather_zh,
        "减排量为筛查性估算（不是合规排放清单）：活动水平 × 排放因子，蒙特卡洛 10,000 次抽样得 95% 区间，县级合计按抽样逐次加总。电力替代带来的电厂排放记为“转移至县外”，不与县内减排相抵。",
        "考核结论依据方案第二十二条，具体阈值见 zzeval/reference/verdict_rules.yaml（可由县局调整）。",
    ]
    items_en = [
        "AQI per HJ 633-2012; daily means need ≥ 20 valid hours, the daily max 8-h O3 follows HJ 663-2013; periods with too few data are counted and left out, never averaged (GB 3095-2012 § 8).",
        "Heavy pollution: AQI > 200; severe: AQI > 300; 爆表: AQI > 500 (an informal term, counted by convention). The comprehensive index follows the MEE city-ranking rules.",
        weather_en,
        "Emission reductions are a screening estimate, not a compliance inventory: activity × emission factor, 10,000 Monte Carlo draws for the 95 % intervals, county totals summed draw by draw. Power-plant emissions caused by electric heating are reported as moved outside the county, not netted.",
        "The verdict follows plan § 二十二 with the thresholds in zzeval/reference/verdict_rules.yaml (the bureau may change them).",
    ]
    covid_zh = "注意：对比季（2019–2020）包含 2020 年初新冠疫情管控期，交通与生产活动偏低；模型仅以一个虚拟变量处理，气象调整后的变化可能因此偏保守。"
    covid_en = "Caution: the comparison season (2019–2020) includes the COVID-19 lockdown of early 2020, with less traffic and production; the model treats it with a single dummy, so the weather-adjusted change may understate the improvement."
    items = items_zh if lang == "zh" else items_en
    if ev.season_name == "2020-2021":  # the comparison season 2019-2020 holds the COVID-19 lockdown
        items.append(covid_zh if lang == "zh" else covid_en)
    if synthetic:
        items.insert(0, pick(lang, "本报告使用的是合成样例数据，不是监测数据，数字不代表泽州县实际情况。",
                            "This report uses the SYNTHETIC sample season, not measurements: its numbers say nothing about Zezhou."))
    return _html("<ul class='zz-methods'>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
