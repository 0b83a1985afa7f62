"""The season's evaluation, computed once and shared by every report.

:func:`evaluate_season` runs everything the reports show — air-quality statistics under
the national standards, the weather-adjusted change, the across-township DiD, the emission
reductions with their Monte Carlo, task progress and the § 二十二 verdicts — and returns an
:class:`Evaluation`. A build computes it once, saves it with :meth:`Evaluation.save`, and
hands the file to each township notebook (``results_path``); a notebook opened on its own
in JupyterLab computes it itself through :func:`load_or_evaluate`.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import subprocess
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from zzeval import __version__
from zzeval.assess.comparable import like_with_like
from zzeval.assess.progress import (
    county_progress,
    county_task_progress,
    effective_targets,
    task_progress,
    task_status,
    township_indicators,
)
from zzeval.assess.ranking import VALIDITY_COLUMNS
from zzeval.assess.rulefile import (
    SEASON_RULES_FILE,
    check_rules_file,
    check_targets_read,
    targets_file,
)
from zzeval.assess.slices import not_held
from zzeval.assess.verdict import STATISTICS, apply_rules, load_rules
from zzeval.emissions.estimate import DEFAULT_SEED  # the build's Monte Carlo seed: one definition
from zzeval.errors import EvaluationError, InputError, UnknownTownshipError, ZzevalError
from zzeval.i18n import BEIJING
from zzeval.season.data import DEFAULT_SEASON, SeasonData, TownshipsAndMeta
from zzeval.season.loading import load_season

#: Indicators a township is ranked on against every other township (1 = best), as Chinese township
#: rankings are published, by level and by improvement (同比变化率): (column, lower is better, label key,
#: unit). The township report's rank table and chart show these; a change of any township's value
#: changes every township's report. tests/build/test_slice.py checks that the views rank on nothing else.
RANKINGS = (("comprehensive_index", True, "rank.ci_level", "1"),
            ("comprehensive_index_change_pct", True, "rank.ci_change", "%"),
            ("pm25_mean_ugm3", True, "rank.pm25_level", "µg/m³"),
            ("pm25_change_obs_pct", True, "rank.pm25_change", "%"),
            ("pm25_change_adj_pct", True, "rank.pm25_adjusted", "%"),
            ("good_day_ratio_pct", False, "rank.good_days", "%"),
            ("heavy_days", True, "rank.heavy_days", "days"),
            ("heating_completion_pct", False, "rank.heating", "%"),
            ("dustfall_mean_t_km2_month", True, "rank.dustfall", "t/(month·km²)"))
#: The columns of :data:`RANKINGS`.
RANKED_INDICATORS = tuple(column for column, *_ in RANKINGS)
#: A season folder may carry its own verdict rules under this name.
#: Values of *other* townships a township report shows, by table: the names in the ranking chart,
#: the ranks and county medians of :data:`RANKED_INDICATORS`, and the weather model and its median skill
#: (methods note). A township's slice (:meth:`Evaluation.township_slice`) keeps these columns of
#: every township; of every other table keyed by township only the township's own rows.
SHARED_COLUMNS = {"townships": ("slug", "name_zh"),
                  # the validity flags: who is ranked on what (zzeval.assess.ranking)
                  "indicators": ("township", *RANKED_INDICATORS, *VALIDITY_COLUMNS),
                  "weather": ("township", "pollutant", "r2_cv", "method")}
#: What only the county report reads: a township's slice holds these empty (a dict keeps only the keys
#: named: the number of Monte Carlo draws every page's methods note states), so that a township page
#: that started reading one fails visibly instead of going stale.
COUNTY_ONLY = {"county_progress": (), "county_tasks": (), "did": (), "emissions.sensitivity": (),
               "emissions.draws": ("n",), "emissions.county_draws": (), "county_validity": ()}
#: Provenance no page shows that differs between identical evaluations (left out of slices).
_UNSHOWN_PROVENANCE = ("evaluated_at", "data_dir", "file_sha256")


@runtime_checkable
class ReportSource(Protocol):
    """What ``zzeval build`` needs of a season's evaluation (an :class:`Evaluation`, or a stand-in
    with the same four methods).

    The build writes ``summary_table`` to summary.json/csv and the index (columns ``township``
    (slug), ``name_zh``, ``verdict``, ``verdict_label`` or ``verdict_display``) and
    ``county_summary`` (the county's figures, or None) to summary.json, hands every township
    notebook its ``township_slice`` and the county notebook the ``county_slice`` (each written
    with ``save``, read back through the notebook's ``results_path``), and keys each report on
    the content of the slice it hands over (:func:`zzeval.build.hashing.content_digest`).
    """

    def summary_table(self, lang: str = "zh") -> pd.DataFrame: ...

    def county_summary(self) -> dict | None: ...

    def township_slice(self, slug: str) -> ReportSource: ...

    def county_slice(self) -> ReportSource: ...

    def save(self, path: str | Path) -> Path: ...


def check_weather_model(season: SeasonData, method: str | None = None) -> str:
    """The weather model the evaluation will use (:func:`zzeval.airquality.weather.resolve_method`),
    checked before a build writes anything: an unknown ``weather_model`` in ``season.yaml`` is refused
    naming the file, not found after the evaluation started."""
    from zzeval.airquality.weather import resolve_method

    try:
        return resolve_method(season, method)
    except ValueError as exc:
        raise InputError(f"{Path(season.data_dir) / 'season.yaml'}: weather_model: {exc}") from exc


def git_commit(start: Path | None = None) -> str:
    """The git commit of the zzeval checkout (``"unknown"`` outside a git checkout)."""
    start = start or Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=start, capture_output=True,
                             encoding="utf-8", errors="replace", timeout=5, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=start,
                               capture_output=True, encoding="utf-8", errors="replace", timeout=5).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@functools.cache
def current_commit() -> str:
    """:func:`git_commit` of the code running now, asked once per process (a build slices every
    township, and leaves this commit out of the report keys)."""
    return git_commit()


def data_hash(season: SeasonData) -> str:
    """One sha256 over the input files' hashes (sorted by table name)."""
    from zzeval.season.loading import data_fingerprint

    return data_fingerprint(season.file_hashes)


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
    #: monthly dustfall of both seasons: township, month (``YYYY-MM``), dustfall_t_km2_month
    dustfall_monthly: pd.DataFrame | None = None
    #: the county-level tasks (plan §§ 十一, 十二; :func:`zzeval.assess.progress.county_task_progress`)
    county_tasks: pd.DataFrame | None = None
    #: GB 3095-2012 § 8 of the county's own PM2.5 series (:func:`zzeval.airquality.airstats.county_validity`)
    county_validity: pd.DataFrame | None = None

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
            raise UnknownTownshipError(not_held(slug, self.slugs, table["township"]))
        return row.iloc[0].to_dict()

    def summary_table(self, lang: str = "zh") -> pd.DataFrame:
        """One row per township with every headline number and the verdict (for summary.json/csv)."""
        base = self.townships[["slug", "code", "name_zh", "class", "households", "population"]].rename(
            columns={"slug": "township"})
        table = base.merge(self.indicators, on="township", how="left")
        sep = "；" if lang == "zh" else "; "
        verdicts = self.verdicts[lang][["township", "verdict", "verdict_label", "reasons", "undecided",
                                        "data_valid", "reason_tasks"]].copy()
        for column in ("reasons", "undecided", "reason_tasks"):  # one line each, as the pages word them
            verdicts[column] = verdicts[column].map(lambda items, s=sep: s.join(items))
        # the verdict as the county table and the index show it: with the data-validity flag
        verdicts["verdict_display"] = [verdict_display(label, ok, lang) for label, ok in
                                       zip(verdicts["verdict_label"], verdicts["data_valid"], strict=True)]
        table = table.merge(verdicts, on="township", how="left")
        table.insert(0, "season", self.season_name)
        return table

    def county_summary(self) -> dict:
        """The county's own figures for summary.json (see :func:`zzeval.report.county_views.county_figures`
        for the keys): county-series PM2.5 change, weather-adjusted change and R², DiD, verdict counts."""
        from zzeval.assess.county import county_figures

        return county_figures(self)

    def township_slice(self, slug: str, shared: dict | None = None) -> Evaluation:
        """Everything a township's report reads, and nothing else: the township's own rows of
        every table keyed by township, the :data:`SHARED_COLUMNS` of every township, the
        county-level tables whole except the :data:`COUNTY_ONLY` ones (empty); no machine path,
        evaluation time or other file hashes.

        The build hands a township notebook this slice (not the whole evaluation) and keys the
        report on its content (:func:`zzeval.build.hashing.content_digest`): a new field or
        column is in the key the moment it is in the slice, and another township's change only
        rebuilds this report when a value this report shows (rank, county median) moved."""
        if slug not in set(self.slugs):
            raise ZzevalError(f"unknown township {slug!r}; known: {', '.join(self.slugs)}")
        # each table's rows grouped by township once, not searched again for every township
        index = self.__dict__.setdefault("_slice_index", {})
        shared = SHARED_COLUMNS if shared is None else shared
        parts = {f.name: _slice_value(f.name, getattr(self, f.name), slug, index, shared) for f in fields(self)}
        return replace(self, **{**parts, **self._for_pages()})

    def shared_part(self):
        """The :data:`SHARED_COLUMNS` of every township (:class:`zzeval.assess.slices.SharedPart`):
        what every township page shows of all of them, taken once per build."""
        from zzeval.assess.slices import shared_part

        return shared_part(self, SHARED_COLUMNS)

    def township_part(self, slug: str, shared_file: str) -> Evaluation:
        """:meth:`township_slice` without the other townships' rows: of the :data:`SHARED_COLUMNS`
        tables the township's own rows, and a reference to the shared part saved once as
        ``shared_file`` (:mod:`zzeval.assess.slices`); :meth:`load` joins them back into the slice."""
        from zzeval.assess.slices import township_part

        return township_part(self, slug, shared_file, SHARED_COLUMNS)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_slice_index"}

    def county_slice(self) -> Evaluation:
        """What the county report reads: the whole evaluation, without the machine details
        (paths, evaluation time) that no page shows."""
        return replace(self, **self._for_pages())

    def _for_pages(self) -> dict:
        """No machine path, evaluation time or file hashes; the commit of the code that builds
        the pages now (the evaluation may come from a cache made by an earlier commit of the
        same package code)."""
        provenance = {k: v for k, v in self.provenance.items() if k not in _UNSHOWN_PROVENANCE}
        return {"data_dir": "", "provenance": {**provenance, "git_commit": current_commit()}}

    def save(self, path: str | Path) -> Path:
        """Pickle to ``path`` atomically (:func:`zzeval.atomic.atomic_write_bytes`)."""
        from zzeval.atomic import atomic_write_bytes

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
        if "_shared" in obj.__dict__:  # a township part (township_part): joined with the shared part
            from zzeval.assess.slices import join_shared

            join_shared(obj, Path(path).parent)
        return obj


def _township_keys(frame: pd.DataFrame) -> pd.Series | None:
    if "township" in frame.columns:
        keys = frame["township"]
    elif "slug" in frame.columns:
        keys = frame["slug"]
    elif {"level", "unit_id"} <= set(frame.columns):
        keys = frame["unit_id"].where(frame["level"] == "township", "")
    else:
        return None
    return keys


def _township_rows(frame: pd.DataFrame, slug: str, shared: tuple[str, ...] = (), index: dict | None = None
                   ) -> pd.DataFrame:
    """The rows of ``frame`` that belong to ``slug`` (by its ``township`` column, ``slug`` for the
    townships table, or ``unit_id`` of township-level statistics); of other townships only the
    ``shared`` columns (the rest left empty). A table not keyed by township is returned whole.
    ``index``: a cache of each table's row positions by township (filled on first use)."""
    if index is None or id(frame) not in index:
        keys = _township_keys(frame)
        if keys is None:
            return frame
        positions = pd.Series(np.arange(len(frame))).groupby(keys.to_numpy(), sort=False).indices
        if index is None:
            index = {}
        index[id(frame)] = (frame, positions)  # the frame kept: its id stays its own
    positions = index[id(frame)][1]
    rows = positions.get(slug, np.zeros(0, dtype=np.intp))
    if not shared:
        return frame.iloc[rows]
    own = np.zeros(len(frame), dtype=bool)
    own[rows] = True
    out = frame.copy()
    for column in out.columns:
        if column not in shared:  # integers and booleans stay integers and booleans (nullable)
            kind = out[column].dtype.kind
            values = out[column].astype({"i": "Int64", "u": "Int64", "b": "boolean"}[kind]) if kind in "iub" \
                else out[column]
            out[column] = values.where(own)
    return out


def _slice_value(path: str, value, slug: str, index: dict | None = None, shared: dict = SHARED_COLUMNS):
    """:func:`_township_rows` applied to a table, to every table of a dict or a dataclass
    (``path``: the dotted name of ``value`` in the evaluation); :data:`COUNTY_ONLY` parts emptied."""
    if path in COUNTY_ONLY:
        return value.iloc[0:0] if isinstance(value, pd.DataFrame) else [] if isinstance(value, list) else {
            k: value[k] for k in COUNTY_ONLY[path] if k in value} if isinstance(value, dict) else None
    if isinstance(value, pd.DataFrame):
        return _township_rows(value, slug, shared.get(path, ()), index)
    if isinstance(value, dict):
        return {k: _slice_value(path, v, slug, index, shared) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _slice_value(f"{path}.{f.name}", getattr(value, f.name), slug, index, shared)
                                 for f in fields(value) if f.init})
    return value


def verdict_display(label: str, data_valid: bool, lang: str = "zh") -> str:
    """The verdict's words with the data-validity flag when the data fail GB 3095 / HJ 663
    (``约谈（数据有效性不足）``), as the county table, the index and the summary files show it."""
    from zzeval.i18n import t

    if data_valid:
        return label
    flag = t("verdict.validity_flag", lang)
    return f"{label}（{flag}）" if lang == "zh" else f"{label} ({flag})"


def headline_air_indicators(stats: pd.DataFrame) -> pd.DataFrame:
    """Air-quality headline numbers per township from :func:`zzeval.airquality.airstats.season_statistics`.

    Returns
    -------
    DataFrame
        ``township`` and, for the current season and (suffix ``_prev``) the previous one:
        ``pm25_mean_ugm3``, ``pm10_mean_ugm3``, ``heavy_days`` (AQI > 200), ``severe_days``
        (AQI > 300), ``baobiao_days`` (爆表, AQI > 500), ``good_day_ratio_pct``, ``statistics_valid`` (GB 3095 Table 4),
        ``comprehensive_index`` (NaN without one of its pollutants: ``comprehensive_index_missing``), ``valid_days``.
    """
    rows = stats[stats["level"] == "township"]
    columns = {"mean_PM2.5": "pm25_mean_ugm3", "mean_PM10": "pm10_mean_ugm3", "heavy_days": "heavy_days",
               "severe_days": "severe_days", "over_500_days": "baobiao_days",
               "good_day_ratio": "good_day_ratio_pct", "comprehensive_index": "comprehensive_index",
               "valid_days": "valid_days", "comprehensive_index_missing": "comprehensive_index_missing",
               "good_day_ratio_missing": "good_day_ratio_missing",
               **{f"valid_days_{s}": f"valid_days_{s}" for s in STATISTICS}}
    cur = rows[rows["season"] == "current"].set_index("township")
    prev = rows[rows["season"] == "previous"].set_index("township")
    out = cur[list(columns)].rename(columns=columns)
    out = out.join(prev[list(columns)].rename(columns={k: f"{v}_prev" for k, v in columns.items()}))
    for col in ("good_day_ratio_pct", "good_day_ratio_pct_prev"):
        out[col] = 100.0 * out[col]
    out["statistics_valid"] = cur["statistics_valid"].astype(bool) & prev["statistics_valid"].astype(bool)
    for s in STATISTICS:  # GB 3095 § 8 validity per pollutant: the rules on PM2.5 read PM2.5's (re-review A, N3)
        out[f"statistics_valid_{s}"] = (cur[f"months_insufficient_{s}"] == 0) & (prev[f"months_insufficient_{s}"] == 0)
    out["months_insufficient"] = cur["months_insufficient"]
    out["months_insufficient_prev"] = prev["months_insufficient"]
    # China's own assessment metrics against last season (同比)
    out["heavy_days_change"] = out["heavy_days"] - out["heavy_days_prev"]
    out["comprehensive_index_change_pct"] = 100 * (out["comprehensive_index"] / out["comprehensive_index_prev"] - 1)
    out["good_day_ratio_change_pp"] = out["good_day_ratio_pct"] - out["good_day_ratio_pct_prev"]
    return out.reset_index()


def _air_quality_parts(season: SeasonData, n_boot: int, seed: int) -> dict:
    """Air-quality statistics, weather-adjusted change and DiD (see :mod:`zzeval.airquality.airstats`,
    :mod:`zzeval.airquality.weather`, :mod:`zzeval.airquality.did`)."""
    from zzeval.airquality import airstats, did, validity, weather, weather_data

    daily = _step("the daily values (GB 3095-2012 validity)", validity.daily_values, season.air_quality)
    parts: dict = {}
    parts["air_stats"] = _step("the air-quality statistics", airstats.season_statistics, season, daily=daily)
    parts["dustfall"] = _step("the dustfall summary", airstats.dustfall_summary, season)
    parts["daily"] = _step("the daily series per township", airstats.township_daily, season, daily=daily)
    # the township series and the county's, built once: its validity and its weather-adjusted change; the
    # station rows they are the means of, once: the series and the county's station weights
    rows = _step("the township series' station rows", weather_data.township_station_rows, season)
    series = _step("the township series", weather_data.township_series, season, rows=rows)
    county = _step("the county series", weather_data.county_hourly, season, weather.DEFAULT_POLLUTANTS, series[0])
    parts["county_validity"] = _step("the county series' validity", airstats.county_validity, season, county,
                                     station_rows=rows[0])
    parts["weather"] = _step("the weather-adjusted change", weather.weather_adjusted_change, season,
                             n_boot=n_boot, seed=seed, county_hourly=county, series=series)
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


def _air_indicators(parts: dict, season_name: str) -> pd.DataFrame:
    """The air-quality indicators the verdict rules and the summary use, one row per township."""
    from zzeval.airquality.airstats import longest_gap_days

    out = headline_air_indicators(parts["air_stats"]).set_index("township")
    out["longest_gap_days"] = longest_gap_days(parts["daily"], season_name)
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
        # the share of the measured change the weather explains: (1 + measured) / (1 + adjusted) − 1
        out[f"{tag}_weather_effect_pct"] = 100 * ((1 + out[f"{tag}_change_obs_pct"] / 100)
                                                 / (1 + out[f"{tag}_change_adj_pct"] / 100) - 1)
        if "separable" in sub:  # the weather model's honesty flag, when it gives one
            out[f"{tag}_change_adj_pct_separable"] = sub["separable"].astype(bool)
            out[f"{tag}_change_adj_pct_separable_reason"] = sub.get("separable_reason")
    return like_with_like(out, parts["air_stats"]).reset_index()  # changes only on common stations (同口径)


def evaluate_season(season: SeasonData, factors=None, draws: int = 10_000, seed: int = DEFAULT_SEED,
                    rules: str | Path | None = None, n_boot: int = 200,
                    parameters: dict | None = None, runner=None,
                    cache_dir: str | Path | None = None,
                    weather_model: str | None = None, rows=None) -> Evaluation:
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
    runner : zzeval.assess.tasks.Runner, optional
        Run the per-township air-quality work as tasks on it (local processes or Dask), the
        results cached per township in ``cache_dir`` (:mod:`zzeval.assess.tasks`; the same
        numbers). None: everything in this process.
    weather_model : {"gam", "gbm", "ols"} or None
        The weather adjustment (:func:`zzeval.airquality.weather.weather_adjusted_change`);
        None: the ``weather_model:`` key of ``season.yaml``, else ``"gam"``.
    rows : zzeval.season.township_rows.RowStore, optional
        The season's air-quality rows split by station (``season.air_quality`` is then empty:
        :func:`zzeval.season.township_rows.split_season`); the per-township tasks read their own
        (on ``runner``, in this process when None), so that this process never holds them all.
    """
    from zzeval.assess.runners import SerialRunner
    from zzeval.emissions.factors import load_factors

    if factors is None or isinstance(factors, (str, Path)):
        factors = load_factors(factors)
    season = _with_weather_model(season, weather_model)
    # the emission Monte Carlo needs none of the air quality: a task of its own, on a worker
    # while the townships' tasks run (in this process, when asked for, without a started runner)
    hourly = {"air_quality": season.air_quality.iloc[:0], "meteorology": season.meteorology.iloc[:0]}
    emissions_task = (runner or SerialRunner()).submit(emission_reductions, replace(season, **hourly),
                                                       factors, draws, seed)
    indicators = _step("the township indicators", township_indicators, season)
    if runner is None and rows is None:
        parts = _air_quality_parts(season, n_boot=n_boot, seed=seed)
    else:  # per township as tasks, then the county (zzeval.assess.tasks)
        from zzeval.assess.tasks import air_quality_parts

        parts = air_quality_parts(season, n_boot=n_boot, seed=seed, runner=runner, cache_dir=cache_dir,
                                  rows=rows)
    indicators = indicators.merge(_step("the air-quality indicators", _air_indicators, parts, season.period.name),
                                  on="township", how="left")
    emissions = emissions_task.result()
    progress = _step("the task progress", task_progress, season, indicators)
    if own := rules is None and (season.data_dir / SEASON_RULES_FILE).exists():
        rules = season.data_dir / SEASON_RULES_FILE
    ruleset = load_rules(None) if rules is None else check_rules_file(rules, complete=own)
    check_targets_read(season.targets, ruleset, targets_file(season.data_dir))
    targets = effective_targets(season)  # with the plan's class defaults (plan_tasks.yaml)
    verdicts = {lang: _step("the verdicts", apply_rules, indicators, targets, ruleset, lang)
                for lang in ("zh", "en")}
    progress = _step("the task status", task_status, progress, verdicts["zh"])
    provenance = _provenance(season, factors, ruleset, draws, seed, parameters, parts)
    return Evaluation(
        season_name=season.period.name, data_dir=str(season.data_dir), meta=dict(season.meta),
        townships=season.townships.copy(), stations=season.stations.copy(), indicators=indicators,
        progress=progress, county_progress=_step("the county progress", county_progress, season), verdicts=verdicts,
        air_stats=parts["air_stats"], dustfall=parts["dustfall"], weather=parts["weather"],
        did=parts["did"], daily=parts["daily"], emissions=emissions, provenance=provenance,
        dustfall_monthly=season.dustfall.assign(month=season.dustfall["month"].dt.strftime("%Y-%m"))[
            ["township", "month", "dustfall_t_km2_month"]].reset_index(drop=True),
        county_tasks=_step("the county tasks", county_task_progress, season),
        county_validity=parts["county_validity"])


def emission_reductions(season: SeasonData, factors, draws: int, seed: int):
    """:func:`zzeval.emissions.estimate_season` without the per-draw county arrays (~11 MB; the
    reports do not need them): a task of the evaluation's runner."""
    from zzeval.emissions import estimate_season

    return _step("the emission reductions", estimate_season, season, factors=factors, draws=draws,
                 seed=seed).without_draws()


