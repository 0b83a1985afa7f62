"""The report notebooks run the way their users run them, each once in the suite, and the reports
say what the evaluation found, in text a reader sees (not in CSS class names or file names).

* the township notebook through the **Papermill command line** from the repository root, with
  the township given by its Chinese name and ``data_dir`` relative to the root, then
  ``zzeval export`` (one execution, shared by the tests below);
* a wrong township name: Papermill stops in the first load cell, before any computation;
* the county and what-if notebooks through the Papermill library on a tiny season.

The sample season is evaluated once per test session with few draws (``results_path``), as ``zzeval build``
does, so the notebook run does not repeat the evaluation.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.assess.evaluate import evaluate_season
from zzeval.i18n import verdict_label
from zzeval.report.html_export import notebook_to_html, visible_text
from zzeval.report.htmlcheck import check_report
from zzeval.season.loading import load_season

pytestmark = pytest.mark.notebook
ROOT = Path(__file__).resolve().parents[1]


def _stderr_or_errors(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or output.get("name") == "stderr":
                found.append(str(output.get("text") or output.get("evalue")))
    return found


def _papermill_cli(out: Path, *params: str) -> subprocess.CompletedProcess:
    """``papermill notebooks/township_report.ipynb OUT -p NAME VALUE ...`` run from the repository root."""
    args = [sys.executable, "-m", "papermill", "notebooks/township_report.ipynb", str(out),
            "--no-progress-bar", "--execution-timeout", "600"]
    for name, value in zip(params[::2], params[1::2], strict=True):
        args += ["-p", name, value]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)


# --- the township notebook through the Papermill command line ---------------------------------

@pytest.fixture(scope="module")
def sample_evaluation(sample_evaluation500, tmp_path_factory):
    evaluation = sample_evaluation500  # the session's (tests/conftest.py): draws=500, n_boot=30
    return evaluation, evaluation.save(tmp_path_factory.mktemp("sample") / "evaluation.pkl")


@pytest.fixture(scope="module")
def papermill_report(sample_evaluation, tmp_path_factory):
    """One run: Papermill CLI from the repository root, then ``zzeval export``."""
    _, results = sample_evaluation
    tmp = tmp_path_factory.mktemp("papermill")
    run = _papermill_cli(tmp / "bagong.ipynb", "township", "巴公镇", "data_dir", "data/sample",
                         "results_path", str(results))
    assert run.returncode == 0, run.stderr[-3000:]
    export = subprocess.run([sys.executable, "-m", "zzeval.cli", "export", str(tmp / "bagong.ipynb")],
                            cwd=tmp, capture_output=True, text=True, timeout=600, check=False)
    assert export.returncode == 0, export.stderr[-3000:]
    assert export.stdout == "" and f"Wrote {tmp / 'bagong.html'}" in export.stderr
    nb = nbformat.read(tmp / "bagong.ipynb", as_version=4)
    return nb, (tmp / "bagong.html").read_text(encoding="utf-8")


def test_papermill_cli_accepts_the_chinese_name_and_a_root_relative_data_dir(papermill_report):
    nb, _ = papermill_report
    assert nb.metadata.papermill.parameters["township"] == "巴公镇"
    assert _stderr_or_errors(nb) == []


def test_exported_papermill_report_is_offline_chinese_and_fonted(papermill_report):
    _, html = papermill_report
    assert re.search(r"<html[^>]*\blang=\"zh-CN\"", html)
    assert "<script" not in html.lower()
    assert re.findall(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html) == []  # nothing loaded from a network
    assert re.search(r"@font-face\s*{[^}]*url\(\s*[\"']?data:font/", html)  # the CJK font travels inside
    assert check_report(html, required_text=["巴公镇"]) == []


def test_exported_report_shows_the_evaluation_numbers_and_verdict(papermill_report, sample_evaluation):
    _, html = papermill_report
    evaluation, _ = sample_evaluation
    text = visible_text(html)
    row = evaluation.summary_table("zh").set_index("township").loc["bagong"]
    # the verdict as the report names it, and the figures behind it
    assert verdict_label(row["verdict"], "zh") in text
    assert f"{int(row['heating_done_households']):,}" in text  # clean-heating retrofits done (households)
    assert f"{int(row['heating_planned_households']):,}" in text  # and planned
    assert f"{row['pm25_mean_ugm3']:.1f}" in text  # PM2.5 season mean, µg/m³
    assert f"{row['pm25_mean_ugm3_prev']:.1f}" in text  # and the season before
    assert "合成" in text  # the sample is synthetic, and the page says so


def test_a_wrong_township_stops_in_the_load_cell_listing_the_valid_ones(tmp_path):
    out = tmp_path / "wrong.ipynb"
    run = _papermill_cli(out, "township", "巴工镇", "data_dir", "data/sample")
    assert run.returncode != 0
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    failed = [i for i, c in enumerate(code) for o in c.outputs if o.get("output_type") == "error"]
    assert len(failed) == 1
    cell = code[failed[0]]
    error = next(o for o in cell.outputs if o.get("output_type") == "error")
    assert "resolve_township" in cell.source and error["ename"] == "ParameterError"
    assert "unknown township '巴工镇'. Did you mean '巴公镇'?" in error["evalue"]
    assert "巴公镇 (bagong, 140525108)" in error["evalue"] and "李寨乡 (lizhai, 140525200)" in error["evalue"]
    # nothing was evaluated: the evaluation comes after the check in the same cell, later cells never ran
    assert cell.source.index("= resolve_township(") < cell.source.index("= load_or_evaluate(")
    assert all(c.execution_count is None for c in code[failed[0] + 1:])


# --- the county and what-if notebooks through the Papermill library ---------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb")
    data = write_tiny_season(tmp / "season", days=40)
    evaluation = evaluate_season(load_season(data), draws=500, n_boot=20)
    return data, evaluation.save(tmp / "evaluation.pkl"), evaluation


def _run(notebook: str, out: Path, **parameters) -> nbformat.NotebookNode:
    pm.execute_notebook(str(ROOT / "notebooks" / notebook), str(out), parameters=parameters,
                        cwd=str(ROOT / "notebooks"), progress_bar=False,
                        execution_timeout=300, start_timeout=120)
    return nbformat.read(out, as_version=4)


def test_county_notebook_shows_every_township_and_its_verdict(tiny, tmp_path):
    data, results, evaluation = tiny
    nb = _run("county_report.ipynb", tmp_path / "county.ipynb", season="2020-2021", data_dir=str(data),
              lang="zh", results_path=str(results))
    assert _stderr_or_errors(nb) == []
    html = notebook_to_html(nb, lang="zh")
    assert check_report(html) == []
    text = visible_text(html)
    assert "17,360" in text  # the county's clean-heating target, households (plan § 六)
    for slug, name in (("bagong", "巴公镇"), ("liushukou", "柳树口镇")):
        assert name in text and verdict_label(evaluation.verdict(slug)["verdict"], "zh") in text


def test_what_if_notebook_runs_on_the_sample(tmp_path):
    # data_dir as the notebook's users type it in notebooks/: relative to that folder
    nb = _run("what_if.ipynb", tmp_path / "what_if.ipynb", season="2020-2021", data_dir="../data/sample",
              draws=200)
    assert _stderr_or_errors(nb) == []
    text = "".join(o.get("data", {}).get("text/plain", "") for c in nb.cells for o in c.get("outputs", []))
    assert "dadonggou" in text and "change_pct" in text
