"""The county page's task heat map, each cell judged against its indicator's threshold.

:func:`county_task_heatmap` gives the long frame :func:`zzeval.report.plots.township_heatmap`
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

from zzeval.i18n import check_lang, t

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


def county_task_heatmap(ev, lang: str = "zh", indicators=HEATMAP_INDICATORS) -> pd.DataFrame:
    """Long frame for :func:`zzeval.report.plots.township_heatmap`: ``township`` (Chinese name),
    ``indicator`` (display name), ``value`` [%], ``status`` (``pass`` / ``warning`` /
    ``interview``; NaN where the value is missing)."""
    check_lang(lang)
    ind = ev.indicators.set_index("township")
    names = ev.townships.set_index("slug")["name_zh"]
    status = cell_status(ev, lang)
    rows = []
    for slug in ev.slugs:
        for column in indicators:
            value = float(ind.at[slug, column]) if column in ind.columns else np.nan
            rows.append({"township": names[slug], "indicator": indicator_label(column, lang),
                         "value": value,
                         "status": np.nan if np.isnan(value) else status.get((slug, column), "pass")})
    return pd.DataFrame(rows)


def county_heatmap_figure(ev, lang: str = "zh"):
    """The heat map as a report figure (HTML), for the county notebook."""
    from zzeval.report.index_page import label
    from zzeval.report.plots import township_heatmap
    from zzeval.report.present import figure_html

    frame = county_task_heatmap(ev, lang)
    frame["indicator"] = frame["indicator"].map(lambda text: column_label(text, lang))
    fig = township_heatmap(frame, lang=lang, title="")
    # the title as page text above the image: it wraps on a phone, where the image scrolls
    return figure_html(fig, alt=label("heatmap_title", lang), caption=label("heatmap_caption", lang),
                       title=label("heatmap_title", lang))
