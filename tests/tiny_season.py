"""A tiny, valid season folder written from inline data, for loader and notebook tests.

Two townships, one station each, hourly air quality and meteorology for both seasons
(optionally only a few days). Deterministic. Not the sample season: that one is
``data/sample`` and is made by :mod:`zzeval.synthetic.sample`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

TOWNSHIPS = """code,name_zh,slug,class,households,population,area_km2
140525108,巴公镇,bagong,urban,21000,65000,120.5
140525112,柳树口镇,liushukou,mountain,5200,16000,180.0
"""

RETROFITS = """township,retrofit_type,households_planned,households_done,completion_date,subsidy_yuan
bagong,waste_heat,3000,3000,2020-10-20,18000000
bagong,coal_to_gas,400,380,2020-11-15,3040000
liushukou,coal_to_electricity,300,210,2020-12-01,2520000
liushukou,clean_coal,800,800,2020-10-10,0
"""

VEHICLES = """township,vehicle_class,fuel,emission_standard,fleet_before,fleet_after,scrapped,replaced_china6,replaced_nev,obd_fitted,scrappage_payment_yuan
bagong,heavy_truck,diesel,China3,40,0,40,30,2,0,1200000
bagong,heavy_truck,diesel,China5,200,230,0,0,0,180,
bagong,bus,diesel,China4,12,0,12,0,12,0,0
liushukou,medium_truck,diesel,China3,10,2,8,4,0,0,160000
"""

FREIGHT = """enterprise,township,cargo,road_t_before,rail_t_before,road_t_after,rail_t_after,haul_km,rail_traction,siding_date
晋城福盛钢铁,bagong,coke,800000,200000,150000,850000,60,electric,2020-11-30
泽州某煤业公司（合成）,liushukou,coal,500000,0,300000,200000,45,electric,
"""

STATIONS = """station_code,name_zh,township,lon,lat
ZZ108,巴公镇站,bagong,112.885,35.640
ZZ112,柳树口镇站,liushukou,113.100,35.600
"""

TARGETS = """township,task,target,unit,deadline
bagong,heating_waste_heat,3000,households,2020-10-31
bagong,heating_coal_to_gas,400,households,2020-10-31
liushukou,heating_coal_to_electricity,300,households,2020-10-31
bagong,im_pass_rate_pct,90,%,2021-03-31
liushukou,im_pass_rate_pct,90,%,2021-03-31
bagong,dustfall_t_km2_month,9,t/(month·km²),2021-03-31
liushukou,dustfall_t_km2_month,9,t/(month·km²),2021-03-31
"""

TASKS = """township,coal_boilers_start,coal_boilers_removed,scattered_firms_found,scattered_firms_rectified,straw_fire_points,im_tests,im_passes,loose_coal_checks,loose_coal_violations
bagong,3,3,5,5,0,850,790,200,2
liushukou,1,0,2,2,1,120,100,80,0
"""

POLLUTANTS = {"PM2.5": (55, "µg/m³"), "PM10": (95, "µg/m³"), "SO2": (25, "µg/m³"),
              "NO2": (32, "µg/m³"), "CO": (1.3, "mg/m³"), "O3": (45, "µg/m³")}


def hours(days: int | None) -> pd.DatetimeIndex:
    """Hourly stamps of both seasons; with ``days`` only the first days of each season."""
    spans = [("2019-10-01", "2020-03-31 23:00"), ("2020-10-01", "2021-03-31 23:00")]
    parts = []
    for start, end in spans:
        idx = pd.date_range(start, end, freq="h")
        parts.append(idx[: days * 24] if days else idx)
    return parts[0].append(parts[1])


def write_tiny_season(out: Path, days: int | None = 20, seed: int = 1) -> Path:
    """Write the tiny season to ``out`` and return it."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in {"townships": TOWNSHIPS, "heating_retrofits": RETROFITS, "vehicles": VEHICLES,
                       "freight": FREIGHT, "stations": STATIONS, "targets": TARGETS,
                       "tasks": TASKS}.items():
        (out / f"{name}.csv").write_text(text, encoding="utf-8")
    rng = np.random.default_rng(seed)
    idx = hours(days)
    n = len(idx)
    hour = idx.hour.to_numpy()
    wind = np.clip(rng.gamma(2.0, 1.0, n), 0.1, None)
    met = pd.DataFrame({
        "datetime": idx.strftime("%Y-%m-%d %H:%M"), "station_code": "county",
        "temperature_c": np.round(2 + 6 * np.sin((hour - 9) / 24 * 2 * np.pi) + rng.normal(0, 2, n), 1),
        "rh_pct": np.round(np.clip(55 + rng.normal(0, 12, n), 5, 100), 0),
        "wind_speed_ms": np.round(wind, 1),
        "wind_dir_deg": np.round(rng.uniform(0, 359, n), 0),
        "pressure_hpa": np.round(925 + rng.normal(0, 4, n), 1),
        "precip_mm": np.round(np.where(rng.random(n) < 0.03, rng.exponential(1.0, n), 0.0), 1),
    })
    met.to_csv(out / "meteorology.csv", index=False)
    current = (idx >= "2020-10-01").astype(float)
    rows = []
    for k, station in enumerate(("ZZ108", "ZZ112")):
        for pollutant, (level, unit) in POLLUTANTS.items():
            effect = 1 - 0.08 * current * (1 if k == 0 else 0.5)
            value = level * np.exp(rng.normal(0, 0.3, n) - 0.15 * (wind - 2)) * effect
            value = np.round(value, 2 if pollutant == "CO" else 0)
            rows.append(pd.DataFrame({"station_code": station, "datetime": idx.strftime("%Y-%m-%d %H:%M"),
                                      "pollutant": pollutant, "value": value, "unit": unit}))
    pd.concat(rows).to_csv(out / "air_quality.csv", index=False)
    months = [p.strftime("%Y-%m") for p in pd.period_range("2019-10", "2020-03", freq="M")]
    months += [p.strftime("%Y-%m") for p in pd.period_range("2020-10", "2021-03", freq="M")]
    dust = pd.DataFrame([(t, m, round(6 + 4 * rng.random(), 1)) for t in ("bagong", "liushukou") for m in months],
                        columns=["township", "month", "dustfall_t_km2_month"])
    dust.to_csv(out / "dustfall.csv", index=False)
    (out / "season.yaml").write_text(yaml.safe_dump(
        {"title": "tiny test season", "season": "2020-2021", "synthetic": True}, allow_unicode=True),
        encoding="utf-8")
    return out


def judge_tasks(folder: Path):
    """Load a season folder and judge its tasks by the shipped rules (Chinese verdict words):
    ``(season, indicators by township, verdict by township, task rows by (township, task))``."""
    from zzeval.assess.progress import (
        effective_targets,
        task_progress,
        task_status,
        township_indicators,
    )
    from zzeval.assess.verdict import apply_rules, load_rules
    from zzeval.season.loading import load_season

    season = load_season(folder)
    ind = township_indicators(season)
    verdict = apply_rules(ind, effective_targets(season), load_rules(None), "zh")
    rows = task_status(task_progress(season, ind), verdict)
    return season, ind.set_index("township"), verdict.set_index("township"), rows.set_index(["township", "task"])
