"""Emission reductions of the plan's measures, with Monte Carlo uncertainty.

A screening estimate, not a compliance inventory. Public API::

    from zzeval.emissions import estimate_season, what_if, write_estimate
    result = estimate_season(season, draws=10_000, seed=20201001)
    result.table           # township × measure × pollutant × scope: central, low, high (t)
    write_estimate(result, "out/emissions", format="csv")

Measures: ``clean_heating`` (清洁取暖), ``diesel_trucks`` (柴油货车淘汰), ``nev_fleet``
(公交、出租、环卫新能源替代), ``obd_im`` (OBD 远程监控与 I/M), ``road_to_rail`` (公转铁).
Pollutants: PM2.5, PM10, SO2, NOx, CO, VOC, BC, CO2 (t per season).
"""

from zzeval.emissions.core import ALL_SCOPES, MEASURES, NET, POLLUTANTS, SCOPES
from zzeval.emissions.estimate import (
    ReductionEstimate,
    WhatIf,
    estimate_season,
    what_if,
    write_estimate,
)
from zzeval.emissions.labels import label

__all__ = [
    "ALL_SCOPES",
    "MEASURES",
    "NET",
    "POLLUTANTS",
    "SCOPES",
    "ReductionEstimate",
    "WhatIf",
    "estimate_season",
    "label",
    "what_if",
    "write_estimate",
]
