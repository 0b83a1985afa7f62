"""A build stopped in its report phase (SIGTERM from a scheduler's timeout: the CLI turns it into
KeyboardInterrupt) after it replaced some pages (hostile review 8, B3): the index, summary.json and
the pages must not disagree silently. The index marks every page the build was to replace as being
rebuilt, and summary.json says it is not complete, until the build finishes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.build.helpers import build_kwargs
from zzeval.build.builder import build_reports
from zzeval.build.publish import Publisher

#: liushukou's straw fire points 1 → 4 in tasks.csv: every report shows other data
OLD_ROW, NEW_ROW = "liushukou,1,0,2,2,1,", "liushukou,1,0,2,2,4,"


def _page_data(season: Path, rel: str) -> str:
    """The data hash a tiny page shows (its notebook prints ``data: <hash>``)."""
    return re.search(r"data: ([0-9a-f]{64})", (season / rel).read_text(encoding="utf-8")).group(1)


def _index_statuses(season: Path) -> dict[str, str]:
    """The build status the index gives each linked page (``county.html``, ``townships/<slug>.html``)."""
    html = (season / "index.html").read_text(encoding="utf-8")
    out = {}
    for row in re.findall(r"<tr[ >].*?</tr>", html, flags=re.S):
        link, status = re.search(r'href="(townships/[^"]+)"', row), re.search(r"status-(\w+)", row)
        if link and status:
            out[link.group(1)] = status.group(1)
    county = re.search(r'href="county.html">[^<]*</a>( <span class="status-(\w+)")?', html)
    out["county.html"] = (county.group(2) or "built") if county else "absent"
    return out


def test_a_build_stopped_after_its_first_report_leaves_an_index_that_tells_the_truth(built, monkeypatch):
    data, out = built
    season = out / "2020-2021"
    tasks = data / "tasks.csv"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    real = Publisher.record

    def record_then_stop(self, task, res):
        real(self, task, res)
        raise KeyboardInterrupt  # SIGTERM right after the first report was published

    monkeypatch.setattr(Publisher, "record", record_then_stop)
    with pytest.raises(KeyboardInterrupt):
        build_reports(data, out_dir=out, **build_kwargs())
    summary = json.loads((season / "summary.json").read_text(encoding="utf-8"))
    assert {r["township"]: r["straw_fire_points"] for r in summary["townships"]} == {"bagong": 0, "liushukou": 4}
    statuses = _index_statuses(season)
    assert sorted(statuses) == ["county.html", "townships/bagong.html", "townships/liushukou.html"]
    shown = {rel: _page_data(season, rel) for rel in statuses}
    old = [rel for rel, digest in shown.items() if digest != summary["data_sha256"]]
    # bagong's figures did not change (up to date, its fingerprint stamped before the reports); of
    # the county and liushukou, the first was published before the stop, the other shows old data
    assert len(old) == 1 and old[0] in ("county.html", "townships/liushukou.html"), shown
    assert statuses["townships/bagong.html"] == "up_to_date"
    for rel, status in statuses.items():
        # the index vouches ("built", "up to date") only for pages of the summary's data
        assert status == "rebuilding" or shown[rel] == summary["data_sha256"], (rel, status)
    assert statuses["county.html"] == statuses["townships/liushukou.html"] == "rebuilding"  # written before
    assert "正在重建" in (season / "index.html").read_text(encoding="utf-8")
    assert summary["complete"] is False

    monkeypatch.undo()
    assert build_reports(data, out_dir=out, **build_kwargs()).ok  # the next build finishes the set
    summary = json.loads((season / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is True
    assert set(_index_statuses(season).values()) <= {"built", "up_to_date"}
    assert {_page_data(season, rel) for rel in _index_statuses(season)} == {summary["data_sha256"]}
    assert build_reports(data, out_dir=out, **build_kwargs(townships=["bagong"], force=True)).ok
    assert json.loads((season / "summary.json").read_text(encoding="utf-8"))["complete"] is True  # all current
