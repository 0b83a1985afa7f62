"""The eighth hostile review of issue 13 (data angle, notes: hostile8A.md), finding 6: a lost dustfall
sample could not be given (a month left out is refused), so the clerk wrote 0, which passed and lowered
the season mean (7.13 → 6.05). Now 0 is refused and an empty value is a month missing (缺测), the mean
taken over the measured months and the pages saying so. Inputs are made by script from the `zzeval
sample` season, as in tests/input/cases.py."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from tests.input.cases import Case, edit, make_case, read, validate_refuses
from zzeval.cli import main
from zzeval.i18n import t

DUST = "dustfall.csv"
LOST = "2020-12"


def _month(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """The first township's dustfall of December 2020 written ``value``."""
    at = (frame["township"] == frame["township"].iloc[0]) & (frame["month"] == LOST)
    assert at.sum() == 1
    frame.loc[at, "dustfall_t_km2_month"] = value
    return frame


def _left_out(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~((frame["township"] == frame["township"].iloc[0]) & (frame["month"] == LOST))]


CASES = (
    Case("lost_sample_written_0", edit(DUST, lambda f: _month(f, "0")),
         ("dustfall.csv, row ", "column 'dustfall_t_km2_month': 0 t/(month·km²) is not a measurement",
          "a lost sample (bucket knocked over, stolen or frozen)? leave the value empty")),
    Case("lost_sample_left_out", edit(DUST, _left_out),
         ("has dustfall for 5 of the 6 months of the season 2020-2021: 2020-12 missing",
          "for a lost sample, a row with the value left empty (the month is then shown as missing, 缺测)")),
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_lost_sample_is_not_written_0(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / "case", capsys)


def test_a_lost_sample_left_empty_is_a_missing_month(sample_season, tmp_path, capsys):
    from zzeval.assess.progress import township_indicators
    from zzeval.report.views import dustfall_missing_note, monthly_dustfall
    from zzeval.season.loading import load_season

    folder = make_case(sample_season, Case("empty", edit(DUST, lambda f: _month(f, "")), ()), tmp_path / "case")
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err
    rows = read(sample_season, DUST)
    slug = rows["township"].iloc[0]
    measured = rows[(rows["township"] == slug) & (rows["month"] >= "2020-10") & (rows["month"] != LOST)]
    assert len(measured) == 5
    season = load_season(folder)
    ind = township_indicators(season).set_index("township")
    want = pd.to_numeric(measured["dustfall_t_km2_month"])
    assert ind.loc[slug, "dustfall_mean_t_km2_month"] == pytest.approx(want.mean(), abs=1e-9)
    assert ind.loc[slug, "dustfall_max_month_t_km2_month"] == pytest.approx(want.max(), abs=1e-9)
    ev = SimpleNamespace(season_name=season.period.name, townships=season.townships,
                         dustfall_monthly=season.dustfall.assign(month=season.dustfall["month"].dt.strftime("%Y-%m")))
    table, _ = monthly_dustfall(ev, slug)
    assert table.loc[0, t("month.12", "zh")] == "缺测"
    assert dustfall_missing_note(ev, slug) == "2020-12 缺测（样品丢失），季均与最高月按 5 个实测月计"
    other = season.townships["slug"].iloc[1]
    assert dustfall_missing_note(ev, other) is None
