"""HTML components for the report notebooks: banner, cards, tables, figures, footer.

Each function returns an :class:`IPython.display.HTML` object (its ``.data`` is the
markup) that the notebook displays; the nbconvert template
(``zzeval/report/templates/zzeval_report``) styles the ``zz-*`` classes for screen and A4 print.
**All data-derived text is HTML-escaped** (township names, reasons, notes, parameters):
a crafted input such as a township called ``<script>alert(1)</script>`` is shown as
text, never run. Only markup this module writes itself is emitted unescaped.

No component loads anything from the network: figures are embedded as base64 PNG.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from IPython.display import HTML

from zzeval.errors import ZzevalError
from zzeval.i18n import (
    check_lang,
    format_number,
    format_quantity,
    format_time,
    t,
    unit_label,
    verdict_label,
)

#: Verdicts of plan § 二十二, mildest first; the banner's CSS modifier is the key.
VERDICTS = ("on_track", "warning", "interview", "fail")

#: Default resolution of embedded figures [dots per inch]. At 110 dpi a 9 × 4.2 in figure
#: is ~990 × 460 px and 60–150 kB as PNG, so a township report with ~10 figures stays
#: well below its 3 MB budget (checked by :func:`zzeval.report.htmlcheck.check_report`).
FIGURE_DPI = 110
#: Largest PNG accepted before the figure is re-rendered at a lower dpi [bytes].
MAX_PNG_BYTES = 450_000
#: CSS pixels per inch (CSS 2.1: 1 in = 96 px); used to show figures at their nominal size.
CSS_PX_PER_INCH = 96


def esc(value: object) -> str:
    """HTML-escape any value's text (``&``, ``<``, ``>``, ``"`` and ``'``)."""
    return html.escape("" if value is None else str(value), quote=True)


def heading(text: str, *, level: int = 1, subtitle: str | None = None) -> HTML:
    """A heading (``<h1>``…``<h3>``) with an optional subtitle line, both escaped."""
    if level not in (1, 2, 3):
        raise ZzevalError(f"heading level must be 1, 2 or 3, got {level}")
    sub = f'<p class="zz-subtitle">{esc(subtitle)}</p>' if subtitle else ""
    return HTML(f'<header class="zz-heading"><h{level}>{esc(text)}</h{level}>{sub}</header>')


def verdict_banner(
    verdict: str,
    reasons: Sequence[str] = (),
    *,
    lang: str = "zh",
    township: str | None = None,
) -> HTML:
    """The § 二十二 verdict at the top of a report, with the reasons for it.

    Parameters
    ----------
    verdict : str
        ``on_track`` (达到预期), ``warning`` (预警通知函), ``interview`` (约谈) or ``fail``.
    reasons : sequence of str
        One sentence per reason, already in ``lang`` (escaped here).
    township : str, optional
        Name shown before the verdict.
    """
    check_lang(lang)
    if verdict not in VERDICTS:
        raise ZzevalError(f"unknown verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    who = f'<span class="zz-banner-who">{esc(township)}</span>' if township else ""
    items = "".join(f"<li>{esc(r)}</li>" for r in reasons)
    body = (
        f'<p class="zz-banner-reasons-title">{esc(t("verdict.reasons", lang))}</p><ul>{items}</ul>'
        if items
        else f'<p>{esc(t("verdict.no_reasons", lang))}</p>'
    )
    return HTML(
        f'<section class="zz-banner zz-banner--{verdict}" role="status">'
        f'<p class="zz-banner-heading">{esc(t("verdict.heading", lang))}</p>'
        f'<p class="zz-banner-verdict">{who}{esc(verdict_label(verdict, lang))}</p>'
        f"{body}</section>"
    )


@dataclass(frozen=True)
class KeyFigure:
    """One headline number of a report.

    ``value`` in ``unit``; ``comparison`` a short text (e.g. "上一季 75.2 µg/m³");
    ``interval`` the 95 % interval (low, high) in ``unit``; ``tone`` colours the card:
    ``good``, ``bad`` or ``neutral``.
    """

    label: str
    value: float | int | str | None
    unit: str = ""
    comparison: str | None = None
    interval: tuple[float, float] | None = None
    tone: str = "neutral"
    decimals: int = 1
    note: str | None = None


def fmt_number(value: object, decimals: int = 1, *, signed: bool = False) -> str:
    """Format a number for a report: the one formatter of every page, table and figure,
    :func:`zzeval.i18n.format_number` (thousands separators, ``decimals`` places, the typographic
    minus U+2212, an em dash for None/NaN; integers keep no decimals; strings pass through)."""
    return format_number(value, decimals, signed=signed)


#: The number and its unit (``+3.2 %``, ``12 辆``): :func:`zzeval.i18n.format_quantity`.
fmt_quantity = format_quantity


def key_figure_cards(cards: Sequence[KeyFigure | Mapping], *, lang: str = "zh") -> HTML:
    """A row of key-figure cards (value, unit, comparison, 95 % interval).

    ``cards`` are :class:`KeyFigure` objects or mappings with the same fields.
    """
    check_lang(lang)
    parts = []
    for c in cards:
        kf = c if isinstance(c, KeyFigure) else KeyFigure(**dict(c))
        if kf.tone not in ("good", "bad", "neutral"):
            raise ZzevalError(f"key figure {kf.label!r}: tone must be good, bad or neutral")
        unit = unit_label(kf.unit, lang) if kf.unit else ""
        lines = [
            f'<p class="zz-card-label">{esc(kf.label)}</p>',
            f'<p class="zz-card-value">{esc(fmt_number(kf.value, kf.decimals))}'
            f'<span class="zz-card-unit">{esc(unit)}</span></p>',
        ]
        if kf.interval is not None:
            lo, hi = kf.interval
            lines.append(
                f'<p class="zz-card-interval">{esc(t("card.interval", lang))} '
                f"[{esc(fmt_number(lo, kf.decimals))}, {esc(fmt_number(hi, kf.decimals))}]"
                f" {esc(unit)}</p>"
            )
        if kf.comparison:
            lines.append(f'<p class="zz-card-comparison">{esc(kf.comparison)}</p>')
        if kf.note:
            lines.append(f'<p class="zz-card-note">{esc(kf.note)}</p>')
        parts.append(f'<div class="zz-card zz-card--{kf.tone}">{"".join(lines)}</div>')
    return HTML(f'<div class="zz-cards">{"".join(parts)}</div>')


def table(
    df: pd.DataFrame,
    *,
    units: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    lang: str = "zh",
    caption: str | None = None,
    decimals: int | Mapping[str, int] = 1,
    index: bool = False,
    highlight_rows: Sequence[int] = (),
    row_classes: Sequence[str | None] | None = None,
    css_class: str | None = None,
) -> HTML:
    """A styled HTML table of a DataFrame, with units in the headers.

    Parameters
    ----------
    units : mapping, optional
        Column name → unit, shown in the header as ``名称（单位）`` / ``Name (unit)``; a
        column without a unit (names, categories) gets none.
    labels : mapping, optional
        Column name → header text in ``lang`` (default: the column name).
    decimals : int or mapping
        Decimal places of float columns (one for all, or per column).
    highlight_rows : sequence of int
        Positions of rows to emphasise (e.g. the report's own township in a ranking).
    row_classes : sequence, optional
        One CSS modifier per row (``good``/``warning``/``interview``/None) for row tints.
    css_class : str, optional
        An extra class of the ``<table>`` (e.g. ``zz-table--tasks``: the task table's print layout).
    """
    check_lang(lang)
    units = dict(units or {})
    labels = dict(labels or {})
    data = df.reset_index() if index else df
    cols = list(data.columns)
    numeric = {c: pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
               for c in cols}
    heads = []
    for col in cols:
        name = labels.get(col, str(col))
        unit = units.get(col)
        if unit:
            u = unit_label(unit, lang)
            name = f"{name}（{u}）" if lang == "zh" else f"{name} ({u})"
        cls = ' class="zz-num"' if numeric[col] else ""
        heads.append(f'<th scope="col"{cls}>{esc(name)}</th>')
    rows = []
    hl = set(highlight_rows)
    for i, rec in enumerate(data.itertuples(index=False, name=None)):
        cells = []
        for col, v in zip(cols, rec, strict=True):
            if numeric[col]:
                d = decimals.get(col, 1) if isinstance(decimals, Mapping) else decimals
                is_int = pd.api.types.is_integer_dtype(data[col])
                cells.append(f'<td class="zz-num">{esc(fmt_number(v, 0 if is_int else d))}</td>')
            else:
                cells.append(f"<td>{esc('—' if _is_missing(v) else v)}</td>")
        cls = []
        if i in hl:
            cls.append("zz-row--highlight")
        if row_classes is not None and i < len(row_classes) and row_classes[i]:
            cls.append(f"zz-row--{esc(row_classes[i])}")
        attr = f' class="{" ".join(cls)}"' if cls else ""
        rows.append(f"<tr{attr}>{''.join(cells)}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{max(1, len(cols))}">{esc(t("table.empty", lang))}</td></tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return HTML(
        f'<div class="zz-table-wrap"><table class="{esc(" ".join(["zz-table", *([css_class] if css_class else [])]))}">{cap}'
        f"<thead><tr>{''.join(heads)}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _is_missing(v: object) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def figure_png(fig, *, dpi: int = FIGURE_DPI, max_bytes: int = MAX_PNG_BYTES) -> tuple[bytes, int]:
    """Render a matplotlib figure to PNG bytes; lower the dpi until it fits ``max_bytes``.

    Returns the PNG and the dpi used (never below 60).
    """
    d = dpi
    while True:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=d, facecolor="white", metadata={"Software": None})
        png = buf.getvalue()
        if len(png) <= max_bytes or d <= 60:
            return png, d
        d = max(60, int(d * 0.8))


def figure_html(
    fig,
    *,
    alt: str,
    caption: str | None = None,
    dpi: int = FIGURE_DPI,
    max_bytes: int = MAX_PNG_BYTES,
    title: str | None = None,
) -> HTML:
    """Embed a matplotlib figure as a base64 PNG ``<img>`` (no file, no network).

    Parameters
    ----------
    alt : str
        Text alternative for screen readers and when images are blocked (escaped).
    caption : str, optional
        Shown under the figure (escaped).
    dpi : int
        Resolution [dots per inch]; see :data:`FIGURE_DPI` for the size budget.
    title : str, optional
        The figure's title as page text above the image (escaped), for a figure drawn without
        one: it wraps on a phone, where a title inside a scrolling image is cut.
    """
    png, _used = figure_png(fig, dpi=dpi, max_bytes=max_bytes)
    b64 = base64.b64encode(png).decode("ascii")
    width_px = int(round(fig.get_figwidth() * CSS_PX_PER_INCH))
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    head = f'<p class="zz-figure-title">{esc(title)}</p>' if title else ""
    return HTML(
        f'<figure class="zz-figure">{head}<img src="data:image/png;base64,{b64}" alt="{esc(alt)}" '
        f'width="{width_px}">{cap}</figure>'
    )


def aqi_chip(aqi: float | None, *, lang: str = "zh") -> HTML:
    """An AQI value with its category in the official HJ 633 colour (e.g. "168 中度污染")."""
    from zzeval.report.plots import aqi_level_of, aqi_levels

    check_lang(lang)
    lv = aqi_levels()
    level = int(aqi_level_of([np.nan if aqi is None else aqi], lv)[0])
    if level == 0:
        return HTML(f'<span class="zz-aqi zz-aqi-none">{esc(t("legend.no_data", lang))}</span>')
    row = lv[lv["level"] == level].iloc[0]
    cat = row["category_zh"] if lang == "zh" else row["category_en"]
    return HTML(f'<span class="zz-aqi zz-aqi-{level}">{esc(fmt_number(aqi, 0))} {esc(cat)}</span>')


def aqi_legend(*, lang: str = "zh") -> HTML:
    """The six AQI categories with their ranges in the official colours (HJ 633-2012)."""
    from zzeval.report.plots import aqi_levels

    check_lang(lang)
    chips = []
    for r in aqi_levels().itertuples():
        cat = r.category_zh if lang == "zh" else r.category_en
        chips.append(f'<span class="zz-aqi zz-aqi-{int(r.level)}">{esc(cat)} '
                     f"{int(r.aqi_low)}–{int(r.aqi_high)}</span>")
    return HTML(f'<div class="zz-aqi-legend">{"".join(chips)}</div>')


def synthetic_notice(*, lang: str = "zh") -> HTML:
    """A prominent notice that the report was built from synthetic sample data."""
    check_lang(lang)
    return HTML(
        '<aside class="zz-notice zz-notice--synthetic" role="note">'
        f'<p class="zz-notice-title">{esc(t("notice.synthetic.title", lang))}</p>'
        f'<p>{esc(t("notice.synthetic.body", lang))}</p></aside>'
    )


def provenance_footer(
    *,
    version: str | None,
    commit: str | None,
    parameters: Mapping[str, object] | None,
    input_hash: str | None,
    factor_table: str | None,
    built_at: datetime | str | None,
    lang: str = "zh",
) -> HTML:
    """The provenance footer of every report (all values are escaped).

    Parameters
    ----------
    version : str
        zzeval's package version.
    commit : str
        Git commit of the code that built the report (with ``-dirty`` if modified).
    parameters : mapping
        The notebook's parameters (season, township, lang, data_dir, …).
    input_hash : str
        Hash of the input data (e.g. SHA-256 over the season folder's files).
    factor_table : str
        Name, version or hash of the emission-factor table in use.
    built_at : datetime or str
        Build time (a datetime or an ISO 8601 string); shown in Beijing time to the minute
        (:func:`zzeval.i18n.format_time`).
    """
    check_lang(lang)
    unknown = t("footer.unknown", lang)
    built = format_time(built_at, lang) or unknown
    params = ""
    if parameters:
        params = "".join(
            f"<li><code>{esc(k)}</code> = <code>{esc(v)}</code></li>" for k, v in parameters.items()
        )
        params = f'<ul class="zz-params">{params}</ul>'
    rows = [
        ("footer.version", esc(version or unknown)),
        ("footer.commit", f"<code>{esc(commit or unknown)}</code>"),
        ("footer.input_hash", f"<code>{esc(input_hash or unknown)}</code>"),
        ("footer.factor_table", esc(factor_table or unknown)),
        ("footer.built_at", esc(built)),
        ("footer.parameters", params or esc(unknown)),
    ]
    dl = "".join(f"<dt>{esc(t(k, lang))}</dt><dd>{v}</dd>" for k, v in rows)
    return HTML(
        f'<footer class="zz-footer"><p class="zz-footer-title">{esc(t("footer.heading", lang))}</p>'
        f"<dl>{dl}</dl></footer>"
    )
