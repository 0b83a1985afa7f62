"""What the county report shows: verdict lists, key figures, the townships side by side,
rankings by level and by improvement, monthly dustfall and the county's own figures.

Selection and labelling only (like :mod:`zzeval.report.views`); every word from the label
catalogue (:mod:`zzeval.i18n`), every number through :func:`zzeval.i18n.format_number`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from zzeval.assess.county import county_figures, county_validity_text  # noqa: F401 (re-exported for the notebooks)
from zzeval.assess.evaluate import Evaluation, verdict_display
from zzeval.assess.ranking import left_out, ranked_values
from zzeval.i18n import format_number, format_quantity, measure_label, t, t_or
from zzeval.report.present import KeyFigure, esc
from zzeval.report.story import confirmations_text, reasons_line

#: Above this many townships the county page is a province summary (issue 14): every township
#: due an interview or a warning is still listed (officials act on those), but the side-by-side
#: table lists only those, the rankings only their ends, the heat map only the worst rows; the full
#: table of every township is ``summary.csv`` beside the page (written by ``zzeval build``, linked).
#: At 1,000 townships the full page was 5.4 MB (4.2 MB of it the heat map), over its 3 MB check.
PROVINCE_TOWNSHIPS = 60
#: Township rows of the heat map at province scale (the most cells beyond their threshold first).
PROVINCE_HEATMAP_ROWS = 40
#: Townships at each end of the rankings at province scale.
PROVINCE_RANK_ENDS = 10
#: The full table of every township, beside the county page (``zzeval.build.publish``).
SUMMARY_CSV = "summary.csv"
_VERDICT_ORDER = {"interview": 0, "warning": 1, "on_track": 2}


def composite_index_note(ind: pd.Series, lang: str = "zh") -> str | None:
    """Why a township's composite index (or its change) is not computable: the pollutants of the six
    without valid values in either season (``comprehensive_index_missing``, :mod:`zzeval.airquality.airstats`),
    in the words of ``ci.not_computable`` on every page; None when both seasons have all six."""
    given = [str(ind.get(c) or "") for c in ("comprehensive_index_missing", "comprehensive_index_missing_prev")]
    missing = list(dict.fromkeys(p for text in given for p in text.split(", ") if p))
    if not missing:
        return None
    return t("ci.not_computable", lang, missing=t("ci.separator", lang).join(missing))


def good_days_note(ind: pd.Series, lang: str = "zh") -> str | None:
    """Why a township's share of good days (优良天数比例) is not given: a pollutant of the AQI without valid
    values in either season, or with months of too few valid days (its AQI would lack it on those days;
    :mod:`zzeval.airquality.airstats`), in the words of ``good_days.not_computable`` on every page; None
    when both seasons' AQI pollutants are valid."""
    given = [str(ind.get(c) or "") for c in ("good_day_ratio_missing", "good_day_ratio_missing_prev")]
    missing = list(dict.fromkeys(p for text in given for p in text.split(", ") if p))
    return t("good_days.not_computable", lang, missing=t("ci.separator", lang).join(missing)) if missing else None


def composite_index_notes(ev: Evaluation, lang: str = "zh", note=composite_index_note) -> str | None:
    """:func:`composite_index_note` (or ``note``, e.g. :func:`good_days_note`) of each township whose
    index (share) is not computable, with its name."""
    names = ev.townships.set_index("slug")["name_zh"]
    notes = [t("ci.township_note", lang, name=names.get(r["township"], r["township"]), note=text)
             for _, r in ev.indicators.iterrows() if (text := note(r, lang))]
    return t("stations.separator", lang).join(notes) or None


def rankings_invalid_note(ev: Evaluation, slugs, lang: str = "zh") -> str:
    """Why the townships ``slugs`` have a value but a rank "—" in a ranking (:mod:`zzeval.assess.ranking`),
    in the words of ``caption.rankings_invalid`` on every page."""
    names = ev.townships.set_index("slug")["name_zh"]
    shown = [names[s] if lang == "zh" else f"{names[s]} {s}" for s in slugs]
    return t("caption.rankings_invalid", lang, flag=t("verdict.validity_flag", lang),
             names=t("ci.separator", lang).join(shown))


