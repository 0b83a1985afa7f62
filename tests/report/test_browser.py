"""Render a sample report in headless Chromium with the network disabled.

Uses Debian's ``chromium``; when it is missing the test is skipped with a message (it
never installs anything). Screenshots go to the test's tmp folder, or to ``$ZZEVAL_SCREENSHOT_DIR``
when set (look at them: Chinese in figures and text, layout, AQI colours).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from zzeval.report import plots, present
from zzeval.report.html_export import notebook_to_html
from zzeval.report.htmlcheck import check_report, render_in_chromium

pytestmark = pytest.mark.browser


def _screenshot_dir(tmp_path: Path) -> Path:
    d = os.environ.get("ZZEVAL_SCREENSHOT_DIR")
    return Path(d) if d else tmp_path


def _sample_report(lang: str) -> str:
    rng = np.random.default_rng(3)
    rows = []
    for season, base in (("2019-2020", 75.0), ("2020-2021", 62.0)):
        start = pd.Timestamp(int(season[:4]), 10, 1)
        for k, d in enumerate(pd.date_range(start, periods=182)):
            rows.append((season, d, base * (1 + 0.5 * np.sin(np.pi * k / 182)) * rng.lognormal(0, 0.3)))
    daily = pd.DataFrame(rows, columns=["season", "date", "value"])
    cal = pd.DataFrame({"date": daily["date"], "aqi": daily["value"] * 1.5})
    zh = lang == "zh"
    town = "巴公镇"
    figs = [
        plots.daily_series(daily, "PM2.5", lang=lang),
        plots.aqi_calendar(cal, lang=lang),
        plots.ranking_bar(pd.DataFrame({"township": [town, "高都镇", "金村镇", "北义城镇"],
                                        "value": [-3.1, -9.0, 2.0, -5.5]}),
                          indicator="PM2.5 变化" if zh else "PM2.5 change", unit="%", lang=lang,
                          highlight=town),
    ]
    comps = [
        present.heading(f"{town} 2020-2021 秋冬季评估" if zh else f"{town} 2020-2021 evaluation",
                        subtitle="泽州县 · 泽政办发〔2020〕28号"),
        present.synthetic_notice(lang=lang),
        present.verdict_banner("warning", ["PM2.5 气象调整后仅下降 3.1%，低于预期。" if zh else
                                           "PM2.5 fell only 3.1 % after weather adjustment."],
                               lang=lang, township=town),
        present.key_figure_cards([
            present.KeyFigure("PM2.5", 58.3, "µg/m³", comparison="上一季 65.1" if zh else "last 65.1",
                              interval=(55.0, 61.2), tone="good"),
            present.KeyFigure("重污染天数" if zh else "Heavy-pollution days", 12,
                              "天" if zh else "days", decimals=0)], lang=lang),
        *[present.figure_html(f, alt="figure") for f in figs],
        present.aqi_legend(lang=lang),
        present.table(pd.DataFrame({"乡镇": [town, "<script>alert(1)</script>"],
                                    "PM2.5": [58.3, 61.0]}), units={"PM2.5": "µg/m³"}, lang=lang),
        present.provenance_footer(version="0.1.0", commit="abc1234", parameters={"township": town},
                                  input_hash="sha256:00", factor_table="factors v1",
                                  built_at="2021-04-10T09:00:00+08:00", lang=lang),
    ]
    cell = new_code_cell("# hidden", execution_count=1)
    cell.outputs = [new_output("display_data", data={"text/html": c.data}) for c in comps]
    head = new_code_cell("# hidden", execution_count=1)
    head.outputs = [new_output("display_data", data={"text/html": c.data}) for c in comps[:4]]
    cell.outputs = cell.outputs[4:]
    nb = new_notebook(cells=[head, new_markdown_cell("## 1. 空气质量" if zh else "## 1. Air quality"),
                             cell])
    return notebook_to_html(nb, lang=lang, title=f"{town} report")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sample_report_loads_offline_without_errors(chromium, tmp_path, lang):
    html = _sample_report(lang)
    assert check_report(html, required_text=["巴公镇"]) == []
    page = tmp_path / f"report_{lang}.html"
    page.write_text(html, encoding="utf-8")
    shot = _screenshot_dir(tmp_path) / f"report_{lang}.png"
    res = render_in_chromium(page, screenshot=shot, window=(1200, 3400), binary=chromium)
    assert res.console_errors == [], res.console_errors
    assert res.network_requests == [], res.network_requests
    assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in res.dom
    assert "巴公镇" in res.dom and res.dom.count("<img") == 3
    assert "<script" not in res.dom  # the crafted name stayed text
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (1200, 3400)
        colours = im.convert("RGB").resize((300, 850)).getcolors(maxcolors=1_000_000)
        assert len(colours) > 200  # a rendered page, not a blank one
        # the AQI calendar's official colours are on the page (良 yellow #FFFF00, 轻度 #FF7E00)
        present_rgb = {c for _n, c in colours}
        assert (255, 255, 0) in present_rgb and (255, 126, 0) in present_rgb


def test_network_is_really_disabled_and_attempts_are_caught(chromium, tmp_path):
    page = tmp_path / "external.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title>'
                    '</head><body><p>offline</p><img src="https://example.com/a.png">'
                    "</body></html>", encoding="utf-8")
    res = render_in_chromium(page, binary=chromium)
    assert res.network_requests == ["https://example.com/a.png"]
    assert "offline" in res.dom
