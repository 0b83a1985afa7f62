"""Stand-ins for the build tests: a tiny season, tiny notebooks and a tiny shared evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.tiny_season import write_tiny_season

NOTEBOOKS = Path(__file__).parent / "notebooks"
TOWNSHIP_NB = NOTEBOOKS / "township.ipynb"
COUNTY_NB = NOTEBOOKS / "county.ipynb"


class TinyEvaluation:
    """What the build needs of an Evaluation: ``summary_table()`` and ``save(path)``."""

    def __init__(self, table: pd.DataFrame):
        self.table = table

    def summary_table(self) -> pd.DataFrame:
        return self.table

    def save(self, path) -> None:
        rows = {r["slug"]: r for r in json.loads(self.table.to_json(orient="records", force_ascii=False))}
        Path(path).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def tiny_prepare(season, factors=None, draws=0, seed=None) -> TinyEvaluation:
    """Per township: its rows in the retrofit, vehicle, freight and task tables; the verdict is
    ``warning`` when it had straw fire points, else ``on_track``."""
    rows = []
    for slug, name in zip(season.townships["slug"], season.townships["name_zh"], strict=True):
        n = sum(int((season.table(t)["township"] == slug).sum())
                for t in ("heating_retrofits", "vehicles", "freight", "tasks"))
        fires = int(season.tasks.loc[season.tasks["township"] == slug, "straw_fire_points"].sum())
        rows.append({"slug": slug, "name_zh": name, "n_rows": n, "straw_fire_points": fires,
                     "verdict": "warning" if fires else "on_track"})
    return TinyEvaluation(pd.DataFrame(rows))


def tiny_season(path: Path) -> Path:
    return write_tiny_season(path, days=2)


def build_kwargs(**extra) -> dict:
    """Keyword arguments that make ``build_reports`` fast on the tiny notebooks."""
    kw = dict(notebook=TOWNSHIP_NB, county_notebook=COUNTY_NB, prepare=tiny_prepare, quiet=True,
              jobs=2, warm_imports=("json",), kernel="current", timeout=60, start_timeout=60,
              exporter="tests.build.helpers:tiny_html")
    kw.update(extra)
    return kw


def _load(path) -> TinyEvaluation:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return TinyEvaluation(pd.DataFrame(list(rows.values())))


tiny_prepare.load = _load


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
