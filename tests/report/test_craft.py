"""Report craft: figure text size in print and on a phone, threshold colours of the heat map,
the township tile map and GeoJSON boundaries, the index order, page titles."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from nbformat.v4 import new_code_cell, new_notebook, new_output

from zzeval.errors import ZzevalError
from zzeval.i18n import verdict_label
from zzeval.report import fonts, heatmap, maps, plots
from zzeval.report.html_export import notebook_to_html
from zzeval.report.index_page import render_index, sort_rows

SEASON = "2020-2021"


def _daily():
    rows = []
    for season, base in (("2019-2020", 70.0), ("2020-2021", 60.0)):
        for k, d in enumerate(pd.date_range(f"{season[:4]}-10-01", periods=182)):
            rows.append((season, d, base + 20 * np.sin(k / 9)))
    return pd.DataFrame(rows, columns=["season", "date", "value"])


def _figures():
    daily = _daily()
    measures = ["clean_heating", "diesel_trucks", "nev_fleet", "obd_im", "road_to_rail"]
    em = pd.DataFrame([(m, p, 10.0 + i, 5.0, 15.0) for i, m in enumerate(measures)
                       for p in ("PM2.5", "SO2", "NOx", "CO2")],
                      columns=["measure", "pollutant", "reduction_t", "ci_low_t", "ci_high_t"])
    adj = pd.DataFrame([(p, k, -10.0, -15.0, -5.0) for p in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")
                        for k in ("observed", "adjusted")],
                       columns=["pollutant", "kind", "change_pct", "ci_low_pct", "ci_high_pct"])
    tiles = maps.township_tiles()
    towns = pd.DataFrame({"township": tiles["name_zh"], "value": np.linspace(-20, 3, len(tiles))})
    heat = pd.DataFrame([(n, ind, 90.0, "pass") for n in tiles["name_zh"] for ind in ("清洁取暖", "I/M")],
                        columns=["township", "indicator", "value", "status"])
    verdicts = pd.DataFrame({"township": tiles["slug"], "verdict": "on_track"})
    return {
        "daily_series": plots.daily_series(daily, "PM2.5"),
        "aqi_calendar": plots.aqi_calendar(pd.DataFrame({"date": daily["date"], "aqi": daily["value"]})),
        "adjusted_comparison": plots.adjusted_comparison(adj),
        "emission_reductions": plots.emission_reductions(em),
        "township_heatmap": heatmap.township_heatmap(heat),
        "ranking_bar": plots.ranking_bar(towns, indicator="PM2.5", unit="%"),
        "tile_map": maps.tile_map(verdicts),
    }


def test_smallest_text_pt_hand_worked(cjk_font):
    # the old emission chart: 13.2 in wide, 9.5 pt tick labels, printed 184 mm = 7.244 in wide
    fig = plots.agg_figure(figsize=(13.2, 4))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=9.5)
    ax.set_title("x", fontsize=20)
    assert fonts.smallest_text_pt(fig, fonts.A4_PRINT_WIDTH_IN) == pytest.approx(9.5 * 7.2441 / 13.2, abs=1e-3)
    # a figure narrower than the page prints at its own size
    fig.set_figwidth(6.0)
    assert fonts.smallest_text_pt(fig, fonts.A4_PRINT_WIDTH_IN) == pytest.approx(9.5)


def test_every_figure_is_readable_in_print_and_on_a_phone(cjk_font):
    for name, fig in _figures().items():
        # fits the printable width, so it prints at 100 %: font sizes are printed sizes
        assert fig.get_figwidth() <= fonts.A4_PRINT_WIDTH_IN, name
        assert fonts.smallest_text_pt(fig, fonts.A4_PRINT_WIDTH_IN) >= 8.0, name
        # on a phone the style sheet keeps a figure at least 560 CSS px wide (scrolls sideways)
        assert fonts.smallest_text_pt(fig, fonts.PHONE_FIGURE_WIDTH_IN) >= 8.0, name
    css = (plots.__file__.rsplit("/", 1)[0] + "/templates/zzeval_report/static/zzeval.css")
    text = open(css, encoding="utf-8").read()
    assert "width: 560px" in text  # the phone width the test assumes


def _cell_rgb(fig, row, col):
    ax = fig.axes[0]
    return tuple(np.round(ax.images[0].get_array()[row, col][:3], 3))


def test_heatmap_colours_follow_the_thresholds(cjk_font):
    df = pd.DataFrame([
        ("柳树口镇", "清洁取暖", 94.8, "warning"),  # below the 95 % rule: amber, never green
        ("柳树口镇", "I/M", 96.0, "pass"),
        ("高都镇", "清洁取暖", 97.1, "pass"),
        ("高都镇", "I/M", 88.9, "warning"),  # failing I/M rate: not green
        ("李寨乡", "清洁取暖", 72.9, "interview"),
        ("李寨乡", "I/M", np.nan, np.nan),  # no data
    ], columns=["township", "indicator", "value", "status"])
    fig = heatmap.township_heatmap(df)
    amber = tuple(np.round(to_rgb(heatmap.STATUS_COLOURS["warning"]), 3))
    green = tuple(np.round(to_rgb(heatmap.STATUS_COLOURS["pass"]), 3))
    assert _cell_rgb(fig, 0, 0) == amber and _cell_rgb(fig, 1, 1) == amber
    assert _cell_rgb(fig, 0, 1) == green and _cell_rgb(fig, 1, 0) == green
    assert _cell_rgb(fig, 2, 0) == tuple(np.round(to_rgb(heatmap.STATUS_COLOURS["interview"]), 3))
    assert _cell_rgb(fig, 2, 1) == tuple(np.round(to_rgb(plots.NO_DATA_COLOUR), 3))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "94.8" in texts and "88.9" in texts and "无有效数据" in texts  # 94.8 is not rounded to 95
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["达到要求", "未达要求（预警通知函）", "未达要求（约谈）", "无有效数据"]


def test_cell_status_from_the_rules_that_fired():
    from zzeval.report.heatmap import cell_status, county_task_heatmap

    ev = SimpleNamespace(
        provenance={"verdict_rules": "zzeval/reference/verdict_rules.yaml"},
        verdicts={"zh": pd.DataFrame({"township": ["liushukou", "gaodu", "lizhai"],
                                      "rules_fired": [["heating_behind"], ["im_pass_rate"],
                                                      ["heating_far_behind", "loose_coal_reburning"]]})},
        indicators=pd.DataFrame({"township": ["liushukou", "gaodu", "lizhai"],
                                 "heating_completion_pct": [94.8, 97.1, 72.9],
                                 "im_pass_rate_pct": [95.8, 88.9, 91.3],
                                 "obd_coverage_pct": [100.0, 100.0, 100.0],
                                 "rail_share_coal_coke_pct": [np.nan, 83.9, np.nan]}),
        townships=pd.DataFrame({"slug": ["liushukou", "gaodu", "lizhai"],
                                "name_zh": ["柳树口镇", "高都镇", "李寨乡"]}),
        slugs=["liushukou", "gaodu", "lizhai"])
    assert cell_status(ev) == {("liushukou", "heating_completion_pct"): "warning",
                               ("gaodu", "im_pass_rate_pct"): "warning",
                               ("lizhai", "heating_completion_pct"): "interview",
                               ("lizhai", "loose_coal_violation_pct"): "warning"}
    frame = county_task_heatmap(ev).set_index(["township", "indicator"])
    assert frame.loc[("柳树口镇", "清洁取暖改造完成率"), "status"] == "warning"
    assert frame.loc[("高都镇", "I/M 合格率"), "status"] == "warning"
    assert frame.loc[("高都镇", "煤焦铁路运输比例"), "status"] == "pass"
    assert pd.isna(frame.loc[("李寨乡", "煤焦铁路运输比例"), "status"])


def test_tile_grid_covers_the_17_townships():
    from zzeval.synthetic.sample_tables import TOWNSHIPS_2020

    tiles = maps.township_tiles()
    assert sorted(tiles["slug"]) == sorted(t[2] for t in TOWNSHIPS_2020)
    assert not tiles.duplicated(["col", "row"]).any()
    assert tiles["source"].str.startswith("assumption").all()
    # north is up, east is right: 巴公镇 (35.63° N) above 晋庙铺镇 (35.26° N); 李寨乡 west of 柳树口镇
    t = tiles.set_index("slug")
    assert t.at["bagong", "row"] < t.at["jinmiaopu", "row"]
    assert t.at["lizhai", "col"] < t.at["liushukou", "col"]


def test_tile_map_colours_and_words(cjk_font):
    from tests.report.conftest import render_png

    tiles = maps.township_tiles()
    df = pd.DataFrame({"township": tiles["slug"], "verdict": "on_track"})
    df.loc[df["township"] == "lizhai", "verdict"] = "interview"
    df.loc[df["township"] == "liushukou", "verdict"] = np.nan
    fig = maps.tile_map(df)
    ax = fig.axes[0]
    fills = [tuple(np.round(p.get_facecolor()[:3], 3)) for p in ax.patches]
    assert len(fills) == 17
    assert fills.count(tuple(np.round(to_rgb(maps.VERDICT_FILL["interview"][0]), 3))) == 1
    assert fills.count(tuple(np.round(to_rgb(maps.NO_VERDICT_FILL[0]), 3))) == 1
    texts = [t.get_text() for t in ax.texts]
    assert "李寨乡" in texts and verdict_label("interview") in texts and verdict_label("on_track") in texts
    _png, missing = render_png(fig)
    assert missing == []  # Chinese renders


def test_tile_file_errors_name_the_row(tmp_path):
    bad = tmp_path / "tiles.csv"
    bad.write_text("slug,name_zh,col,row,source\na,甲,0,0,x\nb,乙,0,0,y\n", encoding="utf-8")
    with pytest.raises(ZzevalError, match=r"tiles.csv, row 3, columns 'col'/'row'"):
        maps.township_tiles(bad)


def _square(x, y, props):
    ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_boundary_map_from_a_tiny_geojson(tmp_path, cjk_font):
    path = tmp_path / "boundaries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _square(112.8, 35.5, {"slug": "bagong"}), _square(112.9, 35.5, {"slug": "lizhai"})]}),
        encoding="utf-8")
    shapes = maps.read_geojson(path)
    assert set(shapes) == {"bagong", "lizhai"}
    assert maps._label_point(shapes["bagong"]) == pytest.approx((112.85, 35.55))
    df = pd.DataFrame({"township": ["bagong", "lizhai"], "verdict": ["on_track", "interview"],
                       "name": ["巴公镇", "李寨乡"]})
    fig = maps.township_map(df, data_dir=tmp_path)  # the season folder's boundaries.geojson
    ax = fig.axes[0]
    assert [tuple(np.round(p.get_facecolor()[:3], 3)) for p in ax.patches] == [
        tuple(np.round(to_rgb(maps.VERDICT_FILL[v][0]), 3)) for v in ("on_track", "interview")]
    assert {t.get_text() for t in ax.texts} == {"巴公镇", "李寨乡"}
    # a map of real boundaries is not called a schematic (示意图); the tile map is
    assert "示意" not in ax.get_title() and "boundaries.geojson" in ax.get_title()
    html = maps.map_figure_html(df, "zh", tmp_path).data
    assert "示意" not in html and "各乡镇考核结论地图" in html
    (tmp_path / "boundaries.geojson").unlink()
    assert "示意图" in maps.map_figure_html(df, "zh", tmp_path).data


def test_geojson_errors_name_the_feature(tmp_path):
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"slug": "x"}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}))
    with pytest.raises(ZzevalError, match=r"b.geojson, feature 0 \(x\): geometry 'Point'"):
        maps.read_geojson(path)


def _rows():
    base = {"status": "built", "html": None, "log": None, "built_at": None, "error": None}
    return [{**base, "slug": "bagong", "name": "巴公镇", "verdict": "on_track"},
            {**base, "slug": "liushukou", "name": "柳树口镇", "verdict": "warning"},
            {**base, "slug": "lizhai", "name": "李寨乡", "verdict": "interview"},
            {**base, "slug": "gaodu", "name": "高都镇", "verdict": "warning"}]


def test_index_sorted_by_severity_with_reasons_and_map():
    assert [r["slug"] for r in sort_rows(_rows())] == ["lizhai", "liushukou", "gaodu", "bagong"]
    summary = pd.DataFrame({"township": ["lizhai", "liushukou"],
                            "reasons": ["清洁取暖改造仅完成 72.9 %; 散煤复烧违规率 6.0 %", "清洁取暖改造完成 94.8 %"]})
    html = render_index(_rows(), {"season": SEASON, "data_dir": "/srv/secret/machine/path/sample",
                                  "summary": summary, "data_digest": "ab" * 32})
    body = html.split("<tbody>", 1)[1]
    assert body.index("李寨乡") < body.index("柳树口镇") < body.index("高都镇") < body.index("巴公镇")
    assert "清洁取暖改造仅完成 72.9 %；散煤复烧违规率 6.0 %" in body  # one line, Chinese separator
    for code in ("interview", "warning", "on_track"):  # the catalogue's words, as on the pages
        assert f">{verdict_label(code)}<" in body
    assert "/srv/secret" not in html and ">sample<" in html  # no machine path
    assert html.count('<img src="data:image/png;base64,') == 1  # the tile map
    assert re.search(r"<title>泽州县 2020–2021 年", html) and 'lang="zh-CN"' in html
    assert f"约谈 1 个，预警通知函 2 个，{verdict_label('on_track')} 1 个" in html


def test_index_labels_have_no_silent_fallback():
    import zzeval.report.index_page as ip

    assert not hasattr(ip, "LABELS")
    with pytest.raises(ZzevalError, match="no label 'index.nope'"):
        ip.label("nope", "zh")


@pytest.mark.parametrize("lang, html_lang", [("zh", "zh-CN"), ("en", "en")])
def test_page_title_names_township_and_season(lang, html_lang):
    h1 = ("李寨乡 2020–2021 年秋冬季大气污染综合治理攻坚行动 季末评估报告" if lang == "zh"
          else "李寨乡 (lizhai): end-of-season evaluation, autumn–winter 2020–2021")
    cell = new_code_cell("", execution_count=1)
    cell.outputs = [new_output("display_data", data={"text/html": f'<div><h1 class="x">{h1}</h1></div>'})]
    html = notebook_to_html(new_notebook(cells=[cell]), lang=lang, embed_font=False)
    assert f"<title>{h1}</title>" in html
    meta = re.search(r'<meta [^>]*property="og:title"[^>]*>', html).group(0)
    assert f'content="{h1}"' in meta
    assert f'<html lang="{html_lang}">' in html


def test_heatmap_column_labels_are_short_lines_without_a_lone_character():
    from zzeval.report.heatmap import column_label

    assert column_label("清洁取暖改造完成率", "zh") == "清洁取暖改造\n完成率"
    assert column_label("公交出租环卫新能源比例", "zh") == "公交出租环卫\n新能源比例"
    assert column_label("OBD 安装率", "zh") == "OBD 安装率"  # 7 characters: never one left alone
    assert column_label("Share of coal and coke by rail", "en") == "Share of coal\nand coke by\nrail"


def _boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_calendar_month_labels_do_not_overlap(cjk_font):
    """The six month labels (10月 … 3月) of each calendar panel stand apart; before, at 1.3 in per
    season, each label box overlapped its neighbour's by about 4 px (10 pt labels on 8 pt rows)."""
    fig = _figures()["aqi_calendar"]
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 2  # both seasons
    shown = [ax for ax in panels if any(lb.get_visible() and lb.get_text() for lb in ax.get_yticklabels())]
    assert shown  # the months are labelled (on the left panel at least)
    for ax in shown:
        labels = [lb for lb in ax.get_yticklabels() if lb.get_text()]
        assert [lb.get_text() for lb in labels] == ["10月", "11月", "12月", "1月", "2月", "3月"]
        boxes = [lb.get_window_extent(renderer) for lb in labels]
        for upper, lower in zip(boxes, boxes[1:], strict=False):
            assert lower.y1 <= upper.y0, (upper, lower)


