"""The season's ``index.html``: every report with its verdict and build status.

Self-contained (inline CSS, no script, no external resource), Chinese by default, every
data-derived text HTML-escaped. Statuses: *built* (this build), *up to date* (kept from an earlier
build, nothing changed), *failed* (no report; the failing cell and error are shown, the executed
notebook is linked as the log), *stale* (this build failed, the previous good report is kept and
linked, with its date).
"""

from __future__ import annotations

from html import escape

from zzeval import __version__
from zzeval.i18n import format_time

#: Labels of the index page (``zzeval.i18n`` labels are used instead when they exist).
LABELS = {
    "title": {"zh": "{season} 年秋冬季大气污染综合治理攻坚行动 乡镇评估报告",
              "en": "{season} autumn-winter air pollution control plan: township evaluation reports"},
    "county_report": {"zh": "全县汇总报告", "en": "County report"},
    "summary_files": {"zh": "机器可读结果", "en": "Machine-readable results"},
    "township": {"zh": "乡镇", "en": "Township"},
    "verdict": {"zh": "考核结论", "en": "Verdict"},
    "status": {"zh": "生成状态", "en": "Build status"},
    "report_built": {"zh": "报告生成时间", "en": "Report built at"},
    "details": {"zh": "说明", "en": "Details"},
    "status.built": {"zh": "已生成", "en": "built"},
    "status.up_to_date": {"zh": "无变化，沿用", "en": "up to date"},
    "status.failed": {"zh": "生成失败", "en": "failed"},
    "status.stale": {"zh": "生成失败，保留上次报告（已过期）", "en": "failed — previous report kept (stale)"},
    "status.not_built": {"zh": "未生成", "en": "not built"},
    "failed_at": {"zh": "出错位置：第 {n} 个代码单元", "en": "Failed in code cell {n}"},
    "log": {"zh": "执行记录（notebook）", "en": "executed notebook (log)"},
    "season": {"zh": "评估季", "en": "Season"},
    "built_at": {"zh": "本次生成时间", "en": "Built at"},
    "data": {"zh": "输入数据", "en": "Input data"},
    "data_hash": {"zh": "数据指纹 (SHA-256)", "en": "Data fingerprint (SHA-256)"},
    "software": {"zh": "软件版本", "en": "Software"},
    "synthetic": {"zh": "注意：本批报告由合成（示例）数据生成，仅用于演示方法，不反映泽州县的真实情况，不得用于考核。",
                  "en": "Note: these reports were built from SYNTHETIC sample data. They demonstrate the method "
                        "only, do not describe Zezhou County, and must not be used for assessment."},
    "counts": {"zh": "共 {total} 份乡镇报告：{built} 份本次生成，{kept} 份沿用，{failed} 份失败。",
               "en": "{total} township reports: {built} built now, {kept} unchanged, {failed} failed."},
    "no_verdict": {"zh": "—", "en": "—"},
}

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
.status-stale{color:#b35c00;font-weight:bold}
.status-not_built{color:#829ab1}
.verdict-on_track{color:#1b7f3b}.verdict-warning{color:#b35c00;font-weight:bold}
.verdict-interview,.verdict-fail{color:#c92a2a;font-weight:bold}
.err{font-family:monospace;font-size:.85em;white-space:pre-wrap;color:#5c1a1a;margin:.3em 0 0}
.meta{color:#52606d;font-size:.9em}
.meta td{border:none;padding:.15em .6em .15em 0}
@page{size:A4;margin:16mm 14mm}
@media print{body{margin:0;max-width:none;font-size:10pt}tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def label(key: str, lang: str, **fields) -> str:
    """The index label ``key`` in ``lang`` (``zzeval.i18n`` first, else :data:`LABELS`)."""
    try:
        from zzeval.i18n import labels as _i18n_labels

        entry = _i18n_labels().get(f"index.{key}")
    except Exception:  # noqa: BLE001 - i18n is optional here
        entry = None
    text = (entry or LABELS[key])[lang]
    return text.format(**fields) if fields else text


def verdict_label(verdict, lang: str) -> str:
    """The verdict in words (``zzeval.i18n`` key ``verdict.<code>``), or the code itself."""
    if verdict is None or verdict == "" or verdict != verdict:
        return label("no_verdict", lang)
    try:
        from zzeval.i18n import t_or

        return t_or(f"verdict.{verdict}", str(verdict), lang)
    except Exception:  # noqa: BLE001
        return str(verdict)


def render_index(rows: list[dict], meta: dict, lang: str = "zh") -> str:
    """Render ``index.html``.

    Parameters
    ----------
    rows : list of dict
        One per township: ``slug``, ``name``, ``verdict``, ``status`` (built, up_to_date, failed,
        stale, not_built), ``html`` (relative link or None), ``log`` (relative link or None),
        ``built_at`` (ISO 8601; shown in Beijing time, :func:`zzeval.i18n.format_time`),
        ``error`` (dict with ``code_cell_number``, ``source_head``, ``ename``,
        ``evalue``; or None).
    meta : dict
        ``season``, ``built_at``, ``data_dir``, ``data_digest``, ``synthetic``, ``county`` (a row
        like the township rows, or None), ``summary_files`` (list of relative links).
    lang : {"zh", "en"}
    """
    e = escape
    season = str(meta.get("season", ""))
    title = label("title", lang, season=season)
    html_lang = {"zh": "zh-CN", "en": "en"}.get(lang, lang)
    counts = {"total": len(rows), "built": sum(r["status"] == "built" for r in rows),
              "kept": sum(r["status"] == "up_to_date" for r in rows),
              "failed": sum(r["status"] in ("failed", "stale", "not_built") for r in rows)}
    out = [f'<!DOCTYPE html>\n<html lang="{e(html_lang)}">\n<head>\n<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>",
           f"<h1>{e(title)}</h1>"]
    if meta.get("synthetic"):
        out.append(f'<p class="notice" role="note">{e(label("synthetic", lang))}</p>')
    out.append('<table class="meta">')
    for key, value in (("season", season), ("built_at", format_time(meta.get("built_at"), lang)),
                       ("data", meta.get("data_dir", "")),
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
    files = meta.get("summary_files") or []
    if files:
        links.append(f'{e(label("summary_files", lang))}: '
                     + ", ".join(f'<a href="{e(f)}">{e(f)}</a>' for f in files))
    if links:
        out.append("<p>" + "<br>".join(links) + "</p>")
    out.append(f"<p>{e(label('counts', lang, **counts))}</p>")
    out.append(f"<table>\n<thead><tr><th>{e(label('township', lang))}</th><th>{e(label('verdict', lang))}</th>"
               f"<th>{e(label('status', lang))}</th><th>{e(label('report_built', lang))}</th>"
               f"<th>{e(label('details', lang))}</th></tr></thead>\n<tbody>")
    for row in rows:
        name = str(row.get("name") or row["slug"])
        if lang == "en" and name != row["slug"]:
            name = f"{name} ({row['slug']})"  # the Chinese name stays: it is the township's name
        name = e(name)
        cell = f'<a href="{e(row["html"])}">{name}</a>' if row.get("html") else name
        status = row["status"]
        out.append(
            f'<tr id="{e(row["slug"])}"><td>{cell}</td><td class="verdict-{e(str(row.get("verdict") or ""))}">'
            f'{e(_verdict_text(row, lang))}</td>'
            f'<td class="status-{e(status)}">{e(label("status." + status, lang))}</td>'
            f'<td>{e(format_time(row.get("built_at"), lang))}</td><td>{_details(row, lang)}</td></tr>')
    out.append("</tbody>\n</table>\n</body>\n</html>\n")
    page = "\n".join(out)
    # embed the glyphs the page uses, so Chinese renders on a PC without a CJK font (as the reports do)
    from zzeval.report.fonts import WEBFONT_FAMILY, webfont_css

    font_css = webfont_css(page) + f'\nbody{{font-family:"{WEBFONT_FAMILY}",' + _CSS.split("font-family:", 1)[1].split(";", 1)[0] + "}"
    return page.replace("</style>", font_css + "</style>", 1)


def _verdict_text(row: dict, lang: str) -> str:
    text = row.get("verdict_label")
    if isinstance(text, str) and text:
        return text
    return verdict_label(row.get("verdict"), lang)


def _status_note(row: dict, lang: str) -> str:
    if row["status"] in ("built", "up_to_date"):
        return ""
    return f' <span class="status-{escape(row["status"])}">({escape(label("status." + row["status"], lang))})</span>' \
        + _details(row, lang)


def _details(row: dict, lang: str) -> str:
    e = escape
    parts = []
    err = row.get("error")
    if err and row["status"] in ("failed", "stale", "not_built"):
        if err.get("code_cell_number"):
            parts.append(e(label("failed_at", lang, n=err["code_cell_number"])))
        text = f'{err.get("ename", "")}: {err.get("evalue", "")}'.strip(": ")
        if err.get("source_head"):
            text = f'{err["source_head"]}\n→ {text}'
        parts.append(f'<div class="err">{e(text[:1500])}</div>')
    if row.get("log") and row["status"] in ("failed", "stale", "not_built"):
        parts.append(f'<a href="{e(row["log"])}">{e(label("log", lang))}</a>')
    return " ".join(parts)
