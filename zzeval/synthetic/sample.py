"""The synthetic sample season: a complete, deterministic season folder for Zezhou County.

:func:`write_sample` writes every table of :mod:`zzeval.season.schema` for the 2020-2021 season and
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

from zzeval.atomic import folder_written_whole
from zzeval.errors import NoSpaceError, is_no_space
from zzeval.season import schema
from zzeval.synthetic import sample_emergency, sample_sites
from zzeval.synthetic.sample_air import (
    BAOBIAO_HOURS,
    COARSE_RATIO,
    EPISODE_AMPLITUDE,
    EPISODE_GAP_DAYS,
    EPISODE_GAP_FACTOR_2021,
    MET_COEF,
    MISSING_HOUR_SHARE,
    MISSING_VALUE_SHARE,
    OUTAGE_MULTIDAY,
    PM25_SOFT_CAP,
    POLLUTANT_MEAN,
    POLLUTANT_PARAMS,
    STAGNATION_RESPONSE,
    _air_quality_chunk,
    _calibrate,
    _covariates,
    _cycles,
    _diesel_reduction,
    _heating_demand,
    _heating_intensity,
    _latent,
    _met_term,
    _meteorology_table,
    _Model,
    _noise,
    _soft_cap,
    _stagnation,
    _Timeline,
    _timeline,
    _township_effects,
    _weather,
)
from zzeval.synthetic.sample_tables import (
    CREA_JINCHENG_PM25_DEWEATHERED_UGM3,
    CREA_JINCHENG_PM25_OBSERVED_UGM3,
    QUARTERS,
    RETROFIT_EFFICACY,
    SPRING_FESTIVAL_EVES,
    TOWNSHIPS_2020,
    _dustfall,
    _freight,
    _retrofits,
    _stations,
    _targets,
    _tasks,
    _townships,
    _vehicles,
    heating_baseline,
)


def _season_yaml(seed: int, n: int, lam: np.ndarray, scales: dict[str, float]) -> dict:
    return {
        "title": "泽州县 2020-2021 年秋冬季示例数据（合成） / Zezhou County 2020-2021 autumn-winter "
                 "sample season (SYNTHETIC)",
        "season": "2020-2021",
        "synthetic": True,
        "seed": int(seed),
        "generator": "zzeval.synthetic.sample.write_sample",
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


def files_not_written(folder: Path) -> list[str]:
    """The entries of an earlier sample ``folder`` that ``zzeval sample`` does not write (a user's
    own files there): writing the sample again replaces the folder whole and would delete them."""
    from zzeval.season.columnar import COLUMNAR_TABLES

    written = {f"{name}.csv" for name in schema.TABLES if name not in COLUMNAR_TABLES}
    written |= {f"{name}{ext}" for name in COLUMNAR_TABLES for ext in (".csv.gz", ".parquet")}
    written |= {"season.yaml", "planted_effects.csv"}
    return sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir() if p.name not in written)


def write_sample(out_dir, seed: int = 2020, n_townships: int | None = None,
                 parquet: bool = False) -> Path:
    """Write the synthetic sample season (2020-2021 and its comparison season) to ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write; created if missing. The whole sample is written into a temporary
        folder beside it and moved into place only when complete
        (:func:`zzeval.atomic.folder_written_whole`): an earlier folder of that name is replaced as
        a whole (files in it that the sample does not write are removed with it), and a failure
        (a full disk, Ctrl-C) leaves it as it was.
    seed : int
        Random seed. The same seed gives byte-identical files.
    n_townships : int, optional
        Number of townships. ``None`` or 17: Zezhou's 17 units of 2020. Fewer: the first
        ``n_townships`` of them (the plan's totals then no longer add up; for tiny test
        seasons). More: the 17 plus synthetic townships "合成镇0001" (slug ``syn0001``) …, for
        province-size benchmarks (about 52,560 air-quality rows per township, written in
        chunks).
    parquet : bool
        Also convert the hourly tables to Parquet (:func:`zzeval.season.columnar.convert_to_parquet`,
        which removes the CSV), before the folder is moved into place.

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
    n = len(TOWNSHIPS_2020) if n_townships is None else int(n_townships)
    if n < 1:
        raise ValueError(f"n_townships must be at least 1, got {n_townships!r}")
    state = f"{out} is as it was before" if out.exists() else f"{out} was not created"
    try:
        with folder_written_whole(out) as tmp:
            _write_into(tmp, seed, n)
            if parquet:
                from zzeval.season.columnar import convert_to_parquet

                convert_to_parquet(tmp)
    except (OSError, NoSpaceError) as exc:
        if not (isinstance(exc, NoSpaceError) or is_no_space(exc)):
            raise
        cause = exc.__cause__ if isinstance(exc, NoSpaceError) and exc.__cause__ else exc
        raise NoSpaceError(
            f"cannot write the sample to {out}: {getattr(cause, 'strerror', None) or cause} — the disk, "
            f"a quota or the file-size limit is full. {state} (nothing half-written): "
            "sample not written; free space and run zzeval sample again") from exc
    return out


