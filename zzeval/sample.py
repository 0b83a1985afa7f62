"""The synthetic sample season: a complete, deterministic season folder for Zezhou County.

:func:`write_sample` writes every table of :mod:`zzeval.schema` for the 2020-2021 season and
its comparison season 2019-2020, plus ``season.yaml`` (which says plainly that the data are
SYNTHETIC) and ``planted_effects.csv`` (the true effects planted in the air-quality series, so
that evaluation methods can be validated against them).

What is real and what is not
----------------------------
* Real (FACTS.md § 7.1): the 17 township-level units of 2020 (14 towns, codes
  140525100..113, and 3 townships 川底乡 140525114, 南岭乡 140525115, 李寨乡), the county
  totals of about 140,000 households, 526,000 people and 2,023 km², and 巴公镇 with about
  65,000 people. 李寨乡's code 140525200 is an assumption [A] (it is absent from the post-2021
  code list). The township classes (fringe: 金村, 南村; urban: 巴公; mountain: 晋庙铺, 柳树口,
  李寨; rural: the others) are assumptions [A].
* Real (plan 泽政办发〔2020〕28号 § 六, PLAN.md): the clean-heating totals 3,004 (coal→electricity)
  + 2,350 (coal→gas) + 12,006 (industrial waste heat) = 17,360 households; the names
  国投晋城热电 and 晋城福盛钢铁 (siding due end Nov 2020) of § 十一; the targets of §§ 六–十六.
* Real (CREA, ``energyandcleanair/202103_china_winter``, files ``change_city.csv`` and
  ``change_city_deweathered.csv``): Jincheng's quarterly PM2.5, to which the county mean of the
  synthetic hourly PM2.5 is calibrated (:data:`CREA_JINCHENG_PM25_OBSERVED_UGM3`).
* Everything else — populations and areas of the single townships, allocations to townships,
  fleets, enterprises and tonnages, weather, concentrations, dustfall — is SYNTHETIC.

The air-quality model
---------------------
For township *i*, pollutant *p* and hour *t* (Beijing time), the concentration is

    C_ip(t) = S_p · exp(b_ip) · E_p(t) · exp(k_i k_p m(t)) · G_p(t) · exp(η_i(t) + ν_ip(t)) · F_ip(t)

* ``E_p(t) = (1 − s_p) + s_p h(t)``: emissions with a household-heating part ``s_p`` scaled by
  the climatological heating demand ``h(t)`` ∈ [0, 1];
* ``m(t)``: the meteorological term (log-concentration units), a function of the published
  covariates only — ``m = −a_ws ln(ws/2) − a_blh ln(blh/600) + a_rh (rh − 55) − a_p W(t)``,
  with ``W`` the precipitation washout of the last 6 h; stagnation episodes (low wind, low
  boundary layer, high humidity) therefore raise concentrations;
* ``G_p(t)``: diurnal and weekday emission cycles, Spring Festival fireworks on the eve
  (2020-01-24, 2021-02-11) and reduced traffic in the holiday fortnight; O3 photochemistry;
* ``η, ν``: AR(1) noise, common to the township's pollutants and pollutant-specific;
* ``F_ip(t)``: the planted effect, 1 in 2019-2020 and in 2020-2021
  ``F = [(1 − s_p) + s_p h (1 − I_i(t))] / E_p(t) · (1 − d_p r_i(t)) · (1 + R_p)``, where
  ``I_i(t)`` is the share of the township's households whose coal stove was replaced by time
  *t* (each batch ramps in over 7 days from its completion date, weighted by the efficacy of
  its type), ``r_i(t)`` the reduction of heavy-diesel activity from the road→rail shift (ramps
  in from the siding date) and the scrapping of China III and older trucks (Oct–Dec 2020),
  and ``R_p`` a county-wide regional change. ``planted_effects.csv`` gives, per township and
  pollutant, the exact change of the 2020-2021 season mean relative to no treatment.

The stagnation episodes are scaled per quarter (one factor per quarter) and ``S_p`` is set
so that the county mean (mean over the 17 real stations) of PM2.5 reproduces the CREA
quarterly means; the 2020-2021 winter gets fewer episodes than 2019-2020, so the observed drop
is larger than the weather-adjusted one, as in CREA's figures for Jincheng. All numbers of the
generator are synthetic assumptions [A]; they are listed in ``season.yaml`` under
``generator_parameters``.

References
----------
1. 泽州县人民政府办公室, 泽州县2020-2021年秋冬季大气污染综合治理攻坚行动方案, 泽政办发〔2020〕28号
   (2020-11-09); digest in PLAN.md.
2. CREA (Centre for Research on Energy and Clean Air), 2021, China's air quality in winter
   2020-21, repository ``energyandcleanair/202103_china_winter``, ``results/data/change_city.csv``
   (commit 60f3eb0c) and ``change_city_deweathered.csv`` (commit 40634723).
3. HJ 633-2012, Technical regulation on ambient air quality index (AQI > 500 "爆表" for
   PM2.5 > 500 µg/m³).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.signal import lfilter

from zzeval import schema
from zzeval.season import SeasonPeriod

# --------------------------------------------------------------------------------------
# Real figures carried over (the project never reads ../shared at run time)
# --------------------------------------------------------------------------------------

#: Plan § 六 clean-heating allocations, households (泽政办发〔2020〕28号; PLAN.md).
PLAN_HEATING_HOUSEHOLDS = {
    "coal_to_electricity": 3004,
    "coal_to_gas": 2350,
    "waste_heat": 12006,
}

#: Jincheng city quarterly mean PM2.5, µg/m³, observed. Source: CREA,
#: energyandcleanair/202103_china_winter, results/data/change_city.csv (commit 60f3eb0c),
#: as transcribed in ../shared/realdata/crea_city_pm25_quarterly_2018q4_2021q1.csv.
CREA_JINCHENG_PM25_OBSERVED_UGM3 = {
    "2019Q4": 52.8392250545832,
    "2020Q1": 66.3472083251232,
    "2020Q4": 49.2741592848532,
    "2021Q1": 47.2898080480004,
}

#: Same, weather-normalised ("deweathered") by CREA; change_city_deweathered.csv (commit 40634723).
#: Season-mean change 2019-20 → 2020-21: −7.0 %; observed: −19.0 %.
CREA_JINCHENG_PM25_DEWEATHERED_UGM3 = {
    "2019Q4": 48.8828444604703,
    "2020Q1": 46.5210202094431,
    "2020Q4": 45.6879024757286,
    "2021Q1": 43.0423621776761,
}

QUARTERS = ("2019Q4", "2020Q1", "2020Q4", "2021Q1")
SEASONS = ("2019-2020", "2020-2021")
POLLUTANTS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")

#: Spring Festival eves (除夕): fireworks in the night, reduced traffic for a fortnight.
SPRING_FESTIVAL_EVES = ("2020-01-24", "2021-02-11")

# --------------------------------------------------------------------------------------
# The 17 township-level units of 2020 (FACTS.md § 7.1). Population and area of the single
# townships are synthetic [A] (only the county totals and 巴公镇 are sourced); the class is an
# assumption [A]; lon/lat are approximate synthetic station positions [A].
# code, name_zh, slug, class, population, area_km2, station lon, station lat
# --------------------------------------------------------------------------------------
TOWNSHIPS_2020 = (
    ("140525100", "南村镇", "nancun", "fringe", 38214, 95.3, 112.862, 35.421),
    ("140525101", "下村镇", "xiacun", "rural", 30162, 119.6, 112.731, 35.409),
    ("140525102", "大东沟镇", "dadonggou", "rural", 35870, 130.2, 113.028, 35.452),
    ("140525103", "周村镇", "zhoucun", "rural", 29943, 124.8, 112.604, 35.531),
    ("140525104", "犁川镇", "lichuan", "rural", 31076, 129.7, 112.967, 35.332),
    ("140525105", "晋庙铺镇", "jinmiaopu", "mountain", 18125, 175.4, 112.931, 35.262),
    ("140525106", "金村镇", "jincun", "fringe", 41987, 85.1, 112.781, 35.529),
    ("140525107", "高都镇", "gaodu", "rural", 32840, 120.4, 112.979, 35.598),
    ("140525108", "巴公镇", "bagong", "urban", 65210, 134.9, 112.871, 35.628),
    ("140525109", "大阳镇", "dayang", "rural", 35691, 104.8, 112.622, 35.617),
    ("140525110", "山河镇", "shanhe", "rural", 23988, 115.2, 112.712, 35.351),
    ("140525111", "大箕镇", "daji", "rural", 28155, 123.1, 112.934, 35.508),
    ("140525112", "柳树口镇", "liushukou", "mountain", 16874, 180.3, 113.102, 35.398),
    ("140525113", "北义城镇", "beiyicheng", "rural", 32911, 94.6, 112.829, 35.662),
    ("140525114", "川底乡", "chuandi", "rural", 20036, 70.2, 113.048, 35.579),
    ("140525115", "南岭乡", "nanling", "rural", 23967, 84.9, 112.983, 35.402),
    ("140525200", "李寨乡", "lizhai", "mountain", 20949, 134.5, 112.503, 35.301),
)
#: County households (FACTS.md § 7.1, "about 140,000 households"), split by population.
COUNTY_HOUSEHOLDS = 140000
#: Persons per household by class [A] (rural households are larger; mountain ones older).
PERSONS_PER_HOUSEHOLD = {"urban": 3.55, "fringe": 3.65, "rural": 3.85, "mountain": 3.6}

#: Towns with coal mining, coking, chemicals, power, foundries (FACTS § 7.1 notes) [A].
INDUSTRIAL = ("bagong", "xiacun", "dadonggou", "zhoucun", "gaodu")

#: Allocation weights of the plan's heating retrofits to townships [A]. Waste heat goes to the
#: industrial / fringe towns near the heat sources, gas where pipelines are (fringe, urban and
#: flat rural towns); electricity is spread over all townships by households.
WASTE_HEAT_WEIGHTS = {"bagong": 0.30, "jincun": 0.17, "nancun": 0.15, "zhoucun": 0.10,
                      "gaodu": 0.10, "xiacun": 0.09, "dadonggou": 0.09}
GAS_WEIGHTS = {"jincun": 0.14, "nancun": 0.14, "bagong": 0.12, "dayang": 0.08,
               "beiyicheng": 0.08, "gaodu": 0.06, "lichuan": 0.06, "daji": 0.06, "shanhe": 0.05,
               "chuandi": 0.05, "nanling": 0.05, "zhoucun": 0.05, "xiacun": 0.03,
               "dadonggou": 0.03}
ELECTRICITY_CLASS_WEIGHT = {"urban": 0.8, "fringe": 0.8, "rural": 1.0, "mountain": 0.7}
#: Share of a mountain township's households given clean coal + efficient stoves [A].
CLEAN_COAL_SHARE = {"jinmiaopu": 0.31, "liushukou": 0.36, "lizhai": 0.28}
#: Townships lagging on the heating retrofits (70–90 % done) so that verdicts differ [A].
HEATING_LAGGARDS = {"dadonggou": 0.78, "shanhe": 0.84, "lizhai": 0.73}
#: Subsidy per household retrofitted, yuan [A] (typical published ranges 6,000–12,000 yuan).
SUBSIDY_YUAN_PER_HOUSEHOLD = {"coal_to_electricity": 10500, "coal_to_gas": 7800,
                              "waste_heat": 6200, "clean_coal": 1200}
#: Efficacy of a retrofit type: the share of the household's coal-heating emissions removed [A].
RETROFIT_EFFICACY = {"coal_to_electricity": 1.0, "coal_to_gas": 0.95, "waste_heat": 1.0,
                     "clean_coal": 0.45}

#: Other laggards [A]: China III trucks left; OBD not fitted; I/M pass rate below 90 %; coal
#: boiler left; scattered firm left; straw fire points.
CHINA3_LAGGARD = {"daji": 0.78}  # share of China III-and-older trucks actually scrapped
OBD_LAGGARD = {"xiacun": 0.68}  # share of eligible China IV/V trucks fitted
IM_PASS_RATE_LOW = {"zhoucun": 0.876, "gaodu": 0.889}
BOILER_LAGGARD = {"dadonggou": 1}
FIRMS_LAGGARD = {"nancun": 1}
STRAW_FIRE_POINTS = {"lichuan": 2, "beiyicheng": 1}
LOOSE_COAL_VIOLATION_RATE = {"lizhai": 0.06}  # coal burned again in retrofitted homes

#: Bulk-freight enterprises (plan § 十一). The two named ones are from the plan; their
#: township and all tonnages are assumptions [A]; the others are generic synthetic firms.
#: enterprise, township, cargo, road_before, rail_before, road_after, rail_after (t/yr),
#: haul_km, rail_traction, siding_date
FREIGHT_2020 = (
    ("国投晋城热电有限公司", "bagong", "coal", 1_200_000, 1_400_000, 0, 2_600_000, 35,
     "electric", "2020-10-15"),
    ("晋城福盛钢铁有限公司", "bagong", "coke", 1_100_000, 200_000, 300_000, 1_000_000, 60,
     "electric", "2020-11-30"),
    ("晋城福盛钢铁有限公司", "bagong", "other_bulk", 2_400_000, 600_000, 900_000, 2_100_000, 60,
     "electric", "2020-11-30"),
    ("泽州某煤业公司A（合成）", "xiacun", "coal", 1_500_000, 600_000, 350_000, 1_750_000, 45,
     "electric", "2019-06-30"),
    ("泽州某煤业公司B（合成）", "xiacun", "coal", 900_000, 100_000, 600_000, 400_000, 38,
     "electric", ""),
    ("泽州某煤业公司C（合成）", "zhoucun", "coal", 1_800_000, 700_000, 300_000, 2_200_000, 52,
     "electric", "2020-10-20"),
    ("泽州某焦化公司A（合成）", "zhoucun", "coke", 1_200_000, 300_000, 250_000, 1_250_000, 380,
     "electric", "2020-12-20"),
    ("泽州某煤业公司D（合成）", "dadonggou", "coal", 1_100_000, 200_000, 900_000, 400_000, 66,
     "electric", ""),
    ("泽州某铸造公司（合成）", "dadonggou", "other_bulk", 400_000, 0, 350_000, 50_000, 75,
     "electric", ""),
    ("泽州某焦化公司B（合成）", "gaodu", "coke", 900_000, 200_000, 200_000, 900_000, 520,
     "diesel", "2020-11-15"),
    ("泽州某煤业公司E（合成）", "gaodu", "coal", 1_300_000, 400_000, 250_000, 1_450_000, 41,
     "electric", "2018-09-01"),
    ("泽州某煤业公司F（合成）", "nancun", "coal", 800_000, 500_000, 150_000, 1_150_000, 33,
     "electric", "2020-10-10"),
    ("泽州某煤业公司G（合成）", "dayang", "coal", 700_000, 100_000, 500_000, 300_000, 58,
     "electric", ""),
    ("泽州某煤业公司H（合成）", "lichuan", "coal", 600_000, 0, 450_000, 150_000, 72,
     "electric", ""),
    ("泽州某建材公司（合成）", "jincun", "other_bulk", 500_000, 0, 450_000, 0, 30,
     "electric", ""),
)

# --------------------------------------------------------------------------------------
# Air-quality generator parameters [A]: synthetic, chosen for plausibility, not sourced.
# --------------------------------------------------------------------------------------

#: Two-season county means the non-calibrated pollutants are scaled to (µg/m³; CO mg/m³).
#: PM10 is scaled through its coarse part to PM10/PM2.5 = COARSE_RATIO + 1.
POLLUTANT_MEAN = {"SO2": 26.0, "NO2": 33.0, "CO": 1.35, "O3": 40.0}
COARSE_RATIO = 0.72

#: Per-pollutant model parameters ("PMc" is the coarse part PM10 − PM2.5):
#: heat: share s_p of household coal heating in the emissions at full heating demand;
#: diesel: share d_p of heavy-diesel freight; met: k_p, sensitivity to the met term m(t);
#: regional: R_p, county-wide change in 2020-2021 (%); fireworks / holiday: log multipliers;
#: noise: sd of the pollutant-specific AR(1) noise.
POLLUTANT_PARAMS = {
    "PM2.5": dict(heat=0.45, diesel=0.08, met=1.00, regional=-2.5, fireworks=1.3,
                  holiday=-0.08, noise=0.16),
    "PMc": dict(heat=0.25, diesel=0.10, met=0.55, regional=-3.0, fireworks=1.0,
                holiday=-0.15, noise=0.20),
    "SO2": dict(heat=0.60, diesel=0.01, met=0.70, regional=-6.0, fireworks=0.9,
                holiday=-0.05, noise=0.20),
    "NO2": dict(heat=0.12, diesel=0.30, met=0.60, regional=-2.0, fireworks=0.2,
                holiday=-0.25, noise=0.16),
    "CO": dict(heat=0.50, diesel=0.06, met=0.80, regional=-3.0, fireworks=0.4,
               holiday=-0.08, noise=0.14),
    "O3": dict(heat=0.0, diesel=0.0, met=-0.50, regional=0.0, fireworks=0.0,
               holiday=0.05, noise=0.22),
}

#: Met term coefficients (log-concentration per unit): −a_ws ln(ws/2 m/s) − a_blh ln(blh/600 m)
#: + a_rh (rh − 55 %) − a_wash (1 − exp(−P6/2 mm)), P6 = precipitation of the last 6 h.
MET_COEF = dict(a_ws=0.35, a_blh=0.30, a_rh=0.012, a_wash=0.35)
#: Response of the covariates to the synoptic stagnation index x: ws, blh ∝ exp(−c x); rh + c x.
STAGNATION_RESPONSE = dict(ws=0.45, blh=0.50, rh=10.0)
#: Mean gap between stagnation episodes (days) per month, 2019-2020; 2020-2021 gaps × 1.35.
EPISODE_GAP_DAYS = {10: 5.0, 11: 3.0, 12: 2.5, 1: 2.5, 2: 3.0, 3: 4.5}
EPISODE_GAP_FACTOR_2021 = 1.35
#: Episode amplitude (stagnation-index units): Gamma(shape, scale), clipped at max.
EPISODE_AMPLITUDE = dict(shape=3.0, scale=0.4, max=2.2)
#: Soft ceiling of hourly PM2.5 and PM10 (µg/m³) outside the planted 爆表 hours.
PM25_SOFT_CAP = (350.0, 140.0)  # c' = a + b tanh((c − a)/b) above a
PM10_SOFT_CAP = (480.0, 100.0)
#: The planted 爆表 (PM2.5 > 500 µg/m³, AQI > 500): station of 巴公镇, Spring Festival night 2020.
BAOBIAO_HOURS = (("bagong", "2020-01-25 00:00", 517.0), ("bagong", "2020-01-25 01:00", 506.0))
#: The multi-day outage planted for the data-validity rules (station of 李寨乡).
OUTAGE_MULTIDAY = ("lizhai", "2020-12-09 11:00", "2020-12-15 16:00")
#: Share of station-hours missing at random (all pollutants), and single-pollutant gaps.
MISSING_HOUR_SHARE = 0.012
MISSING_VALUE_SHARE = 0.004

_STREAMS = {"weather": 1, "precip": 2, "noise": 3, "township": 4, "tables": 5, "gaps": 6,
            "extra": 7, "dust": 8}


def _rng(seed: int, stream: str, *index: int) -> np.random.Generator:
    """An independent, reproducible random stream for ``(seed, stream, index...)``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), _STREAMS[stream], *index]))


