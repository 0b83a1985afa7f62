"""Plan: what a build is asked to do, what is stale and why.

1. :func:`resolve_inputs` turns the :class:`BuildOptions` into checked paths and digests (the
   notebooks, the package code, the season folder's bytes) without loading anything;
2. :func:`fast_path` answers a rebuild with nothing changed from the state alone;
3. :func:`load_checked` loads and checks every input the build will use (the season, the verdict
   rules, the factor file, the selection, the kernel) *before* anything is created in ``--out``:
   a build refused for bad input leaves no lock, no log, no folder;
4. :func:`shared_evaluation` computes the evaluation once per distinct input (cached);
5. :func:`zzeval.build.staleness.plan_reports` keys every report and names what changed;
6. :func:`report_tasks` describes each stale report's run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zzeval.build import hashing
from zzeval.build.records import COUNTY, SUMMARY_FILES, BuildLog, BuildSummary, ReportResult
from zzeval.errors import BuildError, ZzevalError
from zzeval.season.data import DEFAULT_SEASON

if TYPE_CHECKING:  # imported where used: a rebuild with nothing to do does not import them
    from zzeval.build.lifeline import Owner
    from zzeval.build.tasks import ReportTask



@dataclass
class BuildOptions:
    """Everything a caller may ask of a build (:func:`zzeval.build.builder.build_reports`
    documents each option)."""

    data_dir: str | os.PathLike = "data/sample"
    season: str = DEFAULT_SEASON
    out_dir: str | os.PathLike = "reports"
    lang: str = "zh"
    jobs: int | None = None
    force: bool = False
    dry_run: bool = False
    quiet: bool = False
    executor: str = "local"
    scheduler: str | None = None
    townships: Sequence[str] | None = None
    factors: str | os.PathLike | None = None
    draws: int = 10_000
    notebook: str | os.PathLike | None = None
    county_notebook: str | os.PathLike | None = "default"
    timeout: float = 900
    start_timeout: float = 60
    retries: int = 1
    kernel: str = "auto"
    kernel_reuse: bool = True
    prepare: Callable | None = None
    seed: int | None = None
    warm_imports: Sequence[str] | None = None
    exporter: str | None = None
    weather_model: str | None = None  #: gam, gbm or ols; None: season.yaml's, else gam


@dataclass
class BuildInputs:
    """The options resolved and checked, with the digests of what does not need loading."""

    options: BuildOptions
    data_dir: Path
    out_root: Path
    season_dir: Path
    jobs: int
    township_nb: Path
    county_nb: Path | None
    selection: list[str] | None
    code: str
    folder: str
    notebooks: dict[str, str]
    eval_params: dict
    report_params: dict
    #: :func:`zzeval.build.hashing.folder_file_digests` of the season folder, of which ``folder`` is
    #: the digest (:func:`check_folder_unchanged` compares them with what the build loaded)
    files: dict[str, str] = field(default_factory=dict)
    #: each notebook's bytes ("township", "county") as read once: ``notebooks`` holds their digests
    #: and the reports run these very bytes (:func:`notebook_snapshots`), not the file read again later
    notebook_bytes: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def eval_key(self) -> str:
        return hashing.sha256_json({"data": self.folder, "code": self.code, "params": self.eval_params})

    @property
    def fast_key(self) -> str:
        return hashing.sha256_json({"data": self.folder, "notebooks": self.notebooks, "code": self.code,
                                    "params": {**self.eval_params, **self.report_params}})


@dataclass
class BuildContext:
    """What the run and publish steps share: the loaded season, its data hash, the state."""

    inputs: BuildInputs
    season: object
    data_sha256: str
    names: dict[str, str]
    kernel: object
    build_id: str
    state: dict
    log: BuildLog
    summary: BuildSummary
    started: float = field(default_factory=time.monotonic)
    #: the season's air-quality rows split by station (:mod:`zzeval.season.township_rows`) when
    #: ``season`` was loaded without them (the default evaluation's tasks read their own)
    rows: object = None
    #: the runner of the evaluation's tasks, started before the split (:func:`early_runner`)
    runner: object = None
    #: the build's folder for temporary files (:func:`zzeval.build.lifeline.scratch_folder`)
    scratch: Path | None = None

    @property
    def options(self) -> BuildOptions:
        return self.inputs.options

    @property
    def season_dir(self) -> Path:
        return self.inputs.season_dir

    def name(self, slug: str) -> str:
        return "county" if slug == COUNTY else self.names.get(slug, slug)


@dataclass
class PlannedReport:
    """One report of the plan: its key and its components; ``reason`` is None when up to date.
    ``results``: where its slice of the evaluation was saved for its notebook (stale reports of a
    build that writes; the slice itself is not kept: a province's slices together would not fit)."""

    slug: str
    key: str
    components: dict
    reason: str | None
    results: Path | None = None
    #: False for a report outside a ``--township`` selection: keyed only to tell whether the page
    #: the index links still shows this season's data (not built, nothing saved)
    selected: bool = True


def _notebooks(options: BuildOptions) -> tuple[Path, Path | None]:
    from zzeval.build.builder import default_notebook

    township = Path(options.notebook).resolve() if options.notebook else default_notebook("township_report.ipynb")
    if not township.is_file():
        raise BuildError(f"the township notebook {township} does not exist")
    if options.county_notebook == "default":
        county = default_notebook("county_report.ipynb")
        return township, county if county.is_file() else None
    county = Path(options.county_notebook).resolve() if options.county_notebook else None
    if county is not None and not county.is_file():
        raise BuildError(f"the county notebook {county} does not exist")
    return township, county


def _callable_name(fn) -> str:
    if fn is None:
        return "default"
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def resolve_inputs(options: BuildOptions) -> BuildInputs:
    """Check the options and compute the digests that need no loading (nothing is written)."""
    from zzeval.build.options import check_numbers, check_out_apart_from_data, default_jobs
    from zzeval.i18n import check_lang

    check_lang(options.lang)
    if options.executor not in ("local", "dask"):
        raise BuildError(f"unknown executor {options.executor!r}: use 'local' or 'dask'")
    if options.scheduler and options.executor != "dask":  # it would be ignored: local workers would run
        raise BuildError(f"--scheduler {options.scheduler} needs --executor dask (without it the reports run "
                         "on local workers and the scheduler is not used)")
    check_numbers(options)  # --jobs, --timeout: before anything runs
    from zzeval.atomic import check_no_symlink_loop

    for option, value in (("--data", options.data_dir), ("--out", options.out_dir)):
        check_no_symlink_loop(Path(value).expanduser(), option)  # resolve() raised RuntimeError (s13-C, C17)
    data_dir = Path(options.data_dir).expanduser().resolve()
    out_root = Path(options.out_dir).expanduser().resolve()
    _check_out_folders(out_root / options.season)
    check_out_apart_from_data(data_dir, out_root, out_root / options.season)
    township_nb, county_nb = _notebooks(options)
    factors = options.factors
    if factors and not Path(factors).is_file():  # hashed below: say what it is before
        raise BuildError(f"--factors {factors}: " + ("is a folder; give the factor file (CSV)"
                                                     if Path(factors).is_dir() else "file not found"))
    eval_params = {"season": options.season, "draws": options.draws, "seed": options.seed,
                   "weather_model": options.weather_model,
                   "factors": hashing.file_sha256(factors) if factors else "",
                   "prepare": _callable_name(options.prepare)}
    files = hashing.folder_file_digests(data_dir) if data_dir.is_dir() else {}
    sources = {"township": _notebook_bytes(township_nb), **({"county": _notebook_bytes(county_nb)} if county_nb else {})}
    return BuildInputs(
        options=options, data_dir=data_dir, out_root=out_root, season_dir=out_root / options.season,
        jobs=max(1, int(options.jobs or default_jobs())), township_nb=township_nb, county_nb=county_nb,
        selection=sorted(set(options.townships)) if options.townships else None,
        code=hashing.code_digest(), folder=hashing.files_digest(files) if data_dir.is_dir() else "", files=files,
        notebooks={"township": hashing.notebook_digest(sources["township"]),
                   "county": hashing.notebook_digest(sources["county"]) if county_nb else ""},
        notebook_bytes=sources,
        eval_params=eval_params,
        report_params={"season": options.season, "lang": options.lang, "exporter": options.exporter or "default"})


#: The folders a build writes into (the season's folder and those in it), and what it keeps there.
_OUT_FOLDERS = {"": "reports", ".cache": "cache (the evaluation, the split rows, the workers' logs)",
                "townships": "township reports", "notebooks": "executed notebooks",
                ".cache/notebooks": "copies of the notebooks it runs"}


def _check_out_folders(season_dir: Path) -> None:
    """Refuse a build whose output folders exist as files (a sync tool's placeholder, a stray
    ``touch``), or whose notebook copies exist as folders, before anything is written or evaluated:
    the build would fail half-way with a traceback (s10 re-review B, N4: after the whole evaluation)."""
    for name, what in _OUT_FOLDERS.items():
        path = season_dir / name if name else season_dir
        if path.exists() and not path.is_dir():
            raise BuildError(f"--out: {path} is a file, not a folder; the build keeps its {what} there: "
                             "remove or rename the file, or build into another --out")
    for role in ("township", "county"):
        if (path := season_dir / ".cache" / "notebooks" / f"{role}.ipynb").is_dir():
            raise BuildError(f"--out: {path} is a folder, where the build keeps its copy of the {role} notebook: "
                             "remove or rename that folder (the build writes the copy again), or build into another --out")


_LANGUAGES = {"zh": "Chinese (zh)", "en": "English (en)"}


def check_language(inputs: BuildInputs, state: dict) -> None:
    """Refuse a build in one language into a season folder whose reports were built in another:
    they would be replaced one by one (a reader's Chinese reports overwritten by English ones
    without a word). ``--force`` replaces them; another ``--out`` keeps both. Page by page (each
    page's language is in its build key's parameters): with ``--township``, only those pages count."""
    opts = inputs.options
    if opts.force:
        return
    old, chosen = state.get("lang"), set(inputs.selection or ())
    other = {}  # page by page: a --township build in another language leaves a folder of both (review 8B, B2)
    for slug, entry in (state.get("reports") or {}).items():
        lang = ((entry.get("components") or {}).get("params") or {}).get("lang") or old
        if entry.get("html") and lang and lang != opts.lang and (not chosen or slug in chosen):
            other[entry.get("name") or slug] = _LANGUAGES.get(lang, lang)
    if not other:
        return
    names = ", ".join(list(other)[:5]) + (" …" if len(other) > 5 else "")
    raise BuildError(f"{inputs.season_dir} holds {len(other)} report(s) built in {', '.join(sorted(set(other.values())))} "
                     f"({names}); building {_LANGUAGES.get(opts.lang, opts.lang)} reports there would replace them: "
                     f"pass another --out for them (e.g. --out {inputs.out_root.name}-{opts.lang}), or --force to "
                     "replace them")


def fast_path(inputs: BuildInputs, state: dict) -> BuildSummary | None:
    """The summary of a rebuild with nothing changed since a complete, successful build (every
    report in place), from the state alone; None when there is anything to do."""
    opts = inputs.options
    if opts.force or inputs.selection or state.get("fast_key") != inputs.fast_key:
        return None
    reports, season_dir = state.get("reports", {}), inputs.season_dir
    if not reports or not all((season_dir / name).is_file() for name in ("index.html", *SUMMARY_FILES)):
        return None  # a page or summary file deleted (or never written) since: built again
    if inputs.county_nb is not None and COUNTY not in reports:
        return None
    from zzeval.build.records import published_problems

    if published_problems(season_dir, state):
        return None  # a page or summary file cut, edited or replaced since: written again (s14-C, N02)
    out = BuildSummary(season=opts.season, out_dir=inputs.out_root, fast_path=True, kernel=state.get("kernel", ""))
    for slug, entry in sorted(reports.items()):
        if entry.get("status") != "built" or not (season_dir / entry.get("html", "")).is_file():
            return None
        out.reports.append(ReportResult(slug=slug, name=entry.get("name", slug), status="up_to_date",
                                        reason="unchanged", html=entry.get("html"),
                                        built_at=entry.get("built_at")))
    return out


def rows_dir(inputs: BuildInputs) -> Path:
    """Where the season's air-quality rows are split by station: named after the data folder's
    content (a changed folder is split again), under the output's ``.cache``."""
    return inputs.season_dir / ".cache" / f"rows-{inputs.folder[:16] or 'unhashed'}"


def load_checked(inputs: BuildInputs, runner=None, scratch: Path | None = None):
    """Load and check every input of the build before anything is written: the season
    (:func:`zzeval.season.loading.load_season`), the verdict rules it will be judged by, the factor
    file, the township selection and the kernel. Returns ``(season, kernel choice, rows)``.

    With the default evaluation (no ``prepare``) and not a dry run, the season is loaded without
    its air-quality rows, which are split by station into :func:`rows_dir` once the whole season
    is valid (:func:`zzeval.season.township_rows.split_season`; a Parquet table is read a chunk
    at a time): ``rows`` is their store, else None. ``runner`` (:func:`early_runner`) is started
    just before the split, so that its workers start and import while this process splits;
    ``scratch`` (the build's temporary folder) holds the split until it is complete.

    Raises
    ------
    ZzevalError
        (``DataValidationError``, ``BuildError`` …) naming the file and what to fix.
    """
    from zzeval.assess.evaluate import check_weather_model
    from zzeval.assess.references import check_reference_tables
    from zzeval.assess.rulefile import check_season_rules
    from zzeval.build.kernels import resolve_kernel
    from zzeval.build.run import check_scheduler_reachable
    from zzeval.emissions.factors import load_factors
    from zzeval.season.loading import load_season

    opts = inputs.options
    check_reference_tables()  # the package's own tables (an analyst's edit) before anything is written
    if opts.executor == "dask" and opts.scheduler and not opts.dry_run:
        check_scheduler_reachable(opts.scheduler)  # before anything is written into --out
    check_season_rules(inputs.data_dir)  # checked as the evaluation will read them (issue 13)
    if opts.factors:
        load_factors(opts.factors)
    kernel = resolve_kernel(opts.kernel)
    rows = None
    if opts.prepare is None and not opts.dry_run:
        from zzeval.season.township_rows import split_season

        before = _existing_parents(rows_dir(inputs))
        if runner is not None:
            runner.start()
        from zzeval.assess.runners import split_tasks

        season, rows = split_season(inputs.data_dir, rows_dir(inputs), opts.season, scratch=scratch,
                                    **split_tasks(runner))
    else:
        season = load_season(inputs.data_dir, opts.season)
    slugs = [str(s) for s in season.slugs]
    unknown = [s for s in inputs.selection or () if s not in slugs]
    try:
        check_folder_unchanged(inputs, season)
        check_weather_model(season, opts.weather_model)  # season.yaml's weather_model (issue 13)
        check_season_rules(inputs.data_dir, season)  # its targets against the rules in effect (review 9A, F4)
        if unknown:
            raise BuildError(f"unknown township(s) {', '.join(unknown)}; known: {', '.join(slugs)}")
    except ZzevalError:
        if rows is not None:
            _remove_new(rows_dir(inputs), before)  # a refused build leaves nothing in --out
        raise
    return season, kernel, rows


def check_folder_unchanged(inputs: BuildInputs, season, during: str = "read it") -> None:
    """Refuse a build whose season folder changed while it was read (a clerk's save, a sync tool
    bringing a new export): the evaluation and the pages are keyed on the folder's digest taken
    before the loading (``inputs.folder``), so data loaded from other bytes would be kept under
    the wrong key, and published as up to date once the folder holds the old bytes again
    (hostile review 8, B8). The folder is digested again after the loading, and every file the
    loading hashed (``season.file_hashes``) must be one the first digest saw; and again after the
    evaluation (``during="evaluated it"``), which reads the season's ``verdict_rules.yaml`` itself.

    Raises
    ------
    BuildError
        Naming the files that changed; nothing has been written into ``--out`` (after the
        evaluation: nothing published, the evaluation not kept; the build log says it started).
    """
    if not inputs.data_dir.is_dir():
        return
    now = hashing.folder_file_digests(inputs.data_dir)
    changed = [name for name in sorted(set(now) | set(inputs.files)) if now.get(name) != inputs.files.get(name)]
    if not changed:  # changed and changed back while it was read (a save undone, a sync's retry)
        seen = set(inputs.files.values())
        changed = [f"the {name} table" for name, digest in sorted(season.file_hashes.items())
                   if digest and digest not in seen]
    if changed:
        raise BuildError(f"the season folder {inputs.data_dir} changed while the build {during} "
                         f"({', '.join(changed[:5])}{' …' if len(changed) > 5 else ''}): nothing was built; "
                         "build again once the files are saved (a save or a sync in progress?)")


def _existing_parents(path: Path) -> set[Path]:
    return {p for p in (path, *path.parents) if p.exists()}


def _remove_new(path: Path, existed: set[Path]) -> None:
    """Remove ``path`` and its parent folders that did not exist in ``existed`` (deepest first)."""
    import shutil

    if path not in existed:
        shutil.rmtree(path, ignore_errors=True)
    for parent in path.parents:
        if parent in existed:
            break
        try:
            parent.rmdir()
        except OSError:
            break


def evaluation_runner(options: BuildOptions, jobs: int, scratch: Path | None = None):
    """The runner of the evaluation's per-township tasks on the build's executor: ``jobs`` local
    processes, or the Dask cluster (the one at ``scheduler``, else a local one of ``jobs``
    workers, its scratch space in the build's ``scratch`` folder)."""
    from zzeval.assess.tasks import make_runner

    return make_runner("dask" if options.executor == "dask" else "local", jobs, options.scheduler, scratch)


def evaluation_path(inputs: BuildInputs) -> Path:
    """Where the evaluation of these inputs is kept (:func:`shared_evaluation`)."""
    return inputs.season_dir / ".cache" / f"evaluation-{inputs.eval_key[:20]}.pkl"


def early_runner(inputs: BuildInputs, scratch: Path | None = None):
    """The runner of the evaluation's tasks when this build will run them (the default
    evaluation, not a dry run, no evaluation kept for these inputs or ``--force``), else None: given to
    :func:`load_checked`, which starts it before the split, and closed by the caller."""
    opts = inputs.options
    if opts.prepare is not None or opts.dry_run or (evaluation_path(inputs).is_file() and not opts.force):
        return None
    return evaluation_runner(opts, inputs.jobs, scratch)


def default_prepare(season, factors=None, draws: int = 10_000, seed: int | None = None,
                    weather_model: str | None = None):
    """The work shared by all townships: :func:`zzeval.assess.evaluate.evaluate_season`, once per build."""
    from zzeval.assess.evaluate import evaluate_season

    kwargs = {"factors": factors, "draws": draws, "weather_model": weather_model}
    if seed is not None:
        kwargs["seed"] = seed
    return evaluate_season(season, **kwargs)


def shared_evaluation(ctx: BuildContext):
    """The evaluation (a :class:`~zzeval.assess.evaluate.ReportSource`), computed once per
    distinct input and kept in ``.cache/evaluation-<key>.pkl`` (not written by a dry run), the
    data hash it was computed from and its own hash beside it (``evaluation-<key>.json``,
    :mod:`zzeval.build.evaluation_cache`)."""
    from zzeval.build.evaluation_cache import cached_evaluation, keep_evaluation

    opts, cache = ctx.options, ctx.season_dir / ".cache"
    path = evaluation_path(ctx.inputs)
    t0 = time.monotonic()
    evaluation = cached_evaluation(ctx, path)
    if evaluation is None:
        if not opts.quiet:
            print(f"Evaluating season {opts.season} once for all reports (air quality, weather models, "
                  f"emission Monte Carlo with {opts.draws:,} draws) ...", flush=True)
        kwargs = {"factors": opts.factors, "draws": opts.draws}
        if opts.seed is not None:
            kwargs["seed"] = opts.seed
        if opts.weather_model is not None:
            kwargs["weather_model"] = opts.weather_model
        if opts.prepare is None and ctx.rows is not None:  # per-township tasks on the executor
            from zzeval.assess.evaluate import evaluate_season

            runner = ctx.runner or evaluation_runner(opts, ctx.inputs.jobs, ctx.scratch)
            try:
                evaluation = evaluate_season(ctx.season, runner=runner, cache_dir=cache / "townships",
                                             rows=ctx.rows, **kwargs)
            finally:  # its workers' memory is not held while the reports are built
                runner.close()
        else:
            evaluation = (opts.prepare or default_prepare)(ctx.season, **kwargs)
        if not opts.quiet:
            print(f"Evaluation done in {time.monotonic() - t0:.0f} s", flush=True)
        check_folder_unchanged(ctx.inputs, ctx.season, "evaluated it")  # it reads verdict_rules.yaml again
        if not opts.dry_run:
            keep_evaluation(ctx, path, evaluation)
    _remove_old_rows(ctx)
    _prune_township_cache(ctx)
    ctx.summary.evaluation_seconds = time.monotonic() - t0
    if not opts.dry_run:
        ctx.log.write("evaluation", seconds=round(ctx.summary.evaluation_seconds, 3), path=str(path))
    return evaluation


def _remove_old_rows(ctx: BuildContext) -> None:
    """The splits of earlier versions of the data removed (this build holds the folder's lock)."""
    import shutil

    if ctx.options.dry_run:
        return
    keep = rows_dir(ctx.inputs)
    for old in (ctx.season_dir / ".cache").glob("rows-*"):
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def prune_township_cache(cache_dir: Path, keep: set[str]) -> list[str]:
    """Remove the per-township results in ``cache_dir`` (``<key>.pkl``) whose key is not in
    ``keep``; returns the removed keys. Left-over temporary files of a killed writer go too."""
    removed = []
    for path in cache_dir.glob("*.pkl"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
            removed.append(path.stem)
    for tmp in cache_dir.glob("*.tmp"):
        tmp.unlink(missing_ok=True)
    return sorted(removed)


def _prune_township_cache(ctx: BuildContext) -> None:
    """After the evaluation succeeded: the per-township results of earlier data, code or
    parameters removed from ``.cache/townships``, those of this build's evaluation kept (their
    keys computed as the evaluation computes them: :func:`~zzeval.assess.evaluate.township_cache_keys`).
    Without it the cache grows by a province's results (2.3 GB at 1,000 townships) every time
    the code of the evaluation changes."""
    from zzeval.assess.evaluate import township_cache_keys

    cache = ctx.season_dir / ".cache" / "townships"
    opts = ctx.options
    if opts.dry_run or opts.prepare is not None or ctx.rows is None or not cache.is_dir():
        return
    kwargs = {"weather_model": opts.weather_model, **({"seed": opts.seed} if opts.seed is not None else {})}
    removed = prune_township_cache(cache, township_cache_keys(ctx.season, rows=ctx.rows, **kwargs))
    if removed:
        ctx.log.write("prune", cache=str(cache), removed=len(removed))


def _run_fields(ctx: BuildContext, notebook: Path) -> dict:
    """The fields of a :class:`ReportTask` that say how it runs (kernel, folder, limits, exporter)."""
    opts = ctx.options
    return {"lang": opts.lang, "kernel": asdict(ctx.kernel), "cwd": str(notebook.parent),
            "timeout_s": int(opts.timeout), "start_timeout_s": int(opts.start_timeout),  # nbclient: whole seconds
            "start_retries": opts.retries, "kernel_reuse": opts.kernel_reuse,
            "generation": ctx.inputs.code, "exporter": opts.exporter,
            "warm_imports": list(opts.warm_imports) if opts.warm_imports is not None else None}


def warm_up_task(ctx: BuildContext) -> ReportTask:
    """A task that runs as the build's reports will (:func:`zzeval.build.tasks.warm_task` prepares
    a worker with it while the evaluation runs); it names no notebook to run and no file to write."""
    from zzeval.build.tasks import ReportTask

    notebook = ctx.inputs.county_nb or ctx.inputs.township_nb
    return ReportTask(id="__warm_up__", notebook=str(notebook), parameters={}, ipynb_path="", html_path="",
                      rel_html="", **_run_fields(ctx, notebook))


def _notebook_bytes(path: Path) -> bytes:
    """A report notebook's bytes, read once, refused (exit 2) unless they are a notebook: UTF-8 JSON with a
    list of cells (a save cut short or git conflict markers gave a JSONDecodeError traceback: s10
    re-review B, N2)."""
    try:
        data = path.read_bytes()
        hashing.notebook_digest(data)
    except OSError as exc:
        raise BuildError(f"notebook {path}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as exc:
        raise BuildError(f"notebook {path} is not a Jupyter notebook ({type(exc).__name__}: {str(exc)[:200]}): "
                         "restore it (git checkout, or JupyterLab's File > Revert) or fix it, then run again") from None
    return data


def notebook_snapshots(ctx: BuildContext) -> dict[str, Path]:
    """Write the notebooks' bytes the build read and keyed its reports on (``inputs.notebook_bytes``)
    into ``.cache/notebooks/`` and return these copies by role: the reports run them, so a notebook
    saved while the build runs is neither run under the old notebook's key nor recorded as built
    (hostile review s10-B, B1: the next build said "up to date" with pages of the edited notebook)."""
    from zzeval.atomic import atomic_write_bytes

    folder = ctx.season_dir / ".cache" / "notebooks"
    return {role: atomic_write_bytes(folder / f"{role}.ipynb", data)
            for role, data in ctx.inputs.notebook_bytes.items()}


def report_tasks(ctx: BuildContext, stale: list[PlannedReport], owner: Owner) -> list[ReportTask]:
    """The runs of the stale reports, longest first (by the last build's timings), each reading
    the slice :func:`plan_reports` saved (its notebook's ``results_path``)."""
    from zzeval.build.records import own_page
    from zzeval.build.tasks import ReportTask

    opts, inputs, season_dir = ctx.options, ctx.inputs, ctx.season_dir
    prev = ctx.state["reports"]
    snapshots = notebook_snapshots(ctx)
    tasks = []
    for item in stale:
        is_county = item.slug == COUNTY
        name = "county" if is_county else item.slug
        results = item.results
        if results is None:
            raise BuildError(f"report {item.slug} was planned without saving its slice (a dry run?)")
        params = {"season": opts.season, "data_dir": str(inputs.data_dir), "lang": opts.lang,
                  "results_path": str(results)}
        if not is_county:
            params["township"] = item.slug
        notebook = inputs.county_nb if is_county else inputs.township_nb
        rel_html = own_page(item.slug)  # the page its state entry names (load_state refuses another)
        tasks.append(ReportTask(  # runs the bytes its key was taken from; in the notebook's own folder
            id=item.slug, notebook=str(snapshots["county" if is_county else "township"]), parameters=params,
            ipynb_path=str(season_dir / "notebooks" / f"{name}.ipynb"), html_path=str(season_dir / rel_html),
            rel_html=rel_html, required_text=[] if is_county else [ctx.name(item.slug)],
            owner=owner.to_dict(), **_run_fields(ctx, notebook)))
    default = {COUNTY: 1e9}
    tasks.sort(key=lambda t: -float(prev.get(t.id, {}).get("seconds", default.get(t.id, 0))))
    return tasks
