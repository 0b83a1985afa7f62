"""The numeric options of a build, checked before anything runs (issue 13, hostile review 8B: B6, B7).

``zzeval build`` and :func:`zzeval.build.builder.build_reports` refuse, naming the option:

* ``timeout`` (s per notebook) and ``start_timeout`` (s per kernel start): a whole number of
  seconds from 1 to ``build.timeout_seconds`` of ``zzeval/reference/input_limits.csv``
  (nbclient's ``timeout`` trait takes an int: 0.5, 1.5 or inf failed every report after the
  whole evaluation);
* ``jobs``: a whole number from 1 to ``build.jobs_per_core`` times the cores of this machine, and
  at most its memory ÷ ``build.worker_memory_mb`` (:func:`local_jobs_limit`; the default, the
  cores, is bounded the same way: :func:`default_jobs`), when the workers are local processes (``--executor local``, or Dask without ``--scheduler``:
  a local cluster); each worker is a Python interpreter of some 64-150 MB, so ``--jobs 100000``
  would start 100,000 of them. A remote Dask cluster has its own size: ``jobs`` is not bounded
  there;
* ``retries`` (of a kernel start): a whole number from 0;

and the folders (B1): ``--out`` (or the season's folder in it) is not the season folder ``--data`` or
a folder inside it.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from pathlib import Path

from zzeval.errors import BuildError
from zzeval.resources import input_limit

_LIMITS = "zzeval/reference/input_limits.csv"


def whole_seconds(value, option: str) -> int:
    """``value`` (s) as an int when it is a whole number from 1 to ``build.timeout_seconds``, else
    :class:`~zzeval.errors.BuildError` naming ``option`` and the value given."""
    most = int(input_limit("build.timeout_seconds"))
    ok = (isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
          and float(value).is_integer() and 1 <= value <= most)
    if not ok:
        raise BuildError(f"{option} must be a whole number of seconds from 1 to {most:,} ({_LIMITS}: "
                         f"build.timeout_seconds), got {_shown(value)}")
    return int(value)


def local_jobs_limit() -> int:
    """The most workers a build may start on this machine: ``build.jobs_per_core`` times its cores, and
    no more than its memory holds at ``build.worker_memory_mb`` each (where the memory is known)."""
    most = int(input_limit("build.jobs_per_core") * (os.cpu_count() or 1))
    memory = memory_bytes()
    if memory:
        most = min(most, int(memory // (input_limit("build.worker_memory_mb") * 2**20)))
    return max(1, most)


def memory_bytes() -> int | None:
    """The machine's physical memory (bytes), None where ``os.sysconf`` does not tell (Windows)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def default_jobs() -> int:
    """The workers of a build without ``--jobs``: the cores, at most :func:`local_jobs_limit` (a
    256-core machine with 16 GB would otherwise start 256 workers of some 150 MB)."""
    return max(1, min(os.cpu_count() or 1, local_jobs_limit()))


def check_jobs(jobs, local: bool) -> None:
    """``jobs`` is None (the cores) or a whole number from 1 up, and at most :func:`local_jobs_limit`
    when ``local`` (the workers are processes on this machine)."""
    if jobs is None:
        return
    if not isinstance(jobs, Integral) or isinstance(jobs, bool) or jobs < 1:
        raise BuildError(f"--jobs must be a whole number of workers of at least 1, got {_shown(jobs)}")
    most = local_jobs_limit()
    if local and jobs > most:
        memory, worker_mb = memory_bytes(), input_limit("build.worker_memory_mb")
        held = (f"; its {memory / 2**30:.1f} GB of memory hold {memory // (worker_mb * 2**20):,.0f} workers of "
                f"{worker_mb:g} MB (build.worker_memory_mb)") if memory else ""
        raise BuildError(f"--jobs {jobs:,} is more than {most:,} workers ({input_limit('build.jobs_per_core'):g} "
                         f"per core ({_LIMITS}: build.jobs_per_core) × {os.cpu_count() or 1} cores here{held}); "
                         "each worker is a Python process: give at most the number of cores")


def check_numbers(options) -> None:
    """The numeric fields of a :class:`~zzeval.build.plan.BuildOptions` (see the module)."""
    check_jobs(options.jobs, local=options.executor != "dask" or not options.scheduler)
    whole_seconds(options.timeout, "--timeout")
    whole_seconds(options.start_timeout, "start_timeout")
    retries = options.retries
    if not isinstance(retries, Integral) or isinstance(retries, bool) or retries < 0:
        raise BuildError(f"retries must be a whole number from 0, got {_shown(retries)}")


def _shown(value) -> str:
    text = f"{value:g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else f"{value}"
    return text if len(text) <= 40 else text[:40] + "…"


def check_out_apart_from_data(data_dir: Path, out_root: Path, season_dir: Path) -> None:
    """Refuse reports written into the season folder: ``--out`` equal to ``--data`` or inside it, or the
    season's reports folder (``--out``/SEASON) equal to ``--data``. The reports (and the build's cache and
    log) would become part of the data they report on. Paths resolved."""
    inside = out_root == data_dir or data_dir in out_root.parents
    if inside or season_dir == data_dir:
        head = (f"--out {out_root} {'is' if out_root == data_dir else 'lies inside'} the season folder" if inside
                else f"--out {out_root}: its folder of the season's reports {season_dir} is the season folder")
        raise BuildError(f"{head} --data {data_dir}: the reports, the "
                         "build's cache and log would be written among the season's tables and become part "
                         "of its data; give --out a folder outside the season folder (e.g. "
                         f"{data_dir.parent / 'reports'})")
