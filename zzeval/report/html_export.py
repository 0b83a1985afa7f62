"""Executed notebook → one self-contained, offline HTML report.

:func:`notebook_to_html` runs nbconvert's :class:`~nbconvert.HTMLExporter` with zzeval's
directory template ``zzeval/report/templates/zzeval_report`` (``conf.json`` + ``index.html.j2`` +
``static/zzeval.css``). Compared with plain ``jupyter nbconvert --to html`` (lab
template) the result:

* loads nothing: no require.js, MathJax, Mermaid or widget scripts from a CDN (the lab
  head is replaced), no ``<script>`` at all, CSS inlined, figures embedded as base64;
* shows no code and no prompts (``exclude_input``, ``exclude_input_prompt``,
  ``exclude_output_prompt``);
* drops ``stderr`` stream outputs (warnings), JavaScript and widget outputs, and cells
  tagged ``remove_cell``; an **error** output makes the export fail
  (:class:`~zzeval.errors.BuildError`) instead of publishing a traceback;
* sets ``<html lang="zh-CN">`` (or ``"en"``) and carries CSS for screen and A4 print,
  with the official AQI colours from ``reference/aqi_levels.csv``;
* embeds a subset of the CJK font (only the glyphs the page uses, as a ``data:`` URI), so
  Chinese text renders even on a PC without a Chinese font.

Writing the file (atomically) is the build's job; this module returns the string.
"""

from __future__ import annotations

import copy
import threading
from importlib.resources import files
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from zzeval.errors import BuildError
from zzeval.i18n import HTML_LANG, check_lang

TEMPLATE_NAME = "zzeval_report"

#: Output MIME types never exported: they need JavaScript or a live kernel.
DROPPED_MIMETYPES = (
    "application/javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
    "application/vnd.bokehjs_exec.v0+json",
    "application/vnd.bokehjs_load.v0+json",
    "application/vnd.plotly.v1+json",
)

#: Cell tags that remove a cell, or all its outputs, from the report.
REMOVE_CELL_TAGS = ("remove_cell", "remove-cell")
REMOVE_OUTPUT_TAGS = ("remove_output", "remove-output")


def templates_dir() -> Path:
    """The folder holding zzeval's nbconvert templates (``zzeval/report/templates``)."""
    return Path(str(files("zzeval").joinpath("report", "templates")))


def aqi_css() -> str:
    """CSS custom properties ``--zz-aqi-N`` from ``reference/aqi_levels.csv`` (HJ 633 colours)."""
    from zzeval.report.plots import aqi_levels

    lv = aqi_levels()
    props = "".join(f"--zz-aqi-{int(r.level)}: {r.colour_hex};" for r in lv.itertuples())
    return f":root {{{props}}}"


