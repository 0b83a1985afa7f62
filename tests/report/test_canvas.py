"""The report canvas caches font work across figures; what it draws must not change."""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from zzeval.report import plots
from zzeval.report.canvas import ReportCanvas, ReportRenderer

CJK_TEXTS = ("巴公镇 PM2.5 日均浓度（µg/m³）−12%", "采暖季第几天（天）", "浓度（µg/m³）", "采暖季")
ASCII_TEXTS = ("Daily PM2.5", "day of season", "PM2.5 (ug/m3)", "season")


def _figure(canvas_class, texts=CJK_TEXTS) -> Figure:
    title, xlabel, ylabel, legend = texts
    fig = Figure(figsize=(7.0, 2.4), layout="constrained")
    canvas_class(fig)
    ax = fig.add_subplot()
    x = np.arange(1, 183)
    ax.plot(x, 60 + 20 * np.sin(x / 9), label="2020-2021")
    ax.plot(x, 75 + 15 * np.cos(x / 11), label="2019-2020")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.annotate("−3.5%", (40, 70), xytext=(0, 5), textcoords="offset points")
    ax.legend(title=legend, loc="upper right", ncols=2)
    return fig


def _png(fig, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def test_report_canvas_draws_the_same_bytes_as_matplotlib(cjk_font):
    plots.apply_style()
    for dpi in (110, 72, 110):  # the second 110: everything comes from the caches
        expected = _png(_figure(FigureCanvasAgg), dpi)
        fig = _figure(ReportCanvas)
        assert _png(fig, dpi) == expected
        assert isinstance(fig.canvas.get_renderer(), ReportRenderer)


def test_a_changed_font_setting_is_not_answered_from_the_cache(cjk_font):
    plots.apply_style()
    _png(_figure(ReportCanvas, ASCII_TEXTS), 80)  # the caches now hold the CJK font's answers
    with mpl.rc_context({"font.sans-serif": ["DejaVu Sans"]}):  # same texts, same sizes, other font
        expected = _png(_figure(FigureCanvasAgg, ASCII_TEXTS), 80)
        assert _png(_figure(ReportCanvas, ASCII_TEXTS), 80) == expected


def test_report_figures_use_the_report_canvas(cjk_font):
    assert isinstance(plots.agg_figure(figsize=(2, 1)).canvas, ReportCanvas)
