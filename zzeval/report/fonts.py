"""A CJK font for matplotlib, registered by file path, or a loud failure.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs: Chinese titles, axes and
legends come out as empty boxes with "Glyph … missing from font(s)" warnings. zzeval's
reports are Chinese-first, so :func:`setup_fonts` finds an open Simplified-Chinese font,
registers it with ``matplotlib.font_manager.fontManager.addfont`` (by path, so
matplotlib's on-disk font cache ``fontlist-v*.json`` does not matter: a font installed
after the cache was built is still found), sets it first in ``font.sans-serif``, and
checks that Chinese text really renders. If it does not, it raises
:class:`~zzeval.errors.ZzevalError` saying what to install; it never lets a report draw
boxes.

Where the font comes from, in order:

1. the file named by the environment variable ``ZZEVAL_CJK_FONT`` (any .ttf/.otf/.ttc);
2. the PyPI package ``noto-cjk-sans-otc`` (a dependency of zzeval; Noto Sans CJK
   Regular collection, SIL OFL 1.1, ~15 MB wheel; its "Noto Sans CJK SC" face is used);
3. Debian/Ubuntu packages: ``fonts-noto-cjk``
   (``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``), ``fonts-wqy-microhei``,
   ``fonts-wqy-zenhei``;
4. a CJK font matplotlib already knows by name (e.g. SimHei or Microsoft YaHei on Windows).

Matplotlib ≥ 3.10 registers every face of a ``.ttc`` collection; older versions only the
first (for Noto CJK that is the Japanese face, which still has all Simplified-Chinese
glyphs, with Japanese glyph shapes for a few characters).
"""

from __future__ import annotations

import atexit
import io
import os
import threading
import warnings
from pathlib import Path

from zzeval.errors import ZzevalError

#: Environment variable naming a font file to use instead of the search below.
FONT_ENV_VAR = "ZZEVAL_CJK_FONT"

#: Font files of Debian packages, tried after the PyPI package.
DEBIAN_FONT_FILES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "fonts-wqy-zenhei"),
)

#: Family names, best first; the first one a registered file provides is used.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "Noto Sans CJK JP",
)

#: Text that must render: county, categories, units and the minus sign of the reports.
PROBE_TEXT = "泽州县巴公镇 空气质量 优良轻度中度重度严重污染 预警通知函 约谈 µg/m³ −12%（）"

INSTALL_HINT = (
    "Install a CJK font: `pip install noto-cjk-sans-otc` (zzeval's dependency), or on "
    "Debian/Ubuntu `apt-get install fonts-noto-cjk` (or fonts-wqy-microhei), or set "
    f"{FONT_ENV_VAR}=/path/to/a/Chinese/font.ttf"
)

_state: dict[str, str] = {}


def _pypi_font_file() -> Path | None:
    try:
        import noto_cjk_sans_otc  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    return path if path.is_file() else None


#: The first bytes of a font file matplotlib reads: TrueType, OpenType (CFF), a collection, Apple's.
_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"ttcf", b"true", b"typ1")


