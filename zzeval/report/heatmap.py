"""The county page's task heat map, each cell judged against its indicator's threshold.

:func:`county_task_heatmap` gives the long frame :func:`township_heatmap`
draws: one row per township × task indicator with the value [%] and its ``status`` — ``pass``,
or the level (``warning`` / ``interview``) of the most severe verdict rule
(``reference/verdict_rules.yaml`` or the season's own rules) that fired on that indicator for
that township. The colours therefore follow the same thresholds as the verdict: 94.8 % clean
heating against the 95 % rule is a warning, an I/M pass rate of 88.9 % against a 90 % target is a
warning; a missing value (no rail freight in the township) has no status and is drawn as 无数据.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from zzeval.i18n import check_lang, format_number, t, unit_label, verdict_label
from zzeval.report.plots import (
    MIN_FONT_PT,
    NO_DATA_COLOUR,
    PRINT_WIDTH_IN,
    _require,
    agg_figure,
    apply_style,
)

#: The task indicators of the heat map (columns of ``Evaluation.indicators``, all in %).
HEATMAP_INDICATORS = ("heating_completion_pct", "im_pass_rate_pct", "obd_coverage_pct",
                      "rail_share_coal_coke_pct", "nev_public_fleet_pct")


def _rules(ev):
    """The rule set the evaluation used (its recorded source), else the shipped one."""
    from zzeval.assess.verdict import load_rules

    source = str((ev.provenance or {}).get("verdict_rules") or "")
    path = Path(source)
    return load_rules(path if source and path.is_file() else None)


def indicator_label(column: str, lang: str) -> str:
    """Display name of a task indicator (the catalogue's ``heatmap.<column>``)."""
    return t(f"heatmap.{column}", lang)


def column_label(text: str, lang: str, width_zh: int = 6, width_en: int = 14) -> str:
    """A heat-map column label on short lines, so that neighbouring labels never overlap
    (Chinese: cut every ``width_zh`` characters; English: at spaces)."""
    import textwrap

    if lang == "zh":
        lines = [text[i:i + width_zh] for i in range(0, len(text), width_zh)]
        if len(lines) > 1 and len(lines[-1]) == 1:  # no single character left alone on a line
            lines[-2:] = [lines[-2] + lines[-1]]
        return "\n".join(lines)
    return "\n".join(textwrap.wrap(text, width_en)) or text


def cell_status(ev, lang: str = "zh") -> dict[tuple[str, str], str]:
    """``{(slug, indicator column): level}`` of every verdict rule that fired (most severe kept)."""
    rules = {r.id: r for r in _rules(ev).rules}
    rank = {"warning": 1, "interview": 2, "fail": 3}
    out: dict[tuple[str, str], str] = {}
    for slug, fired in zip(ev.verdicts[lang]["township"], ev.verdicts[lang]["rules_fired"], strict=True):
        for rule_id in fired or ():
            rule = rules.get(rule_id)
            if rule is None:
                continue
            key = (str(slug), rule.indicator)
            if rank.get(rule.level, 0) > rank.get(out.get(key, ""), 0):
                out[key] = rule.level
    return out


def worst_townships(ev, n: int, lang: str = "zh", indicators=HEATMAP_INDICATORS) -> list[str]:
    """The ``n`` townships with the most heat-map cells beyond their threshold: the most
    interview (or fail) cells first, then the most warning cells, then slug order."""
    status = cell_status(ev, lang)
    score: dict[str, list[int]] = {str(s): [0, 0] for s in ev.slugs}
    for (slug, column), level in status.items():
        if column in indicators and slug in score:
            score[slug][0 if level in ("interview", "fail") else 1] += 1
    return sorted(score, key=lambda s: (-score[s][0], -score[s][1], s))[:n]


def county_task_heatmap(ev, lang: str = "zh", indicators=HEATMAP_INDICATORS, slugs=None) -> pd.DataFrame:
    """Long frame for :func:`township_heatmap`: ``township`` (Chinese name),
    ``indicator`` (display name), ``value`` [%], ``status`` (``pass`` / ``warning`` /
    ``interview``; NaN where the value is missing); the townships ``slugs`` in that order
    (default: every township)."""
    check_lang(lang)
    ind = ev.indicators.set_index("township")
    names = ev.townships.set_index("slug")["name_zh"]
    status = cell_status(ev, lang)
    rows = []
    for slug in ev.slugs if slugs is None else slugs:
        for column in indicators:
            value = float(ind.at[slug, column]) if column in ind.columns else np.nan
            rows.append({"township": names[slug], "indicator": indicator_label(column, lang),
                         "value": value,
                         "status": np.nan if np.isnan(value) else status.get((slug, column), "pass")})
    return pd.DataFrame(rows)


def county_heatmap_figure(ev, lang: str = "zh"):
    """The heat map as a report figure (HTML), for the county notebook. At province scale
    (:func:`zzeval.report.county_views.province_scale`) only the
    :data:`~zzeval.report.county_views.PROVINCE_HEATMAP_ROWS` worst townships
    (:func:`worst_townships`), the caption saying so (a row per township of a thousand is not
    readable: 4.2 MB of image at 1,000)."""
    from zzeval.report.county_views import PROVINCE_HEATMAP_ROWS, SUMMARY_CSV, province_scale
    from zzeval.report.index_page import label
    from zzeval.report.present import figure_html

    caption, slugs = label("heatmap_caption", lang), None
    if province_scale(ev):
        slugs = worst_townships(ev, PROVINCE_HEATMAP_ROWS, lang)
        caption += t("county.province_heatmap", lang, rows=len(slugs), n=format_number(len(ev.townships)),
                     file=SUMMARY_CSV)
    frame = county_task_heatmap(ev, lang, slugs=slugs)
    frame["indicator"] = frame["indicator"].map(lambda text: column_label(text, lang))
    fig = township_heatmap(frame, lang=lang, title="")
    # the title as page text above the image: it wraps on a phone, where the image scrolls
    return figure_html(fig, alt=label("heatmap_title", lang), caption=caption, title=label("heatmap_title", lang))


#: Heat-map cell colours by status against the indicator's threshold (the verdict rules).
STATUS_COLOURS = {"pass": "#a9d8b5", "warning": "#f5c451", "interview": "#e8716d", "fail": "#b0414f"}
STATUS_ORDER = ("pass", "warning", "interview", "fail")


def township_heatmap(
    df: pd.DataFrame,
    *,
    lang: str = "zh",
    unit: str = "%",
    township: str = "township",
    indicator: str = "indicator",
    value: str = "value",
    status: str | None = "status",
    annot: bool = True,
    cmap: str = "RdYlGn",
    vmin: float | None = None,
    vmax: float | None = None,
    title: str | None = None,
) -> Figure:
    """A township × indicator heat map for the county report.

    Parameters
    ----------
    df : DataFrame
        Long form: ``township`` (display name, e.g. 巴公镇), ``indicator`` (display name),
        ``value`` in ``unit``, and — when the frame has it — ``status``: the cell against its
        indicator's threshold, ``pass`` / ``warning`` / ``interview`` / ``fail`` (the level of
        the verdict rule that fired; see :func:`zzeval.report.heatmap.county_task_heatmap`).
        Row and column order follow their first appearance.

    Notes
    -----
    With a ``status`` column a cell's colour is its status, so 94.8 % against a 95 % threshold is
    amber, never green; without one the colour is ``value`` on ``cmap``. Missing values are
    grey and say 无数据 (no data); the legend names every colour.
    """
    check_lang(lang)
    _require(df, (township, indicator, value), "township_heatmap")
    apply_style()
    data = df.assign(**{township: df[township].astype(str), indicator: df[indicator].astype(str)})
    rows = list(dict.fromkeys(data[township]))
    cols = list(dict.fromkeys(data[indicator]))

    def pivot(column):
        return data.pivot_table(index=township, columns=indicator, values=column, aggfunc="first",
                                dropna=False).reindex(index=rows, columns=cols)

    grid = pivot(value).astype(float)
    axis_label = t("axis.value", lang, indicator=t("axis.indicator", lang), unit=unit_label(unit, lang))
    use_status = status is not None and status in data.columns
    fig = agg_figure(figsize=(min(PRINT_WIDTH_IN, 2.2 + 1.25 * len(cols)), 1.9 + 0.26 * len(rows)),
                 layout="constrained")
    ax = fig.add_subplot()
    if use_status:
        codes = pivot(status).map(lambda v: STATUS_ORDER.index(v) + 1 if v in STATUS_ORDER else 0)
        codes = codes.where(grid.notna(), 0).to_numpy(dtype=int)
        colours = np.array([NO_DATA_COLOUR, *[STATUS_COLOURS[k] for k in STATUS_ORDER]])
        from matplotlib.colors import to_rgb
        ax.imshow(np.array([[to_rgb(c) for c in colours[row]] for row in codes]), aspect="auto")
    else:
        import matplotlib as mpl
        from matplotlib.colors import Normalize, to_rgb

        vals = grid.to_numpy()
        norm = Normalize(np.nanmin(vals) if vmin is None else vmin, np.nanmax(vals) if vmax is None else vmax)
        rgba = mpl.colormaps[cmap](norm(vals))
        rgba[grid.isna().to_numpy()] = (*to_rgb(NO_DATA_COLOUR), 1)
        ax.imshow(rgba, aspect="auto")
        fig.colorbar(mpl.cm.ScalarMappable(norm, cmap), ax=ax, label=axis_label, shrink=0.6)
    _annotate_cells(ax, grid, lang, annot)
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks(np.arange(-0.5, len(cols)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(False), ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="both", length=0)
    ax.xaxis.tick_top()
    ax.set_ylabel(t("axis.township", lang))
    ax.set_xlabel(axis_label)
    ax.xaxis.set_label_position("top")
    if title is None or title:  # "" draws none (the page shows it as text above the image)
        ax.set_title(title or t("title.heatmap", lang))  # placed by matplotlib: above the labels on top
    _status_legend(fig, data[status].dropna() if use_status else [], grid.isna().to_numpy().any(), lang)
    return fig


def _status_legend(fig, statuses, any_missing: bool, lang: str) -> None:
    """The heat map's legend: one patch per status shown, and 无有效数据 when a cell is empty."""
    shown = set(statuses)
    handles = [Patch(color=STATUS_COLOURS[k], label=_status_text(k, lang)) for k in STATUS_ORDER if k in shown]
    if any_missing:
        handles.append(Patch(color=NO_DATA_COLOUR, label=t("legend.no_data", lang)))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)), frameon=False)


def _status_text(key: str, lang: str) -> str:
    """Legend text of a heat-map status: the verdict word of the rule level that fired."""
    from zzeval.report.index_page import label

    return label("status_pass", lang) if key == "pass" else \
        label("status_missed", lang, verdict=verdict_label(key, lang))


def _annotate_cells(ax, grid: pd.DataFrame, lang: str, annot: bool) -> None:
    if not annot:
        return
    no_data = t("legend.no_data", lang)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = grid.iat[i, j]
            text = no_data if not np.isfinite(v) else format_number(v, 1).replace(",", "")
            ax.text(j, i, text, ha="center", va="center", fontsize=MIN_FONT_PT,
                    color="#555555" if not np.isfinite(v) else "#111111")
