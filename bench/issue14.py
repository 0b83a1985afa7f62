"""Issue 14's table, as ``make bench`` prints it at its end: what, the figure of this run, the goal,
met or not, and the 1-minute load average while it was measured.

Only formatting and judging here (no timing): the benchmarks record a :class:`Figure` per row in a
:class:`Figures` collector, and :func:`format_table` prints the rows in the issue's order. A row
no benchmark recorded in this run says so, with the command that includes it; it is never filled
with an older figure. ``tests/test_bench.py`` runs this on fake figures.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: how a row not measured by ``make bench`` by default is included
OPT_IN_1000 = "make bench BENCH_PROVINCE=1000"
#: "flat": the largest per-township figure over the smallest, across the sizes measured
FLAT_MAX_RATIO = 1.25

#: A wall-time speed-up is judged only when the 1-minute load average was at most this before it, and
#: no run of it raised the load above this plus its own workers: on a 2-core machine shared with other
#: jobs, a 1-worker run gets less than its core and the 1 → 2 ratio then measures the other jobs, not
#: zzeval (a run of 2026-12-05 at load 5–6 gave 2.38×); a 2-worker run's own load (≈ 2 at its end)
#: is not the other jobs' (the first near-idle run, 2026-12-06, ended at 1.9 and was refused for it).
SPEEDUP_MAX_LOAD = 1.0


@dataclass(frozen=True)
class Row:
    key: str
    what: str
    goal: str
    check: Callable[[float], bool]
    #: the command that measures the row when plain ``make bench`` does not
    opt_in: str = ""


ROWS: tuple[Row, ...] = (
    Row("build_vs_plain", "full sample build (17 townships: evaluation, reports, county page, index; a whole "
        "`zzeval build` process) vs the plain loop, papermill + nbconvert per township (each notebook "
        "evaluating the season itself), same run", "≥ 15×", lambda v: v >= 15.0),
    Row("report_cost", "one township report once the season is evaluated (warm kernel, one core): CPU of "
        "worker + kernel per report", "≤ 2 s", lambda v: v <= 2.0),
    Row("rebuild", "unchanged rebuild, a whole `zzeval build` process, median of 5 (wall; CPU)",
        "< 0.5 s wall, busy", lambda v: v < 0.5),
    Row("validate_60", "`zzeval validate`, 60-township season (3.1 M air-quality rows): time, peak memory",
        f"memory not growing with N: Parquet peak 17 → 60 → 100 within ×{FLAT_MAX_RATIO:g}",
        lambda v: v <= FLAT_MAX_RATIO),
    Row("validate_1000", "`zzeval validate`, 1,000-township season (Parquet, 51.5 M rows)", "< 2 min and < 4 GB",
        lambda v: v <= 1.0, opt_in=OPT_IN_1000),  # value: the larger of time / 2 min and peak / 4 GB
    Row("first_report", "whole-season evaluation: time from `zzeval build`'s start to its first township "
        "report (2 local processes)", "minutes at 1,000 townships: ≤ 10 min", lambda v: v <= 600.0),
    Row("eval_per_township", "whole-season evaluation: per-township evaluation time (the build's evaluation "
        "on 2 local processes: split by station, tasks, county steps)",
        f"on the executor; CPU per township flat in N (max/min ≤ {FLAT_MAX_RATIO:g})",
        lambda v: v <= FLAT_MAX_RATIO),
    Row("dask_speedup", "Dask speed-up of the evaluation, 1 → 2 local workers (wall)", "≥ 1.8×",
        lambda v: v >= 1.8),
    Row("province", "synthetic province end to end (`zzeval build`, 2 local processes): time per township "
        "17 → 100 → 1,000", f"flat from 17 to 100 to 1,000 (CPU max/min ≤ {FLAT_MAX_RATIO:g})",
        lambda v: v <= FLAT_MAX_RATIO),
)


def load_now() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


@dataclass
class Figure:
    """One row's figure: ``text`` (with units) is what is printed; ``value`` is what the goal judges
    (None: the figure is printed but not judged, ``note`` says why)."""

    text: str
    value: float | None
    load: str
    note: str = ""


@dataclass
class Figures:
    """What the benchmarks of one ``make bench`` run recorded, row by row."""

    rows: dict[str, Figure] = field(default_factory=dict)
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))

    def add(self, key: str, text: str, value: float | None, load: str, note: str = "") -> None:
        if key not in {r.key for r in ROWS}:
            raise KeyError(f"issue 14's table has no row {key!r}")
        self.rows[key] = Figure(text, value, load, note)


def load_span(start: float, end: float) -> str:
    """The 1-minute load average at a measurement's start and end, e.g. ``1.2 → 2.0``."""
    return f"{start:.1f} → {end:.1f}"


def busy(*loads: str, workers: tuple[int, ...] = ()) -> float | None:
    """The highest load average of the runs ``loads`` (texts like ``1.2 → 2.0``, one per run, in the
    order they ran) that says other jobs shared the machine, else None: the first run's start above
    :data:`SPEEDUP_MAX_LOAD`, or a run's load above it plus that run's own ``workers`` (0 when not given)."""
    over = []
    for i, text in enumerate(loads):
        values = [float(v) for v in text.replace("→", " ").split() if v.replace(".", "", 1).isdigit()]
        own = workers[i] if i < len(workers) else 0
        over += [v for j, v in enumerate(values) if v > SPEEDUP_MAX_LOAD + (0 if i == j == 0 else own)]
    return max(over, default=None)


def flat_ratio(values: list[float]) -> float:
    """The largest over the smallest (1.0: perfectly flat)."""
    return max(values) / min(values)


def status(row: Row, fig: Figure | None) -> str:
    if fig is None:
        how = row.opt_in or "make bench"
        return f"not run in this run ({how} to include)"
    if fig.value is None:
        verdict = "not judged"
    else:
        verdict = "met" if row.check(fig.value) else "NOT met"
    return f"{verdict}; {fig.note}" if fig.note else verdict


def format_table(figures: Figures, ended: str | None = None) -> str:
    """Issue 14's table in Markdown, every row in the issue's order."""
    ended = ended or time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"Issue 14, this run ({figures.started} → {ended}, {os.cpu_count()} cores); load = 1-minute "
             "load average at the start → end of the measurement",
             "",
             "| what | this run | goal | met? | load |",
             "|---|---|---|---|---|"]
    for row in ROWS:
        fig = figures.rows.get(row.key)
        text = fig.text if fig else "—"
        load = fig.load if fig else "—"
        lines.append(f"| {row.what} | {text} | {row.goal} | {status(row, fig)} | {load} |")
    return "\n".join(lines)
