"""Each measure against a hand-worked example from the shipped factor table (central values).

Central values used (zzeval/reference/*.csv):
rural coal 2.8 t/household/season; rural briquette share 0.15, bituminous share of raw
coal 0.20 → anthracite 0.85 × 0.80 = 0.68, bituminous 0.85 × 0.20 = 0.17, briquette 0.15.
PM2.5 g/kg: anthracite 2.0, bituminous 10, briquette 1.5. Gas: 1,100 m³, PM2.5 0.12 g/m³,
SO2 0.0096 g/m³. Effective S (back-calculated from measured household SO2, Liang et al. 2017):
0.0011 / 0.0010 / 0.0014, retention 0.2 / 0.2 / 0.4. Grid 800 g CO2/kWh, losses 0.06.
Heavy truck 80,000 km/yr; NOx China III and China V 7.0 (real-world NOx does not fall from
China III to V: Wang H. et al. 2023, Wu et al. 2012), China VI 1.42 g/km (Wang J. et al. 2022);
winter NOx ×1.15; off-road fraction 0.75, takeover 0.3. Payload 30 t × load factor 0.5,
China VI share of the haul fleet 0.25, rail 0.012 kWh/(t·km), NOx 0.18 g/kWh.
"""

from __future__ import annotations

import pytest

from tests.emissions.season_factory import make_season
from zzeval.emissions import estimate_season

SO2_PER_S = 64.06 / 32.06
SEASON_KM = 80_000 * 182 / 365  # heavy truck, 182-day season: 39,890.41 km


def central(result, measure, pollutant, scope="in_county", township=None):
    t = result.table
    rows = t[(t.measure == measure) & (t.pollutant == pollutant) & (t.scope == scope)]
    if township:
        rows = rows[rows.township == township]
    return rows["central"].sum()


def heating_season(rtype="coal_to_gas", done=100, date="2020-10-20", tasks=()):
    return make_season([("a", "rural", 1000)],
                       heating=[("a", rtype, done, done, date, 500_000.0)], tasks=tasks)


def test_coal_to_gas_hand_worked():
    r = estimate_season(heating_season(), draws=0)
    # PM2.5: 100 households × (2,800 kg × (0.68×2.0 + 0.17×10 + 0.15×1.5) g/kg − 1,100 m³ × 0.12 g/m³)
    #      = 100 × (2,800 × 3.285 − 132) g = 906,600 g = 0.9066 t
    pm = 100 * (2800 * (0.68 * 2.0 + 0.17 * 10 + 0.15 * 1.5) - 1100 * 0.12) / 1e6
    assert pm == pytest.approx(0.9066)
    assert central(r, "clean_heating", "PM2.5") == pytest.approx(pm, rel=1e-9)
    # SO2 by sulfur mass balance: 1000 × S × (1 − r) × 64.06/32.06 g/kg
    #   = (0.68 × 0.88 + 0.17 × 0.80 + 0.15 × 0.84) × 1.99813 = 0.8604 × 1.99813 = 1.71919 g/kg
    #   (anthracite 1000 × 0.0011 × 0.8 = 0.88; bituminous 1000 × 0.0010 × 0.8 = 0.80;
    #    briquette 1000 × 0.0014 × 0.6 = 0.84), within the measured 1.50–1.91 g/kg
    ef_so2 = (0.68 * 1000 * 0.0011 * 0.8 + 0.17 * 1000 * 0.0010 * 0.8 + 0.15 * 1000 * 0.0014 * 0.6) * SO2_PER_S
    assert ef_so2 == pytest.approx(1.71919, rel=1e-5)
    # 100 households × (2,800 kg × 1.71919 g/kg − 1,100 m³ × 0.0096 g/m³) = 100 × (4,813.73 − 10.56) g
    so2 = 100 * (2800 * ef_so2 - 1100 * 0.0096) / 1e6  # = 0.48032 t
    assert so2 == pytest.approx(0.48032, rel=1e-4)
    assert central(r, "clean_heating", "SO2") == pytest.approx(so2, rel=1e-9)
    # gas replaces coal inside the county: nothing moved outside
    assert central(r, "clean_heating", "CO2", "moved_outside") == 0
    # cost-effectiveness: 500,000 yuan / 0.9066 t PM2.5
    ce = r.cost_effectiveness
    row = ce[(ce.township == "a") & (ce.pollutant == "PM2.5") & (ce.scope == "in_county")].iloc[0]
    assert row.yuan_per_t == pytest.approx(500_000 / pm)


