"""The ``zzeval`` command line: a thin layer over the library; each subcommand calls one function.

Exit codes: 0 success, 1 the work failed (e.g. a township report failed to build),
2 bad input or usage (invalid data, unknown option); 128 + the signal when interrupted (130 Ctrl-C,
143 SIGTERM, 129 SIGHUP: SIGTERM and SIGHUP unwind like Ctrl-C, see :class:`Signalled`).

Output: a command's *result* goes to stdout (tables, JSON, the validation report, the path of an
installed kernel), so it can be piped; *messages* go to stderr (progress, "Wrote …", hints,
errors). ``zzeval build`` and ``zzeval export`` write files, so they print nothing on stdout.
``-v``/``--verbose`` shows the log (``logging``, INFO; ``-vv`` DEBUG) on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from zzeval import __version__
from zzeval.errors import (
    TOO_MANY_FILES_HINT,
    DataValidationError,
    InputError,
    NoSpaceError,
    ZzevalError,
    is_no_space,
    is_too_many_files,
)
from zzeval.season.data import DEFAULT_SEASON

#: Fewest Monte Carlo draws that give limits (zzeval.emissions.estimate.estimate_season refuses fewer but 0).
MIN_DRAWS = 100
#: What season.yaml of a `zzeval sample` season names as its generator.
SAMPLE_GENERATOR = "zzeval.synthetic.sample.write_sample"


def _writable_folder(path, option: str, write: bool = True) -> None:
    """Refuse an output folder that is a symbolic link loop, a file, lies under a file, or (``write``)
    cannot be written (before anything is written). A dry run passes ``write=False``: it may ask a
    read-only folder what is out of date, but a file is never a folder (hostile review s13-C, C16)."""
    from zzeval.atomic import check_no_symlink_loop, special_file_kind

    check_no_symlink_loop(path, option)
    path = Path(path)
    if path.exists() and not path.is_dir():
        kind = special_file_kind(path) or "a file"
        raise InputError(f"{option} {path} is {kind}, not a folder; give a folder (it is created if needed)")
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise InputError(f"{option} {path}: {existing} is a file, so the folder cannot be created there")
    if write and existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{option} {path}: {existing} is not writable; choose a folder you may write to")


def _not_a_real_season(path: Path) -> None:
    """Refuse to write the sample over a folder holding anything but an earlier sample: its tables
    would be replaced without a word (a county's own season among them)."""
    if not path.is_dir() or not any(path.iterdir()):
        return
    import yaml

    season = path / "season.yaml"
    try:
        meta = yaml.safe_load(season.read_text(encoding="utf-8")) if season.is_file() else None
    except (UnicodeDecodeError, yaml.YAMLError):
        meta = None
    if isinstance(meta, dict) and meta.get("synthetic") is True and meta.get("generator") == SAMPLE_GENERATOR:
        from zzeval.synthetic.sample import files_not_written

        foreign = files_not_written(path)
        if foreign:  # the folder is replaced whole: they would be deleted with it
            shown = ", ".join(foreign[:10]) + (f" and {len(foreign) - 10:,} more" if len(foreign) > 10 else "")
            raise InputError(f"DIR {path} is an earlier sample but also holds files `zzeval sample` does not "
                             f"write: {shown}; writing the sample again replaces the folder whole and would "
                             "delete them: move them out, or give another folder")
        return  # an earlier sample: written again
    raise InputError(f"DIR {path} already holds files and is not a sample written by `zzeval sample` (its "
                     "season.yaml does not say synthetic: true, generator: zzeval.synthetic.sample.write_sample); "
                     "the sample would overwrite its tables: give a new or empty folder")


def _check_draws(draws: int, central_only: bool) -> None:
    """``--draws``: at least 100 (the Monte Carlo limits need them; :func:`zzeval.emissions.estimate_season`),
    at most the limit of ``zzeval/reference/input_limits.csv`` (memory); 0 = central values only, where allowed."""
    from zzeval.resources import input_limit

    most = int(input_limit("draws"))
    if (central_only and draws == 0) or MIN_DRAWS <= draws <= most:
        return
    zero = "0 (central values only) or " if central_only else ""
    raise InputError(f"--draws must be {zero}between {MIN_DRAWS} and {most:,} (zzeval/reference/input_limits.csv: "
                     f"memory grows with the draws), got {draws:,}")


def _writable_file(path, option: str) -> None:
    """Refuse an output file that is a folder, a special file other than a character device or FIFO
    (which are written through: :func:`zzeval.atomic.check_output_file`), or whose folder is missing
    or read-only."""
    from zzeval.atomic import check_output_file

    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path} is a folder; give a file name")
    check_output_file(path, option)
    parent = path.parent
    if not parent.is_dir():
        raise InputError(f"{option} {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{option} {path} is not writable; choose another place")


