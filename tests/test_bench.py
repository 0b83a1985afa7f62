"""`make bench` runs every bench/bench_*.py through bench/run_all.py: each must offer main(argv)."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("path", sorted(BENCH.glob("bench_*.py")), ids=lambda p: p.stem)
def test_bench_main_takes_argv(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    signature = inspect.signature(module.main)
    signature.bind([])  # run_all calls main([])