def test_coal_to_electricity_moves_power_plant_emissions_outside():
    r = estimate_season(heating_season("coal_to_electricity"), draws=0)
    # 100 × 4,500 kWh / (1 − 0.06) × 800 g/kWh = 382,978,723 g → −382.98 t CO2 at the plants
    assert central(r, "clean_heating", "CO2", "moved_outside") == pytest.approx(
        -100 * 4500 / 0.94 * 800 / 1e6)
    # CO2 avoided in the county: 100 × 2,800 kg × Σ s_f × 1000 × C_f × 0.92 × 44.01/12.011
    co2_ef = sum(s * 1000 * c * 0.92 * 44.01 / 12.011 for s, c in ((0.68, 0.72), (0.17, 0.60), (0.15, 0.55)))
    assert central(r, "clean_heating", "CO2") == pytest.approx(100 * 2800 * co2_ef / 1e6)
    net = central(r, "clean_heating", "CO2", "net")
    assert net == pytest.approx(central(r, "clean_heating", "CO2") - 100 * 4500 / 0.94 * 800 / 1e6)


def test_late_retrofit_counts_part_of_the_heating_period_and_reburning():
    full = central(estimate_season(heating_season(), draws=0), "clean_heating", "PM2.5")
    # finished 2020-12-15: day 75 of the season, day 30 of the heating period (starts day 45,
    # 121 days) → 91/121 of the period remains
    late = central(estimate_season(heating_season(date="2020-12-15"), draws=0), "clean_heating", "PM2.5")
    assert late == pytest.approx(full * 91 / 121)
    # finished after the heating period: nothing
    assert central(estimate_season(heating_season(date="2021-03-20"), draws=0),
                   "clean_heating", "PM2.5") == 0
    # undated batch: central undated fraction 0.5
    assert central(estimate_season(heating_season(date=None), draws=0),
                   "clean_heating", "PM2.5") == pytest.approx(full * 0.5)
    # 5 of 100 checks found coal burned again → × 0.95
    tasks = [("a", 0, 0, 0, 0, 0, 0, 0, 100, 5)]
    assert central(estimate_season(heating_season(tasks=tasks), draws=0),
                   "clean_heating", "PM2.5") == pytest.approx(full * 0.95)


def test_clean_coal_hand_worked():
    r = estimate_season(heating_season("clean_coal"), draws=0)
    # before: 2,800 kg × 3.285 g/kg; after: 2,800 × 0.85 kg of briquette × 1.5 g/kg
    assert central(r, "clean_heating", "PM2.5") == pytest.approx(
        100 * (2800 * 3.285 - 2800 * 0.85 * 1.5) / 1e6)


def test_truck_scrappage_hand_worked():
    vehicles = [("a", "heavy_truck", "diesel", "China3", 10, 0, 10, 4, 2, 0, 300_000.0)]
    r = estimate_season(make_season([("a", "rural", 1000)], vehicles=vehicles), draws=0)
    # 10 scrapped: 4 → China VI, 2 → NEV, 4 unreplaced (30 % of their km taken over by China VI)
    # ΔNOx = 0.75 × 39,890.41 km × (10 × 7.0×1.15 − 4 × 1.42×1.15 − 0 − 4 × 0.3 × 1.42×1.15) g/km
    #      = 0.75 × 39,890.41 × (80.5 − 6.532 − 1.9596) = 0.75 × 39,890.41 × 72.0084 g
    nox = 0.75 * SEASON_KM * (10 * 8.05 - 4 * 1.633 - 4 * 0.3 * 1.633) / 1e6  # = 2.15433 t
    assert nox == pytest.approx(2.15433, rel=1e-5)
    assert central(r, "diesel_trucks", "NOx") == pytest.approx(nox)
    # the 2 NEVs draw 1.5 kWh/km from the grid: −0.75 × 2 × 39,890 × 1.5 / 0.94 × 800 g
    assert central(r, "diesel_trucks", "CO2", "moved_outside") == pytest.approx(
        -0.75 * 2 * SEASON_KM * 1.5 / 0.94 * 800 / 1e6)
    assert central(r, "nev_fleet", "NOx") == 0