def check_font_env() -> Path | None:
    """The font file named by :data:`FONT_ENV_VAR`, or None when it is not set; refused unless it is
    a font file (by its first bytes: a TrueType or OpenType font or collection). A file that is not a
    font (``/etc/passwd``, a corrupt download, an HTML error page saved as ``.ttf``) was silently
    passed over for the bundled font, while a missing path was refused (hostile review s14-C, N06).
    Cheap (no matplotlib): the build checks it before its evaluation.

    Raises
    ------
    ZzevalError
        Naming the variable and the file.
    """
    env = os.environ.get(FONT_ENV_VAR)
    if not env:
        return None
    p = Path(env)
    if not p.is_file():
        raise ZzevalError(f"{FONT_ENV_VAR}={env!r} is not a font file. {INSTALL_HINT}")
    try:
        with open(p, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ZzevalError(f"{FONT_ENV_VAR}={env!r} cannot be read ({exc.strerror or exc}). {INSTALL_HINT}") from None
    if head not in _FONT_MAGIC:
        raise ZzevalError(f"{FONT_ENV_VAR}={env!r} is not a font file (it does not start as a TrueType or OpenType "
                          f"font or collection does): set it to a .ttf, .otf or .ttc font, or unset it. {INSTALL_HINT}")
    return p


def candidate_font_files() -> list[Path]:
    """Font files to try, in order of preference (only those that exist)."""
    out: list[Path] = []
    p = check_font_env()
    if p is not None:
        out.append(p)
    pypi = _pypi_font_file()
    if pypi is not None:
        out.append(pypi)
    out += [Path(f) for f, _pkg in DEBIAN_FONT_FILES if Path(f).is_file()]
    return out


def _register(path: Path) -> list[str]:
    """Register ``path`` with matplotlib; return the family names it provides."""
    from matplotlib import font_manager as fm

    resolved = os.path.realpath(path)
    known = {os.path.realpath(e.fname) for e in fm.fontManager.ttflist}
    if resolved not in known:
        fm.fontManager.addfont(str(path))
    return [e.name for e in fm.fontManager.ttflist if os.path.realpath(e.fname) == resolved]


def _pick(names: list[str]) -> str | None:
    for fam in PREFERRED_FAMILIES:
        if fam in names:
            return fam
    return None


def missing_glyphs(text: str, family: str) -> list[str]:
    """Characters of ``text`` that matplotlib cannot draw with ``family`` (plus fallbacks).

    Renders ``text`` with the Agg backend and collects matplotlib's "Glyph … missing from
    font(s)" warnings, so it tests exactly what a figure would show.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 1))
    fig.text(0, 0.5, text, family=[family, "DejaVu Sans"])
    missing: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=20)
    for w in caught:
        msg = str(w.message)
        if "missing from font" in msg:
            # "Glyph 27901 (\N{CJK UNIFIED IDEOGRAPH-6CFD}) missing from font(s) DejaVu Sans."
            try:
                code = int(msg.split()[1])
                missing.append(chr(code))
            except (IndexError, ValueError):
                missing.append(msg)
    return sorted(set(missing))


def apply_rcparams(family: str) -> None:
    """Put ``family`` first in matplotlib's sans-serif list (DejaVu Sans as fallback)."""
    import matplotlib as mpl

    rest = [f for f in mpl.rcParams["font.sans-serif"] if f not in (family, "DejaVu Sans")]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [family, "DejaVu Sans", *rest]
    # Noto Sans CJK and WenQuanYi have U+2212 MINUS SIGN; SimHei does not (matplotlib
    # #15062): use the ASCII hyphen then.
    mpl.rcParams["axes.unicode_minus"] = _state.get("has_minus", "1") == "1"
    mpl.rcParams["pdf.fonttype"] = 42  # embed TrueType, keep Chinese text searchable


def setup_fonts() -> str:
    """Register a CJK font with matplotlib and return its family name.

    Idempotent: the first call searches and registers, later calls only re-apply the
    rcParams (which ``seaborn.set_theme`` may have reset) and return the same name.

    Returns
    -------
    str
        The family name set first in ``font.sans-serif``, e.g. ``"Noto Sans CJK SC"``.

    Raises
    ------
    ZzevalError
        If no font that draws :data:`PROBE_TEXT` without missing glyphs can be found; the
        message says what to install.
    """
    if "family" in _state:
        apply_rcparams(_state["family"])
        return _state["family"]

    from matplotlib import font_manager as fm

    tried: list[str] = []
    candidates: list[tuple[str, str]] = []  # (family, source)
    chosen = check_font_env()
    for path in candidate_font_files():
        try:
            names = _register(path)
        except Exception as exc:  # a broken font file: say so and try the next one
            tried.append(f"{path}: cannot be read ({exc})")
            _refuse_chosen(path, chosen, tried[-1])
            continue
        fam = _pick(names) or (names[0] if names else None)
        if fam is None:
            tried.append(f"{path}: no font face registered")
            _refuse_chosen(path, chosen, tried[-1])
            continue
        candidates.append((fam, str(path)))
    known = {e.name for e in fm.fontManager.ttflist}
    candidates += [(fam, "installed font") for fam in PREFERRED_FAMILIES if fam in known]

    for fam, source in candidates:
        missing = missing_glyphs(PROBE_TEXT.replace("−", ""), fam)
        if missing:
            tried.append(f"{fam} ({source}): missing {''.join(missing[:10])}")
            _refuse_chosen(Path(source), chosen, f"its font {fam} cannot draw {''.join(missing[:10])}")
            continue
        _state["family"] = fam
        _state["source"] = source
        entry = next((e for e in fm.fontManager.ttflist if e.name == fam), None)
        if entry is not None:
            _state["file"] = entry.fname
            _state["index"] = str(getattr(entry, "index", 0) or 0)
        _state["has_minus"] = "0" if missing_glyphs("−", fam) else "1"
        apply_rcparams(fam)
        return fam

    detail = "; ".join(tried) if tried else "no CJK font file found"
    raise ZzevalError(f"cannot render Chinese text in figures ({detail}). {INSTALL_HINT}")


def _refuse_chosen(path: Path, chosen: Path | None, why: str) -> None:
    """Raise when ``path`` is the font the operator chose (:data:`FONT_ENV_VAR`) and it cannot be
    used: not passed over for another font without a word (hostile review s14-C, N06)."""
    if chosen is not None and path == chosen:
        raise ZzevalError(f"{FONT_ENV_VAR}={str(chosen)!r} cannot be used ({why}): set it to a font with "
                          f"Simplified-Chinese glyphs, or unset it to use the bundled Noto Sans CJK. {INSTALL_HINT}")


#: CSS family name of the font subset embedded in reports by :func:`webfont_css`.
WEBFONT_FAMILY = "ZZ Report CJK"

#: Characters always kept in the web-font subset (printable ASCII and report symbols).
WEBFONT_BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "µ³²·−–—…“”‘’（），。：；、％［］〔〕《》"


def webfont_css(text: str, *, family: str = WEBFONT_FAMILY) -> str:
    """A CSS ``@font-face`` rule embedding the CJK font, subset to the glyphs of ``text``.

    Reports are read on office PCs that may lack a Chinese font (a fresh Linux intranet
    box, a locked-down kiosk): the page carries the glyphs it uses, as a WOFF data URI,
    so it renders the same everywhere with no network. The subset of a township report
    (~200–400 distinct characters) is ~30–80 kB. Noto Sans CJK is under the SIL Open
    Font License 1.1, which permits embedding and subsetting.

    Fast: the font file is parsed once per process (:func:`webfont_subset`), each glyph's
    outline is converted once, and a page's subset is then assembled in ~20 ms (instead of
    1.5–3 s for a full ``fontTools.subset`` pass over the 65,535-glyph collection face).

    Returns an empty string if the registered font cannot be subset (the page then falls
    back to the reader's system fonts, listed after ``family`` in the style sheet).
    """
    import base64

    try:
        data = webfont_subset(text)
    except Exception:  # a font fontTools cannot read or subset: fall back to system fonts
        return ""
    if not data:
        return ""
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f"@font-face {{ font-family: \"{family}\"; font-style: normal; font-weight: 400; "
        f"src: url(data:font/woff;base64,{b64}) format(\"woff\"); }}"
    )


