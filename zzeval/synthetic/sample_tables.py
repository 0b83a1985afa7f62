"""Administrative tables of the synthetic sample season (see :mod:`zzeval.synthetic.sample`).

Townships, clean-heating retrofits, vehicles, freight, stations, targets, tasks and dustfall,
with the real figures they carry over and the synthetic settings [A] they are drawn from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season import schema
from zzeval.season.data import SeasonPeriod
from zzeval.season.schema import AIR_POLLUTANTS

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
POLLUTANTS = AIR_POLLUTANTS

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
NEV_LAGGARD = {"gaodu": 0.8}  # share of buses, taxis and sanitation vehicles converted [A]
#: Share of households heated cleanly before the season, before this season's retrofits [A]:
#: urban and fringe areas outside the retrofit lists were already clean; rural ~60 %.
CLEAN_BEFORE_SHARE = {"urban": 1.0, "fringe": 1.0, "rural": 0.63, "mountain": 0.30}
#: How the heating baseline splits by kind (electricity, gas, district/waste heat) per class [A].
CLEAN_BEFORE_SPLIT = {"urban": (0.15, 0.35, 0.50), "fringe": (0.20, 0.40, 0.40),
                      "rural": (0.55, 0.30, 0.15), "mountain": (0.85, 0.10, 0.05)}

#: The laggards of the seed-2020 sample, by table (the documented sample season).
SAMPLE_2020_LAGGARDS = {
    "heating": HEATING_LAGGARDS, "china3": CHINA3_LAGGARD, "obd": OBD_LAGGARD, "im": IM_PASS_RATE_LOW,
    "boilers": BOILER_LAGGARD, "firms": FIRMS_LAGGARD, "straw": STRAW_FIRE_POINTS,
    "loose_coal": LOOSE_COAL_VIOLATION_RATE, "nev": NEV_LAGGARD,
}


def laggards(seed: int, slugs=tuple(t[2] for t in TOWNSHIPS_2020)) -> dict[str, dict]:
    """Which townships lag on which task, and how far [A]. Seed 2020 gives the documented sample
    (:data:`SAMPLE_2020_LAGGARDS`); any other seed draws its own laggards, so that another
    season has other outcomes (``zzeval sample --seed 7``)."""
    if seed == 2020:
        return SAMPLE_2020_LAGGARDS
    rng = _rng(seed, "tables", 9)
    pool = np.array(slugs)

    def some(k: int) -> list[str]:
        return [str(x) for x in rng.choice(pool, size=min(k, len(pool)), replace=False)]

    return {
        "heating": {s: float(rng.uniform(0.70, 0.93)) for s in some(3)},
        "china3": {s: float(rng.uniform(0.7, 0.9)) for s in some(1)},
        "obd": {s: float(rng.uniform(0.6, 0.9)) for s in some(1)},
        "im": {s: float(rng.uniform(0.85, 0.895)) for s in some(2)},
        "boilers": {s: 1 for s in some(1)},
        "firms": {s: 1 for s in some(1)},
        "straw": {s: int(rng.integers(1, 4)) for s in some(2)},
        "loose_coal": {s: float(rng.uniform(0.03, 0.08)) for s in some(1)},
        "nev": {s: float(rng.uniform(0.6, 0.9)) for s in some(1)},
    }

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
        lag = laggards(seed)["heating"].get(slugs[i])
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


#: How closely a synthetic township's fleet mix follows the county's shares (Dirichlet concentration; an
#: assumption of the generator: a share of 0.10 varies by about ±0.04 between townships).
MIX_CONCENTRATION = 50.0


def _fleet_mix(shares: dict, synthetic: bool, rng: np.random.Generator) -> list[float]:
    """The shares of a vehicle class's fleet by emission standard: the county's for Zezhou's 17 townships; for a
    synthetic one its own, drawn around them (Dirichlet, concentration MIX_CONCENTRATION) from a stream of its own
    so that the 17 townships' rows stay as they were. With every township's rows the same shares of its total,
    two townships of like totals had the same counts in most rows, which the sheet-copy check rightly took for
    one sheet pasted as another's (zzeval.season.sheet_copy; 30 townships, seed 7: 18 of 27 rows)."""
    weights = np.array(list(shares.values()))
    return list(rng.dirichlet(weights * MIX_CONCENTRATION) if synthetic else weights)


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
    mix = _rng(seed, "tables", 21)  # the synthetic townships' own fleet mix (_fleet_mix)
    rows = []
    for _, r in tw.iterrows():
        s, c = r["slug"], r["class"]
        ind = s in INDUSTRIAL
        heavy = {"urban": 1400, "fringe": 700, "rural": 320, "mountain": 110}[c] * (1.8 if ind else 1.0)
        heavy = heavy * rng.uniform(0.8, 1.2)
        totals = {"heavy_truck": heavy, "medium_truck": 0.45 * heavy,
                  "light_truck": r["households"] * rng.uniform(0.05, 0.08)}
        lag = laggards(seed)
        scrapped_share = lag["china3"].get(s, 1.0)
        obd_share = lag["obd"].get(s, 1.0)
        for vc, tot in totals.items():
            counts = largest_remainder(int(round(tot)), _fleet_mix(share[vc], r["synthetic_unit"], mix))
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
        converted = lag["nev"].get(s, 1.0)
        for (vc, fuel, std), nb in fleet.items():
            if nb == 0:
                continue
            done = int(round(nb * converted))
            conv[vc] += done
            rows.append((s, vc, fuel, std, nb, nb - done, done, 0, done, 0, 0))  # no scrappage payment
        for vc, nb in conv.items():
            rows.append((s, vc, "electric", "NEV", nev_before[vc], nev_before[vc] + nb,
                         0, 0, 0, 0, 0))
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
                         "township": tw["slug"], "lon": tw["lon"], "lat": tw["lat"],
                         "replaces": ""})  # no station replaced in the sample (the optional column shown empty)