def largest_remainder(total: int, weights) -> np.ndarray:
    """Split the integer ``total`` in proportion to ``weights``, summing exactly to ``total``.

    Hamilton's largest-remainder method: floor the quotas, then give the remaining units to
    the largest fractional remainders (ties go to the earlier entry).

    Parameters
    ----------
    total : int
        The integer to split (e.g. households).
    weights : array_like of float
        Non-negative weights, not all zero.

    Returns
    -------
    numpy.ndarray of int
        Shares, ``shares.sum() == total``.

    Examples
    --------
    >>> largest_remainder(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("largest_remainder needs total >= 0 and non-negative weights, not all 0")
    quota = total * w / w.sum()
    shares = np.floor(quota).astype(np.int64)
    rest = int(total - shares.sum())
    order = np.argsort(-(quota - shares), kind="stable")
    shares[order[:rest]] += 1
    return shares


# --------------------------------------------------------------------------------------
# Small tables
# --------------------------------------------------------------------------------------


def _townships(n_townships: int, seed: int) -> pd.DataFrame:
    real = pd.DataFrame(
        TOWNSHIPS_2020,
        columns=["code", "name_zh", "slug", "class", "population", "area_km2", "lon", "lat"],
    )
    weights = real["population"] / real["class"].map(PERSONS_PER_HOUSEHOLD)
    real["households"] = largest_remainder(COUNTY_HOUSEHOLDS, weights)
    real["synthetic_unit"] = False
    if n_townships <= len(real):
        return real.iloc[:n_townships].reset_index(drop=True)
    k = np.arange(1, n_townships - len(real) + 1)
    rng = _rng(seed, "extra", 0)
    cls = rng.choice(np.array(schema.TOWNSHIP_CLASSES), size=k.size, p=[0.05, 0.15, 0.6, 0.2])
    pop = np.round(rng.lognormal(np.log(28000), 0.35, k.size)).astype(np.int64)
    size = pd.Series(cls).map(PERSONS_PER_HOUSEHOLD).to_numpy()
    extra = pd.DataFrame({
        "code": [f"149{j:06d}" for j in k],
        "name_zh": [f"合成镇{j:04d}" for j in k],
        "slug": [f"syn{j:04d}" for j in k],
        "class": cls,
        "population": pop,
        "area_km2": np.round(rng.lognormal(np.log(120), 0.3, k.size), 1),
        "lon": np.round(rng.uniform(110.3, 114.4, k.size), 3),
        "lat": np.round(rng.uniform(34.7, 40.6, k.size), 3),
        "households": np.round(pop / size).astype(np.int64),
        "synthetic_unit": True,
    })
    return pd.concat([real, extra], ignore_index=True)


def _retrofit_row(slug: str, t: str, planned: int, done: int, date: str,
                  rng: np.random.Generator) -> dict:
    subsidy = round(done * SUBSIDY_YUAN_PER_HOUSEHOLD[t] * rng.uniform(0.95, 1.05), -2)
    return dict(township=slug, retrofit_type=t, households_planned=planned,
                households_done=done, completion_date=date, subsidy_yuan=subsidy)


def _retrofits(tw: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Retrofit batches; the 17 real townships share exactly the plan's totals."""
    rng = _rng(seed, "tables", 1)
    real = ~tw["synthetic_unit"].to_numpy()
    slugs = tw["slug"].to_numpy()
    hh = tw["households"].to_numpy()
    cls = tw["class"].to_numpy()
    n = len(tw)
    alloc = {t: np.zeros(n, dtype=np.int64) for t in schema.RETROFIT_TYPES}
    # the plan's totals go to the real townships (all 17 are allocated, then subset)
    full = _townships(len(TOWNSHIPS_2020), seed)
    fslug = full["slug"].to_numpy()
    f_alloc = {
        "waste_heat": largest_remainder(PLAN_HEATING_HOUSEHOLDS["waste_heat"],
                                        [WASTE_HEAT_WEIGHTS.get(s, 0.0) for s in fslug]),
        "coal_to_gas": largest_remainder(PLAN_HEATING_HOUSEHOLDS["coal_to_gas"],
                                         [GAS_WEIGHTS.get(s, 0.0) for s in fslug]),
        "coal_to_electricity": largest_remainder(
            PLAN_HEATING_HOUSEHOLDS["coal_to_electricity"],
            full["households"] * full["class"].map(ELECTRICITY_CLASS_WEIGHT)),
        "clean_coal": np.array([round(CLEAN_COAL_SHARE.get(s, 0.0) * h)
                                for s, h in zip(fslug, full["households"], strict=True)]),
    }
    pos = {s: j for j, s in enumerate(fslug)}
    for i in np.flatnonzero(real):
        for t in schema.RETROFIT_TYPES:
            alloc[t][i] = f_alloc[t][pos[slugs[i]]]
    # synthetic extra townships: their own (non-plan) allocations
    ex = np.flatnonzero(~real)
    if ex.size:
        xrng = _rng(seed, "extra", 1)
        flat = cls[ex] != "mountain"
        alloc["coal_to_electricity"][ex] = np.round(hh[ex] * xrng.uniform(0.01, 0.04, ex.size))
        alloc["coal_to_gas"][ex] = np.round(hh[ex] * flat * xrng.uniform(0.0, 0.03, ex.size))
        near = np.isin(cls[ex], ("urban", "fringe")) | (xrng.uniform(size=ex.size) < 0.15)
        alloc["waste_heat"][ex] = np.round(hh[ex] * near * xrng.uniform(0.05, 0.25, ex.size))
        alloc["clean_coal"][ex] = np.round(hh[ex] * ~flat * xrng.uniform(0.2, 0.4, ex.size))
    rows = []
    on_time = pd.date_range("2020-08-20", "2020-10-30", freq="D")
    late = pd.date_range("2020-11-05", "2020-12-20", freq="D")
    for i in range(n):
        lag = HEATING_LAGGARDS.get(slugs[i])
        if lag is None and not real[i]:
            lag = rng.uniform(0.70, 0.90) if rng.uniform() < 0.15 else None
        for t in schema.RETROFIT_TYPES:
            planned = int(alloc[t][i])
            if planned <= 0:
                continue
            nb = 1 if planned < 150 else (2 if planned < 1500 else 3)
            parts = largest_remainder(planned, rng.uniform(0.6, 1.4, nb))
            dates = np.sort(rng.choice(on_time, size=nb, replace=False))
            if nb > 1 and rng.uniform() < 0.35:  # the last batch finished after 31 October
                dates[-1] = rng.choice(late)
            done_sum = 0
            for b in range(nb):
                p = int(parts[b])
                done = int(np.floor(p * rng.uniform(0.95, 1.0)))
                date = pd.Timestamp(dates[b]).strftime("%Y-%m-%d")
                rest = 0
                if lag is not None and b == nb - 1:
                    # the laggard's last batch is finished only in part, late; the rest of it
                    # is a separate, unfinished row (0 done, no date), so that about ``lag`` of
                    # the township's allocation of this type is done
                    done = int(np.clip(round(lag * planned) - done_sum, 0, p))
                    used = {str(d)[:10] for d in dates[:-1]}
                    date = next(d for d in rng.permutation(late.strftime("%Y-%m-%d").to_numpy())
                                if d not in used)
                    rest, p = p - done, done
                done_sum += done
                if p > 0:
                    rows.append(_retrofit_row(slugs[i], t, p, done, date, rng))
                if rest > 0:
                    rows.append(_retrofit_row(slugs[i], t, rest, 0, "", rng))
    df = pd.DataFrame(rows)
    df["subsidy_yuan"] = df["subsidy_yuan"].astype(np.int64)
    return df