def province_scale(ev: Evaluation) -> bool:
    """True when the season has more than :data:`PROVINCE_TOWNSHIPS` townships."""
    return len(ev.townships) > PROVINCE_TOWNSHIPS


def province_note(ev: Evaluation, lang: str = "zh") -> str:
    """What a province-scale county page leaves out and where the full table is (a paragraph
    with the link to :data:`SUMMARY_CSV`); empty for a county-size season."""
    if not province_scale(ev):
        return ""
    counts = ev.verdicts[lang]["verdict"].value_counts()
    text = t("county.province_note", lang, n=format_number(len(ev.townships)),
             interview=format_number(int(counts.get("interview", 0))),
             warning=format_number(int(counts.get("warning", 0))),
             on_track=format_number(int(counts.get("on_track", 0))), rows=PROVINCE_HEATMAP_ROWS,
             ends=PROVINCE_RANK_ENDS)
    return (f'<p class="zz-note zz-province">{esc(text)} '
            f'<a href="{SUMMARY_CSV}" download>{esc(t("county.province_csv", lang, file=SUMMARY_CSV))}</a></p>')


def county_means_note(ev: Evaluation, lang: str = "zh") -> str:
    """Why the county card's change differs from the mean of the townships' changes, in words, naming the
    townships those means leave out (:func:`zzeval.assess.county.townships_means`)."""
    f = county_figures(ev)
    if "pm25_mean_ugm3" not in f:
        return ""
    left = f.get("townships_means_left_out", [])
    names = ev.townships.set_index("slug")["name_zh"]
    without = t("county.means_left_out", lang, flag=t("verdict.validity_flag", lang), names=t("ci.separator", lang).join(
        names[s] if lang == "zh" else f"{names[s]} {s}" for s in left)) if left else ""
    return t("county.means_note", lang,
             county_prev=format_number(f["pm25_mean_prev_ugm3"]), county_cur=format_number(f["pm25_mean_ugm3"]),
             county_change=format_quantity(f["pm25_change_obs_pct"], "%", lang, signed=True),
             tw_prev=format_number(f["townships_mean_pm25_prev_ugm3"]), tw_cur=format_number(f["townships_mean_pm25_ugm3"]),
             tw_change=format_quantity(f["townships_change_of_means_pct"], "%", lang, signed=True),
             tw_mean_change=format_quantity(f["townships_mean_of_changes_pct"], "%", lang, signed=True)) + without


def county_means_paragraph(ev: Evaluation, lang: str = "zh") -> HTML:
    """:func:`county_means_note` as a paragraph under the county's key figures."""
    return HTML(f'<p class="zz-note">{esc(county_means_note(ev, lang))}</p>')


def county_validity_notice(ev: Evaluation, lang: str = "zh") -> HTML | None:
    """Above the county's key figures when the county's own PM2.5 series fails the validity rules:
    the flag and :func:`zzeval.assess.county.county_validity_text` (the words of summary.json), as a
    township page shows its own; and every confirmation in force (values used as written on the bureau's
    word, :func:`zzeval.report.story.confirmations_text`), once. None when the series meets the rules and
    nothing is confirmed (a township's gaps alone leave the headline: the county table flags that
    township's verdict, its own page says why)."""
    text, confirmed = county_validity_text(ev, lang), confirmations_text(ev, lang)
    parts = [] if text is None else [f'<p class="zz-note zz-validity"><strong>{esc(t("verdict.validity_flag", lang))}'
                                     f'</strong> {esc(text)}</p>']
    if confirmed:
        parts.append(f'<p class="zz-note zz-confirmed">{esc(confirmed)}</p>')
    return HTML("".join(parts)) if parts else None


