"""A report's key is the digest of what its notebook reads (the evaluation's slice), the
notebook, the code and its parameters: no list of fields kept in step by hand."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from tests.build.helpers import TinyEvaluation, build_kwargs, tiny_prepare
from zzeval.assess.evaluate import ReportSource
from zzeval.build.builder import COUNTY, build_reports

pytestmark = pytest.mark.notebook


@dataclass
class NotedEvaluation(TinyEvaluation):
    """TinyEvaluation with one more field every page could show."""

    note: str = "a new field"


def noted_prepare(season, factors=None, draws=0, seed=None) -> NotedEvaluation:
    tiny = tiny_prepare(season)
    return NotedEvaluation(tiny.table, tiny.data_sha256, tiny.county_warnings)


def test_the_stand_in_is_a_report_source():
    assert isinstance(NotedEvaluation(pd.DataFrame()), ReportSource)


def test_a_new_field_in_the_slice_changes_every_key(built):
    data, out = built
    plan = build_reports(data, out_dir=out, **build_kwargs(dry_run=True, prepare=noted_prepare))
    assert sorted(plan.planned) == [COUNTY, "bagong", "liushukou"]
    assert {r.reason for r in plan.reports} == {"its data changed (note)"}


def test_another_townships_change_rebuilds_only_through_a_shared_value(built):
    data, out = built
    tasks = data / "tasks.csv"
    text = tasks.read_text(encoding="utf-8")
    # bagong's straw fire points 0 -> 2: bagong turns 'warning', so the county's count of warnings
    # (shown on every page) goes 1 -> 2 and liushukou's page changes too
    assert "bagong,3,3,5,5,0," in text
    tasks.write_text(text.replace("bagong,3,3,5,5,0,", "bagong,3,3,5,5,2,"), encoding="utf-8")
    plan = build_reports(data, out_dir=out, **build_kwargs(dry_run=True))
    reasons = {r.slug: r.reason for r in plan.reports}
    assert reasons == {"bagong": "its data changed (county_warnings, table)",
                       "liushukou": "its data changed (county_warnings)",
                       COUNTY: "its data changed (county_warnings, table)"}


def _edit_mark(notebook) -> None:
    """Put EDITED-MARK in the title the tiny township notebook shows (its last cell)."""
    import json

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"][-1]["source"] = [line.replace("## {", "## EDITED-MARK {") for line in nb["cells"][-1]["source"]]
    notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def test_a_notebook_saved_during_the_build_is_not_run_under_the_old_key(built, tmp_path, monkeypatch):
    """s10 hostile review B, B1: the notebook edited after the build keyed its reports (as an analyst
    saving it in JupyterLab while cron builds): the page still comes from the notebook the key was
    taken from, and the next build (which sees the edit) rebuilds it."""
    import shutil

    import zzeval.build.builder as builder
    from tests.build.helpers import TOWNSHIP_NB

    data, out = built
    notebook = tmp_path / "nb" / "township.ipynb"
    notebook.parent.mkdir()
    shutil.copy(TOWNSHIP_NB, notebook)
    plan = builder.plan_reports

    def plan_then_save_the_notebook(ctx, evaluation):
        planned = plan(ctx, evaluation)  # every key taken
        _edit_mark(notebook)
        return planned

    monkeypatch.setattr(builder, "plan_reports", plan_then_save_the_notebook)
    summary = build_reports(data, out_dir=out, **build_kwargs(notebook=notebook, townships=["bagong"], force=True))
    assert summary.built == ["bagong"], summary.text()
    page = (out / "2020-2021" / "townships" / "bagong.html").read_text(encoding="utf-8")
    assert "EDITED-MARK" not in page  # made from the notebook its recorded key is of
    monkeypatch.setattr(builder, "plan_reports", plan)
    again = build_reports(data, out_dir=out, **build_kwargs(notebook=notebook, townships=["bagong"], dry_run=True))
    assert again.planned == ["bagong"], again.text()
