"""The shipped factor table and analysts' override files."""

from __future__ import annotations

import numpy as np
import pytest

from zzeval.errors import FactorError
from zzeval.emissions.factors import load_factors, make_key, sample_factors


def test_shipped_table_is_complete_and_sourced():
    t = load_factors()
    f = t.to_frame()
    assert len(f) > 100
    assert (f["source"].str.len() > 10).all()
    assert set(f["quality"]) <= {"V", "L", "A"}
    assert (f["low"] <= f["central"]).all() and (f["central"] <= f["high"]).all()
    # every [A] or [L] row states its tag in the source text
    for q, src in zip(f["quality"], f["source"], strict=True):
        assert f"[{q}]" in src or (q == "A" and "[L]/[A]" in src), src
    # FACTS §2.1: AP-42 residential gas NOx 94 lb/10^6 scf × 0.01602 = 1.51 g/m³
    assert t.central("natural_gas/household_boiler/NOx") == pytest.approx(94 * 0.01602, rel=0.01)
    assert t.unit("heating_coal_use/rural") == "t/household/season"


def _write(tmp_path, text, name="override.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_override_replaces_row_and_keeps_relative_range(tmp_path):
    p = _write(tmp_path, "group,item,pollutant,central,unit\nheating_coal_use,rural,-,2.0,t/household/season\n")
    t = load_factors(p)
    r = t.row("heating_coal_use/rural")
    # shipped 2.8 (2.0–4.0): relative range kept → 2.0 × 2.0/2.8, 2.0 × 4.0/2.8
    assert r["central"] == 2.0
    assert r["low"] == pytest.approx(2.0 * 2.0 / 2.8)
    assert r["high"] == pytest.approx(2.0 * 4.0 / 2.8)
    assert r["overridden"] and r["quality"] == "O" and str(p) in r["source"]
    assert not t.row("heating_coal_use/urban")["overridden"]


@pytest.mark.parametrize("body, column, words", [
    ("heating_coal_use,suburb,-,2.0,t/household/season", "item", "unknown factor key"),
    ("heating_coal_use,rural,-,-2.0,t/household/season", "central", "negative"),
    ("heating_coal_use,rural,-,2000,kg/household/season", "unit", "does not match"),
    ("coal_sulfur,raw_anthracite,-,0.5,fraction,0.2,0.4", "central", "low ≤ central ≤ high"),
    ("coal_oxidation,all,-,1.5,fraction,,", "central", "not a fraction"),
    ("heating_coal_use,rural,-,abc,t/household/season", "central", "not a number"),
])
def test_bad_override_names_file_row_column(tmp_path, body, column, words):
    header = "group,item,pollutant,central,unit" + (",low,high" if body.count(",") > 4 else "")
    p = _write(tmp_path, f"{header}\ngrid,north_china,CO2,700,g/kWh" +
               (",557,942" if "low" in header else "") + f"\n{body}\n")
    with pytest.raises(FactorError) as exc:
        load_factors(p)
    msg = str(exc.value)
    assert str(p) in msg and "row 3" in msg and f"column '{column}'" in msg and words in msg


def test_override_missing_required_column(tmp_path):
    p = _write(tmp_path, "group,item,pollutant,central\ngrid,north_china,CO2,700\n")
    with pytest.raises(FactorError, match="missing column.*unit"):
        load_factors(p)


def test_override_file_not_found(tmp_path):
    with pytest.raises(FactorError, match="not found"):
        load_factors(tmp_path / "nope.csv")


def test_samples_reproducible_triangular_and_independent_streams():
    t = load_factors()
    a = sample_factors(t, 10_000, seed=7)
    b = sample_factors(t, 10_000, seed=7)
    k = make_key("grid", "north_china", "CO2")
    np.testing.assert_array_equal(a.values[k], b.values[k])
    x = a.values[k]
    # split triangular(557, 800, 942): median = central = 800; each half is a triangle whose
    # mean lies 1/3 of the way from the peak: 0.5 × (800 − 243/3) + 0.5 × (800 + 142/3) = 783.17
    assert np.median(x) == pytest.approx(800, rel=0.002)
    assert x.mean() == pytest.approx(0.5 * (800 - 243 / 3) + 0.5 * (800 + 142 / 3), rel=0.002)
    assert x.min() >= 557 and x.max() <= 942
    # Latin hypercube: exactly one draw in each of the n strata of probability
    assert sorted(a.ranks[k]) == list(range(10_000))
    # changing one factor does not change the draws of another
    t2 = t.with_values({"heating_coal_use/rural": 2.0})
    c = sample_factors(t2, 10_000, seed=7)
    np.testing.assert_array_equal(c.values[k], x)
    # fixed rows are constant
    assert (a.values["heating_period/length/-"] == 121).all()
