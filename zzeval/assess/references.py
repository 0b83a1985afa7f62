"""The package's reference tables (``zzeval/reference/``) read and checked once, before a validation or a
build uses them: an analyst's edit that breaks one (a tab in a YAML file, a plan figure that contradicts
the plan, an AQI breakpoint that is not HJ 633's) stops the command with the file, the place and what to fix
(exit 2) instead of a traceback in the middle of a build or a wrong number in a report.

Each table is checked by its one reader (:func:`zzeval.resources.reference_yaml`,
:func:`zzeval.resources.plan_targets`, :func:`zzeval.airquality.hj633.checked_breakpoints`); this module
only reads them all, early.
"""

from __future__ import annotations

from zzeval.resources import reference_path, reference_yaml

#: The reference YAML files read by zzeval.
REFERENCE_YAML = ("plan_targets.yaml", "plan_tasks.yaml", "verdict_rules.yaml", "labels.yaml", "header_units.yaml")


def check_reference_tables() -> None:
    """Read every reference table a validation or a build uses; raises ``ZzevalError`` (exit 2) naming the
    file and what to fix when one is broken."""
    from zzeval.airquality.aqi import aqi_breakpoints
    from zzeval.assess.verdict import load_rules
    from zzeval.i18n import labels
    from zzeval.resources import plan_targets, plan_tasks

    for name in REFERENCE_YAML:
        if reference_path(name).is_file():
            reference_yaml(name)
    plan_targets()
    plan_tasks()
    labels()
    load_rules(None)
    aqi_breakpoints()
