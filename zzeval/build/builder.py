"""``zzeval build``: the season's township reports, county report, index and summary, built fast,
incrementally, in isolation from each other's failures, on one machine or on a Dask cluster.

A build is three steps (``docs/architecture_build.md``; ``docs/pipeline.md`` for clusters and
schedules):

1. **Plan** (:mod:`zzeval.build.plan`): a rebuild with nothing changed is answered from the state
   alone; otherwise every input is loaded and checked before anything is written, the evaluation
   is computed once (cached), and each report is keyed on the slice of the evaluation its notebook
   reads, with the reason it is stale.
2. **Run** (:mod:`zzeval.build.run`): the stale reports on an executor, local worker processes or
   Dask, each report built by :func:`zzeval.build.tasks.run_task` (warm kernels, timeouts, checks,
   atomic writes), every worker dying with the build (:mod:`zzeval.build.lifeline`).
3. **Publish** (:mod:`zzeval.build.publish`): ``summary.json``/``csv``, the state after each
   report, the data hash on unchanged pages, the checked index, the build log.

A township whose notebook fails does not stop the others: its executed notebook is kept as the
log, its previous good report (if any) stays in place and is marked *stale* in the index, and the
build's summary is not ``ok`` (the CLI exits 1).
"""

from __future__ import annotations

import time
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from zzeval.build.plan import (
    COUNTY,
    DEFAULT_SEASON,
    BuildContext,
    BuildInputs,
    BuildOptions,
    check_language,
    default_prepare,
    early_runner,
    fast_path,
    load_checked,
    report_tasks,
    resolve_inputs,
    shared_evaluation,
    warm_up_task,
)
from zzeval.build.records import (
    LOG_FILE,
    STATE_FILE,
    STATE_VERSION,
    BuildLog,
    BuildSummary,
    Progress,
    ReportResult,
    load_state,
    read_state,
)
from zzeval.build.staleness import plan_reports

#: A rebuild with nothing changed imports only what it needs to find that out (the plan, the state,
#: the digests): the modules that build, run and publish are imported once there is work to do
#: (``tests/build/test_noop_imports.py``).
_LAZY = {"INDEX": "zzeval.build.publish", "check_index": "zzeval.build.publish"}
if TYPE_CHECKING:
    from zzeval.build.publish import INDEX, check_index


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["COUNTY", "DEFAULT_SEASON", "INDEX", "LOG_FILE", "STATE_FILE", "STATE_VERSION", "BuildOptions",
           "BuildSummary", "ReportResult", "build", "build_reports", "check_index", "default_notebook",
           "default_prepare"]



def default_notebook(name: str) -> Path:
    """The shipped notebook ``name``: ``notebooks/`` of the checkout, else the installed copy
    (see :mod:`zzeval.resources`), whatever the current folder."""
    from zzeval.resources import notebooks_dir

    return notebooks_dir() / name


