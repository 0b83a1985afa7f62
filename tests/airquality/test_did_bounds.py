"""An across-township DiD interval the data cannot bound is not published as numbers (hostile review 7 of
issue 13, finding 10: 3 townships gave "−100.0 … +623,545,381,060,694,…%" on the county page and
did_high_pct 6.2e+89 in summary.json)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from zzeval.airquality.did import interval_bounded, retrofit_did
from zzeval.assess.county import county_figures
from zzeval.cli import main
from zzeval.report.county_views import did_summary
from zzeval.season.loading import load_season


def test_the_interval_limit_is_a_ratio_of_ten_between_its_ends():
    # did.interval_max_ratio 10: −80 % … +90 % is 1.9 ÷ 0.2 = 9.5, −80 % … +110 % is 2.1 ÷ 0.2 = 10.5
    assert interval_bounded(np.log(0.2), np.log(1.9))
    assert not interval_bounded(np.log(0.2), np.log(2.1))
    assert not interval_bounded(np.log(0.2), np.inf) and not interval_bounded(np.nan, 0.1)


@pytest.fixture(scope="module")
def three_townships(tmp_path_factory):
    """`zzeval sample --townships 3` with seed 3 (the DiD interval −97.7 … +554 %, ends 288 × apart)
    and seed 11 (+2.3 … +10.7 %, 1.08 ×)."""
    base = tmp_path_factory.mktemp("did")
    out = {}
    for seed in (3, 11):
        assert main(["sample", str(base / f"s{seed}"), "--townships", "3", "--seed", str(seed)]) == 0
        out[seed] = retrofit_did(load_season(base / f"s{seed}"))  # the build's call (999 draws, seed 0)
    return out


def _figures(did) -> dict:
    """county_figures of an evaluation holding only ``did`` (and one township's means)."""
    ev = SimpleNamespace(weather=pd.DataFrame({"township": [], "pollutant": []}), did=did,
                         indicators=pd.DataFrame({"township": ["nancun"], "pm25_mean_ugm3": [40.0], "pm25_mean_ugm3_prev": [50.0],
                                                  "pm25_change_obs_pct": [-20.0]}),
                         verdicts={"zh": pd.DataFrame({"verdict": ["on_track"]})})
    return json.loads(json.dumps(county_figures(ev)))  # what summary.json holds


def test_three_townships_whose_interval_cannot_be_bounded_say_so(three_townships):
    did = three_townships[3]
    assert did.n_clusters == 3 and not did.bounded
    assert 100 * (np.exp(did.ci_high) - 1) > 500 and np.exp(did.ci_high - did.ci_low) > 280  # what was shown
    fig = _figures(did)
    assert fig["did_effect_full_retrofit_pct"] is None and fig["did_low_pct"] is None and fig["did_high_pct"] is None
    assert "仅 3 个乡镇的数据无法界定" in fig["did_unbounded"]["zh"] and "相差超过 10 倍" in fig["did_unbounded"]["zh"]
    assert "cannot be bounded with 3 townships" in fig["did_unbounded"]["en"]
    page = did_summary(did, "zh").data
    assert "无法界定" in page and "…" not in page and "−" not in page and "+" not in page  # no effect, no interval
    assert "cannot be bounded with 3 townships" in did_summary(did, "en").data


def test_three_townships_with_a_narrow_interval_keep_their_numbers(three_townships):
    did = three_townships[11]
    assert did.bounded
    fig = _figures(did)
    assert fig["did_low_pct"] == pytest.approx(2.299, abs=0.001) and fig["did_high_pct"] == pytest.approx(10.68, abs=0.01)
    assert fig["did_effect_full_retrofit_pct"] == pytest.approx(6.4017, abs=1e-4) and "did_unbounded" not in fig
    assert "+2.3 … +10.7" in did_summary(did, "zh").data


def test_no_valid_township_gives_no_townships_mean():
    """Every township's statistics invalid (a 30-day season): the county's means of the townships leave them
    all out and are null in summary.json (NaN is not JSON, and NaN != NaN broke the B4 comparison of two
    evaluations found by the fresh-clone test run), shown as "—"."""
    ev = SimpleNamespace(weather=pd.DataFrame({"township": [], "pollutant": []}), did=None,
                         indicators=pd.DataFrame({"township": ["nancun"], "pm25_mean_ugm3": [40.0],
                                                  "pm25_mean_ugm3_prev": [50.0], "pm25_change_obs_pct": [-20.0],
                                                  "statistics_valid_PM2.5": [False]}),
                         verdicts={"zh": pd.DataFrame({"verdict": ["on_track"]})})
    figures = json.loads(json.dumps(county_figures(ev), allow_nan=False))
    assert figures["townships_mean_pm25_ugm3"] is None and figures["townships_change_of_means_pct"] is None
    assert figures["townships_means_left_out"] == ["nancun"]
