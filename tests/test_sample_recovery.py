"""End to end on the committed sample: the weather-adjusted change recovers the effects the
generator planted (data/sample/planted_effects.csv), and the unadjusted change does not.

The sample's 2020-21 winter is made meteorologically kinder than 2019-20 (as CREA found for
Jincheng), so the measured drop overstates what the measures did by ~10 percentage points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zzeval.airquality.weather import weather_adjusted_change
from zzeval.season.loading import load_season

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def joined():
    season = load_season(SAMPLE)
    change = weather_adjusted_change(season, pollutants=("PM2.5",), n_boot=0)
    planted = pd.read_csv(SAMPLE / "planted_effects.csv")
    planted = planted[planted["pollutant"] == "PM2.5"].drop(columns="pollutant")
    return change.merge(planted, on="township")  # the county row has no planted value and drops out


def test_adjusted_change_tracks_the_planted_effect(joined):
    assert len(joined) == 17
    truth, adjusted = joined["total_change_pct"], joined["adjusted_change_pct"]
    assert np.corrcoef(truth, adjusted)[0, 1] > 0.8
    slope = np.polyfit(truth, adjusted, 1)[0]
    assert 0.7 < slope < 1.5
    assert (adjusted - truth).abs().mean() < 5.0  # percentage points


def test_measured_change_overstates_it(joined):
    truth = joined["total_change_pct"]
    assert (joined["observed_change_pct"] - truth).mean() < -6.0  # weather made the drop look bigger
    assert (joined["observed_change_pct"] - truth).abs().mean() > 2 * (joined["adjusted_change_pct"] - truth).abs().mean()
