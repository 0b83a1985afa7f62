"""Hostile review 6 of issue 13 (findings 1-3): a build stopped after
it wrote summary.json, a ``--township`` build beside changed data, a season.yaml key that is not
text. Each test fails on the code before the fix."""

from __future__ import annotations

import json

import pytest

import zzeval.build.builder as builder
from tests.build.helpers import build_kwargs
from zzeval.assess.evaluate import data_hash
from zzeval.build.builder import build_reports
from zzeval.build.plan import COUNTY
from zzeval.season.loading import load_season

SEASON = "2020-2021"
ROW = "liushukou,1,0,2,2,1,"  # liushukou's row of tasks.csv: straw fire points 1


def _edit(data, old: str, new: str) -> None:
    tasks = data / "tasks.csv"
    text = tasks.read_text(encoding="utf-8")
    assert old in text
    tasks.write_text(text.replace(old, new), encoding="utf-8")


def test_build_stopped_after_summary_files_is_not_up_to_date_next_time(built, monkeypatch):
    """Finding 2: summary.json was written from changed data, the build stopped before any report
    was recorded, the change was undone: the next build must not answer "up to date" and leave the
    other data's summary beside the pages."""
    data, out = built
    root = out / SEASON
    _edit(data, ROW, "liushukou,1,0,2,2,3,")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C once the summary is written

    monkeypatch.setattr(builder, "report_tasks", stopped)
    with pytest.raises(KeyboardInterrupt):
        build_reports(data, out_dir=out, **build_kwargs())
    edited = json.loads((root / "summary.json").read_text(encoding="utf-8"))["data_sha256"]
    monkeypatch.undo()
    _edit(data, "liushukou,1,0,2,2,3,", ROW)  # the clerk undoes the edit

    again = build_reports(data, out_dir=out, **build_kwargs())
    assert again.ok and again.built == []  # every page was built from this data already
    reverted = data_hash(load_season(data))
    assert edited != reverted
    assert json.loads((root / "summary.json").read_text(encoding="utf-8"))["data_sha256"] == reverted
    assert "liushukou,柳树口镇,5,1,warning" in (root / "summary.csv").read_text(encoding="utf-8-sig")
    state = json.loads((root / ".build-state.json").read_text(encoding="utf-8"))
    assert state["fast_key"] and state["data_sha256"] == reverted  # complete again: the fast path is back


def test_township_build_marks_pages_whose_data_changed_as_outdated(built):
    """Finding 3: ``--township bagong`` after liushukou's data changed: the index said liushukou's old
    page was "unchanged" beside the new data's verdict and reasons."""
    data, out = built
    root = out / SEASON
    _edit(data, ROW, "liushukou,1,0,2,2,3,")
    summary = build_reports(data, out_dir=out, **build_kwargs(townships=["bagong"]))
    assert summary.ok and summary.up_to_date == ["bagong"] and summary.built == []
    index = (root / "index.html").read_text(encoding="utf-8")
    row = index[index.index('<tr id="liushukou">'):]
    row = row[:row.index("</tr>")]
    assert "status-outdated" in row and "数据已变化，本次未重建" in row
    bagong = index[index.index('<tr id="bagong">'):]
    assert "status-up_to_date" in bagong[:bagong.index("</tr>")]
    assert "另有 1 份报告的数据已变化" in index
    assert index.count("status-outdated") == 3  # the style, liushukou's row, the county page's link
    # a full build brings them up to date, and the index no longer says so
    full = build_reports(data, out_dir=out, **build_kwargs())
    assert sorted(full.built) == [COUNTY, "liushukou"]
    assert (root / "index.html").read_text(encoding="utf-8").count("status-outdated") == 1  # the style alone


def test_township_build_with_unchanged_data_marks_nothing(built):
    data, out = built
    summary = build_reports(data, out_dir=out, **build_kwargs(townships=["bagong"], force=True))
    assert summary.built == ["bagong"]
    assert (out / SEASON / "index.html").read_text(encoding="utf-8").count("status-outdated") == 1  # the style


@pytest.mark.parametrize("line", ["2021: 备注", "~: 备注", "yes: 备注"])
def test_season_yaml_key_that_is_not_text_is_a_note(baseline, tmp_path, line):
    """Finding 1: ``2021:``, ``~:`` and ``yes:`` are valid YAML keys (an int, None, a boolean);
    validate said OK and the build's cache key sorted them beside text keys: TypeError."""
    import shutil

    from zzeval.assess.tasks import TownshipTask, task_key

    data = tmp_path / "data"
    shutil.copytree(baseline[0], data)
    with open(data / "season.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"\n{line}\n")
    season = load_season(data)
    assert all(isinstance(k, str) for k in season.meta)
    task = TownshipTask(season=season, slug="bagong", seed=1, n_boot=0, pollutants=("PM2.5",), station_met=False)
    assert len(task_key(task, b"", "")) == 64


def test_township_build_stamps_unchanged_pages_outside_the_selection(built):
    """s11 hostile review B (c06): a data edit that changes no page's figures, then ``--township
    bagong``: the index and summary.json gave the new data hash and called liushukou's page and
    the county page current ("无变化，沿用"), but those pages still showed the old hash (a full
    build stamps them). Every page the index calls current now shows the hash summary.json gives."""
    data, out = built
    root = out / SEASON
    before = data_hash(load_season(data))
    townships = data / "townships.csv"
    text = townships.read_text(encoding="utf-8")
    assert ",urban,21000," in text
    townships.write_text(text.replace(",urban,21000,", ",urban,21001,"), encoding="utf-8")  # on no page
    after = data_hash(load_season(data))
    assert after != before
    summary = build_reports(data, out_dir=out, **build_kwargs(townships=["bagong"]))
    assert summary.ok and summary.built == [] and summary.up_to_date == ["bagong"]
    assert json.loads((root / "summary.json").read_text(encoding="utf-8"))["data_sha256"] == after
    state = json.loads((root / ".build-state.json").read_text(encoding="utf-8"))
    index = (root / "index.html").read_text(encoding="utf-8")
    assert index.count("status-outdated") == 1  # the style alone: every page is current
    for slug in ("bagong", "liushukou", COUNTY):
        entry = state["reports"][slug]
        page = (root / entry["html"]).read_text(encoding="utf-8")
        assert entry["data_sha256"] == after, slug
        assert after in page and before not in page, slug
