"""A REAL township report, built by ``build_reports`` from the project's notebooks on the tiny
season, opened in headless Chromium with the network disabled.

Screenshots go to ``$ZZEVAL_SCREENSHOT_DIR`` when set (look at them), else the tmp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.tiny_season import write_tiny_season
from zzeval.build.builder import build_reports
from zzeval.report.htmlcheck import check_report, print_pages, render_in_chromium

pytestmark = [pytest.mark.browser, pytest.mark.notebook]
SEASON = "2020-2021"


def quick_evaluation(season, factors=None, draws=300, seed=None):
    """The real evaluation, small: few Monte Carlo draws and bootstrap replicates."""
    from zzeval.assess.evaluate import evaluate_season

    return evaluate_season(season, draws=draws, n_boot=20)


@pytest.fixture(scope="module")
def built_liushukou(tmp_path_factory) -> Path:
    """柳树口镇's report (a warning township), built once for the tests of this module."""
    tmp = tmp_path_factory.mktemp("built")
    data = write_tiny_season(tmp / "season", days=40)
    out = tmp / "reports"
    # no county page: these tests open the township page only (the county notebook runs in
    # tests/test_notebooks.py and in tests/report/test_agreement.py's builds)
    summary = build_reports(data, out_dir=out, townships=["liushukou"], jobs=1, draws=300, county_notebook=None,
                            prepare=quick_evaluation, quiet=True, timeout=300, start_timeout=120)
    assert summary.ok, summary.text()
    return out / SEASON / "townships" / "liushukou.html"


def test_built_township_report_renders_offline(chromium, built_liushukou, tmp_path):
    page = built_liushukou
    html = page.read_text(encoding="utf-8")
    assert check_report(html, required_text=["柳树口镇"]) == []

    shots = Path(os.environ.get("ZZEVAL_SCREENSHOT_DIR") or tmp_path)
    shot = shots / "built_township_liushukou.png"
    res = render_in_chromium(page, screenshot=shot, window=(1200, 2400), binary=chromium)
    # loads from disk with no network, no console errors (a rejected embedded font would log
    # "OTS parsing error" / "Failed to decode downloaded font" here)
    assert res.network_requests == [], res.network_requests
    assert res.console_errors == [], res.console_errors
    assert "OTS parsing error" not in res.log and "Failed to decode" not in res.log
    dom = res.dom
    assert 'lang="zh-CN"' in dom and "柳树口镇" in dom
    assert "<script" not in dom
    assert dom.count("<img") >= 4  # the figures are embedded (daily series, calendar, ...)
    assert "@font-face" in dom and "data:font/woff;base64," in dom  # glyphs travel with the page
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (1200, 2400)
        colours = im.convert("RGB").resize((300, 600)).getcolors(maxcolors=1_000_000)
        assert len(colours) > 200  # a rendered page, not a blank one


def test_built_reports_print_on_at_most_5_a4_pages(chromium, built_liushukou, tmp_path):
    """The township report (a warning township) prints on at most 5 A4 pages (issue 10); its
    <title> names the township and the season. The PDF is kept beside the screenshots (look at it).

    Before the print rules every township printed on 8 pages, then 10 of the sample's 17 on 6;
    this tiny season's report (longer 整改要求 and validity blocks) printed on 6."""
    page = built_liushukou
    html = page.read_text(encoding="utf-8")
    assert "<title>柳树口镇 2020–2021 年" in html
    shots = Path(os.environ.get("ZZEVAL_SCREENSHOT_DIR") or tmp_path)
    pages = print_pages(page, pdf_path=shots / "built_township_liushukou.pdf", binary=chromium)
    assert 1 <= pages <= 5, pages