def _with_weather_model(season: SeasonData, weather_model: str | None) -> SeasonData:
    """The season with ``weather_model`` in its meta (the weather functions read it there)."""
    if weather_model is None:
        return season
    return replace(season, meta={**season.meta, "weather_model": weather_model})


def township_cache_keys(season: SeasonData, rows=None, seed: int = DEFAULT_SEED, n_boot: int = 200,
                        weather_model: str | None = None) -> set[str]:
    """The cache keys of the per-township results :func:`evaluate_season` reads and writes with
    these arguments (its defaults; ``rows`` as given to it), computed without evaluating
    anything: what a build keeps of ``.cache/townships`` (:func:`zzeval.assess.tasks.task_key`)."""
    from zzeval.assess.tasks import township_tasks

    season = _with_weather_model(season, weather_model)
    return {t.key for t in township_tasks(season, n_boot=n_boot, seed=seed, cache_dir="keys", rows=rows)}


def load_or_evaluate(data_dir: str | Path, season: str = DEFAULT_SEASON, results_path: str | Path = "",
                     for_county: bool = False, **kwargs) -> Evaluation:
    """The evaluation a notebook shows: read from ``results_path`` when a build prepared it
    (:func:`zzeval.assess.slices.load_results`; ``for_county``: not a township's slice), otherwise
    load the season folder and evaluate it here (slower, for JupyterLab)."""
    if results_path:
        from zzeval.assess.slices import load_results

        return load_results(results_path, season, for_county, data_dir=data_dir)
    return evaluate_season(load_season(data_dir, season), **kwargs)


def _provenance(season: SeasonData, factors, ruleset, draws: int, seed: int,
                parameters: dict | None, parts: dict) -> dict:
    """What an evaluation was computed from and with (shown in the reports' footers)."""
    factor_frame = factors.to_frame()
    return {
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