def test_obd_and_im_hand_worked():
    vehicles = [("a", "heavy_truck", "diesel", "China5", 50, 50, 0, 0, 0, 10, 0.0)]
    tasks = [("a", 0, 0, 0, 0, 0, 100, 90, 0, 0)]
    r = estimate_season(make_season([("a", "rural", 1000)], vehicles=vehicles, tasks=tasks), draws=0)
    d = r.detail[(r.detail.township == "a") & (r.detail.pollutant == "NOx")
                 & (r.detail.scope == "in_county")].set_index("submeasure")["central"]
    ef = 7.0 * 1.15  # China V heavy truck NOx with the winter correction: 8.05 g/km
    # OBD: 10 trucks × 39,890 km × 8.05 g/km × 0.6 active × 5 % cut
    assert d["obd"] == pytest.approx(10 * SEASON_KM * ef * 0.6 * 0.05 / 1e6)
    # I/M: 100 − 90 = 10 failed, all China V heavy; × 0.5 of the season after repair × 20 % cut
    assert d["im"] == pytest.approx(10 * SEASON_KM * ef * 0.5 * 0.2 / 1e6)
    assert central(r, "obd_im", "CO2") == 0


def freight_season(siding=None, rail_after=700_000.0, traction="electric"):
    rows = [("firm", "a", "coal", 1_000_000.0, 100_000.0, 400_000.0, rail_after, 50.0, traction, siding)]
    return make_season([("a", "rural", 1000)], freight=rows)


def test_road_to_rail_hand_worked():
    r = estimate_season(freight_season(), draws=0)
    # 600,000 t/yr shifted × 182/365 × 50 km = 14,958,904 t·km in the season
    tkm = 600_000 * 182 / 365 * 50
    # road NOx per t·km: (0.75 × 7.0 + 0.25 × 1.42) × 1.15 g/km ÷ (30 t × 0.5)
    #   = 5.605 × 1.15 / 15 = 0.429717 g/(t·km)
    road = (0.75 * 7.0 + 0.25 * 1.42) * 1.15 / (30 * 0.5)
    assert road == pytest.approx(0.429717, rel=1e-6)
    assert central(r, "road_to_rail", "NOx") == pytest.approx(tkm * road / 1e6)
    # electric traction: 0.012 kWh/(t·km) / 0.94 × 0.18 g NOx/kWh at the power plants
    assert central(r, "road_to_rail", "NOx", "moved_outside") == pytest.approx(
        -tkm * 0.012 / 0.94 * 0.18 / 1e6)
    # siding in service from 2020-12-01 (day 61): 121 of 182 days
    late = estimate_season(freight_season(siding="2020-12-01"), draws=0)
    assert central(late, "road_to_rail", "NOx") == pytest.approx(tkm * road / 1e6 * 121 / 182)
    # road fell but rail did not grow: no shift is credited
    none = estimate_season(freight_season(rail_after=100_000.0), draws=0)
    assert central(none, "road_to_rail", "NOx") == 0


def test_diesel_rail_counts_locomotive_emissions_in_county():
    r = estimate_season(freight_season(traction="diesel"), draws=0)
    tkm = 600_000 * 182 / 365 * 50
    road = (0.75 * 7.0 + 0.25 * 1.42) * 1.15 / (30 * 0.5)  # 0.429717 g/(t·km)
    # locomotive: 4.0 g fuel/(t·km) = 0.004 kg × 55 g NOx/kg = 0.22 g/(t·km); net 0.209717
    assert central(r, "road_to_rail", "NOx") == pytest.approx(tkm * (road - 0.004 * 55) / 1e6)
    assert central(r, "road_to_rail", "NOx", "moved_outside") == 0