def county_key_figures(ev: Evaluation, lang: str = "zh") -> list[KeyFigure]:
    """County headline numbers: households retrofitted against 17,360, PM2.5 measured and
    weather-adjusted change (county series), townships due a warning letter or an interview."""
    cp = ev.county_progress.set_index("retrofit_type")
    f = county_figures(ev)
    pct = cp.at["total", "completion_pct"]
    cards = [KeyFigure(label=t("county.card_heating", lang), value=int(cp.at["total", "done_households"]),
                       unit=t("unit.households", lang), decimals=0,
                       comparison=t("county.card_heating_of", lang, plan=format_number(int(cp.at["total", "plan_households"])),
                                    pct=format_quantity(pct, "%", lang)),
                       tone="good" if pct >= 95 else "bad")]
    if "pm25_change_obs_pct" in f:
        valid = f.get("statistics_valid", True)  # the county series' own; else marked, neutral (county_validity_notice)
        flag = None if valid else t("verdict.validity_flag", lang)
        cards.append(KeyFigure(label=t("county.card_measured", lang), value=f["pm25_change_obs_pct"], unit="%",
                               comparison=f"{format_number(f['pm25_mean_prev_ugm3'])} → {format_number(f['pm25_mean_ugm3'])} µg/m³",
                               tone=("good" if f["pm25_change_obs_pct"] < 0 else "bad") if valid else "neutral",
                               note=flag))
        cards.append(KeyFigure(label=t("county.card_adjusted", lang), value=f["pm25_change_adj_pct"], unit="%",
                               interval=(f["pm25_change_adj_low_pct"], f["pm25_change_adj_high_pct"]),
                               comparison=t("county.card_r2", lang, r2=format_number(f["pm25_model_r2_cv"], 2)),
                               tone="good" if valid and f["pm25_change_adj_high_pct"] < 0 else "neutral", note=flag))
    counts = f["verdict_counts"]
    for level in ("warning", "interview"):
        n = counts.get(level, 0)
        cards.append(KeyFigure(label=t(f"county.card_{level}", lang), value=n,
                               unit=t("unit.townships", lang) if lang == "zh" else "", decimals=0,
                               tone="bad" if n else "good"))
    return cards


def county_verdicts(ev: Evaluation, lang: str = "zh") -> HTML:
    """The townships due an interview (约谈) or a warning letter (预警通知函), each with all its
    reasons in one line, and the townships whose data fail the validity rules."""
    v = ev.verdicts[lang]
    valid = ev.indicators.set_index("township").get("statistics_valid")
    parts = []
    for level in ("interview", "warning"):
        sub = v[v["verdict"] == level]
        items = []
        for r in sub.itertuples():
            who = ev.name_zh(r.township) + ("" if lang == "zh" else f" ({r.township})")
            flag = ""
            if valid is not None and not bool(valid.get(r.township, True)):
                flag = f' <span class="zz-flag">{esc(t("verdict.validity_flag", lang))}</span>'
            items.append(f"<li><strong>{esc(who)}</strong>{esc(t('county.colon', lang))}"
                         f"{esc(reasons_line(r.reasons, lang))}{flag}</li>")
        body = f"<ul>{''.join(items)}</ul>" if items else f"<p>{esc(t('county.none', lang))}</p>"
        title = t(f"county.list_{level}", lang, n=len(sub))
        parts.append(f'<div class="zz-verdict-list zz-{level}"><h3>{esc(title)}</h3>{body}</div>')
    return HTML(province_note(ev, lang) + "".join(parts))


