"""Smoke tests: the report notebooks run through Papermill on a tiny season and export to
self-contained HTML that passes the report checks. The only tests that start kernels."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.assess.evaluate import evaluate_season
from zzeval.report.html_export import notebook_to_html, visible_text
from zzeval.report.htmlcheck import check_report
from zzeval.season.loading import load_season

pytestmark = pytest.mark.notebook
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb")
    data = write_tiny_season(tmp / "season", days=40)
    evaluation = evaluate_season(load_season(data), draws=500, n_boot=20)
    return data, evaluation.save(tmp / "evaluation.pkl"), evaluation


def _run(notebook: str, out: Path, **parameters) -> nbformat.NotebookNode:
    pm.execute_notebook(str(ROOT / "notebooks" / notebook), str(out), parameters=parameters,
                        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False,
                        language="python", engine_name=None,
                        execution_timeout=300, start_timeout=120)
    return nbformat.read(out, as_version=4)


def _stderr_or_errors(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or output.get("name") == "stderr":
                found.append(str(output.get("text") or output.get("evalue")))
    return found


@pytest.mark.parametrize("lang,name", [("zh", "柳树口镇"), ("en", "liushukou")])
def test_township_notebook_runs_and_exports(prepared, tmp_path, lang, name):
    data, results, evaluation = prepared
    nb = _run("township_report.ipynb", tmp_path / "out.ipynb", season="2020-2021", data_dir=str(data),
              township="liushukou", lang=lang, results_path=str(results))
    assert _stderr_or_errors(nb) == []
    html = notebook_to_html(nb, lang=lang)
    assert check_report(html, required_text=[name]) == []
    text = visible_text(html)  # what a reader sees: no CSS, no code
    # the verdict box: the township's name followed by the verdict's words, then its reasons
    verdict = evaluation.verdict("liushukou", lang)
    assert f"柳树口镇{verdict['verdict_label']}" in text
    assert verdict["reasons"] and all(reason in text for reason in verdict["reasons"])
    # the retrofit card: 210 of 300 households (70.0 %)
    card = "任务 300 户，完成 70.0\u00a0%" if lang == "zh" else "of 300 allocated (70.0\u00a0%)"
    assert card in text
    assert ("合成" in text) if lang == "zh" else ("SYNTHETIC" in text.upper())
    assert "pick(" not in text and "views." not in text  # no code on the page


def test_county_notebook_runs(prepared, tmp_path):
    data, results, _ = prepared
    nb = _run("county_report.ipynb", tmp_path / "county.ipynb", season="2020-2021", data_dir=str(data),
              lang="zh", results_path=str(results))
    assert _stderr_or_errors(nb) == []
    html = notebook_to_html(nb, lang="zh")
    assert check_report(html, required_text=["巴公镇", "柳树口镇", "17,360"]) == []
    text = visible_text(html)
    assert "方案目标 17,360 户" in text and "各乡镇季均值" in text


def test_what_if_notebook_runs_on_the_sample(tmp_path):
    nb = _run("what_if.ipynb", tmp_path / "what_if.ipynb", season="2020-2021",
              data_dir=str(ROOT / "data" / "sample"), draws=200)
    assert _stderr_or_errors(nb) == []
    text = "".join(o.get("data", {}).get("text/plain", "") for c in nb.cells for o in c.get("outputs", []))
    assert "dadonggou" in text and "change_pct" in text
