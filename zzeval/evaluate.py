"""The season's evaluation, computed once and shared by every report.

:func:`evaluate_season` runs everything the reports show — air-quality statistics under
the national standards, the weather-adjusted change, the across-township DiD, the emission
reductions with their Monte Carlo, task progress and the § 二十二 verdicts — and returns an
:class:`Evaluation`. A build computes it once, saves it with :meth:`Evaluation.save`, and
hands the file to each township notebook (``results_path``); a notebook opened on its own
in JupyterLab computes it itself through :func:`load_or_evaluate`.
"""

from __future__ import annotations

import hashlib
import pickle
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from zzeval import __version__
from zzeval.loading import load_season
from zzeval.progress import county_progress, task_progress, township_indicators
from zzeval.season import DEFAULT_SEASON, SeasonData, TownshipsAndMeta
from zzeval.verdict import apply_rules, load_rules

BEIJING = timezone(timedelta(hours=8))
#: The Monte Carlo seed of a build (fixed so that rebuilt reports show the same numbers).
DEFAULT_SEED = 20201001
#: Indicators a township report ranks against every other township (its rank table and chart):
#: a change of any township's value changes every township's report.
RANKED_INDICATORS = ("pm25_change_obs_pct", "pm25_change_adj_pct", "pm25_mean_ugm3", "heavy_days",
                     "heating_completion_pct", "dustfall_mean_t_km2_month")
#: A season folder may carry its own verdict rules under this name.
SEASON_RULES_FILE = "verdict_rules.yaml"


def git_commit(start: Path | None = None) -> str:
    """The git commit of the zzeval checkout (``"unknown"`` outside a git checkout)."""
    start = start or Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=start, capture_output=True,
                             text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=start,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def data_hash(season: SeasonData) -> str:
    """One sha256 over the input files' hashes (sorted by table name)."""
    h = hashlib.sha256()
    for name, digest in sorted(season.file_hashes.items()):
        h.update(f"{name}={digest}\n".encode())
    return h.hexdigest()


