"""The season's ``index.html``: every report with its verdict and build status.

Self-contained (inline CSS, no script, no external resource), Chinese by default, every
data-derived text HTML-escaped. Statuses: *built* (this build), *up to date* (kept from an earlier
build, nothing changed), *failed* (no report; the failing cell and error are shown, the executed
notebook is linked as the log), *stale* (this build failed, the previous good report is kept and
linked, with its date; *stale_current* when that report was built from the data of this build, so its
numbers are current), *not_built* (never built: not asked for, e.g. by ``--township``), *outdated* (a ``--township`` build left this page alone although its data
changed since it was built), *other_lang* / *other_build* (left alone, data unchanged, but built in
the other language, or by other code or another notebook), *rebuilding* (a build under way will
replace this page; left on the index by a build that stopped half-way, when the page may show other
data than the index).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from zzeval import __version__
from zzeval.i18n import HTML_LANG, check_lang, format_time, t, t_or

#: Statuses of a page whose last build failed (the previous report kept or none).
FAILED = ("failed", "stale", "stale_current")

#: Verdicts from the most to the least severe: the index lists townships in this order.
SEVERITY = ("interview", "fail", "warning", "on_track")

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
margin:2em auto;max-width:1100px;padding:0 1em;color:#1f2933;line-height:1.5}
h1{font-size:1.5em;margin-bottom:.3em}
.notice{background:#fff4e5;border-left:5px solid #f59f00;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border-bottom:1px solid #d9e2ec;padding:.45em .6em;text-align:left;vertical-align:top}
th{background:#f0f4f8}
.status-built,.status-up_to_date{color:#1b7f3b}
.status-failed{color:#c92a2a;font-weight:bold}
.status-stale,.status-stale_current{color:#b35c00;font-weight:bold}
.status-not_built{color:#829ab1}
.status-outdated,.status-rebuilding{color:#b35c00;font-weight:bold}
.status-other_lang,.status-other_build{color:#b35c00}
.verdict-on_track{color:#1b7f3b}.verdict-warning{color:#b35c00;font-weight:bold}
.verdict-interview,.verdict-fail{color:#c92a2a;font-weight:bold}
.undecided{margin:.2em 0 0;padding-left:.5em;border-left:3px dotted #52606d;color:#52606d}
.err{font-family:monospace;font-size:.85em;white-space:pre-wrap;color:#5c1a1a;margin:.3em 0 0}
.meta{color:#52606d;font-size:.9em}
.meta td{border:none;padding:.15em .6em .15em 0}
td.name,td.verdict,th.col-township,th.col-verdict{white-space:nowrap}
td.reasons{min-width:14em}
td.status,td.time{white-space:nowrap;font-size:.85em}td.time{color:#52606d}
th.col-status,th.col-report_built,th.col-details{white-space:nowrap;font-size:.9em}
.zz-figure{margin:1em 0;text-align:center;break-inside:avoid}
.zz-figure img{max-width:100%;height:auto}
.zz-figure-title{font-weight:bold;margin:0 0 .3em}
@media screen and (max-width:700px){body{margin:.5em auto;font-size:15px}
 .zz-figure{overflow-x:auto;text-align:left}.zz-figure img{max-width:none;width:560px}
 .towns thead{display:none}.towns tr{display:block;border-bottom:1px solid #d9e2ec;padding:.4em 0}
 .towns td{display:inline-block;border:none;padding:.1em .5em .1em 0}.towns td.reasons{display:block;min-width:0}}
@page{size:A4;margin:16mm 14mm}
@media print{body{margin:0;max-width:none;font-size:10pt}tr{break-inside:avoid}thead{display:table-header-group}
 h1{break-after:avoid}.zz-figure img{max-height:120mm;width:auto}a{color:inherit;text-decoration:none}}
"""


def label(key: str, lang: str, **fields) -> str:
    """The index label ``index.<key>`` of the catalogue (``reference/labels.yaml``); an unknown
    key raises :class:`ZzevalError` (:func:`zzeval.i18n.t`)."""
    return t(f"index.{key}", lang, **fields)


def verdict_label(verdict, lang: str) -> str:
    """The verdict in the catalogue's words (``verdict.<code>``); "—" when there is none."""
    if verdict is None or verdict == "" or verdict != verdict:
        return label("no_verdict", lang)
    return t_or(f"verdict.{verdict}", str(verdict), lang)


def sort_rows(rows: list[dict]) -> list[dict]:
    """Townships by verdict, most severe first (约谈 → 预警 → 正常), then as given; a township
    without a verdict (failed build) comes first, as it needs attention too."""
    rank = {v: i + 1 for i, v in enumerate(SEVERITY)}
    return sorted(rows, key=lambda r: rank.get(r.get("verdict"), 0))