def _season_name(name: str) -> str:
    from zzeval.season.data import SeasonPeriod

    return SeasonPeriod(name).name  # InputError for 'foo'


def _check_rules(data_dir, season) -> None:
    """The season's own verdict_rules.yaml, checked as the evaluation will read it, and the season's
    targets against the rules in effect."""
    from zzeval.assess.rulefile import check_season_rules

    check_season_rules(data_dir, season)


def _cmd_validate(args) -> int:
    from zzeval.assess.references import check_reference_tables
    from zzeval.atomic import check_no_symlink_loop
    from zzeval.pathnames import check_expanded
    from zzeval.season.columnar import check_season

    _season_name(args.season)
    check_expanded(args.data_dir, "DIR")
    check_no_symlink_loop(args.data_dir, "DIR")  # not "does not exist" (hostile review s13-C, C17)
    check_reference_tables()  # the package's own tables: an analyst may have edited them
    season, rows = check_season(args.data_dir, args.season)  # Parquet hourly tables: a chunk at a time
    _check_rules(args.data_dir, season)
    from zzeval.assess.evaluate import check_weather_model

    check_weather_model(season)
    from zzeval.season.replacements import PARALLEL_ROWS_KEY
    from zzeval.season.schema import OPTIONAL_TABLES, TABLES

    # every required table; an optional one (sites, county_tasks) when the folder has it
    counts = ", ".join(f"{name} {rows[name]:,}" for name in TABLES
                       if name not in OPTIONAL_TABLES or rows.get(name))
    parallel = int(season.meta.get(PARALLEL_ROWS_KEY) or 0)
    if parallel:  # the file's rows; the series keeps the replaced station's values in a parallel run
        counts = counts.replace(f"air_quality {rows['air_quality']:,}", f"air_quality {rows['air_quality']:,} (of them "
                                f"{parallel:,} of a replacing station's parallel run, whose hours are counted once: "
                                "the replaced station's values are used there)")
    print(f"OK: {args.data_dir} is a valid season {season.period.name} ({counts} rows)")
    if season.synthetic:
        print("Note: season.yaml marks this data as SYNTHETIC (not measurements).")
    for notice in season.meta.get("notices", []):
        print(f"Notice: {notice}")
    return 0


def _cmd_sample(args) -> int:
    from zzeval.season.plausible import input_limit
    from zzeval.synthetic.sample import write_sample

    if args.townships is not None and args.townships < 1:
        raise InputError(f"--townships must be at least 1, got {args.townships}")
    most = int(input_limit("sample.townships"))
    if args.townships is not None and args.townships > most:
        raise InputError(f"--townships must be at most {most:,} (zzeval/reference/input_limits.csv), got "
                         f"{args.townships:,}: write a smaller sample")
    if args.seed < 0:  # numpy's generators take no negative seed
        raise InputError(f"--seed must be 0 or more, got {args.seed}")
    _writable_folder(args.out_dir, "DIR")
    _not_a_real_season(Path(args.out_dir))
    out = write_sample(args.out_dir, seed=args.seed, n_townships=args.townships,
                       parquet=args.format == "parquet")
    print(f"Wrote the synthetic sample season to {out}", file=sys.stderr)
    return 0


def _cmd_factors(args) -> int:
    import pandas as pd

    from zzeval.emissions.factors import load_factors

    if args.out:
        _writable_file(args.out, "--out")
    table = load_factors(args.override).to_frame()
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"Wrote {len(table)} factors to {args.out}", file=sys.stderr)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60):
            print(table.to_string(index=False))
    return 0


