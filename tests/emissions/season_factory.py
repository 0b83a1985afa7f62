"""Build a SeasonData from inline DataFrames (tests and the benchmark)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from zzeval.season.data import SeasonData, SeasonPeriod

_EMPTY = {
    "stations": ["station_code", "name_zh", "township", "lon", "lat"],
    "air_quality": ["station_code", "datetime", "pollutant", "value", "unit"],
    "meteorology": ["datetime", "station_code", "temperature_c", "rh_pct", "wind_speed_ms",
                    "wind_dir_deg", "pressure_hpa", "precip_mm"],
    "dustfall": ["township", "month", "dustfall_t_km2_month"],
    "targets": ["township", "task", "target", "unit", "deadline"],
}
TASK_COLS = ["township", "coal_boilers_start", "coal_boilers_removed", "scattered_firms_found",
             "scattered_firms_rectified", "straw_fire_points", "im_tests", "im_passes",
             "loose_coal_checks", "loose_coal_violations"]
RETRO_COLS = ["township", "retrofit_type", "households_planned", "households_done",
              "completion_date", "subsidy_yuan"]
VEH_COLS = ["township", "vehicle_class", "fuel", "emission_standard", "fleet_before", "fleet_after",
            "scrapped", "replaced_china6", "replaced_nev", "obd_fitted", "scrappage_payment_yuan"]
FREIGHT_COLS = ["enterprise", "township", "cargo", "road_t_before", "rail_t_before", "road_t_after",
                "rail_t_after", "haul_km", "rail_traction", "siding_date"]


def frame(rows, cols) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=cols)
    for c in ("completion_date", "siding_date"):
        if c in f.columns:
            f[c] = pd.to_datetime(f[c])
    return f


def make_season(townships, heating=(), vehicles=(), freight=(), tasks=(),
                season: str = "2020-2021") -> SeasonData:
    """A SeasonData from row tuples. ``townships``: (slug, class, households) tuples."""
    towns = pd.DataFrame({
        "code": [f"1405251{i:02d}" for i in range(len(townships))],
        "name_zh": [t[0] for t in townships],
        "slug": [t[0] for t in townships],
        "class": [t[1] for t in townships],
        "households": [t[2] for t in townships],
        "population": [t[2] * 3 for t in townships],
        "area_km2": [100.0] * len(townships),
    })
    empty = {k: pd.DataFrame(columns=v) for k, v in _EMPTY.items()}
    return SeasonData(
        data_dir=Path("."), period=SeasonPeriod(season), townships=towns,
        heating_retrofits=frame(list(heating), RETRO_COLS),
        vehicles=frame(list(vehicles), VEH_COLS),
        freight=frame(list(freight), FREIGHT_COLS),
        tasks=frame(list(tasks), TASK_COLS),
        meta={"synthetic": True}, **empty,
    )


CLASSES = ("urban", "fringe", "rural", "mountain")
SLUGS = ("nancun", "xiacun", "dadonggou", "zhoucun", "lichuan", "jinmiaopu", "jincun", "gaodu",
         "bagong", "dayang", "shanhe", "daji", "liushukou", "beiyicheng", "chuandi", "nanling",
         "lizhai")


def synthetic_county(seed: int = 1) -> SeasonData:
    """A 17-township season with every measure present (plan § 六, § 十一, § 十二 scale)."""
    rng = np.random.default_rng(seed)
    classes = ["fringe", "rural", "rural", "rural", "rural", "mountain", "fringe", "rural",
               "urban", "rural", "rural", "rural", "mountain", "rural", "rural", "rural", "mountain"]
    towns = [(s, c, int(rng.integers(4000, 20000))) for s, c in zip(SLUGS, classes, strict=True)]
    heating, vehicles, freight, tasks = [], [], [], []
    for i, (slug, _cls, _) in enumerate(towns):
        for rtype, n in (("coal_to_electricity", 180), ("coal_to_gas", 140), ("waste_heat", 700),
                         ("clean_coal", 300)):
            done = int(n * rng.uniform(0.8, 1.05))
            date = ["2020-10-20", "2020-11-30", "2020-12-20", None][i % 4] if rtype != "waste_heat" \
                else "2020-10-28"
            heating.append((slug, rtype, n, done, date, done * rng.uniform(3000, 9000)))
        for vclass in ("heavy_truck", "medium_truck", "light_truck"):
            for std in ("China0", "China1", "China2", "China3", "China4", "China5", "China6"):
                before = int(rng.integers(5, 60))
                scr = before if std <= "China3" else 0
                n6 = int(scr * 0.5)
                nev = int(scr * 0.1)
                obd = int(before * 0.8) if std in ("China4", "China5") else 0
                vehicles.append((slug, vclass, "diesel", std, before, before - scr, scr, n6, nev, obd,
                                 scr * 15000.0))
        for vclass, fuel in (("bus", "diesel"), ("taxi", "gas"), ("sanitation", "diesel")):
            before = int(rng.integers(2, 20))
            vehicles.append((slug, vclass, fuel, "China4", before, 0, before, 0, before, 0,
                             before * 50000.0))
        tests = int(rng.integers(200, 900))
        tasks.append((slug, 2, 2, 3, 3, 0, tests, int(tests * 0.9), 100, int(rng.integers(0, 5))))
        for cargo in ("coal", "coke", "other_bulk"):
            road = float(rng.integers(100_000, 1_500_000))
            shift = road * 0.6
            freight.append((f"firm-{slug}-{cargo}", slug, cargo, road, 50_000.0, road - shift,
                            50_000.0 + shift, float(rng.integers(30, 120)),
                            "electric" if cargo != "other_bulk" else "diesel",
                            "2020-11-25" if cargo == "coal" else None))
    return make_season(towns, heating, vehicles, freight, tasks)
