"""The CPU of planning the reports (:func:`zzeval.build.staleness.plan_reports`: slice, key and save
each stale report's slice of the evaluation) per township, at several province sizes (issue 14:
"time per township flat from 17 to 100 to 1,000").

The evaluation is read from a pickle a build kept (``.cache/evaluation-*.pkl``) or, with
``--sample``, computed once from the sample season and kept under ``bench/out/plan``. ``--sizes``
restricts it to the first N townships (every table keyed by township cut to their rows; the
county-level tables kept whole): the planning's cost depends on the tables' sizes, not on the
values. Measured: ``time.process_time()`` around ``plan_reports`` of every township of the size
(a first build: every report stale, every slice saved); the county report (planned once per
build) is left out.

Usage: ``python bench/profile_plan.py [--evaluation PKL | --sample] [--sizes 17,100,1000]``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import time
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "plan"


def _restrict(value, slugs: set[str]):
    if isinstance(value, pd.DataFrame):
        for key in ("township", "slug"):
            if key in value.columns:
                return value[value[key].isin(slugs)].reset_index(drop=True)
        if {"level", "unit_id"} <= set(value.columns):
            return value[(value["level"] != "township") | value["unit_id"].isin(slugs)].reset_index(drop=True)
        return value
    if isinstance(value, dict):
        return {k: _restrict(v, slugs) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _restrict(getattr(value, f.name), slugs) for f in fields(value) if f.init})
    return value


def restrict(evaluation, n: int):
    """The evaluation of its first ``n`` townships (tables keyed by township cut to their rows)."""
    slugs = set(map(str, list(evaluation.slugs)[:n]))
    return _restrict(evaluation, slugs)


def _sample_evaluation():
    path = OUT / "sample-evaluation.pkl"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    from zzeval.assess.evaluate import evaluate_season
    from zzeval.season.loading import load_season

    evaluation = evaluate_season(load_season(ROOT / "data" / "sample"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(evaluation, protocol=pickle.HIGHEST_PROTOCOL))
    return evaluation


def _context(evaluation, out: Path, selection: list[str] | None):
    inputs = SimpleNamespace(selection=selection, county_nb=None if selection else Path("county.ipynb"),
                             notebooks={"township": "t", "county": "c"}, code="code",
                             report_params={"season": "2020-2021", "lang": "zh", "exporter": "default"})
    names = dict(zip(evaluation.townships["slug"].astype(str), evaluation.townships["name_zh"], strict=True))
    return SimpleNamespace(
        inputs=inputs, season=SimpleNamespace(slugs=list(evaluation.slugs)), state={"reports": {}},
        options=SimpleNamespace(force=False, dry_run=False), season_dir=out,
        data_sha256=evaluation.provenance.get("data_sha256", ""),
        name=lambda slug: "county" if slug == "__county__" else names.get(slug, slug))


def measure(evaluation, n: int) -> dict:
    from zzeval.build.staleness import plan_reports

    ev = restrict(evaluation, n)
    out = OUT / f"n{n}"
    shutil.rmtree(out, ignore_errors=True)
    slugs = [str(s) for s in ev.slugs]
    c0 = time.process_time()
    planned = plan_reports(_context(ev, out, slugs), ev)
    townships = time.process_time() - c0
    assert len(planned) == n and all(p.reason for p in planned)
    size = sum(f.stat().st_size for f in (out / ".cache").rglob("*") if f.is_file())
    shutil.rmtree(out, ignore_errors=True)
    return {"n": n, "cpu_s": townships, "per_township_s": townships / n, "saved_mb": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaluation", help="an evaluation pickle a build kept")
    parser.add_argument("--sample", action="store_true", help="evaluate the sample season (17 townships)")
    parser.add_argument("--sizes", default="17", help="comma-separated numbers of townships")
    args = parser.parse_args()
    evaluation = _sample_evaluation() if args.sample else pickle.loads(Path(args.evaluation).read_bytes())
    print(f"load average {os.getloadavg()[0]:.1f}; {len(evaluation.slugs)} townships in the evaluation")
    for n in (int(s) for s in args.sizes.split(",")):
        r = measure(evaluation, min(n, len(evaluation.slugs)))
        print(f"{r['n']:>5} townships: planning {r['cpu_s']:7.2f} s CPU, {r['per_township_s'] * 1000:7.1f} ms "
              f"per township; slices saved {r['saved_mb']:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
