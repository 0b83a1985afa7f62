"""Road-to-rail freight shift (公转铁, plan § 十一).

Tonnes shifted in the season [t], per enterprise and cargo:

.. math::

   T = \\min(\\max(R^{road}_{before} - R^{road}_{after}, 0),\\
             \\max(R^{rail}_{after} - R^{rail}_{before}, 0)) \\cdot \\frac{days}{365} \\cdot ψ

(annual tonnes from ``freight``; only tonnes that both left the road and arrived on rail
count, so a fall in output is not credited as a shift). ψ is the share of the season after
``siding_date`` (1 when the siding was in service before the season or no date is given).

Tonne-km moved [t·km]: :math:`X = T \\cdot haul\\_km`.

Reduction per t·km [g/(t·km)], pollutant *p*:

.. math::

   e_p = \\frac{EF^{haul}_p}{P \\cdot L} - κ\\, e^{rail}_p

* haul truck: heavy diesel truck g/km (``heavy_diesel_truck``, with the winter
  correction), a mix of China VI (share ``freight/haul_fleet_china6_share``) and China V
  (the rest), divided by payload *P* (``freight/truck_payload`` [t]) × load factor *L*
  (``freight/truck_load_factor``; empty return trips); SO2, CO2 from fuel as in
  :mod:`zzeval.emissions.diesel`. Method: FACTS §4 ([A]);
* rail: κ = ``rail/distance_ratio`` rail km per road km avoided; electric traction
  ``rail/electric_kwh_per_tkm`` [kWh/(t·km)] through the grid factors (scope
  ``moved_outside``); diesel traction ``rail/diesel_fuel_per_tkm`` [g fuel/(t·km)] ×
  ``rail_diesel/locomotive/<p>`` [g/kg fuel] in county.

Submeasures are the cargo groups (coal, coke, other_bulk). No cost data.
"""

from __future__ import annotations

import pandas as pd

from zzeval.emissions.core import (
    DAYS_PER_YEAR,
    G_PER_T,
    Lines,
    Params,
    ProcessSet,
    combine,
    grid_emissions,
    num,
    township_slugs,
)
from zzeval.emissions.diesel import vehicle_factors

MEASURE = "road_to_rail"


def truck_per_tkm(p: Params) -> dict:
    """In-county emissions (t) of one t·km hauled by road (bulk haul truck)."""
    s6 = p("freight", "haul_fleet_china6_share")
    ef5 = vehicle_factors(p, "heavy_truck", "diesel", "China5")
    ef6 = vehicle_factors(p, "heavy_truck", "diesel", "China6")
    per_t = 1.0 / (p("freight", "truck_payload") * p("freight", "truck_load_factor"))
    return {("in_county", pol): ((1 - s6) * ef5[pol] + s6 * ef6[pol]) * per_t / G_PER_T
            for pol in ef5}


def rail_per_tkm(p: Params, traction: str) -> dict:
    """Emissions (t) of one t·km by rail (per road km avoided × distance ratio)."""
    kappa = p("rail", "distance_ratio")
    if traction == "electric":
        return grid_emissions(p, kappa * p("rail", "electric_kwh_per_tkm"))
    if traction == "diesel":
        fuel_kg = kappa * p("rail", "diesel_fuel_per_tkm") / 1000.0
        out = {}
        for pol in ("NOx", "PM2.5", "CO", "VOC", "CO2"):
            out[("in_county", pol)] = fuel_kg * p("rail_diesel", "locomotive", pol) / G_PER_T
        out[("in_county", "PM10")] = out[("in_county", "PM2.5")] * p("exhaust", "all", "PM10_per_PM2.5")
        out[("in_county", "BC")] = out[("in_county", "PM2.5")] * p("exhaust", "diesel_no_dpf", "BC_per_PM2.5")
        out[("in_county", "SO2")] = (fuel_kg * p("fuel", "diesel", "sulfur") * 1e-3
                                     * 64.06 / 32.06 / G_PER_T)
        return out
    raise ValueError(f"unknown rail traction {traction!r}")


def unit_reduction(p: Params, traction: str) -> dict:
    """Reduction (t) per t·km moved from road to rail with ``traction``."""
    return combine((1.0, truck_per_tkm(p)), (-1.0, rail_per_tkm(p, traction)))


def shifted_fraction(siding_date, season) -> float:
    """Share of the season after the siding entered service (1 if before or unknown)."""
    if siding_date is None or pd.isna(siding_date):
        return 1.0
    day = (pd.Timestamp(siding_date).normalize() - season.period.start).days
    days = season.period.days
    return min(max(days - day, 0), days) / days


def build(season, p: Params):
    """The block of the road-to-rail shift for ``season``."""
    slugs = township_slugs(season)
    days = season.period.days
    procs = ProcessSet(p.n)
    lines = Lines()
    for rec in season.freight.to_dict("records"):
        town, cargo = str(rec["township"]), str(rec["cargo"])
        if town not in slugs:
            continue
        key = (town, cargo)
        line = lines.line(town, cargo)
        road_drop = max(num(rec.get("road_t_before")) - num(rec.get("road_t_after")), 0.0)
        rail_gain = max(num(rec.get("rail_t_after")) - num(rec.get("rail_t_before")), 0.0)
        tonnes = min(road_drop, rail_gain) * days / DAYS_PER_YEAR * shifted_fraction(
            rec.get("siding_date"), season)
        tkm = tonnes * num(rec.get("haul_km"))
        if tkm <= 0:
            continue
        traction = str(rec.get("rail_traction") or "electric")
        proc = procs.process(traction, lambda t=traction: unit_reduction(p, t))
        procs.add(line, proc, tkm)
        lines.activity[key] += tkm
    return lines.block(procs, p, MEASURE, slugs, "t·km", with_costs=False)