def webfont_subset(text: str) -> bytes:
    """WOFF bytes of the registered CJK font (:func:`setup_fonts`) with only the glyphs of
    ``text`` plus :data:`WEBFONT_BASE_CHARS`; ``b""`` when no font file is registered.

    CFF-flavoured fonts (Noto Sans CJK, Source Han Sans) go through :class:`_WebfontSource`,
    cached per process; other fonts (TrueType, e.g. WenQuanYi) through ``fontTools.subset``
    on the cached file bytes.
    """
    setup_fonts()
    path = _state.get("file")
    if not path:
        return b""
    index = int(_state.get("index", "0"))
    chars = "".join(sorted(set(text) | set(WEBFONT_BASE_CHARS)))
    key = (os.path.realpath(path), index)
    with _webfont_lock:
        src = _webfont_sources.get(key)
        if src is None:
            src = _webfont_sources[key] = _WebfontSource(path, index)
        return src.subset(chars)


_webfont_sources: dict[tuple[str, int], _WebfontSource] = {}
_webfont_lock = threading.Lock()


class _WebfontSource:
    """One font face, parsed once, from which page subsets are built quickly.

    Building a subset copies, for each character of the page, the glyph's outline
    (drawn once into an unhinted Type 2 charstring and kept as bytecode), its advance
    width and side bearing, and the face's vertical metrics (so line heights match the
    original font), into a new CFF-flavoured OpenType font with :class:`FontBuilder`.
    Hinting and OpenType layout features (GSUB/GPOS) are not kept: horizontal Chinese
    and Latin text renders without them; the browser falls back to the system font for
    a character missing from the face.
    """

    def __init__(self, path: str, index: int) -> None:
        from fontTools.ttLib import TTFont

        self.path, self.index = path, index
        font = TTFont(path, fontNumber=index, lazy=True)
        self.cff = "CFF " in font
        if not self.cff:
            font.close()
            self.font_bytes = Path(path).read_bytes()
            return
        self.cmap = font.getBestCmap()
        self.metrics = font["hmtx"].metrics
        self.glyphs = font.getGlyphSet()
        head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
        self.upm = head.unitsPerEm
        self.bbox = [head.xMin, head.yMin, head.xMax, head.yMax]
        self.hhea = {k: getattr(hhea, k) for k in ("ascent", "descent", "lineGap", "advanceWidthMax",
                                                   "minLeftSideBearing", "minRightSideBearing",
                                                   "xMaxExtent")}
        self.os2 = {k: getattr(os2, k) for k in ("sTypoAscender", "sTypoDescender", "sTypoLineGap",
                                                 "usWinAscent", "usWinDescent", "sxHeight",
                                                 "sCapHeight", "usWeightClass")
                    if hasattr(os2, k)}
        self.charstrings: dict[str, bytes] = {}
        self._font = font  # keeps the glyph set's tables alive

    def _charstring(self, name: str) -> bytes:
        code = self.charstrings.get(name)
        if code is None:
            from fontTools.pens.t2CharStringPen import T2CharStringPen

            pen = T2CharStringPen(self.metrics[name][0], self.glyphs)
            self.glyphs[name].draw(pen)
            cs = pen.getCharString()
            cs.compile()
            code = self.charstrings[name] = cs.bytecode
        return code

    def subset(self, chars: str) -> bytes:
        if not self.cff:
            return _fonttools_subset(self.font_bytes, self.index, chars)
        from fontTools.fontBuilder import FontBuilder
        from fontTools.misc.psCharStrings import T2CharString

        cmap = {}
        for ch in chars:
            name = self.cmap.get(ord(ch))
            if name is not None:
                cmap[ord(ch)] = name
        order = [".notdef", *sorted(set(cmap.values()) - {".notdef"})]
        fb = FontBuilder(self.upm, isTTF=False)
        fb.font.recalcBBoxes = False  # the face's own bounding box: no outline is run again
        fb.setupGlyphOrder(order)
        fb.setupCharacterMap(cmap)
        ps_name = WEBFONT_FAMILY.replace(" ", "")
        fb.setupCFF(ps_name, {"FullName": WEBFONT_FAMILY, "FontBBox": list(self.bbox)},
                    {g: T2CharString(bytecode=self._charstring(g)) for g in order}, {})
        fb.setupHorizontalMetrics({g: self.metrics[g] for g in order})
        fb.setupHorizontalHeader(**self.hhea)
        fb.setupNameTable({"familyName": WEBFONT_FAMILY, "styleName": "Regular"})
        fb.setupOS2(**self.os2)
        fb.setupPost()
        fb.updateHead(xMin=self.bbox[0], yMin=self.bbox[1], xMax=self.bbox[2], yMax=self.bbox[3])
        fb.font.flavor = "woff"
        buf = io.BytesIO()
        fb.save(buf)
        return buf.getvalue()