def _cmd_estimate(args) -> int:
    from zzeval.emissions import estimate_season, write_estimate
    from zzeval.emissions.factors import load_factors
    from zzeval.season.loading import load_season

    _season_name(args.season)
    _check_draws(args.draws, central_only=True)
    if args.seed < 0:  # numpy's generators take no negative seed
        raise InputError(f"--seed must be 0 or more, got {args.seed}")
    fmt = _estimate_format(args.out, args.format)
    season = load_season(args.data_dir, args.season)
    factors = load_factors(args.factors)
    result = estimate_season(season, factors=factors, draws=args.draws, seed=args.seed)
    if not args.out:  # print the tidy table, like `zzeval factors`
        if fmt == "json":
            print(result.tidy().to_json(orient="records", force_ascii=False, indent=1))
        else:
            result.tidy().to_csv(sys.stdout, index=False)
        return 0
    write_estimate(result, args.out, format=fmt)
    print(f"Wrote emission reductions ({args.draws:,} draws, seed {args.seed}) to {args.out}", file=sys.stderr)
    return 0


def _estimate_format(out: str | None, fmt: str | None) -> str:
    """The format ``zzeval estimate`` writes (``--format``, else the ending of ``--out``, else csv),
    with ``--out`` checked: a .csv or .json file, or a folder (a name without an extension, or an
    existing folder); any other extension (x.xlsx) is refused, not taken as a folder's name."""
    import re

    if not out:
        return fmt or "csv"
    from zzeval.atomic import special_file_kind

    path = Path(out)
    if special_file_kind(path):  # /dev/null, /dev/stdout, a FIFO: one file, written through; a socket: refused
        _writable_file(out, "--out")
        return fmt or ("json" if path.suffix.lower() == ".json" else "csv")
    ending = path.suffix.lower()
    if ending in (".csv", ".json"):
        if fmt and fmt != ending[1:]:
            raise InputError(f"--out {out} is a {ending} file but --format is {fmt}: give a .{fmt} file, "
                             f"or leave out --format")
        _writable_file(out, "--out")
        return ending[1:]
    if re.fullmatch(r"\.[a-z]+", ending) and not path.is_dir():
        raise InputError(f"--out {out}: zzeval estimate writes a .csv or .json file, or a folder of CSV "
                         f"tables (a name without an extension), not a {ending} file")
    _writable_folder(out, "--out")
    return fmt or "csv"


def _cmd_aqi(args) -> int:
    from zzeval.airquality.aqi import aqi_table
    from zzeval.season.loading import read_air_quality_file

    if args.out:
        _writable_file(args.out, "--out")
    long = read_air_quality_file(Path(args.input))
    table, report = aqi_table(long, period=args.period, o3_8h=args.o3_8h)
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"Wrote {len(table):,} {args.period} AQI rows to {args.out}", file=sys.stderr)
    else:
        table.to_csv(sys.stdout, index=False)
    print(report, file=sys.stderr)
    return 0


def _cmd_build(args) -> int:
    from zzeval.build.builder import build_reports
    from zzeval.pathnames import check_expanded

    # everything a build could refuse for its configuration is checked before it writes anything
    _season_name(args.season)
    for option, value in (("--data", args.data), ("--out", args.out)):
        if not value.strip():  # an unset cron or Airflow variable: not the working folder
            raise InputError(f"{option} is empty (an unset variable?): give the folder")
        check_expanded(value, option)  # "~/reports" quoted in a crontab: not a folder named "~" (s14-C, N40)
    from zzeval.atomic import check_no_symlink_loop

    check_no_symlink_loop(args.data, "--data")
    if not Path(args.data).is_dir():
        raise InputError(f"--data {args.data}: no such season folder")
    # a dry run writes nothing: a read-only --out may be asked what is out of date (not a file)
    _writable_folder(args.out, "--out", write=not args.dry_run)  # the rules, factors, kernel: plan.load_checked
    from zzeval.build.options import check_jobs, whole_seconds

    check_jobs(args.jobs, local=args.executor != "dask" or not args.scheduler)
    _check_draws(args.draws, central_only=False)
    timeout = whole_seconds(args.timeout, "--timeout")  # nbclient takes whole seconds: 0.5 or inf failed every report
    townships = None
    if args.township:  # a slug, a Chinese name or a code, as in the notebooks' parameter
        from zzeval.season.locate import resolve_township

        townships = [resolve_township(args.data, name) for name in args.township]
    # a build's results are files: everything it prints is progress, so it goes to stderr
    with contextlib.redirect_stdout(sys.stderr):
        summary = build_reports(
            data_dir=args.data, season=args.season, out_dir=args.out, lang=args.lang, jobs=args.jobs,
            force=args.force, dry_run=args.dry_run, quiet=args.quiet, executor=args.executor,
            scheduler=args.scheduler, townships=townships, factors=args.factors,
            draws=args.draws, kernel=args.kernel, timeout=timeout,
            weather_model=args.weather_model,
        )
    return 0 if summary.ok else 1