def _write_into(out: Path, seed: int, n: int) -> None:
    """Write every file of the sample into the (new, empty) folder ``out``."""
    tw = _townships(n, seed)
    tables = _write_tables(out, tw, seed)
    tl = _timeline()
    w = _weather(tl, seed)
    cal = _Calibration.fit(tl, w, tw, n, seed)
    _write_gz_csv(_meteorology_table(tl, w, cal.lam), out / "meteorology.csv.gz")
    effects = _write_air_quality(out / "air_quality.csv.gz", cal, tables, seed)
    eff = pd.DataFrame(effects)
    eff["explanation"] = _explain(eff)
    _write_csv(eff, out / "planted_effects.csv")
    text = yaml.safe_dump(_season_yaml(seed, n, cal.lam, cal.scales), allow_unicode=True,
                          sort_keys=False, width=100)
    (out / "season.yaml").write_bytes(text.encode("utf-8"))


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


def _write_tables(out: Path, tw: pd.DataFrame, seed: int) -> dict[str, pd.DataFrame]:
    """Write the administrative tables; returns them by table name (with ``townships``)."""
    retro = _retrofits(tw, seed)
    veh = _vehicles(tw, seed)
    freight = _freight(tw, seed)
    tables = {
        "townships": tw, "heating_retrofits": retro, "vehicles": veh, "freight": freight,
        "stations": _stations(tw), "targets": _targets(tw, retro, freight),
        "tasks": _tasks(tw, retro, veh, seed), "dustfall": _dustfall(tw, seed),
    }
    cols = [c.name for c in schema.TOWNSHIPS.columns]
    tw_out = heating_baseline(tw, retro)  # the § 六 heating baseline columns
    written = {**tables, "townships": tw_out[cols], "freight": sample_sites.freight_columns(freight),
               "sites": sample_sites.sites_table(tw, seed), "county_tasks": sample_sites.county_tasks_table(seed),
               "emergency_inspections": sample_emergency.inspections_table(tw, seed)}
    for name, df in written.items():
        _write_csv(df, out / f"{name}.csv")
    return tables


@dataclass
class _Calibration:
    """The weather, climatology and scales shared by every township of one sample.

    Calibrated on the 17 real townships whatever the number written, so that the weather
    and the concentration scales do not depend on ``n_townships``.
    """

    tl: _Timeline
    heating: np.ndarray
    cycles: dict[str, np.ndarray]
    base: dict[str, np.ndarray]
    k: np.ndarray
    lam: np.ndarray
    met: np.ndarray
    scales: dict[str, float]

    def model(self, rows: np.ndarray, sub: pd.DataFrame, re: pd.DataFrame, fr: pd.DataFrame,
              ve: pd.DataFrame) -> _Model:
        return _Model(self.tl, self.heating, self.cycles, {p: b[rows] for p, b in self.base.items()},
                      self.k[rows], _heating_intensity(self.tl, sub, re),
                      _diesel_reduction(self.tl, sub, fr, ve), rows)

    @classmethod
    def fit(cls, tl: _Timeline, w, tw: pd.DataFrame, n: int, seed: int) -> _Calibration:
        tw_all = tw if n >= len(TOWNSHIPS_2020) else _townships(len(TOWNSHIPS_2020), seed)
        base, k = _township_effects(tw_all, seed)
        cal = cls(tl, _heating_demand(tl), _cycles(tl), base, k, np.empty(0), np.empty(0), {})
        real_rows = np.arange(len(TOWNSHIPS_2020))
        real = tw_all.iloc[real_rows].reset_index(drop=True)
        md_real = cal.model(real_rows, real, _retrofits(real, seed), _freight(real, seed),
                            _vehicles(real, seed))
        noise_real = _noise(seed, real_rows, len(tl.times))
        cal.lam, s_pm25 = _calibrate(md_real, noise_real, w)
        m = _met_term(_covariates(w, _stagnation(w, cal.lam)))
        cal.met = m
        cal.scales = {"PM2.5": s_pm25}
        pm25_mean = float(_soft_cap(_latent(md_real, noise_real, m, "PM2.5") * s_pm25,
                                    PM25_SOFT_CAP).mean())
        cal.scales["PMc"] = (COARSE_RATIO * pm25_mean
                             / float(_latent(md_real, noise_real, m, "PMc").mean()))
        for p, target in POLLUTANT_MEAN.items():
            cal.scales[p] = target / float(_latent(md_real, noise_real, m, p).mean())
        return cal


def _write_air_quality(path: Path, cal: _Calibration, tables: dict[str, pd.DataFrame],
                       seed: int, chunk: int = 25) -> list[dict]:
    """Write the hourly air quality of every station, ``chunk`` townships at a time (bounded
    memory); returns the planted effects' rows."""
    tw, retro = tables["townships"], tables["heating_retrofits"]
    freight, veh = tables["freight"], tables["vehicles"]
    codes = tables["stations"]["station_code"].to_numpy()
    effects: list[dict] = []
    gz = _gzip_writer(path)
    try:
        gz.write(b"station_code,datetime,pollutant,value,unit\n")
        for a in range(0, len(tw), chunk):
            rows = np.arange(a, min(a + chunk, len(tw)))
            sub = tw.iloc[rows].reset_index(drop=True)
            slugs = set(sub["slug"])
            md = cal.model(rows, sub, retro[retro["township"].isin(slugs)],
                           freight[freight["township"].isin(slugs)], veh[veh["township"].isin(slugs)])
            noise = _noise(seed, rows, len(cal.tl.times))
            text, eff = _air_quality_chunk(md, noise, cal.met, cal.scales, sub, codes[rows], seed,
                                           rows)
            gz.write(text.encode("utf-8"))
            effects += eff
    finally:
        _close(gz)
    return effects


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
