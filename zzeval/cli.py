"""The ``zzeval`` command line: a thin layer over the library; each subcommand calls one function.

Exit codes: 0 success, 1 the work failed (e.g. a township report failed to build),
2 bad input or usage (invalid data, unknown option).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zzeval import __version__
from zzeval.errors import DataValidationError, ZzevalError
from zzeval.season.data import DEFAULT_SEASON


def _cmd_validate(args) -> int:
    from zzeval.season.columnar import check_season

    season, rows = check_season(args.data_dir, args.season)  # Parquet hourly tables: a chunk at a time
    counts = ", ".join(f"{name} {rows[name]:,}" for name in
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

    out = write_sample(args.out_dir, seed=args.seed, n_townships=args.townships)
    if args.format == "parquet":
        from zzeval.season.columnar import convert_to_parquet

        convert_to_parquet(out)
    print(f"Wrote the synthetic sample season to {out}")
    return 0


def _cmd_factors(args) -> int:
    import pandas as pd

    from zzeval.emissions.factors import load_factors

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

    long = read_air_quality_file(Path(args.input))
    table, report = aqi_table(long, period=args.period)
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"Wrote {len(table):,} {args.period} AQI rows to {args.out}")
    else:
        table.to_csv(sys.stdout, index=False)
    print(report, file=sys.stderr)
    return 0


def _cmd_build(args) -> int:
    from zzeval.build.builder import build_reports

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
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="file format of the hourly tables (parquet: for big seasons, needs pyarrow)")
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
    except BrokenPipeError:  # e.g. `zzeval factors | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"zzeval {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