def _cmd_kernel_install(args) -> int:
    from zzeval.build.kernels import install_kernel

    where = "user" if args.user else "prefix" if args.prefix else "sys-prefix"
    path = install_kernel(name=args.name, display_name=args.display_name, where=where, prefix=args.prefix)
    print(f"Installed the Jupyter kernel '{args.name}' for {sys.executable}; use it with "
          f"papermill -k {args.name}, or pick \"{args.display_name}\" in JupyterLab", file=sys.stderr)
    print(path)
    return 0


def _cmd_notebooks(args) -> int:
    from zzeval.resources import NOTEBOOKS, notebook_path

    names = [n if n.endswith(".ipynb") else f"{n}.ipynb" for n in args.names] or list(NOTEBOOKS)
    for name in names:
        print(notebook_path(name))
    return 0


def _cmd_export(args) -> int:
    from zzeval.build.export import export_notebook

    out = export_notebook(args.notebook, args.out, lang=args.lang)
    print(f"Wrote {out}", file=sys.stderr)
    return 0


def _add_verbose(parser: argparse.ArgumentParser, default=0) -> None:
    parser.add_argument("-v", "--verbose", action="count", default=default,
                        help="show the log on stderr (-v: INFO, -vv: DEBUG)")


def _subparser(sub, name: str, help: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".")
    _add_verbose(p, default=argparse.SUPPRESS)  # also accepted after the command
    return p


def _season_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--season", default=DEFAULT_SEASON, metavar="SEASON",
                   help=f"the assessed autumn-winter season, e.g. {DEFAULT_SEASON} (default); the one "
                        "before it is the comparison")


def _add_analysis_commands(sub) -> None:
    p = _subparser(sub, "validate", "check a season folder and list every problem")
    p.add_argument("data_dir", metavar="DIR", help="the season folder (one file per table, see data/README.md)")
    _season_option(p)
    p.set_defaults(func=_cmd_validate)

    p = _subparser(sub, "sample", "write the synthetic sample season (deterministic)")
    p.add_argument("out_dir", metavar="DIR", help="folder to write the season into (created)")
    p.add_argument("--seed", type=int, default=2020, help="random seed (default 2020: the shipped sample)")
    p.add_argument("--townships", type=int, default=None,
                   help="number of townships (default: Zezhou's 17; more adds synthetic ones)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="file format of the hourly tables (parquet: for big seasons, needs pyarrow)")
    p.set_defaults(func=_cmd_sample)

    p = _subparser(sub, "factors", "print the emission-factor table in use")
    p.add_argument("--override", metavar="FILE", help="an analyst's factor file applied over the shipped one")
    p.add_argument("--out", metavar="FILE", help="write the table as CSV instead of printing it")
    p.set_defaults(func=_cmd_factors)

    p = _subparser(sub, "estimate", "emission reductions with uncertainty, per township and measure")
    p.add_argument("data_dir", metavar="DIR", help="the season folder")
    _season_option(p)
    p.add_argument("--format", choices=("csv", "json"), default=None,
                   help="output format (default: the ending of --out, else csv)")
    p.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10,000)")
    p.add_argument("--seed", type=int, default=20201001, help="Monte Carlo seed (default 20201001)")
    p.add_argument("--factors", metavar="FILE", help="factor override file (see `zzeval factors`)")
    p.add_argument("--out", metavar="FILE", help="write here (a .csv/.json file, or a folder for all tables); "
                   "default: print the tidy table")
    p.set_defaults(func=_cmd_estimate)

    p = _subparser(sub, "aqi", "AQI per HJ 633-2012 from the long form")
    p.add_argument("input", metavar="INPUT", help="air-quality table in the long form (CSV, CSV.GZ or XLSX)")
    p.add_argument("--period", choices=("hourly", "daily"), default="hourly",
                   help="hourly AQI or daily AQI (default hourly)")
    p.add_argument("--o3-8h", action="store_true",
                   help="hourly: include the IAQI of the 8-h O3 moving mean in the AQI (default: the national "
                        "real-time convention, 1-h values only, the 8-h O3 mean shown beside)")
    p.add_argument("--out", metavar="FILE", help="write the AQI table as CSV instead of printing it")
    p.set_defaults(func=_cmd_aqi)