def _vehicles(tw: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "tables", 2)
    share = {
        "heavy_truck": {"China2": 0.02, "China3": 0.10, "China4": 0.25, "China5": 0.53,
                        "China6": 0.10},
        "medium_truck": {"China2": 0.03, "China3": 0.12, "China4": 0.30, "China5": 0.45,
                         "China6": 0.10},
        "light_truck": {"China1": 0.01, "China2": 0.04, "China3": 0.15, "China4": 0.35,
                        "China5": 0.35, "China6": 0.10},
    }
    scrap_yuan = {"heavy_truck": 28000, "medium_truck": 14000, "light_truck": 5000}  # [A]
    old = ("China0", "China1", "China2", "China3")
    rows = []
    for _, r in tw.iterrows():
        s, c = r["slug"], r["class"]
        ind = s in INDUSTRIAL
        heavy = {"urban": 1400, "fringe": 700, "rural": 320, "mountain": 110}[c] * (1.8 if ind else 1.0)
        heavy = heavy * rng.uniform(0.8, 1.2)
        totals = {"heavy_truck": heavy, "medium_truck": 0.45 * heavy,
                  "light_truck": r["households"] * rng.uniform(0.05, 0.08)}
        scrapped_share = CHINA3_LAGGARD.get(s, 1.0)
        obd_share = OBD_LAGGARD.get(s, 1.0)
        for vc, tot in totals.items():
            counts = largest_remainder(int(round(tot)), list(share[vc].values()))
            rep6 = rep_nev = 0
            for std, nb in zip(share[vc], counts, strict=True):
                if nb == 0:
                    continue
                if std in old:
                    sc = int(round(nb * scrapped_share))
                    r6 = int(round(0.55 * sc))
                    rn = int(round(0.04 * sc))
                    rep6 += r6
                    rep_nev += rn
                    rows.append((s, vc, "diesel", std, nb, nb - sc, sc, r6, rn, 0,
                                 sc * scrap_yuan[vc]))
                elif std == "China6":
                    rows.append((s, vc, "diesel", std, nb, nb + rep6, 0, 0, 0, 0, 0))
                else:
                    obd = int(round(nb * obd_share)) if vc != "light_truck" else 0
                    rows.append((s, vc, "diesel", std, nb, nb, 0, 0, 0, obd, 0))
            nev0 = int(round(tot * rng.uniform(0.002, 0.01)))
            rows.append((s, vc, "electric", "NEV", nev0, nev0 + rep_nev, 0, 0, 0, 0, 0))
        # buses, taxis, sanitation vehicles: all converted to NEV by end 2020 (plan § 十二)
        big = c in ("urban", "fringe")
        fleet = {
            ("bus", "diesel", "China4"): int((40 if big else 6) * rng.uniform(0.7, 1.3)),
            ("bus", "gas", "China5"): int((25 if big else 3) * rng.uniform(0.7, 1.3)),
            ("taxi", "gasoline", "China5"): int((90 if big else 4) * rng.uniform(0.7, 1.3)),
            ("taxi", "gas", "China5"): int((60 if big else 2) * rng.uniform(0.7, 1.3)),
            ("sanitation", "diesel", "China5"): int((18 if big else 5) * rng.uniform(0.7, 1.3)),
        }
        conv = {"bus": 0, "taxi": 0, "sanitation": 0}
        nev_before = {"bus": int(8 if big else 1), "taxi": int(20 if big else 0),
                      "sanitation": int(3 if big else 0)}
        for (vc, fuel, std), nb in fleet.items():
            if nb == 0:
                continue
            conv[vc] += nb
            rows.append((s, vc, fuel, std, nb, 0, nb, 0, nb, 0, None))
        for vc, nb in conv.items():
            rows.append((s, vc, "electric", "NEV", nev_before[vc], nev_before[vc] + nb,
                         0, 0, 0, 0, None))
    cols = ["township", "vehicle_class", "fuel", "emission_standard", "fleet_before",
            "fleet_after", "scrapped", "replaced_china6", "replaced_nev", "obd_fitted",
            "scrappage_payment_yuan"]
    df = pd.DataFrame(rows, columns=cols)
    df["scrappage_payment_yuan"] = df["scrappage_payment_yuan"].astype("Int64")
    return df