def test_adjusted_comparison_labels_and_legend_cover_nothing(cjk_font):
    """Every value label of the measured / weather-adjusted chart stands clear of the others, and
    the legend lies outside the axes (before, it covered the O3 markers)."""
    fig = _figures()["adjusted_comparison"]
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [tx.get_window_extent(renderer) for tx in ax.texts]
    assert len(boxes) == 12  # 6 pollutants × (measured, adjusted)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _boxes_overlap(a, b), (a, b)
    legends = fig.legends + ([ax.get_legend()] if ax.get_legend() else [])
    assert legends
    for legend in legends:
        assert not _boxes_overlap(legend.get_window_extent(renderer), ax.get_window_extent(renderer))


def _css_rule(css: str, selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*(?:,[^{]*)?\{([^}]*)\}", css)
    assert match, f"no CSS rule for {selector}"
    return match.group(1)


def test_task_rows_inside_tolerance_and_undecided_have_their_own_marks():
    """The task table's rows inside the tolerance and undecided rows are styled apart from met and
    failed rows by the shape of their bar (dashed, dotted), not colour alone, and the legend above
    the table draws the same marks in the catalogue's words."""
    from zzeval.i18n import t
    from zzeval.report.present import table
    from zzeval.report.story import STATUS_TINT, task_legend

    tints = [STATUS_TINT[s] for s in ("met", "tolerance", "undecided")] + ["warning"]
    html = table(pd.DataFrame({"row": [1, 2, 3, 4], "task": ["a", "b", "c", "d"]}), row_classes=tints,
                 css_class="zz-table--tasks").data
    for tint in ("good", "tolerance", "undecided", "warning"):
        assert f'<tr class="zz-row--{tint}">' in html
    assert '<table class="zz-table zz-table--tasks">' in html
    css = open(plots.__file__.rsplit("/", 1)[0] + "/templates/zzeval_report/static/zzeval.css",
               encoding="utf-8").read()
    assert "dashed" in _css_rule(css, ".zz-table tr.zz-row--tolerance td:first-child")
    assert "dotted" in _css_rule(css, ".zz-table tr.zz-row--undecided td:first-child")
    assert "repeating-linear-gradient" in _css_rule(css, ".zz-table tr.zz-row--undecided td")  # hatched
    assert "dashed" in _css_rule(css, ".zz-key--tolerance")
    assert "dotted" in _css_rule(css, ".zz-key--undecided")
    legend = task_legend("zh").data
    for key, word in (("tolerance", "未完成，在容差内"), ("undecided", "待定"), ("good", "完成")):
        assert f'<span class="zz-key zz-key--{key}">{word}' in legend
        assert word.split("（")[0] in t(f"task_key.{key}", "zh")


def test_index_shows_each_townships_undecided_items():
    summary = pd.DataFrame({"township": ["lizhai", "bagong"],
                            "reasons": ["清洁取暖改造仅完成 72.9 %", ""],
                            "undecided": ["PM2.5 同比变化（−17.4 %）：监测数据有效性不足", "气象调整后变化：证据不足"]})
    html = render_index(_rows(), {"season": SEASON, "summary": summary, "map": False})
    body = html.split("<tbody>", 1)[1]
    lizhai = body.split('<tr id="lizhai">', 1)[1].split("</tr>", 1)[0]
    assert "清洁取暖改造仅完成 72.9 %" in lizhai
    assert '<p class="undecided">待定：PM2.5 同比变化（−17.4 %）：监测数据有效性不足</p>' in lizhai
    bagong = body.split('<tr id="bagong">', 1)[1].split("</tr>", 1)[0]
    assert "待定：气象调整后变化：证据不足" in bagong  # an on-track township's undecided items too
    gaodu = body.split('<tr id="gaodu">', 1)[1].split("</tr>", 1)[0]
    assert "待定" not in gaodu  # nothing undecided: no empty line


def test_a_reason_row_is_marked_with_its_reasons_level():
    """72.9 % of the heating retrofits fires both the warning (< 95 %) and the interview (< 85 %)
    rule; the interview rule is the reason, so the row (and the rows it judges) carry its mark."""
    from zzeval.report.story import progress_table

    rows = pd.DataFrame({"township": "x", "task": ["heating_total", "heating_coal_to_electricity", "im_pass_rate_pct"],
                         "section": ["六", "六", "十二"], "value": [72.9, 70.0, 91.3], "target": [100.0, 96.0, 90.0],
                         "unit": ["%", "households", "%"], "direction": "min",
                         "judged_by": ["heating_total", "heating_total", "im_pass_rate_pct"],
                         "status": ["reason", "reason", "met"], "reason_index": [1, 1, None],
                         "tolerance_rule": None})
    checks = [{"rule": "heating_far_behind", "task": "heating_total", "level": "interview", "outcome": "fired"},
              {"rule": "heating_behind", "task": "heating_total", "level": "warning", "outcome": "fired"}]
    ev = SimpleNamespace(progress=rows, provenance={},
                         verdict=lambda slug, lang: {"checks": checks, "rules_fired": ["heating_far_behind"],
                                                     "reason_tasks": ["heating_total"]})
    _, _, tints = progress_table(ev, "x")
    assert tints == ["interview", "interview", "good"]
