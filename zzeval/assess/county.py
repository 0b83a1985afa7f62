"""The county's own figures, for the county card and summary.json."""

from __future__ import annotations

import numpy as np

from zzeval.assess.ranking import statistics_valid
from zzeval.errors import ZzevalError


def county_figures(ev) -> dict:
    """The county's own figures (for the county card and summary.json): PM2.5 of the county-mean
    hourly series (mean of all stations' hours) in both seasons, measured and weather-adjusted
    change with its 95 % interval and the model's cross-validated R², the mean of the townships'
    season means, and the across-township DiD estimate."""
    w = ev.weather[(ev.weather["township"] == "county") & (ev.weather["pollutant"] == "PM2.5")]
    ind = ev.indicators
    out: dict = {"townships": int(len(ind))}
    if not w.empty:
        r = w.iloc[0]
        out.update({"pm25_mean_prev_ugm3": float(r["mean_previous"]), "pm25_mean_ugm3": float(r["mean_current"]),
                    "pm25_change_obs_pct": float(r["observed_change_pct"]),
                    "pm25_change_adj_pct": float(r["adjusted_change_pct"]),
                    "pm25_change_adj_low_pct": float(r["adjusted_change_low_pct"]),
                    "pm25_change_adj_high_pct": float(r["adjusted_change_high_pct"]),
                    "pm25_model_r2_cv": float(r["r2_cv"])})
    means, left_out = townships_means(ind)
    if left_out:  # named beside the means (county.means_left_out); absent when every township is in them
        out["townships_means_left_out"] = left_out
    figures = {"townships_mean_pm25_ugm3": means["pm25_mean_ugm3"],
               "townships_mean_pm25_prev_ugm3": means["pm25_mean_ugm3_prev"],
               "townships_mean_of_changes_pct": means["pm25_change_obs_pct"],
               "townships_change_of_means_pct": 100 * (means["pm25_mean_ugm3"] / means["pm25_mean_ugm3_prev"] - 1)}
    # no township valid (every one left out): no mean, null in summary.json (NaN is not JSON), "—" on the page
    out.update({k: float(v) if np.isfinite(v) else None for k, v in figures.items()})
    did = ev.did
    if did is not None and not getattr(did, "bounded", True):
        out.update(_did_unbounded(did))
    elif did is not None:
        out.update({"did_effect_full_retrofit_pct": float(did.effect_pct_full),
                    "did_low_pct": float(100 * (np.exp(did.ci_low) - 1)),
                    "did_high_pct": float(100 * (np.exp(did.ci_high) - 1)),
                    "did_pretrend_p": float(did.pretrend_p), "did_clusters": int(did.n_clusters)})
    counts = ev.verdicts["zh"]["verdict"].value_counts()
    out["verdict_counts"] = {k: int(counts.get(k, 0)) for k in ("on_track", "warning", "interview")}
    tasks = getattr(ev, "county_tasks", None)
    if tasks is not None and len(tasks):  # the county-level tasks (plan §§ 十一, 十二)
        out["county_tasks"] = {r.task: {"value": float(r.value), "target": float(r.target), "met": bool(r.met)}
                               for r in tasks.itertuples(index=False)}
    costs = cost_figures(ev)
    if costs:
        out["cost_effectiveness"] = costs
    out["townships_data_invalid"] = len(invalid_townships(ev))
    # the county's change is of its own series (the hourly mean of the townships' stations): its
    # statistics are valid when that series meets GB 3095-2012 § 8 in both seasons, by the townships'
    # rules (hostile review 9A, F2); a township with gaps does not void it, its own page says why
    months = county_months_insufficient(ev)
    if months is not None:
        out["statistics_valid"] = not len(months)
        if len(months):
            from zzeval.i18n import LANGS

            out["validity"] = {lang: county_validity_text(ev, lang) for lang in LANGS}
    return out


#: The townships' figures the county's means of the townships average (:func:`townships_means`).
MEANS_COLUMNS = ("pm25_mean_ugm3", "pm25_mean_ugm3_prev", "pm25_change_obs_pct")


def townships_means(ind) -> tuple:
    """The plain means of the townships' PM2.5 season means and changes (:data:`MEANS_COLUMNS`) over the
    townships the PM2.5 rankings rank (one rule, :func:`zzeval.assess.ranking.statistics_valid`: PM2.5's
    GB 3095-2012 § 8 statistics valid in both seasons; hostile review s11-A, K13: an invalid township's
    +8.7 % moved the mean of changes from −22.5 to −12.2 % under a county marked valid), and the slugs left
    out for it, in order (a township without a value is in no mean anyway)."""
    columns = list(MEANS_COLUMNS)
    valid = statistics_valid(ind, columns[0]).to_numpy(dtype=bool)
    has_value = ind[columns].notna().any(axis=1).to_numpy(dtype=bool)
    left_out = [str(s) for s, ok, v in zip(ind["township"], valid, has_value, strict=True) if v and not ok]
    return ind.loc[valid, columns].mean(), left_out


def invalid_townships(ev) -> list[str]:
    """The slugs of the townships whose air-quality statistics fail GB 3095-2012 § 8 (a station's
    month below 27 valid days, 25 in February, in either season: ``statistics_valid`` False)."""
    ind = ev.indicators
    if "statistics_valid" not in ind:
        return []
    return [slug for slug, ok in zip(ind["township"], ind["statistics_valid"], strict=True) if not bool(ok)]


def county_months_insufficient(ev):
    """The months (rows of ``Evaluation.county_validity``, :func:`zzeval.airquality.airstats.county_validity`)
    in which the county's own PM2.5 series has fewer valid days than GB 3095-2012 § 8 requires, in
    either season; None for an evaluation without that table."""
    cv = getattr(ev, "county_validity", None)
    if cv is None:
        return None
    return cv[~cv["month_valid"].astype(bool)].sort_values("month", ignore_index=True)


