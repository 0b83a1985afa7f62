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
import yaml

from zzeval import __version__
from zzeval.errors import EvaluationError, InputError, UnknownTownshipError, ZzevalError
from zzeval.season.loading import load_season
from zzeval.assess.progress import county_progress, task_progress, township_indicators
from zzeval.season.data import DEFAULT_SEASON, SeasonData, TownshipsAndMeta
from zzeval.assess.verdict import RuleSet, apply_rules, load_rules
from zzeval.season.parsing import show

BEIJING = timezone(timedelta(hours=8))
#: The Monte Carlo seed of a build (fixed so that rebuilt reports show the same numbers).
DEFAULT_SEED = 20201001
#: Indicators a township report ranks against every other township (its rank table and chart):
#: a change of any township's value changes every township's report.
RANKED_INDICATORS = ("pm25_change_obs_pct", "pm25_change_adj_pct", "pm25_mean_ugm3", "heavy_days",
                     "heating_completion_pct", "dustfall_mean_t_km2_month")
#: A season folder may carry its own verdict rules under this name.
SEASON_RULES_FILE = "verdict_rules.yaml"


def check_rules_file(path: str | Path) -> RuleSet:
    """Read verdict rules from ``path`` (a season's own ``verdict_rules.yaml`` or ``--rules``)
    with every problem named: the file, the rule and the key (checked by ``zzeval validate``
    before a build, so that a build never stops on them).

    Raises
    ------
    ZzevalError
    """
    path = Path(path)
    if not path.exists():
        raise ZzevalError(f"{path}: verdict-rule file does not exist")
    if path.is_dir():
        raise ZzevalError(f"{path}: is a folder, not a verdict-rule file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ZzevalError(f"{path}: not UTF-8 (broke at byte {exc.start}); save it again as UTF-8") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ZzevalError(f"{path}: not valid YAML: {show(exc, 300)}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("levels"), dict) or not isinstance(doc.get("rules"), list):
        raise ZzevalError(f"{path}: must be a mapping with 'levels' (a mapping) and 'rules' (a list); copy "
                          "zzeval/reference/verdict_rules.yaml and edit it")
    for name, level in doc["levels"].items():
        if not isinstance(level, dict) or not isinstance(level.get("rank"), int) or not {"zh", "en"} <= set(level):
            raise ZzevalError(f"{path}: level {show(name)} needs rank (a whole number), zh and en")
    for n, raw in enumerate(doc["rules"], start=1):
        _check_rule(path, n, raw)
    return load_rules(path)


def _check_rule(path: Path, n: int, raw) -> None:
    if not isinstance(raw, dict):
        raise ZzevalError(f"{path}: rule {n} must be a mapping (id, level, indicator, op, threshold, zh, en), "
                          f"got '{show(raw)}'")
    where = f"{path}: rule {n} ({show(raw.get('id', '?'))})"
    threshold, default = raw.get("threshold"), raw.get("default")
    if "threshold" in raw and (isinstance(threshold, bool) or not isinstance(threshold, (int, float, str))):
        raise ZzevalError(f"{where}: threshold must be a number or 'target:<task>', got '{show(threshold)}'")
    if default is not None and (isinstance(default, bool) or not isinstance(default, (int, float))):
        raise ZzevalError(f"{where}: default must be a number, got '{show(default)}'")
    for lang in ("zh", "en"):
        try:
            str(raw.get(lang, "")).format(value="1", threshold="1")
        except (KeyError, IndexError, ValueError) as exc:
            raise ZzevalError(f"{where}: the {lang} text may use only {{value}} and {{threshold}} ({exc})") from exc


