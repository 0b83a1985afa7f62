"""The build runs zzeval.report.htmlcheck.check_report on every page it writes: a township report, the
county report and the index that fail their checks fail the build (non-zero exit) and are never
published silently."""

from __future__ import annotations

import json

import pytest

from tests.build.helpers import build_kwargs, tiny_html
from zzeval.build import builder as build_mod
from zzeval.build.builder import COUNTY, INDEX, build_reports, check_index

pytestmark = pytest.mark.notebook
SEASON = "2020-2021"


def cdn_html(nb, lang: str) -> str:
    """tiny_html, but pages naming 柳树口镇 (liushukou's and the county's) load a script from a CDN
    (a hang on an offline PC)."""
    html = tiny_html(nb, lang)
    if "柳树口镇" in html:
        html = html.replace("</head>", '<script src="https://cdn.example.com/require.js"></script></head>')
    return html


def nameless_html(nb, lang: str) -> str:
    """tiny_html without the township's Chinese name (the report is about no one)."""
    return tiny_html(nb, lang).replace("巴公镇", "")


def test_a_report_failing_its_check_fails_and_is_kept_as_failed(built):
    data, out = built
    root = out / SEASON
    good_liushukou = (root / "townships/liushukou.html").read_bytes()
    summary = build_reports(data, out_dir=out, **build_kwargs(
        force=True, exporter="tests.build.test_checks:cdn_html"))
    assert not summary.ok
    assert summary.built == ["bagong"]
    # the previous good reports stay in place, marked stale; the bad pages are not written
    for slug in ("liushukou", COUNTY):
        bad = next(r for r in summary.reports if r.slug == slug)
        assert bad.status == "stale" and bad.error["ename"] == "ReportCheckError"
        assert "external URL in <script src>: https://cdn.example.com/require.js" in bad.error["evalue"]
    assert (root / "townships/liushukou.html").read_bytes() == good_liushukou
    index = (root / "index.html").read_text(encoding="utf-8")
    # the data did not change (a forced rebuild): the kept pages are current, and the index says so
    assert "本次生成失败，保留上次报告（数据未变，页面仍为当前数据）" in index and "ReportCheckError" in index
    assert "已过期" not in index
    assert "FAILED liushukou" in summary.text()


def test_a_township_report_must_carry_its_chinese_name(tmp_path):
    from tests.build.helpers import tiny_season

    data = tiny_season(tmp_path / "data")
    summary = build_reports(data, out_dir=tmp_path / "out", **build_kwargs(
        county_notebook=None, exporter="tests.build.test_checks:nameless_html"))
    bad = {r.slug: r for r in summary.reports if r.failed}
    assert list(bad) == ["bagong"] and bad["bagong"].status == "failed"
    assert "required text '巴公镇' not found" in bad["bagong"].error["evalue"]
    assert not (tmp_path / "out" / SEASON / "townships/bagong.html").exists()
    state = json.loads((tmp_path / "out" / SEASON / ".build-state.json").read_text(encoding="utf-8"))
    assert state["reports"]["bagong"]["status"] == "failed" and state["fast_key"] is None


def test_a_bad_index_is_not_published_and_fails_the_build(built, monkeypatch):
    data, out = built
    root = out / SEASON
    good_index = (root / "index.html").read_bytes()
    from zzeval.report import index_page

    real = index_page.render_index

    def render_with_cdn_font(rows, meta, lang="zh"):
        return real(rows, meta, lang).replace(
            "</head>", '<link rel="stylesheet" href="//fonts.example.com/css"></head>', 1)

    monkeypatch.setattr(index_page, "render_index", render_with_cdn_font)
    summary = build_reports(data, out_dir=out, **build_kwargs(force=True))
    assert not summary.ok and summary.failed == [INDEX]
    assert "external URL in <link href>: //fonts.example.com/css" in summary.text()
    assert (root / "index.html").read_bytes() == good_index  # the previous index is kept
    assert "fonts.example.com" in (root / ".cache/index.failed.html").read_text(encoding="utf-8")
    # not recorded as a complete build: the next build does not take the no-change fast path
    monkeypatch.setattr(index_page, "render_index", real)
    again = build_reports(data, out_dir=out, **build_kwargs())
    assert again.ok and not again.fast_path


def test_check_index_wants_every_township_named_and_linked():
    rows = [{"slug": "bagong", "name": "巴公镇", "html": "townships/bagong.html"},
            {"slug": "liushukou", "name": "柳树口镇", "html": None}]
    ok = ('<html lang="zh-CN"><body><a href="townships/bagong.html">巴公镇</a> 柳树口镇'
          '<a href="county.html">全县</a></body></html>')
    assert check_index(ok, rows, {"html": "county.html"}) == []
    unlinked = ok.replace('<a href="townships/bagong.html">巴公镇</a>', "巴公镇")
    assert check_index(unlinked, rows) == ["report townships/bagong.html is not linked from the index"]
    assert check_index(ok.replace("柳树口镇", ""), rows) == ["required text '柳树口镇' not found"]
    assert build_mod.INDEX == "__index__"
