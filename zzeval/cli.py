"""The ``zzeval`` command line: a thin layer over the library; each subcommand calls one function.

Exit codes: 0 success, 1 the work failed (e.g. a township report failed to build),
2 bad input or usage (invalid data, unknown option).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from zzeval import __version__
from zzeval.errors import DataValidationError, InputError, ZzevalError
from zzeval.season.data import DEFAULT_SEASON


def _writable_folder(path, option: str) -> None:
    """Refuse an output folder that is a file, lies under a file, or cannot be written (before
    anything is written)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {path} is a file, not a folder; give a folder (it is created if needed)")
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise InputError(f"{option} {path}: {existing} is a file, so the folder cannot be created there")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{option} {path}: {existing} is not writable; choose a folder you may write to")


def _writable_file(path, option: str) -> None:
    """Refuse an output file that is a folder or whose folder is missing or read-only."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path} is a folder; give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise InputError(f"{option} {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{option} {path} is not writable; choose another place")


def _season_name(name: str) -> str:
    from zzeval.season.data import SeasonPeriod

    return SeasonPeriod(name).name  # InputError for 'foo'


def _check_rules(data_dir) -> None:
    """The season's own verdict_rules.yaml, checked as the evaluation will read it."""
    from zzeval.assess.evaluate import check_season_rules

    check_season_rules(data_dir)


def _cmd_validate(args) -> int:
    from zzeval.season.loading import load_season

    _season_name(args.season)
    season = load_season(args.data_dir, args.season)
    _check_rules(args.data_dir)
    counts = ", ".join(f"{name} {len(season.table(name)):,}" for name in
                       ("townships", "heating_retrofits", "vehicles", "freight", "stations",
                        "air_quality", "meteorology", "dustfall", "targets", "tasks"))
    print(f"OK: {args.data_dir} is a valid season {season.period.name} ({counts} rows)")
    if season.synthetic:
        print("Note: season.yaml marks this data as SYNTHETIC (not measurements).")
    for notice in season.meta.get("notices", []):
        print(f"Notice: {notice}")
    return 0


def _cmd_sample(args) -> int:
    from zzeval.synthetic.sample import write_sample

    if args.townships is not None and args.townships < 1:
        raise InputError(f"--townships must be at least 1, got {args.townships}")
    _writable_folder(args.out_dir, "DIR")
    out = write_sample(args.out_dir, seed=args.seed, n_townships=args.townships)
    print(f"Wrote the synthetic sample season to {out}")
    return 0


def _cmd_factors(args) -> int:
    import pandas as pd

    from zzeval.emissions.factors import load_factors

    if args.out:
        _writable_file(args.out, "--out")
    table = load_factors(args.override).to_frame()
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"Wrote {len(table)} factors to {args.out}")
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
    if args.draws < 1:
        raise InputError(f"--draws must be at least 1, got {args.draws}")
    if args.out and Path(args.out).suffix.lower() in (".csv", ".json"):
        _writable_file(args.out, "--out")
    elif args.out:
        _writable_folder(args.out, "--out")
    season = load_season(args.data_dir, args.season)
    factors = load_factors(args.factors)
    result = estimate_season(season, factors=factors, draws=args.draws, seed=args.seed)
    if not args.out:  # print the tidy table, like `zzeval factors`
        if args.format == "json":
            print(result.tidy().to_json(orient="records", force_ascii=False, indent=1))
        else:
            result.tidy().to_csv(sys.stdout, index=False)
        return 0
    write_estimate(result, args.out, format=args.format)
    print(f"Wrote emission reductions ({args.draws:,} draws, seed {args.seed}) to {args.out}", file=sys.stderr)
    return 0


def _cmd_aqi(args) -> int:
    from zzeval.airquality.aqi import aqi_table
    from zzeval.season.loading import read_air_quality_file

    if args.out:
        _writable_file(args.out, "--out")
    long = read_air_quality_file(Path(args.input))
    table, report = aqi_table(long, period=args.period, o3_8h=args.o3_8h)
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"Wrote {len(table):,} {args.period} AQI rows to {args.out}")
    else:
        table.to_csv(sys.stdout, index=False)
    print(report, file=sys.stderr)
    return 0


