"""Vehicle measures of plan § 十二: scrappage and replacement, new-energy fleets, OBD and I/M.

Per-vehicle emission factors [g/km] (class *c*, fuel *f*, standard *s*, pollutant *p*):

* diesel: :math:`EF = EF^{heavy}_{s,p} \\cdot R_c \\cdot K_p` with the heavy-truck factor
  ``heavy_diesel_truck/<s>/<p>`` (NOx, PM2.5, CO, VOC), the class ratio
  ``diesel_class_ratio/<c>`` and the winter correction ``diesel_correction/winter/<p>``
  (NOx, PM2.5; 1 otherwise) — the structure of the MEP 2014 道路机动车大气污染物排放清单
  编制技术指南 (base factor × corrections);
* gasoline and gas (CNG): ``spark_vehicle/<f>/<p>`` (car factors, used for any class);
* PM10 = PM2.5 × ``exhaust/all/PM10_per_PM2.5``; BC = PM2.5 × ``exhaust/<tech>/BC_per_PM2.5``
  (``diesel_no_dpf`` for China 0–V, ``diesel_dpf`` for China VI, ``spark``);
* SO2 from fuel sulfur: :math:`q\\,ρ\\,S \\cdot 10^{-3} \\cdot 64.06/32.06` (fuel *q* in
  L/km from ``fuel_use`` [L/100 km]/100, density ρ [kg/L], sulfur *S* [mg/kg]); gas:
  m³/km × ``fuel/gas/SO2`` [g/m³];
* CO2 from fuel: L/km × ``fuel/<f>/CO2`` [g/L] (gas: m³/km × g/m³);
* new-energy vehicles (standard ``NEV`` or fuel ``electric``): 0 at the tailpipe; their
  electricity ``nev_electricity/<c>`` [kWh/km] goes through the grid factors (scope
  ``moved_outside``).

Season km per vehicle: :math:`D_c = ` ``vehicle_km/<c>`` [km/yr] × season days / 365.

``diesel_trucks`` (heavy/medium/light trucks) and ``nev_fleet`` (buses, taxis,
sanitation vehicles): for each fleet row, scrapped vehicles *n* of which
:math:`n_6` replaced by China VI, :math:`n_{NEV}` by new-energy vehicles and
:math:`n_0 = n - n_6 - n_{NEV}` not replaced:

.. math::

   ΔE = φ_{off} D_c \\left[ n\\,EF_{c,f,s} - n_6 EF_{c,f,VI} - n_{NEV}\\cdot 0
        - n_0\\,τ\\,EF_{c,f,VI} \\right] / 10^6
        \\; (+\\ \\text{grid term of } n_{NEV} \\text{ in } moved\\_outside)

with φ_off the share of the season a scrapped vehicle was off the road
(``diesel/scrapped_off_road_fraction``, [A]) and τ the share of an unreplaced vehicle's
km taken over by a China VI vehicle (``diesel/unreplaced_takeover_share``, [A]).

``obd_im``:

* OBD on China IV/V diesel vehicles: :math:`ΔE_p = n_{OBD} D_c EF_{c,f,s,p}\\,a\\,δ_p` with
  the active share *a* (``obd/active_fraction``) and δ = ``obd/nox_reduction`` (NOx),
  ``obd/pm_reduction`` (PM2.5, PM10, BC), 0 otherwise;
* I/M: failed tests :math:`n_F = ` ``im_tests − im_passes`` (``tasks``), each a diesel
  vehicle of the township's mix (``fleet_after`` of diesel rows; county mix when the
  township has none) repaired: :math:`ΔE_p = n_F \\sum_{c,s} w_{c,s} D_c EF_{c,s,p}\\,h\\,ρ_p`
  with *h* ``im/after_repair_fraction``, ρ ``im/repair_nox_reduction`` or
  ``im/repair_pm_reduction``.

Costs: ``vehicles.scrappage_payment_yuan``.
"""

from __future__ import annotations

import numpy as np

from zzeval.emissions.core import (
    DAYS_PER_YEAR,
    G_PER_T,
    SO2_PER_S,
    Lines,
    Params,
    ProcessSet,
    grid_emissions,
    num,
    scaled,
    township_slugs,
)

TRUCK_CLASSES = ("heavy_truck", "medium_truck", "light_truck")
FLEET_CLASSES = ("bus", "taxi", "sanitation")
OLD_DIESEL = ("China0", "China1", "China2", "China3", "China4", "China5")
OBD_STANDARDS = ("China4", "China5")
_PM = ("PM2.5", "PM10", "BC")


def is_electric(fuel: str, standard: str) -> bool:
    return fuel == "electric" or standard == "NEV"