@dataclass
class Evaluation(TownshipsAndMeta):
    """Everything the reports show for one season. Tables are tidy DataFrames keyed by ``township``
    (pinyin slug); see each producing function for the columns and units."""

    season_name: str
    data_dir: str
    meta: dict
    townships: pd.DataFrame
    stations: pd.DataFrame
    indicators: pd.DataFrame
    progress: pd.DataFrame
    county_progress: pd.DataFrame
    verdicts: dict[str, pd.DataFrame]
    air_stats: pd.DataFrame | None = None
    dustfall: pd.DataFrame | None = None
    weather: pd.DataFrame | None = None
    did: Any = None
    daily: pd.DataFrame | None = None
    emissions: Any = None
    provenance: dict = field(default_factory=dict)

    def name_zh(self, slug: str) -> str:
        return str(self.townships.set_index("slug").at[slug, "name_zh"])

    def verdict(self, slug: str, lang: str = "zh") -> dict:
        """``{"verdict", "verdict_label", "reasons", "rules_fired"}`` of one township."""
        table = self.verdicts[lang]
        row = table[table["township"] == slug]
        if row.empty:
            raise KeyError(f"unknown township {slug!r}")
        return row.iloc[0].to_dict()

    def summary_table(self, lang: str = "zh") -> pd.DataFrame:
        """One row per township with every headline number and the verdict (for summary.json/csv)."""
        base = self.townships[["slug", "code", "name_zh", "class", "households", "population"]].rename(
            columns={"slug": "township"})
        table = base.merge(self.indicators, on="township", how="left")
        verdicts = self.verdicts[lang][["township", "verdict", "verdict_label", "reasons"]].copy()
        verdicts["reasons"] = verdicts["reasons"].map(lambda r: "; ".join(r))
        table = table.merge(verdicts, on="township", how="left")
        table.insert(0, "season", self.season_name)
        return table

    def township_digest(self, slug: str) -> str:
        """A hash of everything the township's report shows: its own rows of every result table,
        the county-wide values it is ranked against, the factors used, and the settings. Equal
        digests mean an identical report (the build uses this to skip unchanged townships)."""
        h = hashlib.sha256()

        def add(name: str, frame: pd.DataFrame | None) -> None:
            h.update(name.encode())
            if frame is not None and len(frame):
                rows = frame.astype(str).reset_index(drop=True)
                h.update(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())

        def own(frame: pd.DataFrame | None, column: str = "township") -> pd.DataFrame | None:
            return None if frame is None else frame[frame[column] == slug]

        add("townships", own(self.townships, "slug"))
        for name in ("indicators", "progress", "weather", "daily", "dustfall", "air_stats"):
            add(name, own(getattr(self, name)))
        for lang, table in sorted(self.verdicts.items()):
            add(f"verdicts_{lang}", own(table))
        if self.emissions is not None:
            add("emissions", own(self.emissions.table))
            add("emission_totals", own(self.emissions.totals))
            add("factors_used", self.emissions.factors_used)
        add("ranked", self.indicators[["township", *[c for c in RANKED_INDICATORS if c in self.indicators]]])
        settings = {k: self.provenance.get(k) for k in ("zzeval_version", "factor_table", "factor_table_sha256",
                                                        "verdict_rules", "draws", "seed")}
        h.update(repr(sorted(settings.items())).encode())
        h.update(repr((self.season_name, self.synthetic)).encode())
        return h.hexdigest()

    def save(self, path: str | Path) -> Path:
        """Pickle to ``path`` atomically (:func:`zzeval.atomic.atomic_write_bytes`)."""
        from zzeval.atomic import atomic_write_bytes

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return atomic_write_bytes(path, pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def load(path: str | Path) -> Evaluation:
        with open(path, "rb") as fh:
            obj = pickle.load(fh)
        if not isinstance(obj, Evaluation):
            raise TypeError(f"{path} does not hold a zzeval Evaluation")
        return obj


def headline_air_indicators(stats: pd.DataFrame) -> pd.DataFrame:
    """Air-quality headline numbers per township from :func:`zzeval.airstats.season_statistics`.

    Returns
    -------
    DataFrame
        ``township`` and, for the current season and (suffix ``_prev``) the previous one:
        ``pm25_mean_ugm3``, ``pm10_mean_ugm3``, ``heavy_days`` (AQI > 200), ``severe_days``
        (AQI > 300), ``baobiao_days`` (爆表, AQI > 500), ``good_day_ratio_pct``,
        ``comprehensive_index``, ``valid_days``; and ``statistics_valid`` (GB 3095 Table 4).
    """
    rows = stats[stats["level"] == "township"]
    columns = {"mean_PM2.5": "pm25_mean_ugm3", "mean_PM10": "pm10_mean_ugm3", "heavy_days": "heavy_days",
               "severe_days": "severe_days", "over_500_days": "baobiao_days",
               "good_day_ratio": "good_day_ratio_pct", "comprehensive_index": "comprehensive_index",
               "valid_days": "valid_days"}
    cur = rows[rows["season"] == "current"].set_index("township")
    prev = rows[rows["season"] == "previous"].set_index("township")
    out = cur[list(columns)].rename(columns=columns)
    out = out.join(prev[list(columns)].rename(columns={k: f"{v}_prev" for k, v in columns.items()}))
    for col in ("good_day_ratio_pct", "good_day_ratio_pct_prev"):
        out[col] = 100.0 * out[col]
    out["statistics_valid"] = cur["statistics_valid"].astype(bool) & prev["statistics_valid"].astype(bool)
    return out.reset_index()


def _air_quality_parts(season: SeasonData, n_boot: int, seed: int,
                       weather_model: str | None = None) -> dict:
    """Air-quality statistics, weather-adjusted change and DiD (see :mod:`zzeval.airstats`,
    :mod:`zzeval.weather`, :mod:`zzeval.did`)."""
    from zzeval import airstats, did, validity, weather

    daily = validity.daily_values(season.air_quality)  # shared by the statistics and the figures
    parts: dict = {}
    parts["air_stats"] = airstats.season_statistics(season, daily=daily)
    parts["dustfall"] = airstats.dustfall_summary(season)
    parts["daily"] = airstats.township_daily(season, daily=daily)
    parts["weather"] = weather.weather_adjusted_change(season, n_boot=n_boot, seed=seed,
                                                       method=weather_model)
    try:
        parts["did"] = did.retrofit_did(season, seed=seed)
    except ValueError as exc:  # too few townships for a cross-township estimate
        parts["did"] = None
        parts["did_note"] = str(exc)
    return parts


def _air_indicators(parts: dict) -> pd.DataFrame:
    """The air-quality indicators the verdict rules and the summary use, one row per township."""
    out = headline_air_indicators(parts["air_stats"]).set_index("township")
    weather = parts["weather"]
    adj = weather[weather["township"] != "county"]
    for pollutant, tag in (("PM2.5", "pm25"), ("PM10", "pm10")):
        sub = adj[adj["pollutant"] == pollutant].set_index("township")
        # the measured change of the official season means (mean of valid daily means), the
        # figures the reports show; the model's hourly-mean change differs by a few tenths
        out[f"{tag}_change_obs_pct"] = 100 * (out[f"{tag}_mean_ugm3"] / out[f"{tag}_mean_ugm3_prev"] - 1)
        out[f"{tag}_change_adj_pct"] = sub["adjusted_change_pct"]
        out[f"{tag}_change_adj_low_pct"] = sub["adjusted_change_low_pct"]
        out[f"{tag}_change_adj_high_pct"] = sub["adjusted_change_high_pct"]
        out[f"{tag}_model_r2_cv"] = sub["r2_cv"]
    return out.reset_index()


def evaluate_season(season: SeasonData, factors=None, draws: int = 10_000, seed: int = DEFAULT_SEED,
                    rules: str | Path | None = None, n_boot: int = 200,
                    parameters: dict | None = None, weather_model: str | None = None
                    ) -> Evaluation:
    """Evaluate a loaded season.

    Parameters
    ----------
    season : SeasonData
    factors : FactorTable or path or None
        Emission factors (the shipped table when None).
    draws : int
        Monte Carlo draws of the emission reductions.
    seed : int
        Seed of the Monte Carlo and the bootstrap (same seed → same numbers).
    rules : path or None
        Verdict rules. When None: ``verdict_rules.yaml`` in the season folder if there is one
        (the bureau's own reading of § 二十二), else ``zzeval/reference/verdict_rules.yaml``.
    n_boot : int
        Bootstrap replications of the weather-adjusted change.
    weather_model : {"gam", "gbm", "ols"} or None
        Weather adjustment (:func:`zzeval.weather.weather_adjusted_change`); None: the
        ``weather_model:`` key of ``season.yaml``, else ``"gam"``.
    """
    from zzeval.emissions import estimate_season
    from zzeval.factors import load_factors

    if factors is None or isinstance(factors, (str, Path)):
        factors = load_factors(factors)
    indicators = township_indicators(season)
    parts = _air_quality_parts(season, n_boot=n_boot, seed=seed, weather_model=weather_model)
    indicators = indicators.merge(_air_indicators(parts), on="township", how="left")
    # the per-draw county arrays (~11 MB) are not needed by the reports
    emissions = estimate_season(season, factors=factors, draws=draws, seed=seed).without_draws()
    progress = task_progress(season, indicators)
    if rules is None and (season.data_dir / SEASON_RULES_FILE).exists():
        rules = season.data_dir / SEASON_RULES_FILE
    ruleset = load_rules(rules)
    verdicts = {lang: apply_rules(indicators, season.targets, ruleset, lang) for lang in ("zh", "en")}
    factor_frame = factors.to_frame()
    provenance = {
        "zzeval_version": __version__,
        "git_commit": git_commit(),
        "data_dir": str(season.data_dir),
        "data_sha256": data_hash(season),
        "file_sha256": dict(season.file_hashes),
        "factor_table": getattr(factors, "source", "zzeval/reference/emission_factors.csv"),
        "factor_table_sha256": hashlib.sha256(
            pd.util.hash_pandas_object(factor_frame.astype(str), index=False).values.tobytes()).hexdigest(),
        "verdict_rules": ruleset.source,
        "draws": draws,
        "seed": seed,
        "parameters": dict(parameters or {}),
        "weather_model": str(parts["weather"]["method"].iloc[0]) if len(parts["weather"]) else None,
        "evaluated_at": datetime.now(BEIJING).isoformat(timespec="seconds"),
    }
    return Evaluation(
        season_name=season.period.name, data_dir=str(season.data_dir), meta=dict(season.meta),
        townships=season.townships.copy(), stations=season.stations.copy(), indicators=indicators,
        progress=progress, county_progress=county_progress(season), verdicts=verdicts,
        air_stats=parts["air_stats"], dustfall=parts["dustfall"], weather=parts["weather"],
        did=parts["did"], daily=parts["daily"], emissions=emissions, provenance=provenance,
    )


def load_or_evaluate(data_dir: str | Path, season: str = DEFAULT_SEASON, results_path: str | Path = "",
                     **kwargs) -> Evaluation:
    """The evaluation a notebook shows: read from ``results_path`` when a build prepared it,
    otherwise load the season folder and evaluate it here (slower, for JupyterLab)."""
    if results_path:
        evaluation = Evaluation.load(results_path)
        if evaluation.season_name != season:
            raise ValueError(f"{results_path} holds season {evaluation.season_name}, not {season}")
        return evaluation
    return evaluate_season(load_season(data_dir, season), **kwargs)

