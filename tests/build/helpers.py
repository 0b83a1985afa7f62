"""Stand-ins for the build tests: a tiny season, tiny notebooks and a tiny shared evaluation."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from tests.tiny_season import write_tiny_season
from zzeval.assess.evaluate import data_hash

NOTEBOOKS = Path(__file__).parent / "notebooks"
TOWNSHIP_NB = NOTEBOOKS / "township.ipynb"
COUNTY_NB = NOTEBOOKS / "county.ipynb"


@dataclass
class TinyEvaluation:
    """A stand-in :class:`~zzeval.assess.evaluate.ReportSource`: per township its row of ``table``;
    shared by every page: the season's data hash and the number of townships with a warning."""

    table: pd.DataFrame
    data_sha256: str = ""
    county_warnings: int = 0

    def summary_table(self, lang: str = "zh") -> pd.DataFrame:
        return self.table

    def county_summary(self) -> dict:
        return {"warnings": self.county_warnings}

    def township_slice(self, slug: str) -> TinyEvaluation:
        return replace(self, table=self.table[self.table["township"] == slug])

    def county_slice(self) -> TinyEvaluation:
        return self

    def save(self, path) -> Path:
        rows = json.loads(self.table.to_json(orient="records", force_ascii=False))
        doc = {"data_sha256": self.data_sha256, "county_warnings": self.county_warnings,
               "rows": {r["township"]: r for r in rows}}
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return Path(path)


def tiny_prepare(season, factors=None, draws=0, seed=None) -> TinyEvaluation:
    """Per township: its rows in the retrofit, vehicle, freight and task tables; the verdict is
    ``warning`` when it had straw fire points, else ``on_track``."""
    rows = []
    for slug, name in zip(season.townships["slug"], season.townships["name_zh"], strict=True):
        n = sum(int((season.table(t)["township"] == slug).sum())
                for t in ("heating_retrofits", "vehicles", "freight", "tasks"))
        fires = int(season.tasks.loc[season.tasks["township"] == slug, "straw_fire_points"].sum())
        rows.append({"township": slug, "name_zh": name, "n_rows": n, "straw_fire_points": fires,
                     "verdict": "warning" if fires else "on_track"})
    table = pd.DataFrame(rows)
    return TinyEvaluation(table, data_sha256=data_hash(season),
                          county_warnings=int((table["verdict"] == "warning").sum()))


def tiny_season(path: Path) -> Path:
    return write_tiny_season(path, days=2)


def build_kwargs(**extra) -> dict:
    """Keyword arguments that make ``build_reports`` fast on the tiny notebooks. One worker: the 3
    tiny reports cost less CPU than a second worker's start (its process and kernel: 9-13 s CPU
    a build with ``jobs=2``, 4.5 s with ``jobs=1``); the session's baseline build and the Dask
    comparison keep ``jobs=2``."""
    kw = dict(notebook=TOWNSHIP_NB, county_notebook=COUNTY_NB, prepare=tiny_prepare, quiet=True,
              jobs=1, warm_imports=("json",), kernel="current", timeout=60, start_timeout=60,
              exporter="tests.build.helpers:tiny_html")
    kw.update(extra)
    return kw


def tiny_html(nb, lang: str) -> str:
    """A fast stand-in exporter: the notebook's markdown outputs in a minimal page."""
    from html import escape

    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown") or out.get("text") or ""
            parts.append(f"<pre>{escape(str(text))}</pre>")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>t</title></head>'
            f"<body>{''.join(parts)}</body></html>\n")