def county_validity_text(ev, lang: str = "zh") -> str | None:
    """Why the county's PM2.5 change cannot decide anything, in the words of ``county.validity_box``
    (the county page and summary.json): the months in which the county's own series fails the
    validity rules, each with its valid days, and those whose mix of townships changed between the seasons
    (``county.township_mix``); None when it meets them (or is not assessed)."""
    months = county_months_insufficient(ev)
    if months is None or not len(months):
        return None
    short = county_validity_text_of(months[months["valid_days"] < months["min_valid_days"]], lang)
    mix = county_mix_text(ev, months, lang) if "townships_share_fell" in months else None
    return " ".join(x for x in (short, mix) if x) or None


def county_mix_text(ev, months, lang: str) -> str | None:
    """``county.township_mix`` of the months in which the county series' mix of stations changed between
    the seasons so that it moves the county's month mean by more than ``county.station_mix_bias``
    (``input_limits.csv``; s10-reA F4): each month pair with its mix change and that bias, and the townships whose stations' share of the series fell, with those stations and their months
    (spot review S2; hostile review s10-hostA F4: a township's station, its township's series complete)."""
    from zzeval.airquality.county_mix import mix_limit
    from zzeval.i18n import format_quantity, t

    mixed = months[months["mix_bias"].abs() > mix_limit()]
    if not len(mixed):
        return None
    sep = t("ci.separator", lang)
    pairs = []
    for r in mixed.sort_values(["season", "month"]).itertuples(index=False):
        if r.season == "current":
            pairs.append(t("county.mix_month", lang, month=r.month, previous=f"{int(r.month[:4]) - 1}{r.month[4:]}",
                           change=format_quantity(100 * r.mix_change, "%", lang),
                           bias=format_quantity(100 * r.mix_bias, "%", lang, signed=True)))
    by_tw: dict[str, list[str]] = {}
    stations: dict[str, list[str]] = {}
    for r in mixed.itertuples(index=False):
        for slug in filter(None, r.townships_share_fell.split(", ")):
            by_tw.setdefault(slug, []).append(r.month)
        codes = getattr(r, "stations_share_fell", "")
        for pair in filter(None, codes.split(", ") if isinstance(codes, str) else []):
            slug, _, code = pair.partition(" ")
            if code not in stations.setdefault(slug, []):
                stations[slug].append(code)
    townships = sep.join(_fell_text(_name(ev, slug), stations.get(slug, []), ms, lang) for slug, ms in by_tw.items())
    limit = 100 * mix_limit()
    return t("county.township_mix", lang, limit=format_quantity(limit, "%", lang, decimals=0 if limit.is_integer() else 1),
             months=sep.join(pairs), townships=townships)


def _fell_text(name: str, codes: list[str], months: list[str], lang: str) -> str:
    """A township whose stations' share fell: its name, the stations (when known) and the months."""
    if lang == "zh":
        return f"{name}（{'、'.join(codes)}：{'、'.join(months)}）" if codes else f"{name}（{'、'.join(months)}）"
    return f"{name} ({', '.join(codes)}: {', '.join(months)})" if codes else f"{name} ({', '.join(months)})"


def _name(ev, slug: str) -> str:
    try:
        return ev.name_zh(slug)
    except ZzevalError:  # a township of the data the evaluation's table does not list: its slug
        return slug


def county_validity_text_of(months, lang: str) -> str | None:
    """``county.validity_box`` of the months in which the county's series has too few valid days."""
    from zzeval.i18n import t, t_count

    if not len(months):
        return None
    items = [(f"{r.month}（{r.valid_days} {{}}）" if lang == "zh" else f"{r.month} ({r.valid_days} {{}})").format(
        t_count("unit.days", lang, r.valid_days)) for r in months.itertuples(index=False)]
    return t_count("county.validity_box", lang, len(items), n=len(items),
                   months=t("ci.separator", lang).join(items))


def _did_unbounded(did) -> dict:
    """The DiD fields of summary.json when its interval cannot be bounded (:attr:`DidResult.bounded`):
    the effect and both ends null, with the reason in zh and en (the words of the county page)."""
    from zzeval.airquality.did import unbounded_text
    from zzeval.i18n import LANGS

    return {"did_effect_full_retrofit_pct": None, "did_low_pct": None, "did_high_pct": None,
            "did_unbounded": {lang: unbounded_text(did.n_clusters, lang) for lang in LANGS},
            "did_pretrend_p": float(did.pretrend_p), "did_clusters": int(did.n_clusters)}


def cost_figures(ev) -> dict:
    """Per measure with costs in the data: the county's money spent [yuan] and yuan per tonne of PM2.5
    removed (net, central), or ``None`` for both and ``cost_unknown`` (the reason in zh and en, the
    words of the pages) when a batch or a scrappage was reported without its amount."""
    from zzeval.i18n import LANGS, cost_unknown_reason

    ce = getattr(getattr(ev, "emissions", None), "cost_effectiveness", None)
    if ce is None or len(ce) == 0:
        return {}
    rows = ce[(ce["township"] == "county") & (ce["scope"] == "net") & (ce["pollutant"] == "PM2.5")]
    out: dict = {}
    for r in rows.itertuples(index=False):
        known = not np.isnan(r.cost_yuan)
        out[r.measure] = {"spent_yuan": float(r.cost_yuan) if known else None,
                          "yuan_per_t_pm25": float(r.yuan_per_t) if known and np.isfinite(r.yuan_per_t) else None}
        if not known:
            out[r.measure]["cost_unknown"] = {lang: cost_unknown_reason(r.measure, lang) for lang in LANGS}
    return out