def _reasons_by_township(summary, column: str = "reasons") -> dict[str, str]:
    """``{slug: "reason; reason"}`` from the summary table (``township`` + ``reasons``, or another
    column of one line per township such as ``undecided``)."""
    if summary is None or not hasattr(summary, "columns") or column not in summary.columns:
        return {}
    key = "township" if "township" in summary.columns else "slug"
    out = {}
    for slug, reasons in zip(summary[key], summary[column], strict=True):
        if isinstance(reasons, (list, tuple)):
            reasons = "; ".join(map(str, reasons))
        out[str(slug)] = reasons if isinstance(reasons, str) else ""
    return out


def render_index(rows: list[dict], meta: dict, lang: str = "zh") -> str:
    """Render ``index.html``.

    Parameters
    ----------
    rows : list of dict
        One per township: ``slug``, ``name``, ``verdict``, ``status`` (built, up_to_date, failed,
        stale, not_built, outdated, rebuilding), ``html`` (relative link or None), ``log``
        (relative link or None),
        ``built_at`` (ISO 8601; shown in Beijing time, :func:`zzeval.i18n.format_time`),
        ``error`` (dict with ``code_cell_number``, ``source_head``, ``ename``,
        ``evalue``; or None), optionally ``reasons`` and ``undecided`` (the undecided rules, 待定;
        str or list of str).
    meta : dict
        ``season``, ``built_at``, ``data_dir``, ``data_digest``, ``synthetic``, ``county`` (a row
        like the township rows, or None), ``summary_files`` (list of relative links), optionally
        ``summary`` (the summary table: ``township`` + ``reasons`` and ``undecided``, used when a
        row has none) and ``map`` (False: no township map).
    lang : {"zh", "en"}

    Townships are listed most severe verdict first (:func:`sort_rows`), each with its reasons
    in one line and, on a line of its own, what is undecided (待定); the township map
    (:mod:`zzeval.report.maps`) sits above the table.
    """
    e = escape
    check_lang(lang)
    season = str(meta.get("season", ""))
    title = label("title", lang, season=season.replace("-", "–"))
    reasons = _reasons_by_township(meta.get("summary"))
    undecided = _reasons_by_township(meta.get("summary"), "undecided")
    rows = [{**r, "reasons": r.get("reasons") or reasons.get(str(r["slug"]), ""),
             "undecided": r.get("undecided") or undecided.get(str(r["slug"]), "")} for r in sort_rows(rows)]
    out = [f'<!DOCTYPE html>\n<html lang="{e(HTML_LANG[lang])}">\n<head>\n<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<meta name="description" content="{e(title)}">',
           f'<meta property="og:title" content="{e(title)}">',
           f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>",
           f"<h1>{e(title)}</h1>"]
    if meta.get("synthetic"):
        out.append(f'<p class="notice" role="note">{e(label("synthetic", lang))}</p>')
    out += _meta_block(meta, season, lang)
    out.append("<p>" + "<br>".join(map(e, _verdict_counts(rows, lang).split("<br>"))) + "</p>")
    if meta.get("map", True):
        out.append(_map_html(rows, lang, meta.get("data_dir")))
    out += _table(rows, lang)
    out.append("</body>\n</html>\n")
    page = "\n".join(out)
    # embed the glyphs the page uses, so Chinese renders on a PC without a CJK font (as the reports do)
    from zzeval.report.fonts import WEBFONT_FAMILY, webfont_css

    font_css = webfont_css(page) + f'\nbody{{font-family:"{WEBFONT_FAMILY}",' + _CSS.split("font-family:", 1)[1].split(";", 1)[0] + "}"
    return page.replace("</style>", font_css + "</style>", 1)


def _meta_block(meta: dict, season: str, lang: str) -> list[str]:
    e = escape
    data_dir = meta.get("data_dir") or ""
    out = ['<table class="meta">']
    # the data folder by name only: a machine path says nothing to a reader (issue 10)
    for key, value in (("season", season.replace("-", "–")),
                       ("built_at", format_time(meta.get("built_at"), lang)),
                       ("data", Path(str(data_dir)).name if data_dir else ""),
                       ("data_hash", str(meta.get("data_digest", ""))[:16]),
                       ("software", f"zzeval {__version__}")):
        out.append(f"<tr><td>{e(label(key, lang))}</td><td>{e(str(value))}</td></tr>")
    out.append("</table>")
    county = meta.get("county")
    links = []
    if county and county.get("html"):
        links.append(f'<a href="{e(county["html"])}">{e(label("county_report", lang))}</a>'
                     + _status_note(county, lang))
    elif county:
        links.append(f'{e(label("county_report", lang))}{_status_note(county, lang)}')
    files_ = meta.get("summary_files") or []
    if files_:
        links.append(f'{e(label("summary_files", lang))}: '
                     + ", ".join(f'<a href="{e(f)}">{e(f)}</a>' for f in files_))
    if links:
        out.append('<p class="links">' + "<br>".join(links) + "</p>")
    return out