def build_reports(data_dir="data/sample", season: str = DEFAULT_SEASON, out_dir="reports",
                  lang: str = "zh", jobs: int | None = None, force: bool = False,
                  dry_run: bool = False, quiet: bool = False, executor: str = "local",
                  scheduler: str | None = None, townships=None, factors=None, draws: int = 10_000,
                  **options) -> BuildSummary:
    """Build the season's reports into ``out_dir/<season>/`` (:func:`build` with these options).

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
    **options
        Keyword-only, the other fields of :class:`~zzeval.build.plan.BuildOptions`:
        ``notebook``, ``county_notebook`` (the township and county notebooks, default the
        project's ``notebooks/``; ``county_notebook=None`` builds no county report); ``timeout``
        (s, wall clock of one notebook); ``start_timeout`` (s) and ``retries`` of a kernel start;
        ``kernel`` (``"auto"``, ``"current"`` or a kernelspec name,
        :func:`~zzeval.build.kernels.resolve_kernel`); ``kernel_reuse``; ``prepare``
        (``prepare(season, factors=, draws=, seed=)`` returning a
        :class:`~zzeval.assess.evaluate.ReportSource`, default :func:`default_prepare`); ``seed``;
        ``warm_imports``; ``exporter`` (``"module:function"``, ``f(nb, lang) -> str``).

    Returns
    -------
    BuildSummary

    Raises
    ------
    ZzevalError
        ``DataValidationError`` (the season is invalid), another configuration error (verdict
        rules, factors): nothing was written. ``BuildError``: another build holds the folder's
        lock, a notebook or the kernel is missing, or the Dask scheduler cannot be reached.
    """
    known = {f.name for f in fields(BuildOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"build_reports() got unexpected keyword argument(s) {', '.join(unknown)}")
    return build(BuildOptions(data_dir=data_dir, season=season, out_dir=out_dir, lang=lang, jobs=jobs,
                              force=force, dry_run=dry_run, quiet=quiet, executor=executor,
                              scheduler=scheduler, townships=townships, factors=factors, draws=draws,
                              **options))


def build(options: BuildOptions) -> BuildSummary:
    """Plan, run and publish one build (see the module's documentation)."""
    t_start = time.monotonic()
    inputs = resolve_inputs(options)
    from zzeval.report.fonts import check_font_env

    check_font_env()  # a ZZEVAL_CJK_FONT that is no font failed every report after the evaluation (s14-C, N06)
    state, problem = load_state(inputs.season_dir / STATE_FILE)
    if problem is not None and not options.quiet:  # set aside: everything rebuilt once (review s13-C, C27)
        import sys

        print(f"zzeval build: the build state {inputs.season_dir / STATE_FILE} cannot be used: {problem}; "
              "it is set aside and every report is rebuilt once", file=sys.stderr, flush=True)
    check_language(inputs, state)
    from zzeval.atomic import BuildLock

    fast = fast_path(inputs, state)
    damaged = _damaged(inputs, state) if fast is None else []
    if fast is not None and not options.dry_run:  # not "up to date" while another build is publishing here
        BuildLock(inputs.season_dir).refuse_if_held()
    if fast is not None:
        fast.seconds = time.monotonic() - t_start
        if not options.quiet:
            print(("Dry run: " if options.dry_run else "") + f"nothing to build: {len(fast.reports)} "
                  f"report(s) up to date ({inputs.season_dir / 'index.html'})", flush=True)
        return fast
    from zzeval.build.lifeline import remove_scratch, scratch_folder, tracker_survives_hangup
    from zzeval.dask_logs import keep_log

    scratch = None if options.dry_run else scratch_folder()  # removed below, whatever happens
    runner = lock = executor = None
    try:
        runner = early_runner(inputs, scratch)  # its workers start while the season is split
        if runner is not None:
            tracker_survives_hangup()
        season, kernel, rows = load_checked(inputs, runner, scratch)  # raises before anything is written into --out
        lock = None if options.dry_run else BuildLock(inputs.season_dir).acquire()
        ctx = _context(inputs, season, kernel, t_start)
        ctx.rows, ctx.runner, ctx.scratch = rows, runner, scratch
        if damaged and not options.dry_run:
            ctx.log.write("republish", damaged=damaged)
        executor = _warm_executor(ctx)
        return _build_locked(ctx, executor)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM/SIGHUP in the CLI: no warm-up is waited for
        if executor is not None:
            executor.kill()
        raise
    finally:
        if runner is not None:
            runner.close()
        if executor is not None:
            executor.close()
        if lock is not None:  # the Dask clusters' own records, kept when this build may write here
            keep_log(scratch, inputs.season_dir / ".cache")
            lock.release()
        remove_scratch(scratch)  # after the workers: nothing writes into it any more


def _damaged(inputs: BuildInputs, state: dict) -> list[str]:
    """When nothing changed but a file the last build published was cut, edited or removed since
    (:func:`~zzeval.build.records.published_problems`): those files, said in one line (stderr) before
    the build writes them again; else []. Hostile review s14-C, N02."""
    from zzeval.build.records import published_problems

    opts = inputs.options
    if opts.force or inputs.selection or state.get("fast_key") != inputs.fast_key:
        return []
    damaged = published_problems(inputs.season_dir, state)
    if damaged and not opts.quiet:
        import sys

        shown = "; ".join(damaged[:5]) + (f"; and {len(damaged) - 5} more" if len(damaged) > 5 else "")
        verb = "would be written again (dry run)" if opts.dry_run else "are written again"
        print(f"zzeval build: nothing changed, but the published files are not all those the last build wrote "
              f"({shown}): they {verb}", file=sys.stderr, flush=True)
    return damaged


def _warm_executor(ctx: BuildContext):
    """The local executor, its workers started and warming their kernels and exporters
    (:meth:`~zzeval.build.run.LocalExecutor.warm`) while the evaluation runs, when this build
    evaluates the season (its reports are then stale); else None (made when needed)."""
    if ctx.runner is None or ctx.options.executor != "local" or ctx.options.dry_run:
        return None
    from zzeval.build.run import LocalExecutor

    reports = len(ctx.inputs.selection or ctx.season.slugs) + (ctx.inputs.county_nb is not None)
    executor = LocalExecutor(jobs=min(ctx.inputs.jobs, reports), log_dir=ctx.season_dir / ".cache", tmp_dir=ctx.scratch)
    executor.warm(warm_up_task(ctx))  # no more workers than reports it may build
    return executor


def _context(inputs: BuildInputs, season, kernel, t_start: float) -> BuildContext:
    import uuid

    from zzeval.assess.evaluate import data_hash
    from zzeval.atomic import remove_stale_temp_files

    opts = inputs.options
    build_id = uuid.uuid4().hex[:12]
    slugs = [str(s) for s in season.slugs]
    ctx = BuildContext(
        inputs=inputs, season=season, data_sha256=data_hash(season),
        names=dict(zip(slugs, [str(n) for n in season.townships["name_zh"]], strict=False)),
        kernel=kernel, build_id=build_id, state=read_state(inputs.season_dir / STATE_FILE),
        log=BuildLog(inputs.season_dir / LOG_FILE, build_id),
        summary=BuildSummary(season=opts.season, out_dir=inputs.out_root, dry_run=opts.dry_run,
                             kernel=kernel.name), started=t_start)
    if not opts.dry_run:
        remove_stale_temp_files(inputs.season_dir)
        ctx.log.write("build_start", season=opts.season, data_dir=str(inputs.data_dir),
                      data_sha256=ctx.data_sha256, lang=opts.lang, jobs=inputs.jobs, executor=opts.executor,
                      scheduler=opts.scheduler, force=opts.force, kernel=kernel.name, kernel_why=kernel.why,
                      townships=inputs.selection)
    return ctx


def _build_locked(ctx: BuildContext, executor=None) -> BuildSummary:
    import threading

    from zzeval.build.lifeline import Lease, Owner
    from zzeval.build.publish import Publisher, warm_index
    from zzeval.build.run import make_executor

    opts, summary = ctx.options, ctx.summary
    evaluation = shared_evaluation(ctx)
    planned = plan_reports(ctx, evaluation)
    stale = [p for p in planned if p.reason and p.selected]
    summary.reports += [ReportResult(slug=p.slug, name=ctx.name(p.slug), status="up_to_date",
                                     reason="unchanged", html=ctx.state["reports"][p.slug].get("html"),
                                     built_at=ctx.state["reports"][p.slug].get("built_at"))
                        for p in planned if not p.reason and p.selected]
    if opts.dry_run:
        summary.reports += [ReportResult(slug=p.slug, name=ctx.name(p.slug), status="planned", reason=p.reason)
                            for p in stale]
        summary.seconds = time.monotonic() - ctx.started
        if not opts.quiet:
            print(summary.text(), flush=True)
        return summary
    progress = Progress(len(stale), opts.quiet)
    publisher = Publisher(ctx, planned, progress)
    publisher.summary_files(evaluation)  # they do not depend on the notebooks: written first
    if outdated := [p for p in planned if p.reason and not p.selected]:
        names = ", ".join(f"{ctx.name(p.slug)}: {p.reason}" for p in outdated[:5]) + (" …" if len(outdated) > 5 else "")
        progress.info(f"{len(outdated)} report(s) outside --township are out of date and not rebuilt ({names}); "
                      "the index marks them: build without --township to update them")
    if stale:
        lease = Lease(ctx.season_dir / ".cache" / "build.lease", ctx.build_id).start()
        try:
            tasks = report_tasks(ctx, stale, Owner.this_process(ctx.build_id, lease.path))
            workers = min(ctx.inputs.jobs, len(tasks))  # no more workers than reports (hostile review 8B, B7)
            progress.info(f"Building {len(tasks)} report(s) of season {opts.season} with {workers} "
                          f"{opts.executor} worker(s), kernel: {ctx.kernel.why}")
            if executor is None:
                executor = make_executor(opts.executor, workers, opts.scheduler, ctx.season_dir / ".cache",
                                         tmp_dir=ctx.scratch)
            warming = threading.Thread(target=warm_index, args=(opts.lang,), name="zzeval-warm-index", daemon=True)
            warming.start()  # the index's exporter made ready while the reports are built
            executor.run(tasks, publisher.record)
            warming.join()
        finally:
            progress.close()
            lease.stop()
    publisher.finish(evaluation, ctx.inputs.fast_key)
    import sys

    if not opts.quiet or not summary.ok:
        print(summary.text(), file=sys.stdout if summary.ok else sys.stderr, flush=True)
    if stale and (notice := publisher.changed_notice()):  # a save during the build (s14-C, N20)
        print(notice, file=sys.stderr, flush=True)
        ctx.log.write("season_changed", files=publisher.changed)
    return summary
