"""The plausibility of the values of ``targets`` (one township's target of a task), from the bounds of
``zzeval/reference/input_limits.csv`` (keys ``targets.<task>``, in the task's unit).

A bound whose ``basis`` is ``definition`` cannot be passed by genuine data (a PM2.5 change below
−100 % would be a negative concentration): refused. A bound of ``basis`` ``assumption`` catches a
target typed at the wrong scale (a dustfall target of 90 or 0.9 for the plan's 9 t/(month·km²)): a
judgement check (``target_scale``, subject ``township task``; :mod:`zzeval.season.confirm`), so a
genuine target there can be confirmed in ``season.yaml``; so can a change target in % nearer 0 than
``target_fraction.<task>`` (−0.04 written for −4 %). Every message gives the plan's own target
(``plan_tasks.yaml``, ``default_target``) as a hint (hostile review 9A, F6).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from zzeval.resources import input_limit_rows, plan_tasks
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge_rows

LIMITS_FILE = "zzeval/reference/input_limits.csv"

#: The key of input_limits.csv bounding a dustfall target (read with every ``targets.<task>`` row, by prefix).
DUSTFALL_TARGET = "targets.dustfall_t_km2_month"


@cache
def _plan_targets() -> dict[str, str]:
    """The plan's target of each task as the message shows it (``default_target`` or the targets by
    township class of ``plan_tasks.yaml``)."""
    out = {}
    for task, spec in plan_tasks()["tasks"].items():
        if "default_target" in spec:
            out[task] = f"{spec['default_target']:g}"
        elif "default_target_by_class" in spec:
            out[task] = ", ".join(f"{v:g} ({k})" for k, v in spec["default_target_by_class"].items())
    return out


def check_target_values(targets: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Each ``targets`` row against the bounds of its task (``targets.<task>`` in input_limits.csv)."""
    if targets is None or targets.empty:
        return
    task = targets["task"].astype("string")
    value = pd.to_numeric(targets["target"], errors="coerce")
    subject = targets["township"].astype(str) + " " + task.astype(str)
    for key, row in input_limit_rows("targets.").items():
        name = key.removeprefix("targets.")
        mine = (task == name).fillna(False) & value.notna()
        if not mine.any():
            continue
        unit = row["unit"]
        plan = _plan_targets().get(name)
        hint = f"the plan's target is {plan} {unit}" if plan else "see the plan's target"
        for side, bound, beyond in (("min_value", "below", lambda v, b: v < b), ("max_value", "above",
                                                                                 lambda v, b: v > b)):
            if not row[side]:
                continue
            limit = float(row[side])
            mask = mine & beyond(value, limit)
            if not mask.any():
                continue

            def message(i, limit=limit, bound=bound, unit=unit, hint=hint, name=name, key=key, row=row) -> str:
                if _is_decrease(row, bound, limit):
                    return _rise_message(value[i], name, key, hint)
                return (f"a target of {value[i]:g} {unit} for {name} is {bound} {limit:g} {unit} ({key}, "
                        f"{LIMITS_FILE}): {_why(row, bound)}; {hint}")

            if row["basis"] == "definition":
                out.rows(fname, "target", mask, message)
            else:
                judge_rows(out, "target_scale", fname, "target", mask, subject, message)
    _check_fractions((task, value, subject), fname, out)


def _check_fractions(rows: tuple[pd.Series, pd.Series, pd.Series], fname: str, out: Collector) -> None:
    """A change target in % nearer 0 than ``target_fraction.<task>`` (but not 0) is likely a fraction (−0.04
    for −4 %, review reA N6): a judgement check (``target_scale``), as a share target of 1 or less is refused
    (:func:`zzeval.season.checks._check_share_targets`)."""
    task, value, subject = rows
    for key, row in input_limit_rows("target_fraction.").items():
        name = key.removeprefix("target_fraction.")
        top = float(row["max_value"])
        mask = (task == name).fillna(False) & value.notna() & (value != 0) & (value.abs() < top)
        if _is_decrease(input_limit_rows(f"targets.{name}").get(f"targets.{name}", {}), "above", 0):
            mask &= value < 0  # a positive one is refused as a rise (_rise_message), which names the fraction too
        if not mask.any():
            continue
        plan = _plan_targets().get(name)
        hint = f"; the plan's target is {plan} {row['unit']}" if plan else ""

        def message(i, name=name, key=key, top=top, hint=hint) -> str:
            return (f"a target of {value[i]:g} % for {name} is a change of less than {top:g} % either way ({key}, "
                    f"{LIMITS_FILE}): a fraction ({value[i]:g} for {100 * value[i]:g} %)? write the change in %: "
                    f"{100 * value[i]:g}{hint}")

        judge_rows(out, "target_scale", fname, "target", mask, subject, message)


def _is_decrease(row: dict, bound: str, limit: float) -> bool:
    """The bound is the 0 above which a change the plan states as a decrease would be a rise (a ``max_value``
    of 0 in %: ``targets.pm25_change_pct``, hostile review s11-C, F8)."""
    return bound == "above" and limit == 0 and row.get("unit") == "%" and row.get("max_value") == "0"


def _rise_message(v: float, name: str, key: str, hint: str) -> str:
    """A positive target of a change the plan states as a decrease: the decrease written without its sign."""
    fraction = f" (or {-100 * v:g} if {v:g} is a fraction of {100 * v:g} %)" if v < 1 else ""
    return (f"a target of {v:g} % for {name} allows a rise of {v:g} %, but the plan states this change as a "
            f"decrease (下降, 改善幅度; {key}, {LIMITS_FILE}: at most 0): a reduction target is negative: "
            f"write {-v:g} (a decrease of {v:g} %){fraction}; 0 means no worsening; {hint}")


def _why(row: dict, bound: str) -> str:
    if row["basis"] == "definition":
        return "no township can reach it, every one would miss it"
    return "a target typed at another scale (a digit too many or too few, a decimal point slipped)?" \
        f" write it in {row['unit']}"