def vehicle_factors(p: Params, vclass: str, fuel: str, standard: str) -> dict[str, np.ndarray]:
    """Tailpipe emission factors (g/km) of one vehicle; see the module docstring."""
    if is_electric(fuel, standard):
        return {pol: p.zeros() for pol in ("PM2.5", "PM10", "SO2", "NOx", "CO", "VOC", "BC", "CO2")}
    ef: dict[str, np.ndarray] = {}
    if fuel == "diesel":
        ratio = p("diesel_class_ratio", vclass)
        for pol in ("NOx", "PM2.5", "CO", "VOC"):
            ef[pol] = p("heavy_diesel_truck", standard, pol) * ratio
        ef["NOx"] = ef["NOx"] * p("diesel_correction", "winter", "NOx")
        ef["PM2.5"] = ef["PM2.5"] * p("diesel_correction", "winter", "PM2.5")
        tech = "diesel_dpf" if standard == "China6" else "diesel_no_dpf"
        litres = p("fuel_use", f"diesel_{vclass}") / 100.0
        ef["SO2"] = litres * p("fuel", "diesel", "density") * p("fuel", "diesel", "sulfur") * 1e-3 * SO2_PER_S
        ef["CO2"] = litres * p("fuel", "diesel", "CO2")
    elif fuel in ("gasoline", "gas"):
        for pol in ("NOx", "PM2.5", "CO", "VOC"):
            ef[pol] = p("spark_vehicle", fuel, pol)
        tech = "spark"
        amount = p("fuel_use", fuel) / 100.0
        if fuel == "gasoline":
            ef["SO2"] = amount * p("fuel", "gasoline", "density") * p("fuel", "gasoline", "sulfur") * 1e-3 * SO2_PER_S
            ef["CO2"] = amount * p("fuel", "gasoline", "CO2")
        else:
            ef["SO2"] = amount * p("fuel", "gas", "SO2")
            ef["CO2"] = amount * p("fuel", "gas", "CO2")
    else:
        raise ValueError(f"unknown fuel {fuel!r}")
    ef["PM10"] = ef["PM2.5"] * p("exhaust", "all", "PM10_per_PM2.5")
    ef["BC"] = ef["PM2.5"] * p("exhaust", tech, "BC_per_PM2.5")
    return ef


def season_km(p: Params, vclass: str, days: int) -> np.ndarray:
    """km one vehicle of ``vclass`` drives in a season of ``days`` days."""
    return p("vehicle_km", vclass) * days / DAYS_PER_YEAR


def vehicle_season(p: Params, vclass: str, fuel: str, standard: str, days: int) -> dict:
    """Emissions (t) of one vehicle over the season: in county (tailpipe), moved outside
    (grid electricity of a new-energy vehicle)."""
    km = season_km(p, vclass, days)
    out = {("in_county", pol): km * v / G_PER_T
           for pol, v in vehicle_factors(p, vclass, fuel, standard).items()}
    if is_electric(fuel, standard):
        out.update(grid_emissions(p, km * p("nev_electricity", vclass)))
    return out


def _replacement_fuel(fuel: str) -> str:
    return fuel if fuel in ("gasoline", "gas") else "diesel"


def _scrappage_block(season, p: Params, measure: str, classes: tuple[str, ...]):
    days = season.period.days
    slugs = township_slugs(season)
    off = p("diesel", "scrapped_off_road_fraction")
    take = p("diesel", "unreplaced_takeover_share")
    procs = ProcessSet(p.n)
    lines = Lines()
    notes: list[str] = []
    veh = season.vehicles
    for pos, rec in enumerate(veh.to_dict("records")):
        vclass = str(rec["vehicle_class"])
        town = str(rec["township"])
        if vclass not in classes or town not in slugs:
            continue
        key = (town, vclass)
        line = lines.line(town, vclass)
        fuel, std = str(rec["fuel"]), str(rec["emission_standard"])
        n = num(rec.get("scrapped"))
        # an empty scrappage_payment_yuan is "not reported" (0 is "none paid"): with vehicles
        # scrapped, the line's cost is unknown (NaN), never counted as 0 yuan (data/README.md)
        lines.costs[key] += num(rec.get("scrappage_payment_yuan"), default=np.nan if n > 0 else 0.0)
        n6, nev = num(rec.get("replaced_china6")), num(rec.get("replaced_nev"))
        if n <= 0:
            continue
        if n6 + nev > n:
            notes.append(f"vehicles row {pos + 2} ({town}, {vclass}, {std}): replaced_china6 + "
                         f"replaced_nev = {n6 + nev:g} > scrapped = {n:g}; replacements scaled down")
            n6, nev = n6 * n / (n6 + nev), nev * n / (n6 + nev)
        n0 = n - n6 - nev
        lines.activity[key] += n
        rfuel = _replacement_fuel(fuel)
        old = procs.process(("old", vclass, fuel, std), lambda c=vclass, f=fuel, s=std: scaled(
            vehicle_season(p, c, f, s, days), off))
        procs.add(line, old, n)
        if n6 > 0:
            new6 = procs.process(("china6", vclass, rfuel), lambda c=vclass, f=rfuel: scaled(
                vehicle_season(p, c, f, "China6", days), -off))
            procs.add(line, new6, n6)
        if nev > 0:
            newe = procs.process(("nev", vclass), lambda c=vclass: scaled(
                vehicle_season(p, c, "electric", "NEV", days), -off))
            procs.add(line, newe, nev)
        if n0 > 0:
            tk = procs.process(("takeover", vclass, rfuel), lambda c=vclass, f=rfuel: scaled(
                vehicle_season(p, c, f, "China6", days), -off * take))
            procs.add(line, tk, n0)
    return lines.block(procs, p, measure, slugs, "vehicles scrapped", notes=notes)


