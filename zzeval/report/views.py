"""What a report shows, selected from an :class:`~zzeval.assess.evaluate.Evaluation`.

Each function returns a tidy DataFrame (or a list of key figures) for one township or for
the county, in the shape :mod:`zzeval.report.plots` and :mod:`zzeval.report.present` take, with display
labels in the report's language. No computation of results happens here — only selection,
joining and labelling — so the notebooks stay a readable sequence of calls.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from zzeval.assess.evaluate import RANKINGS, Evaluation
from zzeval.assess.ranking import left_out, ranked_values
from zzeval.i18n import (
    cost_unknown_reason,
    format_number,
    format_quantity,
    measure_label,
    pollutant_label,
    t,
    t_or,
)
from zzeval.report.county_views import (  # noqa: F401 (the notebooks call them as views.*)
    composite_index_note,
    county_dustfall,
    county_figures,
    county_key_figures,
    county_means_note,
    county_means_paragraph,
    county_progress_table,
    county_table,
    county_tasks_table,
    county_validity_notice,
    county_verdicts,
    did_summary,
    good_days_note,
    rankings_invalid_note,
    rankings_table,
)
from zzeval.report.present import KeyFigure
from zzeval.report.story import fix_block, progress_table, task_legend, verdict_box, weather_note  # noqa: F401
from zzeval.season.schema import AIR_POLLUTANTS, POLLUTANT_UNITS

POLLUTANTS = AIR_POLLUTANTS
#: Measures shown in the reports, in this order.
MEASURES = ("clean_heating", "diesel_trucks", "nev_fleet", "obd_im", "road_to_rail")
EMISSION_POLLUTANTS = ("PM2.5", "PM10", "SO2", "NOx", "CO", "VOC", "BC", "CO2")


def signed(value: float, decimals: int = 1) -> str:
    """``+3.2`` / ``−4.0`` with the typographic minus sign: :func:`zzeval.i18n.format_number`."""
    return format_number(value, decimals, signed=True)


def unsigned(value: float, decimals: int = 1) -> str:
    """``1,234.5`` / ``−3.0``; a value that rounds to zero prints as ``0.00``, never ``−0.00``."""
    return format_number(float(value), decimals)


def text(key: str, lang: str = "zh", **fields) -> str:
    """A label of the catalogue (notebooks use it for headings and captions)."""
    return t(key, lang, **fields)


NBSP = "\u00a0"


def township_title(ev: Evaluation, slug: str, lang: str = "zh") -> str:
    season = ev.season_name.replace("-", "–")
    name = ev.name_zh(slug) if lang == "zh" else f"{ev.name_zh(slug)} ({slug})"
    return t("view.township_title", lang, name=name, season=season)


def _ind(ev: Evaluation, slug: str) -> pd.Series:
    return ev.indicators.set_index("township").loc[slug]


def _pm_cards(ind: pd.Series, lang: str) -> list[KeyFigure]:
    cards = []
    for tag, pollutant in (("pm25", "PM2.5"), ("pm10", "PM10")):
        change = ind.get(f"{tag}_change_obs_pct")
        adj, lo, hi = (ind.get(f"{tag}_change_adj_pct"), ind.get(f"{tag}_change_adj_low_pct"),
                       ind.get(f"{tag}_change_adj_high_pct"))
        cards.append(KeyFigure(
            label=t("card.season_mean", lang, pollutant=pollutant), value=ind.get(f"{tag}_mean_ugm3"), unit="µg/m³",
            comparison=t("card.previous_and_change", lang, previous=format_number(ind.get(f"{tag}_mean_ugm3_prev")),
                         change=format_quantity(change, "%", lang, signed=True)),
            tone="neutral" if pd.isna(change) else ("good" if change < 0 else "bad")))
        cards.append(KeyFigure(
            label=t("card.adjusted_change", lang, pollutant=pollutant), value=adj, unit="%",
            interval=(lo, hi) if pd.notna(lo) else None,
            comparison=t("card.measured_rest_weather", lang, change=format_quantity(change, "%", lang, signed=True)),
            tone="good" if pd.notna(hi) and hi < 0 else ("bad" if pd.notna(lo) and lo > 0 else "neutral")))
    return cards


def key_figures(ev: Evaluation, slug: str, lang: str = "zh") -> list[KeyFigure]:
    """Headline numbers of a township: PM2.5 and PM10 (measured and weather-adjusted change),
    the composite index and good-day ratio (China's own assessment metrics), heavy-pollution and
    爆表 days, the highest monthly dustfall against 9 t/(month·km²), households retrofitted."""
    ind = _ind(ev, slug)
    cards = _pm_cards(ind, lang)
    cards[0] = replace(cards[0], note=stations_note(ev, slug, lang))  # stations left out of the change
    ci, ci_prev = ind.get("comprehensive_index"), ind.get("comprehensive_index_prev")
    cards.append(KeyFigure(
        label=t("card.composite_index", lang), value=ci, unit="1", decimals=2,
        comparison=t("card.previous_and_change", lang, previous=format_number(ci_prev, 2),
                     change=format_quantity(ind.get("comprehensive_index_change_pct"), "%", lang, signed=True)),
        tone="good" if pd.notna(ci) and pd.notna(ci_prev) and ci < ci_prev else "bad",
        note=composite_index_note(ind, lang)))
    good, good_prev = ind.get("good_day_ratio_pct"), ind.get("good_day_ratio_pct_prev")
    cards.append(KeyFigure(
        label=t("card.good_day_ratio", lang), value=good, unit="%",
        comparison=t("card.previous_pct", lang, previous=format_quantity(good_prev, "%", lang)),
        tone="neutral" if pd.isna(good) or pd.isna(good_prev) else ("good" if good >= good_prev else "bad"),
        note=good_days_note(ind, lang)))
    heavy, heavy_prev = int(ind.get("heavy_days", 0)), int(ind.get("heavy_days_prev", 0))
    cards.append(KeyFigure(
        label=t("card.heavy_days", lang), value=heavy, unit=t_count_unit("days", lang, heavy), decimals=0,
        comparison=t("card.previous_days", lang, previous=format_quantity(heavy_prev, "days", lang)),
        tone="good" if heavy <= heavy_prev else "bad"))
    baobiao, baobiao_prev = int(ind.get("baobiao_days", 0)), int(ind.get("baobiao_days_prev", 0))
    cards.append(KeyFigure(
        label=t("card.baobiao_days", lang), value=baobiao, unit=t_count_unit("days", lang, baobiao), decimals=0,
        comparison=t("card.previous_days", lang, previous=format_quantity(baobiao_prev, "days", lang)),
        tone="bad" if baobiao > 0 else "good"))
    dust = ind.get("dustfall_max_month_t_km2_month")
    months_over = int(ind.get("dustfall_months_over_9", 0))
    cards.append(KeyFigure(
        label=t("card.dustfall_max", lang), value=dust, unit=t("unit.t/(month·km²)", lang),
        comparison=t("card.dustfall_months", lang, mean=format_number(ind.get("dustfall_mean_t_km2_month")),
                     months=format_quantity(months_over, "months", lang)),
        tone="good" if pd.notna(dust) and dust <= 9 else "bad", note=dustfall_missing_note(ev, slug, lang)))
    done, planned = ind.get("heating_done_households"), ind.get("heating_planned_households")
    cards.append(KeyFigure(
        label=t("card.heating_done", lang), value=int(done), unit=t("unit.households", lang), decimals=0,
        comparison=t("card.heating_of", lang, planned=format_number(int(planned)),
                     pct=format_quantity(ind.get("heating_completion_pct", np.nan), "%", lang)),
        tone="good" if ind.get("heating_completion_pct", 0) >= 95 else "bad",
        note=_clean_coal_note(ind, lang)))
    return cards


def stations_note(ev: Evaluation, slug: str, lang: str = "zh") -> str | None:
    """Which stations the township's change between the seasons is computed on when its stations
    differ between them (:mod:`zzeval.season.station_sets`), and the replacements that make two stations
    one series (``stations.replaces``, :mod:`zzeval.season.replacements`); None when neither."""
    stats = ev.air_stats
    if "stations_comparable" not in stats:
        return None
    rows = stats[(stats["level"] == "township") & (stats["unit_id"] == slug) & (stats["season"] == "current")]
    if rows.empty:
        return None
    r = rows.iloc[0]
    only = [t(f"stations.{which}_only", lang, stations=r[f"stations_{which}_only"])
            for which in ("current", "previous") if isinstance(r[f"stations_{which}_only"], str)
            and r[f"stations_{which}_only"]]
    chains = r.get("stations_replaced")  # stations.replaces: said once, where the stations are named
    replaced = [t("stations.replaced", lang, chains=chains)] if isinstance(chains, str) and chains else []
    if not only:
        return replaced[0] if replaced else None
    only_text = t("stations.separator", lang).join(only)
    if bool(r["stations_comparable"]):
        text = t("stations.common", lang, only=only_text, common=r["stations_common"])
    else:
        text = t("stations.none_common", lang, only=only_text)
    return t("stations.separator", lang).join([*replaced, text])


def t_count_unit(unit: str, lang: str, n: float) -> str:
    from zzeval.i18n import t_count

    return t_count(f"unit.{unit}", lang, n)


def _clean_coal_note(ind: pd.Series, lang: str) -> str | None:
    """Clean briquettes (mountain areas, plan § 六) are not among the 17,360 retrofits; say so
    where a township has them."""
    planned = ind.get("heating_planned_clean_coal", 0)
    if not planned or pd.isna(planned):
        return None
    done = ind.get("heating_done_clean_coal", 0)
    return t("card.clean_coal_note", lang, done=format_number(int(done)), planned=format_number(int(planned)))


def daily_frame(ev: Evaluation, slug: str, statistic: str) -> pd.DataFrame:
    """``season, date, value`` of one daily statistic (``PM2.5`` … ``O3_8h_max``, ``AQI``) of a
    township, both seasons; for :func:`zzeval.report.plots.daily_series` and ``aqi_calendar``."""
    d = ev.daily
    sub = d[(d["township"] == slug) & (d["statistic"] == statistic)]
    return sub[["season", "date", "value"]].reset_index(drop=True)


def calendar_frame(ev: Evaluation, slug: str) -> pd.DataFrame:
    """``date, aqi`` of a township, both seasons (for :func:`zzeval.report.plots.aqi_calendar`)."""
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
            "pollutant": pollutant_label(p, lang) + (t("view.hourly_mean_suffix", lang) if basis == "hourly" else ""),
            "unit": POLLUTANT_UNITS[p],
            "mean_previous": previous, "mean_current": current,
            "observed_change_pct": 100 * (current / previous - 1), "adjusted_change_pct": r["adjusted_change_pct"],
            "interval": f"{signed(r['adjusted_change_low_pct'])}{NBSP}…{NBSP}{signed(r['adjusted_change_high_pct'])}",
            "r2_cv": r["r2_cv"], "rmse_cv": r["rmse_cv"],
            "valid_days": int(cur.get(f"valid_days_{key}", cur.get("valid_days", 0))),
            "exceed_days": int(cur.get(f"exceed_days_{key}", 0)),
        })
    labels = {k: t(f"col.{k}", lang) for k in ("pollutant", "unit", "mean_previous", "mean_current",
                                               "observed_change_pct", "adjusted_change_pct", "interval",
                                               "r2_cv", "rmse_cv", "valid_days", "exceed_days")}
    days = t("unit.days", lang)
    units = {"observed_change_pct": "%", "adjusted_change_pct": "%", "interval": "%",
             "valid_days": days, "exceed_days": days}
    return pd.DataFrame(rows), labels, units


def emissions_frame(ev: Evaluation, slug: str, pollutants=("PM2.5", "SO2", "NOx", "CO2")) -> pd.DataFrame:
    """In-county reductions of a township by measure and pollutant [t/season], with the 95 %
    Monte Carlo interval (for :func:`zzeval.report.plots.emission_reductions`)."""
    tb = ev.emissions.table
    sub = tb[(tb["township"] == slug) & (tb["scope"] == "in_county") & tb["pollutant"].isin(pollutants)]
    sub = sub[(sub["central"].abs() > 0) | (sub["high"].abs() > 0)]
    return sub.rename(columns={"central": "reduction_t", "low": "ci_low_t", "high": "ci_high_t"})[
        ["measure", "pollutant", "reduction_t", "ci_low_t", "ci_high_t"]].reset_index(drop=True)


def _central_range(central: float, low: float, high: float, decimals: int) -> str:
    return f"{unsigned(central, decimals)}{NBSP}({unsigned(low, decimals)}{NBSP}–{NBSP}{unsigned(high, decimals)})"


def emissions_table(ev: Evaluation, slug: str, lang: str = "zh", scope: str = "in_county") -> pd.DataFrame:
    """Reductions per measure × pollutant as "central (low – high)" text [t/season], with a
    total row; ``slug="county"`` for the county (draws summed over townships)."""
    per_measure = ev.emissions.county if slug == "county" else ev.emissions.table
    tb = pd.concat([per_measure, ev.emissions.totals], ignore_index=True)
    sub = tb[(tb["township"] == slug) & (tb["scope"] == scope)].drop_duplicates(["measure", "pollutant"])
    sub = sub[sub["pollutant"].isin(EMISSION_POLLUTANTS)]

    def fmt(r):
        d = 0 if abs(r["central"]) >= 100 else (1 if abs(r["central"]) >= 1 else 2)
        return _central_range(r["central"], r["low"], r["high"], d)

    sub = sub.assign(text=sub.apply(fmt, axis=1))
    wide = sub.pivot(index="measure", columns="pollutant", values="text")
    order = [m for m in (*MEASURES, "total") if m in wide.index] + [m for m in wide.index if m not in (*MEASURES, "total")]
    wide = wide.loc[order, [p for p in EMISSION_POLLUTANTS if p in wide.columns]]
    wide.index = [measure_label(m, lang) for m in wide.index]
    return wide.reset_index(names=t("col.measure", lang))


def ranking_frame(ev: Evaluation, column: str, lang: str = "zh") -> pd.DataFrame:
    """``township`` (display name), ``slug``, ``value`` of one indicator for every township its ranking ranks
    (:func:`zzeval.assess.ranking.ranked_values`: one with invalid statistics is not drawn, as it has no rank)."""
    ind = ranked_values(ev.indicators, column).rename("value").rename_axis("slug").reset_index()
    ind["township"] = ind["slug"].map(lambda s: ranking_name(ev, s, lang))
    return ind.dropna(subset=["value"])


def ranking_name(ev: Evaluation, slug: str, lang: str = "zh") -> str:
    """The township's name as the ranking charts show it (also for one without a value: not drawn)."""
    name = ev.townships.set_index("slug")["name_zh"][slug]
    return name if lang == "zh" else f"{name} {slug}"


def rank_summary(ev: Evaluation, slug: str, lang: str = "zh") -> pd.DataFrame:
    """Where the township ranks in the county (1 = best) on the headline indicators, by level
    and by improvement on last season."""
    ind = ev.indicators.set_index("township")
    rows = []
    for column, ascending, key, unit in RANKINGS:
        if column not in ind:
            continue
        values = ind[column]
        ranked = ranked_values(ind, column)  # a township with invalid statistics: shown, not ranked ("—")
        rank = ranked.rank(ascending=ascending, method="min")
        n = int(ranked.notna().sum())
        shown_unit = "" if unit == "1" else (t(f"unit.{unit}", lang) if f"unit.{unit}" in _labels() else unit)
        decimals = 2 if unit == "1" else (0 if unit == "days" else 1)  # index 2 places, days whole
        rows.append({"indicator": t(key, lang), "value": format_number(values.get(slug), decimals),
                     "unit": shown_unit, "rank": f"{int(rank[slug])} / {n}" if pd.notna(rank.get(slug)) else "—",
                     "county_median": format_number(values.median(), decimals)})
    out = pd.DataFrame(rows)
    if left_out(ind, [column for column, *_ in RANKINGS]).count(slug):  # why a rank is "—", as the county page says
        out.attrs["caption"] = rankings_invalid_note(ev, [slug], lang)
    return out


def rank_labels(lang: str = "zh") -> dict:
    return {k: t(f"col.rank_{k}", lang) for k in ("indicator", "value", "unit", "rank", "county_median")}


def _labels():
    from zzeval.i18n import labels

    return labels()


def monthly_dustfall(ev: Evaluation, slug: str | None = None, lang: str = "zh") -> tuple[pd.DataFrame, list]:
    """Monthly dustfall of the season against 9 t/(month·km²) (plan § 十六), one row per township
    (or only ``slug``), months as columns; returns (table, row tints: a month above the limit)."""
    from zzeval.season.data import season_period

    months = season_period(ev.season_name).months()
    raw = _season_dust(ev)
    raw = raw[raw["month"].isin(months)]
    if slug is not None:
        raw = raw[raw["township"] == slug]
    wide = raw.pivot(index="township", columns="month", values="dustfall_t_km2_month").reindex(columns=months)
    names = ev.townships.set_index("slug")["name_zh"]
    wide.columns = [t(f"month.{int(m[5:])}", lang) for m in months]
    over = (wide > 9).any(axis=1)
    lost = raw.assign(lost=raw["dustfall_t_km2_month"].isna()).pivot(index="township", columns="month", values="lost")
    lost = lost.reindex(index=wide.index, columns=months).fillna(False).astype(bool).to_numpy()
    if lost.any():  # a month whose sample was lost (its row's value left empty): 缺测, not a blank
        wide = wide.astype(object).mask(lost, t("dustfall.missing", lang))
    wide.insert(0, t("col.township", lang), [names.get(s, s) for s in wide.index])
    wide[t("col.months_over_9", lang)] = (raw.assign(o=raw["dustfall_t_km2_month"] > 9)
                                          .groupby("township")["o"].sum().reindex(wide.index).astype(int))
    return wide.reset_index(drop=True), ["warning" if o else None for o in over]


def dustfall_missing_note(ev: Evaluation, slug: str, lang: str = "zh") -> str | None:
    """The months of the season whose dustfall sample of township ``slug`` was lost (its value left
    empty, data/README.md) and over how many measured months its mean is taken; None when none was."""
    from zzeval.season.data import season_period

    raw = _season_dust(ev)
    raw = raw[(raw["township"] == slug) & raw["month"].isin(season_period(ev.season_name).months())]
    lost = sorted(raw.loc[raw["dustfall_t_km2_month"].isna(), "month"])
    if not lost:
        return None
    return t("dustfall.missing_note", lang, months=t("ci.separator", lang).join(lost),
             n=format_number(int(raw["dustfall_t_km2_month"].notna().sum())))


def _season_dust(ev: Evaluation) -> pd.DataFrame:
    """The monthly dustfall rows (township, month ``YYYY-MM``, dustfall_t_km2_month)."""
    raw = ev.dustfall_monthly
    return raw if raw is not None else pd.DataFrame(columns=["township", "month", "dustfall_t_km2_month"])


def validity_notice(ev: Evaluation, slug: str, lang: str = "zh"):
    """The data-validity flag as a note (the verdict box carries it too); None when valid."""
    from zzeval.report.present import esc
    from zzeval.report.story import validity_text

    flag = validity_text(ev, slug, lang)
    return None if flag is None else _html(f'<p class="zz-note zz-validity">{esc(flag)}</p>')


def factors_table(ev: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """The emission factors and activity assumptions the estimate used, for readers: the factor in
    words, central value, range, unit, the basis in words (实测/技术指南/文献/假设值), the citation
    and a note — in ``lang``, never a code or file name."""
    f = ev.emissions.factors_used.reset_index(drop=True)
    key = f["group"] + "/" + f["item"] + np.where(f["pollutant"].isin(["-", ""]), "", "/" + f["pollutant"])
    own_name = f.get(f"item_{lang}")
    names = [n if isinstance(n, str) and n else input_label(k, lang)
             for k, n in zip(key, own_name if own_name is not None else [None] * len(f), strict=True)]
    basis = f["basis"] if "basis" in f else pd.Series([""] * len(f))
    notes = f.get(f"note_{lang}", pd.Series([""] * len(f)))
    citation = f["citation"] if "citation" in f else pd.Series([""] * len(f))
    out = pd.DataFrame({
        "factor": names, "central": f["central"],
        "range": [f"{format_number(lo, 3)}{NBSP}–{NBSP}{format_number(hi, 3)}" for lo, hi in zip(f["low"], f["high"], strict=True)],
        "unit": f["unit"].map(lambda u: t_or(f"unit.{u}", u, lang)),
        "basis": [t_or(f"basis.{b}", "—", lang) for b in basis],
        "citation": citation.fillna("").replace("", "—"), "note": notes.fillna("").replace("", "—")})
    return out.rename(columns={k: t(f"col.factor_{k}", lang) for k in out.columns})


def basis_legend(lang: str = "zh") -> str:
    """What each basis of a factor means, in one line (under the factor table)."""
    return t("factors.basis_legend", lang)


def factors_details(ev: Evaluation, lang: str = "zh"):
    """The factor appendix folded under a summary line (opens with a click, no script needed).
    It stays folded on paper: unfolded it would add some eight A4 pages."""
    from zzeval.report.present import esc, table

    inner = table(factors_table(ev, lang), lang=lang, decimals=3).data
    n = len(ev.emissions.factors_used)
    summary = t("factors.summary", lang, n=n)
    return _html(f'<details class="zz-factors"><summary>{esc(summary)}</summary>'
                 f'<p class="zz-note">{esc(basis_legend(lang))}</p>{inner}</details>')


def now() -> str:
    """Build time, Beijing time, to the second."""
    from datetime import datetime

    from zzeval.i18n import BEIJING

    return datetime.now(BEIJING).isoformat(timespec="seconds")


def _html(body: str):
    from IPython.display import HTML

    return HTML(body)


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
    c = c.assign(text=c.apply(lambda r: _central_range(r["yuan_per_t"], r["yuan_per_t_low"], r["yuan_per_t_high"], 0)
                              if pd.notna(r["cost_yuan"]) else cost_unknown_text(r["measure"], lang),
                              axis=1) if len(c) else [])
    wide = c.pivot(index="measure", columns="pollutant", values="text")
    wide = wide[[p for p in pollutants if p in wide.columns]]
    costs = c.groupby("measure")["cost_yuan"].agg(lambda v: v.iloc[0])
    spent = [unsigned(v / 1e4, 0) if pd.notna(v) else cost_unknown_text(m, lang) for m, v in costs.items()]
    wide.insert(0, t("col.spent_10k_yuan", lang), pd.Series(spent, index=costs.index, dtype=object))
    wide.index = [measure_label(m, lang) for m in wide.index]
    return wide.reset_index(names=t("col.measure", lang))


def cost_unknown_text(measure: str, lang: str = "zh") -> str:
    """A dash and the reason for a measure whose cost is not reported (an empty subsidy_yuan or
    scrappage_payment_yuan on a row with households or vehicles done): ``—（补贴金额未填报）``."""
    return t("cost_unknown.cell", lang, reason=cost_unknown_reason(measure, lang))


def sensitivity_table(ev: Evaluation, lang: str = "zh", top: int = 3) -> pd.DataFrame:
    """The inputs that drive each measure's spread (county, net), top ``top`` per measure for PM2.5 and NOx."""
    s = ev.emissions.sensitivity
    s = s[s["pollutant"].isin(("PM2.5", "NOx")) & (s["rank"] <= top)].sort_values(["measure", "pollutant", "rank"])
    s = s.assign(measure=s["measure"].map(lambda m: measure_label(m, lang)),
                 input=s["input"].map(lambda k: input_label(k, lang)))
    cols = ("measure", "pollutant", "rank", "input", "contribution")
    return s[list(cols)].rename(columns={c: t(f"col.sens_{c}", lang) for c in cols})


def methods_note(ev: Evaluation, lang: str = "zh", county: bool = False):
    """Methods, assumptions and data sources, in plain words, with the model skill and the number of
    Monte Carlo draws the emission estimate made (``ev.emissions.draws["n"]``, kept in a township's slice).
    ``county``: the county page, which also says when the county's weather was derived from the
    stations' (:attr:`zzeval.season.data.TownshipsAndMeta.county_weather_from_stations`)."""
    from zzeval.report.present import esc

    w = ev.weather
    r2 = w["r2_cv"].median() if "r2_cv" in w else np.nan
    method = str(w["method"].iloc[0]) if "method" in w and len(w) else "ols"
    weather_key = {"gam": "methods.weather_gam", "gbm": "methods.weather_gbm"}.get(method, "methods.weather")
    draws = (getattr(ev.emissions, "draws", None) or {}).get("n")  # as made, not as asked for
    emissions = t("methods.emissions_central", lang) if draws == 0 else t(
        "methods.emissions", lang, draws=format_number(None if draws is None else int(draws)))
    items = [t("methods.aqi", lang), t("methods.days", lang), t(weather_key, lang, r2=format_number(r2, 2)),
             t("methods.interval_rule", lang), emissions, t("methods.verdict", lang)]
    if county and ev.county_weather_from_stations:
        seasons = ("、" if lang == "zh" else ", ").join(s.replace("-", "–") for s in ev.county_weather_from_stations)
        items.append(t("methods.county_weather_derived", lang, seasons=seasons))
    if ev.season_name == "2020-2021":  # the comparison season 2019-2020 holds the COVID-19 lockdown
        items.append(t("methods.covid", lang))
    if ev.synthetic:
        items.insert(0, t("methods.synthetic", lang))
    return _html("<ul class='zz-methods'>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