def county_table(ev: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """Every township side by side, sorted 约谈 → 预警 → 正常 and then by the weather-adjusted
    PM2.5 change; the verdict carries the data-validity flag (the verdict's words are the
    catalogue's, as on the township pages). ``attrs["units"]`` maps columns to their units.
    At province scale (:func:`province_scale`) only the townships due an interview or a warning,
    with ``attrs["caption"]`` saying so and naming the full table (:data:`SUMMARY_CSV`)."""
    v = ev.verdicts[lang][["township", "verdict", "verdict_label", "data_valid"]]
    ind = ev.indicators.merge(v, on="township").merge(ev.townships[["slug", "name_zh"]], left_on="township",
                                                      right_on="slug")
    ind = ind.assign(_o=ind["verdict"].map(_VERDICT_ORDER)).sort_values(["_o", "pm25_change_adj_pct"]
                                                                       ).reset_index(drop=True)
    caption = None
    if province_scale(ev):
        ind = ind[ind["verdict"] != "on_track"].reset_index(drop=True)
        caption = t("county.province_table", lang, shown=format_number(len(ind)),
                    n=format_number(len(ev.townships)), file=SUMMARY_CSV)
    ind["verdict_label"] = [verdict_display(lab, ok, lang)
                            for lab, ok in zip(ind["verdict_label"], ind["data_valid"], strict=True)]
    keys = ("name_zh", "verdict_label", "pm25_mean_ugm3", "pm25_change_obs_pct", "pm25_change_adj_pct",
            "comprehensive_index", "good_day_ratio_pct", "heavy_days", "heating_completion_pct",
            "dustfall_max_month_t_km2_month")
    cols = {k: t(f"county.col_{k}", lang) for k in keys}
    out = ind[["township", "verdict", *keys]].rename(columns=cols)
    days = t("unit.days", lang)
    out.attrs["units"] = {cols["pm25_mean_ugm3"]: "µg/m³", cols["pm25_change_obs_pct"]: "%",
                          cols["pm25_change_adj_pct"]: "%", cols["good_day_ratio_pct"]: "%",
                          cols["heavy_days"]: days, cols["heating_completion_pct"]: "%",
                          cols["dustfall_max_month_t_km2_month"]: t("unit.t/(month·km²)", lang)}
    out.attrs["decimals"] = {cols["comprehensive_index"]: 2}
    caption = " ".join(c for c in (caption, composite_index_notes(ev, lang),
                                   composite_index_notes(ev, lang, good_days_note)) if c)
    if caption:
        out.attrs["caption"] = caption
    return out


def rankings_table(ev: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """Township rankings as Chinese rankings are published: by level (环境空气质量综合指数, PM2.5)
    and by improvement (同比变化率), 1 = best; sorted by the composite index."""
    ind = ev.indicators.set_index("township")
    names = ev.townships.set_index("slug")["name_zh"]
    out = pd.DataFrame(index=ind.index)
    out["name"] = [names[s] if lang == "zh" else f"{names[s]} {s}" for s in ind.index]
    columns = (("comprehensive_index", True), ("comprehensive_index_change_pct", True),
               ("pm25_mean_ugm3", True), ("pm25_change_obs_pct", True), ("good_day_ratio_pct", False))
    for column, asc in columns:
        out[column] = ind[column]
        out[f"{column}_rank"] = ranked_values(ind, column).rank(ascending=asc, method="min").astype("Int64")
    out = out.sort_values("comprehensive_index_rank").reset_index(drop=True)
    out = out.rename(columns={c: t(f"rankings.{c}", lang) for c in out.columns})
    out.attrs["decimals"] = {t("rankings.comprehensive_index", lang): 2}  # as the rankings publish it
    out.attrs["caption"] = t("caption.rankings", lang)
    for note in (composite_index_note, good_days_note):  # left out of a ranking: say why
        if notes := composite_index_notes(ev, lang, note):
            out.attrs["caption"] += " " + notes
    if unranked := left_out(ind, [c for c, _ in columns]):  # shown, not ranked where invalid (s10-reA F3)
        out.attrs["caption"] += " " + rankings_invalid_note(ev, unranked, lang)
    if province_scale(ev) and len(out) > 2 * PROVINCE_RANK_ENDS:  # the two ends only
        out = pd.concat([out.head(PROVINCE_RANK_ENDS), out.tail(PROVINCE_RANK_ENDS)], ignore_index=True)
        out.attrs["caption"] += t("county.province_rankings", lang, ends=PROVINCE_RANK_ENDS,
                                  n=format_number(len(ev.townships)), file=SUMMARY_CSV)
    return out


def county_dustfall(ev: Evaluation, lang: str = "zh") -> tuple[pd.DataFrame, list, str | None]:
    """The monthly dustfall of every township (:func:`zzeval.report.views.monthly_dustfall`); at
    province scale only the townships with a month above the limit, with a caption saying so.
    Returns (table, row tints, caption or None)."""
    from zzeval.report.views import monthly_dustfall

    table, tints = monthly_dustfall(ev, None, lang)
    if not province_scale(ev):
        return table, tints, None
    keep = [i for i, tint in enumerate(tints) if tint]
    caption = t("county.province_dustfall", lang, shown=format_number(len(keep)),
                n=format_number(len(ev.townships)))
    return table.iloc[keep].reset_index(drop=True), [tints[i] for i in keep], caption


def did_summary(did, lang: str = "zh") -> HTML:
    """One paragraph on the across-township difference-in-differences estimate."""
    if did is None:
        return HTML(f"<p>{esc(t('county.did_none', lang))}</p>")
    if not getattr(did, "bounded", True):  # an interval the townships cannot bound: no numbers
        from zzeval.airquality.did import unbounded_text

        return HTML(f'<p class="zz-note">{esc(unbounded_text(did.n_clusters, lang))}</p>')
    text = t("county.did", lang, n=did.n_clusters, effect=format_quantity(did.effect_pct_full, "%", lang, signed=True),
             low=format_number(100 * (np.exp(did.ci_low) - 1), signed=True),
             high=format_quantity(100 * (np.exp(did.ci_high) - 1), "%", lang, signed=True),
             p=format_number(did.pretrend_p, 2))
    return HTML(f'<p class="zz-note">{esc(text)}</p>')


def county_progress_table(ev: Evaluation, lang: str = "zh") -> tuple[pd.DataFrame, dict]:
    cp = ev.county_progress.copy()
    cp["retrofit_type"] = [measure_label(k, lang) for k in cp["retrofit_type"]]
    labels = {k: t(f"county.progress_{k}", lang) for k in ("retrofit_type", "plan_households", "allocated_households",
                                                           "done_households", "completion_pct")}
    return cp, labels


def county_tasks_table(ev: Evaluation, lang: str = "zh") -> tuple[pd.DataFrame, dict, list]:
    """The county-level tasks of the plan (§ 十一 steel and power firms' siding access, § 十二 new
    black-smoke cameras; ``Evaluation.county_tasks``): task, plan section, target, achieved, status,
    deadline and responsible units in the plan's words (``plan_tasks.yaml``). Returns (table,
    column labels, row tints); an empty table when the season has no county task data."""
    from zzeval.resources import plan_tasks

    specs = plan_tasks().get("county_tasks", {})
    frame = getattr(ev, "county_tasks", None)
    rows, tints = [], []
    for r in (frame.itertuples(index=False) if frame is not None else ()):
        spec = specs.get(r.task, {})
        sign = "≥" if r.direction == "min" else "≤"
        rows.append({"task": t_or(f"task.{r.task}", r.task, lang), "section": t("section.number", lang, n=r.section),
                     "target": f"{sign} {format_quantity(r.target, r.unit, lang)}",
                     "value": format_quantity(r.value, r.unit, lang),
                     "status": t("status.met" if r.met else "status.not_met", lang),
                     "deadline": spec.get(f"deadline_{lang}", ""), "responsible": spec.get(f"responsible_{lang}", "")})
        tints.append("good" if r.met else "warning")
    labels = {"task": t("table.task", lang), "section": t("table.section", lang), "target": t("table.target", lang),
              "value": t("table.achieved", lang), "status": t("table.status", lang),
              "deadline": t("fix.deadline", lang), "responsible": t("fix.responsible", lang)}
    return pd.DataFrame(rows, columns=list(labels)), labels, tints
