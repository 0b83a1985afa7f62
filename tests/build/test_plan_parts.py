"""Planning keys a township report on its own part of the evaluation and on the shared part every
township page shows (zzeval.assess.slices), taken once per build: a change in another township's
data re-keys exactly the reports that show it, and the notebook reads the same slice as before."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from zzeval.assess.evaluate import SHARED_COLUMNS, Evaluation
from zzeval.build.hashing import content_digest
from zzeval.build.plan import COUNTY
from zzeval.build.staleness import plan_reports


@pytest.fixture(scope="module")
def evaluation(tiny30):
    return tiny30[2]  # the session's (tests/conftest.py): days=30, draws=200, n_boot=10


def _context(evaluation, out: Path, state: dict | None = None):
    """What plan_reports reads of a build's context (a first build when ``state`` is None)."""
    inputs = SimpleNamespace(selection=None, county_nb=Path("county.ipynb"), code="code",
                             notebooks={"township": "t", "county": "c"},
                             report_params={"season": "2020-2021", "lang": "zh", "exporter": "default"})
    return SimpleNamespace(inputs=inputs, season=SimpleNamespace(slugs=list(evaluation.slugs)),
                           state=state or {"reports": {}}, options=SimpleNamespace(force=False, dry_run=False),
                           season_dir=out, data_sha256=evaluation.provenance["data_sha256"],
                           name=lambda slug: "county" if slug == COUNTY else slug)


def _built(planned, out: Path) -> dict:
    """The state after a build of ``planned`` that succeeded."""
    (out / "page.html").write_text("built", encoding="utf-8")
    return {"reports": {p.slug: {"key": p.key, "components": p.components, "status": "built",
                                 "html": "page.html"} for p in planned}}


def _replan(evaluation, out: Path, state: dict, change) -> dict:
    changed = copy.deepcopy(evaluation)
    change(changed)
    return {p.slug: p.reason for p in plan_reports(_context(changed, out, state), changed)}


def _set(table: str, column: str, value, slug: str = "bagong"):
    def change(ev):
        frame = getattr(ev, table)
        frame.loc[frame["township"] == slug, column] = value
    return change


def test_each_township_reads_back_its_whole_slice_and_the_shared_part_is_saved_once(evaluation, tmp_path):
    planned = plan_reports(_context(evaluation, tmp_path), evaluation)
    assert [p.slug for p in planned] == ["bagong", "liushukou", COUNTY] and all(p.reason for p in planned)
    results = tmp_path / ".cache" / "results"
    assert len(list(results.glob("shared-*.pkl"))) == 1
    masked = (evaluation.provenance["data_sha256"],)
    for item in planned[:2]:
        read = Evaluation.load(item.results)
        whole = evaluation.township_slice(item.slug)
        for name in SHARED_COLUMNS:  # every township's shared columns, the others' cells empty
            pd.testing.assert_frame_equal(getattr(read, name), getattr(whole, name), check_exact=True)
        assert content_digest(read, masked) == content_digest(whole, masked)
        assert "_shared" not in read.__dict__
    # the township's part on disk holds its own rows only
    part = pd.read_pickle(planned[0].results)
    assert set(part.indicators["township"]) == {"bagong"} and len(whole.indicators) == 2


def test_another_townships_change_rekeys_exactly_the_reports_that_show_it(evaluation, tmp_path):
    state = _built(plan_reports(_context(evaluation, tmp_path), evaluation), tmp_path)
    assert set(_replan(evaluation, tmp_path, state, lambda ev: None).values()) == {None}

    # a task figure only bagong's page shows: bagong's report and the county's
    reasons = _replan(evaluation, tmp_path, state, _set("indicators", "im_pass_rate_pct", 50.0))
    assert reasons == {"bagong": "its data changed (indicators)", "liushukou": None,
                       COUNTY: "its data changed (indicators)"}

    # a ranked indicator of bagong: liushukou's rank table and ranking chart show it too
    reasons = _replan(evaluation, tmp_path, state, _set("indicators", "heating_completion_pct", 10.0))
    assert reasons == {"bagong": "its data changed (indicators)", "liushukou": "its data changed (indicators)",
                       COUNTY: "its data changed (indicators)"}

    # bagong's weather model skill: in the median every page's methods note shows
    reasons = _replan(evaluation, tmp_path, state, _set("weather", "r2_cv", 0.123))
    assert reasons["liushukou"] == "its data changed (weather)"

    # bagong's daily series and a weather column no other page shows: not liushukou's
    reasons = _replan(evaluation, tmp_path, state, _set("daily", "value", -1.0))
    assert reasons["bagong"] == reasons[COUNTY] == "its data changed (daily)" and reasons["liushukou"] is None
    column = next(c for c in evaluation.weather.columns if c not in SHARED_COLUMNS["weather"]
                  and pd.api.types.is_float_dtype(evaluation.weather[c]))
    reasons = _replan(evaluation, tmp_path, state, _set("weather", column, -9.0))
    assert reasons == {"bagong": "its data changed (weather)", "liushukou": None,
                       COUNTY: "its data changed (weather)"}


def test_a_changed_shared_part_replaces_the_old_file(evaluation, tmp_path):
    state = _built(plan_reports(_context(evaluation, tmp_path), evaluation), tmp_path)
    results = tmp_path / ".cache" / "results"
    before = {p.name for p in results.glob("shared-*.pkl")}
    _replan(evaluation, tmp_path, state, _set("indicators", "heating_completion_pct", 10.0))
    after = {p.name for p in results.glob("shared-*.pkl")}
    assert len(after) == 1 and after != before
