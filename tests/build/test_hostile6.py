"""Hostile review 6 of issue 13 (findings 10 and 11): --out hygiene. A
summary file deleted since a complete build, and a township whose slug was renamed. Each test fails on the
code before the fix."""

from __future__ import annotations

import json
import re

from tests.build.helpers import build_kwargs
from zzeval.build.builder import build_reports
from zzeval.build.plan import COUNTY

SEASON = "2020-2021"


def test_a_deleted_summary_file_is_written_again(built):
    """Finding 10: summary.json and summary.csv removed after a complete build; the fast path answered
    "up to date" from the state alone and never restored them."""
    data, out = built
    root = out / SEASON
    before = {name: (root / name).read_bytes() for name in ("summary.json", "summary.csv")}
    for name in before:
        (root / name).unlink()
    again = build_reports(data, out_dir=out, **build_kwargs())
    assert again.ok and not again.fast_path and again.built == []  # no page is built again
    after = {name: (root / name).read_bytes() for name in before}
    assert json.loads(after["summary.json"])["data_sha256"] == json.loads(before["summary.json"])["data_sha256"]
    assert after["summary.csv"] == before["summary.csv"]
    assert build_reports(data, out_dir=out, **build_kwargs()).fast_path  # complete again


def test_pages_of_a_renamed_township_leave_the_output(built):
    """Finding 11: liushukou renamed to shukou in every table: its old page stayed in townships/ with the
    old data's numbers, and the state kept it as built."""
    data, out = built
    root = out / SEASON
    state = json.loads((root / ".build-state.json").read_text(encoding="utf-8"))
    old = state["reports"]["liushukou"]
    assert (root / old["html"]).is_file() and (root / old["log"]).is_file()
    for path in data.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\bliushukou\b", "shukou", text), encoding="utf-8")

    summary = build_reports(data, out_dir=out, **build_kwargs())
    assert summary.ok and sorted(summary.built) == sorted([COUNTY, "shukou"])
    state = json.loads((root / ".build-state.json").read_text(encoding="utf-8"))
    assert sorted(state["reports"]) == sorted([COUNTY, "bagong", "shukou"])
    assert not (root / old["html"]).exists() and not (root / old["log"]).exists()
    assert (root / ".cache" / "superseded" / old["html"]).is_file()
    assert (root / ".cache" / "superseded" / old["log"]).is_file()
    assert "liushukou" not in (root / "index.html").read_text(encoding="utf-8")
    log = [json.loads(line) for line in (root / "build-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {"event": "superseded", "report": "liushukou"}.items() <= next(
        e for e in log if e.get("event") == "superseded").items()
    assert build_reports(data, out_dir=out, **build_kwargs()).fast_path  # complete for the new names