def check_season_rules(data_dir: str | Path) -> RuleSet | None:
    """The season folder's own verdict rules checked (:func:`check_rules_file`), None without them."""
    path = Path(data_dir) / SEASON_RULES_FILE
    return check_rules_file(path) if path.exists() else None


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
        rows = self.townships[self.townships["slug"] == slug]
        if rows.empty:
            raise UnknownTownshipError(f"unknown township {slug!r}; known: {', '.join(self.slugs)}")
        return str(rows["name_zh"].iloc[0])

    def verdict(self, slug: str, lang: str = "zh") -> dict:
        """``{"verdict", "verdict_label", "reasons", "rules_fired"}`` of one township."""
        if lang not in self.verdicts:
            raise InputError(f"no verdicts in language {lang!r}; use one of {', '.join(self.verdicts)}")
        table = self.verdicts[lang]
        row = table[table["township"] == slug]
        if row.empty:
            raise UnknownTownshipError(f"unknown township {slug!r}; known: {', '.join(self.slugs)}")
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
        """Pickle to ``path`` atomically (:func:`zzeval.build.atomic.atomic_write_bytes`)."""
        from zzeval.build.atomic import atomic_write_bytes

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return atomic_write_bytes(path, pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def load(path: str | Path) -> Evaluation:
        """Read an evaluation saved by :meth:`save` (only files a build wrote: pickle runs code)."""
        try:
            with open(path, "rb") as fh:
                obj = pickle.load(fh)
        except OSError as exc:
            raise EvaluationError(f"cannot read the evaluation {path}: {exc.strerror or exc}") from exc
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise EvaluationError(f"{path} is not a readable zzeval evaluation ({type(exc).__name__}); "
                                  "build again to write it anew") from exc
        if not isinstance(obj, Evaluation):
            raise EvaluationError(f"{path} does not hold a zzeval Evaluation")
        return obj


def headline_air_indicators(stats: pd.DataFrame) -> pd.DataFrame:
    """Air-quality headline numbers per township from :func:`zzeval.airquality.airstats.season_statistics`.

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


def _air_quality_parts(season: SeasonData, n_boot: int, seed: int) -> dict:
    """Air-quality statistics, weather-adjusted change and DiD (see :mod:`zzeval.airquality.airstats`,
    :mod:`zzeval.airquality.weather`, :mod:`zzeval.airquality.did`)."""
    from zzeval.airquality import airstats, did, validity, weather

    daily = _step("the daily values (GB 3095-2012 validity)", validity.daily_values, season.air_quality)
    parts: dict = {}
    parts["air_stats"] = _step("the air-quality statistics", airstats.season_statistics, season, daily=daily)
    parts["dustfall"] = _step("the dustfall summary", airstats.dustfall_summary, season)
    parts["daily"] = _step("the daily series per township", airstats.township_daily, season, daily=daily)
    parts["weather"] = _step("the weather-adjusted change", weather.weather_adjusted_change, season,
                             n_boot=n_boot, seed=seed)
    try:
        parts["did"] = did.retrofit_did(season, seed=seed)
    except ValueError as exc:
        if not str(exc).startswith(DID_TOO_FEW):
            raise EvaluationError(f"the across-township DiD could not be computed: {exc}") from exc
        parts["did"] = None  # too few townships for a cross-township estimate: the reports say so
        parts["did_note"] = str(exc)
    return parts


#: How :func:`zzeval.airquality.did.retrofit_did` says that a season has too few townships
#: for a cross-township estimate (the one ValueError that is an expected outcome).
DID_TOO_FEW = "DiD needs at least"


def _step(what: str, func, *args, **kwargs):
    """``func(*args, **kwargs)``; a ValueError, KeyError or TypeError raised by a step on data
    that passed validation becomes an :class:`EvaluationError` naming the step (the cause stays
    chained for a developer)."""
    try:
        return func(*args, **kwargs)
    except (ValueError, KeyError, TypeError) as exc:
        raise EvaluationError(f"{what} could not be computed from this season's data: "
                              f"{type(exc).__name__}: {str(exc)[:300]}") from exc


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
                    parameters: dict | None = None) -> Evaluation:
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
    """
    from zzeval.emissions import estimate_season
    from zzeval.emissions.factors import load_factors

    if factors is None or isinstance(factors, (str, Path)):
        factors = load_factors(factors)
    indicators = _step("the township indicators", township_indicators, season)
    parts = _air_quality_parts(season, n_boot=n_boot, seed=seed)
    indicators = indicators.merge(_air_indicators(parts), on="township", how="left")
    # the per-draw county arrays (~11 MB) are not needed by the reports
    emissions = _step("the emission reductions", estimate_season, season, factors=factors, draws=draws,
                      seed=seed).without_draws()
    progress = _step("the task progress", task_progress, season, indicators)
    if rules is None and (season.data_dir / SEASON_RULES_FILE).exists():
        rules = season.data_dir / SEASON_RULES_FILE
    ruleset = load_rules(None) if rules is None else check_rules_file(rules)
    verdicts = {lang: _step("the verdicts", apply_rules, indicators, season.targets, ruleset, lang)
                for lang in ("zh", "en")}
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
        "evaluated_at": datetime.now(BEIJING).isoformat(timespec="seconds"),
    }
    return Evaluation(
        season_name=season.period.name, data_dir=str(season.data_dir), meta=dict(season.meta),
        townships=season.townships.copy(), stations=season.stations.copy(), indicators=indicators,
        progress=progress, county_progress=_step("the county progress", county_progress, season), verdicts=verdicts,
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
            raise InputError(f"{results_path} holds season {evaluation.season_name}, not {season}")
        return evaluation
    return evaluate_season(load_season(data_dir, season), **kwargs)

