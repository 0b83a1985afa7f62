"""A township notebook reads only its slice of the evaluation (the build hands it nothing else, and
keys the report on it): the real township notebook must render the same page from the slice as
from the whole evaluation. A view that starts reading something outside the slice fails here."""

from __future__ import annotations

import pickle
import re

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def evaluation(tiny30):
    return tiny30[0], tiny30[2]  # the session's (tests/conftest.py): days=30, draws=200, n_boot=10


def test_the_rank_table_is_the_same_from_a_slice(evaluation):
    """Ranks and county medians need every township's values: a township's slice must keep them."""
    from dataclasses import replace

    from zzeval.assess.ranking import VALIDITY_COLUMNS
    from zzeval.report.views import rank_summary

    _, ev = evaluation
    slug = ev.townships["slug"].iloc[0]
    # 30-day seasons: statistics not valid, so no rank on an air-quality indicator (s10-reA F3); the slice
    # keeps every township's validity flags, so the ranks are of the same townships, valid or not
    valid = replace(ev, indicators=ev.indicators.assign(**dict.fromkeys(VALIDITY_COLUMNS, True)))
    for source in (ev, valid):
        full = rank_summary(source, slug)
        assert len(full) >= 5 and full["rank"].str.contains("/").sum() >= (5 if source is valid else 2)
        assert full.equals(rank_summary(source.township_slice(slug), slug))


def _page(notebook, data, results, township: str) -> str:
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from zzeval.build.kernels import resolve_kernel, session_for_thread
    from zzeval.report.html_export import notebook_to_html

    nb = parameterize_notebook(load_notebook_node(str(notebook)), {
        "data_dir": str(data), "township": township, "results_path": str(results)},
        kernel_name=None, language="python")
    loop, kernel = session_for_thread(resolve_kernel("current"), notebook.parent)
    nb, error, _ = loop.run_until_complete(kernel.run(nb, 600))
    assert error is None, error
    html = notebook_to_html(nb, lang="zh")
    html = re.sub(r'id="cell-id=[0-9a-f-]+"', "", html)  # papermill's new cell ids
    html = re.sub(r"data:font/[a-z0-9]+;base64,[A-Za-z0-9+/=]+", "FONT", html)  # subset time stamps
    return re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", "TIME", html)  # the build time


def test_the_township_page_is_the_same_from_its_slice(evaluation, tmp_path):
    from zzeval.build.builder import default_notebook
    from zzeval.build.kernels import shutdown_thread_session

    data, ev = evaluation
    notebook = default_notebook("township_report.ipynb")
    try:
        whole = _page(notebook, data, ev.county_slice().save(tmp_path / "whole.pkl"), "liushukou")
        sliced = _page(notebook, data, ev.township_slice("liushukou").save(tmp_path / "slice.pkl"), "liushukou")
        # as a build hands it: the township's part, joined on reading with the shared part saved once
        shared = tmp_path / "shared-test.pkl"
        shared.write_bytes(pickle.dumps(ev.shared_part()))
        part = _page(notebook, data, ev.township_part("liushukou", shared.name).save(tmp_path / "part.pkl"),
                     "liushukou")
    finally:
        shutdown_thread_session()
    assert "柳树口镇" in sliced and ev.provenance["data_sha256"] in sliced
    assert sliced == whole and part == whole
