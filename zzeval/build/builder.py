"""``zzeval build``: the season's township reports, county report, index and summary, built fast,
incrementally, in isolation from each other's failures, on one machine or on a Dask cluster.

What one build does (see ``docs/pipeline.md`` for running it on a cluster and on a schedule):

1. **Fast path.** One digest over the raw bytes of the season folder, the notebooks, the package
   code and the parameters; when it equals the last build's and every report of that build is in
   place, nothing is loaded and nothing is written (a no-change rebuild takes well under a second).
2. **Load and validate** the season (:func:`zzeval.season.loading.load_season`): invalid data raises
   :class:`~zzeval.errors.DataValidationError` before anything is written.
3. **Lock** the output folder (:class:`zzeval.build.atomic.BuildLock`); a second build into the same
   folder is refused with a message naming the holder.
4. **Shared work, once**: the evaluation (Monte Carlo, weather models; by default
   :func:`zzeval.assess.evaluate.evaluate_season`) is computed once per distinct input and cached as a
   pickle, which every notebook receives as its ``results_path`` parameter.
5. **Plan**: per report, a key from content hashes (:mod:`zzeval.build.hashing`); a report is
   rebuilt only when its key changed, with the reason recorded (``--dry-run`` prints the plan and
   stops).
6. **Run** the reports on ``jobs`` workers (threads each driving a warm Jupyter kernel, or Dask
   workers doing the same), each with start and execution timeouts and one retry of a kernel that
   failed to start (:mod:`zzeval.build.kernels`, :mod:`zzeval.build.tasks`).
7. **Write** every file atomically: the reports, the executed notebooks (logs), ``summary.json``
   and ``summary.csv``, ``index.html``, the build state and the JSON-lines build log.

A township whose notebook fails does not stop the others: its executed notebook is kept as the
log, its previous good report (if any) stays in place and is marked *stale* in the index, and the
build's summary is not ``ok`` (the CLI exits 1).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from zzeval.build.atomic import BuildLock, atomic_write_bytes, atomic_write_text, remove_stale_temp_files
from zzeval.errors import BuildError
from zzeval.build import hashing

DEFAULT_SEASON = "2020-2021"
STATE_FILE = ".build-state.json"
LOG_FILE = "build-log.jsonl"
STATE_VERSION = 1
COUNTY = "__county__"
INDEX = "__index__"

_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def default_notebook(name: str) -> Path:
    """``notebooks/<name>`` of the project (beside the package), else of the current folder."""
    for root in (_PROJECT_ROOT, Path.cwd()):
        path = root / "notebooks" / name
        if path.is_file():
            return path
    return _PROJECT_ROOT / "notebooks" / name


# --- results -----------------------------------------------------------------------------------

@dataclass
class ReportResult:
    """The outcome of one report in a build.

    ``status``: ``built`` (this build), ``up_to_date`` (unchanged, kept), ``failed`` (no report),
    ``stale`` (failed now, the previous good report is kept), ``planned`` (dry run),
    ``skipped`` (not selected).
    """

    slug: str
    name: str
    status: str
    reason: str = ""
    seconds: float = 0.0
    error: dict | None = None
    html: str | None = None
    built_at: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "stale")


@dataclass
class BuildSummary:
    """What a build did; ``ok`` is False when any report failed."""

    season: str
    out_dir: Path
    reports: list[ReportResult] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0
    evaluation_seconds: float = 0.0
    kernel: str = ""
    fast_path: bool = False

    @property
    def ok(self) -> bool:
        return not any(r.failed for r in self.reports)

    def by_status(self, status: str) -> list[ReportResult]:
        return [r for r in self.reports if r.status == status]

    @property
    def built(self) -> list[str]:
        return [r.slug for r in self.by_status("built")]

    @property
    def failed(self) -> list[str]:
        return [r.slug for r in self.reports if r.failed]

    @property
    def up_to_date(self) -> list[str]:
        return [r.slug for r in self.by_status("up_to_date")]

    @property
    def planned(self) -> list[str]:
        return [r.slug for r in self.by_status("planned")]

    def text(self) -> str:
        """A short human summary (the last lines the CLI prints)."""
        if self.dry_run:
            lines = [f"Dry run: {len(self.planned)} report(s) would be built, "
                     f"{len(self.up_to_date)} up to date."]
            lines += [f"  build {r.slug}: {r.reason}" for r in self.by_status("planned")]
            return "\n".join(lines)
        parts = [f"{len(self.built)} built", f"{len(self.up_to_date)} up to date"]
        if self.failed:
            parts.append(f"{len(self.failed)} FAILED")
        lines = [f"Season {self.season}: {', '.join(parts)} in {self.seconds:.1f} s -> "
                 f"{self.out_dir / self.season / 'index.html'}"]
        for r in self.reports:
            if r.failed:
                err = r.error or {}
                where = f" in code cell {err['code_cell_number']}" if err.get("code_cell_number") else ""
                kept = " (previous report kept, marked stale)" if r.status == "stale" else ""
                lines.append(f"  FAILED {r.slug}{where}: {err.get('ename', '')}: "
                             f"{str(err.get('evalue', '')).splitlines()[0][:200] if err.get('evalue') else ''}{kept}")
        return "\n".join(lines)


# --- progress and log --------------------------------------------------------------------------

class _Progress:
    """A progress bar on a terminal, plain lines otherwise, only failures with ``quiet``."""

    def __init__(self, total: int, quiet: bool, stream=None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.total = total
        self.done = 0
        self.bar = None
        if not quiet and total and getattr(self.stream, "isatty", lambda: False)():
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, file=self.stream, unit="report", dynamic_ncols=True)
            except ImportError:  # pragma: no cover
                self.bar = None

    def info(self, message: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=sys.stdout, flush=True)

    def update(self, result: ReportResult) -> None:
        self.done += 1
        if result.failed:
            err = result.error or {}
            msg = (f"[{self.done}/{self.total}] FAILED {result.slug} after {result.seconds:.1f} s: "
                   f"{err.get('ename', '')}: {str(err.get('evalue', ''))[:200]}")
            if self.bar is not None:
                self.bar.write(msg, file=self.stream)
            else:
                print(msg, file=sys.stderr, flush=True)
        elif not self.quiet and self.bar is None:
            print(f"[{self.done}/{self.total}] {result.status} {result.slug} in {result.seconds:.1f} s",
                  flush=True)
        if self.bar is not None:
            self.bar.set_postfix_str(result.slug, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Log:
    """The JSON-lines build log (appended, one object per line, flushed at once)."""

    def __init__(self, path: Path, build_id: str):
        self.path = path
        self.build_id = build_id
        self.lock = threading.Lock()

    def write(self, event: str, **fields) -> None:
        record = {"ts": _now(), "build": self.build_id, "event": event, **fields}
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:  # O_APPEND: whole lines
                fh.write(line)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


# --- state -------------------------------------------------------------------------------------

def _read_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "reports": {}}
    if state.get("version") != STATE_VERSION:
        return {"version": STATE_VERSION, "reports": {}}
    state.setdefault("reports", {})
    return state


def _write_state(path: Path, state: dict) -> None:
    atomic_write_text(path, json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True))


# --- the shared evaluation ---------------------------------------------------------------------

def default_prepare(season, factors=None, draws: int = 10_000, seed: int | None = None):
    """The work shared by all townships: :func:`zzeval.assess.evaluate.evaluate_season`, once per build."""
    from zzeval.assess.evaluate import evaluate_season

    if isinstance(factors, (str, os.PathLike)):
        from zzeval.emissions.factors import load_factors

        factors = load_factors(factors)
    kwargs = {"factors": factors, "draws": draws}
    if seed is not None:
        kwargs["seed"] = seed
    return evaluate_season(season, **kwargs)


def _save_evaluation(evaluation, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(evaluation, "save"):
        evaluation.save(path)  # atomic itself
    else:  # a stand-in from a custom ``prepare``
        import pickle

        atomic_write_bytes(path, pickle.dumps(evaluation, protocol=pickle.HIGHEST_PROTOCOL))


def _load_evaluation(path: Path, prepare=None):
    loader = getattr(prepare, "load", None)
    if callable(loader):
        return loader(path)
    try:
        from zzeval.assess.evaluate import Evaluation

        return Evaluation.load(path)
    except ImportError:
        import pickle

        return pickle.loads(path.read_bytes())


# --- the build ---------------------------------------------------------------------------------

def build_reports(data_dir="data/sample", season: str = DEFAULT_SEASON, out_dir="reports",
                  lang: str = "zh", jobs: int | None = None, force: bool = False,
                  dry_run: bool = False, quiet: bool = False, executor: str = "local",
                  scheduler: str | None = None, townships=None, factors=None, draws: int = 10_000,
                  *, notebook=None, county_notebook="default", timeout: float = 900,
                  start_timeout: float = 60, retries: int = 1, kernel: str = "auto",
                  kernel_reuse: bool = True, prepare=None, seed: int | None = None,
                  warm_imports=None, exporter: str | None = None) -> BuildSummary:
    """Build the season's reports into ``out_dir/<season>/``.

    Parameters
    ----------
    data_dir : path
        The season folder (``data/README.md``).
    season : str
        ``"2020-2021"`` by default.
    out_dir : path
        Reports go to ``out_dir/<season>/``: ``townships/<slug>.html``, ``county.html``,
        ``index.html``, ``summary.json``, ``summary.csv``, ``notebooks/<slug>.ipynb`` (executed
        notebooks = logs), ``build-log.jsonl``, and the state ``.build-state.json``.
    lang : {"zh", "en"}
    jobs : int, optional
        Parallel workers (default: the number of cores).
    force : bool
        Rebuild every report even when nothing changed.
    dry_run : bool
        Print what would be built and why; build and write nothing.
    quiet : bool
        Print only failures and the summary (for cron).
    executor : {"local", "dask"}
        ``dask`` runs the reports as tasks on a Dask distributed cluster: ``scheduler`` is its
        address, or a ``LocalCluster`` with ``jobs`` workers is started when it is None. The
        workers must see ``data_dir``, the notebooks and ``out_dir`` under the same paths.
    townships : list of str, optional
        Build only these township slugs (and not the county report).
    factors : path, optional
        Factor override file, passed to the evaluation.
    draws : int
        Monte Carlo draws of the evaluation.
    notebook, county_notebook : path, optional
        The township and county notebooks (default: the project's ``notebooks/``);
        ``county_notebook=None`` builds no county report.
    timeout : float
        Execution timeout of one notebook, s (wall clock, whole notebook).
    start_timeout : float
        Kernel start timeout, s; a kernel that fails to start is retried ``retries`` time(s).
    kernel : str
        ``"auto"`` (project kernel ``zzeval`` if registered for this interpreter, else this
        interpreter), ``"current"``, or a kernelspec name (:func:`~zzeval.build.kernels.resolve_kernel`).
    kernel_reuse : bool
        Reuse a warm kernel for several notebooks (namespace and plotting state reset in between).
    prepare : callable, optional
        ``prepare(season_data, factors=, draws=, seed=) -> evaluation``: the shared work, by
        default :func:`default_prepare`. The result is pickled (``.save(path)`` when it has it)
        and its path passed to every notebook as ``results_path``; ``None`` passes ``""``.
    seed : int, optional
        Random seed of the evaluation (its own default when None).
    exporter : str, optional
        ``"module:function"`` turning an executed notebook into HTML, ``f(nb, lang) -> str``
        (default :func:`zzeval.report.html_export.notebook_to_html`); it runs in the workers.
    warm_imports : sequence of str, optional
        Modules each kernel imports once before its first notebook (default: the scientific
        stack and ``zzeval``, :data:`~zzeval.build.kernels.DEFAULT_WARM_IMPORTS`).

    Returns
    -------
    BuildSummary

    Raises
    ------
    DataValidationError
        The season is invalid; nothing was written.
    BuildError
        Another build holds the folder's lock, a notebook or the kernel is missing, or the
        Dask scheduler cannot be reached.
    """
    t_start = time.monotonic()
    from zzeval.i18n import check_lang

    check_lang(lang)
    data_dir = Path(data_dir).expanduser().resolve()
    out_root = Path(out_dir).expanduser().resolve()
    season_dir = out_root / season
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    if executor not in ("local", "dask"):
        raise BuildError(f"unknown executor {executor!r}: use 'local' or 'dask'")

    nb_path = Path(notebook).resolve() if notebook else default_notebook("township_report.ipynb")
    if not nb_path.is_file():
        raise BuildError(f"the township notebook {nb_path} does not exist")
    if county_notebook == "default":
        cpath = default_notebook("county_report.ipynb")
        county_path = cpath if cpath.is_file() else None
    else:
        county_path = Path(county_notebook).resolve() if county_notebook else None
        if county_path is not None and not county_path.is_file():
            raise BuildError(f"the county notebook {county_path} does not exist")
    selection = sorted(set(townships)) if townships else None

    state_path = season_dir / STATE_FILE
    factors_sha = hashing.file_sha256(factors) if factors else ""
    params_common = {"season": season, "lang": lang, "draws": draws, "factors": factors_sha,
                     "seed": seed, "prepare": _callable_name(prepare), "exporter": exporter or "default"}
    code = hashing.code_digest()
    raw_data = hashing.folder_digest(data_dir) if data_dir.is_dir() else ""
    nb_digest = hashing.notebook_digest(nb_path)
    county_digest = hashing.notebook_digest(county_path) if county_path else ""
    fast_key = hashing.sha256_json({"data": raw_data, "nb": nb_digest, "county_nb": county_digest,
                                    "code": code, "params": params_common})

    # 1. fast path: nothing changed since a complete, successful build
    state = _read_state(state_path)
    if not force and state.get("fast_key") == fast_key and not selection:
        fast = _fast_path_summary(state, season, out_root, season_dir, county_path is not None)
        if fast is not None:
            fast.seconds = time.monotonic() - t_start
            if not quiet:
                print(("Dry run: " if dry_run else "")
                      + f"nothing to build: {len(fast.reports)} report(s) up to date "
                      f"({season_dir / 'index.html'})", flush=True)
            return fast

    # 2. load and validate (raises before anything is written)
    from zzeval.assess.evaluate import check_season_rules
    from zzeval.season.loading import load_season

    season_data = load_season(data_dir, season)
    check_season_rules(data_dir)  # the season's own verdict_rules.yaml, before the lock (issue 13)
    slugs = [str(s) for s in season_data.slugs]
    names = dict(zip(slugs, [str(n) for n in season_data.townships["name_zh"]], strict=False))
    if selection:
        unknown = [s for s in selection if s not in names]
        if unknown:
            raise BuildError(f"unknown township(s) {', '.join(unknown)}; known: {', '.join(slugs)}")

    lock = None if dry_run else BuildLock(season_dir).acquire()
    try:
        return _build_locked(**locals())
    finally:
        if lock is not None:
            lock.release()


def _callable_name(fn) -> str:
    if fn is None:
        return "default"
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _fast_path_summary(state, season, out_root, season_dir, want_county) -> BuildSummary | None:
    reports = state.get("reports", {})
    if not reports or not (season_dir / "index.html").is_file():
        return None
    if want_county and COUNTY not in reports:
        return None
    out = BuildSummary(season=season, out_dir=out_root, fast_path=True, kernel=state.get("kernel", ""))
    for slug, entry in sorted(reports.items()):
        if entry.get("status") != "built" or not (season_dir / entry.get("html", "")).is_file():
            return None
        out.reports.append(ReportResult(slug=slug, name=entry.get("name", slug), status="up_to_date",
                                        reason="unchanged", html=entry.get("html"),
                                        built_at=entry.get("built_at")))
    return out


def _build_locked(*, t_start, data_dir, out_root, season_dir, season, lang, jobs, force, dry_run,
                  quiet, executor, scheduler, selection, factors, draws, nb_path, county_path,
                  state_path, params_common, code, raw_data, nb_digest, county_digest, fast_key,
                  season_data, slugs, names, timeout, start_timeout, retries, kernel, kernel_reuse,
                  prepare, seed, warm_imports, exporter, **_ignored) -> BuildSummary:
    from zzeval.build.kernels import resolve_kernel

    build_id = uuid.uuid4().hex[:12]
    if not dry_run:
        remove_stale_temp_files(season_dir)
    state = _read_state(state_path)
    prev_reports = state.get("reports", {})
    log = _Log(season_dir / LOG_FILE, build_id)
    summary = BuildSummary(season=season, out_dir=out_root, dry_run=dry_run)
    choice = resolve_kernel(kernel)
    summary.kernel = choice.name
    if not dry_run:
        log.write("build_start", season=season, data_dir=str(data_dir), data_digest=raw_data,
                  lang=lang, jobs=jobs, executor=executor, scheduler=scheduler, force=force,
                  kernel=choice.name, kernel_why=choice.why, townships=selection)

    # 4. the shared evaluation, once per distinct input
    eval_key = hashing.sha256_json({"data": raw_data, "code": code, "params": params_common})
    cache_dir = season_dir / ".cache"
    eval_path = cache_dir / f"evaluation-{eval_key[:20]}.pkl"
    t_eval = time.monotonic()
    evaluation = None
    results_path = ""
    prepare_fn = prepare or default_prepare
    if eval_path.is_file():
        evaluation = _load_evaluation(eval_path, prepare)
        results_path = str(eval_path)
    else:
        kwargs = {"factors": factors, "draws": draws}
        if seed is not None:
            kwargs["seed"] = seed
        if not quiet:
            print(f"Evaluating season {season} once for all reports (air quality, weather models, "
                  f"emission Monte Carlo with {draws:,} draws) ...", flush=True)
        evaluation = prepare_fn(season_data, **kwargs)
        if not quiet:
            print(f"Evaluation done in {time.monotonic() - t_eval:.0f} s", flush=True)
        if evaluation is not None and not dry_run:
            _save_evaluation(evaluation, eval_path)
            results_path = str(eval_path)
            for old in cache_dir.glob("evaluation-*.pkl"):
                if old != eval_path:
                    old.unlink(missing_ok=True)
    summary.evaluation_seconds = time.monotonic() - t_eval
    if not dry_run:
        log.write("evaluation", seconds=round(summary.evaluation_seconds, 3), cached=eval_path.is_file()
                  and evaluation is not None and summary.evaluation_seconds < 0.5, path=results_path)

    table = hashing._summary_table(evaluation, lang) if evaluation is not None else None
    # the data hash shown to readers is the one every report footer shows (the evaluation's)
    shown_digest = (getattr(evaluation, "provenance", None) or {}).get("data_sha256") or raw_data
    key_col = hashing.township_key_column(table)
    verdicts = {}
    if key_col and "verdict" in table.columns:
        labels_ = table["verdict_label"] if "verdict_label" in table.columns else [None] * len(table)
        verdicts = {str(s): (v, lab) for s, v, lab in zip(table[key_col], table["verdict"], labels_,
                                                          strict=False)}

    # 5. plan
    per_town, shared = hashing.township_input_digests(season_data)
    res_digests = hashing.results_digests(evaluation, lang) if evaluation is not None else {}
    all_results = hashing.sha256_json(res_digests)
    plan: list[dict] = []
    keys: dict[str, dict] = {}
    wanted = selection or slugs
    for slug in slugs:
        comp = {"inputs": per_town.get(slug, {}), "shared": shared, "notebook": nb_digest,
                "code": code, "params": {**params_common, "township": slug},
                "results": res_digests.get(slug, "")}
        keys[slug] = comp
    if county_path is not None and not selection:
        keys[COUNTY] = {"inputs": {"all": raw_data}, "shared": {}, "notebook": county_digest,
                        "code": code, "params": params_common, "results": all_results}
    for slug, comp in keys.items():
        if slug != COUNTY and slug not in wanted:
            continue
        key = hashing.sha256_json(comp)
        prev = prev_reports.get(slug, {})
        reason = _reason(comp, prev, force, season_dir)
        if reason is None and prev.get("key") != key:
            reason = "build key changed"
        if reason:
            plan.append({"slug": slug, "key": key, "reason": reason})
        else:
            summary.reports.append(ReportResult(slug=slug, name=_name(slug, names), status="up_to_date",
                                                reason="unchanged", html=prev.get("html"),
                                                built_at=prev.get("built_at")))

    if dry_run:
        for item in plan:
            summary.reports.append(ReportResult(slug=item["slug"], name=_name(item["slug"], names),
                                                status="planned", reason=item["reason"]))
        summary.seconds = time.monotonic() - t_start
        if not quiet:
            print(summary.text(), flush=True)
        return summary

    # 6. run
    tasks = []
    for item in plan:
        slug = item["slug"]
        is_county = slug == COUNTY
        rel_html = "county.html" if is_county else f"townships/{slug}.html"
        params = {"season": season, "data_dir": str(data_dir), "lang": lang, "results_path": results_path}
        if not is_county:
            params["township"] = slug
        tasks.append({
            "id": slug, "notebook": str(county_path if is_county else nb_path), "parameters": params,
            "ipynb_path": str(season_dir / "notebooks" / f"{'county' if is_county else slug}.ipynb"),
            "html_path": str(season_dir / rel_html), "rel_html": rel_html, "lang": lang,
            "kernel": asdict(choice), "cwd": str((county_path if is_county else nb_path).parent),
            "timeout_s": timeout, "start_timeout_s": start_timeout, "start_retries": retries,
            "kernel_reuse": kernel_reuse, "generation": code,
            "warm_imports": list(warm_imports) if warm_imports is not None else None,
            "exporter": exporter,
            "required_text": [] if is_county else [names[slug]],
        })
    # longest first (by the last build's timings) balances the workers
    tasks.sort(key=lambda t: -float(prev_reports.get(t["id"], {}).get("seconds", 1e9 if t["id"] == COUNTY else 0)))
    progress = _Progress(len(tasks), quiet)
    if tasks:
        progress.info(f"Building {len(tasks)} report(s) of season {season} with {jobs} "
                      f"{executor} worker(s), kernel: {choice.why}")
    last_state_write = [0.0]

    def on_result(task: dict, res: dict) -> None:
        slug = task["id"]
        prev = prev_reports.get(slug, {})
        item = next(p for p in plan if p["slug"] == slug)
        entry = {"name": _name(slug, names), "key": item["key"], "components": keys[slug],
                 "seconds": round(res.get("seconds", 0.0), 3), "log": _rel(task["ipynb_path"], season_dir)}
        if res["status"] == "built":
            entry.update(status="built", html=task["rel_html"], built_at=res.get("finished_at"),
                         html_sha256=res.get("html_sha256"), error=None)
            status = "built"
        else:
            had_good = bool(prev.get("html")) and (season_dir / prev["html"]).is_file()
            entry.update(status="failed", error=res.get("error"),
                         html=prev.get("html") if had_good else None,
                         built_at=prev.get("built_at") if had_good else None,
                         key=None)  # never "up to date": retried by the next build
            status = "stale" if had_good else "failed"
        state["reports"][slug] = entry
        result = ReportResult(slug=slug, name=entry["name"], status=status, reason=item["reason"],
                              seconds=res.get("seconds", 0.0), error=res.get("error"),
                              html=entry.get("html"), built_at=entry.get("built_at"))
        summary.reports.append(result)
        log.write("report", report=slug, status=status, reason=item["reason"],
                  seconds=round(res.get("seconds", 0.0), 3),
                  kernel_start_s=round(res.get("kernel_start_s", 0.0), 3),
                  execute_s=round(res.get("execute_s", 0.0), 3), export_s=round(res.get("export_s", 0.0), 3),
                  kernel_reused=res.get("kernel_reused"), html_bytes=res.get("html_bytes"),
                  host=res.get("host"), error=res.get("error"))
        progress.update(result)
        if time.monotonic() - last_state_write[0] > 1.0:
            state["fast_key"] = None
            _write_state(state_path, state)
            last_state_write[0] = time.monotonic()

    # the machine-readable results do not depend on the notebooks: write them first
    _write_summary_files(season_dir, season, table, season_data, shown_digest, names)
    try:
        if tasks:
            state["fast_key"] = None
            if executor == "dask":
                from zzeval.build.dask_executor import run_tasks_dask

                run_tasks_dask(tasks, on_result, jobs=jobs, scheduler=scheduler)
            else:
                _run_tasks_local(tasks, on_result, jobs, log_dir=season_dir / ".cache")
    finally:
        progress.close()

    # 7. index, state, log
    built_at = _now()
    rows = []
    for slug in slugs:
        entry = state["reports"].get(slug) or {}
        rows.append(_index_row(slug, _name(slug, names), verdicts.get(slug), entry, summary, season_dir))
    county_row = None
    if COUNTY in state["reports"]:
        county_row = _index_row(COUNTY, "county", None, state["reports"][COUNTY], summary, season_dir)
    from zzeval.report.index_page import render_index

    summary_files = [f for f in ("summary.json", "summary.csv") if (season_dir / f).is_file()]
    html = render_index(rows, {"season": season, "built_at": built_at, "data_dir": str(data_dir),
                               "data_digest": shown_digest, "synthetic": season_data.synthetic,
                               "county": county_row, "summary_files": summary_files}, lang)
    index_problems = check_index(html, rows, county_row)
    if index_problems:
        # never publish a bad index: keep the previous one, keep the bad one beside the logs, fail
        atomic_write_text(season_dir / ".cache" / "index.failed.html", html)
        error = {"cell_index": -1, "code_cell_number": 0, "source_head": "", "ename": "ReportCheckError",
                 "evalue": "; ".join(index_problems)[:2000], "traceback": ""}
        summary.reports.append(ReportResult(slug=INDEX, name="index", status="failed",
                                            reason="index page", error=error))
        log.write("report", report=INDEX, status="failed", error=error)
    else:
        atomic_write_text(season_dir / "index.html", html)
    summary.seconds = time.monotonic() - t_start
    complete = (not selection and not index_problems
                and all(e.get("status") == "built" for e in state["reports"].values())
                and all(s in state["reports"] for s in slugs))
    state.update(version=STATE_VERSION, fast_key=fast_key if complete else None, kernel=choice.name,
                 last_build=build_id, last_build_at=built_at)
    _write_state(state_path, state)
    log.write("build_end", seconds=round(summary.seconds, 3), built=summary.built, failed=summary.failed,
              up_to_date=len(summary.up_to_date), ok=summary.ok)
    if not quiet or not summary.ok:
        print(summary.text(), file=sys.stdout if summary.ok else sys.stderr, flush=True)
    return summary


def check_index(html: str, rows: list[dict], county_row: dict | None = None) -> list[str]:
    """Problems of the season's ``index.html`` (:func:`zzeval.report.htmlcheck.check_report`), plus:
    every township's name is on the page, and every report that exists is linked.

    Parameters
    ----------
    html : str
        The index page.
    rows : list of dict
        The township rows given to :func:`zzeval.report.index_page.render_index` (``name``, ``html``).
    county_row : dict, optional
        The county report's row.
    """
    from html import escape

    from zzeval.report.htmlcheck import check_report

    problems = check_report(html, required_text=[str(r["name"]) for r in rows if r.get("name")])
    for row in [*rows, *([county_row] if county_row else [])]:
        link = row.get("html")
        if link and f'href="{escape(link)}"' not in html:
            problems.append(f"report {link} is not linked from the index")
    return problems


def _name(slug: str, names: dict) -> str:
    return "county" if slug == COUNTY else names.get(slug, slug)


def _rel(path: str, root: Path) -> str:
    return Path(path).resolve().relative_to(root).as_posix()


def _reason(comp: dict, prev: dict, force: bool, season_dir: Path) -> str | None:
    """Why a report must be rebuilt, or None when it is up to date."""
    if force:
        return "--force"
    if not prev:
        return "not built before"
    if prev.get("status") != "built":
        return "the previous build of this report failed"
    if not prev.get("html") or not (season_dir / prev["html"]).is_file():
        return "the report file is missing"
    old = prev.get("components") or {}
    reasons = []
    if old.get("notebook") != comp["notebook"]:
        reasons.append("notebook changed")
    if old.get("code") != comp["code"]:
        reasons.append("package code or library versions changed")
    old_p, new_p = old.get("params") or {}, comp["params"]
    changed_p = sorted(k for k in set(old_p) | set(new_p) if old_p.get(k) != new_p.get(k))
    if changed_p:
        reasons.append(f"parameters changed ({', '.join(changed_p)})")
    for label_, part in (("inputs", "inputs"), ("county-wide inputs", "shared")):
        o, n = old.get(part) or {}, comp[part]
        tables = sorted(k for k in set(o) | set(n) if o.get(k) != n.get(k))
        if tables:
            reasons.append(f"{label_} changed ({', '.join(tables)})")
    if old.get("results") != comp["results"]:
        reasons.append("evaluation results changed")
    return "; ".join(reasons) or None


def _index_row(slug, name, verdict, entry: dict, summary: BuildSummary, season_dir: Path) -> dict:
    this = next((r for r in summary.reports if r.slug == slug), None)
    status = this.status if this is not None else ("up_to_date" if entry.get("status") == "built" else
                                                   ("stale" if entry.get("html") else "failed") if entry
                                                   else "not_built")
    html = entry.get("html")
    if html and not (season_dir / html).is_file():
        html = None
    code, text = verdict if isinstance(verdict, tuple) else (verdict, None)
    return {"slug": slug, "name": name, "verdict": code, "verdict_label": text, "status": status, "html": html,
            "log": entry.get("log"), "built_at": entry.get("built_at"), "error": entry.get("error")}


def _write_summary_files(season_dir: Path, season: str, table, season_data, data_digest, names) -> None:
    """``summary.json`` and ``summary.csv``: the evaluation's summary table, one row per township."""
    import pandas as pd

    if table is None:
        table = pd.DataFrame({"slug": list(names), "name_zh": list(names.values())})
    table = table.reset_index(drop=True)
    records = json.loads(table.to_json(orient="records", force_ascii=False, double_precision=10))
    doc = {"season": season, "data_sha256": data_digest, "synthetic": bool(season_data.synthetic),
           "generated_by": "zzeval build", "townships": records}
    atomic_write_text(season_dir / "summary.json", json.dumps(doc, ensure_ascii=False, indent=1))
    atomic_write_bytes(season_dir / "summary.csv", table.to_csv(index=False).encode("utf-8-sig"))


# --- local executor ----------------------------------------------------------------------------

def _failed(task: dict, ename: str, evalue: str) -> dict:
    return {"id": task["id"], "status": "failed", "seconds": 0.0,
            "error": {"cell_index": -1, "code_cell_number": 0, "source_head": "", "ename": ename,
                      "evalue": evalue[:2000], "traceback": ""}}


def _run_tasks_local(tasks: list[dict], on_result, jobs: int, log_dir: Path | None = None) -> None:
    """Run ``tasks`` on ``jobs`` worker processes (:mod:`zzeval.build.worker`), each driving
    its own warm kernel, and call ``on_result(task, result)`` in this thread as results arrive.

    Processes, not threads: exporting a report (nbconvert, font subsetting) is pure Python and in
    threads would queue on this process's GIL. A worker that dies fails only its current report
    and is replaced.
    """
    import queue
    import subprocess

    todo: queue.Queue = queue.Queue()
    for task in tasks:
        todo.put(task)
    done: queue.Queue = queue.Queue()
    procs: list[subprocess.Popen] = []
    procs_lock = threading.Lock()
    stopping = threading.Event()

    def spawn(i: int) -> subprocess.Popen:
        err = subprocess.DEVNULL
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            err = open(log_dir / f"worker-{i}.log", "ab")  # noqa: SIM115 - owned by the process
        proc = subprocess.Popen([sys.executable, "-m", "zzeval.build.worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8",
                                bufsize=1)
        if err is not subprocess.DEVNULL:
            err.close()
        with procs_lock:
            procs.append(proc)
        return proc

    def feeder(i: int) -> None:
        proc = None
        try:
            while not stopping.is_set():
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    break
                if proc is None or proc.poll() is not None:
                    proc = spawn(i)
                try:
                    proc.stdin.write(json.dumps(task, ensure_ascii=False) + "\n")
                    proc.stdin.flush()
                    line = proc.stdout.readline()
                except (BrokenPipeError, OSError):
                    line = ""
                if line:
                    done.put((task, json.loads(line)))
                else:
                    code = proc.wait()
                    done.put((task, _failed(task, "WorkerDied",
                                            f"the build worker exited with code {code} while building "
                                            "this report (out of memory? killed?)")))
                    proc = None
        except Exception as exc:  # noqa: BLE001
            done.put((None, {"error": exc}))
        finally:
            if proc is not None and proc.poll() is None:
                try:
                    proc.stdin.close()
                    proc.wait(timeout=60)
                except Exception:  # noqa: BLE001
                    proc.kill()

    threads = [threading.Thread(target=feeder, args=(i,), name=f"zzeval-feeder-{i}", daemon=True)
               for i in range(min(jobs, len(tasks)))]
    for th in threads:
        th.start()
    received = 0
    try:
        while received < len(tasks):
            task, res = done.get()
            if task is None:
                raise BuildError(f"the local executor failed: {res['error']}")
            received += 1
            on_result(task, res)
    finally:
        stopping.set()
        if received < len(tasks):  # interrupted: stop the workers now
            with procs_lock:
                for proc in procs:
                    if proc.poll() is None:
                        proc.kill()
        for th in threads:
            th.join(timeout=90)