def _freight(tw: pd.DataFrame, seed: int) -> pd.DataFrame:
    cols = ["enterprise", "township", "cargo", "road_t_before", "rail_t_before", "road_t_after",
            "rail_t_after", "haul_km", "rail_traction", "siding_date"]
    present = set(tw["slug"])
    df = pd.DataFrame([f for f in FREIGHT_2020 if f[1] in present], columns=cols)
    ex = tw[tw["synthetic_unit"]]
    if len(ex):
        rng = _rng(seed, "tables", 3)
        pick = ex[rng.uniform(size=len(ex)) < 0.3]
        m = len(pick)
        before = np.round(rng.uniform(0.4, 2.0, m), 2) * 1e6
        rail_share0 = rng.uniform(0.0, 0.4, m)
        rail_share1 = np.maximum(rail_share0, rng.uniform(0.3, 0.95, m))
        sid = rng.uniform(size=m) < 0.5
        days = rng.integers(0, 80, m)
        extra = pd.DataFrame({
            "enterprise": [f"合成煤业公司{s[3:]}（合成）" for s in pick["slug"]],
            "township": pick["slug"].to_numpy(),
            "cargo": rng.choice(np.array(["coal", "coke"]), m),
            "road_t_before": np.round(before * (1 - rail_share0), -4),
            "rail_t_before": np.round(before * rail_share0, -4),
            "road_t_after": np.round(before * (1 - rail_share1), -4),
            "rail_t_after": np.round(before * rail_share1, -4),
            "haul_km": rng.integers(30, 81, m),
            "rail_traction": "electric",
            "siding_date": np.where(
                sid, (pd.Timestamp("2020-10-01") + pd.to_timedelta(days, "D")).strftime(
                    "%Y-%m-%d"), ""),
        })
        df = pd.concat([df, extra], ignore_index=True)
    for c in ("road_t_before", "rail_t_before", "road_t_after", "rail_t_after", "haul_km"):
        df[c] = df[c].astype(np.int64)
    return df


def _stations(tw: pd.DataFrame) -> pd.DataFrame:
    code = np.where(tw["synthetic_unit"], "SYN" + tw["slug"].str[3:], "ZZ" + tw["code"].str[-3:])
    return pd.DataFrame({"station_code": code, "name_zh": tw["name_zh"] + "站",
                         "township": tw["slug"], "lon": tw["lon"], "lat": tw["lat"]})


def _targets(tw: pd.DataFrame, retro: pd.DataFrame, freight: pd.DataFrame) -> pd.DataFrame:
    planned = retro.groupby(["township", "retrofit_type"])["households_planned"].sum()
    coalcoke = set(freight.loc[freight["cargo"].isin(["coal", "coke"]), "township"])
    rows = []
    for _, r in tw.iterrows():
        s = r["slug"]
        for t in schema.RETROFIT_TYPES:
            if (s, t) in planned.index:
                rows.append((s, f"heating_{t}", int(planned[(s, t)]), "households", "2020-10-31"))
        cov = 100 if r["class"] in ("urban", "fringe") else 60
        rows += [
            (s, "clean_heating_coverage_pct", cov, "%", "2020-10-31"),
            (s, "china3_trucks_remaining", 0, "vehicles", "2020-12-31"),
            (s, "obd_coverage_pct", 100, "%", "2020-12-31"),
            (s, "im_pass_rate_pct", 90, "%", "2021-03-31"),
        ]
        if s in coalcoke:
            rows.append((s, "rail_share_coal_coke_pct", 80, "%", "2020-12-31"))
        rows += [
            (s, "coal_boilers_remaining", 0, "boilers", "2020-10-31"),
            (s, "scattered_firms_remaining", 0, "firms", "2021-03-31"),
            (s, "straw_fire_points", 0, "count", "2021-03-31"),
            (s, "pm25_change_pct", -4, "%", "2021-03-31"),
            (s, "dustfall_t_km2_month", 9, "t/(month·km²)", "2021-03-31"),
        ]
    return pd.DataFrame(rows, columns=["township", "task", "target", "unit", "deadline"])


def _tasks(tw: pd.DataFrame, retro: pd.DataFrame, veh: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "tables", 4)
    done = retro.groupby("township")["households_done"].sum()
    trucks = veh[veh["vehicle_class"].isin(["heavy_truck", "medium_truck"])
                 & (veh["fuel"] == "diesel")].groupby("township")["fleet_after"].sum()
    rows = []
    for _, r in tw.iterrows():
        s, c = r["slug"], r["class"]
        boilers = int(rng.integers(2, 7) if (c in ("urban", "fringe") or s in INDUSTRIAL)
                      else rng.integers(0, 4) if c == "rural" else rng.integers(0, 2))
        boilers = max(boilers, BOILER_LAGGARD.get(s, 0) + 1) if s in BOILER_LAGGARD else boilers
        firms = int(rng.integers(2, 11) if s in FIRMS_LAGGARD or c != "mountain"
                    else rng.integers(0, 4))
        tests = int(round(trucks.get(s, 0) * rng.uniform(0.85, 1.1)))
        rate = IM_PASS_RATE_LOW.get(s, rng.uniform(0.905, 0.97))
        if r["synthetic_unit"] and rng.uniform() < 0.1:
            rate = rng.uniform(0.84, 0.895)
        checks = int(max(10, round(done.get(s, 0) * rng.uniform(0.04, 0.06))))
        viol_rate = LOOSE_COAL_VIOLATION_RATE.get(s, rng.uniform(0.0, 0.02))
        rows.append((s, boilers, boilers - BOILER_LAGGARD.get(s, 0), firms,
                     firms - FIRMS_LAGGARD.get(s, 0), STRAW_FIRE_POINTS.get(s, 0), tests,
                     int(np.floor(tests * rate)), checks, int(round(checks * viol_rate))))
    return pd.DataFrame(rows, columns=[c.name for c in schema.TASKS.columns])


