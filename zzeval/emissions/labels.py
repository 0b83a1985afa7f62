"""Labels of the emission tables' codes (measure, submeasure, scope, pollutant).

They live with every other report label in ``zzeval/reference/labels.yaml``; this module only
looks them up for :meth:`zzeval.emissions.ReductionEstimate.labelled`.
"""

from __future__ import annotations

from zzeval.i18n import t_or


def label(kind: str, code: str, lang: str = "zh") -> str:
    """Label of ``code`` of ``kind`` (measure, submeasure, scope, pollutant) in ``lang``
    (``zh`` or ``en``); the code itself when unknown."""
    return t_or(f"{kind}.{code}", code, lang)