def clean_notebook(nb: NotebookNode, *, strict: bool = True) -> tuple[NotebookNode, list[str]]:
    """A copy of ``nb`` fit for publishing, and the list of what was removed or found.

    Removes stderr streams, JavaScript/widget outputs, widget metadata and cells or outputs
    tagged ``remove_cell`` / ``remove_output``. Error outputs raise :class:`BuildError`
    (``strict``) or are removed and reported in the returned list.
    """
    out = copy.deepcopy(nb)
    notes: list[str] = []
    out.metadata.pop("widgets", None)
    errors: list[str] = []
    cells = []
    for i, cell in enumerate(out.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(REMOVE_CELL_TAGS):
            continue
        if cell.cell_type == "code":
            if tags & set(REMOVE_OUTPUT_TAGS):
                cell.outputs = []
            kept = []
            for o in cell.get("outputs", []):
                kind = o.get("output_type")
                if kind == "error":
                    errors.append(f"cell {i}: {o.get('ename', 'Error')}: {o.get('evalue', '')}")
                    continue
                if kind == "stream" and o.get("name") == "stderr":
                    notes.append(f"cell {i}: dropped stderr output ({len(o.get('text', ''))} chars)")
                    continue
                if kind in ("display_data", "execute_result"):
                    data = o.get("data", {})
                    for m in DROPPED_MIMETYPES:
                        if m in data:
                            del data[m]
                            notes.append(f"cell {i}: dropped {m} output")
                    if not data:
                        continue
                kept.append(o)
            cell.outputs = kept
        cells.append(cell)
    out.cells = cells
    if errors:
        if strict:
            raise BuildError(
                "the notebook has error output(s); fix them before publishing: " + "; ".join(errors)
            )
        notes += [f"dropped error output: {e}" for e in errors]
    return out, notes


def page_title(nb: NotebookNode, default: str = "zzeval") -> str:
    """The text of the first ``<h1>`` among the notebook's HTML outputs (tags stripped), or
    ``default`` when there is none."""
    import re

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html") if isinstance(out, dict) else None
            if isinstance(html, list):
                html = "".join(html)
            if not html:
                continue
            m = re.search(r"<h1\b[^>]*>(.*?)</h1>", html, flags=re.S | re.I)
            if m:
                text = " ".join(visible_text(m.group(1)).split())
                if text:
                    return text
    return default


def make_exporter(lang: str = "zh"):
    """An :class:`nbconvert.HTMLExporter` configured for zzeval reports in ``lang``."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    check_lang(lang)
    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(templates_dir())]
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.exclude_anchor_links = True
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.language_code = lang
    # never referenced by our template; blanked in case a block of the base is reached
    c.HTMLExporter.require_js_url = ""
    c.HTMLExporter.mathjax_url = ""
    c.HTMLExporter.jquery_url = ""
    c.HTMLExporter.jupyter_widgets_base_url = ""
    c.HTMLExporter.widget_renderer_url = ""
    c.CSSHTMLHeaderPreprocessor.enabled = False
    return HTMLExporter(config=c)


_exporters = threading.local()


def cached_exporter(lang: str = "zh"):
    """:func:`make_exporter` once per language and thread: the exporter compiles its Jinja template
    on first use (~50 ms, a tenth of a report's export), and a build exports many reports. One per
    thread because ``from_notebook_node`` registers per-call filters on the exporter (Dask workers
    export on several threads)."""
    cache = getattr(_exporters, "by_lang", None)
    if cache is None:
        cache = _exporters.by_lang = {}
    if lang not in cache:
        cache[lang] = make_exporter(lang)
    return cache[lang]


def notebook_to_html(
    nb: NotebookNode,
    lang: str = "zh",
    *,
    title: str | None = None,
    strict: bool = True,
    embed_font: bool = True,
) -> str:
    """Convert an executed notebook into a self-contained offline HTML report.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook (e.g. from papermill).
    lang : str
        ``"zh"`` (``<html lang="zh-CN">``) or ``"en"``.
    title : str, optional
        The page ``<title>`` (escaped); default the notebook's ``metadata.title``, else the text
        of the report's first ``<h1>`` (:func:`page_title`: township, season and report kind,
        in the report's language), so the browser tab, the print header and a shared link
        name the township and season.
    strict : bool
        Raise :class:`BuildError` if any cell has an error output (default); if False,
        drop the error outputs.
    embed_font : bool
        Embed a subset of the CJK font for the page's text (:func:`embed_webfont`), so
        Chinese renders on a PC without a Chinese font (adds ~60–150 kB).

    Returns
    -------
    str
        The HTML document.
    """
    check_lang(lang)
    if not isinstance(nb, NotebookNode):
        nb = nbformat.from_dict(nb)
    clean, _notes = clean_notebook(nb, strict=strict)
    if title is None and not clean.metadata.get("title"):
        title = page_title(clean)
    if title is not None:
        clean.metadata["title"] = title
    exporter = cached_exporter(lang)
    resources = {
        "zz_html_lang": HTML_LANG[lang],
        "zz_extra_css": aqi_css(),
        "metadata": {"name": title or clean.metadata.get("title", "zzeval")},
    }
    body, _res = exporter.from_notebook_node(clean, resources=resources)
    if embed_font:
        body = embed_webfont(body)
    return body


def html_page(
    parts,
    *,
    title: str,
    lang: str = "zh",
    embed_font: bool = True,
) -> str:
    """A report page made of components, without a notebook (e.g. ``index.html``).

    ``parts`` are :mod:`zzeval.report.present` components (``IPython.display.HTML``) or strings
    of markup the caller has escaped; they are put in one notebook cell's outputs and
    exported with :func:`notebook_to_html`, so the page has the same template, CSS, font
    and offline guarantees as the notebook reports.
    """
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell("", execution_count=1)
    cell.outputs = [
        new_output("display_data", data={"text/html": getattr(p, "data", p)}) for p in parts
    ]
    return notebook_to_html(new_notebook(cells=[cell]), lang, title=title, embed_font=embed_font)


WEBFONT_PLACEHOLDER = "<!--zz-webfont-->"


def visible_text(html: str) -> str:
    """The text a reader sees in ``html`` (entities decoded; no style, script or tags)."""
    from zzeval.report.htmlcheck import _Scanner

    sc = _Scanner()
    sc.feed(html)
    sc.close()
    return "".join(sc.text)


def embed_webfont(html: str) -> str:
    """Put a ``@font-face`` subset of the CJK font (:func:`zzeval.report.fonts.webfont_css`) for the
    page's visible text at the template's placeholder (or before ``</head>``)."""
    from zzeval.report.fonts import webfont_css

    css = webfont_css(visible_text(html))
    style = f'<style type="text/css">{css}</style>' if css else ""
    if WEBFONT_PLACEHOLDER in html:
        return html.replace(WEBFONT_PLACEHOLDER, style, 1)
    return html.replace("</head>", style + "</head>", 1)
