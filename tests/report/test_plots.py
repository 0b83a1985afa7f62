"""Each figure: a Figure, axes labelled with units, text in the chosen language, no boxes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from tests.report.conftest import render_png
from zzeval.errors import ZzevalError
from zzeval.report import heatmap, plots

CJK = re.compile(r"[\u4e00-\u9fff]")


def _daily():
    rows = []
    for season, base in (("2019-2020", 80.0), ("2020-2021", 60.0)):
        start = pd.Timestamp(int(season[:4]), 10, 1)
        for k, d in enumerate(pd.date_range(start, periods=182)):
            rows.append((season, d, "PM2.5", base + (k % 7)))
    rows.append(("2020-2021", pd.Timestamp("2020-12-01"), "PM10", 999.0))  # other pollutant
    return pd.DataFrame(rows, columns=["season", "date", "pollutant", "value"])


def _calendar():
    days = pd.date_range("2020-10-01", "2021-03-31")
    aqi = np.full(len(days), 75.0)
    df = pd.DataFrame({"date": days, "aqi": aqi})
    df.loc[df["date"] == "2020-10-05", "aqi"] = 250  # level 5 重度污染
    df.loc[df["date"] == "2021-01-15", "aqi"] = 650  # 爆表 → top level
    df.loc[df["date"] == "2020-11-02", "aqi"] = np.nan  # no valid data
    return df


def _adjusted():
    return pd.DataFrame({
        "pollutant": ["PM2.5", "PM2.5", "SO2", "SO2"],
        "kind": ["observed", "adjusted", "observed", "adjusted"],
        "change_pct": [-17.2, -9.5, -25.0, -20.3],
        "ci_low_pct": [np.nan, -14.0, np.nan, -26.0],
        "ci_high_pct": [np.nan, -5.0, np.nan, -14.0],
    })


def _reductions():
    return pd.DataFrame({
        "measure": ["clean_heating", "road_to_rail", "clean_heating", "road_to_rail"],
        "pollutant": ["PM2.5", "PM2.5", "CO2", "CO2"],
        "reduction_t": [120.0, 48.0, 21000.0, 8400.0],
        "ci_low_t": [72.0, 28.8, 12600.0, 5040.0],
        "ci_high_t": [180.0, 72.0, 31500.0, 12600.0],
    })


def _heat():
    return pd.DataFrame({
        "township": ["巴公镇", "巴公镇", "高都镇", "高都镇"],
        "indicator": ["清洁取暖", "降尘", "清洁取暖", "降尘"],
        "value": [91.6, 104.0, 75.0, 88.0],
    })


def _ranking():
    return pd.DataFrame({"township": ["巴公镇", "高都镇", "金村镇"], "value": [-3.1, -9.0, 2.0]})


def _all(lang):
    return {
        "daily": (plots.daily_series(_daily(), "PM2.5", lang=lang), "µg/m³"),
        "calendar": (plots.aqi_calendar(_calendar(), lang=lang), None),
        "adjusted": (plots.adjusted_comparison(_adjusted(), lang=lang), "%"),
        "reductions": (plots.emission_reductions(_reductions(), lang=lang), "t/"),
        "heatmap": (heatmap.township_heatmap(_heat(), lang=lang, unit="%"), "%"),
        "ranking": (plots.ranking_bar(_ranking(), indicator="PM2.5 变化" if lang == "zh" else
                                      "PM2.5 change", unit="%", lang=lang, highlight="巴公镇"), "%"),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_plot_is_a_figure_with_labelled_axes_in_the_language(lang, cjk_font):
    for name, (fig, unit) in _all(lang).items():
        assert isinstance(fig, Figure), name
        axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
        assert axes, name
        for ax in axes:
            xl, yl = ax.get_xlabel(), ax.get_ylabel()
            if name == "reductions":  # one x label for all panels; the measure names need no y label
                xl, yl = fig._supxlabel.get_text(), "-"
            assert xl and yl, (name, xl, yl)
            # zh labels are Chinese, en labels are not
            assert bool(CJK.search(xl)) == (lang == "zh"), (name, xl)
            if unit is not None and name != "heatmap":
                assert unit in xl + yl, (name, xl, yl)
        title = " ".join(ax.get_title(loc) for ax in axes for loc in ("center", "left")) + (fig._suptitle.get_text() if fig._suptitle else "")
        assert title.strip(), name
        if lang == "zh":
            assert CJK.search(title), (name, title)
        png, missing = render_png(fig)
        assert png.startswith(b"\x89PNG") and missing == [], (name, missing)


def test_no_title_overlaps_its_axes_labels(cjk_font):
    """Titles given a fixed height (zzeval.report.canvas.TITLE_Y) must still clear the tick labels and
    axis labels, e.g. the heat map's, which are on top."""
    for name, (fig, _unit) in _all("zh").items():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            if not ax.get_visible() or not ax.get_title():
                continue
            title = ax.title.get_window_extent(renderer)
            texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label, ax.yaxis.label]
            for text in texts:
                if text.get_visible() and text.get_text():
                    box = text.get_window_extent(renderer)
                    assert not title.overlaps(box), (name, ax.get_title(), text.get_text())


