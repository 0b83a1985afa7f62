"""Notebook → offline HTML: no code, no prompts, no scripts, no network, no stderr."""

from __future__ import annotations

import re

import nbformat
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.report.conftest import EVIL
from zzeval.errors import BuildError
from zzeval.report import present
from zzeval.report.html_export import clean_notebook, notebook_to_html
from zzeval.report.htmlcheck import check_report


def _html_output(obj):
    return new_output("display_data", data={"text/html": obj.data, "text/plain": "<HTML>"})


def _notebook(township="巴公镇", with_error=False):
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_title("PM2.5 日均浓度")
    code = new_code_cell("import secret_code_here\nprint('x')", execution_count=1)
    code.outputs = [
        new_output("stream", name="stderr", text="UserWarning: something noisy\n"),
        _html_output(present.heading(f"{township} 评估报告")),
        _html_output(present.verdict_banner("warning", ["PM2.5 下降不足"], township=township)),
        _html_output(present.figure_html(fig, alt="PM2.5")),
        new_output("display_data", data={"application/javascript": "alert('js')",
                                         "text/plain": "<js>"}),
        new_output("execute_result", data={"text/plain": "42"}, execution_count=1),
    ]
    cells = [new_markdown_cell("## 1. 空气质量\n\n正文 *强调*"), code]
    hidden = new_code_cell("hidden_cell = True", execution_count=2)
    hidden.metadata["tags"] = ["remove_cell"]
    hidden.outputs = [new_output("stream", name="stdout", text="HIDDEN OUTPUT\n")]
    cells.append(hidden)
    if with_error:
        bad = new_code_cell("1/0", execution_count=3)
        bad.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                  traceback=["Traceback (most recent call last)"])]
        cells.append(bad)
    nb = new_notebook(cells=cells)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    return nb


@pytest.mark.parametrize(("lang", "html_lang"), [("zh", "zh-CN"), ("en", "en")])
def test_export_is_offline_clean_and_passes_the_checks(lang, html_lang, cjk_font):
    html = notebook_to_html(_notebook(), lang=lang, title="巴公镇 报告", embed_font=lang == "zh")
    assert f'<html lang="{html_lang}">' in html
    assert check_report(html, required_text=["巴公镇", "预警通知函"]) == []
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "require.js" not in html and "mathjax" not in html.lower()
    for gone in ("secret_code_here", "In&nbsp;[", "Out[", "something noisy", "HIDDEN OUTPUT",
                 "alert('js')"):
        assert gone not in html, gone
    assert "<title>巴公镇 报告</title>" in html
    assert "@media print" in html and "size: A4" in html
    assert "--zz-aqi-5: #99004C" in html  # official colours from reference/aqi_levels.csv
    assert ("@font-face" in html and "data:font/woff;base64," in html) == (lang == "zh")
    assert len(html.encode()) < 1_000_000


def test_an_error_output_fails_the_export_unless_not_strict(cjk_font):
    with pytest.raises(BuildError, match="ZeroDivisionError: division by zero"):
        notebook_to_html(_notebook(with_error=True))
    html = notebook_to_html(_notebook(with_error=True), strict=False, embed_font=False)
    assert "Traceback" not in html and "ZeroDivisionError" not in html
    assert "@font-face" not in html


def test_clean_notebook_reports_what_it_dropped_and_leaves_the_input_alone():
    nb = _notebook()
    clean, notes = clean_notebook(nb)
    assert any("stderr" in n for n in notes) and any("javascript" in n for n in notes)
    assert "widgets" not in clean.metadata and "widgets" in nb.metadata
    assert len(clean.cells) == len(nb.cells) - 1  # the remove_cell cell
    assert len(nb.cells[1].outputs) == 6  # original untouched


def test_crafted_township_name_cannot_inject_markup(cjk_font):
    html = notebook_to_html(nbformat.from_dict(_notebook(township=EVIL)), lang="zh",
                            embed_font=False)
    assert "<script>alert(1)</script>" not in html
    assert check_report(html, required_text=[EVIL]) == []


def test_html_page_wraps_components_like_a_report(cjk_font):
    from zzeval.report.html_export import html_page

    html = html_page([present.heading("报告索引"), present.aqi_legend(lang="en"),
                      '<p class="x">ok</p>'], title="索引", lang="en", embed_font=False)
    assert '<html lang="en">' in html and "<title>索引</title>" in html
    assert "报告索引" in html and 'class="x"' in html and "zz-aqi-6" in html
    assert check_report(html, required_text=["报告索引"]) == []