def _verdict_counts(rows: list[dict], lang: str) -> str:
    counts = {"total": len(rows), "built": sum(r["status"] == "built" for r in rows),
              "kept": sum(r["status"] == "up_to_date" for r in rows),
              "failed": sum(r["status"] in FAILED for r in rows)}
    not_built = sum(r["status"] == "not_built" for r in rows)  # never asked for: not a failure (s12-B, 5)
    outdated = sum(r["status"] == "outdated" for r in rows)
    rebuilding = sum(r["status"] == "rebuilding" for r in rows)
    others = sum(r["status"] in ("other_lang", "other_build") for r in rows)  # data unchanged
    items = [label("count_item", lang, label=verdict_label(v, lang), n=sum(r.get("verdict") == v for r in rows))
             for v in SEVERITY if v != "fail" or any(r.get("verdict") == "fail" for r in rows)]
    return label("verdict_counts", lang, items=label("count_sep", lang).join(items)) + "<br>" \
        + label("counts", lang, **counts) + (label("counts_outdated", lang, n=outdated) if outdated else "") \
        + (label("counts_rebuilding", lang, n=rebuilding) if rebuilding else "") \
        + (label("counts_not_rebuilt", lang, n=others) if others else "") \
        + (label("counts_not_built", lang, n=not_built) if not_built else "")


def _map_html(rows: list[dict], lang: str, data_dir=None) -> str:
    """The township map as an embedded PNG; "" when a township has no tile (another county)."""
    import pandas as pd

    from zzeval.report import maps

    frame = pd.DataFrame({"township": [str(r["slug"]) for r in rows],
                          "verdict": [r.get("verdict") or float("nan") for r in rows],
                          "name": [str(r.get("name") or r["slug"]) for r in rows]})
    html = maps.map_figure_html(frame, lang, data_dir)
    return "" if html is None else str(html.data)


def _table(rows: list[dict], lang: str) -> list[str]:
    e = escape
    details = [_details(row, lang) for row in rows]
    heads = ("township", "verdict", "reasons", "status", "report_built") + (("details",) if any(details) else ())
    out = ['<table class="towns">\n<thead><tr>' + "".join(f'<th class="col-{h}">{e(label(h, lang))}</th>'
                                                         for h in heads) + "</tr></thead>\n<tbody>"]
    for row, detail in zip(rows, details, strict=True):
        name = str(row.get("name") or row["slug"])
        if lang == "en" and name != row["slug"]:
            name = f"{name} ({row['slug']})"  # the Chinese name stays: it is the township's name
        name = e(name)
        cell = f'<a href="{e(row["html"])}">{name}</a>' if row.get("html") else name
        status = row["status"]
        out.append(
            f'<tr id="{e(row["slug"])}"><td class="name">{cell}</td>'
            f'<td class="verdict verdict-{e(str(row.get("verdict") or ""))}">{e(_verdict_text(row, lang))}</td>'
            f'<td class="reasons">{_reasons_cell(row, lang)}</td>'
            f'<td class="status status-{e(status)}">{e(label("status." + status, lang))}</td>'
            f'<td class="time">{e(format_time(row.get("built_at"), lang))}</td>'
            + (f"<td>{detail}</td>" if "details" in heads else "") + "</tr>")
    out.append("</tbody>\n</table>")
    return out


def _one_line(items, lang: str) -> str:
    sep = "；" if lang == "zh" else "; "
    if isinstance(items, (list, tuple)):
        items = sep.join(map(str, items))
    return (items or "").replace("; ", sep)


def _reasons_cell(row: dict, lang: str) -> str:
    """The reasons in one line; the undecided items (待定) on a line of their own, marked as such."""
    e = escape
    reasons, undecided = _one_line(row.get("reasons"), lang), _one_line(row.get("undecided"), lang)
    cell = e(reasons)
    if undecided:
        cell += f'<p class="undecided">{e(label("undecided", lang, items=undecided))}</p>'
    return cell


def _verdict_text(row: dict, lang: str) -> str:
    """The verdict as the pages word it: the row's label (the builder passes the summary's
    ``verdict_display``, catalogue words plus the data-validity flag), else the catalogue's."""
    text = row.get("verdict_label")
    return text if isinstance(text, str) and text else verdict_label(row.get("verdict"), lang)


def _status_note(row: dict, lang: str) -> str:
    if row["status"] in ("built", "up_to_date"):
        return ""
    return f' <span class="status-{escape(row["status"])}">({escape(label("status." + row["status"], lang))})</span>' \
        + _details(row, lang)


def _details(row: dict, lang: str) -> str:
    e = escape
    parts = []
    err = row.get("error")
    if err and row["status"] in (*FAILED, "not_built"):
        if err.get("code_cell_number"):
            parts.append(e(label("failed_at", lang, n=err["code_cell_number"])))
        text = f'{err.get("ename", "")}: {err.get("evalue", "")}'.strip(": ")
        if err.get("source_head"):
            text = f'{err["source_head"]}\n→ {text}'
        parts.append(f'<div class="err">{e(text[:1500])}</div>')
    if row.get("log") and row["status"] in (*FAILED, "not_built"):
        parts.append(f'<a href="{e(row["log"])}">{e(label("log", lang))}</a>')
    return " ".join(parts)
