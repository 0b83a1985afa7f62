"""The shared evaluation: save/load, summary, and the per-township digest the build relies on."""

from __future__ import annotations

import copy

import pytest

from tests.tiny_season import write_tiny_season
from zzeval.assess.evaluate import Evaluation, evaluate_season
from zzeval.season.loading import load_season


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    data = write_tiny_season(tmp_path_factory.mktemp("ev") / "season", days=30)
    return evaluate_season(load_season(data), draws=200, n_boot=10)


def test_save_load_roundtrip_and_summary(evaluation, tmp_path):
    loaded = Evaluation.load(evaluation.save(tmp_path / "ev.pkl"))
    assert loaded.slugs == ["bagong", "liushukou"]
    summary = loaded.summary_table("zh")
    assert list(summary["township"]) == ["bagong", "liushukou"]
    # bagong: 3,380 of 3,400 households (tiny_season.RETROFITS)
    assert summary.set_index("township").at["bagong", "heating_done_households"] == 3380
    assert set(summary["verdict"]) <= {"on_track", "warning", "interview"}


def test_digest_follows_what_a_report_shows(evaluation):
    before = {s: evaluation.township_digest(s) for s in evaluation.slugs}
    assert before == {s: evaluation.township_digest(s) for s in evaluation.slugs}  # deterministic
    assert before["bagong"] != before["liushukou"]

    # a task figure only bagong's report shows → only bagong's digest changes
    changed = copy.deepcopy(evaluation)
    mask = changed.indicators["township"] == "bagong"
    changed.indicators.loc[mask, "im_pass_rate_pct"] = 50.0
    after = {s: changed.township_digest(s) for s in changed.slugs}
    assert after["bagong"] != before["bagong"] and after["liushukou"] == before["liushukou"]

    # a ranked indicator of bagong → liushukou's rank table changes too
    changed.indicators.loc[mask, "heating_completion_pct"] = 10.0
    again = {s: changed.township_digest(s) for s in changed.slugs}
    assert again["liushukou"] != before["liushukou"]
