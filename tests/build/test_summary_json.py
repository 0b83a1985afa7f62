"""summary.json is JSON every reader accepts: a figure that could not be computed is null, never the
bare word NaN (the final review of issue 13: a season with per-station weather only wrote NaN 7 times,
and a browser's JSON.parse refused the file)."""

from __future__ import annotations

import json

import pandas as pd

from zzeval.build.publish import write_summary_files


def _strict(text: str):
    def refuse(word):
        raise ValueError(f"not JSON: {word}")
    return json.loads(text, parse_constant=refuse)


def test_nan_and_infinity_are_written_as_null(tmp_path):
    table = pd.DataFrame({"township": ["nancun", "xiacun"], "pm25_change_pct": [-12.5, float("nan")]})
    county = {"pm25": {"before": 62.2, "after": float("nan")}, "cuts": [1.5, float("inf")], "n": 2}
    write_summary_files(tmp_path, "2020-2021", table, county, synthetic=True, data_sha256="abc")
    doc = _strict((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert doc["county"] == {"pm25": {"before": 62.2, "after": None}, "cuts": [1.5, None], "n": 2}
    assert [r["pm25_change_pct"] for r in doc["townships"]] == [-12.5, None]


def test_confirmations_in_force_are_listed(tmp_path):
    """summary.json lists the values used as written on season.yaml's ``confirmed:`` (an empty list
    without one), so that an official can tell them from values that passed the checks."""
    table = pd.DataFrame({"township": ["nancun"]})
    write_summary_files(tmp_path, "2020-2021", table, None, synthetic=True, data_sha256="abc")
    assert _strict((tmp_path / "summary.json").read_text(encoding="utf-8"))["confirmations"] == []
    item = {"check": "heating_share", "subject": "nancun", "townships": ["nancun"]}
    write_summary_files(tmp_path, "2020-2021", table, None, synthetic=True, data_sha256="abc", confirmations=[item])
    assert _strict((tmp_path / "summary.json").read_text(encoding="utf-8"))["confirmations"] == [item]
