"""s12 hostile review B (operations), findings 4-6: a build with nothing to do while another build holds
the folder's lock, and the index's count and status words of pages never asked for or kept after a
failure. Fast: no report is built (the fast path is simulated; the index is rendered from rows)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.build.helpers import build_kwargs, tiny_season
from zzeval.atomic import BuildLock
from zzeval.build import builder
from zzeval.build.records import BuildSummary
from zzeval.errors import BuildError
from zzeval.report.index_page import render_index


def test_nothing_to_build_is_not_said_while_another_build_holds_the_lock(tmp_path, monkeypatch):
    """Finding 4: "nothing to build: N report(s) up to date", exit 0, while another build was publishing
    other data into the folder; now the refusal of a build with work (exit 2, pid and start time)."""
    data = tiny_season(tmp_path / "data")
    out = tmp_path / "out"
    fast = BuildSummary(season="2020-2021", out_dir=out, fast_path=True)
    monkeypatch.setattr(builder, "fast_path", lambda inputs, state: fast)  # as after a complete build
    with BuildLock(out / "2020-2021"):  # the other build (a second lock on the file conflicts in-process too)
        with pytest.raises(BuildError, match=rf"another zzeval build is already writing into .*2020-2021 "
                                             rf"\(pid {os.getpid()}, started 20"):
            builder.build_reports(data, out_dir=out, **build_kwargs())
    assert builder.build_reports(data, out_dir=out, **build_kwargs()) is fast  # the lock free: up to date
    assert builder.build_reports(data, out_dir=out, **build_kwargs(dry_run=True)) is fast


def _rows(*statuses: str) -> list[dict]:
    return [{"slug": f"t{i}", "name": f"镇{i}", "verdict": "warning", "status": s, "html": None, "log": None,
             "built_at": None, "error": None} for i, s in enumerate(statuses)]


@pytest.mark.parametrize("lang, counts, not_built", [
    ("zh", "共 3 份乡镇报告：1 份本次生成，0 份沿用，0 份失败。", "另有 2 份报告从未生成（本次未要求生成，并非失败）。"),
    ("en", "3 township reports: 1 built now, 0 unchanged, 0 failed.",
     "2 more report(s) have never been built (not asked for in this build; not a failure)."),
])
def test_pages_never_asked_for_are_not_counted_as_failed(lang, counts, not_built):
    """Finding 5: a --township build of one township: "2 failed" although nothing failed."""
    html = render_index(_rows("built", "not_built", "not_built"), {"season": "2020-2021"}, lang)
    assert counts in html and not_built in html
    failed = render_index(_rows("built", "failed", "stale", "stale_current"), {"season": "2020-2021"}, lang)
    assert ("3 份失败" if lang == "zh" else "3 failed") in failed


def test_a_kept_page_of_unchanged_data_is_not_called_expired(tmp_path):
    """Finding 6: --timeout on unchanged data: the kept pages were called 已过期 (stale) although their
    data, and so their numbers, are this build's."""
    from zzeval.build.publish import Publisher

    (tmp_path / "t0.html").write_text("x", encoding="utf-8")
    entry = {"status": "failed", "html": "t0.html", "data_sha256": "abc", "built_at": "2021-04-01"}
    for data, expected in (("abc", "stale_current"), ("other", "stale")):
        ctx = SimpleNamespace(state={"reports": {"t0": entry}}, summary=SimpleNamespace(reports=[]),
                              season_dir=Path(tmp_path), data_sha256=data, name=lambda slug: slug)
        publisher = Publisher.__new__(Publisher)
        publisher.ctx, publisher.planned, publisher.rebuilding = ctx, {}, set()
        assert publisher._index_row("t0", (None, None))["status"] == expected
    html = render_index(_rows("stale_current"), {"season": "2020-2021"}, "zh")
    assert "本次生成失败，保留上次报告（数据未变，页面仍为当前数据）" in html and "已过期" not in html
    en = render_index(_rows("stale_current"), {"season": "2020-2021"}, "en")
    assert "previous report kept (its data is unchanged: the page is current)" in en and "(stale)" not in en


def test_the_failure_line_of_a_kept_page_of_unchanged_data_says_so():
    from zzeval.build.records import ReportResult

    err = {"ename": "Timeout", "evalue": "execution timeout of 2 s reached", "code_cell_number": 12}
    current = ReportResult(slug="nancun", name="南村镇", status="stale", error=err, current=True)
    assert current.failure_line().endswith("(previous report kept, its data unchanged: current)")
    assert ReportResult(slug="nancun", name="南村镇", status="stale", error=err).failure_line().endswith(
        "(previous report kept, marked stale)")