def test_heatmap_colourbar_carries_the_unit(cjk_font):
    fig = heatmap.township_heatmap(_heat(), lang="en", unit="%")
    cbar = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"][0]
    assert cbar.get_ylabel() == "Indicator (%)"
    assert fig.axes[0].get_xlabel() == "Indicator (%)"


def test_aqi_levels_follow_hj633_breakpoints():
    # HJ 633-2012 Table 2: 0-50 优 (1), 51-100 良 (2), 101-150 (3), 151-200 (4),
    # 201-300 (5), >300 (6); above 500 (爆表) stays level 6; NaN = no data (0).
    aqi = [0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500, 650, np.nan]
    assert plots.aqi_level_of(aqi).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6, 0]
    lv = plots.aqi_levels()
    assert lv["colour_hex"].str.upper().tolist() == [
        "#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023"]


def test_aqi_calendar_paints_planted_days_in_the_official_colours(cjk_font):
    fig = plots.aqi_calendar(_calendar(), lang="zh")
    ax = fig.axes[0]
    im = ax.images[0]
    grid = np.asarray(im.get_array())
    # rows Oct..Mar, columns day 1..31
    assert grid[0, 4] == 5  # 5 Oct 2020, AQI 250 → 重度污染
    assert grid[3, 14] == 6  # 15 Jan 2021, AQI 650 (爆表) → 严重污染
    assert grid[1, 1] == 0  # 2 Nov 2020, no data
    assert grid[1, 30] == -1  # 31 Nov does not exist
    assert grid[0, 0] == 2  # AQI 75 → 良
    rgba = im.cmap(im.norm(np.array([5, 6, 2, 0])))
    assert [to_hex(c).upper() for c in rgba] == ["#99004C", "#7E0023", "#FFFF00", "#D9D9D9"]
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "重度污染 (201–300)" in legend and "无有效数据" in legend


def test_daily_series_aligns_seasons_by_day_of_season(cjk_font):
    fig = plots.daily_series(_daily(), "PM2.5", lang="en")
    ax = fig.axes[0]
    daily_lines = ax.lines[0::2][:2]  # daily (thin) line of each season
    # 1 Oct = day 1 … 31 Mar = day 183 in 2019-2020 (29 Feb 2020), day 182 in 2020-2021
    for line, last in zip(daily_lines, (183, 182), strict=True):
        x = line.get_xdata()
        assert x[0] == 1 and x[-1] == last
    # 2020-2021 value on day 1 = 60 + (0 % 7); PM10 row was filtered out
    y = daily_lines[1].get_ydata()
    assert y[0] == 60.0 and np.nanmax(y) == 66.0
    assert ax.get_ylabel() == "Daily mean (µg/m³)" and ax.get_title("left").startswith("PM2.5 daily means")
    # the x axis in months: a line at each month's first day (2020-2021: 1 Nov = day 32, 1 Dec = 62,
    # 1 Jan = 93, 1 Feb = 124, 1 Mar = 152), the month's name in the middle of its days
    assert ax.get_xlabel() == "Month"
    assert list(ax.get_xticks()) == [32, 62, 93, 124, 152]
    assert [x.get_text() for x in ax.get_xticklabels(minor=True)] == ["Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    assert list(ax.get_xticks(minor=True)) == [16.5, 47.0, 77.5, 108.5, 138.0, 167.5]
    # the legend sits under the axes, not over the lines
    assert fig.legends and not ax.get_legend()


def test_adjusted_comparison_draws_the_intervals(cjk_font):
    fig = plots.adjusted_comparison(_adjusted(), lang="en")
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"\u22129.5%", "\u221220.3%", "\u221217.2%"} <= texts
    # the adjusted PM2.5 error bar spans the 95 % interval −14.0 … −5.0
    segs = [seg for coll in ax.collections for seg in coll.get_segments()]
    spans = {(round(float(s[0][0]), 1), round(float(s[1][0]), 1)) for s in segs}
    assert (-14.0, -5.0) in spans and (-26.0, -14.0) in spans


def test_missing_columns_are_named():
    with pytest.raises(ZzevalError, match="lacks column.*value"):
        plots.daily_series(pd.DataFrame({"season": [], "date": []}), "PM2.5")


def test_a_province_ranking_draws_the_ends_and_the_townships_around_this_one():
    """1,000 townships: the chart keeps the first 5, the last 5 and 5 on each side of the township
    (rank 734 here), with a gap row where ranks skip, and says so in its title."""
    n = 1000
    df = pd.DataFrame({"township": [f"T{i}" for i in range(n)], "value": np.arange(n, dtype=float)})
    fig = plots.ranking_bar(df, indicator="PM2.5", unit="%", highlight="T733", lang="en")
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert labels[:5] == [f"{i + 1}. T{i}" for i in range(5)]
    assert labels[-5:] == [f"{i + 1}. T{i}" for i in range(995, 1000)]
    assert labels[6:17] == [f"{i + 1}. T{i}" for i in range(728, 739)]
    assert labels[5] == labels[17] == "⋯" and len(labels) == 23
    assert "1000 townships" in fig.axes[0].get_title(loc="left")
    small = pd.DataFrame({"township": [f"T{i}" for i in range(17)], "value": np.arange(17.0)})
    assert len(plots.ranking_bar(small, indicator="PM2.5", unit="%", highlight="T3").axes[0].get_yticklabels()) == 17