def _dustfall(tw: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Monthly dustfall, t/(month·km²), 4–13; a few months above the plan's 9."""
    rng = _rng(seed, "dust")
    months = SeasonPeriod(SEASONS[0]).months() + SeasonPeriod(SEASONS[1]).months()
    mfac = {10: 1.05, 11: 0.95, 12: 0.88, 1: 0.86, 2: 0.95, 3: 1.32}  # spring dust [A]
    base = tw["class"].map({"urban": 8.2, "fringe": 7.6, "rural": 6.4, "mountain": 5.0}).to_numpy()
    base = base * np.where(tw["slug"].isin(INDUSTRIAL), 1.1, 1.0)
    mm = np.array([int(m[5:]) for m in months])
    sfac = np.where(np.arange(12) >= 6, 0.93, 1.0)  # the second season is a little cleaner [A]
    val = (base[:, None] * np.array([mfac[m] for m in mm])[None, :] * sfac[None, :]
           * rng.lognormal(0, 0.1, (len(tw), len(months))))
    val = np.round(np.clip(val, 4.0, 13.0), 1)
    return pd.DataFrame({"township": np.repeat(tw["slug"].to_numpy(), len(months)),
                         "month": np.tile(months, len(tw)),
                         "dustfall_t_km2_month": val.ravel()})


# --------------------------------------------------------------------------------------
# Time line and weather
# --------------------------------------------------------------------------------------


@dataclass
class _Timeline:
    times: pd.DatetimeIndex
    text: np.ndarray  # "YYYY-MM-DD HH:MM"
    season: np.ndarray  # 0 = 2019-2020, 1 = 2020-2021
    quarter: np.ndarray  # index into QUARTERS
    month: np.ndarray
    hour: np.ndarray
    dow: np.ndarray
    doy: np.ndarray


def _timeline() -> _Timeline:
    parts = []
    for s in SEASONS:
        p = SeasonPeriod(s)
        parts.append(pd.date_range(p.start, p.end_exclusive - pd.Timedelta(hours=1), freq="h"))
    times = parts[0].append(parts[1])
    season = np.repeat([0, 1], [len(parts[0]), len(parts[1])])
    month = times.month.to_numpy()
    quarter = 2 * season + (month <= 3)
    return _Timeline(times, np.asarray(times.strftime("%Y-%m-%d %H:%M"), dtype=object),
                     season, quarter, month, times.hour.to_numpy(), times.day_of_week.to_numpy(),
                     times.day_of_year.to_numpy())


def _ar1(rng: np.random.Generator, shape, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) along axis 0 with marginal standard deviation ``sd``."""
    e = rng.standard_normal(shape) * sd * np.sqrt(1 - phi**2)
    e[0] = e[0] / np.sqrt(1 - phi**2)
    return lfilter([1.0], [1.0, -phi], e, axis=0)


def _t_clim(tl: _Timeline) -> np.ndarray:
    """Climatological daily temperature, °C (Jincheng-like: Jan ≈ −3.5, Jul ≈ 23.5) [A]."""
    return 10.0 - 13.5 * np.cos(2 * np.pi * (tl.doy - 20) / 365.25)


def _heating_demand(tl: _Timeline) -> np.ndarray:
    """Climatological household heating demand h(t) ∈ [0, 1] (degree-day shape) [A]."""
    return np.clip((12.0 - _t_clim(tl)) / 14.0, 0.0, 1.0)


@dataclass
class _Weather:
    x_base: np.ndarray
    episodes: np.ndarray  # (4, T): the episodes peaking in each quarter
    front: np.ndarray
    ws_clim: np.ndarray
    blh_clim: np.ndarray
    rh_clim: np.ndarray
    eps_ws: np.ndarray
    eps_blh: np.ndarray
    eps_rh: np.ndarray
    precip: np.ndarray
    washout: np.ndarray
    temp_no_x: np.ndarray
    wd_noise: np.ndarray
    wd_u: np.ndarray
    pressure_no_x: np.ndarray


def _weather(tl: _Timeline, seed: int) -> _Weather:
    rng = _rng(seed, "weather")
    n = len(tl.times)
    hour, month = tl.hour, tl.month
    x_base = _ar1(rng, n, 0.985, 0.45)
    episodes = np.zeros((4, n))
    front = np.zeros(n)
    hours = np.arange(n)
    for s in (0, 1):
        idx = np.flatnonzero(tl.season == s)
        a, b = idx[0], idx[-1] + 1
        fac = 1.0 if s == 0 else EPISODE_GAP_FACTOR_2021
        t = a + rng.exponential(24 * EPISODE_GAP_DAYS[10] * fac / 2)
        while t < b:
            dur = float(np.clip(rng.gamma(4.0, 18.0), 30, 200))  # hours
            amp = min(rng.gamma(EPISODE_AMPLITUDE["shape"], EPISODE_AMPLITUDE["scale"]),
                      EPISODE_AMPLITUDE["max"])
            peak = t + 0.85 * dur
            end = t + dur
            sel = (hours >= t) & (hours < min(end, b))
            h = hours[sel]
            shape = np.where(h < peak, (h - t) / (peak - t), 1 - (h - peak) / (end - peak))
            q = tl.quarter[min(int(peak), b - 1)]
            episodes[q, sel] += amp * np.sin(0.5 * np.pi * np.clip(shape, 0, 1)) ** 2
            fsel = (hours >= end) & (hours < min(end + 36, b))
            front[fsel] += np.exp(-(hours[fsel] - end) / 12.0) * (0.6 + 0.4 * min(amp, 2.0))
            mon = tl.month[min(int(end), b - 1)]
            t = end + rng.exponential(24 * EPISODE_GAP_DAYS[mon] * fac)
    # climatologies [A]
    ws_month = {10: 2.2, 11: 2.1, 12: 2.0, 1: 2.0, 2: 2.3, 3: 2.8}
    ws_clim = np.array([ws_month[m] for m in month]) * (1 + 0.35 * np.cos(2 * np.pi * (hour - 15) / 24))
    blh_day = {10: 1300, 11: 1000, 12: 850, 1: 850, 2: 1050, 3: 1450}
    day = np.array([blh_day[m] for m in month])
    diurnal = np.clip(np.sin(np.pi * (hour - 7) / 11), 0, None)  # 07..18 h
    blh_clim = 320 + (day - 320) * diurnal
    rh_month = {10: 68, 11: 60, 12: 55, 1: 52, 2: 55, 3: 50}
    rh_clim = np.array([rh_month[m] for m in month]) + 10 * np.cos(2 * np.pi * (hour - 4) / 24)
    eps_ws = _ar1(rng, n, 0.8, 0.25)
    eps_blh = _ar1(rng, n, 0.8, 0.2)
    eps_rh = _ar1(rng, n, 0.9, 6.0)
    # precipitation: events of 3–10 h; more in Oct and Mar, little in the dry winter [A]
    prng = _rng(seed, "precip")
    p_day = {10: 0.16, 11: 0.10, 12: 0.05, 1: 0.05, 2: 0.07, 3: 0.12}
    mm_hour = {10: 1.0, 11: 0.6, 12: 0.3, 1: 0.3, 2: 0.4, 3: 0.7}
    precip = np.zeros(n)
    day_starts = np.flatnonzero(tl.hour == 0)
    wet = day_starts[prng.uniform(size=day_starts.size) < np.array([p_day[m] for m in month[day_starts]])]
    for d0 in wet:
        start = d0 + prng.integers(0, 24)
        length = prng.integers(3, 11)
        sl = slice(start, min(start + length, n))
        k = sl.stop - sl.start
        precip[sl] += prng.gamma(1.2, mm_hour[month[d0]] / 1.2, k)
    precip = np.round(precip, 1)
    cs = np.concatenate([[0.0], np.cumsum(precip)])
    p6 = cs[1:] - cs[np.maximum(np.arange(n) - 5, 0)]
    washout = 1 - np.exp(-p6 / 2.0)
    amp_t = {10: 6.0, 11: 6.0, 12: 5.0, 1: 5.0, 2: 6.0, 3: 7.0}
    temp_no_x = (_t_clim(tl) + np.array([amp_t[m] for m in month])
                 * np.cos(2 * np.pi * (hour - 15) / 24) + _ar1(rng, n, 0.995, 3.0) - 4.0 * front)
    wd_noise = rng.normal(0, 1, n)
    wd_u = rng.uniform(size=n)
    pressure_no_x = (918.0 + 7.0 * np.cos(2 * np.pi * (tl.doy - 15) / 365.25)
                     + _ar1(rng, n, 0.99, 3.0) + 4.0 * front)
    return _Weather(x_base, episodes, front, ws_clim, blh_clim, rh_clim, eps_ws, eps_blh, eps_rh,
                    precip, washout, temp_no_x, wd_noise, wd_u, pressure_no_x)


def _stagnation(w: _Weather, lam: np.ndarray, sl=slice(None)) -> np.ndarray:
    """The synoptic stagnation index x(t) for episode scale factors ``lam`` (one per quarter)."""
    return w.x_base[sl] + lam @ w.episodes[:, sl] - 1.0 * w.front[sl]


def _covariates(w: _Weather, x: np.ndarray, sl=slice(None)) -> dict[str, np.ndarray]:
    r = STAGNATION_RESPONSE
    ws = np.clip(w.ws_clim[sl] * np.exp(-r["ws"] * x + w.eps_ws[sl]), 0.1, 20.0)
    blh = np.clip(w.blh_clim[sl] * np.exp(-r["blh"] * x + w.eps_blh[sl]), 50.0, 4000.0)
    rh = np.clip(w.rh_clim[sl] + r["rh"] * x + w.eps_rh[sl], 8.0, 100.0)
    rh = np.where(w.precip[sl] > 0, np.maximum(rh, 85.0), rh)
    return {"ws": ws, "blh": blh, "rh": rh, "washout": w.washout[sl]}


def _met_term(cov: dict[str, np.ndarray]) -> np.ndarray:
    c = MET_COEF
    return (-c["a_ws"] * np.log(cov["ws"] / 2.0) - c["a_blh"] * np.log(cov["blh"] / 600.0)
            + c["a_rh"] * (cov["rh"] - 55.0) - c["a_wash"] * cov["washout"])


def _meteorology_table(tl: _Timeline, w: _Weather, lam: np.ndarray) -> pd.DataFrame:
    x = _stagnation(w, lam)
    cov = _covariates(w, x)
    # NW winds when ventilated, weak variable (mostly southerly) winds in stagnation [A]
    p_nw = 1 / (1 + np.exp(2.5 * (x - 0.3)))
    wd = np.where(w.wd_u < p_nw, 315 + 25 * w.wd_noise, 160 + 70 * w.wd_noise)
    return pd.DataFrame({
        "datetime": tl.text,
        "station_code": "county",
        "temperature_c": np.round(w.temp_no_x + 1.2 * np.clip(x, 0, None), 1),
        "rh_pct": np.round(cov["rh"]).astype(np.int64),
        "wind_speed_ms": np.round(cov["ws"], 1),
        "wind_dir_deg": np.mod(np.round(wd), 360).astype(np.int64),
        "pressure_hpa": np.round(np.clip(w.pressure_no_x - 0.8 * x, 895, 945), 1),
        "precip_mm": w.precip,
        "blh_m": np.round(cov["blh"]).astype(np.int64),
    })


# --------------------------------------------------------------------------------------
# Township drivers of the planted effect
# --------------------------------------------------------------------------------------


def _ramp(tl: _Timeline, start: pd.Timestamp, days: float) -> np.ndarray:
    dt = (tl.times - start) / pd.Timedelta(days=1)
    return np.clip(np.asarray(dt, dtype=float) / days, 0.0, 1.0)


def _heating_intensity(tl: _Timeline, tw: pd.DataFrame, retro: pd.DataFrame) -> np.ndarray:
    """I_i(t): share of households whose coal heating was replaced by t, efficacy-weighted.

    A batch ramps in over 7 days from its completion date (rows without a date have no
    households done). Zero in 2019-2020.
    """
    n_t = len(tl.times)
    out = np.zeros((n_t, len(tw)))
    pos = {s: i for i, s in enumerate(tw["slug"])}
    cache: dict[str, np.ndarray] = {}
    for r in retro.itertuples(index=False):
        if not r.completion_date or r.households_done <= 0:
            continue
        d = r.completion_date
        if d not in cache:
            cache[d] = _ramp(tl, pd.Timestamp(d), 7.0) * (tl.season == 1)
        out[:, pos[r.township]] += RETROFIT_EFFICACY[r.retrofit_type] * r.households_done * cache[d]
    return np.clip(out / tw["households"].to_numpy()[None, :], 0.0, 1.0)


#: Relative per-vehicle emissions of diesel trucks by standard (for the scrappage effect) [A].
_TRUCK_WEIGHT = {"China0": 12.0, "China1": 10.0, "China2": 8.0, "China3": 5.0, "China4": 2.5,
                 "China5": 1.5, "China6": 0.3, "NEV": 0.0}
#: Background bulk road freight of a township that is not in the freight table, t/yr [A].
_BACKGROUND_ROAD_T = 1.0e6


def _diesel_reduction(tl: _Timeline, tw: pd.DataFrame, freight: pd.DataFrame,
                      veh: pd.DataFrame) -> np.ndarray:
    """r_i(t): reduction of heavy-diesel activity, 0.7 × road→rail + 0.3 × scrappage [A].

    Road→rail: tonnes shifted over (road tonnes before + background 1 Mt/yr), ramping in over
    30 days from the siding date (from 2020-10-01 if the siding is older or absent).
    Scrappage: emission-weighted share of the diesel truck fleet removed net of China VI
    replacements, ramping in linearly from 2020-10-01 to 2020-12-31 (plan deadline).
    """
    pos = {s: i for i, s in enumerate(tw["slug"])}
    n = len(tw)
    shift = np.zeros((len(tl.times), n))
    road0 = np.full(n, _BACKGROUND_ROAD_T)
    for r in freight.itertuples(index=False):
        road0[pos[r.township]] += r.road_t_before
    for r in freight.itertuples(index=False):
        start = max(pd.Timestamp(r.siding_date or "2020-10-01"), pd.Timestamp("2020-10-01"))
        i = pos[r.township]
        shift[:, i] += (max(r.road_t_before - r.road_t_after, 0) / road0[i]
                        * _ramp(tl, start, 30.0) * (tl.season == 1))
    trucks = veh[veh["vehicle_class"].str.endswith("truck")]
    w = trucks["emission_standard"].map(_TRUCK_WEIGHT)
    before = (trucks["fleet_before"] * w).groupby(trucks["township"]).sum()
    removed = ((trucks["scrapped"] * w - trucks["replaced_china6"] * _TRUCK_WEIGHT["China6"])
               .groupby(trucks["township"]).sum())
    scrap = (removed / before).reindex(tw["slug"]).fillna(0.0).to_numpy()
    ramp = _ramp(tl, pd.Timestamp("2020-10-01"), 91.0) * (tl.season == 1)
    return np.clip(0.7 * shift + 0.3 * scrap[None, :] * ramp[:, None], 0.0, 1.0)


def _township_effects(tw: pd.DataFrame, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Log baselines b_ip by pollutant and met sensitivities k_i [A].

    Each township row draws from its own random stream, so the 17 real townships get the same
    values whatever the number of synthetic townships added.
    """
    cls = tw["class"].to_numpy()
    ind = tw["slug"].isin(INDUSTRIAL).to_numpy().astype(float)
    n = len(tw)
    z = np.array([_rng(seed, "township", i).standard_normal(7) for i in range(n)]).reshape(n, 7)

    def by_class(d):
        return np.array([d[c] for c in cls])

    pm = by_class({"urban": 0.12, "fringe": 0.06, "rural": 0.0, "mountain": -0.15}) + 0.05 * ind
    base = {
        "PM2.5": pm + 0.05 * z[:, 0],
        "PMc": pm + 0.05 * ind + 0.06 * z[:, 1],
        "SO2": by_class({"urban": 0.15, "fringe": 0.05, "rural": 0.0, "mountain": -0.2})
        + 0.15 * ind + 0.08 * z[:, 2],
        "NO2": by_class({"urban": 0.25, "fringe": 0.2, "rural": 0.0, "mountain": -0.3})
        + 0.06 * z[:, 3],
        "CO": by_class({"urban": 0.1, "fringe": 0.05, "rural": 0.0, "mountain": -0.1})
        + 0.05 * ind + 0.05 * z[:, 4],
        "O3": by_class({"urban": -0.08, "fringe": -0.05, "rural": 0.0, "mountain": 0.1})
        + 0.04 * z[:, 5],
    }
    k = 1.0 + 0.04 * z[:, 6]
    return base, k


def _cycles(tl: _Timeline) -> dict[str, np.ndarray]:
    """Log-additive emission cycles G_p(t) (diurnal, weekday, Spring Festival, O3 photochemistry)."""
    h = tl.hour.astype(float)
    traffic = np.exp(-((h - 8) ** 2) / 4) + np.exp(-((h - 18.5) ** 2) / 5)
    heat_eve = np.exp(-((h - 20) ** 2) / 6) + 0.6 * np.exp(-((h - 7) ** 2) / 4)
    fumig = np.exp(-((h - 11) ** 2) / 8)
    weekend = (tl.dow >= 5).astype(float)
    fw = np.zeros(len(h))
    hol = np.zeros(len(h))
    for eve in SPRING_FESTIVAL_EVES:
        e = pd.Timestamp(eve)
        hours_from = np.asarray((tl.times - e) / pd.Timedelta(hours=1), dtype=float)
        fw += np.exp(-(((hours_from - 24.5) / 2.5) ** 2)) + 0.3 * np.exp(-(((hours_from - 31) / 1.5) ** 2))
        d = hours_from / 24
        hol += np.where((d >= 0) & (d < 7), 1.0, np.where((d >= 7) & (d < 15), (15 - d) / 8, 0.0))
    photo_amp = {10: 0.75, 11: 0.55, 12: 0.45, 1: 0.45, 2: 0.55, 3: 0.75}
    photo_month = {10: 0.35, 11: -0.1, 12: -0.3, 1: -0.25, 2: 0.0, 3: 0.3}
    photo = (np.array([photo_amp[m] for m in tl.month]) * np.cos(2 * np.pi * (h - 15) / 24)
             + np.array([photo_month[m] for m in tl.month]))
    out = {
        "PM2.5": 0.06 * traffic + 0.10 * heat_eve - 0.01 * weekend,
        "PMc": 0.10 * traffic - 0.03 * weekend,
        "SO2": 0.08 * heat_eve + 0.12 * fumig,
        "NO2": 0.18 * traffic - 0.05 * weekend,
        "CO": 0.10 * traffic + 0.10 * heat_eve - 0.04 * weekend,
        "O3": photo,
    }
    for p, g in out.items():
        par = POLLUTANT_PARAMS[p]
        out[p] = g + par["fireworks"] * fw + par["holiday"] * hol
    return out


@dataclass
class _Model:
    """Everything the latent concentrations of a set of townships need except the met term."""

    tl: _Timeline
    h: np.ndarray
    cycles: dict[str, np.ndarray]
    base: dict[str, np.ndarray]
    k: np.ndarray
    heat_i: np.ndarray  # (T, n)
    diesel_r: np.ndarray  # (T, n)
    rows: np.ndarray  # township row numbers of this model (for noise streams)


def _noise(seed: int, rows: np.ndarray, n_t: int) -> dict[str, np.ndarray]:
    """AR(1) noise per township (independent stream per township row): η + ν_p, (T, n)."""
    out = {p: np.empty((n_t, rows.size)) for p in POLLUTANT_PARAMS}
    for j, i in enumerate(rows):
        rng = _rng(seed, "noise", int(i))
        eta = _ar1(rng, n_t, 0.96, 0.22)
        for p, par in POLLUTANT_PARAMS.items():
            out[p][:, j] = eta * (0.5 if p == "O3" else 1.0) + _ar1(rng, n_t, 0.85, par["noise"])
    return out


def _latent(md: _Model, noise: dict[str, np.ndarray], m: np.ndarray, p: str,
            treated: bool = True, sl=slice(None)) -> np.ndarray:
    """Unscaled latent concentration (T_sl, n) of pollutant (or part) ``p``."""
    par = POLLUTANT_PARAMS[p]
    h = md.h[sl, None]
    s = par["heat"]
    emis = (1 - s) + s * h
    logc = (md.base[p][None, :] + md.cycles[p][sl, None] + md.k[None, :] * par["met"] * m[:, None]
            + noise[p][sl])
    c = np.exp(logc)
    if treated:
        season2 = (md.tl.season[sl] == 1)[:, None]
        eff = ((1 - s) + s * h * (1 - md.heat_i[sl])) * (1 - par["diesel"] * md.diesel_r[sl])
        eff = eff * np.where(season2, 1 + par["regional"] / 100, 1.0)
        return c * eff
    return c * emis


def _soft_cap(c: np.ndarray, cap: tuple[float, float]) -> np.ndarray:
    a, b = cap
    return np.where(c > a, a + b * np.tanh((c - a) / b), c)


def _calibrate(md: _Model, noise: dict[str, np.ndarray], w: _Weather) -> tuple[np.ndarray, float]:
    """Episode scale factors per quarter and the PM2.5 scale, so that the county-mean quarterly
    PM2.5 of the real townships equals CREA's observed Jincheng figures."""
    tl = md.tl
    target = np.array([CREA_JINCHENG_PM25_OBSERVED_UGM3[q] for q in QUARTERS])
    idx = [np.flatnonzero(tl.quarter == q) for q in range(4)]
    sls = [slice(ix[0], ix[-1] + 1) for ix in idx]
    # the met-free part, evaluated once per quarter
    a_q = []
    for sl in sls:
        zero = np.zeros(sl.stop - sl.start)
        a_q.append(_latent(md, noise, zero, "PM2.5", sl=sl))
    lam = np.ones(4)
    scale = 1.0

    def qmean(q: int, lq: float) -> float:
        lam2 = lam.copy()
        lam2[q] = lq
        m = _met_term(_covariates(w, _stagnation(w, lam2, sls[q]), sls[q]))
        c = a_q[q] * np.exp(md.k[None, :] * m[:, None])
        return float(_soft_cap(scale * c, PM25_SOFT_CAP).mean())

    for _ in range(4):
        for _ in range(2):
            ratio = np.array([qmean(q, lam[q]) for q in range(4)]) / target
            goal = float(np.exp(np.mean(np.log(ratio))))
            for q in range(4):
                lo, hi = 0.0, 6.0
                for _ in range(30):
                    mid = 0.5 * (lo + hi)
                    if qmean(q, mid) / target[q] < goal:
                        lo = mid
                    else:
                        hi = mid
                lam[q] = 0.5 * (lo + hi)
        now = np.array([qmean(q, lam[q]) for q in range(4)])
        scale *= float(target.mean() / now.mean())
    return lam, scale


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    text = df.to_csv(index=False, lineterminator="\n")
    path.write_bytes(text.encode("utf-8"))


def _gzip_writer(path: Path, level: int = 6) -> gzip.GzipFile:
    """A gzip stream with a fixed header (no file name, mtime 0), so the bytes are reproducible."""
    raw = open(path, "wb")  # noqa: SIM115 - closed together with the GzipFile below
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0)
    gz._zz_raw = raw  # type: ignore[attr-defined]
    return gz