def build_trucks(season, p: Params):
    """Block ``diesel_trucks``: scrapped trucks (China III and older per the plan; any
    standard the data lists) and their replacements."""
    return _scrappage_block(season, p, "diesel_trucks", TRUCK_CLASSES)


def build_nev_fleet(season, p: Params):
    """Block ``nev_fleet``: buses, taxis, sanitation vehicles scrapped and replaced by
    new-energy (or China VI) vehicles."""
    return _scrappage_block(season, p, "nev_fleet", FLEET_CLASSES)


def _control(p: Params, vclass, fuel, std, days, nox_key, pm_key, share_key):
    em = vehicle_season(p, vclass, fuel, std, days)
    share = p(*share_key)
    nox, pm = p(*nox_key), p(*pm_key)
    out = {("in_county", "NOx"): em[("in_county", "NOx")] * share * nox}
    for pol in _PM:
        out[("in_county", pol)] = em[("in_county", pol)] * share * pm
    return out


def build_obd_im(season, p: Params):
    """Block ``obd_im``: remote OBD on China IV/V diesel vehicles and I/M repairs."""
    days = season.period.days
    slugs = township_slugs(season)
    procs = ProcessSet(p.n)
    lines = Lines()
    veh = season.vehicles
    line_of = lines.line

    for rec in veh.to_dict("records"):
        town, fuel, std = str(rec["township"]), str(rec["fuel"]), str(rec["emission_standard"])
        fitted = num(rec.get("obd_fitted"))
        if town not in slugs or fitted <= 0 or fuel != "diesel" or std not in OBD_STANDARDS:
            continue
        vclass = str(rec["vehicle_class"])
        line = line_of(town, "obd")
        proc = procs.process(("obd", vclass, std), lambda c=vclass, s=std: _control(
            p, c, "diesel", s, days, ("obd", "nox_reduction"), ("obd", "pm_reduction"),
            ("obd", "active_fraction")))
        procs.add(line, proc, fitted)
        lines.activity[(town, "obd")] += fitted

    # I/M: failed tests × the township's diesel fleet mix.
    diesel = veh[(veh["fuel"].astype(str) == "diesel")
                 & (veh["emission_standard"].astype(str) != "NEV")]
    mix_all = diesel.groupby(["vehicle_class", "emission_standard"])["fleet_after"].sum()
    tasks = getattr(season, "tasks", None)
    if tasks is not None and not tasks.empty and "im_tests" in tasks.columns:
        for rec in tasks.to_dict("records"):
            town = str(rec["township"])
            failed = num(rec.get("im_tests")) - num(rec.get("im_passes"))
            if town not in slugs or failed <= 0:
                continue
            mix = diesel[diesel["township"].astype(str) == town].groupby(
                ["vehicle_class", "emission_standard"])["fleet_after"].sum()
            if mix.sum() <= 0:
                mix = mix_all
            if mix.sum() <= 0:
                continue
            line = line_of(town, "im")
            for (vclass, std), count in mix.items():
                if count <= 0:
                    continue
                proc = procs.process(("im", vclass, std), lambda c=str(vclass), s=str(std): _control(
                    p, c, "diesel", s, days, ("im", "repair_nox_reduction"),
                    ("im", "repair_pm_reduction"), ("im", "after_repair_fraction")))
                procs.add(line, proc, failed * count / mix.sum())
            lines.activity[(town, "im")] += failed
    units = {"obd": "vehicles fitted", "im": "failed I/M tests"}
    return lines.block(procs, p, "obd_im", slugs, units, with_costs=False)


__all__ = ["build_nev_fleet", "build_obd_im", "build_trucks", "vehicle_factors", "vehicle_season"]
