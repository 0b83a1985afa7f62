"""HTML components: data-derived text is escaped everywhere; numbers and figures are right."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from tests.report.conftest import EVIL
from zzeval.errors import ZzevalError
from zzeval.report import present

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _all_components_with_evil_text():
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1])
    df = pd.DataFrame({EVIL: [EVIL, "巴公镇"], "value_t": [1.5, 2.25]})
    return [
        present.heading(EVIL, subtitle=EVIL),
        present.verdict_banner("warning", [EVIL, "PM2.5 下降不足"], township=EVIL),
        present.key_figure_cards([present.KeyFigure(EVIL, EVIL, unit=EVIL, comparison=EVIL,
                                                    note=EVIL)]),
        present.table(df, units={"value_t": EVIL}, labels={"value_t": EVIL}, caption=EVIL,
                      row_classes=[EVIL, None]),
        present.figure_html(fig, alt=EVIL, caption=EVIL),
        present.provenance_footer(version=EVIL, commit=EVIL, parameters={EVIL: EVIL},
                                  input_hash=EVIL, factor_table=EVIL, built_at=EVIL),
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_derived_text_is_escaped_in_every_component(lang, cjk_font):
    for comp in _all_components_with_evil_text():
        markup = comp.data
        assert "<script" not in markup.lower(), markup[:300]
        assert ESCAPED in markup or "&lt;script&gt;" in markup, markup[:300]


def test_verdict_banner_wording_and_class():
    zh = present.verdict_banner("interview", ["未完成清洁取暖任务"], lang="zh", township="巴公镇").data
    assert 'class="zz-banner zz-banner--interview"' in zh
    assert "约谈" in zh and "巴公镇" in zh and "<li>未完成清洁取暖任务</li>" in zh
    en = present.verdict_banner("warning", [], lang="en").data
    assert "Warning letter (预警通知函)" in en and "No rule for a warning letter or an interview fired." in en
    with pytest.raises(ZzevalError, match="unknown verdict 'bad'"):
        present.verdict_banner("bad", [])


def test_fmt_number():
    assert present.fmt_number(1234.567, 1) == "1,234.6"
    assert present.fmt_number(-3.14159, 2) == "\u22123.14"  # typographic minus
    assert present.fmt_number(17360) == "17,360"  # ints keep no decimals
    assert present.fmt_number(float("nan")) == "—"
    assert present.fmt_number(None) == "—"
    assert present.fmt_number("n/a") == "n/a"


def test_key_figure_card_shows_value_unit_interval_and_comparison():
    html = present.key_figure_cards(
        [present.KeyFigure("PM2.5 季均浓度", 58.34, "µg/m³", comparison="上一季 65.1 µg/m³",
                           interval=(55.0, 61.2), tone="good")], lang="zh").data
    assert "58.3" in html and "µg/m³" in html
    assert "95% 区间 [55.0, 61.2] µg/m³" in html
    assert "上一季 65.1 µg/m³" in html and "zz-card--good" in html
    with pytest.raises(ZzevalError, match="tone"):
        present.key_figure_cards([{"label": "x", "value": 1, "tone": "pink"}])


def test_table_puts_units_in_headers_and_formats_numbers():
    df = pd.DataFrame({"township": ["巴公镇", "高都镇"], "households": [412, 1200],
                       "share_pct": [91.555, None]})
    zh = present.table(df, units={"households": "户", "share_pct": "%"},
                       labels={"township": "乡镇", "households": "完成户数", "share_pct": "完成率"},
                       lang="zh", highlight_rows=[0]).data
    assert '<th scope="col" class="zz-num">完成户数（户）</th>' in zh and "<th scope=\"col\">乡镇</th>" in zh
    assert '<td class="zz-num">1,200</td>' in zh and '<td class="zz-num">91.6</td>' in zh
    assert '<td class="zz-num">—</td>' in zh  # missing value
    assert 'class="zz-row--highlight"' in zh
    en = present.table(df, units={"households": "households"}, lang="en").data
    assert "households (households)" in en
    empty = present.table(df.iloc[0:0], lang="zh").data
    assert "（无数据）" in empty


def test_figure_is_embedded_as_png_and_shrinks_to_its_budget(cjk_font):
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    ax.imshow(__import__("numpy").random.default_rng(0).random((200, 400)))  # noisy → big PNG
    html = present.figure_html(fig, alt="噪声").data
    m = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    png = base64.b64decode(m.group(1))
    assert png.startswith(b"\x89PNG") and 'width="864"' in html  # 9 in × 96 px/in
    small, dpi = present.figure_png(fig, dpi=110, max_bytes=60_000)
    assert dpi < 110 and (len(small) <= 60_000 or dpi == 60)


def test_synthetic_notice_and_footer_text():
    assert "示例数据" in present.synthetic_notice(lang="zh").data
    assert "synthetic sample data" in present.synthetic_notice(lang="en").data
    f = present.provenance_footer(version="0.1.0", commit="abc1234", parameters={"season": "2020-2021"},
                                  input_hash="sha256:00ff", factor_table="factors v1",
                                  built_at=pd.Timestamp("2021-04-10 01:00:00", tz="UTC").to_pydatetime(),
                                  lang="zh").data
    # 01:00 UTC + 8 h = 09:00 Beijing time, shown plainly to the minute
    for s in ("软件版本", "0.1.0", "abc1234", "sha256:00ff", "factors v1", "2021-04-10 09:00（北京时间）",
              "<code>season</code> = <code>2020-2021</code>"):
        assert s in f, s
    assert "未知" in present.provenance_footer(version=None, commit=None, parameters=None,
                                               input_hash=None, factor_table=None,
                                               built_at=None).data


def test_times_are_shown_in_beijing_time():
    from zzeval.i18n import format_time

    # the build state stores time.strftime("%Y-%m-%dT%H:%M:%S%z") of the build machine (here UTC):
    # 2021-04-01 20:30 UTC + 8 h = 2021-04-02 04:30 Beijing time (the date changes)
    assert format_time("2021-04-01T20:30:59+0000", "zh") == "2021-04-02 04:30（北京时间）"
    assert format_time("2021-04-02T04:30:00+08:00", "en") == "2021-04-02 04:30 Beijing time (UTC+8)"
    assert format_time("not a time", "en") == "not a time"
    assert format_time(None, "zh") == ""


def test_aqi_chip_and_legend_use_hj633_levels():
    # 168 lies in 151–200 → level 4 中度污染; 650 (爆表) → level 6; None → no data
    assert present.aqi_chip(168, lang="zh").data == '<span class="zz-aqi zz-aqi-4">168 中度污染</span>'
    assert present.aqi_chip(650, lang="en").data == (
        '<span class="zz-aqi zz-aqi-6">650 Severely polluted</span>')
    assert "无有效数据" in present.aqi_chip(None, lang="zh").data
    legend = present.aqi_legend(lang="zh").data
    assert legend.count("zz-aqi zz-aqi-") == 6 and "优 0–50" in legend and "严重污染 301–500" in legend
