"""Clean-heating retrofits (清洁取暖, plan § 六): coal no longer burned minus what replaces it.

Equations (per township, retrofit type and completion batch; units in brackets)

Household-seasons counted [household·season]:

.. math:: H = n_{done} \\cdot \\phi \\cdot (1 - v)

* :math:`n_{done}` — ``heating_retrofits.households_done``;
* :math:`\\phi` — share of the heating period after the completion date: the heating
  period starts ``heating_period/start_offset`` days after the season start and lasts
  ``heating_period/length`` days (15 Nov – 15 Mar by default, [A]); a batch finished
  before it counts fully, one finished on day *d* of it counts
  ``(length − d) / length``; a batch with no date counts ``heating/undated_batch_fraction``
  ([A], ranged 0–1);
* :math:`v` — coal re-burning rate among retrofitted households,
  ``tasks.loose_coal_violations / tasks.loose_coal_checks`` of the township (0 without
  checks; not applied to ``clean_coal``, which still burns coal).

Coal avoided per household-season [kg]: :math:`M = 1000 \\cdot m_{class}` with
:math:`m_{class}` ``heating_coal_use/<class>`` [t/household/season]. Fuel mix:
briquette share *b* (``coal_mix_briquette_share/<class>``), bituminous share β of the raw
coal (``coal_mix_bituminous_share/<class>``); anthracite takes the rest:
:math:`s_{briq}=b,\\ s_{bit}=(1-b)β,\\ s_{anth}=(1-b)(1-β)`.

Coal emission factors [g/kg]: PM2.5, BC, NOx, CO, VOC from ``household_coal/<fuel>/<p>``;
PM10 = PM2.5 × ``household_coal/all/PM10_per_PM2.5``; by mass balance (FACTS §1.3–1.4;
MEP 2016 民用煤大气污染物排放清单编制技术指南 for the method):

.. math::

   EF_{SO2} = 1000 \\cdot S \\cdot (1 - r) \\cdot 64.06/32.06, \\qquad
   EF_{CO2} = 1000 \\cdot C \\cdot f_{ox} \\cdot 44.01/12.011

with sulfur fraction *S* (``coal_sulfur/<fuel>``), ash retention *r*
(``coal_sulfur_retention/<fuel>``), carbon fraction *C* (``coal_carbon/<fuel>``) and
oxidation fraction :math:`f_{ox}` (``coal_oxidation/all``).

Reduction per household-season [t], by retrofit type:

* ``coal_to_gas``: in county :math:`M\\sum_f s_f EF_f - V_{gas} EF_{gas}` with
  :math:`V_{gas}` ``heating_energy/coal_to_gas`` [m³] and AP-42 Ch. 1.4 gas factors
  (``natural_gas/household_boiler/<p>``, g/m³);
* ``coal_to_electricity``: in county :math:`M\\sum_f s_f EF_f`; moved outside
  :math:`-E/(1-λ)\\cdot EF_{grid}` with *E* ``heating_energy/coal_to_electricity`` [kWh];
* ``waste_heat``: as coal-to-electricity with *E* ``heating_energy/waste_heat`` (the
  pumping electricity; the marginal fuel of rejected industrial heat is taken as 0);
* ``clean_coal``: :math:`M\\sum_f s_f EF_f - M\\,ρ\\,EF_{briq}` with the coal-use ratio
  ρ ``clean_coal/coal_use_ratio`` (improved stove).

All divided by 10⁶ g/t. Cost: ``subsidy_yuan`` of the batches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.emissions.core import (
    CO2_PER_C,
    G_PER_T,
    KG_PER_T,
    SO2_PER_S,
    Lines,
    Params,
    ProcessSet,
    combine,
    factor_emissions,
    grid_emissions,
    num,
    township_slugs,
)

MEASURE = "clean_heating"
COAL_FUELS = ("raw_anthracite", "raw_bituminous", "briquette")
_DIRECT = ("PM2.5", "BC", "NOx", "CO", "VOC")


def coal_emission_factors(p: Params, fuel: str) -> dict[str, np.ndarray]:
    """Emission factors of household coal ``fuel`` in g per kg of coal burned.

    PM2.5, BC, NOx, CO, VOC from the table; PM10 by ratio; SO2 and CO2 by sulfur and
    carbon mass balance (see the module docstring).
    """
    ef = {pol: p("household_coal", fuel, pol) for pol in _DIRECT}
    ef["PM10"] = ef["PM2.5"] * p("household_coal", "all", "PM10_per_PM2.5")
    ef["SO2"] = (1000.0 * p("coal_sulfur", fuel) * (1.0 - p("coal_sulfur_retention", fuel))
                 * SO2_PER_S)
    ef["CO2"] = 1000.0 * p("coal_carbon", fuel) * p("coal_oxidation", "all") * CO2_PER_C
    return ef


def coal_mix(p: Params, township_class: str) -> dict[str, np.ndarray]:
    """Shares (sum 1) of anthracite, bituminous and briquette in a township class's
    household coal before the retrofit."""
    b = p("coal_mix_briquette_share", township_class)
    beta = p("coal_mix_bituminous_share", township_class)
    return {"briquette": b, "raw_bituminous": (1 - b) * beta,
            "raw_anthracite": (1 - b) * (1 - beta)}


def avoided_coal(p: Params, township_class: str) -> dict[tuple[str, str], np.ndarray]:
    """In-county emissions (t) of the coal one household burns in a season, before."""
    mass_kg = KG_PER_T * p("heating_coal_use", township_class)
    mix = coal_mix(p, township_class)
    out = {}
    efs = {f: coal_emission_factors(p, f) for f in COAL_FUELS}
    for pol in ("PM2.5", "PM10", "SO2", "NOx", "CO", "VOC", "BC", "CO2"):
        ef = sum(mix[f] * efs[f][pol] for f in COAL_FUELS)
        out[("in_county", pol)] = mass_kg * ef / G_PER_T
    return out


def gas_emissions(p: Params, m3) -> dict[tuple[str, str], np.ndarray]:
    """In-county emissions (t) of burning ``m3`` of natural gas in a household boiler
    (US EPA AP-42 Ch. 1.4 factors, g/m³)."""
    return factor_emissions(p, m3, "in_county", "natural_gas", "household_boiler")


def unit_reduction(p: Params, township_class: str, retrofit_type: str) -> dict:
    """Reduction (t) per household-season of ``retrofit_type`` in a township class."""
    before = avoided_coal(p, township_class)
    if retrofit_type == "coal_to_gas":
        return combine((1.0, before), (-1.0, gas_emissions(p, p("heating_energy", "coal_to_gas"))))
    if retrofit_type in ("coal_to_electricity", "waste_heat"):
        return combine((1.0, before), (-1.0, grid_emissions(p, p("heating_energy", retrofit_type))))
    if retrofit_type == "clean_coal":
        mass_kg = KG_PER_T * p("heating_coal_use", township_class) * p("clean_coal", "coal_use_ratio")
        ef = coal_emission_factors(p, "briquette")
        after = {("in_county", pol): mass_kg * v / G_PER_T for pol, v in ef.items()}
        return combine((1.0, before), (-1.0, after))
    raise ValueError(f"unknown retrofit_type {retrofit_type!r}")


def heating_fraction(completion_date, season, start_offset_d: float, length_d: float) -> float | None:
    """Share of the heating period after ``completion_date`` (None when there is no date).

    The household uses the new heating from the completion day on. Returns 1 for a date
    on or before the heating period's first day, 0 after its last day.
    """
    if completion_date is None or pd.isna(completion_date):
        return None
    day = (pd.Timestamp(completion_date).normalize() - season.period.start).days
    before = min(max(day - start_offset_d, 0.0), length_d)
    return (length_d - before) / length_d if length_d > 0 else 1.0


def _violation_rates(season) -> dict[str, float]:
    tasks = getattr(season, "tasks", None)
    out: dict[str, float] = {}
    if tasks is None or tasks.empty or "loose_coal_checks" not in tasks.columns:
        return out
    for rec in tasks.to_dict("records"):
        checks = num(rec.get("loose_coal_checks"))
        bad = num(rec.get("loose_coal_violations"))
        out[str(rec["township"])] = min(bad / checks, 1.0) if checks > 0 else 0.0
    return out


def build(season, p: Params):
    """The :class:`~zzeval.emissions.core.Block` of clean heating for ``season``."""
    slugs = township_slugs(season)
    classes = dict(zip(season.townships["slug"].astype(str), season.townships["class"].astype(str),
                       strict=True))
    start = float(p("heating_period", "start_offset")[0])
    length = float(p("heating_period", "length")[0])
    undated = p("heating", "undated_batch_fraction")
    rates = _violation_rates(season)
    procs = ProcessSet(p.n)
    retro = season.heating_retrofits
    lines = Lines()
    for rec in retro.to_dict("records"):
        town, rtype = str(rec["township"]), str(rec["retrofit_type"])
        if town not in classes:
            continue
        key = (town, rtype)
        line = lines.line(town, rtype)
        done = num(rec.get("households_done"))
        # an empty subsidy_yuan is "not reported" (0 is "none paid"): with households done, the
        # line's cost is unknown (NaN), never counted as 0 yuan (data/README.md)
        lines.costs[key] += num(rec.get("subsidy_yuan"), default=np.nan if done > 0 else 0.0)
        if done <= 0:
            continue
        keep = 1.0 if rtype == "clean_coal" else 1.0 - rates.get(town, 0.0)
        cls = classes[town]
        frac = heating_fraction(rec.get("completion_date"), season, start, length)
        if frac is None:
            proc = procs.process((cls, rtype, "undated"),
                                 lambda c=cls, r=rtype: {k: v * undated for k, v in
                                                         unit_reduction(p, c, r).items()})
            procs.add(line, proc, done * keep)
            lines.activity[key] += done * keep * float(undated[0])  # column 0 = central value
        else:
            proc = procs.process((cls, rtype), lambda c=cls, r=rtype: unit_reduction(p, c, r))
            procs.add(line, proc, done * keep * frac)
            lines.activity[key] += done * keep * frac
    return lines.block(procs, p, MEASURE, slugs, "household·season")
