"""The shipped factor table and analysts' override files."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from zzeval.emissions.factors import (
    PHYSICAL_PROPERTY_KEYS,
    SHIPPED_BASES,
    _read_csv,
    _validate_reference,
    load_factors,
    make_key,
    sample_factors,
)
from zzeval.errors import FactorError


def test_shipped_table_is_complete_and_sourced():
    t = load_factors()
    f = t.to_frame()
    assert len(f) > 100
    assert set(f["basis"]) <= set(SHIPPED_BASES)
    for col in ("citation", "item_zh", "item_en", "note_zh", "note_en"):
        assert (f[col].str.len() > 3).all(), col
    assert (f["low"] <= f["central"]).all() and (f["central"] <= f["high"]).all()
    # every row of a measured / guideline / literature basis names a study, not "no source"
    read = f[f["basis"].isin(["measured", "guideline", "literature"])]
    assert not read["citation"].str.contains("无可查阅的出处").any()
    # US EPA AP-42 Section 1.4: natural-gas VOC 5.5 lb/10^6 ft³ × 0.01602 = 0.088 g/m³
    assert t.central("natural_gas/household_boiler/VOC") == pytest.approx(5.5 * 0.01602, rel=0.01)
    assert t.unit("heating_coal_use/rural") == "t/household/season"
    # Liang et al. 2017: bituminous loose coal NOx 2.20 g/kg, measured
    assert t.central("household_coal/raw_bituminous/NOx") == 2.2
    assert t.row("household_coal/raw_bituminous/NOx")["basis"] == "measured"


def test_household_coal_so2_matches_measured_household_stoves():
    """Sulfur balance 1000 × S × (1 − r) × 64.06/32.06 g/kg against Liang et al. 2017
    (Beijing household stoves: honeycomb 1.50, coal balls 1.91, bituminous loose coal 1.62 g/kg)."""
    t = load_factors()

    def ef(fuel):
        return (1000 * t.central(f"coal_sulfur/{fuel}") * (1 - t.central(f"coal_sulfur_retention/{fuel}"))
                * 64.06 / 32.06)
    # anthracite 1000 × 0.0011 × 0.8 × 1.99813 = 1.758; bituminous 0.0010 → 1.598; briquette 0.0014 × 0.6 → 1.678
    assert ef("raw_anthracite") == pytest.approx(1.758, abs=0.001)
    assert ef("raw_bituminous") == pytest.approx(1.598, abs=0.001)
    assert ef("briquette") == pytest.approx(1.678, abs=0.001)
    for fuel in ("raw_anthracite", "raw_bituminous", "briquette"):
        assert 1.0 <= ef(fuel) <= 2.5


def test_truck_nox_does_not_fall_from_china_iii_to_v():
    """Plume chasing (Wang H. et al. 2023) and PEMS (Wu et al. 2012): real-world NOx of heavy
    diesel trucks barely changes from China III to V; China VI (OBD, Wang J. et al. 2022) is lower."""
    t = load_factors()
    nox = [t.central(f"heavy_diesel_truck/China{s}/NOx") for s in range(6)]
    assert nox == [7.0] * 6
    assert t.central("heavy_diesel_truck/China6/NOx") == 1.42


def test_provenance_text_is_for_readers_and_assumptions_are_wide():
    """No working notes or paths in any citation or note, every row cites something, and every
    assumption spans ±50 % (±5 % for fuel properties) or reaches its physical limit."""
    f = load_factors().frame
    text = pd.concat([f[c] for c in ("citation", "note_zh", "note_en", "item_zh", "item_en")])
    for phrase in ("from memory", "FACTS", "re-checked", "widened", "[L]", "[V]", "[A]", "zzeval/",
                   ".csv", ".py", "/work/"):
        assert not text.str.contains(phrase, regex=False).any(), phrase
    assert (f["citation"].str.strip() != "").all()
    a = f[f["basis"] == "assumption"]
    assert len(a) > 50
    for key, r in a.iterrows():
        half = 0.05 if key.startswith(PHYSICAL_PROPERTY_KEYS) else 0.5
        floor = 1.0 if r["pollutant"] == "PM10_per_PM2.5" else 0.0
        ceiling = 1.0 if r["unit"] == "fraction" else np.inf
        assert r["low"] <= max(r["central"] * (1 - half), floor) + 1e-12, key
        assert r["high"] >= min(r["central"] * (1 + half), ceiling) - 1e-12, key


@pytest.mark.parametrize("column, value, words", [
    ("note_en", "range widened because not re-checked", "must not appear"),
    ("citation", "see FACTS §1.2", "must not appear"),
    ("note_zh", "见 zzeval/reference/README.md", "must not appear"),
    ("low", "2.0", "an assumption needs a range"),
    ("citation", "", "must not be empty"),
    ("basis", "V", "must be one of"),
])
def test_shipped_file_rules_are_enforced(tmp_path, column, value, words):
    """The loader rejects a reference file that breaks the provenance rules (file, row, column)."""
    frame = pd.read_csv(resources.files("zzeval") / "reference" / "activity_assumptions.csv",
                        dtype=str, keep_default_na=False)
    row = frame.index[(frame["group"] == "heating_coal_use") & (frame["item"] == "rural")][0]
    frame.loc[row, column] = value
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(FactorError) as exc:
        _validate_reference(_read_csv(path, "bad.csv"), "bad.csv")
    msg = str(exc.value)
    assert f"row {row + 2}" in msg and f"column '{column}'" in msg and words in msg


def _write(tmp_path, text, name="override.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_override_replaces_row_and_keeps_relative_range(tmp_path):
    p = _write(tmp_path, "group,item,pollutant,central,unit\nheating_coal_use,rural,-,2.0,t/household/season\n")
    t = load_factors(p)
    r = t.row("heating_coal_use/rural")
    # shipped 2.8 (1.4–4.2): relative range kept → 2.0 × 1.4/2.8 = 1.0, 2.0 × 4.2/2.8 = 3.0
    assert r["central"] == 2.0
    assert r["low"] == pytest.approx(2.0 * 1.4 / 2.8)
    assert r["high"] == pytest.approx(2.0 * 4.2 / 2.8)
    assert r["overridden"] and r["basis"] == "override" and str(p) in r["citation"]
    assert r["note_en"] == "Value set by the analyst."
    assert not t.row("heating_coal_use/urban")["overridden"]


@pytest.mark.parametrize("body, column, words", [
    ("heating_coal_use,suburb,-,2.0,t/household/season", "item", "unknown factor key"),
    # the wrong cell is the pollutant's (hostile review s12-B, 6: 'item' was named)
    ("household_coal,raw_anthracite,pm2.5,3,g/kg", "pollutant", "unknown pollutant 'pm2.5' of "
     "household_coal/raw_anthracite (did you mean 'PM2.5'?)"),
    ("heating_coal_sooty,raw_anthracite,PM2.5,3,g/kg", "group", "known groups"),
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
    k = make_key("fuel", "diesel", "sulfur")
    np.testing.assert_array_equal(a.values[k], b.values[k])
    x = a.values[k]
    # split triangular(5, 10, 50) mg/kg: median = central = 10; each half is a triangle whose
    # mean lies 1/3 of the way from the peak: 0.5 × (10 − 5/3) + 0.5 × (10 + 40/3) = 15.833
    assert np.median(x) == pytest.approx(10, rel=0.002)
    assert x.mean() == pytest.approx(0.5 * (10 - 5 / 3) + 0.5 * (10 + 40 / 3), rel=0.002)
    assert x.min() >= 5 and x.max() <= 50
    # Latin hypercube: exactly one draw in each of the n strata of probability
    assert sorted(a.ranks[k]) == list(range(10_000))
    # changing one factor does not change the draws of another
    t2 = t.with_values({"heating_coal_use/rural": 2.0})
    c = sample_factors(t2, 10_000, seed=7)
    np.testing.assert_array_equal(c.values[k], x)
    # fixed rows are constant
    assert (a.values["heating_period/length/-"] == 121).all()