def heating_baseline(tw: pd.DataFrame, retro: pd.DataFrame) -> pd.DataFrame:
    """``tw`` with the heating baseline of plan § 六 [A]: households heated cleanly before the
    season by kind (``clean_before_electricity``, ``_gas``, ``_district``): the class's share of
    households (:data:`CLEAN_BEFORE_SHARE`) less this season's planned retrofits, split by
    :data:`CLEAN_BEFORE_SPLIT`."""
    planned = retro[retro["retrofit_type"] != "clean_coal"].groupby("township")["households_planned"].sum()
    out = tw.copy()
    clean = (out["class"].map(CLEAN_BEFORE_SHARE) * out["households"]).round()
    clean = (clean - out["slug"].map(planned).fillna(0)).clip(lower=0).astype(np.int64)
    split = np.array([CLEAN_BEFORE_SPLIT[c] for c in out["class"]])
    parts = np.array([largest_remainder(int(n), w) if n > 0 else np.zeros(3, dtype=np.int64)
                      for n, w in zip(clean, split, strict=True)])
    out["clean_before_electricity"], out["clean_before_gas"], out["clean_before_district"] = parts.T
    return out


def _targets(tw: pd.DataFrame, retro: pd.DataFrame, freight: pd.DataFrame) -> pd.DataFrame:
    planned = retro.groupby(["township", "retrofit_type"])["households_planned"].sum()
    coalcoke = set(freight.loc[freight["cargo"].isin(["coal", "coke"]), "township"])
    rows = []
    for _, r in tw.iterrows():
        s = r["slug"]
        for t in schema.RETROFIT_TYPES:
            if (s, t) in planned.index:
                rows.append((s, f"heating_{t}", int(planned[(s, t)]), "households", "2020-10-31"))
        if r["class"] != "mountain":  # the plan sets no coverage for mountain areas (clean coal allowed)
            cov = 100 if r["class"] in ("urban", "fringe") else 60
            rows.append((s, "clean_heating_coverage_pct", cov, "%", "2020-10-31"))
        rows += [
            (s, "nev_public_fleet_pct", 100, "%", "2020-12-31"),
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
    lag = laggards(seed)
    done = retro.groupby("township")["households_done"].sum()
    trucks = veh[veh["vehicle_class"].isin(["heavy_truck", "medium_truck"])
                 & (veh["fuel"] == "diesel")].groupby("township")["fleet_after"].sum()
    rows = []
    for _, r in tw.iterrows():
        s, c = r["slug"], r["class"]
        boilers = int(rng.integers(2, 7) if (c in ("urban", "fringe") or s in INDUSTRIAL)
                      else rng.integers(0, 4) if c == "rural" else rng.integers(0, 2))
        boilers = max(boilers, lag["boilers"].get(s, 0) + 1) if s in lag["boilers"] else boilers
        firms = int(rng.integers(2, 11) if s in lag["firms"] or c != "mountain"
                    else rng.integers(0, 4))
        tests = int(round(trucks.get(s, 0) * rng.uniform(0.85, 1.1)))
        rate = lag["im"].get(s, rng.uniform(0.905, 0.97))
        if r["synthetic_unit"] and rng.uniform() < 0.1:
            rate = rng.uniform(0.84, 0.895)
        checks = int(max(10, round(done.get(s, 0) * rng.uniform(0.04, 0.06))))
        viol_rate = lag["loose_coal"].get(s, rng.uniform(0.0, 0.02))
        rows.append((s, boilers, boilers - lag["boilers"].get(s, 0), firms,
                     firms - lag["firms"].get(s, 0), lag["straw"].get(s, 0), tests,
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

