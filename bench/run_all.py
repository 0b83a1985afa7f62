"""``make bench``: every benchmark of the project in one run, ending with issue 14's table.

Every figure of the table is measured in this run (``bench/issue14.py`` formats it; a row not
measured says so). Plain ``make bench`` runs the province sizes 17, 60 (validation) and 100, about
25-30 minutes on an idle 2-core machine; ``make bench BENCH_PROVINCE=1000`` (or
``python bench/run_all.py --province 1000``) adds the 1,000-township rows: writing that season
(not timed) and its validation and build, an hour or more on 2 cores.

Usage: ``python bench/run_all.py [--province 1000] [--only build,report,...]``
(``--only`` runs some of the benchmarks, to check them; their rows alone are filled).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import issue14  # noqa: E402

BENCHES = ("emissions", "airquality", "build", "report", "province")


def _load(name: str):
    path = HERE / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _argv(name: str, province: str) -> list[str]:
    return ["--with-1000"] if name == "province" and province == "1000" else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", default=os.environ.get("BENCH_PROVINCE", ""), choices=("", "1000"),
                    help="1000: also the 1,000-township rows (an hour or more)")
    ap.add_argument("--only", default="", help=f"comma-separated, of {', '.join(BENCHES)} (default: all)")
    args = ap.parse_args(argv)
    only = [b for b in args.only.split(",") if b] or list(BENCHES)
    unknown = sorted(set(only) - set(BENCHES))
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    figures = issue14.Figures()
    t0 = time.monotonic()
    status = 0
    for name in (b for b in BENCHES if b in only):
        module = _load(f"bench_{name}")
        if module is None or not hasattr(module, "main"):
            continue
        print(f"\n##### bench_{name}", flush=True)
        t1 = time.monotonic()
        try:
            rc = module.main(_argv(name, args.province), figures=figures)
        except SystemExit as exc:  # argparse or an explicit exit
            rc = exc.code
        except Exception as exc:  # noqa: BLE001 - one failed benchmark must not hide the others' rows
            print(f"bench_{name} failed: {type(exc).__name__}: {exc}", flush=True)
            rc = 1
        print(f"(bench_{name}: {time.monotonic() - t1:,.0f} s wall)", flush=True)
        status = status or (rc or 0)
    print(f"\n##### issue 14 (make bench took {(time.monotonic() - t0) / 60:.1f} min wall)\n")
    print(issue14.format_table(figures), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
