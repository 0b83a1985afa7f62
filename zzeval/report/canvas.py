"""The Agg canvas of the report figures: the same pixels as matplotlib's, without repeating the
font work of every text in every figure of every report.

Profiling one township report (``bench/bench_report.py``, py-spy and ``time.process_time``) showed
its six figures cost ~1.6 s of CPU to save, a fifth of it font bookkeeping that gives the same
answer each time: for every text laid out (each tick label, several times per figure: constrained
layout measures the axes twice, then the figure is drawn), matplotlib

* looks the font up again (``FontManager._find_fonts_by_props``, which hashes the font rcParams),
* reads the font's OS/2 and head tables again for the line height (``Text._get_layout``: ~80 µs a
  text with the 65,535-glyph Noto Sans CJK face), and
* measures a string again whenever the figure is new (its text-metrics cache lives on the
  renderer, and every figure has its own), although most strings recur in every report (axis
  titles, month names, tick values, legend entries).

:class:`ReportCanvas` gives its figures a renderer (:class:`ReportRenderer`) that keeps these three
answers per process and thread, keyed on everything they depend on: the font properties, the
font rcParams and the fonts registered with matplotlib (so a font registered later, e.g. by
:func:`zzeval.report.fonts.setup_fonts`, is not missed), the text, and the resolution. What is drawn
is unchanged: the PNG bytes are identical to those of a plain ``FigureCanvasAgg``
(``tests/report/test_canvas.py`` checks it on a figure with Chinese text).

The line-height hook (``_get_font_height_metrics``) is the one matplotlib's own PDF/PS backends
provide; a matplotlib without it simply does not call it.
"""

from __future__ import annotations

import threading

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag

#: rcParams that decide which font file a text uses and how its glyphs are measured.
FONT_RCPARAMS = ("font.family", "font.serif", "font.sans-serif", "font.cursive", "font.fantasy",
                 "font.monospace", "text.hinting", "text.hinting_factor", "text.kerning_factor")
#: Entries kept per cache before it is emptied (a long-lived kernel builds hundreds of reports).
MAX_CACHED = 50_000
#: Height of every axes title (axes coordinates), given so that matplotlib does not place it itself:
#: its automatic placement measures the axes' tick labels again at every layout pass and draw
#: (a quarter of the time spent saving a report's figures) only to move a title up over ticks or an
#: offset text at the top of the axes. Figures without those (all but the heat map, whose labels are
#: on top) give this height; their title then sits at 1.0, where matplotlib put it (same pixels).
TITLE_Y = 1.0

_local = threading.local()  # FT2Font objects are not thread-safe: matplotlib keeps one per thread


def _caches() -> dict:
    caches = getattr(_local, "caches", None)
    if caches is None:
        caches = _local.caches = {"font": {}, "height": {}, "text": {}}
    return caches


def _remember(cache: dict, key, value):
    if len(cache) >= MAX_CACHED:
        cache.clear()
    cache[key] = value
    return value


def font_state() -> tuple:
    """What font lookup depends on besides the font properties: the font rcParams and the fonts
    registered with matplotlib."""
    import matplotlib as mpl
    from matplotlib.font_manager import fontManager

    rc = tuple(tuple(v) if isinstance(v, list) else v for v in (mpl.rcParams[k] for k in FONT_RCPARAMS))
    return rc, len(fontManager.ttflist), len(fontManager.afmlist)


class ReportRenderer(RendererAgg):
    """:class:`RendererAgg` with per-process caches of font lookup, line heights and text metrics
    (see the module's documentation). ``state`` is :func:`font_state` when the renderer was handed
    out for a draw."""

    state: tuple = ()

    def _font(self, prop):
        cache = _caches()["font"]
        key = (prop, self.state)
        font = cache.get(key)
        if font is None:
            from matplotlib.font_manager import fontManager, get_font

            font = _remember(cache, (prop.copy(), self.state), get_font(fontManager._find_fonts_by_props(prop)))
        return font

    def _prepare_font(self, font_prop):
        font = self._font(font_prop)
        font.clear()
        font.set_size(font_prop.get_size_in_points(), self.dpi)
        return font

    def _get_font_height_metrics(self, prop):
        """``(ascent, descent, line gap)`` of the font in pixels, as ``Text._get_layout`` computes
        them from the OS/2 (else hhea) table, scaled to the font size and this renderer's dpi."""
        cache = _caches()["height"]
        key = (prop, self.state, self.dpi)
        found = cache.get(key)
        if found is None:
            font = self._font(prop)
            found = (None, None, None)
            for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                                     ("hhea", "lineGap", "ascent", "descent")):
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * self.dpi / 72
                found = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
            _remember(cache, (prop.copy(), self.state, self.dpi), found)
        return found

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        cache = _caches()["text"]
        key = (s, prop, self.state, self.dpi, get_hinting_flag())
        found = cache.get(key)
        if found is None:
            found = _remember(cache, (s, prop.copy(), self.state, self.dpi, get_hinting_flag()),
                              super().get_text_width_height_descent(s, prop, ismath))
        return found


class ReportCanvas(FigureCanvasAgg):
    """The Agg canvas of report figures (:func:`zzeval.report.plots.agg_figure`): a
    :class:`ReportRenderer`, reused while the figure's size and dpi stay the same."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        renderer = getattr(self, "renderer", None)
        if not isinstance(renderer, ReportRenderer) or getattr(self, "_zz_key", None) != key:
            renderer = self.renderer = ReportRenderer(w, h, self.figure.dpi)
            self._zz_key = key
        renderer.state = font_state()
        return renderer