def _add_report_commands(sub) -> None:
    p = _subparser(sub, "build", "build the township, county and index reports")
    p.add_argument("--data", default="data/sample", metavar="DIR",
                   help="the season folder (default data/sample)")
    _season_option(p)
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder; reports go to DIR/SEASON/ (default reports)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="report language: zh Simplified Chinese (default) or en")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: number of cores)")
    p.add_argument("--force", action="store_true", help="rebuild everything")
    p.add_argument("--dry-run", action="store_true", help="list what would be built and why")
    p.add_argument("--quiet", action="store_true", help="print only failures and then the summary; nothing on success (for cron)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="where notebooks run: local worker processes (default) or a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster)")
    p.add_argument("--township", action="append", metavar="TOWNSHIP",
                   help="build only this township: its slug, Chinese name or code (repeatable)")
    p.add_argument("--factors", metavar="FILE", help="factor override file (see `zzeval factors`)")
    p.add_argument("--draws", type=int, default=10_000,
                   help="Monte Carlo draws of the emission estimates (default 10,000)")
    p.add_argument("--weather-model", choices=("gam", "gbm", "ols"), default=None,
                   help="weather adjustment: gam (default: joint statsmodels fit), gbm (gradient-"
                        "boosted trees) or ols (previous-season regression); default: the season's "
                        "season.yaml weather_model, else gam (docs/methods_airquality.md)")
    p.add_argument("--kernel", default="auto",
                   help="Jupyter kernel: 'auto' (the project kernel 'zzeval' if it runs this interpreter, "
                        "else this interpreter), 'current', or a kernel name")
    p.add_argument("--timeout", type=float, default=900, metavar="SECONDS",
                   help="execution timeout per notebook, whole seconds (default 900)")
    p.set_defaults(func=_cmd_build)

    p = _subparser(sub, "notebooks", "print where the report notebooks are installed (to run them "
                                     "with papermill)")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="township_report, county_report or what_if (default: all three)")
    p.set_defaults(func=_cmd_notebooks)

    p = _subparser(sub, "export", "turn an executed report notebook (e.g. from papermill) into the "
                                  "offline HTML report zzeval build writes")
    p.add_argument("notebook", metavar="NOTEBOOK", help="the executed notebook (.ipynb)")
    p.add_argument("--out", metavar="FILE", help="the HTML file (default: NOTEBOOK with .html)")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="page language (default: the notebook's 'lang' parameter, else zh; another "
                        "than the one the notebook ran with is refused)")
    p.set_defaults(func=_cmd_export)

    p = _subparser(sub, "kernel", "manage the Jupyter kernel 'zzeval' (optional: without it, zzeval "
                                  "uses the interpreter it runs in)")
    ksub = p.add_subparsers(dest="kernel_command", required=True, metavar="ACTION")
    k = _subparser(ksub, "install", "register this interpreter as the Jupyter kernel 'zzeval'")
    where = k.add_mutually_exclusive_group()
    where.add_argument("--sys-prefix", action="store_true",
                       help="in this environment (venv or conda env; the default)")
    where.add_argument("--user", action="store_true", help="for the current user (~/.local/share/jupyter)")
    where.add_argument("--prefix", metavar="DIR", help="under another prefix, e.g. a JupyterHub environment")
    k.add_argument("--name", default="zzeval", help="kernel name (default zzeval)")
    k.add_argument("--display-name", default="Python (zzeval)",
                   help="name shown in JupyterLab (default 'Python (zzeval)')")
    k.set_defaults(func=_cmd_kernel_install)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zzeval",
        description="Evaluate Zezhou County's autumn-winter air plan and build township reports.",
        epilog="Results go to stdout, messages to stderr. Exit codes: 0 success, 1 a report failed, "
               "2 bad input or usage; 1 also when the disk is full.",
    )
    parser.add_argument("--version", action="version", version=f"zzeval {__version__}",
                        help="print the version and exit")
    _add_verbose(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_analysis_commands(sub)
    _add_report_commands(sub)
    return parser


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if not verbose else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger("zzeval")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class Signalled(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``timeout``, systemd, a closed terminal or ssh session) raised as an
    interrupt, so that a command unwinds as after Ctrl-C: its ``finally`` blocks stop the build's
    workers, release the lock and remove its temporary files."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_signalled(signum, frame) -> None:
    import signal

    for sig in _UNWINDING_SIGNALS:  # a second signal during the clean-up ends the process at once
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, signal.SIG_DFL)
    raise Signalled(signum)