def _close(gz: gzip.GzipFile) -> None:
    gz.close()
    gz._zz_raw.close()  # type: ignore[attr-defined]


def _value_text(v: np.ndarray, decimals: int) -> np.ndarray:
    """Fixed formatting of non-negative values: integers, or up to ``decimals`` decimals (at
    least one), e.g. 1.2, 1.25, 0.8."""
    if decimals == 0:
        return np.rint(v).astype(np.int64).astype(str)
    scale = 10**decimals
    iv = np.rint(v * scale).astype(np.int64)
    whole = (iv // scale).astype(str)
    frac = np.char.zfill((iv % scale).astype(str), decimals)
    frac = np.char.rstrip(frac, "0")
    frac = np.where(frac == "", "0", frac)
    return np.char.add(np.char.add(whole, "."), frac)


def _air_quality_chunk(md: _Model, noise, m, scales, tw_chunk: pd.DataFrame, codes, seed: int,
                       rows: np.ndarray) -> tuple[str, list[dict]]:
    """CSV text of the air quality of a chunk of townships, and their planted effects."""
    tl = md.tl
    n_t = len(tl.times)
    s2 = tl.season == 1
    conc = {}
    effects = []
    untreated = {}
    for p in POLLUTANT_PARAMS:
        conc[p] = _latent(md, noise, m, p) * scales[p]
        untreated[p] = _latent(md, noise, m, p, treated=False) * scales[p]
    pm25 = _soft_cap(conc["PM2.5"], PM25_SOFT_CAP)
    pm10 = _soft_cap(pm25 + conc["PMc"], PM10_SOFT_CAP)
    values = {"PM2.5": pm25, "PM10": pm10, "SO2": conc["SO2"], "NO2": conc["NO2"],
              "CO": conc["CO"], "O3": conc["O3"]}
    # the planted 爆表 hours
    slugs = tw_chunk["slug"].to_numpy()
    for slug, when, val in BAOBIAO_HOURS:
        j = np.flatnonzero(slugs == slug)
        if j.size:
            t = int(np.flatnonzero(tl.text == when)[0])
            values["PM2.5"][t, j] = val
            values["PM10"][t, j] = np.maximum(values["PM10"][t, j], val * 1.08)
    # planted effects, from the latent series (before caps and rounding)
    par = POLLUTANT_PARAMS
    for p in POLLUTANTS:
        parts = ("PM2.5", "PMc") if p == "PM10" else (p,)
        c0 = sum(untreated[q][s2] for q in parts).sum(axis=0)
        c1 = sum(conc[q][s2] for q in parts).sum(axis=0)
        reg = 1 + par[parts[0]]["regional"] / 100 if p != "PM10" else None
        if p == "PM10":
            c1_noreg = sum(conc[q][s2] / (1 + par[q]["regional"] / 100) for q in parts).sum(axis=0)
        else:
            c1_noreg = c1 / reg
        # single measures: heating only, diesel only (no regional change)
        heat_only = np.zeros_like(c0)
        diesel_only = np.zeros_like(c0)
        for q in parts:
            s, d = par[q]["heat"], par[q]["diesel"]
            h = md.h[s2, None]
            e0 = (1 - s) + s * h
            heat_only += (untreated[q][s2] * ((1 - s) + s * h * (1 - md.heat_i[s2])) / e0).sum(axis=0)
            diesel_only += (untreated[q][s2] * (1 - d * md.diesel_r[s2])).sum(axis=0)
        for j, slug in enumerate(slugs):
            effects.append(dict(
                township=slug, pollutant=p,
                planted_change_pct=round(100 * (c1_noreg[j] / c0[j] - 1), 2),
                heating_change_pct=round(100 * (heat_only[j] / c0[j] - 1), 2),
                freight_vehicle_change_pct=round(100 * (diesel_only[j] / c0[j] - 1), 2),
                regional_change_pct=round(100 * (c1[j] / c1_noreg[j] - 1), 2),
                total_change_pct=round(100 * (c1[j] / c0[j] - 1), 2),
                heating_intensity=round(float(md.heat_i[-1, j]), 4),
                diesel_reduction=round(float(md.diesel_r[-1, j]), 4),
            ))
    # gaps
    present = np.ones((n_t, len(slugs), len(POLLUTANTS)), dtype=bool)
    protect = np.zeros((n_t, len(slugs)), dtype=bool)
    for slug, when, _ in BAOBIAO_HOURS:
        j = np.flatnonzero(slugs == slug)
        if j.size:
            protect[int(np.flatnonzero(tl.text == when)[0]), j] = True
    for j, i in enumerate(rows):
        rng = _rng(seed, "gaps", int(i))
        present[rng.uniform(size=n_t) < MISSING_HOUR_SHARE, j, :] = False
        present[:, j, :] &= rng.uniform(size=(n_t, len(POLLUTANTS))) >= MISSING_VALUE_SHARE
        for _ in range(rng.poisson(2.0)):
            start = int(rng.integers(0, n_t - 30))
            present[start:start + int(rng.integers(3, 31)), j, :] = False
        if slugs[j] == OUTAGE_MULTIDAY[0]:
            a = int(np.flatnonzero(tl.text == OUTAGE_MULTIDAY[1])[0])
            b = int(np.flatnonzero(tl.text == OUTAGE_MULTIDAY[2])[0])
            present[a:b + 1, j, :] = False
        present[protect[:, j], j, :] = True
    # text, in key order (station, datetime, pollutant)
    floor = {"PM2.5": 2, "PM10": 3, "SO2": 2, "NO2": 2, "CO": 0.1, "O3": 1}
    lines = []
    for j in range(len(slugs)):
        cols = []
        for p in POLLUTANTS:
            unit = schema.POLLUTANT_UNITS[p]
            v = np.maximum(values[p][:, j], floor[p])
            txt = _value_text(v, 2 if p == "CO" else 0)
            cols.append(np.char.add(np.char.add(f",{p},", txt), f",{unit}"))
        block = np.stack(cols, axis=1)  # (T, 6)
        head = np.char.add(f"{codes[j]},", tl.text.astype(str))
        block = np.char.add(head[:, None], block)
        lines.append("\n".join(block[present[:, j, :]].tolist()))
    return "\n".join(x for x in lines if x) + "\n", effects


def _season_yaml(seed: int, n: int, lam: np.ndarray, scales: dict[str, float]) -> dict:
    return {
        "title": "泽州县 2020-2021 年秋冬季示例数据（合成） / Zezhou County 2020-2021 autumn-winter "
                 "sample season (SYNTHETIC)",
        "season": "2020-2021",
        "synthetic": True,
        "seed": int(seed),
        "generator": "zzeval.sample.write_sample",
        "n_townships": int(n),
        "notes_zh": (
            "本数据为程序生成的合成数据，不是监测数据，不能用于评价泽州县的真实治理成效。"
            "真实的部分只有：2020年的17个乡镇（14镇3乡）及其代码（李寨乡代码140525200为假设）、"
            "全县户数、人口和面积的合计、巴公镇人口、行动方案（泽政办发〔2020〕28号）中的清洁取暖"
            "任务（电代煤3004户、气代煤2350户、工业余热12006户）及其他目标，以及用于校准全县"
            "PM2.5季度均值的晋城市实测与气象归一化数据（CREA）。乡镇分类、各乡镇的人口面积、"
            "任务分解、车辆、企业运量、气象、浓度和降尘均为合成数据；planted_effects.csv给出植入"
            "的真实效果，用于检验评估方法。"
        ),
        "notes_en": (
            "SYNTHETIC data made by a program, not measurements; they say nothing about Zezhou's "
            "real results. Real are only: the 17 township-level units of 2020 (14 towns, 3 "
            "townships) and their codes (李寨乡's code 140525200 is assumed), the county totals of "
            "households, population and area, 巴公镇's population, the plan's clean-heating "
            "allocations (3,004 coal-to-electricity, 2,350 coal-to-gas, 12,006 waste-heat "
            "households) and other targets of 泽政办发〔2020〕28号, and Jincheng's observed and "
            "weather-normalised quarterly PM2.5 (CREA) to which the county mean is calibrated. "
            "Township classes, township populations and areas, allocations, fleets, freight, "
            "weather, concentrations and dustfall are synthetic; planted_effects.csv holds the true "
            "effects planted, for validating evaluation methods. Hours outside the two seasons "
            "(April-September 2020) are not included; no COVID-19 lockdown effect is simulated."
        ),
        "calibration": {
            "source": "CREA, energyandcleanair/202103_china_winter, results/data/change_city.csv "
                      "(60f3eb0c) and change_city_deweathered.csv (40634723); Jincheng",
            "pm25_observed_ugm3": {q: round(v, 2) for q, v in CREA_JINCHENG_PM25_OBSERVED_UGM3.items()},
            "pm25_deweathered_ugm3": {q: round(v, 2)
                                      for q, v in CREA_JINCHENG_PM25_DEWEATHERED_UGM3.items()},
            "episode_scale_by_quarter": {q: round(float(v), 4) for q, v in zip(QUARTERS, lam,
                                                                                 strict=True)},
        },
        "generator_parameters": {
            "status": "[A] synthetic assumptions, not sourced",
            "pollutants": {p: {k: float(v) for k, v in par.items()}
                           for p, par in POLLUTANT_PARAMS.items()},
            "pollutant_scale": {p: round(float(v), 6) for p, v in scales.items()},
            "met_coefficients": {k: float(v) for k, v in MET_COEF.items()},
            "stagnation_response": {k: float(v) for k, v in STAGNATION_RESPONSE.items()},
            "episode_gap_days": {int(k): float(v) for k, v in EPISODE_GAP_DAYS.items()},
            "episode_gap_factor_2020_2021": EPISODE_GAP_FACTOR_2021,
            "episode_amplitude": dict(EPISODE_AMPLITUDE),
            "retrofit_efficacy": dict(RETROFIT_EFFICACY),
            "spring_festival_eves": list(SPRING_FESTIVAL_EVES),
            "baobiao_hours": [list(b) for b in BAOBIAO_HOURS],
            "multiday_outage": list(OUTAGE_MULTIDAY),
            "missing_hour_share": MISSING_HOUR_SHARE,
            "missing_value_share": MISSING_VALUE_SHARE,
        },
    }


def write_sample(out_dir, seed: int = 2020, n_townships: int | None = None) -> Path:
    """Write the synthetic sample season (2020-2021 and its comparison season) to ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write; created if missing. Existing files of the same names are replaced.
    seed : int
        Random seed. The same seed gives byte-identical files.
    n_townships : int, optional
        Number of townships. ``None`` or 17: Zezhou's 17 units of 2020. Fewer: the first
        ``n_townships`` of them (the plan's totals then no longer add up; for tiny test
        seasons). More: the 17 plus synthetic townships "合成镇0001" (slug ``syn0001``) …, for
        province-size benchmarks (about 52,560 air-quality rows per township, written in
        chunks).

    Returns
    -------
    Path
        The folder written, holding ``<table>.csv`` for the small tables, ``air_quality.csv.gz``
        and ``meteorology.csv.gz`` (hourly, in-season hours only: 2019-10-01 00:00 ..
        2020-03-31 23:00 and 2020-10-01 00:00 .. 2021-03-31 23:00, Beijing time), plus
        ``season.yaml`` and ``planted_effects.csv``.

    Notes
    -----
    Units: concentrations µg/m³ (CO mg/m³), dustfall t/(month·km²), freight t/yr, subsidies
    yuan. The model and every assumption are described in the module docstring; the
    parameters are repeated in ``season.yaml``. The weather and the calibration depend on the
    seed and the 17 real townships only, not on ``n_townships``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n = len(TOWNSHIPS_2020) if n_townships is None else int(n_townships)
    if n < 1:
        raise ValueError(f"n_townships must be at least 1, got {n_townships!r}")
    tw = _townships(n, seed)
    retro = _retrofits(tw, seed)
    veh = _vehicles(tw, seed)
    freight = _freight(tw, seed)
    stations = _stations(tw)
    targets = _targets(tw, retro, freight)
    tasks = _tasks(tw, retro, veh, seed)
    dust = _dustfall(tw, seed)

    cols = [c.name for c in schema.TOWNSHIPS.columns]
    _write_csv(tw[cols], out / "townships.csv")
    _write_csv(retro, out / "heating_retrofits.csv")
    _write_csv(veh, out / "vehicles.csv")
    _write_csv(freight, out / "freight.csv")
    _write_csv(stations, out / "stations.csv")
    _write_csv(targets, out / "targets.csv")
    _write_csv(tasks, out / "tasks.csv")
    _write_csv(dust, out / "dustfall.csv")

    tl = _timeline()
    w = _weather(tl, seed)
    h = _heating_demand(tl)
    cycles = _cycles(tl)

    def model(rows: np.ndarray, sub: pd.DataFrame, re: pd.DataFrame, fr: pd.DataFrame,
              ve: pd.DataFrame) -> _Model:
        return _Model(tl, h, cycles, {p: b[rows] for p, b in base.items()}, k[rows],
                      _heating_intensity(tl, sub, re), _diesel_reduction(tl, sub, fr, ve), rows)

    # calibration on the 17 real townships, whatever n is
    tw_all = tw if n >= len(TOWNSHIPS_2020) else _townships(len(TOWNSHIPS_2020), seed)
    base, k = _township_effects(tw_all, seed)
    real_rows = np.arange(len(TOWNSHIPS_2020))
    real = tw_all.iloc[real_rows].reset_index(drop=True)
    r_retro, r_veh, r_fr = _retrofits(real, seed), _vehicles(real, seed), _freight(real, seed)
    md_real = model(real_rows, real, r_retro, r_fr, r_veh)
    noise_real = _noise(seed, real_rows, len(tl.times))
    lam, s_pm25 = _calibrate(md_real, noise_real, w)
    m = _met_term(_covariates(w, _stagnation(w, lam)))
    scales = {"PM2.5": s_pm25}
    pm25_mean = float(_soft_cap(_latent(md_real, noise_real, m, "PM2.5") * s_pm25,
                                PM25_SOFT_CAP).mean())
    scales["PMc"] = COARSE_RATIO * pm25_mean / float(_latent(md_real, noise_real, m, "PMc").mean())
    for p, target in POLLUTANT_MEAN.items():
        scales[p] = target / float(_latent(md_real, noise_real, m, p).mean())

    _write_gz_csv(_meteorology_table(tl, w, lam), out / "meteorology.csv.gz")

    effects: list[dict] = []
    gz = _gzip_writer(out / "air_quality.csv.gz")
    try:
        gz.write(b"station_code,datetime,pollutant,value,unit\n")
        chunk = 25
        for a in range(0, n, chunk):
            rows = np.arange(a, min(a + chunk, n))
            sub = tw.iloc[rows].reset_index(drop=True)
            slugs = set(sub["slug"])
            md = model(rows, sub, retro[retro["township"].isin(slugs)],
                       freight[freight["township"].isin(slugs)], veh[veh["township"].isin(slugs)])
            noise = _noise(seed, rows, len(tl.times))
            text, eff = _air_quality_chunk(md, noise, m, scales, sub,
                                           stations["station_code"].to_numpy()[rows], seed, rows)
            gz.write(text.encode("utf-8"))
            effects += eff
    finally:
        _close(gz)

    eff = pd.DataFrame(effects)
    eff["explanation"] = _explain(eff)
    _write_csv(eff, out / "planted_effects.csv")
    text = yaml.safe_dump(_season_yaml(seed, n, lam, scales), allow_unicode=True,
                          sort_keys=False, width=100)
    (out / "season.yaml").write_bytes(text.encode("utf-8"))
    return out


def _write_gz_csv(df: pd.DataFrame, path: Path) -> None:
    gz = _gzip_writer(path)
    try:
        gz.write(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    finally:
        _close(gz)


def _explain(eff: pd.DataFrame) -> list[str]:
    out = []
    for r in eff.itertuples(index=False):
        out.append(
            f"2020-2021 season mean vs no township measures: heating retrofits "
            f"{r.heating_change_pct:+.2f} % (share of households converted, efficacy-weighted, "
            f"at season end {100 * r.heating_intensity:.1f} %), road-to-rail and China III "
            f"scrappage {r.freight_vehicle_change_pct:+.2f} % (diesel activity cut "
            f"{100 * r.diesel_reduction:.1f} %); regional change {r.regional_change_pct:+.2f} % "
            f"is not a township measure"
        )
    return out