def _fonttools_subset(font_bytes: bytes, index: int, chars: str) -> bytes:
    """``fontTools.subset`` of a font held in memory (TrueType faces), as WOFF."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(font_bytes), fontNumber=index, lazy=True)
    opts = subset.Options()
    opts.flavor = "woff"
    opts.hinting = False
    opts.desubroutinize = True
    opts.notdef_outline = True
    opts.layout_features = []
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return buf.getvalue()


#: Printable width of an A4 page with the report's 13 mm side margins [in] (184 mm).
A4_PRINT_WIDTH_IN = (210 - 2 * 13) / 25.4
#: Narrowest width a figure is shown at on a phone [in], 560 CSS px at 96 px/in (the report's
#: style sheet; a 390 px phone scrolls the figure sideways rather than shrink it further).
PHONE_FIGURE_WIDTH_IN = 560 / 96


def smallest_text_pt(fig, shown_width_in: float, *, dpi: float = 40) -> float:
    """The smallest text of ``fig`` as a reader sees it [pt] when the figure is shown
    ``shown_width_in`` wide (never enlarged: a figure narrower than that keeps its size).

    Draws the figure once (Agg, low dpi) so tick labels exist, then takes every visible,
    non-empty text: ``fontsize × min(1, shown_width_in / figure width)``. E.g. 9.5 pt tick labels
    of a 13.2 in figure printed 7.17 in wide read as 9.5 × 7.17 / 13.2 = 5.2 pt.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    scale = min(1.0, shown_width_in / fig.get_figwidth())
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and _shown(t)]
    return min(sizes) * scale if sizes else float("inf")


def _shown(text) -> bool:
    """False for a tick label matplotlib made but does not draw (outside the axis view)."""
    axes = text.axes
    return axes is None or axes.get_visible()


def font_source() -> str | None:
    """Where the font chosen by :func:`setup_fonts` came from (file path), or None."""
    return _state.get("source")


def _close_webfont_sources() -> None:
    """Close the font files the parsed faces read from (at exit: an open file left to the
    interpreter's shutdown is a ResourceWarning, a traceback under ``PYTHONWARNINGS=error``:
    hostile review 9B, F10)."""
    with _webfont_lock:
        sources = list(_webfont_sources.values())
        _webfont_sources.clear()
    for src in sources:
        font = getattr(src, "_font", None)
        if font is not None:
            font.close()


atexit.register(_close_webfont_sources)


def _reset_for_tests() -> None:
    """Forget the chosen font and the web-font cache (tests only)."""
    _state.clear()
    _close_webfont_sources()