#: Signals that interrupt a command like Ctrl-C does (names, as not every platform has SIGHUP).
_UNWINDING_SIGNALS: list = []


@contextlib.contextmanager
def _signals_unwind():
    """SIGTERM and SIGHUP raise :class:`Signalled` while the command runs (main thread only)."""
    import signal
    import threading

    previous = {}
    if threading.current_thread() is threading.main_thread():
        _UNWINDING_SIGNALS[:] = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
        for sig in _UNWINDING_SIGNALS:
            with contextlib.suppress(ValueError, OSError):
                previous[sig] = signal.signal(sig, _raise_signalled)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)


def _interrupted(command: str, exc: KeyboardInterrupt) -> int:
    """Say that ``command`` was interrupted, and by what; the shell's exit code (128 + signal)."""
    import signal

    signum = getattr(exc, "signum", signal.SIGINT)
    name = signal.Signals(signum).name
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
        print(f"zzeval {command}: interrupted{'' if name == 'SIGINT' else f' ({name})'}", file=sys.stderr)
    return 128 + int(signum)


def main(argv: list[str] | None = None) -> int:
    from zzeval import stdout

    with stdout.guarded():  # a result that cannot be written is said, exit 1 (zzeval.stdout)
        return _run(build_parser(), argv)


def _run(parser: argparse.ArgumentParser, argv: list[str] | None) -> int:
    from zzeval import pathnames, stdout

    for stream in (sys.stdout, sys.stderr):  # a name the locale cannot decode, shown as ls shows it
        pathnames.show_names_as_bytes(stream)
    args = stdout.parse_and_flush(parser, argv)
    _setup_logging(args.verbose)
    logging.getLogger("zzeval.cli").info("zzeval %s %s (Python %s)", __version__, args.command, sys.executable)
    refused = pathnames.refusal(args.command, vars(args))  # only where the command cannot work
    if refused:
        print(f"zzeval {args.command}: error: {refused}", file=sys.stderr)
        return 2
    try:
        with _signals_unwind():
            code = args.func(args)
            sys.stdout.flush()  # the result written, or its loss said (below)
            return code
    except DataValidationError as exc:
        for note in exc.notes:  # e.g. a column ignored: often the cause of the problems listed next
            print(f"zzeval {args.command}: notice: {note}", file=sys.stderr)
        print(f"zzeval {args.command}: {exc}", file=sys.stderr)
        print("Nothing was built or written. Fix the problems above and run again.", file=sys.stderr)
        return 2
    except NoSpaceError as exc:  # the input was fine, the output did not fit: a fault, exit 1
        print(f"zzeval {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except ZzevalError as exc:
        print(f"zzeval {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        # a path given on the command line that cannot be read or written
        where = f"{exc.filename}: {exc.strerror}" if exc.filename is not None else str(exc)  # pyarrow: no filename
        print(f"zzeval {args.command}: error: {where}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `zzeval factors | head`
        sys.stderr.close()
        return 0
    except OSError as exc:
        if isinstance(exc, stdout.StdoutError):
            return stdout.result_lost(args.command, exc)
        if is_too_many_files(exc):
            print(f"zzeval {args.command}: error: {TOO_MANY_FILES_HINT} ({exc})", file=sys.stderr)
            return 2
        if not is_no_space(exc):
            raise
        from zzeval.atomic import no_space_message

        print(f"zzeval {args.command}: error: {no_space_message(exc.filename, exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        return _interrupted(args.command, exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
