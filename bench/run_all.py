"""``make bench``: every benchmark of the project, printing ratios measured in this run.

``bench_province`` runs the province sizes 17 and 100 (validate, evaluate, build; set
``ZZEVAL_BENCH_PROVINCE_SIZES=17,100,1000`` for the 1,000-township province, an hour or more of
CPU on 2 cores).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str):
    path = HERE / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main() -> int:
    status = 0
    for name in ("bench_emissions", "bench_airquality", "bench_build", "bench_report", "bench_province"):
        module = _load(name)
        if module is None or not hasattr(module, "main"):
            continue
        print(f"\n##### {name}", flush=True)
        try:
            rc = module.main([])
        except SystemExit as exc:  # argparse or an explicit exit
            rc = exc.code
        status = status or (rc or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
