"""Labels in both languages; the CJK font registers and Chinese renders without boxes."""

from __future__ import annotations

import base64
import io
import re

import matplotlib as mpl
import pytest
from matplotlib import font_manager as fm
from matplotlib import ft2font
from matplotlib.figure import Figure

from tests.report.conftest import render_png
from zzeval import i18n
from zzeval.errors import ZzevalError
from zzeval.report import fonts


def test_every_label_has_both_languages_and_same_placeholders():
    labels = i18n.labels()
    assert len(labels) > 50
    for key, entry in labels.items():
        assert entry["zh"].strip() and entry["en"].strip(), key
        fields = {lg: set(re.findall(r"{(\w+)}", entry[lg])) for lg in i18n.LANGS}
        assert fields["zh"] == fields["en"], key


def test_t_fills_placeholders_and_rejects_unknowns():
    assert i18n.t("axis.concentration", "zh", pollutant="PM2.5", unit="µg/m³") == (
        "PM2.5 日均浓度（µg/m³）"
    )
    assert i18n.t("axis.concentration", "en", pollutant="PM2.5", unit="µg/m³") == (
        "PM2.5 daily mean (µg/m³)"
    )
    assert i18n.verdict_label("warning", "zh") == "预警通知函"
    assert i18n.verdict_label("interview", "zh") == "约谈"
    assert i18n.unit_label("1", "en") == "dimensionless"
    assert i18n.measure_label("not_a_measure", "zh") == "not_a_measure"
    with pytest.raises(ZzevalError, match="no label"):
        i18n.t("no.such.key", "zh")
    with pytest.raises(ZzevalError, match="needs the field 'unit'"):
        i18n.t("axis.concentration", "zh", pollutant="PM2.5")
    with pytest.raises(ZzevalError, match="unsupported report language 'fr'"):
        i18n.t("verdict.warning", "fr")


def test_setup_fonts_registers_a_cjk_font_idempotently(cjk_font):
    assert fonts.setup_fonts() == cjk_font  # second call: same answer, no re-registration
    n_entries = sum(e.name == cjk_font for e in fm.fontManager.ttflist)
    fonts.setup_fonts()
    assert sum(e.name == cjk_font for e in fm.fontManager.ttflist) == n_entries
    assert mpl.rcParams["font.sans-serif"][0] == cjk_font
    assert mpl.rcParams["font.family"] == ["sans-serif"]
    # independent check of the glyph table of the file matplotlib resolves the name to
    path = fm.findfont(fm.FontProperties(family=cjk_font), fallback_to_default=False)
    entry = next(e for e in fm.fontManager.ttflist if e.name == cjk_font)
    face = ft2font.FT2Font(str(path), face_index=getattr(entry, "index", 0))
    for ch in "泽州县巴公镇优良轻度污染预警通知函约谈":
        assert face.get_char_index(ord(ch)) != 0, ch
    # unicode_minus is on only if the font has U+2212
    assert mpl.rcParams["axes.unicode_minus"] == (face.get_char_index(0x2212) != 0)


def test_chinese_figure_renders_without_missing_glyph_warnings(cjk_font):
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([-1, 0, 1], [1, -2, 3])
    ax.set_title("泽州县 PM2.5 日均浓度（µg/m³）")
    ax.set_xlabel("季内第几天")
    ax.legend(["巴公镇"])
    png, missing = render_png(fig)
    assert png.startswith(b"\x89PNG")
    assert missing == []
    # and the check itself works: DejaVu Sans alone cannot draw 泽
    assert fonts.missing_glyphs("泽", "DejaVu Sans") == ["泽"]


def test_no_cjk_font_fails_loudly_with_what_to_install(monkeypatch, cjk_font):
    monkeypatch.setattr(fonts, "_state", {})
    monkeypatch.setattr(fonts, "candidate_font_files", lambda: [])
    monkeypatch.setattr(fonts, "PREFERRED_FAMILIES", ("No Such Font",))
    with pytest.raises(ZzevalError, match="noto-cjk-sans-otc") as exc:
        fonts.setup_fonts()
    assert "fonts-noto-cjk" in str(exc.value)


def test_env_var_pointing_nowhere_is_an_error(monkeypatch):
    monkeypatch.setenv(fonts.FONT_ENV_VAR, "/nonexistent/font.ttf")
    with pytest.raises(ZzevalError, match="ZZEVAL_CJK_FONT"):
        fonts.candidate_font_files()


def test_webfont_subset_has_the_glyphs_of_the_text(cjk_font):
    from fontTools.ttLib import TTFont

    css = fonts.webfont_css("巴公镇预警")
    m = re.search(r"base64,([A-Za-z0-9+/=]+)", css)
    assert css.startswith("@font-face") and m
    raw = base64.b64decode(m.group(1))
    assert raw[:4] == b"wOFF"
    assert len(raw) < 60_000  # 5 ideographs + ASCII: a small subset, not the 19 MB font
    cmap = TTFont(io.BytesIO(raw)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "巴公镇预警0aZ%")
    assert ord("泽") not in cmap  # not in the text, so not embedded