def _cmd_build(args) -> int:
    from zzeval.build.builder import build_reports

    # everything a build could refuse for its configuration is checked before it writes anything
    _season_name(args.season)
    if not Path(args.data).is_dir():
        raise InputError(f"--data {args.data}: no such season folder")
    _writable_folder(args.out, "--out")
    _check_rules(args.data)
    if args.factors:
        from zzeval.emissions.factors import load_factors

        load_factors(args.factors)  # an invalid factor file is refused before the build locks --out
    for option in ("jobs", "draws"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise InputError(f"--{option} must be at least 1, got {value}")
    summary = build_reports(
        data_dir=args.data, season=args.season, out_dir=args.out, lang=args.lang, jobs=args.jobs,
        force=args.force, dry_run=args.dry_run, quiet=args.quiet, executor=args.executor,
        scheduler=args.scheduler, townships=args.township or None, factors=args.factors,
        draws=args.draws, kernel=args.kernel, timeout=args.timeout,
    )
    return 0 if summary.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zzeval",
        description="Evaluate Zezhou County's autumn-winter air plan and build township reports.",
    )
    parser.add_argument("--version", action="version", version=f"zzeval {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a season folder and list every problem")
    p.add_argument("data_dir", metavar="DIR")
    p.add_argument("--season", default=DEFAULT_SEASON)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("sample", help="write the synthetic sample season (deterministic)")
    p.add_argument("out_dir", metavar="DIR")
    p.add_argument("--seed", type=int, default=2020)
    p.add_argument("--townships", type=int, default=None,
                   help="number of townships (default: Zezhou's 17; more adds synthetic ones)")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("factors", help="print the emission-factor table in use")
    p.add_argument("--override", metavar="FILE", help="an analyst's factor file applied over the shipped one")
    p.add_argument("--out", metavar="FILE", help="write the table as CSV instead of printing it")
    p.set_defaults(func=_cmd_factors)

    p = sub.add_parser("estimate", help="emission reductions with uncertainty, per township and measure")
    p.add_argument("data_dir", metavar="DIR")
    p.add_argument("--season", default=DEFAULT_SEASON)
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--draws", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=20201001)
    p.add_argument("--factors", metavar="FILE", help="factor override file")
    p.add_argument("--out", metavar="FILE", help="write here (a .csv/.json file, or a folder for all tables); "
                   "default: print the tidy table")
    p.set_defaults(func=_cmd_estimate)

    p = sub.add_parser("aqi", help="AQI per HJ 633-2012 from the long form")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--period", choices=("hourly", "daily"), default="hourly")
    p.add_argument("--o3-8h", action="store_true",
                   help="hourly: include the IAQI of the 8-h O3 moving mean in the AQI (default: the national "
                        "real-time convention, 1-h values only, the 8-h O3 mean shown beside)")
    p.add_argument("--out", metavar="FILE")
    p.set_defaults(func=_cmd_aqi)

    p = sub.add_parser("build", help="build the township, county and index reports")
    p.add_argument("--data", default="data/sample", metavar="DIR")
    p.add_argument("--season", default=DEFAULT_SEASON)
    p.add_argument("--out", default="reports", metavar="DIR")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: number of cores)")
    p.add_argument("--force", action="store_true", help="rebuild everything")
    p.add_argument("--dry-run", action="store_true", help="list what would be built and why")
    p.add_argument("--quiet", action="store_true", help="print only failures and the summary (for cron)")
    p.add_argument("--executor", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster)")
    p.add_argument("--township", action="append", metavar="SLUG", help="build only this township (repeatable)")
    p.add_argument("--factors", metavar="FILE", help="factor override file")
    p.add_argument("--draws", type=int, default=10_000)
    p.add_argument("--kernel", default="auto",
                   help="Jupyter kernel: 'auto' (the project kernel 'zzeval' if it runs this interpreter, "
                        "else this interpreter), 'current', or a kernel name")
    p.add_argument("--timeout", type=float, default=900, metavar="SECONDS",
                   help="execution timeout per notebook (default 900)")
    p.set_defaults(func=_cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DataValidationError as exc:
        print(f"zzeval {args.command}: {exc}", file=sys.stderr)
        print("Nothing was built or written. Fix the problems above and run again.", file=sys.stderr)
        return 2
    except ZzevalError as exc:
        print(f"zzeval {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        # a path given on the command line that cannot be read or written
        print(f"zzeval {args.command}: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `zzeval factors | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"zzeval {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
